"""Rate rows as TOML files, to add newly published rates without a release.

A rate file is a list of ``[[rate]]`` tables with exactly four keys::

    [[rate]]
    jurisdiction = "EU"
    table = "ecb-refi"
    effective = 2026-07-01
    rate = "2.00"

``effective`` is a TOML date (not a date-time); ``rate`` is a decimal
string in percent (``"10.15"``): floats and integers are refused, because a
binary float cannot hold a rate exactly. ``table`` is one of
:data:`arpolicy.law.TABLES` and ``jurisdiction`` the code that owns it
(``"EU"`` for ``"ecb-refi"``, ``"NL"`` for ``"nl-6:119"`` and
``"nl-6:119a"``, ``"DE"`` for ``"de-base"``, ``"GB"`` for
``"gb-bank-rate"``). Merge the rows over the shipped ones with
:meth:`arpolicy.law.RateBook.merged`.

>>> text = '''
... [[rate]]
... jurisdiction = "NL"
... table = "nl-6:119a"
... effective = 2026-07-01
... rate = "9.90"
... '''
>>> (row,) = loads_rates(text)
>>> row.table, row.effective, row.rate
('nl-6:119a', datetime.date(2026, 7, 1), Decimal('9.90'))
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from ..errors import InvalidFieldError, LoadError
from ..law import RateRow

__all__ = ["load_rates", "loads_rates"]

_KEYS: Final = ("jurisdiction", "table", "effective", "rate")
_TOML_POSITION: Final = re.compile(r"\s*\(at line (\d+), column \d+\)")


def _entry(source: str, index: int, entry: object) -> RateRow:
    where = f"rate[{index}]"
    if not isinstance(entry, Mapping):
        raise LoadError(source, f"{where}: expected a table", column="rate", value=entry)
    for key in entry:
        if key not in _KEYS:
            raise LoadError(
                source,
                f"{where}: unknown key {key!r}; expected {', '.join(_KEYS)}",
                column=str(key),
                value=entry[key],
            )
    for key in _KEYS:
        if key not in entry:
            raise LoadError(source, f"{where}: missing key {key!r}", column=key)
    jurisdiction, table, effective, rate = (entry[key] for key in _KEYS)
    for key, value in (("jurisdiction", jurisdiction), ("table", table)):
        if not isinstance(value, str):
            raise LoadError(source, f"{where}: {key} must be a string", column=key, value=value)
    if isinstance(effective, dt.datetime) or not isinstance(effective, dt.date):
        raise LoadError(
            source,
            f"{where}: effective must be a TOML date such as 2026-07-01",
            column="effective",
            value=effective,
        )
    if not isinstance(rate, str):
        raise LoadError(
            source,
            f'{where}: rate must be a decimal string such as "10.15" (floats are inexact)',
            column="rate",
            value=rate,
        )
    try:
        return RateRow(jurisdiction, table, effective, rate)
    except InvalidFieldError as error:
        raise LoadError(
            source, f"{where}: {error.reason}", column=error.field, value=error.value
        ) from None


def loads_rates(text: str, *, source: str = "<string>") -> tuple[RateRow, ...]:
    """Read rate rows from TOML text.

    Args:
        text: the TOML document (``[[rate]]`` tables).
        source: the name used in error messages (a file name).

    Returns:
        The rows, in file order.

    Raises:
        LoadError: invalid TOML, a key other than ``rate`` at the top level,
            an unknown or missing key, a wrong type or value, or two rows for
            one table and date. The reason names the entry (``rate[2]``, from
            0), ``column`` the key and ``value`` the rejected value. Nothing
            is returned partially.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        line = int(found[1]) if found else None
        reason = _TOML_POSITION.sub("", message).strip()
        raise LoadError(source, f"invalid TOML: {reason}", line=line) from None
    for key in data:
        if key != "rate":
            raise LoadError(
                source, f"unknown top-level key {key!r}; expected [[rate]] tables", column=key
            )
    entries: Any = data.get("rate", [])
    if not isinstance(entries, list):
        raise LoadError(source, "rate must be an array of tables ([[rate]])", column="rate")
    rows: list[RateRow] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for index, entry in enumerate(entries):
        row = _entry(source, index, entry)
        slot = (row.table, row.effective)
        if slot in seen:
            raise LoadError(
                source,
                f"rate[{index}]: a second row for table {row.table!r} effective"
                f" {row.effective} (first: rate[{seen[slot]}])",
                column="effective",
                value=row.effective,
            )
        seen[slot] = index
        rows.append(row)
    return tuple(rows)


def load_rates(path: str | os.PathLike[str]) -> tuple[RateRow, ...]:
    """Read rate rows from a TOML file (UTF-8, with or without a byte-order mark).

    Args:
        path: the file.

    Returns:
        The rows, in file order; merge them with
        ``RateBook.shipped().merged(rows)``.

    Raises:
        LoadError: the file cannot be read or is invalid (see
            :func:`loads_rates`).
    """
    target = Path(path)
    try:
        text = target.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise LoadError(target, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise LoadError(target, "not UTF-8 text") from None
    return loads_rates(text, source=str(target))
