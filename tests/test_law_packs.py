"""Jurisdictions, the country mapping and the country-specific date rules."""

from __future__ import annotations

from datetime import date

import pytest

from arpolicy.law import (
    EU_MEMBER_STATES,
    Compounding,
    Jurisdiction,
    UnknownJurisdictionError,
    be,
    de,
    jurisdiction,
    jurisdiction_for_country,
    nl,
)
from arpolicy.model import Profile


@pytest.mark.parametrize("code", ["EU", "NL", "DE", "GB", "FR", "BE"])
def test_every_jurisdiction_is_described(code: str) -> None:
    found = jurisdiction(code)
    assert isinstance(found, Jurisdiction)
    assert found.code == code
    assert found.name
    assert found.sources
    assert found.default_term_days == 30
    assert found.business_rule is not None
    assert found.government_rule is not None


@pytest.mark.parametrize(
    ("code", "consumer", "business", "compounding"),
    [
        ("EU", None, "EU Directive 2011/7/EU art. 3", Compounding.SIMPLE),
        ("NL", "NL art. 6:119 BW", "NL art. 6:119a BW", Compounding.YEARLY),
        ("DE", "DE §288(1) BGB", "DE §288(2) BGB", Compounding.SIMPLE),
        ("GB", None, "GB Late Payment of Commercial Debts (Interest) Act 1998", "simple"),
        ("FR", None, "FR art. L441-10 C. com.", Compounding.SIMPLE),
        ("BE", None, "BE Law of 2 August 2002", Compounding.SIMPLE),
    ],
)
def test_interest_rules_per_profile(
    code: str, consumer: str | None, business: str, compounding: str
) -> None:
    found = jurisdiction(code)
    assert found.interest_rule(Profile.PRIVATE) == consumer
    assert found.interest_rule(Profile.BUSINESS) == business
    assert found.interest_rule("business") == business
    assert found.compounding == compounding


def test_terms() -> None:
    assert jurisdiction("EU").max_term_days_business == 60
    assert jurisdiction("EU").max_term_days_public == 60
    assert jurisdiction("FR").max_term_days_business == 60
    assert jurisdiction("GB").max_term_days_business is None


@pytest.mark.parametrize("code", ["UK", "uk", "gb", " GB "])
def test_uk_is_an_alias_of_gb(code: str) -> None:
    assert jurisdiction(code) is jurisdiction("GB")
    assert jurisdiction_for_country(code) == "GB"


@pytest.mark.parametrize("code", ["US", "", "EUR", None, 7])
def test_unknown_jurisdiction(code: object) -> None:
    with pytest.raises(UnknownJurisdictionError) as info:
        jurisdiction(code)  # type: ignore[arg-type]
    assert info.value.code == code


def test_country_mapping() -> None:
    assert len(EU_MEMBER_STATES) == 27
    for country in EU_MEMBER_STATES:
        expected = country if country in {"NL", "DE", "FR", "BE"} else "EU"
        assert jurisdiction_for_country(country) == expected
    assert jurisdiction_for_country("GB") == "GB"
    for country in ("US", "CH", "NO", "EU", "XX"):
        with pytest.raises(UnknownJurisdictionError):
            jurisdiction_for_country(country)


# ---------------------------------------------------------------------------
# NL: presumed receipt and the 14-day term
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "received"),
    [
        (date(2026, 3, 2), date(2026, 3, 4)),  # Mon -> Tue (1), Wed (2)
        (date(2026, 3, 5), date(2026, 3, 7)),  # Thu -> Fri (1), Sat (2): Saturdays count
        (date(2026, 3, 6), date(2026, 3, 10)),  # Fri -> Sat (1), Sun/Mon skipped, Tue (2)
        (date(2026, 3, 7), date(2026, 3, 11)),  # Sat -> Sun/Mon skipped, Tue (1), Wed (2)
        (date(2026, 3, 8), date(2026, 3, 11)),  # Sun -> Mon skipped, Tue (1), Wed (2)
        (date(2026, 4, 1), date(2026, 4, 4)),  # Wed -> Thu (1), Good Friday skipped, Sat (2)
        (date(2026, 5, 12), date(2026, 5, 15)),  # Tue -> Wed (1), Ascension skipped, Fri (2)
        (date(2026, 12, 23), date(2026, 12, 29)),  # Wed -> Thu (1), 25/26 Dec, Sun, Mon; Tue (2)
    ],
)
def test_nl_presumed_receipt(sent: date, received: date) -> None:
    assert nl.presumed_receipt(sent) == received


def test_nl_consumer_letter_term() -> None:
    # sent Fri 6 March 2026, received Tue 10 March; the 14 days are 11 ... 24 March
    assert nl.consumer_letter_term_end(date(2026, 3, 6)) == date(2026, 3, 24)


# ---------------------------------------------------------------------------
# BE: the 14-day wait after a consumer reminder
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "paper", "end"),
    [
        (date(2026, 3, 2), False, date(2026, 3, 16)),  # e-mail: 3 ... 16 March
        (date(2026, 3, 2), True, date(2026, 3, 18)),  # Mon: Tue, Wed, Thu 5th = day 1; 18th
        (date(2026, 3, 6), True, date(2026, 3, 24)),  # Fri: Mon, Tue, Wed 11th = day 1
        # Thu 2 April: Fri 3 (1), Easter Monday skipped, Tue 7 (2), Wed 8 (3) -> 8 ... 21 April
        (date(2026, 4, 2), True, date(2026, 4, 21)),
    ],
)
def test_be_consumer_fee_wait(sent: date, paper: bool, end: date) -> None:
    assert be.consumer_fee_wait_end(sent, paper=paper) == end


# ---------------------------------------------------------------------------
# DE: default of a consumer without a reminder
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "default"),
    [
        (date(2026, 3, 2), date(2026, 4, 2)),  # 30th day Wed 1 April; default from 2 April
        (date(2026, 3, 6), date(2026, 4, 8)),  # 30th day Easter Sunday, Monday too -> Tue 7
        (date(2026, 1, 2), date(2026, 2, 3)),  # 30th day Sun 1 Feb -> Mon 2 Feb
    ],
)
def test_de_consumer_default(due: date, default: date) -> None:
    assert de.consumer_default_date(due, invoice_notice=True) == default
    assert de.consumer_default_date(due, invoice_notice=False) is None
