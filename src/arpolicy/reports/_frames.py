"""The table path of the reports: Polars group-bys over the ledger's tables.

Everything here works on Int64 minor units (Int128 where a sum could
overflow) and returns small aggregates: per currency, per month, per
customer. The report modules turn those into :class:`~arpolicy.money.Money`
and :class:`~decimal.Decimal` results; nothing here builds a record.

Two things are computed once per report:

* :class:`_Book`: the allocation kernel's result on one date
  (:func:`arpolicy.ledger._allocate.allocate_prepared`): the open balance of
  every invoice, and the settlement date of every settled one (the date of
  the last application to it, payment, credit note or discount; its issue
  date if none), and the discounts granted.
* :class:`_Scan`: the receivables on the day before the period and on every
  month end of it, without allocating on each of those dates (see
  :meth:`_Scan.of_tables`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

import attrs
import polars as pl

from ..ledger._allocate import Prepared, allocate_prepared, prepare
from ..model import InvoiceKind
from ._common import WRITE_OFF_KEY, _major, _months_back, _Period, _Sums

if TYPE_CHECKING:
    from ..model import Ledger

_CREDIT = InvoiceKind.CREDIT_NOTE.value
_DAY = timedelta(days=1)
# days between the earliest and the latest date a ledger may hold, rounded up
_MAX_DAYS = 4_000_000


@attrs.frozen(eq=False)
class _Frames:
    """What the reports read from a ledger.

    Attributes:
        invoices: the ledger's invoice table (`ledger.tables.invoices`, `kind` as text) plus
            ``write_off`` (Boolean: a credit note marked as a write-off).
        payments: the payment table.
        profiles: ``customer_id, profile, name`` (String).
        wide: the integer type for sums of amounts (Int64 when every sum
            fits, else Int128).
        weighted: the integer type for sums of amount x days.
    """

    invoices: pl.DataFrame
    payments: pl.DataFrame
    profiles: pl.DataFrame
    wide: pl.DataType
    weighted: pl.DataType

    def prepare(self) -> Prepared:
        """The allocation kernel's date-independent preparation."""
        return prepare(self.invoices, self.payments, carry=("write_off",))


def _tables_of(ledger: Ledger) -> _Frames:
    """The report frames of ``ledger``.

    The one place that reads the ledger: when the ledger keeps its tables
    (``ledger.tables``), this reads them instead of building them.
    """
    tables = ledger.tables
    meta = pl.element().struct
    write_off = (pl.col("kind") == InvoiceKind.CREDIT_NOTE.value) & (
        pl.col("metadata")
        .list.eval((meta.field("key") == WRITE_OFF_KEY) & (meta.field("value") == "yes"))
        .list.any()
        .fill_null(False)
    )
    invoices = tables.invoices.select(
        pl.exclude("metadata", "kind"),
        pl.col("kind").cast(pl.String),
        write_off.alias("write_off"),
    )
    profiles = tables.customers.select("customer_id", pl.col("profile").cast(pl.String), "name")
    return _frames(invoices, tables.payments, profiles)


def _frames(invoices: pl.DataFrame, payments: pl.DataFrame, profiles: pl.DataFrame) -> _Frames:
    total = 0
    for frame in (invoices, payments):
        found = frame.select(pl.col("amount").cast(pl.Int128).abs().sum()).item()
        total += int(found or 0)
    wide: pl.DataType = pl.Int64() if total < 1 << 62 else pl.Int128()
    weighted: pl.DataType = pl.Int64() if total * _MAX_DAYS < 1 << 62 else pl.Int128()
    return _Frames(invoices, payments, profiles, wide, weighted)


def _by_currency(frame: pl.DataFrame, value: str) -> _Sums:
    """``{currency: Decimal}`` from a frame of ``currency`` and integer ``value``."""
    return {cur: _major(int(v), cur) for cur, v in frame.select("currency", value).iter_rows()}


def _slot(column: str, start: date) -> pl.Expr:
    """0 before ``start``, else ``k + 1`` for a date in the ``k``-th month of the period."""
    base = start.year * 12 + start.month - 1
    col = pl.col(column)
    return (
        pl.when(col < start)
        .then(0)
        .otherwise(col.dt.year().cast(pl.Int64) * 12 + col.dt.month().cast(pl.Int64) - base)
        .cast(pl.Int64)
    )


# ---------------------------------------------------------------------------
# the allocation on one date
# ---------------------------------------------------------------------------


@attrs.frozen(eq=False)
class _Book:
    """The allocation on one date, made once for all the reports that need it.

    Attributes:
        on: the date.
        open: invoices and deposit requests issued by ``on`` with a balance
            above zero: ``invoice_id, customer_id, currency, due_date,
            dispute_opened_on, dispute_resolved_on, balance``.
        settled: those settled by ``on``: ``customer_id, currency, amount,
            issue_date, due_date, settled`` (the settlement date).
        discounts: the early-payment discounts granted by the allocation on
            ``on``: ``currency, date, amount, invoiced`` (the invoice's gross
            amount).
    """

    on: date
    open: pl.DataFrame
    settled: pl.DataFrame
    discounts: pl.DataFrame
    wide: pl.DataType

    @classmethod
    def of_tables(cls, frames: _Frames, prepared: Prepared, on: date) -> _Book:
        alloc = allocate_prepared(prepared, on)
        inv = frames.invoices
        # the kernel's balances are in the order of the invoice table
        issued = inv.filter((pl.col("kind") != _CREDIT) & (pl.col("issue_date") <= on)).select(
            "invoice_id",
            "customer_id",
            "currency",
            "amount",
            "issue_date",
            "due_date",
            "dispute_opened_on",
            "dispute_resolved_on",
            alloc.balances.get_column("balance"),
        )
        applied = alloc.allocations.filter(pl.col("invoice_id").is_not_null())
        last = applied.group_by("invoice_id").agg(pl.col("date").max().alias("last"))
        settled = (
            issued.filter(pl.col("balance") == 0)
            .join(last, on="invoice_id", how="left")
            .select(
                "customer_id",
                "currency",
                "amount",
                "issue_date",
                "due_date",
                settled=pl.max_horizontal(
                    pl.col("last").fill_null(pl.col("issue_date")), "issue_date"
                ),
            )
        )
        discounts = (
            applied.filter(pl.col("kind") == "discount")
            .join(
                inv.select("invoice_id", pl.col("amount").alias("invoiced")),
                on="invoice_id",
                how="left",
            )
            .select("currency", "date", "amount", "invoiced")
        )
        return cls(on, issued.filter(pl.col("balance") > 0), settled, discounts, frames.wide)


# ---------------------------------------------------------------------------
# receivables on every month end, in one pass
# ---------------------------------------------------------------------------


@attrs.frozen
class _Scan(_Period):
    """The :class:`_Period` figures from the ledger's tables."""

    @classmethod
    def of(cls, ledger: Ledger, start: date, end: date) -> _Scan:
        """Scan the ledger's tables (see :meth:`of_tables`)."""
        return cls.of_tables(_tables_of(ledger), start, end)

    @classmethod
    def of_tables(
        cls, frames: _Frames, start: date, end: date, prepared: Prepared | None = None
    ) -> _Scan:
        """Receivables on every point, credit sales and collections per month.

        Receivables on a date ``D`` are computed without allocating: per
        customer and currency, the allocation rule applies every payment and
        credit note dated by ``D`` to the invoices issued by ``D`` until none
        is open, except what a payment or credit note names for an invoice
        issued after ``D`` (the named phase keeps it there). So the group owes
        ``max(0, issued(D) - paid(D) + reserved(D))``, where ``reserved(D)``
        sums, per invoice issued after ``D``, ``min(amount, named to it by
        D)``. Early-payment discounts settle invoices without a payment, and
        which ones the allocation on ``D`` grants depends on ``D``; so a group
        with an invoice on discount terms takes the allocation kernel's
        balances on each point from the first such invoice's issue date on,
        for those groups only. A property test checks the result against
        :meth:`Ledger.balances`.

        The closed form is evaluated for all groups at once, on the
        allocation kernel's integer group codes (``prepared``, made here when
        not given): the deltas of each (group, month) are scattered into a
        dense ``groups x (months + 1)`` array, and one global cumulative sum
        minus each group's start gives the running totals.
        """
        segments = _months_back(start, end)[::-1]
        width = len(segments) + 1
        points = [start - _DAY, *(hi for _, hi in segments)]
        wide = frames.wide
        prepared = frames.prepare() if prepared is None else prepared
        currencies = prepared.currencies
        ncur = max(len(currencies), 1)
        kcode = (pl.col("g") % ncur).cast(pl.Int64).alias("kc")
        is_credit = pl.col("kind") == _CREDIT
        in_period = pl.col("k") >= 1
        # every invoice issued by `end` with its group code `g` (customer x currency)
        inv = prepared.invoices.filter(pl.col("issue_date") <= end).with_columns(
            k=_slot("issue_date", start)
        )
        # every payment (rank 1) and credit note (rank 0) dated by `end`, with its `g`
        entries = pl.concat(
            [
                prepared.named.select("g", "date", "rank", "amount", "trow"),
                prepared.unnamed.select(
                    "g", "date", "rank", "amount", pl.lit(None, pl.UInt32).alias("trow")
                ),
            ]
        ).filter(pl.col("date") <= end)
        entries = entries.with_columns(k=_slot("date", start))

        def per_month(frame: pl.DataFrame) -> list[_Sums]:
            sums = frame.group_by("k", kcode).agg(pl.col("amount").cast(wide).sum())
            out: list[_Sums] = [{} for _ in segments]
            for k, kc, v in sums.iter_rows():
                cur = currencies[kc]
                out[k - 1][cur] = _major(int(v), cur)
            return out

        sales = per_month(inv.filter(~is_credit & in_period))
        collected = per_month(entries.filter((pl.col("rank") == 1) & in_period))
        written = {
            (cur := currencies[kc]): _major(int(v), cur)
            for kc, v in inv.filter(is_credit & in_period & pl.col("write_off"))
            .group_by(kcode)
            .agg(pl.col("amount").cast(wide).sum())
            .iter_rows()
        }

        # -- the closed form: deltas per (group, slot), running totals ----------------
        deltas = pl.concat(
            [
                inv.filter(~is_credit).select("g", "k", v=pl.col("amount").cast(wide)),
                # payments and credit notes (zero-amount credit notes change nothing)
                entries.select("g", "k", v=(-pl.col("amount")).cast(wide)),
            ]
        )
        present = deltas.get_column("g").unique().sort()  # group index gi: position here
        ngroups = len(present)
        owed: list[_Sums] = [{} for _ in points]
        if not ngroups:
            return cls(segments, owed, sales, collected, written)

        def cells(frame: pl.DataFrame, value: str) -> pl.DataFrame:
            """``cell`` (gi * width + k) and the summed ``value`` of the frame's groups."""
            gi = pl.lit(present).search_sorted(pl.col("g")).cast(pl.Int64)
            return (
                frame.filter(pl.col("g").is_in(present.implode()))
                .group_by((gi * width + pl.col("k")).alias("cell"))
                .agg(pl.col(value).sum())
            )

        size = ngroups * width
        summed = cells(deltas, "v")
        dense = pl.repeat(0, size, eager=True, dtype=wide).scatter(
            summed.get_column("cell"), summed.get_column("v")
        )
        running = (
            pl.DataFrame({"d": dense})
            .with_columns(cell=pl.int_range(size, dtype=pl.Int64), c=pl.col("d").cum_sum())
            .with_columns(
                gi=pl.col("cell") // width,
                k=pl.col("cell") % width,
                run=pl.col("c")
                - (pl.col("c") - pl.col("d")).gather((pl.col("cell") // width) * width),
            )
        )

        # reserved: named to an invoice issued after the point, by the point
        reserved = _reserved(prepared, entries, points, wide)
        if reserved.height:
            summed = cells(reserved, "r")
            extra = pl.repeat(0, size, eager=True, dtype=wide).scatter(
                summed.get_column("cell"), summed.get_column("r")
            )
            running = running.with_columns(run=pl.col("run") + extra)
        value = running.select("gi", "k", v=pl.max_horizontal("run", pl.lit(0, wide)))

        # groups with discount terms: the kernel's balances from the first such issue on
        windows = (
            inv.filter(~is_credit & pl.col("discount_deadline").is_not_null())
            .group_by("g")
            .agg(pl.col("issue_date").min().alias("first"))
            .with_columns(gi=pl.lit(present).search_sorted(pl.col("g")).cast(pl.Int64))
        )
        if windows.height:
            value = _discounted(frames, prepared, windows, points, value)

        totals = (
            value.filter(pl.col("v") > 0)
            .with_columns(g=pl.lit(present).gather(pl.col("gi")))
            .group_by("k", kcode)
            .agg(pl.col("v").sum())
        )
        for k, kc, v in totals.iter_rows():
            cur = currencies[kc]
            owed[k][cur] = _major(int(v), cur)
        return cls(segments, owed, sales, collected, written)


def _reserved(
    prepared: Prepared, entries: pl.DataFrame, points: Sequence[date], wide: pl.DataType
) -> pl.DataFrame:
    """Per target group and point: ``min(amount, named by the point)`` of invoices issued after it.

    Columns ``g`` (the target invoice's group), ``k`` (the point) and ``r``.
    """
    invoices = prepared.invoices
    named = (
        entries.filter(pl.col("trow").is_not_null())
        .select(
            "date",
            "amount",
            "trow",
            t_issue=pl.lit(invoices.get_column("issue_date")).gather(pl.col("trow")),
        )
        .filter(pl.col("t_issue") > pl.col("date"))
    )
    if not named.height:
        return pl.DataFrame(schema={"g": pl.UInt32(), "k": pl.Int64(), "r": wide})
    grid = pl.DataFrame({"k": range(len(points)), "point": list(points)}).cast({"k": pl.Int64})
    return (
        named.join(grid, how="cross")
        .filter((pl.col("date") <= pl.col("point")) & (pl.col("point") < pl.col("t_issue")))
        .group_by("trow", "k")
        .agg(pl.col("amount").cast(wide).sum().alias("named"))
        .with_columns(
            g=pl.lit(invoices.get_column("g")).gather(pl.col("trow")),
            t_amount=pl.lit(invoices.get_column("amount")).gather(pl.col("trow")).cast(wide),
        )
        .group_by("g", "k")
        .agg(pl.min_horizontal("named", "t_amount").sum().alias("r"))
    )


def _discounted(
    frames: _Frames,
    prepared: Prepared,
    windows: pl.DataFrame,
    points: Sequence[date],
    value: pl.DataFrame,
) -> pl.DataFrame:
    """``value`` with the kernel's receivables for the groups in ``windows``.

    ``windows``: ``g, first, gi``: a group with an invoice on discount terms,
    and the first such invoice's issue date. The kernel runs on those groups'
    customers only.
    """
    wide = frames.wide
    ncur = max(len(prepared.currencies), 1)
    windows = windows.with_columns(
        customer_id=pl.lit(prepared.customers).gather(pl.col("g") // ncur),
        currency=pl.lit(prepared.currencies).gather(pl.col("g") % ncur),
    )
    earliest = windows.get_column("first").min()
    customers = windows.get_column("customer_id").unique().implode()
    sub = prepare(
        frames.invoices.filter(pl.col("customer_id").is_in(customers)),
        frames.payments.filter(pl.col("customer_id").is_in(customers)),
    )
    found: list[pl.DataFrame] = []
    for k, point in enumerate(points):
        if not isinstance(earliest, date) or point < earliest:
            continue
        balances = (
            allocate_prepared(sub, point)
            .balances.filter(pl.col("balance") > 0)
            .group_by("customer_id", "currency")
            .agg(pl.col("balance").cast(wide).sum().alias("owed"))
        )
        found.append(
            windows.filter(pl.col("first") <= point)
            .join(balances, on=["customer_id", "currency"], how="left")
            .select(
                "gi",
                pl.lit(k, pl.Int64).alias("k"),
                pl.col("owed").fill_null(0).cast(wide).alias("kernel"),
            )
        )
    if not found:
        return value
    return (
        value.join(pl.concat(found), on=["gi", "k"], how="left")
        .with_columns(v=pl.coalesce("kernel", "v"))
        .drop("kernel")
    )
