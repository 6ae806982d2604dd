"""The loaders' fast paths give exactly what the slow, obvious paths give."""

from __future__ import annotations

import pickle
import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arpolicy import Invoice, Money
from arpolicy._fast import fast_constructor
from arpolicy.io._records import CellError, Cells


def test_fast_constructor_builds_ordinary_frozen_instances() -> None:
    names = tuple(a.name for a in Invoice.__attrs_attrs__)
    new_invoice = fast_constructor(Invoice, names)
    day = date(2026, 1, 5)
    normal = Invoice("I1", "C1", day, day, Money("10.00", "EUR"))
    fast = new_invoice(*(getattr(normal, name) for name in names))
    assert type(fast) is Invoice
    assert fast == normal
    assert hash(fast) == hash(normal)
    assert pickle.loads(pickle.dumps(fast)) == normal
    with pytest.raises(AttributeError):
        fast.id = "I2"  # type: ignore[misc]


def test_fast_money_is_money() -> None:
    new_money = fast_constructor(Money, ("amount", "currency"))
    money = new_money(Decimal("1.50"), "EUR")
    assert type(money) is Money
    assert money == Money("1.5", "EUR")
    assert money + Money("1", "EUR") == Money("2.50", "EUR")


def test_fast_constructor_refuses_names_that_are_not_the_slots() -> None:
    with pytest.raises(TypeError, match="slots"):
        fast_constructor(Money, ("amount",))
    with pytest.raises(TypeError, match="slots"):
        fast_constructor(Money, ("amount", "amount"))


def _reference_amount(text: str, minor: int) -> Decimal | str:
    """The obvious reading of an amount cell, as the loader documents it."""
    if not re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", text):
        return "not an amount"
    if text.startswith("-"):
        return "negative"
    decimals = len(text.partition(".")[2])
    if decimals > minor:
        return "not rounded"
    return Decimal(text)


@given(st.text(alphabet=st.sampled_from(list("0123456789.-+e ٣_")), max_size=8))
def test_amount_cells_are_read_as_documented(text: str) -> None:
    cells = Cells()
    cache = cells.currency("EUR")
    expected = _reference_amount(text, 2)
    if isinstance(expected, str):
        with pytest.raises(CellError, match=expected.split()[-1]):
            cells.amount("amount", text, "EUR", cache)
    else:
        money = cells.amount("amount", text, "EUR", cache)
        assert money.amount == expected
        assert money.amount.as_tuple().exponent == -2
