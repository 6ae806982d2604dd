"""The domain model: the record types and the :class:`Ledger` that holds them.

The records (customers, payment terms, invoices, payments, plans ...) live
in :mod:`arpolicy.records`; the ledger, backed by Polars tables, in
:mod:`arpolicy.ledger`. This module re-exports both, so that
``from arpolicy.model import Invoice, Ledger`` keeps working.

>>> from datetime import date
>>> from arpolicy.money import Money
>>> ledger = Ledger(
...     [Customer("C1", "Acme", "business", "NL")],
...     [Invoice("I1", "C1", date(2026, 1, 1), date(2026, 1, 31), Money("100", "EUR"))],
... )
>>> ledger.balance("I1", date(2026, 2, 1))
Money('100.00', 'EUR')
"""

from __future__ import annotations

from .ledger._ledger import Ledger
from .ledger._positions import Applied as _Applied
from .ledger._positions import allocate as _allocate
from .ledger._positions import apply_payments as _apply_payments
from .records import (
    INTEREST_SETTLED,
    Allocation,
    AllocationKind,
    Contacts,
    Customer,
    CustomerPosition,
    Dispute,
    DunningBlock,
    EndOfMonth,
    Instalment,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentMethod,
    PaymentPlan,
    PaymentTerms,
    PlanState,
    PlanStatus,
    Profile,
    Settlement,
    Trial,
    TrialKind,
)

__all__ = [
    "INTEREST_SETTLED",
    "Allocation",
    "AllocationKind",
    "Contacts",
    "Customer",
    "CustomerPosition",
    "Dispute",
    "DunningBlock",
    "EndOfMonth",
    "Instalment",
    "Invoice",
    "InvoiceKind",
    "Ledger",
    "Payment",
    "PaymentMethod",
    "PaymentPlan",
    "PaymentTerms",
    "PlanState",
    "PlanStatus",
    "Profile",
    "Settlement",
    "Trial",
    "TrialKind",
    "_Applied",
    "_allocate",
    "_apply_payments",
]
