"""Ledger validation: unique ids per kind, references within one customer and currency.

Two statements of one rule. :func:`build_index` checks records in Python
(cheap for the small ledgers built in code) and indexes them;
:func:`check_tables` checks the five tables with vectorised expressions
(anti-joins and joins, no per-row Python) and returns the first problem in
the same order, with the same typed error and message. ``tests/test_ledger_storage.py``
proves them equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

from ..errors import DuplicateIdError, LedgerError, UnknownReferenceError
from ..records import Customer, Invoice, InvoiceKind, Payment, PaymentPlan, Trial

if TYPE_CHECKING:
    import polars as pl

    from ._views import Tables

__all__ = ["Found", "Index", "Problem", "build_index", "check_tables", "index_unique"]


def index_unique(items: Sequence[Any], kind: str) -> dict[str, Any]:
    index = {item.id: item for item in items}
    if len(index) != len(items):
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise DuplicateIdError(kind, item.id)
            seen.add(item.id)
    return index


@attrs.frozen(eq=False)
class Index:
    customers: dict[str, Customer]
    invoices: dict[str, Invoice]
    payments: dict[str, Payment]
    plans: dict[str, PaymentPlan]
    trials: dict[str, Trial]
    invoices_by_customer: dict[str, list[Invoice]]
    payments_by_customer: dict[str, list[Payment]]
    plans_by_customer: dict[str, list[PaymentPlan]]
    trials_by_customer: dict[str, list[Trial]]


def _payment_reference_error(
    pid: str,
    cid: str,
    currency: str,
    iid: str,
    target: tuple[str, str, bool] | None,
) -> UnknownReferenceError:
    """What is wrong with a payment's invoice; ``target`` is (customer, currency, is credit)."""
    if target is None:
        return UnknownReferenceError("payment", pid, "invoice_id", iid, "no such invoice")
    owner, target_currency, _ = target
    if owner != cid:
        return UnknownReferenceError(
            "payment", pid, "invoice_id", iid, f"the invoice belongs to customer {owner!r}"
        )
    if target_currency != currency:
        return UnknownReferenceError(
            "payment",
            pid,
            "invoice_id",
            iid,
            f"payment in {currency} for an invoice in {target_currency}",
        )
    return UnknownReferenceError("payment", pid, "invoice_id", iid, "is a credit note")


def _bad_payment_reference(pay: Payment, target: Invoice | None) -> NoReturn:
    """Raise the error that says what is wrong with a payment's invoice."""
    assert pay.invoice_id is not None
    found = None if target is None else (target.customer_id, target.currency, target.is_credit)
    raise _payment_reference_error(pay.id, pay.customer_id, pay.currency, pay.invoice_id, found)


def _credit_note_error(
    iid: str, currency: str, corrected: str, target: tuple[str, str, bool] | None, cid: str
) -> UnknownReferenceError | None:
    """What is wrong with a credit note's ``applies_to``, or ``None``."""
    if target is None or target[0] != cid or target[2]:
        return UnknownReferenceError(
            "invoice",
            iid,
            "applies_to",
            corrected,
            "no invoice of the same customer with that id",
        )
    if target[1] != currency:
        return UnknownReferenceError(
            "invoice",
            iid,
            "applies_to",
            corrected,
            f"credit note in {currency} for an invoice in {target[1]}",
        )
    return None


def _plan_reference_error(
    pid: str, cid: str, currency: str, iid: str, target: tuple[str, str] | None
) -> UnknownReferenceError | None:
    """What is wrong with an invoice a plan covers; ``target`` is (customer, currency)."""
    if target is None or target[0] != cid:
        return UnknownReferenceError("plan", pid, "invoice_ids", iid, "no invoice of this customer")
    if target[1] != currency:
        return UnknownReferenceError(
            "plan", pid, "invoice_ids", iid, f"plan in {currency} for an invoice in {target[1]}"
        )
    return None


def build_index(
    customers_: Sequence[Customer],
    invoices_: Sequence[Invoice],
    payments_: Sequence[Payment],
    plans_: Sequence[PaymentPlan],
    trials_: Sequence[Trial],
) -> Index:
    """Index the records by id and by customer, checking ids and references.

    Raises:
        DuplicateIdError: two records of one kind share an id.
        UnknownReferenceError: a reference names no record of the same
            customer and currency.
    """
    customers = index_unique(customers_, "customer")
    invoices = index_unique(invoices_, "invoice")
    payments = index_unique(payments_, "payment")
    plans = index_unique(plans_, "plan")
    trials = index_unique(trials_, "trial")

    # The two loops below run once per invoice and payment of the ledger
    # (millions in a large one): fields are read directly, not via properties.
    inv_by: dict[str, list[Invoice]] = {}
    credit_notes: list[tuple[Invoice, str]] = []
    credit = InvoiceKind.CREDIT_NOTE
    for inv in invoices_:
        cid = inv.customer_id
        group = inv_by.get(cid)
        if group is None:
            if cid not in customers:
                raise UnknownReferenceError(
                    "invoice", inv.id, "customer_id", cid, "no such customer"
                )
            group = inv_by[cid] = []
        group.append(inv)
        if inv.applies_to is not None:
            credit_notes.append((inv, inv.applies_to))
    for inv, corrected in credit_notes:
        target = invoices.get(corrected)
        found = None if target is None else (target.customer_id, target.currency, target.is_credit)
        problem = _credit_note_error(inv.id, inv.currency, corrected, found, inv.customer_id)
        if problem is not None:
            raise problem

    pay_by: dict[str, list[Payment]] = {}
    for pay in payments_:
        cid = pay.customer_id
        payments_of = pay_by.get(cid)
        if payments_of is None:
            if cid not in customers:
                raise UnknownReferenceError(
                    "payment", pay.id, "customer_id", cid, "no such customer"
                )
            payments_of = pay_by[cid] = []
        iid = pay.invoice_id
        if iid is not None:
            target = invoices.get(iid)
            if (
                target is None
                or target.customer_id != cid
                or target.amount.currency != pay.amount.currency
                or target.kind is credit
            ):
                _bad_payment_reference(pay, target)
        payments_of.append(pay)

    plan_by: dict[str, list[PaymentPlan]] = {}
    for plan in plans_:
        if plan.customer_id not in customers:
            raise UnknownReferenceError(
                "plan", plan.id, "customer_id", plan.customer_id, "no such customer"
            )
        for iid in plan.invoice_ids:
            target = invoices.get(iid)
            owner = None if target is None else (target.customer_id, target.currency)
            problem = _plan_reference_error(plan.id, plan.customer_id, plan.currency, iid, owner)
            if problem is not None:
                raise problem
        plan_by.setdefault(plan.customer_id, []).append(plan)

    trial_by: dict[str, list[Trial]] = {}
    for trial in trials_:
        if trial.customer_id not in customers:
            raise UnknownReferenceError(
                "trial", trial.id, "customer_id", trial.customer_id, "no such customer"
            )
        trial_by.setdefault(trial.customer_id, []).append(trial)

    return Index(customers, invoices, payments, plans, trials, inv_by, pay_by, plan_by, trial_by)


# ---------------------------------------------------------------------------
# the same rule over the tables
# ---------------------------------------------------------------------------


@attrs.frozen
class Problem:
    """The first problem of a ledger's tables: the kind and row of the record at fault.

    For a plan, ``row`` is the row of its first instalment.
    """

    kind: str
    row: int
    error: LedgerError


@attrs.define(eq=False)
class Found:
    """Look-ups of :func:`check_tables` that a reader made already (used as they are).

    A reader that checks the invoices' and payments' cells asks these
    early: a reference that names a known record needs no check of its
    form (the record's id passed it).

    Attributes:
        invoice_customers: ``customer_id`` of each invoice ``is_in`` the customers' ids.
        payment_customers: the same for the payments.
        payment_invoices: :func:`lookup` of the payments' non-null ``invoice_id``
            (in row order) among the invoices' ids.
    """

    invoice_customers: pl.Series | None = None
    payment_customers: pl.Series | None = None
    payment_invoices: pl.Series | None = None


def known(keys: pl.Series, ids: pl.Series) -> pl.Series:
    """True where a key is one of ``ids`` (null keys stay null)."""
    return keys.is_in(ids.implode())


def _first(mask: Any) -> int | None:
    hits = mask.arg_true()
    return int(hits[0]) if len(hits) else None


def _duplicate(ids: pl.Series) -> int | None:
    """The first row whose id appeared on an earlier row, or ``None``.

    Ids in strictly increasing order (what most exports write) are unique
    without hashing; otherwise a count of distinct values settles the usual
    case, and only a column with a duplicate is searched for it.
    """
    n = len(ids)
    if n < 2:
        return None
    if ids.null_count() == 0 and bool((ids.slice(1) > ids.slice(0, n - 1)).all()):
        return None
    if ids.n_unique() == n:
        return None
    return _first(~ids.is_first_distinct())


def lookup(keys: pl.Series, ids: pl.Series) -> pl.Series:
    """The row of ``ids`` (unique) holding each key, null where none does.

    Joined on 64-bit hashes of the strings (several times cheaper than a
    join on the strings), then every match is confirmed by comparing the
    strings; should two ids share a hash, the plain string join decides.
    """
    import polars as pl  # noqa: PLC0415 - Polars on use

    if len(ids) == 0:
        return pl.Series("_r", [None] * len(keys), pl.UInt32)
    right = pl.DataFrame(
        {"_h": ids.hash(), "_r": pl.int_range(len(ids), dtype=pl.UInt32, eager=True)}
    )
    joined = pl.DataFrame({"_h": keys.hash()}).join(
        right, on="_h", how="left", maintain_order="left"
    )
    if joined.height != len(keys):  # pragma: no cover - a 64-bit hash collision
        exact = pl.DataFrame({"_k": keys}).join(
            pl.DataFrame({"_k": ids, "_r": right["_r"]}), on="_k", how="left", maintain_order="left"
        )
        return exact["_r"]
    rows = joined["_r"]
    same = ids.gather(rows.fill_null(0)) == keys
    return pl.select(pl.when(same & rows.is_not_null()).then(rows)).to_series()


def check_tables(tables: Tables, found: Found | None = None) -> Problem | None:
    """The first problem of the tables in :func:`build_index`'s order, or ``None``.

    Vectorised: unique ids by :func:`_duplicate` (no hashing for ids in
    increasing order), unknown customers by ``is_in``, invoice references by
    one join on 64-bit hashes each (:func:`lookup`); Python only words the
    error of the row found. Rows of one plan are told apart by ``plan_id``
    alone, so two plans sharing an id cannot be seen here (the readers group
    a plan's rows and check that they agree). ``found`` holds look-ups a
    reader made already.
    """
    import polars as pl  # noqa: PLC0415 - Polars on use

    found = found or Found()

    columns = {"customer": "customer_id", "invoice": "invoice_id", "payment": "payment_id"}
    columns["trial"] = "trial_id"
    for kind, column in columns.items():
        ids = tables.of(kind)[column]
        row = _duplicate(ids)
        if row is not None:
            return Problem(kind, row, DuplicateIdError(kind, ids[row]))

    customer_ids = tables.customers["customer_id"]
    inv = tables.invoices
    if found.invoice_customers is None or len(found.invoice_customers) != inv.height:
        found.invoice_customers = known(inv["customer_id"], customer_ids)
    row = _first(~found.invoice_customers)
    if row is not None:
        cid = inv["customer_id"][row]
        error = UnknownReferenceError(
            "invoice", inv["invoice_id"][row], "customer_id", cid, "no such customer"
        )
        return Problem("invoice", row, error)

    targets = inv.select(
        pl.col("invoice_id").alias("_target"),
        pl.col("customer_id").alias("_owner"),
        pl.col("currency").alias("_currency"),
        (pl.col("kind") == "credit_note").alias("_credit"),
    )
    target_ids = inv["invoice_id"]

    def bad(
        frame: pl.DataFrame, on: str, *, credit: bool, given: pl.Series | None = None
    ) -> pl.DataFrame:
        """The rows of ``frame`` (with ``_row``) whose ``on`` names no fitting invoice."""
        named = frame.filter(pl.col(on).is_not_null())
        if named.height == 0:
            return named
        rows = given if given is not None and len(given) == named.height else None
        if rows is None:
            rows = lookup(named[on], target_ids)
        if targets.height:
            found = targets.drop("_target").select(pl.all().gather(rows.fill_null(0)))
            hit = pl.lit(rows.is_not_null())
            found = found.select(pl.when(hit).then(pl.col(c)).alias(c) for c in found.columns)
        else:
            found = targets.drop("_target").clear(named.height)
        joined = pl.concat([named, found], how="horizontal")
        owner = pl.col("_owner")
        wrong = owner.is_null() | (owner != pl.col("customer_id"))
        wrong = wrong | (pl.col("_currency") != pl.col("currency"))
        if credit:
            wrong = wrong | pl.col("_credit")
        return joined.filter(wrong).sort("_row")

    def target_of(row: dict[str, Any]) -> tuple[str, str, bool] | None:
        if row["_owner"] is None:
            return None
        return row["_owner"], row["_currency"], row["_credit"]

    notes = bad(
        inv.with_row_index("_row").select(
            "_row", "invoice_id", "customer_id", "currency", "applies_to"
        ),
        "applies_to",
        credit=True,
    )
    if notes.height:
        first = notes.row(0, named=True)
        cn_error = _credit_note_error(
            first["invoice_id"],
            first["currency"],
            first["applies_to"],
            target_of(first),
            first["customer_id"],
        )
        assert cn_error is not None
        return Problem("invoice", int(first["_row"]), cn_error)

    pay = tables.payments
    if found.payment_customers is None or len(found.payment_customers) != pay.height:
        found.payment_customers = known(pay["customer_id"], customer_ids)
    stranger = _first(~found.payment_customers)
    named = bad(
        pay.with_row_index("_row").select(
            "_row", "payment_id", "customer_id", "currency", "invoice_id"
        ),
        "invoice_id",
        credit=True,
        given=found.payment_invoices,
    )
    first_named = int(named["_row"][0]) if named.height else None
    if stranger is not None and (first_named is None or stranger <= first_named):
        error = UnknownReferenceError(
            "payment",
            pay["payment_id"][stranger],
            "customer_id",
            pay["customer_id"][stranger],
            "no such customer",
        )
        return Problem("payment", stranger, error)
    if first_named is not None:
        first = named.row(0, named=True)
        error = _payment_reference_error(
            first["payment_id"],
            first["customer_id"],
            first["currency"],
            first["invoice_id"],
            target_of(first),
        )
        return Problem("payment", first_named, error)

    plans = (
        tables.instalments.with_row_index("_row")
        .group_by("plan_id", maintain_order=True)
        .agg(pl.col("_row", "customer_id", "invoice_ids", "currency").first())
    )
    if plans.height:
        covered = (
            plans.select("plan_id", "invoice_ids")
            .explode("invoice_ids")
            .join(
                targets.select("_target", "_owner", "_currency"),
                left_on="invoice_ids",
                right_on="_target",
                how="left",
                maintain_order="left",
            )
        )
        owners: dict[str, list[tuple[str, tuple[str, str] | None]]] = {}
        for plan_id, iid, owner, currency in covered.iter_rows():
            owned = None if owner is None else (owner, currency)
            owners.setdefault(plan_id, []).append((iid, owned))
        customers = set(customer_ids.to_list())
        for plan_id, row, cid, _, currency in plans.iter_rows():
            if cid not in customers:
                error = UnknownReferenceError(
                    "plan", plan_id, "customer_id", cid, "no such customer"
                )
                return Problem("plan", row, error)
            for iid, owned in owners.get(plan_id, ()):
                problem = _plan_reference_error(plan_id, cid, currency, iid, owned)
                if problem is not None:
                    return Problem("plan", row, problem)

    trials = tables.trials
    row = _first(~known(trials["customer_id"], customer_ids))
    if row is not None:
        error = UnknownReferenceError(
            "trial",
            trials["trial_id"][row],
            "customer_id",
            trials["customer_id"][row],
            "no such customer",
        )
        return Problem("trial", row, error)
    return None
