"""Messages on the command line: `plan/simulate --render DIR`, `preview`, and
the template checks of `lint`, through the real entry point (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from arpolicy.actions import HistoryEntry
from arpolicy.cli import main
from arpolicy.engine import plan, simulate
from arpolicy.errors import InvalidFieldError, LoadError
from arpolicy.io import dump_ledger, load_ledger
from arpolicy.io.message_files import load_company, message_files, message_stem
from arpolicy.io.output import loads_history
from arpolicy.lint import lint_templates
from arpolicy.messages import Renderer, render
from arpolicy.messages._render import history_by_customer
from arpolicy.playbooks import default_playbook
from arpolicy.plugins import Plugins, make_plugin_manager
from arpolicy.sample import sample_ledger

AS_OF = "2026-11-02"
POLICY = """\
[[policy]]
name = "p"
profiles = ["business", "government", "private"]

[[policy.step]]
name = "nudge"
offset_days = 1
channel = "email"
"""


def arpolicy(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("arpolicy")
    env = {k: v for k, v in os.environ.items() if k != "ARPOLICY_DISABLE_PLUGINS"}
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli-messages")
    dump_ledger(sample_ledger(as_of=date(2026, 11, 2)), root / "ledger")
    return root


def template_dir(root: Path, name: str, source: str) -> Path:
    (root / "en").mkdir(parents=True, exist_ok=True)
    (root / "en" / f"{name}.jinja").write_text(source, encoding="utf-8")
    return root


# -- plan --render -------------------------------------------------------------


def test_render_writes_one_file_per_action_with_attachments(files: Path) -> None:
    result = arpolicy(
        "plan", "ledger", "--as-of", AS_OF, "--format", "json", "--render", "out", cwd=files
    )
    assert result.returncode == 0, result.stderr
    actions = loads_history(result.stdout)
    out = files / "out"
    names = sorted(p.name for p in out.iterdir())
    main_files = [n for n in names if n.endswith((".html", ".txt"))]
    assert len(main_files) == len(actions) > 0
    stems = {n.rsplit(".", 1)[0] for n in main_files}
    assert stems == {f"{a.date.isoformat()}_{a.customer_id}_{a.step}_{a.channel}" for a in actions}
    # every other file is an attachment next to its message
    for name in set(names) - set(main_files):
        assert any(name.startswith(stem + ".") for stem in stems), name
    email = next(a for a in actions if a.channel == "email" and a.invoice_ids)
    stem = f"{AS_OF}_{email.customer_id}_{email.step}_email"
    html = (out / f"{stem}.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.rstrip().endswith("</html>")
    for iid in email.invoice_ids:
        assert iid in html
    assert (out / f"{stem}.invoices-{email.customer_id}-{AS_OF}.csv").is_file()
    internal = [n for n in main_files if n.endswith("_internal.txt")]
    assert internal
    subject, blank, _ = (out / internal[0]).read_text(encoding="utf-8").partition("\n\n")
    assert subject
    assert "\n" not in subject
    assert blank


def test_render_is_deterministic_and_simulate_has_it_too(files: Path) -> None:
    args = ("--from", "2026-10-30", "--to", AS_OF)
    first = arpolicy("simulate", "ledger", *args, "--render", "sim1", cwd=files)
    second = arpolicy("simulate", "ledger", *args, "--render", "sim2", cwd=files)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    one = {p.name: p.read_bytes() for p in (files / "sim1").iterdir()}
    two = {p.name: p.read_bytes() for p in (files / "sim2").iterdir()}
    assert one == two
    assert any(name.startswith("2026-10-30_") for name in one)


def test_a_broken_template_writes_nothing(files: Path, tmp_path: Path) -> None:
    templates = template_dir(
        tmp_path / "t",
        "reminder",
        "{% extends layout %}\n{% block intro %}{{ nope.attr }}{% endblock %}\n",
    )
    out = tmp_path / "out"
    result = arpolicy(
        "plan",
        "ledger",
        "--as-of",
        AS_OF,
        "--render",
        str(out),
        "--templates",
        str(templates),
        "--locale",
        "en",
        cwd=files,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "template 'en/reminder'" in result.stderr
    assert str(templates / "en" / "reminder.jinja") in result.stderr
    assert "line 2" in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_user_template_and_company_reach_the_files(files: Path, tmp_path: Path) -> None:
    templates = template_dir(
        tmp_path / "t",
        "reminder",
        "{% extends layout %}{% block intro %}Our own words.{% endblock %}\n",
    )
    company = tmp_path / "company.toml"
    company.write_text('name = "Example Trading B.V."\niban = "NL91ABNA0417164300"\n')
    out = tmp_path / "out"
    result = arpolicy(
        "plan",
        "ledger",
        "--as-of",
        AS_OF,
        "--render",
        str(out),
        "--templates",
        str(templates),
        "--company",
        str(company),
        "--locale",
        "en",
        cwd=files,
    )
    assert result.returncode == 0, result.stderr
    reminder = next(out.glob("*_reminder_email.html")).read_text(encoding="utf-8")
    assert "Our own words." in reminder
    assert "Example Trading B.V." in reminder


def test_render_without_the_extra_exits_1(
    files: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    result = CliRunner().invoke(
        main,
        ["plan", str(files / "ledger"), "--as-of", AS_OF, "--render", str(tmp_path / "o")],
    )
    assert result.exit_code == 1
    assert "pip install 'arpolicy[messages]'" in result.output
    assert not (tmp_path / "o").exists()


def test_message_files_number_clashing_stems() -> None:
    day = date(2026, 11, 2)

    ledger = sample_ledger(as_of=day)
    action = next(a for a in plan(ledger, as_of=day).actions if a.channel == "email")
    message = render(action, ledger)
    names = list(message_files([(action, message), (action, message)]))
    stem = message_stem(action)
    assert names[0] == f"{stem}.html"
    assert f"{stem}-2.html" in names


def test_company_file_errors_are_typed(tmp_path: Path) -> None:

    bad = tmp_path / "c.toml"
    bad.write_text('nmae = "x"\n')
    with pytest.raises(LoadError, match="unknown key 'nmae'"):
        load_company(bad)
    bad.write_text("iban = 3\n")
    with pytest.raises(LoadError, match="iban must be a string"):
        load_company(bad)


# -- preview ---------------------------------------------------------------------


def test_preview_shows_the_planned_message(files: Path) -> None:
    args = ("preview", "ledger", "--invoice", "INV-2026-0201", "--step", "notice-of-default")
    args = (*args, "--locale", "en")
    result = arpolicy(*args, "--as-of", AS_OF, cwd=files)
    assert result.returncode == 0, result.stderr
    subject, _, text = result.stdout.partition("\n\n")
    assert subject == "Notice of default: invoice INV-2026-0201"
    assert "INV-2026-0201" in text
    assert "Fixed compensation" in text
    assert "Total due" in text
    only = arpolicy(*args, "--as-of", AS_OF, "--part", "subject", cwd=files)
    assert only.stdout == subject + "\n"
    html = arpolicy(*args, "--as-of", AS_OF, "--part", "html", cwd=files)
    assert html.stdout.startswith("<!DOCTYPE html>")
    sms = arpolicy(*args, "--as-of", AS_OF, "--channel", "sms", "--part", "html", cwd=files)
    assert sms.returncode == 1
    assert "no HTML part" in sms.stderr


def test_preview_of_an_unknown_step_lists_the_steps(files: Path) -> None:
    result = arpolicy(
        "preview", "ledger", "--invoice", "INV-2026-0201", "--step", "nope", cwd=files
    )
    assert result.returncode == 1
    assert result.stderr == (
        "Error: invoice 'INV-2026-0201': no step 'nope'; the steps of policy "
        "'business-standard' are: courtesy, call, reminder, stern-reminder, "
        "notice-of-default, final-notice, handover\n"
    )
    missing = arpolicy("preview", "ledger", "--invoice", "NOPE", "--step", "call", cwd=files)
    assert missing.returncode == 1
    assert missing.stderr == "Error: ledger: no invoice 'NOPE'\n"


# -- lint ------------------------------------------------------------------------


def test_lint_reports_a_missing_template(tmp_path: Path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text(POLICY, encoding="utf-8")
    result = arpolicy("lint", str(policy), "--locale", "en")
    assert result.returncode == 0, result.stderr
    assert (
        "warning template-missing (line 6, policy 'p', step 'nudge'): no template en/nudge: "
        "en customers get the 'default' template"
    ) in result.stdout


@pytest.mark.parametrize(
    ("expression", "code"),
    [("nope.attr", "template-error"), ("''.__class__.__mro__", "template-unsafe")],
)
def test_lint_reports_a_template_that_fails(tmp_path: Path, expression: str, code: str) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text(POLICY, encoding="utf-8")
    templates = template_dir(
        tmp_path / "t",
        "nudge",
        "{% extends layout %}\n{% block intro %}{{ " + expression + " }}{% endblock %}\n",
    )
    result = arpolicy("lint", str(policy), "--templates", str(templates), "--locale", "en")
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if code in x)
    assert line.startswith(f"error {code} (line 6, policy 'p', step 'nudge'): en/nudge on email")
    assert str(templates / "en" / "nudge.jinja") in line
    assert "template-missing" not in result.stdout


def test_lint_of_the_builtin_playbook_has_no_template_findings_in_english() -> None:

    assert lint_templates(default_playbook(), locales=["en"]) == []


def test_lint_json_free_output_is_unchanged_for_a_good_policy(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[[policy]]\nname = "p"\nprofiles = ["business", "government", "private"]\n')
    result = arpolicy("lint", str(good))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{good}: no findings\n"
    assert json.dumps(result.stderr) == '""'


def test_lint_reports_a_letter_without_its_legal_wording(tmp_path: Path) -> None:
    templates = template_dir(tmp_path / "t", "fourteen-day-letter", "{% extends layout %}\n")
    policy = Path(__file__).resolve().parents[1] / "src/arpolicy/data/playbooks/default.toml"
    result = arpolicy("lint", str(policy), "--templates", str(templates), "--locale", "en")
    assert result.returncode == 1
    [line] = [x for x in result.stdout.splitlines() if "template-legal" in x]
    assert "step 'fourteen-day-letter'): en/fourteen-day-letter on letter" in line
    assert "term-from-receipt" in line


def test_each_rendered_message_lists_its_customers_notices_before_it(files: Path) -> None:
    """`simulate --history H --render DIR`: every file is the message rendered
    with the whole history and every action of the period (each message lists
    its own customer's notices dated before it), also when the history is
    indexed by customer to render many messages quickly."""
    earlier = arpolicy(
        "simulate", "ledger", "--from", "2026-08-01", "--to", "2026-08-31",
        "--format", "json", "--output", "august.json", cwd=files,
    )  # fmt: skip
    assert earlier.returncode == 0, earlier.stderr
    result = arpolicy(
        "simulate", "ledger", "--from", "2026-09-01", "--to", AS_OF, "--history",
        "august.json", "--render", "autumn", cwd=files,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    ledger = load_ledger(files / "ledger")
    history = loads_history((files / "august.json").read_text(encoding="utf-8"))
    plugins = Plugins(make_plugin_manager())
    actions = simulate(
        ledger,
        start=date(2026, 9, 1),
        end=date(2026, 11, 2),
        history=history,
        plugins=plugins,
    ).actions
    renderer = Renderer(plugins=plugins)
    everything = [*history, *actions]
    expected = message_files((a, renderer.render(a, ledger, history=everything)) for a in actions)
    written = {p.name: p.read_text(encoding="utf-8") for p in (files / "autumn").iterdir()}
    assert written == expected

    # the hand-overs' JSON files list exactly the notices their customer got before
    handovers = [a for a in actions if a.channel == "agency"]
    assert handovers
    listed_august = False
    for handover in handovers:
        stem = message_stem(handover)
        name = next(n for n in written if n.startswith(stem + ".") and n.endswith(".json"))
        notices = json.loads(written[name])["notices_sent"]
        assert notices
        for notice in notices:
            assert notice["date"] < handover.date.isoformat()
        before = {
            (e.date.isoformat(), e.step, e.channel)
            for e in everything
            if e.customer_id == handover.customer_id and e.date < handover.date
        }
        assert {(n["date"], n["step"], n["channel"]) for n in notices} <= before
        listed_august |= any(n["date"].startswith("2026-08") for n in notices)
    assert listed_august  # the history file reaches the messages


def test_history_by_customer_keeps_each_customers_order_and_checks_items() -> None:
    day = date(2026, 11, 2)
    ledger = sample_ledger(as_of=day)
    actions = simulate(ledger, start=date(2026, 10, 1), end=day).actions
    entries = [HistoryEntry.from_action(a) for a in actions[:5]]
    index = history_by_customer([*entries, *actions[5:]])
    assert sorted(index) == sorted({a.customer_id for a in actions})
    for customer, found in index.items():
        assert list(found) == [
            HistoryEntry.from_action(a) for a in actions if a.customer_id == customer
        ]
    with pytest.raises(InvalidFieldError, match="expected HistoryEntry or Action"):
        history_by_customer([*entries, "not an entry"])  # type: ignore[list-item]
