"""Money: exact amounts in one ISO 4217 currency, rounded half up."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arpolicy.errors import (
    ArpolicyError,
    CurrencyMismatchError,
    InvalidMoneyError,
    UnknownCurrencyError,
)
from arpolicy.money import ROUNDING, Money, check_currency, minor_unit

# ---------------------------------------------------------------------------
# construction and quantizing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("10.004", "EUR", Decimal("10.00")),
        ("10.005", "EUR", Decimal("10.01")),
        ("10.015", "EUR", Decimal("10.02")),
        ("10.025", "EUR", Decimal("10.03")),  # half up, not banker's rounding
        ("0.5", "JPY", Decimal("1")),
        ("1.5", "JPY", Decimal("2")),
        ("2.5", "JPY", Decimal("3")),  # banker's rounding would give 2
        ("2.4999", "JPY", Decimal("2")),
        ("1.0005", "KWD", Decimal("1.001")),
        ("1.0004", "KWD", Decimal("1.000")),
        ("7", "KWD", Decimal("7.000")),
        (12, "EUR", Decimal("12.00")),
        (Decimal("3.14159"), "EUR", Decimal("3.14")),
        ("  4.20  ", "EUR", Decimal("4.20")),
    ],
)
def test_amount_is_quantized_half_up_to_the_minor_unit(
    amount: object, currency: str, expected: Decimal
) -> None:
    money = Money(amount, currency)  # type: ignore[arg-type]
    assert money.amount == expected
    # The exponent is the currency's, not just the value.
    assert money.amount.as_tuple().exponent == -minor_unit(currency)
    assert money.currency == currency


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("-10.005", "EUR", Decimal("-10.01")),
        ("-0.5", "JPY", Decimal("-1")),
        ("-2.5", "JPY", Decimal("-3")),
        ("-1.0005", "KWD", Decimal("-1.001")),
        ("-10.004", "EUR", Decimal("-10.00")),
    ],
)
def test_negative_half_rounds_away_from_zero(amount: str, currency: str, expected: Decimal) -> None:
    assert Money(amount, currency).amount == expected


def test_rounding_constant_is_half_up() -> None:
    assert ROUNDING == "ROUND_HALF_UP"


def test_minor_units_per_currency() -> None:
    assert (minor_unit("EUR"), minor_unit("JPY"), minor_unit("KWD"), minor_unit("USD")) == (
        2,
        0,
        3,
        2,
    )
    assert check_currency("GBP") == "GBP"


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        0.0,
        True,
        False,
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        "",
        "abc",
        "1,50",
        "1.5 EUR",
        "€1.50",
        None,
        [1],
        object(),
    ],
)
def test_refuses_values_that_are_not_exact_finite_amounts(value: object) -> None:
    with pytest.raises(InvalidMoneyError) as info:
        Money(value, "EUR")  # type: ignore[arg-type]
    error = info.value
    assert error.value is value
    assert error.reason
    assert repr(value) in str(error)
    assert isinstance(error, ArpolicyError)
    assert isinstance(error, ValueError)


def test_float_error_explains_why() -> None:
    with pytest.raises(InvalidMoneyError, match="floats are inexact"):
        Money(0.1, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["EURO", "eur", "Eur", "XAU", "XXX", "ZZZ", "", "EU", 978, None])
def test_refuses_unknown_currencies(code: object) -> None:
    with pytest.raises(UnknownCurrencyError) as info:
        Money("1", code)  # type: ignore[arg-type]
    assert info.value.code == code
    assert repr(code) in str(info.value)
    with pytest.raises(UnknownCurrencyError):
        check_currency(code)  # type: ignore[arg-type]


def test_from_minor_and_minor_units() -> None:
    assert Money.from_minor(1999, "EUR") == Money("19.99", "EUR")
    assert Money.from_minor(-5, "EUR") == Money("-0.05", "EUR")
    assert Money.from_minor(1999, "JPY") == Money("1999", "JPY")
    assert Money.from_minor(1999, "KWD") == Money("1.999", "KWD")
    assert Money.from_minor(0, "EUR").amount.as_tuple().exponent == -2
    assert Money("19.99", "EUR").minor_units == 1999
    assert Money("-0.07", "EUR").minor_units == -7
    assert Money("1.234", "KWD").minor_units == 1234
    assert Money("500", "JPY").minor_units == 500


@pytest.mark.parametrize("units", [1.0, True, "100", Decimal(100)])
def test_from_minor_requires_an_int(units: object) -> None:
    with pytest.raises(InvalidMoneyError):
        Money.from_minor(units, "EUR")  # type: ignore[arg-type]


def test_zero_and_predicates() -> None:
    zero = Money.zero("KWD")
    assert zero == Money("0", "KWD")
    assert zero.is_zero()
    assert not zero.is_positive()
    assert not zero.is_negative()
    assert Money("0.01", "EUR").is_positive()
    assert Money("-0.01", "EUR").is_negative()
    assert not Money("-0.01", "EUR").is_zero()


# ---------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------


def test_arithmetic_in_one_currency() -> None:
    a, b = Money("10.10", "EUR"), Money("0.95", "EUR")
    assert a + b == Money("11.05", "EUR")
    assert a - b == Money("9.15", "EUR")
    assert b - a == Money("-9.15", "EUR")
    assert -a == Money("-10.10", "EUR")
    assert +a is a
    assert abs(Money("-3.00", "EUR")) == Money("3.00", "EUR")
    assert a * 3 == Money("30.30", "EUR")
    assert 3 * a == Money("30.30", "EUR")
    assert a * Decimal("0.5") == Money("5.05", "EUR")
    assert Money("0.05", "EUR") * Decimal("0.5") == Money("0.03", "EUR")  # 0.025 half up


def test_multiplication_refuses_floats_and_bools() -> None:
    with pytest.raises(TypeError):
        Money("1", "EUR") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money("1", "EUR") * True  # type: ignore[operator]


def test_adding_a_number_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Money("1", "EUR") + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money("1", "EUR") + Decimal(1)  # type: ignore[operator]
    with pytest.raises(TypeError):
        1 + Money("1", "EUR")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("operation", "name"),
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a - b, "subtract"),
        (lambda a, b: a < b, "compare"),
        (lambda a, b: a <= b, "compare"),
        (lambda a, b: a > b, "compare"),
        (lambda a, b: a >= b, "compare"),
    ],
)
def test_mixing_currencies_raises_with_fields(operation: object, name: str) -> None:
    eur, usd = Money("1.00", "EUR"), Money("1.00", "USD")
    with pytest.raises(CurrencyMismatchError) as info:
        operation(eur, usd)  # type: ignore[operator]
    error = info.value
    assert (error.left, error.right, error.operation) == ("EUR", "USD", name)
    assert "EUR" in str(error)
    assert "USD" in str(error)
    assert isinstance(error, ArpolicyError)


def test_total_mixing_currencies_raises() -> None:
    with pytest.raises(CurrencyMismatchError):
        Money.total([Money("1", "EUR"), Money("1", "USD")], "EUR")
    with pytest.raises(CurrencyMismatchError):
        Money.total([Money("1", "USD")], "EUR")


def test_percent() -> None:
    assert Money("200.00", "EUR").percent("2.5") == Money("5.00", "EUR")
    assert Money("200.00", "EUR").percent(Decimal(8)) == Money("16.00", "EUR")
    assert Money("200.00", "EUR").percent(0) == Money("0.00", "EUR")
    assert Money("0.50", "EUR").percent(1) == Money("0.01", "EUR")  # 0.005 half up
    assert Money("0.49", "EUR").percent(1) == Money("0.00", "EUR")  # 0.0049
    assert Money("-0.50", "EUR").percent(1) == Money("-0.01", "EUR")
    assert Money("1001", "JPY").percent(10) == Money("100", "JPY")  # 100.1
    with pytest.raises(InvalidMoneyError):
        Money("100", "EUR").percent(2.5)  # type: ignore[arg-type]


def test_total_and_builtin_sum() -> None:
    items = [Money("1.10", "EUR"), Money("2.20", "EUR"), Money("-0.30", "EUR")]
    assert Money.total(items, "EUR") == Money("3.00", "EUR")
    assert Money.total(iter(items), "EUR") == Money("3.00", "EUR")
    assert Money.total([], "JPY") == Money("0", "JPY")
    assert sum(items) == Money("3.00", "EUR")
    assert sum(items[:1]) == Money("1.10", "EUR")
    with pytest.raises(TypeError):
        sum(items, 1)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# equality, hashing, immutability, display
# ---------------------------------------------------------------------------


def test_equality_across_currencies_is_false() -> None:
    assert Money("1.00", "EUR") != Money("1.00", "USD")
    assert not (Money("1.00", "EUR") == Money("1.00", "USD"))  # noqa: SIM201
    assert Money("0", "EUR") != Money("0", "JPY")
    assert Money("1", "EUR") != Decimal(1)
    assert Money("1", "EUR") != "1.00 EUR"


def test_equality_and_hash_ignore_input_form() -> None:
    a, b, c = Money("1.5", "EUR"), Money("1.50", "EUR"), Money(Decimal("1.500"), "EUR")
    assert a == b == c
    assert hash(a) == hash(b) == hash(c)
    assert len({a, b, c, Money("1.50", "USD")}) == 2
    lookup = {Money("2", "EUR"): "two euros"}
    assert lookup[Money("2.00", "EUR")] == "two euros"


def test_money_is_immutable() -> None:
    money = Money("1.00", "EUR")
    with pytest.raises(AttributeError):
        money.amount = Decimal(2)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        money.currency = "USD"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del money.amount
    with pytest.raises(AttributeError):
        money.extra = 1  # type: ignore[attr-defined]
    assert money == Money("1.00", "EUR")


def test_money_pickles_and_copies() -> None:
    money = Money("12.34", "KWD")
    assert pickle.loads(pickle.dumps(money)) == money
    assert copy.deepcopy(money) == money


def test_repr_and_str() -> None:
    assert repr(Money("10.5", "EUR")) == "Money('10.50', 'EUR')"
    assert str(Money("10.5", "EUR")) == "10.50 EUR"
    assert str(Money("-3", "JPY")) == "-3 JPY"


def test_ordering() -> None:
    small, big = Money("1.00", "EUR"), Money("2.00", "EUR")
    assert small < big
    assert small <= big
    assert big > small
    assert big >= small
    assert small <= Money("1", "EUR")
    assert sorted([big, small]) == [small, big]
    assert max([small, big]) is big


# ---------------------------------------------------------------------------
# laws (Hypothesis)
# ---------------------------------------------------------------------------

CURRENCIES = ["EUR", "JPY", "KWD", "USD", "CHF"]


@st.composite
def _same_currency(draw: st.DrawFn, n: int) -> list[Money]:
    currency = draw(st.sampled_from(CURRENCIES))
    units = draw(st.lists(st.integers(-(10**15), 10**15), min_size=n, max_size=n))
    return [Money.from_minor(u, currency) for u in units]


def monies(n: int) -> st.SearchStrategy[list[Money]]:
    """``n`` amounts sharing one random currency, from integer minor units."""
    return _same_currency(n)


@given(monies(2))
def test_addition_is_commutative(ms: list[Money]) -> None:
    a, b = ms
    assert a + b == b + a


@given(monies(3))
def test_addition_is_associative(ms: list[Money]) -> None:
    a, b, c = ms
    assert (a + b) + c == a + (b + c)


@given(monies(1))
def test_zero_is_the_identity(ms: list[Money]) -> None:
    (a,) = ms
    zero = Money.zero(a.currency)
    assert a + zero == a
    assert zero + a == a
    assert a - zero == a


@given(monies(2))
def test_subtraction_undoes_addition(ms: list[Money]) -> None:
    a, b = ms
    assert a - b + b == a
    assert a + b - b == a


@given(monies(2))
def test_negation(ms: list[Money]) -> None:
    a, b = ms
    neg = -a
    assert -neg == a
    assert a + (-a) == Money.zero(a.currency)
    assert a - b == a + (-b)
    assert abs(a) == abs(-a)
    assert not abs(a).is_negative()


@given(monies(2))
def test_ordering_agrees_with_amounts(ms: list[Money]) -> None:
    a, b = ms
    assert (a < b) == (a.amount < b.amount)
    assert (a <= b) == (a.amount <= b.amount)
    assert (a > b) == (a.amount > b.amount)
    assert (a >= b) == (a.amount >= b.amount)
    assert (a == b) == (a.amount == b.amount)
    assert (a < b) == (a.minor_units < b.minor_units)


@given(st.sampled_from(CURRENCIES), st.integers(-(10**18), 10**18))
def test_minor_units_round_trip(currency: str, units: int) -> None:
    money = Money.from_minor(units, currency)
    assert money.minor_units == units
    assert Money(money.amount, currency) == money
    assert Money(str(money.amount), currency) == money


@given(monies(1), st.integers(0, 50))
def test_multiplying_by_an_int_is_repeated_addition(ms: list[Money], n: int) -> None:
    (a,) = ms
    assert a * n == Money.total([a] * n, a.currency)
    assert n * a == sum([a] * n, Money.zero(a.currency))


@given(st.sampled_from(CURRENCIES), st.decimals(allow_nan=False, allow_infinity=False, places=6))
def test_quantizing_is_idempotent_and_close(currency: str, value: Decimal) -> None:
    money = Money(value, currency)
    assert Money(money.amount, currency) == money
    half_quantum = Decimal(1).scaleb(-minor_unit(currency)) / 2
    assert abs(money.amount - value) <= half_quantum
