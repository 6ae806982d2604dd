"""Shared by the benchmark scripts: run each measurement in a fresh process, print medians.

A script's child mode prints one JSON line with at least ``times`` (seconds of
each run) and ``peak_mb``; everything else in it is printed as facts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Mapping, Sequence

USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The environment of a timed command, as a user's shell has it: Python keeps
the compiled modules (``__pycache__``, written by the warm-up run). Some
shells set ``PYTHONDONTWRITEBYTECODE``; then every run would compile every
module of the package again (about 0.2 s), which no installed copy does."""


def book_parser(doc: str | None, flavours: Sequence[str]) -> argparse.ArgumentParser:
    """The options of a script that measures generated books: size, seed, runs, flavour."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260115)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--flavour", choices=[*flavours, "both"], default="both")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser


def run_children(script: str, kinds: Sequence[str], *args: str) -> dict[str, dict[str, object]]:
    """Run ``script --child KIND *args`` for each kind, each in a fresh process."""
    results: dict[str, dict[str, object]] = {}
    for kind in kinds:
        out = subprocess.run(
            [sys.executable, script, "--child", kind, *args],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[kind] = json.loads(out.strip().splitlines()[-1])
    return results


def report(
    results: Mapping[str, dict[str, object]],
    targets: Mapping[str, float],
    *,
    full_size: bool,
    width: int,
) -> None:
    """Print each kind's median, runs, peak memory, target verdict and facts.

    Adds ``median`` to each result, for ratios the caller prints.
    """
    for kind, data in results.items():
        times = data.pop("times")
        assert isinstance(times, list)
        median = statistics.median(times)
        digits = 6 if median < 0.01 else 3  # sub-millisecond medians stay legible
        runs = ", ".join(f"{t:.{digits}f}" for t in times)
        line = f"{kind:{width}s} median {median:7.{digits}f} s  (runs {runs})"
        line += f"  peak {data.pop('peak_mb')} MB"
        target = targets.get(kind)
        if target is not None and full_size:
            line += f"  target < {target} s: {'met' if median < target else 'NOT met'}"
        print(line)
        print(" " * (width + 1) + json.dumps(data, sort_keys=True))
        data["median"] = median
