"""The ledger directory: ``customers.csv``, ``invoices.csv`` and optional files.

See ``docs/reference/ledger-files.md`` for the format. :func:`load_csv` reads a
directory into a :class:`~arpolicy.model.Ledger`; :func:`dump_csv` writes one,
atomically and deterministically.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import LoadError
from ..model import Ledger
from ._records import (
    CUSTOMERS,
    INVOICES,
    PAYMENTS,
    PLANS,
    TABLES,
    TRIALS,
    Table,
    customer_row,
    invoice_row,
    payment_row,
    plan_rows,
    trial_row,
)

__all__ = ["dump_csv", "load_csv"]

_REQUIRED_FILES = (CUSTOMERS, INVOICES)


def load_csv(
    directory: str | os.PathLike[str],
    *,
    delimiter: str | None = None,
    decimal_comma: bool = False,
    date_format: str | None = None,
) -> Ledger:
    """Load a ledger directory.

    Args:
        directory: a directory holding ``customers.csv`` and ``invoices.csv``,
            and optionally ``payments.csv``, ``plans.csv`` and ``trials.csv``.
        delimiter: the field separator; by default ``;`` when a file's header
            line has semicolons and no commas (European Excel), else ``,``.
        decimal_comma: amounts are written ``1.234,56``.
        date_format: ``"YYYY-MM-DD"`` (the default), ``"DD-MM-YYYY"`` or
            ``"DD/MM/YYYY"``.

    Returns:
        The ledger.

    Raises:
        LoadError: a file is missing or malformed, or a row is invalid; the
            error names the file, line, column and value.
        ValueError: an unknown ``date_format``.
    """
    from ..ledger._csv import Formats, build_from_strings  # noqa: PLC0415 - Polars on use
    from ..ledger._read import read_csv_strings  # noqa: PLC0415

    formats = Formats(date_format=date_format, decimal_comma=decimal_comma)
    root = Path(directory)
    if not root.is_dir():
        raise LoadError(root, "not a ledger directory")
    for table in _REQUIRED_FILES:
        if not (root / table.file).is_file():
            raise LoadError(root / table.file, "required ledger file is missing")
    tables = {}
    for table in TABLES:
        path = root / table.file
        if path.is_file():
            tables[table.kind] = read_csv_strings(
                path,
                delimiter=delimiter,
                known=table.known,
                required=table.required,
                metadata=table.metadata,
                optional_file=table not in _REQUIRED_FILES,
            )
    return build_from_strings(tables, formats)


def _ordered_columns(table: Table, rows: Sequence[dict[str, str]]) -> list[str]:
    used: set[str] = set()
    for row in rows:
        used.update(row)
    optional = [c for c in table.optional if c in used]
    extra = sorted(used - set(table.known))
    return [*table.required, *optional, *extra]


def _write(path: Path, table: Table, rows: Sequence[dict[str, str]]) -> None:
    columns = _ordered_columns(table, rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            cells = [row.get(c, "") for c in columns]
            if any("\r" in cell for cell in cells):
                # csv quotes line ends only when they are in lineterminator ("\n"),
                # so a lone "\r" would be written bare and read back as a line end.
                handle.write(",".join(_quote(cell) for cell in cells) + "\n")
            else:
                writer.writerow(cells)


def _quote(cell: str) -> str:
    if any(c in cell for c in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _rows(records: Iterable[Any], to_row: Callable[[Any], dict[str, str]]) -> list[dict[str, str]]:
    return [to_row(r) for r in sorted(records, key=lambda r: r.id)]


def dump_csv(ledger: Ledger, directory: str | os.PathLike[str]) -> Path:
    """Write ``ledger`` as a ledger directory.

    Every file is first written completely into a temporary sibling
    directory; only then are the files moved into ``directory`` with
    :func:`os.replace`, so a failed dump leaves no half-written file. Rows are
    sorted by id; optional files are written only when they have rows (a
    stale optional file from an earlier dump is removed). Other files in
    ``directory`` are left alone.

    Args:
        ledger: the ledger.
        directory: the target directory (created if missing).

    Returns:
        The directory.

    Raises:
        InvalidFieldError: a value that a ledger file cannot hold (an empty
            optional string, a metadata key that is a column name, an
            invoice id with a space in a plan's ``invoice_ids``).
    """
    target = Path(directory)
    frames: dict[Table, Any] = {}
    stored = ledger._stored_tables()
    if stored is not None:
        from ._table_cells import cell_frames, write_csv  # noqa: PLC0415 - Polars on use

        cells = cell_frames(stored)
        if cells is not None:  # a table-backed ledger: written from the tables
            frames = {CUSTOMERS: cells["customer"], INVOICES: cells["invoice"]}
            if cells["payment"].height:
                frames[PAYMENTS] = cells["payment"]
    tables: dict[Table, list[dict[str, str]]] = {}
    if not frames:
        tables[CUSTOMERS] = _rows(ledger.customers, customer_row)
        tables[INVOICES] = _rows(ledger.invoices, invoice_row)
        tables[PAYMENTS] = _rows(ledger.payments, payment_row)
    tables[PLANS] = [
        row for plan in sorted(ledger.plans, key=lambda p: p.id) for row in plan_rows(plan)
    ]
    tables[TRIALS] = _rows(ledger.trials, trial_row)
    target.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        written = []
        for table, frame in frames.items():
            write_csv(frame, temporary / table.file)
            written.append(table.file)
        for table, rows in tables.items():
            if rows or table in _REQUIRED_FILES:
                _write(temporary / table.file, table, rows)
                written.append(table.file)
        for name in written:
            os.replace(temporary / name, target / name)
        for table in TABLES:
            if table.file not in written:
                (target / table.file).unlink(missing_ok=True)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return target
