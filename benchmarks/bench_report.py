"""Benchmark: the full receivables report over the ledger tables, at 1M invoices.

The books are those of ``benchmarks/ledgers.py`` (``realistic`` and
``delinquent``: 1,000,000 invoices and 100,000 customers by default), as the
invoice and payment frames :mod:`bench_allocate` builds and caches under
``benchmarks/data/`` (built the first time, about a minute per flavour).

Each measurement runs in a fresh subprocess so that its peak memory
(``ru_maxrss``) is its own, ``--runs`` times, and the median is printed:

* ``<flavour>``: the table path of :func:`arpolicy.reports.receivables_report`
  on ``AS_OF`` (2026-01-15) over the twelve months ending then: aging, DSO
  both ways, DBT, days to pay (all and by profile), CEI, shares, discounts,
  monthly trends, seasonality and the top overdue customers, from the frames
  (one allocation prepared once and run on ``AS_OF``, the month-end
  receivables in one pass). Building the frames from attrs records is not
  timed: a table-backed ledger holds them already. Target: 3 s.
* ``<flavour>-floor``: the floor, measured in the same run: a minimal Polars
  group-by summing the invoices and the payments per customer and currency.
  The ratio report / floor is printed.

Usage::

    python benchmarks/bench_report.py                          # both books, 1M invoices
    python benchmarks/bench_report.py --invoices 100000 --customers 10000 --runs 1
"""

from __future__ import annotations

import json
import resource
import time

import polars as pl

import ledgers
from _harness import book_parser, report, run_children
from bench_allocate import build_frames

TARGET = 3.0
PROFILES = ("business", "consumer", "government")


def child(kind: str, invoices: int, customers: int, seed: int, runs: int) -> None:
    """Run one measurement in this process and print a JSON line."""
    from arpolicy.reports import default_period  # noqa: PLC0415
    from arpolicy.reports._common import DEFAULT_BUCKETS  # noqa: PLC0415
    from arpolicy.reports._frames import _frames  # noqa: PLC0415
    from arpolicy.reports._report import _report  # noqa: PLC0415

    flavour = kind.removesuffix("-floor")
    inv, pay = build_frames(flavour, invoices, customers, seed)
    inv = inv.with_columns(write_off=pl.lit(False))
    ids = pl.concat([inv.get_column("customer_id"), pay.get_column("customer_id")]).unique().sort()
    profiles = pl.DataFrame({"customer_id": ids}).with_columns(
        profile=pl.lit(pl.Series(PROFILES)).gather(pl.int_range(pl.len()) % len(PROFILES)),
        name=pl.lit("Customer ") + pl.col("customer_id"),
    )
    frames = _frames(inv, pay, profiles)
    start, end = default_period(ledgers.AS_OF)
    facts: dict[str, object] = {"invoices": inv.height, "payments": pay.height}
    times: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        if kind.endswith("-floor"):
            a = inv.group_by("customer_id", "currency").agg(pl.col("amount").sum())
            b = pay.group_by("customer_id", "currency").agg(pl.col("amount").sum())
            facts["groups"] = a.height + b.height
        else:
            out = _report(frames, end, start, end, DEFAULT_BUCKETS, 10)
            facts["aging_rows"] = len(out.aging.rows)
            facts["trend_rows"] = len(out.trends)
            facts["settled"] = sum(d.count for d in out.days_to_pay)
            facts["dso"] = [str(d.value) for d in out.dso]
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"kind": kind, "times": times, "peak_mb": peak, **facts}))


def main() -> None:
    """Measure each book and its floor in fresh processes; print medians and ratios."""
    parser = book_parser(__doc__, ledgers.FLAVOURS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.invoices, args.customers, args.seed, args.runs)
        return
    names = list(ledgers.FLAVOURS) if args.flavour == "both" else [args.flavour]
    for name in names:  # build the cached frames once, outside the measurements
        build_frames(name, args.invoices, args.customers, args.seed)
    kinds = [k for name in names for k in (f"{name}-floor", name)]
    extra = ["--invoices", str(args.invoices), "--customers", str(args.customers)]
    extra += ["--seed", str(args.seed), "--runs", str(args.runs)]
    results = run_children(__file__, kinds, *extra)
    report(results, dict.fromkeys(names, TARGET), full_size=args.invoices >= 1_000_000, width=16)
    for name in names:
        ratio = float(results[name]["median"]) / float(results[f"{name}-floor"]["median"])
        print(f"ratio {name} / floor: {ratio:.1f}x")


if __name__ == "__main__":
    main()
