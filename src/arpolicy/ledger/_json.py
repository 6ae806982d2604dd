"""The JSON ledger read into tables of strings and validated like the CSV files.

:func:`ledger_from_document` takes the parsed document (plain lists and
dicts from :func:`json.loads`) and builds, for each list, a frame of strings
with the columns of the matching CSV file: each key read over the whole list
at C speed (``map(dict.get, ...)``), nested objects flattened the same way
one level down, lists of words joined with ``list.join``, a plan's
instalments exploded to one row each. The shape is screened the same way,
never with a Python loop per record: the set of keys used catches an unknown
key, ``str.join`` and strict Polars series refuse a number, a boolean, a list
or an object where a string belongs. The frames then go through the CSV
reader's vectorised validation
(:func:`~arpolicy.ledger._csv.build_from_strings`), which hands the typed
tables to :meth:`~arpolicy.model.Ledger._from_tables`: no record is built.

Anything the screen does not pass (an unknown key, a value of the wrong JSON
type, an explicit ``null`` for a nested object or a metadata value, a missing
required key, any value the validation refuses) returns ``None``: the caller
then reads the document record by record (:mod:`arpolicy.io.ledger_json`),
which raises the first problem with its JSON path exactly as before. So
errors are worded by one piece of code, and nothing is half-loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, repeat
from pathlib import Path
from typing import Any, Final

import polars as pl

from .._gc import gc_paused
from ..errors import LoadError
from ..io._records import TABLES, Table
from ..io.ledger_json import _LISTS, _SPECS, Spec, _Int, _List, _paths
from ..model import Ledger
from ._csv import Formats, build_from_strings
from ._read import LINE, RESERVED, Strings

__all__ = ["ledger_from_document"]

_EMPTY: Final[dict[str, Any]] = {}
_INSTALMENTS: Final = frozenset({"instalments"})
_KNOWN: Final = {kind: frozenset(_paths(spec)) for kind, spec in _SPECS.items()}


class _FlaggedError(Exception):
    """The screen found something the per-record reader must word."""


def ledger_from_document(file: Path, document: dict[str, Any]) -> Ledger | None:
    """The ledger of a parsed JSON document, or ``None`` when the screen flags something.

    ``document`` has passed the top-level checks (format, version, keys).
    """
    with gc_paused():
        try:
            tables: dict[str, Strings | None] = {}
            for table in TABLES:
                items = document.get(_LISTS[table.kind])
                if items is None:
                    if table.kind in ("customer", "invoice"):
                        return None
                    tables[table.kind] = None
                    continue
                if not isinstance(items, list):
                    return None
                tables[table.kind] = _strings(file, table, items)
            return build_from_strings(tables, Formats())
        except (
            _FlaggedError,
            LoadError,
            TypeError,
            ValueError,
            OverflowError,
            pl.exceptions.PolarsError,
        ):
            return None


def _strings(file: Path, table: Table, items: list[Any]) -> Strings | None:
    """One list as a frame of strings with the CSV file's columns."""
    if not items:
        if table.kind in ("customer", "invoice"):
            columns = {name: pl.Series(name, [], pl.String) for name in table.required}
            frame = pl.DataFrame(columns).with_columns(pl.Series(LINE, [], pl.Int64))
            return Strings(file, list(table.required), frame, None)
        return None
    if table.kind == "plan":
        columns = _plan_columns(items)
    else:
        columns = _columns(items, _SPECS[table.kind], _KNOWN[table.kind], table.metadata)
    for name in table.required:
        column = columns.get(name)
        if column is None or column.null_count():
            raise _FlaggedError  # a required key missing (or empty)
    header = list(columns)
    frame = pl.DataFrame(list(columns.values())).with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(LINE)
    )
    return Strings(file, header, frame, None)


def _text(name: str, values: list[Any]) -> pl.Series:
    """Strings (``None`` for absent); a number, boolean, list or object raises TypeError.

    ``str.join`` first refuses any truthy value that is not a string, at C
    speed: Polars must never see a deeply nested list (it would try to infer
    its type and run out of memory). Falsy ones (``0``, ``[]``) are shallow
    and refused by the strict series.
    """
    "".join(filter(None, values))
    series = pl.Series(name, values, pl.String, strict=True)
    return series.set(series == "", None)


def _columns(
    items: Sequence[Any],
    spec: Spec,
    known: frozenset[str],
    metadata: bool,
    *,
    other: frozenset[str] = frozenset(),
) -> dict[str, pl.Series]:
    """The flat columns of a list of objects (all of them dicts, or TypeError).

    Only the keys some object has are read. A missing key, ``null`` and
    ``{}`` all mean absent, as in the per-record reader; ``other`` are keys
    read elsewhere (a plan's ``instalments``).
    """
    keys = set(chain.from_iterable(items))
    if not keys <= spec.keys() | other | ({"metadata"} if metadata else set()):
        raise _FlaggedError  # an unknown key (or an object that is not a dict)
    out: dict[str, pl.Series] = {}
    for key, sub in spec.items():
        if key not in keys:
            continue
        if isinstance(sub, str):
            out[sub] = _text(sub, list(map(dict.get, items, repeat(key))))
        elif isinstance(sub, _List):
            out[sub.column] = _words(sub.column, list(map(dict.get, items, repeat(key))))
        elif isinstance(sub, _Int):
            values = list(map(dict.get, items, repeat(key)))
            if not set(map(type, values)) <= {int, type(None)}:
                raise _FlaggedError  # a boolean or a float
            whole = pl.Series(sub.column, values, pl.Int64, strict=True)
            out[sub.column] = whole.cast(pl.String)
        else:
            # an explicit null stays None: dict.get on it raises TypeError (flagged)
            inner = list(map(dict.get, items, repeat(key), repeat(_EMPTY)))
            out.update(_columns(inner, sub, known, metadata=False))
    if metadata and "metadata" in keys:
        meta = list(map(dict.get, items, repeat("metadata"), repeat(_EMPTY)))
        out.update(_metadata(meta, known))
    return out


def _words(name: str, values: list[Any]) -> pl.Series:
    """A list of words as one space-separated string."""
    if not set(map(type, values)) <= {list, type(None)}:
        raise _FlaggedError
    "".join(filter(None, chain.from_iterable(filter(None, values))))  # words only (see _text)
    lists = pl.Series(name, values, pl.List(pl.String), strict=True)
    bad = lists.list.eval(
        pl.element().is_null() | (pl.element() == "") | pl.element().str.contains(" ", literal=True)
    ).list.any()
    if bool(bad.any()):
        raise _FlaggedError
    return _text(name, lists.list.join(" ").to_list())


def _metadata(meta: list[Any], known: frozenset[str]) -> dict[str, pl.Series]:
    if not set(map(type, meta)) <= {dict}:
        raise _FlaggedError
    names = sorted(set(chain.from_iterable(meta)))
    out: dict[str, pl.Series] = {}
    counted = 0
    for name in names:
        if not name or name in known or name in RESERVED:
            raise _FlaggedError  # the validator's own column names: the record path
        values = list(map(dict.get, meta, repeat(name)))
        counted += len(values) - values.count(None)
        out[name] = _text(name, values)
    if sum(map(len, meta)) != counted:
        raise _FlaggedError  # a null value
    return out


def _plan_columns(plans: list[Any]) -> dict[str, pl.Series]:
    """One row per instalment with the plan's columns repeated (as in ``plans.csv``)."""
    spec = _SPECS["plan"]
    instalments: list[Any] = list(map(dict.get, plans, repeat("instalments")))
    if not set(map(type, instalments)) <= {list} or not all(instalments):
        raise _FlaggedError
    head = _columns(plans, spec, _KNOWN["plan"], metadata=False, other=_INSTALMENTS)
    counts = pl.Series(list(map(len, instalments)), dtype=pl.Int64)
    rows = pl.int_range(0, len(plans), eager=True).repeat_by(counts).explode()
    flat = list(chain.from_iterable(instalments))
    tail = _columns(flat, _SPECS["instalment"], _KNOWN["instalment"], metadata=False)
    return {name: column.gather(rows) for name, column in head.items()} | tail
