"""The batch hooks (``arpolicy_skip_invoices``, ``arpolicy_adjust_actions``):
the customers of one planning date through the per-customer stages, with the
batch rules asked once for all of them.

1. With a batch skip rule: each customer's open items and their policies are
   found first (``arpolicy_select_policy`` is asked here, once per open
   invoice, instead of in the candidates stage), the open invoices with a
   policy go to ``arpolicy_skip_invoices`` in one table, and the answers are
   looked up where the per-row skip rules are asked
   (:func:`.candidates._candidates`, at the plugin's place in the order).
2. Every customer goes through the stages (:func:`.customer._planned`). With
   a batch action rule, each stops before its action rules with its
   proposed actions; all of them go to ``arpolicy_adjust_actions`` in one
   table, and the vetoes are looked up where the per-row action rules are
   asked (:func:`.vetoes._adjust`). Customers planned again past vetoed
   steps stop again with their new proposals: one more call for them.

The outcome is the plan the same decisions made through the per-row hooks
give.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from datetime import date

from ..actions import Action
from ..batch_tables import invoices_frame
from ..law import RateBook
from ..model import Customer, CustomerPosition, Ledger
from ..money import minor_unit
from ..plan_tables import actions_frame
from ..plugins import Plugins, SkipAnswers
from ..policy import Playbook
from .candidates import _choose_policy, _open_items
from .customer import _planned
from .history import _EMPTY_HISTORY, _CustomerHistory
from .state import _DayBatch, _Prepared, _Result


def _plan_batched(
    ledger: Ledger,
    customers: Sequence[Customer],
    playbook: Playbook,
    index: Mapping[str, _CustomerHistory],
    day: date,
    rates: RateBook | None,
    plugins: Plugins,
    positions: Mapping[str, CustomerPosition] | None = None,
    *,
    skips: SkipAnswers | None = None,
) -> list[_Result]:
    """The results of ``customers`` on ``day``, in their order, with the
    batch rules asked once for all of them (and once more per round of
    customers planned again past vetoes).

    ``skips``: the batch skip rules' answers when they were already asked
    for the day (the columnar stage asks them with every open invoice).
    """
    skips_wanted, actions_wanted = plugins.batch_hooks()
    batch = _DayBatch(actions=actions_wanted)
    known = dict(positions or {})
    prepared: dict[str, _Prepared] = {}
    if skips is not None:
        batch.skips = skips
    elif skips_wanted:
        rows = []
        for customer in customers:
            position = known.get(customer.id)
            if position is None:
                position = known[customer.id] = ledger.position(customer.id, day)
            balances, own = _open_items(ledger, customer, playbook, position, day, plugins)
            chosen = {}
            tags = sorted(customer.tags)
            for iid in sorted(balances):
                invoice = ledger.invoice(iid)
                policy = chosen[iid] = _choose_policy(playbook, customer, invoice, plugins)
                if isinstance(policy, str):
                    continue
                balance = balances[iid]
                rows.append(
                    (
                        customer.id,
                        iid,
                        invoice.kind.value,
                        balance.currency,
                        minor_unit(balance.currency),
                        balance.minor_units,
                        invoice.issue_date,
                        invoice.due_date,
                        policy.name,
                        customer.profile.value,
                        customer.country,
                        tags,
                    )
                )
            prepared[customer.id] = _Prepared(balances, own, chosen)
        if rows:  # by customer and invoice, whatever the ledger's order
            rows.sort(key=lambda row: (row[0], row[1]))
            batch.skips = plugins.skip_invoices(invoices_frame(rows), day)
    results: dict[str, _Result] = {}
    waiting: dict[str, tuple[Generator[list[Action], None, _Result], list[Action]]] = {}
    for customer in customers:
        steps = _planned(
            ledger,
            customer,
            playbook,
            index.get(customer.id, _EMPTY_HISTORY),
            day,
            known.get(customer.id),
            rates,
            plugins,
            None,
            batch,
            prepared.get(customer.id),
        )
        _advance(customer.id, steps, False, results, waiting)
    while waiting:
        proposed = sorted((a for _, found in waiting.values() for a in found), key=Action.sort_key)
        answers = plugins.adjust_actions(actions_frame(proposed), day)
        asked = {a.key for a in proposed}
        for plugin in sorted(batch.vetoes.keys() | answers.keys()):
            vetoes = {k: v for k, v in batch.vetoes.get(plugin, {}).items() if k not in asked}
            vetoes.update(answers.get(plugin, {}))
            batch.vetoes[plugin] = vetoes
        round_ = waiting
        waiting = {}
        for cid, (steps, _) in round_.items():
            _advance(cid, steps, True, results, waiting)
    return [results[c.id] for c in customers]


def _advance(
    cid: str,
    steps: Generator[list[Action], None, _Result],
    started: bool,
    results: dict[str, _Result],
    waiting: dict[str, tuple[Generator[list[Action], None, _Result], list[Action]]],
) -> None:
    """Run a customer's stages to their end (into ``results``) or to their
    next proposals for the batch action rules (into ``waiting``)."""
    try:
        found = steps.send(None) if started else next(steps)
    except StopIteration as stop:
        results[cid] = stop.value
    else:
        waiting[cid] = (steps, found)
