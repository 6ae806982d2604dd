"""The ledger's tables and the records built from them, both ways.

:class:`Tables` holds the five frames of :mod:`arpolicy.ledger._schema`.
``*_from`` functions build the attrs records of some rows (column by column,
sharing equal dates and amounts, with the records' fast constructors: the
rows were validated when the tables were made); :func:`tables_from_records`
builds the tables of records made in code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from itertools import repeat
from typing import Any, Final

import attrs
import polars as pl

from .._fast import fast_constructor
from ..money import Money, minor_unit
from ..records import (
    Contacts,
    Customer,
    Dispute,
    DunningBlock,
    Instalment,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentMethod,
    PaymentPlan,
    PaymentTerms,
    Profile,
    Trial,
    TrialKind,
)
from ._schema import CUSTOMERS, INSTALMENTS, INVOICES, METADATA, PAYMENTS, TRIALS

__all__ = [
    "KINDS",
    "Tables",
    "customers_from",
    "invoices_from",
    "payments_from",
    "plans_from",
    "tables_from_records",
    "trials_from",
]

KINDS: Final = ("customer", "invoice", "payment", "plan", "trial")
"""The record kinds, in the order the ledger validates them."""


@attrs.frozen(eq=False)
class Tables:
    """The five tables of a ledger (columns: ``docs/explanation/ledger-storage.md``).

    Attributes:
        customers: one row per customer (:data:`~arpolicy.ledger.CUSTOMERS`).
        invoices: one row per invoice, deposit request or credit note
            (:data:`~arpolicy.ledger.INVOICES`).
        payments: one row per payment (:data:`~arpolicy.ledger.PAYMENTS`).
        instalments: one row per instalment of a payment plan
            (:data:`~arpolicy.ledger.INSTALMENTS`).
        trials: one row per trial or allowance (:data:`~arpolicy.ledger.TRIALS`).
    """

    customers: pl.DataFrame
    invoices: pl.DataFrame
    payments: pl.DataFrame
    instalments: pl.DataFrame
    trials: pl.DataFrame

    def of(self, kind: str) -> pl.DataFrame:
        """The table of a record kind (``"plan"`` gives the instalments)."""
        return {
            "customer": self.customers,
            "invoice": self.invoices,
            "payment": self.payments,
            "plan": self.instalments,
            "trial": self.trials,
        }[kind]

    def copy(self) -> Tables:
        """The same tables as new frame objects (no data is copied)."""
        return Tables(
            self.customers.clone(),
            self.invoices.clone(),
            self.payments.clone(),
            self.instalments.clone(),
            self.trials.clone(),
        )


# ---------------------------------------------------------------------------
# rows to records
# ---------------------------------------------------------------------------

_new_customer: Final = fast_constructor(
    Customer,
    tuple(f.name for f in attrs.fields(Customer)),
)
_new_invoice: Final = fast_constructor(Invoice, tuple(f.name for f in attrs.fields(Invoice)))
_new_payment: Final = fast_constructor(Payment, tuple(f.name for f in attrs.fields(Payment)))
_EMPTY_CONTACTS: Final = Contacts()
_PROFILES: Final = {m.value: m for m in Profile}
_KINDS: Final = {m.value: m for m in InvoiceKind}
_METHODS: Final = {m.value: m for m in PaymentMethod}
_TRIAL_KINDS: Final = {m.value: m for m in TrialKind}


def _dates(series: pl.Series) -> list[date | None]:
    """A Date column as shared :class:`~datetime.date` objects (one per distinct day)."""
    days = series.cast(pl.Int32)
    low = days.min()
    if low is None:
        return [None] * len(series)
    high = days.max()
    assert isinstance(low, int)
    assert isinstance(high, int)
    if len(series) < 64:
        return series.to_list()
    first = date(1970, 1, 1) + timedelta(days=low)
    table: list[date | None] = [first + timedelta(days=k) for k in range(high - low + 1)]
    table.append(None)
    codes = (days - low).fill_null(high - low + 1).to_list()
    return [table[k] for k in codes]


def moneys(amounts: pl.Series, currencies: pl.Series) -> list[Money | None]:
    """Minor units and currencies as :class:`Money`, one object per distinct pair."""
    cache: dict[tuple[int, str], Money] = {}
    digits: dict[str, int] = {}
    out: list[Money | None] = []
    append = out.append
    for minor, code in zip(amounts.to_list(), currencies.to_list(), strict=True):
        if minor is None:
            append(None)
            continue
        money = cache.get((minor, code))
        if money is None:
            exp = digits.get(code)
            if exp is None:
                exp = digits[code] = minor_unit(code)
            money = cache[(minor, code)] = Money._trusted(Decimal(minor).scaleb(-exp), code)
        append(money)
    return out


def _metadata(series: pl.Series) -> Iterable[tuple[tuple[str, str], ...]]:
    if series.list.len().max() in (None, 0):
        return repeat((), len(series))
    return [
        tuple((pair["key"], pair["value"]) for pair in pairs) if pairs else ()
        for pairs in series.to_list()
    ]


def _terms(series: pl.Series) -> Iterable[PaymentTerms | None]:
    if series.null_count() == len(series):
        return repeat(None, len(series))
    from ..io.terms import parse_terms  # noqa: PLC0415 - io builds on the records

    parsed: dict[str | None, PaymentTerms | None] = {
        code: parse_terms(code) for code in series.drop_nulls().unique().to_list()
    }
    parsed[None] = None
    return [parsed[code] for code in series.to_list()]


def _column(frame: pl.DataFrame, name: str) -> Iterable[Any]:
    series = frame[name]
    if series.null_count() == len(series):
        return repeat(None, len(series))
    return series.to_list()


def customers_from(frame: pl.DataFrame) -> list[Customer]:
    """The customers of the rows of a customers table."""
    n = frame.height
    limits = moneys(frame["credit_limit"], frame["currency"])
    contacts: Iterable[Contacts] = repeat(_EMPTY_CONTACTS, n)
    reached = frame.select(
        pl.any_horizontal(pl.col("email", "phone", "address", "whatsapp").is_not_null())
    ).to_series()
    if reached.any():
        contacts = [
            Contacts(*row) if any(row) else _EMPTY_CONTACTS
            for row in frame.select("email", "phone", "address", "whatsapp").iter_rows()
        ]
    blocks: Iterable[DunningBlock | None] = repeat(None, n)
    if frame["block_reason"].null_count() < n:
        blocks = [
            DunningBlock(reason, until) if reason is not None else None
            for reason, until in zip(
                frame["block_reason"].to_list(), _dates(frame["block_until"]), strict=True
            )
        ]
    return [
        _new_customer(*fields)
        for fields in zip(
            frame["customer_id"].to_list(),
            frame["name"].to_list(),
            [_PROFILES[p] for p in frame["profile"].cast(pl.String).to_list()],
            frame["country"].to_list(),
            frame["language"].fill_null("en").to_list(),
            frame["timezone"].fill_null("UTC").to_list(),
            contacts,
            limits,
            [frozenset(tags) if tags else frozenset() for tags in frame["tags"].to_list()],
            blocks,
            _column(frame, "policy"),
            _metadata(frame["metadata"]),
            strict=False,
        )
    ]


def invoices_from(frame: pl.DataFrame) -> list[Invoice]:
    """The invoices, deposit requests and credit notes of the rows of an invoices table."""
    n = frame.height
    disputes: Iterable[Dispute | None] = repeat(None, n)
    if frame["dispute_opened_on"].null_count() < n:
        disputes = [
            Dispute(opened, reason or "", resolved) if opened is not None else None
            for opened, reason, resolved in zip(
                _dates(frame["dispute_opened_on"]),
                frame["dispute_reason"].to_list(),
                _dates(frame["dispute_resolved_on"]),
                strict=True,
            )
        ]
    kinds = frame["kind"].cast(pl.String)
    kind_of: Iterable[InvoiceKind] = (
        repeat(InvoiceKind.INVOICE, n)
        if (kinds == "invoice").all()
        else [_KINDS[k] for k in kinds.to_list()]
    )
    return [
        _new_invoice(*fields)
        for fields in zip(
            frame["invoice_id"].to_list(),
            frame["customer_id"].to_list(),
            _dates(frame["issue_date"]),
            _dates(frame["due_date"]),
            moneys(frame["amount"], frame["currency"]),
            kind_of,
            _terms(frame["terms"]),
            disputes,
            _dates(frame["on_hold_until"])
            if frame["on_hold_until"].null_count() < n
            else repeat(None),
            _column(frame, "reference"),
            _column(frame, "payment_link"),
            _column(frame, "applies_to"),
            _column(frame, "policy"),
            _metadata(frame["metadata"]),
            strict=False,
        )
    ]


def payments_from(frame: pl.DataFrame) -> list[Payment]:
    """The payments of the rows of a payments table."""
    methods = frame["method"].cast(pl.String)
    n = frame.height
    method_of: Iterable[PaymentMethod] = (
        repeat(PaymentMethod.BANK_TRANSFER, n)
        if (methods == "bank_transfer").all()
        else [_METHODS[m] for m in methods.to_list()]
    )
    return [
        _new_payment(*fields)
        for fields in zip(
            frame["payment_id"].to_list(),
            frame["customer_id"].to_list(),
            _dates(frame["date"]),
            moneys(frame["amount"], frame["currency"]),
            method_of,
            _column(frame, "invoice_id"),
            _column(frame, "reference"),
            _metadata(frame["metadata"]),
            strict=False,
        )
    ]


def plans_from(frame: pl.DataFrame) -> list[PaymentPlan]:
    """The payment plans of the rows of an instalments table (rows of a plan kept together)."""
    plans: dict[str, list[Any]] = {}
    amounts = moneys(frame["amount"], frame["currency"])
    rows = frame.select(
        "plan_id", "customer_id", "invoice_ids", "agreed_on", "grace_days", "due_date"
    )
    for (plan_id, cid, iids, agreed, grace, due), money in zip(
        rows.iter_rows(), amounts, strict=True
    ):
        found = plans.get(plan_id)
        if found is None:
            found = plans[plan_id] = [cid, tuple(iids), agreed, grace, []]
        found[4].append(Instalment(due, money))  # type: ignore[arg-type]
    return [
        PaymentPlan(plan_id, cid, iids, instalments, agreed, grace)
        for plan_id, (cid, iids, agreed, grace, instalments) in plans.items()
    ]


def trials_from(frame: pl.DataFrame) -> list[Trial]:
    """The trials and allowances of the rows of a trials table."""
    return [
        Trial(tid, cid, ends, starts, _TRIAL_KINDS[kind], description or "")
        for tid, cid, ends, starts, kind, description in frame.select(
            "trial_id",
            "customer_id",
            "ends",
            "starts",
            pl.col("kind").cast(pl.String),
            "description",
        ).iter_rows()
    ]


BUILDERS: Final[dict[str, Callable[[pl.DataFrame], Sequence[Any]]]] = {
    "customer": customers_from,
    "invoice": invoices_from,
    "payment": payments_from,
    "plan": plans_from,
    "trial": trials_from,
}
"""Rows to records, per kind."""

# ---------------------------------------------------------------------------
# records to rows
# ---------------------------------------------------------------------------


def _frame(
    columns: dict[str, list[Any]], schema: pl.Schema, records: Sequence[Any] = ()
) -> pl.DataFrame:
    """A table of columns; ``metadata`` from the records' pairs, built in long form.

    (Polars builds a list of structs from Python objects row by row, slowly.)
    """
    if "metadata" not in schema:
        return pl.DataFrame(columns, schema=schema)
    plain = {name: dtype for name, dtype in schema.items() if name != "metadata"}
    frame = pl.DataFrame(columns, schema=plain)
    pairs = [(row, k, v) for row, record in enumerate(records) for k, v in record.metadata]
    if not pairs:
        return frame.with_columns(pl.lit([], dtype=METADATA).alias("metadata"))
    long = (
        pl.DataFrame(
            pairs, schema={"_row": pl.Int64, "key": pl.String, "value": pl.String}, orient="row"
        )
        .group_by("_row", maintain_order=True)
        .agg(pl.struct("key", "value").alias("metadata"))
    )
    return (
        frame.with_row_index("_row")
        .with_columns(pl.col("_row").cast(pl.Int64))
        .join(long, on="_row", how="left", maintain_order="left")
        .drop("_row")
        .with_columns(pl.col("metadata").fill_null(pl.lit([], dtype=METADATA)))
        .select(list(schema))
    )


def tables_from_records(
    customers: Sequence[Customer],
    invoices: Sequence[Invoice],
    payments: Sequence[Payment],
    plans: Sequence[PaymentPlan],
    trials: Sequence[Trial],
) -> Tables:
    """The five tables of records made in code (rows in the records' order)."""
    from ..io.terms import format_terms  # noqa: PLC0415 - io builds on the records

    def limit(c: Customer) -> int | None:
        return None if c.credit_limit is None else c.credit_limit.minor_units

    customer_table = _frame(
        {
            "customer_id": [c.id for c in customers],
            "name": [c.name for c in customers],
            "profile": [c.profile.value for c in customers],
            "country": [c.country for c in customers],
            "language": [c.language for c in customers],
            "timezone": [c.timezone for c in customers],
            "email": [c.contacts.email for c in customers],
            "phone": [c.contacts.phone for c in customers],
            "address": [c.contacts.address for c in customers],
            "whatsapp": [c.contacts.whatsapp for c in customers],
            "credit_limit": [limit(c) for c in customers],
            "currency": [
                None if c.credit_limit is None else c.credit_limit.currency for c in customers
            ],
            "tags": [sorted(c.tags) for c in customers],
            "block_reason": [None if c.block is None else c.block.reason for c in customers],
            "block_until": [None if c.block is None else c.block.until for c in customers],
            "policy": [c.policy for c in customers],
        },
        CUSTOMERS,
        customers,
    )
    codes: dict[PaymentTerms, str] = {}

    def code(terms: PaymentTerms | None) -> str | None:
        if terms is None:
            return None
        found = codes.get(terms)
        if found is None:
            found = codes[terms] = format_terms(terms)
        return found

    def discount(i: Invoice) -> tuple[date | None, int | None]:
        terms = i.terms
        if terms is None or terms.discount_days is None:
            return None, None
        return terms.discount_deadline(i.issue_date), terms.discount(i.amount).minor_units

    discounts = [discount(i) for i in invoices]
    invoice_table = _frame(
        {
            "invoice_id": [i.id for i in invoices],
            "customer_id": [i.customer_id for i in invoices],
            "kind": [i.kind.value for i in invoices],
            "issue_date": [i.issue_date for i in invoices],
            "due_date": [i.due_date for i in invoices],
            "currency": [i.amount.currency for i in invoices],
            "amount": [i.amount.minor_units for i in invoices],
            "applies_to": [i.applies_to for i in invoices],
            "dispute_opened_on": [
                None if i.dispute is None else i.dispute.opened_on for i in invoices
            ],
            "dispute_resolved_on": [
                None if i.dispute is None else i.dispute.resolved_on for i in invoices
            ],
            "dispute_reason": [None if i.dispute is None else i.dispute.reason for i in invoices],
            "on_hold_until": [i.on_hold_until for i in invoices],
            "discount_deadline": [d for d, _ in discounts],
            "discount": [m for _, m in discounts],
            "terms": [code(i.terms) for i in invoices],
            "reference": [i.reference for i in invoices],
            "payment_link": [i.payment_link for i in invoices],
            "policy": [i.policy for i in invoices],
        },
        INVOICES,
        invoices,
    )
    payment_table = _frame(
        {
            "payment_id": [p.id for p in payments],
            "customer_id": [p.customer_id for p in payments],
            "date": [p.date for p in payments],
            "currency": [p.amount.currency for p in payments],
            "amount": [p.amount.minor_units for p in payments],
            "invoice_id": [p.invoice_id for p in payments],
            "method": [p.method.value for p in payments],
            "reference": [p.reference for p in payments],
        },
        PAYMENTS,
        payments,
    )
    rows = [(plan, inst) for plan in plans for inst in plan.instalments]
    instalment_table = _frame(
        {
            "plan_id": [p.id for p, _ in rows],
            "customer_id": [p.customer_id for p, _ in rows],
            "invoice_ids": [list(p.invoice_ids) for p, _ in rows],
            "agreed_on": [p.agreed_on for p, _ in rows],
            "grace_days": [p.grace_days for p, _ in rows],
            "due_date": [i.due_date for _, i in rows],
            "currency": [i.amount.currency for _, i in rows],
            "amount": [i.amount.minor_units for _, i in rows],
        },
        INSTALMENTS,
    )
    trial_table = _frame(
        {
            "trial_id": [t.id for t in trials],
            "customer_id": [t.customer_id for t in trials],
            "ends": [t.ends for t in trials],
            "starts": [t.starts for t in trials],
            "kind": [t.kind.value for t in trials],
            "description": [t.description or None for t in trials],
        },
        TRIALS,
    )
    return Tables(customer_table, invoice_table, payment_table, instalment_table, trial_table)
