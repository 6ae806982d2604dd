"""The JSON ledger read with Polars: tables, no records, the same ledger and errors as before.

The good path builds frames of strings from the parsed document and
validates them with the CSV reader's vectorised code; anything it flags is
read record by record by today's reader, whose error (JSON path, ``line``
``None``) is the one raised. These tests hold the two to each other.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from arpolicy.errors import LoadError
from arpolicy.io import dump_ledger, load_ledger
from arpolicy.io import ledger_json as old
from arpolicy.model import Ledger
from arpolicy.sample import sample_ledger
from arpolicy.testing.strategies import ledgers
from strategies_io import awkward_ledgers

SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow], max_examples=25, deadline=None)
Doc = dict[str, Any]


@pytest.fixture(scope="module")
def sample() -> Ledger:
    return sample_ledger()


@pytest.fixture(scope="module")
def document(sample: Ledger, tmp_path_factory: pytest.TempPathFactory) -> Doc:
    path = dump_ledger(sample, tmp_path_factory.mktemp("doc") / "ledger.json")
    loaded: Doc = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def test_json_load_builds_no_record_until_asked(
    sample: Ledger, tmp_path: Path, records_built: dict[str, int]
) -> None:
    built = records_built
    ledger = load_ledger(dump_ledger(sample, tmp_path / "ledger.json"))
    assert ledger._records is None  # the table path, not today's record-by-record reader
    assert built == {}
    assert ledger.tables.invoices.height == len(sample.invoices)
    assert built == {}
    some = sample.invoices[7]
    assert ledger.invoice(some.id) == some
    assert built == {"invoice": 1}
    assert ledger == sample


def _both(ledger: Ledger, root: Path) -> tuple[Ledger, Ledger]:
    from_json = load_ledger(dump_ledger(ledger, root / "ledger.json"))
    from_csv = load_ledger(dump_ledger(ledger, root / "csv"))
    return from_json, from_csv


@SETTINGS
@given(ledger=ledgers(max_customers=4, max_invoices=10, max_payments=10))
def test_json_and_csv_of_a_ledger_load_equal(ledger: Ledger, tmp_path_factory: Any) -> None:
    from_json, from_csv = _both(ledger, tmp_path_factory.mktemp("l"))
    assert from_json._records is None
    assert from_json == from_csv == ledger
    for name in ("invoices", "payments"):
        assert getattr(from_json.tables, name).equals(getattr(from_csv.tables, name))


@SETTINGS
@given(ledger=awkward_ledgers())
def test_json_and_csv_of_an_awkward_ledger_load_equal(
    ledger: Ledger, tmp_path_factory: Any
) -> None:
    from_json, from_csv = _both(ledger, tmp_path_factory.mktemp("a"))
    assert from_json._records is None
    assert from_json == from_csv == ledger


def test_null_and_empty_objects_still_mean_absent(document: Doc, tmp_path: Path) -> None:
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(document), encoding="utf-8")
    padded = copy.deepcopy(document)
    for invoice in padded["invoices"]:
        invoice.setdefault("reference", None)
        invoice.setdefault("dispute", {})
    path = tmp_path / "padded.json"
    path.write_text(json.dumps(padded), encoding="utf-8")
    padded_ledger = load_ledger(path)
    assert padded_ledger._records is None  # still the table path
    assert padded_ledger == load_ledger(plain)
    padded["invoices"][0]["dispute"] = None  # allowed; read by the per-record reader
    path.write_text(json.dumps(padded), encoding="utf-8")
    assert load_ledger(path) == load_ledger(plain)


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    """A change at a JSON path such as ``invoices[3].amount.amount``."""

    def change(doc: Doc) -> None:
        parts = path.replace("[", ".").replace("]", "").split(".")
        target: Any = doc
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        elif last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return change


_DELETE = object()

# (change, the JSON path the error names)
ERRORS: list[tuple[str, Callable[[Doc], None], str]] = [
    ("rounding", _set("invoices[3].amount.amount", "12.345"), "invoices[3].amount.amount"),
    ("number amount", _set("invoices[1].amount.amount", 12.5), "invoices[1].amount.amount"),
    ("boolean amount", _set("payments[2].amount.amount", True), "payments[2].amount.amount"),
    ("number id", _set("invoices[4].id", 7), "invoices[4].id"),
    ("list as text", _set("customers[1].name", ["Acme"]), "customers[1].name"),
    ("unknown key", _set("invoices[2].colour", "red"), "invoices[2].colour"),
    ("unknown nested key", _set("invoices[2].amount.vat", "1"), "invoices[2].amount.vat"),
    ("record not object", _set("payments[1]", "P1"), "payments[1]"),
    ("nested not object", _set("invoices[0].amount", "10.00"), "invoices[0].amount"),
    ("required missing", _set("invoices[5].due_date", _DELETE), "invoices[5].due_date"),
    ("required null", _set("customers[2].country", None), "customers[2].country"),
    ("required empty", _set("invoices[6].id", ""), "invoices[6].id"),
    ("impossible date", _set("invoices[2].issue_date", "2026-02-30"), "invoices[2].issue_date"),
    ("date form", _set("payments[0].date", "2026-3-1"), "payments[0].date"),
    ("currency", _set("invoices[1].amount.currency", "EUX"), "invoices[1].amount.currency"),
    ("duplicate id", _set("invoices[4].id", "CN-2026-0004"), "invoices[4].id"),
    ("unknown customer", _set("invoices[4].customer_id", "C9"), "invoices[4].customer_id"),
    ("unknown invoice", _set("payments[0].invoice_id", "NOPE"), "payments[0].invoice_id"),
    ("method", _set("payments[0].method", "cheque"), "payments[0].method"),
    ("metadata null", _set("invoices[0].metadata", {"erp": None}), "invoices[0].metadata.erp"),
    ("metadata number", _set("invoices[0].metadata", {"erp": 1}), "invoices[0].metadata.erp"),
    ("metadata column", _set("invoices[0].metadata", {"terms": "x"}), "invoices[0].metadata.terms"),
    ("metadata null object", _set("payments[0].metadata", None), "payments[0].metadata"),
    ("tag with space", _set("customers[0].tags", ["a b"]), "customers[0].tags[0]"),
    ("tags as text", _set("customers[0].tags", "vip"), "customers[0].tags"),
    ("email", _set("customers[0].contacts", {"email": "no-at"}), "customers[0].contacts.email"),
    ("grace as text", _set("plans[0].grace_days", "3"), "plans[0].grace_days"),
    ("grace as boolean", _set("plans[0].grace_days", True), "plans[0].grace_days"),
    ("no instalments", _set("plans[0].instalments", []), "plans[0].instalments"),
    (
        "instalment key",
        _set("plans[0].instalments[0].note", "x"),
        "plans[0].instalments[0].note",
    ),
    ("trial end", _set("trials[0].ends", "soon"), "trials[0].ends"),
]


@pytest.mark.parametrize(("change", "where"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_every_error_names_the_json_path_as_before(
    document: Doc, tmp_path: Path, change: Callable[[Doc], None], where: str
) -> None:
    doc = copy.deepcopy(document)
    change(doc)
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_ledger(path)
    error = info.value
    with pytest.raises(LoadError) as before:
        old._load_records(path, json.loads(path.read_text(encoding="utf-8")))
    assert (error.path, error.line, error.column, error.value, error.reason) == (
        before.value.path,
        None,
        before.value.column,
        before.value.value,
        before.value.reason,
    )
    assert error.column is not None
    assert error.column.startswith(where), error


def test_syntax_and_encoding_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    path.write_text('{\n  "format": "arpolicy-ledger",\n  "version": \n}', encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_ledger(path)
    assert info.value.line == 4
    path.write_bytes(b'{\n  "format": "arpolicy-ledger",\n  "x\xff": 1\n}')
    with pytest.raises(LoadError) as info:
        load_ledger(path)
    assert info.value.line == 3
    assert "byte offset 37" in info.value.reason


def _nested(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "where",
    ["invoices[2].reference", "customers[0].tags", "invoices[0].metadata", "plans[0].grace_days"],
)
def test_deep_nesting_inside_a_record_is_a_load_error(
    document: Doc, tmp_path: Path, where: str
) -> None:
    doc = copy.deepcopy(document)
    deep = _nested(900)
    value = {"erp": deep} if where.endswith("metadata") else [deep] if "tags" in where else deep
    _set(where, value)(doc)
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_ledger(path)
    assert info.value.column is not None
    assert info.value.column.startswith(where)


@pytest.mark.parametrize("key", ["__line", "__i"])
def test_metadata_named_like_an_internal_column_survives(
    sample: Ledger, tmp_path: Path, key: str
) -> None:
    invoice = attrs.evolve(sample.invoices[0], metadata={key: "kept"})
    ledger = sample.replace(invoices=[invoice, *sample.invoices[1:]])
    loaded = load_ledger(dump_ledger(ledger, tmp_path / "ledger.json"))
    assert dict(loaded.invoice(invoice.id).metadata) == {key: "kept"}
