"""arpolicy: pluggable dunning policies.

Turns what customers owe into dated, explained actions. See the
documentation for a tutorial; the main entry points are re-exported here.
"""

from __future__ import annotations

from .errors import (
    ArpolicyError,
    CurrencyMismatchError,
    DuplicateIdError,
    InvalidFieldError,
    InvalidMoneyError,
    LedgerError,
    LoadError,
    UnknownCurrencyError,
    UnknownReferenceError,
)
from .model import (
    Allocation,
    Contacts,
    Customer,
    CustomerPosition,
    Dispute,
    DunningBlock,
    EndOfMonth,
    Instalment,
    Invoice,
    InvoiceKind,
    Ledger,
    Payment,
    PaymentMethod,
    PaymentPlan,
    PaymentTerms,
    PlanState,
    PlanStatus,
    Profile,
    Trial,
    TrialKind,
)
from .money import ROUNDING, Money

__version__ = "0.1.0.dev0"

__all__ = [
    "ROUNDING",
    "Allocation",
    "ArpolicyError",
    "Contacts",
    "CurrencyMismatchError",
    "Customer",
    "CustomerPosition",
    "Dispute",
    "DunningBlock",
    "DuplicateIdError",
    "EndOfMonth",
    "Instalment",
    "InvalidFieldError",
    "InvalidMoneyError",
    "Invoice",
    "InvoiceKind",
    "Ledger",
    "LedgerError",
    "LoadError",
    "Money",
    "Payment",
    "PaymentMethod",
    "PaymentPlan",
    "PaymentTerms",
    "PlanState",
    "PlanStatus",
    "Profile",
    "Trial",
    "TrialKind",
    "UnknownCurrencyError",
    "UnknownReferenceError",
    "__version__",
]
