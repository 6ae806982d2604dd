"""`arpolicy run` records an action only once the output carrying it is written.

Real processes through the installed entry point, on the sample portfolio
written to files. Each failure (a full device, a closed standard output, a
reader that went away, an unwritable --output file) must exit non-zero with
one line on stderr and leave the journal as it was, so that running again
writes the same actions. A process killed after the write and before the
commit leaves the output written and the journal unchanged: running again
writes the same actions, with the same keys, again (at least once).
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from arpolicy.io import dump_ledger
from arpolicy.journal import Journal
from arpolicy.sample import sample_ledger

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="/dev/full, closed descriptors and SIGKILL are POSIX"
)

AS_OF = "2026-11-02"
SCRIPT = Path(sys.executable).with_name("arpolicy")

# Runs the command line with every SQLite connection traced: the moment the
# journal's COMMIT statement starts, before SQLite executes it, the process
# kills itself with SIGKILL. Nothing in arpolicy knows about it.
KILLED_AT_COMMIT = r"""
import os, signal, sqlite3, sys

_connect = sqlite3.connect


def _traced(*args, **kwargs):
    connection = _connect(*args, **kwargs)

    def trace(statement):
        if statement.strip().upper() == "COMMIT":
            os.kill(os.getpid(), signal.SIGKILL)

    connection.set_trace_callback(trace)
    return connection


sqlite3.connect = _traced
from arpolicy.cli import main

sys.argv[0] = "arpolicy"
main()
"""


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "ARPOLICY_DISABLE_PLUGINS"}


def _args(journal: Path, *extra: str) -> list[str]:
    return ["run", "ledger", "--journal", str(journal), "--as-of", AS_OF, *extra]


def _run(folder: Path, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    if "stdout" not in kwargs:
        kwargs["capture_output"] = True
    return subprocess.run(
        [str(SCRIPT), *args], text=True, cwd=folder, env=_env(), check=False, **kwargs
    )


def _rows(journal: Path) -> tuple[int, int]:
    """(actions, runs) recorded in the journal file."""
    raw = sqlite3.connect(journal)
    try:
        actions = int(raw.execute("SELECT count(*) FROM actions").fetchone()[0])
        runs = int(raw.execute("SELECT count(*) FROM runs").fetchone()[0])
    finally:
        raw.close()
    return actions, runs


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("run-output")
    dump_ledger(sample_ledger(as_of=date(2026, 11, 2)), root / "ledger")
    return root


@pytest.fixture(scope="module")
def expected(folder: Path) -> list[dict[str, Any]]:
    """What a first run on AS_OF writes: the plan of the day, as JSON."""
    result = _run(folder, "plan", "ledger", "--as-of", AS_OF, "--format", "json")
    assert result.returncode == 0, result.stderr
    actions: list[dict[str, Any]] = json.loads(result.stdout)
    assert len(actions) > 10
    return actions


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    """An empty journal that exists already (its schema is committed)."""
    path = tmp_path / "journal.db"
    Journal.open(path).close()
    return path


def _then_a_rerun_writes(folder: Path, journal: Path, expected: list[dict[str, Any]]) -> None:
    again = _run(folder, *_args(journal, "--format", "json"))
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == expected
    assert _rows(journal) == (len(expected), 1)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_device_records_nothing(
    folder: Path, journal: Path, expected: list[dict[str, Any]]
) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        result = _run(
            folder, *_args(journal, "--format", "json"), stdout=full, stderr=subprocess.PIPE
        )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Error: cannot write standard output: No space left on device (ENOSPC);"
        f" nothing was recorded in {journal}, run again"
    ]
    assert _rows(journal) == (0, 0)
    _then_a_rerun_writes(folder, journal, expected)


def test_standard_output_to_a_file_is_complete_when_recorded(
    folder: Path, journal: Path, expected: list[dict[str, Any]], tmp_path: Path
) -> None:
    today = tmp_path / "today.json"
    with today.open("w", encoding="utf-8") as out:  # `> today.json`: flushed and fsync-ed
        result = _run(
            folder, *_args(journal, "--format", "json"), stdout=out, stderr=subprocess.PIPE
        )
    assert result.returncode == 0, result.stderr
    assert json.loads(today.read_text(encoding="utf-8")) == expected
    assert _rows(journal) == (len(expected), 1)


def test_a_closed_standard_output_records_nothing(
    folder: Path, journal: Path, expected: list[dict[str, Any]]
) -> None:
    command = shlex.join([str(SCRIPT), *_args(journal, "--format", "json")])
    result = subprocess.run(
        ["sh", "-c", f"exec {command} >&-"],
        capture_output=True,
        text=True,
        cwd=folder,
        env=_env(),
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == "Error: cannot write standard output: it is closed (EBADF)\n"
    assert _rows(journal) == (0, 0)
    _then_a_rerun_writes(folder, journal, expected)


def test_a_reader_gone_away_records_nothing(
    folder: Path, journal: Path, expected: list[dict[str, Any]]
) -> None:
    proc = subprocess.Popen(
        [str(SCRIPT), *_args(journal, "--format", "json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=folder,
        env=_env(),
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the only reader: any write now fails with EPIPE
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert err.splitlines() == [
        f"Error: cannot write standard output: Broken pipe (EPIPE);"
        f" nothing was recorded in {journal}, run again"
    ]
    assert _rows(journal) == (0, 0)
    _then_a_rerun_writes(folder, journal, expected)


def test_an_unwritable_output_file_records_nothing(
    folder: Path, journal: Path, expected: list[dict[str, Any]], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "today.json"
    result = _run(folder, *_args(journal, "--format", "json", "--output", str(target)))
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: cannot write {target}: ")
    assert result.stderr.endswith(f"; nothing was recorded in {journal}, run again\n")
    assert _rows(journal) == (0, 0)
    _then_a_rerun_writes(folder, journal, expected)


def test_an_output_file_is_written_before_the_journal_records(
    folder: Path, journal: Path, expected: list[dict[str, Any]], tmp_path: Path
) -> None:
    target = tmp_path / "out" / "today.json"
    result = _run(folder, *_args(journal, "--format", "json", "--output", str(target)))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8")) == expected
    assert _rows(journal) == (len(expected), 1)
    again = _run(folder, *_args(journal, "--format", "json", "--output", str(target)))
    assert again.returncode == 0, again.stderr
    assert json.loads(target.read_text(encoding="utf-8")) == []


def test_killed_between_the_write_and_the_commit_writes_again(
    folder: Path, journal: Path, expected: list[dict[str, Any]], tmp_path: Path
) -> None:
    """SIGKILL after the output is written and before the journal commits.

    The moment is made exact, not timed: the run goes through a small
    wrapper (``KILLED_AT_COMMIT``) that traces the SQLite connections and
    kills the process with SIGKILL when the COMMIT statement starts, before
    SQLite executes it. The journal exists beforehand, so the run's is the
    only COMMIT. The whole output must have reached standard output before
    that moment, and the journal must not hold the run: running again writes
    the same actions with the same keys (the host deduplicates by key).
    """
    wrapper = tmp_path / "killed_at_commit.py"
    wrapper.write_text(KILLED_AT_COMMIT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(wrapper), *_args(journal, "--format", "json")],
        capture_output=True,
        text=True,
        cwd=folder,
        env=_env(),
        check=False,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert json.loads(result.stdout) == expected  # written completely, then killed
    assert _rows(journal) == (0, 0)
    raw = sqlite3.connect(journal)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        raw.close()
    _then_a_rerun_writes(folder, journal, expected)
