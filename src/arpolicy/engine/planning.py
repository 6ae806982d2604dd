"""Planning a ledger on one date: the customers by local date, the history
indexed once per date, each customer through the stages, the results merged
and sorted (:func:`_finish`)."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Final, cast

from .._gc import gc_paused
from ..actions import (
    Action,
    HistoryEntry,
    Plan,
    Skipped,
    SkipReason,
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

if TYPE_CHECKING:
    import polars as pl

SCREEN_MIN_INVOICES: Final = 2_000
"""Ledgers with fewer invoices are planned customer by customer (faster there)."""


def _check_playbook(playbook: Playbook, plugins: Plugins | None) -> None:
    """Raise UnknownChannelError when a step names a channel no plugin provides."""
    (plugins or builtin_plugins()).check_channels(playbook)


def _skip_key(s: Skipped) -> tuple[str, str, str, str]:
    return (s.customer_id, s.invoice_id, s.step or "", s.reason)


def _finish(
    as_of: date,
    actions: Iterable[Action],
    skipped: Iterable[Skipped],
    tables: Sequence[pl.DataFrame] = (),
) -> Plan:
    """The plan: actions and skipped entries sorted by their keys.

    ``tables``: skipped rows of the columnar stage (:mod:`.screen`), sorted
    there and merged with the others.
    """
    ordered = sorted(actions, key=Action.sort_key)
    skips = sorted(skipped, key=_skip_key)
    if tables:
        import polars as pl  # noqa: PLC0415 - only with the columnar stage

        from .screen import skipped_rows  # noqa: PLC0415

        reasons = {r.value: r for r in SkipReason}
        rows = skipped_rows(pl.concat(tables))
        screened = [Skipped(c, i, reasons[r], d, s) for c, i, r, d, s in rows]
        skips = list(heapq.merge(skips, screened, key=_skip_key))
    return Plan(as_of=as_of, actions=tuple(ordered), skipped=tuple(skips))


def _done_rows_of_table(table: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The screen's history (:func:`.screen.done_rows`) from a canonical
    history table: issued rows dated by ``as_of``, one per invoice."""
    import polars as pl  # noqa: PLC0415

    return (
        table.filter((pl.col("status") != "failed") & (pl.col("date") <= as_of))
        .select(
            "customer_id", pl.col("invoice_ids").alias("invoice_id"), "step", "date", "received_on"
        )
        .explode("invoice_id")
        .drop_nulls("invoice_id")
    )


def _use_screen(ledger: Ledger, playbook: Playbook, plugins: Plugins | None) -> bool:
    """The columnar stage takes the ledger: large, the built-in rules alone
    (no plugin of one's own decides about invoices, actions, policies or
    credit, or brings calendars), and no policy that duns paid-late invoices
    for their interest alone."""
    return (
        (plugins is None or plugins.builtin_rules_only())
        and not any(p.dun_interest_only for p in playbook.policies)
        and ledger._count(1) >= SCREEN_MIN_INVOICES
    )


def plan_ledger(
    ledger: Ledger,
    *,
    as_of: date | None,
    at: datetime | None,
    playbook: Playbook,
    history: Iterable[HistoryEntry | Action] | pl.DataFrame | None,
    rates: RateBook | None,
    plugins: Plugins | None,
    columnar: bool | None = None,
) -> Plan:
    """:func:`arpolicy.engine.plan` with the playbook resolved (the facade
    gives the built-in one when the caller gives none).

    ``history``: objects, or a history table in canonical form
    (:func:`arpolicy.io.history_tables.history_frame`); the columnar stage
    reads a table as it is, and only the busy customers' rows become
    :class:`HistoryEntry` objects.

    ``columnar``: screen the customers with the columnar stage first
    (:mod:`.screen`; ``None``: when :func:`_use_screen` says so, ``False``:
    never, ``True``: always, for tests: both must give the same plan).
    """
    if columnar is None:
        columnar = _use_screen(ledger, playbook, plugins)
    elif columnar and plugins is not None and not plugins.builtin_rules_only():
        raise ValueError("the columnar stage runs with the built-in rules alone")
    # with as_of, the columnar stage names the customers to plan: none listed here
    day, days = _planning_days(ledger, as_of, at, listed=not columnar)
    book = playbook
    # the customers the screen has shown no credit hold can be due for are
    # planned without computing one (the same actions; `simulate` does not
    # take this path, so no wake date is lost)
    no_hold = book.replace(credit_hold=False) if book.credit_hold else book
    holds: frozenset[str] | None = None  # None: each customer decides its own hold
    if plugins is not None:
        rates = plugins.rate_book(rates)
    if columnar:
        from .screen import done_rows, screen  # noqa: PLC0415 - Polars on use
    table: pl.DataFrame | None = None
    objects: Iterable[HistoryEntry | Action] = ()
    if type(history).__module__.startswith("polars"):
        table = cast("pl.DataFrame", history)
    elif history is not None:
        objects = cast("Iterable[HistoryEntry | Action]", history)
    with gc_paused():
        if table is not None:
            from ..io.history_tables import entries_of_frame  # noqa: PLC0415 - pure

            everything = [] if columnar else entries_of_frame(table)
        else:
            everything = [_entry_of(item) for item in objects]
        actions: list[Action] = []
        skipped: list[Skipped] = []
        tables = []
        # The history is indexed once per date: customers sharing a local
        # date share an index (with ``as_of``, all of them).
        for local, group in days:
            customers = group
            if columnar:
                subset = None if at is None else [c.id for c in group]
                done = (
                    done_rows(everything, local)
                    if table is None
                    else _done_rows_of_table(table, local)
                )
                found = screen(ledger, book, done, local, subset)
                tables.append(found.skipped)
                busy = found.busy
                holds = found.holds
                ledger._prefetch(sorted(busy))
                customers = [ledger.customer(cid) for cid in sorted(busy)]
                if table is None:
                    entries = [e for e in everything if e.customer_id in busy]
                else:
                    entries = entries_of_frame(table.filter(table["customer_id"].is_in(list(busy))))
            else:
                entries = everything
            index = _index_history(entries, ledger, local)
            for customer in customers:
                result = _plan_customer(
                    ledger,
                    customer,
                    book if holds is None or customer.id in holds else no_hold,
                    index.get(customer.id, _EMPTY_HISTORY),
                    local,
                    rates=rates,
                    plugins=plugins,
                )
                actions.extend(result.actions)
                skipped.extend(result.skipped)
        return _observed(_finish(day, actions, skipped, tables), plugins)


def _planning_days(
    ledger: Ledger, as_of: date | None, at: datetime | None, *, listed: bool = True
) -> tuple[date, list[tuple[date, Sequence[Customer]]]]:
    """The plan's date, and the customers to plan on each date (by date).

    Time zones are converted once per zone, not per customer. ``listed=False``:
    with ``as_of``, no customer is listed (the columnar stage names them).
    """
    if (as_of is None) == (at is None):
        raise InvalidFieldError(
            "plan", "as_of", as_of, "give exactly one of as_of (a date) and at (a datetime)"
        )
    if at is None:
        if not isinstance(as_of, date) or isinstance(as_of, datetime):
            raise InvalidFieldError("plan", "as_of", as_of, "expected a date (use at= for a time)")
        return as_of, [(as_of, ledger.customers if listed else ())]
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
