"""Planning a ledger on one date: the customers by local date, the history
indexed once per date, each customer through the stages, the results merged
and sorted (:func:`_finish`)."""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Final, cast

import attrs

from .._gc import gc_paused
from ..actions import (
    Action,
    HistoryEntry,
    HistoryStatus,
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
from ..money import Money
from ..plugins import Plugins, builtin_plugins
from ..policy import Playbook, Policy
from .calendars import _STANDARD_CALENDARS, _Calendars
from .customer import _plan_customer, _specials
from .history import _EMPTY_HISTORY, _CustomerHistory, _entry_of, _index_history
from .notices import _group, _place
from .state import _Candidate, _Result

if TYPE_CHECKING:
    import polars as pl

    from ..io.history_tables import Checked
    from .screen import Screened

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


def _done_rows_of_table(history: Checked, as_of: date) -> pl.DataFrame:
    """The screen's history (:func:`.screen.done_rows`) from a checked
    history table: issued rows dated by ``as_of``, one per invoice."""
    import polars as pl  # noqa: PLC0415

    issued = (pl.col("status") != "failed") & (pl.col("date") <= as_of)
    if history.rows is not None:
        done: pl.DataFrame = (
            history.rows.filter(issued)
            .select("customer_id", "invoice_id", "step", "date", "received_on")
            .drop_nulls("invoice_id")
        )
        return done
    return (
        history.frame.filter(issued)
        .select(
            "customer_id", pl.col("invoice_ids").alias("invoice_id"), "step", "date", "received_on"
        )
        .explode("invoice_id")
        .drop_nulls("invoice_id")
    )


def _use_screen(ledger: Ledger, playbook: Playbook, plugins: Plugins | None) -> bool:
    """The columnar stage takes the ledger: large, the built-in rules alone
    or with batch skip rules (no other plugin of one's own decides about
    invoices, actions, policies or credit, or brings calendars), and no
    policy that duns paid-late invoices for their interest alone."""
    return (
        (plugins is None or plugins.builtin_rules_only() or plugins.batch_skips_only())
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

    ``history``: objects, or a checked history table
    (:class:`arpolicy.io.history_tables.Checked`, or a frame in the
    canonical form of :func:`arpolicy.io.history_tables.history_frame`);
    the columnar stage reads a table as it is, and only the rows of the
    customers the later stages need become :class:`HistoryEntry` objects.

    ``columnar``: screen the customers with the columnar stage first
    (:mod:`.screen`; ``None``: when :func:`_use_screen` says so, ``False``:
    never, ``True``: always, for tests: both must give the same plan).
    """
    if columnar is None:
        columnar = _use_screen(ledger, playbook, plugins)
    elif (
        columnar
        and plugins is not None
        and not (plugins.builtin_rules_only() or plugins.batch_skips_only())
    ):
        raise ValueError("the columnar stage runs with the built-in rules and batch skip rules")
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
    with gc_paused():
        table, everything = _history_of(history, objects=not columnar)
        actions: list[Action] = []
        skipped: list[Skipped] = []
        tables = []
        # The history is indexed once per date: customers sharing a local
        # date share an index (with ``as_of``, all of them).
        for local, group in days:
            customers: Sequence[Customer] = group
            entries = everything
            if columnar:
                subset = None if at is None else [c.id for c in group]
                day_ = _screen_day(ledger, book, table, everything, local, subset, plugins)
                tables.append(day_.found.skipped)
                holds = day_.found.holds
                customers, entries = day_.customers, day_.entries
            index = _index_history(entries, ledger, local)
            if columnar:
                keys = functools.partial(_keys_done, table, everything, local)
                day_.notices.place(day_.done, index, keys, rates, plugins, actions, skipped)
            if plugins is not None and any(plugins.batch_hooks()):
                from .batch import _plan_batched  # noqa: PLC0415 - Polars on use

                answers = day_.found.skip_answers if columnar else None
                for result in _plan_batched(
                    ledger, customers, book, index, local, rates, plugins, skips=answers
                ):
                    actions.extend(result.actions)
                    skipped.extend(result.skipped)
                customers = ()
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


def _history_of(history: object, *, objects: bool) -> tuple[Checked | None, list[HistoryEntry]]:
    """The history as a checked table (``None`` for objects) and as entries:
    all of them when given as objects, or when ``objects`` asks a table's
    (the per-customer stages alone); none otherwise (the columnar stage
    reads the table and builds only the entries it needs)."""
    from ..io import history_tables  # noqa: PLC0415 - no Polars until a table is read

    table: Checked | None = None
    if isinstance(history, history_tables.Checked):
        table = history
    elif type(history).__module__.startswith("polars"):  # a table in canonical form
        table = history_tables.Checked(cast("pl.DataFrame", history))
    if table is not None:
        return table, history_tables.entries_of_frame(table.frame) if objects else []
    given = cast("Iterable[HistoryEntry | Action]", history or ())
    return None, [_entry_of(item) for item in given]


@attrs.frozen
class _ScreenedDay:
    """What the columnar stage leaves to the stages after it on one date."""

    found: Screened
    done: pl.DataFrame  # the history's done rows (:func:`.screen.done_rows`)
    notices: _Notices
    customers: list[Customer]  # the busy customers, for the per-customer stages
    entries: list[HistoryEntry]  # the history of those and of the charging ones


def _screen_day(
    ledger: Ledger,
    book: Playbook,
    table: Checked | None,
    everything: list[HistoryEntry],
    day: date,
    subset: list[str] | None,
    plugins: Plugins | None,
) -> _ScreenedDay:
    """Screen the customers of one date (:func:`.screen.screen`) and prepare
    the notices of those it found a step or a credit hold due for; the busy
    customers and the customers whose notices charge fees get their records
    built in one go and their history as objects."""
    from .screen import done_rows, screen  # noqa: PLC0415 - Polars on use

    done = done_rows(everything, day) if table is None else _done_rows_of_table(table, day)
    today = _acting_today(table, everything, day, subset)
    found = screen(ledger, book, done, day, subset, today, plugins)
    busy = found.busy
    assert found.candidates is not None
    notices = _Notices(ledger, found.candidates, found.policies, day, found.holds - busy, book)
    # the customers whose notices charge fees need their whole history
    whole = busy | notices.charging
    ledger._prefetch(sorted(whole | notices.holds))
    customers = [ledger.customer(cid) for cid in sorted(busy)]
    if table is None:
        entries = [e for e in everything if e.customer_id in whole]
    else:
        from ..io.history_tables import entries_of_frame  # noqa: PLC0415 - pure

        entries = entries_of_frame(table.subset(whole))
    return _ScreenedDay(found, done, notices, customers, entries)


def _acting_today(
    history: Checked | None,
    entries: Sequence[HistoryEntry],
    day: date,
    subset: Sequence[str] | None,
) -> list[str]:
    """The customers with a history entry carried out on ``day`` (it takes
    a channel slot): the per-customer stages plan them."""
    if history is not None:
        import polars as pl  # noqa: PLC0415

        table = history.rows if history.rows is not None else history.frame
        rows = table.filter((pl.col("date") == day) & (pl.col("status") != "failed"))
        found = set(rows["customer_id"].to_list())
    else:
        failed = HistoryStatus.FAILED
        found = {e.customer_id for e in entries if e.date == day and e.status is not failed}
    if subset is not None:
        found &= set(subset)
    return sorted(found)


class _Notices:
    """The notices stage for the customers the screen found a step due for
    and nothing else to decide (:attr:`.screen.Screened.candidates`): their
    candidates are built from the screen's rows, not found invoice by
    invoice, then grouped and placed as the per-customer stages do."""

    def __init__(
        self,
        ledger: Ledger,
        rows: pl.DataFrame,
        policies: Mapping[str, Policy],
        day: date,
        holds: frozenset[str],
        playbook: Playbook,
    ) -> None:
        self.ledger = ledger
        self.day = day
        self.holds = holds
        self.playbook = playbook
        ordered = rows.sort("customer_id", "invoice_id")
        invoices = ledger._named("invoice", ordered["invoice_id"].to_list())
        self.by_customer: dict[str, list[_Candidate]] = {}
        for (
            cid,
            iid,
            currency,
            balance,
            name,
            index,
            scheduled,
            superseded,
            dropped,
            repeat,
        ) in ordered.iter_rows():
            self.by_customer.setdefault(cid, []).append(
                _Candidate(
                    invoices[iid],
                    Money.from_minor(balance, currency),
                    policies[name],
                    index,
                    scheduled,
                    _bits(superseded),
                    _bits(dropped),
                    repeat,
                )
            )
        self.groups = {cid: _group(cands) for cid, cands in self.by_customer.items()}
        self.charging = frozenset(
            cid
            for cid, groups in self.groups.items()
            if any(group[0].policy.steps[index].fees for group, index in groups)
        )

    def place(
        self,
        done: pl.DataFrame,
        index: Mapping[str, _CustomerHistory],
        keys_done: Callable[[list[tuple[str, str]]], set[tuple[str, str]]],
        rates: RateBook | None,
        plugins: Plugins | None,
        actions: list[Action],
        skipped: list[Skipped],
    ) -> None:
        """Place each customer's notices (:func:`.notices._place`) into
        ``actions`` and ``skipped``: with the customer's whole history when a
        notice charges fees, else with the day of its last dunning action
        (all that spacing needs: no entry of the day takes a channel).

        The credit-hold rule is asked first for every customer in
        :attr:`holds`; a hold whose key the history already has
        (``keys_done``: the ``(customer, key)`` pairs carried out) is not
        planned again, as the rule itself decides with the customer's keys.
        """
        import polars as pl  # noqa: PLC0415

        if not self.groups and not self.holds:
            return
        last = dict(
            done.filter(
                (pl.col("date") < self.day)
                & pl.col("customer_id").is_in(
                    pl.Series(list(self.groups), dtype=pl.String).implode()
                )
            )
            .group_by("customer_id")
            .agg(pl.col("date").max())
            .iter_rows()
        )
        everyone = sorted(self.groups.keys() | self.holds)
        people = self.ledger._named("customer", everyone)
        cals = _Calendars(plugins.calendars()) if plugins is not None else _STANDARD_CALENDARS
        histories: dict[str, _CustomerHistory] = {}
        for cid in everyone:
            history = index.get(cid)
            if history is None:
                day = last.get(cid)
                history = _CustomerHistory(dunning_dates=[] if day is None else [day])
            histories[cid] = history
        specials: dict[str, list[Action]] = {}
        for cid in sorted(self.holds):  # the credit-hold rule (no plan, no trial here)
            position = self.ledger.position(cid, self.day)
            balances = {i: b for i, b in position.balances.items() if b.amount > 0}
            found = _specials(
                self.ledger,
                people[cid],
                self.playbook,
                histories[cid],
                self.day,
                balances,
                (),
                position,
                plugins,
                _Result(),
            )
            if found:
                specials[cid] = found
        carried = keys_done([(cid, a.key) for cid, found in specials.items() for a in found])
        for cid in everyone:
            result = _Result()
            customer = people[cid]
            history = histories[cid]
            _place(
                [a for a in specials.get(cid, ()) if (cid, a.key) not in carried],
                self.groups.get(cid, []),
                customer,
                history,
                self.day,
                rates,
                cals,
                self.ledger,
                frozenset(),
                result,
            )
            actions.extend(result.actions)
            skipped.extend(result.skipped)


def _keys_done(
    history: Checked | None,
    entries: Sequence[HistoryEntry],
    day: date,
    pairs: list[tuple[str, str]],
) -> set[tuple[str, str]]:
    """The ``(customer, key)`` pairs of ``pairs`` that the history has
    carried out by ``day`` (failed entries and later ones left out, as
    :func:`.history._index_history` leaves them out)."""
    if not pairs:
        return set()
    if history is None:
        wanted = set(pairs)
        failed = HistoryStatus.FAILED
        return {
            (e.customer_id, e.key)
            for e in entries
            if e.date <= day and e.status is not failed and (e.customer_id, e.key) in wanted
        }
    import polars as pl  # noqa: PLC0415

    asked = pl.DataFrame(pairs, schema={"customer_id": pl.String, "key": pl.String}, orient="row")
    table = history.rows if history.rows is not None else history.frame
    rows = table.filter((pl.col("date") <= day) & (pl.col("status") != "failed")).join(
        asked, on=["customer_id", "key"], how="semi"
    )
    return set(rows.select("customer_id", "key").iter_rows())


def _bits(mask: int) -> list[int]:
    """The step indices set in ``mask``, ascending."""
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


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
