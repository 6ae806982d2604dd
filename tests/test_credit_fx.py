"""Credit limits and other currencies: exposure not covered, or converted with FX rates."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from arpolicy import Customer, Invoice, Ledger, Money, Payment
from arpolicy.cli import main
from arpolicy.credit import CreditDecision, breach_start, exposure, recommend
from arpolicy.errors import InvalidFieldError, LoadError
from arpolicy.fx import FxRate, FxRates
from arpolicy.io import dump_ledger, load_fx_rates, loads_fx_rates

AS_OF = date(2026, 3, 2)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def usd(amount: str) -> Money:
    return Money(amount, "USD")


# Acme may owe 1,000 EUR. It owes 800 EUR and 500 USD (an order invoiced in dollars).
LEDGER = Ledger(
    [Customer("ACME", "Acme B.V.", "business", "NL", credit_limit=eur("1000.00"))],
    [
        Invoice("E1", "ACME", date(2026, 2, 1), date(2026, 3, 3), eur("800.00")),
        Invoice("U1", "ACME", date(2026, 2, 10), date(2026, 3, 12), usd("600.00")),
    ],
    [Payment("P1", "ACME", date(2026, 2, 20), usd("100.00"))],
)
# 1 EUR = 1.25 USD from 1 January, 1 EUR = 1.10 USD from 1 April.
FX = FxRates(
    [
        FxRate(date(2026, 1, 1), "EUR", "USD", "1.25"),
        FxRate(date(2026, 4, 1), "EUR", "USD", "1.10"),
    ]
)


# -- without rates: the limit does not cover the dollars, and says so ------------------


def test_without_rates_a_eur_limit_says_usd_exposure_is_not_covered() -> None:
    (eur_row, usd_row) = exposure(LEDGER, "ACME", AS_OF)
    assert (eur_row.currency, eur_row.exposure, eur_row.breached) == ("EUR", eur("800.00"), False)
    assert eur_row.converted is None
    assert eur_row.uncovered == (usd("500.00"),)
    assert (usd_row.currency, usd_row.exposure, usd_row.limit, usd_row.uncovered) == (
        "USD",
        usd("500.00"),
        None,
        (),
    )
    rec = recommend(LEDGER, "ACME", AS_OF)
    assert rec.decision is CreditDecision.NONE
    (reason,) = [r for r in rec.reasons if r.code == "exposure_not_covered"]
    assert reason.text == (
        "exposure 500.00 USD is not covered by the credit limit 1000.00 EUR: "
        "no exchange rates given"
    )
    assert (reason.get("currencies"), reason.get("uncovered")) == ("USD", "500.00 USD")


# -- with rates: converted, and a hold when the total is over the limit --------------


def test_with_rates_usd_exposure_counts_against_the_eur_limit_and_holds() -> None:
    eur_row = exposure(LEDGER, "ACME", AS_OF, fx_rates=FX)[0]
    # 500 USD / 1.25 = 400.00 EUR; 800 + 400 = 1,200 EUR of a 1,000 EUR limit.
    assert eur_row.converted == eur("400.00")
    assert eur_row.uncovered == ()
    assert (eur_row.total, eur_row.headroom, eur_row.utilisation, eur_row.breached) == (
        eur("1200.00"),
        eur("-200.00"),
        Decimal("120.0"),
        True,
    )
    rec = recommend(LEDGER, "ACME", AS_OF, fx_rates=FX)
    assert rec.decision is CreditDecision.HOLD
    (reason,) = [r for r in rec.reasons if r.code == "credit_limit_exceeded"]
    assert reason.text == (
        "exposure 800.00 EUR and 400.00 EUR converted from other currencies "
        "(1200.00 EUR) exceeds the credit limit 1000.00 EUR"
    )
    assert (reason.get("converted"), reason.get("total")) == ("400.00", "1200.00")
    assert not [r for r in rec.reasons if r.code == "exposure_not_covered"]
    # The breach began when the dollar invoice was issued: 800 + 600 / 1.25 = 1,280.
    assert rec.since == date(2026, 2, 10)
    assert breach_start(LEDGER, "ACME", AS_OF) is None  # euros alone never breached


def test_the_rate_of_the_date_applies() -> None:
    # From 1 April, 500 USD / 1.10 = 454.545... -> 454.55 EUR (half-up).
    row = exposure(LEDGER, "ACME", date(2026, 4, 1), fx_rates=FX)[0]
    assert row.converted == eur("454.55")


def test_a_table_without_the_pair_leaves_the_exposure_uncovered() -> None:
    gbp_only = FxRates([FxRate(date(2026, 1, 1), "EUR", "GBP", "0.85")])
    row = exposure(LEDGER, "ACME", AS_OF, fx_rates=gbp_only)[0]
    assert (row.converted, row.uncovered, row.breached) == (eur("0.00"), (usd("500.00"),), False)
    rec = recommend(LEDGER, "ACME", AS_OF, fx_rates=gbp_only)
    (reason,) = [r for r in rec.reasons if r.code == "exposure_not_covered"]
    assert reason.text.endswith("no exchange rate to EUR on 2026-03-02")


# -- the rate table ------------------------------------------------------------------------


def test_conversion_uses_the_latest_row_the_inverse_and_rounds_half_up_once() -> None:
    table = FxRates(
        [
            FxRate(date(2026, 1, 1), "USD", "JPY", "150.255"),
            FxRate(date(2026, 1, 1), "EUR", "USD", "1.0850"),
        ]
    )
    assert table.convert(usd("1.00"), "JPY", AS_OF) == Money("150", "JPY")  # 150.255 -> 150
    assert table.convert(usd("0.01"), "JPY", AS_OF) == Money("2", "JPY")  # 1.50255 -> 2
    assert table.convert(usd("100.00"), "EUR", AS_OF) == eur("92.17")  # 92.1658...
    inverse = table.rate("USD", "EUR", AS_OF)
    assert inverse is not None
    assert str(inverse).startswith("0.9216589861751152073732718894009216589861751152073")
    assert table.convert(eur("1.00"), "EUR", AS_OF) == eur("1.00")
    assert table.convert(usd("1.00"), "JPY", date(2025, 12, 31)) is None


def test_bad_rows_are_refused_with_the_field_and_value() -> None:
    with pytest.raises(InvalidFieldError, match="floats are inexact"):
        FxRate(date(2026, 1, 1), "EUR", "USD", 1.08)  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError, match="above zero"):
        FxRate(date(2026, 1, 1), "EUR", "USD", "0")
    with pytest.raises(InvalidFieldError, match="is the base currency"):
        FxRate(date(2026, 1, 1), "EUR", "EUR", "1")
    with pytest.raises(InvalidFieldError, match="not an ISO 4217 currency"):
        FxRate(date(2026, 1, 1), "EUR", "XYZ", "1")
    with pytest.raises(InvalidFieldError, match="two rows for EUR->USD"):
        FxRates([FxRate(date(2026, 1, 1), "EUR", "USD", "1.1")] * 2)


def test_files_in_toml_and_csv(tmp_path: Path) -> None:
    toml = tmp_path / "fx.toml"
    toml.write_text(
        '[[fx]]\neffective = 2026-01-01\nfrom = "EUR"\nto = "USD"\nrate = "1.25"\n'
        '[[fx]]\neffective = 2026-04-01\nfrom = "EUR"\nto = "USD"\nrate = "1.10"\n',
        encoding="utf-8",
    )
    csv = tmp_path / "fx.csv"
    csv.write_text(
        "effective,from,to,rate\n2026-01-01,EUR,USD,1.25\n2026-04-01,EUR,USD,1.10\n",
        encoding="utf-8",
    )
    assert load_fx_rates(toml) == load_fx_rates(csv) == FX


@pytest.mark.parametrize(
    ("text", "fmt", "line", "column", "value", "reason"),
    [
        ("effective,from,to,rate\n2026-01-01,EUR,USD,1e1\n", "csv", 2, "rate", "1e1", "plain"),
        ("effective,from,to,rate\n2026-1-01,EUR,USD,1.1\n", "csv", 2, "effective", "2026-1-01", ""),
        ("effective,from,to,rate\n\n2026-01-01,EUR,XXX,1.1\n", "csv", 3, "from/to", "XXX", "ISO"),
        (
            "effective,from,to,rate\n2026-01-01,EUR,USD,1.1\n2026-01-01,EUR,USD,1.2\n",
            "csv",
            3,
            "effective",
            date(2026, 1, 1),
            "a second rate",
        ),
        (
            '[[fx]]\neffective = 2026-01-01\nfrom = "EUR"\nto = "USD"\nrate = 1.1\n',
            "toml",
            None,
            "rate",
            1.1,
            "floats are inexact",
        ),
        (
            '[[fx]]\neffective = 2026-01-01\nfrom = "EUR"\nto = "USD"\nrate = "1"\nx = 1\n',
            "toml",
            None,
            "x",
            1,
            "unknown key",
        ),
    ],
)
def test_bad_files_name_line_column_and_value(
    text: str, fmt: str, line: int | None, column: str, value: object, reason: str
) -> None:
    with pytest.raises(LoadError) as caught:
        loads_fx_rates(text, format=fmt, source="fx.file")  # type: ignore[arg-type]
    error = caught.value
    assert (error.path, error.line, error.column, error.value) == ("fx.file", line, column, value)
    assert reason in error.reason


# -- the command line ----------------------------------------------------------------------


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="arpolicy", catch_exceptions=False)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    dump_ledger(LEDGER, tmp_path / "ledger")
    (tmp_path / "fx.csv").write_text(
        "effective,from,to,rate\n2026-01-01,EUR,USD,1.25\n", encoding="utf-8"
    )
    (tmp_path / "bad.csv").write_text("effective,from,to,rate\n2026-01-01,EUR,USD,-1\n")
    return tmp_path


def test_report_credit_without_rates_shows_the_usd_not_covered(files: Path) -> None:
    result = run("report", str(files / "ledger"), "--as-of", "2026-03-02", "--credit")
    assert result.exit_code == 0, result.output
    assert "ACME: 500.00 USD not covered by the EUR limit" in result.stdout.splitlines()
    as_json = run(
        "report", str(files / "ledger"), "--as-of", "2026-03-02", "--credit", "--format", "json"
    )
    (acme,) = json.loads(as_json.stdout)["credit"]
    assert acme["decision"] == "none"
    assert "exposure_not_covered" in [r["code"] for r in acme["reasons"]]


def test_report_with_fx_rates_converts_and_holds(files: Path) -> None:
    args = ("report", str(files / "ledger"), "--as-of", "2026-03-02")
    result = run(*args, "--fx-rates", str(files / "fx.csv"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    (line,) = [row for row in lines if row.startswith("ACME ") and "EUR" in row]
    assert "hold" in line
    assert "120.0 %" in line
    assert "ACME: 400.00 EUR converted from other currencies counts against the EUR limit" in lines
    rows = run(*args, "--fx-rates", str(files / "fx.csv"), "--format", "csv").stdout.splitlines()
    assert "credit,ACME,EUR,converted,400.00" in rows
    assert "credit,ACME,EUR,headroom,-200.00" in rows
    bad = run(*args, "--fx-rates", str(files / "bad.csv"))
    assert bad.exit_code == 1
    assert "bad.csv:2: column 'rate'" in bad.stderr
