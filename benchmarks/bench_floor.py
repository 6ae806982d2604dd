"""Benchmark floor: the least a columnar ledger and engine can do, measured with Polars.

On the ledgers of ``benchmarks/ledgers.py`` (generated and cached on first
use), each run in a fresh subprocess (``_harness.run_children``) so that peak
memory (``ru_maxrss``) is its own:

* ``csv``: the stages of a minimal pipeline, each timed:

  - ``read``: ``pl.read_csv`` of ``customers.csv``, ``invoices.csv`` and
    ``payments.csv``, every column as a string (no inference);
  - ``parse``: dates with ``str.to_date``, amounts to Int64 minor units from
    their digit strings, currencies as an Enum, and the references
    (``customer_id``, ``invoice_id``) resolved to row numbers with one join
    each, as a validating loader must (no other validation);
  - ``history``: ``pl.read_csv`` of the history file, and the last step done
    per invoice (a join on the step names of each profile's ladder);
  - ``allocate``: the balance of every invoice on ``AS_OF``: named payments
    to their invoice (the excess joins the pool), then the pool of each
    customer and currency to its oldest invoices (issue date, due date,
    id), with one sort and global cumulative sums (no ``cum_sum().over()``);
  - ``screen``: the open invoices whose next ladder step is due: days past
    due against the step offsets of the profile's policy (receipt-anchored
    steps counted from the previous step plus the presumed receipt days),
    beyond the last step done;
  - ``notices``: one notice per customer, currency and step: invoice count
    and amount due.

  No business-day shifting, no disputes, holds, plans or minimum amounts:
  it is a floor, not an engine. Its time is the sum of the stages.
* ``parquet``: ``pl.read_parquet`` of the same three tables, typed (dates,
  Int64 minor units), converted once from the CSV files by the ``parse``
  stage and cached next to the ledger directory as ``<name>.parquet/``.

Prints, per flavour and measurement, the median and each run, the peak
memory (maximum over runs), and the median of every stage; with
``--check``, also compares the floor's balances with
``arpolicy.io.load_ledger(...).balances(AS_OF)`` (small sizes).

Usage::

    python benchmarks/bench_floor.py                              # both flavours, 1M
    python benchmarks/bench_floor.py --flavour realistic --runs 3
    python benchmarks/bench_floor.py --invoices 20000 --customers 2000 --runs 1 --check

Needs Polars: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path
from typing import Any

from _harness import report, run_children
from ledgers import AS_OF, FLAVOURS, ensure

KINDS = ("csv", "parquet")
STAGES = ("read", "parse", "history", "allocate", "screen", "notices")
TABLES = ("customers", "invoices", "payments")


def ladders() -> dict[str, list[tuple[str, int]]]:
    """Each profile's ladder as (step, days after the due date), from the built-in playbook."""
    from arpolicy.playbooks import default_playbook  # noqa: PLC0415 - only in the parent

    book = default_playbook()
    result: dict[str, list[tuple[str, int]]] = {}
    for profile, name in book.by_profile:
        policy = book.policy(name)
        steps: list[tuple[str, int]] = []
        for step in policy.steps:
            if step.anchor.value == "receipt" and steps:
                offset = steps[-1][1] + policy.presumed_receipt_days + step.offset_days
            else:
                offset = step.offset_days
            steps.append((step.name, offset))
        result[profile] = steps
    return result


# ---------------------------------------------------------------------------
# the stages (in the child)
# ---------------------------------------------------------------------------


def read_csv(ledger: Path) -> dict[str, Any]:
    import polars as pl  # noqa: PLC0415

    return {t: pl.read_csv(ledger / f"{t}.csv", infer_schema=False) for t in TABLES}


def _minor(amount: str, currency: str) -> Any:
    """Int64 minor units from the digit strings (2 decimals; JPY none)."""
    import polars as pl  # noqa: PLC0415

    parts = pl.col(amount).str.split_exact(".", 1)
    whole = parts.struct.field("field_0").cast(pl.Int64)
    cents = parts.struct.field("field_1").fill_null("").str.pad_end(2, "0").cast(pl.Int64)
    return pl.when(pl.col(currency) == "JPY").then(whole).otherwise(whole * 100 + cents)


def parse(raw: dict[str, Any]) -> dict[str, Any]:
    """Typed columns, and references resolved to row numbers (``cix``, ``iix``).

    A loader must resolve every reference to validate it ("no such customer"),
    so the floor resolves them too, with one join each, and the later stages
    work on integers.
    """
    import polars as pl  # noqa: PLC0415

    day = "%Y-%m-%d"
    codes = pl.concat([raw["invoices"]["currency"], raw["payments"]["currency"]]).unique()
    currency = pl.col("currency").cast(pl.Enum(codes.sort()))
    customers = raw["customers"].select("id", "profile", "country").with_row_index("cix")
    owners = customers.select(pl.col("id").alias("customer_id"), "cix")
    invoices = (
        raw["invoices"]
        .select(
            "id",
            "customer_id",
            pl.col("issue_date").str.to_date(day),
            pl.col("due_date").str.to_date(day),
            _minor("amount", "currency").alias("amount"),
            currency,
        )
        .with_row_index("iix")
        .join(owners, on="customer_id", how="left", maintain_order="left")
    )
    targets = invoices.select(pl.col("id").alias("invoice_id"), "iix")
    payments = (
        raw["payments"]
        .select(
            "id",
            "customer_id",
            pl.col("date").str.to_date(day),
            _minor("amount", "currency").alias("amount"),
            currency,
            "invoice_id",
        )
        .join(owners, on="customer_id", how="left", maintain_order="left")
        .join(targets, on="invoice_id", how="left", maintain_order="left")
    )
    return {"customers": customers, "invoices": invoices, "payments": payments}


def history(path: Path, tables: dict[str, Any], steps: dict[str, list[tuple[str, int]]]) -> Any:
    """Per invoice: how many steps of its ladder are done (the last index + 1)."""
    import polars as pl  # noqa: PLC0415

    names = pl.DataFrame(
        [(p, s, n + 1) for p, ladder in steps.items() for n, (s, _) in enumerate(ladder)],
        schema={"profile": pl.String, "step": pl.String, "done": pl.Int8},
        orient="row",
    )
    rows = pl.scan_csv(path, infer_schema=False).select("customer_id", "invoice_id", "step")
    profiles = tables["customers"].lazy().select(pl.col("id").alias("customer_id"), "profile")
    return (
        rows.join(profiles, on="customer_id")
        .join(names.lazy(), on=["profile", "step"])
        .group_by("invoice_id")
        .agg(pl.col("done").max())
        .collect()
    )


def allocate(tables: dict[str, Any]) -> Any:
    """Every invoice with its balance on AS_OF (minor units)."""
    import polars as pl  # noqa: PLC0415

    invoices, payments = tables["invoices"], tables["payments"]
    paid = payments.filter(pl.col("date") <= AS_OF)
    named = paid.filter(pl.col("iix").is_not_null()).group_by("iix").agg(pl.col("amount").sum())
    by_row = pl.zeros(invoices.height, pl.Int64, eager=True)
    book = (
        invoices.with_columns(named=by_row.scatter(named["iix"], named["amount"]))
        .with_columns(applied=pl.min_horizontal("named", "amount"))
        .with_columns(
            left=pl.col("amount") - pl.col("applied"),
            excess=pl.col("named") - pl.col("applied"),
        )
    )
    keys = ["cix", "currency"]
    pool = pl.concat(
        [
            paid.filter(pl.col("iix").is_null()).select(*keys, "amount"),
            book.filter(pl.col("excess") > 0).select(*keys, pl.col("excess").alias("amount")),
        ]
    )
    pool = pool.group_by(keys).agg(pl.col("amount").sum().alias("pool"))
    ordered = book.sort([*keys, "issue_date", "due_date", "id"])
    start = (pl.col("cix") != pl.col("cix").shift()) | (
        pl.col("currency") != pl.col("currency").shift()
    )
    before = pl.col("left").cum_sum() - pl.col("left")  # global, exclusive
    ordered = ordered.with_columns(before=before, start=start.fill_null(True))
    # what the older invoices of the same customer and currency still owe
    group_base = pl.when(pl.col("start")).then(pl.col("before")).forward_fill()
    ordered = ordered.with_columns(older=pl.col("before") - group_base)
    from_pool = (pl.col("pool") - pl.col("older")).clip(0, None).clip(None, pl.col("left"))
    return (
        ordered.join(pool, on=keys, how="left")
        .with_columns(pl.col("pool").fill_null(0))
        .with_columns(balance=pl.col("left") - from_pool)
        .select("iix", "id", "cix", "currency", "due_date", "amount", "balance")
    )


def screen(
    balances: Any, tables: dict[str, Any], done: Any, steps: dict[str, list[tuple[str, int]]]
) -> Any:
    """The open invoices whose next step is due on AS_OF, with that step's number."""
    import polars as pl  # noqa: PLC0415

    days = (pl.lit(AS_OF) - pl.col("due_date")).dt.total_days()
    reached = pl.lit(0, pl.Int8)
    for profile, ladder in steps.items():
        count = pl.sum_horizontal([(days >= offset).cast(pl.Int8) for _, offset in ladder])
        reached = pl.when(pl.col("profile") == profile).then(count).otherwise(reached)
    profile = tables["customers"]["profile"]
    open_items = balances.filter(pl.col("balance") > 0)
    return (
        open_items.with_columns(profile=profile.gather(open_items["cix"]))
        .lazy()
        .join(done.lazy(), left_on="id", right_on="invoice_id", how="left")
        .with_columns(reached.alias("reached"), pl.col("done").fill_null(0))
        .filter(pl.col("reached") > pl.col("done"))
        .collect()
    )


def notices(candidates: Any) -> Any:
    import polars as pl  # noqa: PLC0415

    return candidates.group_by("cix", "currency", "reached").agg(
        pl.len().alias("invoices"), pl.col("balance").sum().alias("amount_due")
    )


# ---------------------------------------------------------------------------
# child and parent
# ---------------------------------------------------------------------------


def child(kind: str, ledger: str, history_path: str, parquet: str, steps_json: str) -> None:
    """One measurement in this process; prints a JSON line."""
    import polars as pl  # noqa: PLC0415

    steps = json.loads(steps_json)
    root, cache = Path(ledger), Path(parquet)
    facts: dict[str, object] = {}
    stages: dict[str, float] = {}
    if kind == "parquet":
        t0 = time.perf_counter()
        tables = {t: pl.read_parquet(cache / f"{t}.parquet") for t in TABLES}
        stages["read"] = time.perf_counter() - t0
        facts["rows"] = {t: f.height for t, f in tables.items()}
    elif kind in ("csv", "convert", "check"):
        t0 = time.perf_counter()
        raw = read_csv(root)
        t1 = time.perf_counter()
        tables = parse(raw)
        del raw
        t2 = time.perf_counter()
        done = history(Path(history_path), tables, steps)
        t3 = time.perf_counter()
        balances = allocate(tables)
        t4 = time.perf_counter()
        candidates = screen(balances, tables, done, steps)
        t5 = time.perf_counter()
        totals = notices(candidates)
        t6 = time.perf_counter()
        stages = dict(
            zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5), strict=True)
        )
        facts["open_invoices"] = balances.filter(pl.col("balance") > 0).height
        facts["candidates"] = candidates.height
        facts["notices"] = totals.height
        if kind == "convert":
            tmp = cache.with_name(cache.name + ".tmp")
            tmp.mkdir(parents=True, exist_ok=True)
            for name, frame in tables.items():
                typed = frame.drop("cix", "iix", strict=False)
                typed.write_parquet(tmp / f"{name}.parquet")
            tmp.rename(cache)
        if kind == "check":
            facts["balances_differing"] = _check(root, balances)
    else:
        raise SystemExit(f"unknown kind {kind!r}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = {"times": [sum(stages.values())], "peak_mb": round(peak), "stages": stages, **facts}
    print(json.dumps(line))


def _check(root: Path, balances: Any) -> int:
    """How many invoice balances differ from arpolicy's (builds objects: small sizes)."""
    from decimal import Decimal  # noqa: PLC0415

    from arpolicy.io import load_ledger  # noqa: PLC0415

    expected = load_ledger(root).balances(AS_OF)
    wrong = 0
    for iid, currency, minor in balances.select("id", "currency", "balance").iter_rows():
        value = Decimal(minor) if currency == "JPY" else Decimal(minor).scaleb(-2)
        if expected[iid].amount != value:
            wrong += 1
    return wrong


def main() -> None:
    """Generate or reuse the ledgers, convert to Parquet once, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flavour", choices=[*FLAVOURS, "both"], default="both")
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260115)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per measurement")
    parser.add_argument("--only", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--check", action="store_true", help="compare balances with arpolicy")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    steps_json = json.dumps(ladders())
    names = list(FLAVOURS) if args.flavour == "both" else [args.flavour]
    full = args.invoices == 1_000_000 and args.customers == 100_000
    for name in names:
        where = ensure(name, args.invoices, args.customers, args.seed)
        parquet = where.ledger.with_name(where.ledger.name + ".parquet")
        common = (str(where.ledger), str(where.history), str(parquet), steps_json)
        if not parquet.is_dir():
            print(f"converting to {parquet} ...", flush=True)
            run_children(__file__, ["convert"], *common)
        print(f"\n{name}: {args.invoices} invoices, {args.customers} customers on {AS_OF}")
        if args.check:
            found = run_children(__file__, ["check"], *common)["check"]
            print(f"  balances differing from arpolicy's: {found['balances_differing']}")
        runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in args.only}
        for _ in range(args.runs):
            for kind, data in run_children(__file__, args.only, *common).items():
                runs[kind].append(data)
        merged: dict[str, dict[str, object]] = {}
        for kind, results in runs.items():
            stage_names = results[0]["stages"]
            merged[kind] = {
                "times": [r["times"][0] for r in results],
                "peak_mb": max(r["peak_mb"] for r in results),
                **{k: v for k, v in results[0].items() if k not in ("times", "peak_mb", "stages")},
            }
            medians = {s: statistics.median(r["stages"][s] for r in results) for s in stage_names}
            merged[kind]["stage_medians_s"] = {s: round(t, 3) for s, t in medians.items()}
        report(merged, {}, full_size=full, width=8)


if __name__ == "__main__":
    main()
