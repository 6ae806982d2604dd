"""Fixed compensation and statutory collection-cost scales (NL WIK, BE consumer caps)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arpolicy.errors import CurrencyMismatchError, InvalidFieldError
from arpolicy.law import (
    NoStatutoryRuleError,
    NoStatutoryScaleError,
    UnknownJurisdictionError,
    collection_costs,
    fixed_compensation,
)
from arpolicy.model import Profile
from arpolicy.money import Money

VAT = Decimal(21)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


# ---------------------------------------------------------------------------
# NL: the WIK scale
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "costs", "with_vat"),
    [
        # minimum: 15% x 100 = 15.00 -> 40.00; with VAT 40 x 1.21 = 48.40
        ("100.00", "40.00", "48.40"),
        # 15% x 266.66 = 39.999 -> minimum 40.00
        ("266.66", "40.00", "48.40"),
        # 15% x 266.70 = 40.005 (exact) -> 40.01 half-up; VAT 40.005 x 1.21 = 48.40605 -> 48.41
        ("266.70", "40.01", "48.41"),
        # first band edge: 15% x 2500 = 375.00; VAT 453.75
        ("2500.00", "375.00", "453.75"),
        # 375 + 10% x 0.05 = 375.005 -> 375.01; VAT 375.005 x 1.21 = 453.75605 -> 453.76
        ("2500.05", "375.01", "453.76"),
        # second edge: 375 + 10% x 2500 = 625.00; VAT 756.25
        ("5000.00", "625.00", "756.25"),
        # 625 + 5% x 0.01 = 625.0005 -> 625.00
        ("5000.01", "625.00", "756.25"),
        # third edge: 625 + 5% x 5000 = 875.00; VAT 1058.75
        ("10000.00", "875.00", "1058.75"),
        # 875 + 1% x 0.50 = 875.005 -> 875.01
        ("10000.50", "875.01", "1058.76"),
        # fourth edge: 875 + 1% x 190000 = 2775.00; VAT 3357.75
        ("200000.00", "2775.00", "3357.75"),
        # 2775 + 0.5% x 100 = 2775.50; VAT 3358.355 -> 3358.36
        ("200100.00", "2775.50", "3358.36"),
        # maximum reached at 200000 + 4000 / 0.5% = 1,000,000: 6775.00; VAT 8197.75
        ("1000000.00", "6775.00", "8197.75"),
        ("5000000.00", "6775.00", "8197.75"),
    ],
)
@pytest.mark.parametrize("profile", list(Profile))
def test_wik_scale(principal: str, costs: str, with_vat: str, profile: Profile) -> None:
    assert collection_costs(eur(principal), jurisdiction="NL", profile=profile) == eur(costs)
    assert collection_costs(eur(principal), jurisdiction="NL", profile=profile, vat=VAT) == eur(
        with_vat
    )


def test_wik_vat_zero_is_the_scale_itself() -> None:
    assert collection_costs(
        eur("3000.00"), jurisdiction="NL", profile=Profile.BUSINESS, vat=Decimal(0)
    ) == eur("425.00")  # 375 + 10% x 500
    # an int percentage is exact too: 425 x 1.21 = 514.25
    assert collection_costs(
        eur("3000.00"),
        jurisdiction="NL",
        profile=Profile.BUSINESS,
        vat=21,  # type: ignore[arg-type]
    ) == eur("514.25")


@pytest.mark.parametrize("vat", [Decimal(-1), 21.0, True, "21", Decimal("NaN")])
def test_wik_bad_vat(vat: object) -> None:
    with pytest.raises(InvalidFieldError) as info:
        collection_costs(eur("100.00"), jurisdiction="NL", profile=Profile.PRIVATE, vat=vat)  # type: ignore[arg-type]
    assert info.value.field == "vat"


def test_wik_is_in_euro() -> None:
    with pytest.raises(CurrencyMismatchError):
        collection_costs(Money("100.00", "USD"), jurisdiction="NL", profile=Profile.PRIVATE)


@pytest.mark.parametrize("principal", ["0.00", "-5.00"])
def test_costs_need_a_positive_principal(principal: str) -> None:
    with pytest.raises(InvalidFieldError):
        collection_costs(eur(principal), jurisdiction="NL", profile=Profile.PRIVATE)


# ---------------------------------------------------------------------------
# BE: consumer caps
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "cap"),
    [
        ("0.01", "20.00"),
        ("150.00", "20.00"),  # up to 150 -> 20
        ("150.01", "30.00"),  # 30 + 10% x 0.01 = 30.001 -> 30.00
        ("155.00", "30.50"),  # 30 + 10% x 5
        ("500.00", "65.00"),  # 30 + 10% x 350 = 65
        ("500.01", "65.00"),  # 65 + 5% x 0.01 = 65.0005 -> 65.00
        ("500.10", "65.01"),  # 65 + 5% x 0.10 = 65.005 -> 65.01 (half-up)
        ("600.00", "70.00"),  # 65 + 5% x 100
        ("39199.00", "1999.95"),  # 65 + 5% x 38699 = 1999.95
        ("39200.00", "2000.00"),  # 65 + 5% x 38700 = 2000: the cap
        ("39200.01", "2000.00"),
        ("1000000.00", "2000.00"),
    ],
)
def test_be_consumer_caps(balance: str, cap: str) -> None:
    assert collection_costs(eur(balance), jurisdiction="BE", profile=Profile.PRIVATE) == eur(cap)


def test_be_caps_take_no_vat() -> None:
    with pytest.raises(InvalidFieldError) as info:
        collection_costs(eur("200.00"), jurisdiction="BE", profile=Profile.PRIVATE, vat=VAT)
    assert info.value.field == "vat"


@pytest.mark.parametrize(
    ("code", "profile"),
    [
        ("BE", Profile.BUSINESS),
        ("BE", Profile.GOVERNMENT),
        ("DE", Profile.PRIVATE),
        ("DE", Profile.BUSINESS),
        ("EU", Profile.BUSINESS),
        ("FR", Profile.BUSINESS),
        ("GB", Profile.BUSINESS),
    ],
)
def test_no_scale_elsewhere(code: str, profile: Profile) -> None:
    with pytest.raises(NoStatutoryScaleError) as info:
        collection_costs(eur("200.00"), jurisdiction=code, profile=profile)
    assert (info.value.jurisdiction, info.value.profile) == (code, profile.value)
    assert code in str(info.value)
    assert profile.value in str(info.value)


# ---------------------------------------------------------------------------
# fixed compensation
# ---------------------------------------------------------------------------

ON = date(2026, 1, 15)


@pytest.mark.parametrize("code", ["EU", "NL", "DE", "FR", "BE"])
@pytest.mark.parametrize("profile", [Profile.BUSINESS, Profile.GOVERNMENT])
def test_eur_40_per_invoice(code: str, profile: Profile) -> None:
    for principal in ("0.01", "99999.00"):
        assert fixed_compensation(eur(principal), jurisdiction=code, profile=profile, on=ON) == eur(
            "40.00"
        )


@pytest.mark.parametrize(
    ("principal", "fixed"),
    [
        ("0.01", "40.00"),
        ("999.99", "40.00"),
        ("1000.00", "70.00"),
        ("9999.99", "70.00"),
        ("10000.00", "100.00"),
        ("250000.00", "100.00"),
    ],
)
def test_gb_fixed_sums(principal: str, fixed: str) -> None:
    assert fixed_compensation(
        Money(principal, "GBP"), jurisdiction="GB", profile=Profile.BUSINESS, on=ON
    ) == Money(fixed, "GBP")


@pytest.mark.parametrize("code", ["EU", "NL", "DE", "GB", "FR", "BE"])
def test_no_fixed_compensation_from_consumers(code: str) -> None:
    currency = "GBP" if code == "GB" else "EUR"
    with pytest.raises(NoStatutoryRuleError) as info:
        fixed_compensation(
            Money("100.00", currency), jurisdiction=code, profile=Profile.PRIVATE, on=ON
        )
    assert info.value.profile == "private"


@pytest.mark.parametrize(
    ("code", "currency"),
    [("NL", "GBP"), ("DE", "USD"), ("GB", "EUR"), ("UK", "EUR")],
)
def test_fixed_compensation_currency(code: str, currency: str) -> None:
    with pytest.raises(CurrencyMismatchError):
        fixed_compensation(
            Money("100.00", currency), jurisdiction=code, profile=Profile.BUSINESS, on=ON
        )


@pytest.mark.parametrize(
    ("code", "currency", "since"),
    [
        ("EU", "EUR", date(2013, 3, 16)),
        ("NL", "EUR", date(2013, 3, 16)),
        ("FR", "EUR", date(2013, 3, 16)),
        ("BE", "EUR", date(2013, 3, 16)),
        ("DE", "EUR", date(2014, 7, 29)),
        ("GB", "GBP", date(2002, 8, 7)),
    ],
)
def test_fixed_compensation_in_force_from(code: str, currency: str, since: date) -> None:
    principal = Money("100.00", currency)
    assert fixed_compensation(principal, jurisdiction=code, profile=Profile.BUSINESS, on=since)
    before = date.fromordinal(since.toordinal() - 1)
    with pytest.raises(NoStatutoryRuleError) as info:
        fixed_compensation(principal, jurisdiction=code, profile=Profile.BUSINESS, on=before)
    assert str(since) in str(info.value)


def test_fixed_compensation_bad_input() -> None:
    with pytest.raises(UnknownJurisdictionError):
        fixed_compensation(eur("1.00"), jurisdiction="XX", profile=Profile.BUSINESS, on=ON)
    with pytest.raises(InvalidFieldError):
        fixed_compensation(eur("0.00"), jurisdiction="NL", profile=Profile.BUSINESS, on=ON)
