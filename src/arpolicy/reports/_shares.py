"""Collection effectiveness (CEI), the disputed share and the written-off share."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ..model import Ledger
from ..money import Money
from ._common import _HUNDRED, _Period, _ratio, _small, _Sums, _total
from ._dso import _current

if TYPE_CHECKING:
    from ._frames import _Book

__all__ = [
    "CollectionEffectiveness",
    "Share",
    "collection_effectiveness",
    "disputed_share",
    "written_off_share",
]


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
    if _small(ledger):
        from . import _records  # noqa: PLC0415 - the record path, for small ledgers

        period = _records.scan(ledger, start, end)
        current = _records.current(_records.Book.of(ledger, end))
        return _cei(current, period.opening, _total(period.sales), period.closing)
    from ._frames import _Book, _Scan, _tables_of  # noqa: PLC0415 - Polars on first use

    frames = _tables_of(ledger)
    prepared = frames.prepare()
    scan = _Scan.of_tables(frames, start, end, prepared)
    book = _Book.of_tables(frames, prepared, end)
    return _cei(_current(book), scan.opening, _total(scan.sales), scan.closing)


def _cei(
    current: _Sums, opening: _Sums, sales: _Sums, closing: _Sums
) -> tuple[CollectionEffectiveness, ...]:
    """CEI from the period's figures and the closing balances not yet past due."""
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
    if _small(ledger):
        from . import _records  # noqa: PLC0415 - the record path, for small ledgers

        return _records.disputed(_records.Book.of(ledger, as_of))
    from ._frames import _Book, _tables_of  # noqa: PLC0415 - Polars on first use

    frames = _tables_of(ledger)
    return _disputed(_Book.of_tables(frames, frames.prepare(), as_of))


def _disputed(book: _Book) -> tuple[Share, ...]:
    import polars as pl  # noqa: PLC0415

    from ._frames import _by_currency  # noqa: PLC0415

    on = book.on
    active = (pl.col("dispute_opened_on") <= on) & (
        pl.col("dispute_resolved_on").is_null() | (pl.lit(on) < pl.col("dispute_resolved_on"))
    )
    cells = book.open.group_by("currency").agg(
        pl.col("balance").cast(book.wide).sum().alias("whole"),
        pl.col("balance").filter(active.fill_null(False)).cast(book.wide).sum().alias("part"),
    )
    return _share_rows(_by_currency(cells, "whole"), _by_currency(cells, "part"))


def _share_rows(whole: _Sums, part: _Sums) -> tuple[Share, ...]:
    """The disputed shares from the open balances (``whole``) and the disputed ones."""
    zero = Decimal(0)
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
    if _small(ledger):
        from . import _records  # noqa: PLC0415 - the record path, for small ledgers

        return _written_off(_records.scan(ledger, start, end))
    from ._frames import _Scan  # noqa: PLC0415 - Polars on first use

    return _written_off(_Scan.of(ledger, start, end))


def _written_off(scan: _Period) -> tuple[Share, ...]:
    sales = _total(scan.sales)
    written = scan.written_off
    zero = Decimal(0)
    out: list[Share] = []
    for cur in sorted(set(sales) | set(written)):
        part, whole = written.get(cur, zero), sales.get(cur, zero)
        out.append(Share(cur, Money(part, cur), Money(whole, cur), _ratio(part, whole, _HUNDRED)))
    return tuple(out)
