"""Reading ledger files into frames of strings, with physical line numbers.

:func:`read_csv_strings` reads one CSV file with Polars' reader, every column
as a string, and works out where each row starts in the file (its physical
line, which differs from the row number when a quoted field spans lines or
blank lines are skipped) with vectorised string operations over the lines of
the file. When Polars cannot read a file, or reads it differently from the
documented dialect (strict :mod:`csv` rules), the file is read again with
:func:`csv.reader`; that path names the exact line of the problem.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import polars as pl

from ..errors import LoadError

__all__ = [
    "INDEX",
    "LINE",
    "RESERVED",
    "Strings",
    "as_text",
    "check_header",
    "cut",
    "read_csv_strings",
    "sniff_delimiter",
    "text_of",
]

LINE: Final = "\x00arpolicy:line"
"""The column of a strings frame holding each row's physical line (1-based)."""
INDEX: Final = "\x00arpolicy:row"
"""The column numbering the rows of a table while it is validated."""
RESERVED: Final = frozenset({LINE, INDEX})
"""The reader's own column names (a NUL byte and a prefix: no real header has them)."""
_BOM: Final = b"\xef\xbb\xbf"
_CUT: Final = 80
_QUOTED: Final = r'"[^"]*"'
_ONLY_LINE_ENDS: Final = re.compile(rb"[\r\n]*")


def cut(value: object) -> object:
    """A value as shown in an error: strings longer than 80 characters are cut."""
    if isinstance(value, str) and len(value) > _CUT:
        return value[: _CUT - 1] + "…"
    return value


class Strings:
    """One file read as strings: ``frame`` has the header's columns and :data:`LINE`.

    Empty cells are ``null``; blank lines are gone. ``counts`` holds each
    row's number of fields (``None`` when it equals the header's everywhere).
    """

    def __init__(
        self, path: Path, header: list[str], frame: pl.DataFrame, counts: pl.Series | None
    ) -> None:
        self.path = path
        self.header = header
        self.frame = frame
        self.counts = counts


def text_of(name: str, dtype: pl.DataType) -> pl.Expr:
    """A column of a frame as the text a ledger file would hold (floats excepted).

    Dates as ISO text, lists joined by spaces, ``Decimal`` values without
    trailing zeros (``12.50`` is ``12.5``, ``100.00`` is ``100``), the rest
    cast to text.
    """
    column = pl.col(name)
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d").alias(name)
    if isinstance(dtype, pl.List):
        return column.cast(pl.List(pl.String)).list.join(" ").alias(name)
    if dtype == pl.String:
        return column
    if isinstance(dtype, pl.Decimal):
        trimmed = column.cast(pl.String).str.replace(r"(\.[0-9]*?)0+$", "${1}")
        return trimmed.str.strip_suffix(".").alias(name)
    return column.cast(pl.String).alias(name)


def as_text(schema: pl.Schema) -> list[pl.Expr]:
    """Every column of a frame with ``schema`` as text (:func:`text_of`; :data:`LINE` kept)."""
    return [pl.col(n) if n == LINE else text_of(n, dtype) for n, dtype in schema.items()]


def sniff_delimiter(header_line: str) -> str:
    """``;`` when the header line has semicolons and no commas (European Excel), else ``,``."""
    if ";" in header_line and "," not in header_line:
        return ";"
    if "\t" in header_line and "," not in header_line and ";" not in header_line:
        return "\t"
    return ","


def check_header(
    path: Path,
    header: Sequence[str],
    *,
    known: Sequence[str],
    required: Sequence[str],
    metadata: bool,
    delimiter: str,
) -> None:
    """Check a header line; a bad one raises LoadError showing it and a likely fix."""
    seen: set[str] = set()
    problem: LoadError | None = None
    for name in header:
        if name in seen:
            problem = LoadError(path, "column appears twice in the header", line=1, column=name)
            break
        if not name:
            problem = LoadError(path, "empty column name in the header", line=1, column=name)
            break
        if name in RESERVED:
            problem = LoadError(path, "column name reserved by the reader", line=1, column=name)
            break
        if not metadata and name not in known:
            expected = ", ".join(known)
            problem = LoadError(path, f"unknown column; expected {expected}", line=1, column=name)
            break
        seen.add(name)
    if problem is None:
        for name in required:
            if name not in seen:
                problem = LoadError(
                    path, "required column missing from the header", line=1, column=name
                )
                break
    if problem is None:
        return
    hint = _header_hint(header, known=known, required=required, delimiter=delimiter)
    raise LoadError(
        path,
        f"{problem.reason}; the header read was {cut(delimiter.join(header))!r}{hint}",
        line=1,
        column=problem.column,
    )


def _header_hint(
    header: Sequence[str], *, known: Sequence[str], required: Sequence[str], delimiter: str
) -> str:
    joined = delimiter.join(header)
    for other, name in ((";", "semicolons"), (",", "commas"), ("\t", "tabs")):
        if other != delimiter and other in joined:
            parts = joined.split(other)
            if sum(p.strip() in required for p in parts) >= 2:
                flag = "\\t" if other == "\t" else other
                return f" (separated by {name}? give --delimiter '{flag}')"
    lower = {k.lower(): k for k in known}
    hints = []
    for name in header:
        if name in known:
            continue
        if name.strip().lower() in lower:
            hints.append(f"{name!r} -> {lower[name.strip().lower()]!r}")
            continue
        close = difflib.get_close_matches(name.strip().lower(), list(known), n=1, cutoff=0.75)
        if close and close[0] not in header:
            hints.append(f"{name!r} -> {close[0]!r}")
    if hints:
        return f" (did you mean {', '.join(hints[:3])}?)"
    return ""


def _decode(path: Path, data: bytes, skipped: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        offset = error.start + skipped
        raise LoadError(
            path, f"not UTF-8 text: {error.reason} at byte offset {offset}", line=line
        ) from error


def _header_line(text: str) -> str:
    end = text.find("\n")
    return (text if end < 0 else text[:end]).rstrip("\r")


def read_csv_strings(
    path: Path,
    *,
    delimiter: str | None,
    known: Sequence[str],
    required: Sequence[str],
    metadata: bool,
    optional_file: bool,
) -> Strings | None:
    """Read one CSV file as strings; ``None`` for an empty (0-byte) optional file."""
    data = path.read_bytes()
    skipped = 0
    if data.startswith(_BOM):
        data = data[3:]
        skipped = 3
    if _ONLY_LINE_ENDS.fullmatch(data):  # (stops at the first other byte: no copy)
        if optional_file and not data:
            return None
        raise LoadError(path, "empty file: expected a header line", line=1)
    text = _decode(path, data, skipped)
    separator = delimiter or sniff_delimiter(_header_line(text))
    try:
        first = _header_line(text)
        # the first line alone, unless a quoted header name might span lines
        head = first if first.count('"') % 2 == 0 else text
        header = next(csv.reader(io.StringIO(head), delimiter=separator, strict=True))
    except csv.Error as error:
        raise LoadError(path, f"malformed CSV: {error}", line=1) from error
    check_header(
        path, header, known=known, required=required, metadata=metadata, delimiter=separator
    )
    fast = _read_fast(path, data, text, header, separator)
    if fast is not None:
        return fast
    return _read_slow(path, text, header, separator)


def _lines(text: str) -> pl.DataFrame:
    """The physical lines of ``text`` (without line ends) and their number."""
    lines = pl.Series("l", [text], pl.String).str.split("\n").explode()
    if text.endswith("\n"):
        lines = lines.head(-1)
    return pl.DataFrame({"l": lines.str.strip_suffix("\r")}).with_row_index("line", offset=1)


def _plain_rows(text: str, rows: int, width: int, separator: str) -> bool:
    """One row per line after the header, each with the header's field count.

    True for a file without quotes and blank lines whose separators add up
    to ``width - 1`` per line: Polars refuses a row with too many fields, so
    none has too few either, and row *k* is on line *k* + 1. (Counted with
    :meth:`str.count`, which is much cheaper than splitting the lines.)
    """
    if '"' in text or "\n\n" in text or "\n\r\n" in text:
        return False
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    return lines == rows + 1 and text.count(separator) == (width - 1) * lines


def _read_fast(
    path: Path, data: bytes, text: str, header: list[str], separator: str
) -> Strings | None:
    """Polars' reader plus line numbers; ``None`` when the slow path must decide."""
    if "\r" in text and "\r" in text.replace("\r\n", "\n"):
        return None  # a lone carriage return: csv reads it as a line end, Polars does not
    width = len(header)
    try:
        frame = pl.read_csv(
            data,
            separator=separator,
            has_header=True,
            new_columns=header,
            infer_schema=False,
            raise_if_empty=False,
        )
    except Exception:
        return None
    if text.count('"') % 2:
        return None  # an unterminated quote: the slow path words it
    if _plain_rows(text, frame.height, width, separator):
        frame = frame.with_columns(
            pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias(LINE),
            pl.col(header).replace("", None),
        )
        return Strings(path, header, frame, None)
    lines = _lines(text)
    sep = separator
    if '"' not in text:
        records = lines.select(
            pl.col("line"),
            blank=pl.col("l") == "",
            fields=pl.col("l").str.count_matches(sep, literal=True) + 1,
        )
    else:
        quotes = pl.col("l").str.count_matches('"', literal=True)
        grouped = lines.with_columns(
            start=((quotes.cum_sum() - quotes) % 2 == 0),
        ).with_columns(record=pl.col("start").cast(pl.Int64).cum_sum())
        if bool(grouped["start"].all()):
            body = pl.col("l")
            records = grouped.select(
                pl.col("line"),
                blank=body == "",
                fields=body.str.replace_all(_QUOTED, "").str.count_matches(sep, literal=True) + 1,
            )
        else:
            records = (
                grouped.group_by("record", maintain_order=True)
                .agg(pl.col("line").first(), pl.col("l").str.join("\n"))
                .select(
                    pl.col("line"),
                    blank=pl.col("l") == "",
                    fields=pl.col("l")
                    .str.replace_all(_QUOTED, "")
                    .str.count_matches(sep, literal=True)
                    + 1,
                )
            )
    records = records.slice(1)  # the header
    if records.height != frame.height:
        return None
    keep = ~records["blank"]
    frame = frame.with_columns(records["line"].alias(LINE).cast(pl.Int64))
    counts = records["fields"]
    if not bool(keep.all()):
        frame = frame.filter(keep)
        counts = counts.filter(keep)
    frame = frame.with_columns(pl.col(header).replace("", None))
    if bool((counts == width).all()):
        return Strings(path, header, frame, None)
    return Strings(path, header, frame, counts.alias("fields"))


def _read_slow(path: Path, text: str, header: list[str], separator: str) -> Strings:
    """:func:`csv.reader`, line by line: the exact dialect and the line of each problem."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    columns: list[list[str | None]] = [[] for _ in header]
    lines: list[int] = []
    counts: list[int] = []
    width = len(header)
    previous = 0
    try:
        next(reader)
        previous = reader.line_num
        for row in reader:
            start = previous + 1
            previous = reader.line_num
            if not row:
                continue
            lines.append(start)
            counts.append(len(row))
            cells = row if len(row) >= width else [*row, *([""] * (width - len(row)))]
            for column, cell in zip(columns, cells, strict=False):
                column.append(cell or None)
    except csv.Error as error:
        raise LoadError(path, f"malformed CSV: {error}", line=reader.line_num) from error
    frame = pl.DataFrame(
        {
            name: pl.Series(name, values, pl.String)
            for name, values in zip(header, columns, strict=True)
        }
        | {LINE: pl.Series(LINE, lines, pl.Int64)}
    )
    fields = pl.Series("fields", counts, pl.Int64)
    return Strings(path, header, frame, None if bool((fields == width).all()) else fields)
