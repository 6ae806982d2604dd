"""Statutory interest: worked examples per jurisdiction, day counts, staleness.

Every expected figure is worked out by hand in a comment: base x rate% x
days / denominator, rounded half-up to the cent per period.
"""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal

import pytest

from arpolicy.errors import InvalidFieldError
from arpolicy.law import (
    DayCount,
    InterestResult,
    MissingRateError,
    NoStatutoryRuleError,
    RateBook,
    RateRow,
    StaleRateError,
    StaleRateWarning,
    UnknownJurisdictionError,
    interest_breakdown,
    statutory_interest,
)
from arpolicy.model import Profile
from arpolicy.money import Money

EUR_10K = Money("10000.00", "EUR")
GBP_10K = Money("10000.00", "GBP")


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def rows(result: InterestResult) -> list[tuple[str, str, int, str, str, str]]:
    return [
        (
            p.start.isoformat(),
            p.end.isoformat(),
            p.days,
            str(p.base.amount),
            str(p.rate),
            str(p.interest.amount),
        )
        for p in result.periods
    ]


# ---------------------------------------------------------------------------
# Netherlands: yearly compounding
# ---------------------------------------------------------------------------


def test_nl_consumer_interest_compounds_after_one_full_year() -> None:
    # art. 6:119 BW is 2% throughout 2020-2022.
    # year 1: 2020-03-01 -> 2021-03-01 = 365 days: 10000 x 2% x 365/365 = 200.00
    # year 2: base 10000 + 200 = 10200; 2021-03-01 -> 2022-03-01 = 365 days:
    #         10200 x 2% = 204.00            total 404.00
    result = interest_breakdown(
        EUR_10K,
        start=date(2020, 3, 1),
        end=date(2022, 3, 1),
        jurisdiction="NL",
        profile=Profile.PRIVATE,
    )
    assert rows(result) == [
        ("2020-03-01", "2021-03-01", 365, "10000.00", "2", "200.00"),
        ("2021-03-01", "2022-03-01", 365, "10200.00", "2", "204.00"),
    ]
    assert result.total == eur("404.00")
    assert {p.rule for p in result.periods} == {"NL art. 6:119 BW"}
    assert not any(p.stale for p in result.periods)


def test_nl_commercial_interest_compounds_into_a_partial_second_year() -> None:
    # art. 6:119a BW is 8.00% from 2016-07-01 to 2022-12-31.
    # year 1: 2019-01-01 -> 2020-01-01, 365 days: 10000 x 8% = 800.00
    # year 2: base 10800; 2020-01-01 -> 2020-06-01 = 31+29+31+30+31 = 152 days:
    #         10800 x 8% x 152/365 = 131328/365 = 359.8027 -> 359.80
    # total 1159.80
    result = interest_breakdown(
        EUR_10K,
        start=date(2019, 1, 1),
        end=date(2020, 6, 1),
        jurisdiction="NL",
        profile=Profile.BUSINESS,
    )
    assert [p.interest for p in result.periods] == [eur("800.00"), eur("359.80")]
    assert result.periods[1].base == eur("10800.00")
    assert result.total == eur("1159.80")


def test_nl_two_year_claim_crossing_rate_changes() -> None:
    # 6:119a: 10.50 from 2023-01-01, 12.00 from 2023-07-01, 12.50 from 2024-01-01,
    # 12.25 from 2024-07-01, 11.15 from 2025-01-01. Anniversary 2024-03-15.
    # year 1 (base 10000):
    #   2023-03-15 -> 07-01: 17+30+31+30 = 108 d, 10.50%: 1050 x 108/365 = 310.6849 -> 310.68
    #   2023-07-01 -> 2024-01-01: 184 d, 12.00%: 1200 x 184/365 = 604.9315 -> 604.93
    #   2024-01-01 -> 03-15: 31+29+14 = 74 d, 12.50%: 1250 x 74/365 = 253.4247 -> 253.42
    #   year-1 interest 1169.03 -> base 11169.03
    # year 2:
    #   2024-03-15 -> 07-01: 108 d, 12.50%: 11169.03 x 0.125 x 108/365 = 413.1011 -> 413.10
    #   2024-07-01 -> 2025-01-01: 184 d, 12.25%: 11169.03 x 0.1225 x 184/365 = 689.7259 -> 689.73
    #   2025-01-01 -> 03-15: 31+28+14 = 73 d, 11.15%: 11169.03 x 0.1115 x 73/365 = 249.0694
    #     -> 249.07
    # total 1169.03 + 413.10 + 689.73 + 249.07 = 2520.93
    result = interest_breakdown(
        EUR_10K,
        start=date(2023, 3, 15),
        end=date(2025, 3, 15),
        jurisdiction="NL",
        profile=Profile.GOVERNMENT,
    )
    assert rows(result) == [
        ("2023-03-15", "2023-07-01", 108, "10000.00", "10.50", "310.68"),
        ("2023-07-01", "2024-01-01", 184, "10000.00", "12.00", "604.93"),
        ("2024-01-01", "2024-03-15", 74, "10000.00", "12.50", "253.42"),
        ("2024-03-15", "2024-07-01", 108, "11169.03", "12.50", "413.10"),
        ("2024-07-01", "2025-01-01", 184, "11169.03", "12.25", "689.73"),
        ("2025-01-01", "2025-03-15", 73, "11169.03", "11.15", "249.07"),
    ]
    assert result.total == eur("2520.93")
    assert {p.rule for p in result.periods} == {"NL art. 6:119a BW"}


def test_nl_anniversary_of_29_february_is_1_march() -> None:
    # 6:119 is 7% all of 2024 and 6% from 2025-01-01; start 2024-02-29, so year 1 ends on
    # 2025-03-01: 2024-02-29 -> 2025-01-01 = 307 d at 7%: 700 x 307/365 = 588.7671 -> 588.77;
    # 2025-01-01 -> 03-01 = 59 d at 6%: 600 x 59/365 = 96.9863 -> 96.99; then year 2 on
    # base 10685.76: 2025-03-01 -> 03-02 = 1 d at 6%: 641.1456/365 = 1.7566 -> 1.76
    result = interest_breakdown(
        EUR_10K,
        start=date(2024, 2, 29),
        end=date(2025, 3, 2),
        jurisdiction="NL",
        profile=Profile.PRIVATE,
    )
    assert [p.start for p in result.periods] == [
        date(2024, 2, 29),
        date(2025, 1, 1),
        date(2025, 3, 1),
    ]
    assert [p.interest for p in result.periods] == [eur("588.77"), eur("96.99"), eur("1.76")]
    assert result.periods[2].base == eur("10685.76")


# ---------------------------------------------------------------------------
# a rate change in the middle of a claim (EU, FR, DE, BE)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "profile", "rates", "interests", "total", "rule"),
    [
        # ECB 4.50 (2024 H1) / 4.25 (H2) + 8:
        # 1250 x 30/365 = 102.7397 -> 102.74; 1225 x 31/365 = 104.0411 -> 104.04
        ("EU", Profile.BUSINESS, ("12.50", "12.25"), ("102.74", "104.04"), "206.78", "art. 3"),
        ("EU", Profile.GOVERNMENT, ("12.50", "12.25"), ("102.74", "104.04"), "206.78", "art. 4"),
        # + 10: 1450 x 30/365 = 119.1781 -> 119.18; 1425 x 31/365 = 121.0274 -> 121.03
        ("FR", Profile.BUSINESS, ("14.50", "14.25"), ("119.18", "121.03"), "240.21", "L441-10"),
        # FR public body: the EU baseline (+ 8)
        ("FR", Profile.GOVERNMENT, ("12.50", "12.25"), ("102.74", "104.04"), "206.78", "art. 4"),
        # DE base 3.62 / 3.37 + 9: 1262 x 30/365 = 103.7260 -> 103.73;
        # 1237 x 31/365 = 105.0603 -> 105.06
        ("DE", Profile.BUSINESS, ("12.62", "12.37"), ("103.73", "105.06"), "208.79", "§288(2)"),
        # DE + 5 for consumers: 862 x 30/365 = 70.8493 -> 70.85; 837 x 31/365 = 71.0877 -> 71.09
        ("DE", Profile.PRIVATE, ("8.62", "8.37"), ("70.85", "71.09"), "141.94", "§288(1)"),
    ],
)
def test_rate_change_in_the_middle_of_a_claim(
    jurisdiction: str,
    profile: Profile,
    rates: tuple[str, str],
    interests: tuple[str, str],
    total: str,
    rule: str,
) -> None:
    result = interest_breakdown(
        EUR_10K,
        start=date(2024, 6, 1),
        end=date(2024, 8, 1),
        jurisdiction=jurisdiction,
        profile=profile,
    )
    assert [(p.start, p.end, p.days) for p in result.periods] == [
        (date(2024, 6, 1), date(2024, 7, 1), 30),
        (date(2024, 7, 1), date(2024, 8, 1), 31),
    ]
    assert tuple(str(p.rate) for p in result.periods) == rates
    assert tuple(str(p.interest.amount) for p in result.periods) == interests
    assert result.total == eur(total)
    assert all(p.base == EUR_10K for p in result.periods)  # simple interest
    assert all(rule in p.rule for p in result.periods)


def test_de_plus_8_for_obligations_up_to_2014_07_28() -> None:
    # base 3.62 / 3.37 + 8: 1162 x 30/365 = 95.5068 -> 95.51; 1137 x 31/365 = 96.5671 -> 96.57
    old = statutory_interest(
        EUR_10K,
        start=date(2024, 6, 1),
        end=date(2024, 8, 1),
        jurisdiction="DE",
        profile=Profile.BUSINESS,
        obligation_date=date(2014, 7, 28),
    )
    assert old == eur("192.08")
    new = statutory_interest(
        EUR_10K,
        start=date(2024, 6, 1),
        end=date(2024, 8, 1),
        jurisdiction="DE",
        profile=Profile.BUSINESS,
        obligation_date=date(2014, 7, 29),
    )
    assert new == eur("208.79")  # + 9, as in the table above


def test_de_plus_8_when_default_itself_started_before_2014_07_29() -> None:
    # obligation_date defaults to start. base -0.73 from 2014-07-01; + 8 = 7.27:
    # 2014-07-10 -> 07-20 = 10 d: 727 x 10/365 = 19.9178 -> 19.92
    assert statutory_interest(
        EUR_10K,
        start=date(2014, 7, 10),
        end=date(2014, 7, 20),
        jurisdiction="DE",
        profile=Profile.BUSINESS,
    ) == eur("19.92")


def test_de_negative_base_rate_keeps_a_positive_total_rate() -> None:
    # 2021: base -0.88 + 5 = 4.12%; 365 days: 10000 x 4.12% = 412.00
    result = interest_breakdown(
        EUR_10K,
        start=date(2021, 1, 1),
        end=date(2022, 1, 1),
        jurisdiction="DE",
        profile=Profile.PRIVATE,
    )
    assert [str(p.rate) for p in result.periods] == ["4.12"]
    assert result.total == eur("412.00")


def test_total_rate_below_zero_is_clamped_at_zero() -> None:
    # a user row puts the base rate at -6.00: -6 + 5 = -1% -> 0%, interest 0.00
    book = RateBook.shipped().merged([RateRow("DE", "de-base", date(2026, 7, 1), "-6.00")])
    result = interest_breakdown(
        EUR_10K,
        start=date(2026, 7, 1),
        end=date(2026, 9, 1),
        jurisdiction="DE",
        profile=Profile.PRIVATE,
        rates=book,
    )
    assert [p.rate for p in result.periods] == [Decimal(0)]
    assert result.total == eur("0.00")


# ---------------------------------------------------------------------------
# Belgium: round up to the next half point
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "rate"),
    [
        (date(2025, 9, 1), "10.50"),  # 2.15 + 8 = 10.15 -> 10.50
        (date(2024, 3, 1), "12.50"),  # 4.50 + 8 = 12.50 stays
        (date(2024, 9, 1), "12.50"),  # 4.25 + 8 = 12.25 -> 12.50
        (date(2023, 9, 1), "12.00"),  # 4.00 + 8 = 12.00 stays
        (date(2016, 3, 1), "8.50"),  # 0.05 + 8 = 8.05 -> 8.50
        (date(2020, 3, 1), "8.00"),  # 0.00 + 8
    ],
)
def test_be_business_rate_is_rounded_up_to_the_next_half_point(start: date, rate: str) -> None:
    result = interest_breakdown(
        EUR_10K,
        start=start,
        end=date.fromordinal(start.toordinal() + 30),
        jurisdiction="BE",
        profile=Profile.BUSINESS,
    )
    assert [str(p.rate) for p in result.periods] == [rate]
    assert result.periods[0].rule == "BE Law of 2 August 2002"


def test_be_business_worked_example() -> None:
    # 2025-09-01 -> 10-01 = 30 d at 10.50%: 1050 x 30/365 = 86.3014 -> 86.30
    assert statutory_interest(
        EUR_10K,
        start=date(2025, 9, 1),
        end=date(2025, 10, 1),
        jurisdiction="BE",
        profile=Profile.BUSINESS,
    ) == eur("86.30")
    # a Belgian public body: the EU baseline, not rounded: 1015 x 30/365 = 83.4247 -> 83.42
    assert statutory_interest(
        EUR_10K,
        start=date(2025, 9, 1),
        end=date(2025, 10, 1),
        jurisdiction="BE",
        profile=Profile.GOVERNMENT,
    ) == eur("83.42")


def test_equal_rates_across_a_row_date_make_one_period() -> None:
    # BE 2024 H1 and H2 both round to 12.50: 2024-06-01 -> 08-01 = 61 d:
    # 1250 x 61/365 = 208.9041 -> 208.90 (one period, one rounding)
    result = interest_breakdown(
        EUR_10K,
        start=date(2024, 6, 1),
        end=date(2024, 8, 1),
        jurisdiction="BE",
        profile=Profile.BUSINESS,
    )
    assert rows(result) == [("2024-06-01", "2024-08-01", 61, "10000.00", "12.50", "208.90")]


# ---------------------------------------------------------------------------
# United Kingdom: one rate, fixed for the life of the debt
# ---------------------------------------------------------------------------


def test_gb_rate_is_fixed_for_the_life_of_the_debt() -> None:
    # start 2025-05-01 -> Bank Rate on 31-12-2024 = 4.75, + 8 = 12.75% for the whole
    # claim, although Bank Rate was 4.25 on 30-06-2025 and 3.75 on 31-12-2025.
    # 2025-05-01 -> 2026-05-01 = 365 d: 10000 x 12.75% = 1275.00
    result = interest_breakdown(
        GBP_10K,
        start=date(2025, 5, 1),
        end=date(2026, 5, 1),
        jurisdiction="GB",
        profile=Profile.BUSINESS,
    )
    assert rows(result) == [("2025-05-01", "2026-05-01", 365, "10000.00", "12.75", "1275.00")]
    assert result.total == Money("1275.00", "GBP")
    assert result.periods[0].rule.startswith("GB Late Payment")


@pytest.mark.parametrize(
    ("start", "rate"),
    [
        (date(2024, 1, 1), "13.25"),  # 31-12-2023: 5.25
        (date(2024, 6, 30), "13.25"),  # 31-12-2023: 5.25
        (date(2024, 7, 1), "13.25"),  # 30-06-2024: 5.25
        (date(2025, 1, 1), "12.75"),  # 31-12-2024: 4.75
        (date(2025, 7, 1), "12.25"),  # 30-06-2025: 4.25
        (date(2026, 6, 30), "11.75"),  # 31-12-2025: 3.75 (UNCONFIRMED)
    ],
)
def test_gb_reference_date_by_start(start: date, rate: str) -> None:
    result = interest_breakdown(
        GBP_10K,
        start=start,
        end=date.fromordinal(start.toordinal() + 10),
        jurisdiction="UK",
        profile=Profile.GOVERNMENT,
    )
    assert [str(p.rate) for p in result.periods] == [rate]
    assert not result.periods[0].stale


def test_gb_start_after_the_next_reference_date_is_stale() -> None:
    # last reference date 31-12-2025: a start on 1 July 2026 needs Bank Rate on 30-06-2026
    with pytest.raises(StaleRateError) as info:
        statutory_interest(
            GBP_10K,
            start=date(2026, 7, 1),
            end=date(2026, 8, 1),
            jurisdiction="GB",
            profile=Profile.BUSINESS,
            on_stale="raise",
        )
    assert info.value.table == "gb-bank-rate"
    assert info.value.day == date(2026, 6, 30)
    book = RateBook.shipped().merged([RateRow("GB", "gb-bank-rate", date(2026, 6, 30), "3.50")])
    # 2026-07-01 -> 08-01 = 31 d at 11.50%: 1150 x 31/365 = 97.6712 -> 97.67
    assert statutory_interest(
        GBP_10K,
        start=date(2026, 7, 1),
        end=date(2026, 8, 1),
        jurisdiction="GB",
        profile=Profile.BUSINESS,
        on_stale="raise",
        rates=book,
    ) == Money("97.67", "GBP")


def test_gb_start_before_the_first_reference_row_is_missing() -> None:
    with pytest.raises(MissingRateError) as info:
        statutory_interest(
            GBP_10K,
            start=date(2023, 12, 31),
            end=date(2024, 2, 1),
            jurisdiction="GB",
            profile=Profile.BUSINESS,
        )
    assert info.value.table == "gb-bank-rate"
    assert info.value.day == date(2023, 6, 30)


# ---------------------------------------------------------------------------
# day counts and leap years
# ---------------------------------------------------------------------------


def test_leap_year_2024_actual_365_counts_366_days_over_365() -> None:
    # 6:119 is 7% all of 2024 (two rows, same rate: one period).
    # actual/365: 10000 x 7% x 366/365 = 256200/365 = 701.9178 -> 701.92
    # actual/actual: 10000 x 7% x 366/366 = 700.00
    kwargs = {
        "start": date(2024, 1, 1),
        "end": date(2025, 1, 1),
        "jurisdiction": "NL",
        "profile": Profile.PRIVATE,
    }
    assert statutory_interest(EUR_10K, **kwargs) == eur("701.92")  # type: ignore[arg-type]
    assert statutory_interest(
        EUR_10K,
        day_count=DayCount.ACTUAL_ACTUAL,
        **kwargs,  # type: ignore[arg-type]
    ) == eur("700.00")


def test_actual_actual_splits_at_year_end_with_each_years_denominator() -> None:
    # EU B2B: 2023 H2 12.00%, 2024 H1 12.50%.
    # 2023-12-01 -> 2024-01-01 = 31 d: 1200 x 31/365 = 101.9178 -> 101.92
    # 2024-01-01 -> 02-01 = 31 d: actual/actual 1250 x 31/366 = 105.8743 -> 105.87
    #                              actual/365    1250 x 31/365 = 106.1644 -> 106.16
    common = {
        "start": date(2023, 12, 1),
        "end": date(2024, 2, 1),
        "jurisdiction": "EU",
        "profile": Profile.BUSINESS,
    }
    actual = interest_breakdown(EUR_10K, day_count=DayCount.ACTUAL_ACTUAL, **common)  # type: ignore[arg-type]
    plain = interest_breakdown(EUR_10K, **common)  # type: ignore[arg-type]
    assert [p.interest for p in actual.periods] == [eur("101.92"), eur("105.87")]
    assert [p.interest for p in plain.periods] == [eur("101.92"), eur("106.16")]


def test_actual_actual_splits_at_year_end_even_at_an_equal_rate() -> None:
    # EU B2B 8.00% throughout 2021-2022.
    # actual/365: one period of 62 d: 800 x 62/365 = 135.8904 -> 135.89
    # actual/actual: 31 d + 31 d: 800 x 31/365 = 67.9452 -> 67.95, twice = 135.90
    # actual/360: 800 x 62/360 = 137.7778 -> 137.78
    common = {
        "start": date(2021, 12, 1),
        "end": date(2022, 2, 1),
        "jurisdiction": "EU",
        "profile": Profile.BUSINESS,
    }
    assert len(interest_breakdown(EUR_10K, **common).periods) == 1  # type: ignore[arg-type]
    split = interest_breakdown(EUR_10K, day_count="actual/actual", **common)  # type: ignore[arg-type]
    assert [p.start for p in split.periods] == [date(2021, 12, 1), date(2022, 1, 1)]
    assert split.total == eur("135.90")
    assert statutory_interest(EUR_10K, **common) == eur("135.89")  # type: ignore[arg-type]
    assert statutory_interest(
        EUR_10K,
        day_count=DayCount.ACTUAL_360,
        **common,  # type: ignore[arg-type]
    ) == eur("137.78")


def test_zero_decimal_currency_rounds_to_whole_units() -> None:
    # EU B2B 8%: JPY 1,000,000 x 8% x 10/365 = 2191.78 -> 2192
    assert statutory_interest(
        Money("1000000", "JPY"),
        start=date(2020, 3, 1),
        end=date(2020, 3, 11),
        jurisdiction="EU",
        profile=Profile.BUSINESS,
    ) == Money("2192", "JPY")


# ---------------------------------------------------------------------------
# staleness
# ---------------------------------------------------------------------------

STALE_CLAIM = {
    "start": date(2026, 6, 1),
    "end": date(2026, 8, 1),
    "jurisdiction": "NL",
    "profile": Profile.BUSINESS,
}


def test_stale_periods_warn_once_per_call() -> None:
    # 6:119a's last row is 2026-01-01: known before 2026-07-01.
    # 2026-06-01 -> 07-01 = 30 d: 1015 x 30/365 = 83.4247 -> 83.42 (fresh)
    # 2026-07-01 -> 08-01 = 31 d: 1015 x 31/365 = 86.2055 -> 86.21 (stale)
    with pytest.warns(StaleRateWarning) as record:
        result = interest_breakdown(EUR_10K, **STALE_CLAIM)  # type: ignore[arg-type]
    assert len(record) == 1
    assert "2026-07-01" in str(record[0].message)
    assert record[0].filename == __file__  # points at the caller
    assert [(p.start, p.stale) for p in result.periods] == [
        (date(2026, 6, 1), False),
        (date(2026, 7, 1), True),
    ]
    assert [p.interest for p in result.periods] == [eur("83.42"), eur("86.21")]


def test_stale_raise_and_ignore() -> None:
    with pytest.raises(StaleRateError) as info:
        statutory_interest(EUR_10K, on_stale="raise", **STALE_CLAIM)  # type: ignore[arg-type]
    assert (info.value.table, info.value.day, info.value.known_until) == (
        "nl-6:119a",
        date(2026, 7, 1),
        date(2026, 7, 1),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        total = statutory_interest(EUR_10K, on_stale="ignore", **STALE_CLAIM)  # type: ignore[arg-type]
    assert caught == []
    assert total == eur("169.63")  # 83.42 + 86.21


def test_a_claim_ending_before_the_horizon_is_not_stale() -> None:
    result = interest_breakdown(
        EUR_10K,
        start=date(2026, 6, 1),
        end=date(2026, 7, 1),
        jurisdiction="NL",
        profile=Profile.BUSINESS,
        on_stale="raise",
    )
    assert not result.periods[0].stale


def test_a_user_row_stops_the_staleness() -> None:
    # user row 6:119a 9.90 from 2026-07-01: 990 x 31/365 = 84.0822 -> 84.08
    book = RateBook.shipped().merged([RateRow("NL", "nl-6:119a", date(2026, 7, 1), "9.90")])
    result = interest_breakdown(EUR_10K, rates=book, on_stale="raise", **STALE_CLAIM)  # type: ignore[arg-type]
    assert [(str(p.rate), p.stale, p.interest) for p in result.periods] == [
        ("10.15", False, eur("83.42")),
        ("9.90", False, eur("84.08")),
    ]


def test_a_new_ecb_row_stops_the_staleness_for_eu_fr_be() -> None:
    book = RateBook.shipped().merged([RateRow("EU", "ecb-refi", date(2026, 7, 1), "2.00")])
    for code in ("EU", "FR", "BE"):
        with pytest.raises(StaleRateError):
            statutory_interest(
                EUR_10K,
                start=date(2026, 7, 1),
                end=date(2026, 7, 2),
                jurisdiction=code,
                profile=Profile.BUSINESS,
                on_stale="raise",
            )
        statutory_interest(
            EUR_10K,
            start=date(2026, 7, 1),
            end=date(2026, 7, 2),
            jurisdiction=code,
            profile=Profile.BUSINESS,
            on_stale="raise",
            rates=book,
        )


# ---------------------------------------------------------------------------
# edge cases and errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("end", [date(2025, 3, 1), date(2025, 2, 1)])
def test_empty_span_is_zero(end: date) -> None:
    result = interest_breakdown(
        EUR_10K, start=date(2025, 3, 1), end=end, jurisdiction="NL", profile=Profile.PRIVATE
    )
    assert result == InterestResult(eur("0.00"), ())


@pytest.mark.parametrize("code", ["EU", "GB", "FR", "BE"])
def test_no_consumer_rate_raises(code: str) -> None:
    with pytest.raises(NoStatutoryRuleError) as info:
        statutory_interest(
            EUR_10K,
            start=date(2025, 3, 1),
            end=date(2025, 4, 1),
            jurisdiction=code,
            profile=Profile.PRIVATE,
        )
    assert info.value.jurisdiction == code
    assert info.value.profile == "private"
    assert "no statutory interest rate" in str(info.value)


def test_start_before_the_first_row_is_missing() -> None:
    with pytest.raises(MissingRateError) as info:
        statutory_interest(
            EUR_10K,
            start=date(2014, 12, 31),
            end=date(2015, 2, 1),
            jurisdiction="EU",
            profile=Profile.BUSINESS,
        )
    assert info.value.first == date(2015, 1, 1)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("on_stale", {"on_stale": "loud"}),
        ("day_count", {"day_count": "30/360"}),
        ("principal", {"principal": Money("-1.00", "EUR")}),
        ("start", {"start": "2025-01-01"}),
        ("profile", {"profile": "consumer"}),
    ],
)
def test_bad_arguments_are_typed_errors(field: str, kwargs: dict[str, object]) -> None:
    arguments: dict[str, object] = {
        "principal": EUR_10K,
        "start": date(2025, 1, 1),
        "end": date(2025, 2, 1),
        "jurisdiction": "NL",
        "profile": Profile.BUSINESS,
    }
    arguments.update(kwargs)
    principal = arguments.pop("principal")
    with pytest.raises(InvalidFieldError) as info:
        statutory_interest(principal, **arguments)  # type: ignore[arg-type]
    assert info.value.field == field


def test_unknown_jurisdiction() -> None:
    with pytest.raises(UnknownJurisdictionError):
        statutory_interest(
            EUR_10K,
            start=date(2025, 1, 1),
            end=date(2025, 2, 1),
            jurisdiction="US",
            profile=Profile.BUSINESS,
        )


def test_profile_as_string_and_interest_in_another_currency() -> None:
    # NL law on a USD debt: 10000 x 11.15% x 31/365 = 94.6986 -> 94.70
    assert statutory_interest(
        Money("10000.00", "USD"),
        start=date(2025, 1, 1),
        end=date(2025, 2, 1),
        jurisdiction="nl",
        profile="business",  # type: ignore[arg-type]
    ) == Money("94.70", "USD")
