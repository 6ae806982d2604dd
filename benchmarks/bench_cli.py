"""Benchmark: ``arpolicy plan LEDGER --format json`` end to end, as a user runs it.

Uses the ledger directory of ``bench_load.py`` (generated once and cached
under ``benchmarks/data/``), runs the real command in a subprocess ``--runs``
times and reports the median wall time and the peak memory of the child. As a
floor, a subprocess that only loads the ledger with ``arpolicy.io.load_ledger``
runs in the same session; the ratio command / floor says how much planning and
writing JSON add to loading. Target (issue 7): 1,000,000 invoices under 20 s.

Usage::

    python benchmarks/bench_cli.py                                 # full size
    python benchmarks/bench_cli.py --customers 10000 --invoices 100000 --payments 100000
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import USER_ENV  # noqa: E402
from bench_load import DATA, generate  # noqa: E402

AS_OF = "2025-12-01"  # inside the generated data: many invoices open and overdue


def _timed(command: list[str]) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=USER_ENV)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    name = f"ledger-c{args.customers}-i{args.invoices}-p{args.payments}-s{args.seed}"
    directory = DATA / name
    if not directory.is_dir():
        print(f"generating {directory} ...", flush=True)
        generate(directory, args.customers, args.invoices, args.payments, args.seed)
    script = Path(sys.executable).with_name("arpolicy")
    output = DATA / f"{name}-plan.json"
    command = [
        str(script),
        "plan",
        str(directory),
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--output",
        str(output),
    ]
    floor = [
        sys.executable,
        "-c",
        f"from arpolicy.io import load_ledger; load_ledger({str(directory)!r})",
    ]
    totals: list[float] = []
    floors: list[float] = []
    peak = 0
    for run in range(1, args.runs + 1):
        seconds, rss = _timed(command)
        floor_seconds, _ = _timed(floor)
        totals.append(seconds)
        floors.append(floor_seconds)
        peak = max(peak, rss)
        print(f"run {run}: plan --format json {seconds:.2f} s; load only {floor_seconds:.2f} s")
    total, base = statistics.median(totals), statistics.median(floors)
    size = output.stat().st_size / 1e6
    print(f"arpolicy plan --format json: {args.customers} customers, {args.invoices} invoices")
    print(f"  median end to end  {total:.2f} s   (target < 20 s at 1,000,000 invoices)")
    print(f"  median load only   {base:.2f} s")
    print(f"  ratio              {total / base:.2f}x the load")
    print(f"  peak memory        {peak // 1024} MB (max ru_maxrss of the children)")
    print(f"  output             {size:.1f} MB of JSON")


if __name__ == "__main__":
    main()
