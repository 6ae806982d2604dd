"""The exactly-once journal (:mod:`arpolicy.journal`) in one process.

Crash safety and concurrency (subprocesses) are in ``test_journal_processes.py``.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arpolicy
from arpolicy import Action, ActionKind, HistoryEntry, HistoryStatus, Money, Reason
from arpolicy import journal as journal_module
from arpolicy.errors import ArpolicyError, InvalidFieldError, JournalError
from arpolicy.journal import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    Journal,
    JournalStatus,
)
from arpolicy.sample import SAMPLE_AS_OF, sample_ledger

AT = datetime(2026, 11, 2, 6, 30, tzinfo=UTC)
DAY = date(2026, 11, 2)


def act(
    n: int,
    *,
    day: date = DAY,
    customer_id: str = "C1",
    fees: Money | None = None,
    amount: Money | None = None,
) -> Action:
    """A synthetic action with key ``k-<n>``."""
    return Action(
        date=day,
        customer_id=customer_id,
        invoice_ids=(f"I{n}", f"I{n}b"),
        step="reminder",
        level=1,
        channel="email",
        tone="firm",
        kind=ActionKind.REMINDER,
        policy="business-standard",
        amount_due=Money("100.50", "EUR") if amount is None else amount,
        fees=fees,
        deadline=day + timedelta(days=7),
        key=f"k-{n}",
        reasons=(Reason("step_due", "step 'reminder' is due", {"step": "reminder"}),),
        template="reminder",
    )


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal.open(tmp_path / "journal.sqlite") as opened:
        yield opened


def test_a_new_file_gets_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    with Journal.open(path) as journal:
        assert journal.schema_version == SCHEMA_VERSION == 2
        assert journal.path == path
        assert len(journal) == 0
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    assert {"actions", "runs"} <= tables
    raw.close()


def test_record_twice_issues_nothing_the_second_time(journal: Journal) -> None:
    batch = [act(i) for i in range(5)]
    first = journal.record(batch, as_of=DAY, run_at=AT)
    assert first.issued == tuple(batch)
    assert first.issued_keys == tuple(f"k-{i}" for i in range(5))
    assert first.already == first.retried == ()
    second = journal.record([*batch, act(5)], as_of=DAY, run_at=AT + timedelta(hours=1))
    assert second.issued_keys == ("k-5",)
    assert second.already == tuple(f"k-{i}" for i in range(5))
    assert second.run_id == first.run_id + 1
    assert len(journal) == 6
    runs = journal.runs()
    assert [(r.planned, r.issued, r.already, r.retried) for r in runs] == [
        (5, 5, 0, 0),
        (6, 1, 5, 0),
    ]
    assert runs[1].started_at == runs[1].finished_at == AT + timedelta(hours=1)
    assert journal.get("k-5").run_id == second.run_id
    assert journal.get("k-0").recorded_at == AT


def test_a_key_repeated_within_a_batch_is_issued_once(journal: Journal) -> None:
    result = journal.record([act(1), act(2), act(1)], as_of=DAY, run_at=AT)
    assert result.issued_keys == ("k-1", "k-2")
    assert len(journal) == 2


def test_entries_keep_every_field(journal: Journal) -> None:
    action = act(7, fees=Money("15.00", "EUR"))
    journal.record([action], as_of=DAY, run_at=AT)
    entry = journal.get("k-7")
    assert (entry.key, entry.date, entry.customer_id, entry.invoice_ids) == (
        "k-7",
        DAY,
        "C1",
        ("I7", "I7b"),
    )
    assert (entry.step, entry.level, entry.channel, entry.tone, entry.kind, entry.policy) == (
        "reminder",
        1,
        "email",
        "firm",
        ActionKind.REMINDER,
        "business-standard",
    )
    assert entry.amount_due == Money("100.50", "EUR")
    assert entry.fees == Money("15.00", "EUR")
    assert entry.deadline == DAY + timedelta(days=7)
    assert entry.template == "reminder"
    assert entry.status is JournalStatus.ISSUED
    assert entry.received_on is None
    assert entry.failed_reason is None
    assert entry.attempts == 1
    assert entry.reasons == action.reasons
    assert entry.to_history() == HistoryEntry.from_action(action)


def test_history_is_what_the_engine_needs(journal: Journal) -> None:
    actions = [act(3, day=DAY + timedelta(days=1)), act(1), act(2, customer_id="C0")]
    journal.record(actions, as_of=DAY, run_at=AT)
    journal.mark_received("k-1", DAY + timedelta(days=2))
    journal.mark_failed("k-2", "bounced")
    history = journal.history()
    assert [e.key for e in history] == ["k-2", "k-1", "k-3"]  # date, customer, key
    by_key = {e.key: e for e in history}
    assert by_key["k-1"].status is HistoryStatus.ISSUED
    assert by_key["k-1"].received_on == DAY + timedelta(days=2)
    assert by_key["k-2"].status is HistoryStatus.FAILED
    assert by_key["k-3"] == HistoryEntry.from_action(actions[0])
    assert history == [e.to_history() for e in journal.entries()]


def test_fees_come_back_as_money_in_their_currency(journal: Journal) -> None:
    journal.record(
        [act(1, amount=Money("1000", "JPY"), fees=Money("500", "JPY"))], as_of=DAY, run_at=AT
    )
    (entry,) = journal.history()
    assert entry.fees == Money("500", "JPY")
    assert entry.currency == "JPY"


def test_mixed_currencies_in_one_action_write_nothing(journal: Journal) -> None:
    bad = act(2, fees=Money("1.00", "USD"))
    with pytest.raises(JournalError, match="different currencies") as info:
        journal.record([act(1), bad], as_of=DAY, run_at=AT)
    assert info.value.key == "k-2"
    assert len(journal) == 0
    assert journal.runs() == []


def test_a_failure_inside_the_transaction_rolls_back_the_whole_run(
    journal: Journal, tmp_path: Path
) -> None:
    journal.record([act(0)], as_of=DAY, run_at=AT)
    raw = sqlite3.connect(journal.path)
    raw.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON actions WHEN NEW.key = 'k-150'"
        " BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    raw.commit()
    raw.close()
    with pytest.raises(JournalError, match="SQLite failed: boom"):
        journal.record([act(i) for i in range(300)], as_of=DAY, run_at=AT)
    assert [e.key for e in journal.entries()] == ["k-0"]
    assert len(journal.runs()) == 1
    # the journal stays usable
    assert journal.record([act(1)], as_of=DAY, run_at=AT).issued_keys == ("k-1",)


def test_recording_keeps_nothing_when_writing_the_actions_out_fails(journal: Journal) -> None:
    journal.record([act(0)], as_of=DAY, run_at=AT)
    out: list[str] = []
    seen: list[tuple[tuple[str, ...], tuple[str, ...]]] = []

    def write_out_and_fail() -> None:
        with journal.recording([act(0), act(1), act(2)], as_of=DAY, run_at=AT) as run:
            seen.append((run.issued_keys, run.already))
            raise OSError(28, "disk full")

    with pytest.raises(OSError, match="disk full"):
        write_out_and_fail()
    assert seen == [(("k-1", "k-2"), ("k-0",))]
    assert [e.key for e in journal.entries()] == ["k-0"]
    assert len(journal.runs()) == 1
    # the next run issues the same actions, and records them once written
    with journal.recording([act(0), act(1), act(2)], as_of=DAY, run_at=AT) as run:
        out.extend(run.issued_keys)
        other = sqlite3.connect(journal.path)  # another process sees nothing yet
        assert other.execute("SELECT count(*) FROM actions").fetchone()[0] == 1
        other.close()
    assert out == ["k-1", "k-2"]
    assert [e.key for e in journal.entries()] == ["k-0", "k-1", "k-2"]
    assert [r.issued for r in journal.runs()] == [1, 2]


def test_mark_received_and_failed(journal: Journal) -> None:
    journal.record([act(1), act(2)], as_of=DAY, run_at=AT)
    received = journal.mark_received("k-1", DAY + timedelta(days=3))
    assert received.status is JournalStatus.RECEIVED
    assert received.received_on == DAY + timedelta(days=3)
    again = journal.mark_received("k-1", DAY + timedelta(days=4))
    assert again.received_on == DAY + timedelta(days=4)
    failed = journal.mark_failed("k-2", "address unknown")
    assert (failed.status, failed.failed_reason) == (JournalStatus.FAILED, "address unknown")
    with pytest.raises(JournalError, match="cannot be received") as info:
        journal.mark_received("k-2", DAY)
    assert info.value.key == "k-2"
    with pytest.raises(JournalError, match="cannot fail"):
        journal.mark_failed("k-1", "too late")
    with pytest.raises(JournalError, match="before its date"):
        journal.mark_received("k-1", DAY - timedelta(days=1))
    with pytest.raises(InvalidFieldError):
        journal.mark_failed("k-2", "  ")
    assert [e.key for e in journal.entries(status="failed")] == ["k-2"]
    assert [e.key for e in journal.entries(status=JournalStatus.RECEIVED)] == ["k-1"]
    assert journal.entries(status="issued") == []


@pytest.mark.parametrize(
    "call",
    [
        lambda j: j.get("nope"),
        lambda j: j.mark_received("nope", DAY),
        lambda j: j.mark_failed("nope", "bounced"),
    ],
    ids=["get", "mark_received", "mark_failed"],
)
def test_an_unknown_key_is_named(journal: Journal, call: object) -> None:
    with pytest.raises(JournalError) as info:
        call(journal)  # type: ignore[operator]
    assert info.value.key == "nope"
    assert "'nope'" in str(info.value)
    assert str(journal.path) in str(info.value)
    assert isinstance(info.value, ArpolicyError)


def test_entries_filter_by_customer_and_status(journal: Journal) -> None:
    journal.record(
        [act(1, customer_id="C2"), act(2, customer_id="C1"), act(3, customer_id="C2")],
        as_of=DAY,
        run_at=AT,
    )
    assert [e.key for e in journal.entries(customer_id="C2")] == ["k-1", "k-3"]
    assert [e.key for e in journal.entries()] == ["k-2", "k-1", "k-3"]
    assert journal.entries(customer_id="C2", status="failed") == []
    assert "k-1" in journal
    assert "k-9" not in journal
    with pytest.raises(InvalidFieldError, match="status"):
        journal.entries(status="sent")


def test_export_is_json_ready_sorted_and_deterministic(tmp_path: Path) -> None:
    batch = [act(i, customer_id=f"C{i % 3}", fees=Money("2.5", "EUR")) for i in range(6)]
    dumps = []
    for name, order in (("a", batch), ("b", batch[::-1])):
        with Journal.open(tmp_path / f"{name}.sqlite") as journal:
            journal.record(order, as_of=DAY, run_at=AT)
            data = journal.export()
            dumps.append(json.dumps(data, sort_keys=True))
    assert dumps[0] == dumps[1]
    first = data[0]
    assert list(first) == sorted(first)
    assert first["amount_due"] == {"amount": "100.50", "currency": "EUR"}
    assert first["fees"] == {"amount": "2.50", "currency": "EUR"}
    assert first["date"] == "2026-11-02"
    assert first["status"] == "issued"
    assert first["invoice_ids"] == ["I0", "I0b"]
    assert [(d["date"], d["customer_id"], d["key"]) for d in data] == sorted(
        (d["date"], d["customer_id"], d["key"]) for d in data
    )


def test_unrecorded_is_a_dry_run(journal: Journal) -> None:
    journal.record([act(1), act(2)], as_of=DAY, run_at=AT)
    journal.mark_failed("k-2", "bounced")
    pending = journal.unrecorded([act(1), act(2), act(3), act(3)])
    assert [a.key for a in pending] == ["k-2", "k-3"]
    assert len(journal) == 2  # nothing written
    assert len(journal.runs()) == 1


def test_bad_arguments_are_refused(journal: Journal) -> None:
    naive = datetime(2026, 11, 2, 6, 30)  # noqa: DTZ001
    with pytest.raises(InvalidFieldError, match="run_at"):
        journal.record([act(1)], as_of=DAY, run_at=naive)
    with pytest.raises(InvalidFieldError, match="as_of"):
        journal.record([act(1)], as_of=AT, run_at=AT)
    with pytest.raises(InvalidFieldError, match="actions"):
        journal.record(["k-1"], as_of=DAY, run_at=AT)  # type: ignore[list-item]
    assert len(journal) == 0


def test_a_closed_journal_says_so(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path / "j.sqlite")
    journal.close()
    journal.close()
    with pytest.raises(JournalError, match="closed"):
        journal.history()


# ---------------------------------------------------------------------------
# with the engine
# ---------------------------------------------------------------------------


def _run_days(journal: Journal, start: date, count: int) -> list[Action]:
    ledger = sample_ledger()
    issued: list[Action] = []
    for offset in range(count):
        today = start + timedelta(days=offset)
        planned = arpolicy.plan(ledger, as_of=today, history=journal.history())
        at = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
        issued.extend(journal.record(planned.actions, as_of=today, run_at=at).issued)
        # The same day again: nothing new.
        again = arpolicy.plan(ledger, as_of=today, history=journal.history())
        assert journal.record(again.actions, as_of=today, run_at=at).issued == ()
    return issued


def test_daily_runs_continue_the_ladder_and_equal_the_simulation(journal: Journal) -> None:
    start = SAMPLE_AS_OF
    issued = _run_days(journal, start, 10)
    keys = Counter(a.key for a in issued)
    assert keys
    assert max(keys.values()) == 1  # no key is ever issued twice
    assert len(journal) == len(issued)
    simulated = arpolicy.simulate(sample_ledger(), start=start, end=start + timedelta(days=9))
    assert sorted(issued, key=Action.sort_key) == list(simulated.actions)
    assert len({a.date for a in issued}) > 1  # the ladder went on after day one


def _step_dates(journal: Journal, step: str) -> dict[str, date]:
    return {e.customer_id: e.date for e in journal.entries() if e.step == step}


def test_received_dates_anchor_the_next_step(tmp_path: Path) -> None:
    # Run daily from 2026-11-02: the ladders resume at their first step not yet
    # sent, and on 2026-11-23 the sample sends a fourteen-day letter to C011 and
    # C034; their final notices follow 15 days after (presumed) receipt.
    ledger = sample_ledger()
    start = SAMPLE_AS_OF
    late = start + timedelta(days=33)
    outcomes = []
    for mark in (False, True):
        with Journal.open(tmp_path / f"{mark}.sqlite") as journal:
            for offset in range(60):
                today = start + timedelta(days=offset)
                planned = arpolicy.plan(ledger, as_of=today, history=journal.history())
                at = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
                journal.record(planned.actions, as_of=today, run_at=at)
                if mark and today == late:
                    letter = journal.entries(customer_id="C011")
                    (key,) = [e.key for e in letter if e.step == "fourteen-day-letter"]
                    journal.mark_received(key, late)
            outcomes.append(_step_dates(journal, "final-notice"))
    presumed, marked = outcomes
    assert presumed["C011"] < late + timedelta(days=15) <= marked["C011"]
    assert presumed["C034"] == marked["C034"]  # the other letter was not marked


def test_failed_actions_are_planned_and_issued_again(journal: Journal) -> None:
    ledger = sample_ledger()
    today = SAMPLE_AS_OF
    first = journal.record(
        arpolicy.plan(ledger, as_of=today, history=journal.history()).actions,
        as_of=today,
        run_at=AT,
    )
    letter = next(a for a in first.issued if a.step == "reminder")
    journal.mark_failed(letter.key, "returned: address unknown")
    tomorrow = today + timedelta(days=1)
    replanned = arpolicy.plan(ledger, as_of=tomorrow, history=journal.history())
    assert letter.key in {a.key for a in replanned.actions}
    result = journal.record(replanned.actions, as_of=tomorrow, run_at=AT + timedelta(days=1))
    assert result.retried == (letter.key,)
    assert letter.key in result.issued_keys
    entry = journal.get(letter.key)
    assert (entry.status, entry.attempts, entry.failed_reason) == (JournalStatus.ISSUED, 2, None)
    assert entry.date == tomorrow
    assert entry.run_id == result.run_id
    assert journal.runs()[-1].retried == 1
    # once issued again, it counts as done
    after = arpolicy.plan(ledger, as_of=tomorrow, history=journal.history())
    assert journal.record(after.actions, as_of=tomorrow, run_at=AT).issued == ()


@settings(max_examples=40)  # each example writes a file with fsync
@given(
    st.lists(st.lists(st.integers(0, 20), max_size=12), max_size=6),
    st.sets(st.integers(0, 20)),
)
def test_each_key_is_issued_by_the_first_run_that_has_it(
    batches: list[list[int]], failing: set[int]
) -> None:
    with tempfile.TemporaryDirectory() as tmp, Journal.open(Path(tmp) / "j.sqlite") as journal:
        issued: list[str] = []
        seen: set[int] = set()
        for batch in batches:
            result = journal.record([act(n) for n in batch], as_of=DAY, run_at=AT)
            expected = list(dict.fromkeys(n for n in batch if n not in seen))
            assert result.issued_keys == tuple(f"k-{n}" for n in expected)
            seen.update(batch)
            issued.extend(result.issued_keys)
            for n in sorted(failing & set(batch)):  # fail some once: issued again later
                if journal.get(f"k-{n}").attempts == 1:
                    journal.mark_failed(f"k-{n}", "bounced")
                    seen.discard(n)
        assert len(journal) == len(set(issued))
        assert max(Counter(issued).values(), default=0) <= 2


# ---------------------------------------------------------------------------
# files, versions, migrations, locks
# ---------------------------------------------------------------------------

V1_SCHEMA = """
CREATE TABLE actions (
    key TEXT PRIMARY KEY NOT NULL, date TEXT NOT NULL, customer_id TEXT NOT NULL,
    step TEXT NOT NULL, level INTEGER NOT NULL, channel TEXT NOT NULL, tone TEXT NOT NULL,
    kind TEXT NOT NULL, policy TEXT NOT NULL, invoice_ids TEXT NOT NULL, currency TEXT,
    amount_due TEXT, fees TEXT, deadline TEXT, template TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('issued', 'received', 'failed')),
    received_on TEXT, failed_reason TEXT, recorded_at TEXT NOT NULL
);
CREATE INDEX actions_by_customer ON actions (customer_id, date);
INSERT INTO actions VALUES ('k-1', '2026-10-01', 'C1', 'reminder', 1, 'email', 'firm',
    'reminder', 'business-standard', '["I1"]', 'EUR', '100.50', '7.50', NULL, 'reminder',
    'received', '2026-10-03', NULL, '2026-10-01T06:00:00+00:00');
"""


def _v1_file(path: Path) -> Path:
    raw = sqlite3.connect(path)
    raw.executescript(V1_SCHEMA)
    raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    return path


def test_a_version_1_file_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = _v1_file(tmp_path / "v1.sqlite")
    with Journal.open(path) as journal:
        assert journal.schema_version == SCHEMA_VERSION
        entry = journal.get("k-1")
        assert entry.run_id is None
        assert entry.attempts == 1
        assert entry.reasons == ()
        assert entry.status is JournalStatus.RECEIVED
        assert entry.fees == Money("7.50", "EUR")
        (history,) = journal.history()
        assert history.received_on == date(2026, 10, 3)
        result = journal.record([act(1), act(2)], as_of=DAY, run_at=AT)
        assert result.issued_keys == ("k-2",)
        assert [r.run_id for r in journal.runs()] == [result.run_id]
    with Journal.open(path) as journal:  # opening a current file again changes nothing
        assert len(journal) == 2


def test_a_failing_migration_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _v1_file(tmp_path / "v1.sqlite")
    broken = (*journal_module._MIGRATIONS, ("CREATE TABLE extra (x)", "CREATE TABLE oops ("))
    monkeypatch.setattr(journal_module, "_MIGRATIONS", broken)
    monkeypatch.setattr(journal_module, "SCHEMA_VERSION", len(broken))
    with pytest.raises(JournalError, match="SQLite failed"):
        Journal.open(path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    assert tables == {"actions"}  # neither migration 2 nor 3 left anything behind
    raw.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    Journal.open(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    with pytest.raises(JournalError, match="newer"):
        Journal.open(path)


def test_other_files_are_not_journals(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    raw = sqlite3.connect(other)
    raw.execute("CREATE TABLE t (x)")
    raw.commit()
    raw.close()
    with pytest.raises(JournalError, match="not an arpolicy journal"):
        Journal.open(other)
    text = tmp_path / "notes.txt"
    text.write_text("this is not a database, but it is long enough to look like one" * 20)
    with pytest.raises(JournalError, match="not an SQLite file"):
        Journal.open(text)
    with pytest.raises(JournalError, match="cannot open"):
        Journal.open(tmp_path / "missing-dir" / "j.sqlite")


def test_a_held_lock_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Journal.open(path, timeout=0.05) as journal:
            assert len(journal) == 0  # reading does not wait for the writer
            with pytest.raises(JournalError, match="locked by another process"):
                journal.record([act(1)], as_of=DAY, run_at=AT)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Journal.open(path) as journal:
        assert journal.record([act(1)], as_of=DAY, run_at=AT).issued_keys == ("k-1",)
