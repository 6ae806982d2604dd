"""Benchmark: ``arpolicy.credit.recommend`` per customer on the benchmark books.

Each measurement runs in a fresh process (its own peak memory). Kinds:

* ``realistic`` / ``delinquent``: ``recommend(ledger, c, AS_OF, position=...)``
  for every customer ``c`` with something overdue on ``AS_OF``, as the
  engine's credit-hold rule asks it (with the customer's position on that
  day, allocated before timing), on the books of ``benchmarks/ledgers.py``
  (20,000 invoices and 2,000 customers by default; loaded from their CSV
  directories before timing).
* ``realistic-floor`` / ``delinquent-floor``: the plain per-customer
  allocation ``ledger.position(c, AS_OF)`` for the same customers. The ratio
  recommend / floor is printed.

One call of ``recommend`` before timing warms the fresh ledger (its plans
are built on the first call).

Facts: ``calls``, ``per_call_us`` (the median run over the calls), ``holds``
and ``digest`` (a hash of the ``repr`` of every recommendation, to compare
the results of two versions).

Usage::

    python benchmarks/bench_credit.py                       # both books, 3 runs
    python benchmarks/bench_credit.py --flavour delinquent --runs 5
    PYTHONPATH=/tmp/old/src python benchmarks/bench_credit.py  # another checkout's code
"""

from __future__ import annotations

import hashlib
import json
import resource
import time

import ledgers
from _harness import book_parser, report, run_children


def _child(kind: str, args: object) -> None:
    from arpolicy.credit import CreditDecision, recommend  # noqa: PLC0415
    from arpolicy.io import load_ledger  # noqa: PLC0415

    flavour = kind.removesuffix("-floor")
    where = ledgers.ensure(flavour, args.invoices, args.customers, args.seed, quiet=True)  # type: ignore[attr-defined]
    as_of = ledgers.AS_OF
    times: list[float] = []
    facts: dict[str, object] = {}
    for _ in range(args.runs):  # type: ignore[attr-defined]
        ledger = load_ledger(where.ledger)  # a fresh ledger
        positions = {c.id: ledger.position(c.id, as_of) for c in ledger.customers}
        wanted = [
            cid
            for cid, pos in positions.items()
            if any(
                bal.is_positive() and ledger.invoice(iid).due_date < as_of
                for iid, bal in pos.balances.items()
            )
        ]
        # warm: the first call of a fresh ledger also builds its plans (once per ledger)
        recommend(ledger, wanted[0], as_of, position=positions[wanted[0]])
        if kind.endswith("-floor"):
            started = time.perf_counter()
            for cid in wanted:
                ledger.position(cid, as_of)
            times.append(time.perf_counter() - started)
            facts = {"calls": len(wanted)}
        else:
            started = time.perf_counter()
            recs = [recommend(ledger, cid, as_of, position=positions[cid]) for cid in wanted]
            times.append(time.perf_counter() - started)
            digest = hashlib.sha256("\n".join(map(repr, recs)).encode()).hexdigest()[:16]
            holds = sum(1 for r in recs if r.decision is CreditDecision.HOLD)
            facts = {"calls": len(recs), "holds": holds, "digest": digest}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"kind": kind, "times": times, "peak_mb": peak, **facts}))


def main() -> None:
    """Measure every kind in a fresh process; print medians, per-call times and ratios."""
    parser = book_parser(__doc__, ledgers.FLAVOURS)
    parser.set_defaults(invoices=20_000, customers=2_000)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args)
        return
    names = list(ledgers.FLAVOURS) if args.flavour == "both" else [args.flavour]
    kinds = [k for name in names for k in (f"{name}-floor", name)]
    for name in names:  # generate the cached books once, outside the measurements
        ledgers.ensure(name, args.invoices, args.customers, args.seed, quiet=True)
    extra = ["--invoices", str(args.invoices), "--customers", str(args.customers)]
    extra += ["--seed", str(args.seed), "--runs", str(args.runs)]
    results = run_children(__file__, kinds, *extra)
    calls = {kind: int(str(data["calls"])) for kind, data in results.items()}
    report(results, {}, full_size=False, width=18)
    for kind, data in results.items():
        per_call = float(data["median"]) / max(1, calls[kind]) * 1e6
        print(f"{kind:18s} {per_call:8.1f} us per call ({calls[kind]} calls)")
    for name in names:
        if name in results and f"{name}-floor" in results:
            ratio = float(results[name]["median"]) / float(results[f"{name}-floor"]["median"])
            print(f"ratio {name} / floor: {ratio:.2f}x")


if __name__ == "__main__":
    main()
