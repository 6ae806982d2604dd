"""Days to pay and days late of settled invoices; early-payment discounts granted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import attrs

from ..model import Ledger
from ..money import Money
from ._common import _HUNDRED, _check_period, _money, _q, _ratio, _small

if TYPE_CHECKING:
    from ._frames import _Book, _Frames

__all__ = ["DaysToPay", "DiscountsGranted", "days_to_pay", "discounts_granted"]


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
    _check_period(start, end)
    if _small(ledger):
        from . import _records  # noqa: PLC0415 - the record path, for small ledgers

        return _records.discounts(_records.Book.of(ledger, end), start)
    from ._frames import _Book, _tables_of  # noqa: PLC0415 - Polars on first use

    frames = _tables_of(ledger)
    return _discounts(_Book.of_tables(frames, frames.prepare(), end), start)


def _discounts(book: _Book, start: date) -> tuple[DiscountsGranted, ...]:
    import polars as pl  # noqa: PLC0415

    cells = (
        book.discounts.filter((pl.col("date") >= start) & (pl.col("date") <= book.on))
        .group_by("currency")
        .agg(
            pl.len().alias("n"),
            pl.col("amount").cast(book.wide).sum(),
            pl.col("invoiced").cast(book.wide).sum(),
        )
        .sort("currency")
    )
    return tuple(
        DiscountsGranted(
            cur,
            n,
            _money(amount, cur),
            _money(gross, cur),
            _ratio(Decimal(amount), Decimal(gross), _HUNDRED),
        )
        for cur, n, amount, gross in cells.iter_rows()
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
    if _small(ledger):
        from . import _records  # noqa: PLC0415 - the record path, for small ledgers

        records = _records.Book.of(ledger, end)
        return _records.days_to_pay_groups(ledger, records, start, end, (by,))[0]
    from ._frames import _Book, _tables_of  # noqa: PLC0415 - Polars on first use

    frames = _tables_of(ledger)
    book = _Book.of_tables(frames, frames.prepare(), end)
    return _days_to_pay_groups(frames, book, start, end, (by,))[0]


def _days_to_pay_groups(
    frames: _Frames, book: _Book, start: date, end: date, by: Sequence[str]
) -> list[tuple[DaysToPay, ...]]:
    import polars as pl  # noqa: PLC0415

    weighted = frames.weighted
    settled = book.settled.filter((pl.col("settled") >= start) & (pl.col("settled") <= end))
    settled = settled.with_columns(
        pay=(pl.col("settled") - pl.col("issue_date")).dt.total_days(),
        late=pl.max_horizontal((pl.col("settled") - pl.col("due_date")).dt.total_days(), 0),
    )
    if "profile" in by:
        settled = settled.join(frames.profiles, on="customer_id", how="left")
    out: list[tuple[DaysToPay, ...]] = []
    for grouping in by:
        if grouping == "customer":
            key = pl.col("customer_id")
        elif grouping == "profile":
            key = pl.col("profile")
        else:
            key = pl.lit("all")
        cells = (
            settled.group_by(key.alias("key"), "currency")
            .agg(
                pl.len().alias("n"),
                pl.col("amount").cast(frames.wide).sum().alias("weight"),
                pl.col("pay").sum().alias("pays"),
                pl.col("late").sum().alias("lates"),
                (pl.col("amount").cast(weighted) * pl.col("pay").cast(weighted)).sum().alias("wp"),
                (pl.col("amount").cast(weighted) * pl.col("late").cast(weighted)).sum().alias("wl"),
                (pl.col("late") > 0).sum().alias("n_late"),
            )
            .sort("key", "currency")
        )
        rows: list[DaysToPay] = []
        for k, cur, n, weight, pays, lates, wpay, wlate, n_late in cells.iter_rows():
            whole = Decimal(weight)
            rows.append(
                DaysToPay(
                    k,
                    cur,
                    n,
                    _money(weight, cur),
                    _q(Decimal(pays) / n),
                    _q(Decimal(lates) / n),
                    _ratio(Decimal(wpay), whole, Decimal(1)),
                    _ratio(Decimal(wlate), whole, Decimal(1)),
                    n_late,
                    _ratio(Decimal(n - n_late), Decimal(n), _HUNDRED),
                )
            )
        out.append(tuple(rows))
    return out
