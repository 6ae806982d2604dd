"""Validate ledger tables of strings with vectorised expressions, then build the ledger.

The input is one frame of strings per file (from CSV, Parquet, Arrow IPC or
frames handed over by the caller), each row with its physical line. Every
cell rule is a Polars expression over a whole column: dates (strict form,
real day, within :data:`~arpolicy.ledger.MIN_DATE` ..
:data:`~arpolicy.ledger.MAX_DATE`), amounts (digits and at most the
currency's decimals, built into Int64 minor units from the digit strings,
never through floats or ``str.to_decimal``), currencies, closed
vocabularies, field counts. Model rules (ids, countries, e-mail addresses
...) are screened the same way with a mask that may flag too much; only the
flagged rows are looked at in Python, by the same builders and model checks
that word today's errors. So a good file goes through no per-row Python
validation, and an error names the file, the physical line, the column and
the value as before.

The result is the ledger's tables (:mod:`arpolicy.ledger._schema`):
invoices and payments straight from the typed columns; the smaller tables
(customers, plans, trials) through the per-row builders of
:mod:`arpolicy.io._records` and back to tables. Ids and references are then
checked over the tables (:func:`~arpolicy.ledger._validate.check_tables`)
and the :class:`~arpolicy.model.Ledger` is made over them: no invoice or
payment record is built until asked for.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any, Final, TypeVar

import polars as pl
from iso4217 import Currency

from .._gc import gc_paused
from ..errors import (
    DuplicateIdError,
    InvalidFieldError,
    LoadError,
    TermsSyntaxError,
    UnknownReferenceError,
)
from ..io._assemble import group_plans
from ..io._records import (
    BUILDERS,
    PLANS,
    TABLES,
    CellError,
    Cells,
    Layout,
    Table,
    field_column,
)
from ..io.terms import parse_terms
from ..model import (
    INTEREST_SETTLED,
    InvoiceKind,
    Ledger,
    PaymentMethod,
    PaymentTerms,
    Profile,
)
from ..money import Money
from ..records import _valid_timezone
from ._read import INDEX, LINE, Strings, as_text
from ._schema import (
    CUSTOMERS,
    INVOICES,
    KIND,
    MAX_DATE,
    MAX_INTEGER_DIGITS,
    METADATA,
    METHOD,
    MIN_DATE,
    PROFILE,
    SCHEMAS,
)
from ._validate import Found, check_tables, known, lookup
from ._views import Tables, tables_from_records

__all__ = ["DATE_FORMATS", "Formats", "build_from_strings"]

DATE_FORMATS: Final = ("YYYY-MM-DD", "DD-MM-YYYY", "DD/MM/YYYY")
"""The date forms a ledger file may use (one per load)."""

_DATE_PATTERNS: Final = {
    "YYYY-MM-DD": (r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$", "${1}-${2}-${3}"),
    "DD-MM-YYYY": (r"^([0-9]{2})-([0-9]{2})-([0-9]{4})$", "${3}-${2}-${1}"),
    "DD/MM/YYYY": (r"^([0-9]{2})/([0-9]{2})/([0-9]{4})$", "${3}-${2}-${1}"),
}
_PLAIN: Final = r"^[0-9]+(\.[0-9]+)?$"
_COMMA: Final = r"^([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?$"
_LANGUAGE: Final = r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*$"
_NEGATIVE: Final = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_IDX: Final = INDEX
_CACHE: Final = "\x00arpolicy:cache:"
"""The prefix of the columns :meth:`_Source.materialise` adds to a table."""
_T = TypeVar("_T")
_TABLE_OF_KIND: Final = {t.kind: t for t in TABLES}


def _minor_digits() -> dict[str, int]:
    table: dict[str, int] = {}
    for currency in Currency:
        if currency.exponent is not None:
            table[currency.code] = int(currency.exponent)
    return table


MINOR: Final = _minor_digits()
"""Decimals of every ISO 4217 currency with a minor unit."""
_CURRENCY: Final = pl.Enum(list(MINOR))
_DECIMALS: Final = pl.Series("decimals", list(MINOR.values()), pl.Int64)
_POWERS: Final = pl.Series("powers", [10**n for n in range(19)], pl.Int64)


class Formats:
    """How cells are written: the date form and whether amounts use a decimal comma."""

    def __init__(self, *, date_format: str | None = None, decimal_comma: bool = False) -> None:
        form = date_format or "YYYY-MM-DD"
        if form not in _DATE_PATTERNS:
            choices = ", ".join(DATE_FORMATS)
            raise ValueError(f"unknown date format {date_format!r}; expected one of {choices}")
        self.date_format = form
        self.decimal_comma = decimal_comma
        self.dtypes: dict[str, pl.DataType] = {}
        self.cached: dict[str, str] = {}
        self.recording: dict[str, pl.Expr] | None = None

    def copy(self) -> Formats:
        """These formats, with their own column types and cache."""
        out = Formats(date_format=self.date_format, decimal_comma=self.decimal_comma)
        out.dtypes = dict(self.dtypes)
        return out

    def cache(self, key: str, expr: pl.Expr) -> pl.Expr:
        """``expr``, or the column holding its values when they were computed once already.

        :meth:`_Source.materialise` computes the parts that the checks and
        the typed table share (parsed dates, a currency's decimals, an
        amount's digits) once per table; ``key`` names the part.
        """
        name = self.cached.get(key)
        if name is not None:
            return pl.col(name)
        if self.recording is not None:
            self.recording[key] = expr
        return expr

    def typed(self, schema: pl.Schema) -> Formats:
        """These formats for a frame whose typed (not text) columns are in ``schema``.

        A ``Date`` column needs no parsing, and an amount column of
        ``Decimal`` or whole numbers gives its minor units by integer
        arithmetic (:func:`_typed_amount`), with the same checks and errors
        as its text would get.
        """
        out = self.copy()
        out.dtypes = {name: dtype for name, dtype in schema.items() if dtype != pl.String}
        return out

    def is_date(self, column: str) -> bool:
        """The column is a ``Date`` column."""
        return self.dtypes.get(column) == pl.Date

    def iso(self, column: str) -> pl.Expr:
        """The column's dates rewritten as ISO text (other text left as it is)."""
        if self.date_format == "YYYY-MM-DD":
            return pl.col(column)
        pattern, swap = _DATE_PATTERNS[self.date_format]
        text = pl.col(column)
        # text in another form must not pass for an ISO date: mark it
        return (
            pl.when(text.str.contains(pattern))
            .then(text.str.replace(pattern, swap))
            .otherwise(pl.lit("?") + text)
        )

    def plain(self, column: str) -> pl.Expr:
        """The column's amounts rewritten as ``1234.56`` (other text left as it is)."""
        if not self.decimal_comma:
            return pl.col(column)
        text = pl.col(column)
        return (
            pl.when(text.str.contains(_COMMA))
            .then(text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
            .otherwise(pl.lit("?") + text)  # a plain 12.50 is not an amount here
        )

    def iso_text(self, text: str) -> str:
        """One date cell rewritten as ISO text (other text left as it is)."""
        pattern, swap = _DATE_PATTERNS[self.date_format]
        if self.date_format == "YYYY-MM-DD" or not re.fullmatch(pattern, text):
            return text if self.date_format == "YYYY-MM-DD" else "?" + text
        return re.sub(pattern, swap.replace("${", "\\g<").replace("}", ">"), text)

    def plain_text(self, text: str) -> str:
        """One amount cell rewritten as ``1234.56``."""
        if not self.decimal_comma:
            return text
        if re.fullmatch(_COMMA, text):
            return text.replace(".", "").replace(",", ".")
        if text.startswith("-") and re.fullmatch(_COMMA, text[1:]):
            return "-" + text[1:].replace(".", "").replace(",", ".")
        return "?" + text


# ---------------------------------------------------------------------------
# checks
# ---------------------------------------------------------------------------

Reason = Callable[[dict[str, str]], str]


class _Check:
    """A row rule: rows where ``mask`` holds break it (or, when ``soft``, may)."""

    def __init__(self, mask: pl.Expr, column: str | None, reason: Reason | None) -> None:
        self.mask = mask
        self.column = column
        self.reason = reason

    @property
    def soft(self) -> bool:
        return self.reason is None


def _has(header: Sequence[str], column: str) -> pl.Expr:
    return pl.col(column).is_not_null() if column in header else pl.lit(False)


def _col(header: Sequence[str], column: str) -> pl.Expr:
    return pl.col(column) if column in header else pl.lit(None, pl.String)


def _suspect_id(column: str) -> pl.Expr:
    """True where an id might break the model's rule (superset: checked in Python)."""
    text = pl.col(column)
    return text.is_null() | text.str.contains(r"^\s|\s$|[^\x20-\x7e]")


def _date_checks(column: str, formats: Formats, *, required: bool) -> list[_Check]:
    label = formats.date_format
    outside = f"outside the dates a ledger can hold ({MIN_DATE} to {MAX_DATE})"
    if formats.is_date(column):
        day = pl.col(column)
        return [
            _Check(
                day.is_null() if required else pl.lit(False),
                column,
                lambda _: f"not a date in the form {label}",
            ),
            _Check(
                day.is_not_null() & ((day < MIN_DATE) | (day > MAX_DATE)),
                column,
                lambda _: outside,
            ),
        ]
    iso = formats.iso(column)
    present = pl.col(column).is_not_null()
    form = iso.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    parsed = _date(column, formats)

    def impossible(row: dict[str, str]) -> str:
        try:
            date.fromisoformat(formats.iso_text(row[column]))
        except ValueError as error:
            return f"impossible date ({error})"
        return f"impossible date in the form {label}"  # pragma: no cover - Polars agrees

    missing = pl.col(column).is_null() if required else pl.lit(False)
    return [
        _Check(missing | present & ~form, column, lambda _: f"not a date in the form {label}"),
        _Check(present & form & parsed.is_null(), column, impossible),
        _Check(
            present & ((parsed < MIN_DATE) | (parsed > MAX_DATE)),
            column,
            lambda _: f"outside the dates a ledger can hold ({MIN_DATE} to {MAX_DATE})",
        ),
    ]


def _digits(currency: str, formats: Formats) -> pl.Expr:
    """The decimals of each row's currency (``null`` when it is not an ISO 4217 code).

    Through an ``Enum`` of the codes and a gather from a table: several
    times cheaper than a look-up of every string in a mapping.
    """
    code = pl.col(currency).cast(_CURRENCY, strict=False).to_physical()
    return formats.cache(f"digits:{currency}", pl.lit(_DECIMALS).gather(code))


def _known_currency(currency: str, formats: Formats) -> pl.Expr:
    """True where the currency is an ISO 4217 code with a minor unit."""
    return _digits(currency, formats).is_not_null()


def _currency_check(formats: Formats, column: str = "currency") -> _Check:
    return _Check(
        ~_known_currency(column, formats),
        column,
        lambda _: "not an ISO 4217 currency code such as 'EUR'",
    )


def _typed_amount(
    column: str, currency: str, dtype: pl.DataType, formats: Formats
) -> dict[str, pl.Expr]:
    """A ``Decimal`` or integer amount column as unscaled integers, and its checks' parts.

    ``unscaled`` is the value times ``10**scale`` (Int64 when the type fits,
    else Int128); ``excess`` is ``10**(scale - digits)`` when the column has
    more decimals than the row's currency (the value is rounded to the
    currency exactly when ``unscaled`` is a multiple of it), ``up`` is
    ``10**(digits - scale)``; ``limit`` is the smallest whole part that is too
    large. The powers are gathered by the currency's decimals from small
    tables (no per-row power arithmetic).
    """
    if isinstance(dtype, pl.Decimal):
        scale = dtype.scale or 0
        wide = dtype.precision is None or dtype.precision > 18
        unscaled = pl.col(column).to_physical()
    else:
        scale = 0
        wide = dtype == pl.UInt64
        unscaled = pl.col(column)
    kind = pl.Int128 if wide else pl.Int64
    unscaled = formats.cache(f"unscaled:{column}", unscaled.cast(kind))
    digits = _digits(currency, formats)

    def table(power: Callable[[int], int]) -> pl.Expr:
        values = pl.Series([10 ** power(d) for d in range(max(MINOR.values()) + 1)], dtype=kind)
        return pl.lit(values).gather(digits)

    most = {d: min(MAX_INTEGER_DIGITS, 18 - d) for d in range(max(MINOR.values()) + 1)}
    return {
        "unscaled": unscaled,
        "up": table(lambda d: max(d - scale, 0)),
        "excess": table(lambda d: max(scale - d, 0)),
        "whole": unscaled // pl.lit(10**scale, kind),
        "limit": table(lambda d: most[d]),
    }


def _power(exponent: pl.Expr) -> pl.Expr:
    """``10 ** exponent`` as Int64, gathered from a table (exponents clipped to 0..18)."""
    return pl.lit(_POWERS).gather(exponent.clip(0, 18))


def _amount_parts(column: str, currency: str, formats: Formats) -> dict[str, pl.Expr]:
    """An amount's text, whether it is plain (``1234.56``), its decimals and its digits' value.

    ``value`` is the digits without the dot as one Int64 (``12.50`` is
    ``1250``; ``null`` above the Int64 range); only read where ``plain``
    holds. The parts the checks and the typed table share are computed once
    per table (:meth:`Formats.cache`).
    """
    text = formats.plain(column).fill_null("")
    dot = text.str.find(".", literal=True).cast(pl.Int64)
    after = text.str.len_bytes().cast(pl.Int64) - dot - 1
    return {
        "text": text,
        "plain": formats.cache(f"plain:{column}", text.str.contains(_PLAIN)),
        "digits": _digits(currency, formats),
        "decimals": formats.cache(f"decimals:{column}", after.fill_null(0)),
        "value": formats.cache(
            f"value:{column}", text.str.replace(".", "", literal=True).cast(pl.Int64, strict=False)
        ),
    }


def _amount_checks(
    column: str, currency: str, formats: Formats, *, required: bool = True
) -> list[_Check]:
    example = "1.234,56 (digits, optional thousands dots and a decimal comma)"
    if not formats.decimal_comma:
        example = "12.50 (digits, optional dot and decimals)"

    def form(row: dict[str, str]) -> str:
        if _NEGATIVE.fullmatch(formats.plain_text(row.get(column, ""))):
            return "must not be negative"
        return f"not an amount such as {example}"

    def rounded(row: dict[str, str]) -> str:
        text = formats.plain_text(row[column])
        decimals = len(text) - text.find(".") - 1 if "." in text else 0
        code = row[currency]
        return f"has {decimals} decimals but {code} has {MINOR[code]}: not rounded"

    def large(row: dict[str, str]) -> str:
        most = min(MAX_INTEGER_DIGITS, 18 - MINOR[row[currency]])
        return f"more than {most} integer digits: above the largest amount a ledger holds"

    present = pl.col(column).is_not_null() if not required else pl.lit(True)
    dtype = formats.dtypes.get(column)
    if dtype is not None and (isinstance(dtype, pl.Decimal) or dtype.is_integer()):
        t = _typed_amount(column, currency, dtype, formats)
        unscaled = t["unscaled"]
        return [
            _Check(present & (unscaled.is_null() | (unscaled < 0)), column, form),
            _Check(present & (unscaled >= 0) & (unscaled % t["excess"] != 0), column, rounded),
            _Check(present & (unscaled >= 0) & (t["whole"] >= t["limit"]), column, large),
        ]
    p = _amount_parts(column, currency, formats)
    # more integer digits than the currency allows: the digits' value reaches
    # 10 ** (most + decimals), or is beyond Int64 (which needs more digits
    # still). Only asked where the decimals fit the currency: a row with too
    # many decimals is refused as not rounded, which comes first.
    most = pl.min_horizontal(pl.lit(MAX_INTEGER_DIGITS), 18 - p["digits"])
    fits = p["decimals"] <= p["digits"]
    too_large = p["value"].is_null() | (p["value"] >= _power(most + p["decimals"]))
    return [
        _Check(present & ~p["plain"], column, form),
        _Check(present & p["plain"] & (p["decimals"] > p["digits"]), column, rounded),
        _Check(present & p["plain"] & fits & too_large, column, large),
    ]


def _minor_units(column: str, currency: str, formats: Formats) -> pl.Expr:
    """Exact Int64 minor units from the digit strings (the cells are valid)."""
    dtype = formats.dtypes.get(column)
    if dtype is not None and (isinstance(dtype, pl.Decimal) or dtype.is_integer()):
        t = _typed_amount(column, currency, dtype, formats)
        return ((t["unscaled"] * t["up"]) // t["excess"]).cast(pl.Int64)
    p = _amount_parts(column, currency, formats)
    return p["value"] * _power(p["digits"] - p["decimals"])


def _enum_check(header: Sequence[str], column: str, values: Sequence[str]) -> _Check:
    choices = ", ".join(repr(v) for v in values)
    return _Check(
        _has(header, column) & ~_col(header, column).is_in(list(values)),
        column,
        lambda _: f"expected one of {choices}",
    )


def _date(column: str, formats: Formats) -> pl.Expr:
    if formats.is_date(column):
        return pl.col(column)
    return formats.cache(
        f"date:{column}", formats.iso(column).str.to_date("%Y-%m-%d", strict=False)
    )


# ---------------------------------------------------------------------------
# finding the first problem
# ---------------------------------------------------------------------------


class _Source:
    """One table of strings and how to name its places in errors."""

    def __init__(self, strings: Strings, table: Table, formats: Formats) -> None:
        self.strings = strings
        self.table = table
        self.formats = formats.typed(
            pl.Schema({k: v for k, v in strings.frame.schema.items() if k != LINE})
        )
        self.path = strings.path
        self.header = strings.header
        frame = strings.frame
        self.frame = frame.with_row_index(_IDX)
        self.lines = frame[LINE]

    def line(self, index: int) -> int:
        return int(self.lines[index])

    def materialise(self, build: Callable[[], _T]) -> _T:
        """``build()`` over columns computed once: the parts its expressions share.

        ``build`` is called twice: first to learn which parts (parsed dates,
        a currency's decimals, an amount's digits: :meth:`Formats.cache`)
        its expressions use, which are then computed in one pass and added
        to :attr:`frame` under reserved names; then again, its expressions
        now reading those columns, as do the typed table's made after.
        """
        formats = self.formats
        formats.recording = {}
        build()
        wanted, formats.recording = formats.recording, None
        taken = set(self.frame.columns)
        names = {key: f"{_CACHE}{key}" for key in wanted if f"{_CACHE}{key}" not in taken}
        if names:
            self.frame = self.frame.with_columns(
                wanted[key].alias(name) for key, name in names.items()
            )
            formats.cached.update(names)
        return build()

    def raw(self, index: int) -> dict[str, str]:
        frame = self.strings.frame
        if self.formats.dtypes:
            frame = frame.slice(index, 1).select(as_text(frame.schema))
            index = 0
        row = frame.row(index, named=True)
        return {k: ("" if v is None else v) for k, v in row.items() if k != LINE}

    def normalised(self, index: int) -> list[str]:
        """The row's cells in header order, dates as ISO text and amounts as ``1234.56``."""
        raw = self.raw(index)
        out = []
        for name in self.header:
            text = raw[name]
            if text and name in _DATE_COLUMNS.get(self.table.kind, ()):
                text = self.formats.iso_text(text)
            elif text and name in _AMOUNT_COLUMNS.get(self.table.kind, ()):
                text = self.formats.plain_text(text)
            out.append(text)
        return out

    def error(self, index: int, column: str | None, reason: str, value: object = None) -> LoadError:
        if column is not None and value is None and column in self.header:
            value = self.raw(index)[column]
        return LoadError(self.path, reason, line=self.line(index), column=column, value=value)

    def builder_error(
        self, index: int, builder: Callable[[Sequence[str]], Any]
    ) -> LoadError | None:
        """What the per-row builder and the model say about row ``index`` (None: fine)."""
        try:
            builder(self.normalised(index))
        except CellError as error:
            value = error.value
            if error.column in self.header:
                value = self.raw(index)[error.column]
            problem = LoadError(
                self.path, error.reason, line=self.line(index), column=error.column, value=value
            )
            problem.__cause__ = error
            return problem
        except InvalidFieldError as error:
            column = field_column(self.table, error.kind, error.field)
            value = error.value
            if column is not None and column in self.header:
                value = self.raw(index)[column]
            problem = LoadError(
                self.path, error.reason, line=self.line(index), column=column, value=value
            )
            problem.__cause__ = error
            return problem
        return None

    def builder(self) -> Callable[[Sequence[str]], Any]:
        return BUILDERS[self.table.kind](Layout(self.table, self.header), Cells())


_DATE_COLUMNS: Final = {
    "customer": ("block_until",),
    "invoice": ("issue_date", "due_date", "disputed", "on_hold_until", "dispute_resolved_on"),
    "payment": ("date",),
    "plan": ("agreed_on", "due_date"),
    "trial": ("ends", "starts"),
}
_AMOUNT_COLUMNS: Final = {
    "customer": ("credit_limit",),
    "invoice": ("amount",),
    "payment": ("amount",),
    "plan": ("amount",),
    "trial": (),
}


def _count_check(source: _Source) -> int | None:
    counts = source.strings.counts
    if counts is None:
        return None
    bad = (counts != len(source.header)).arg_true()
    return int(bad[0]) if len(bad) else None


def _first_error(source: _Source, checks: Sequence[_Check], *, soft_all: bool) -> LoadError | None:
    """The first problem in file order, or ``None``.

    Hard checks give their row and reason; rows flagged by a soft check (or,
    with ``soft_all``, every row) before the first hard problem go through
    the per-row builder, whose error wins when it comes first.
    """
    width = len(source.header)
    first: tuple[int, int] | None = None  # (row, check number)
    count_row = _count_check(source)
    if count_row is not None:
        first = (count_row, -1)
    hard = [(n, c) for n, c in enumerate(checks) if not c.soft]
    if hard:
        found = source.frame.select(
            pl.when(c.mask).then(pl.col(_IDX)).min().alias(str(n)) for n, c in hard
        ).row(0)
        for (n, _), row in zip(hard, found, strict=True):
            if row is not None and (first is None or (row, n) < first):
                first = (row, n)
    limit = first[0] if first is not None else source.frame.height
    soft = [c.mask for c in checks if c.soft]
    if soft_all or soft:
        frame = source.frame.head(limit)
        if not soft_all:
            frame = frame.filter(pl.any_horizontal(soft))
        builder = source.builder()
        for index in frame[_IDX]:
            error = source.builder_error(index, builder)
            if error is not None:
                return error
    if first is None:
        return None
    row, number = first
    if number < 0:
        count = int(source.strings.counts[row])  # type: ignore[index]
        return source.error(row, None, f"row has {count} fields but the header has {width}")
    check = checks[number]
    raw = source.raw(row)
    assert check.reason is not None
    return source.error(row, check.column, check.reason(raw))


# ---------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------


def _normalised_rows(source: _Source, limit: int) -> list[tuple[str, ...]]:
    """The first ``limit`` rows as cells in header order: ISO dates, plain amounts, ``""``."""
    kind = source.table.kind
    columns = []
    for name in source.header:
        if name in _DATE_COLUMNS[kind]:
            expr = source.formats.iso(name)
        elif name in _AMOUNT_COLUMNS[kind]:
            expr = source.formats.plain(name)
        else:
            expr = pl.col(name)
        columns.append(expr.fill_null("").alias(name))
    return source.frame.head(limit).select(columns).rows()


def _rows_of(source: _Source, hard: LoadError | None) -> list[Any]:
    """The rows through the per-row builder (small tables), up to the first hard problem."""
    limit = source.frame.height
    if hard is not None:
        limit = int((source.lines < hard.line).sum()) if hard.line is not None else 0
    builder = source.builder()
    records = []
    for index, row in enumerate(_normalised_rows(source, limit)):
        try:
            records.append(builder(row))
        except (CellError, InvalidFieldError):
            error = source.builder_error(index, builder)
            assert error is not None
            raise error from error.__cause__
    if hard is not None:
        raise hard
    return records


def _format_checks(source: _Source) -> list[_Check]:
    kind = source.table.kind
    checks: list[_Check] = []
    for column in _DATE_COLUMNS[kind]:
        if column in source.header:
            required = column in source.table.required and not (
                kind == "invoice" and column == "due_date"
            )
            checks.extend(_date_checks(column, source.formats, required=required))
    for column in _AMOUNT_COLUMNS[kind]:
        if column in source.header:
            currency = "currency"
            if currency in source.header:
                present = pl.col(column).is_not_null() & _known_currency(currency, source.formats)
                for check in _amount_checks(column, currency, source.formats):
                    checks.append(_Check(present & check.mask, check.column, check.reason))
    return checks


def _small_table(source: _Source) -> list[Any]:
    return _rows_of(source, _first_error(source, _format_checks(source), soft_all=False))


_VISIBLE: Final = r"[!-~]"
"""A printable ASCII character other than a space: a cell with one is not blank."""


@functools.cache
def _countries() -> list[str]:
    import iso3166  # noqa: PLC0415 - on use

    return list(iso3166.countries_by_alpha2)


def _customer_checks(source: _Source) -> list[_Check]:
    """The customers' format checks, and a soft mask of every row the model might refuse.

    The mask may flag too much (a name of non-ASCII letters only, an unusual
    language tag); flagged rows go through the per-row builder, which words
    the error exactly as before.
    """
    h = source.header
    checks = _format_checks(source)
    zones = {}
    if "timezone" in h:
        for zone in source.frame["timezone"].drop_nulls().unique().to_list():
            zones[zone] = _valid_timezone(zone)
    good_zones = [zone for zone, ok in zones.items() if ok]

    def blank(column: str) -> pl.Expr:
        """Present and perhaps blank (no visible ASCII character)."""
        return _has(h, column) & ~_col(h, column).str.contains(_VISIBLE)

    suspect = (
        _suspect_id("id")
        | pl.col("name").is_null()
        | ~pl.col("name").str.contains(_VISIBLE)
        | ~pl.col("profile").fill_null("").is_in([p.value for p in Profile])
        | ~pl.col("country").fill_null("").is_in(_countries())
        | (_has(h, "language") & ~_col(h, "language").str.contains(_LANGUAGE))
        | (_has(h, "timezone") & ~_col(h, "timezone").is_in(good_zones))
        | blank("email")
        | blank("phone")
        | blank("address")
        | blank("whatsapp")
        | (_has(h, "email") & ~_col(h, "email").str.contains("@", literal=True))
        | (_has(h, "credit_limit") != _has(h, "currency"))
        | (_has(h, "currency") & ~_col(h, "currency").is_in(list(MINOR)))
        | (_has(h, "tags") & _col(h, "tags").str.contains(r"[^\x20-\x7e]"))
        | (_has(h, "block_until") & ~_has(h, "block_reason"))
        | blank("block_reason")
    )
    checks.append(_Check(suspect, None, None))
    return checks


def _customers(source: _Source) -> pl.DataFrame:
    """The validated customers table (:data:`~arpolicy.ledger.CUSTOMERS`), rows in file order."""
    error = _first_error(source, _customer_checks(source), soft_all=False)
    if error is not None:
        raise error
    h = source.header
    f = source.formats
    limit = (
        _minor_units("credit_limit", "currency", f)
        if "credit_limit" in h and "currency" in h
        else pl.lit(None, pl.Int64)
    )
    tags = (
        pl.col("tags")
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.unique()
        .list.sort()
        if "tags" in h
        else pl.lit(None, pl.List(pl.String))
    )
    typed = source.frame.select(
        pl.col("id").alias("customer_id"),
        pl.col("name"),
        pl.col("profile").cast(PROFILE),
        pl.col("country"),
        _col(h, "language").fill_null("en").alias("language"),
        _col(h, "timezone").fill_null("UTC").alias("timezone"),
        _col(h, "email").alias("email"),
        _col(h, "phone").alias("phone"),
        _col(h, "address").alias("address"),
        _col(h, "whatsapp").alias("whatsapp"),
        pl.when(_has(h, "credit_limit")).then(limit).alias("credit_limit"),
        pl.when(_has(h, "credit_limit")).then(_col(h, "currency")).alias("currency"),
        tags.fill_null(pl.lit([], pl.List(pl.String))).alias("tags"),
        _col(h, "block_reason").alias("block_reason"),
        pl.when(_has(h, "block_reason"))
        .then(_date("block_until", f) if "block_until" in h else pl.lit(None, pl.Date))
        .alias("block_until"),
        _col(h, "policy").alias("policy"),
    )
    return pl.concat([typed, _metadata(source)], how="horizontal").select(list(CUSTOMERS))


def _terms_of(source: _Source) -> dict[str, PaymentTerms]:
    """Every distinct terms code that parses (once each)."""
    if "terms" not in source.header:
        return {}
    table: dict[str, PaymentTerms] = {}
    for text in source.frame["terms"].drop_nulls().unique():
        try:
            table[text] = parse_terms(text)
        except TermsSyntaxError:
            continue
    return table


def _invoice_checks(
    source: _Source, terms: dict[str, PaymentTerms], *, customers_known: bool = False
) -> list[_Check]:
    """The invoices' checks; ``customers_known``: every ``customer_id`` is a customer's id.

    A known customer's id passed the model's rule for ids already, so the
    soft mask need not screen that column again.
    """
    h = source.header
    f = source.formats
    suspect = _suspect_id("id")
    if not customers_known:
        suspect = suspect | _suspect_id("customer_id")
    checks: list[_Check] = [_Check(suspect, None, None)]
    checks += _date_checks("issue_date", f, required=True)
    checks.append(_currency_check(f))
    present = _known_currency("currency", f)
    checks += [
        _Check(present & c.mask, c.column, c.reason)
        for c in _amount_checks("amount", "currency", f)
    ]
    if "terms" in h:

        def bad_terms(row: dict[str, str]) -> str:
            try:
                parse_terms(row["terms"])
            except TermsSyntaxError as error:
                return str(error)
            return "not a terms code"  # pragma: no cover

        checks.append(
            _Check(_has(h, "terms") & ~pl.col("terms").is_in(list(terms)), "terms", bad_terms)
        )
    checks += _date_checks("due_date", f, required=False)
    checks.append(
        _Check(
            pl.col("due_date").is_null() & ~_has(h, "terms"),
            "due_date",
            lambda _: "required unless terms are given",
        )
    )
    checks.append(_enum_check(h, "kind", [k.value for k in InvoiceKind]))
    if INTEREST_SETTLED in h:
        checks += [
            _Check(c.mask, c.column, lambda _: "not a date in the form YYYY-MM-DD")
            for c in _date_checks(INTEREST_SETTLED, Formats(), required=False)[:2]
        ]
    for column in ("disputed", "on_hold_until", "dispute_resolved_on"):
        if column in h:
            checks += _date_checks(column, f, required=False)
    for column in ("dispute_reason", "dispute_resolved_on"):
        if column in h:
            checks.append(
                _Check(
                    _has(h, column) & ~_has(h, "disputed"),
                    "disputed",
                    lambda _, c=column: f"required when {c} is given",  # type: ignore[misc]
                )
            )
    # model rules, worded by the model
    due = _date("due_date", f)
    checks.append(_Check(due < _date("issue_date", f), None, None))
    checks.append(
        _Check(_has(h, "applies_to") & (_col(h, "kind").fill_null("") != "credit_note"), None, None)
    )
    if "dispute_resolved_on" in h and "disputed" in h:
        checks.append(_Check(_date("dispute_resolved_on", f) < _date("disputed", f), None, None))
    if "dispute_reason" in h:
        checks.append(_Check(pl.col("dispute_reason").str.contains(r"[\x00]"), None, None))
    return checks


def _payment_checks(
    source: _Source, *, customers_known: bool = False, invoices_known: bool = False
) -> list[_Check]:
    """The payments' checks; ``..._known``: every reference names a record of the ledger.

    A known record's id passed the model's rule for ids already, so the
    soft mask need not screen that column again.
    """
    h = source.header
    f = source.formats
    suspect = _suspect_id("id")
    if not customers_known:
        suspect = suspect | _suspect_id("customer_id")
    if "invoice_id" in h and not invoices_known:
        suspect = suspect | (_has(h, "invoice_id") & _suspect_id("invoice_id"))
    checks: list[_Check] = [_Check(suspect, None, None)]
    checks += _date_checks("date", f, required=True)
    checks.append(_currency_check(f))
    present = _known_currency("currency", f)
    checks += [
        _Check(present & c.mask, c.column, c.reason)
        for c in _amount_checks("amount", "currency", f)
    ]
    checks.append(_enum_check(h, "method", [m.value for m in PaymentMethod]))
    dtype = f.dtypes.get("amount")
    if dtype is not None and (isinstance(dtype, pl.Decimal) or dtype.is_integer()):
        zero = _typed_amount("amount", "currency", dtype, f)["unscaled"] == 0
    else:
        zero = _amount_parts("amount", "currency", f)["value"] == 0
    checks.append(_Check(present & zero, None, None))
    return checks


def _metadata(source: _Source) -> pl.DataFrame:
    """The ``metadata`` column: the extra columns' non-empty cells as ``{key, value}`` lists.

    Built in long form (unpivot, group by row), which is much faster than
    a list expression per row.
    """
    names = sorted(n for n in source.header if n not in source.table.known)
    frame = source.frame
    if not names:
        return frame.select(_IDX, pl.lit([], dtype=METADATA).alias("metadata")).drop(_IDX)
    long = (
        frame.select(_IDX, *names)
        .unpivot(index=_IDX, on=names, variable_name="key")
        .drop_nulls("value")
        .sort(_IDX, "key")
        .group_by(_IDX, maintain_order=True)
        .agg(pl.struct("key", "value").alias("metadata"))
    )
    return (
        frame.select(_IDX)
        .join(long, on=_IDX, how="left", maintain_order="left")
        .select(pl.col("metadata").fill_null(pl.lit([], dtype=METADATA)))
    )


def _due_from_terms(
    source: _Source, typed: pl.DataFrame, terms: dict[str, PaymentTerms]
) -> pl.DataFrame:
    """Fill empty due dates from the terms (once per distinct terms and issue date)."""
    need = typed.filter(pl.col("due_date").is_null()).select("terms", "issue_date", _IDX)
    if need.height == 0:
        return typed
    pairs = need.unique(["terms", "issue_date"])
    dues = []
    for text, issued, index in pairs.iter_rows():
        try:
            due = terms[text].due_date(issued)
        except (OverflowError, ValueError):
            due = None
        if due is None or not MIN_DATE <= due <= MAX_DATE:
            raise source.error(index, "terms", f"gives a due date outside {MIN_DATE} to {MAX_DATE}")
        dues.append(due)
    table = pairs.select("terms", "issue_date").with_columns(pl.Series("computed", dues, pl.Date))
    return (
        typed.join(table, on=["terms", "issue_date"], how="left", maintain_order="left")
        .with_columns(pl.coalesce("due_date", "computed").alias("due_date"))
        .drop("computed")
    )


def _canonical_terms(terms: dict[str, PaymentTerms]) -> dict[str, str]:
    """Every terms code read, as its canonical code."""
    from ..io.terms import format_terms  # noqa: PLC0415 - io builds on the records

    return {text: format_terms(parsed) for text, parsed in terms.items()}


def _discounts(typed: pl.DataFrame, terms: dict[str, PaymentTerms]) -> pl.DataFrame:
    """``discount_deadline`` and ``discount`` of the invoices with an early-payment discount.

    Computed by :class:`~arpolicy.model.PaymentTerms` once per distinct
    terms code, amount and currency (the discount is rounded like Money).
    """
    with_discount = [t for t, parsed in terms.items() if parsed.discount_days is not None]
    none = typed.select(
        _IDX,
        pl.lit(None, pl.Date).alias("discount_deadline"),
        pl.lit(None, pl.Int64).alias("discount"),
    ).drop(_IDX)
    if not with_discount:
        return none
    days = {t: terms[t].discount_days for t in with_discount}
    keys = (
        typed.filter(pl.col("terms").is_in(with_discount))
        .select("terms", "amount", "currency")
        .unique()
    )
    rows = []
    for text, minor, code in keys.iter_rows():
        money = Money._trusted(Decimal(minor).scaleb(-MINOR[code]), code)
        rows.append((text, minor, code, terms[text].discount(money).minor_units))
    table = pl.DataFrame(
        rows,
        schema={
            "terms": pl.String,
            "amount": pl.Int64,
            "currency": pl.String,
            "discount": pl.Int64,
        },
        orient="row",
    )
    joined = typed.select("terms", "amount", "currency", "issue_date").join(
        table, on=["terms", "amount", "currency"], how="left", maintain_order="left"
    )
    offset = pl.col("terms").replace_strict(days, default=None, return_dtype=pl.Int64)
    return joined.select(
        pl.when(pl.col("discount").is_not_null())
        .then(pl.col("issue_date") + pl.duration(days=offset))
        .alias("discount_deadline"),
        pl.col("discount"),
    )


def _invoices(source: _Source, references: Future[Found]) -> pl.DataFrame:
    """The validated invoices table (:data:`~arpolicy.ledger.INVOICES`), rows in file order.

    ``references`` (:func:`_references`) says which invoices name a known
    customer: their ``customer_id`` needs no screening.
    """
    terms = _terms_of(source)
    customers = references.result().invoice_customers
    sure = customers is not None and _all(customers)
    checks = source.materialise(lambda: _invoice_checks(source, terms, customers_known=sure))
    error = _first_error(source, checks, soft_all=False)
    if error is not None:
        raise error
    h = source.header
    f = source.formats

    def day(column: str) -> pl.Expr:
        return _date(column, f) if column in h else pl.lit(None, pl.Date)

    typed = source.frame.select(
        pl.col(_IDX),
        pl.col("id").alias("invoice_id"),
        pl.col("customer_id"),
        _col(h, "kind").fill_null("invoice").cast(KIND).alias("kind"),
        _date("issue_date", f).alias("issue_date"),
        _date("due_date", f).alias("due_date"),
        pl.col("currency"),
        _minor_units("amount", "currency", f).alias("amount"),
        _col(h, "applies_to").alias("applies_to"),
        day("disputed").alias("dispute_opened_on"),
        day("dispute_resolved_on").alias("dispute_resolved_on"),
        pl.when(_has(h, "disputed"))
        .then(_col(h, "dispute_reason").fill_null(""))
        .alias("dispute_reason"),
        day("on_hold_until").alias("on_hold_until"),
        _col(h, "terms").alias("terms"),
        _col(h, "reference").alias("reference"),
        _col(h, "payment_link").alias("payment_link"),
        _col(h, "policy").alias("policy"),
    )
    typed = _due_from_terms(source, typed, terms)
    # every code read is a key of ``terms``: only those written otherwise change
    changed = {text: code for text, code in _canonical_terms(terms).items() if code != text}
    if changed:
        typed = typed.with_columns(pl.col("terms").replace(changed))
    return pl.concat(
        [
            typed.drop(_IDX),
            _discounts(typed, terms),
            _metadata(source),
        ],
        how="horizontal",
    ).select(list(INVOICES))


def _payments(source: _Source, references: Future[Found]) -> pl.DataFrame:
    """The validated payments table (:data:`~arpolicy.ledger.PAYMENTS`), rows in file order.

    ``references`` (:func:`_references`) says which payments name a known
    customer and which invoice each named one pays: those references need
    no screening.
    """
    found = references.result()
    customers = found.payment_customers
    customers_known = customers is not None and _all(customers)
    invoices_known = "invoice_id" not in source.header
    rows = found.payment_invoices
    if rows is not None and not invoices_known:
        named = source.frame["invoice_id"].drop_nulls()
        invoices_known = len(rows) == len(named) and rows.null_count() == 0
    checks = source.materialise(
        lambda: _payment_checks(
            source,
            customers_known=customers_known,
            invoices_known=invoices_known,
        )
    )
    error = _first_error(source, checks, soft_all=False)
    if error is not None:
        raise error
    h = source.header
    f = source.formats
    typed = source.frame.select(
        pl.col("id").alias("payment_id"),
        pl.col("customer_id"),
        _date("date", f).alias("date"),
        pl.col("currency"),
        _minor_units("amount", "currency", f).alias("amount"),
        _col(h, "invoice_id").alias("invoice_id"),
        _col(h, "method").fill_null("bank_transfer").cast(METHOD).alias("method"),
        _col(h, "reference").alias("reference"),
    )
    return pl.concat([typed, _metadata(source)], how="horizontal")


# ---------------------------------------------------------------------------
# the ledger
# ---------------------------------------------------------------------------


def build_from_strings(tables: dict[str, Strings | None], formats: Formats) -> Ledger:
    """Validate the string tables (keyed by record kind) and build the ledger.

    The ledger holds the validated tables; no record is built.

    Raises:
        LoadError: the first problem, naming file, physical line, column and value.
    """
    with gc_paused():
        return _build(tables, formats)


def _empty(kind: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[kind])


def _references(tables: dict[str, Strings | None]) -> Found:
    """The look-ups of references that the checks and :func:`check_tables` share.

    Made from the tables as read, while their cells are being checked (in a
    worker thread: Polars does the work without the GIL). Used only once
    the tables they come from passed their checks, whose ``id`` columns are
    then exactly the validated tables' ids, in the same order.
    """
    found = Found()
    customers, invoices, payments = (tables.get(k) for k in ("customer", "invoice", "payment"))
    ids = customers.frame["id"] if customers is not None else _empty("customer")["customer_id"]
    if invoices is not None:
        found.invoice_customers = known(invoices.frame["customer_id"], ids)
    if payments is not None:
        found.payment_customers = known(payments.frame["customer_id"], ids)
        if invoices is not None and "invoice_id" in payments.header:
            named = payments.frame["invoice_id"].drop_nulls()
            found.payment_invoices = lookup(named, invoices.frame["id"])
    return found


def _all(mask: pl.Series) -> bool:
    """Every row true (a null is not)."""
    return mask.null_count() == 0 and bool(mask.all())


def _build(tables: dict[str, Strings | None], formats: Formats) -> Ledger:
    sources: dict[str, _Source] = {}
    small: dict[str, list[Any]] = {}
    frames: dict[str, pl.DataFrame] = {}
    # the references are looked up in a worker while the cells are checked
    with ThreadPoolExecutor(max_workers=1) as worker:
        references = worker.submit(_references, tables)
        for table in TABLES:
            strings = tables.get(table.kind)
            if strings is None:
                small[table.kind] = []
                continue
            source = sources[table.kind] = _Source(strings, table, formats)
            if table.kind == "customer":
                frames["customer"] = _customers(source)
            elif table.kind == "invoice":
                frames["invoice"] = _invoices(source, references)
            elif table.kind == "payment":
                frames["payment"] = _payments(source, references)
            else:
                small[table.kind] = _small_table(source)
        found = references.result()

    def fail(table: Table, index: int, column: str | None, value: object, reason: str) -> LoadError:
        source = sources[table.kind]
        return LoadError(source.path, reason, line=source.line(index), column=column, value=value)

    plans, starts = group_plans(small["plan"], fail)
    made = tables_from_records([], [], [], plans, small["trial"])
    built = Tables(
        frames.get("customer", _empty("customer")),
        frames.get("invoice", _empty("invoice")),
        frames.get("payment", _empty("payment")),
        made.instalments,
        made.trials,
    )
    problem = check_tables(built, found)
    if problem is not None:
        error = problem.error
        table = _TABLE_OF_KIND[problem.kind]
        index = problem.row
        if table is PLANS:
            plan_rows = [
                start for plan, start in zip(plans, starts, strict=True) for _ in plan.instalments
            ]
            index = plan_rows[index]
        if isinstance(error, DuplicateIdError):
            column = "plan_id" if table is PLANS else "id"
            value: object = error.id
            reason = f"duplicate {error.kind} id (first on an earlier row)"
        else:
            assert isinstance(error, UnknownReferenceError)
            column, value, reason = error.field, error.value, error.reason
        raise fail(table, index, column, value, reason) from error
    return Ledger._from_tables(built, checked=True)
