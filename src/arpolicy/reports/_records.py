"""The record path of the reports: one walk over the ledger's records.

For small ledgers (see :data:`~arpolicy.reports._common.RECORD_PATH_BELOW`
and ``RECORD_PATH_BELOW_RECORDS``) the public functions take this path instead of the table path in
:mod:`arpolicy.reports._frames`: it allocates with
:meth:`Ledger._applications <arpolicy.model.Ledger._applications>` per
customer and sums :class:`~decimal.Decimal` amounts in dictionaries, so it
has almost no fixed cost, and it never imports Polars. It returns the same
result objects with the same figures; ``tests/test_reports_tables.py``
checks the two paths against each other.

It is the implementation the reports had before the table path; the
definitions are in :mod:`arpolicy.reports`.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs

from ..model import Invoice, InvoiceKind, Ledger, _apply_payments
from ..money import Money
from ._aging import AgingReport, AgingRow
from ._common import (
    _HUNDRED,
    WRITE_OFF_KEY,
    _labels,
    _months_back,
    _Period,
    _q,
    _ratio,
    _Sums,
)
from ._pay import DaysToPay, DiscountsGranted
from ._report import OverdueCustomer, ReceivablesReport, _assemble
from ._shares import Share, _share_rows
from ._trends import MonthlyTrend, _trend_rows

_CREDIT_NOTE: Final = InvoiceKind.CREDIT_NOTE


# ---------------------------------------------------------------------------
# receivables on every month end, in one pass
# ---------------------------------------------------------------------------


def scan(ledger: Ledger, start: date, end: date) -> _Period:
    """The figures of ``[start, end]`` from one pass over the records.

    Receivables on a date ``D`` are computed without allocating (see
    :meth:`arpolicy.reports._frames._Scan.of_tables` for the closed form):
    ``max(0, issued(D) - paid(D) + reserved(D) - discounts(D))`` per customer
    and currency, where ``discounts(D)`` are the early-payment discounts the
    allocation on ``D`` grants (allocated, for customers with discount terms
    only).
    """
    segments = _months_back(start, end)[::-1]
    n = len(segments)
    base = start.year * 12 + start.month - 1  # a date in segment k has slot k + 1
    zero = Decimal(0)
    deltas: dict[tuple[str, str], list[Decimal]] = {}
    sales: list[_Sums] = [{} for _ in segments]
    collected: list[_Sums] = [{} for _ in segments]
    written: _Sums = {}
    early: dict[str, list[tuple[date, Decimal]]] = {}  # named before the invoice's issue
    discounting: dict[str, date] = {}  # customers with discount terms: first such issue

    # slot 0: by the day before start; slot k + 1: in segment k
    lookup = ledger.invoice
    for inv in ledger.invoices:
        day = inv.issue_date
        if day > end:
            continue
        money = inv.amount
        amount, cur = money.amount, money.currency
        k = 0 if day < start else day.year * 12 + day.month - base
        key = (inv.customer_id, cur)
        row = deltas.get(key)
        if row is None:
            row = deltas[key] = [zero] * (n + 1)
        if inv.kind is _CREDIT_NOTE:
            row[k] -= amount
            target = inv.applies_to
            if target is not None and lookup(target).issue_date > day:
                early.setdefault(target, []).append((day, amount))
            if k and inv.meta(WRITE_OFF_KEY) == "yes":
                written[cur] = written.get(cur, zero) + amount
        else:
            row[k] += amount
            if k:
                table = sales[k - 1]
                table[cur] = table.get(cur, zero) + amount
            terms = inv.terms
            if terms is not None and terms.discount_days is not None:
                first = discounting.get(inv.customer_id)
                if first is None or day < first:
                    discounting[inv.customer_id] = day
    for pay in ledger.payments:
        day = pay.date
        if day > end:
            continue
        money = pay.amount
        amount, cur = money.amount, money.currency
        k = 0 if day < start else day.year * 12 + day.month - base
        key = (pay.customer_id, cur)
        row = deltas.get(key)
        if row is None:
            row = deltas[key] = [zero] * (n + 1)
        row[k] -= amount
        if k:
            table = collected[k - 1]
            table[cur] = table.get(cur, zero) + amount
        target = pay.invoice_id
        if target is not None and lookup(target).issue_date > day:
            early.setdefault(target, []).append((day, amount))
    points = [start - timedelta(days=1), *(hi for _, hi in segments)]
    reserved: dict[tuple[str, str], list[Decimal]] = {}
    for target, named in early.items():
        inv = ledger.invoice(target)
        row = reserved.setdefault((inv.customer_id, inv.currency), [zero] * (n + 1))
        for k, point in enumerate(points):
            if point >= inv.issue_date:
                break
            row[k] += min(inv.amount.amount, sum((a for d, a in named if d <= point), zero))
    # Early-payment discounts settle invoices without a payment. Which ones a
    # date's allocation grants depends on that date (a later named payment
    # can take an earlier unnamed one's place), so they are found by
    # allocating on each point, for the customers with discount terms only.
    for cid in sorted(discounting):
        invoices, payments = ledger.invoices_of(cid), ledger.payments_of(cid)
        for k, point in enumerate(points):
            if point < discounting[cid]:
                continue
            for _, _, amount, cur, _, is_discount in _apply_payments(invoices, payments, point)[2]:
                if is_discount:
                    row = reserved.setdefault((cid, cur), [zero] * (n + 1))
                    row[k] -= amount
    owed: list[_Sums] = [{} for _ in points]
    for key, row in deltas.items():
        cur = key[1]
        extra = reserved.get(key)
        running = zero
        for k in range(n + 1):
            running += row[k]
            value = running if extra is None else running + extra[k]
            if value > 0:
                table = owed[k]
                table[cur] = table.get(cur, zero) + value
    return _Period(segments, owed, sales, collected, written)


# ---------------------------------------------------------------------------
# the allocation on one date
# ---------------------------------------------------------------------------


@attrs.frozen
class Book:
    """The allocation on one date, made once for all the reports that need it.

    Attributes:
        on: the date.
        open: invoices and deposit requests issued by ``on`` with a balance
            above zero, with that balance.
        settled: those settled by ``on``, with their settlement date.
        discounts: the early-payment discounts granted by the allocation on
            ``on``: the invoice, the date, the amount.
    """

    on: date
    open: list[tuple[Invoice, Decimal]]
    settled: list[tuple[Invoice, date]]
    discounts: list[tuple[Invoice, date, Decimal]]

    @classmethod
    def of(cls, ledger: Ledger, on: date) -> Book:
        open_: list[tuple[Invoice, Decimal]] = []
        settled: list[tuple[Invoice, date]] = []
        discounts: list[tuple[Invoice, date, Decimal]] = []
        for _, targets, open_amount, applied in ledger._applications(on):
            last: dict[str, date] = {}
            for _, target, amount, _, when, is_discount in applied:
                if target is None:
                    continue
                prior = last.get(target)
                if prior is None or when > prior:
                    last[target] = when
                if is_discount:
                    discounts.append((targets[target], when, amount))
            for iid, inv in targets.items():
                issued = inv.issue_date
                if issued > on:
                    continue
                balance = open_amount[iid]
                if balance:
                    open_.append((inv, balance))
                else:
                    when = last.get(iid, issued)
                    settled.append((inv, when if when > issued else issued))
        return cls(on, open_, settled, discounts)


# ---------------------------------------------------------------------------
# the metrics
# ---------------------------------------------------------------------------


def aging(book: Book, bounds: tuple[int, ...]) -> AgingReport:
    as_of = book.on
    n = len(bounds) + 1
    cells: dict[tuple[str, str], list[Decimal]] = {}
    for inv, bal in book.open:
        late = (as_of - inv.due_date).days
        index = bisect.bisect_left(bounds, late)
        row = cells.get((inv.customer_id, inv.currency))
        if row is None:
            row = cells[inv.customer_id, inv.currency] = [Decimal(0)] * n
        row[index] += bal
    rows: list[AgingRow] = []
    totals: dict[str, list[Decimal]] = {}
    zeros: dict[str, Money] = {}
    for (cid, cur), values in sorted(cells.items()):
        # sums of amounts already rounded to the minor unit: exact, only zeros need scaling
        nil = zeros.get(cur) or zeros.setdefault(cur, Money.zero(cur))
        amounts = tuple(Money._trusted(v, cur) if v else nil for v in values)
        rows.append(AgingRow(cid, cur, amounts, Money._trusted(sum(values, Decimal(0)), cur)))
        tot = totals.setdefault(cur, [Decimal(0)] * n)
        for k, v in enumerate(values):
            tot[k] += v
    return AgingReport(
        as_of,
        _labels(bounds),
        tuple(rows),
        {cur: tuple(Money(v, cur) for v in vals) for cur, vals in sorted(totals.items())},
    )


def current(book: Book) -> _Sums:
    """The open balances not yet past due on the book's date, per currency."""
    end = book.on
    out: _Sums = {}
    for inv, bal in book.open:
        if inv.due_date >= end:
            out[inv.currency] = out.get(inv.currency, Decimal(0)) + bal
    return out


def discounts(book: Book, start: date) -> tuple[DiscountsGranted, ...]:
    cells: dict[str, list[Any]] = {}  # count, amount, invoiced
    zero = Decimal(0)
    for inv, when, amount in book.discounts:
        if start <= when <= book.on:
            cell = cells.setdefault(inv.currency, [0, zero, zero])
            cell[0] += 1
            cell[1] += amount
            cell[2] += inv.amount.amount
    return tuple(
        DiscountsGranted(
            cur, n, Money(amount, cur), Money(gross, cur), _ratio(amount, gross, _HUNDRED)
        )
        for cur, (n, amount, gross) in sorted(cells.items())
    )


def days_to_pay_groups(
    ledger: Ledger, book: Book, start: date, end: date, by: Sequence[str]
) -> list[tuple[DaysToPay, ...]]:
    # per grouping and (key, currency): count, amount, days to pay, days late,
    # amount x days to pay, amount x days late, invoices paid late
    groups: list[dict[tuple[str, str], list[Any]]] = [{} for _ in by]
    zero = Decimal(0)
    profiles: dict[str, str] = {}
    for inv, when in book.settled:
        if not start <= when <= end:
            continue
        money = inv.amount
        amount, cur = money.amount, money.currency
        pay = (when - inv.issue_date).days
        late = max((when - inv.due_date).days, 0)
        paid_weight = amount * pay
        late_weight = amount * late if late else zero
        for grouping, table in zip(by, groups, strict=True):
            if grouping == "customer":
                key = inv.customer_id
            elif grouping == "profile":
                cid = inv.customer_id
                found = profiles.get(cid)
                if found is None:
                    found = profiles[cid] = str(ledger.customer(cid).profile)
                key = found
            else:
                key = "all"
            cell = table.get((key, cur))
            if cell is None:
                cell = table[key, cur] = [0, zero, 0, 0, zero, zero, 0]
            cell[0] += 1
            if late:
                cell[6] += 1
            cell[1] += amount
            cell[2] += pay
            cell[3] += late
            cell[4] += paid_weight
            cell[5] += late_weight
    out: list[tuple[DaysToPay, ...]] = []
    for table in groups:
        rows: list[DaysToPay] = []
        for (key, cur), (n, weight, pays, lates, wpay, wlate, n_late) in sorted(table.items()):
            rows.append(
                DaysToPay(
                    key,
                    cur,
                    n,
                    Money(weight, cur),
                    _q(Decimal(pays) / n),
                    _q(Decimal(lates) / n),
                    _ratio(wpay, weight, Decimal(1)),
                    _ratio(wlate, weight, Decimal(1)),
                    n_late,
                    _ratio(Decimal(n - n_late), Decimal(n), _HUNDRED),
                )
            )
        out.append(tuple(rows))
    return out


def disputed(book: Book) -> tuple[Share, ...]:
    whole: _Sums = {}
    part: _Sums = {}
    zero = Decimal(0)
    for inv, bal in book.open:
        whole[inv.currency] = whole.get(inv.currency, zero) + bal
        if inv.disputed(book.on):
            part[inv.currency] = part.get(inv.currency, zero) + bal
    return _share_rows(whole, part)


def trends(period: _Period, book: Book) -> tuple[MonthlyTrend, ...]:
    segments = period.segments
    starts = [lo for lo, _ in segments]
    first, last = segments[0][0], segments[-1][1]
    # per segment and currency: (sum of days late, invoices) of those settled in it
    late: list[dict[str, tuple[int, int]]] = [{} for _ in segments]
    for inv, when in book.settled:
        if first <= when <= last:
            table = late[bisect.bisect_right(starts, when) - 1]
            total, count = table.get(inv.currency, (0, 0))
            table[inv.currency] = (total + max(0, (when - inv.due_date).days), count + 1)
    return _trend_rows(period, late)


def top_overdue(ledger: Ledger, book: Book, top: int) -> tuple[OverdueCustomer, ...]:
    as_of = book.on
    cells: dict[tuple[str, str], list[Any]] = {}  # overdue, open, count, oldest
    zero = Decimal(0)
    for inv, bal in book.open:
        cell = cells.get((inv.customer_id, inv.currency))
        if cell is None:
            cell = cells[inv.customer_id, inv.currency] = [zero, zero, 0, 0]
        cell[1] += bal
        late = (as_of - inv.due_date).days
        if late > 0:
            cell[0] += bal
            cell[2] += 1
            cell[3] = max(cell[3], late)
    ranked: dict[str, list[tuple[Decimal, str, list[Any]]]] = {}
    for (cid, cur), cell in cells.items():
        if cell[0] > 0:
            ranked.setdefault(cur, []).append((-cell[0], cid, cell))
    out: list[OverdueCustomer] = []
    for cur in sorted(ranked):
        for _, cid, cell in heapq.nsmallest(top, ranked[cur]):
            out.append(
                OverdueCustomer(
                    cid,
                    ledger.customer(cid).name,
                    cur,
                    Money(cell[0], cur),
                    Money(cell[1], cur),
                    cell[2],
                    cell[3],
                )
            )
    return tuple(out)


def report(
    ledger: Ledger, as_of: date, start: date, end: date, bounds: tuple[int, ...], top: int
) -> ReceivablesReport:
    """Every metric from one scan and one allocation per date (see :func:`receivables_report`)."""
    period = scan(ledger, start, end)
    book = Book.of(ledger, end)
    today = book if as_of == end else Book.of(ledger, as_of)
    return _assemble(
        period,
        current(book),
        aging=aging(today, bounds),
        days_to_pay=days_to_pay_groups(ledger, book, start, end, ("all", "profile")),
        disputed=disputed(today),
        trends=trends(period, book),
        top_overdue=top_overdue(ledger, today, top),
        discounts=discounts(book, start),
    )
