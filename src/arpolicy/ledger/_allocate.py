"""Allocation as a vectorised Polars kernel, for every customer at once.

The rule is exactly that of :class:`arpolicy.model.Ledger` (see its
docstring), per customer and currency, as of a date:

1. *Named phase.* Payments that name an invoice and credit notes that name
   the invoice they correct (``applies_to``), dated on or before ``as_of``,
   pay that invoice, per invoice in (date, rank, id) order, rank 0 for credit
   notes and 1 for payments, each up to what is still owed.
2. *Pool.* Unnamed payments, unnamed credit notes and the excess of named
   ones form a pool in (date, rank, id) order, the named excess last (as if
   dated ``date.max``) in (rank, id) order. The pool pays the open invoices
   and deposit requests issued on or before ``as_of``, oldest first by
   (issue date, due date, id). What remains is customer credit.

How it is computed (two paths, one rule):

* **Vectorised path** (every group without the complications below).
  The named phase is a per-invoice cumulative sum clipped to the amount
  owed: the named rows are sorted once by (invoice, date, rank, id), one
  global cumulative sum runs over them, and each invoice's start is
  subtracted (a forward-filled offset, not ``cum_sum().over()``). A row
  applies ``min(cum, owed) - min(cum - amount, owed)``; the rest of it goes
  to the pool. The pool is then matched to the queue of open amounts by
  *interval overlap*: in each (customer, currency) group, pool entry *k*
  covers ``(P[k-1], P[k]]`` of the pool's cumulative sum and invoice *j*
  covers ``(Q[j-1], Q[j]]`` of the queue's; entry *k* pays invoice *j* the
  length of the overlap. Groups are laid end to end on one global axis (each
  group's offset is the running total of ``max(pool total, queue total)``),
  so all groups are matched at once: the union of all interval ends, sorted,
  cuts the axis into segments, and each segment belongs to at most one pool
  entry and one invoice (found by ``search_sorted``). A segment with an entry
  but no invoice is customer credit; one with an invoice but no entry is what
  stays open.
* **Exact per-group fallback** (:func:`_allocate_group`, plain Python on
  integers, a line-by-line statement of the rule). A (customer, currency)
  group takes it when

  - an invoice of it issued by ``as_of`` has an early-payment discount
    (``discount_deadline``): an application within the period may settle
    the rest as a discount, which changes what later entries pay; or
  - an invoice still open after the named phase is disputed on the date of
    a pool entry: the queue is then re-sorted per payment date (invoices
    issued by that date first, undisputed before disputed).

  Without either, re-sorting the queue per payment date changes nothing, so
  the vectorised path gives the same result.

All amounts are Int64 minor units; cumulative sums run in Int64 when the
amounts involved add up to less than 2**62, else in Int128, so that no total
overflows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

import attrs
import polars as pl

if TYPE_CHECKING:
    from arpolicy.ledger._views import Tables

__all__ = ["Allocated", "Prepared", "allocate", "allocate_prepared", "positions_at", "prepare"]

_CREDIT_NOTE = "credit_note"
_NAMED = 0  # phase of an application in the named phase
_POOL = 1  # phase of an application from the pool
_LAST = date.max  # order date of the named excess in the pool

BALANCE_SCHEMA: dict[str, pl.DataType] = {
    "invoice_id": pl.String(),
    "customer_id": pl.String(),
    "currency": pl.String(),
    "balance": pl.Int64(),
}
CREDIT_SCHEMA: dict[str, pl.DataType] = {
    "customer_id": pl.String(),
    "currency": pl.String(),
    "credit": pl.Int64(),
}
ALLOCATION_SCHEMA: dict[str, pl.DataType] = {
    "customer_id": pl.String(),
    "currency": pl.String(),
    "source_id": pl.String(),
    "invoice_id": pl.String(),
    "amount": pl.Int64(),
    "kind": pl.String(),
    "date": pl.Date(),
}
DISCOUNT_SCHEMA: dict[str, pl.DataType] = {
    "invoice_id": pl.String(),
    "customer_id": pl.String(),
    "currency": pl.String(),
    "discount": pl.Int64(),
}


@attrs.frozen(eq=False)
class Allocated:
    """The allocation rule's result on one date, for every customer.

    Attributes:
        balances: ``invoice_id, customer_id, currency, balance``: the open
            balance (minor units) of every invoice and deposit request issued
            on or before the date, in the order of the invoice table.
        credit: ``customer_id, currency, credit``: unapplied credit per
            customer and currency, where there is any, sorted.
        allocations: ``customer_id, currency, source_id, invoice_id, amount,
            kind, date``: every application (``invoice_id`` null for customer
            credit; ``kind`` ``applied`` or ``discount``; ``date`` the day the
            source was paid or issued). Sorted by customer and currency, and
            within those in the order the rule makes them (that of
            :attr:`arpolicy.model.CustomerPosition.allocations` restricted to
            the currency).
        discounts: ``invoice_id, customer_id, currency, discount``: the
            early-payment discounts granted.
        groups: how many (customer, currency) groups had anything to allocate.
        fallback_groups: how many of them took the exact per-group fallback.
        last_applied: per row of ``balances``, the latest ``date`` of an
            application to the invoice (null when none): the day a settled
            invoice was paid off, for the behaviour score.
    """

    balances: pl.DataFrame
    credit: pl.DataFrame
    allocations: pl.DataFrame
    discounts: pl.DataFrame
    groups: int
    fallback_groups: int
    last_applied: pl.Series


@attrs.frozen(eq=False)
class Prepared:
    """What allocation needs that does not depend on the date (see :func:`prepare`).

    Every string id is replaced by an integer code or row number, and every
    ordering the rule needs is sorted once, so that :func:`allocate_prepared`
    only filters by date, sums, searches and gathers integers.

    Attributes:
        customers: the customer ids, sorted; a customer's code is its index.
        currencies: the currency codes, sorted; likewise.
        invoices: the invoice frame with ``row`` (its row number) and ``g``
            (the group code ``customer code * len(currencies) + currency code``).
        targets: invoices and deposit requests in queue order (group, issue
            date, due date, id).
        named: payments and credit notes that name an invoice, sorted by
            (target row, date, rank, id); ``npos`` is their position in
            (group, date, rank, id) order, ``xpos`` that of their excess in
            pool order.
        unnamed: the other payments and credit notes, in pool order (``xpos``).
        sources: ``source_id`` of every payment and credit note; ``sid`` in
            ``named`` and ``unnamed`` indexes it.
        small: all amounts add up to less than 2**62, so that cumulative
            sums fit in Int64.
    """

    customers: pl.Series
    currencies: pl.Series
    invoices: pl.DataFrame
    targets: pl.DataFrame
    named: pl.DataFrame
    unnamed: pl.DataFrame
    sources: pl.Series
    small: bool


def positions_at(tables: Tables, as_of: date) -> pl.DataFrame:
    """Open balance of every invoice issued on or before ``as_of``, all customers.

    Columns ``invoice_id, customer_id, currency, balance`` (minor units), in
    the order of the invoice table.
    """
    return allocate(tables.invoices, tables.payments, as_of).balances


def allocate(
    invoices: pl.DataFrame,
    payments: pl.DataFrame,
    as_of: date,
    *,
    _fallback_all: bool = False,
) -> Allocated:
    """Allocate every customer's payments and credit notes as of ``as_of``.

    ``invoices`` and ``payments`` are the ledger's tables
    (:class:`~arpolicy.ledger._views.Tables`, :data:`~arpolicy.ledger.INVOICES`
    and :data:`~arpolicy.ledger.PAYMENTS`; other columns are ignored). The same as
    ``allocate_prepared(prepare(invoices, payments), as_of)``; see the module
    documentation for the rule and for which groups take the vectorised path
    and which the exact per-group fallback (``_fallback_all`` sends every group
    through the fallback, for tests).
    """
    return allocate_prepared(prepare(invoices, payments), as_of, _fallback_all=_fallback_all)


def _local_cumsum(key: str, value: str, wide: pl.DataType) -> pl.Expr:
    """Cumulative sum of ``value`` restarting at each run of ``key`` (rows sorted by key).

    One global cumulative sum minus a forward-filled offset per run: no hashing.
    """
    cum = pl.col(value).cast(wide).cum_sum()
    start = (pl.col(key) != pl.col(key).shift(1)).fill_null(True)
    base = pl.when(start).then(cum - pl.col(value)).otherwise(None).forward_fill()
    return cum - base


def _is_last(key: str) -> pl.Expr:
    return (pl.col(key) != pl.col(key).shift(-1)).fill_null(True)


_INVOICE_COLUMNS = (
    "invoice_id",
    "customer_id",
    "kind",
    "issue_date",
    "due_date",
    "currency",
    "amount",
    "applies_to",
    "dispute_opened_on",
    "dispute_resolved_on",
    "discount_deadline",
    "discount",
)
_PAYMENT_COLUMNS = ("payment_id", "customer_id", "date", "currency", "amount", "invoice_id")


def prepare(
    invoices: pl.DataFrame, payments: pl.DataFrame, *, carry: Sequence[str] = ()
) -> Prepared:
    """Codes, row numbers and sort orders of the ledger (independent of the date).

    ``carry`` names further invoice columns kept in ``Prepared.invoices``
    (the reports carry ``write_off``); other columns are dropped.
    """
    invoices = invoices.select(
        *(c for c in _INVOICE_COLUMNS if c != "kind"), pl.col("kind").cast(pl.String), *carry
    ).select(*_INVOICE_COLUMNS, *carry)
    payments = payments.select(_PAYMENT_COLUMNS)
    customers = (
        pl.concat([invoices.get_column("customer_id"), payments.get_column("customer_id")])
        .unique()
        .sort()
    )
    currencies = (
        pl.concat([invoices.get_column("currency"), payments.get_column("currency")])
        .unique()
        .sort()
    )
    ncur = max(len(currencies), 1)
    cust_frame = pl.DataFrame({"customer_id": customers}).with_row_index("ccode")
    cur_frame = pl.DataFrame({"currency": currencies}).with_row_index("kcode")

    def coded(frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.join(cust_frame, on="customer_id", how="left", maintain_order="left")
            .join(cur_frame, on="currency", how="left", maintain_order="left")
            .with_columns(g=(pl.col("ccode") * ncur + pl.col("kcode")).cast(pl.UInt32))
            .drop("ccode", "kcode")
        )

    inv = coded(invoices.with_row_index("row"))
    pay = coded(payments)
    is_credit = pl.col("kind") == _CREDIT_NOTE
    targets = inv.filter(~is_credit).sort("g", "issue_date", "due_date", "invoice_id")
    notes = inv.filter(is_credit & (pl.col("amount") > 0))
    # every payment and credit note: group, date, rank, id, amount, target id
    entries = pl.concat(
        [
            notes.select(
                "g",
                pl.col("issue_date").alias("date"),
                pl.lit(0, pl.Int8).alias("rank"),
                pl.col("invoice_id").alias("source_id"),
                "amount",
                pl.col("applies_to").alias("target"),
            ),
            pay.select(
                "g",
                "date",
                pl.lit(1, pl.Int8).alias("rank"),
                pl.col("payment_id").alias("source_id"),
                "amount",
                pl.col("invoice_id").alias("target"),
            ),
        ]
    ).with_row_index("sid")
    is_named = pl.col("target").is_not_null()
    # the pool order of every entry: named ones as excess, last in their group
    order_date = pl.when(is_named).then(pl.lit(_LAST, pl.Date)).otherwise(pl.col("date"))
    xpos = (
        entries.select("sid", "g", order_date.alias("odate"), "rank", "source_id")
        .sort("g", "odate", "rank", "source_id")
        .select("sid")
        .with_row_index("xpos")
    )
    npos = (
        entries.filter(is_named)
        .select("sid", "g", "date", "rank", "source_id")
        .sort("g", "date", "rank", "source_id")
        .select("sid")
        .with_row_index("npos")
    )
    entries = entries.join(xpos, on="sid", how="left", maintain_order="left")
    named = (
        entries.filter(is_named)
        .join(npos, on="sid", how="left")
        .join(
            targets.select(
                pl.col("invoice_id").alias("target"),
                pl.col("row").alias("trow"),
                pl.col("amount").alias("owed"),
            ),
            on="target",
            how="inner",
        )
        .sort("trow", "date", "rank", "source_id")
        .drop("source_id")
    )
    unnamed = entries.filter(~is_named).sort("xpos").drop("source_id", "target")
    return Prepared(
        customers=customers,
        currencies=currencies,
        invoices=inv,
        targets=targets,
        named=named,
        unnamed=unnamed,
        sources=entries.sort("sid").get_column("source_id"),
        small=_total(invoices) + _total(payments) < 1 << 62,
    )


def _total(frame: pl.DataFrame) -> int:
    total = frame.select(pl.col("amount").cast(pl.Int128).abs().sum()).item()
    return int(total or 0)


def allocate_prepared(prepared: Prepared, as_of: date, *, _fallback_all: bool = False) -> Allocated:
    """Allocate as of ``as_of`` from a :func:`prepare` result; see :func:`allocate`."""
    inv = prepared.invoices
    ngroups = len(prepared.customers) * max(len(prepared.currencies), 1)
    wide: pl.DataType = pl.Int64() if prepared.small else pl.Int128()
    # -- named phase: per-target cumulative sums clipped to what is owed ------------
    named = (
        prepared.named.filter(pl.col("date") <= as_of)
        .with_columns(hi=_local_cumsum("trow", "amount", wide))
        .with_columns(
            applied=(
                pl.min_horizontal("hi", "owed")
                - pl.min_horizontal(pl.col("hi") - pl.col("amount"), "owed")
            ).cast(pl.Int64)
        )
        .with_columns(excess=pl.col("amount") - pl.col("applied"))
    )
    last = named.filter(_is_last("trow"))
    open_amount = inv.get_column("amount").scatter(
        last.get_column("trow"),
        last.select((pl.col("owed") - pl.min_horizontal("hi", "owed")).cast(pl.Int64)).to_series(),
    )
    issued = prepared.targets.filter(pl.col("issue_date") <= as_of).with_columns(
        open=pl.lit(open_amount).gather(pl.col("row"))
    )

    # -- the pool (in pool order) and the queue (in queue order) --------------------
    pool = pl.concat(
        [
            prepared.unnamed.filter(pl.col("date") <= as_of).select(
                "g", "xpos", "sid", "amount", pl.col("date").alias("paid_on"), excess=pl.lit(False)
            ),
            named.filter(pl.col("excess") > 0).select(
                "g",
                "xpos",
                "sid",
                pl.col("excess").alias("amount"),
                pl.col("date").alias("paid_on"),
                pl.lit(True).alias("excess"),
            ),
        ]
    ).sort("xpos")
    queue = issued.filter(pl.col("open") > 0)

    # -- which groups take the fallback ---------------------------------------------
    if _fallback_all:
        fallback = pl.concat(
            [issued.get_column("g"), named.get_column("g"), pool.get_column("g")]
        ).unique()
    else:
        windows = issued.filter(pl.col("discount_deadline").is_not_null()).get_column("g")
        disputed = queue.filter(pl.col("dispute_opened_on").is_not_null()).select(
            "g", "dispute_opened_on", "dispute_resolved_on"
        )
        touched = (
            disputed.join(pool.select("g", "paid_on"), on="g", how="inner")
            .filter(
                (pl.col("paid_on") >= pl.col("dispute_opened_on"))
                & (
                    pl.col("dispute_resolved_on").is_null()
                    | (pl.col("paid_on") < pl.col("dispute_resolved_on"))
                )
            )
            .get_column("g")
        )
        fallback = pl.concat([windows, touched]).unique()
    groups = (
        pl.repeat(False, ngroups, eager=True)
        .scatter(issued.get_column("g"), True)
        .scatter(named.get_column("g"), True)
        .scatter(pool.get_column("g"), True)
        .sum()
    )
    parts: list[pl.DataFrame] = []
    discounts = pl.DataFrame(schema={"trow": pl.UInt32(), "g": pl.UInt32(), "amount": pl.Int64()})
    if fallback.len():
        in_fb = pl.col("g").is_in(fallback.implode())
        fb_rows, fb_open, discounts = _fallback(
            prepared.targets.filter(in_fb),
            issued.filter(in_fb),
            named.filter(in_fb),
            pool.filter(in_fb),
            as_of,
        )
        parts.append(fb_rows)
        named = named.filter(~in_fb)
        pool = pool.filter(~in_fb)
        queue = queue.filter(~in_fb)
        if fb_open.height:
            open_amount = open_amount.scatter(fb_open.get_column("row"), fb_open.get_column("open"))

    # -- vectorised FIFO: interval overlap on one global axis -----------------------
    pool = pool.with_columns(pe=_local_cumsum("g", "amount", wide))
    queue = queue.with_columns(qe=_local_cumsum("g", "open", wide))
    span = pl.select(
        pl.max_horizontal(_totals(pool, "pe", ngroups, wide), _totals(queue, "qe", ngroups, wide))
    ).to_series()
    offset = span.cum_sum() - span
    pool_end = offset.gather(pool.get_column("g")) + pool.get_column("pe")
    pool_start = pool_end - pool.get_column("amount").cast(wide)
    queue_end = offset.gather(queue.get_column("g")) + queue.get_column("qe")
    queue_start = queue_end - queue.get_column("open").cast(wide)
    cuts = pl.concat([pool_end, queue_end]).unique().sort()
    npool, nqueue, ncuts = pool.height, queue.height, len(cuts)
    k = pool_end.search_sorted(cuts, side="left")
    j = queue_end.search_sorted(cuts, side="left")
    kk = k.clip(0, max(npool - 1, 0))
    jj = j.clip(0, max(nqueue - 1, 0))
    nothing = pl.repeat(False, ncuts, eager=True)
    has_k = (k < npool) & (pool_start.gather(kk) < cuts) if npool else nothing
    has_j = (j < nqueue) & (queue_start.gather(jj) < cuts) if nqueue else nothing
    seg = pl.DataFrame(
        {
            "length": (cuts - cuts.shift(1).fill_null(0)).cast(pl.Int64),
            "k": kk,
            "j": jj,
            "has_k": has_k,
            "has_j": has_j,
        }
    )
    paid = seg.filter("has_k")
    pk = paid.get_column("k")
    pj = paid.get_column("j")
    no_row = pl.lit(None, pl.UInt32)
    queue_rows = queue.get_column("row")
    parts.append(
        pl.DataFrame(
            {
                "g": pool.get_column("g").gather(pk),
                "phase": pl.repeat(_POOL, paid.height, eager=True, dtype=pl.Int8),
                "seq": pl.int_range(paid.height, eager=True, dtype=pl.Int64),
                "sid": pool.get_column("sid").gather(pk),
                "trow": queue_rows.gather(pj)
                if nqueue
                else pl.repeat(None, paid.height, eager=True, dtype=pl.UInt32),
                "amount": paid.get_column("length"),
                "discount": pl.repeat(False, paid.height, eager=True),
                "date": pool.get_column("paid_on").gather(pk),
            }
        ).with_columns(trow=pl.when(paid.get_column("has_j")).then("trow").otherwise(no_row))
    )
    left = seg.filter(pl.col("has_j") & ~pl.col("has_k"))
    if nqueue:
        open_amount = open_amount.scatter(
            queue_rows, pl.repeat(0, nqueue, eager=True, dtype=pl.Int64)
        )
    if left.height:
        open_amount = open_amount.scatter(
            queue_rows.gather(left.get_column("j")), left.get_column("length")
        )
    parts.append(
        named.filter(pl.col("applied") > 0).select(
            "g",
            pl.lit(_NAMED, pl.Int8).alias("phase"),
            pl.col("npos").cast(pl.Int64).alias("seq"),
            "sid",
            "trow",
            pl.col("applied").alias("amount"),
            pl.lit(False).alias("discount"),
            "date",
        )
    )

    # -- the result frames: integer codes back to ids ----------------------------------
    # one Int64 sort key: group, phase, position (g < 2**30, seq < 2**32)
    order = (pl.col("g").cast(pl.Int64) * 2 + pl.col("phase").cast(pl.Int64)) * (1 << 32) + pl.col(
        "seq"
    )
    rows = pl.concat(parts, how="vertical_relaxed").sort(order)
    ncur = max(len(prepared.currencies), 1)
    cust_of = (pl.col("g") // ncur).cast(pl.UInt32)
    cur_of = (pl.col("g") % ncur).cast(pl.UInt32)
    customer = pl.lit(prepared.customers).gather(cust_of).alias("customer_id")
    currency = pl.lit(prepared.currencies).gather(cur_of).alias("currency")
    invoice_ids = inv.get_column("invoice_id")
    allocations = rows.select(
        customer,
        currency,
        pl.lit(prepared.sources).gather(pl.col("sid")).alias("source_id"),
        pl.lit(invoice_ids).gather(pl.col("trow")).alias("invoice_id"),
        "amount",
        pl.when("discount").then(pl.lit("discount")).otherwise(pl.lit("applied")).alias("kind"),
        "date",
    )
    credit = (
        rows.filter(pl.col("trow").is_null())
        .group_by("g")
        .agg(pl.col("amount").sum().alias("credit"))
        .sort("g")
        .select(customer, currency, "credit")
    )
    issued = inv.filter((pl.col("kind") != _CREDIT_NOTE) & (pl.col("issue_date") <= as_of))
    balances = (
        issued.select("invoice_id", "customer_id", "currency", "row")
        .with_columns(balance=pl.lit(open_amount).gather(pl.col("row")))
        .drop("row")
    )
    paid = rows.filter(pl.col("trow").is_not_null()).group_by("trow").agg(pl.col("date").max())
    applied_on = pl.repeat(None, inv.height, dtype=pl.Date, eager=True).scatter(
        paid.get_column("trow"), paid.get_column("date")
    )
    last_applied = applied_on.gather(issued.get_column("row")).alias("last_applied")
    return Allocated(
        balances=balances,
        credit=credit,
        allocations=allocations,
        discounts=discounts.sort("g", "trow").select(
            pl.lit(invoice_ids).gather(pl.col("trow")).alias("invoice_id"),
            customer,
            currency,
            pl.col("amount").alias("discount"),
        ),
        groups=int(groups),
        fallback_groups=fallback.len(),
        last_applied=last_applied,
    )


def _totals(frame: pl.DataFrame, cum: str, ngroups: int, wide: pl.DataType) -> pl.Series:
    """Per group code, the last local cumulative sum (0 for absent groups)."""
    last = frame.filter(_is_last("g"))
    zeros = pl.repeat(0, ngroups, eager=True, dtype=wide)
    if not last.height:
        return zeros
    return zeros.scatter(last.get_column("g"), last.get_column(cum))


# -- the fallback ----------------------------------------------------------------

# an invoice: row, issue date, due date, amount, dispute opened, resolved,
# discount deadline, discount
_Target = tuple[int, date, date, int, date | None, date | None, date | None, int | None]
# a named entry: date, rank, npos, target row, amount, sid, xpos
_Named = tuple[date, int, int, int, int, int, int]
# a pool entry: pool position, amount, date paid, sid
_Pooled = tuple[int, int, date, int]
# an application: phase, sid, target row or None, amount, discount?, date paid
_Row = tuple[int, int, int | None, int, bool, date]


def _fallback(
    targets: pl.DataFrame,
    issued: pl.DataFrame,
    named: pl.DataFrame,
    pool: pl.DataFrame,
    as_of: date,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Run :func:`_allocate_group` for every group in the frames.

    Returns the application rows, the open amount of every invoice of these
    groups, and the discounts granted.
    """
    groups = set(issued.get_column("g")) | set(named.get_column("g")) | set(pool.get_column("g"))
    t_by: dict[int, list[_Target]] = {}
    columns = (
        "g",
        "row",
        "issue_date",
        "due_date",
        "amount",
        "dispute_opened_on",
        "dispute_resolved_on",
        "discount_deadline",
        "discount",
    )
    for g, *target in targets.select(columns).iter_rows():
        t_by.setdefault(g, []).append(tuple(target))
    n_by: dict[int, list[_Named]] = {}
    # npos orders them by (date, rank, id), xpos puts their excess in pool order
    for g, *entry in named.select(
        "g", "date", "rank", "npos", "trow", "amount", "sid", "xpos"
    ).iter_rows():
        n_by.setdefault(g, []).append(tuple(entry))
    p_by: dict[int, list[_Pooled]] = {}
    for g, *entry in (
        pool.filter(~pl.col("excess")).select("g", "xpos", "amount", "paid_on", "sid").iter_rows()
    ):
        p_by.setdefault(g, []).append(tuple(entry))
    out: list[tuple[int, int, int, int, int | None, int, bool, date]] = []
    opened: list[tuple[int, int]] = []
    for g in sorted(groups):
        open_amount, rows = _allocate_group(
            t_by.get(g, []), n_by.get(g, []), p_by.get(g, []), as_of
        )
        opened.extend(open_amount.items())
        out.extend((g, phase, seq, *row) for seq, (phase, *row) in enumerate(rows))
    frame = pl.DataFrame(
        out,
        schema={
            "g": pl.UInt32(),
            "phase": pl.Int8(),
            "seq": pl.Int64(),
            "sid": pl.UInt32(),
            "trow": pl.UInt32(),
            "amount": pl.Int64(),
            "discount": pl.Boolean(),
            "date": pl.Date(),
        },
        orient="row",
    )
    open_frame = pl.DataFrame(opened, schema={"row": pl.UInt32(), "open": pl.Int64()}, orient="row")
    discounts = frame.filter("discount").select("trow", "g", "amount")
    return frame, open_frame, discounts


def _allocate_group(
    targets: Sequence[_Target],
    named: Iterable[_Named],
    pool: Iterable[_Pooled],
    as_of: date,
) -> tuple[dict[int, int], list[_Row]]:
    """The rule of :class:`arpolicy.model.Ledger` for one customer and currency.

    ``targets``: all the group's invoices and deposit requests (also those
    issued after ``as_of``) in queue order: (issue date, due date, id).
    ``named``: its named entries dated on or before ``as_of`` as (date, rank,
    npos, target row, amount, sid, xpos), where ``npos`` orders them by
    (date, rank, id) and ``xpos`` puts their excess in pool order.
    ``pool``: its unnamed payments and credit notes as (xpos, amount, date,
    sid). Returns the open amount of every target by row, and the
    applications in the order made.
    """
    open_amount = {t[0]: t[3] for t in targets}
    # discount: last day of the period, and the amount applications within it must reach
    window = {
        t[0]: (t[6], t[3] - t[7])
        for t in targets
        if t[6] is not None and t[7] is not None and t[1] <= as_of
    }
    within = dict.fromkeys(window, 0)
    rows: list[_Row] = []

    def apply(phase: int, sid: int, target: int, amount: int, on: date) -> None:
        """Apply ``amount`` to ``target``; grant its discount if now in reach."""
        open_amount[target] -= amount
        rows.append((phase, sid, target, amount, False, on))
        if target in window:
            deadline, needed = window[target]
            if deadline is not None and on <= deadline:
                within[target] += amount
                rest = open_amount[target]
                if rest and within[target] >= needed:
                    open_amount[target] = 0
                    rows.append((phase, sid, target, rest, True, on))

    pooled = list(pool)
    for paid_on, _, _, target, amount, sid, xpos in sorted(named, key=lambda n: n[2]):
        applied = min(amount, open_amount[target])
        if applied:
            apply(_NAMED, sid, target, applied, paid_on)
        if amount - applied:
            pooled.append((xpos, amount - applied, paid_on, sid))

    base = [t for t in targets if t[1] <= as_of]
    for _, amount, paid_on, sid in sorted(pooled):
        # judged on the entry's own date: invoices issued by then first,
        # undisputed ones before those disputed on that date (a stable sort)
        queue = sorted(
            base,
            key=lambda t: (
                t[1] > paid_on,
                t[4] is not None and t[4] <= paid_on and (t[5] is None or paid_on < t[5]),
            ),
        )
        remaining = amount
        for t in queue:
            if not remaining:
                break
            applied = min(remaining, open_amount[t[0]])
            if applied:
                remaining -= applied
                apply(_POOL, sid, t[0], applied, paid_on)
        if remaining:
            rows.append((_POOL, sid, None, remaining, False, paid_on))
    return open_amount, rows
