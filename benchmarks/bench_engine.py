"""Benchmark: ``arpolicy.plan`` and ``arpolicy.simulate`` on large synthetic ledgers.

Each measurement runs in a fresh subprocess so that its peak memory
(``ru_maxrss``) is its own. The ledger is built in memory first (not timed).

* ``plan``: 100,000 customers and 1,000,000 open invoices (due dates spread
  from 90 days before to 30 days after the planning date, a quarter of them
  partly paid), the built-in playbook, and a history as a daily job would
  have left it: every step whose nominal date has passed was carried out on
  that date. Target: median under 3 s, peak memory under 1.5 GB.
* ``floor``: a minimal loop over the same in-memory invoices that only
  compares each due date with the step offsets. The ratio plan / floor is
  the target "under 5x".
* ``plan-first-run``: the same without history (every overdue invoice
  catches up at once): the worst case, reported for information.
* ``simulate``: 10,000 customers and 100,000 invoices issued over a year,
  simulated over the 365 days. Target: under 5 s.

Usage::

    python benchmarks/bench_engine.py                 # everything, full size
    python benchmarks/bench_engine.py --scale 0.1     # a tenth of the size
    python benchmarks/bench_engine.py --only plan floor --runs 3
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import time
from datetime import date, timedelta
from decimal import Decimal

from _harness import report, run_children
from arpolicy import Customer, HistoryEntry, Invoice, Ledger, Payment, plan, simulate
from arpolicy.money import Money
from arpolicy.playbooks import default_playbook

AS_OF = date(2026, 6, 1)
PROFILES = ("business", "business", "government", "private")
COUNTRIES = ("NL", "DE", "BE", "FR", "GB")


def build_ledger(customers: int, invoices: int, seed: int, *, spread: tuple[int, int]) -> Ledger:
    """A ledger of open invoices with due dates ``spread`` days around AS_OF."""
    rng = random.Random(seed)
    people = []
    for n in range(customers):
        country = COUNTRIES[n % len(COUNTRIES)]
        people.append(Customer(f"C{n:07d}", f"Customer {n}", rng.choice(PROFILES), country))
    bills = []
    pays = []
    lo, hi = spread
    for n in range(invoices):
        who = people[rng.randrange(customers)]
        currency = "GBP" if who.country == "GB" else "EUR"
        due = AS_OF + timedelta(days=rng.randint(lo, hi))
        cents = rng.randint(5_000, 500_000)
        amount = Money._trusted(Decimal(cents).scaleb(-2), currency)
        iid = f"I{n:08d}"
        bills.append(Invoice(iid, who.id, due - timedelta(days=30), due, amount))
        if n % 4 == 0:
            part = Money._trusted(Decimal(cents // 3).scaleb(-2), currency)
            pays.append(Payment(f"P{n:08d}", who.id, due - timedelta(days=5), part, invoice_id=iid))
    return Ledger(people, bills, pays)


def daily_history(ledger: Ledger, as_of: date) -> list[HistoryEntry]:
    """The history a daily job would have: every passed step, grouped per customer."""
    book = default_playbook()
    groups: dict[tuple[str, str, str, date], list[str]] = {}
    for inv in ledger.invoices:
        policy = book.policy_for(ledger.customer(inv.customer_id), inv)
        if policy is None:
            continue
        for step in policy.steps:
            if step.anchor.value != "due":
                break
            day = inv.due_date + timedelta(days=step.offset_days)
            if day >= as_of:
                break
            groups.setdefault((inv.customer_id, inv.currency, step.name, day), []).append(inv.id)
    entries = []
    for (cid, currency, step_name, day), ids in groups.items():
        key = f"h-{cid}-{step_name}-{day.isoformat()}"
        entries.append(HistoryEntry(key, day, cid, step_name, tuple(ids), "email", currency))
    return entries


def child(kind: str, scale: float, runs: int) -> None:
    """Run one measurement in this process and print a JSON line."""
    book = default_playbook()
    customers = max(1, int(100_000 * scale))
    invoices = max(1, int(1_000_000 * scale))
    times: list[float] = []
    facts: dict[str, object] = {}
    if kind in ("plan", "plan-first-run", "floor"):
        ledger = build_ledger(customers, invoices, 1, spread=(-90, 30))
        history = daily_history(ledger, AS_OF) if kind == "plan" else []
        gc.collect()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        offsets = sorted({s.offset_days for p in book.policies for s in p.steps})
        for _ in range(runs):
            start = time.perf_counter()
            if kind == "floor":
                due = 0
                for inv in ledger.invoices:
                    days = (AS_OF - inv.due_date).days
                    for offset in offsets:
                        if days >= offset:
                            due += 1
                facts["steps_passed"] = due
            else:
                result = plan(ledger, as_of=AS_OF, playbook=book, history=history)
                facts["actions"] = len(result.actions)
                facts["skipped"] = len(result.skipped)
            times.append(time.perf_counter() - start)
        facts["history_entries"] = len(history)
        facts["rss_before_mb"] = rss_before
    else:
        customers = max(1, int(10_000 * scale))
        invoices = max(1, int(100_000 * scale))
        ledger = build_ledger(customers, invoices, 2, spread=(-365, 0))
        for _ in range(runs):
            start = time.perf_counter()
            result = simulate(ledger, start=AS_OF - timedelta(days=364), end=AS_OF, playbook=book)
            times.append(time.perf_counter() - start)
            facts["actions"] = len(result.actions)
    facts["customers"] = customers
    facts["invoices"] = invoices
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"kind": kind, "times": times, "peak_mb": peak, **facts}))


TARGETS = {"plan": 3.0, "simulate": 5.0}


def main() -> None:
    """Run the measurements, each in a fresh subprocess, and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["plan", "floor", "plan-first-run", "simulate"],
        default=["floor", "plan", "plan-first-run", "simulate"],
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.scale, args.runs)
        return
    results = run_children(
        __file__, args.only, "--scale", str(args.scale), "--runs", str(args.runs)
    )
    report(results, TARGETS, full_size=args.scale == 1.0, width=15)
    if "plan" in results and "floor" in results:
        ratio = float(results["plan"]["median"]) / float(results["floor"]["median"])
        print(f"ratio plan / floor: {ratio:.1f}x  (goal < 5x)")


if __name__ == "__main__":
    main()
