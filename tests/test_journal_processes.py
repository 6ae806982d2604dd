"""The journal across processes: killed runs and concurrent runs.

Each test starts real Python subprocesses that record into one journal file.
A run killed with SIGKILL at any moment must leave all of its actions or none,
and a file that passes ``PRAGMA integrity_check``; two runs recording the same
keys at once must issue each key exactly once.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arpolicy.journal import Journal

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="SIGKILL and fork-free subprocess timing are POSIX"
)

BATCH = 20_000

WORKER = r"""
import datetime as dt, json, os, signal, sys, time

from arpolicy import Action, ActionKind, Money, Reason
from arpolicy.journal import Journal

AT = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.timezone.utc)
AMOUNT = Money("100.50", "EUR")
REASONS = (Reason("step_due", "step 'reminder' is due", {"step": "reminder"}),)


def actions(prefix, numbers):
    return [
        Action(AT.date(), f"C{n % 97:02d}", (f"I{n}",), "reminder", 1, "email", "firm",
               ActionKind.REMINDER, "business-standard", AMOUNT, None, None,
               f"{prefix}-{n:06d}", REASONS)
        for n in numbers
    ]


command, path = sys.argv[1], sys.argv[2]
if command == "batch":
    prefix, count, kill_after = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    batch = actions(prefix, range(count))
    with Journal.open(path) as journal:
        if kill_after:
            # Die inside SQLite, after `kill_after` virtual machine steps.
            journal._conn.set_progress_handler(
                lambda: os.kill(os.getpid(), signal.SIGKILL), kill_after
            )
        print("ready", flush=True)
        start = time.perf_counter()
        journal.record(batch, as_of=AT.date(), run_at=AT)
        print("done", time.perf_counter() - start, flush=True)
elif command == "overlap":
    numbers, go = json.loads(sys.argv[3]), sys.argv[4]
    with Journal.open(path) as journal:
        print("ready", flush=True)
        while not os.path.exists(go):
            time.sleep(0.001)
        issued = []
        for i in range(0, len(numbers), 250):
            result = journal.record(actions("k", numbers[i : i + 250]), as_of=AT.date(), run_at=AT)
            issued.extend(result.issued_keys)
    print(json.dumps(issued), flush=True)
"""


def _start(script: Path, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line == "ready\n", f"worker did not start: {line!r} {proc.stderr.read()}"  # type: ignore[union-attr]
    return proc


def _finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out


def _count(path: Path, prefix: str) -> int:
    raw = sqlite3.connect(path)
    try:
        return int(
            raw.execute(
                "SELECT count(*) FROM actions WHERE key LIKE ?", (f"{prefix}-%",)
            ).fetchone()[0]
        )
    finally:
        raw.close()


def _integrity(path: Path) -> str:
    raw = sqlite3.connect(path)
    try:
        return str(raw.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        raw.close()


@pytest.fixture
def worker(tmp_path: Path) -> Path:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    return script


def test_a_killed_run_leaves_all_of_its_batch_or_none(worker: Path, tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    rng = random.Random(20261102)
    # A complete run first: how long recording a batch takes on this machine
    # (only used to choose kill moments, never asserted).
    warm = _start(worker, "batch", str(path), "warm", str(BATCH), "0")
    elapsed = float(_finish(warm).split()[-1])
    complete = {"warm"}
    outcomes: dict[str, int] = {}

    # Killed from outside at a random moment while recording.
    for attempt in range(4):
        prefix = f"ext{attempt}"
        proc = _start(worker, "batch", str(path), prefix, str(BATCH), "0")
        time.sleep(rng.uniform(0, elapsed * 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        outcomes[prefix] = _count(path, prefix)
        assert outcomes[prefix] in (0, BATCH), outcomes
        assert _integrity(path) == "ok"
        if outcomes[prefix]:
            complete.add(prefix)

    # Killed from inside SQLite: certainly in the middle of the transaction.
    for attempt in range(2):
        prefix = f"int{attempt}"
        proc = _start(
            worker, "batch", str(path), prefix, str(BATCH), str(rng.randint(1_000, 100_000))
        )
        proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        assert _count(path, prefix) == 0
        assert _integrity(path) == "ok"

    # The journal is whole and usable: every complete batch and its run, no more.
    with Journal.open(path) as journal:
        assert len(journal) == BATCH * len(complete)
        runs = journal.runs()
        assert len(runs) == len(complete)
        assert {(r.planned, r.issued) for r in runs} == {(BATCH, BATCH)}
    final = _start(worker, "batch", str(path), "ext0", str(BATCH), "0")
    _finish(final)
    assert _count(path, "ext0") == BATCH  # a killed run can simply be run again
    assert _integrity(path) == "ok"


def test_concurrent_runs_issue_each_key_exactly_once(worker: Path, tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    go = tmp_path / "go"
    shared = list(range(6000))
    mine = [*shared, *range(6000, 7000)]
    theirs = [*shared, *range(7000, 8000)]
    procs = [
        _start(worker, "overlap", str(path), json.dumps(numbers), str(go))
        for numbers in (mine, theirs)
    ]
    go.touch()
    first, second = (json.loads(_finish(p).splitlines()[-1]) for p in procs)
    assert not set(first) & set(second)  # never issued by both
    assert len(first) == len(set(first))
    assert len(second) == len(set(second))
    expected = {f"k-{n:06d}" for n in range(8000)}
    assert set(first) | set(second) == expected
    assert {f"k-{n:06d}" for n in range(6000, 7000)} <= set(first)
    assert {f"k-{n:06d}" for n in range(7000, 8000)} <= set(second)
    with Journal.open(path) as journal:
        assert len(journal) == 8000
        runs = journal.runs()
        assert len(runs) == 2 * 28
        assert sum(r.issued for r in runs) == 8000
        assert sum(r.already for r in runs) == 6000
    assert _integrity(path) == "ok"
