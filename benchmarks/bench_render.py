"""Benchmark: ``arpolicy plan --render DIR`` on a 5,000-invoice ledger, as a whole process.

The ledger (500 customers, 5,000 invoices, 5,000 payments, seed 7) is
generated once under ``benchmarks/data/`` (git-ignored) by
``bench_load.generate``. On 2025-09-01 the plan has about 600 actions and
``--render`` writes about 770 files (messages and their attachments).

Each command is timed as a user meets it: wall time from start to exit of a
fresh process, ``--runs`` runs after one warm-up run that is not counted,
the peak memory of the runs (``ru_maxrss`` of the children) and their CPU
time (user + system, less sensitive to other load on the machine). Every
``--render`` run writes into a new directory. The floor, measured in the
same session, is the same command without ``--render``: planning and the
JSON output; the difference is the cost of rendering and writing the
messages. Target (issue 16): the whole command <= 0.6 s.

Usage::

    python benchmarks/bench_render.py               # 3 runs each
    python benchmarks/bench_render.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import USER_ENV, report, run_children
from bench_load import generate

SCRIPT = str(Path(sys.executable).with_name("arpolicy"))
DATA = Path(__file__).resolve().parent / "data"
LEDGER = DATA / "render-5000"
AS_OF = "2025-09-01"
TARGETS = {"plan --render": 0.6}


def ledger() -> Path:
    """The benchmark ledger, generated on first use."""
    if not (LEDGER / "invoices.csv").exists():
        generate(LEDGER, 500, 5000, 5000, 7)
    return LEDGER


def _command(kind: str, work: Path, run: int) -> list[str]:
    command = [
        SCRIPT,
        "plan",
        str(LEDGER),
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--output",
        str(work / f"plan-{run}.json"),
    ]
    if kind == "plan --render":
        command += ["--render", str(work / f"messages-{run}")]
    return command


def child(kind: str, runs: int) -> None:
    """Run one command ``runs`` times (after a warm-up) and print a JSON line."""
    work = Path(tempfile.mkdtemp(prefix="bench-render-", dir=DATA))
    try:
        times: list[float] = []
        cpus: list[float] = []
        files = 0
        for run in range(runs + 1):
            command = _command(kind, work, run)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(
                command,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=USER_ENV,
            )
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if run:  # run 0 is the warm-up
                times.append(elapsed)
                cpus.append(cpu)
            messages = work / f"messages-{run}"
            if messages.exists():
                files = sum(1 for _ in messages.iterdir())
                shutil.rmtree(messages)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        json.dumps(
            {
                "kind": kind,
                "times": times,
                "peak_mb": peak,
                "cpu_median_s": round(statistics.median(cpus), 3),
                "files": files,
            }
        )
    )


def main() -> None:
    """Measure the floor and ``plan --render`` in fresh processes; print medians and ratio."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    ledger()
    if args.child:
        child(args.child, args.runs)
        return
    results = run_children(__file__, ["floor", "plan --render"], "--runs", str(args.runs))
    report(results, TARGETS, full_size=True, width=14)
    floor = float(results["floor"]["median"])
    render = float(results["plan --render"]["median"])
    print(f"ratio plan --render / floor: {render / floor:.2f}x")
    print(f"rendering and writing the messages: {render - floor:.3f} s")


if __name__ == "__main__":
    main()
