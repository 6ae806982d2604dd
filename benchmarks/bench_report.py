"""Benchmark: the full receivables report on a large synthetic ledger.

Each measurement runs in a fresh subprocess so that its peak memory
(``ru_maxrss``) is its own. The ledger is built in memory first with
:func:`arpolicy.sample.synthetic_ledger` (not timed): 100,000 customers,
1,000,000 invoices issued over 2025 and 900,000 payments.

* ``report``: :func:`arpolicy.reports.receivables_report` on 2025-12-31 for
  the twelve months of 2025 (aging, DSO both ways, days to pay, CEI,
  shares, monthly trends, seasonality, top overdue). Target: under 10 s.
* ``floor``: the least any report must do: one loop over the invoices and
  one over the payments adding each amount to its month and currency. The
  ratio report / floor is printed.

After building the ledger the child process calls :func:`gc.freeze`, as a
long-running service that loads a ledger once would, so that neither
measurement pays for garbage collections walking the ledger's objects.
* ``render``: the report rendered as JSON, CSV and text table (for
  information; HTML too when matplotlib is installed).

Usage::

    python benchmarks/bench_report.py                  # the full size
    python benchmarks/bench_report.py --scale 0.1      # a tenth of it
    python benchmarks/bench_report.py --only report floor --runs 3
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
from datetime import date
from decimal import Decimal

from _harness import report, run_children
from arpolicy.io.report_output import dumps_report
from arpolicy.reports import receivables_report
from arpolicy.sample import synthetic_ledger

AS_OF = date(2025, 12, 31)
START = date(2025, 1, 1)
TARGET = 10.0


def child(kind: str, scale: float, runs: int) -> None:
    """Run one measurement in this process and print a JSON line."""
    customers = max(1, int(100_000 * scale))
    invoices = max(1, int(1_000_000 * scale))
    ledger = synthetic_ledger(customers=customers, invoices=invoices, seed=7, start=START)
    # The ledger's ~10 million objects live for the whole run: freeze them so that
    # collections (in the floor loop too) do not walk them again and again.
    gc.collect()
    gc.freeze()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    times: list[float] = []
    facts: dict[str, object] = {"customers": customers, "invoices": invoices}
    facts["payments"] = len(ledger.payments)
    for _ in range(runs):
        begin = time.perf_counter()
        if kind == "floor":
            sums: dict[tuple[int, str], Decimal] = {}
            for inv in ledger.invoices:
                key = (inv.issue_date.month, inv.currency)
                sums[key] = sums.get(key, Decimal(0)) + inv.amount.amount
            for pay in ledger.payments:
                key = (pay.date.month, pay.currency)
                sums[key] = sums.get(key, Decimal(0)) - pay.amount.amount
            facts["cells"] = len(sums)
        elif kind == "report":
            report = receivables_report(ledger, AS_OF, start=START)
            facts["aging_rows"] = len(report.aging.rows)
            facts["trend_rows"] = len(report.trends)
        else:
            report = receivables_report(ledger, AS_OF, start=START)
            begin = time.perf_counter()
            sizes = {fmt: len(dumps_report(report, fmt)) for fmt in ("json", "csv", "table")}
            facts["bytes"] = sizes
        times.append(time.perf_counter() - begin)
    facts["rss_before_mb"] = rss_before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"kind": kind, "times": times, "peak_mb": peak, **facts}))


def main() -> None:
    """Run the measurements, each in a fresh subprocess, and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement")
    parser.add_argument(
        "--only", nargs="+", choices=["report", "floor", "render"], default=["floor", "report"]
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.scale, args.runs)
        return
    results = run_children(
        __file__, args.only, "--scale", str(args.scale), "--runs", str(args.runs)
    )
    report(results, {"report": TARGET}, full_size=args.scale == 1.0, width=8)
    if "report" in results and "floor" in results:
        ratio = float(results["report"]["median"]) / float(results["floor"]["median"])
        print(f"ratio report / floor: {ratio:.1f}x")


if __name__ == "__main__":
    main()
