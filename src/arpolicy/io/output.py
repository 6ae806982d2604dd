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

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..actions import Action, HistoryEntry, HistoryStatus
from ..errors import ArpolicyError, LoadError
from ..money import Money

__all__ = [
    "CSV_COLUMNS",
    "action_record",
    "dumps_csv",
    "dumps_json",
    "dumps_ndjson",
    "load_history",
    "loads_history",
    "money_record",
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


def dumps_json(actions: Iterable[Action]) -> str:
    """The actions as a JSON list (indented, keys sorted, ``\\n`` at the end)."""
    records = [action_record(a) for a in actions]
    return json.dumps(records, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def dumps_ndjson(actions: Iterable[Action]) -> str:
    """One JSON object per line."""
    return "".join(_dump(action_record(a)) + "\n" for a in actions)


def dumps_csv(actions: Iterable[Action]) -> str:
    """A CSV table with :data:`CSV_COLUMNS` (amounts as decimal strings)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for a in actions:
        writer.writerow(
            [
                a.date.isoformat(),
                a.customer_id,
                " ".join(a.invoice_ids),
                a.step,
                a.level,
                a.channel,
                a.tone,
                a.kind.value,
                a.policy,
                _amount(a.amount_due),
                a.currency or "",
                _amount(a.fees),
                _amount(a.interest),
                _amount(a.compensation),
                _amount(a.collection_costs),
                _amount(a.total_due),
                a.deadline.isoformat() if a.deadline else "",
                a.key,
                "; ".join(r.text for r in a.reasons),
            ]
        )
    return out.getvalue()


def _amount(value: Money | None) -> str:
    return "" if value is None else format(value.amount, "f")


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
