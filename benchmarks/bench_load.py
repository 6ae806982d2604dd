"""Benchmark: load a large ledger directory with ``arpolicy.io.load_ledger``.

Generates (once, cached under ``benchmarks/data/``) a ledger directory with a
seeded :class:`random.Random`, then loads it ``--runs`` times, each in a fresh
subprocess so that peak memory (``ru_maxrss``) is per run. As a floor, a
subprocess reads the same files with a plain ``pl.read_csv`` (every column as
text) and does nothing else, in the same run.

Prints the median seconds of each, the peak RSS of both and the ratio
load / floor. The load builds no record (the ledger holds the validated
tables). Target on a 2-core machine (issue 15): 100k customers, 1M invoices
and 1M payments load in at most 2.5 s and 1.2 GB.

Usage::

    python benchmarks/bench_load.py                      # the full size
    python benchmarks/bench_load.py --customers 1000 --invoices 10000 --payments 10000
    python benchmarks/bench_load.py --directory benchmarks/data/realistic-...  # existing files
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

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


def _child_floor(directory: str) -> None:
    import polars as pl  # noqa: PLC0415 - only in the child

    t0 = time.perf_counter()
    for name in ("customers.csv", "invoices.csv", "payments.csv"):
        pl.read_csv(Path(directory) / name, infer_schema=False)
    _report(time.perf_counter() - t0)


def _child_load(directory: str) -> None:
    from arpolicy.io import load_ledger  # noqa: PLC0415 - not imported by the floor

    t0 = time.perf_counter()
    ledger = load_ledger(directory)
    elapsed = time.perf_counter() - t0
    assert ledger.tables.invoices.height > 0  # builds no record
    _report(elapsed)


def _report(seconds: float) -> None:
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": rss_kb / 1024}))


def _run(mode: str, directory: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(directory)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--directory", type=Path, help="load this ledger directory instead")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, directory = args.child
        (_child_floor if mode == "floor" else _child_load)(directory)
        return

    name = f"ledger-c{args.customers}-i{args.invoices}-p{args.payments}-s{args.seed}"
    directory = args.directory or DATA / name
    if not directory.exists():
        print(f"generating {directory} ...", flush=True)
        t0 = time.perf_counter()
        generate(directory, args.customers, args.invoices, args.payments, args.seed)
        print(f"  generated in {time.perf_counter() - t0:.1f} s", flush=True)

    floors, loads, peaks, floor_peaks = [], [], [], []
    for n in range(args.runs):
        floor = _run("floor", directory)
        load = _run("load", directory)
        floors.append(floor["seconds"])
        floor_peaks.append(floor["peak_mb"])
        loads.append(load["seconds"])
        peaks.append(load["peak_mb"])
        print(
            f"run {n + 1}: load {load['seconds']:.2f} s, {load['peak_mb']:.0f} MB peak; "
            f"floor {floor['seconds']:.2f} s, {floor['peak_mb']:.0f} MB peak",
            flush=True,
        )
    median_load = statistics.median(loads)
    median_floor = statistics.median(floors)
    print(f"load_ledger: {directory}")
    print(f"  median load   {median_load:.2f} s")
    print(f"  median floor  {median_floor:.2f} s (pl.read_csv, all text)")
    print(f"  ratio         {median_load / median_floor:.2f}x floor")
    print(f"  peak memory   {max(peaks):.0f} MB (max ru_maxrss over runs)")
    print(f"  floor peak    {max(floor_peaks):.0f} MB")


if __name__ == "__main__":
    main()
