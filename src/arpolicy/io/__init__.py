"""Reading and writing ledgers: a directory of CSV files or one JSON file.

>>> import tempfile, pathlib
>>> from arpolicy.model import Customer, Ledger
>>> ledger = Ledger([Customer("C1", "Acme", "business", "NL")])
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> load_ledger(dump_ledger(ledger, folder / "ledger")) == ledger
True
>>> load_ledger(dump_ledger(ledger, folder / "ledger.json")) == ledger
True
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..model import Ledger
from .fx_rates import load_fx_rates, loads_fx_rates
from .history_tables import dump_history
from .ledger_csv import dump_csv, load_csv
from .ledger_json import dump_json, load_json
from .output import load_history
from .policy_toml import dump_playbook, dumps_playbook, load_playbook, loads_playbook
from .rates import load_rates, loads_rates
from .terms import format_terms, parse_terms

__all__ = [
    "dump_history",
    "dump_ledger",
    "dump_playbook",
    "dumps_playbook",
    "format_terms",
    "ledger_from_frames",
    "load_fx_rates",
    "load_history",
    "load_ledger",
    "load_playbook",
    "load_rates",
    "loads_fx_rates",
    "loads_playbook",
    "loads_rates",
    "parse_terms",
]


def load_ledger(
    path: str | os.PathLike[str],
    *,
    delimiter: str | None = None,
    decimal_comma: bool = False,
    date_format: str | None = None,
) -> Ledger:
    """Load a ledger from a directory of CSV (or Parquet, Arrow IPC) files or a ``.json`` file.

    Args:
        path: a ledger directory (``customers.csv``, ``invoices.csv`` and
            optional ``payments.csv``, ``plans.csv``, ``trials.csv``; or the
            same names ending in ``.parquet`` or ``.arrow``) or a file whose
            name ends in ``.json``.
        delimiter: the CSV field separator; by default ``;`` when a header
            line has semicolons and no commas, else ``,``.
        decimal_comma: CSV amounts are written ``1.234,56``.
        date_format: how CSV files write dates: ``"YYYY-MM-DD"`` (default),
            ``"DD-MM-YYYY"`` or ``"DD/MM/YYYY"``.

    Returns:
        The ledger, fully validated.

    Raises:
        LoadError: the input is missing or invalid; the error names the file,
            line (CSV) or JSON path, column and offending value. Nothing is
            returned partially.
    """
    target = Path(path)
    if target.suffix.lower() == ".json" and not target.is_dir():
        return load_json(target)
    if target.is_dir() and not (target / "customers.csv").is_file():
        from ._from_frames import find_frames, load_frames_directory  # noqa: PLC0415

        if find_frames(target) is not None:
            return load_frames_directory(target)
    return load_csv(
        target, delimiter=delimiter, decimal_comma=decimal_comma, date_format=date_format
    )


def ledger_from_frames(
    *,
    customers: Any,
    invoices: Any,
    payments: Any = None,
    plans: Any = None,
    trials: Any = None,
) -> Ledger:
    """A ledger from data frames (Polars, pandas, PyArrow, DuckDB): see :mod:`._from_frames`."""
    from ._from_frames import ledger_from_frames as build  # noqa: PLC0415

    return build(
        customers=customers, invoices=invoices, payments=payments, plans=plans, trials=trials
    )


def dump_ledger(ledger: Ledger, path: str | os.PathLike[str]) -> Path:
    """Write a ledger as a directory of CSV files, or as JSON when ``path`` ends in ``.json``.

    Output is deterministic (sorted rows and keys, ``\\n`` line ends, UTF-8)
    and written atomically: a failed dump leaves no half-written file.

    Args:
        ledger: the ledger.
        path: a directory, or a file name ending in ``.json``.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        InvalidFieldError: the ledger holds a value the files cannot
            represent (an empty optional string, a metadata key named like
            a column ...).
    """
    target = Path(path)
    if target.suffix.lower() == ".json":
        return dump_json(ledger, target)
    return dump_csv(ledger, target)
