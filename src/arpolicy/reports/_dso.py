"""Days sales outstanding (standard and countback) and days beyond terms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import attrs

from ..model import Ledger
from ..money import Money
from ._common import _check_period, _Period, _q, _ratio, _small, _Sums, _total

if TYPE_CHECKING:
    from ._frames import _Book

__all__ = ["DaysBeyondTerms", "Dso", "days_beyond_terms", "dso"]


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
    _check_period(start, end)
    if method not in ("standard", "countback"):
        raise ValueError(f"unknown DSO method {method!r}")
    if _small(ledger):
        from . import _records  # noqa: PLC0415 - the record path, for small ledgers

        scan: _Period = _records.scan(ledger, start, end)
    else:
        from ._frames import _Scan  # noqa: PLC0415 - Polars on first use

        scan = _Scan.of(ledger, start, end)
    return _dso(scan.closing, scan.segments, scan.sales, method)


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
    _check_period(start, end)
    if _small(ledger):
        from . import _records  # noqa: PLC0415 - the record path, for small ledgers

        period = _records.scan(ledger, start, end)
        current = _records.current(_records.Book.of(ledger, end))
        return _dbt(current, period.segments, period.sales, period.closing)
    from ._frames import _Book, _Scan, _tables_of  # noqa: PLC0415 - Polars on first use

    frames = _tables_of(ledger)
    prepared = frames.prepare()
    scan = _Scan.of_tables(frames, start, end, prepared)
    book = _Book.of_tables(frames, prepared, end)
    return _dbt(_current(book), scan.segments, scan.sales, scan.closing)


def _current(book: _Book) -> _Sums:
    """The open balances not yet past due on the book's date, per currency."""
    import polars as pl  # noqa: PLC0415

    from ._frames import _by_currency  # noqa: PLC0415

    return _by_currency(
        book.open.filter(pl.col("due_date") >= book.on)
        .group_by("currency")
        .agg(pl.col("balance").cast(book.wide).sum()),
        "balance",
    )


def _dbt(
    current: _Sums,
    segments: Sequence[tuple[date, date]],
    sales: Sequence[_Sums],
    closing: _Sums,
) -> tuple[DaysBeyondTerms, ...]:
    """DBT from the period's figures and the closing balances not yet past due."""
    sold_total = _total(sales)
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
