"""Exchange-rate tables (:class:`~arpolicy.fx.FxRates`) as TOML or CSV files.

TOML: a list of ``[[fx]]`` tables with exactly four keys::

    [[fx]]
    effective = 2026-01-01
    from = "EUR"
    to = "USD"
    rate = "1.0850"

CSV: a header ``effective,from,to,rate`` and one row per rate::

    effective,from,to,rate
    2026-01-01,EUR,USD,1.0850

``effective`` is the first day the rate applies (a TOML date, or
``YYYY-MM-DD`` in CSV); from then on 1 ``from`` is worth ``rate`` ``to``.
``rate`` is a decimal string (in TOML floats and integers are refused,
because a binary float cannot hold a rate exactly; in CSV exponents such as
``1e1`` are refused). At most one row per pair and day.

>>> text = '''
... [[fx]]
... effective = 2026-01-01
... from = "EUR"
... to = "USD"
... rate = "1.0850"
... '''
>>> table = loads_fx_rates(text)
>>> table.rows[0].base, table.rows[0].quote, table.rows[0].rate
('EUR', 'USD', Decimal('1.0850'))
>>> loads_fx_rates("effective,from,to,rate\\n2026-01-01,EUR,USD,1.0850\\n", format="csv") == table
True
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal

from ..errors import InvalidFieldError, LoadError
from ..fx import FxRate, FxRates

__all__ = ["FX_COLUMNS", "load_fx_rates", "loads_fx_rates"]

FX_COLUMNS: Final = ("effective", "from", "to", "rate")
"""The keys of a ``[[fx]]`` table and the columns of the CSV form, in order."""

_TOML_POSITION: Final = re.compile(r"\s*\(at line (\d+), column \d+\)")
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL: Final = re.compile(r"^\d+(?:\.\d+)?$")


def _row(
    source: str,
    where: str,
    values: Mapping[str, Any],
    *,
    line: int | None,
) -> FxRate:
    try:
        return FxRate(values["effective"], values["from"], values["to"], values["rate"])
    except InvalidFieldError as error:
        column = {"currency": "from/to", "quote": "to"}.get(error.field, error.field)
        raise LoadError(
            source, f"{where}{error.reason}", line=line, column=column, value=error.value
        ) from None


def _table(source: str, rows: list[tuple[FxRate, str, int | None]]) -> FxRates:
    seen: dict[tuple[str, str, dt.date], str] = {}
    for row, where, line in rows:
        slot = (row.base, row.quote, row.effective)
        if slot in seen:
            raise LoadError(
                source,
                f"{where}a second rate for {row.base}->{row.quote} effective {row.effective}"
                f" (first: {seen[slot]})",
                line=line,
                column="effective",
                value=row.effective,
            )
        seen[slot] = where.rstrip(": ") or f"line {line}"
    return FxRates(row for row, _, _ in rows)


def _toml(text: str, source: str) -> FxRates:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        line = int(found[1]) if found else None
        reason = _TOML_POSITION.sub("", message).strip()
        raise LoadError(source, f"invalid TOML: {reason}", line=line) from None
    for key in data:
        if key != "fx":
            raise LoadError(
                source, f"unknown top-level key {key!r}; expected [[fx]] tables", column=key
            )
    entries: Any = data.get("fx", [])
    if not isinstance(entries, list):
        raise LoadError(source, "fx must be an array of tables ([[fx]])", column="fx")
    rows: list[tuple[FxRate, str, int | None]] = []
    for index, entry in enumerate(entries):
        where = f"fx[{index}]: "
        if not isinstance(entry, Mapping):
            raise LoadError(source, f"{where}expected a table", column="fx", value=entry)
        for key in entry:
            if key not in FX_COLUMNS:
                raise LoadError(
                    source,
                    f"{where}unknown key {key!r}; expected {', '.join(FX_COLUMNS)}",
                    column=str(key),
                    value=entry[key],
                )
        for key in FX_COLUMNS:
            if key not in entry:
                raise LoadError(source, f"{where}missing key {key!r}", column=key)
        effective = entry["effective"]
        if isinstance(effective, dt.datetime) or not isinstance(effective, dt.date):
            raise LoadError(
                source,
                f"{where}effective must be a TOML date such as 2026-01-01",
                column="effective",
                value=effective,
            )
        for key in ("from", "to", "rate"):
            if not isinstance(entry[key], str):
                raise LoadError(
                    source,
                    f"{where}{key} must be a string"
                    + (' such as "1.0850" (floats are inexact)' if key == "rate" else ""),
                    column=key,
                    value=entry[key],
                )
        if not _DECIMAL.match(entry["rate"].strip()):
            raise LoadError(
                source,
                f'{where}rate must be a plain decimal such as "1.0850"',
                column="rate",
                value=entry["rate"],
            )
        rows.append((_row(source, where, entry, line=None), where, None))
    return _table(source, rows)


def _csv(text: str, source: str) -> FxRates:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise LoadError(source, f"empty file; expected the header {','.join(FX_COLUMNS)}")
    names = [name.strip() for name in header]
    if names != list(FX_COLUMNS):
        raise LoadError(
            source,
            f"the header must be {','.join(FX_COLUMNS)}",
            line=1,
            value=",".join(header),
        )
    rows: list[tuple[FxRate, str, int | None]] = []
    start = reader.line_num
    for record in reader:
        line = start + 1
        start = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(record) != len(FX_COLUMNS):
            raise LoadError(
                source,
                f"expected {len(FX_COLUMNS)} fields, found {len(record)}",
                line=line,
                value=",".join(record),
            )
        values: dict[str, Any] = dict(
            zip(FX_COLUMNS, (cell.strip() for cell in record), strict=True)
        )
        if not _DATE.match(values["effective"]):
            raise LoadError(
                source,
                "not a date of the form YYYY-MM-DD",
                line=line,
                column="effective",
                value=values["effective"],
            )
        try:
            values["effective"] = dt.date.fromisoformat(values["effective"])
        except ValueError:
            raise LoadError(
                source, "no such day", line=line, column="effective", value=values["effective"]
            ) from None
        if not _DECIMAL.match(values["rate"]):
            raise LoadError(
                source,
                "rate must be a plain decimal such as 1.0850",
                line=line,
                column="rate",
                value=values["rate"],
            )
        rows.append((_row(source, "", values, line=line), "", line))
    return _table(source, rows)


def loads_fx_rates(
    text: str, *, format: Literal["toml", "csv"] = "toml", source: str = "<string>"
) -> FxRates:
    """Read an exchange-rate table from text.

    Args:
        text: the document.
        format: ``"toml"`` (``[[fx]]`` tables) or ``"csv"``.
        source: the name used in error messages (a file name).

    Returns:
        The table.

    Raises:
        LoadError: invalid TOML or CSV, an unknown or missing key or column, a
            bad value (not a date, not an ISO 4217 currency, a rate that is
            not a plain decimal above zero, the same currency on both sides),
            or two rows for one pair and day. The error names the line (CSV)
            or entry (``fx[2]``, from 0), the column and the value.
    """
    if format == "csv":
        return _csv(text, source)
    if format == "toml":
        return _toml(text, source)
    raise ValueError(f"unknown format {format!r}; expected 'toml' or 'csv'")


def load_fx_rates(path: str | os.PathLike[str]) -> FxRates:
    """Read an exchange-rate table from a ``.toml`` or ``.csv`` file (UTF-8).

    Args:
        path: the file; its suffix decides the format.

    Returns:
        The table.

    Raises:
        LoadError: the file cannot be read, has another suffix, or is
            invalid (see :func:`loads_fx_rates`).
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".toml", ".csv"):
        raise LoadError(target, "an exchange-rate file ends in .toml or .csv")
    try:
        text = target.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise LoadError(target, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise LoadError(target, "not UTF-8 text") from None
    return loads_fx_rates(text, format="csv" if suffix == ".csv" else "toml", source=str(target))
