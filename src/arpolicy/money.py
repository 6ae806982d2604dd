"""Exact money: a :class:`~decimal.Decimal` amount in one ISO 4217 currency.

Rounding rule (used everywhere in arpolicy): amounts are quantized to the
currency's minor unit (EUR 2 decimals, JPY 0, KWD 3) with
:data:`ROUNDING`, *round half up* (half a cent rounds away from zero).

>>> from decimal import Decimal
>>> Money("10.005", "EUR")
Money('10.01', 'EUR')
>>> Money("1000", "JPY") + Money(5, "JPY")
Money('1005', 'JPY')
>>> Money("12.50", "EUR").minor_units
1250
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Final

from iso4217 import Currency

from .errors import CurrencyMismatchError, InvalidMoneyError, UnknownCurrencyError

__all__ = ["ROUNDING", "Money", "check_currency", "minor_unit"]

ROUNDING: Final = ROUND_HALF_UP
"""The rounding mode arpolicy applies whenever an amount is quantized."""

_EXACT = decimal.Context(prec=60, rounding=ROUNDING, traps=[decimal.InvalidOperation])


@lru_cache(maxsize=512)
def minor_unit(code: str) -> int:
    """Return the number of decimals of an ISO 4217 currency.

    Raises:
        UnknownCurrencyError: the code is not an ISO 4217 currency with a
            minor unit (funds and metals such as ``XAU`` have none).

    >>> minor_unit("EUR"), minor_unit("JPY"), minor_unit("KWD")
    (2, 0, 3)
    """
    if not isinstance(code, str) or len(code) != 3 or not code.isupper():
        raise UnknownCurrencyError(code)
    try:
        exponent = Currency(code).exponent
    except ValueError:
        raise UnknownCurrencyError(code) from None
    if exponent is None:
        raise UnknownCurrencyError(code)
    return int(exponent)


def check_currency(code: str) -> str:
    """Return ``code`` if it is a usable ISO 4217 currency, else raise."""
    minor_unit(code)
    return code


@lru_cache(maxsize=512)
def _quantum(code: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(code))


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise InvalidMoneyError(value, "a bool is not an amount")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise InvalidMoneyError(value, "not a decimal number") from None
    elif isinstance(value, float):
        raise InvalidMoneyError(value, "floats are inexact; pass a Decimal, int or str")
    else:
        raise InvalidMoneyError(value, f"unsupported type {type(value).__name__}")
    if not result.is_finite():
        raise InvalidMoneyError(value, "amount must be finite")
    return result


class Money:
    """An amount of one currency, quantized to the currency's minor unit.

    ``amount`` may be a :class:`~decimal.Decimal`, an ``int`` or a decimal
    string; floats are refused because they cannot hold cents exactly. More
    decimals than the currency has are rounded with :data:`ROUNDING`.

    Money supports ``+``, ``-``, unary minus, ``abs``, multiplication by a
    Decimal or int (the product is rounded), and ordering comparisons. Mixing
    currencies in arithmetic or ordering raises
    :class:`~arpolicy.errors.CurrencyMismatchError`; ``==`` between different
    currencies is simply ``False``.

    Money is immutable and hashable.
    """

    __slots__ = ("amount", "currency")
    amount: Decimal
    currency: str

    def __init__(self, amount: Decimal | int | str, currency: str) -> None:
        q = _quantum(currency)
        value = _to_decimal(amount)
        object.__setattr__(self, "currency", currency)
        object.__setattr__(self, "amount", value.quantize(q, rounding=ROUNDING, context=_EXACT))

    @classmethod
    def _trusted(cls, amount: Decimal, currency: str) -> Money:
        """Build without checks; ``amount`` must already be quantized."""
        self = object.__new__(cls)
        object.__setattr__(self, "currency", currency)
        object.__setattr__(self, "amount", amount)
        return self

    # -- constructors ---------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``."""
        return cls(0, currency)

    @classmethod
    def from_minor(cls, units: int, currency: str) -> Money:
        """Build from an integer number of minor units (cents).

        >>> Money.from_minor(1999, "EUR")
        Money('19.99', 'EUR')
        """
        if isinstance(units, bool) or not isinstance(units, int):
            raise InvalidMoneyError(units, "minor units must be an int")
        exp = minor_unit(currency)
        return cls._trusted(Decimal(units).scaleb(-exp).quantize(_quantum(currency)), currency)

    @staticmethod
    def total(items: Iterable[Money], currency: str) -> Money:
        """Sum ``items``, all in ``currency``; an empty iterable gives zero."""
        result = Money.zero(currency)
        for item in items:
            result = result + item
        return result

    # -- properties -----------------------------------------------------
    @property
    def minor_units(self) -> int:
        """The amount as an integer number of minor units (cents)."""
        return int(self.amount.scaleb(minor_unit(self.currency)))

    def is_zero(self) -> bool:
        """True when the amount is zero."""
        return not self.amount

    def is_positive(self) -> bool:
        """True when the amount is above zero."""
        return self.amount > 0

    def is_negative(self) -> bool:
        """True when the amount is below zero."""
        return self.amount < 0

    # -- arithmetic -----------------------------------------------------
    def _check(self, other: Money, operation: str) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatchError(self.currency, other.currency, operation)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other, "add")
        return Money._trusted(self.amount + other.amount, self.currency)

    def __radd__(self, other: int) -> Money:
        # Lets the built-in sum() start from 0.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other, "subtract")
        return Money._trusted(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money._trusted(-self.amount, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money._trusted(abs(self.amount), self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int):
            return NotImplemented
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def percent(self, rate: Decimal | int | str) -> Money:
        """``rate`` percent of this amount, rounded with :data:`ROUNDING`.

        >>> Money("200.00", "EUR").percent("2.5")
        Money('5.00', 'EUR')
        """
        return Money(self.amount * _to_decimal(rate) / 100, self.currency)

    # -- comparison -----------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.currency == other.currency and self.amount == other.amount

    def __hash__(self) -> int:
        return hash((self.amount, self.currency))

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other, "compare")
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other, "compare")
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other, "compare")
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other, "compare")
        return self.amount >= other.amount

    # -- immutability and display ----------------------------------------
    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Money is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Money is immutable; cannot delete {name!r}")

    def __reduce__(self) -> tuple[type[Money], tuple[Decimal, str]]:
        return (Money, (self.amount, self.currency))

    def __repr__(self) -> str:
        return f"Money({str(self.amount)!r}, {self.currency!r})"

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
