"""A plan's actions and skipped entries as tables (Plan.to_polars / to_arrow),
and the files the command line writes from them (issue 16, item 3)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import random
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arpolicy import Plan, plan
from arpolicy.actions import Action, ActionKind, Reason, Skipped, SkipReason
from arpolicy.errors import MissingExtraError
from arpolicy.fees import Charge, ChargeKind
from arpolicy.io import dump_ledger
from arpolicy.io.output import (
    CSV_COLUMNS,
    dumps_csv,
    dumps_ndjson,
    dumps_parquet,
    iter_json,
    iter_skipped_csv,
    safe_cell,
)
from arpolicy.model import Ledger
from arpolicy.money import Money
from arpolicy.plan_tables import ACTION_COLUMNS, SKIPPED_COLUMNS, skipped_frame
from arpolicy.playbooks import default_playbook
from arpolicy.sample import sample_ledger

FIRST = date(2026, 8, 1)


def arpolicy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("arpolicy")
    env = {k: v for k, v in os.environ.items() if k != "ARPOLICY_DISABLE_PLUGINS"}
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )


@cache
def _plan(day: date) -> Plan:
    return plan(sample_ledger(), as_of=day, playbook=default_playbook())


def _units(money: Money | None) -> int | None:
    return None if money is None else money.minor_units


def _announced(action: Action) -> int | None:
    found = [c.amount.minor_units for c in action.charges if c.announced]
    return sum(found) if found else None


days = st.integers(min_value=0, max_value=200).map(lambda n: FIRST + timedelta(days=n))


@given(days)
def test_each_row_is_its_action_field_by_field(day: date) -> None:
    result = _plan(day)
    table = result.to_polars()
    assert table.columns == list(ACTION_COLUMNS)
    assert table.height == len(result.actions)
    for row, a in zip(table.iter_rows(named=True), result.actions, strict=True):
        currency = a.currency or (a.fees.currency if a.fees else None)
        assert row["key"] == a.key
        assert row["date"] == a.date
        assert row["customer_id"] == a.customer_id
        assert row["kind"] == a.kind.value
        assert row["policy"] == a.policy
        assert (row["step"], row["level"], row["channel"]) == (a.step, a.level, a.channel)
        assert (row["tone"], row["template"]) == (a.tone, a.template)
        assert row["formal"] is a.formal
        assert row["requires_acknowledgement"] is a.requires_acknowledgement
        assert row["invoice_ids"] == list(a.invoice_ids)
        assert row["currency"] == currency
        assert row["principal"] == _units(a.principal)
        assert row["fees"] == _units(a.fees)
        assert row["interest"] == _units(a.interest)
        assert row["compensation"] == _units(a.compensation)
        assert row["collection_costs"] == _units(a.collection_costs)
        assert row["announced_costs"] == _announced(a)
        assert row["total_due"] == _units(a.total_due)
        assert row["deadline"] == a.deadline
        assert row["reason_codes"] == [r.code for r in a.reasons]
        assert row["reason_texts"] == [r.text for r in a.reasons]
        if a.total_due is not None:  # exact: minor units and the scale give the amount back
            scaled = Decimal(row["total_due"]).scaleb(-row["minor_digits"])
            assert scaled == a.total_due.amount


@given(days)
def test_the_skipped_table_is_the_skipped_list(day: date) -> None:
    result = _plan(day)
    table = result.to_polars("skipped")
    assert table.columns == list(SKIPPED_COLUMNS)
    rows = [
        Skipped(c, i, SkipReason(r), d, s)
        for c, i, s, r, d in table.select(
            "customer_id", "invoice_id", "step", "reason", "detail"
        ).iter_rows()
    ]
    assert rows == list(result.skipped)


def test_amounts_are_int64_and_nothing_is_a_float() -> None:
    schema = _plan(date(2026, 11, 2)).to_polars().schema
    for name in ("principal", "fees", "interest", "compensation", "collection_costs"):
        assert schema[name] == pl.Int64
    assert schema["total_due"] == pl.Int64
    assert schema["invoice_ids"] == pl.List(pl.String)
    assert not any(t.is_float() for t in schema.values())


def test_an_empty_plan_has_typed_empty_tables() -> None:
    empty = Plan(date(2026, 1, 1), (), ())
    assert empty.to_polars().schema == _plan(date(2026, 11, 2)).to_polars().schema
    assert empty.to_polars("skipped").height == 0


def test_an_unknown_table_name_is_refused() -> None:
    with pytest.raises(ValueError, match="'actions' or 'skipped'"):
        _plan(date(2026, 11, 2)).to_polars("everything")  # type: ignore[arg-type]


def test_parquet_round_trip_keeps_every_value(tmp_path: Path) -> None:
    result = _plan(date(2026, 11, 2))
    for which in ("actions", "skipped"):
        table = result.to_polars(which)
        path = tmp_path / f"{which}.parquet"
        path.write_bytes(dumps_parquet(table))
        assert pl.read_parquet(path).equals(table)


def test_to_arrow_is_the_polars_table() -> None:
    pa = pytest.importorskip("pyarrow")
    result = _plan(date(2026, 11, 2))
    arrow = result.to_arrow()
    assert isinstance(arrow, pa.Table)
    assert arrow.column_names == list(ACTION_COLUMNS)
    assert arrow.schema.field("principal").type == pa.int64()
    assert pl.from_arrow(arrow).equals(result.to_polars())


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is not None, reason="pyarrow installed")
def test_to_arrow_without_pyarrow_names_the_extra() -> None:
    with pytest.raises(MissingExtraError, match=r"arpolicy\[arrow\]"):
        _plan(date(2026, 11, 2)).to_arrow()


@given(st.lists(st.dictionaries(st.text(max_size=3), st.text(max_size=3) | st.none(), max_size=3)))
def test_streamed_json_is_json_dumps(records: list[dict[str, str | None]]) -> None:
    expected = json.dumps(records, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    assert "".join(iter_json(records)) == expected


def test_ndjson_lines_parse_one_action_each() -> None:
    result = _plan(date(2026, 11, 2))
    lines = dumps_ndjson(result.actions).splitlines()
    assert [json.loads(line)["key"] for line in lines] == [a.key for a in result.actions]


def _action(**changes: object) -> Action:
    base: dict[str, object] = {
        "date": date(2026, 11, 2),
        "customer_id": "C1",
        "invoice_ids": ("I1",),
        "step": "reminder",
        "level": 1,
        "channel": "email",
        "tone": "friendly",
        "kind": ActionKind.REMINDER,
        "policy": "p",
        "amount_due": Money("-12.50", "EUR"),
        "fees": None,
        "deadline": None,
        "key": "ap1-x",
        "reasons": (Reason("step_due", "due"),),
        "charges": (Charge(ChargeKind.FEE, "admin", Money("5", "EUR"), "fixed"),),
    }
    base.update(changes)
    return Action(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("danger", ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x"])
def test_csv_text_cells_cannot_become_formulas(danger: str) -> None:
    action = _action(
        customer_id=danger,
        invoice_ids=(danger,),
        step=danger,
        channel=danger,
        tone=danger,
        policy=danger,
        reasons=(Reason("x", danger),),
    )
    row = next(iter(csv.DictReader(io.StringIO(dumps_csv([action]), newline=""))))
    for column in ("customer_id", "invoice_ids", "step", "channel", "tone", "policy", "reasons"):
        assert row[column] == "'" + danger, column
    assert row["amount"] == "-12.50"  # a number stays a number
    assert row["total_due"] == "-7.50"
    skipped = skipped_frame([Skipped(danger, danger, SkipReason.RULE, danger, danger)])
    cells = list(csv.reader(io.StringIO(b"".join(iter_skipped_csv(skipped)).decode(), newline="")))[
        1
    ]
    assert cells == ["'" + danger, "'" + danger, "'" + danger, "rule", "'" + danger]


def test_safe_cell_leaves_plain_text_alone() -> None:
    assert safe_cell("INV-1") == "INV-1"
    assert safe_cell("a=b") == "a=b"
    assert safe_cell("") == ""


def test_csv_amounts_use_the_currency_decimals() -> None:
    yen = _action(amount_due=Money("1200", "JPY"), charges=())
    dinar = _action(amount_due=Money("1.005", "KWD"), charges=())
    rows = list(csv.DictReader(io.StringIO(dumps_csv([yen, dinar]))))
    assert [r["amount"] for r in rows] == ["1200", "1.005"]
    assert list(rows[0]) == list(CSV_COLUMNS)


# ---------------------------------------------------------------------------
# the command line: every format from the tables, --skipped, determinism
# ---------------------------------------------------------------------------

AS_OF = "2026-11-02"
FORMATS = ("table", "json", "ndjson", "csv", "parquet")


def _shuffled(ledger: Ledger, seed: int) -> Ledger:
    rng = random.Random(seed)

    def mix(items: tuple[object, ...]) -> list[object]:
        out = list(items)
        rng.shuffle(out)
        return out

    return Ledger(
        mix(ledger.customers),  # type: ignore[arg-type]
        mix(ledger.invoices),  # type: ignore[arg-type]
        mix(ledger.payments),  # type: ignore[arg-type]
        mix(ledger.plans),  # type: ignore[arg-type]
        mix(ledger.trials),  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tables")
    ledger = sample_ledger(as_of=date(2026, 11, 2))
    dump_ledger(ledger, root / "ledger")
    dump_ledger(_shuffled(ledger, 1), root / "shuffled.json")
    dump_ledger(_shuffled(ledger, 2), root / "shuffled")
    return root


def _write(books: Path, ledger: str, fmt: str, name: str) -> tuple[bytes, bytes]:
    out, skipped = books / f"{name}.{fmt}", books / f"{name}-skipped.{fmt}"
    args = ("plan", ledger, "--as-of", AS_OF, "--format", fmt)
    result = arpolicy(*args, "--output", str(out), "--skipped", str(skipped), cwd=books)
    assert result.returncode == 0, result.stderr
    return out.read_bytes(), skipped.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_input_in_any_order_gives_the_same_bytes(books: Path, fmt: str) -> None:
    first = _write(books, "ledger", fmt, "a")
    assert _write(books, "ledger", fmt, "b") == first
    assert _write(books, "shuffled.json", fmt, "c") == first
    assert _write(books, "shuffled", fmt, "d") == first


def test_parquet_files_hold_the_plan_tables(books: Path) -> None:
    actions, skipped = _write(books, "ledger", "parquet", "p")
    result = plan(
        sample_ledger(as_of=date(2026, 11, 2)), as_of=date(2026, 11, 2), playbook=default_playbook()
    )
    assert pl.read_parquet(io.BytesIO(actions)).equals(result.to_polars())
    assert pl.read_parquet(io.BytesIO(skipped)).equals(result.to_polars("skipped"))


def test_skipped_in_full_in_every_text_format(books: Path) -> None:
    result = plan(
        sample_ledger(as_of=date(2026, 11, 2)), as_of=date(2026, 11, 2), playbook=default_playbook()
    )
    as_json = json.loads(_write(books, "ledger", "json", "s")[1])
    assert len(as_json) == len(result.skipped)
    assert as_json[0] == {
        "customer_id": result.skipped[0].customer_id,
        "detail": result.skipped[0].detail,
        "invoice_id": result.skipped[0].invoice_id,
        "reason": result.skipped[0].reason.value,
        "step": result.skipped[0].step,
    }
    lines = _write(books, "ledger", "ndjson", "s")[1].decode().splitlines()
    assert [json.loads(line) for line in lines] == as_json
    rows = list(csv.DictReader(io.StringIO(_write(books, "ledger", "csv", "s")[1].decode())))
    assert [r["invoice_id"] for r in rows] == [s.invoice_id for s in result.skipped]
    text = _write(books, "ledger", "table", "s")[1].decode()
    assert text.startswith(f"Without an action on {AS_OF}")
    assert all(s.invoice_id in text for s in result.skipped)


def test_without_skipped_the_output_only_counts_them(books: Path) -> None:
    result = arpolicy("plan", "ledger", "--as-of", AS_OF, cwd=books)
    assert "Without an action today: 2 blocked," in result.stdout
    assert "INV-2026-0147" not in result.stdout  # a blocked invoice, counted only


def test_run_writes_skipped_and_records_the_actions(books: Path) -> None:
    journal = books / "journal.sqlite"
    args = ("run", "ledger", "--journal", str(journal), "--as-of", AS_OF, "--format", "ndjson")
    result = arpolicy(*args, "--skipped", "run-skipped.ndjson", cwd=books)
    assert result.returncode == 0, result.stderr
    skipped = (books / "run-skipped.ndjson").read_text(encoding="utf-8").splitlines()
    assert skipped
    assert all(json.loads(line)["reason"] for line in skipped)
    planned = plan(sample_ledger(), as_of=date(2026, 11, 2), playbook=default_playbook())
    assert len(result.stdout.splitlines()) == len(planned.actions)


def test_parquet_on_standard_output_is_the_file(books: Path) -> None:
    script = Path(sys.executable).with_name("arpolicy")
    args = [str(script), "plan", "ledger", "--as-of", AS_OF, "--format", "parquet"]
    piped = subprocess.run(args, capture_output=True, cwd=books, check=False)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == _write(books, "ledger", "parquet", "q")[0]


def _reference_csv(actions: list[Action]) -> str:
    """The CSV as arpolicy wrote it before the tables: csv.writer over the objects."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)

    def money(value: Money | None) -> str:
        return "" if value is None else format(value.amount, "f")

    for a in actions:
        writer.writerow(
            [
                a.date.isoformat(),
                safe_cell(a.customer_id),
                safe_cell(" ".join(a.invoice_ids)),
                safe_cell(a.step),
                a.level,
                safe_cell(a.channel),
                safe_cell(a.tone),
                a.kind.value,
                safe_cell(a.policy),
                money(a.amount_due),
                a.currency or "",
                money(a.fees),
                money(a.interest),
                money(a.compensation),
                money(a.collection_costs),
                money(a.total_due),
                a.deadline.isoformat() if a.deadline else "",
                a.key,
                safe_cell("; ".join(r.text for r in a.reasons)),
            ]
        )
    return out.getvalue()


@given(days)
def test_csv_from_the_table_is_the_csv_of_the_objects(day: date) -> None:
    actions = list(_plan(day).actions)
    assert dumps_csv(actions) == _reference_csv(actions)


@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from(["EUR", "JPY", "KWD", "GBP"]),
)
def test_csv_amounts_are_exact_in_any_currency(units: int, currency: str) -> None:
    amount = Money.from_minor(units, currency)
    action = _action(amount_due=amount, charges=(), fees=amount)
    assert dumps_csv([action]) == _reference_csv([action])
