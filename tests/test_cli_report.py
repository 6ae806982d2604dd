"""`arpolicy report` through the real entry point, on the sample portfolio written to files."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from arpolicy import Ledger
from arpolicy.cli import main
from arpolicy.credit import CreditDecision, credit_review
from arpolicy.io import dump_ledger
from arpolicy.io.report_output import REPORT_COLUMNS, dumps_report, report_record
from arpolicy.reports import receivables_report
from arpolicy.sample import sample_ledger, small_ledger
from test_cli_files import AS_OF, arpolicy, golden

LEDGER = sample_ledger(as_of=date(2026, 11, 2))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    dump_ledger(LEDGER, root / "ledger")
    return root


def test_report_table_is_golden(files: Path) -> None:
    result = arpolicy("report", "ledger", "--as-of", AS_OF, cwd=files)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    golden("report-2026-11-02.txt", result.stdout)


def test_report_json_holds_the_same_figures_as_the_library(files: Path) -> None:
    result = arpolicy(
        "report", "ledger", "--as-of", AS_OF, "--from", "2026-01-01", "--format", "json", cwd=files
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    expected = receivables_report(LEDGER, date(2026, 11, 2), start=date(2026, 1, 1))
    assert data == json.loads(json.dumps(report_record(expected)))
    assert data["start"] == "2026-01-01"
    assert data["end"] == AS_OF
    assert data["currencies"] == ["EUR", "GBP", "USD"]
    # money is a decimal string with its currency, never a float
    assert data["dso"][0]["receivables"] == {
        "amount": format(expected.dso[0].receivables.amount, "f"),
        "currency": "EUR",
    }


def test_report_csv_is_long_and_complete(files: Path) -> None:
    result = arpolicy("report", "ledger", "--as-of", AS_OF, "--format", "csv", cwd=files)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == REPORT_COLUMNS
    sections = {row[0] for row in rows[1:]}
    assert sections == {
        "period",
        "aging",
        "dso",
        "dbt",
        "days_to_pay",
        "cei",
        "disputed",
        "written_off",
        "trend",
        "seasonality",
        "top_overdue",
    }
    # every aging bucket total of EUR, and their sum, as exact decimals
    report = receivables_report(LEDGER, date(2026, 11, 2))
    eur = {r[3]: r[4] for r in rows if r[:3] == ["aging", "total", "EUR"]}
    buckets = report.aging.totals["EUR"]
    assert [eur[label] for label in report.aging.labels] == [str(m.amount) for m in buckets]
    assert eur["total"] == str(sum(m.amount for m in buckets))


def test_report_options_change_the_figures(files: Path) -> None:
    runner = CliRunner()
    args = ["report", str(files / "ledger"), "--as-of", AS_OF, "--format", "json"]
    result = runner.invoke(main, [*args, "--buckets", "0,14", "--top", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["aging"]["labels"] == ["current", "1-14", "14+"]
    by_currency: dict[str, int] = {}
    for item in data["top_overdue"]:
        by_currency[item["currency"]] = by_currency.get(item["currency"], 0) + 1
    assert max(by_currency.values()) == 2


def test_report_writes_an_html_file(files: Path) -> None:
    out = files / "report.html"
    result = arpolicy(
        "report",
        "ledger",
        "--as-of",
        AS_OF,
        "--format",
        "html",
        "--output",
        "report.html",
        cwd=files,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<svg" in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    )


def test_html_without_matplotlib_says_which_extra_to_install(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes "import matplotlib" raise ImportError.
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = CliRunner().invoke(
        main, ["report", str(files / "ledger"), "--as-of", AS_OF, "--format", "html"]
    )
    assert result.exit_code == 1
    assert "arpolicy[html]" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--buckets", "30,10"], "increasing whole numbers"),
        (["--buckets", "a,b"], "increasing whole numbers"),
        (["--top", "-1"], "-1"),
        (["--from", "2026-05-01", "--to", "2026-01-01"], "is before --from 2026-05-01"),
        (["--format", "pdf"], "'pdf' is not one of"),
    ],
)
def test_bad_options_exit_2_and_say_why(files: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["report", str(files / "ledger"), "--as-of", AS_OF, *args])
    assert result.exit_code == 2
    assert message in result.output


def test_a_bad_ledger_exits_1_naming_the_file(tmp_path: Path) -> None:
    dump_ledger(LEDGER, tmp_path / "ledger")
    invoices = tmp_path / "ledger" / "invoices.csv"
    lines = invoices.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("EUR", "XXX", 1)
    invoices.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = arpolicy("report", str(tmp_path / "ledger"), "--as-of", AS_OF)
    assert result.returncode == 1
    assert "invoices.csv:2: column 'currency' = 'XXX'" in result.stderr


def test_table_format_of_an_empty_ledger() -> None:
    text = dumps_report(receivables_report(Ledger([]), date(2026, 11, 2)), "table")
    assert text.startswith("Receivables report on 2026-11-02, period 2025-12-01 to 2026-11-02\n")
    with pytest.raises(ValueError, match="unknown report format"):
        dumps_report(receivables_report(Ledger([]), date(2026, 11, 2)), "xml")  # type: ignore[arg-type]


def test_the_how_to_shows_the_real_output(tmp_path: Path) -> None:
    # docs/how-to/receivables-reports.md prints the table for the small ledger; keep it true.
    page = Path(__file__).resolve().parent.parent / "docs" / "how-to" / "receivables-reports.md"
    text = page.read_text(encoding="utf-8")
    command, shown = re.search(
        r"```bash\n(arpolicy report [^\n]*)\n```\n\n```text\n(.*?)```", text, re.S
    ).groups()  # type: ignore[union-attr]
    dump_ledger(small_ledger(), tmp_path / "ledger")
    result = arpolicy(*command.split()[1:], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == shown


def test_credit_review_in_every_format(files: Path) -> None:
    review = credit_review(LEDGER, date(2026, 11, 2))
    shown = [r for r in review if r.reviewable]
    # reviewable: a hold or deposit advised, or a credit limit
    assert shown
    assert all(r.decision is not CreditDecision.NONE or r.exposures[0].limit for r in shown)
    runner = CliRunner()
    args = ["report", str(files / "ledger"), "--as-of", AS_OF, "--credit", "--format"]
    data = json.loads(runner.invoke(main, [*args, "json"]).output)
    assert [(c["customer_id"], c["decision"]) for c in data["credit"]] == [
        (r.customer_id, str(r.decision)) for r in shown
    ]
    rows = list(csv.reader(io.StringIO(runner.invoke(main, [*args, "csv"]).output)))
    decisions = {(r[1], r[4]) for r in rows if r[0] == "credit" and r[3] == "decision"}
    assert decisions == {(r.customer_id, str(r.decision)) for r in shown}
    table = runner.invoke(main, [*args, "table"]).output
    assert f"Credit review on {AS_OF}" in table
    html = runner.invoke(main, [*args, "html"]).output
    assert '<table data-table="credit"' in html
    # without --credit there is no review
    plain = json.loads(runner.invoke(main, [*args[:-2], "--format", "json"]).output)
    assert "credit" not in plain
