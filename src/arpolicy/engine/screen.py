"""The columnar candidates stage: every open invoice of a ledger at once.

:func:`screen` runs over the ledger's Polars tables what
:mod:`~arpolicy.engine.candidates` does invoice by invoice: the open items
(the allocation kernel), the policy of each invoice, the minimum amounts and
the ladder with catch-up, lags, running deadlines and business-day calendars.
It decides, for each customer, one of three things:

* the customer is **quiet**: no action is due and the stages would only list
  its open invoices as skipped (not due, ladder complete, below the minimum,
  no policy). Those rows come out as a table, with the same reasons and
  sentences, and the customer never reaches Python code of its own;
* a step is **due** for some of its invoices and nothing else needs deciding:
  its other invoices' skipped rows come out as a table, and the due ones as
  candidate rows (the step, its scheduled day, the steps it supersedes or
  drops), which the notices stage groups, spaces and charges without the
  per-customer stages;
* a **credit hold** may be due (over the credit limit, or a behaviour score
  near the threshold): as above, and the credit-hold rule is asked;
* the customer is **busy**: it has something the columnar stage leaves to
  the per-customer stages (a payment plan or a trial, or an action already
  carried out that day). The per-customer stages plan it, exactly as before.

Blocks, disputes, invoice holds, minimum amounts and batch skip rules are
skip rules over the table. Both give the same plan:
``tests/test_engine_screen.py`` checks it on random ledgers against the
per-customer stages alone. The screen is used without plugins of one's own
other than batch skip rules (a plugin's hooks see every invoice they saw
before) and without policies that dun paid-late invoices for their
interest alone.

Dates are ``Date`` columns, amounts Int64 minor units; the only floating-point
number is the behaviour-score bound that sends a customer near the
credit-hold threshold to the exact credit-hold rule (with two points of
margin), never a value that reaches the output.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Final

import attrs
import polars as pl

from ..actions import Action, HistoryEntry, HistoryStatus, SkipReason
from ..calendar import calendar_for
from ..credit import DEFAULT_POLICY
from ..law import nl as law_nl
from ..ledger._views import BUILDERS
from ..model import Ledger
from ..money import Money, minor_unit
from ..plugins import Plugins, SkipAnswers
from ..policy import Anchor, CalendarRule, CatchUp, EndBehaviour, Playbook, Policy
from .candidates import _choose_policy

__all__ = ["Screened", "done_rows", "screen", "skipped_rows"]

_CANDIDATES_SCHEMA: Final = {
    "customer_id": pl.String,
    "invoice_id": pl.String,
    "currency": pl.String,
    "balance": pl.Int64,
    "policy_name": pl.String,
    "index": pl.Int64,
    "scheduled": pl.Date,
    "superseded": pl.Int64,
    "dropped": pl.Int64,
    "repeat": pl.Int64,
}
"""The columns of :attr:`Screened.candidates`."""

_SCORE_MARGIN: Final = 2.0
"""Points of margin of the behaviour-score bound (see the module docstring)."""


@attrs.frozen(eq=False)
class Screened:
    """What :func:`screen` found.

    Attributes:
        busy: the customers for the per-customer stages.
        skipped: the skipped rows of every other customer (``customer_id,
            invoice_id, reason, detail, step``).
        holds: the customers for whom a credit hold may be due (over their
            limit, or a behaviour score near the threshold); for the others
            the screen has shown that none is. Those not ``busy`` have their
            rows here (skipped and candidates) like the others; only the
            credit-hold rule remains to be asked.
        candidates: the invoices with a step due of the customers not busy
            (columns :data:`_CANDIDATES_SCHEMA`): what the candidates stage
            would give them; the notices stage takes it from there.
        policies: the policies the candidates name, by name.
        skip_answers: the batch skip rules' answers for the day, when a
            plugin has such rules (the per-customer stages take them for
            the busy customers: the rules are asked once).
    """

    busy: frozenset[str]
    skipped: pl.DataFrame
    holds: frozenset[str] = frozenset()
    candidates: pl.DataFrame | None = None
    policies: Mapping[str, Policy] = attrs.field(factory=dict)
    skip_answers: SkipAnswers | None = None


def done_rows(entries: Iterable[HistoryEntry | Action], as_of: date) -> pl.DataFrame:
    """The dunning steps of ``entries`` carried out by ``as_of``, one row per
    invoice: ``customer_id, invoice_id, step, date, received_on`` (failed
    entries and entries without invoices left out, as the stages leave them
    out)."""
    cids: list[str] = []
    ids: list[str] = []
    steps: list[str] = []
    days: list[date] = []
    receipts: list[date | None] = []
    failed = HistoryStatus.FAILED
    for item in entries:
        if isinstance(item, Action):
            ok, received = True, None
        else:
            ok, received = item.status is not failed, item.received_on
        day = item.date
        if ok and day <= as_of:
            for iid in item.invoice_ids:
                cids.append(item.customer_id)
                ids.append(iid)
                steps.append(item.step)
                days.append(day)
                receipts.append(received)
    return pl.DataFrame(
        {
            "customer_id": pl.Series(cids, dtype=pl.String),
            "invoice_id": pl.Series(ids, dtype=pl.String),
            "step": pl.Series(steps, dtype=pl.String),
            "date": pl.Series(days, dtype=pl.Date),
            "received_on": pl.Series(receipts, dtype=pl.Date),
        }
    )


_EPOCH: Final = date(1970, 1, 1).toordinal()
"""Polars dates count days from 1970-01-01."""
_PAD: Final = 64


class _NextBusinessDays:
    """Next business days by calendar key (a country code): computed once per
    (key, day) with :func:`arpolicy.calendar.calendar_for` over a dense range
    of days, and looked up with a gather (no join, no hashing per row)."""

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._code: dict[str, int] = {}
        self._lo = 0
        self._hi = -1
        self._flat = pl.Series("n", [], pl.Int32)

    def _ensure(self, keys: Iterable[str], lo: int, hi: int) -> None:
        fresh = [k for k in keys if k not in self._code]
        wider = lo < self._lo or hi > self._hi
        if not fresh and not wider:
            return
        for key in fresh:
            self._code[key] = len(self._keys)
            self._keys.append(key)
        if wider:
            if self._hi < self._lo:
                self._lo, self._hi = lo - _PAD, hi + _PAD
            else:
                self._lo, self._hi = min(lo, self._lo) - _PAD, max(hi, self._hi) + _PAD
        values: list[int] = []
        for key in self._keys:
            calendar = calendar_for(key)
            for day in range(self._lo, self._hi + 1):
                found = calendar.next_business_day(date.fromordinal(day + _EPOCH))
                values.append(found.toordinal() - _EPOCH)
        self._flat = pl.Series("n", values, pl.Int32)

    def shift(self, frame: pl.DataFrame, day: pl.Expr, key: str | pl.Expr | None) -> pl.Series:
        """``day`` moved to the next business day of ``key`` (a constant
        country code, or an expression giving one per row); ``None``: as is."""
        days = frame.select(day.alias("d")).to_series()
        if key is None or frame.height == 0:
            return days
        numbers = days.cast(pl.Int32)
        lo, hi = numbers.min(), numbers.max()
        if lo is None or hi is None:
            return days
        column = None if isinstance(key, str) else frame.select(key.cast(pl.String)).to_series()
        keys = [key] if isinstance(key, str) else column.drop_nulls().unique().to_list()  # type: ignore[union-attr]
        self._ensure(keys, int(lo), int(hi))  # type: ignore[arg-type]
        span = self._hi - self._lo + 1
        where = numbers.cast(pl.Int64) - self._lo
        if isinstance(key, str):
            where = where + self._code[key] * span
        else:
            assert column is not None
            where = where + column.replace_strict(self._code, return_dtype=pl.Int64) * span
        moved = self._flat.gather(where.fill_null(0)).cast(pl.Date)
        return pl.select(pl.when(days.is_not_null()).then(moved).alias("d")).to_series()


def _calendar_key(rule: str) -> str | None:
    """``None`` (any day), ``""`` (the customer's country) or a country code."""
    if rule == CalendarRule.NONE:
        return None
    if rule == CalendarRule.CUSTOMER:
        return ""
    return rule


def _lit_date(value: date) -> pl.Expr:
    return pl.lit(value, pl.Date)


def _text(day: pl.Expr) -> pl.Expr:
    return day.dt.strftime("%Y-%m-%d")


def screen(
    ledger: Ledger,
    playbook: Playbook,
    history: pl.DataFrame,
    as_of: date,
    customers: Sequence[str] | None = None,
    busy: Sequence[str] = (),
    plugins: Plugins | None = None,
) -> Screened:
    """Screen every customer of ``ledger`` (or of ``customers``) on ``as_of``.

    Args:
        ledger: the ledger.
        playbook: the policies (no policy sets ``dun_interest_only``).
        history: :func:`done_rows` of the history, on ``as_of``.
        as_of: the day.
        customers: only these customers (all when ``None``).
        busy: customers to leave to the per-customer stages whatever the
            screen finds (e.g. those with history entries of the day).
        plugins: the plugins (:meth:`~arpolicy.plugins.Plugins.batch_skips_only`
            or the built-in rules alone): their batch skip rules are asked
            once with every open invoice that has a policy, and answer where
            the built-in skip rules do not.
    """
    tables = ledger.tables
    cals = _NextBusinessDays()
    people = tables.customers.select(
        "customer_id",
        "profile",
        "country",
        "policy",
        "tags",
        "block_reason",
        "block_until",
        blocked=pl.col("block_reason").is_not_null()
        & (pl.col("block_until").is_null() | (_lit_date(as_of) < pl.col("block_until"))),
        busy=pl.lit(False),
    )
    if customers is not None:
        people = people.filter(pl.col("customer_id").is_in(list(customers)))
    special = pl.concat(
        [tables.instalments.select("customer_id"), tables.trials.select("customer_id")]
    )["customer_id"]
    people = people.with_columns(pl.col("busy") | pl.col("customer_id").is_in(special.implode()))

    allocated = ledger._allocated(as_of)
    issued = _issued(tables.invoices, allocated, as_of)
    open_ = (
        issued.filter(pl.col("balance") > 0)
        .select(
            "invoice_id",
            "customer_id",
            "currency",
            "balance",
            "kind",
            "issue_date",
            "due_date",
            "policy",
            "disputed",
            "on_hold",
            "dispute_reason",
            "on_hold_until",
        )
        .join(
            people.select(
                "customer_id",
                "country",
                pl.col("policy").alias("customer_policy"),
                "profile",
                pl.col("tags").list.join("\x1f").alias("tags"),
                "blocked",
                "block_reason",
                "block_until",
            ),
            on="customer_id",
            how="inner",
            maintain_order="left",
        )
    )
    busy_ids: list[pl.Series] = [
        pl.Series("customer_id", list(busy), pl.String),
        people.filter("busy")["customer_id"],
    ]
    holds: list[pl.Series] = []
    if playbook.credit_hold:
        holds.append(_near_hold(issued, as_of))
        holds.append(_over_limit(tables.customers, issued, allocated.credit))

    # 1. the policy of each open invoice, once per distinct choice
    keys = ["kind", "policy", "customer_policy", "profile", "tags"]
    combos = open_.select(*keys, "invoice_id", "customer_id").unique(keys, keep="first")
    names: list[str | None] = []
    no_policy: list[str | None] = []
    by_name: dict[str, Policy] = {}
    # one record of each kind per distinct choice, built from its table rows
    bills = BUILDERS["invoice"](
        tables.invoices.join(combos.select("invoice_id"), on="invoice_id", how="semi")
    )
    people_of = BUILDERS["customer"](
        tables.customers.join(combos.select("customer_id").unique(), on="customer_id", how="semi")
    )
    bill_by = {b.id: b for b in bills}
    person_by = {p.id: p for p in people_of}
    for iid, cid in zip(
        combos["invoice_id"].to_list(), combos["customer_id"].to_list(), strict=True
    ):
        chosen = _choose_policy(playbook, person_by[cid], bill_by[iid])
        if isinstance(chosen, str):
            names.append(None)
            no_policy.append(chosen)
        else:
            by_name[chosen.name] = chosen
            names.append(chosen.name)
            no_policy.append(None)
    choice = combos.select(keys).with_columns(
        pl.Series("policy_name", names, pl.String), pl.Series("no_policy", no_policy, pl.String)
    )
    open_ = open_.join(choice, on=keys, how="left", maintain_order="left", nulls_equal=True)
    parts: list[pl.DataFrame] = [
        open_.filter(pl.col("no_policy").is_not_null()).select(
            "customer_id",
            "invoice_id",
            reason=pl.lit(SkipReason.NO_POLICY.value),
            detail="no_policy",
            step=pl.lit(None, pl.String),
        )
    ]

    # 2. the skip rules: blocks, disputes, then holds (payment plans make a
    # customer busy), then minimum amounts: the open amount per customer and
    # currency of the invoices with a policy, not disputed or on hold
    with_policy = open_.filter(pl.col("policy_name").is_not_null())
    until = pl.col("block_until")
    parts.append(
        with_policy.filter("blocked").select(
            "customer_id",
            "invoice_id",
            reason=pl.lit(SkipReason.BLOCKED.value),
            detail=pl.concat_str(
                pl.lit("customer blocked ("),
                pl.col("block_reason"),
                pl.lit(")"),
                pl.when(until.is_not_null())
                .then(pl.concat_str(pl.lit(" until "), _text(until)))
                .otherwise(pl.lit("")),
            ),
            step=pl.lit(None, pl.String),
        )
    )
    paused = ~pl.col("blocked") & (pl.col("disputed") | pl.col("on_hold"))
    dunned = open_.filter(pl.col("policy_name").is_not_null()).with_columns(
        dunnable=pl.when(paused)
        .then(pl.lit(0, pl.Int64))
        .otherwise("balance")
        .sum()
        .over("customer_id", "currency")
    )
    reason = pl.col("dispute_reason")
    parts.append(
        dunned.filter(paused).select(
            "customer_id",
            "invoice_id",
            reason=pl.when("disputed")
            .then(pl.lit(SkipReason.DISPUTED.value))
            .otherwise(pl.lit(SkipReason.ON_HOLD.value)),
            detail=pl.when("disputed")
            .then(
                pl.concat_str(
                    pl.lit("disputed: "),
                    pl.when(reason.is_not_null() & (reason != ""))
                    .then(reason)
                    .otherwise(pl.lit("no reason given")),
                )
            )
            .otherwise(pl.concat_str(pl.lit("on hold until "), _text(pl.col("on_hold_until")))),
            step=pl.lit(None, pl.String),
        )
    )
    dunned = dunned.filter(~paused & ~pl.col("blocked"))
    answers: SkipAnswers | None = None
    if plugins is not None and plugins.batch_hooks()[0]:
        asked = open_.filter(pl.col("policy_name").is_not_null())
        answers, by_plugin = _ask_batch_skips(asked, tables.customers, plugins, as_of)
    minimums = [
        (name, m.currency, m.minor_units)
        for name, policy in by_name.items()
        for m in policy.minimum_amount
    ]
    if minimums:
        table = pl.DataFrame(
            minimums,
            schema={"policy_name": pl.String, "currency": pl.String, "minimum": pl.Int64},
            orient="row",
        )
        dunned = dunned.join(
            table, on=["policy_name", "currency"], how="left", maintain_order="left"
        )
        below = dunned.filter(pl.col("dunnable") < pl.col("minimum"))
        if below.height:
            parts.append(_below_minimum(below, by_name))
        dunned = dunned.filter(
            pl.col("minimum").is_null() | (pl.col("dunnable") >= pl.col("minimum"))
        )

    if answers is not None and by_plugin.height:
        answered = dunned.join(by_plugin, on="invoice_id", how="inner", maintain_order="left")
        parts.append(
            answered.select(
                "customer_id",
                "invoice_id",
                reason=pl.col("skip_reason"),
                detail=pl.col("skip_detail"),
                step=pl.lit(None, pl.String),
            )
        )
        dunned = dunned.join(by_plugin, on="invoice_id", how="anti", maintain_order="left")

    # 3. the ladder of each invoice, policy by policy
    if "received_on" not in history.columns:
        history = history.with_columns(received_on=pl.lit(None, pl.Date))
    done = history.join(
        dunned.select("customer_id", "invoice_id"), on=["customer_id", "invoice_id"], how="semi"
    )
    due: list[pl.DataFrame] = []
    for name in sorted(by_name):
        policy = by_name[name]
        rows = dunned.filter(pl.col("policy_name") == name)
        if rows.height == 0:
            continue
        skipped, candidates = _ladder(rows, policy, done, as_of, cals)
        parts.append(skipped)
        due.append(candidates)

    complex_ = pl.concat(busy_ids).unique()
    found = (pl.concat(due) if due else pl.DataFrame(schema=_CANDIDATES_SCHEMA)).filter(
        ~pl.col("customer_id").is_in(complex_.implode())
    )
    skipped = pl.concat(parts, how="vertical_relaxed").filter(
        ~pl.col("customer_id").is_in(complex_.implode())
    )
    held = frozenset(pl.concat(holds).unique().to_list()) if holds else frozenset()
    return Screened(frozenset(complex_.to_list()), skipped, held, found, by_name, answers)


def _ask_batch_skips(
    asked: pl.DataFrame, customers: pl.DataFrame, plugins: Plugins, as_of: date
) -> tuple[SkipAnswers, pl.DataFrame]:
    """Ask the batch skip rules about the open invoices with a policy (the
    table of :data:`arpolicy.batch_tables.INVOICE_COLUMNS`, by customer and
    invoice), and the first answer for each invoice in the rules' order
    (``invoice_id, skip_reason, skip_detail``, the detail naming the plugin
    as the per-customer stages name it)."""
    from ..batch_tables import INVOICE_COLUMNS  # noqa: PLC0415

    digits = {c: minor_unit(c) for c in asked["currency"].unique().to_list()}
    table = (
        asked.select("customer_id", "invoice_id", "kind", "currency", "balance")
        .join(
            asked.select(
                "invoice_id",
                "issue_date",
                "due_date",
                pl.col("policy_name").alias("policy"),
                pl.col("profile").cast(pl.String),
                "country",
            ),
            on="invoice_id",
            maintain_order="left",
        )
        .join(
            customers.select("customer_id", pl.col("tags").list.sort()),
            on="customer_id",
            how="left",
            maintain_order="left",
        )
        .with_columns(
            pl.col("kind").cast(pl.String),
            pl.col("currency").replace_strict(digits, return_dtype=pl.Int8).alias("minor_digits"),
        )
        .select(INVOICE_COLUMNS)
        .sort("customer_id", "invoice_id")
    )
    answers = plugins.skip_invoices(table, as_of) if table.height else {}
    rows: dict[str, tuple[str, str]] = {}
    for plugin, function in plugins._chain("arpolicy_skip_invoice"):
        if function is not None:
            continue
        for iid, skip in answers.get(plugin, {}).items():
            if iid not in rows:
                rows[iid] = (skip.reason.value, f"{skip.detail} (plugin {plugin!r})")
    by_plugin = pl.DataFrame(
        [(iid, reason, detail) for iid, (reason, detail) in rows.items()],
        schema={"invoice_id": pl.String, "skip_reason": pl.String, "skip_detail": pl.String},
        orient="row",
    )
    return answers, by_plugin


def _below_minimum(below: pl.DataFrame, by_name: dict[str, Policy]) -> pl.DataFrame:
    """The BELOW_MINIMUM rows, worded as the built-in skip rule words them."""
    combos = below.select("dunnable", "currency", "policy_name").unique()
    details = []
    for minor, currency, name in combos.iter_rows():
        policy = by_name[name]
        minimum = policy.minimum_for(currency)
        details.append(
            f"open {Money.from_minor(minor, currency)} is below the minimum {minimum} of "
            f"policy {policy.name!r}"
        )
    table = combos.with_columns(pl.Series("detail", details, pl.String))
    return below.join(
        table, on=["dunnable", "currency", "policy_name"], how="left", maintain_order="left"
    ).select(
        "customer_id",
        "invoice_id",
        reason=pl.lit(SkipReason.BELOW_MINIMUM.value),
        detail="detail",
        step=pl.lit(None, pl.String),
    )


def _issued(invoices: pl.DataFrame, allocated: Any, as_of: date) -> pl.DataFrame:
    """The invoices and deposit requests issued by ``as_of`` with their
    balance and last application day (the kernel's rows are those of the
    invoice table, in its order, so no join is needed)."""
    issued = invoices.filter(
        (pl.col("kind") != "credit_note") & (pl.col("issue_date") <= _lit_date(as_of))
    ).select(
        "invoice_id",
        "customer_id",
        "currency",
        "kind",
        "issue_date",
        "due_date",
        "policy",
        "dispute_reason",
        "on_hold_until",
        disputed=pl.col("dispute_opened_on").is_not_null()
        & (pl.col("dispute_opened_on") <= _lit_date(as_of))
        & (
            pl.col("dispute_resolved_on").is_null()
            | (_lit_date(as_of) < pl.col("dispute_resolved_on"))
        ),
        on_hold=pl.col("on_hold_until").is_not_null()
        & (_lit_date(as_of) < pl.col("on_hold_until")),
    )
    balances = allocated.balances
    if not issued.get_column("invoice_id").equals(balances.get_column("invoice_id")):
        raise AssertionError("the kernel's balances are not in the invoice table's order")
    return issued.with_columns(balances.get_column("balance"), allocated.last_applied)


def _over_limit(customers: pl.DataFrame, issued: pl.DataFrame, credit: pl.DataFrame) -> pl.Series:
    """Customers whose exposure in their credit limit's currency exceeds the
    limit: open balances less unapplied credit, as
    :func:`arpolicy.credit.recommend` counts it without exchange rates (a
    breach calls for a credit hold; the per-customer stages decide it)."""
    limits = customers.filter(pl.col("credit_limit").is_not_null()).select(
        "customer_id", "currency", "credit_limit"
    )
    opened = (
        issued.filter(pl.col("balance") > 0)
        .join(limits.select("customer_id", "currency"), on=["customer_id", "currency"], how="semi")
        .group_by("customer_id", "currency")
        .agg(pl.col("balance").sum().alias("open"))
    )
    exposure = (
        limits.join(opened, on=["customer_id", "currency"], how="left")
        .join(credit, on=["customer_id", "currency"], how="left")
        .with_columns(
            exposure=(pl.col("open").fill_null(0) - pl.col("credit").fill_null(0)).clip(0)
        )
    )
    found: pl.Series = exposure.filter(pl.col("exposure") > pl.col("credit_limit")).get_column(
        "customer_id"
    )
    return found


def _near_hold(issued: pl.DataFrame, as_of: date) -> pl.Series:
    """Customers with an overdue open invoice whose behaviour score may be
    below the credit-hold threshold: a bound of
    :func:`arpolicy.reports.payment_behaviour` with :data:`_SCORE_MARGIN`
    points of margin (the exact check is the per-customer stages')."""
    policy = DEFAULT_POLICY
    if policy.hold_below is None:
        return pl.Series("customer_id", [], pl.String)
    judged = issued.with_columns(
        settled=pl.max_horizontal(
            pl.col("last_applied").fill_null(pl.col("issue_date")), "issue_date"
        )
    ).with_columns(
        late=pl.when(pl.col("balance") == 0)
        .then(pl.max_horizontal((pl.col("settled") - pl.col("due_date")).dt.total_days(), 0))
        .when(pl.col("due_date") < _lit_date(as_of))
        .then((_lit_date(as_of) - pl.col("due_date")).dt.total_days())
    )
    overdue = judged.filter((pl.col("balance") > 0) & (pl.col("due_date") < _lit_date(as_of)))
    scores = (
        judged.filter(pl.col("late").is_not_null())
        .group_by("customer_id")
        .agg(
            n=pl.len(),
            on_time=(pl.col("late") == 0).mean(),
            mean=pl.col("late").cast(pl.Float64).mean(),
            sd=pl.col("late").cast(pl.Float64).std(ddof=0),
        )
        .with_columns(
            score=50 * pl.col("on_time")
            + 25 * (1 - pl.col("mean") / 60).clip(0, 1)
            + 15 * (1 - pl.col("sd") / 30).clip(0, 1)
            + 10
        )
    )
    near = scores.filter(
        (pl.col("n") >= policy.min_invoices)
        & (pl.col("score") < float(policy.hold_below) + _SCORE_MARGIN)
    )
    found: pl.Series = near.join(
        overdue.select("customer_id").unique(), on="customer_id", how="semi"
    ).get_column("customer_id")
    return found


def _per_pair(
    frame: pl.DataFrame, keys: Sequence[str], compute: Any, name: str, dtype: pl.DataType
) -> pl.Series:
    """``compute(*key values)`` once per distinct non-null key tuple of
    ``frame``, as a column aligned with ``frame`` (null where a key is null)."""
    wanted = frame.select(keys)
    pairs = wanted.drop_nulls().unique()
    values = [compute(*row) for row in pairs.iter_rows()]
    table = pairs.with_columns(pl.Series(name, values, dtype))
    return wanted.join(table, on=list(keys), how="left", maintain_order="left", nulls_equal=False)[
        name
    ]


def _ladder(
    rows: pl.DataFrame, policy: Policy, done: pl.DataFrame, as_of: date, cals: _NextBusinessDays
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`~arpolicy.engine.candidates._ladder` for the invoices of one
    policy: the skipped rows and the candidates (a step is due: the step's
    index, its scheduled day, the steps it supersedes and drops as bit
    masks, and how many times a repeating last step was sent).

    Per invoice and step the first and the latest sending are columns
    (``first{j}``, ``latest{j}``); receipts are the recorded ones, else
    presumed as :func:`~arpolicy.engine.calendars._receipt` does,
    deadlines computed as :func:`~arpolicy.engine.calendars._deadline` does,
    once per distinct country and day.
    """
    steps = policy.steps
    count = len(steps)
    index = {s.name: i for i, s in enumerate(steps)}
    resume = policy.catch_up is CatchUp.RESUME
    today = _lit_date(as_of)
    country = pl.col("country")
    letter = policy.letter_index()
    nl = calendar_for("NL")

    def key_of(i: int) -> str | pl.Expr | None:
        rule = _calendar_key(steps[i].calendar or policy.calendar)
        return country if rule == "" else rule

    def receipt(home: str, sent: date) -> date:
        if home == "NL":
            return law_nl.presumed_receipt(sent, calendar=nl)
        return calendar_for(home).add_business_days(sent, policy.presumed_receipt_days)

    grace = pl.col("currency").replace_strict(
        dict(policy.grace_days_by_currency), default=policy.grace_days, return_dtype=pl.Int64
    )
    frame = rows.select(
        "customer_id",
        "invoice_id",
        "country",
        "profile",
        "currency",
        "balance",
        "issue_date",
        "due_date",
    ).with_row_index("_r")
    # what was done: per invoice and step, the first and the latest sending
    mine = done.join(
        frame.select("customer_id", "invoice_id", "_r"), on=["customer_id", "invoice_id"]
    ).with_columns(idx=pl.col("step").replace_strict(index, default=None, return_dtype=pl.Int64))
    mine = mine.filter(pl.col("idx").is_not_null())
    per_step = mine.group_by("_r", "idx").agg(
        pl.col("date").min().alias("first"), pl.col("date").max().alias("latest")
    )
    # the receipt recorded for the first sending of a step (the earliest of
    # that day's), from the few rows that record one
    recorded = (
        mine.filter(pl.col("received_on").is_not_null())
        .join(per_step.select("_r", "idx", "first"), on=["_r", "idx"])
        .filter(pl.col("date") == pl.col("first"))
        .group_by("_r", "idx")
        .agg(pl.col("received_on").min())
    )
    per_step = per_step.join(recorded, on=["_r", "idx"], how="left")
    last = per_step.group_by("_r").agg(pl.col("idx").max().alias("last"))
    frame = frame.join(last, on="_r", how="left", maintain_order="left").with_columns(
        pl.col("last").fill_null(-1)
    )
    for j in range(count):
        sendings = per_step.filter(pl.col("idx") == j).select(
            "_r",
            pl.col("first").alias(f"first{j}"),
            pl.col("latest").alias(f"latest{j}"),
            pl.col("received_on").alias(f"recorded{j}"),
        )
        frame = frame.join(sendings, on="_r", how="left", maintain_order="left")
    # receipts of the steps a later step counts from: recorded, else presumed
    for j in range(count - 1):
        if steps[j + 1].anchor is Anchor.RECEIPT or steps[j].requires_acknowledgement:
            presumed = _per_pair(frame, ["country", f"first{j}"], receipt, "presumed", pl.Date())
            frame = frame.with_columns(
                pl.coalesce(pl.col(f"recorded{j}"), presumed).alias(f"receipt{j}")
            )

    def dates(i: int) -> tuple[pl.Series, pl.Series]:
        """Step ``i``'s day by the offsets (before calendars) and moved to a
        business day; null when it counts from a step not yet sent."""
        step = steps[i]
        anchored = i > 0 and (
            step.anchor is Anchor.RECEIPT or steps[i - 1].requires_acknowledgement
        )
        before = pl.col(f"receipt{i - 1}") if anchored else None
        if step.anchor is Anchor.RECEIPT and before is not None:
            day = before + pl.duration(days=step.offset_days)
        elif step.anchor is Anchor.ISSUE:
            day = pl.col("issue_date") + pl.duration(days=step.offset_days)
        else:
            extra = grace if step.offset_days > 0 else pl.lit(0, pl.Int64)
            day = pl.col("due_date") + pl.duration(days=pl.lit(step.offset_days) + extra)
        if before is not None:
            day = pl.when(before.is_null()).then(None).otherwise(pl.max_horizontal(day, before))
        plain = frame.select(day.alias("d")).to_series()
        return plain, cals.shift(frame, day, key_of(i))

    def deadline(i: int, home: str, private: bool, sent: date) -> date:
        step = steps[i]
        assert step.deadline_days is not None
        if home == "NL" and private and letter is not None and steps[letter].name == step.name:
            return law_nl.consumer_letter_term_end(sent, days=step.deadline_days, calendar=nl)
        start = receipt(home, sent) if step.requires_acknowledgement else sent
        return calendar_for(home).next_business_day(start + timedelta(days=step.deadline_days))

    # the running deadline: the latest (deadline, step name) of the steps sent
    frame = frame.with_columns(
        run_name=pl.lit(None, pl.String),
        run_sent=pl.lit(None, pl.Date),
        run_deadline=pl.lit(None, pl.Date),
        private=pl.col("profile") == "private",
    )
    for i in sorted(range(count), key=lambda k: steps[k].name):
        if steps[i].deadline_days is None:
            continue
        ends = _per_pair(
            frame,
            ["country", "private", f"latest{i}"],
            functools.partial(deadline, i),
            "end",
            pl.Date(),
        )
        later = ends.is_not_null() & (
            pl.col("run_deadline").is_null() | (ends >= pl.col("run_deadline"))
        )
        frame = frame.with_columns(
            run_name=pl.when(later).then(pl.lit(steps[i].name)).otherwise("run_name"),
            run_sent=pl.when(later).then(pl.col(f"latest{i}")).otherwise("run_sent"),
            run_deadline=pl.when(later).then(ends).otherwise("run_deadline"),
        )
    frame = frame.with_columns(
        bar=pl.col("run_deadline") + pl.duration(days=1),
        is_due=today >= pl.col("due_date"),
        lag=pl.lit(0, pl.Int64),
        earliest=pl.lit(None, pl.Date),
    )
    # a late last step moves the following ones by the same lag
    for i in range(count - 1):
        at = frame.select(pl.col("last") == i).to_series()
        if not at.any():
            continue
        plain, scheduled = dates(i)
        sent = pl.col(f"first{i}")
        frame = frame.with_columns(
            lag=pl.when(at & scheduled.is_not_null() & (sent > scheduled))
            .then((sent - pl.coalesce(plain, scheduled)).dt.total_days())
            .otherwise("lag"),
            earliest=pl.when(at).then(sent + pl.duration(days=1)).otherwise("earliest"),
        )
    frame = frame.with_columns(
        chosen=pl.lit(None, pl.Int64),
        scheduled=pl.lit(None, pl.Date),
        superseded=pl.lit(0, pl.Int64),  # bit i: step i superseded
        dropped=pl.lit(0, pl.Int64),  # bit i: step i dropped
        stopped=pl.lit(False),
        dropped_last=pl.lit(False),
        detail=pl.lit(None, pl.String),
        skip_step=pl.lit(None, pl.String),
    )
    names = {n: repr(n) for n in index}
    bits = {i: 1 << i for i in range(count)}
    for i, step in enumerate(steps):
        active = ~pl.col("stopped") & (pl.col("last") < i)
        if resume and step.pre_due and not step.mandatory:
            dropping = active & pl.col("is_due")
            if i == count - 1:
                frame = frame.with_columns(dropped_last=pl.col("dropped_last") | dropping)
            frame = frame.with_columns(
                dropped=pl.when(dropping)
                .then(pl.col("dropped") | pl.lit(1 << i, pl.Int64))
                .otherwise("dropped")
            )
            active = active & ~dropping
        if not frame.select(active.any()).item():
            continue
        key = key_of(i)
        plain, shifted = dates(i)
        frame = frame.with_columns(plain.alias("plain"), shifted.alias("day"))
        if step.anchor is not Anchor.RECEIPT:
            moved = cals.shift(
                frame, pl.col("plain").fill_null(pl.col("day")) + pl.duration(days="lag"), key
            )
            frame = frame.with_columns(
                day=pl.when(
                    pl.col("day").is_not_null()
                    & pl.col("earliest").is_not_null()
                    & (pl.col("lag") != 0)
                )
                .then(moved)
                .otherwise("day")
            )
        floor = cals.shift(frame, pl.col("earliest"), key)
        frame = frame.with_columns(
            day=pl.when(pl.col("earliest").is_not_null() & (pl.col("day") < pl.col("earliest")))
            .then(floor)
            .otherwise("day")
        )
        frame = frame.with_columns(
            waiting=pl.col("bar").is_not_null() & (pl.col("day") < pl.col("bar"))
        )
        barred = cals.shift(frame, pl.col("bar"), key)
        frame = frame.with_columns(day=pl.when("waiting").then(barred).otherwise("day"))
        gone = pl.col("day").is_null()  # counts from a step chosen in this very scan
        late = pl.col("day") > today
        name = names[step.name]
        waits = _waits(name, pl.col("day"), names)
        nxt = pl.concat_str(pl.lit(f"next step {name} is due on "), _text(pl.col("day")))
        first_late = active & ~gone & late & pl.col("chosen").is_null()
        taken = active & ~gone & ~late
        frame = frame.with_columns(
            detail=pl.when(first_late)
            .then(pl.when("waiting").then(waits).otherwise(nxt))
            .otherwise("detail"),
            skip_step=pl.when(first_late).then(pl.lit(step.name)).otherwise("skip_step"),
            chosen=pl.when(taken).then(pl.lit(i, pl.Int64)).otherwise("chosen"),
            scheduled=pl.when(taken).then("day").otherwise("scheduled"),
            superseded=pl.when(taken & pl.col("chosen").is_not_null())
            .then(
                pl.col("superseded")
                | pl.col("chosen").replace_strict(bits, default=0, return_dtype=pl.Int64)
            )
            .otherwise("superseded"),
            stopped=pl.col("stopped")
            | (active & gone)
            | (active & late)
            | (active & ~late & pl.lit(resume or step.mandatory)),
        )
    due = frame.filter(pl.col("chosen").is_not_null())
    rest = frame.filter(pl.col("chosen").is_null())
    # a ladder that repeats its last step: every repeat_every_days after the
    # latest sending (and not before a running deadline's end)
    due = due.with_columns(repeat=pl.lit(0, pl.Int64))
    repeat = policy.end is EndBehaviour.REPEAT and count > 0
    repeats = pl.col("detail").is_null() & (pl.col("last") == count - 1) & pl.lit(repeat)
    looping = rest.filter(repeats)
    rest = rest.filter(~repeats)
    repeat_rows = None
    if looping.height:
        end = count - 1
        key = key_of(end)
        times = (
            mine.filter(pl.col("idx") == end)
            .group_by("_r")
            .agg(pl.len().cast(pl.Int64).alias("sendings"))
        )
        looping = looping.join(times, on="_r", how="left", maintain_order="left")
        base = pl.col(f"latest{end}") + pl.duration(days=policy.repeat_every_days)
        looping = looping.with_columns(cals.shift(looping, base, key).alias("next"))
        looping = looping.with_columns(
            waiting=pl.col("bar").is_not_null() & (pl.col("next") < pl.col("bar"))
        )
        barred = cals.shift(looping, pl.col("bar"), key)
        looping = looping.with_columns(next=pl.when("waiting").then(barred).otherwise("next"))
        name = names[steps[end].name]
        pending = looping.filter(pl.col("next") > today)
        repeat_rows = pending.select(
            "customer_id",
            "invoice_id",
            reason=pl.lit(SkipReason.NOT_DUE.value),
            detail=pl.when("waiting")
            .then(_waits(name, pl.col("next"), names))
            .otherwise(pl.concat_str(pl.lit(f"step {name} repeats on "), _text(pl.col("next")))),
            step=pl.lit(steps[end].name),
        )
        again = looping.filter(pl.col("next") <= today).with_columns(
            chosen=pl.lit(end, pl.Int64),
            scheduled=pl.col("next"),
            superseded=pl.lit(0, pl.Int64),
            dropped=pl.lit(0, pl.Int64),
            repeat=pl.col("sendings").cast(pl.Int64),
        )
        due = pl.concat([due, again.select(due.columns)])
    # a step that fires late on a day its calendar closes waits for the next
    # business day (:func:`~arpolicy.engine.candidates._closed_today`)
    due = due.with_columns(opens=_lit_date(as_of), step_name=pl.lit(None, pl.String))
    for i in sorted(due["chosen"].unique().to_list()):
        key = key_of(i)
        if key is None:
            continue
        opens = cals.shift(due, _lit_date(as_of), key)
        this = pl.col("chosen") == i
        due = due.with_columns(
            opens=pl.when(this).then(opens).otherwise("opens"),
            step_name=pl.when(this).then(pl.lit(steps[i].name)).otherwise("step_name"),
        )
    closed = pl.col("opens") != _lit_date(as_of)
    waiting_rows = due.filter(closed).select(
        "customer_id",
        "invoice_id",
        reason=pl.lit(SkipReason.NOT_DUE.value),
        detail=pl.concat_str(
            pl.lit("step "),
            pl.col("step_name").replace_strict(names, default=None, return_dtype=pl.String),
            pl.lit(" is due; it waits for the next business day, "),
            _text(pl.col("opens")),
        ),
        step="step_name",
    )
    due = due.filter(~closed)
    complete = pl.col("last") == count - 1
    left = f"the steps of policy {policy.name!r} left come before the due date, "
    skipped = rest.select(
        "customer_id",
        "invoice_id",
        reason=pl.when(pl.col("detail").is_not_null())
        .then(pl.lit(SkipReason.NOT_DUE.value))
        .when(complete)
        .then(pl.lit(SkipReason.LADDER_COMPLETE.value))
        .otherwise(pl.lit(SkipReason.ALREADY_DONE.value)),
        detail=pl.when(pl.col("detail").is_not_null())
        .then("detail")
        .when(pl.col("dropped_last") & ~complete)
        .then(pl.concat_str(pl.lit(left), _text(pl.col("due_date")), pl.lit(", which has passed")))
        .otherwise(pl.lit(f"every step of policy {policy.name!r} was carried out")),
        step=pl.col("skip_step"),
    )
    if waiting_rows.height:
        skipped = pl.concat([skipped, waiting_rows])
    if repeat_rows is not None and repeat_rows.height:
        skipped = pl.concat([skipped, repeat_rows])
    candidates = due.select(
        "customer_id",
        "invoice_id",
        "currency",
        "balance",
        pl.lit(policy.name).alias("policy_name"),
        pl.col("chosen").alias("index"),
        "scheduled",
        "superseded",
        "dropped",
        "repeat",
    )
    return skipped, candidates


def _waits(name: str, day: pl.Expr, names: dict[str, str]) -> pl.Expr:
    """:func:`~arpolicy.engine.candidates._waits` over the running-deadline
    columns: step ``name`` (quoted) waits until ``day``."""
    return pl.concat_str(
        pl.lit(f"step {name} waits until "),
        _text(day),
        pl.lit(": step "),
        pl.col("run_name").replace_strict(names, default=None, return_dtype=pl.String),
        pl.lit(", sent on "),
        _text(pl.col("run_sent")),
        pl.lit(", gave until "),
        _text(pl.col("run_deadline")),
        pl.lit(" to pay"),
    )


def skipped_rows(frame: pl.DataFrame) -> list[tuple[str, str, str, str, str | None]]:
    """The rows of a skipped table in the plan's order (customer, invoice,
    step, reason)."""
    ordered = frame.sort("customer_id", "invoice_id", pl.col("step").fill_null(""), "reason")
    return ordered.rows()
