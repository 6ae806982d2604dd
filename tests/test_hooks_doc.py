"""The hooks reference (docs/reference/hooks.md) keeps up with arpolicy.hookspecs.

Every hook specification must have a ``## <hook name>`` section whose first
``python`` block starts with the hook's signature exactly as in
``hookspecs`` (compared as text without quotes and spaces), whose text names
every argument in backticks and says whether the hook is firstresult; and the
page must not document hooks that do not exist.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from arpolicy import hookspecs

HOOKS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "hooks.md"
_HEADING = re.compile(r"^## +`?(?P<name>[^`\s]+)`?\s*$", re.MULTILINE)
_FIRST_PYTHON_DEF = re.compile(r"```python[^\n]*\n\s*(?P<line>def [^\n]*)\n")
_FIRSTRESULT = re.compile(r"\*\*firstresult\*\*: *(?P<answer>yes|no)\b")


def specs() -> dict[str, Callable[..., Any]]:
    """The hook specifications, by name."""
    found = {}
    for name, value in vars(hookspecs).items():
        if callable(value) and getattr(value, f"{hookspecs.PROJECT}_spec", None) is not None:
            found[name] = value
    return dict(sorted(found.items()))


def normalised(line: str) -> str:
    return re.sub(r"[\s'\"]", "", line)


def spec_line(name: str, spec: Callable[..., Any]) -> str:
    return f"def {name}{inspect.signature(spec)}:"


def sections(text: str) -> dict[str, str]:
    """The text of each ``## `` section, by its heading."""
    marks = list(_HEADING.finditer(text))
    return {
        mark["name"]: text[mark.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)]
        for i, mark in enumerate(marks)
    }


def problems(text: str) -> list[str]:
    """What the page gets wrong about the hook specifications."""
    out = []
    found = sections(text)
    hooks = specs()
    for name, spec in hooks.items():
        section = found.get(name)
        if section is None:
            out.append(f"{name}: no '## {name}' section")
            continue
        match = _FIRST_PYTHON_DEF.search(section)
        expected = spec_line(name, spec)
        if match is None:
            out.append(f"{name}: no python block starting with the signature {expected}")
        elif normalised(match["line"]) != normalised(expected):
            out.append(f"{name}: documented {match['line']!r}, but hookspecs has {expected!r}")
        for argument in inspect.signature(spec).parameters:
            if f"`{argument}`" not in section:
                out.append(f"{name}: argument `{argument}` is not described")
        firstresult = bool(getattr(spec, f"{hookspecs.PROJECT}_spec").get("firstresult"))
        said = _FIRSTRESULT.search(section)
        if said is None:
            out.append(f"{name}: does not say '**firstresult**: yes' or 'no'")
        elif (said["answer"] == "yes") != firstresult:
            out.append(f"{name}: says firstresult {said['answer']}, hookspecs says {firstresult}")
    for name in found:
        if name.startswith(f"{hookspecs.PROJECT}_") and name not in hooks:
            out.append(f"{name}: documented, but hookspecs has no such hook")
    return out


def test_every_hook_is_documented_with_its_signature() -> None:
    assert problems(HOOKS_PAGE.read_text(encoding="utf-8")) == []


def test_there_are_hooks_to_check() -> None:
    names = set(specs())
    assert {"arpolicy_register_channels", "arpolicy_skip_invoice"} <= names
    assert names == {n for n in hookspecs.__all__ if n != "hookspec"}


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (
            lambda t: t.replace("## arpolicy_observe_plan", "## observe"),
            "arpolicy_observe_plan: no '## arpolicy_observe_plan' section",
        ),
        (
            lambda t: t.replace(
                "def arpolicy_skip_invoice(context: InvoiceContext) -> Skip | None:",
                "def arpolicy_skip_invoice(context: InvoiceContext) -> Skip:",
            ),
            "arpolicy_skip_invoice: documented",
        ),
        (
            lambda t: t.replace(
                "def arpolicy_skip_invoice(context: InvoiceContext) -> Skip | None:",
                "def arpolicy_skip_invoice(ctx: InvoiceContext) -> Skip | None:",
            ),
            "arpolicy_skip_invoice: documented",
        ),
        (
            lambda t: t.replace("- **firstresult**: yes. Plugins are asked", "- Plugins are asked"),
            "arpolicy_select_policy: does not say",
        ),
        (
            lambda t: t + "\n## arpolicy_send_money\n\nNot a hook.\n",
            "arpolicy_send_money: documented, but hookspecs has no such hook",
        ),
    ],
)
def test_the_check_notices_a_stale_page(change: Callable[[str], str], complaint: str) -> None:
    text = HOOKS_PAGE.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text
    found = problems(changed)
    assert any(p.startswith(complaint) for p in found), found


def test_signatures_are_compared_without_quotes_and_spaces() -> None:
    spec = specs()["arpolicy_select_policy"]
    line = spec_line("arpolicy_select_policy", spec)
    assert "'" in line  # hookspecs uses postponed annotations
    assert normalised(line) == normalised(
        "def arpolicy_select_policy(customer: Customer, invoice: Invoice, playbook: Playbook)"
        " -> str | None:"
    )
