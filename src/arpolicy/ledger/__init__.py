"""The columnar ledger: schemas, readers, validation, positions, allocation kernel, record views.

The :class:`~arpolicy.model.Ledger` lives here (``_ledger``) and is
re-exported by :mod:`arpolicy.model` and :mod:`arpolicy`. Importing this
package does not import Polars; the schema names below (and every table
operation) do, on first use, so ``import arpolicy`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import _schema  # noqa: PLC0415 - Polars on first use

        return getattr(_schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
