"""The jurisdiction packs by code, and the country -> jurisdiction mapping."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Final

from ..errors import UnknownJurisdictionError
from ..model import Profile
from . import be, de, eu, fr, gb, nl
from ._core import Jurisdiction, Rule

__all__ = ["jurisdiction", "jurisdiction_for_country"]

_RULES: Final[Mapping[str, Callable[[Profile, date], Rule | None]]] = MappingProxyType(
    {
        "EU": eu._rule,
        "NL": nl._rule,
        "DE": de._rule,
        "GB": gb._rule,
        "FR": fr._rule,
        "BE": be._rule,
    }
)

_JURISDICTIONS: Final[Mapping[str, Jurisdiction]] = MappingProxyType(
    {
        found.code: found
        for found in (
            eu.JURISDICTION,
            nl.JURISDICTION,
            de.JURISDICTION,
            gb.JURISDICTION,
            fr.JURISDICTION,
            be.JURISDICTION,
        )
    }
)

_ALIASES: Final = MappingProxyType({"UK": "GB"})

EU_MEMBER_STATES: Final = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip
"""ISO 3166-1 alpha-2 codes of the 27 EU member states."""


def resolve(code: object) -> str:
    """The canonical jurisdiction code for ``code`` (``"UK"`` is ``"GB"``)."""
    if isinstance(code, str):
        key = _ALIASES.get(code.strip().upper(), code.strip().upper())
        if key in _JURISDICTIONS:
            return key
    raise UnknownJurisdictionError(
        code, f"expected one of {', '.join(sorted(_JURISDICTIONS))} (or 'UK' for 'GB')"
    )


def rule_for(code: str, profile: Profile, obligation_date: date) -> Rule | None:
    """The interest rule of jurisdiction ``code`` (already resolved) for ``profile``."""
    return _RULES[code](profile, obligation_date)


def jurisdiction(code: str) -> Jurisdiction:
    """The facts arpolicy knows about jurisdiction ``code``.

    Args:
        code: ``"EU"`` (the baseline of Directive 2011/7/EU), ``"NL"``,
            ``"DE"``, ``"GB"`` (``"UK"`` is accepted), ``"FR"`` or ``"BE"``;
            case-insensitive.

    Returns:
        The :class:`~arpolicy.law.Jurisdiction`.

    Raises:
        UnknownJurisdictionError: no pack has this code.

    >>> jurisdiction("uk").code
    'GB'
    >>> jurisdiction("NL").compounding
    <Compounding.YEARLY: 'yearly'>
    >>> jurisdiction("FR").interest_rule("private") is None
    True
    """
    return _JURISDICTIONS[resolve(code)]


def jurisdiction_for_country(country: str) -> str:
    """The jurisdiction code whose rules apply to a debtor in ``country``.

    Args:
        country: an ISO 3166-1 alpha-2 code (case-insensitive; ``"UK"`` is
            accepted for ``"GB"``).

    Returns:
        ``"NL"``, ``"DE"``, ``"GB"``, ``"FR"`` or ``"BE"`` for those
        countries, ``"EU"`` for any other EU member state.

    Raises:
        UnknownJurisdictionError: the country has no pack and is not in the EU.

    >>> jurisdiction_for_country("de"), jurisdiction_for_country("IT")
    ('DE', 'EU')
    >>> jurisdiction_for_country("US")
    Traceback (most recent call last):
      ...
    arpolicy.errors.UnknownJurisdictionError: unknown jurisdiction 'US': no pack ...
    """
    if isinstance(country, str):
        key = _ALIASES.get(country.strip().upper(), country.strip().upper())
        if key in _JURISDICTIONS and key != "EU":
            return key
        if key in EU_MEMBER_STATES:
            return "EU"
    raise UnknownJurisdictionError(
        country, "no pack for this country and it is not an EU member state"
    )
