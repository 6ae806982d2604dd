"""Start-up: ``import arpolicy`` and ``arpolicy --version`` / ``--help`` load
only what they need (issue 16, item 6).

These tests check behaviour, not timing: each runs Python in a fresh
subprocess and looks at ``sys.modules`` afterwards. The timings are in
``benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import arpolicy
from arpolicy import cli
from arpolicy.journal import JournalStatus
from arpolicy.sample import SAMPLE_SEED

# Heavy libraries and the modules of the engine: none is needed to import the
# package or to ask the command line for its version or its help.
HEAVY = ("polars", "jinja2", "babel", "holidays", "rich", "pendulum", "pluggy", "matplotlib")
ENGINE = ("arpolicy.engine", "arpolicy.model", "arpolicy.ledger", "arpolicy.plugins")


def loaded_after(code: str) -> tuple[set[str], str]:
    """The top packages and ``arpolicy.*`` modules loaded by ``code``, and its output."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    *output, modules = result.stdout.splitlines()
    return set(json.loads(modules)), "\n".join(output)


def cli_code(*args: str) -> str:
    return (
        "from arpolicy.cli import main\n"
        "try:\n"
        f"    main({list(args)!r}, prog_name='arpolicy')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code\n"
    )


def test_import_arpolicy_loads_no_heavy_library_and_no_engine() -> None:
    modules, _ = loaded_after("import arpolicy")
    assert modules.isdisjoint(HEAVY + ENGINE), sorted(modules & set(HEAVY + ENGINE))


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("plan", "--help")])
def test_version_and_help_load_neither_the_engine_nor_polars_nor_rich(
    args: tuple[str, ...],
) -> None:
    modules, output = loaded_after(cli_code(*args))
    assert modules.isdisjoint(HEAVY + ENGINE), sorted(modules & set(HEAVY + ENGINE))
    if args == ("--version",):
        assert output == f"arpolicy, version {arpolicy.__version__}"
    else:
        assert output.startswith("Usage: arpolicy")


def test_a_name_loads_only_what_it_needs() -> None:
    modules, _ = loaded_after("from arpolicy import Money")
    assert "arpolicy.money" in modules
    assert modules.isdisjoint(("polars", "arpolicy.engine", "rich")), modules


@pytest.mark.parametrize("name", arpolicy.__all__)
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(arpolicy, name)
    assert value is not None
    assert name in dir(arpolicy)


def test_star_import_and_dir_are_complete() -> None:
    namespace: dict[str, object] = {}
    exec("from arpolicy import *", namespace)
    assert set(arpolicy.__all__) <= set(namespace)
    assert set(arpolicy.__all__) <= set(dir(arpolicy))


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = arpolicy.no_such_name  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "code",
    [
        "import arpolicy\nfrom arpolicy.lint import format_findings\n",
        "import arpolicy\nimport arpolicy.lint\n",
        "import arpolicy\nfrom arpolicy import lint\n",
    ],
)
def test_lint_is_the_function_whichever_is_imported_first(code: str) -> None:
    _, output = loaded_after(
        code + "from arpolicy import lint\nprint(callable(lint), arpolicy.lint is lint)"
    )
    assert output == "True True"


def test_submodules_stay_reachable_as_attributes() -> None:
    _, output = loaded_after("import arpolicy\nprint(arpolicy.model.Invoice.__name__)")
    assert output == "Invoice"


def test_the_cli_help_shows_the_library_s_own_defaults() -> None:
    """--help must not import the library: these copies must stay in step."""
    assert cli._SAMPLE_SEED == SAMPLE_SEED
    assert tuple(status.value for status in JournalStatus) == cli._JOURNAL_STATUSES
