"""Planning a ledger on one date: the customers by local date, the history
indexed once per date, each customer through the stages, the results merged
and sorted (:func:`_finish`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from .._gc import gc_paused
from ..actions import (
    Action,
    HistoryEntry,
    Plan,
    Skipped,
)
from ..errors import InvalidFieldError
from ..law import RateBook
from ..model import (
    Customer,
    Ledger,
)
from ..plugins import Plugins, builtin_plugins
from ..policy import Playbook
from .customer import _plan_customer
from .history import _EMPTY_HISTORY, _entry_of, _index_history


def _check_playbook(playbook: Playbook, plugins: Plugins | None) -> None:
    """Raise UnknownChannelError when a step names a channel no plugin provides."""
    (plugins or builtin_plugins()).check_channels(playbook)


def _finish(as_of: date, actions: Iterable[Action], skipped: Iterable[Skipped]) -> Plan:
    ordered = sorted(actions, key=Action.sort_key)
    skips = sorted(skipped, key=lambda s: (s.customer_id, s.invoice_id, s.step or "", s.reason))
    return Plan(as_of=as_of, actions=tuple(ordered), skipped=tuple(skips))


def plan_ledger(
    ledger: Ledger,
    *,
    as_of: date | None,
    at: datetime | None,
    playbook: Playbook,
    history: Iterable[HistoryEntry | Action] | None,
    rates: RateBook | None,
    plugins: Plugins | None,
) -> Plan:
    """:func:`arpolicy.engine.plan` with the playbook resolved (the facade
    gives the built-in one when the caller gives none)."""
    day, days = _planning_days(ledger, as_of, at)
    book = playbook
    if plugins is not None:
        rates = plugins.rate_book(rates)
    with gc_paused():
        entries = [_entry_of(item) for item in history or ()]
        actions: list[Action] = []
        skipped: list[Skipped] = []
        # The history is indexed once per date: customers sharing a local
        # date share an index (with ``as_of``, all of them).
        for local, customers in days:
            index = _index_history(entries, ledger, local)
            for customer in customers:
                result = _plan_customer(
                    ledger,
                    customer,
                    book,
                    index.get(customer.id, _EMPTY_HISTORY),
                    local,
                    rates=rates,
                    plugins=plugins,
                )
                actions.extend(result.actions)
                skipped.extend(result.skipped)
        return _observed(_finish(day, actions, skipped), plugins)


def _planning_days(
    ledger: Ledger, as_of: date | None, at: datetime | None
) -> tuple[date, list[tuple[date, Sequence[Customer]]]]:
    """The plan's date, and the customers to plan on each date (by date).

    Time zones are converted once per zone, not per customer.
    """
    if (as_of is None) == (at is None):
        raise InvalidFieldError(
            "plan", "as_of", as_of, "give exactly one of as_of (a date) and at (a datetime)"
        )
    if at is None:
        if not isinstance(as_of, date) or isinstance(as_of, datetime):
            raise InvalidFieldError("plan", "as_of", as_of, "expected a date (use at= for a time)")
        return as_of, [(as_of, ledger.customers)]
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise InvalidFieldError("plan", "at", at, "expected a timezone-aware datetime")
    by_zone: dict[str, date] = {}
    groups: dict[date, list[Customer]] = {}
    for customer in ledger.customers:
        local = by_zone.get(customer.timezone)
        if local is None:
            local = by_zone[customer.timezone] = customer.local_date(at)
        groups.setdefault(local, []).append(customer)
    return at.date(), sorted(groups.items())


def _observed(result: Plan, plugins: Plugins | None) -> Plan:
    if plugins is not None:
        plugins.observe_plan(result)
    return result
