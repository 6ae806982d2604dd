"""History as a table: Polars, PyArrow, pandas frames and CSV, Parquet, NDJSON files.

``history=`` of :func:`arpolicy.plan` and :func:`arpolicy.simulate` takes
:class:`~arpolicy.actions.HistoryEntry` objects, or one table with a row per
action carried out (or a row per action and invoice):

=============== ======== =====================================================
column          required what it holds
=============== ======== =====================================================
``customer_id`` yes      the customer
``invoice_ids`` yes [1]_ the invoices of the action: a list, or text with the
                         ids separated by spaces; empty for a notice about no
                         invoice (a trial notice, a credit hold)
``invoice_id``  yes [1]_ one invoice; the rows of one action are joined (by
                         ``key``, else by customer, date, step, channel and
                         currency) and must agree on every other column
``step``        yes      the step name
``date``        yes      the day it was carried out (a date or ISO text)
``channel``     yes      the channel (may be empty)
``key``         no       the action's key; when missing, computed as
                         :func:`~arpolicy.actions.action_key` from customer,
                         currency, step, channel and invoices
``currency``    no       the currency of the invoices (needed with ``fees``)
``status``      no       ``issued`` (default) or ``failed``; failed rows do
                         not count as done
``received_on`` no       the day the customer received it
``fees``        no       the contractual fees it charged: a decimal (text or
                         ``Decimal``), or money as ``{amount, currency}``
``deadline``    no       the payment deadline it stated
=============== ======== =====================================================

.. [1] give exactly one of ``invoice_ids`` and ``invoice_id``.

Other columns are ignored, so the CSV and NDJSON that ``arpolicy plan``
writes (``--format csv``, ``--format ndjson``) are history tables too.
Floating-point numbers are refused (they are not exact money). A bad cell
raises :class:`~arpolicy.errors.LoadError` naming the table (``<history>``
or the file), the 1-based row (the line, in a file), the column and the
value.

Polars is imported only when a table is given.

>>> import polars as pl
>>> from datetime import date
>>> table = pl.DataFrame(
...     {
...         "customer_id": ["C1", "C1"],
...         "invoice_id": ["I1", "I2"],
...         "step": ["reminder", "reminder"],
...         "date": [date(2026, 3, 1), date(2026, 3, 1)],
...         "channel": ["email", "email"],
...     }
... )
>>> (entry,) = history_entries(table)
>>> entry.customer_id, entry.invoice_ids, entry.step
('C1', ('I1', 'I2'), 'reminder')
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from ..actions import Action, HistoryEntry, HistoryStatus, action_key
from ..errors import LoadError
from ..money import Money

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "HISTORY_COLUMNS",
    "TABLE_SUFFIXES",
    "Checked",
    "HistoryTable",
    "checked_rows",
    "dump_history",
    "entries_of_frame",
    "history_entries",
    "history_frame",
    "history_table",
    "is_table",
    "load_history",
    "read_history_rows",
    "read_history_table",
]

HISTORY_COLUMNS: Final = (
    "key",
    "date",
    "customer_id",
    "invoice_ids",
    "step",
    "channel",
    "currency",
    "received_on",
    "status",
    "fees",
    "deadline",
)
"""The columns of :func:`history_frame` and :func:`history_table`, in order."""

TABLE_SUFFIXES: Final = (".csv", ".parquet", ".ndjson", ".jsonl")
"""File endings :func:`read_history_table` reads (any other is JSON)."""

HistoryTable: TypeAlias = Any
"""A history table: a Polars frame, a PyArrow table, or any frame with ``__arrow_c_stream__``."""

SOURCE: Final = "<history>"
"""The name a table given in Python has in errors."""

_REQUIRED: Final = ("customer_id", "step", "date", "channel")
_DATES: Final = ("date", "received_on", "deadline")
_TEXT: Final = ("key", "customer_id", "step", "channel", "currency", "status", "fees")
_ROW: Final = "\x00arpolicy:row"
_AMOUNT: Final = r"^-?[0-9]+(\.[0-9]+)?$"


class Checked:
    """A history table already checked, passed to the engine without being
    checked again (internal: the engine's facade and the command line wrap
    their tables in it).

    It holds the :func:`history_frame` form, or, for a table with one row
    per action and invoice whose rows need no agreement check (see
    :func:`checked_rows`), those rows as they are: the engine reads them
    directly and joins only the rows of the customers it needs as objects
    (:meth:`subset`); :attr:`frame` joins them all on first use.
    """

    __slots__ = ("_frame", "rows", "source")

    def __init__(
        self,
        frame: pl.DataFrame | None = None,
        *,
        rows: pl.DataFrame | None = None,
        source: str = SOURCE,
    ) -> None:
        if (frame is None) == (rows is None):
            raise ValueError("give exactly one of frame and rows")
        self._frame = frame
        self.rows = rows
        self.source = source

    @property
    def frame(self) -> pl.DataFrame:
        """The table in :func:`history_frame` form."""
        if self._frame is None:
            assert self.rows is not None
            self._frame = _joined(self.rows, self.source)
        return self._frame

    def subset(self, customer_ids: Iterable[str]) -> pl.DataFrame:
        """The :func:`history_frame` rows of these customers only."""
        import polars as pl  # noqa: PLC0415

        wanted = pl.col("customer_id").is_in(
            pl.Series(list(customer_ids), dtype=pl.String).implode()
        )
        if self._frame is None and self.rows is not None:
            return _joined(self.rows.filter(wanted), self.source)
        return self.frame.filter(wanted)


def is_table(value: object) -> bool:
    """Whether ``value`` is a table (Polars, or any frame with ``__arrow_c_stream__``)."""
    return hasattr(value, "__arrow_c_stream__") or type(value).__module__.startswith("polars")


def history_entries(
    history: Iterable[HistoryEntry | Action] | HistoryTable | None,
) -> Iterable[HistoryEntry | Action]:
    """The history as the engine takes it: objects as given, a table as entries.

    Args:
        history: :class:`~arpolicy.actions.HistoryEntry` or
            :class:`~arpolicy.actions.Action` objects, a table (see the module
            docs), or ``None``.

    Raises:
        LoadError: a table with a missing column or a bad cell.
    """
    if history is None:
        return ()
    if isinstance(history, (list, tuple)) or not is_table(history):
        return history
    return entries_of_frame(history_frame(history))


def _as_polars(table: object, source: str) -> pl.DataFrame:
    from ._from_frames import as_polars  # noqa: PLC0415 - Polars on use

    try:
        return as_polars(source, table)
    except TypeError:
        raise LoadError(source, f"expected a table, got {type(table).__name__}") from None


def _unpack_money(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """``{amount, currency}`` columns (NDJSON written by ``arpolicy plan``) as text and currency."""
    import polars as pl  # noqa: PLC0415

    out = frame
    for name in ("amount_due", "fees"):
        dtype = frame.schema.get(name)
        if not isinstance(dtype, pl.Struct):
            continue
        fields = {f.name for f in dtype.fields}
        if not {"amount", "currency"} <= fields:
            raise LoadError(source, "expected money as {amount, currency}", column=name)
        currency = pl.col(name).struct.field("currency").cast(pl.String)
        if "currency" not in out.columns:
            out = out.with_columns(currency.alias("currency"))
        elif name == "fees":
            out = out.with_columns(pl.coalesce(pl.col("currency"), currency).alias("currency"))
        if name == "fees":
            out = out.with_columns(pl.col(name).struct.field("amount").alias(name))
    return out


def history_frame(table: object, *, source: str = SOURCE, first_line: int = 1) -> pl.DataFrame:
    """A history table checked and in canonical form.

    :func:`checked_rows` gives the same table, checked alike, without joining
    the rows of one action first where that can wait.

    Args:
        table: a Polars frame (or lazy frame), a PyArrow table, or any frame
            with ``__arrow_c_stream__`` (pandas 2.2 and later).
        source: the name errors give the table (a file name).
        first_line: the line of the first row in errors (2 for a CSV file
            under its header).

    Returns:
        One row per action with :data:`HISTORY_COLUMNS`: dates as ``Date``,
        ``invoice_ids`` as a list of text, ``fees`` as decimal text,
        ``status`` ``issued`` or ``failed``, ``channel`` and ``currency``
        empty when unknown, every ``key`` filled.

    Raises:
        LoadError: a required column is missing, or a cell is bad (the
            error names ``source``, the line, the column and the value).
    """
    return checked_rows(table, source=source, first_line=first_line).frame


def checked_rows(table: object, *, source: str = SOURCE, first_line: int = 1) -> Checked:
    """:func:`history_frame`, with the join of the rows of one action left
    to :class:`Checked` when the table has one row per action and invoice
    (``invoice_id``), a key on every row and no ``status``, ``received_on``,
    ``fees`` or ``deadline`` value (nothing the rows of one action must
    agree on, so no error can come from joining them).

    Raises:
        LoadError: as :func:`history_frame`.
    """
    import polars as pl  # noqa: PLC0415

    from ..ledger._csv import MINOR  # noqa: PLC0415
    from ..ledger._read import text_of  # noqa: PLC0415

    frame = _unpack_money(_as_polars(table, source), source)
    columns = set(frame.columns)
    for name in _REQUIRED:
        if name not in columns:
            raise LoadError(source, f"missing the required column {name!r}", column=name)
    if ("invoice_id" in columns) == ("invoice_ids" in columns):
        raise LoadError(
            source,
            "give exactly one of the columns 'invoice_ids' and 'invoice_id'",
            column="invoice_ids",
        )
    ids = "invoice_id" if "invoice_id" in columns else "invoice_ids"
    used = [n for n in (*_TEXT, *_DATES, ids) if n in columns and n not in ("date",)]
    used = list(dict.fromkeys(["date", *used]))
    for name in used:
        dtype = frame.schema[name]
        if dtype.is_float() and frame[name].is_not_null().any():
            row = int(frame[name].is_not_null().arg_true()[0])
            raise LoadError(
                source,
                "floating-point numbers are not exact: give text or Decimal",
                line=row + first_line,
                column=name,
                value=frame[name][row],
            )
    text = frame.select(
        [
            pl.col(n)  # already dates: nothing to read
            if n in _DATES and frame.schema[n] == pl.Date
            else text_of(n, frame.schema[n]).cast(pl.String).str.strip_chars().replace("", None)
            for n in used
        ]
    ).with_columns(pl.int_range(0, pl.len(), dtype=pl.Int64).alias(_ROW))
    for name in ("key", "currency", "status", "fees", "received_on", "deadline"):
        if name not in text.columns:
            text = text.with_columns(pl.lit(None, pl.String).alias(name))

    codes = list(MINOR)
    digits = pl.col("currency").replace_strict(
        codes, pl.Series([MINOR[c] for c in codes], dtype=pl.Int64), default=None
    )
    decimals = pl.col("fees").str.extract(r"\.([0-9]+)$").str.len_chars().fill_null(0)
    checks: list[tuple[str, str, pl.Expr]] = [
        *((n, "missing a value", pl.col(n).is_null()) for n in ("customer_id", "step", "date")),
        *(
            (n, "expected a date YYYY-MM-DD", _bad_date(n))
            for n in _DATES
            if text.schema[n] == pl.String
        ),
        (
            "status",
            "expected 'issued' or 'failed'",
            pl.col("status").is_not_null() & ~pl.col("status").is_in(["issued", "failed"]),
        ),
        (
            "currency",
            "expected an ISO 4217 currency code such as 'EUR'",
            pl.col("currency").is_not_null() & digits.is_null(),
        ),
        (
            "fees",
            "expected a decimal amount such as 12.50",
            pl.col("fees").is_not_null() & ~pl.col("fees").str.contains(_AMOUNT),
        ),
        (
            "currency",
            "fees need a currency",
            pl.col("fees").is_not_null() & pl.col("currency").is_null(),
        ),
        ("fees", "more decimals than the currency has", decimals > digits),
    ]
    _raise_first(text, checks, source, first_line)

    typed = text.with_columns(
        *(
            pl.col(n).str.to_date("%Y-%m-%d", strict=False)
            for n in _DATES
            if text.schema[n] == pl.String
        ),
        pl.col("status").fill_null("issued"),
        pl.col("channel").fill_null(""),
        pl.col("currency").fill_null(""),
    )
    if ids == "invoice_id":
        free = text["key"].null_count() == 0 and all(
            text[n].null_count() == text.height for n in _AGREE
        )
        if free:
            return Checked(rows=typed.select(*_ROW_COLUMNS), source=source)
        typed = _join_rows(typed, source, first_line)
    else:
        typed = typed.with_columns(
            pl.col("invoice_ids")
            .str.split(" ")
            .list.eval(pl.element().filter(pl.element() != ""))
            .fill_null(pl.lit([], pl.List(pl.String)))
        )
    keys = typed["key"]
    if keys.null_count():
        typed = typed.with_columns(
            pl.Series("key", _keys(typed), dtype=pl.String),
        )
    return Checked(typed.select(*HISTORY_COLUMNS, _ROW), source=source)


def _joined(rows: pl.DataFrame, source: str) -> pl.DataFrame:
    """The :func:`history_frame` form of rows :func:`checked_rows` kept (their
    keys are all given and nothing can disagree: the join raises nothing)."""
    return _join_rows(rows, source, 1).select(*HISTORY_COLUMNS, _ROW)


def _bad_date(name: str) -> pl.Expr:
    import polars as pl  # noqa: PLC0415

    value = pl.col(name)
    return value.is_not_null() & value.str.to_date("%Y-%m-%d", strict=False).is_null()


def _raise_first(
    frame: pl.DataFrame,
    checks: Sequence[tuple[str, str, pl.Expr]],
    source: str,
    first_line: int,
) -> None:
    """Raise the error of the first bad row (by row, then by the order of ``checks``)."""
    found = frame.select(
        [
            bad.fill_null(False).arg_true().first().alias(str(n))
            for n, (_, _, bad) in enumerate(checks)
        ]
    ).row(0)
    hits = [(row, n) for n, row in enumerate(found) if row is not None]
    if not hits:
        return
    row, n = min(hits)
    column, reason, _ = checks[n]
    value = frame[column][row] if column in frame.columns else None
    raise LoadError(source, reason, line=row + first_line, column=column, value=value)


_AGREE: Final = ("status", "received_on", "fees", "deadline")
_ROW_COLUMNS: Final = (
    *("invoice_id" if name == "invoice_ids" else name for name in HISTORY_COLUMNS),
    _ROW,
)
"""The columns of :attr:`Checked.rows`: :data:`HISTORY_COLUMNS` with one
``invoice_id`` (nullable) for the list."""


def _join_rows(frame: pl.DataFrame, source: str, first_line: int) -> pl.DataFrame:
    """Rows of one action and one invoice each joined into one row per action."""
    import polars as pl  # noqa: PLC0415

    group = ["key", "customer_id", "date", "step", "channel", "currency"]
    checks = [
        (
            name,
            "differs from an earlier row of the same action",
            pl.col(name).ne_missing(pl.col(name).first().over(group)),
        )
        for name in _AGREE
    ]
    joined = frame.group_by(group, maintain_order=True).agg(
        pl.col("invoice_id").drop_nulls().unique(maintain_order=True).alias("invoice_ids"),
        *(pl.col(n).first() for n in _AGREE),
        pl.col(_ROW).first(),
        *(pl.col(n).n_unique().alias(f"\x00n:{n}") for n in _AGREE),
    )
    counts = [f"\x00n:{n}" for n in _AGREE]
    if bool(joined.select(pl.max_horizontal(counts).max() > 1).item()):
        _raise_first(frame, checks, source, first_line)  # names the first row that differs
    return joined.drop(counts)


def _keys(frame: pl.DataFrame) -> list[str]:
    return [
        key
        if key is not None
        else action_key(customer, step, channel, currency=currency, invoice_ids=ids)
        for key, customer, step, channel, currency, ids in zip(
            frame["key"],
            frame["customer_id"],
            frame["step"],
            frame["channel"],
            frame["currency"],
            frame["invoice_ids"].to_list(),
            strict=True,
        )
    ]


def entries_of_frame(frame: pl.DataFrame) -> list[HistoryEntry]:
    """:class:`~arpolicy.actions.HistoryEntry` objects of a :func:`history_frame` result."""
    failed = HistoryStatus.FAILED
    issued = HistoryStatus.ISSUED
    result: list[HistoryEntry] = []
    for (
        key,
        day,
        customer,
        ids,
        step,
        channel,
        currency,
        received,
        status,
        fees,
        due,
        _,
    ) in frame.iter_rows():
        result.append(
            HistoryEntry(
                key,
                day,
                customer,
                step,
                tuple(ids),
                channel,
                currency,
                received,
                failed if status == "failed" else issued,
                None if fees is None else Money(Decimal(fees), currency),
                due,
            )
        )
    return result


# ---------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------


def read_history_table(path: str | os.PathLike[str]) -> pl.DataFrame:
    """Read a CSV, Parquet or NDJSON history file as a :func:`history_frame`.

    Raises:
        LoadError: see :func:`read_history_rows`.
    """
    return read_history_rows(path).frame


def read_history_rows(path: str | os.PathLike[str]) -> Checked:
    """Read a CSV, Parquet or NDJSON history file, checked, as :func:`checked_rows` gives it.

    The suffix says the format: ``.csv`` (UTF-8, a header line, cells as
    text, ``invoice_ids`` separated by spaces), ``.parquet``, ``.ndjson`` or
    ``.jsonl`` (one JSON object per line).

    Raises:
        LoadError: the file is missing, unreadable, or not a valid history
            table; the error names the file, the line, the column and the value.
    """
    import polars as pl  # noqa: PLC0415

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise LoadError(target, f"expected a file ending in {', '.join(TABLE_SUFFIXES)}")
    if not target.is_file():
        raise LoadError(target, "cannot read the file: no such file")
    try:
        if suffix == ".csv":
            frame = pl.read_csv(target, infer_schema=False, encoding="utf8")
            first_line = 2
        elif suffix == ".parquet":
            frame = pl.read_parquet(target)
            first_line = 1
        else:
            frame = pl.read_ndjson(target, infer_schema_length=None)
            first_line = 1
    except (pl.exceptions.PolarsError, OSError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LoadError(target, f"not a valid {suffix[1:]} file: {reason}") from None
    if frame.columns and frame.columns[0].startswith("\ufeff"):
        frame = frame.rename({frame.columns[0]: frame.columns[0][1:]})
    return checked_rows(frame, source=str(target), first_line=first_line)


def history_table(history: Iterable[HistoryEntry | Action]) -> pl.DataFrame:
    """History entries (or actions) as a table with :data:`HISTORY_COLUMNS`.

    ``invoice_ids`` is a list of text, ``fees`` decimal text; write it with
    Polars (``write_parquet``, ``write_ndjson``) or with :func:`dump_history`.
    """
    import polars as pl  # noqa: PLC0415

    entries = [e if isinstance(e, HistoryEntry) else HistoryEntry.from_action(e) for e in history]
    return pl.DataFrame(
        {
            "key": [e.key for e in entries],
            "date": [e.date for e in entries],
            "customer_id": [e.customer_id for e in entries],
            "invoice_ids": [list(e.invoice_ids) for e in entries],
            "step": [e.step for e in entries],
            "channel": [e.channel for e in entries],
            "currency": [e.currency or (e.fees.currency if e.fees else "") for e in entries],
            "received_on": [e.received_on for e in entries],
            "status": [e.status.value for e in entries],
            "fees": [None if e.fees is None else format(e.fees.amount, "f") for e in entries],
            "deadline": [e.deadline for e in entries],
        },
        schema={
            "key": pl.String,
            "date": pl.Date,
            "customer_id": pl.String,
            "invoice_ids": pl.List(pl.String),
            "step": pl.String,
            "channel": pl.String,
            "currency": pl.String,
            "received_on": pl.Date,
            "status": pl.String,
            "fees": pl.String,
            "deadline": pl.Date,
        },
    )


def dump_history(history: Iterable[HistoryEntry | Action], path: str | os.PathLike[str]) -> Path:
    """Write history entries (or actions) as CSV, Parquet or NDJSON, by the suffix of ``path``.

    The CSV writes ``invoice_ids`` separated by spaces. :func:`load_history`
    reads each back as the same entries.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ValueError(f"{target}: expected a file ending in {', '.join(TABLE_SUFFIXES)}")
    table = history_table(history)
    if suffix == ".csv":
        import polars as pl  # noqa: PLC0415

        table.with_columns(pl.col("invoice_ids").list.join(" ")).write_csv(target)
    elif suffix == ".parquet":
        table.write_parquet(target)
    else:
        table.write_ndjson(target)
    return target


def load_history(path: str | os.PathLike[str]) -> list[HistoryEntry]:
    """The entries of a CSV, Parquet or NDJSON history file (see :func:`read_history_table`)."""
    return entries_of_frame(read_history_table(path))
