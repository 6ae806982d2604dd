"""Benchmark: ``arpolicy.plan`` for one day on the 1M-invoice books, and small inputs.

Each measurement runs in a fresh process (its own peak memory). Kinds:

* ``realistic`` / ``delinquent``: ``plan(ledger, as_of=AS_OF, history=...)``
  on the books of ``benchmarks/ledgers.py`` (loaded from their CSV
  directories before timing; the ledger's allocation is prepared on the
  first call, which is timed) with the history a daily job left (about 1.8M
  and 4.8M rows, read as a table before timing). Targets (issue 16): 3 s
  and 5 s.
* ``realistic-floor`` / ``delinquent-floor``: the minimal Polars pipeline
  on the same tables: the allocation kernel, the ladder screening (the last
  step sent per invoice, the next step's date by the offsets of one ladder)
  and the notice totals (open amount per customer and currency of the
  invoices with a step due). The ratio plan / floor is printed.
* ``one-customer``: one customer with 10 invoices and a history (the ERP
  case); the median of 2,000 calls. Target 1 ms.
* ``sample``: the built-in sample portfolio on its date. Target 50 ms.
* ``replay``: ``simulate`` over two years (2025-2026) of the realistic book
  at 2,500 invoices and 250 customers. Target 1 s.
* ``simulate``: ``simulate`` over 365 days (2025) of the realistic book at
  100,000 invoices and 10,000 customers, with no history. Target 15 s.

Usage::

    python benchmarks/bench_plan.py                       # everything, 3 runs
    python benchmarks/bench_plan.py --only one-customer sample replay
    python benchmarks/bench_plan.py --flavour realistic --invoices 20000 --customers 2000
"""

from __future__ import annotations

import json
import resource
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

import ledgers
from _harness import book_parser, report, run_children

SMALL = ("one-customer", "sample", "replay", "simulate")
TARGETS = {
    "realistic": 3.0,
    "delinquent": 5.0,
    "one-customer": 0.001,
    "sample": 0.05,
    "replay": 1.0,
    "simulate": 15.0,
}


def _book(flavour: str, invoices: int, customers: int, seed: int) -> tuple[Path, Path]:
    where = ledgers.ensure(flavour, invoices, customers, seed, quiet=True)
    return where.ledger, where.history


def _history(path: Path) -> object:
    import polars as pl  # noqa: PLC0415

    return pl.read_csv(path, schema_overrides={"date": pl.Date})


def _floor(ledger: object, history: object, as_of: date) -> dict[str, object]:
    """Allocation, ladder screening and notice totals in plain Polars."""
    import polars as pl  # noqa: PLC0415

    from arpolicy.ledger._allocate import allocate_prepared, prepare  # noqa: PLC0415

    tables = ledger.tables  # type: ignore[attr-defined]
    allocated = allocate_prepared(prepare(tables.invoices, tables.payments), as_of)
    offsets = [-3, 1, 3, 16, 23, 30, 44]  # the business ladder of the built-in playbook
    names = ["courtesy", "call", "reminder", "stern-reminder", "notice-of-default"]
    names += ["final-notice", "handover"]
    index = {n: i for i, n in enumerate(names)}
    open_ = allocated.balances.filter(pl.col("balance") > 0).join(
        tables.invoices.select("invoice_id", "due_date"), on="invoice_id"
    )
    last = (
        history.with_columns(  # type: ignore[attr-defined]
            idx=pl.col("step").replace_strict(index, default=-1, return_dtype=pl.Int64)
        )
        .group_by("invoice_id")
        .agg(pl.col("idx").max())
    )
    screened = (
        open_.join(last, on="invoice_id", how="left")
        .with_columns(nxt=pl.col("idx").fill_null(-1) + 1)
        .filter(pl.col("nxt") < len(offsets))
        .with_columns(
            day=pl.col("due_date")
            + pl.duration(days=pl.col("nxt").replace_strict(dict(enumerate(offsets))))
        )
        .filter(pl.col("day") <= as_of)
    )
    totals = screened.group_by("customer_id", "currency").agg(pl.col("balance").sum())
    return {"open": open_.height, "due": screened.height, "notices": totals.height}


def _child_book(kind: str, args: object) -> None:
    from arpolicy import plan  # noqa: PLC0415
    from arpolicy.io import load_ledger  # noqa: PLC0415

    flavour = kind.removesuffix("-floor")
    directory, history_path = _book(flavour, args.invoices, args.customers, args.seed)  # type: ignore[attr-defined]
    times: list[float] = []
    facts: dict[str, object] = {}
    for _ in range(args.runs):  # type: ignore[attr-defined]
        ledger = load_ledger(directory)  # a fresh ledger: nothing prepared yet
        history = _history(history_path)
        started = time.perf_counter()
        if kind.endswith("-floor"):
            facts = _floor(ledger, history, ledgers.AS_OF)
        else:
            result = plan(ledger, as_of=ledgers.AS_OF, history=history)
            facts = {"actions": len(result.actions), "skipped": len(result.skipped)}
        times.append(time.perf_counter() - started)
    facts["history_rows"] = history.height  # type: ignore[attr-defined]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"kind": kind, "times": times, "peak_mb": peak, **facts}))


def _one_customer() -> tuple[object, object, list[object], date]:
    from arpolicy import Customer, HistoryEntry, Invoice, Ledger, Payment  # noqa: PLC0415
    from arpolicy.money import Money  # noqa: PLC0415

    as_of = date(2026, 3, 20)
    invoices = [
        Invoice(
            f"I{n}",
            "C1",
            date(2026, 1, 1) + timedelta(days=5 * n),
            date(2026, 1, 31) + timedelta(days=5 * n),
            Money("100.00", "EUR"),
        )
        for n in range(10)
    ]
    ledger = Ledger(
        [Customer("C1", "Acme BV", "business", "NL")],
        invoices,
        [Payment("P1", "C1", date(2026, 2, 20), Money("150.00", "EUR"))],
    )
    history = [
        HistoryEntry(f"k{n}", date(2026, 2, 3) + timedelta(days=5 * n), "C1", "call", (f"I{n}",))
        for n in range(4)
    ]
    return ledger, None, history, as_of


def _child_small(kind: str, runs: int, seed: int) -> None:
    from arpolicy import plan, simulate  # noqa: PLC0415
    from arpolicy.io import load_ledger  # noqa: PLC0415
    from arpolicy.sample import SAMPLE_AS_OF, sample_ledger  # noqa: PLC0415

    times: list[float] = []
    facts: dict[str, object] = {}
    for _ in range(runs):
        if kind == "one-customer":
            ledger, _, history, as_of = _one_customer()
            plan(ledger, as_of=as_of, history=history)  # warm
            each = []
            for _ in range(2_000):
                started = time.perf_counter()
                result = plan(ledger, as_of=as_of, history=history)
                each.append(time.perf_counter() - started)
            times.append(statistics.median(each))
            facts = {"actions": len(result.actions), "skipped": len(result.skipped)}
        elif kind == "sample":
            ledger = sample_ledger()
            plan(ledger, as_of=SAMPLE_AS_OF)  # warm
            started = time.perf_counter()
            result = plan(ledger, as_of=SAMPLE_AS_OF)
            times.append(time.perf_counter() - started)
            facts = {"actions": len(result.actions), "skipped": len(result.skipped)}
        elif kind == "simulate":
            book = ledgers.ensure("realistic", 100_000, 10_000, seed, quiet=True)
            ledger = load_ledger(book.ledger)
            start = ledgers.YEAR
            started = time.perf_counter()
            result = simulate(ledger, start=start, end=start + timedelta(days=364))
            times.append(time.perf_counter() - started)
            facts = {"actions": len(result.actions)}
        else:
            ledger = load_ledger(ledgers.ensure("realistic", 2_500, 250, seed, quiet=True).ledger)
            start = ledgers.YEAR  # 2025-01-01: the book's first day
            started = time.perf_counter()
            result = simulate(ledger, start=start, end=start + timedelta(days=729))
            times.append(time.perf_counter() - started)
            facts = {"actions": len(result.actions)}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"kind": kind, "times": times, "peak_mb": peak, **facts}))


def main() -> None:
    """Measure every kind in a fresh process; print medians, targets and ratios."""
    parser = book_parser(__doc__, ledgers.FLAVOURS)
    parser.add_argument("--only", nargs="+", help="kinds to measure (default: all)")
    args = parser.parse_args()
    if args.child:
        if args.child in SMALL:
            _child_small(args.child, args.runs, args.seed)
        else:
            _child_book(args.child, args)
        return
    names = list(ledgers.FLAVOURS) if args.flavour == "both" else [args.flavour]
    kinds = [k for name in names for k in (f"{name}-floor", name)] + list(SMALL)
    if args.only:
        kinds = [k for k in kinds if k in args.only]
    for name in names:  # generate the cached books once, outside the measurements
        if any(k.startswith(name) for k in kinds):
            _book(name, args.invoices, args.customers, args.seed)
    if "simulate" in kinds:
        ledgers.ensure("realistic", 100_000, 10_000, args.seed)
    if "replay" in kinds:
        ledgers.ensure("realistic", 2_500, 250, args.seed)
    extra = ["--invoices", str(args.invoices), "--customers", str(args.customers)]
    extra += ["--seed", str(args.seed), "--runs", str(args.runs)]
    results = run_children(__file__, kinds, *extra)
    report(results, TARGETS, full_size=args.invoices >= 1_000_000, width=18)
    for name in names:
        if name in results and f"{name}-floor" in results:
            ratio = float(results[name]["median"]) / float(results[f"{name}-floor"]["median"])
            print(f"ratio {name} / floor: {ratio:.1f}x")


if __name__ == "__main__":
    main()
