"""Machinery shared by the jurisdiction packs: rate rows, rate books, day counts.

The packs (:mod:`arpolicy.law.eu`, :mod:`~arpolicy.law.nl` ...) hold their
dated rates as plain tuples; this module turns them into :class:`RateRow`
objects and looks rates up in a :class:`RateBook`.

>>> from datetime import date
>>> book = RateBook.shipped()
>>> book.rate_on("nl-6:119a", date(2024, 3, 1))
(Decimal('12.50'), False)
"""

from __future__ import annotations

import bisect
import decimal
import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Final

import attrs

from ..errors import InvalidFieldError, MissingRateError
from ..model import Profile

__all__ = [
    "TABLES",
    "Compounding",
    "DayCount",
    "Jurisdiction",
    "RateBook",
    "RateRow",
    "TableSpec",
    "add_months",
]


class DayCount(enum.StrEnum):
    """How days are turned into a fraction of a year.

    ``ACTUAL_365`` is the default of every pack: actual days / 365, also in
    leap years. ``ACTUAL_ACTUAL`` counts each day as 1/365 or 1/366 of a year
    by its calendar year (periods are split at year ends).
    """

    ACTUAL_365 = "actual/365"
    """Actual days / 365, also in leap years (the default)."""
    ACTUAL_360 = "actual/360"
    """Actual days / 360."""
    ACTUAL_ACTUAL = "actual/actual"
    """Each day is 1/365 or 1/366 of a year, by its calendar year."""


class Compounding(enum.StrEnum):
    """Whether statutory interest is added to the principal."""

    SIMPLE = "simple"
    """Never: interest is always computed on the principal alone."""
    YEARLY = "yearly"
    """After each full year of default, that year's interest joins the principal."""


class Cadence(enum.Enum):
    """How a table's rows are published (decides when a table goes stale)."""

    HALF_YEARLY = "half-yearly"
    """A row per half year: known up to the day before last row + 6 months."""
    REFERENCE_DATES = "reference-dates"
    """Observations on reference dates: known up to and including the last row's date."""


@attrs.frozen
class TableSpec:
    """What arpolicy knows about a rate table.

    Attributes:
        name: the table's name (``"ecb-refi"`` ...).
        jurisdiction: the code of the jurisdiction that publishes it.
        cadence: how rows are published.
        description: what the rate is.
    """

    name: str
    jurisdiction: str
    cadence: Cadence
    description: str


TABLES: Final[Mapping[str, TableSpec]] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            TableSpec(
                "ecb-refi",
                "EU",
                Cadence.HALF_YEARLY,
                "ECB main refinancing rate on 1 January / 1 July",
            ),
            TableSpec("nl-6:119", "NL", Cadence.HALF_YEARLY, "Dutch statutory interest"),
            TableSpec(
                "nl-6:119a", "NL", Cadence.HALF_YEARLY, "Dutch statutory commercial interest"
            ),
            TableSpec("de-base", "DE", Cadence.HALF_YEARLY, "German base rate (Basiszinssatz)"),
            TableSpec(
                "gb-bank-rate",
                "GB",
                Cadence.REFERENCE_DATES,
                "Bank of England Bank Rate on 30 June / 31 December",
            ),
        )
    }
)
"""The rate tables arpolicy reads, by name."""


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (clamped to the month's end).

    >>> add_months(date(2026, 1, 1), 6)
    datetime.date(2026, 7, 1)
    >>> add_months(date(2024, 8, 31), 6)
    datetime.date(2025, 2, 28)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _check_code(value: object) -> str:
    if not isinstance(value, str) or not value or not value.isupper() or not value.isalpha():
        raise InvalidFieldError(
            "rate row", "jurisdiction", value, "expected an upper-case code such as 'NL'"
        )
    return value


def _check_table(value: object) -> str:
    if not isinstance(value, str) or value not in TABLES:
        raise InvalidFieldError(
            "rate row", "table", value, f"unknown table; expected one of {sorted(TABLES)}"
        )
    return value


def _check_date(value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidFieldError("rate row", "effective", value, "expected a date (not a datetime)")
    return value


def _to_rate(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidFieldError(
            "rate row", "rate", value, "expected a Decimal or a decimal string such as '10.15'"
        )
    try:
        result = Decimal(value.strip() if isinstance(value, str) else value)
    except decimal.InvalidOperation:
        raise InvalidFieldError("rate row", "rate", value, "not a decimal number") from None
    if not result.is_finite():
        raise InvalidFieldError("rate row", "rate", value, "a rate must be finite")
    return result


@attrs.frozen
class RateRow:
    """One published rate: ``rate`` % a year in ``table`` from ``effective`` on.

    Args:
        jurisdiction: the code of the jurisdiction that publishes the table
            (``"EU"`` for ``"ecb-refi"``, ``"NL"``, ``"DE"``, ``"GB"``).
        table: one of :data:`TABLES`: ``"ecb-refi"``, ``"nl-6:119"``,
            ``"nl-6:119a"``, ``"de-base"``, ``"gb-bank-rate"``.
        effective: the first day the rate applies (for ``"gb-bank-rate"``:
            the reference date, 30 June or 31 December).
        rate: the annual rate in percent, a Decimal or a decimal string;
            floats are refused.

    Raises:
        InvalidFieldError: a field has a bad value, the table is unknown, or
            the jurisdiction is not the table's.

    >>> RateRow("NL", "nl-6:119a", date(2026, 7, 1), "9.90").rate
    Decimal('9.90')
    >>> RateRow("NL", "ecb-refi", date(2026, 7, 1), "2.00")
    Traceback (most recent call last):
      ...
    arpolicy.errors.InvalidFieldError: rate row: field 'jurisdiction' = 'NL': table 'ecb-refi' ...
    """

    jurisdiction: str = attrs.field(converter=_check_code)
    table: str = attrs.field(converter=_check_table)
    effective: date = attrs.field(converter=_check_date)
    rate: Decimal = attrs.field(converter=_to_rate)

    def __attrs_post_init__(self) -> None:
        owner = TABLES[self.table].jurisdiction
        if self.jurisdiction != owner:
            raise InvalidFieldError(
                "rate row",
                "jurisdiction",
                self.jurisdiction,
                f"table {self.table!r} belongs to {owner!r}",
            )


class RateBook:
    """An immutable set of rate tables, each a list of :class:`RateRow` by date.

    Build the shipped book with :meth:`shipped` and add or replace rows with
    :meth:`merged`; a book never changes after construction.

    Args:
        rows: the rows; at most one per table and effective date.

    Raises:
        InvalidFieldError: two rows share a table and effective date.

    >>> book = RateBook.shipped().merged([RateRow("EU", "ecb-refi", date(2026, 7, 1), "2.00")])
    >>> book.rate_on("ecb-refi", date(2026, 9, 1))
    (Decimal('2.00'), False)
    >>> RateBook.shipped().rate_on("ecb-refi", date(2026, 9, 1))
    (Decimal('2.15'), True)
    """

    __slots__ = ("_dates", "_tables")

    def __init__(self, rows: Iterable[RateRow]) -> None:
        grouped: dict[str, dict[date, RateRow]] = {}
        for row in rows:
            if not isinstance(row, RateRow):
                raise InvalidFieldError("rate book", "rows", row, "expected RateRow objects")
            table = grouped.setdefault(row.table, {})
            if row.effective in table:
                raise InvalidFieldError(
                    "rate book",
                    "rows",
                    row,
                    f"two rows for table {row.table!r} effective {row.effective}",
                )
            table[row.effective] = row
        tables = {
            name: tuple(table[day] for day in sorted(table))
            for name, table in sorted(grouped.items())
        }
        self._tables: Mapping[str, tuple[RateRow, ...]] = MappingProxyType(tables)
        self._dates: Mapping[str, tuple[date, ...]] = MappingProxyType(
            {name: tuple(row.effective for row in table) for name, table in tables.items()}
        )

    @classmethod
    def shipped(cls) -> RateBook:
        """The rates shipped with this version of arpolicy (see the jurisdiction pages)."""
        return _shipped()

    def merged(self, rows: Iterable[RateRow]) -> RateBook:
        """A new book: ``rows`` replace rows of the same table and date, and add new ones.

        Args:
            rows: the user's rows (for example from
                :func:`arpolicy.io.load_rates`); at most one per table and date.

        Returns:
            The merged book; ``self`` is unchanged.

        Raises:
            InvalidFieldError: ``rows`` holds two rows for one table and date.
        """
        mine = {(row.table, row.effective): row for row in self.all_rows()}
        theirs = RateBook(rows)
        for row in theirs.all_rows():
            mine[(row.table, row.effective)] = row
        return RateBook(mine.values())

    def tables(self) -> tuple[str, ...]:
        """The names of the tables that have rows, sorted."""
        return tuple(self._tables)

    def rows(self, table: str) -> tuple[RateRow, ...]:
        """The rows of ``table`` by effective date (empty for a table without rows)."""
        return self._tables.get(table, ())

    def all_rows(self) -> tuple[RateRow, ...]:
        """Every row, by table and date."""
        return tuple(row for rows in self._tables.values() for row in rows)

    def known_until(self, table: str) -> date | None:
        """The first day ``table`` no longer covers, or ``None`` when it has no rows.

        Half-yearly tables are known up to the day before their last row's
        date + 6 months; ``"gb-bank-rate"`` (observations on reference dates)
        up to and including its last row's date.
        """
        dates = self._dates.get(table)
        if not dates:
            return None
        last = dates[-1]
        if TABLES[table].cadence is Cadence.REFERENCE_DATES:
            return date.fromordinal(last.toordinal() + 1)
        return add_months(last, 6)

    def rate_on(self, table: str, day: date) -> tuple[Decimal, bool]:
        """The rate of ``table`` in force on ``day``, and whether it is stale.

        Returns:
            ``(rate, stale)``: the rate of the last row effective on or before
            ``day``; ``stale`` is true when ``day`` is on or after
            :meth:`known_until`, so that the rate is only the last one known.

        Raises:
            MissingRateError: ``day`` is before the table's first row (or the
                table has no rows).
        """
        dates = self._dates.get(table, ())
        index = bisect.bisect_right(dates, day) - 1
        if index < 0:
            raise MissingRateError(table, day, dates[0] if dates else None)
        until = self.known_until(table)
        assert until is not None
        return self._tables[table][index].rate, day >= until

    def changes_between(self, table: str, start: date, end: date) -> tuple[date, ...]:
        """Effective dates of ``table`` strictly inside ``(start, end)``."""
        dates = self._dates.get(table, ())
        low = bisect.bisect_right(dates, start)
        high = bisect.bisect_left(dates, end)
        return dates[low:high]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RateBook):
            return NotImplemented
        return self._tables == other._tables

    def __hash__(self) -> int:
        return hash(self.all_rows())

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}: {len(rows)}" for name, rows in self._tables.items())
        return f"RateBook({{{counts}}})"


@lru_cache(maxsize=1)
def _shipped() -> RateBook:
    # The packs import this module, so they are imported on first use.
    from . import de, eu, gb, nl  # noqa: PLC0415

    rows: list[RateRow] = []
    for pack in (eu, nl, de, gb):
        for table, effective, rate in pack.RATES:
            rows.append(RateRow(pack.CODE, table, effective, rate))
    return RateBook(rows)


def to_profile(value: object) -> Profile:
    """``value`` as a :class:`~arpolicy.model.Profile` (a Profile or its string value)."""
    if isinstance(value, Profile):
        return value
    if isinstance(value, str):
        try:
            return Profile(value)
        except ValueError:
            pass
    raise InvalidFieldError(
        "law", "profile", value, f"expected one of {[p.value for p in Profile]}"
    )


@attrs.frozen
class Jurisdiction:
    """What arpolicy knows about one jurisdiction's late-payment law.

    Attributes:
        code: ``"EU"``, ``"NL"``, ``"DE"``, ``"GB"``, ``"FR"`` or ``"BE"``.
        name: a readable name.
        sources: the statutes and publications the pack follows.
        consumer_rule: the statutory interest rule for consumers
            (:attr:`Profile.PRIVATE`), or ``None`` when the pack has none.
        business_rule: the rule for business debtors, or ``None``.
        government_rule: the rule for public-body debtors, or ``None``.
        compounding: simple interest, or yearly compounding (NL).
        default_term_days: the payment term in days when none was agreed.
        max_term_days_business: the longest B2B term that may be agreed
            (above it only under the conditions in :attr:`notes`), or
            ``None`` when the pack states none.
        max_term_days_public: the longest term a public-body debtor may agree,
            or ``None``.
        notes: further rules in words.
    """

    code: str
    name: str
    sources: tuple[str, ...]
    consumer_rule: str | None
    business_rule: str | None
    government_rule: str | None
    compounding: Compounding
    default_term_days: int
    max_term_days_business: int | None
    max_term_days_public: int | None
    notes: tuple[str, ...] = ()

    def interest_rule(self, profile: Profile | str) -> str | None:
        """The statutory interest rule for a debtor of ``profile``, or ``None``.

        >>> from arpolicy.law import jurisdiction
        >>> jurisdiction("NL").interest_rule(Profile.PRIVATE)
        'NL art. 6:119 BW'
        """
        profile = to_profile(profile)
        if profile is Profile.PRIVATE:
            return self.consumer_rule
        if profile is Profile.GOVERNMENT:
            return self.government_rule
        return self.business_rule


@attrs.frozen
class Rule:
    """How one pack computes statutory interest for one case (internal).

    Attributes:
        label: the rule's name, shown in each period.
        table: the rate table read.
        margin: points added to the table's rate.
        compounding: simple or yearly.
        round_up_to_half: round the total rate up to the next half point (BE).
        fixed_for_life: one rate, fixed at the start of the debt (GB).
    """

    label: str
    table: str
    margin: Decimal
    compounding: Compounding = Compounding.SIMPLE
    round_up_to_half: bool = False
    fixed_for_life: bool = False
