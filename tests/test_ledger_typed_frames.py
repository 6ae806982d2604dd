"""Typed columns of frames and Parquet files: validated in their own type, same result as text.

Dates given as ``Date`` and amounts given as ``Decimal`` or whole numbers are
not turned into text before validation; a frame with them must load to the
same ledger, or fail with the same error (reason, row, column and the value
as text), as the same frame with every cell written as text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arpolicy.errors import LoadError
from arpolicy.io import ledger_from_frames, load_ledger
from arpolicy.ledger._read import as_text
from arpolicy.model import Ledger

CUSTOMERS = pl.DataFrame(
    {"id": ["C1"], "name": ["Acme"], "profile": ["business"], "country": ["NL"]}
)
CURRENCIES = ("EUR", "JPY", "KWD", "CLF")
DAYS = st.one_of(
    st.none(),
    st.dates(date(2020, 1, 1), date(2027, 12, 31)),
    st.sampled_from([date(1899, 12, 31), date(1900, 1, 1), date(2999, 12, 31), date(3000, 1, 1)]),
)


def _amounts(scale: int) -> st.SearchStrategy[Decimal | None]:
    unit = Decimal(1).scaleb(-scale)
    whole = st.one_of(
        st.integers(-3, 10**6),
        st.sampled_from([10**14, 10**15 - 1, 10**15, 10**16, 0]),
    )
    cents = st.integers(0, 10**scale - 1) if scale else st.just(0)
    return st.one_of(
        st.none(),
        st.builds(lambda w, c: (Decimal(w) + c * unit).quantize(unit), whole, cents),
    )


@st.composite
def _tables(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    scale = draw(st.sampled_from([0, 2, 3, 4]))
    n = draw(st.integers(1, 6))
    amounts = draw(st.lists(_amounts(scale), min_size=n, max_size=n))
    fits = all(a is None or abs(a) < 10 ** (18 - scale) for a in amounts)
    decimal = pl.Decimal(18 if fits and draw(st.booleans()) else 38, scale)
    invoices = pl.DataFrame(
        {
            "id": [f"I{k}" for k in range(n)],
            "customer_id": ["C1"] * n,
            "issue_date": draw(st.lists(DAYS, min_size=n, max_size=n)),
            "due_date": draw(st.lists(DAYS, min_size=n, max_size=n)),
            "amount": amounts,
            "currency": draw(st.lists(st.sampled_from(CURRENCIES), min_size=n, max_size=n)),
        },
        schema={
            "id": pl.String,
            "customer_id": pl.String,
            "issue_date": pl.Date,
            "due_date": pl.Date,
            "amount": decimal,
            "currency": pl.String,
        },
    )
    m = draw(st.integers(0, 4))
    whole = draw(st.booleans())
    payments = pl.DataFrame(
        {
            "id": [f"P{k}" for k in range(m)],
            "customer_id": ["C1"] * m,
            "date": draw(st.lists(DAYS, min_size=m, max_size=m)),
            "amount": draw(
                st.lists(
                    st.one_of(st.none(), st.integers(-2, 10**16)) if whole else _amounts(scale),
                    min_size=m,
                    max_size=m,
                )
            ),
            "currency": draw(st.lists(st.sampled_from(CURRENCIES), min_size=m, max_size=m)),
        },
        schema={
            "id": pl.String,
            "customer_id": pl.String,
            "date": pl.Date,
            "amount": pl.Int64 if whole else pl.Decimal(38, scale),
            "currency": pl.String,
        },
    )
    return invoices, payments


def _outcome(invoices: pl.DataFrame, payments: pl.DataFrame) -> Ledger | tuple[object, ...]:
    try:
        return ledger_from_frames(customers=CUSTOMERS, invoices=invoices, payments=payments)
    except LoadError as error:
        return (error.reason, error.line, error.column, error.value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_typed_columns_load_like_their_text(tables: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    invoices, payments = tables
    typed = _outcome(invoices, payments)
    text = _outcome(
        invoices.select(as_text(invoices.schema)), payments.select(as_text(payments.schema))
    )
    assert typed == text


def test_a_typed_parquet_file_loads_its_exact_amounts(tmp_path: Path) -> None:
    """Decimal amounts with more decimals than the currency load when the extra ones are zero."""
    CUSTOMERS.write_parquet(tmp_path / "customers.parquet")
    pl.DataFrame(
        {
            "id": ["I1", "I2"],
            "customer_id": ["C1", "C1"],
            "issue_date": [date(2026, 3, 1)] * 2,
            "due_date": [date(2026, 3, 31)] * 2,
            "amount": [Decimal("1500.0000"), Decimal("12.3400")],
            "currency": ["JPY", "EUR"],
        },
        schema_overrides={"amount": pl.Decimal(18, 4)},
    ).write_parquet(tmp_path / "invoices.parquet")
    ledger = load_ledger(tmp_path)
    assert str(ledger.invoice("I1").amount) == "1500 JPY"
    assert str(ledger.invoice("I2").amount) == "12.34 EUR"
    assert ledger.tables.invoices["amount"].to_list() == [1500, 1234]
