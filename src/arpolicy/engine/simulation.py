"""Simulating a period: per customer, from event to event (invoice, payment,
dispute, hold, plan and block dates, and the wake dates the stages give),
with the history growing by each day's actions."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, timedelta

from .._gc import gc_paused
from ..actions import (
    Action,
    HistoryEntry,
    HistoryStatus,
    Plan,
    Skipped,
)
from ..law import RateBook
from ..model import (
    Customer,
    CustomerPosition,
    Ledger,
)
from ..plugins import Plugins
from ..policy import Playbook
from .customer import _plan_customer
from .history import _currency_of, _CustomerHistory, _entry_of
from .planning import _finish, _observed
from .state import _ONE_DAY


def _static_events(ledger: Ledger, customer: Customer) -> list[date]:
    """Dates on which the customer's ledger state changes by itself."""
    days: set[date] = set()
    for inv in ledger.invoices_of(customer.id):
        days.add(inv.issue_date)
        if inv.dispute is not None:
            days.add(inv.dispute.opened_on)
            if inv.dispute.resolved_on is not None:
                days.add(inv.dispute.resolved_on)
        if inv.on_hold_until is not None:
            days.add(inv.on_hold_until)
    for pay in ledger.payments_of(customer.id):
        days.add(pay.date)
    for plan_ in ledger.plans_of(customer.id):
        days.add(plan_.agreed_on)
        for inst in plan_.instalments:
            days.add(inst.due_date + timedelta(days=plan_.grace_days + 1))
    if customer.block is not None and customer.block.until is not None:
        days.add(customer.block.until)
    return sorted(days)


def simulate_ledger(
    ledger: Ledger,
    *,
    start: date,
    end: date,
    playbook: Playbook,
    history: Iterable[HistoryEntry | Action] | None,
    rates: RateBook | None,
    plugins: Plugins | None,
) -> Plan:
    """:func:`arpolicy.engine.simulate` with the playbook resolved."""
    book = playbook
    if plugins is not None:
        rates = plugins.rate_book(rates)
    base = [_entry_of(item) for item in history or ()]
    by_customer: dict[str, list[HistoryEntry]] = {}
    for entry in base:
        by_customer.setdefault(entry.customer_id, []).append(entry)
    with gc_paused():
        ledger._build_records()  # every customer is visited
        return _observed(_simulate(ledger, start, end, book, by_customer, rates, plugins), plugins)


def _simulate(
    ledger: Ledger,
    start: date,
    end: date,
    book: Playbook,
    by_customer: dict[str, list[HistoryEntry]],
    rates: RateBook | None,
    plugins: Plugins | None,
) -> Plan:
    # A plugin's rules may change their answer on any day: then every day is
    # looked at; the built-in rules say when they change (wake dates).
    daily = plugins is not None and plugins.custom_rules()
    # batch rules see one customer's table at a time: a simulation goes
    # customer by customer
    batched = plugins is not None and any(plugins.batch_hooks())
    if batched:
        from .batch import _plan_batched  # noqa: PLC0415 - Polars on use
    actions: list[Action] = []
    skipped: list[Skipped] = []
    for customer in ledger.customers:
        # The given history, oldest first, joins the customer's history as the
        # simulation reaches each entry's date; new actions join on their day.
        pending = sorted(
            (e for e in by_customer.get(customer.id, ()) if e.status is HistoryStatus.ISSUED),
            key=lambda e: e.date,
        )
        taken = 0
        ch = _CustomerHistory()
        events = _static_events(ledger, customer)
        pos = 0
        day = start
        # A customer's position changes only on its static events (invoice and
        # payment dates), so it is computed again only when one has passed.
        position: CustomerPosition | None = None
        position_events = -1
        while True:
            while taken < len(pending) and pending[taken].date <= day:
                entry = pending[taken]
                ch.add(entry, _currency_of(entry, ledger), today=entry.date == day)
                taken += 1
            passed = bisect.bisect_right(events, day)
            if position is None or passed != position_events:
                position = ledger.position(customer.id, day)
                position_events = passed
            if batched and plugins is not None:
                result = _plan_batched(
                    ledger,
                    [customer],
                    book,
                    {customer.id: ch},
                    day,
                    rates,
                    plugins,
                    {customer.id: position},
                )[0]
            else:
                result = _plan_customer(ledger, customer, book, ch, day, position, rates, plugins)
            actions.extend(result.actions)
            for action in result.actions:
                ch.add(HistoryEntry.from_action(action), action.currency or "")
            if day == end:
                skipped.extend(result.skipped)
                break
            while pos < len(events) and events[pos] <= day:
                pos += 1
            following = [end, day + _ONE_DAY] if daily else [end]
            if pos < len(events):
                following.append(events[pos])
            if result.wake is not None and result.wake > day:
                following.append(result.wake)
            day = max(min(following), day + _ONE_DAY)
            day = min(day, end)
    return _finish(end, actions, skipped)
