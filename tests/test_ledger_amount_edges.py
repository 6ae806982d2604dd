"""Amount cells at the edges of the vectorised reader: the same values and errors as before.

The reader builds minor units from one Int64 of the digits (issue 15, load
speed); these cases pin what it did when it added the whole and fraction
parts separately: long leading zeros, digits beyond Int64, too many decimals
and too many integer digits at once, four-decimal currencies, zero payments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from arpolicy.errors import LoadError
from arpolicy.io import load_ledger

CUSTOMERS = "id,name,profile,country\nC1,Acme,business,NL\n"


def _load(folder: Path, amount: str, currency: str) -> tuple[list[int], list[int]]:
    folder.mkdir()
    (folder / "customers.csv").write_text(CUSTOMERS)
    (folder / "invoices.csv").write_text(
        "id,customer_id,issue_date,due_date,amount,currency\n"
        f"I1,C1,2026-01-01,2026-01-31,{amount},{currency}\n"
    )
    (folder / "payments.csv").write_text(
        f"id,customer_id,date,amount,currency\nP1,C1,2026-01-02,{amount},{currency}\n"
    )
    tables = load_ledger(folder).tables
    return tables.invoices["amount"].to_list(), tables.payments["amount"].to_list()


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("0000000000000000000000000012.50", "EUR", 1250),
        ("999999999999999.99", "EUR", 99999999999999999),
        ("99999999999999.9999", "CLF", 999999999999999999),
        ("1.234", "KWD", 1234),
        ("1.5", "KWD", 1500),
        ("7", "JPY", 7),
    ],
)
def test_amounts_load_exactly(tmp_path: Path, amount: str, currency: str, minor: int) -> None:
    assert _load(tmp_path / "l", amount, currency) == ([minor], [minor])


@pytest.mark.parametrize(
    ("amount", "currency", "file", "reason"),
    [
        ("9223372036854775808", "EUR", "invoices.csv", "more than 15 integer digits"),
        ("1000000000000000", "EUR", "invoices.csv", "more than 15 integer digits"),
        ("100000000000000.0000", "CLF", "invoices.csv", "more than 14 integer digits"),
        ("123456789012345678901234567890.123", "EUR", "invoices.csv", "has 3 decimals but EUR"),
        ("12.5", "JPY", "invoices.csv", "has 1 decimals but JPY has 0"),
        ("0.00", "EUR", "payments.csv", "must be above zero"),
        ("12.", "EUR", "invoices.csv", "not an amount"),
    ],
)
def test_amount_errors(tmp_path: Path, amount: str, currency: str, file: str, reason: str) -> None:
    with pytest.raises(LoadError) as info:
        _load(tmp_path / "l", amount, currency)
    error = info.value
    assert (Path(error.path).name, error.line, error.column, error.value) == (
        file,
        2,
        "amount",
        amount,
    )
    assert reason in error.reason
