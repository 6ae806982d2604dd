"""Ledger files: load(dump(x)) == x, determinism, atomic dumps."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from arpolicy.errors import InvalidFieldError
from arpolicy.io import dump_ledger, load_ledger, parse_terms
from arpolicy.model import (
    Customer,
    Dispute,
    DunningBlock,
    Instalment,
    Invoice,
    Ledger,
    Payment,
    PaymentPlan,
    Trial,
)
from arpolicy.money import Money
from arpolicy.testing.strategies import ledgers
from strategies_io import awkward_ledgers

SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow], max_examples=25, deadline=None)


def _roundtrip(ledger: Ledger, name: str) -> Ledger:
    with tempfile.TemporaryDirectory() as folder:
        return load_ledger(dump_ledger(ledger, Path(folder) / name))


@SETTINGS
@given(ledgers(currencies=("EUR", "JPY", "KWD")))
def test_csv_roundtrip(ledger: Ledger) -> None:
    assert _roundtrip(ledger, "ledger") == ledger


@SETTINGS
@given(ledgers(currencies=("EUR", "JPY", "KWD")))
def test_json_roundtrip(ledger: Ledger) -> None:
    assert _roundtrip(ledger, "ledger.json") == ledger


@SETTINGS
@given(awkward_ledgers())
def test_awkward_text_and_metadata_roundtrip(ledger: Ledger) -> None:
    assert _roundtrip(ledger, "ledger") == ledger
    assert _roundtrip(ledger, "ledger.json") == ledger


@SETTINGS
@given(awkward_ledgers())
def test_csv_and_json_hold_the_same_content(ledger: Ledger) -> None:
    with tempfile.TemporaryDirectory() as folder:
        via_csv = load_ledger(dump_ledger(ledger, Path(folder) / "a"))
        dump_ledger(via_csv, Path(folder) / "b.json")
        assert load_ledger(Path(folder) / "b.json") == ledger


def _full_ledger() -> Ledger:
    eur = "EUR"
    customers = [
        Customer(
            "C2",
            'Gemeente, "Ergens"',
            "government",
            "NL",
            language="nl",
            timezone="Europe/Amsterdam",
            credit_limit=Money("5000", eur),
            tags={"public", "slow"},
            block=DunningBlock("in negotiation", date(2026, 3, 1)),
            policy="b2g-nl",
            metadata={"erp": "X-1"},
        ),
        Customer("C1", "Jansen\nBV", "business", "DE"),
    ]
    invoices = [
        Invoice.from_terms(
            "I2", "C2", date(2026, 1, 10), Money("1210.50", eur), parse_terms("2/7 net 30 eom")
        ),
        Invoice(
            "I1",
            "C1",
            date(2026, 1, 1),
            date(2026, 1, 31),
            Money("99.99", eur),
            dispute=Dispute(date(2026, 1, 5), "wrong amount", date(2026, 1, 20)),
            on_hold_until=date(2026, 2, 1),
            reference="PO-1",
            payment_link="https://pay.example.com/I1",
            policy="gentle",
        ),
        Invoice(
            "I3",
            "C1",
            date(2026, 1, 2),
            date(2026, 1, 2),
            Money("9.99", eur),
            kind="credit_note",
            applies_to="I1",
        ),
    ]
    payments = [
        Payment("P1", "C1", date(2026, 1, 15), Money("50", eur), invoice_id="I1", method="card"),
        Payment("P2", "C2", date(2026, 1, 16), Money("10", eur), reference="bank 123"),
    ]
    plans = [
        PaymentPlan(
            "PL1",
            "C1",
            ("I1",),
            [
                Instalment(date(2026, 2, 1), Money(20, eur)),
                Instalment(date(2026, 3, 1), Money(20, eur)),
            ],
            date(2026, 1, 20),
            grace_days=3,
        )
    ]
    trials = [Trial("T1", "C2", date(2026, 4, 30), date(2026, 4, 1), "allowance", "100 free")]
    return Ledger(customers, invoices, payments, plans, trials)


@pytest.mark.parametrize("name", ["ledger", "ledger.json"])
def test_every_field_roundtrips(tmp_path: Path, name: str) -> None:
    ledger = _full_ledger()
    assert load_ledger(dump_ledger(ledger, tmp_path / name)) == ledger


def test_csv_dump_is_deterministic_and_ordered(tmp_path: Path) -> None:
    ledger = _full_ledger()
    a = dump_ledger(ledger, tmp_path / "a")
    reordered = Ledger(
        reversed(ledger.customers),
        reversed(ledger.invoices),
        reversed(ledger.payments),
        ledger.plans,
        ledger.trials,
    )
    b = dump_ledger(reordered, tmp_path / "b")
    names = sorted(p.name for p in a.iterdir())
    assert names == ["customers.csv", "invoices.csv", "payments.csv", "plans.csv", "trials.csv"]
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes()
        raw = (a / name).read_bytes()
        assert raw.endswith(b"\n")
        assert b"\r\n" not in raw.replace(b'"\r\n', b"")
    customers = (a / "customers.csv").read_text(encoding="utf-8").splitlines()
    # required, then the recognised optional columns in use, then metadata
    assert customers[0] == (
        "id,name,profile,country,language,timezone,credit_limit,currency,tags,"
        "block_reason,block_until,policy,erp"
    )
    assert customers[1].startswith("C1,")  # rows sorted by id
    invoices = (a / "invoices.csv").read_text(encoding="utf-8").splitlines()
    assert invoices[0].split(",")[:6] == [
        "id",
        "customer_id",
        "issue_date",
        "due_date",
        "amount",
        "currency",
    ]
    assert [line.split(",")[0] for line in invoices[1:]] == ["I1", "I2", "I3"]


def test_only_used_optional_columns_and_files_are_written(tmp_path: Path) -> None:
    ledger = Ledger([Customer("C1", "Acme", "business", "NL")])
    out = dump_ledger(ledger, tmp_path / "l")
    assert sorted(p.name for p in out.iterdir()) == ["customers.csv", "invoices.csv"]
    assert (out / "customers.csv").read_text(encoding="utf-8") == (
        "id,name,profile,country\nC1,Acme,business,NL\n"
    )
    assert (out / "invoices.csv").read_text(encoding="utf-8") == (
        "id,customer_id,issue_date,due_date,amount,currency\n"
    )


def test_json_dump_is_deterministic_with_sorted_keys(tmp_path: Path) -> None:
    ledger = _full_ledger()
    a = dump_ledger(ledger, tmp_path / "a.json").read_text(encoding="utf-8")
    b = dump_ledger(ledger, tmp_path / "b.json").read_text(encoding="utf-8")
    assert a == b
    assert a.endswith("}\n")
    document = json.loads(a)
    assert document["format"] == "arpolicy-ledger"
    assert document["version"] == 1
    assert list(document) == sorted(document)
    assert document["invoices"][0]["amount"] == {"amount": "99.99", "currency": "EUR"}
    assert document["invoices"][1]["terms"] == "2/7 net 30 eom"
    assert [c["id"] for c in document["customers"]] == ["C1", "C2"]


def test_stale_optional_file_is_removed_and_other_files_kept(tmp_path: Path) -> None:
    out = dump_ledger(_full_ledger(), tmp_path / "l")
    (out / "README.txt").write_text("mine", encoding="utf-8")
    small = Ledger([Customer("C1", "Acme", "business", "NL")])
    dump_ledger(small, out)
    assert not (out / "plans.csv").exists()
    assert (out / "README.txt").read_text(encoding="utf-8") == "mine"
    assert load_ledger(out) == small


@pytest.mark.parametrize("name", ["l", "l.json"])
def test_failed_dump_leaves_previous_files_untouched(tmp_path: Path, name: str) -> None:
    good = _full_ledger()
    out = dump_ledger(good, tmp_path / name)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    bad = Ledger(
        [Customer("C1", "Acme", "business", "NL", policy="")],  # "" cannot be written
    )
    with pytest.raises(InvalidFieldError) as info:
        dump_ledger(bad, out)
    assert info.value.field == "policy"
    assert load_ledger(out) == good
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no temporary left


def test_metadata_key_that_is_a_column_is_refused(tmp_path: Path) -> None:
    bad = Ledger([Customer("C1", "Acme", "business", "NL", metadata={"name": "x"})])
    with pytest.raises(InvalidFieldError, match="column"):
        dump_ledger(bad, tmp_path / "l")
