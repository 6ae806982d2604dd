"""The cells of a table-backed ledger's big tables, made with Polars expressions.

:func:`cell_frames` gives, for customers, invoices and payments, the text of
every cell exactly as :func:`~arpolicy.io._records.customer_row` and the other
``*_row`` functions would write it (amounts in the currency's minor unit,
``1210.00``, ``1500``, ``0.125``; ISO dates; defaults left empty; metadata as
extra columns), sorted by id, with ``null`` for an empty cell. No record is
built. When a value is one a ledger file cannot hold (an empty or NUL-bearing
string, a metadata key that is a column name, empty or repeated), it returns
``None`` and the writers take the records path, which raises the exact
error.

:func:`write_csv` writes such a frame as a ledger file, quoted
as :mod:`csv` and :func:`arpolicy.io.ledger_csv._write` quote them: a cell
is quoted (``"`` doubled) when it holds a comma, a quote, a line feed or a
carriage return.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

import polars as pl

from ..ledger._csv import MINOR
from ._records import CUSTOMERS, INVOICES, PAYMENTS, Table

if TYPE_CHECKING:
    from ..ledger._views import Tables

__all__ = ["cell_frames", "rows_of", "write_csv"]

_NEEDS_QUOTES: Final = r'[,"\r\n]'


def _amount(amount: str, currency: str) -> pl.Expr:
    """Minor units as the text of :class:`~arpolicy.money.Money` (``format(m.amount, "f")``)."""
    codes = list(MINOR)
    scale = pl.col(currency).replace_strict(
        codes, pl.Series([10 ** MINOR[c] for c in codes], dtype=pl.Int64), default=None
    )
    minor = pl.col(amount)
    whole = (minor // scale).cast(pl.String)
    fraction = (minor % scale + scale).cast(pl.String).str.slice(1)  # zero-padded
    return pl.when(scale == 1).then(whole).otherwise(whole + "." + fraction)


def _day(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m-%d")


def _customers(frame: pl.DataFrame) -> pl.DataFrame:
    limit = pl.col("credit_limit").is_not_null()
    block = pl.col("block_reason").is_not_null()
    tags = pl.col("tags").list.sort().list.join(" ")
    return frame.select(
        pl.col("customer_id").alias("id"),
        pl.col("name"),
        pl.col("profile").cast(pl.String),
        pl.col("country"),
        pl.when(pl.col("language") != "en").then(pl.col("language")).alias("language"),
        pl.when(pl.col("timezone") != "UTC").then(pl.col("timezone")).alias("timezone"),
        pl.col("email"),
        pl.col("phone"),
        pl.col("address"),
        pl.when(limit).then(_amount("credit_limit", "currency")).alias("credit_limit"),
        pl.when(limit).then(pl.col("currency")).alias("currency"),
        pl.when(tags != "").then(tags).alias("tags"),
        pl.col("whatsapp"),
        pl.col("block_reason"),
        pl.when(block).then(_day("block_until")).alias("block_until"),
        pl.col("policy"),
    )


def _invoices(frame: pl.DataFrame) -> pl.DataFrame:
    disputed = pl.col("dispute_opened_on").is_not_null()
    return frame.select(
        pl.col("invoice_id").alias("id"),
        pl.col("customer_id"),
        _day("issue_date").alias("issue_date"),
        _day("due_date").alias("due_date"),
        _amount("amount", "currency").alias("amount"),
        pl.col("currency"),
        pl.col("terms"),
        pl.when(pl.col("kind") != "invoice").then(pl.col("kind").cast(pl.String)).alias("kind"),
        _day("dispute_opened_on").alias("disputed"),
        _day("on_hold_until").alias("on_hold_until"),
        pl.col("reference"),
        pl.when(disputed & (pl.col("dispute_reason") != ""))
        .then(pl.col("dispute_reason"))
        .alias("dispute_reason"),
        pl.when(disputed).then(_day("dispute_resolved_on")).alias("dispute_resolved_on"),
        pl.col("payment_link"),
        pl.col("applies_to"),
        pl.col("policy"),
    )


def _payments(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("payment_id").alias("id"),
        pl.col("customer_id"),
        _day("date").alias("date"),
        _amount("amount", "currency").alias("amount"),
        pl.col("currency"),
        pl.col("invoice_id"),
        pl.when(pl.col("method") != "bank_transfer")
        .then(pl.col("method").cast(pl.String))
        .alias("method"),
        pl.col("reference"),
    )


_CELLS: Final = {"customer": _customers, "invoice": _invoices, "payment": _payments}
_ID: Final = {"customer": "customer_id", "invoice": "invoice_id", "payment": "payment_id"}
_ALLOWED_EMPTY: Final = {"invoice": ("dispute_reason",)}
"""Source columns where an empty string is a value the file leaves empty (not an error)."""


def _writable(frame: pl.DataFrame, kind: str) -> bool:
    """No string cell a ledger file cannot hold (empty, or with a NUL character)."""
    allowed = _ALLOWED_EMPTY.get(kind, ())
    checks = []
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            text = pl.col(name)
            bad = text.str.contains("\x00", literal=True)
            if name not in allowed:
                bad = bad | (text == "")
            checks.append(bad.any())
    if not checks:
        return True
    return not any(frame.select(checks).row(0))


def _metadata(frame: pl.DataFrame, table: Table) -> pl.DataFrame | None:
    """The metadata as one column per key (sorted), or ``None`` when a key cannot be written."""
    if frame["metadata"].list.len().max() in (None, 0):
        return pl.DataFrame()
    long = (
        frame.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"), "metadata")
        .explode("metadata")
        .drop_nulls("metadata")
        .unnest("metadata")
    )
    keys = long["key"].unique().to_list()
    if any(not key or key in table.known for key in keys):
        return None
    if long.select(pl.struct("_row", "key").is_duplicated().any()).item():
        return None
    if not _writable(long.select("value"), "metadata"):
        return None
    wide = long.pivot(on="key", index="_row", values="value")
    names = sorted(keys)
    return (
        pl.DataFrame({"_row": pl.int_range(frame.height, dtype=pl.Int64, eager=True)})
        .join(wide, on="_row", how="left", maintain_order="left")
        .select(names)
    )


def cell_frames(tables: Tables) -> dict[str, pl.DataFrame] | None:
    """Customers, invoices and payments as cells of text (``null``: empty), sorted by id.

    Columns in file order: the required ones, the optional ones some row
    uses, then the metadata keys, sorted. ``None`` when a value cannot be
    written (the records path words the error).
    """
    found = {}
    for kind, table in (("customer", CUSTOMERS), ("invoice", INVOICES), ("payment", PAYMENTS)):
        source = tables.of(kind)
        ids = source[_ID[kind]]
        if len(ids) > 1 and not bool((ids.slice(1) > ids.slice(0, len(ids) - 1)).all()):
            source = source.sort(_ID[kind])  # (ids are unique: a stable order)
        if not _writable(source, kind):
            return None
        cells = _CELLS[kind](source)
        extra = _metadata(source, table)
        if extra is None:
            return None
        used = cells.select(pl.col(table.optional).is_not_null().any()).row(0)
        optional = [name for name, any_ in zip(table.optional, used, strict=True) if any_]
        cells = cells.select(*table.required, *optional)
        if extra.width:
            cells = pl.concat([cells, extra], how="horizontal")
        found[kind] = cells
    return found


def _quoted(column: str) -> pl.Expr:
    text = pl.col(column)
    return (
        pl.when(text.str.contains(_NEEDS_QUOTES))
        .then(pl.lit('"') + text.str.replace_all('"', '""', literal=True) + pl.lit('"'))
        .otherwise(text)
        .fill_null("")
    )


def _quote_header(name: str) -> str:
    # the header goes through csv.writer, which quotes "," '"' and "\n" but not "\r"
    if any(c in name for c in ',"\n'):
        return '"' + name.replace('"', '""') + '"'
    return name


def write_csv(cells: pl.DataFrame, path: Path) -> None:
    """Write a :func:`cell_frames` frame as a ledger file: header, one line per row, ``\n`` ends."""
    header = ",".join(_quote_header(name) for name in cells.columns)
    lines = cells.select(
        pl.concat_str([_quoted(name) for name in cells.columns], separator=",").alias("line")
    )
    # each line is quoted already: Polars writes it as it is
    pl.concat([pl.DataFrame({"line": [header]}), lines]).write_csv(
        path, include_header=False, quote_style="never"
    )


def rows_of(cells: pl.DataFrame) -> list[dict[str, str]]:
    """The rows of a :func:`cell_frames` frame as ``*_row`` dicts (non-empty cells only)."""
    names = cells.columns
    return [
        {name: value for name, value in zip(names, row, strict=True) if value is not None}
        for row in cells.iter_rows()
    ]
