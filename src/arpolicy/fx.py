"""Exchange rates as data: dated rows, to weigh exposure against a credit limit.

arpolicy never adds amounts of different currencies by itself. Where a
comparison needs it (a credit limit in EUR and exposure in USD, see
:mod:`arpolicy.credit`), the caller gives an :class:`FxRates` table, like the
statutory rate tables: rows with the day from which they apply. Load one from
a file with :func:`arpolicy.io.load_fx_rates`.

Conversion rule, on a date ``D``:

* the rate of ``base -> quote`` is that of the row for the pair with the
  latest ``effective`` date on or before ``D``; when the table has no row
  for the pair but has one for ``quote -> base``, its inverse is used;
* ``amount * rate`` (or ``amount / rate`` for an inverse row), to 60
  significant digits, is rounded **once**, half-up, to the target currency's
  minor unit;
* without a row for the pair on ``D`` there is no rate: the amount is not
  converted (the caller says so; nothing is guessed).

>>> from datetime import date
>>> from arpolicy import Money
>>> fx = FxRates([FxRate(date(2026, 1, 1), "EUR", "USD", "1.0850")])
>>> fx.convert(Money("108.50", "USD"), "EUR", date(2026, 3, 2))
Money('100.00', 'EUR')
>>> fx.convert(Money("100.00", "EUR"), "USD", date(2026, 3, 2))
Money('108.50', 'USD')
>>> fx.convert(Money("100.00", "GBP"), "EUR", date(2026, 3, 2)) is None
True
>>> fx.convert(Money("100.00", "EUR"), "USD", date(2025, 12, 31)) is None
True
"""

from __future__ import annotations

import bisect
import decimal
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import attrs

from .errors import InvalidFieldError, UnknownCurrencyError
from .money import Money, check_currency

__all__ = ["FxRate", "FxRates"]

_EXACT = decimal.Context(prec=60, traps=[decimal.InvalidOperation, decimal.DivisionByZero])


def _currency(value: object) -> str:
    try:
        return check_currency(value)  # type: ignore[arg-type]
    except UnknownCurrencyError:
        raise InvalidFieldError("fx rate", "currency", value, "not an ISO 4217 currency") from None


def _rate(value: object) -> Decimal:
    if isinstance(value, (float, bool)):
        raise InvalidFieldError(
            "fx rate", "rate", value, "floats are inexact: give a Decimal or a decimal string"
        )
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise InvalidFieldError("fx rate", "rate", value, "not a decimal number") from None
    if not rate.is_finite() or rate <= 0:
        raise InvalidFieldError("fx rate", "rate", value, "must be a number above zero")
    return rate


def _day(value: object) -> date:
    if type(value) is not date:
        raise InvalidFieldError("fx rate", "effective", value, "must be a datetime.date")
    return value


@attrs.frozen
class FxRate:
    """One exchange rate: from ``effective`` on, 1 ``base`` is worth ``rate`` ``quote``.

    Args:
        effective: the first day the rate applies.
        base: the ISO 4217 currency converted from (``"EUR"``).
        quote: the ISO 4217 currency converted to (``"USD"``).
        rate: a Decimal or decimal string above zero; floats are refused.

    Raises:
        InvalidFieldError: a field has a bad value, or ``base == quote``.
    """

    effective: date = attrs.field(converter=_day)
    base: str = attrs.field(converter=_currency)
    quote: str = attrs.field(converter=_currency)
    rate: Decimal = attrs.field(converter=_rate)

    def __attrs_post_init__(self) -> None:
        if self.base == self.quote:
            raise InvalidFieldError("fx rate", "quote", self.quote, "is the base currency")


def _rows(value: Iterable[FxRate]) -> tuple[FxRate, ...]:
    rows = tuple(value)
    for row in rows:
        if not isinstance(row, FxRate):
            raise InvalidFieldError("fx rates", "rows", row, "must be FxRate rows")
    return tuple(sorted(rows, key=lambda r: (r.base, r.quote, r.effective)))


@attrs.frozen
class FxRates:
    """A table of dated exchange rates (see the module for the conversion rule).

    Args:
        rows: the rates, in any order; at most one per pair and day.

    Raises:
        InvalidFieldError: two rows for one pair and day.
    """

    rows: tuple[FxRate, ...] = attrs.field(default=(), converter=_rows)
    _by_pair: dict[tuple[str, str], tuple[list[date], list[Decimal]]] = attrs.field(
        init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        by_pair: dict[tuple[str, str], tuple[list[date], list[Decimal]]] = {}
        for row in self.rows:  # sorted by pair, then day
            days, rates = by_pair.setdefault((row.base, row.quote), ([], []))
            if days and days[-1] == row.effective:
                raise InvalidFieldError(
                    "fx rates",
                    "effective",
                    row.effective,
                    f"two rows for {row.base}->{row.quote} on this day",
                )
            days.append(row.effective)
            rates.append(row.rate)
        object.__setattr__(self, "_by_pair", by_pair)

    def _latest(self, base: str, quote: str, on: date) -> Decimal | None:
        found = self._by_pair.get((base, quote))
        if found is None:
            return None
        days, rates = found
        index = bisect.bisect_right(days, on)
        return rates[index - 1] if index else None

    def rate(self, base: str, quote: str, on: date) -> Decimal | None:
        """What 1 ``base`` is worth in ``quote`` on ``on``, or ``None`` without a row.

        The inverse row's rate is given as ``1 / rate`` (60 significant digits).
        """
        if base == quote:
            return Decimal(1)
        direct = self._latest(base, quote, on)
        if direct is not None:
            return direct
        inverse = self._latest(quote, base, on)
        return None if inverse is None else _EXACT.divide(Decimal(1), inverse)

    def convert(self, money: Money, to: str, on: date) -> Money | None:
        """``money`` in ``to`` on ``on``, rounded half-up once; ``None`` without a rate."""
        if money.currency == to:
            return money
        direct = self._latest(money.currency, to, on)
        if direct is not None:
            return Money(_EXACT.multiply(money.amount, direct), to)
        inverse = self._latest(to, money.currency, on)
        if inverse is None:
            return None
        return Money(_EXACT.divide(money.amount, inverse), to)

    def changes(self, base: str, quote: str) -> tuple[date, ...]:
        """The days on which the rate of the pair (or its inverse) changes."""
        days = set(self._by_pair.get((base, quote), ([], []))[0])
        days.update(self._by_pair.get((quote, base), ([], []))[0])
        return tuple(sorted(days))
