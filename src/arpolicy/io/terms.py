"""Payment terms codes: a small readable grammar for :class:`~arpolicy.model.PaymentTerms`.

A code reads left to right like the terms printed on an invoice::

    code      ::= [discount] ["eom"] "net" period ["eom"] [deposit]
    discount  ::= PERCENT "/" DAYS            "2/7": 2 % off when paid within 7 days
    period    ::= DAYS                        "net 30": 30 days after the issue date
                | MONTHS ("month" | "months") ["+" DAYS]
                                              "net 1 month", "net 2 months + 15"
    deposit   ::= "deposit" PERCENT "%"       "deposit 30%"
    DAYS, MONTHS ::= digits                   e.g. 0, 7, 30
    PERCENT   ::= digits ["." digits]         e.g. 2, 2.5

``eom`` *before* ``net`` is :attr:`EndOfMonth.BEFORE_NET` (go to the end of
the issue month, then add the period); ``eom`` *after* the period is
:attr:`EndOfMonth.AFTER_NET` (add the period, then go to the end of that
month). Words are case-insensitive and spaces between tokens are optional
(``"2/7 net 30"`` and ``"2 / 7 NET 30"`` are the same code).

:func:`format_terms` writes the canonical form (lower case, single spaces);
``parse_terms(format_terms(t)) == t`` for every :class:`PaymentTerms`.

>>> parse_terms("2/7 net 30 eom")
PaymentTerms(net_days=30, net_months=0, end_of_month=<EndOfMonth.AFTER_NET: 'after_net'>, \
discount_percent=Decimal('2'), discount_days=7, deposit_percent=None)
>>> format_terms(parse_terms("EOM net 1 month+15  deposit 30 %"))
'eom net 1 month + 15 deposit 30%'
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..errors import InvalidFieldError, TermsSyntaxError
from ..model import EndOfMonth, PaymentTerms

__all__ = ["format_terms", "parse_terms"]

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z]+)|([/%+]))")


def _tokens(text: str) -> list[tuple[int, str, str]]:
    """Split ``text`` into ``(position, kind, token)`` with kind number/word/sign."""
    tokens: list[tuple[int, str, str]] = []
    pos = 0
    end = len(text.rstrip())
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            start = len(text) - len(text[pos:].lstrip())
            raise TermsSyntaxError(text, start, f"unexpected character {text[start]!r}")
        number, word, sign = match.groups()
        start = match.end() - len(number or word or sign)
        if number is not None:
            tokens.append((start, "number", number))
        elif word is not None:
            tokens.append((start, "word", word.lower()))
        else:
            tokens.append((start, "sign", sign))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][2] if self.i < len(self.tokens) else None

    def where(self) -> int:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else len(self.text)

    def fail(self, reason: str) -> TermsSyntaxError:
        found = self.peek()
        got = "the end" if found is None else repr(found)
        return TermsSyntaxError(self.text, self.where(), f"{reason}, found {got}")

    def accept(self, token: str) -> bool:
        if self.peek() == token:
            self.i += 1
            return True
        return False

    def expect(self, token: str) -> None:
        if not self.accept(token):
            raise self.fail(f"expected {token!r}")

    def number(self, what: str, *, integer: bool) -> str:
        if self.i >= len(self.tokens) or self.tokens[self.i][1] != "number":
            raise self.fail(f"expected {what}")
        value = self.tokens[self.i][2]
        if integer and "." in value:
            raise self.fail(f"expected {what} (a whole number)")
        self.i += 1
        return value


def parse_terms(text: str) -> PaymentTerms:
    """Parse a payment terms code such as ``"2/7 net 30"``.

    Args:
        text: the code; see the module documentation for the grammar.

    Returns:
        The payment terms.

    Raises:
        TermsSyntaxError: the code does not follow the grammar or describes
            impossible terms (a percentage outside (0, 100]); ``position``
            points at the offending token.

    >>> parse_terms("net 30")
    PaymentTerms(net_days=30, net_months=0, end_of_month=<EndOfMonth.NONE: 'none'>, \
discount_percent=None, discount_days=None, deposit_percent=None)
    >>> parse_terms("net 30 days")
    Traceback (most recent call last):
    ...
    arpolicy.errors.TermsSyntaxError: payment terms 'net 30 days' at character 7: \
expected 'eom', 'deposit' or the end, found 'days'
    """
    if not isinstance(text, str):
        raise TermsSyntaxError(repr(text), 0, "payment terms must be a string")
    p = _Parser(text)
    discount_percent: Decimal | None = None
    discount_days: int | None = None
    percent_at = 0
    if p.i < len(p.tokens) and p.tokens[p.i][1] == "number":
        percent_at = p.where()
        discount_percent = Decimal(p.number("a discount percentage", integer=False))
        p.expect("/")
        discount_days = int(p.number("the discount days", integer=True))
    end_of_month = EndOfMonth.BEFORE_NET if p.accept("eom") else EndOfMonth.NONE
    if not p.accept("net"):
        raise p.fail("expected 'net'")
    first = int(p.number("the net days or months", integer=True))
    net_days, net_months = first, 0
    if p.peek() in ("month", "months"):
        p.i += 1
        net_days, net_months = 0, first
        if p.accept("+"):
            net_days = int(p.number("days after '+'", integer=True))
    if p.peek() == "eom":
        if end_of_month is EndOfMonth.BEFORE_NET:
            raise p.fail("'eom' may come before or after the period, not both")
        p.i += 1
        end_of_month = EndOfMonth.AFTER_NET
    deposit_percent: Decimal | None = None
    deposit_at = 0
    if p.accept("deposit"):
        deposit_at = p.where()
        deposit_percent = Decimal(p.number("a deposit percentage", integer=False))
        p.expect("%")
    if p.peek() is not None:
        expected = "'deposit' or the end" if deposit_percent is None else "the end"
        if end_of_month is EndOfMonth.NONE and deposit_percent is None:
            expected = "'eom', " + expected
        raise p.fail(f"expected {expected}")
    try:
        return PaymentTerms(
            net_days=net_days,
            net_months=net_months,
            end_of_month=end_of_month,
            discount_percent=discount_percent,
            discount_days=discount_days,
            deposit_percent=deposit_percent,
        )
    except InvalidFieldError as error:
        position = deposit_at if error.field == "deposit_percent" else percent_at
        raise TermsSyntaxError(text, position, error.reason) from error


def _percent(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_terms(terms: PaymentTerms) -> str:
    """Write ``terms`` as a canonical code that :func:`parse_terms` reads back.

    Args:
        terms: the payment terms.

    Returns:
        The code, lower case with single spaces.

    >>> from decimal import Decimal
    >>> format_terms(PaymentTerms(net_days=30, end_of_month=EndOfMonth.AFTER_NET))
    'net 30 eom'
    >>> format_terms(PaymentTerms(net_days=0, net_months=1))
    'net 1 month'
    >>> format_terms(PaymentTerms(net_days=14, discount_percent=Decimal("2.5"), discount_days=7))
    '2.5/7 net 14'
    """
    parts: list[str] = []
    if terms.discount_percent is not None:
        parts.append(f"{_percent(terms.discount_percent)}/{terms.discount_days}")
    if terms.end_of_month is EndOfMonth.BEFORE_NET:
        parts.append("eom")
    parts.append("net")
    if terms.net_months:
        parts.append(f"{terms.net_months} month" + ("s" if terms.net_months > 1 else ""))
        if terms.net_days:
            parts.append(f"+ {terms.net_days}")
    else:
        parts.append(str(terms.net_days))
    if terms.end_of_month is EndOfMonth.AFTER_NET:
        parts.append("eom")
    if terms.deposit_percent is not None:
        parts.append(f"deposit {_percent(terms.deposit_percent)}%")
    return " ".join(parts)
