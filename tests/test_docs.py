"""The documentation runs: examples in the docs and in docstrings are tested.

Markdown pages (``README.md`` and every ``docs/**/*.md``):

* Every fenced block whose info string starts with ``python`` or ``pycon`` is
  run. The blocks of one page run in order, in one shared namespace, so a
  later block may use names an earlier block defined.
* A block whose first non-blank line starts with ``>>>`` (or any ``pycon``
  block) is a doctest: each ``>>>`` line's output must match what follows it
  (doctest's ``ELLIPSIS`` option is on). Other ``python`` blocks are
  executed as a script and pass when they raise nothing; put ``assert``
  statements in them to check results.
* To show a block without running it, put the HTML comment ``<!-- skip -->``
  alone on the line just before the opening fence (MkDocs does not render
  it). Blocks in other languages (``bash``, ``text``, ``toml`` ...) never
  run.
* Each page runs in a fresh temporary working directory, so examples may
  write files with relative paths.

Docstrings: every module of the ``arpolicy`` package is imported and its
doctests are run with :func:`doctest.testmod`, once per module here. (pytest's
``--doctest-modules`` is deliberately not used, so they do not run twice.)
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import arpolicy

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SKIP_MARKER = "<!-- skip -->"
OPTIONS = doctest.ELLIPSIS

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a markdown page."""

    path: Path
    line: int  # 1-based line of the first line of code
    language: str
    code: str
    skip: bool

    @property
    def runnable(self) -> bool:
        return self.language in {"python", "py", "pycon"} and not self.skip

    @property
    def is_doctest(self) -> bool:
        return self.language == "pycon" or self.code.lstrip().startswith(">>>")


def parse_blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if match is None:
            i += 1
            continue
        indent, fence = match["indent"], match["fence"]
        info = match["info"].strip()
        language = info.split()[0].lower() if info else ""
        skip = i > 0 and lines[i - 1].strip() == SKIP_MARKER
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                break
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        else:
            pytest.fail(f"{path}:{i + 1}: code fence is never closed")
        code = textwrap.dedent("\n".join(body)) + "\n"
        blocks.append(Block(path, i + 2, language, code, skip))
        i = j + 1
    return blocks


def markdown_pages() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def _page_id(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def run_page(path: Path) -> int:
    """Run the runnable blocks of ``path``; return how many ran."""
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    ran = 0
    for block in parse_blocks(path):
        if not block.runnable:
            continue
        where = f"{_page_id(path)}:{block.line}"
        if block.is_doctest:
            test = parser.get_doctest(block.code, namespace, where, str(path), block.line - 1)
            test.globs = namespace  # get_doctest copies; share the page's namespace instead
            report: list[str] = []
            result = runner.run(test, out=report.append, clear_globs=False)
            if result.failed:
                pytest.fail(f"doctest failed in {where}:\n{''.join(report)}", pytrace=False)
        else:
            # Pad so that tracebacks show the line number in the markdown file.
            source = "\n" * (block.line - 1) + block.code
            exec(compile(source, str(path), "exec"), namespace)
        ran += 1
    return ran


@pytest.mark.parametrize("path", markdown_pages(), ids=_page_id)
def test_markdown_examples_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run_page(path)


def test_key_pages_have_runnable_examples() -> None:
    pages = ["README.md", "docs/tutorials/first-ledger.md", "docs/explanation/allocation.md"]
    for page in pages:
        blocks = [b for b in parse_blocks(ROOT / page) if b.runnable]
        assert blocks, f"{page} has no runnable example"


def test_block_parser_understands_the_conventions(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n"
        "```python\n"
        "x = 1\n"
        "```\n"
        "<!-- skip -->\n"
        "```python\n"
        "raise SystemExit\n"
        "```\n"
        "````markdown\n"
        "```python\n"
        "inner = True\n"
        "```\n"
        "````\n"
        '```python title="example.py"\n'
        ">>> y = x + 1\n"
        ">>> y\n"
        "2\n"
        "```\n"
        "```bash\n"
        "arpolicy demo\n"
        "```\n"
        "```py\n"
        "assert y == 2  # names from a doctest block stay visible\n"
        "```\n",
        encoding="utf-8",
    )
    blocks = parse_blocks(page)
    assert [(b.language, b.line, b.skip, b.is_doctest) for b in blocks] == [
        ("python", 3, False, False),
        ("python", 7, True, False),
        ("markdown", 10, False, False),
        ("python", 15, False, True),
        ("bash", 20, False, False),
        ("py", 23, False, False),
    ]
    assert [b.runnable for b in blocks] == [True, False, False, True, False, True]
    assert run_page(page) == 3


def test_failing_markdown_example_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "bad.md"
    page.write_text("```python\n>>> 1 + 1\n3\n```\n", encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="doctest failed"):
        run_page(page)
    page.write_text("text\n\n```python\nassert 1 == 2\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError) as info:
        run_page(page)
    assert info.traceback[-1].lineno + 1 == 4  # the line in the markdown file


# ---------------------------------------------------------------------------
# docstrings
# ---------------------------------------------------------------------------


def package_modules() -> list[str]:
    names = [arpolicy.__name__]
    for info in pkgutil.walk_packages(arpolicy.__path__, prefix=f"{arpolicy.__name__}."):
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", package_modules())
def test_module_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=OPTIONS, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


def test_docstring_examples_exist() -> None:
    # Guards against the doctest collection silently finding nothing.
    total = 0
    for name in ("arpolicy.money", "arpolicy.model"):
        finder = doctest.DocTestFinder()
        total += sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
    assert total >= 5
