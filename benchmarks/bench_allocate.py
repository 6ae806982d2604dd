"""Benchmark: the vectorised allocation kernel at a date, on the two benchmark books.

The books are those of ``benchmarks/ledgers.py`` (``realistic`` and
``delinquent``: 1,000,000 invoices and 100,000 customers by default). Their
invoice and payment frames are built straight from the generator's book (no
CSV, no records) and cached as Parquet next to the generated ledgers under
``benchmarks/data/``; building them the first time takes about a minute
per flavour (pure Python).

Each measurement runs in a fresh subprocess so that its peak memory
(``ru_maxrss``) is its own, ``--runs`` times, and the median is printed:

* ``<flavour>``: :func:`arpolicy.ledger._allocate.allocate_prepared` on
  ``AS_OF`` (2026-01-15): balances, customer credit, allocation rows and
  discounts for every customer. Target: 0.5 s at 1M invoices. The
  date-independent :func:`~arpolicy.ledger._allocate.prepare` (codes, row
  numbers, sort orders; once per ledger) is timed apart and shown in the
  facts (``prepare_median_s``), with how many (customer, currency) groups took
  the exact per-group fallback.
* ``<flavour>-floor``: the floor, measured in the same run: a minimal Polars
  group-by summing the same payments per customer and currency. The ratio
  allocation / floor is printed.

Usage::

    python benchmarks/bench_allocate.py                          # both books, 1M invoices
    python benchmarks/bench_allocate.py --invoices 20000 --customers 2000
"""

from __future__ import annotations

import json
import resource
import statistics
import time
from datetime import date

import polars as pl

import ledgers
from _harness import book_parser, report, run_children

TARGET = 0.5
_EPOCH = date(1970, 1, 1).toordinal()


def _dates(ordinals: list[int]) -> pl.Series:
    return (pl.Series(ordinals, dtype=pl.Int32) - _EPOCH).cast(pl.Date)


def build_frames(
    flavour: str, invoices: int, customers: int, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The invoice and payment frames of a benchmark book (cached as Parquet)."""
    where = ledgers.paths(flavour, invoices, customers, seed)
    inv_path = where.ledger.with_name(where.ledger.name + ".alloc-invoices.parquet")
    pay_path = where.ledger.with_name(where.ledger.name + ".alloc-payments.parquet")
    if inv_path.is_file() and pay_path.is_file():
        return pl.read_parquet(inv_path), pl.read_parquet(pay_path)
    book = ledgers._build(ledgers.FLAVOURS[flavour], invoices, customers, seed)
    ids = [who.id for who in book.customers]
    n = len(book.cust)
    disputed = [d if d else None for d in book.disputed]
    inv = pl.DataFrame(
        {
            "invoice_id": [f"INV{i + 1:08d}" for i in range(n)],
            "customer_id": [ids[c] for c in book.cust],
            "kind": pl.Series(["invoice"] * n, dtype=pl.String),
            "issue_date": _dates(book.issue),
            "due_date": _dates(book.due),
            "currency": book.cur,
            "amount": pl.Series(book.amount, dtype=pl.Int64),
            "applies_to": pl.Series([None] * n, dtype=pl.String),
            "dispute_opened_on": (pl.Series(disputed, dtype=pl.Int32) - _EPOCH).cast(pl.Date),
            "dispute_resolved_on": pl.Series([None] * n, dtype=pl.Date),
            "discount_deadline": pl.Series([None] * n, dtype=pl.Date),
            "discount": pl.Series([None] * n, dtype=pl.Int64),
        }
    )
    rows = book.payments
    pay = pl.DataFrame(
        {
            "payment_id": [f"P{k + 1:08d}" for k in range(len(rows))],
            "customer_id": [ids[r[1]] for r in rows],
            "date": _dates([r[0] for r in rows]),
            "currency": [r[5] for r in rows],
            "amount": pl.Series([r[3] for r in rows], dtype=pl.Int64),
            "invoice_id": pl.Series(
                [f"INV{r[4] + 1:08d}" if r[4] >= 0 else None for r in rows], dtype=pl.String
            ),
        }
    )
    inv_path.parent.mkdir(parents=True, exist_ok=True)
    inv.write_parquet(inv_path)
    pay.write_parquet(pay_path)
    return inv, pay


def child(kind: str, invoices: int, customers: int, seed: int, runs: int) -> None:
    """Run one measurement in this process and print a JSON line."""
    from arpolicy.ledger._allocate import allocate_prepared, prepare  # noqa: PLC0415

    flavour = kind.removesuffix("-floor")
    inv, pay = build_frames(flavour, invoices, customers, seed)
    facts: dict[str, object] = {"invoices": inv.height, "payments": pay.height}
    times: list[float] = []
    prepare_times: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        if kind.endswith("-floor"):
            out = pay.group_by("customer_id", "currency").agg(pl.col("amount").sum())
            facts["groups"] = out.height
        else:
            prepared = prepare(inv, pay)
            t1 = time.perf_counter()
            prepare_times.append(t1 - t0)
            result = allocate_prepared(prepared, ledgers.AS_OF)
            t0 = t1
            facts["groups"] = result.groups
            facts["fallback_groups"] = result.fallback_groups
            facts["open_invoices"] = result.balances.filter(pl.col("balance") > 0).height
            facts["allocation_rows"] = result.allocations.height
        times.append(time.perf_counter() - t0)
    if prepare_times:
        facts["prepare_median_s"] = round(statistics.median(prepare_times), 3)
        facts["prepare_runs_s"] = [round(t, 3) for t in prepare_times]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"kind": kind, "times": times, "peak_mb": peak, **facts}))


def main() -> None:
    """Measure each book and its floor in fresh processes; print medians and ratios."""
    parser = book_parser(__doc__, ledgers.FLAVOURS)
    parser.add_argument("--prepare", action="store_true", help="only build the cached frames")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.invoices, args.customers, args.seed, args.runs)
        return
    names = list(ledgers.FLAVOURS) if args.flavour == "both" else [args.flavour]
    for name in names:  # build the cached frames once, outside the measurements
        build_frames(name, args.invoices, args.customers, args.seed)
    if args.prepare:
        return
    kinds = [k for name in names for k in (f"{name}-floor", name)]
    extra = ["--invoices", str(args.invoices), "--customers", str(args.customers)]
    extra += ["--seed", str(args.seed), "--runs", str(args.runs)]
    results = run_children(__file__, kinds, *extra)
    full = args.invoices >= 1_000_000
    report(results, dict.fromkeys(names, TARGET), full_size=full, width=16)
    for name in names:
        ratio = float(results[name]["median"]) / float(results[f"{name}-floor"]["median"])
        print(f"ratio {name} / floor: {ratio:.1f}x")


if __name__ == "__main__":
    main()
