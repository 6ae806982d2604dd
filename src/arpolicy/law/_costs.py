"""Fixed compensation per invoice and statutory scales of collection costs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Final

import attrs

from ..errors import (
    CurrencyMismatchError,
    InvalidFieldError,
    NoStatutoryRuleError,
    NoStatutoryScaleError,
)
from ..model import Profile
from ..money import Money
from . import be
from ._core import to_profile
from ._packs import resolve

__all__ = ["collection_costs", "fixed_compensation"]


@attrs.frozen
class _FixedSum:
    currency: str
    since: date
    bands: tuple[tuple[Decimal, Decimal], ...]  # (principal from, amount), ascending


_EUR_40: Final = ((Decimal(0), Decimal(40)),)
_DIRECTIVE: Final = date(2013, 3, 16)

_FIXED: Final[Mapping[str, _FixedSum]] = MappingProxyType(
    {
        "EU": _FixedSum("EUR", _DIRECTIVE, _EUR_40),
        "NL": _FixedSum("EUR", _DIRECTIVE, _EUR_40),
        "FR": _FixedSum("EUR", _DIRECTIVE, _EUR_40),
        "BE": _FixedSum("EUR", _DIRECTIVE, _EUR_40),
        "DE": _FixedSum("EUR", date(2014, 7, 29), _EUR_40),
        "GB": _FixedSum(
            "GBP",
            date(2002, 8, 7),
            (
                (Decimal(0), Decimal(40)),
                (Decimal(1000), Decimal(70)),
                (Decimal(10000), Decimal(100)),
            ),
        ),
    }
)

# The Dutch WIK scale: (band width or None for the rest, percent).
_WIK_BANDS: Final = (
    (Decimal(2500), Decimal(15)),
    (Decimal(2500), Decimal(10)),
    (Decimal(5000), Decimal(5)),
    (Decimal(190000), Decimal(1)),
    (None, Decimal("0.5")),
)
WIK_MINIMUM: Final = Decimal(40)
WIK_MAXIMUM: Final = Decimal(6775)


def _check_principal(kind: str, principal: object) -> Money:
    if not isinstance(principal, Money):
        raise InvalidFieldError(kind, "principal", principal, "expected Money")
    if not principal.is_positive():
        raise InvalidFieldError(kind, "principal", principal, "must be above zero")
    return principal


def fixed_compensation(principal: Money, *, jurisdiction: str, profile: Profile, on: date) -> Money:
    """The fixed compensation per invoice (or, in GB, per debt) for late payment.

    EU baseline, NL, DE, FR and BE: EUR 40 per invoice from business and
    public-body debtors. GB: GBP 40 for a debt below 1,000.00, 70 from
    1,000.00 to below 10,000.00, 100 from 10,000.00.

    Args:
        principal: the late invoice's (GB: debt's) amount, in EUR (GB: GBP).
        jurisdiction: the jurisdiction code (``"UK"`` is accepted for GB).
        profile: the debtor's profile.
        on: the day the claim arose (for DE: the day the obligation arose).

    Returns:
        The compensation.

    Raises:
        NoStatutoryRuleError: the debtor is a consumer, or ``on`` is before
            the rule came into force (EU, NL, FR, BE: 2013-03-16; DE:
            2014-07-29; GB: 2002-08-07).
        CurrencyMismatchError: the principal is not in the rule's currency.
        InvalidFieldError: the principal is not above zero.
        UnknownJurisdictionError: an unknown jurisdiction code.

    >>> from arpolicy import Money, Profile
    >>> fixed_compensation(
    ...     Money("999.99", "GBP"), jurisdiction="UK", profile=Profile.BUSINESS, on=date(2026, 1, 5)
    ... )
    Money('40.00', 'GBP')
    >>> fixed_compensation(
    ...     Money("120.00", "EUR"),
    ...     jurisdiction="DE",
    ...     profile=Profile.GOVERNMENT,
    ...     on=date(2026, 1, 5),
    ... )
    Money('40.00', 'EUR')
    """
    amount = _check_principal("fixed compensation", principal)
    code = resolve(jurisdiction)
    who = to_profile(profile)
    if isinstance(on, datetime) or not isinstance(on, date):
        raise InvalidFieldError("fixed compensation", "on", on, "expected a date")
    if who is Profile.PRIVATE:
        raise NoStatutoryRuleError(code, who, "no statutory fixed compensation from consumers")
    rule = _FIXED[code]
    if on < rule.since:
        raise NoStatutoryRuleError(
            code, who, f"the statutory fixed compensation applies from {rule.since}, not on {on}"
        )
    if amount.currency != rule.currency:
        raise CurrencyMismatchError(
            amount.currency, rule.currency, f"apply the {code} fixed compensation to"
        )
    result = rule.bands[0][1]
    for threshold, value in rule.bands:
        if amount.amount >= threshold:
            result = value
    return Money(result, rule.currency)


def _wik(principal: Decimal) -> Decimal:
    rest = principal
    total = Decimal(0)
    for width, percent in _WIK_BANDS:
        part = rest if width is None else min(rest, width)
        total += part * percent / 100
        rest -= part
        if rest <= 0:
            break
    return min(max(total, WIK_MINIMUM), WIK_MAXIMUM)


def collection_costs(
    principal: Money, *, jurisdiction: str, profile: Profile, vat: Decimal | None = None
) -> Money:
    """The statutory (maximum) extrajudicial collection costs on ``principal``.

    * NL, every profile: the WIK scale. 15% of the first EUR 2,500, 10% of
      the next 2,500, 5% of the next 5,000, 1% of the next 190,000 and 0.5%
      of the rest; at least EUR 40, at most EUR 6,775. ``vat`` (a
      percentage such as ``Decimal("21")``) is added on top only when given:
      only a creditor that cannot deduct VAT, and says so, may add it. The
      figure is computed exactly and rounded half-up to the cent once.
      Several claims against one consumer are demanded in one letter: pass
      the sum of their principals.
    * BE, consumers: the cap on the penalty by outstanding balance. Up to
      EUR 150.00: 20; 150.01 to 500.00: 30 + 10% of the part above 150;
      above 500: 65 + 5% of the part above 500, at most 2,000. ``vat`` is
      not accepted.

    Args:
        principal: the unpaid principal (BE: the outstanding balance), in EUR.
        jurisdiction: ``"NL"`` or ``"BE"`` (others have no scale).
        profile: the debtor's profile.
        vat: a VAT percentage to add (NL only), or ``None``.

    Returns:
        The costs, rounded half-up to the cent.

    Raises:
        NoStatutoryScaleError: no statutory scale for this jurisdiction and
            profile (it names both).
        CurrencyMismatchError: the principal is not in EUR.
        InvalidFieldError: the principal is not above zero, or ``vat`` is
            negative, not a Decimal, or given for BE.
        UnknownJurisdictionError: an unknown jurisdiction code.

    >>> from arpolicy import Money, Profile
    >>> collection_costs(Money("3000.00", "EUR"), jurisdiction="NL", profile=Profile.PRIVATE)
    Money('425.00', 'EUR')
    >>> collection_costs(
    ...     Money("3000.00", "EUR"), jurisdiction="NL", profile=Profile.BUSINESS, vat=Decimal(21)
    ... )
    Money('514.25', 'EUR')
    >>> collection_costs(Money("600.00", "EUR"), jurisdiction="BE", profile=Profile.PRIVATE)
    Money('70.00', 'EUR')
    """
    amount = _check_principal("collection costs", principal)
    code = resolve(jurisdiction)
    who = to_profile(profile)
    if vat is not None:
        given: object = vat
        if isinstance(given, bool) or not isinstance(given, Decimal | int):
            raise InvalidFieldError(
                "collection costs",
                "vat",
                vat,
                "expected a Decimal percentage such as Decimal('21')",
            )
        vat = Decimal(given)
        if not vat.is_finite() or vat < 0:
            raise InvalidFieldError("collection costs", "vat", vat, "must be a percentage >= 0")
    if code == "NL":
        scale = "WIK"
        exact = _wik(amount.amount)
        if vat is not None:
            exact = exact * (100 + vat) / 100
    elif code == "BE" and who is Profile.PRIVATE:
        scale = "Belgian consumer cap"
        if vat is not None:
            raise InvalidFieldError(
                "collection costs", "vat", vat, "VAT is added only to the Dutch WIK scale"
            )
        exact = be._consumer_cap(amount.amount)
    else:
        raise NoStatutoryScaleError(code, who)
    if amount.currency != "EUR":
        raise CurrencyMismatchError(amount.currency, "EUR", f"apply the {scale} to")
    return Money(exact, "EUR")
