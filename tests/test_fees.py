"""Contractual fee rules, tiers and caps (arpolicy.fees)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arpolicy.errors import InvalidFieldError
from arpolicy.fees import (
    Charge,
    ChargeKind,
    Fee,
    FeeBasis,
    FeeCaps,
    FeeContext,
    FeeItem,
    Tier,
    TieredFee,
    apply_caps,
)
from arpolicy.model import Profile
from arpolicy.money import Money

DAY = date(2026, 3, 2)


def eur(text: str) -> Money:
    return Money(text, "EUR")


def context(*amounts: str, repeat: int = 0, currency: str = "EUR") -> FeeContext:
    items = tuple(
        FeeItem(f"I{n}", Money(a, currency), date(2026, 1, 30)) for n, a in enumerate(amounts, 1)
    )
    return FeeContext(
        customer_id="C1",
        profile=Profile.BUSINESS,
        country="NL",
        jurisdiction="NL",
        date=DAY,
        step="reminder",
        currency=currency,
        items=items,
        repeat=repeat,
    )


def test_fixed_fee_per_notice_is_charged_once() -> None:
    result = Fee(name="admin", fixed=[eur("7.50")]).charges(context("100.00", "200.00"))
    assert [(c.kind, c.name, c.amount, c.invoice_id) for c in result.charges] == [
        (ChargeKind.FEE, "admin", eur("7.50"), None)
    ]
    assert result.charges[0].rule == "fixed 7.50 EUR per notice"


def test_percent_fee_per_invoice_with_minimum_and_maximum() -> None:
    # 1% of 100.00 = 1.00 -> raised to the minimum 5.00;
    # 1% of 2,000.00 = 20.00 -> within bounds;
    # 1% of 9,000.00 = 90.00 -> lowered to the maximum 50.00.
    fee = Fee(percent=Decimal("1"), minimum=[eur("5")], maximum=[eur("50")], basis=FeeBasis.INVOICE)
    result = fee.charges(context("100.00", "2000.00", "9000.00"))
    assert [(c.invoice_id, c.amount) for c in result.charges] == [
        ("I1", eur("5.00")),
        ("I2", eur("20.00")),
        ("I3", eur("50.00")),
    ]
    assert all(c.rate == "1%" for c in result.charges)


def test_percent_is_rounded_half_up_to_the_cent() -> None:
    # 1.5% of 100.33 = 1.50495 -> 1.50; 1.5% of 100.70 = 1.5105 -> 1.51
    fee = Fee(percent=Decimal("1.5"))
    assert fee.amount(eur("100.33")) == eur("1.50")
    assert fee.amount(eur("100.70")) == eur("1.51")


def test_fee_for_another_currency_charges_nothing() -> None:
    result = Fee(fixed=[eur("7.50")]).charges(context("100", currency="GBP"))
    assert result.charges == ()


def test_repeated_step_charges_no_fee_again() -> None:
    result = Fee(fixed=[eur("7.50")]).charges(context("100.00", repeat=1))
    assert result.charges == ()
    assert [n.code for n in result.notes] == ["fee_not_repeated"]


def test_tiers_pick_the_highest_threshold_reached() -> None:
    fee = TieredFee(
        name="reminder fee",
        tiers=[
            Tier(threshold=[eur("0")], fixed=[eur("5")]),
            Tier(threshold=[eur("1000")], percent=Decimal("1"), maximum=[eur("50")]),
            Tier(threshold=[eur("10000")], fixed=[eur("60")], percent=Decimal("0.1")),
        ],
    )
    # 999.99 -> first tier: 5.00; 1,000.00 -> 1% = 10.00; 5,500.00 -> 55.00 capped at 50.00;
    # 10,000.00 -> 60.00 + 0.1% = 70.00
    assert fee.amount(eur("999.99")) == eur("5.00")
    assert fee.amount(eur("1000.00")) == eur("10.00")
    assert fee.amount(eur("5500.00")) == eur("50.00")
    assert fee.amount(eur("10000.00")) == eur("70.00")
    assert fee.amount(Money("10000", "GBP")) == Money("0", "GBP")


def test_tier_below_every_threshold_is_free() -> None:
    fee = TieredFee(tiers=[Tier(threshold=[eur("50")], fixed=[eur("5")])])
    assert fee.charges(context("49.99")).charges == ()
    assert [c.amount for c in fee.charges(context("50.00")).charges] == [eur("5.00")]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Fee(percent=Decimal("-1")), "percent"),
        (lambda: Fee(fixed=[eur("-1")]), "amounts"),
        (lambda: Fee(minimum=[eur("10")], maximum=[eur("5")]), "maximum"),
        (lambda: TieredFee(tiers=[]), "tiers"),
        (lambda: Tier(threshold=[eur("0")]), "fixed"),
        (
            lambda: TieredFee(
                tiers=[
                    Tier(threshold=[eur("5")], fixed=[eur("1")]),
                    Tier(threshold=[eur("5")], fixed=[eur("2")]),
                ]
            ),
            "tiers",
        ),
        (lambda: FeeCaps(per_invoice=[eur("-1")]), "amounts"),
    ],
)
def test_bad_fee_rules_are_refused(build: object, field: str) -> None:
    with pytest.raises(InvalidFieldError) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field


def _fee(amount: str, invoice_id: str | None = None) -> Charge:
    return Charge(ChargeKind.FEE, "fee", eur(amount), "rule", invoice_id=invoice_id)


def test_caps_lower_fees_against_earlier_fees() -> None:
    caps = FeeCaps(per_invoice=[eur("20")], per_customer=[eur("30")])
    # I1 already carries 15.00 of fees: room 5.00 on it; the customer has 25.00: room 5.00.
    result = apply_caps(
        [_fee("10.00", "I1"), _fee("10.00", "I2")],
        caps,
        currency="EUR",
        invoice_ids=["I1", "I2"],
        earlier_customer=eur("25"),
        earlier_by_invoice={"I1": eur("15"), "I2": eur("0")},
    )
    assert [(c.invoice_id, c.amount) for c in result.charges] == [("I1", eur("5.00"))]
    assert [n.code for n in result.notes] == ["fee_capped", "fee_capped"]


def test_caps_leave_statutory_charges_alone() -> None:
    interest = Charge(ChargeKind.INTEREST, "interest", eur("99"), "NL", invoice_id="I1")
    result = apply_caps(
        [interest],
        FeeCaps(per_invoice=[eur("1")]),
        currency="EUR",
        invoice_ids=["I1"],
        earlier_customer=eur("0"),
        earlier_by_invoice={},
    )
    assert result.charges == (interest,)


_cents = st.integers(min_value=0, max_value=10**7)


@given(
    fees=st.lists(st.tuples(_cents, st.sampled_from(["I1", "I2", None])), max_size=6),
    invoice_cap=st.none() | _cents,
    customer_cap=st.none() | _cents,
    earlier=st.dictionaries(st.sampled_from(["I1", "I2"]), _cents),
)
def test_capped_fees_are_never_negative_and_never_exceed_the_caps(
    fees: list[tuple[int, str | None]],
    invoice_cap: int | None,
    customer_cap: int | None,
    earlier: dict[str, int],
) -> None:
    def m(cents: int) -> Money:
        return Money.from_minor(cents, "EUR")

    caps = FeeCaps(
        per_invoice=[] if invoice_cap is None else [m(invoice_cap)],
        per_customer=[] if customer_cap is None else [m(customer_cap)],
    )
    earlier_total = sum(earlier.values())
    result = apply_caps(
        [Charge(ChargeKind.FEE, "f", m(c), "r", invoice_id=i) for c, i in fees],
        caps,
        currency="EUR",
        invoice_ids=["I1", "I2"],
        earlier_customer=m(earlier_total),
        earlier_by_invoice={k: m(v) for k, v in earlier.items()},
    )
    assert all(c.amount.minor_units > 0 for c in result.charges)
    new_total = sum(c.amount.minor_units for c in result.charges)
    if customer_cap is not None:
        assert new_total <= max(customer_cap - earlier_total, 0)
    if invoice_cap is not None:
        for iid in ("I1", "I2"):
            on_invoice = sum(
                c.amount.minor_units for c in result.charges if c.invoice_id in (iid, None)
            )
            assert on_invoice <= max(invoice_cap - earlier.get(iid, 0), 0)
    # never more than asked for
    assert new_total <= sum(c for c, _ in fees)


@given(
    amount=st.integers(min_value=0, max_value=10**9),
    percent=st.decimals(min_value=0, max_value=100, places=2),
    fixed=st.integers(min_value=0, max_value=10**5),
)
def test_fees_are_never_negative(amount: int, percent: Decimal, fixed: int) -> None:
    fee = Fee(fixed=[Money.from_minor(fixed, "EUR")], percent=percent)
    assert not fee.amount(Money.from_minor(amount, "EUR")).is_negative()
