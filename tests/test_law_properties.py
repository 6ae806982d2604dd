"""Laws of the law package, checked with Hypothesis."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from arpolicy.law import collection_costs, interest_breakdown, statutory_interest
from arpolicy.model import Profile
from arpolicy.money import Money

# Every (jurisdiction, profile) with a statutory rate, and its currency.
CASES = [
    ("EU", Profile.BUSINESS, "EUR"),
    ("EU", Profile.GOVERNMENT, "EUR"),
    ("NL", Profile.PRIVATE, "EUR"),
    ("NL", Profile.BUSINESS, "EUR"),
    ("NL", Profile.GOVERNMENT, "EUR"),
    ("DE", Profile.PRIVATE, "EUR"),
    ("DE", Profile.BUSINESS, "EUR"),
    ("GB", Profile.BUSINESS, "GBP"),
    ("GB", Profile.GOVERNMENT, "GBP"),
    ("FR", Profile.BUSINESS, "EUR"),
    ("FR", Profile.GOVERNMENT, "EUR"),
    ("BE", Profile.BUSINESS, "EUR"),
    ("BE", Profile.GOVERNMENT, "EUR"),
]
SIMPLE = [case for case in CASES if case[0] not in {"NL", "GB"}]
DAY_COUNTS = st.sampled_from(["actual/365", "actual/360", "actual/actual"])

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10_000_000), places=2)
starts = st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 12, 31))
spans = st.integers(min_value=0, max_value=5 * 366)


def _interest(
    case: tuple[str, Profile, str], amount: Decimal, start: date, days: int, **kw: object
) -> Money:
    code, profile, currency = case
    return statutory_interest(
        Money(amount, currency),
        start=start,
        end=start + timedelta(days=days),
        jurisdiction=code,
        profile=profile,
        on_stale="ignore",
        **kw,  # type: ignore[arg-type]
    )


def _gb_ok(case: tuple[str, Profile, str], start: date) -> bool:
    # GB's first reference date is 31-12-2023: interest can start from 2024.
    return case[0] != "GB" or start >= date(2024, 1, 1)


@given(st.sampled_from(CASES), amounts, starts, spans, spans, DAY_COUNTS)
def test_interest_grows_with_the_end_date(
    case: tuple[str, Profile, str], amount: Decimal, start: date, a: int, b: int, day_count: str
) -> None:
    assume(_gb_ok(case, start))
    short, long = sorted((a, b))
    assert _interest(case, amount, start, short, day_count=day_count) <= _interest(
        case, amount, start, long, day_count=day_count
    )


@given(st.sampled_from(CASES), amounts, amounts, starts, spans, DAY_COUNTS)
def test_interest_grows_with_the_principal(
    case: tuple[str, Profile, str], a: Decimal, b: Decimal, start: date, days: int, day_count: str
) -> None:
    assume(_gb_ok(case, start))
    small, large = sorted((a, b))
    assert _interest(case, small, start, days, day_count=day_count) <= _interest(
        case, large, start, days, day_count=day_count
    )


@given(st.sampled_from(CASES), amounts, starts, spans, DAY_COUNTS)
def test_interest_is_never_negative(
    case: tuple[str, Profile, str], amount: Decimal, start: date, days: int, day_count: str
) -> None:
    assume(_gb_ok(case, start))
    result = _interest(case, amount, start, days, day_count=day_count)
    assert not result.is_negative()


@given(st.sampled_from(SIMPLE), amounts, starts, spans, st.data(), DAY_COUNTS)
def test_splitting_a_simple_claim_costs_at_most_one_unit_per_extra_period(
    case: tuple[str, Profile, str],
    amount: Decimal,
    start: date,
    days: int,
    data: st.DataObject,
    day_count: str,
) -> None:
    # Periods that do not contain the split date are the same in both computations;
    # the one that does becomes two, whose two roundings differ from its one rounding by
    # at most one minor unit.
    code, profile, currency = case
    end = start + timedelta(days=days)
    middle = data.draw(st.dates(min_value=start, max_value=end))
    common = {
        "jurisdiction": code,
        "profile": profile,
        "on_stale": "ignore",
        "day_count": day_count,
    }
    principal = Money(amount, currency)
    whole = interest_breakdown(principal, start=start, end=end, **common)  # type: ignore[arg-type]
    left = interest_breakdown(principal, start=start, end=middle, **common)  # type: ignore[arg-type]
    right = interest_breakdown(principal, start=middle, end=end, **common)  # type: ignore[arg-type]
    extra = len(left.periods) + len(right.periods) - len(whole.periods)
    assert 0 <= extra <= 1
    difference = (left.total + right.total - whole.total).minor_units
    assert abs(difference) <= extra


@given(st.sampled_from(CASES), amounts, starts, spans)
def test_periods_tile_the_span(
    case: tuple[str, Profile, str], amount: Decimal, start: date, days: int
) -> None:
    assume(_gb_ok(case, start))
    code, profile, currency = case
    end = start + timedelta(days=days)
    result = interest_breakdown(
        Money(amount, currency),
        start=start,
        end=end,
        jurisdiction=code,
        profile=profile,
        on_stale="ignore",
    )
    assert sum(p.days for p in result.periods) == days
    if result.periods:
        assert result.periods[0].start == start
        assert result.periods[-1].end == end
        for before, after in zip(result.periods, result.periods[1:], strict=False):
            assert before.end == after.start
    assert result.total == Money.total((p.interest for p in result.periods), currency)


@given(amounts, st.sampled_from(list(Profile)), st.sampled_from([None, Decimal(0), Decimal(21)]))
def test_wik_stays_within_its_minimum_and_maximum(
    amount: Decimal, profile: Profile, vat: Decimal | None
) -> None:
    factor = 1 + (vat or 0) / Decimal(100)
    costs = collection_costs(Money(amount, "EUR"), jurisdiction="NL", profile=profile, vat=vat)
    assert Money(40 * factor, "EUR") <= costs <= Money(6775 * factor, "EUR")


@given(amounts)
def test_be_caps_stay_within_20_and_2000(amount: Decimal) -> None:
    costs = collection_costs(Money(amount, "EUR"), jurisdiction="BE", profile=Profile.PRIVATE)
    assert Money(20, "EUR") <= costs <= Money(2000, "EUR")


@given(st.sampled_from([("NL", Profile.BUSINESS), ("BE", Profile.PRIVATE)]), amounts, amounts)
def test_collection_costs_grow_with_the_principal(
    case: tuple[str, Profile], a: Decimal, b: Decimal
) -> None:
    code, profile = case
    small, large = sorted((a, b))
    assert collection_costs(
        Money(small, "EUR"), jurisdiction=code, profile=profile
    ) <= collection_costs(Money(large, "EUR"), jurisdiction=code, profile=profile)
