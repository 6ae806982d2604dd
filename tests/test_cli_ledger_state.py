"""What the command line says about a ledger's state on a date: payments dated
after it ("not counted yet"), a resolved dispute in ``explain``, an early-payment
discount in ``explain``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from arpolicy import Contacts, Customer, Dispute, Invoice, Ledger, Money, Payment
from arpolicy.cli import main
from arpolicy.io import dump_ledger, parse_terms


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="arpolicy", catch_exceptions=False)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


CUSTOMER = Customer(
    "C1", "Acme BV", "business", "NL", contacts=Contacts(email="ap@acme.nl", phone="+31 20 1")
)


@pytest.fixture
def late_payment_ledger(tmp_path: Path) -> Path:
    ledger = Ledger(
        [CUSTOMER],
        [Invoice("INV-1", "C1", date(2026, 1, 2), date(2026, 2, 1), eur("500.00"))],
        [
            Payment("PAY-1", "C1", date(2026, 2, 20), eur("100.00")),
            Payment("PAY-9", "C1", date(2026, 3, 5), eur("400.00"), invoice_id="INV-1"),
        ],
    )
    path = tmp_path / "ledger"
    dump_ledger(ledger, path)
    return path


def test_ledger_check_lists_payments_after_the_date_as_not_counted_yet(
    late_payment_ledger: Path,
) -> None:
    result = run("ledger", "check", str(late_payment_ledger), "--as-of", "2026-03-02")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "not counted yet: PAY-9 dated 2026-03-05 (after 2026-03-02), 400.00 EUR from C1" in lines
    assert not any("PAY-1" in line for line in lines)
    # On the payment's own date it counts, and nothing is listed.
    counted = run("ledger", "check", str(late_payment_ledger), "--as-of", "2026-03-05")
    assert "not counted yet" not in counted.stdout


def test_the_plan_summary_lists_payments_after_the_date(late_payment_ledger: Path) -> None:
    result = run("plan", str(late_payment_ledger), "--as-of", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert (
        "not counted yet: PAY-9 dated 2026-03-05 (after 2026-03-02), 400.00 EUR from C1"
        in result.stdout.splitlines()
    )
    # Machine-readable output stays clean; the note goes to standard error.
    as_json = run("plan", str(late_payment_ledger), "--as-of", "2026-03-02", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    json.loads(as_json.stdout)
    assert "not counted yet: PAY-9 dated 2026-03-05" in as_json.stderr


def test_simulate_lists_payments_after_its_last_day(late_payment_ledger: Path) -> None:
    result = run("simulate", str(late_payment_ledger), "--from", "2026-02-25", "--to", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert "not counted yet: PAY-9 dated 2026-03-05 (after 2026-03-02)" in result.stdout


def _explain(tmp_path: Path, invoice: Invoice, *payments: Payment, on: str) -> str:
    path = tmp_path / "ledger.json"
    dump_ledger(Ledger([CUSTOMER], [invoice], payments), path)
    result = run("explain", str(path), "--invoice", invoice.id, "--as-of", on)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_explain_shows_a_resolved_dispute_as_resolved(tmp_path: Path) -> None:
    disputed = Invoice(
        "INV-1",
        "C1",
        date(2026, 1, 2),
        date(2026, 2, 1),
        eur("500.00"),
        dispute=Dispute(date(2026, 2, 5), "wrong quantity", resolved_on=date(2026, 2, 20)),
    )
    after = _explain(tmp_path, disputed, on="2026-03-02")
    assert "dispute resolved on 2026-02-20 (opened 2026-02-05): wrong quantity" in after
    assert "disputed since" not in after
    during = _explain(tmp_path, disputed, on="2026-02-10")
    assert "disputed since 2026-02-05, resolved on 2026-02-20: wrong quantity" in during
    before = _explain(tmp_path, disputed, on="2026-02-01")
    assert "dispute opened on 2026-02-05, after this date: wrong quantity" in before
    still_open = Invoice(
        "INV-1",
        "C1",
        date(2026, 1, 2),
        date(2026, 2, 1),
        eur("500.00"),
        dispute=Dispute(date(2026, 2, 5), "wrong quantity"),
    )
    assert "disputed since 2026-02-05: wrong quantity" in _explain(
        tmp_path, still_open, on="2026-03-02"
    )


def test_explain_shows_the_early_payment_discount(tmp_path: Path) -> None:
    bill = Invoice.from_terms(
        "INV-1", "C1", date(2026, 3, 4), eur("1000.00"), parse_terms("2/10 net 30")
    )
    text = _explain(
        tmp_path, bill, Payment("PAY-1", "C1", date(2026, 3, 13), eur("980.00")), on="2026-04-13"
    )
    assert "open 0.00 EUR" in text
    assert "early-payment discount granted: 20.00 EUR" in text
    assert "today: nothing; the invoice is not open" in text
