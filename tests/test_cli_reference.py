"""docs/reference/cli.md shows every command's real --help, word for word."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from arpolicy.cli import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "reference" / "cli.md"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name in sorted(group.commands):
        command = group.commands[name]
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
        else:
            found.append((*prefix, name))
    return found


def test_every_command_is_documented_with_its_help() -> None:
    text = DOC.read_text(encoding="utf-8")
    sections = dict(re.findall(r"## `([^`]+)`\n\n```text\n(.*?)\n```", text, flags=re.DOTALL))
    runner = CliRunner()
    for command in _commands(main):
        title = " ".join(("arpolicy", *command))
        result = runner.invoke(main, [*command, "--help"], prog_name="arpolicy", terminal_width=100)
        assert result.exit_code == 0
        assert title in sections, f"{title} is missing from {DOC.name}"
        assert sections[title] == result.output.rstrip(), f"{title}: help differs"
    documented = set(sections)
    real = {" ".join(("arpolicy", *c)) for c in _commands(main)}
    assert documented == real
