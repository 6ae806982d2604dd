"""Reference model: the record-path receivables metrics before the table path (not shipped).

The implementation of ``arpolicy.reports`` as it was before the metrics moved to
Polars group-bys, kept unchanged as the oracle of the differential test in
``tests/test_reports_tables.py``.

Original summary: receivables metrics: aging, DSO, days to pay, CEI, shares, trends, behaviour.

Every function here is pure: it reads a :class:`~arpolicy.model.Ledger` and
dates, never the clock or a file, and returns frozen results. Money stays
:class:`~arpolicy.money.Money` and results are always **per currency**: amounts
in different currencies are never added together.

Shared definitions (see ``docs/explanation/metrics.md``):

* *Receivables* on a date ``D``: the sum of the open balances of invoices and
  deposit requests issued on or before ``D`` (as :meth:`Ledger.balances`
  allocates payments and credit notes). Unapplied customer credit is not
  subtracted.
* *Credit sales* in a period: the amounts of invoices and deposit requests
  issued in it (credit notes are not subtracted).
* Periods are inclusive: ``start`` and ``end`` both count.
* *Settlement date* of an invoice: the date of the last payment or credit note
  allocated to it, once its balance is zero (its issue date if its amount is
  zero).
* Day counts and percentages are :class:`~decimal.Decimal`, quantized to one
  decimal (0.1) with round-half-up; ``None`` where a ratio is undefined.

>>> from datetime import date
>>> from arpolicy import Customer, Invoice, Ledger, Money
>>> ledger = Ledger(
...     [Customer("C1", "Acme", "business", "NL")],
...     [Invoice("I1", "C1", date(2024, 1, 1), date(2024, 1, 31), Money(100, "EUR"))],
... )
>>> report = aging(ledger, date(2024, 2, 10))
>>> report.labels
('current', '1-30', '31-60', '61-90', '90+')
>>> report.totals["EUR"]
(Money('0.00', 'EUR'), Money('100.00', 'EUR'), Money('0.00', 'EUR'), Money('0.00', 'EUR'), Money('0.00', 'EUR'))
"""  # noqa: E501

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal

import attrs

from arpolicy._gc import gc_paused
from arpolicy.model import (
    CustomerPosition,
    Invoice,
    InvoiceKind,
    Ledger,
    PlanStatus,
    _apply_payments,
)
from arpolicy.money import Money

__all__ = [
    "DEFAULT_BUCKETS",
    "AgingReport",
    "AgingRow",
    "BehaviourComponent",
    "BehaviourScore",
    "CollectionEffectiveness",
    "DaysBeyondTerms",
    "DaysToPay",
    "DiscountsGranted",
    "Dso",
    "MonthlyTrend",
    "OverdueCustomer",
    "ReceivablesReport",
    "Seasonality",
    "Share",
    "aging",
    "collection_effectiveness",
    "days_beyond_terms",
    "days_to_pay",
    "default_period",
    "discounts_granted",
    "disputed_share",
    "dso",
    "monthly_trends",
    "payment_behaviour",
    "receivables_report",
    "seasonality",
    "written_off_share",
]

DEFAULT_BUCKETS: Final[tuple[int, ...]] = (0, 30, 60, 90)
"""Upper bounds (days past due, inclusive) of the aging buckets but the last.

``(0, 30, 60, 90)`` gives *current* (not yet past due), 1-30, 31-60, 61-90
and 90+ (more than 90 days past due).
"""

WRITE_OFF_KEY: Final = "write_off"
"""Metadata key marking a credit note as a write-off (value ``"yes"``)."""

_TENTH: Final = Decimal("0.1")
_HUNDRED: Final = Decimal(100)


def _q(value: Decimal) -> Decimal:
    return value.quantize(_TENTH, rounding=ROUND_HALF_UP)


def _ratio(part: Decimal, whole: Decimal, scale: Decimal) -> Decimal | None:
    if not whole:
        return None
    return _q(part / whole * scale)


# ---------------------------------------------------------------------------
# aging
# ---------------------------------------------------------------------------


def _labels(bounds: Sequence[int]) -> tuple[str, ...]:
    labels = ["current" if bounds[0] == 0 else f"<={bounds[0]}"]
    for lo, hi in itertools.pairwise(bounds):
        labels.append(f"{lo + 1}-{hi}")
    labels.append(f"{bounds[-1]}+")
    return tuple(labels)


@attrs.frozen
class AgingRow:
    """One customer's open balances in one currency, by bucket.

    Attributes:
        customer_id: the customer.
        currency: the currency of every amount in the row.
        amounts: one amount per bucket, in the order of the report's labels.
        total: the sum of ``amounts``.
    """

    customer_id: str
    currency: str
    amounts: tuple[Money, ...]
    total: Money


@attrs.frozen
class AgingReport:
    """Open balances by days past due on a date.

    Attributes:
        as_of: the date.
        labels: bucket labels, e.g. ``("current", "1-30", ..., "90+")``.
        rows: per customer and currency, sorted by customer id then currency;
            customers with nothing open are left out.
        totals: per currency, the bucket sums over all customers.
    """

    as_of: date
    labels: tuple[str, ...]
    rows: tuple[AgingRow, ...]
    totals: Mapping[str, tuple[Money, ...]]


def aging(ledger: Ledger, as_of: date, *, buckets: Sequence[int] = DEFAULT_BUCKETS) -> AgingReport:
    """Age the open balances on ``as_of``.

    An invoice's days past due are ``(as_of - due_date).days``; it falls in the
    first bucket whose upper bound is at least that number, or in the last,
    open-ended bucket. Disputed and held invoices are included; unapplied
    credit is not subtracted.

    Args:
        ledger: the ledger.
        as_of: the date to age on.
        buckets: strictly increasing, non-empty upper bounds (inclusive) of
            all buckets but the last; see :data:`DEFAULT_BUCKETS`.

    Returns:
        The aging report.

    Raises:
        ValueError: ``buckets`` is empty or not strictly increasing.
    """
    bounds = _check_buckets(buckets)
    return _aging(_Book.of(ledger, as_of), bounds)


def _check_buckets(buckets: Sequence[int]) -> tuple[int, ...]:
    bounds = tuple(buckets)
    if not bounds or any(b >= c for b, c in itertools.pairwise(bounds)):
        raise ValueError(f"buckets must be non-empty and strictly increasing: {bounds!r}")
    return bounds


def _aging(book: _Book, bounds: tuple[int, ...]) -> AgingReport:
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


# ---------------------------------------------------------------------------
# DSO
# ---------------------------------------------------------------------------


@attrs.frozen
class Dso:
    """Days sales outstanding in one currency.

    Attributes:
        currency: the currency.
        method: ``"standard"`` or ``"countback"``.
        receivables: receivables at the end of the period.
        sales: credit sales in the period.
        days: days in the period (both ends counted).
        value: the DSO in days (0.1, half-up), ``None`` when undefined.
    """

    currency: str
    method: str
    receivables: Money
    sales: Money
    days: int
    value: Decimal | None


def _months_back(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar-month segments of ``[start, end]``, latest first."""
    out: list[tuple[date, date]] = []
    hi = end
    while hi >= start:
        lo = max(start, hi.replace(day=1))
        out.append((lo, hi))
        hi = lo - timedelta(days=1)
    return out


_Sums = dict[str, Decimal]
_CREDIT_NOTE: Final = InvoiceKind.CREDIT_NOTE


@attrs.frozen
class _Scan:
    """Figures of a period ``[start, end]`` from one pass over a ledger.

    Attributes:
        segments: the calendar months of the period (the first and last may
            be partial), earliest first.
        owed: receivables per currency on the day before ``start`` (index 0)
            and on the last day of each segment (index ``k + 1``).
        sales: credit sales per segment and currency.
        collected: payments per segment and currency.
        written_off: write-off credit notes in the period, per currency.
    """

    segments: list[tuple[date, date]]
    owed: list[_Sums]
    sales: list[_Sums]
    collected: list[_Sums]
    written_off: _Sums

    @property
    def opening(self) -> _Sums:
        return self.owed[0]

    @property
    def closing(self) -> _Sums:
        return self.owed[-1]

    @classmethod
    def of(cls, ledger: Ledger, start: date, end: date) -> _Scan:
        """Scan the ledger once.

        Receivables on a date ``D`` are computed without allocating: per
        customer and currency, the allocation rule applies every payment and
        credit note dated by ``D`` to the invoices issued by ``D`` until none
        is open, except what a payment or credit note names for an invoice
        issued after ``D``. So they are ``max(0, issued(D) - paid(D) +
        reserved(D) - discounts(D))``, where ``reserved(D)`` sums, per invoice
        issued after ``D``, ``min(amount, named to it by D)``, and
        ``discounts(D)`` the early-payment discounts granted by the allocation
        on ``D`` (allocated, for customers with discount terms only). A
        property test checks this against :meth:`Ledger.balances`.
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
                for _, _, amount, cur, _, is_discount in _apply_payments(invoices, payments, point)[
                    2
                ]:
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
        return cls(segments, owed, sales, collected, written)


def _total(tables: Iterable[_Sums]) -> _Sums:
    out: _Sums = {}
    for table in tables:
        for cur, value in table.items():
            out[cur] = out.get(cur, Decimal(0)) + value
    return out


def _countback(
    currency: str,
    owed: Decimal,
    segments: Sequence[tuple[date, date]],
    sales: Sequence[_Sums],
) -> Decimal | None:
    remaining = owed
    days = Decimal(0)
    if not remaining:
        return _q(Decimal(0))
    for (lo, hi), table in zip(reversed(segments), reversed(sales), strict=True):
        sold = table.get(currency, Decimal(0))
        span = Decimal((hi - lo).days + 1)
        if sold >= remaining:
            return _q(days + remaining / sold * span)
        remaining -= sold
        days += span
    return None


def _dso(
    owed: _Sums,
    segments: Sequence[tuple[date, date]],
    sales: Sequence[_Sums],
    method: str,
) -> tuple[Dso, ...]:
    sold_total = _total(sales)
    days = (segments[-1][1] - segments[0][0]).days + 1
    out: list[Dso] = []
    for cur in sorted(set(owed) | set(sold_total)):
        ar, sold = owed.get(cur, Decimal(0)), sold_total.get(cur, Decimal(0))
        if not ar and not sold:
            continue
        if method == "standard":
            value = _ratio(ar, sold, Decimal(days))
        else:
            value = _countback(cur, ar, segments, sales)
        out.append(Dso(cur, method, Money(ar, cur), Money(sold, cur), days, value))
    return tuple(out)


def dso(
    ledger: Ledger,
    *,
    start: date,
    end: date,
    method: Literal["standard", "countback"] = "standard",
) -> tuple[Dso, ...]:
    """Days sales outstanding for the period ``[start, end]``, per currency.

    * ``standard``: ``receivables(end) / credit sales(start..end) * days``,
      where ``days = (end - start).days + 1``; ``None`` without sales.
    * ``countback``: start with ``receivables(end)``; walk back through the
      calendar months of the period from ``end`` (the first and last month
      may be partial). While a month's sales are at most what remains, take
      all its days and subtract its sales; in the month whose sales exceed
      what remains, take ``remaining / sales * days of that month`` and stop.
      ``None`` when the period's sales run out first; ``0`` when nothing is
      owed.

    Args:
        ledger: the ledger.
        start: first day of the period.
        end: last day of the period.
        method: ``"standard"`` or ``"countback"``.

    Returns:
        One :class:`Dso` per currency with receivables or sales (not both
        zero), sorted.

    Raises:
        ValueError: ``end`` is before ``start`` or the method is unknown.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if method not in ("standard", "countback"):
        raise ValueError(f"unknown DSO method {method!r}")
    scan = _Scan.of(ledger, start, end)
    return _dso(scan.closing, scan.segments, scan.sales, method)


# ---------------------------------------------------------------------------
# days to pay
# ---------------------------------------------------------------------------


def _last_applied(
    applied: Iterable[tuple[str, str | None, Decimal, str, date, bool]],
) -> dict[str, date]:
    """Per invoice, the latest date of a payment or credit note applied to it."""
    last: dict[str, date] = {}
    for _, target, _, _, paid_on, _ in applied:
        if target is not None:
            prior = last.get(target)
            if prior is None or paid_on > prior:
                last[target] = paid_on
    return last


def _settled_dates(
    targets: Mapping[str, Invoice],
    open_amount: Mapping[str, Decimal],
    applied: Iterable[tuple[str, str | None, Decimal, str, date, bool]],
    as_of: date,
) -> dict[str, date]:
    """Settlement date of every invoice of one customer settled by ``as_of``."""
    last = _last_applied(applied)
    out: dict[str, date] = {}
    for iid, inv in targets.items():
        if inv.issue_date <= as_of and not open_amount[iid]:
            out[iid] = max(last.get(iid, inv.issue_date), inv.issue_date)
    return out


def _settled_from(ledger: Ledger, position: CustomerPosition) -> dict[str, date]:
    """:func:`_settled_dates` from a :class:`CustomerPosition`'s allocations."""
    last: dict[str, date] = {}
    for alloc in position.allocations:
        target = alloc.invoice_id
        if target is None:
            continue
        source = alloc.source_id
        try:
            when = ledger.payment(source).date
        except KeyError:
            when = ledger.invoice(source).issue_date
        prior = last.get(target)
        if prior is None or when > prior:
            last[target] = when
    out: dict[str, date] = {}
    for iid, balance in position.balances.items():
        if balance.is_zero():
            issued = ledger.invoice(iid).issue_date
            when = last.get(iid, issued)
            out[iid] = when if when > issued else issued
    return out


@attrs.frozen
class _Book:
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
    def of(cls, ledger: Ledger, on: date) -> _Book:
        open_: list[tuple[Invoice, Decimal]] = []
        settled: list[tuple[Invoice, date]] = []
        discounts: list[tuple[Invoice, date, Decimal]] = []
        for _, targets, open_amount, applied in ledger._applications(on):
            last = _last_applied(applied)
            for _, target, amount, _, when, is_discount in applied:
                if is_discount and target is not None:
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


@attrs.frozen
class DiscountsGranted:
    """Early-payment discounts granted in a period, in one currency.

    Attributes:
        currency: the currency.
        count: invoices settled with a discount in the period.
        amount: the discounts granted (not money received).
        invoiced: the gross amounts of those invoices.
        percent: ``amount / invoiced * 100`` (0.1, half-up), ``None`` when
            ``invoiced`` is zero.
    """

    currency: str
    count: int
    amount: Money
    invoiced: Money
    percent: Decimal | None


def discounts_granted(ledger: Ledger, *, start: date, end: date) -> tuple[DiscountsGranted, ...]:
    """The early-payment discounts granted in ``[start, end]``, per currency.

    A discount is granted on the date of the payment or credit note that
    brought the invoice within reach of it (see :class:`~arpolicy.model.Ledger`),
    as the allocation on ``end`` grants it. Discounts are not payments: the
    ``collected`` figure of :func:`monthly_trends` leaves them out, while the
    receivables (aging, DSO, CEI) and the settlement dates (days to pay) count
    the invoice as settled.

    Args:
        ledger: the ledger.
        start: first day of the period.
        end: last day of the period.

    Returns:
        One :class:`DiscountsGranted` per currency with a discount, sorted.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    return _discounts(_Book.of(ledger, end), start)


def _discounts(book: _Book, start: date) -> tuple[DiscountsGranted, ...]:
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


@attrs.frozen
class DaysToPay:
    """Average days to pay and days late of invoices settled in a period.

    Attributes:
        key: the customer id, the profile, or ``"all"``.
        currency: the currency of the invoices averaged (amount weights).
        count: invoices settled in the period.
        amount: their total amount.
        days_to_pay: count-weighted mean of settlement - issue date.
        days_late: count-weighted mean of ``max(0, settlement - due date)``.
        weighted_days_to_pay: amount-weighted mean of days to pay.
        weighted_days_late: amount-weighted mean of days late.
        paid_late: how many of the ``count`` invoices were settled after
            their due date.
        on_time_rate: the share of the ``count`` invoices settled on or
            before their due date, in percent (0.1, half-up).
    """

    key: str
    currency: str
    count: int
    amount: Money
    days_to_pay: Decimal
    days_late: Decimal
    weighted_days_to_pay: Decimal | None
    weighted_days_late: Decimal | None
    paid_late: int = 0
    on_time_rate: Decimal | None = None


def days_to_pay(
    ledger: Ledger,
    *,
    start: date,
    end: date,
    by: Literal["customer", "profile", "all"] = "all",
) -> tuple[DaysToPay, ...]:
    """Average days to pay and days late, for invoices settled in the period.

    An invoice or deposit request counts when its settlement date (see the
    module documentation) lies in ``[start, end]``. Days to pay are
    ``settled - issue_date``; days late ``max(0, settled - due_date)``. Both
    the plain mean (each invoice counts once) and the mean weighted by
    invoice amount are given; the weighted means are ``None`` when all
    amounts are zero. An invoice settled after its due date is *paid late*;
    the *on-time rate* is the share of invoices settled on or before their
    due date, by count.

    Args:
        ledger: the ledger.
        start: first day of the period.
        end: last day of the period.
        by: group by ``"customer"`` id, customer ``"profile"``, or ``"all"``.

    Returns:
        One :class:`DaysToPay` per group and currency, sorted.
    """
    return _days_to_pay(ledger, _Book.of(ledger, end).settled, start, end, by)


def _days_to_pay(
    ledger: Ledger, settled: Sequence[tuple[Invoice, date]], start: date, end: date, by: str
) -> tuple[DaysToPay, ...]:
    return _days_to_pay_groups(ledger, settled, start, end, (by,))[0]


def _days_to_pay_twice(
    ledger: Ledger, settled: Sequence[tuple[Invoice, date]], start: date, end: date
) -> tuple[tuple[DaysToPay, ...], tuple[DaysToPay, ...]]:
    overall, profiles = _days_to_pay_groups(ledger, settled, start, end, ("all", "profile"))
    return overall, profiles


def _days_to_pay_groups(
    ledger: Ledger,
    settled: Sequence[tuple[Invoice, date]],
    start: date,
    end: date,
    by: Sequence[str],
) -> list[tuple[DaysToPay, ...]]:
    # per grouping and (key, currency): count, amount, days to pay, days late,
    # amount x days to pay, amount x days late, invoices paid late
    groups: list[dict[tuple[str, str], list[Any]]] = [{} for _ in by]
    zero = Decimal(0)
    profiles: dict[str, str] = {}
    for inv, when in settled:
        if not start <= when <= end:
            continue
        money = inv.amount
        amount, cur = money.amount, money.currency
        pay = (when - inv.issue_date).days
        late = (when - inv.due_date).days
        late = max(late, 0)
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


# ---------------------------------------------------------------------------
# days beyond terms
# ---------------------------------------------------------------------------


@attrs.frozen
class DaysBeyondTerms:
    """Days beyond terms (DBT) in one currency: how far DSO exceeds the terms.

    Attributes:
        currency: the currency.
        receivables: receivables at the end of the period.
        past_due: the part of ``receivables`` past due on the end date.
        sales: credit sales in the period.
        days: days in the period (both ends counted).
        dso: the standard DSO, ``receivables / sales * days``.
        best_possible_dso: ``(receivables - past_due) / sales * days``: the
            DSO if every customer paid on its due date.
        value: the DBT in days, ``past_due / sales * days`` (``dso -
            best_possible_dso`` before rounding); all three 0.1, half-up,
            ``None`` without sales.
    """

    currency: str
    receivables: Money
    past_due: Money
    sales: Money
    days: int
    dso: Decimal | None
    best_possible_dso: Decimal | None
    value: Decimal | None


def days_beyond_terms(ledger: Ledger, *, start: date, end: date) -> tuple[DaysBeyondTerms, ...]:
    """Days beyond terms over ``[start, end]``, per currency.

    ``DBT = DSO - best possible DSO``, both by the standard method: the
    receivables past due on ``end`` divided by the period's credit sales,
    times the days of the period. An invoice is past due on ``end`` when
    its due date is before ``end`` (the same split as the CEI's current
    part).

    Args:
        ledger: the ledger.
        start: first day of the period.
        end: last day of the period.

    Returns:
        One result per currency with receivables or sales (not both zero),
        sorted.

    Raises:
        ValueError: ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    scan = _Scan.of(ledger, start, end)
    return _dbt(_Book.of(ledger, end), scan.segments, scan.sales, scan.closing)


def _current(book: _Book) -> _Sums:
    """The open balances not yet past due on the book's date, per currency."""
    end = book.on
    current: _Sums = {}
    for inv, bal in book.open:
        if inv.due_date >= end:
            current[inv.currency] = current.get(inv.currency, Decimal(0)) + bal
    return current


def _dbt(
    book: _Book,
    segments: Sequence[tuple[date, date]],
    sales: Sequence[_Sums],
    closing: _Sums,
) -> tuple[DaysBeyondTerms, ...]:
    sold_total = _total(sales)
    current = _current(book)
    days = (segments[-1][1] - segments[0][0]).days + 1
    span = Decimal(days)
    zero = Decimal(0)
    out: list[DaysBeyondTerms] = []
    for cur in sorted(set(closing) | set(sold_total)):
        ar, sold = closing.get(cur, zero), sold_total.get(cur, zero)
        if not ar and not sold:
            continue
        late = ar - current.get(cur, zero)
        out.append(
            DaysBeyondTerms(
                cur,
                Money(ar, cur),
                Money(late, cur),
                Money(sold, cur),
                days,
                _ratio(ar, sold, span),
                _ratio(ar - late, sold, span),
                _ratio(late, sold, span),
            )
        )
    return tuple(out)


# ---------------------------------------------------------------------------
# CEI and shares
# ---------------------------------------------------------------------------


@attrs.frozen
class CollectionEffectiveness:
    """Collection effectiveness index (CEI) in one currency.

    Attributes:
        currency: the currency.
        opening: receivables on the day before ``start``.
        sales: credit sales in the period.
        closing: receivables on ``end``.
        closing_current: the part of ``closing`` not yet past due on ``end``.
        value: the CEI in percent (0.1, half-up), ``None`` when undefined.
    """

    currency: str
    opening: Money
    sales: Money
    closing: Money
    closing_current: Money
    value: Decimal | None


def collection_effectiveness(
    ledger: Ledger, *, start: date, end: date
) -> tuple[CollectionEffectiveness, ...]:
    """CEI for ``[start, end]`` per currency.

    ``CEI = (opening + sales - closing) / (opening + sales - closing_current)
    * 100``. It lies between 0 and 100 whenever it is defined (the
    denominator is not zero), because balances never rise and the current
    part of the closing receivables is at most all of them.

    Args:
        ledger: the ledger.
        start: first day of the period.
        end: last day of the period.

    Returns:
        One result per currency whose opening, sales or closing amount is
        not zero, sorted.
    """
    scan = _Scan.of(ledger, start, end)
    return _cei(_Book.of(ledger, end), scan.opening, _total(scan.sales), scan.closing)


def _cei(
    book: _Book, opening: _Sums, sales: _Sums, closing: _Sums
) -> tuple[CollectionEffectiveness, ...]:
    current = _current(book)
    out: list[CollectionEffectiveness] = []
    zero = Decimal(0)
    for cur in sorted(set(opening) | set(sales) | set(closing)):
        o, s, c = opening.get(cur, zero), sales.get(cur, zero), closing.get(cur, zero)
        if not o and not s and not c:
            continue
        cc = current.get(cur, zero)
        value = _ratio(o + s - c, o + s - cc, _HUNDRED)
        out.append(
            CollectionEffectiveness(
                cur, Money(o, cur), Money(s, cur), Money(c, cur), Money(cc, cur), value
            )
        )
    return tuple(out)


@attrs.frozen
class Share:
    """A part of a whole in one currency.

    Attributes:
        currency: the currency.
        part: the part (disputed, written off).
        whole: what it is a share of.
        percent: ``part / whole * 100`` (0.1, half-up), ``None`` when the
            whole is zero.
    """

    currency: str
    part: Money
    whole: Money
    percent: Decimal | None


def disputed_share(ledger: Ledger, as_of: date) -> tuple[Share, ...]:
    """Share of the receivables on ``as_of`` that is disputed on that date.

    ``part`` sums the open balances of invoices with an active dispute on
    ``as_of``; ``whole`` is all receivables on ``as_of``.

    Args:
        ledger: the ledger.
        as_of: the date.

    Returns:
        One :class:`Share` per currency with receivables, sorted.
    """
    return _disputed(_Book.of(ledger, as_of))


def _disputed(book: _Book) -> tuple[Share, ...]:
    whole: _Sums = {}
    part: _Sums = {}
    zero = Decimal(0)
    for inv, bal in book.open:
        whole[inv.currency] = whole.get(inv.currency, zero) + bal
        if inv.disputed(book.on):
            part[inv.currency] = part.get(inv.currency, zero) + bal
    return tuple(
        Share(
            cur,
            Money(part.get(cur, zero), cur),
            Money(w, cur),
            _ratio(part.get(cur, zero), w, _HUNDRED),
        )
        for cur, w in sorted(whole.items())
    )


def written_off_share(ledger: Ledger, *, start: date, end: date) -> tuple[Share, ...]:
    """Share of the period's credit sales written off in the period.

    Written off means: a credit note issued in ``[start, end]`` whose
    metadata has ``write_off = "yes"`` (:data:`WRITE_OFF_KEY`). ``whole`` is
    the credit sales of the period.

    Args:
        ledger: the ledger.
        start: first day of the period.
        end: last day of the period.

    Returns:
        One :class:`Share` per currency with sales or write-offs, sorted.
    """
    return _written_off(_Scan.of(ledger, start, end))


def _written_off(scan: _Scan) -> tuple[Share, ...]:
    sales = _total(scan.sales)
    written = scan.written_off
    zero = Decimal(0)
    out: list[Share] = []
    for cur in sorted(set(sales) | set(written)):
        part, whole = written.get(cur, zero), sales.get(cur, zero)
        out.append(Share(cur, Money(part, cur), Money(whole, cur), _ratio(part, whole, _HUNDRED)))
    return tuple(out)


# ---------------------------------------------------------------------------
# trends
# ---------------------------------------------------------------------------


@attrs.frozen
class MonthlyTrend:
    """One calendar month's figures in one currency.

    Attributes:
        month: the first day of the month.
        currency: the currency.
        invoiced: credit sales in the month (clipped to the period).
        collected: payments dated in the month.
        dso: standard DSO over the month (clipped to the period).
        days_late: count-weighted average days late of invoices settled in
            the month, ``None`` when none were.
    """

    month: date
    currency: str
    invoiced: Money
    collected: Money
    dso: Decimal | None
    days_late: Decimal | None


def monthly_trends(ledger: Ledger, *, start: date, end: date) -> tuple[MonthlyTrend, ...]:
    """Per calendar month of ``[start, end]`` and currency: invoiced, collected, DSO, days late.

    Each month is clipped to the period; its DSO is :func:`dso` (standard)
    and its days late :func:`days_to_pay` (``by="all"``) over the clipped
    month. A currency appears in a month when it has sales, payments,
    receivables at the month's end or settled invoices there.

    Args:
        ledger: the ledger.
        start: first day of the period.
        end: last day of the period.

    Returns:
        Trends sorted by month then currency.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    return _trends(_Scan.of(ledger, start, end), _Book.of(ledger, end).settled)


def _trends(scan: _Scan, settled: Sequence[tuple[Invoice, date]]) -> tuple[MonthlyTrend, ...]:
    segments, sales, collected = scan.segments, scan.sales, scan.collected
    starts = [lo for lo, _ in segments]
    first, last = segments[0][0], segments[-1][1]
    late: list[dict[str, list[int]]] = [{} for _ in segments]
    for inv, when in settled:
        if first <= when <= last:
            table = late[bisect.bisect_right(starts, when) - 1]
            table.setdefault(inv.currency, []).append(max(0, (when - inv.due_date).days))
    out: list[MonthlyTrend] = []
    zero = Decimal(0)
    for k, (lo, hi) in enumerate(segments):
        month = _dso(scan.owed[k + 1], [(lo, hi)], [sales[k]], "standard")
        dsos = {d.currency: d.value for d in month}
        lates = late[k]
        for cur in sorted(set(sales[k]) | set(collected[k]) | set(dsos) | set(lates)):
            values = lates.get(cur)
            out.append(
                MonthlyTrend(
                    lo.replace(day=1),
                    cur,
                    Money(sales[k].get(cur, zero), cur),
                    Money(collected[k].get(cur, zero), cur),
                    dsos.get(cur),
                    None if not values else _q(Decimal(sum(values)) / len(values)),
                )
            )
    return tuple(out)


@attrs.frozen
class Seasonality:
    """Monthly trends grouped by calendar month across years, in one currency.

    Attributes:
        month: calendar month, 1 (January) to 12.
        currency: the currency.
        years: how many months of the trend fell in this calendar month.
        invoiced: total invoiced in those months.
        collected: total collected in those months.
        dso: mean of the months' defined DSO values, ``None`` if none.
        days_late: mean of the months' defined days late, ``None`` if none.
    """

    month: int
    currency: str
    years: int
    invoiced: Money
    collected: Money
    dso: Decimal | None
    days_late: Decimal | None


def _mean(values: Sequence[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return _q(sum(known, Decimal(0)) / len(known)) if known else None


def seasonality(ledger: Ledger, *, start: date, end: date) -> tuple[Seasonality, ...]:
    """:func:`monthly_trends` grouped by calendar month (all Januaries, ...).

    Amounts are summed; DSO and days late are the plain mean of the months'
    defined values.

    Args:
        ledger: the ledger.
        start: first day of the period.
        end: last day of the period.

    Returns:
        One row per calendar month and currency present, sorted.
    """
    return _seasonality(monthly_trends(ledger, start=start, end=end))


def _seasonality(trends: Iterable[MonthlyTrend]) -> tuple[Seasonality, ...]:
    groups: dict[tuple[int, str], list[MonthlyTrend]] = {}
    for t in trends:
        groups.setdefault((t.month.month, t.currency), []).append(t)
    return tuple(
        Seasonality(
            m,
            cur,
            len(ts),
            Money.total((t.invoiced for t in ts), cur),
            Money.total((t.collected for t in ts), cur),
            _mean([t.dso for t in ts]),
            _mean([t.days_late for t in ts]),
        )
        for (m, cur), ts in sorted(groups.items())
    )


# ---------------------------------------------------------------------------
# payment behaviour
# ---------------------------------------------------------------------------


@attrs.frozen
class BehaviourComponent:
    """One part of a payment behaviour score.

    Attributes:
        name: ``on_time``, ``average_late``, ``spread`` or ``plans``.
        measure: the measured figure (share 0..1, days, or broken share).
        points: the points earned (0.1, half-up).
        weight: the most points this component can earn.
    """

    name: str
    measure: Decimal
    points: Decimal
    weight: int


@attrs.frozen
class BehaviourScore:
    """A customer's payment behaviour score on a date.

    Attributes:
        customer_id: the customer.
        as_of: the date.
        invoices: invoices judged (settled, or open and past due).
        score: sum of the components' points, 0..100; ``None`` without
            any invoice or plan to judge.
        components: the four components.
    """

    customer_id: str
    as_of: date
    invoices: int
    score: Decimal | None
    components: tuple[BehaviourComponent, ...]

    def explain(self) -> list[str]:
        """One line per component, then the total.

        Returns:
            Human-readable lines, e.g. ``"on_time: 0.5 -> 25.0 of 50"``.
        """
        lines = [f"{c.name}: {c.measure} -> {c.points} of {c.weight}" for c in self.components]
        lines.append(f"score: {self.score if self.score is not None else 'n/a (no history)'}")
        return lines


def _clamp01(value: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), value))


def payment_behaviour(
    ledger: Ledger,
    customer_id: str,
    as_of: date,
    *,
    position: CustomerPosition | None = None,
) -> BehaviourScore:
    """Score a customer's payment behaviour from 0 (worst) to 100 (best).

    Judged invoices: the customer's invoices and deposit requests issued on or
    before ``as_of`` that are settled by then (days late ``max(0, settled -
    due)``) or still open and past due (days late ``as_of - due``). With
    ``n`` judged invoices, their days late ``L``, ``mean`` and population
    standard deviation ``sd``, and ``p`` plans agreed by ``as_of`` of which
    ``b`` are broken on ``as_of``:

    * ``on_time = 50 * (invoices with L = 0) / n``
    * ``average_late = 25 * max(0, 1 - mean / 60)``
    * ``spread = 15 * max(0, 1 - sd / 30)``
    * ``plans = 10 * (1 - b / p)`` (10 when ``p = 0``)

    With ``n = 0`` the three invoice components earn full points. The score
    is their sum; ``None`` when ``n = 0`` and ``p = 0``. Amounts play no
    part, so currencies never mix.

    Args:
        ledger: the ledger.
        customer_id: the customer.
        as_of: the date.
        position: the customer's :meth:`Ledger.position` when the caller
            has it already (saves allocating again): on ``as_of``, or on an
            earlier day when no payment, credit note or invoice of the
            customer is dated after that day up to ``as_of`` (as the engine's
            simulation reuses positions).

    Returns:
        The score with its components (see :meth:`BehaviourScore.explain`).

    Raises:
        KeyError: the customer is unknown.
        ValueError: ``position`` is of another customer or a later date.
    """
    ledger.customer(customer_id)
    if position is None:
        settled = _settled_dates(
            *_apply_payments(
                ledger.invoices_of(customer_id), ledger.payments_of(customer_id), as_of
            ),
            as_of,
        )
    else:
        if position.customer_id != customer_id or position.as_of > as_of:
            raise ValueError(
                f"position of {position.customer_id} on {position.as_of} "
                f"given for {customer_id} on {as_of}"
            )
        settled = _settled_from(ledger, position)
    lates: list[Decimal] = []
    for inv in ledger.invoices_of(customer_id):
        if inv.is_credit or inv.issue_date > as_of:
            continue
        when = settled.get(inv.id)
        if when is not None:
            lates.append(Decimal(max(0, (when - inv.due_date).days)))
        elif inv.due_date < as_of:
            lates.append(Decimal((as_of - inv.due_date).days))
    plans = ledger.plans_of(customer_id, on=as_of)
    broken = sum(1 for p in plans if ledger.plan_state(p.id, as_of).status is PlanStatus.BROKEN)
    n = len(lates)
    if n:
        on_time = Decimal(sum(1 for v in lates if not v)) / n
        mean = sum(lates, Decimal(0)) / n
        sd = (sum(((v - mean) ** 2 for v in lates), Decimal(0)) / n).sqrt()
    else:
        on_time, mean, sd = Decimal(1), Decimal(0), Decimal(0)
    broken_share = Decimal(broken) / len(plans) if plans else Decimal(0)
    components = (
        BehaviourComponent("on_time", _q(on_time * 100) / 100, _q(50 * on_time), 50),
        BehaviourComponent("average_late", _q(mean), _q(25 * _clamp01(1 - mean / 60)), 25),
        BehaviourComponent("spread", _q(sd), _q(15 * _clamp01(1 - sd / 30)), 15),
        BehaviourComponent("plans", _q(broken_share * 100) / 100, _q(10 * (1 - broken_share)), 10),
    )
    score = None if not n and not plans else sum((c.points for c in components), Decimal(0))
    return BehaviourScore(customer_id, as_of, n, score, components)


# ---------------------------------------------------------------------------
# the full report
# ---------------------------------------------------------------------------


@attrs.frozen
class OverdueCustomer:
    """A customer's past-due balance in one currency, for the top-overdue list.

    Attributes:
        customer_id: the customer.
        name: the customer's name.
        currency: the currency.
        overdue: open balance of the invoices past due on the report date.
        open: all open balances in the currency.
        invoices: how many invoices are past due.
        oldest_days: days past due of the oldest past-due invoice.
    """

    customer_id: str
    name: str
    currency: str
    overdue: Money
    open: Money
    invoices: int
    oldest_days: int


@attrs.frozen
class ReceivablesReport:
    """Every receivables metric of one ledger, for one date and period.

    Built by :func:`receivables_report`; each field equals what the
    function of the same name returns for the same arguments.

    Attributes:
        as_of: the report date (aging, disputed share, top overdue).
        start: first day of the period (DSO, CEI, days to pay, trends).
        end: last day of the period.
        aging: :func:`aging` on ``as_of``.
        dso: :func:`dso`, standard method, over the period.
        dso_countback: :func:`dso`, countback method, over the period.
        days_to_pay: :func:`days_to_pay` over the period, ``by="all"``.
        days_to_pay_by_profile: the same, ``by="profile"``.
        collection_effectiveness: :func:`collection_effectiveness`.
        disputed: :func:`disputed_share` on ``as_of``.
        written_off: :func:`written_off_share` over the period.
        trends: :func:`monthly_trends` over the period.
        seasonality: :func:`seasonality` over the period.
        top_overdue: per currency, the customers with the largest past-due
            balances on ``as_of`` (largest first, then by id).
        discounts: :func:`discounts_granted` over the period.
        dbt: :func:`days_beyond_terms` over the period.
    """

    as_of: date
    start: date
    end: date
    aging: AgingReport
    dso: tuple[Dso, ...]
    dso_countback: tuple[Dso, ...]
    days_to_pay: tuple[DaysToPay, ...]
    days_to_pay_by_profile: tuple[DaysToPay, ...]
    collection_effectiveness: tuple[CollectionEffectiveness, ...]
    disputed: tuple[Share, ...]
    written_off: tuple[Share, ...]
    trends: tuple[MonthlyTrend, ...]
    seasonality: tuple[Seasonality, ...]
    top_overdue: tuple[OverdueCustomer, ...]
    discounts: tuple[DiscountsGranted, ...] = ()
    dbt: tuple[DaysBeyondTerms, ...] = ()

    def currencies(self) -> tuple[str, ...]:
        """Every currency that appears in the report, sorted."""
        found = set(self.aging.totals)
        for group in (
            self.dso,
            self.days_to_pay,
            self.collection_effectiveness,
            self.written_off,
            self.trends,
        ):
            found.update(item.currency for item in group)
        return tuple(sorted(found))


def default_period(as_of: date) -> tuple[date, date]:
    """The default report period: the twelve calendar months ending with ``as_of``.

    From the first day of the month eleven months before ``as_of``'s month up
    to ``as_of`` itself.

    >>> default_period(date(2024, 3, 15))
    (datetime.date(2023, 4, 1), datetime.date(2024, 3, 15))
    """
    months = as_of.year * 12 + as_of.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), as_of


def _top_overdue(ledger: Ledger, book: _Book, top: int) -> tuple[OverdueCustomer, ...]:
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


def receivables_report(
    ledger: Ledger,
    as_of: date,
    *,
    start: date | None = None,
    end: date | None = None,
    buckets: Sequence[int] = DEFAULT_BUCKETS,
    top: int = 10,
) -> ReceivablesReport:
    """All receivables metrics at once, allocating payments once per date.

    Gives the same figures as calling each function on its own (a test
    checks it), several times faster: the allocation on ``end`` (and on
    ``as_of`` when it differs) is made once and shared, and the receivables
    on every month's end come from one pass over the ledger.

    Args:
        ledger: the ledger.
        as_of: the report date for aging, the disputed share and the top
            overdue customers.
        start: first day of the period; by default that of
            :func:`default_period`.
        end: last day of the period; ``as_of`` by default.
        buckets: aging bucket bounds, see :func:`aging`.
        top: how many customers per currency in ``top_overdue`` (at least 0).

    Returns:
        The report.

    Raises:
        ValueError: the period is empty, the buckets are invalid or ``top``
            is negative.
    """
    bounds = _check_buckets(buckets)
    if top < 0:
        raise ValueError(f"top must be at least 0: {top}")
    end = as_of if end is None else end
    start = default_period(end)[0] if start is None else start
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    with gc_paused():  # millions of short-lived tuples: no collection can free any
        return _report(ledger, as_of, start, end, bounds, top)


def _report(
    ledger: Ledger, as_of: date, start: date, end: date, bounds: tuple[int, ...], top: int
) -> ReceivablesReport:
    scan = _Scan.of(ledger, start, end)
    book = _Book.of(ledger, end)
    today = book if as_of == end else _Book.of(ledger, as_of)
    trends = _trends(scan, book.settled)
    by_all, by_profile = _days_to_pay_twice(ledger, book.settled, start, end)
    return ReceivablesReport(
        as_of=as_of,
        start=start,
        end=end,
        aging=_aging(today, bounds),
        dso=_dso(scan.closing, scan.segments, scan.sales, "standard"),
        dso_countback=_dso(scan.closing, scan.segments, scan.sales, "countback"),
        days_to_pay=by_all,
        days_to_pay_by_profile=by_profile,
        collection_effectiveness=_cei(book, scan.opening, _total(scan.sales), scan.closing),
        disputed=_disputed(today),
        written_off=_written_off(scan),
        trends=trends,
        seasonality=_seasonality(trends),
        top_overdue=_top_overdue(ledger, today, top),
        discounts=_discounts(book, start),
        dbt=_dbt(book, scan.segments, scan.sales, scan.closing),
    )
