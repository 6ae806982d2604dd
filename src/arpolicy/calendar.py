"""Business days: weekends and public holidays per country.

Public holidays come from the `holidays <https://pypi.org/project/holidays/>`_
package. A :class:`BusinessCalendar` is immutable and answers in constant time
after its first use of a year.

>>> from datetime import date
>>> nl = BusinessCalendar.for_country("NL")
>>> nl.is_business_day(date(2026, 4, 27))  # King's Day
False
>>> nl.next_business_day(date(2026, 4, 25))  # Saturday -> Tuesday after King's Day
datetime.date(2026, 4, 28)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import attrs
import holidays

from .errors import InvalidFieldError

__all__ = ["BusinessCalendar", "calendar_for"]

_YEARS_AROUND = 3


@lru_cache(maxsize=256)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    try:
        table = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        raise InvalidFieldError(
            "calendar", "country", country, "no public-holiday data for this country"
        ) from None
    return frozenset(table.keys())


def _to_days(value: Iterable[int]) -> frozenset[int]:
    return frozenset(value)


def _to_dates(value: Iterable[date]) -> frozenset[date]:
    return frozenset(value)


@attrs.frozen
class BusinessCalendar:
    """Which days count as business days.

    Attributes:
        country: ISO 3166-1 alpha-2 code whose public holidays apply, or
            ``None`` for weekends only.
        weekend: ISO weekday numbers (Monday 1 ... Sunday 7) that are not
            business days.
        extra_holidays: further closed dates (company holidays, a plugin's
            own calendar).
    """

    country: str | None = None
    weekend: frozenset[int] = attrs.field(default=frozenset({6, 7}), converter=_to_days)
    extra_holidays: frozenset[date] = attrs.field(default=frozenset(), converter=_to_dates)
    _next: dict[date, date] = attrs.field(
        init=False, repr=False, eq=False, hash=False, factory=dict
    )

    @classmethod
    def for_country(cls, country: str) -> BusinessCalendar:
        """The calendar of ``country``: Saturday, Sunday and its public holidays."""
        _public_holidays(country, 2000)  # validate early
        return cls(country)

    def is_holiday(self, day: date) -> bool:
        """True on a public or extra holiday."""
        if day in self.extra_holidays:
            return True
        return self.country is not None and day in _public_holidays(self.country, day.year)

    def is_business_day(self, day: date) -> bool:
        """True when ``day`` is neither a weekend day nor a holiday."""
        return day.isoweekday() not in self.weekend and not self.is_holiday(day)

    def next_business_day(self, day: date) -> date:
        """``day`` itself when it is a business day, else the next one."""
        known = self._next.get(day)
        if known is not None:
            return known
        start = day
        for _ in range(366):
            if self.is_business_day(day):
                if len(self._next) < 100_000:
                    self._next[start] = day
                return day
            day += timedelta(days=1)
        raise InvalidFieldError("calendar", "weekend", sorted(self.weekend), "no business day")

    def add_business_days(self, day: date, count: int) -> date:
        """The ``count``-th business day after ``day`` (``count >= 0``)."""
        for _ in range(count):
            day = self.next_business_day(day + timedelta(days=1))
        return day


@lru_cache(maxsize=256)
def calendar_for(country: str | None) -> BusinessCalendar:
    """The standard calendar of ``country`` (``None``: weekends only)."""
    if country is None:
        return BusinessCalendar()
    return BusinessCalendar.for_country(country)
