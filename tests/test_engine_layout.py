"""The engine's layout: a pipeline of stages that reads no file, and plugins
without an import circle (DESIGN.md, issue 16 item 7)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

from arpolicy.engine import plan, simulate
from arpolicy.playbooks import default_playbook
from arpolicy.sample import SAMPLE_AS_OF, sample_ledger

STAGES = (
    "arpolicy.engine.history",
    "arpolicy.engine.candidates",
    "arpolicy.engine.notices",
    "arpolicy.engine.charges",
    "arpolicy.engine.vetoes",
    "arpolicy.engine.customer",
    "arpolicy.engine.planning",
    "arpolicy.engine.simulation",
)


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout
    return set(json.loads(out))


def test_the_engine_stages_import_no_file_reader() -> None:
    modules = _modules_after("".join(f"import {m}\n" for m in STAGES))
    assert {m for m in modules if m.startswith("arpolicy.io")} == set()
    assert "arpolicy.playbooks" not in modules


def test_the_built_in_plugins_do_not_import_the_plugin_manager() -> None:
    modules = _modules_after("import arpolicy.builtins.rules, arpolicy.builtins.channels")
    assert "arpolicy.plugins" not in modules


def test_the_facade_gives_the_built_in_playbook_when_none_is_given() -> None:
    ledger = sample_ledger()
    day = SAMPLE_AS_OF
    assert plan(ledger, as_of=day) == plan(ledger, as_of=day, playbook=default_playbook())
    start, end = date(2026, 10, 1), SAMPLE_AS_OF
    assert simulate(ledger, start=start, end=end) == simulate(
        ledger, start=start, end=end, playbook=default_playbook()
    )
