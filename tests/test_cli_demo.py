"""The ``arpolicy`` command line: ``--version`` and ``demo``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import arpolicy
from arpolicy import cli
from arpolicy.cli import main
from arpolicy.sample import SAMPLE_AS_OF, sample_ledger

# The environment must not change the bytes printed when not on a terminal.
NOISY_ENV = {"FORCE_COLOR": "1", "COLUMNS": "40", "TTY_COMPATIBLE": "1"}


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(main, list(args), prog_name="arpolicy", catch_exceptions=False)


@pytest.fixture(scope="module")
def default_output() -> str:
    result = run("demo", "--as-of", "2026-11-02")
    assert result.exit_code == 0, result.output
    return result.stdout


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,} {currency}"


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"arpolicy, version {arpolicy.__version__}\n"


def test_help_lists_demo() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "demo" in result.stdout
    assert run().exit_code == 2  # a command is required


def test_demo_shows_customers_by_profile_and_country(default_output: str) -> None:
    ledger = sample_ledger()
    assert default_output.startswith("Sample portfolio (seed 2026) as of 2026-11-02\n")
    assert f"Customers ({len(ledger.customers)})" in default_output
    lines = {line.split()[0]: line.split()[1:] for line in default_output.splitlines() if line}
    assert lines["profile"] == ["BE", "DE", "FR", "GB", "NL", "total"]
    for profile in arpolicy.Profile:
        expected = [
            sum(1 for c in ledger.customers if c.profile is profile and c.country == country)
            for country in ("BE", "DE", "FR", "GB", "NL")
        ]
        assert lines[profile.value] == [*map(str, expected), str(sum(expected))]


def test_demo_open_and_overdue_balances_per_currency(default_output: str) -> None:
    ledger = sample_ledger()
    as_of = SAMPLE_AS_OF
    open_total: dict[str, Decimal] = defaultdict(Decimal)
    overdue_total: dict[str, Decimal] = defaultdict(Decimal)
    open_count: dict[str, int] = defaultdict(int)
    for iid, balance in ledger.balances(as_of).items():
        if balance.is_positive():
            open_total[balance.currency] += balance.amount
            open_count[balance.currency] += 1
            if ledger.invoice(iid).due_date < as_of:
                overdue_total[balance.currency] += balance.amount
    assert set(open_total) == {"EUR", "GBP", "USD"}
    rows = {
        line.split()[0]: line
        for line in default_output.splitlines()
        if line.split()[:1] in (["EUR"], ["GBP"], ["USD"])
    }
    for currency, total in open_total.items():
        row = rows[currency]
        assert row.split()[1] == str(open_count[currency])
        assert money(total, currency) in row
        assert money(overdue_total[currency], currency) in row
    # Currencies are never added up: the section has one row per currency, no total.
    section = default_output.split("Open balances per currency")[1].split("\n\n", maxsplit=1)[0]
    body = section.splitlines()[3:]  # after the title's end, the header and the rule
    assert [line.split()[0] for line in body] == ["EUR", "GBP", "USD"]


def test_demo_lists_overdue_plans_trials_and_exceptions(default_output: str) -> None:
    ledger = sample_ledger()
    overdue = [
        ledger.invoice(iid)
        for iid, b in ledger.balances(SAMPLE_AS_OF).items()
        if b.is_positive() and ledger.invoice(iid).due_date < SAMPLE_AS_OF
    ]
    oldest = min(overdue, key=lambda inv: (inv.due_date, inv.id))
    assert f"Longest overdue (10 of {len(overdue)} overdue items)" in default_output
    oldest_row = next(line for line in default_output.splitlines() if oldest.id in line)
    assert str(oldest.days_overdue(SAMPLE_AS_OF)) in oldest_row.split()
    assert "Open items disputed: 2; on hold: 1. Customers with a dunning block: 1." in (
        default_output
    )
    assert "(1 broken, 1 completed, 1 on_track)" in default_output
    for plan in ledger.plans:
        assert plan.id in default_output
    assert "TRIAL-01" in default_output
    assert "30-day free trial" in default_output
    assert "free support hours" not in default_output  # ends later than 30 days


def test_demo_output_is_plain_narrow_and_stable(default_output: str) -> None:
    assert "\x1b" not in default_output
    lines = default_output.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert all(line == line.rstrip() for line in lines)
    assert run("demo", "--as-of", "2026-11-02", env=NOISY_ENV).stdout == default_output
    assert run("demo", "--as-of", "2026-11-02", "--seed", "2026").stdout == default_output


def test_demo_builds_the_portfolio_around_the_date() -> None:
    result = run("demo", "--as-of", "2026-09-01")
    assert result.exit_code == 0
    assert result.stdout.startswith("Sample portfolio (seed 2026) as of 2026-09-01\n")
    ledger = sample_ledger(as_of=date(2026, 9, 1))
    issued = sum(1 for i in ledger.invoices if i.issue_date <= date(2026, 9, 1))
    assert f"\n{issued} invoices, deposit requests and credit notes" in result.stdout


def test_demo_defaults_to_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_today", lambda: date(2026, 11, 2))
    assert run("demo").stdout == run("demo", "--as-of", "2026-11-02").stdout


def test_demo_plans_the_day_after_sixty_days_of_history(default_output: str) -> None:
    day = date(2026, 11, 2)
    ledger = sample_ledger(as_of=day)
    past = arpolicy.simulate(ledger, start=day - timedelta(days=60), end=day - timedelta(days=1))
    today = arpolicy.plan(ledger, as_of=day, history=past.actions)
    assert today.actions
    assert f"Actions on 2026-11-02: {len(today.actions)} (" in default_output
    for action in today.actions:
        assert action.step in default_output
    coming = arpolicy.simulate(
        ledger,
        start=day + timedelta(days=1),
        end=day + timedelta(days=14),
        history=[*past.actions, *today.actions],
    )
    assert f"The next 14 days, if nothing is paid: {len(coming.actions)} actions" in default_output
    blocked = today.skipped_by_reason()[arpolicy.SkipReason.BLOCKED]
    assert f"Without an action today: {blocked} blocked" in default_output


def test_demo_other_seed() -> None:
    result = run("demo", "--seed", "7", "--as-of", "2026-11-02")
    assert result.exit_code == 0
    assert result.stdout.startswith("Sample portfolio (seed 7) as of 2026-11-02\n")


def test_demo_synthetic_size() -> None:
    result = run("demo", "--size", "300", "--seed", "4", "--as-of", "2026-11-02")
    assert result.exit_code == 0
    assert result.stdout.startswith("Synthetic portfolio (300 invoices, seed 4) as of 2026-11-02")
    assert "Customers (30)" in result.stdout
    assert "History: none, a first run" in result.stdout
    again = run("demo", "--size", "300", "--seed", "4", "--as-of", "2026-11-02")
    assert again.stdout == result.stdout
    tiny = run("demo", "--size", "3")
    assert tiny.exit_code == 0
    assert "Customers (1)" in tiny.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["demo", "--as-of", "2026-13-01"],
        ["demo", "--as-of", "tomorrow"],
        ["demo", "--size", "0"],
        ["demo", "--seed", "x"],
        ["demo", "--bogus"],
    ],
)
def test_demo_bad_arguments_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1


def test_bad_as_of_message_names_the_option() -> None:
    result = run("demo", "--as-of", "02-11-2026")
    assert "Invalid value for '--as-of': '02-11-2026'" in result.stderr


# ---------------------------------------------------------------------------
# real processes
# ---------------------------------------------------------------------------


def _subprocess(command: list[str]) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", **NOISY_ENV}
    return subprocess.run(command, capture_output=True, env=env, timeout=120, check=False)


def test_python_dash_m_arpolicy(default_output: str) -> None:
    done = _subprocess([sys.executable, "-m", "arpolicy", "demo", "--as-of", "2026-11-02"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8") == default_output
    bad = _subprocess([sys.executable, "-m", "arpolicy", "demo", "--as-of", "2026-02-30"])
    assert bad.returncode == 2
    assert b"--as-of" in bad.stderr


def test_console_script(default_output: str) -> None:
    script = Path(sys.executable).with_name("arpolicy")
    if not script.exists():
        pytest.skip("the arpolicy console script is not installed next to this Python")
    done = _subprocess([str(script), "demo", "--as-of", "2026-11-02"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8") == default_output
    version = _subprocess([str(script), "--version"])
    assert version.stdout.decode() == f"arpolicy, version {arpolicy.__version__}\n"


# ---------------------------------------------------------------------------
# the tutorial shows the real output
# ---------------------------------------------------------------------------

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorials" / "sample-portfolio.md"


def text_blocks(path: Path) -> list[str]:
    blocks = path.read_text(encoding="utf-8").split("```text\n")[1:]
    return [block.split("\n```", 1)[0] + "\n" for block in blocks]


def test_tutorial_shows_the_current_demo_output(default_output: str) -> None:
    shown = [b for b in text_blocks(TUTORIAL) if b.startswith("Sample portfolio")]
    assert shown == [default_output]


def test_tutorial_shows_the_current_error_message() -> None:
    result = run("demo", "--as-of", "2026-13-01")
    shown = [b for b in text_blocks(TUTORIAL) if b.startswith("Usage:")]
    assert shown == [result.stderr]
