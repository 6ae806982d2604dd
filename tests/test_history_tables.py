"""History as a table (issue 16, item 2): ``history=`` takes a Polars, PyArrow
or pandas table; ``load_history`` and ``--history`` read CSV, Parquet and
NDJSON; the journal gives its history as a table; bad cells are typed errors."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import arpolicy
import arpolicy.actions
from arpolicy import HistoryEntry, HistoryStatus, plan, simulate
from arpolicy.cli import main
from arpolicy.errors import LoadError
from arpolicy.io import dump_ledger, load_history
from arpolicy.io.history_tables import dump_history, history_table
from arpolicy.io.output import dumps_json
from arpolicy.journal import Journal
from arpolicy.money import Money
from arpolicy.sample import SAMPLE_AS_OF, sample_ledger

LEDGER = sample_ledger()
START = SAMPLE_AS_OF
# Ninety days of the sample portfolio, each action carried out on its date.
PAST = simulate(LEDGER, start=START, end=START + timedelta(days=90)).as_history()


def row_per_invoice(table: pl.DataFrame) -> pl.DataFrame:
    """The same history with one row per action and invoice (``invoice_id``)."""
    ids = pl.col("invoice_ids")
    none = pl.lit([None], pl.List(pl.String))
    table = table.with_columns(
        pl.when(ids.list.len() == 0).then(none).otherwise(ids).alias(ids.meta.output_name())
    )
    return table.explode("invoice_ids").rename({"invoice_ids": "invoice_id"})


def test_the_sample_history_is_rich_enough() -> None:
    assert len(PAST) > 50
    assert any(not e.invoice_ids for e in PAST)  # trial notices, credit holds
    assert any(len(e.invoice_ids) > 1 for e in PAST)


@given(
    offset=st.integers(min_value=1, max_value=120),
    failed=st.sets(st.integers(min_value=0, max_value=len(PAST) - 1), max_size=5),
    received=st.sets(st.integers(min_value=0, max_value=len(PAST) - 1), max_size=5),
    charged=st.sets(st.integers(min_value=0, max_value=len(PAST) - 1), max_size=5),
)
def test_a_table_and_the_entries_give_the_same_plan(
    offset: int, failed: set[int], received: set[int], charged: set[int]
) -> None:
    day = START + timedelta(days=offset)
    entries = [
        attrs.evolve(
            e,
            received_on=e.date + timedelta(days=2) if n in received else None,
            status=HistoryStatus.FAILED if n in failed else HistoryStatus.ISSUED,
            fees=Money(7, e.currency) if n in charged and e.currency else e.fees,
        )
        for n, e in enumerate(PAST)
        if e.date < day
    ]
    expected = plan(LEDGER, as_of=day, history=entries)
    table = history_table(entries)
    assert plan(LEDGER, as_of=day, history=table) == expected
    assert plan(LEDGER, as_of=day, history=table.lazy()) == expected
    assert plan(LEDGER, as_of=day, history=row_per_invoice(table)) == expected
    assert plan(LEDGER, as_of=day, history=table.drop("key", "status", "fees")) == plan(
        LEDGER,
        as_of=day,
        history=[
            attrs.evolve(
                e,
                key=arpolicy.actions.action_key(
                    e.customer_id, e.step, e.channel, currency=e.currency, invoice_ids=e.invoice_ids
                ),
                status=HistoryStatus.ISSUED,
                fees=None,
            )
            for e in entries
        ],
    )


def test_simulate_takes_a_table() -> None:
    early = [e for e in PAST if e.date < START + timedelta(days=20)]
    end = START + timedelta(days=40)
    expected = simulate(LEDGER, start=START + timedelta(days=20), end=end, history=early)
    got = simulate(LEDGER, start=START + timedelta(days=20), end=end, history=history_table(early))
    assert got == expected


def test_pyarrow_and_pandas_tables() -> None:
    pyarrow = pytest.importorskip("pyarrow")
    day = START + timedelta(days=45)
    entries = [e for e in PAST if e.date < day]
    expected = plan(LEDGER, as_of=day, history=entries)
    table = history_table(entries)
    arrow = table.to_arrow()
    assert isinstance(arrow, pyarrow.Table)
    assert plan(LEDGER, as_of=day, history=arrow) == expected
    pandas = pytest.importorskip("pandas")
    text = table.with_columns(pl.col("invoice_ids").list.join(" "))
    frame = pandas.DataFrame(text.to_dicts())
    assert plan(LEDGER, as_of=day, history=frame) == expected


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".ndjson", ".jsonl"])
def test_a_plans_history_written_and_read_back_gives_the_same_next_plan(
    tmp_path: Path, suffix: str
) -> None:
    today = plan(LEDGER, as_of=START)
    path = dump_history(today.as_history(), tmp_path / f"history{suffix}")
    back = load_history(path)
    assert tuple(back) == today.as_history()
    tomorrow = START + timedelta(days=1)
    expected = plan(LEDGER, as_of=tomorrow, history=today.as_history())
    assert plan(LEDGER, as_of=tomorrow, history=back) == expected
    week = START + timedelta(days=7)
    assert plan(LEDGER, as_of=week, history=back) == plan(
        LEDGER, as_of=week, history=today.as_history()
    )


def test_fees_survive_every_file_form(tmp_path: Path) -> None:
    charged = [
        HistoryEntry(e.key, e.date, e.customer_id, e.step, e.invoice_ids, e.channel, e.currency)
        for e in PAST
    ]
    charged = [
        attrs.evolve(e, fees=Money(n % 50, e.currency) if e.currency else None)
        for n, e in enumerate(PAST)
    ]
    for suffix in (".csv", ".parquet", ".ndjson"):
        assert tuple(load_history(dump_history(charged, tmp_path / f"f{suffix}"))) == tuple(charged)


def _cli_plan(ledger_dir: Path, day: str, *options: str) -> str:
    """``arpolicy plan LEDGER --as-of DAY OPTIONS...``; its standard output."""
    result = CliRunner().invoke(main, ["plan", str(ledger_dir), "--as-of", day, *options])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_cli_takes_its_own_csv_and_ndjson_output_as_history(tmp_path: Path) -> None:
    ledger_dir = tmp_path / "ledger"
    dump_ledger(LEDGER, ledger_dir)
    day = START.isoformat()
    nxt = (START + timedelta(days=7)).isoformat()
    outputs = {}
    for fmt in ("json", "csv", "ndjson"):
        out = tmp_path / f"today.{fmt}"
        _cli_plan(ledger_dir, day, "--format", fmt, "--output", str(out))
        outputs[fmt] = out
    plans = {
        fmt: json.loads(_cli_plan(ledger_dir, nxt, "--history", str(out), "--format", "json"))
        for fmt, out in outputs.items()
    }
    assert plans["csv"] == plans["json"] == plans["ndjson"]
    parquet = dump_history(plan(LEDGER, as_of=START).as_history(), tmp_path / "today.parquet")
    again = _cli_plan(ledger_dir, nxt, "--history", str(parquet), "--format", "json")
    assert json.loads(again) == plans["json"]


def test_the_journal_gives_its_history_as_a_table(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "journal.sqlite") as journal:
        for offset in (0, 7, 14):
            day = START + timedelta(days=offset)
            actions = plan(LEDGER, as_of=day, history=journal.history_table()).actions
            journal.record(actions, as_of=day, run_at=datetime(2026, 11, 2, tzinfo=UTC))
        table = journal.history_table()
        assert isinstance(table, pl.DataFrame)
        assert table.height == len(journal.history()) > 0
        later = START + timedelta(days=21)
        assert plan(LEDGER, as_of=later, history=table) == plan(
            LEDGER, as_of=later, history=journal.history()
        )


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------

GOOD = {
    "customer_id": ["C1", "C1", "C2"],
    "invoice_ids": ["I1", "I2 I3", ""],
    "step": ["reminder", "reminder", "trial-ending"],
    "date": ["2026-03-01", "2026-03-01", "2026-03-02"],
    "channel": ["email", "email", "email"],
    "currency": ["EUR", "EUR", ""],
    "fees": ["", "5.00", ""],
}


def bad(column: str, value: str, row: int = 1) -> pl.DataFrame:
    data = {k: list(v) for k, v in GOOD.items()}
    data.setdefault(column, [""] * 3)[row] = value
    return pl.DataFrame(data)


def test_the_good_table_loads() -> None:
    entries = list(arpolicy.io.history_tables.history_entries(pl.DataFrame(GOOD)))
    assert [e.invoice_ids for e in entries] == [("I1",), ("I2", "I3"), ()]
    assert entries[1].fees == Money("5.00", "EUR")


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("date", "2026-02-30", "expected a date YYYY-MM-DD"),
        ("received_on", "yesterday", "expected a date YYYY-MM-DD"),
        ("deadline", "1.3.2026", "expected a date YYYY-MM-DD"),
        ("status", "sent", "expected 'issued' or 'failed'"),
        ("currency", "EURO", "expected an ISO 4217 currency code"),
        ("fees", "5,00", "expected a decimal amount"),
        ("fees", "5.001", "more decimals than the currency has"),
        ("customer_id", "", "missing a value"),
        ("step", "  ", "missing a value"),
    ],
)
def test_a_bad_cell_names_the_table_row_column_and_value(
    column: str, value: str, reason: str
) -> None:
    with pytest.raises(LoadError) as caught:
        plan(LEDGER, as_of=START, history=bad(column, value))
    error = caught.value
    assert (error.path, error.line, error.column) == ("<history>", 2, column)
    assert error.value == (value.strip() or None)
    assert reason in error.reason


def test_fees_without_a_currency_are_refused() -> None:
    with pytest.raises(LoadError) as caught:
        plan(LEDGER, as_of=START, history=bad("currency", ""))
    assert (caught.value.line, caught.value.column) == (2, "currency")
    assert "fees need a currency" in str(caught.value)


def test_a_long_bad_value_is_cut_in_the_message() -> None:
    with pytest.raises(LoadError) as caught:
        plan(LEDGER, as_of=START, history=bad("status", "x" * 200))
    assert caught.value.value == "x" * 200
    assert "x" * 79 + "…" in str(caught.value)
    assert "x" * 81 not in str(caught.value)


def test_floats_are_not_money() -> None:
    table = pl.DataFrame(GOOD).with_columns(pl.Series("fees", [None, 5.0, None]))
    with pytest.raises(LoadError) as caught:
        plan(LEDGER, as_of=START, history=table)
    assert (caught.value.line, caught.value.column, caught.value.value) == (2, "fees", 5.0)


@pytest.mark.parametrize("column", ["customer_id", "step", "date", "channel", "invoice_ids"])
def test_a_missing_required_column(column: str) -> None:
    with pytest.raises(LoadError) as caught:
        plan(LEDGER, as_of=START, history=pl.DataFrame(GOOD).drop(column))
    assert caught.value.column == column
    assert caught.value.line is None


def test_rows_of_one_action_must_agree() -> None:
    table = pl.DataFrame(
        {
            "key": ["k1", "k1"],
            "customer_id": ["C1", "C1"],
            "invoice_id": ["I1", "I2"],
            "step": ["reminder", "reminder"],
            "date": ["2026-03-01", "2026-03-01"],
            "channel": ["email", "email"],
            "deadline": ["2026-03-15", "2026-03-16"],
        }
    )
    with pytest.raises(LoadError) as caught:
        plan(LEDGER, as_of=START, history=table)
    assert (caught.value.line, caught.value.column, caught.value.value) == (
        2,
        "deadline",
        date(2026, 3, 16),
    )


def test_a_bad_csv_file_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(
        "customer_id,invoice_ids,step,date,channel\n"
        "C1,I1,reminder,2026-03-01,email\n"
        "C1,I2,reminder,2026-13-01,email\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as caught:
        load_history(path)
    assert (caught.value.path, caught.value.line, caught.value.column) == (str(path), 3, "date")
    assert str(caught.value).startswith(f"{path}:3: column 'date' = '2026-13-01'")


def test_a_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError):
        load_history(tmp_path / "nothing.parquet")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    with pytest.raises(LoadError) as caught:
        load_history(broken)
    assert caught.value.path == str(broken)


def test_the_cli_plans_alike_from_a_csv_history_and_its_json(tmp_path: Path) -> None:
    """``plan --history FILE.csv`` (read as one table) and the JSON of the same
    history give the same plan, byte for byte, also when messages are rendered."""
    ledger = sample_ledger()
    dump_ledger(ledger, tmp_path / "ledger")
    start = SAMPLE_AS_OF - timedelta(days=60)
    done = simulate(ledger, start=start, end=SAMPLE_AS_OF - timedelta(days=1)).actions
    dump_history(done, tmp_path / "h.csv")
    (tmp_path / "h.json").write_text(dumps_json(done), encoding="utf-8")
    outputs = []
    for name in ("h.csv", "h.json"):
        out = tmp_path / f"out-{name}"
        text = _cli_plan(
            tmp_path / "ledger",
            SAMPLE_AS_OF.isoformat(),
            *("--history", str(tmp_path / name), "--format", "json", "--render", str(out)),
        )
        outputs.append((text, [(f.name, f.read_bytes()) for f in sorted(out.iterdir())]))
    assert outputs[0] == outputs[1]
