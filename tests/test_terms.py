"""PaymentTerms: due dates, discounts, deposits and validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arpolicy import EndOfMonth, InvalidFieldError, Money, PaymentTerms


@pytest.mark.parametrize(
    ("terms", "issued", "due"),
    [
        # net 30: 10 March + 30 days = 9 April (21 days left in March, 9 in April)
        (PaymentTerms(net_days=30), date(2026, 3, 10), date(2026, 4, 9)),
        # net 30 across the year end: 15 Dec + 30 = 14 Jan
        (PaymentTerms(net_days=30), date(2025, 12, 15), date(2026, 1, 14)),
        # net 0: due on the issue date
        (PaymentTerms(net_days=0), date(2026, 3, 10), date(2026, 3, 10)),
        # net 1 month from 31 Jan: February has no 31st, clamp to 28 Feb (2026)
        (PaymentTerms(net_days=0, net_months=1), date(2026, 1, 31), date(2026, 2, 28)),
        # ... and to 29 Feb in the leap year 2028
        (PaymentTerms(net_days=0, net_months=1), date(2028, 1, 31), date(2028, 2, 29)),
        # net 1 month from 15 Jan: 15 Feb
        (PaymentTerms(net_days=0, net_months=1), date(2026, 1, 15), date(2026, 2, 15)),
        # 1 month + 10 days from 31 Jan: 28 Feb + 10 = 10 March
        (PaymentTerms(net_days=10, net_months=1), date(2026, 1, 31), date(2026, 3, 10)),
        # 2 months from 31 Dec: 28 Feb of the next year
        (PaymentTerms(net_days=0, net_months=2), date(2025, 12, 31), date(2026, 2, 28)),
    ],
)
def test_due_date_net(terms: PaymentTerms, issued: date, due: date) -> None:
    assert terms.due_date(issued) == due


AFTER = EndOfMonth.AFTER_NET
BEFORE = EndOfMonth.BEFORE_NET


@pytest.mark.parametrize(
    ("terms", "issued", "due"),
    [
        # AFTER_NET "30 days end of month": 10 Mar + 30 = 9 Apr -> end of April
        (PaymentTerms(net_days=30, end_of_month=AFTER), date(2026, 3, 10), date(2026, 4, 30)),
        # 31 Mar + 30 = 30 Apr -> end of April
        (PaymentTerms(net_days=30, end_of_month=AFTER), date(2026, 3, 31), date(2026, 4, 30)),
        # 1 Apr + 30 = 1 May -> end of May
        (PaymentTerms(net_days=30, end_of_month=AFTER), date(2026, 4, 1), date(2026, 5, 31)),
        # year change: 10 Dec + 30 = 9 Jan 2026 -> 31 Jan 2026
        (PaymentTerms(net_days=30, end_of_month=AFTER), date(2025, 12, 10), date(2026, 1, 31)),
        # net 0, end of month: the end of the issue month
        (PaymentTerms(net_days=0, end_of_month=AFTER), date(2026, 2, 3), date(2026, 2, 28)),
        # 1 month end of month from 31 Jan 2028: 29 Feb (leap) is already the end
        (
            PaymentTerms(net_days=0, net_months=1, end_of_month=AFTER),
            date(2028, 1, 31),
            date(2028, 2, 29),
        ),
        # BEFORE_NET "end of month + 30 days": 10 Mar -> 31 Mar + 30 = 30 Apr
        (PaymentTerms(net_days=30, end_of_month=BEFORE), date(2026, 3, 10), date(2026, 4, 30)),
        # 31 Mar -> 31 Mar + 30 = 30 Apr
        (PaymentTerms(net_days=30, end_of_month=BEFORE), date(2026, 3, 31), date(2026, 4, 30)),
        # 1 Apr -> 30 Apr + 30 = 30 May
        (PaymentTerms(net_days=30, end_of_month=BEFORE), date(2026, 4, 1), date(2026, 5, 30)),
        # year change: 10 Dec -> 31 Dec + 30 = 30 Jan of the next year
        (PaymentTerms(net_days=30, end_of_month=BEFORE), date(2025, 12, 10), date(2026, 1, 30)),
        # 15 Dec -> 31 Dec + 15 = 15 Jan
        (PaymentTerms(net_days=15, end_of_month=BEFORE), date(2025, 12, 15), date(2026, 1, 15)),
        # BEFORE_NET with months: 15 Jan -> 31 Jan -> +1 month, end: 28 Feb -> + 10 = 10 Mar
        (
            PaymentTerms(net_days=10, net_months=1, end_of_month=BEFORE),
            date(2026, 1, 15),
            date(2026, 3, 10),
        ),
        # 10 Nov -> 30 Nov -> +2 months, end: 31 Jan 2026 -> + 0
        (
            PaymentTerms(net_days=0, net_months=2, end_of_month=BEFORE),
            date(2025, 11, 10),
            date(2026, 1, 31),
        ),
    ],
)
def test_due_date_end_of_month(terms: PaymentTerms, issued: date, due: date) -> None:
    assert terms.due_date(issued) == due


def test_end_of_month_from_string() -> None:
    assert PaymentTerms(end_of_month="after_net").end_of_month is EndOfMonth.AFTER_NET


def test_default_terms_are_net_30() -> None:
    terms = PaymentTerms()
    assert terms.due_date(date(2026, 1, 1)) == date(2026, 1, 31)  # 1 + 30
    assert terms.discount_deadline(date(2026, 1, 1)) is None
    assert terms.discount(Money("100.00", "EUR")) == Money(0, "EUR")
    assert terms.deposit(Money("100", "JPY")) == Money(0, "JPY")


def test_discount_deadline_and_amount() -> None:
    terms = PaymentTerms(net_days=30, discount_percent=Decimal(2), discount_days=7)
    # 28 Jan + 7 days = 4 Feb
    assert terms.discount_deadline(date(2026, 1, 28)) == date(2026, 2, 4)
    # 2 % of 1,234.56 = 24.6912 -> 24.69 (half up to cents)
    assert terms.discount(Money("1234.56", "EUR")) == Money("24.69", "EUR")
    # 2 % of 0.25 = 0.005 -> 0.01 (half up, not half even)
    assert terms.discount(Money("0.25", "EUR")) == Money("0.01", "EUR")
    # 2 % of 1,234 JPY = 24.68 -> 25 (no minor unit)
    assert terms.discount(Money("1234", "JPY")) == Money("25", "JPY")
    # 2 % of 1.234 KWD = 0.02468 -> 0.025 (three decimals)
    assert terms.discount(Money("1.234", "KWD")) == Money("0.025", "KWD")


def test_discount_days_zero_means_same_day_only() -> None:
    terms = PaymentTerms(discount_percent=Decimal("1.5"), discount_days=0)
    assert terms.discount_deadline(date(2026, 5, 5)) == date(2026, 5, 5)
    # 1.5 % of 200.00 = 3.00
    assert terms.discount(Money("200.00", "EUR")) == Money("3.00", "EUR")


def test_deposit_share() -> None:
    terms = PaymentTerms(deposit_percent=Decimal(30))
    # 30 % of 1,000.00 = 300.00
    assert terms.deposit(Money("1000.00", "EUR")) == Money("300.00", "EUR")
    # 30 % of 333.35 = 100.005 -> 100.01 (half up)
    assert terms.deposit(Money("333.35", "EUR")) == Money("100.01", "EUR")
    # 100 % is the whole amount
    full = PaymentTerms(deposit_percent=Decimal(100))
    assert full.deposit(Money("99.99", "GBP")) == Money("99.99", "GBP")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"discount_percent": Decimal(2)}, "discount_days"),  # percent without days
        ({"discount_days": 7}, "discount_days"),  # days without percent
        ({"discount_percent": Decimal(0), "discount_days": 7}, "discount_percent"),
        ({"discount_percent": Decimal("100.01"), "discount_days": 7}, "discount_percent"),
        ({"discount_percent": Decimal("NaN"), "discount_days": 7}, "discount_percent"),
        ({"discount_percent": 2, "discount_days": 7}, "discount_percent"),  # not a Decimal
        ({"discount_percent": Decimal(2), "discount_days": -1}, "discount_days"),
        ({"deposit_percent": Decimal(0)}, "deposit_percent"),
        ({"deposit_percent": Decimal(101)}, "deposit_percent"),
        ({"net_days": -1}, "net_days"),
        ({"net_months": -1}, "net_months"),
        ({"net_days": True}, "net_days"),  # a bool is not a number of days
        ({"net_days": 1.5}, "net_days"),
    ],
)
def test_terms_validation(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidFieldError) as info:
        PaymentTerms(**kwargs)  # type: ignore[arg-type]
    assert (info.value.kind, info.value.field) == ("payment_terms", field)
