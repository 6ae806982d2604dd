"""One customer on one date, through the stages of the pipeline.

:func:`_plan_customer` ties them: the open items and what pauses them
(:mod:`.candidates`), the plugins' customer-level actions (plan broken,
credit hold, trial notices), the candidates (policy, skip rules, ladder),
the notices (:mod:`.notices`: grouping, spacing, channel slots, charges) and
the plugins' action rules (:mod:`.vetoes`). Each stage calls its hooks in
one place.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from datetime import date
from typing import cast

from ..actions import Action, SkipReason
from ..law import RateBook
from ..model import Customer, CustomerPosition, Ledger, PaymentPlan, PlanState
from ..money import Money
from ..plugins import Plugins, builtin_plugins
from ..policy import Playbook
from ..rules import CustomerContext
from .calendars import _STANDARD_CALENDARS, _Calendars
from .candidates import _candidates, _open_items, _pauses
from .history import _CustomerHistory
from .notices import _group, _place
from .state import _ONE_DAY, _DayBatch, _Prepared, _Result
from .vetoes import _adjust, _past_vetoes


def _specials(
    ledger: Ledger,
    customer: Customer,
    playbook: Playbook,
    history: _CustomerHistory,
    as_of: date,
    balances: dict[str, Money],
    plans: tuple[tuple[PaymentPlan, PlanState], ...],
    position: CustomerPosition,
    plugins: Plugins | None,
    result: _Result,
) -> list[Action]:
    """The customer-level actions of the plugins (built-in: plan broken,
    credit hold, trial notices): ``arpolicy_customer_actions``, once."""
    facade = plugins or builtin_plugins()
    score = facade.credit_score(customer, ledger, as_of) if playbook.credit_hold else None
    extra = facade.customer_actions(
        CustomerContext(
            customer,
            ledger,
            playbook,
            as_of,
            balances,
            plans,
            history.keys,
            score,
            position,
        )
    )
    result.wake_at(extra.wake)
    return list(extra.actions)


def _plan_customer(
    ledger: Ledger,
    customer: Customer,
    playbook: Playbook,
    history: _CustomerHistory,
    as_of: date,
    position: CustomerPosition | None = None,
    rates: RateBook | None = None,
    plugins: Plugins | None = None,
    vetoed: Mapping[str, frozenset[str]] | None = None,
) -> _Result:
    """Plan one customer on ``as_of``; ``position`` may be passed when known.

    ``vetoed``: per invoice, the steps a plugin's action rule vetoed today;
    with catch-up ``resume`` the ladder goes on past them (see
    :func:`~arpolicy.engine.vetoes._past_vetoes`).
    """
    steps = _planned(ledger, customer, playbook, history, as_of, position, rates, plugins, vetoed)
    try:
        next(steps)
    except StopIteration as stop:
        return cast("_Result", stop.value)
    raise AssertionError("batch action rules are asked by the driver in .batch")


def _planned(
    ledger: Ledger,
    customer: Customer,
    playbook: Playbook,
    history: _CustomerHistory,
    as_of: date,
    position: CustomerPosition | None = None,
    rates: RateBook | None = None,
    plugins: Plugins | None = None,
    vetoed: Mapping[str, frozenset[str]] | None = None,
    batch: _DayBatch | None = None,
    prepared: _Prepared | None = None,
) -> Generator[list[Action], None, _Result]:
    """:func:`_plan_customer`, step by step: with batch action rules
    (``batch.actions``), yields the proposed actions before the action rules
    run, and goes on once the driver (:mod:`.batch`) has put the batch
    rules' vetoes in ``batch``; returns the result.

    ``prepared``: the open items and policies the driver found already.
    """
    result = _Result()
    cals = _Calendars(plugins.calendars()) if plugins is not None else _STANDARD_CALENDARS
    if position is None:
        position = ledger.position(customer.id, as_of)
    if prepared is None:
        balances, own = _open_items(ledger, customer, playbook, position, as_of, plugins)
    else:
        balances, own = prepared.balances, prepared.own
    if customer.block is not None and customer.block.until is not None and customer.blocked(as_of):
        result.wake_at(customer.block.until)
    plans, paused = _pauses(ledger, customer, as_of, result)
    specials = _specials(
        ledger, customer, playbook, history, as_of, balances, plans, position, plugins, result
    )
    candidates = _candidates(
        ledger,
        customer,
        playbook,
        history,
        as_of,
        balances,
        plans,
        paused,
        result,
        cals,
        plugins,
        vetoed or {},
        None if prepared is None else prepared.chosen,
        None if batch is None else batch.skips,
    )
    _place(specials, _group(candidates), customer, history, as_of, rates, cals, ledger, own, result)
    if plugins is not None and plugins.has_action_rules() and result.actions:
        if batch is not None and batch.actions:
            yield result.actions
        vetoes = None if batch is None else batch.vetoes
        refused = _adjust(ledger, customer, as_of, plugins, result, vetoes)
        more = _past_vetoes(playbook, refused, result.actions, vetoed or {})
        if more is not None:
            again = yield from _planned(
                ledger, customer, playbook, history, as_of, position, rates, plugins, more, batch
            )
            again.skipped.extend(s for s in result.skipped if s.reason is SkipReason.VETOED)
            again.wake_at(result.wake)
            return again
    if result.actions:
        result.wake_at(as_of + _ONE_DAY)
    return result
