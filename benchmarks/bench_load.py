"""Benchmark: load, dump and allocate the 1M-invoice benchmark ledgers.

For each ledger of ``benchmarks/ledgers.py`` (``realistic`` and ``delinquent``:
100k customers, 1M invoices; generated once and cached under
``benchmarks/data/``), measures, each run in a fresh subprocess so that the
peak memory (``ru_maxrss``) is that of one run:

* ``csv load``: ``arpolicy.io.load_ledger`` of the CSV directory; floor: a
  plain ``pl.read_csv`` of the same three files, every column as text;
* ``parquet load``: ``load_ledger`` of the same ledger as Parquet files with
  typed columns (dates ``Date``, amounts ``Decimal(18, 2)``, the rest text;
  written once from the CSV files and cached next to them); floor: a plain
  ``pl.read_parquet`` of the same files;
* ``dump_ledger``: writing the loaded (table-backed) ledger as a CSV
  directory; the peak includes the load before it;
* ``allocation``: the kernel at ``AS_OF`` (``allocate_prepared``; what
  ``Ledger.balances`` pays per date), ``prepare`` (once per ledger) and
  ``Ledger.balances(AS_OF)`` on a fresh ledger (both, plus the Money
  values), reported separately.

Prints the median of ``--runs`` runs, every run, the peak memory and the
ratio against the floor measured in the same run. Targets (issue 15, 2-core
machine): CSV load <= 2.5 s and 1.2 GB, Parquet load <= 0.5 s,
``dump_ledger`` <= 3 s, allocation at a date <= 0.5 s.

Usage::

    python benchmarks/bench_load.py                       # both ledgers, 3 runs
    python benchmarks/bench_load.py --flavour realistic --runs 1
    python benchmarks/bench_load.py --directory path/to/ledger   # any CSV ledger directory
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ledgers  # the benchmark ledgers, next to this script

FILES = ("customers", "invoices", "payments")
DATES = ("issue_date", "due_date", "date", "disputed", "dispute_resolved_on", "on_hold_until")
TARGETS = {"csv load": 2.5, "parquet load": 0.5, "dump_ledger": 3.0, "allocation": 0.5}


def parquet_copy(directory: Path) -> Path:
    """The ledger as typed Parquet files (written once, cached next to the directory)."""
    import polars as pl  # noqa: PLC0415 - the parent needs Polars only here

    target = directory.parent / (directory.name + ".parquet")
    if (target / "invoices.parquet").is_file():
        return target
    tmp = target.with_name(target.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        frame = pl.read_csv(directory / f"{name}.csv", infer_schema=False)
        if name != "customers":
            frame = frame.with_columns(
                *(pl.col(c).str.to_date("%Y-%m-%d") for c in frame.columns if c in DATES),
                pl.col("amount").cast(pl.Decimal(18, 2)),
            )
        frame.write_parquet(tmp / f"{name}.parquet")
    tmp.rename(target)
    return target


# -- the simple generated ledger that bench_cli.py uses ----------------------

DATA = Path(__file__).resolve().parent / "data"
CURRENCIES = ("EUR", "EUR", "EUR", "EUR", "USD", "GBP", "JPY")
COUNTRIES = ("NL", "DE", "BE", "FR", "GB", "US", "ES", "IT")
PROFILES = ("business", "business", "government", "private")


def generate(directory: Path, customers: int, invoices: int, payments: int, seed: int) -> None:
    """Write a random but valid ledger directory."""
    rng = random.Random(seed)
    tmp = directory.with_name(directory.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    ignore = directory.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# generated benchmark data\n*\n", encoding="utf-8")
    start = date(2024, 1, 1)
    days = [(start + timedelta(days=n)).isoformat() for n in range(800)]
    currency_of = [rng.choice(CURRENCIES) for _ in range(customers)]
    with (tmp / "customers.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "profile", "country", "email", "tags"])
        for n in range(customers):
            w.writerow(
                [
                    f"C{n:07d}",
                    f"Customer {n}",
                    rng.choice(PROFILES),
                    rng.choice(COUNTRIES),
                    f"billing{n}@example.com",
                    "vip" if n % 17 == 0 else "",
                ]
            )
    # invoice -> (customer, currency, amount text, issue index)
    paid: list[tuple[int, str, str, int]] = []
    with (tmp / "invoices.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "customer_id", "issue_date", "due_date", "amount", "currency", "terms"])
        for n in range(invoices):
            cust = rng.randrange(customers)
            cur = currency_of[cust]
            cents = rng.randrange(1000, 500_000)
            amount = str(cents) if cur == "JPY" else f"{cents // 100}.{cents % 100:02d}"
            issue = rng.randrange(700)
            net = rng.choice((14, 30, 30, 60))
            w.writerow(
                [
                    f"INV{n:08d}",
                    f"C{cust:07d}",
                    days[issue],
                    days[issue + net],
                    amount,
                    cur,
                    f"net {net}" if n % 10 == 0 else "",
                ]
            )
            if len(paid) < payments:
                paid.append((cust, cur, amount, issue))
    with (tmp / "payments.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "customer_id", "date", "amount", "currency", "invoice_id", "method"])
        for n in range(payments):
            inv = n if n < len(paid) else rng.randrange(len(paid))
            cust, cur, amount, issue = paid[inv]
            partial = n % 5 == 0 and cur != "JPY"
            w.writerow(
                [
                    f"PAY{n:08d}",
                    f"C{cust:07d}",
                    days[issue + rng.randrange(90)],
                    "1.00" if partial else amount,
                    cur,
                    f"INV{inv:08d}" if n % 3 else "",
                    "card" if n % 4 == 0 else "",
                ]
            )
    tmp.rename(directory)


# -- children: one measurement each, one JSON line --------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, directory: str, as_of: str) -> dict[str, float]:
    from datetime import date  # noqa: PLC0415

    import polars as pl  # noqa: PLC0415

    root = Path(directory)
    if mode == "csv floor":
        t0 = time.perf_counter()
        for name in FILES:
            pl.read_csv(root / f"{name}.csv", infer_schema=False)
        return {"seconds": time.perf_counter() - t0}
    if mode == "parquet floor":
        t0 = time.perf_counter()
        for name in FILES:
            pl.read_parquet(root / f"{name}.parquet")
        return {"seconds": time.perf_counter() - t0}

    from arpolicy.io import dump_ledger, load_ledger  # noqa: PLC0415 - not in the floors

    if mode in ("csv load", "parquet load"):
        t0 = time.perf_counter()
        ledger = load_ledger(root)
        elapsed = time.perf_counter() - t0
        assert ledger.tables.invoices.height > 0  # builds no record
        return {"seconds": elapsed}
    ledger = load_ledger(root)
    if mode == "dump_ledger":
        out = Path(tempfile.mkdtemp(prefix="bench-dump-"))
        try:
            t0 = time.perf_counter()
            dump_ledger(ledger, out / "ledger")
            return {"seconds": time.perf_counter() - t0}
        finally:
            shutil.rmtree(out, ignore_errors=True)
    assert mode == "allocation"
    from arpolicy.ledger._allocate import allocate_prepared, prepare  # noqa: PLC0415

    day = date.fromisoformat(as_of)
    tables = ledger.tables
    t0 = time.perf_counter()
    prepared = prepare(tables.invoices, tables.payments)
    t1 = time.perf_counter()
    result = allocate_prepared(prepared, day)
    t2 = time.perf_counter()
    fresh = load_ledger(root)
    t3 = time.perf_counter()
    balances = fresh.balances(day)
    t4 = time.perf_counter()
    assert len(balances) == result.balances.height
    return {
        "seconds": t2 - t1,
        "prepare": t1 - t0,
        "balances": t4 - t3,
        "fallback_groups": result.fallback_groups,
        "groups": result.groups,
    }


def _run(mode: str, directory: Path, as_of: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(directory), as_of],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _median(runs: list[dict[str, float]], key: str = "seconds") -> float:
    return statistics.median(r[key] for r in runs)


def bench(name: str, directory: Path, runs: int, as_of: str) -> None:
    parquet = parquet_copy(directory)
    plan = [
        ("csv floor", directory),
        ("csv load", directory),
        ("parquet floor", parquet),
        ("parquet load", parquet),
        ("dump_ledger", directory),
        ("allocation", directory),
    ]
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode, _ in plan}
    for n in range(runs):
        for mode, where in plan:
            results[mode].append(_run(mode, where, as_of))
        print(
            f"  run {n + 1}: "
            + ", ".join(f"{mode} {results[mode][-1]['seconds']:.2f} s" for mode, _ in plan),
            flush=True,
        )
    print(f"{name}: {directory}")
    floors = {"csv load": "csv floor", "parquet load": "parquet floor"}
    for mode, _ in plan:
        if mode.endswith("floor"):
            continue
        median = _median(results[mode])
        peak = max(r["peak_mb"] for r in results[mode])
        every = ", ".join(f"{r['seconds']:.2f}" for r in results[mode])
        verdict = "meets" if median <= TARGETS[mode] else "misses"
        line = f"  {mode:<13} median {median:6.2f} s  (runs {every}; peak {peak:5.0f} MB)"
        if mode in floors:
            floor = _median(results[floors[mode]])
            floor_peak = max(r["peak_mb"] for r in results[floors[mode]])
            line += f"  floor {floor:.2f} s ({floor_peak:.0f} MB), {median / floor:.1f}x floor"
        print(f"{line}  target {TARGETS[mode]} s: {verdict}")
    alloc = results["allocation"]
    print(
        f"  {'':<13} prepare (once per ledger) median {_median(alloc, 'prepare'):.2f} s; "
        f"Ledger.balances(as_of) on a fresh ledger median {_median(alloc, 'balances'):.2f} s; "
        f"{alloc[0]['fallback_groups']:.0f} of {alloc[0]['groups']:.0f} groups exact fallback"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flavour", choices=[*ledgers.FLAVOURS, "both"], default="both")
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260115)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--directory", type=Path, help="a CSV ledger directory instead")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, directory, as_of = args.child
        result = _child(mode, directory, as_of)
        print(json.dumps({**result, "peak_mb": _peak_mb()}))
        return
    as_of = ledgers.AS_OF.isoformat()
    if args.directory:
        bench(args.directory.name, args.directory, args.runs, as_of)
        return
    names = list(ledgers.FLAVOURS) if args.flavour == "both" else [args.flavour]
    for name in names:
        where = ledgers.ensure(name, args.invoices, args.customers, args.seed)
        bench(name, where.ledger, args.runs, as_of)


if __name__ == "__main__":
    main()
