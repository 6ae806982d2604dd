"""Ledgers from Parquet, Arrow IPC and data frames (Polars, pandas, PyArrow, DuckDB).

The tables have the columns of the CSV files (``docs/reference/ledger-files.md``),
as text or typed: dates as ``Date`` (or ISO text), amounts as ``Decimal`` or
text (or whole numbers, read as major units: ``100`` is 100.00), ids and
codes as text. Every value goes through the same validation as a CSV cell,
so the same errors come back; ``line`` is then the 1-based row number.
Floating-point amounts are refused: they are not exact.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import polars as pl

from ..errors import LoadError
from ..ledger._csv import Formats, build_from_strings
from ..ledger._read import LINE, Strings, check_header, text_of
from ..model import Ledger
from ._records import TABLES, Table

__all__ = ["FRAME_SUFFIXES", "ledger_from_frames", "load_frames_directory"]

FRAME_SUFFIXES: Final = (".parquet", ".arrow", ".ipc", ".feather")
"""File endings of the columnar ledger forms, tried in this order."""
_REQUIRED: Final = ("customer", "invoice")


def _is_date(dtype: pl.DataType) -> bool:
    return dtype == pl.Date


def _is_amount(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.Decimal) or dtype.is_integer()


_TYPED: Final = {
    "invoice": {
        "issue_date": _is_date,
        "due_date": _is_date,
        "disputed": _is_date,
        "dispute_resolved_on": _is_date,
        "on_hold_until": _is_date,
        "amount": _is_amount,
    },
    "payment": {"date": _is_date, "amount": _is_amount},
}
"""Columns of the big tables validated in their own type when they have it."""


def as_polars(name: str, frame: object) -> pl.DataFrame:
    """A Polars frame of any frame speaking the Arrow PyCapsule interface, a lazy
    frame or a DuckDB relation; ``TypeError`` for anything else."""
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if hasattr(frame, "__arrow_c_stream__"):
        return pl.DataFrame(frame)
    if hasattr(frame, "arrow") and callable(frame.arrow):  # a DuckDB relation
        return pl.DataFrame(frame.arrow())
    raise TypeError(
        f"{name}: expected a data frame speaking the Arrow PyCapsule interface "
        f"(__arrow_c_stream__), got {type(frame).__name__}"
    )


def _strings(place: str, table: Table, frame: pl.DataFrame) -> Strings:
    """A frame as text cells, one row per line (``line`` is the row number)."""
    path = Path(place)
    header = list(frame.columns)
    check_header(
        path,
        header,
        known=table.known,
        required=table.required,
        metadata=table.metadata,
        delimiter=",",
    )
    typed = _TYPED.get(table.kind, {})
    columns = []
    for name, dtype in frame.schema.items():
        if dtype.is_float():
            nan = frame[name].is_nan().arg_true()
            row = int(nan[0]) if len(nan) else int(frame[name].is_not_null().arg_true()[0])
            if frame[name].is_not_null().any():
                raise LoadError(
                    path,
                    "floating-point numbers are not exact: give text or Decimal",
                    line=row + 1,
                    column=name,
                    value=frame[name][row],
                )
            columns.append(pl.lit(None, pl.String).alias(name))
        elif name in typed and typed[name](dtype):
            columns.append(pl.col(name))  # validated as it is: no text round trip
        else:
            columns.append(text_of(name, dtype))
    text = frame.select(columns)
    strings = [n for n, dtype in text.schema.items() if dtype == pl.String]
    text = text.with_columns(pl.col(strings).replace("", None))
    text = text.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(LINE))
    return Strings(path, header, text, None)


def ledger_from_frames(
    *,
    customers: Any,
    invoices: Any,
    payments: Any = None,
    plans: Any = None,
    trials: Any = None,
) -> Ledger:
    """Build a ledger from data frames, validated like a ledger directory.

    Args:
        customers: the customers table; any frame with ``__arrow_c_stream__``
            (Polars, pandas, PyArrow, a DuckDB result) or a Polars frame.
        invoices: the invoices table.
        payments: the payments table, if any.
        plans: the payment plan instalments, if any.
        trials: the trials, if any.

    Returns:
        The ledger.

    Raises:
        LoadError: a value is invalid; ``path`` names the table (``<invoices>``)
            and ``line`` the 1-based row.
        TypeError: an argument is not a data frame.

    >>> import polars as pl
    >>> ledger = ledger_from_frames(
    ...     customers=pl.DataFrame(
    ...         {"id": ["C1"], "name": ["Acme"], "profile": ["business"], "country": ["NL"]}
    ...     ),
    ...     invoices=pl.DataFrame(
    ...         {
    ...             "id": ["I1"],
    ...             "customer_id": ["C1"],
    ...             "issue_date": ["2026-03-01"],
    ...             "due_date": ["2026-03-31"],
    ...             "amount": ["12.50"],
    ...             "currency": ["EUR"],
    ...         }
    ...     ),
    ... )
    >>> str(ledger.invoice("I1").amount)
    '12.50 EUR'
    """
    given = {
        "customer": ("customers", customers),
        "invoice": ("invoices", invoices),
        "payment": ("payments", payments),
        "plan": ("plans", plans),
        "trial": ("trials", trials),
    }
    tables: dict[str, Strings | None] = {}
    for table in TABLES:
        name, frame = given[table.kind]
        if frame is None:
            continue
        tables[table.kind] = _strings(f"<{name}>", table, as_polars(name, frame))
    return build_from_strings(tables, Formats())


def find_frames(root: Path) -> Mapping[str, Path] | None:
    """The Parquet or Arrow IPC files of a ledger directory, or ``None`` when it has none."""
    for suffix in FRAME_SUFFIXES:
        if (root / f"customers{suffix}").is_file():
            found = {}
            for table in TABLES:
                path = root / (table.file.removesuffix(".csv") + suffix)
                if path.is_file():
                    found[table.kind] = path
            return found
    return None


def load_frames_directory(directory: str | os.PathLike[str]) -> Ledger:
    """Load a directory of ``customers.parquet``, ``invoices.parquet`` ... (or ``.arrow``).

    Raises:
        LoadError: a file is missing or unreadable, or a value is invalid
            (``line`` is the 1-based row number).
    """
    root = Path(directory)
    found = find_frames(root)
    if found is None:
        raise LoadError(root, "no customers.parquet or customers.arrow in the directory")
    tables: dict[str, Strings | None] = {}
    for table in TABLES:
        path = found.get(table.kind)
        if path is None:
            if table.kind in _REQUIRED:
                suffix = found["customer"].suffix
                missing = root / (table.file.removesuffix(".csv") + suffix)
                raise LoadError(missing, "required ledger file is missing")
            continue
        try:
            frame = pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_ipc(path)
        except Exception as error:
            raise LoadError(path, f"not a readable {path.suffix[1:]} file: {error}") from error
        tables[table.kind] = _strings(str(path), table, frame)
    return build_from_strings(tables, Formats())
