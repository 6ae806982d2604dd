"""Rows to records and back: the one place where ledger cell values are checked.

Both ledger forms go through here. The CSV reader hands each row (a list of
strings in header order) to a builder made for that header; the JSON reader
first flattens each object into the same columns. A builder raises
:class:`CellError` (column, value, reason) for a bad cell, or lets the
model's :class:`~arpolicy.errors.InvalidFieldError` through; the caller turns
either into a :class:`~arpolicy.errors.LoadError` with its file and line.

Speed: a ledger of a million invoices must load in seconds, so the builders
avoid the public attrs constructors for invoices, payments and customers.
They set the slots directly (:func:`_slot_setters`), handing over values of
exactly the types the attrs converters would produce (enum members,
frozensets, sorted metadata tuples), and then run the class's own
``__attrs_post_init__`` checks, so the rules are the model's, not a copy.
For the two big tables (invoices, payments) the model's checks are skipped
only when a row is *obviously* valid by construction: the dates come from the
date parser, the amount from the amount parser (never negative), the
customer and invoice ids were already validated as records of their own, the
row's id passes the model's own fast test (printable, non-empty, no
surrounding spaces), the due date is not before the issue date and (payments)
the amount is not zero. Any other row goes through the model's checks.
``tests/test_io_records.py`` checks that builders and public constructors
accept and reject the same rows and build equal objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

import attrs

from .._fast import fast_constructor
from ..errors import InvalidFieldError, TermsSyntaxError, UnknownCurrencyError
from ..model import (
    INTEREST_SETTLED,
    Contacts,
    Customer,
    Dispute,
    DunningBlock,
    Instalment,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentMethod,
    PaymentPlan,
    PaymentTerms,
    Profile,
    Trial,
    TrialKind,
)
from ..money import Money, minor_unit
from .terms import format_terms, parse_terms

# ---------------------------------------------------------------------------
# columns
# ---------------------------------------------------------------------------

CUSTOMER_REQUIRED: Final = ("id", "name", "profile", "country")
CUSTOMER_OPTIONAL: Final = (
    "language",
    "timezone",
    "email",
    "phone",
    "address",
    "credit_limit",
    "currency",
    "tags",
    "whatsapp",
    "block_reason",
    "block_until",
    "policy",
)
INVOICE_REQUIRED: Final = ("id", "customer_id", "issue_date", "due_date", "amount", "currency")
INVOICE_OPTIONAL: Final = (
    "terms",
    "kind",
    "disputed",
    "on_hold_until",
    "reference",
    "dispute_reason",
    "dispute_resolved_on",
    "payment_link",
    "applies_to",
    "policy",
)
PAYMENT_REQUIRED: Final = ("id", "customer_id", "date", "amount", "currency")
PAYMENT_OPTIONAL: Final = ("invoice_id", "method", "reference")
PLAN_REQUIRED: Final = (
    "plan_id",
    "customer_id",
    "invoice_ids",
    "agreed_on",
    "due_date",
    "amount",
    "currency",
)
PLAN_OPTIONAL: Final = ("grace_days",)
PLAN_LEVEL: Final = ("customer_id", "invoice_ids", "agreed_on", "currency", "grace_days")
"""Plan columns that must hold the same value on every row of one plan."""
TRIAL_REQUIRED: Final = ("id", "customer_id", "ends")
TRIAL_OPTIONAL: Final = ("starts", "kind", "description")


@attrs.frozen
class Table:
    """One ledger file: its name, columns and whether it keeps extra columns."""

    kind: str
    file: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    metadata: bool

    @property
    def known(self) -> tuple[str, ...]:
        """Required then optional columns."""
        return self.required + self.optional


CUSTOMERS: Final = Table("customer", "customers.csv", CUSTOMER_REQUIRED, CUSTOMER_OPTIONAL, True)
INVOICES: Final = Table("invoice", "invoices.csv", INVOICE_REQUIRED, INVOICE_OPTIONAL, True)
PAYMENTS: Final = Table("payment", "payments.csv", PAYMENT_REQUIRED, PAYMENT_OPTIONAL, True)
PLANS: Final = Table("plan", "plans.csv", PLAN_REQUIRED, PLAN_OPTIONAL, False)
TRIALS: Final = Table("trial", "trials.csv", TRIAL_REQUIRED, TRIAL_OPTIONAL, False)
TABLES: Final = (CUSTOMERS, INVOICES, PAYMENTS, PLANS, TRIALS)

# model field (as named by InvalidFieldError / UnknownReferenceError) -> column
_FIELD_COLUMN: Final[dict[tuple[str, str], str]] = {
    ("customer", "credit_limit"): "credit_limit",
    ("contacts", "email"): "email",
    ("contacts", "phone"): "phone",
    ("contacts", "address"): "address",
    ("contacts", "whatsapp"): "whatsapp",
    ("dunning_block", "reason"): "block_reason",
    ("dunning_block", "until"): "block_until",
    ("dispute", "opened_on"): "disputed",
    ("dispute", "reason"): "dispute_reason",
    ("dispute", "resolved_on"): "dispute_resolved_on",
    ("instalment", "amount"): "amount",
    ("instalment", "due_date"): "due_date",
    ("plan", "id"): "plan_id",
    ("plan", "instalments"): "due_date",
}


def field_column(table: Table, kind: str, field: str) -> str | None:
    """The column that holds a model field of ``kind``, if there is one."""
    column = _FIELD_COLUMN.get((kind, field))
    if column is None and field in table.known:
        column = field
    return column


class CellError(Exception):
    """A bad cell: ``column`` holds ``value``, which is wrong for ``reason``."""

    def __init__(self, column: str | None, value: object, reason: str) -> None:
        self.column = column
        self.value = value
        self.reason = reason
        super().__init__(f"{column}: {value!r}: {reason}")


# ---------------------------------------------------------------------------
# cell values
# ---------------------------------------------------------------------------

MIN_DATE: Final = date(1900, 1, 1)
"""The earliest date a ledger may hold (also :data:`arpolicy.ledger.MIN_DATE`)."""
MAX_DATE: Final = date(2999, 12, 31)
"""The latest date a ledger may hold (also :data:`arpolicy.ledger.MAX_DATE`)."""
_MAX_DIGITS: Final = 15
_DATE_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_AMOUNT_RE: Final = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_INT_RE: Final = re.compile(r"[0-9]+")
_CACHE_LIMIT: Final = 1 << 20


def _choices(cls: type[Any]) -> dict[str, Any]:
    return {member.value: member for member in cls}


_PROFILES: Final = _choices(Profile)
_KINDS: Final = _choices(InvoiceKind)
_METHODS: Final = _choices(PaymentMethod)
_TRIAL_KINDS: Final = _choices(TrialKind)


def _enum(table: dict[str, Any], column: str, text: str) -> Any:
    member = table.get(text)
    if member is None:
        choices = ", ".join(repr(v) for v in table)
        raise CellError(column, text, f"expected one of {choices}")
    return member


def parse_date(column: str, text: str) -> date:
    """Parse a strict ``YYYY-MM-DD`` date."""
    if len(text) != 10 or not _DATE_RE.fullmatch(text):
        raise CellError(column, text, "not a date in the form YYYY-MM-DD")
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise CellError(column, text, f"impossible date ({error})") from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise CellError(
            column, text, f"outside the dates a ledger can hold ({MIN_DATE} to {MAX_DATE})"
        )
    return day


def parse_int(column: str, text: str) -> int:
    """Parse a non-negative whole number."""
    if not _INT_RE.fullmatch(text):
        raise CellError(column, text, "not a whole number >= 0")
    return int(text)


class Cells:
    """Parses cells, caching repeated values (dates, amounts, currencies, ids).

    One instance serves one load; caches are bounded.
    """

    def __init__(self) -> None:
        self.dates: dict[str, date] = {}
        self.money: dict[str, dict[str, Money]] = {}
        self.minor: dict[str, int] = {}
        self.terms: dict[str, PaymentTerms] = {}
        self.customer_ids: dict[str, str] = {}
        self.invoice_ids: dict[str, str] = {}
        self._money_size = 0

    def day(self, column: str, text: str) -> date:
        """A date cell."""
        value = self.dates.get(text)
        if value is None:
            value = parse_date(column, text)
            if len(self.dates) < _CACHE_LIMIT:
                self.dates[text] = value
        return value

    def opt_date(self, column: str, text: str) -> date | None:
        """An optional date cell: empty is ``None``."""
        return self.day(column, text) if text else None

    def currency(self, text: str) -> dict[str, Money]:
        """The amount cache of a currency cell, checking the code."""
        cache = self.money.get(text)
        if cache is None:
            try:
                self.minor[text] = minor_unit(text)
            except UnknownCurrencyError:
                reason = "not an ISO 4217 currency code such as 'EUR'"
                raise CellError("currency", text, reason) from None
            cache = self.money[text] = {}
        return cache

    def amount(self, column: str, text: str, currency: str, cache: dict[str, Money]) -> Money:
        """An amount cell in ``currency``; exact, never rounded, never negative."""
        money = cache.get(text)
        if money is not None:
            return money
        dot = text.find(".")
        # Plain ASCII digits with at most one inner dot: checked with string
        # methods, which is several times faster than the regular expression.
        plain = (
            text.isdigit()
            if dot < 0
            else 0 < dot < len(text) - 1 and text.replace(".", "", 1).isdigit()
        ) and text.isascii()
        if not plain:
            if not _AMOUNT_RE.fullmatch(text):
                reason = "not an amount such as 12.50 (digits, optional dot and decimals)"
                raise CellError(column, text, reason)
            raise CellError(column, text, "must not be negative")
        minor = self.minor[currency]
        decimals = 0 if dot < 0 else len(text) - dot - 1
        if decimals > minor:
            raise CellError(
                column, text, f"has {decimals} decimals but {currency} has {minor}: not rounded"
            )
        most = min(_MAX_DIGITS, 18 - minor)
        if len((text if dot < 0 else text[:dot]).lstrip("0")) > most:
            reason = f"more than {most} integer digits: above the largest amount a ledger holds"
            raise CellError(column, text, reason)
        if decimals < minor:
            text_q = text + ("0" * (minor - decimals) if dot >= 0 else "." + "0" * minor)
        else:
            text_q = text
        money = _new_money(Decimal(text_q), currency)
        if self._money_size < _CACHE_LIMIT:
            cache[text] = money
            self._money_size += 1
        return money

    def payment_terms(self, text: str) -> PaymentTerms:
        """A ``terms`` cell."""
        value = self.terms.get(text)
        if value is None:
            try:
                value = parse_terms(text)
            except TermsSyntaxError as error:
                raise CellError("terms", text, str(error)) from error
            self.terms[text] = value
        return value


# ---------------------------------------------------------------------------
# fast construction
# ---------------------------------------------------------------------------


def _check_fields(cls: type[Any], names: tuple[str, ...]) -> None:
    """Fail at import if ``cls``'s fields are not exactly ``names``, in order.

    The builders below pass field values by position, so a change in the
    model must not silently shift or drop one.
    """
    fields = tuple(f.name for f in attrs.fields(cls))
    if fields != names:  # pragma: no cover - guards model changes
        raise RuntimeError(f"arpolicy.io is out of date with {cls.__name__}: {fields}")


_EMPTY_CONTACTS: Final = Contacts()
_NO_TAGS: Final[frozenset[str]] = frozenset()

_CUSTOMER_FIELDS: Final = (
    "id",
    "name",
    "profile",
    "country",
    "language",
    "timezone",
    "contacts",
    "credit_limit",
    "tags",
    "block",
    "policy",
    "metadata",
)
_INVOICE_FIELDS: Final = (
    "id",
    "customer_id",
    "issue_date",
    "due_date",
    "amount",
    "kind",
    "terms",
    "dispute",
    "on_hold_until",
    "reference",
    "payment_link",
    "applies_to",
    "policy",
    "metadata",
)
_PAYMENT_FIELDS: Final = (
    "id",
    "customer_id",
    "date",
    "amount",
    "method",
    "invoice_id",
    "reference",
    "metadata",
)
_check_fields(Customer, _CUSTOMER_FIELDS)
_check_fields(Invoice, _INVOICE_FIELDS)
_check_fields(Payment, _PAYMENT_FIELDS)
_new_customer: Final = fast_constructor(Customer, _CUSTOMER_FIELDS)
_new_invoice: Final = fast_constructor(Invoice, _INVOICE_FIELDS)
_new_payment: Final = fast_constructor(Payment, _PAYMENT_FIELDS)
_new_money: Final = fast_constructor(Money, ("amount", "currency"))
_invoice_check = Invoice.__attrs_post_init__
_payment_check = Payment.__attrs_post_init__
_customer_check = Customer.__attrs_post_init__

Row = Sequence[str]
Builder = Callable[[Row], Any]


class Layout:
    """Where each known column sits in a header, and which columns are metadata."""

    def __init__(self, table: Table, header: Sequence[str]) -> None:
        self.table = table
        self.header = tuple(header)
        position = {name: i for i, name in enumerate(self.header)}
        self.index = {name: position.get(name, -1) for name in table.known}
        self.metadata = tuple(
            sorted((name, i) for i, name in enumerate(self.header) if name not in self.index)
        )

    def at(self, name: str) -> int:
        """The index of a known column, or -1 when the header lacks it."""
        return self.index[name]

    def meta(self, row: Row) -> tuple[tuple[str, str], ...]:
        """The row's metadata pairs: extra columns with a non-empty value."""
        if not self.metadata:
            return ()
        return tuple((name, row[i]) for name, i in self.metadata if row[i])


def _opt(row: Row, i: int) -> str:
    return row[i] if i >= 0 else ""


def customer_builder(layout: Layout, cells: Cells) -> Builder:
    """A function that turns a customers row into a :class:`Customer`."""
    at = layout.at
    i_id, i_name, i_profile, i_country = (at(n) for n in CUSTOMER_REQUIRED)
    i_lang, i_tz, i_email, i_phone, i_addr = (at(n) for n in CUSTOMER_OPTIONAL[:5])
    i_limit, i_cur, i_tags, i_wa, i_breason, i_buntil, i_policy = (
        at(n) for n in CUSTOMER_OPTIONAL[5:]
    )
    strings: dict[str, str] = {}
    meta = layout.meta
    has_meta = bool(layout.metadata)

    def build(row: Row) -> Customer:
        profile = _enum(_PROFILES, "profile", row[i_profile])
        email, phone, addr, wa = (_opt(row, i) for i in (i_email, i_phone, i_addr, i_wa))
        if email or phone or addr or wa:
            contacts = Contacts(email or None, phone or None, addr or None, wa or None)
        else:
            contacts = _EMPTY_CONTACTS
        limit_text, currency = _opt(row, i_limit), _opt(row, i_cur)
        credit_limit = None
        if limit_text:
            if not currency:
                raise CellError("currency", currency, "required when credit_limit is given")
            cache = cells.currency(currency)
            credit_limit = cells.amount("credit_limit", limit_text, currency, cache)
        elif currency:
            raise CellError("currency", currency, "only used with credit_limit, which is empty")
        tags_text = _opt(row, i_tags)
        tags = frozenset(t for t in tags_text.split(" ") if t) if tags_text else _NO_TAGS
        reason, until = _opt(row, i_breason), _opt(row, i_buntil)
        block = None
        if reason:
            block = DunningBlock(reason, cells.opt_date("block_until", until))
        elif until:
            raise CellError("block_reason", reason, "required when block_until is given")
        country = row[i_country]
        language = _opt(row, i_lang) or "en"
        timezone = _opt(row, i_tz) or "UTC"
        country = strings.setdefault(country, country)
        language = strings.setdefault(language, language)
        timezone = strings.setdefault(timezone, timezone)
        customer = _new_customer(
            row[i_id],
            row[i_name],
            profile,
            country,
            language,
            timezone,
            contacts,
            credit_limit,
            tags,
            block,
            _opt(row, i_policy) or None,
            meta(row) if has_meta else (),
        )
        _customer_check(customer)
        return customer

    return build


def invoice_builder(layout: Layout, cells: Cells) -> Builder:
    """A function that turns an invoices row into an :class:`Invoice`."""
    at = layout.at
    i_id, i_cust, i_issue, i_due, i_amount, i_cur = (at(n) for n in INVOICE_REQUIRED)
    i_terms, i_kind, i_disputed, i_hold, i_ref = (at(n) for n in INVOICE_OPTIONAL[:5])
    i_dreason, i_dresolved, i_link, i_applies, i_policy = (at(n) for n in INVOICE_OPTIONAL[5:])
    rare = (i_disputed, i_hold, i_ref, i_dreason, i_dresolved, i_link, i_applies, i_policy)
    has_rare = any(i >= 0 for i in rare)
    customer_ids = cells.customer_ids
    date_cache = cells.dates
    parse_day = cells.day
    currency_cache = cells.currency
    amount = cells.amount
    default_kind = InvoiceKind.INVOICE
    meta = layout.meta
    has_meta = bool(layout.metadata)

    def build(row: Row) -> Invoice:
        text = row[i_cust]
        customer_id = customer_ids.get(text)
        sure = customer_id is not None
        if not sure:
            customer_id = text
        text = row[i_issue]
        issued = date_cache.get(text) or parse_day("issue_date", text)
        currency = row[i_cur]
        cache = cells.money.get(currency) or currency_cache(currency)
        text = row[i_amount]
        money = cache.get(text) or amount("amount", text, currency, cache)
        terms = None
        if i_terms >= 0 and row[i_terms]:
            terms = cells.payment_terms(row[i_terms])
        text = row[i_due]
        if text:
            due = date_cache.get(text) or parse_day("due_date", text)
        elif terms is not None:
            try:
                due = terms.due_date(issued)
            except (OverflowError, ValueError):
                due = date.max
            if due > MAX_DATE:
                raise CellError(
                    "terms", row[i_terms], f"gives a due date outside {MIN_DATE} to {MAX_DATE}"
                )
        else:
            raise CellError("due_date", text, "required unless terms are given")
        kind = _enum(_KINDS, "kind", row[i_kind]) if i_kind >= 0 and row[i_kind] else default_kind
        invoice_id = row[i_id]
        metadata = meta(row) if has_meta else ()
        for key, value in metadata:
            if key == INTEREST_SETTLED:
                cells.opt_date(key, value)  # the one metadata column with a meaning
        if has_rare:
            opened = _opt(row, i_disputed)
            dreason, dresolved = _opt(row, i_dreason), _opt(row, i_dresolved)
            dispute = None
            if opened:
                dispute = Dispute(
                    parse_day("disputed", opened),
                    dreason,
                    cells.opt_date("dispute_resolved_on", dresolved),
                )
            elif dreason or dresolved:
                column = "dispute_reason" if dreason else "dispute_resolved_on"
                raise CellError("disputed", opened, f"required when {column} is given")
            invoice = _new_invoice(
                invoice_id,
                customer_id,
                issued,
                due,
                money,
                kind,
                terms,
                dispute,
                cells.opt_date("on_hold_until", _opt(row, i_hold)),
                _opt(row, i_ref) or None,
                _opt(row, i_link) or None,
                _opt(row, i_applies) or None,
                _opt(row, i_policy) or None,
                metadata,
            )
        else:
            invoice = _new_invoice(
                invoice_id,
                customer_id,
                issued,
                due,
                money,
                kind,
                terms,
                None,
                None,
                None,
                None,
                None,
                None,
                metadata,
            )
        if (
            has_rare
            or not sure
            or due < issued
            or not (invoice_id and invoice_id.isprintable() and invoice_id == invoice_id.strip())
        ):
            # Not obviously valid: let the model decide (and word the error).
            _invoice_check(invoice)
        return invoice

    return build


def payment_builder(layout: Layout, cells: Cells) -> Builder:
    """A function that turns a payments row into a :class:`Payment`."""
    at = layout.at
    i_id, i_cust, i_date, i_amount, i_cur = (at(n) for n in PAYMENT_REQUIRED)
    i_invoice, i_method, i_ref = (at(n) for n in PAYMENT_OPTIONAL)
    customer_ids = cells.customer_ids
    invoice_ids = cells.invoice_ids
    date_cache = cells.dates
    parse_day = cells.day
    currency_cache = cells.currency
    amount = cells.amount
    default_method = PaymentMethod.BANK_TRANSFER
    meta = layout.meta
    has_meta = bool(layout.metadata)

    def build(row: Row) -> Payment:
        text = row[i_cust]
        customer_id = customer_ids.get(text)
        sure = customer_id is not None
        if not sure:
            customer_id = text
        text = row[i_date]
        day = date_cache.get(text) or parse_day("date", text)
        currency = row[i_cur]
        cache = cells.money.get(currency) or currency_cache(currency)
        text = row[i_amount]
        money = cache.get(text) or amount("amount", text, currency, cache)
        text = row[i_invoice] if i_invoice >= 0 else ""
        invoice_id = None
        if text:
            invoice_id = invoice_ids.get(text)
            if invoice_id is None:
                invoice_id = text
                sure = False
        method = (
            _enum(_METHODS, "method", row[i_method])
            if i_method >= 0 and row[i_method]
            else default_method
        )
        payment_id = row[i_id]
        payment = _new_payment(
            payment_id,
            customer_id,
            day,
            money,
            method,
            invoice_id,
            (row[i_ref] or None) if i_ref >= 0 else None,
            meta(row) if has_meta else (),
        )
        if (
            not sure
            or not money.amount
            or not (payment_id and payment_id.isprintable() and payment_id == payment_id.strip())
        ):
            # Not obviously valid: let the model decide (and word the error).
            _payment_check(payment)
        return payment

    return build


def trial_builder(layout: Layout, cells: Cells) -> Builder:
    """A function that turns a trials row into a :class:`Trial`."""
    at = layout.at
    i_id, i_cust, i_ends = (at(n) for n in TRIAL_REQUIRED)
    i_starts, i_kind, i_desc = (at(n) for n in TRIAL_OPTIONAL)

    def build(row: Row) -> Trial:
        kind_text = _opt(row, i_kind)
        return Trial(
            row[i_id],
            row[i_cust],
            cells.day("ends", row[i_ends]),
            cells.opt_date("starts", _opt(row, i_starts)),
            _enum(_TRIAL_KINDS, "kind", kind_text) if kind_text else TrialKind.TRIAL,
            _opt(row, i_desc),
        )

    return build


@attrs.frozen
class PlanRow:
    """One instalment row of plans.csv, before rows are grouped into plans."""

    plan_id: str
    plan_level: tuple[str, ...]
    """The raw plan-level cells, in :data:`PLAN_LEVEL` order."""
    customer_id: str
    invoice_ids: tuple[str, ...]
    agreed_on: date
    grace_days: int
    instalment: Instalment


def plan_builder(layout: Layout, cells: Cells) -> Builder:
    """A function that turns a plans row into a :class:`PlanRow`."""
    at = layout.at
    i_plan, i_cust, i_invoices, i_agreed, i_due, i_amount, i_cur = (at(n) for n in PLAN_REQUIRED)
    i_grace = at("grace_days")
    level = tuple(at(n) for n in PLAN_LEVEL)

    def build(row: Row) -> PlanRow:
        currency = row[i_cur]
        cache = cells.currency(currency)
        money = cells.amount("amount", row[i_amount], currency, cache)
        grace = _opt(row, i_grace)
        return PlanRow(
            row[i_plan],
            tuple(_opt(row, i) for i in level),
            row[i_cust],
            tuple(i for i in row[i_invoices].split(" ") if i),
            cells.day("agreed_on", row[i_agreed]),
            parse_int("grace_days", grace) if grace else 0,
            Instalment(cells.day("due_date", row[i_due]), money),
        )

    return build


BUILDERS: Final[dict[str, Callable[[Layout, Cells], Builder]]] = {
    "customer": customer_builder,
    "invoice": invoice_builder,
    "payment": payment_builder,
    "plan": plan_builder,
    "trial": trial_builder,
}


# ---------------------------------------------------------------------------
# records to rows (for dumping)
# ---------------------------------------------------------------------------


def _text(kind: str, oid: str, field: str, value: str | None) -> str:
    """A string cell; refuses what a cell cannot hold (``""`` reads back as absent)."""
    if value is None:
        return ""
    if value == "" or "\x00" in value:
        reason = "an empty string" if value == "" else "a NUL character"
        raise InvalidFieldError(
            kind, field, value, f"{reason} cannot be written to a ledger file", id=oid
        )
    return value


def _day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _amount(money: Money) -> str:
    return format(money.amount, "f")


def _with_meta(
    kind: str, oid: str, row: dict[str, str], metadata: tuple[tuple[str, str], ...], table: Table
) -> dict[str, str]:
    for key, value in metadata:
        if not key or key in table.known or key in row:
            raise InvalidFieldError(
                kind,
                "metadata",
                key,
                "metadata key is empty, repeated or the name of a column",
                id=oid,
            )
        row[key] = _text(kind, oid, "metadata", value)
    return row


def customer_row(c: Customer) -> dict[str, str]:
    """The cells of a customer (only the non-empty ones)."""
    k = "customer"
    row = {
        "id": c.id,
        "name": c.name,
        "profile": c.profile.value,
        "country": c.country,
        "language": "" if c.language == "en" else c.language,
        "timezone": "" if c.timezone == "UTC" else c.timezone,
        "email": _text(k, c.id, "email", c.contacts.email),
        "phone": _text(k, c.id, "phone", c.contacts.phone),
        "address": _text(k, c.id, "address", c.contacts.address),
        "whatsapp": _text(k, c.id, "whatsapp", c.contacts.whatsapp),
        "credit_limit": "" if c.credit_limit is None else _amount(c.credit_limit),
        "currency": "" if c.credit_limit is None else c.credit_limit.currency,
        "tags": " ".join(sorted(c.tags)),
        "block_reason": "" if c.block is None else _text(k, c.id, "block", c.block.reason),
        "block_until": "" if c.block is None else _day(c.block.until),
        "policy": _text(k, c.id, "policy", c.policy),
    }
    _text(k, c.id, "name", c.name)
    return _with_meta(k, c.id, {n: v for n, v in row.items() if v}, c.metadata, CUSTOMERS)


def invoice_row(i: Invoice) -> dict[str, str]:
    """The cells of an invoice (only the non-empty ones)."""
    k = "invoice"
    d = i.dispute
    row = {
        "id": i.id,
        "customer_id": i.customer_id,
        "issue_date": _day(i.issue_date),
        "due_date": _day(i.due_date),
        "amount": _amount(i.amount),
        "currency": i.amount.currency,
        "terms": "" if i.terms is None else format_terms(i.terms),
        "kind": "" if i.kind is InvoiceKind.INVOICE else i.kind.value,
        "disputed": "" if d is None else _day(d.opened_on),
        "on_hold_until": _day(i.on_hold_until),
        "reference": _text(k, i.id, "reference", i.reference),
        "dispute_reason": "" if d is None or not d.reason else _text(k, i.id, "dispute", d.reason),
        "dispute_resolved_on": "" if d is None else _day(d.resolved_on),
        "payment_link": _text(k, i.id, "payment_link", i.payment_link),
        "applies_to": _text(k, i.id, "applies_to", i.applies_to),
        "policy": _text(k, i.id, "policy", i.policy),
    }
    return _with_meta(k, i.id, {n: v for n, v in row.items() if v}, i.metadata, INVOICES)


def payment_row(p: Payment) -> dict[str, str]:
    """The cells of a payment (only the non-empty ones)."""
    k = "payment"
    row = {
        "id": p.id,
        "customer_id": p.customer_id,
        "date": _day(p.date),
        "amount": _amount(p.amount),
        "currency": p.amount.currency,
        "invoice_id": p.invoice_id or "",
        "method": "" if p.method is PaymentMethod.BANK_TRANSFER else p.method.value,
        "reference": _text(k, p.id, "reference", p.reference),
    }
    return _with_meta(k, p.id, {n: v for n, v in row.items() if v}, p.metadata, PAYMENTS)


def plan_rows(plan: PaymentPlan) -> list[dict[str, str]]:
    """The rows of a payment plan, one per instalment (only the non-empty cells)."""
    for iid in plan.invoice_ids:
        if " " in iid:
            raise InvalidFieldError(
                "plan", "invoice_ids", iid, "a space-separated list cannot hold this id", id=plan.id
            )
    level = {
        "plan_id": plan.id,
        "customer_id": plan.customer_id,
        "invoice_ids": " ".join(plan.invoice_ids),
        "agreed_on": _day(plan.agreed_on),
        "grace_days": str(plan.grace_days) if plan.grace_days else "",
    }
    rows = []
    for inst in plan.instalments:
        row = dict(level)
        row["due_date"] = _day(inst.due_date)
        row["amount"] = _amount(inst.amount)
        row["currency"] = inst.amount.currency
        rows.append({n: v for n, v in row.items() if v})
    return rows


def trial_row(t: Trial) -> dict[str, str]:
    """The cells of a trial (only the non-empty ones)."""
    row = {
        "id": t.id,
        "customer_id": t.customer_id,
        "ends": _day(t.ends),
        "starts": _day(t.starts),
        "kind": "" if t.kind is TrialKind.TRIAL else t.kind.value,
        "description": t.description,
    }
    if "\x00" in t.description:
        _text("trial", t.id, "description", t.description)
    return {n: v for n, v in row.items() if v}
