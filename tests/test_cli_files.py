"""`arpolicy plan / simulate / explain / lint / ledger check` through the real
entry point (a subprocess), on the sample portfolio written to files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from arpolicy.io import dump_ledger
from arpolicy.io.output import loads_history
from arpolicy.sample import sample_ledger

GOLDEN = Path(__file__).resolve().parent / "golden"
AS_OF = "2026-11-02"


def arpolicy(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("arpolicy")
    env = {k: v for k, v in os.environ.items() if k != "ARPOLICY_DISABLE_PLUGINS"}
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    ledger = sample_ledger(as_of=date(2026, 11, 2))
    dump_ledger(ledger, root / "ledger")
    dump_ledger(ledger, root / "ledger.json")
    return root


def golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; write it when ARPOLICY_UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if os.environ.get("ARPOLICY_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_plan_table_is_golden(files: Path) -> None:
    result = arpolicy("plan", "ledger", "--as-of", AS_OF, cwd=files)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress when not on a terminal
    golden("plan-2026-11-02.txt", result.stdout)


def test_plan_json_is_golden_and_the_same_for_both_ledger_forms(files: Path) -> None:
    csv_dir = arpolicy("plan", "ledger", "--as-of", AS_OF, "--format", "json", cwd=files)
    json_file = arpolicy("plan", "ledger.json", "--as-of", AS_OF, "--format", "json", cwd=files)
    assert csv_dir.returncode == 0, csv_dir.stderr
    assert csv_dir.stdout == json_file.stdout
    golden("plan-2026-11-02.json", csv_dir.stdout)
    records = json.loads(csv_dir.stdout)
    first = records[0]
    for key in (
        "date",
        "customer_id",
        "invoice_ids",
        "step",
        "level",
        "channel",
        "tone",
        "amount_due",
        "fees",
        "deadline",
        "key",
        "reasons",
    ):
        assert key in first
    assert set(first["amount_due"]) == {"amount", "currency"}
    assert isinstance(first["amount_due"]["amount"], str)
    assert list(first) == sorted(first)


def test_output_is_byte_identical_run_after_run(files: Path) -> None:
    runs = [
        arpolicy("plan", "ledger", "--as-of", AS_OF, "--format", fmt, cwd=files).stdout
        for fmt in ("ndjson", "ndjson", "csv", "csv")
    ]
    assert runs[0] == runs[1]
    assert runs[2] == runs[3]
    assert len(runs[0].splitlines()) == len(runs[2].splitlines()) - 1  # the CSV header
    assert runs[2].splitlines()[0].startswith("date,customer_id,invoice_ids,step")


def test_output_file_and_history_continue_the_ladder(files: Path) -> None:
    out = files / "today.json"
    result = arpolicy(
        "plan", "ledger", "--as-of", AS_OF, "--format", "json", "--output", str(out), cwd=files
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    history = loads_history(out.read_text(encoding="utf-8"))
    assert history
    again = arpolicy(
        "plan", "ledger", "--as-of", AS_OF, "--history", str(out), "--format", "json", cwd=files
    )
    assert json.loads(again.stdout) == []  # nothing twice


def test_simulate_over_a_period(files: Path) -> None:
    result = arpolicy(
        "simulate",
        "ledger",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-15",
        "--format",
        "ndjson",
        cwd=files,
    )
    assert result.returncode == 0, result.stderr
    days = {json.loads(line)["date"] for line in result.stdout.splitlines()}
    assert min(days) == "2026-11-02"
    assert max(days) <= "2026-11-15"
    assert len(days) > 5
    table = arpolicy("simulate", "ledger", "--from", "2026-11-02", "--to", "2026-11-03", cwd=files)
    assert table.stdout.startswith("Actions from 2026-11-02 to 2026-11-03:")


def test_explain_an_invoice(files: Path) -> None:
    result = arpolicy(
        "explain", "ledger", "--invoice", "INV-2026-0005", "--as-of", AS_OF, cwd=files
    )
    assert result.returncode == 0, result.stderr
    golden("explain-INV-2026-0005.txt", result.stdout)
    missing = arpolicy("explain", "ledger", "--invoice", "NOPE", "--as-of", AS_OF, cwd=files)
    assert missing.returncode == 1
    assert missing.stderr == "Error: ledger: no invoice 'NOPE'\n"


def test_lint_exit_codes(files: Path) -> None:
    good = files / "good.toml"
    good.write_text('[[policy]]\nname = "p"\nprofiles = ["business", "government", "private"]\n')
    bad = files / "bad.toml"
    bad.write_text('[[policy]]\nname = "p"\ntonne = "firm"\n')
    ok = arpolicy("lint", str(good))
    assert ok.returncode == 0
    failing = arpolicy("lint", str(bad))
    assert failing.returncode == 1
    assert "error invalid (line 3)" in failing.stdout
    assert "unknown key 'tonne'" in failing.stdout


def test_ledger_check(files: Path) -> None:
    result = arpolicy("ledger", "check", "ledger", "--as-of", AS_OF, cwd=files)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ledger: valid, as of 2026-11-02\n")
    assert "Customers (50)" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("plan", "missing"), 2, "Path 'missing' does not exist"),
        (("plan", "ledger", "--as-of", "2026-13-01"), 2, "'2026-13-01' does not match"),
        (("plan", "ledger", "--format", "xml"), 2, "'xml' is not one of"),
        (("plan", "ledger", "--policy", "nope.toml"), 2, "File 'nope.toml' does not exist"),
        (("simulate", "ledger", "--from", "2026-11-05", "--to", "2026-11-01"), 2, "--to"),
    ],
)
def test_usage_errors_exit_2(files: Path, args: tuple[str, ...], code: int, message: str) -> None:
    result = arpolicy(*args, cwd=files)
    assert result.returncode == code
    assert message in result.stderr


def test_bad_input_exits_1_with_one_line(files: Path) -> None:
    broken = files / "broken"
    dump_ledger(sample_ledger(as_of=date(2026, 11, 2)), broken)
    lines = (broken / "invoices.csv").read_text(encoding="utf-8").splitlines()
    fields = lines[2].split(",")
    fields[2] = "2026-02-30"
    lines[2] = ",".join(fields)
    (broken / "invoices.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = arpolicy("plan", "broken", "--as-of", AS_OF, cwd=files)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: broken/invoices.csv:3: column 'issue_date' = '2026-02-30': "
        "impossible date (day is out of range for month)\n"
    )
    policy = files / "unknown.toml"
    policy.write_text('[playbook.by_profile]\nbusiness = "nope"\n')
    unknown = arpolicy("plan", "ledger", "--policy", str(policy), cwd=files)
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("Error: ")
    assert "nope" in unknown.stderr
    assert len(unknown.stderr.splitlines()) == 1
    debug = arpolicy("--debug", "plan", "broken", "--as-of", AS_OF, cwd=files)
    assert "Traceback" in debug.stderr


def test_verbose_reports_progress_on_stderr(files: Path) -> None:
    result = arpolicy("--verbose", "plan", "ledger", "--as-of", AS_OF, "--format", "csv", cwd=files)
    assert result.returncode == 0
    assert "loading ledger: " in result.stderr
    assert "planning: " in result.stderr


def test_run_issues_each_action_once_and_continues_the_next_day(files: Path) -> None:
    journal = str(files / "journal.db")
    first = arpolicy(
        "run", "ledger", "--journal", journal, "--as-of", AS_OF, "--format", "json", cwd=files
    )
    assert first.returncode == 0, first.stderr
    issued = json.loads(first.stdout)
    assert issued
    plain = arpolicy("plan", "ledger", "--as-of", AS_OF, "--format", "json", cwd=files)
    assert issued == json.loads(plain.stdout)
    again = arpolicy(
        "run", "ledger", "--journal", journal, "--as-of", AS_OF, "--format", "json", cwd=files
    )
    assert json.loads(again.stdout) == []
    dry = arpolicy(
        "run",
        "ledger",
        "--journal",
        journal,
        "--as-of",
        "2026-11-05",
        "--dry-run",
        "--format",
        "json",
        cwd=files,
    )
    later = arpolicy(
        "run",
        "ledger",
        "--journal",
        journal,
        "--as-of",
        "2026-11-05",
        "--format",
        "json",
        cwd=files,
    )
    assert json.loads(dry.stdout) == json.loads(later.stdout)
    keys = [a["key"] for a in issued + json.loads(later.stdout)]
    assert len(keys) == len(set(keys))


def test_journal_commands(files: Path) -> None:
    journal = str(files / "marks.db")
    arpolicy("run", "ledger", "--journal", journal, "--as-of", AS_OF, cwd=files)
    exported = json.loads(arpolicy("journal", "export", "--journal", journal).stdout)
    key = exported[0]["key"]
    listing = arpolicy("journal", "list", "--journal", journal, "--status", "issued")
    assert key in listing.stdout
    failed = arpolicy("journal", "mark", "--journal", journal, key, "--failed", "bounced")
    assert failed.stdout == f"{key}: failed\n"
    shown = json.loads(arpolicy("journal", "show", "--journal", journal, key).stdout)
    assert shown["status"] == "failed"
    # a failed action is issued again by the next run
    retry = arpolicy(
        "run", "ledger", "--journal", journal, "--as-of", AS_OF, "--format", "json", cwd=files
    )
    assert [a["key"] for a in json.loads(retry.stdout)] == [key]
    received = arpolicy("journal", "mark", "--journal", journal, key, "--received", "2026-11-04")
    assert received.stdout == f"{key}: received\n"
    both = arpolicy("journal", "mark", "--journal", journal, key)
    assert both.returncode == 2
    unknown = arpolicy("journal", "mark", "--journal", journal, "nope", "--received", AS_OF)
    assert unknown.returncode == 1
    assert "nope" in unknown.stderr
    missing = arpolicy("journal", "list", "--journal", str(files / "missing.db"))
    assert missing.returncode == 1
    assert "no such journal" in missing.stderr
