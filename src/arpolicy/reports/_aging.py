"""Aging: open balances by days past due on a date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

import attrs

from ..model import Ledger
from ..money import Money
from ._common import DEFAULT_BUCKETS, _check_buckets, _labels, _money, _small

if TYPE_CHECKING:
    from ._frames import _Book

__all__ = ["AgingReport", "AgingRow", "aging"]


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
    if _small(ledger):
        from . import _records  # noqa: PLC0415 - the record path, for small ledgers

        return _records.aging(_records.Book.of(ledger, as_of), bounds)
    from ._frames import _Book, _tables_of  # noqa: PLC0415 - Polars on first use

    frames = _tables_of(ledger)
    return _aging(_Book.of_tables(frames, frames.prepare(), as_of), bounds)


def _aging(book: _Book, bounds: tuple[int, ...]) -> AgingReport:
    import polars as pl  # noqa: PLC0415

    n = len(bounds) + 1
    late = (pl.lit(book.on) - pl.col("due_date")).dt.total_days()
    bucket = pl.sum_horizontal([(late > b).cast(pl.Int32) for b in bounds]).alias("bucket")
    cells = (
        book.open.select("customer_id", "currency", "balance", bucket)
        .group_by("customer_id", "currency")
        .agg(
            *(
                pl.col("balance").filter(pl.col("bucket") == i).cast(book.wide).sum().alias(f"b{i}")
                for i in range(n)
            )
        )
        .sort("customer_id", "currency")
    )
    rows: list[AgingRow] = []
    totals: dict[str, list[int]] = {}
    zeros: dict[str, Money] = {}
    for cid, cur, *values in cells.iter_rows():
        nil = zeros.get(cur) or zeros.setdefault(cur, Money.zero(cur))
        amounts = tuple(_money(v, cur) if v else nil for v in values)
        rows.append(AgingRow(cid, cur, amounts, _money(sum(values), cur)))
        tot = totals.setdefault(cur, [0] * n)
        for k, v in enumerate(values):
            tot[k] += v
    return AgingReport(
        book.on,
        _labels(bounds),
        tuple(rows),
        {cur: tuple(_money(v, cur) for v in vals) for cur, vals in sorted(totals.items())},
    )
