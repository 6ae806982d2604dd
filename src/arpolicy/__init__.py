"""arpolicy: pluggable dunning policies.

Turns what customers owe into dated, explained actions. See the
documentation for a tutorial; the main entry points are re-exported here.
"""

from __future__ import annotations

from .actions import (
    Action,
    ActionKind,
    HistoryEntry,
    HistoryStatus,
    Plan,
    Reason,
    Skipped,
    SkipReason,
)
from .calendar import BusinessCalendar
from .engine import plan, simulate
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
from .fees import (
    Charge,
    ChargeKind,
    CollectionCosts,
    FeeCaps,
    FixedCompensation,
    StatutoryInterest,
    Tier,
    TieredFee,
)
from .lint import Finding, lint, lint_file
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
from .policy import Anchor, EndBehaviour, Fee, FeeBasis, Grouping, Playbook, Policy, Step, Tone

__version__ = "0.1.0.dev0"

__all__ = [
    "ROUNDING",
    "Action",
    "ActionKind",
    "Allocation",
    "Anchor",
    "ArpolicyError",
    "BusinessCalendar",
    "Charge",
    "ChargeKind",
    "CollectionCosts",
    "Contacts",
    "CurrencyMismatchError",
    "Customer",
    "CustomerPosition",
    "Dispute",
    "DunningBlock",
    "DuplicateIdError",
    "EndBehaviour",
    "EndOfMonth",
    "Fee",
    "FeeBasis",
    "FeeCaps",
    "Finding",
    "FixedCompensation",
    "Grouping",
    "HistoryEntry",
    "HistoryStatus",
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
    "Plan",
    "PlanState",
    "PlanStatus",
    "Playbook",
    "Policy",
    "Profile",
    "Reason",
    "SkipReason",
    "Skipped",
    "StatutoryInterest",
    "Step",
    "Tier",
    "TieredFee",
    "Tone",
    "Trial",
    "TrialKind",
    "UnknownCurrencyError",
    "UnknownReferenceError",
    "__version__",
    "lint",
    "lint_file",
    "plan",
    "simulate",
]
