"""The ledger directory: ``customers.csv``, ``invoices.csv`` and optional files.

See ``docs/reference/ledger-files.md`` for the format. :func:`load_csv` reads a
directory into a :class:`~arpolicy.model.Ledger`; :func:`dump_csv` writes one,
atomically and deterministically.
"""

from __future__ import annotations

import csv
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .._gc import gc_paused
from ..errors import InvalidFieldError, LoadError
from ..model import Ledger
from ._assemble import build_ledger, group_plans
from ._records import (
    BUILDERS,
    CUSTOMERS,
    INVOICES,
    PAYMENTS,
    PLANS,
    TABLES,
    TRIALS,
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

__all__ = ["dump_csv", "load_csv"]

_REQUIRED_FILES = (CUSTOMERS, INVOICES)


def _open(path: Path) -> Any:
    return path.open(encoding="utf-8-sig", newline="")


class _Rows:
    """The rows of an open CSV file, as :func:`csv.reader` would give them.

    A line with no quote and no NUL character is split on commas directly,
    which is what :func:`csv.reader` does with such a line, only about three
    times faster; any other line, with the lines a quoted field runs on to,
    is read by a :func:`csv.reader` (strict). Empty lines give ``[]``.
    ``line_num`` counts the physical lines read so far.
    """

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self.line_num = 0

    def __iter__(self) -> Iterator[list[str]]:
        handle = self._handle
        for line in handle:
            if '"' in line or "\0" in line:
                reader = csv.reader(itertools.chain((line,), handle), strict=True)
                try:
                    row = next(reader)
                finally:
                    self.line_num += reader.line_num
                yield row
                continue
            self.line_num += 1
            text = line.rstrip("\r\n")
            yield text.split(",") if text else []


def _start_line(path: Path, record: int) -> int | None:
    """The physical line (1-based) where the ``record``-th data row starts."""
    with _open(path) as handle:
        reader = csv.reader(handle, strict=True)
        next(reader, None)
        previous = reader.line_num
        count = 0
        for row in reader:
            if row:
                if count == record:
                    return previous + 1
                count += 1
            previous = reader.line_num
    return None


def _check_header(path: Path, table: Table, header: list[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise LoadError(path, "column appears twice in the header", line=1, column=name)
        if not name:
            raise LoadError(path, "empty column name in the header", line=1, column=name)
        if not table.metadata and name not in table.known:
            known = ", ".join(table.known)
            raise LoadError(path, f"unknown column; expected {known}", line=1, column=name)
        seen.add(name)
    for name in table.required:
        if name not in seen:
            raise LoadError(path, "required column missing from the header", line=1, column=name)


def _read(path: Path, table: Table, cells: Cells) -> list[Any]:
    """Read one file into records (or plan rows); raise LoadError at the first bad row."""
    records: list[Any] = []
    try:
        with _open(path) as handle:
            reader = _Rows(handle)
            rows = iter(reader)
            header = next(rows, None)
            if header is None:
                raise LoadError(path, "empty file: expected a header line", line=1)
            _check_header(path, table, header)
            layout = Layout(table, header)
            build = BUILDERS[table.kind](layout, cells)
            width = len(header)
            append = records.append
            try:
                for row in rows:
                    if len(row) != width:
                        if not row:
                            continue
                        raise CellError(
                            None,
                            None,
                            f"row has {len(row)} fields but the header has {width}",
                        )
                    append(build(row))
            except CellError as error:
                line = _start_line(path, len(records))
                raise LoadError(
                    path, error.reason, line=line, column=error.column, value=error.value
                ) from error
            except InvalidFieldError as error:
                column = field_column(table, error.kind, error.field)
                value = error.value
                if column is not None and column in layout.index and layout.at(column) >= 0:
                    value = row[layout.at(column)]
                line = _start_line(path, len(records))
                raise LoadError(
                    path, error.reason, line=line, column=column, value=value
                ) from error
            except csv.Error as error:
                raise LoadError(path, f"malformed CSV: {error}", line=reader.line_num) from error
    except UnicodeDecodeError as error:
        raise LoadError(path, f"not UTF-8 text: {error.reason}") from error
    return records


def load_csv(directory: str | os.PathLike[str]) -> Ledger:
    """Load a ledger directory.

    Args:
        directory: a directory holding ``customers.csv`` and ``invoices.csv``,
            and optionally ``payments.csv``, ``plans.csv`` and ``trials.csv``.

    Returns:
        The ledger.

    Raises:
        LoadError: a file is missing or malformed, or a row is invalid; the
            error names the file, line, column and value.
    """
    root = Path(directory)
    if not root.is_dir():
        raise LoadError(root, "not a ledger directory")
    for table in _REQUIRED_FILES:
        if not (root / table.file).is_file():
            raise LoadError(root / table.file, "required ledger file is missing")
    with gc_paused():
        return _load(root)


def _load(root: Path) -> Ledger:
    cells = Cells()
    data: dict[str, list[Any]] = {}
    for table in TABLES:
        path = root / table.file
        data[table.kind] = _read(path, table, cells) if path.is_file() else []
        if table is CUSTOMERS:
            cells.customer_ids.update((c.id, c.id) for c in data["customer"])
        elif table is INVOICES:
            cells.invoice_ids.update((i.id, i.id) for i in data["invoice"])
    del cells

    def fail(
        table: Table,
        index: int,
        column: str | None,
        value: object,
        reason: str,
    ) -> LoadError:
        path = root / table.file
        return LoadError(path, reason, line=_start_line(path, index), column=column, value=value)

    plans, starts = group_plans(data["plan"], fail)
    return build_ledger(
        data["customer"], data["invoice"], data["payment"], plans, starts, data["trial"], fail
    )


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
    tables = {
        CUSTOMERS: _rows(ledger.customers, customer_row),
        INVOICES: _rows(ledger.invoices, invoice_row),
        PAYMENTS: _rows(ledger.payments, payment_row),
        PLANS: [
            row for plan in sorted(ledger.plans, key=lambda p: p.id) for row in plan_rows(plan)
        ],
        TRIALS: _rows(ledger.trials, trial_row),
    }
    target.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        written = []
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
