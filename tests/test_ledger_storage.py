"""The ledger's storage: Polars tables, records built on demand, both paths equal."""

from __future__ import annotations

import csv
import pickle
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from arpolicy import Customer, Invoice, Ledger, Money, Payment, PaymentPlan, Trial
from arpolicy.errors import DuplicateIdError, LedgerError, UnknownReferenceError
from arpolicy.io import dump_csv, load_csv
from arpolicy.ledger import SCHEMAS, _views
from arpolicy.ledger._validate import check_tables
from arpolicy.model import Instalment
from arpolicy.sample import sample_ledger
from strategies_io import awkward_ledgers

SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow], max_examples=25, deadline=None)
DATES = (date(2024, 1, 1), date(2025, 6, 30), date(2026, 3, 1), date(2030, 1, 1))


def _by_id(records: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(sorted(records, key=lambda r: r.id))


def _loaded(ledger: Ledger, directory: Path) -> Ledger:
    dump_csv(ledger, directory)
    return load_csv(directory)


def _frames(directory: Path) -> dict[str, pl.DataFrame]:
    """The dumped files as frames of text (read with :mod:`csv`: exact headers and cells)."""
    found = {}
    for stem in ("customers", "invoices", "payments", "plans", "trials"):
        path = directory / f"{stem}.csv"
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as handle:
                header, *rows = list(csv.reader(handle))
            columns = {name: [row[k] or None for row in rows] for k, name in enumerate(header)}
            found[stem] = pl.DataFrame(columns, schema=dict.fromkeys(header, pl.String))
    return found


@pytest.fixture(scope="module")
def sample() -> Ledger:
    return sample_ledger()


def test_loading_builds_no_record_until_asked(
    sample: Ledger, tmp_path: Path, records_built: dict[str, int]
) -> None:
    built = records_built
    ledger = _loaded(sample, tmp_path)
    assert built == {}
    assert ledger.tables.invoices.height == len(sample.invoices)
    assert built == {}
    some = sample.invoices[7]
    assert ledger.invoice(some.id) == some
    assert built == {"invoice": 1}
    assert ledger.invoice(some.id) is ledger.invoice(some.id)  # cached
    assert built == {"invoice": 1}
    cid = some.customer_id
    assert _by_id(ledger.invoices_of(cid)) == _by_id(sample.invoices_of(cid))
    assert built["invoice"] == len(sample.invoices_of(cid))  # only that customer's, once each
    assert ledger.position(cid, DATES[2]) == sample.position(cid, DATES[2])
    assert "customer" not in built


def test_records_built_on_demand_equal_those_of_the_records_path(
    sample: Ledger, tmp_path: Path
) -> None:
    ledger = _loaded(sample, tmp_path)
    for record in sample.customers[:5]:
        assert ledger.customer(record.id) == record
    for payment in sample.payments[:5]:
        assert ledger.payment(payment.id) == payment
    for plan in sample.plans:
        assert ledger.plan(plan.id) == plan
    # the whole tuples keep the order read (the dump writes in id order)
    assert ledger.invoices == _by_id(sample.invoices)
    assert ledger.payments == _by_id(sample.payments)
    assert ledger.customers == _by_id(sample.customers)
    assert ledger.trials == _by_id(sample.trials)
    assert ledger.invoices[0] is ledger.invoice(ledger.invoices[0].id)
    assert ledger == sample
    assert hash(ledger) == hash(sample)
    assert ledger.currencies() == sample.currencies()
    assert ledger.balances(DATES[2]) == sample.balances(DATES[2])


def test_tables_are_read_only_views(sample: Ledger, tmp_path: Path) -> None:
    ledger = _loaded(sample, tmp_path)
    tables = ledger.tables
    tables.invoices.drop_in_place("amount")
    assert "amount" in ledger.tables.invoices.columns
    assert ledger.tables.customers.height == len(sample.customers)
    for kind in ("customer", "invoice", "payment", "plan", "trial"):
        assert ledger.tables.of(kind).schema == SCHEMAS[kind]
        assert sample.tables.of(kind).schema == SCHEMAS[kind]


def test_a_table_backed_ledger_pickles_without_building_records(
    sample: Ledger, tmp_path: Path
) -> None:
    ledger = _loaded(sample, tmp_path)
    copy = pickle.loads(pickle.dumps(ledger))
    assert copy._records is None
    assert copy == sample
    assert pickle.loads(pickle.dumps(sample)) == sample


def test_repr_counts_and_replace() -> None:
    c1 = Customer("C1", "Acme", "business", "NL")
    ledger = Ledger(
        [c1], [Invoice("I1", "C1", date(2026, 1, 1), date(2026, 2, 1), Money(1, "EUR"))]
    )
    assert repr(ledger) == "Ledger(customers=1, invoices=1, payments=0, plans=0, trials=0)"
    renamed = ledger.replace(customers=[Customer("C1", "Acme BV", "business", "NL")])
    assert renamed.customer("C1").name == "Acme BV"
    assert renamed.invoices == ledger.invoices
    with pytest.raises(UnknownReferenceError):
        ledger.replace(customers=[])


@given(awkward_ledgers())
@SETTINGS
def test_records_and_tables_paths_agree(ledger: Ledger) -> None:
    """Records, the tables of them, a CSV round trip and frames: one ledger, one position."""
    with tempfile.TemporaryDirectory() as tmp:
        loaded = _loaded(ledger, Path(tmp))
        framed = Ledger.from_frames(**_frames(Path(tmp)))
    tabled = Ledger._from_tables(ledger.tables)
    for other in (loaded, framed, tabled):
        assert other == ledger
        assert _by_id(other.invoices) == _by_id(ledger.invoices)
        assert _by_id(other.plans) == _by_id(ledger.plans)
        for customer in ledger.customers:
            for day in DATES:
                assert other.position(customer.id, day) == ledger.position(customer.id, day)
            assert _by_id(other.trials_of(customer.id)) == _by_id(ledger.trials_of(customer.id))


# -- validation: the vectorised check says what the Python check says ----------


def _c(cid: str = "C1") -> Customer:
    return Customer(cid, "Acme", "business", "NL")


def _i(iid: str = "I1", cid: str = "C1", currency: str = "EUR", **kw: Any) -> Invoice:
    return Invoice(iid, cid, date(2026, 1, 1), date(2026, 2, 1), Money(10, currency), **kw)


def _p(pid: str = "P1", cid: str = "C1", currency: str = "EUR", **kw: Any) -> Payment:
    return Payment(pid, cid, date(2026, 1, 5), Money(5, currency), **kw)


def _plan(
    pid: str = "PL1", cid: str = "C1", ids: tuple[str, ...] = ("I1",), cur: str = "EUR"
) -> Any:
    return PaymentPlan(
        pid, cid, ids, [Instalment(date(2026, 3, 1), Money(5, cur))], date(2026, 2, 1)
    )


BAD: list[tuple[str, tuple[Any, ...]]] = [
    ("duplicate customer", ([_c(), _c()],)),
    ("duplicate invoice", ([_c()], [_i(), _i()])),
    ("duplicate payment", ([_c()], [_i()], [_p(), _p()])),
    ("duplicate trial", ([_c()], [], [], [], [Trial("T", "C1", date(2026, 1, 1))] * 2)),
    ("invoice customer", ([_c()], [_i(), _i("I2", "C9")])),
    ("credit note unknown", ([_c()], [_i("CN", kind="credit_note", applies_to="I9")])),
    (
        "credit note to credit note",
        ([_c()], [_i("C0", kind="credit_note"), _i("CN", kind="credit_note", applies_to="C0")]),
    ),
    (
        "credit note other customer",
        ([_c(), _c("C2")], [_i("I1", "C2"), _i("CN", kind="credit_note", applies_to="I1")]),
    ),
    (
        "credit note currency",
        ([_c()], [_i(), _i("CN", currency="GBP", kind="credit_note", applies_to="I1")]),
    ),
    ("payment customer", ([_c()], [_i()], [_p(), _p("P2", "C9")])),
    ("payment invoice unknown", ([_c()], [_i()], [_p(invoice_id="I9")])),
    ("payment other customer", ([_c(), _c("C2")], [_i("I1", "C2")], [_p(invoice_id="I1")])),
    ("payment currency", ([_c()], [_i()], [_p(currency="GBP", invoice_id="I1")])),
    ("payment credit note", ([_c()], [_i("CN", kind="credit_note")], [_p(invoice_id="CN")])),
    ("payment order", ([_c()], [_i()], [_p("P0", invoice_id="I9"), _p("P1", "C9")])),
    ("plan customer", ([_c()], [_i()], [], [_plan(cid="C9")])),
    ("plan invoice", ([_c()], [_i()], [], [_plan(ids=("I1", "I9"))])),
    ("plan currency", ([_c()], [_i()], [], [_plan(cur="GBP")])),
    ("trial customer", ([_c()], [], [], [], [Trial("T", "C9", date(2026, 1, 1))])),
]


@pytest.mark.parametrize("records", [r for _, r in BAD], ids=[n for n, _ in BAD])
def test_vectorised_validation_matches_the_records_path(records: tuple[Any, ...]) -> None:
    with pytest.raises(LedgerError) as info:
        Ledger(*records)
    expected = info.value
    padded = list(records) + [[]] * (5 - len(records))
    problem = check_tables(_views.tables_from_records(*padded))
    assert problem is not None
    got = problem.error
    assert type(got) is type(expected)
    assert str(got) == str(expected)
    assert vars(got) == vars(expected)
    with pytest.raises(type(expected)) as again:
        Ledger._from_tables(_views.tables_from_records(*padded))
    assert str(again.value) == str(expected)
    if isinstance(expected, DuplicateIdError):
        assert problem.row == 1 or problem.kind == "invoice"
