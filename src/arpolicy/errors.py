"""Typed errors.

Every error arpolicy raises on purpose derives from :class:`ArpolicyError`.
Each subclass carries the facts as attributes (``field``, ``value``,
``path``, ``line`` ...) so that callers and tests can act on data instead of
parsing messages; ``str(error)`` is a readable one-line message that shows the
offending value with ``repr``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "ArpolicyError",
    "CurrencyMismatchError",
    "DuplicateIdError",
    "InvalidFieldError",
    "InvalidMoneyError",
    "LedgerError",
    "LoadError",
    "TermsSyntaxError",
    "UnknownCurrencyError",
    "UnknownReferenceError",
]


class ArpolicyError(Exception):
    """Root of every error raised by arpolicy."""


class InvalidMoneyError(ArpolicyError, ValueError):
    """An amount that cannot be money: a float, a non-finite or non-numeric value."""

    def __init__(self, value: object, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"invalid amount {value!r}: {reason}")


class UnknownCurrencyError(ArpolicyError, ValueError):
    """A currency code that is not an active ISO 4217 currency with a minor unit."""

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__(f"unknown currency {code!r}: expected an ISO 4217 code such as 'EUR'")


class CurrencyMismatchError(ArpolicyError, TypeError):
    """Two amounts in different currencies were combined or compared."""

    def __init__(self, left: str, right: str, operation: str) -> None:
        self.left = left
        self.right = right
        self.operation = operation
        super().__init__(f"cannot {operation} {left} and {right}: currencies never mix")


class InvalidFieldError(ArpolicyError, ValueError):
    """A domain object was given a bad value for one of its fields.

    Attributes:
        kind: the type of object (``"invoice"``, ``"customer"`` ...).
        id: the object's id when known, else ``None``.
        field: the field name.
        value: the rejected value.
        reason: why it was rejected.
    """

    def __init__(
        self, kind: str, field: str, value: object, reason: str, *, id: str | None = None
    ) -> None:
        self.kind = kind
        self.id = id
        self.field = field
        self.value = value
        self.reason = reason
        where = f"{kind} {id!r}" if id is not None else kind
        super().__init__(f"{where}: field {field!r} = {value!r}: {reason}")


class LedgerError(ArpolicyError, ValueError):
    """A ledger whose records do not fit together."""


class DuplicateIdError(LedgerError):
    """Two records of one kind share an id."""

    def __init__(self, kind: str, id: str) -> None:
        self.kind = kind
        self.id = id
        super().__init__(f"duplicate {kind} id {id!r}")


class UnknownReferenceError(LedgerError):
    """A record refers to a record that does not exist or does not fit.

    Attributes:
        kind: the kind of the referring record (``"payment"`` ...).
        id: its id.
        field: the referring field (``"customer_id"``, ``"invoice_id"`` ...).
        value: the referenced id.
        reason: what is wrong with the reference.
    """

    def __init__(self, kind: str, id: str, field: str, value: object, reason: str) -> None:
        self.kind = kind
        self.id = id
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{kind} {id!r}: field {field!r} = {value!r}: {reason}")


class TermsSyntaxError(ArpolicyError, ValueError):
    """A payment terms code (``"2/7 net 30"``) that cannot be parsed.

    Attributes:
        text: the whole code.
        position: 0-based character offset of the problem in ``text``.
        reason: what is wrong.
    """

    def __init__(self, text: str, position: int, reason: str) -> None:
        self.text = text
        self.position = position
        self.reason = reason
        super().__init__(f"payment terms {text!r} at character {position}: {reason}")


class LoadError(ArpolicyError, ValueError):
    """A ledger or policy file that cannot be loaded.

    Attributes:
        path: the file.
        line: 1-based physical line number, or ``None`` for whole-file problems.
        column: the column (header name) concerned, or ``None``.
        value: the offending value, or ``None``.
        reason: what is wrong.
    """

    def __init__(
        self,
        path: str | Path,
        reason: str,
        *,
        line: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.value = value
        self.reason = reason
        where = self.path
        if line is not None:
            where += f":{line}"
        if column is not None:
            where += f": column {column!r}"
        if value is not None:
            where += f" = {value!r}"
        super().__init__(f"{where}: {reason}")
