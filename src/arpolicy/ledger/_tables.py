"""The invoice and payment tables of a :class:`~arpolicy.model.Ledger`.

Amounts are Int64 minor units of the row's currency, dates are Date columns,
ids are strings. These are the frames :func:`arpolicy.ledger._allocate.allocate`
works on.

Invoices (one row per invoice, deposit request and credit note):

=====================  ========  =====================================================
column                 type      meaning
=====================  ========  =====================================================
invoice_id             String    the id
customer_id            String    the customer
kind                   String    ``invoice``, ``deposit`` or ``credit_note``
issue_date             Date      the issue date
due_date               Date      the due date
currency               String    ISO 4217 code
amount                 Int64     gross amount, minor units (never negative)
applies_to             String    for a credit note, the invoice it corrects; null
dispute_opened_on      Date      the dispute's first day; null without a dispute
dispute_resolved_on    Date      the day the dispute ended (exclusive); null if open
discount_deadline      Date      last day of the early-payment discount period; null
discount               Int64     the early-payment discount, minor units; null
=====================  ========  =====================================================

Payments: ``payment_id`` (String), ``customer_id`` (String), ``date`` (Date),
``currency`` (String), ``amount`` (Int64 minor units, above zero) and
``invoice_id`` (String, the invoice it names; null).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import polars as pl

if TYPE_CHECKING:
    from arpolicy.model import Ledger

INVOICE_SCHEMA: dict[str, pl.DataType] = {
    "invoice_id": pl.String(),
    "customer_id": pl.String(),
    "kind": pl.String(),
    "issue_date": pl.Date(),
    "due_date": pl.Date(),
    "currency": pl.String(),
    "amount": pl.Int64(),
    "applies_to": pl.String(),
    "dispute_opened_on": pl.Date(),
    "dispute_resolved_on": pl.Date(),
    "discount_deadline": pl.Date(),
    "discount": pl.Int64(),
}
PAYMENT_SCHEMA: dict[str, pl.DataType] = {
    "payment_id": pl.String(),
    "customer_id": pl.String(),
    "date": pl.Date(),
    "currency": pl.String(),
    "amount": pl.Int64(),
    "invoice_id": pl.String(),
}


@attrs.frozen(eq=False)
class LedgerTables:
    """The invoice and payment frames of a ledger (see the module docs)."""

    invoices: pl.DataFrame
    payments: pl.DataFrame


def invoice_frame(ledger: Ledger) -> pl.DataFrame:
    """One row per invoice, deposit request and credit note of ``ledger``."""
    rows = []
    for inv in ledger.invoices:
        dispute = inv.dispute
        terms = inv.terms
        deadline = discount = None
        if terms is not None and terms.discount_days is not None:
            deadline = terms.discount_deadline(inv.issue_date)
            discount = terms.discount(inv.amount).minor_units
        rows.append(
            (
                inv.id,
                inv.customer_id,
                inv.kind.value,
                inv.issue_date,
                inv.due_date,
                inv.currency,
                inv.amount.minor_units,
                inv.applies_to,
                None if dispute is None else dispute.opened_on,
                None if dispute is None else dispute.resolved_on,
                deadline,
                discount,
            )
        )
    return pl.DataFrame(rows, schema=INVOICE_SCHEMA, orient="row")


def payment_frame(ledger: Ledger) -> pl.DataFrame:
    """One row per payment of ``ledger``."""
    rows = [
        (p.id, p.customer_id, p.date, p.currency, p.amount.minor_units, p.invoice_id)
        for p in ledger.payments
    ]
    return pl.DataFrame(rows, schema=PAYMENT_SCHEMA, orient="row")


def tables_from_ledger(ledger: Ledger) -> LedgerTables:
    """The invoice and payment frames of ``ledger``."""
    return LedgerTables(invoice_frame(ledger), payment_frame(ledger))
