"""A misspelt channel is an error, not a warning (issue 14, item 9).

A step channel that no plugin provides is refused where the playbook is
loaded (with the file and line) and where ``plan``/``simulate`` receive it,
with a "did you mean 'email'?"; before, lint warned and ``plan`` emitted
actions on channel "emial".
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from arpolicy.actions import Action
from arpolicy.channels import Channel, Payload, RenderContext
from arpolicy.engine import plan, simulate
from arpolicy.errors import ArpolicyError, UnknownChannelError
from arpolicy.io import dump_ledger, load_playbook, loads_playbook
from arpolicy.model import Customer, Invoice, Ledger
from arpolicy.money import Money
from arpolicy.plugins import Plugins, hookimpl, make_plugin_manager
from arpolicy.policy import Playbook, Policy, Step

POLICY = """\
[playbook.by_profile]
business = "b2b"

[[policy]]
name = "b2b"
profiles = ["business"]

[[policy.step]]
name = "reminder"
offset_days = 3
channel = ["letter", "emial"]
"""

LEDGER = Ledger(
    [Customer("C1", "Bakker B.V.", "business", "NL")],
    [Invoice("I1", "C1", date(2026, 1, 1), date(2026, 1, 31), Money("100.00", "EUR"))],
)


def _pigeon(action: Action, context: RenderContext) -> Payload:
    return Payload("pigeon", "message", context.customer.name, action.step, action.key)


class Pigeons:
    @hookimpl
    def arpolicy_register_channels(self) -> Sequence[Channel]:
        return [Channel("pigeon", _pigeon)]


def with_pigeons() -> Plugins:
    return Plugins(make_plugin_manager(plugins=[Pigeons()], entry_points=False))


def book(*channels: str) -> Playbook:
    return Playbook([Policy("b2b", [Step("reminder", 3, list(channels))], profiles=["business"])])


def test_a_policy_file_with_a_misspelt_channel_does_not_load(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(POLICY, encoding="utf-8")
    with pytest.raises(UnknownChannelError) as info:
        load_playbook(path)
    error = info.value
    assert isinstance(error, ArpolicyError)
    assert (error.file, error.line, error.policy, error.step) == (str(path), 11, "b2b", "reminder")
    assert (error.channel, error.suggestions) == ("emial", ("email",))
    assert "email" in error.known
    assert str(error).startswith(
        f"{path}:11: policy 'b2b', step 'reminder': unknown channel 'emial'; "
        "did you mean 'email'? (known: agency, email, "
    )


def test_a_channel_nothing_resembles_gets_no_suggestion() -> None:
    with pytest.raises(UnknownChannelError) as info:
        loads_playbook(POLICY.replace('"emial"', '"pigeon"'), source="p.toml")
    assert info.value.suggestions == ()
    assert "did you mean" not in str(info.value)
    assert str(info.value).startswith("p.toml:11: policy 'b2b', step 'reminder': unknown channel")


def test_a_channel_of_a_plugin_loads_with_that_plugin() -> None:
    text = POLICY.replace('"emial"', '"pigeon"')
    loaded = loads_playbook(text, plugins=with_pigeons())
    assert loaded.policy("b2b").steps[0].channels == ("letter", "pigeon")


def test_plan_refuses_a_playbook_with_a_misspelt_channel() -> None:
    with pytest.raises(UnknownChannelError) as info:
        plan(LEDGER, as_of=date(2026, 2, 3), playbook=book("emial"))
    error = info.value
    assert (error.file, error.line, error.channel, error.suggestions) == (
        None,
        None,
        "emial",
        ("email",),
    )
    assert str(error).startswith(
        "policy 'b2b', step 'reminder': unknown channel 'emial'; did you mean 'email'?"
    )
    with pytest.raises(UnknownChannelError):
        simulate(LEDGER, start=date(2026, 2, 1), end=date(2026, 2, 5), playbook=book("emial"))


def test_plan_knows_the_channels_of_its_plugins() -> None:
    with pytest.raises(UnknownChannelError):
        plan(LEDGER, as_of=date(2026, 2, 3), playbook=book("pigeon"))
    (action,) = plan(
        LEDGER, as_of=date(2026, 2, 3), playbook=book("pigeon"), plugins=with_pigeons()
    ).actions
    assert action.channel == "pigeon"
    (action,) = plan(LEDGER, as_of=date(2026, 2, 3), playbook=book("email")).actions
    assert action.channel == "email"


# -- the command line ------------------------------------------------------------


def arpolicy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("arpolicy")
    env = {k: v for k, v in os.environ.items() if k != "ARPOLICY_DISABLE_PLUGINS"}
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )


def test_arpolicy_plan_and_lint_refuse_a_misspelt_channel(tmp_path: Path) -> None:
    dump_ledger(LEDGER, tmp_path / "ledger")
    (tmp_path / "policy.toml").write_text(POLICY, encoding="utf-8")
    result = arpolicy(
        "plan", "ledger", "--policy", "policy.toml", "--as-of", "2026-02-03", cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "Error: policy.toml:11: policy 'b2b', step 'reminder': unknown channel 'emial'; "
        "did you mean 'email'?"
    )
    linted = arpolicy("lint", "policy.toml", cwd=tmp_path)
    assert linted.returncode == 1
    assert (
        "error unknown-channel (line 11, policy 'b2b', step 'reminder'): "
        "unknown channel 'emial'; did you mean 'email'?"
    ) in linted.stdout
    (tmp_path / "policy.toml").write_text(POLICY.replace("emial", "email"), encoding="utf-8")
    fixed = arpolicy(
        "plan", "ledger", "--policy", "policy.toml", "--as-of", "2026-02-03", cwd=tmp_path
    )
    assert fixed.returncode == 0, fixed.stderr
    assert "emial" not in fixed.stdout
