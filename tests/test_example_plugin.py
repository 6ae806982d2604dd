"""The example plugin distribution ``examples/arpolicy-whatsapp``, end to end.

The distribution is built and installed with pip into a temporary directory
(once per module), exactly as a user's ``pip install`` would, and exercised in
a separate Python process whose ``PYTHONPATH`` holds that directory: arpolicy
must find it through its ``arpolicy`` entry point. The test process itself
never sees the plugin, so other tests' entry-point discovery is unaffected.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from arpolicy.io import dump_ledger
from arpolicy.model import Customer, Invoice, Ledger
from arpolicy.money import Money

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "arpolicy-whatsapp"

# Runs in the child process and prints what it saw as JSON. The ledger, on a
# Monday: a VIP customer V1 with an invoice 29 days overdue (the skip rule
# holds it), one exactly 30 days overdue (dunned, without the fee) and one
# 45 days overdue (hand-over to the agency, vetoed); a regular customer N1
# with one invoice 10 days overdue (dunned on WhatsApp, with the fee) and one
# 45 days overdue (handed over).
SCRIPT = textwrap.dedent(
    """
    import json
    from datetime import date, timedelta

    from arpolicy import plan, simulate
    from arpolicy.fees import Fee, StatutoryInterest
    from arpolicy.model import Contacts, Customer, Invoice, Ledger
    from arpolicy.money import Money
    from arpolicy.plugins import Plugins, make_plugin_manager
    from arpolicy.policy import Playbook, Policy, Step

    AS_OF = date(2026, 5, 4)

    def ago(n):
        return AS_OF - timedelta(days=n)

    plugins = Plugins(make_plugin_manager())
    channels = plugins.channels()
    nudge_channel = "whatsapp-business" if "whatsapp-business" in channels else "sms"
    book = Playbook([
        Policy(
            "b2b",
            [
                Step(
                    "nudge", 1, [nudge_channel], deadline_days=7,
                    fees=[Fee(name="admin", fixed=[Money("5.00", "EUR")]), StatutoryInterest()],
                ),
                Step("handover", 40, ["agency"], tone="final", action="handover"),
            ],
            profiles=["business"],
            # the invoices 45 days overdue go straight to the agency on this
            # first run (the default, "resume", would nudge them first)
            catch_up="highest",
        )
    ])
    vip = Customer("V1", "Vera B.V.", "business", "NL", tags={"vip"},
                   contacts=Contacts(whatsapp="+31600000001"))
    regular = Customer("N1", "Nils B.V.", "business", "NL",
                       contacts=Contacts(whatsapp="+31600000002"))

    def invoice(iid, cid, overdue, link=None):
        due = ago(overdue)
        return Invoice(iid, cid, due - timedelta(days=30), due, Money("100.00", "EUR"),
                       payment_link=link)

    ledger = Ledger(
        [vip, regular],
        [
            invoice("V-QUIET", "V1", 29),
            invoice("V-NUDGE", "V1", 30),
            invoice("V-AGENCY", "V1", 45),
            invoice("N-NUDGE", "N1", 10, "https://pay.example/N-NUDGE"),
            invoice("N-AGENCY", "N1", 45),
        ],
    )
    result = plan(ledger, as_of=AS_OF, playbook=book, plugins=plugins)
    later = simulate(ledger, start=AS_OF, end=AS_OF + timedelta(days=1), playbook=book,
                     plugins=plugins)

    def action_facts(a):
        return {
            "date": a.date.isoformat(), "customer": a.customer_id,
            "invoices": list(a.invoice_ids), "step": a.step, "channel": a.channel,
            "fees": None if a.fees is None else str(a.fees),
            "charges": sorted(c.kind.value for c in a.charges),
        }

    payloads = {}
    for action in result.actions:
        if action.channel == "whatsapp-business":
            p = plugins.render(action, ledger)
            payloads[action.customer_id] = {
                "channel": p.channel, "kind": p.kind, "to": p.to, "subject": p.subject,
                "body": p.body, "data": dict(p.data),
                "total_due": str(action.total_due), "deadline": action.deadline.isoformat(),
            }
    info = {
        "plugins": [[p.name, p.source, list(p.hooks)] for p in plugins.describe()],
        "channels": sorted(channels),
        "sources": dict(plugins.channel_sources()),
        "channel": (
            {"contact": channels["whatsapp-business"].contact,
             "weekends": channels["whatsapp-business"].weekends}
            if "whatsapp-business" in channels else None
        ),
        "actions": [action_facts(a) for a in result.actions],
        "skipped": [[s.customer_id, s.invoice_id, s.reason.value, s.detail, s.step]
                    for s in result.skipped],
        "later": [action_facts(a) for a in later.actions],
        "payloads": payloads,
    }
    print(json.dumps(info))
    """
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example, built by pip and installed into a fresh directory."""
    target = tmp_path_factory.mktemp("site")
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--disable-pip-version-check",
        "--quiet",
        "--target",
        str(target),
        str(EXAMPLE),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, f"pip could not install the example:\n{done.stderr}"
    return target


def run_script(site: Path, disable: str | None) -> dict[str, Any]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "ARPOLICY_DISABLE_PLUGINS"}
    }
    env["PYTHONPATH"] = str(site)
    if disable is not None:
        env["ARPOLICY_DISABLE_PLUGINS"] = disable
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=site,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def enabled(site: Path) -> dict[str, Any]:
    return run_script(site, None)


@pytest.fixture(scope="module")
def disabled(site: Path) -> dict[str, Any]:
    return run_script(site, "whatsapp")


def actions_of(info: dict[str, Any], customer: str) -> dict[str, dict[str, Any]]:
    return {a["step"]: a for a in info["actions"] if a["customer"] == customer}


def skips(info: dict[str, Any], reason: str) -> list[list[Any]]:
    return [s for s in info["skipped"] if s[2] == reason]


def test_pip_installs_the_distribution_with_its_entry_point(site: Path) -> None:
    (dist,) = site.glob("arpolicy_whatsapp-*.dist-info")
    assert (dist / "entry_points.txt").read_text().split() == [
        "[arpolicy]",
        "whatsapp",
        "=",
        "arpolicy_whatsapp",
    ]
    assert (site / "arpolicy_whatsapp" / "py.typed").is_file()


def test_the_plugin_is_discovered_by_its_entry_point(enabled: dict[str, Any]) -> None:
    names = [p[0] for p in enabled["plugins"]]
    assert names == ["arpolicy.channels", "arpolicy.rules", "whatsapp"]
    _, source, hooks = enabled["plugins"][2]
    assert source == "entry point of arpolicy-whatsapp 0.1.0"
    assert hooks == [
        "arpolicy_adjust_action",
        "arpolicy_register_channels",
        "arpolicy_skip_invoice",
    ]


def test_the_channel_is_registered(enabled: dict[str, Any]) -> None:
    assert "whatsapp-business" in enabled["channels"]
    assert enabled["sources"]["whatsapp-business"] == "whatsapp"
    assert enabled["channel"] == {"contact": "whatsapp", "weekends": True}


def test_the_channel_renders_a_short_text_with_amount_deadline_and_link(
    enabled: dict[str, Any],
) -> None:
    payload = enabled["payloads"]["N1"]
    assert (payload["channel"], payload["kind"], payload["to"], payload["subject"]) == (
        "whatsapp-business",
        "message",
        "+31600000002",
        "nudge",
    )
    body = payload["body"]
    assert f"{payload['total_due']} is due on invoice N-NUDGE." in body
    assert f"Please pay by {payload['deadline']}." in body
    assert "Pay here: https://pay.example/N-NUDGE" in body
    assert len(body) < 400  # a short text
    assert payload["data"]["payment_links"] == "https://pay.example/N-NUDGE"
    assert payload["data"]["amount_due"] == payload["total_due"]
    # V1's invoice has no payment link: no "Pay here" line
    assert "Pay here" not in enabled["payloads"]["V1"]["body"]
    assert enabled["payloads"]["V1"]["to"] == "+31600000001"


def test_vip_invoices_less_than_30_days_overdue_are_skipped_by_the_rule(
    enabled: dict[str, Any],
) -> None:
    (skip,) = skips(enabled, "rule")
    customer, invoice, _, detail, _ = skip
    assert (customer, invoice) == ("V1", "V-QUIET")
    assert "2026-05-05" in detail  # the day it is 30 days overdue
    assert detail.endswith("(plugin 'whatsapp')")
    # 30 days overdue exactly: dunned
    assert actions_of(enabled, "V1")["nudge"]["invoices"] == ["V-NUDGE"]
    # the skip's `until` wakes simulate up on the day the rule stops applying
    quiet = [a for a in enabled["later"] if a["invoices"] == ["V-QUIET"]]
    assert [(a["date"], a["step"]) for a in quiet] == [("2026-05-05", "nudge")]


def test_vip_agency_handover_is_vetoed(enabled: dict[str, Any]) -> None:
    (veto,) = skips(enabled, "vetoed")
    customer, invoice, _, detail, step = veto
    assert (customer, invoice, step) == ("V1", "V-AGENCY", "handover")
    assert "collection agency" in detail
    assert "handover" not in actions_of(enabled, "V1")
    assert actions_of(enabled, "N1")["handover"]["channel"] == "agency"


def test_vip_actions_carry_no_fee_but_keep_other_charges(enabled: dict[str, Any]) -> None:
    vip = actions_of(enabled, "V1")["nudge"]
    regular = actions_of(enabled, "N1")["nudge"]
    assert regular["fees"] == "5.00 EUR"
    assert "fee" in regular["charges"]
    assert vip["fees"] is None
    assert "fee" not in vip["charges"]
    assert "interest" in vip["charges"]  # statutory interest is not a fee


def test_disabling_by_environment_turns_everything_off(
    enabled: dict[str, Any], disabled: dict[str, Any]
) -> None:
    assert [p[0] for p in disabled["plugins"]] == ["arpolicy.channels", "arpolicy.rules"]
    assert "whatsapp-business" not in disabled["channels"]
    assert disabled["payloads"] == {}
    assert skips(disabled, "rule") == []
    assert skips(disabled, "vetoed") == []
    vip = actions_of(disabled, "V1")
    assert vip["handover"]["channel"] == "agency"
    assert vip["nudge"]["fees"] == "5.00 EUR"
    assert vip["nudge"]["invoices"] == ["V-NUDGE", "V-QUIET"]
    # the same ledger, so the difference is the plugin's doing
    assert len(disabled["actions"]) == len(enabled["actions"]) + 1


CLI_POLICY = textwrap.dedent(
    """
    [playbook]
    name = "cli"

    [[policy]]
    name = "b2b"
    profiles = ["business"]

    [[policy.step]]
    name = "nudge"
    offset_days = 1
    channel = "email"
    """
)


def test_the_command_line_uses_installed_plugins(site: Path, tmp_path: Path) -> None:
    # V1 is tagged vip: with the plugin its invoice 10 days overdue is skipped by the
    # plugin's rule; with the plugin disabled it gets the nudge.
    ledger = Ledger(
        [Customer("V1", "Vera B.V.", "business", "NL", tags={"vip"})],
        [Invoice("V-1", "V1", date(2026, 3, 25), date(2026, 4, 24), Money("100.00", "EUR"))],
    )
    dump_ledger(ledger, tmp_path / "ledger")
    (tmp_path / "policy.toml").write_text(CLI_POLICY, encoding="utf-8")
    script = Path(sys.executable).with_name("arpolicy")
    command = [str(script), "plan", "ledger", "--policy", "policy.toml", "--as-of", "2026-05-04"]

    def run(disable: str | None) -> list[dict[str, Any]]:
        env = {k: v for k, v in os.environ.items() if k != "ARPOLICY_DISABLE_PLUGINS"}
        env["PYTHONPATH"] = str(site)
        if disable is not None:
            env["ARPOLICY_DISABLE_PLUGINS"] = disable
        done = subprocess.run(
            [*command, "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
            env=env,
            cwd=tmp_path,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        actions: list[dict[str, Any]] = json.loads(done.stdout)
        return actions

    assert run(None) == []
    assert [a["step"] for a in run("whatsapp")] == ["nudge"]
