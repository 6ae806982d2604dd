"""arpolicy: pluggable dunning policies.

Turns what customers owe into dated, explained actions. See the
documentation for a tutorial; the main entry points are re-exported here.

The re-exports are loaded on first use (PEP 562): ``import arpolicy`` costs
almost nothing, and ``from arpolicy import plan`` or ``arpolicy.Money``
imports only the modules that name needs. The errors are light and are
imported at once.
"""

from __future__ import annotations

import importlib as _importlib
import sys as _sys
import types as _types
from typing import TYPE_CHECKING

from .errors import (
    ArpolicyError,
    CurrencyMismatchError,
    DuplicateIdError,
    DuplicateNameError,
    InvalidFieldError,
    InvalidMoneyError,
    JournalError,
    LedgerError,
    LoadError,
    PluginError,
    UnknownCurrencyError,
    UnknownReferenceError,
)

if TYPE_CHECKING:
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
        Ledger,
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
    from .money import ROUNDING, Money
    from .policy import (
        Anchor,
        EndBehaviour,
        Fee,
        FeeBasis,
        Grouping,
        Playbook,
        Policy,
        Step,
        Tone,
    )

__version__ = "0.1.0.dev0"

# Each lazily exported name and the module it comes from.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        (
            "Action",
            "ActionKind",
            "HistoryEntry",
            "HistoryStatus",
            "Plan",
            "Reason",
            "Skipped",
            "SkipReason",
        ),
        "actions",
    ),
    "BusinessCalendar": "calendar",
    "plan": "engine",
    "simulate": "engine",
    **dict.fromkeys(
        (
            "Charge",
            "ChargeKind",
            "CollectionCosts",
            "FeeCaps",
            "FixedCompensation",
            "StatutoryInterest",
            "Tier",
            "TieredFee",
        ),
        "fees",
    ),
    "Finding": "lint",
    "lint": "lint",
    "lint_file": "lint",
    **dict.fromkeys(
        (
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
        ),
        "model",
    ),
    "ROUNDING": "money",
    "Money": "money",
    **dict.fromkeys(
        (
            "Anchor",
            "EndBehaviour",
            "Fee",
            "FeeBasis",
            "Grouping",
            "Playbook",
            "Policy",
            "Step",
            "Tone",
        ),
        "policy",
    ),
}

__all__ = [
    "ROUNDING",
    "Action",
    "ActionKind",
    "Allocation",
    "AllocationKind",
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
    "DuplicateNameError",
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
    "JournalError",
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
    "PluginError",
    "Policy",
    "Profile",
    "Reason",
    "Settlement",
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


class _Package(_types.ModuleType):
    """The package's module type: the function ``lint`` keeps its name.

    Importing the submodule ``arpolicy.lint`` binds it on the package under
    the same name as the function :func:`arpolicy.lint`; the function wins,
    whichever is imported first.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name == "lint" and isinstance(value, _types.ModuleType):
            value = value.lint
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package

if not TYPE_CHECKING:  # mypy sees the imports above; a typo stays a type error

    def __getattr__(name: str) -> object:
        """Import a public name, or a submodule, on first use (PEP 562)."""
        module_name = _LAZY.get(name)
        if module_name is not None:
            value = getattr(_importlib.import_module(f".{module_name}", __name__), name)
            globals()[name] = value
            return value
        if not name.startswith("_"):
            try:
                return _importlib.import_module(f".{name}", __name__)
            except ModuleNotFoundError as error:
                if error.name != f"{__name__}.{name}":
                    raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
