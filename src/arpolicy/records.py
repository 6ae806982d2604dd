"""The record types: customers, payment terms, invoices, payments, plans.

These are the public records users build, read and test with; the
:class:`~arpolicy.model.Ledger` holds them as Polars tables and builds them on
demand (see ``docs/explanation/ledger-storage.md``).

Every type here is a frozen attrs class: immutable, hashable, compared by
value, changed with :func:`attrs.evolve`. Nothing here reads a file, a clock
or the environment. Parsing of outside formats lives in :mod:`arpolicy.io`.

Dates are :class:`datetime.date`. Money is :class:`~arpolicy.money.Money`.
"""

from __future__ import annotations

import enum
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final, TypeVar

import attrs
import iso3166
import pendulum

from .errors import InvalidFieldError
from .money import Money

__all__ = [
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
]


# ---------------------------------------------------------------------------
# enumerations
# ---------------------------------------------------------------------------


class Profile(enum.StrEnum):
    """Who the customer is; decides the default policy and the law that applies."""

    GOVERNMENT = "government"
    BUSINESS = "business"
    PRIVATE = "private"


class InvoiceKind(enum.StrEnum):
    """What an invoice-like record is."""

    INVOICE = "invoice"
    DEPOSIT = "deposit"
    """A deposit request: a share payable before work starts."""
    CREDIT_NOTE = "credit_note"
    """A credit note: reduces what the customer owes."""


class AllocationKind(enum.StrEnum):
    """What an :class:`Allocation` records."""

    APPLIED = "applied"
    """Money from a payment or credit note applied to an invoice (or left as credit)."""
    DISCOUNT = "discount"
    """An early-payment discount granted on an invoice: no money was received."""


class PaymentMethod(enum.StrEnum):
    """How a payment was made."""

    BANK_TRANSFER = "bank_transfer"
    DIRECT_DEBIT = "direct_debit"
    CARD = "card"
    DEBIT_CARD = "debit_card"
    PAYMENT_LINK = "payment_link"
    CASH = "cash"
    OTHER = "other"


class EndOfMonth(enum.StrEnum):
    """How an end-of-month payment term counts.

    * ``NONE``: the due date is the issue date plus the net period.
    * ``AFTER_NET``: add the net period, then go to the end of that month
      ("30 days end of month": issued 10 March, due 30 April).
    * ``BEFORE_NET``: go to the end of the issue month, then add the net
      period ("end of month + 30 days": issued 10 March, due 30 April as
      well, but issued 31 March gives 30 April and issued 1 April gives
      30 May).
    """

    NONE = "none"
    AFTER_NET = "after_net"
    BEFORE_NET = "before_net"


class TrialKind(enum.StrEnum):
    """A free period or a free allowance that ends on a date."""

    TRIAL = "trial"
    ALLOWANCE = "allowance"


class PlanStatus(enum.StrEnum):
    """The state of a payment plan at a date, derived from payments."""

    ON_TRACK = "on_track"
    BROKEN = "broken"
    COMPLETED = "completed"


def _convert_enum(cls: type[_E], value: object, kind: str, field: str) -> _E:
    if type(value) is cls:
        return value
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(repr(m.value) for m in cls)
        raise InvalidFieldError(kind, field, value, f"expected one of {choices}") from None


_E = TypeVar("_E", bound=enum.Enum)


def _profile(value: Profile | str) -> Profile:
    return _convert_enum(Profile, value, "customer", "profile")


def _invoicekind(value: InvoiceKind | str) -> InvoiceKind:
    return _convert_enum(InvoiceKind, value, "invoice", "kind")


def _paymentmethod(value: PaymentMethod | str) -> PaymentMethod:
    return _convert_enum(PaymentMethod, value, "payment", "method")


def _endofmonth(value: EndOfMonth | str) -> EndOfMonth:
    return _convert_enum(EndOfMonth, value, "payment_terms", "end_of_month")


def _trialkind(value: TrialKind | str) -> TrialKind:
    return _convert_enum(TrialKind, value, "trial", "kind")


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------

_ID_RE = re.compile(r"^[^\s\x00-\x1f](?:[^\x00-\x1f]*[^\s\x00-\x1f])?$")
_LANG_RE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


_KIND = {"DunningBlock": "dunning_block", "PaymentPlan": "plan", "PaymentTerms": "payment_terms"}
"""The ``kind`` an error names, where it is not simply the lower-cased class name."""


def _fail(obj: Any, field: str, value: object, reason: str) -> InvalidFieldError:
    name = type(obj).__name__
    kind = _KIND.get(name, name.lower())
    oid = getattr(obj, "id", None)
    return InvalidFieldError(kind, field, value, reason, id=oid if isinstance(oid, str) else None)


def _check_id(obj: Any, field: str, value: object) -> None:
    if type(value) is str and value.isprintable() and value and value == value.strip():
        return
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise _fail(obj, field, value, "must be a non-empty string without surrounding spaces")


def _check_date(obj: Any, field: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if type(value) is not date:
        raise _fail(obj, field, value, "must be a datetime.date")


@lru_cache(maxsize=1024)
def _valid_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


@lru_cache(maxsize=1024)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def _to_meta(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    if not value:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), str(v)) for k, v in items))


def _to_frozenset(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value}) if value else frozenset()
    return frozenset(value)


def _to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _end_of_month(day: date) -> date:
    return _as_date(pendulum.Date(day.year, day.month, day.day).end_of("month"))


def _as_date(day: pendulum.Date) -> date:
    return date(day.year, day.month, day.day)


INTEREST_SETTLED: Final = "interest_settled_on"
"""The invoice metadata key that marks its statutory interest as settled."""


# ---------------------------------------------------------------------------
# customers
# ---------------------------------------------------------------------------


@attrs.frozen
class Contacts:
    """How a customer can be reached. Every field is optional."""

    email: str | None = None
    phone: str | None = None
    address: str | None = None
    whatsapp: str | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("email", "phone", "address", "whatsapp"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise InvalidFieldError("contacts", name, value, "must be a non-empty string")
        if self.email is not None and "@" not in self.email:
            raise InvalidFieldError("contacts", "email", self.email, "not an e-mail address")

    def has(self, kind: str) -> bool:
        """True when a contact of ``kind`` (``email``, ``phone`` ...) is known."""
        return getattr(self, kind, None) is not None


@attrs.frozen
class DunningBlock:
    """Excludes a customer or invoice from dunning, with a reason.

    The block is active on every date before ``until`` (exclusive); dunning
    resumes by itself on ``until``. ``until=None`` blocks indefinitely.
    """

    reason: str
    until: date | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise InvalidFieldError("dunning_block", "reason", self.reason, "must not be empty")
        _check_date(self, "until", self.until, optional=True)

    def active(self, on: date) -> bool:
        """True when the block applies on ``on``."""
        return self.until is None or on < self.until


@attrs.frozen(weakref_slot=False)
class Customer:
    """A customer: who owes, how to reach them and which rules apply.

    Args:
        id: unique customer id.
        name: display name.
        profile: government, business or private.
        country: ISO 3166-1 alpha-2 code (``"NL"``); decides law and calendar.
        language: language tag for messages (``"nl"``, ``"de-AT"``).
        timezone: IANA time zone name; the customer's own date at an instant
            (:meth:`local_date`) is the day ``plan(at=...)`` plans it on.
        contacts: e-mail, phone, postal address, WhatsApp.
        credit_limit: the most the customer may owe, or ``None``.
        tags: free labels; playbooks may choose policies by tag.
        block: a dunning block, or ``None``.
        policy: the name of a policy that overrides the playbook's choice.
        metadata: extra columns from the source, kept as sorted pairs.
    """

    id: str
    name: str
    profile: Profile = attrs.field(converter=_profile)
    country: str
    language: str = "en"
    timezone: str = "UTC"
    contacts: Contacts = attrs.field(factory=Contacts)
    credit_limit: Money | None = None
    tags: frozenset[str] = attrs.field(default=frozenset(), converter=_to_frozenset)
    block: DunningBlock | None = None
    policy: str | None = None
    metadata: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_to_meta)

    def __attrs_post_init__(self) -> None:
        _check_id(self, "id", self.id)
        if not isinstance(self.name, str) or not self.name.strip():
            raise _fail(self, "name", self.name, "must not be empty")
        if not isinstance(self.country, str) or self.country not in iso3166.countries_by_alpha2:
            raise _fail(self, "country", self.country, "not an ISO 3166-1 alpha-2 code")
        if not isinstance(self.language, str) or not _LANG_RE.match(self.language):
            raise _fail(self, "language", self.language, "not a language tag such as 'nl'")
        if not isinstance(self.timezone, str) or not _valid_timezone(self.timezone):
            raise _fail(self, "timezone", self.timezone, "not an IANA time zone")
        if self.credit_limit is not None and (
            not isinstance(self.credit_limit, Money) or self.credit_limit.is_negative()
        ):
            raise _fail(self, "credit_limit", self.credit_limit, "must be Money >= 0")
        for tag in self.tags:
            if not isinstance(tag, str) or not tag or tag != tag.strip() or " " in tag:
                raise _fail(self, "tags", tag, "a tag is a non-empty word without spaces")

    def meta(self, key: str, default: str | None = None) -> str | None:
        """The metadata value for ``key``."""
        return dict(self.metadata).get(key, default)

    def blocked(self, on: date) -> bool:
        """True when a dunning block applies on ``on``."""
        return self.block is not None and self.block.active(on)

    def local_date(self, at: datetime) -> date:
        """The date in the customer's time zone at the instant ``at``.

        >>> from datetime import UTC, datetime
        >>> auckland = Customer("C1", "Kiwi Ltd", "business", "NZ", timezone="Pacific/Auckland")
        >>> auckland.local_date(datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
        datetime.date(2026, 3, 3)

        Args:
            at: a timezone-aware datetime.

        Raises:
            InvalidFieldError: ``at`` is naive (it names no instant).
        """
        if not isinstance(at, datetime) or at.utcoffset() is None:
            raise InvalidFieldError(
                "customer", "at", at, "expected a timezone-aware datetime", id=self.id
            )
        return at.astimezone(_zone(self.timezone)).date()


# ---------------------------------------------------------------------------
# payment terms
# ---------------------------------------------------------------------------


def _non_negative_int(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(instance, attribute.name, value, "must be an int >= 0")


def _percent(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 < value <= 100:
        raise _fail(instance, attribute.name, value, "must be a Decimal percentage in (0, 100]")


@attrs.frozen
class PaymentTerms:
    """When an invoice is due, and its discount and deposit conditions.

    >>> from datetime import date
    >>> PaymentTerms(net_days=30).due_date(date(2026, 3, 10))
    datetime.date(2026, 4, 9)
    >>> PaymentTerms(net_days=0, net_months=1).due_date(date(2026, 1, 31))
    datetime.date(2026, 2, 28)
    >>> terms = PaymentTerms(net_days=30, end_of_month=EndOfMonth.AFTER_NET)
    >>> terms.due_date(date(2026, 3, 10))
    datetime.date(2026, 4, 30)

    Args:
        net_days: days after the issue date (after ``net_months``).
        net_months: calendar months after the issue date; month ends are
            clamped (31 January + 1 month is 28 or 29 February).
        end_of_month: see :class:`EndOfMonth`.
        discount_percent: early-payment discount, e.g. ``Decimal("2")``.
        discount_days: the discount applies when paid within this many days
            of the issue date (required with ``discount_percent``).
        deposit_percent: share of the total to be paid as a deposit.
    """

    net_days: int = attrs.field(default=30, validator=_non_negative_int)
    net_months: int = attrs.field(default=0, validator=_non_negative_int)
    end_of_month: EndOfMonth = attrs.field(default=EndOfMonth.NONE, converter=_endofmonth)
    discount_percent: Decimal | None = attrs.field(default=None, validator=_percent)
    discount_days: int | None = None
    deposit_percent: Decimal | None = attrs.field(default=None, validator=_percent)

    def __attrs_post_init__(self) -> None:
        if (self.discount_percent is None) != (self.discount_days is None):
            raise _fail(
                self, "discount_days", self.discount_days, "give discount_percent and days together"
            )
        if self.discount_days is not None:
            _non_negative_int(self, attrs.fields(PaymentTerms).discount_days, self.discount_days)

    def due_date(self, issued: date) -> date:
        """The due date of an invoice issued on ``issued``."""
        day = pendulum.Date(issued.year, issued.month, issued.day)
        if self.end_of_month is EndOfMonth.BEFORE_NET:
            day = day.end_of("month")
            if self.net_months:
                day = day.add(months=self.net_months).end_of("month")
            return _as_date(day) + timedelta(days=self.net_days)
        if self.net_months:
            day = day.add(months=self.net_months)
        result = _as_date(day) + timedelta(days=self.net_days)
        if self.end_of_month is EndOfMonth.AFTER_NET:
            result = _end_of_month(result)
        return result

    def discount_deadline(self, issued: date) -> date | None:
        """Last day on which the early-payment discount applies, if any."""
        if self.discount_days is None:
            return None
        return issued + timedelta(days=self.discount_days)

    def discount(self, amount: Money) -> Money:
        """The early-payment discount on ``amount`` (zero when there is none)."""
        if self.discount_percent is None:
            return Money.zero(amount.currency)
        return amount.percent(self.discount_percent)

    def deposit(self, amount: Money) -> Money:
        """The deposit due on ``amount`` (zero when there is none)."""
        if self.deposit_percent is None:
            return Money.zero(amount.currency)
        return amount.percent(self.deposit_percent)


# ---------------------------------------------------------------------------
# invoices and payments
# ---------------------------------------------------------------------------


@attrs.frozen
class Dispute:
    """A dispute on an invoice: open from ``opened_on`` until ``resolved_on``.

    A dispute is active on every date from ``opened_on`` (inclusive) to
    ``resolved_on`` (exclusive); ``resolved_on=None`` means still open.
    """

    opened_on: date
    reason: str = ""
    resolved_on: date | None = None

    def __attrs_post_init__(self) -> None:
        _check_date(self, "opened_on", self.opened_on)
        _check_date(self, "resolved_on", self.resolved_on, optional=True)
        if self.resolved_on is not None and self.resolved_on < self.opened_on:
            raise InvalidFieldError(
                "dispute", "resolved_on", self.resolved_on, "is before the dispute was opened"
            )

    def active(self, on: date) -> bool:
        """True when the dispute is open on ``on``."""
        return self.opened_on <= on and (self.resolved_on is None or on < self.resolved_on)


@attrs.frozen(weakref_slot=False)
class Invoice:
    """An invoice, a deposit request or a credit note.

    ``amount`` is the gross amount and is never negative; a credit note's
    amount reduces what the customer owes. ``due_date`` is always concrete:
    use :meth:`from_terms` to derive it from :class:`PaymentTerms`.

    Args:
        id: unique invoice id.
        customer_id: the customer who owes it.
        issue_date: date of the invoice.
        due_date: last day to pay; on or after ``issue_date``.
        amount: gross amount.
        kind: invoice, deposit request or credit note.
        terms: the payment terms it was issued under, if known.
        dispute: a dispute, if any.
        on_hold_until: no dunning before this date (exclusive).
        reference: order / purchase-order reference.
        payment_link: a URL where the customer can pay.
        applies_to: for a credit note, the invoice it corrects.
        policy: a policy name that overrides the customer's.
        metadata: extra source columns, as sorted pairs.
    """

    id: str
    customer_id: str
    issue_date: date
    due_date: date
    amount: Money
    kind: InvoiceKind = attrs.field(default=InvoiceKind.INVOICE, converter=_invoicekind)
    terms: PaymentTerms | None = None
    dispute: Dispute | None = None
    on_hold_until: date | None = None
    reference: str | None = None
    payment_link: str | None = None
    applies_to: str | None = None
    policy: str | None = None
    metadata: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_to_meta)

    def __attrs_post_init__(self) -> None:
        _check_id(self, "id", self.id)
        _check_id(self, "customer_id", self.customer_id)
        _check_date(self, "issue_date", self.issue_date)
        _check_date(self, "due_date", self.due_date)
        _check_date(self, "on_hold_until", self.on_hold_until, optional=True)
        if self.due_date < self.issue_date:
            raise _fail(self, "due_date", self.due_date, "is before the issue date")
        if not isinstance(self.amount, Money):
            raise _fail(self, "amount", self.amount, "must be Money")
        if self.amount.is_negative():
            raise _fail(self, "amount", self.amount, "must not be negative")
        if self.applies_to is not None and self.kind is not InvoiceKind.CREDIT_NOTE:
            raise _fail(self, "applies_to", self.applies_to, "only credit notes apply to invoices")
        settled = self.meta(INTEREST_SETTLED) if self.metadata else None
        if settled is not None:
            try:
                date.fromisoformat(settled)
            except ValueError:
                raise _fail(
                    self, f"metadata.{INTEREST_SETTLED}", settled, "expected a date YYYY-MM-DD"
                ) from None

    @classmethod
    def from_terms(
        cls,
        id: str,
        customer_id: str,
        issue_date: date,
        amount: Money,
        terms: PaymentTerms,
        **kwargs: Any,
    ) -> Invoice:
        """Build an invoice whose due date follows from ``terms``."""
        return cls(
            id,
            customer_id,
            issue_date,
            terms.due_date(issue_date),
            amount,
            terms=terms,
            **kwargs,
        )

    @property
    def currency(self) -> str:
        """The invoice currency."""
        return self.amount.currency

    @property
    def is_credit(self) -> bool:
        """True for a credit note."""
        return self.kind is InvoiceKind.CREDIT_NOTE

    def disputed(self, on: date) -> bool:
        """True when a dispute is open on ``on``."""
        return self.dispute is not None and self.dispute.active(on)

    def on_hold(self, on: date) -> bool:
        """True when the invoice is on hold on ``on``."""
        return self.on_hold_until is not None and on < self.on_hold_until

    def days_overdue(self, on: date) -> int:
        """Days past the due date on ``on`` (negative before it)."""
        return (on - self.due_date).days

    def meta(self, key: str, default: str | None = None) -> str | None:
        """The metadata value for ``key``."""
        return dict(self.metadata).get(key, default)

    @property
    def interest_settled_on(self) -> date | None:
        """The day the statutory interest on the parts paid so far was paid or
        waived (metadata ``interest_settled_on``), or ``None``.

        arpolicy has no record of interest payments: the host says here that
        the interest on the parts of the invoice paid on or before that day
        is settled, and it is no longer claimed.
        """
        settled = self.meta(INTEREST_SETTLED)
        return None if settled is None else date.fromisoformat(settled)


@attrs.frozen(weakref_slot=False)
class Payment:
    """Money received from a customer.

    A payment names the invoice it pays (``invoice_id``) or is allocated to
    the customer's oldest open invoices; see :meth:`~arpolicy.model.Ledger.position`.
    """

    id: str
    customer_id: str
    date: date
    amount: Money
    method: PaymentMethod = attrs.field(
        default=PaymentMethod.BANK_TRANSFER, converter=_paymentmethod
    )
    invoice_id: str | None = None
    reference: str | None = None
    metadata: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_to_meta)

    def __attrs_post_init__(self) -> None:
        _check_id(self, "id", self.id)
        _check_id(self, "customer_id", self.customer_id)
        _check_date(self, "date", self.date)
        if not isinstance(self.amount, Money):
            raise _fail(self, "amount", self.amount, "must be Money")
        if not self.amount.is_positive():
            raise _fail(self, "amount", self.amount, "must be above zero")
        if self.invoice_id is not None:
            _check_id(self, "invoice_id", self.invoice_id)

    @property
    def currency(self) -> str:
        """The payment currency."""
        return self.amount.currency


@attrs.frozen
class Trial:
    """A free trial or free allowance that ends on ``ends`` (its last free day)."""

    id: str
    customer_id: str
    ends: date
    starts: date | None = None
    kind: TrialKind = attrs.field(default=TrialKind.TRIAL, converter=_trialkind)
    description: str = ""

    def __attrs_post_init__(self) -> None:
        _check_id(self, "id", self.id)
        _check_id(self, "customer_id", self.customer_id)
        _check_date(self, "ends", self.ends)
        _check_date(self, "starts", self.starts, optional=True)
        if self.starts is not None and self.starts > self.ends:
            raise _fail(self, "ends", self.ends, "is before the start")


# ---------------------------------------------------------------------------
# payment plans
# ---------------------------------------------------------------------------


@attrs.frozen
class Instalment:
    """One dated amount of a payment plan."""

    due_date: date
    amount: Money

    def __attrs_post_init__(self) -> None:
        _check_date(self, "due_date", self.due_date)
        if not isinstance(self.amount, Money) or not self.amount.is_positive():
            raise InvalidFieldError("instalment", "amount", self.amount, "must be Money > 0")


def _sorted_instalments(value: Iterable[Instalment]) -> tuple[Instalment, ...]:
    return tuple(sorted(value, key=lambda i: i.due_date))


@attrs.frozen
class PlanState:
    """A payment plan's state at a date.

    Attributes:
        status: on track, broken or completed.
        paid: what counts as paid towards the plan on that date.
        due: what the instalments required by that date (after grace).
        broken_on: the first day the plan counted as broken, if it is.
        next_instalment: the next instalment not yet fully covered, if any.
    """

    status: PlanStatus
    paid: Money
    due: Money
    broken_on: date | None
    next_instalment: Instalment | None


@attrs.frozen
class PaymentPlan:
    """A payment plan or promise to pay covering some of a customer's invoices.

    While the plan is on track, dunning of the covered invoices pauses. An
    instalment counts as missed when, ``grace_days`` after its due date, the
    payments towards the plan do not cover all instalments due so far.

    Payments towards the plan are the customer's payments in the plan's
    currency dated on or after ``agreed_on`` that name one of the covered
    invoices or name none. A promise to pay is a plan with one instalment.
    """

    id: str
    customer_id: str
    invoice_ids: tuple[str, ...] = attrs.field(converter=_to_tuple)
    instalments: tuple[Instalment, ...] = attrs.field(converter=_sorted_instalments)
    agreed_on: date
    grace_days: int = attrs.field(default=0, validator=_non_negative_int)

    def __attrs_post_init__(self) -> None:
        _check_id(self, "id", self.id)
        _check_id(self, "customer_id", self.customer_id)
        _check_date(self, "agreed_on", self.agreed_on)
        if not self.invoice_ids:
            raise _fail(self, "invoice_ids", self.invoice_ids, "a plan covers at least one invoice")
        for iid in self.invoice_ids:
            _check_id(self, "invoice_ids", iid)
        if len(set(self.invoice_ids)) != len(self.invoice_ids):
            raise _fail(self, "invoice_ids", self.invoice_ids, "lists an invoice twice")
        if not self.instalments:
            raise _fail(self, "instalments", self.instalments, "a plan has at least one instalment")
        currencies = {i.amount.currency for i in self.instalments}
        if len(currencies) != 1:
            raise _fail(self, "instalments", sorted(currencies), "instalments mix currencies")
        dates = [i.due_date for i in self.instalments]
        if len(set(dates)) != len(dates):
            raise _fail(self, "instalments", dates, "two instalments on one date")

    @property
    def currency(self) -> str:
        """The plan currency."""
        return self.instalments[0].amount.currency

    @property
    def total(self) -> Money:
        """The sum of all instalments."""
        return Money.total((i.amount for i in self.instalments), self.currency)

    @property
    def end(self) -> date:
        """The due date of the last instalment."""
        return self.instalments[-1].due_date

    def in_force(self, on: date) -> bool:
        """True when the plan exists on ``on``: from the day it was agreed.

        Before ``agreed_on`` there is no plan: it pauses no dunning, breaks
        no promise and counts in no report.
        """
        return self.agreed_on <= on

    def counts(self, payment: Payment) -> bool:
        """True when ``payment`` counts towards this plan."""
        return (
            payment.customer_id == self.customer_id
            and payment.currency == self.currency
            and payment.date >= self.agreed_on
            and (payment.invoice_id is None or payment.invoice_id in self.invoice_ids)
        )

    def state(self, payments: Iterable[Payment], as_of: date) -> PlanState:
        """The plan's state on ``as_of`` given the customer's payments.

        Only payments dated on or before ``as_of`` count.
        """
        grace = timedelta(days=self.grace_days)
        own = sorted(
            (p.date, p.amount.amount) for p in payments if p.date <= as_of and self.counts(p)
        )
        paid_total = sum((a for _, a in own), Decimal(0))
        cumulative = Decimal(0)
        broken_on: date | None = None
        due_so_far = Decimal(0)
        next_open: Instalment | None = None
        for inst in self.instalments:
            cumulative += inst.amount.amount
            deadline = inst.due_date + grace
            paid_by_deadline = sum((a for d, a in own if d <= deadline), Decimal(0))
            if deadline < as_of:
                due_so_far = cumulative
                if broken_on is None and paid_by_deadline < cumulative:
                    broken_on = deadline + timedelta(days=1)
            if next_open is None and paid_total < cumulative:
                next_open = inst
        total = cumulative
        if paid_total >= total:
            status = PlanStatus.COMPLETED
        elif broken_on is not None:
            status = PlanStatus.BROKEN
        else:
            status = PlanStatus.ON_TRACK
        return PlanState(
            status=status,
            paid=Money._trusted(paid_total, self.currency) if own else Money.zero(self.currency),
            due=Money(due_so_far, self.currency),
            broken_on=broken_on if status is PlanStatus.BROKEN else None,
            next_instalment=next_open,
        )


# ---------------------------------------------------------------------------
# allocation results
# ---------------------------------------------------------------------------


def _allocationkind(value: AllocationKind | str) -> AllocationKind:
    return _convert_enum(AllocationKind, value, "allocation", "kind")


@attrs.frozen
class Allocation:
    """Part of a payment or credit note applied to an invoice, or a discount.

    ``invoice_id`` is ``None`` for an amount left over as customer credit.
    ``source_id`` is the payment's or credit note's id.

    ``kind`` is :attr:`AllocationKind.APPLIED` for money applied, and
    :attr:`AllocationKind.DISCOUNT` for an early-payment discount: the rest
    of an invoice settled because the payments within its discount period
    covered the invoice less the discount. A discount's ``source_id`` is the
    payment or credit note whose application earned it; it is not part of
    that payment's amount.
    """

    source_id: str
    invoice_id: str | None
    amount: Money
    kind: AllocationKind = attrs.field(default=AllocationKind.APPLIED, converter=_allocationkind)

    @property
    def is_discount(self) -> bool:
        """True for an early-payment discount (no money received)."""
        return self.kind is AllocationKind.DISCOUNT


@attrs.frozen
class Settlement:
    """A part of an invoice settled on a date: by a payment or by a credit note.

    Statutory interest runs on each part of the principal until the day that
    part was paid (see :func:`arpolicy.law.interest_breakdown`); a credit note
    corrects the invoice, so the part it settles was never owed and bears no
    interest.

    Attributes:
        source_id: the payment's or credit note's id.
        invoice_id: the invoice settled.
        date: the day the payment was made or the credit note issued.
        amount: the part of the invoice it settled.
        credit_note: settled by a credit note, not by a payment.
        discount: an early-payment discount earned by ``source_id`` (no money
            received; like a credit note, that part bears no interest).
    """

    source_id: str
    invoice_id: str
    date: date
    amount: Money
    credit_note: bool = False
    discount: bool = False


@attrs.frozen
class CustomerPosition:
    """What a customer owes on a date, after allocating payments and credits.

    Attributes:
        customer_id: the customer.
        as_of: the date.
        balances: open balance per invoice (invoices and deposit requests
            issued on or before ``as_of``; zero when paid).
        credit: unapplied credit per currency (overpayments, credit notes).
        allocations: how every payment and credit note was applied, and
            the early-payment discounts granted (kind ``discount``).
        discounts: the early-payment discount granted per invoice, for
            the invoices that earned one by ``as_of`` (see :class:`~arpolicy.model.Ledger`).
    """

    customer_id: str
    as_of: date
    balances: Mapping[str, Money]
    credit: Mapping[str, Money]
    allocations: tuple[Allocation, ...]
    discounts: Mapping[str, Money] = attrs.field(factory=dict)

    def open_balance(self, currency: str) -> Money:
        """Sum of the open balances in ``currency``."""
        return Money.total((b for b in self.balances.values() if b.currency == currency), currency)
