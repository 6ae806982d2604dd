"""Benchmark: start-up, ``import arpolicy`` and ``arpolicy --version`` / ``--help``.

Each is timed as a whole process, as a user meets it: wall time from start to
exit, ``--runs`` runs after one warm-up run that is not counted, and the peak
memory of the runs (``ru_maxrss`` of the children). The floor, measured in
the same session, is ``python -c pass``: the interpreter's own start-up; the
ratios say how much arpolicy adds to it. Targets (issue 16): ``import
arpolicy`` <= 0.25 s, ``--version`` and ``--help`` <= 0.2 s (a command's
``--help`` too).

Usage::

    python benchmarks/bench_startup.py               # 10 runs each
    python benchmarks/bench_startup.py --runs 20
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from _harness import USER_ENV, report, run_children

SCRIPT = str(Path(sys.executable).with_name("arpolicy"))
COMMANDS: dict[str, list[str]] = {
    "floor": [sys.executable, "-c", "pass"],
    "import arpolicy": [sys.executable, "-c", "import arpolicy"],
    "arpolicy --version": [SCRIPT, "--version"],
    "arpolicy --help": [SCRIPT, "--help"],
    "arpolicy plan --help": [SCRIPT, "plan", "--help"],
}
TARGETS = {
    "import arpolicy": 0.25,
    "arpolicy --version": 0.2,
    "arpolicy --help": 0.2,
    "arpolicy plan --help": 0.2,
}


def child(kind: str, runs: int) -> None:
    """Run one command ``runs`` times (after a warm-up) and print a JSON line."""
    command = COMMANDS[kind]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=USER_ENV)  # warm-up
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=USER_ENV)
        times.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(json.dumps({"kind": kind, "times": times, "peak_mb": peak, "command": command[1:]}))


def main() -> None:
    """Measure each command and the floor in fresh processes; print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs)
        return
    results = run_children(__file__, list(COMMANDS), "--runs", str(args.runs))
    report(results, TARGETS, full_size=True, width=20)
    floor = float(results["floor"]["median"])
    for kind in TARGETS:
        ratio = float(results[kind]["median"]) / floor
        print(f"ratio {kind} / floor: {ratio:.1f}x")


if __name__ == "__main__":
    main()
