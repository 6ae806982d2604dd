"""Definitions shared by the report modules: rounding, periods, buckets, money.

Nothing here imports Polars (``import arpolicy.reports`` stays light; the
table path in :mod:`arpolicy.reports._frames` is imported when a metric is
computed).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Final

import attrs

from ..money import Money, minor_unit

if TYPE_CHECKING:
    from ..model import Ledger

DEFAULT_BUCKETS: Final[tuple[int, ...]] = (0, 30, 60, 90)
"""Upper bounds (days past due, inclusive) of the aging buckets but the last.

``(0, 30, 60, 90)`` gives *current* (not yet past due), 1-30, 31-60, 61-90
and 90+ (more than 90 days past due).
"""

WRITE_OFF_KEY: Final = "write_off"
"""Metadata key marking a credit note as a write-off (value ``"yes"``)."""

_TENTH: Final = Decimal("0.1")
_HUNDRED: Final = Decimal(100)

_Sums = dict[str, Decimal]

RECORD_PATH_BELOW: int = 800
"""A ledger read as tables with fewer invoices and payments (together) takes the record path.

Both paths give the same results (``tests/test_reports_tables.py``). The
table path's allocation kernel and group-bys cost milliseconds whatever the
size; the record path costs in proportion to the records, and a ledger read
from files or frames must build them first. Measured (the full report, a
freshly read ledger each run), the two cost the same at 500 to 800 invoices
and payments, by how much allocation the ledger asks for.
"""

RECORD_PATH_BELOW_RECORDS: int = 8_000
"""The same for a ledger holding its records (built from records, or all built since).

Measured, the paths cost the same at about 7,000 when the ledger has made its
tables already, and about 10,000 when the table path must make them first.
"""


def _small(ledger: Ledger) -> bool:
    """Whether the record path is the faster one for ``ledger``.

    Counts the ledger's invoices and payments without building a record or a
    table.
    """
    below = RECORD_PATH_BELOW_RECORDS if ledger._has_records() else RECORD_PATH_BELOW
    return ledger._entries() < below


@attrs.frozen
class _Period:
    """Figures of a period ``[start, end]``, amounts per currency.

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


def _q(value: Decimal) -> Decimal:
    return value.quantize(_TENTH, rounding=ROUND_HALF_UP)


def _ratio(part: Decimal, whole: Decimal, scale: Decimal) -> Decimal | None:
    if not whole:
        return None
    return _q(part / whole * scale)


def _labels(bounds: Sequence[int]) -> tuple[str, ...]:
    labels = ["current" if bounds[0] == 0 else f"<={bounds[0]}"]
    for lo, hi in itertools.pairwise(bounds):
        labels.append(f"{lo + 1}-{hi}")
    labels.append(f"{bounds[-1]}+")
    return tuple(labels)


def _check_buckets(buckets: Sequence[int]) -> tuple[int, ...]:
    bounds = tuple(buckets)
    if not bounds or any(b >= c for b, c in itertools.pairwise(bounds)):
        raise ValueError(f"buckets must be non-empty and strictly increasing: {bounds!r}")
    return bounds


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValueError(f"end {end} is before start {start}")


def _months_back(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar-month segments of ``[start, end]``, latest first."""
    out: list[tuple[date, date]] = []
    hi = end
    while hi >= start:
        lo = max(start, hi.replace(day=1))
        out.append((lo, hi))
        hi = lo - timedelta(days=1)
    return out


def _total(tables: Iterable[_Sums]) -> _Sums:
    out: _Sums = {}
    for table in tables:
        for cur, value in table.items():
            out[cur] = out.get(cur, Decimal(0)) + value
    return out


def _major(units: int, currency: str) -> Decimal:
    """Minor units as the currency's amount, e.g. ``12345`` EUR -> ``Decimal('123.45')``."""
    return Decimal(units).scaleb(-minor_unit(currency))


def _money(units: int, currency: str) -> Money:
    """Minor units as :class:`Money` (exact: no rounding is needed)."""
    return Money._trusted(_major(units, currency), currency)
