"""The command line's default "today" is each customer's own date.

The clock is the command line's (``cli._local_now``), fixed here at
2026-03-02 20:00 UTC: Tuesday 3 March in Auckland, Monday 2 March in Los
Angeles and in UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from arpolicy import cli
from arpolicy.io import dump_ledger, dump_playbook
from arpolicy.journal import Journal
from engine_helpers import customer, invoice, ledger, playbook, policy, step

NOW = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
DUE = date(2026, 3, 1)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(cli, "_local_now", lambda: NOW)
    books = ledger(
        [
            invoice("I-NZ", customer_id="NZ1", due=DUE),
            invoice("I-LA", customer_id="LA1", due=DUE),
        ],
        customers=[
            customer("NZ1", country="NZ", timezone="Pacific/Auckland"),
            customer("LA1", country="US", timezone="America/Los_Angeles"),
        ],
    )
    dump_ledger(books, tmp_path / "ledger.json")
    dump_playbook(
        playbook(policy("std", (step("first", 1), step("second", 2)), catch_up="highest")),
        tmp_path / "p.toml",
    )
    return tmp_path


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _dates(output: str) -> dict[str, tuple[str, str]]:
    return {a["customer_id"]: (a["date"], a["step"]) for a in json.loads(output)}


def test_plan_without_a_date_plans_each_customer_on_its_own_today(files: Path) -> None:
    ledger_file, policy_file = str(files / "ledger.json"), str(files / "p.toml")
    out = _invoke("plan", ledger_file, "--policy", policy_file, "--format", "json")
    assert _dates(out) == {"NZ1": ("2026-03-03", "second"), "LA1": ("2026-03-02", "first")}
    table = _invoke("plan", ledger_file, "--policy", policy_file)
    assert "Actions on 2026-03-02: 2" in table
    assert "2026-03-03" in table  # a date column: the actions carry different dates
    dated = _invoke("plan", ledger_file, "--policy", policy_file, "--as-of", "2026-03-02")
    assert "2026-03-03" not in dated  # one date for everyone, no date column
    fixed = _invoke(
        "plan", ledger_file, "--policy", policy_file, "--as-of", "2026-03-02", "--format", "json"
    )
    assert _dates(fixed) == {"NZ1": ("2026-03-02", "first"), "LA1": ("2026-03-02", "first")}


def test_run_without_a_date_records_each_customer_on_its_own_today(files: Path) -> None:
    journal = str(files / "journal.db")
    ledger_file, policy_file = str(files / "ledger.json"), str(files / "p.toml")
    args = ("run", ledger_file, "--journal", journal, "--policy", policy_file, "--format", "json")
    assert _dates(_invoke(*args)) == {
        "NZ1": ("2026-03-03", "second"),
        "LA1": ("2026-03-02", "first"),
    }
    assert _invoke(*args) == "[]\n"
    with Journal.open(journal) as opened:
        assert {(e.customer_id, e.date) for e in opened.entries()} == {
            ("NZ1", date(2026, 3, 3)),
            ("LA1", date(2026, 3, 2)),
        }
        assert [r.as_of for r in opened.runs()] == [date(2026, 3, 2)] * 2


def test_explain_without_a_date_uses_the_customers_today(files: Path) -> None:
    ledger_file, policy_file = str(files / "ledger.json"), str(files / "p.toml")
    out = _invoke("explain", ledger_file, "--invoice", "I-NZ", "--policy", policy_file)
    assert "on 2026-03-03" in out.splitlines()[0]
    assert "today: second by email" in out
