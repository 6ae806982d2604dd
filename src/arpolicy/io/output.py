"""Actions as JSON, NDJSON or CSV, and history files read back.

Every format is deterministic: the same plan gives byte-identical text.
Money is ``{"amount": "12.50", "currency": "EUR"}`` (the amount as a decimal
string, never a float); dates are ISO 8601; object keys are sorted.

A history file is JSON (or a CSV, Parquet or NDJSON table: see
:mod:`arpolicy.io.history_tables`): a list of objects with at least ``key``, ``date``,
``customer_id`` and ``step`` (and optionally ``invoice_ids``, ``channel``,
``currency`` or ``amount_due``, ``received_on``, ``status``, ``fees`` and
``deadline``).
The JSON that :func:`dumps_json` writes for a plan is such a file, so
yesterday's output can be today's history.

>>> from datetime import date
>>> from arpolicy import plan
>>> from arpolicy.playbooks import default_playbook
>>> from arpolicy.sample import sample_ledger
>>> result = plan(sample_ledger(), as_of=date(2026, 11, 2), playbook=default_playbook())
>>> text = dumps_json(result.actions)
>>> [e.key for e in loads_history(text)] == [a.key for a in result.actions]
True
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..actions import Action, HistoryEntry, HistoryStatus, Skipped
from ..errors import ArpolicyError, LoadError
from ..money import Money
from ..plan_tables import SKIPPED_COLUMNS, actions_frame

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "CSV_COLUMNS",
    "action_record",
    "dumps_csv",
    "dumps_json",
    "dumps_ndjson",
    "dumps_parquet",
    "iter_actions_csv",
    "iter_json",
    "iter_ndjson",
    "iter_skipped_csv",
    "load_history",
    "loads_history",
    "money_record",
    "safe_cell",
    "skipped_record",
]

CSV_COLUMNS = (
    "date",
    "customer_id",
    "invoice_ids",
    "step",
    "level",
    "channel",
    "tone",
    "kind",
    "policy",
    "amount",
    "currency",
    "fees",
    "interest",
    "compensation",
    "collection_costs",
    "total_due",
    "deadline",
    "key",
    "reasons",
)
"""The columns of :func:`dumps_csv`, in order."""


def money_record(value: Money | None) -> dict[str, str] | None:
    """``{"amount": "12.50", "currency": "EUR"}``, or ``None``."""
    if value is None:
        return None
    return {"amount": format(value.amount, "f"), "currency": value.currency}


def action_record(action: Action) -> dict[str, Any]:
    """One action as a JSON-ready dict.

    The keys the command line documents (``date, customer_id, invoice_ids,
    step, level, channel, tone, amount_due, fees, deadline, key, reasons``)
    plus ``kind``, ``policy``, ``template``, ``formal``,
    ``requires_acknowledgement``, ``charges`` and ``total_due``.
    """
    return {
        "date": action.date.isoformat(),
        "customer_id": action.customer_id,
        "invoice_ids": list(action.invoice_ids),
        "step": action.step,
        "level": action.level,
        "channel": action.channel,
        "tone": action.tone,
        "kind": action.kind.value,
        "policy": action.policy,
        "template": action.template,
        "formal": action.formal,
        "requires_acknowledgement": action.requires_acknowledgement,
        "amount_due": money_record(action.amount_due),
        "fees": money_record(action.fees),
        "charges": [
            {
                "kind": c.kind.value,
                "name": c.name,
                "amount": money_record(c.amount),
                "rule": c.rule,
                "rate": c.rate,
                "invoice_id": c.invoice_id,
                "announced": c.announced,
                "base": money_record(c.base),
                "paid_on": c.paid_on.isoformat() if c.paid_on else None,
            }
            for c in action.charges
        ],
        "total_due": money_record(action.total_due),
        "deadline": action.deadline.isoformat() if action.deadline else None,
        "key": action.key,
        "reasons": [{"code": r.code, "text": r.text, "data": dict(r.data)} for r in action.reasons],
    }


def _dump(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ": "))


def iter_json(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON list of ``records`` in pieces, one record at a time.

    The pieces joined are exactly ``json.dumps(list(records), indent=2,
    sort_keys=True, ensure_ascii=False) + "\\n"``, but no more than one
    record is held as text at a time.
    """
    first = True
    for record in records:
        text = json.dumps(record, sort_keys=True, ensure_ascii=False, indent=2)
        yield ("[\n  " if first else ",\n  ") + text.replace("\n", "\n  ")
        first = False
    yield "[]\n" if first else "\n]\n"


def iter_ndjson(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON object per line, one line at a time."""
    for record in records:
        yield _dump(record) + "\n"


def dumps_json(actions: Iterable[Action]) -> str:
    """The actions as a JSON list (indented, keys sorted, ``\\n`` at the end)."""
    return "".join(iter_json(action_record(a) for a in actions))


def dumps_ndjson(actions: Iterable[Action]) -> str:
    """One JSON object per line."""
    return "".join(iter_ndjson(action_record(a) for a in actions))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """``text`` made harmless for a spreadsheet: a leading ``'`` before ``= + - @``.

    A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@``
    (or a tab or carriage return before one) as a formula; the quote makes
    it text. Amounts are written as numbers and are not changed.

    >>> safe_cell("=HYPERLINK(1)"), safe_cell("C001")
    ("'=HYPERLINK(1)", 'C001')
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


_CSV_SLICE = 65_536
"""Rows formatted and written at a time, so a large table is never one string."""


def _csv_frames(frame: pl.DataFrame) -> Iterator[bytes]:
    """``frame`` as CSV, a slice of rows at a time (the header with the first)."""
    for start in range(0, max(frame.height, 1), _CSV_SLICE):
        part = io.BytesIO()
        frame.slice(start, _CSV_SLICE).write_csv(
            part, include_header=start == 0, line_terminator="\n", quote_style="necessary"
        )
        yield part.getvalue()


def _safe_text(column: pl.Expr) -> pl.Expr:
    """:func:`safe_cell` over a column, with empty text written as an empty cell."""
    import polars as pl  # noqa: PLC0415 - Polars is imported when a table is written

    guarded = pl.when(column.str.contains(r"^[=+\-@\t\r]")).then("'" + column).otherwise(column)
    name = column.meta.output_name()
    return pl.when(column == "").then(None).otherwise(guarded).alias(name)


def _decimal_text(units: pl.Expr, digits: pl.Expr) -> pl.Expr:
    """Minor units as :func:`~arpolicy.plan_tables.minor_text` writes them, in Polars."""
    import polars as pl  # noqa: PLC0415 - Polars is imported when a table is written

    scale = pl.lit(10, dtype=pl.Int64).pow(digits.cast(pl.Int64))
    size = units.abs()
    whole = (size // scale).cast(pl.String)
    fraction = (size % scale).cast(pl.String).str.zfill(digits.cast(pl.UInt32))
    sign = pl.when(units < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    text = pl.when(digits == 0).then(whole).otherwise(pl.concat_str(whole, pl.lit("."), fraction))
    name = units.meta.output_name()
    return pl.when(units.is_null()).then(None).otherwise(pl.concat_str(sign, text)).alias(name)


def iter_actions_csv(table: pl.DataFrame) -> Iterator[bytes]:
    """The actions table (:func:`arpolicy.plan_tables.actions_frame`) as CSV, in pieces.

    The columns are :data:`CSV_COLUMNS`; amounts are decimal strings with the
    currency's decimals; text cells pass through :func:`safe_cell`. Formatted
    by Polars, a slice of rows at a time.
    """
    import polars as pl  # noqa: PLC0415 - Polars is imported when a table is written

    col, digits = pl.col, pl.col("minor_digits")
    out = table.select(
        col("date"),
        _safe_text(col("customer_id")),
        _safe_text(col("invoice_ids").list.join(" ")),
        _safe_text(col("step")),
        col("level"),
        _safe_text(col("channel")),
        _safe_text(col("tone")),
        col("kind"),
        _safe_text(col("policy")),
        _decimal_text(col("principal"), digits).alias("amount"),
        col("currency"),
        *(
            _decimal_text(col(name), digits)
            for name in ("fees", "interest", "compensation", "collection_costs", "total_due")
        ),
        col("deadline"),
        col("key"),
        _safe_text(col("reason_texts").list.join("; ")).alias("reasons"),
    )
    return _csv_frames(out)


def dumps_csv(actions: Iterable[Action]) -> str:
    """A CSV table with :data:`CSV_COLUMNS` (amounts as decimal strings)."""
    return b"".join(iter_actions_csv(actions_frame(list(actions)))).decode("utf-8")


def skipped_record(item: Skipped) -> dict[str, Any]:
    """One skipped entry as a JSON-ready dict (``step`` is ``null`` when not about one)."""
    return {
        "customer_id": item.customer_id,
        "invoice_id": item.invoice_id,
        "step": item.step,
        "reason": item.reason.value,
        "detail": item.detail,
    }


def iter_skipped_csv(table: pl.DataFrame) -> Iterator[bytes]:
    """The skipped table as CSV (:data:`~arpolicy.plan_tables.SKIPPED_COLUMNS`), in pieces."""
    import polars as pl  # noqa: PLC0415 - Polars is imported when a table is written

    return _csv_frames(table.select(_safe_text(pl.col(name)) for name in SKIPPED_COLUMNS))


def dumps_parquet(table: pl.DataFrame) -> bytes:
    """A table as Parquet bytes (zstd, statistics on; the same table, the same bytes)."""
    buffer = io.BytesIO()
    table.write_parquet(buffer, compression="zstd", statistics=True)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# history files
# ---------------------------------------------------------------------------


def load_history(path: str | os.PathLike[str]) -> list[HistoryEntry]:
    """Read a history file: JSON (see the module docs), or a table by its suffix.

    ``.csv``, ``.parquet``, ``.ndjson`` and ``.jsonl`` files are history
    tables (:mod:`arpolicy.io.history_tables`); any other file is JSON.

    Raises:
        LoadError: the file is missing or not a valid history; the error
            names the file, the entry (``[3].date``) and the value.
    """
    target = Path(path)
    if target.suffix.lower() in (".csv", ".parquet", ".ndjson", ".jsonl"):
        from .history_tables import load_history as load_table  # noqa: PLC0415

        return load_table(target)
    try:
        text = target.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise LoadError(target, f"cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise LoadError(target, f"not UTF-8 text: {exc.reason}") from None
    return loads_history(text, source=str(target))


def loads_history(text: str, *, source: str = "<string>") -> list[HistoryEntry]:
    """Read history entries from JSON text (see :func:`load_history`)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(source, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(data, list):
        raise LoadError(source, "expected a JSON list of actions")
    return [_entry(item, f"[{n}]", source) for n, item in enumerate(data)]


def _text(item: dict[str, Any], key: str, where: str, source: str, *, required: bool) -> str:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise LoadError(source, "expected a non-empty string", column=f"{where}.{key}", value=value)
    return value


def _day(item: dict[str, Any], key: str, where: str, source: str) -> date | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise LoadError(source, "expected a date YYYY-MM-DD", column=f"{where}.{key}", value=value)


def _money(item: dict[str, Any], key: str, where: str, source: str) -> Money | None:
    value = item.get(key)
    if value is None:
        return None
    try:
        if not isinstance(value, dict) or isinstance(value.get("amount"), float):
            raise ValueError
        return Money(Decimal(str(value["amount"])), str(value["currency"]))
    except (ValueError, KeyError, InvalidOperation, ArpolicyError):
        raise LoadError(
            source,
            'expected money as {"amount": "12.50", "currency": "EUR"}',
            column=f"{where}.{key}",
            value=value,
        ) from None


def _entry(item: object, where: str, source: str) -> HistoryEntry:
    if not isinstance(item, dict):
        raise LoadError(source, "expected an object", column=where, value=item)
    day = _day(item, "date", where, source)
    if day is None:
        raise LoadError(source, "missing the date", column=f"{where}.date")
    ids = item.get("invoice_ids", [])
    if (
        not isinstance(ids, Sequence)
        or isinstance(ids, str)
        or not all(isinstance(i, str) for i in ids)
    ):
        raise LoadError(
            source, "expected a list of invoice ids", column=f"{where}.invoice_ids", value=ids
        )
    currency = _text(item, "currency", where, source, required=False)
    due = _money(item, "amount_due", where, source)
    if not currency and due is not None:
        currency = due.currency
    status_text = _text(item, "status", where, source, required=False) or "issued"
    try:
        status = HistoryStatus(status_text)
    except ValueError:
        raise LoadError(
            source, "expected 'issued' or 'failed'", column=f"{where}.status", value=status_text
        ) from None
    return HistoryEntry(
        _text(item, "key", where, source, required=True),
        day,
        _text(item, "customer_id", where, source, required=True),
        _text(item, "step", where, source, required=True),
        tuple(ids),
        _text(item, "channel", where, source, required=False),
        currency,
        _day(item, "received_on", where, source),
        status,
        _money(item, "fees", where, source),
        _day(item, "deadline", where, source),
    )
