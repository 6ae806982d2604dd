"""The columnar ledger: table schemas, the readers that fill them, the allocation kernel.

Importing this package imports Polars; ``import arpolicy`` does not.
"""

from __future__ import annotations

from ._schema import (
    CUSTOMERS,
    INSTALMENTS,
    INVOICES,
    MAX_DATE,
    MAX_INTEGER_DIGITS,
    MIN_DATE,
    PAYMENTS,
    SCHEMAS,
    TRIALS,
)

__all__ = [
    "CUSTOMERS",
    "INSTALMENTS",
    "INVOICES",
    "MAX_DATE",
    "MAX_INTEGER_DIGITS",
    "MIN_DATE",
    "PAYMENTS",
    "SCHEMAS",
    "TRIALS",
]
