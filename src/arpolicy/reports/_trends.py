"""Monthly trends and seasonality."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ..model import Ledger
from ..money import Money
from ._common import _check_period, _Period, _q, _small
from ._dso import _dso

if TYPE_CHECKING:
    from ._frames import _Book

__all__ = ["MonthlyTrend", "Seasonality", "monthly_trends", "seasonality"]


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
    _check_period(start, end)
    if _small(ledger):
        from . import _records  # noqa: PLC0415 - the record path, for small ledgers

        return _records.trends(_records.scan(ledger, start, end), _records.Book.of(ledger, end))
    from ._frames import _Book, _Scan, _tables_of  # noqa: PLC0415 - Polars on first use

    frames = _tables_of(ledger)
    prepared = frames.prepare()
    scan = _Scan.of_tables(frames, start, end, prepared)
    return _trends(scan, _Book.of_tables(frames, prepared, end))


def _trends(scan: _Period, book: _Book) -> tuple[MonthlyTrend, ...]:
    import polars as pl  # noqa: PLC0415

    from ._frames import _slot  # noqa: PLC0415

    segments = scan.segments
    first, last = segments[0][0], segments[-1][1]
    # per segment and currency: (sum of days late, invoices) of those settled in it
    late: list[dict[str, tuple[int, int]]] = [{} for _ in segments]
    cells = (
        book.settled.filter((pl.col("settled") >= first) & (pl.col("settled") <= last))
        .select(
            _slot("settled", first).alias("k"),
            "currency",
            pl.max_horizontal((pl.col("settled") - pl.col("due_date")).dt.total_days(), 0).alias(
                "late"
            ),
        )
        .group_by("k", "currency")
        .agg(pl.col("late").sum(), pl.len().alias("n"))
    )
    for k, cur, total, n in cells.iter_rows():
        late[k - 1][cur] = (total, n)
    return _trend_rows(scan, late)


def _trend_rows(
    scan: _Period, late: Sequence[dict[str, tuple[int, int]]]
) -> tuple[MonthlyTrend, ...]:
    """The trends of the period's figures and, per segment and currency, ``(days late, count)``.

    ``(days late, count)`` sums the days late of the invoices settled in the segment.
    """
    segments, sales, collected = scan.segments, scan.sales, scan.collected
    out: list[MonthlyTrend] = []
    zero = Decimal(0)
    for k, (lo, hi) in enumerate(segments):
        month = _dso(scan.owed[k + 1], [(lo, hi)], [sales[k]], "standard")
        dsos = {d.currency: d.value for d in month}
        lates = late[k]
        for cur in sorted(set(sales[k]) | set(collected[k]) | set(dsos) | set(lates)):
            found = lates.get(cur)
            out.append(
                MonthlyTrend(
                    lo.replace(day=1),
                    cur,
                    Money(sales[k].get(cur, zero), cur),
                    Money(collected[k].get(cur, zero), cur),
                    dsos.get(cur),
                    None if found is None else _q(Decimal(found[0]) / found[1]),
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
