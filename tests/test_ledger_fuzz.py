"""Untrusted ledger input stays typed: a bounded, derandomized mutation fuzz test.

A valid ledger (CSV directory and JSON file) is mutated many times: cells
deleted, duplicated or swapped, random bytes, huge numbers, NaN and
Infinity, extreme dates, NUL characters, broken quoting, deep JSON nesting.
Every outcome must be a loaded ledger or an ``ArpolicyError`` naming the
file (and, for CSV, a line); never another exception. A mutation that loads
and leaves the invoices file untouched never changes a total.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from arpolicy.errors import ArpolicyError, LoadError
from arpolicy.io import dump_ledger, load_ledger
from arpolicy.model import Ledger
from arpolicy.sample import small_ledger

SEED = 20260315
CSV_CASES = int(os.environ.get("ARPOLICY_FUZZ_CASES", "120"))
JSON_CASES = 60
NASTY = [
    "",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e3",
    "12.345",
    "9" * 40,
    "-0",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "\x00",
    "a\x00b",
    '"',
    '"unterminated',
    "x\ny",
    "\r",
    "\ufeff",
    " 1.00",
    "١٢٣",  # Arabic-Indic digits
    "C1",
    "I1",
    "EUR",
    "JPY",
    ";",
    ",",
]


def _totals(ledger: Ledger) -> dict[str, str]:
    sums: dict[str, object] = {}
    for invoice in ledger.invoices:
        code = invoice.amount.currency
        sums[code] = sums.get(code, 0) + invoice.amount.amount  # type: ignore[operator]
    return {k: str(v) for k, v in sorted(sums.items())}


def _mutate_text(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    n = rng.randrange(1, len(lines)) if len(lines) > 1 else 0
    cells = lines[n].split(",")
    kind = rng.randrange(8)
    i = rng.randrange(len(cells))
    if kind == 0:
        del cells[i]
    elif kind == 1:
        cells.insert(i, cells[i])
    elif kind == 2:
        j = rng.randrange(len(cells))
        cells[i], cells[j] = cells[j], cells[i]
    elif kind == 3:
        cells[i] = rng.choice(NASTY)
    elif kind == 4:
        cells[i] = '"' + rng.choice(NASTY) + '"'
    elif kind == 5:
        lines.insert(n, lines[n])
    elif kind == 6:
        cells[i] = str(rng.randrange(10**20)) + "." + str(rng.randrange(1000))
    else:
        return _bytes_text(rng, text)
    lines[n] = ",".join(cells)
    return "\n".join(lines)


def _bytes_text(rng: random.Random, text: str) -> str:
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randrange(1, 4)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return data.decode("latin-1")  # written back as raw bytes below


def _check(load: Callable[[], Ledger], *, csv: bool) -> Ledger | None:
    problem: LoadError | None = None
    try:
        return load()
    except LoadError as error:
        problem = error
    except ArpolicyError:
        return None
    assert problem.path
    if csv and "missing" not in problem.reason and "directory" not in problem.reason:
        assert problem.line is not None, problem
    return None


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Ledger]:
    ledger = small_ledger()
    root = tmp_path_factory.mktemp("fuzz")
    return dump_ledger(ledger, root / "csv"), dump_ledger(ledger, root / "l.json"), ledger


def test_csv_mutations_load_or_fail_typed(valid: tuple[Path, Path, Ledger], tmp_path: Path) -> None:
    folder, _, ledger = valid
    rng = random.Random(SEED)
    files = sorted(folder.glob("*.csv"))
    before = _totals(ledger)
    for case in range(CSV_CASES):
        target = tmp_path / f"c{case}"
        shutil.copytree(folder, target)
        victim = rng.choice(files)
        text = victim.read_text(encoding="utf-8")
        mutated = _mutate_text(rng, text)
        raw = target / victim.name
        if any(ord(c) > 255 for c in mutated):
            raw.write_bytes(mutated.encode("utf-8"))
        else:
            raw.write_bytes(mutated.encode("latin-1"))
        result = _check(lambda t=target: load_ledger(t), csv=True)  # type: ignore[misc]
        if result is not None and victim.name != "invoices.csv":
            assert _totals(result) == before, (case, victim.name)


def _deep(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


def test_json_mutations_load_or_fail_typed(
    valid: tuple[Path, Path, Ledger], tmp_path: Path
) -> None:
    _, document, _ = valid
    rng = random.Random(SEED + 1)
    base = json.loads(document.read_text(encoding="utf-8"))
    for case in range(JSON_CASES):
        data = json.loads(json.dumps(base))
        table = rng.choice(["customers", "invoices", "payments"])
        records = data.get(table) or data["invoices"]
        record = rng.choice(records)
        key = rng.choice(sorted(record))
        kind = rng.randrange(5)
        if kind == 0:
            del record[key]
        elif kind == 1:
            record[key] = rng.choice([*NASTY, 1e308, float("nan"), None, True, 10**40, []])
        elif kind == 2:
            record[key] = _deep(rng.choice([50, 5000, 100_000]))
        elif kind == 3:
            records.append(json.loads(json.dumps(record)))
        else:
            record[key] = {"amount": rng.choice(NASTY), "currency": rng.choice(NASTY)}
        target = tmp_path / f"j{case}.json"
        if kind == 2 and rng.random() < 0.5:
            target.write_text("[" * 200_000, encoding="utf-8")
        else:
            try:
                target.write_text(json.dumps(data, allow_nan=True), encoding="utf-8")
            except RecursionError:
                target.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
        _check(lambda t=target: load_ledger(t), csv=False)  # type: ignore[misc]
