"""The ledger's tables: one Polars schema per record kind.

A validated ledger is five tables. Their columns are fixed here, and every
reader (CSV, Parquet, Arrow IPC, :func:`~arpolicy.io.ledger_from_frames`)
produces exactly these columns and types.

Conventions:

* **Money** is an ``Int64`` column of **minor units** (cents; yen; fils)
  next to a ``currency`` column (``String``, an ISO 4217 code). ``1210.00
  EUR`` is ``amount=121000, currency="EUR"``. Never a float, never a Decimal
  in bulk work. An amount has at most :data:`MAX_INTEGER_DIGITS` integer
  digits (14 for the few currencies with four decimals), so every amount and
  every sum of up to a thousand of them fits in an ``Int64``.
* **Dates** are ``Date`` columns, between :data:`MIN_DATE` and
  :data:`MAX_DATE`: a later date could overflow when terms or interest add
  months and days to it, an earlier one is an ERP placeholder.
* **Ids** are ``String`` columns.
* **Closed vocabularies** (profile, invoice kind, payment method, trial
  kind) are ``Enum`` columns whose categories are the model's values.
* An absent optional value is ``null``. Extra (metadata) columns of a CSV
  file are the ``metadata`` column: a list of ``{key, value}`` structs sorted
  by key, empty cells left out.

>>> from arpolicy.ledger import INVOICES
>>> INVOICES["amount"], INVOICES["issue_date"], INVOICES["kind"]
(Int64, Date, Enum(categories=['invoice', 'deposit', 'credit_note']))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import polars as pl

from ..io._records import MAX_DATE as _MAX_DATE
from ..io._records import MIN_DATE as _MIN_DATE
from ..records import InvoiceKind, PaymentMethod, Profile, TrialKind

__all__ = [
    "CUSTOMERS",
    "INSTALMENTS",
    "INVOICES",
    "KIND",
    "MAX_DATE",
    "MAX_INTEGER_DIGITS",
    "METADATA",
    "METHOD",
    "MIN_DATE",
    "PAYMENTS",
    "PROFILE",
    "SCHEMAS",
    "TRIALS",
    "TRIAL_KIND",
]

MIN_DATE: Final = _MIN_DATE
"""The earliest date a ledger may hold."""
MAX_DATE: Final = _MAX_DATE
"""The latest date a ledger may hold (leaves room for terms and interest arithmetic)."""
MAX_INTEGER_DIGITS: Final = 15
"""Most integer digits of an amount (``999999999999999.99``); 14 with four decimals."""


def _schema(columns: Mapping[str, Any]) -> pl.Schema:
    return pl.Schema(columns)


PROFILE: Final = pl.Enum([m.value for m in Profile])
KIND: Final = pl.Enum([m.value for m in InvoiceKind])
METHOD: Final = pl.Enum([m.value for m in PaymentMethod])
TRIAL_KIND: Final = pl.Enum([m.value for m in TrialKind])
METADATA: Final = pl.List(pl.Struct({"key": pl.String, "value": pl.String}))
"""Extra columns of a record: ``[{key, value}, ...]`` sorted by key."""

CUSTOMERS: Final = _schema(
    {
        "customer_id": pl.String,
        "name": pl.String,
        "profile": PROFILE,
        "country": pl.String,  # ISO 3166-1 alpha-2
        "language": pl.String,  # default "en"
        "timezone": pl.String,  # IANA name, default "UTC"
        "email": pl.String,
        "phone": pl.String,
        "address": pl.String,
        "whatsapp": pl.String,
        "credit_limit": pl.Int64,  # minor units of `currency`
        "currency": pl.String,  # of credit_limit; null without one
        "tags": pl.List(pl.String),
        "block_reason": pl.String,
        "block_until": pl.Date,
        "policy": pl.String,
        "metadata": METADATA,
    }
)
"""One row per customer."""

INVOICES: Final = _schema(
    {
        "invoice_id": pl.String,
        "customer_id": pl.String,
        "kind": KIND,
        "issue_date": pl.Date,
        "due_date": pl.Date,  # computed from terms when the file left it empty
        "currency": pl.String,
        "amount": pl.Int64,  # gross, minor units, >= 0
        "applies_to": pl.String,  # credit notes: the invoice corrected
        "dispute_opened_on": pl.Date,
        "dispute_resolved_on": pl.Date,
        "dispute_reason": pl.String,
        "on_hold_until": pl.Date,
        "discount_deadline": pl.Date,  # last day of the early-payment discount
        "discount": pl.Int64,  # the discount in minor units, null without one
        "terms": pl.String,  # canonical terms code (format_terms)
        "reference": pl.String,
        "payment_link": pl.String,
        "policy": pl.String,
        "metadata": METADATA,
    }
)
"""One row per invoice, deposit request or credit note."""

PAYMENTS: Final = _schema(
    {
        "payment_id": pl.String,
        "customer_id": pl.String,
        "date": pl.Date,
        "currency": pl.String,
        "amount": pl.Int64,  # minor units, > 0
        "invoice_id": pl.String,  # null: allocated oldest first
        "method": METHOD,
        "reference": pl.String,
        "metadata": METADATA,
    }
)
"""One row per payment received."""

INSTALMENTS: Final = _schema(
    {
        "plan_id": pl.String,
        "customer_id": pl.String,
        "invoice_ids": pl.List(pl.String),
        "agreed_on": pl.Date,
        "grace_days": pl.Int64,
        "due_date": pl.Date,
        "currency": pl.String,
        "amount": pl.Int64,  # minor units, > 0
    }
)
"""Payment plans: one row per instalment; the plan-level columns repeat."""

TRIALS: Final = _schema(
    {
        "trial_id": pl.String,
        "customer_id": pl.String,
        "ends": pl.Date,
        "starts": pl.Date,
        "kind": TRIAL_KIND,
        "description": pl.String,
    }
)
"""Free trials and allowances."""

SCHEMAS: Final = {
    "customer": CUSTOMERS,
    "invoice": INVOICES,
    "payment": PAYMENTS,
    "plan": INSTALMENTS,
    "trial": TRIALS,
}
"""The schema of each record kind."""
