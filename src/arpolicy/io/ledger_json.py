"""The single-file JSON ledger: the same content as the ledger directory.

A document is read into Polars tables and validated with the CSV reader's
vectorised rules (:mod:`arpolicy.ledger._json`). When that flags anything,
each JSON record is flattened here into the columns of the matching CSV
file and checked by the same code as CSV rows (:mod:`arpolicy.io._records`),
which names the first problem. Errors name the JSON path
(``invoices[3].amount.amount``) in :attr:`~arpolicy.errors.LoadError.column`,
with ``line=None``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

import attrs

from .._gc import gc_paused
from ..errors import InvalidFieldError, LoadError
from ..model import Ledger
from ._assemble import build_ledger, group_plans
from ._files import write_text_atomic
from ._records import (
    BUILDERS,
    CUSTOMERS,
    INVOICES,
    PAYMENTS,
    PLANS,
    TABLES,
    TRIALS,
    Builder,
    CellError,
    Cells,
    Layout,
    Table,
    customer_row,
    field_column,
    invoice_row,
    payment_row,
    plan_rows,
    trial_row,
)

__all__ = ["FORMAT", "VERSION", "dump_json", "load_json"]

FORMAT: Final = "arpolicy-ledger"
VERSION: Final = 1


@attrs.frozen
class _List:
    """A JSON list of words stored in one space-separated column."""

    column: str


@attrs.frozen
class _Int:
    """A JSON integer stored in one column."""

    column: str


Spec = dict[str, "str | _List | _Int | Spec"]

_MONEY: Final[Spec] = {"amount": "amount", "currency": "currency"}
_SPECS: Final[dict[str, Spec]] = {
    "customer": {
        "id": "id",
        "name": "name",
        "profile": "profile",
        "country": "country",
        "language": "language",
        "timezone": "timezone",
        "contacts": {
            "email": "email",
            "phone": "phone",
            "address": "address",
            "whatsapp": "whatsapp",
        },
        "credit_limit": {"amount": "credit_limit", "currency": "currency"},
        "tags": _List("tags"),
        "block": {"reason": "block_reason", "until": "block_until"},
        "policy": "policy",
    },
    "invoice": {
        "id": "id",
        "customer_id": "customer_id",
        "issue_date": "issue_date",
        "due_date": "due_date",
        "amount": _MONEY,
        "terms": "terms",
        "kind": "kind",
        "dispute": {
            "opened_on": "disputed",
            "reason": "dispute_reason",
            "resolved_on": "dispute_resolved_on",
        },
        "on_hold_until": "on_hold_until",
        "reference": "reference",
        "payment_link": "payment_link",
        "applies_to": "applies_to",
        "policy": "policy",
    },
    "payment": {
        "id": "id",
        "customer_id": "customer_id",
        "date": "date",
        "amount": _MONEY,
        "invoice_id": "invoice_id",
        "method": "method",
        "reference": "reference",
    },
    "plan": {
        "id": "plan_id",
        "customer_id": "customer_id",
        "invoice_ids": _List("invoice_ids"),
        "agreed_on": "agreed_on",
        "grace_days": _Int("grace_days"),
    },
    "instalment": {"due_date": "due_date", "amount": _MONEY},
    "trial": {
        "id": "id",
        "customer_id": "customer_id",
        "ends": "ends",
        "starts": "starts",
        "kind": "kind",
        "description": "description",
    },
}
_LISTS: Final = {"customer": "customers", "invoice": "invoices", "payment": "payments"}
_LISTS.update({"plan": "plans", "trial": "trials"})
_TOP_KEYS: Final = {"format", "version", *_LISTS.values()}


def _paths(spec: Spec, prefix: str = "") -> dict[str, str]:
    """column -> JSON path below a record."""
    result: dict[str, str] = {}
    for key, sub in spec.items():
        if isinstance(sub, str):
            result[sub] = prefix + key
        elif isinstance(sub, _List | _Int):
            result[sub.column] = prefix + key
        else:
            result.update(_paths(sub, f"{prefix}{key}."))
    return result


_PATHS: Final = {kind: _paths(spec) for kind, spec in _SPECS.items()}


class _BadValueError(Exception):
    def __init__(self, path: str, value: object, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.value = value
        self.reason = reason


def _flatten(obj: object, spec: Spec, path: str, out: dict[str, str], meta: bool) -> None:
    if not isinstance(obj, dict):
        raise _BadValueError(path, obj, "expected an object")
    for key, value in obj.items():
        where = f"{path}.{key}"
        if key == "metadata" and meta:
            if not isinstance(value, dict):
                raise _BadValueError(where, value, "expected an object of strings")
            for name, text in value.items():
                if not isinstance(text, str):
                    raise _BadValueError(f"{where}.{name}", text, "expected a string")
                if not name or name in out or name in _known_columns(spec):
                    raise _BadValueError(
                        f"{where}.{name}", name, "metadata key is empty or a column name"
                    )
                if text:
                    out[name] = text
            continue
        sub = spec.get(key)
        if sub is None:
            raise _BadValueError(
                where, key, f"unknown key; expected one of {', '.join(sorted(spec))}"
            )
        if value is None:
            continue
        if isinstance(sub, str):
            if not isinstance(value, str):
                raise _BadValueError(where, value, "expected a string")
            out[sub] = value
        elif isinstance(sub, _List):
            if not isinstance(value, list):
                raise _BadValueError(where, value, "expected a list of strings")
            for n, word in enumerate(value):
                if not isinstance(word, str) or not word or " " in word:
                    raise _BadValueError(
                        f"{where}[{n}]", word, "expected a non-empty string without spaces"
                    )
            out[sub.column] = " ".join(value)
        elif isinstance(sub, _Int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise _BadValueError(where, value, "expected a whole number")
            out[sub.column] = str(value)
        else:
            _flatten(value, sub, where, out, meta=False)


def _known_columns(spec: Spec) -> set[str]:
    return set(_paths(spec))


class _Reader:
    """Turns flat rows into records with a builder per distinct set of keys."""

    def __init__(self, table: Table, cells: Cells) -> None:
        self.table = table
        self.cells = cells
        self.builders: dict[tuple[str, ...], tuple[Layout, Builder]] = {}

    def build(self, flat: dict[str, str]) -> Any:
        header = tuple(flat)
        entry = self.builders.get(header)
        if entry is None:
            layout = Layout(self.table, header)
            entry = self.builders[header] = (layout, BUILDERS[self.table.kind](layout, self.cells))
        return entry[1](list(flat.values()))


def _error(path: Path, column: str, value: object, reason: str) -> LoadError:
    return LoadError(path, reason, line=None, column=column, value=value)


def load_json(path: str | os.PathLike[str]) -> Ledger:
    """Load a JSON ledger file.

    The document is parsed with :func:`json.loads`; its lists are then read
    into Polars tables and validated over whole columns
    (:mod:`arpolicy.ledger._json`), building no record. When that screen
    flags anything, the records are read one by one as before, which names
    the first problem by its JSON path.

    Args:
        path: the file.

    Returns:
        The ledger.

    Raises:
        LoadError: the file is missing, not JSON, or holds an invalid record;
            ``column`` is the JSON path of the problem and ``line`` is
            ``None`` (except for JSON syntax errors).
    """
    from ..ledger._json import ledger_from_document  # noqa: PLC0415 - Polars on use

    file = Path(path)
    document = _parse(file)
    ledger = ledger_from_document(file, document)
    if ledger is not None:
        return ledger
    return _load_records(file, document)


def _parse(file: Path) -> dict[str, Any]:
    """The file's JSON document, its top-level keys, format and version checked."""
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise LoadError(file, "ledger file not found") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        reason = f"not UTF-8 text: {error.reason} at byte offset {error.start}"
        raise LoadError(file, reason, line=line) from error
    del raw
    try:
        with gc_paused():
            document = json.loads(text)
    except json.JSONDecodeError as error:
        raise LoadError(file, f"not valid JSON: {error.msg}", line=error.lineno) from error
    except RecursionError as error:
        raise LoadError(file, "not a ledger: JSON nested too deeply") from error
    if not isinstance(document, dict):
        raise _error(file, "", document, "expected a JSON object")
    for key in sorted(document):
        if key not in _TOP_KEYS:
            raise _error(file, key, key, f"unknown key; expected {', '.join(sorted(_TOP_KEYS))}")
    if document.get("format") != FORMAT:
        raise _error(file, "format", document.get("format"), f"expected {FORMAT!r}")
    if document.get("version") != VERSION:
        raise _error(file, "version", document.get("version"), f"expected {VERSION}")
    return document


def _load_records(file: Path, document: dict[str, Any]) -> Ledger:
    """Today's reader: each record flattened, checked and built one by one."""
    cells = Cells()
    data: dict[str, list[Any]] = {}
    # where[kind][row] = JSON path prefix of the row, and instalment paths for plans
    where: dict[str, list[str]] = {}
    for table in TABLES:
        name = _LISTS[table.kind]
        items = document.get(name)
        if items is None:
            if table in (CUSTOMERS, INVOICES):
                raise _error(file, name, None, "required list is missing")
            items = []
        if not isinstance(items, list):
            raise _error(file, name, items, "expected a list")
        data[table.kind], where[table.kind] = _read_list(file, table, name, items, cells)
        if table is CUSTOMERS:
            cells.customer_ids.update((c.id, c.id) for c in data["customer"])

    def fail(
        table: Table,
        index: int,
        column: str | None,
        value: object,
        reason: str,
    ) -> LoadError:
        return _error(file, _path_of(table, where[table.kind][index], column), value, reason)

    plans, starts = group_plans(data["plan"], fail)
    return build_ledger(
        data["customer"], data["invoice"], data["payment"], plans, starts, data["trial"], fail
    )


_INSTALMENT_COLUMNS: Final = ("due_date", "amount", "currency")


def _path_of(table: Table, prefix: str, column: str | None) -> str:
    if column is None:
        return prefix
    if table is PLANS:
        plan_prefix, _, instalment = prefix.partition("|")
        if column in _INSTALMENT_COLUMNS:
            return f"{instalment}.{_PATHS['instalment'][column]}"
        return f"{plan_prefix}.{_PATHS['plan'].get(column, column)}"
    known = _PATHS[table.kind].get(column)
    return f"{prefix}.{known}" if known else f"{prefix}.metadata.{column}"


def _read_list(
    file: Path, table: Table, name: str, items: list[Any], cells: Cells
) -> tuple[list[Any], list[str]]:
    reader = _Reader(table, cells)
    spec = _SPECS[table.kind]
    records: list[Any] = []
    where: list[str] = []
    for n, item in enumerate(items):
        prefix = f"{name}[{n}]"
        flats: list[tuple[str, dict[str, str]]] = []
        try:
            flat: dict[str, str] = {}
            if table is PLANS:
                instalments = item.pop("instalments", None) if isinstance(item, dict) else None
                _flatten(item, spec, prefix, flat, meta=False)
                if not isinstance(instalments, list) or not instalments:
                    raise _BadValueError(
                        f"{prefix}.instalments", instalments, "expected a non-empty list"
                    )
                for j, inst in enumerate(instalments):
                    row = dict(flat)
                    _flatten(inst, _SPECS["instalment"], f"{prefix}.instalments[{j}]", row, False)
                    flats.append((f"{prefix}|{prefix}.instalments[{j}]", row))
            else:
                _flatten(item, spec, prefix, flat, meta=table.metadata)
                flats.append((prefix, flat))
        except _BadValueError as bad:
            raise _error(file, bad.path, bad.value, bad.reason) from None
        for row_prefix, row in flats:
            for column in table.required:
                if column not in row:
                    raise _error(
                        file, _path_of(table, row_prefix, column), None, "required key is missing"
                    )
            try:
                records.append(reader.build(row))
            except CellError as error:
                column_path = _path_of(table, row_prefix, error.column)
                raise _error(file, column_path, error.value, error.reason) from error
            except InvalidFieldError as error:
                field = field_column(table, error.kind, error.field)
                value: object = row.get(field, error.value) if field else error.value
                column_path = _path_of(table, row_prefix, field)
                raise _error(file, column_path, value, error.reason) from error
            where.append(row_prefix)
    return records, where


def _nest(row: dict[str, str], spec: Spec) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, sub in spec.items():
        if isinstance(sub, str):
            if sub in row:
                obj[key] = row[sub]
        elif isinstance(sub, _List):
            if sub.column in row:
                obj[key] = row[sub.column].split(" ")
        elif isinstance(sub, _Int):
            if sub.column in row:
                obj[key] = int(row[sub.column])
        else:
            inner = _nest(row, sub)
            if inner:
                obj[key] = inner
    return obj


def _records(
    records: Any, to_row: Callable[[Any], dict[str, str]], table: Table
) -> list[dict[str, Any]]:
    return _objects((to_row(record) for record in sorted(records, key=lambda r: r.id)), table)


def _objects(rows: Iterable[dict[str, str]], table: Table) -> list[dict[str, Any]]:
    result = []
    spec = _SPECS[table.kind]
    for row in rows:
        obj = _nest(row, spec)
        metadata = {k: v for k, v in row.items() if k not in table.known}
        if metadata:
            obj["metadata"] = metadata
        result.append(obj)
    return result


def to_document(ledger: Ledger) -> dict[str, Any]:
    """The JSON document of a ledger, as plain Python data."""
    plans = []
    for plan in sorted(ledger.plans, key=lambda p: p.id):
        rows = plan_rows(plan)
        obj = _nest(rows[0], _SPECS["plan"])
        obj["instalments"] = [_nest(row, _SPECS["instalment"]) for row in rows]
        plans.append(obj)
    stored = ledger._stored_tables()
    cells = None
    if stored is not None:
        from ._table_cells import cell_frames, rows_of  # noqa: PLC0415 - Polars on use

        cells = cell_frames(stored)
    if cells is not None:  # a table-backed ledger: rows from the tables, no record built
        customers = _objects(rows_of(cells["customer"]), CUSTOMERS)
        invoices = _objects(rows_of(cells["invoice"]), INVOICES)
        payments = _objects(rows_of(cells["payment"]), PAYMENTS)
    else:
        customers = _records(ledger.customers, customer_row, CUSTOMERS)
        invoices = _records(ledger.invoices, invoice_row, INVOICES)
        payments = _records(ledger.payments, payment_row, PAYMENTS)
    return {
        "format": FORMAT,
        "version": VERSION,
        "customers": customers,
        "invoices": invoices,
        "payments": payments,
        "plans": plans,
        "trials": _records(ledger.trials, trial_row, TRIALS),
    }


def dump_json(ledger: Ledger, path: str | os.PathLike[str]) -> Path:
    """Write ``ledger`` as one JSON file, atomically.

    The file is written to a temporary sibling and then moved into place
    with :func:`os.replace`. Keys are sorted, records sorted by id, indent 2,
    UTF-8, ``\\n`` line ends and a trailing newline.

    Args:
        ledger: the ledger.
        path: the file to write.

    Returns:
        The path.

    Raises:
        InvalidFieldError: a value the ledger files cannot hold.
    """
    target = Path(path)
    text = json.dumps(to_document(ledger), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    return write_text_atomic(target, text)
