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

from ..model import Ledger
from .fx_rates import load_fx_rates, loads_fx_rates
from .ledger_csv import dump_csv, load_csv
from .ledger_json import dump_json, load_json
from .policy_toml import dump_playbook, dumps_playbook, load_playbook, loads_playbook
from .rates import load_rates, loads_rates
from .terms import format_terms, parse_terms

__all__ = [
    "dump_ledger",
    "dump_playbook",
    "dumps_playbook",
    "format_terms",
    "load_fx_rates",
    "load_ledger",
    "load_playbook",
    "load_rates",
    "loads_fx_rates",
    "loads_playbook",
    "loads_rates",
    "parse_terms",
]


def load_ledger(path: str | os.PathLike[str]) -> Ledger:
    """Load a ledger from a directory of CSV files or a ``.json`` file.

    Args:
        path: a ledger directory (``customers.csv``, ``invoices.csv`` and
            optional ``payments.csv``, ``plans.csv``, ``trials.csv``) or a
            file whose name ends in ``.json``.

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
    return load_csv(target)


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
