"""Payment terms codes: parse_terms / format_terms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arpolicy.errors import ArpolicyError, TermsSyntaxError
from arpolicy.io import format_terms, parse_terms
from arpolicy.model import EndOfMonth, PaymentTerms

PERCENTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2, allow_nan=False)


@st.composite
def terms(draw: st.DrawFn) -> PaymentTerms:
    discount = draw(st.none() | PERCENTS)
    return PaymentTerms(
        net_days=draw(st.integers(0, 400)),
        net_months=draw(st.integers(0, 24)),
        end_of_month=draw(st.sampled_from(EndOfMonth)),
        discount_percent=discount,
        discount_days=None if discount is None else draw(st.integers(0, 60)),
        deposit_percent=draw(st.none() | PERCENTS),
    )


@given(terms())
def test_format_then_parse_roundtrips(value: PaymentTerms) -> None:
    text = format_terms(value)
    assert parse_terms(text) == value
    assert format_terms(parse_terms(text)) == text  # canonical form is a fixed point


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("net 30", PaymentTerms(net_days=30)),
        ("net 0", PaymentTerms(net_days=0)),
        ("net 1 month", PaymentTerms(net_days=0, net_months=1)),
        ("net 2 months + 15", PaymentTerms(net_days=15, net_months=2)),
        ("net 30 eom", PaymentTerms(net_days=30, end_of_month=EndOfMonth.AFTER_NET)),
        ("eom net 30", PaymentTerms(net_days=30, end_of_month=EndOfMonth.BEFORE_NET)),
        (
            "2/7 net 30",
            PaymentTerms(net_days=30, discount_percent=Decimal(2), discount_days=7),
        ),
        ("net 14 deposit 30%", PaymentTerms(net_days=14, deposit_percent=Decimal(30))),
        (
            "  2.5 / 10  NET 30 EOM deposit 50 % ",
            PaymentTerms(
                net_days=30,
                end_of_month=EndOfMonth.AFTER_NET,
                discount_percent=Decimal("2.5"),
                discount_days=10,
                deposit_percent=Decimal(50),
            ),
        ),
    ],
)
def test_examples(text: str, expected: PaymentTerms) -> None:
    assert parse_terms(text) == expected


def test_eom_before_and_after_give_the_documented_due_dates() -> None:
    assert parse_terms("net 30 eom").due_date(date(2026, 3, 10)) == date(2026, 4, 30)
    assert parse_terms("eom net 30").due_date(date(2026, 4, 1)) == date(2026, 5, 30)


def test_canonical_form() -> None:
    assert format_terms(parse_terms("NET 1 MONTHS")) == "net 1 month"
    assert format_terms(parse_terms("2.50/7 net 30")) == "2.5/7 net 30"


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        ("", 0, "expected 'net'"),
        ("net", 3, "expected the net days"),
        ("net thirty", 4, "expected the net days"),
        ("net 30 days", 7, "expected 'eom', 'deposit' or the end"),
        ("net 1.5", 4, "whole number"),
        ("eom net 30 eom", 11, "not both"),
        ("2 net 30", 2, "expected '/'"),
        ("net 30 deposit 30", 17, "expected '%'"),
        ("net 30 deposit 150%", 15, "percentage"),
        ("0/7 net 30", 0, "percentage"),
        ("net 30; eom", 6, "unexpected character ';'"),
    ],
)
def test_errors_are_typed_and_point_at_the_problem(text: str, position: int, reason: str) -> None:
    with pytest.raises(TermsSyntaxError) as info:
        parse_terms(text)
    error = info.value
    assert isinstance(error, ArpolicyError)
    assert isinstance(error, ValueError)
    assert (error.text, error.position) == (text, position)
    assert reason in error.reason
