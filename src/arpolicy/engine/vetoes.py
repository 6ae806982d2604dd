"""The plugins' action rules (``arpolicy_adjust_action``): change or veto a
planned action; with catch-up ``resume`` the ladder goes on past a vetoed step.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ..actions import (
    Action,
    Skipped,
    SkipReason,
)
from ..model import (
    Customer,
    Ledger,
)
from ..plugins import Plugins, VetoAnswers
from ..policy import CatchUp, Playbook
from ..rules import ActionContext
from .state import _Result


def _past_vetoes(
    playbook: Playbook,
    refused: list[Action],
    kept: list[Action],
    vetoed: Mapping[str, frozenset[str]],
) -> dict[str, frozenset[str]] | None:
    """The steps to go past after a plugin vetoed ``refused``, or ``None``.

    A step goes out when one of its channels is kept: only a step vetoed on
    every channel is gone past.

    With catch-up ``resume`` a step a plugin will not let go out (no calls to
    this customer) would otherwise hold the ladder at that step for good; the
    ladder goes on past it, to the next step on that step's own date. A formal
    or acknowledged step is never gone past.
    """
    grown = dict(vetoed)
    changed = False
    sent = {(iid, a.step) for a in kept for iid in a.invoice_ids}
    for action in refused:
        if action.level == 0 or not playbook.has_policy(action.policy):
            continue
        policy = playbook.policy(action.policy)
        if policy.catch_up is not CatchUp.RESUME or action.level > len(policy.steps):
            continue
        step = policy.steps[action.level - 1]
        if step.mandatory:
            continue
        for iid in action.invoice_ids:
            names = grown.get(iid, frozenset())
            if (iid, step.name) not in sent and step.name not in names:
                grown[iid] = names | {step.name}
                changed = True
    return grown if changed else None


def _adjust(
    ledger: Ledger,
    customer: Customer,
    as_of: date,
    plugins: Plugins,
    result: _Result,
    batch: VetoAnswers | None = None,
) -> list[Action]:
    """Let the plugins' action rules change or veto the planned actions;
    return the vetoed ones (``batch``: the batch action rules' vetoes)."""
    kept: list[Action] = []
    refused: list[Action] = []
    for action in result.actions:
        invoices = tuple(ledger.invoice(iid) for iid in action.invoice_ids)
        answer = plugins.adjust_action(action, ActionContext(customer, as_of, invoices), batch)
        if isinstance(answer, Action):
            kept.append(answer)
            continue
        veto, plugin = answer
        refused.append(action)
        detail = f"{action.channel} action vetoed: {veto.detail} (plugin {plugin!r})"
        for iid in action.invoice_ids or ("",):
            result.skipped.append(Skipped(customer.id, iid, SkipReason.VETOED, detail, action.step))
    result.actions = kept
    return refused
