"""The domain model: customers, payment terms, invoices, payments, plans, ledger.

Every type here is a frozen attrs class: immutable, hashable, compared by
value, changed with :func:`attrs.evolve`. Nothing here reads a file, a clock
or the environment. Parsing of outside formats lives in :mod:`arpolicy.io`.

Dates are :class:`datetime.date`. Money is :class:`~arpolicy.money.Money`.
"""

from __future__ import annotations

import enum
import re
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final, NoReturn, TypeVar

import attrs
import iso3166
import pendulum

from .errors import DuplicateIdError, InvalidFieldError, UnknownReferenceError
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
    the customer's oldest open invoices; see :meth:`Ledger.position`.
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
# ledger
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
            the invoices that earned one by ``as_of`` (see :class:`Ledger`).
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


def _index_unique(items: Sequence[Any], kind: str) -> dict[str, Any]:
    index = {item.id: item for item in items}
    if len(index) != len(items):
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise DuplicateIdError(kind, item.id)
            seen.add(item.id)
    return index


@attrs.frozen(eq=False)
class _Index:
    customers: dict[str, Customer]
    invoices: dict[str, Invoice]
    payments: dict[str, Payment]
    plans: dict[str, PaymentPlan]
    trials: dict[str, Trial]
    invoices_by_customer: dict[str, list[Invoice]]
    payments_by_customer: dict[str, list[Payment]]
    plans_by_customer: dict[str, list[PaymentPlan]]
    trials_by_customer: dict[str, list[Trial]]


def _bad_payment_reference(pay: Payment, target: Invoice | None) -> NoReturn:
    """Raise the error that says what is wrong with a payment's invoice."""
    iid = pay.invoice_id
    if target is None:
        raise UnknownReferenceError("payment", pay.id, "invoice_id", iid, "no such invoice")
    if target.customer_id != pay.customer_id:
        raise UnknownReferenceError(
            "payment",
            pay.id,
            "invoice_id",
            iid,
            f"the invoice belongs to customer {target.customer_id!r}",
        )
    if target.currency != pay.currency:
        raise UnknownReferenceError(
            "payment",
            pay.id,
            "invoice_id",
            iid,
            f"payment in {pay.currency} for an invoice in {target.currency}",
        )
    raise UnknownReferenceError("payment", pay.id, "invoice_id", iid, "is a credit note")


def _build_index(ledger: Ledger) -> _Index:
    customers = _index_unique(ledger.customers, "customer")
    invoices = _index_unique(ledger.invoices, "invoice")
    payments = _index_unique(ledger.payments, "payment")
    plans = _index_unique(ledger.plans, "plan")
    trials = _index_unique(ledger.trials, "trial")

    # The two loops below run once per invoice and payment of the ledger
    # (millions in a large one): fields are read directly, not via properties.
    inv_by: dict[str, list[Invoice]] = {}
    credit_notes: list[tuple[Invoice, str]] = []
    credit = InvoiceKind.CREDIT_NOTE
    for inv in ledger.invoices:
        cid = inv.customer_id
        group = inv_by.get(cid)
        if group is None:
            if cid not in customers:
                raise UnknownReferenceError(
                    "invoice", inv.id, "customer_id", cid, "no such customer"
                )
            group = inv_by[cid] = []
        group.append(inv)
        if inv.applies_to is not None:
            credit_notes.append((inv, inv.applies_to))
    for inv, corrected in credit_notes:
        target = invoices.get(corrected)
        if target is None or target.customer_id != inv.customer_id or target.is_credit:
            raise UnknownReferenceError(
                "invoice",
                inv.id,
                "applies_to",
                inv.applies_to,
                "no invoice of the same customer with that id",
            )
        if target.currency != inv.currency:
            raise UnknownReferenceError(
                "invoice",
                inv.id,
                "applies_to",
                inv.applies_to,
                f"credit note in {inv.currency} for an invoice in {target.currency}",
            )

    pay_by: dict[str, list[Payment]] = {}
    for pay in ledger.payments:
        cid = pay.customer_id
        payments_of = pay_by.get(cid)
        if payments_of is None:
            if cid not in customers:
                raise UnknownReferenceError(
                    "payment", pay.id, "customer_id", cid, "no such customer"
                )
            payments_of = pay_by[cid] = []
        iid = pay.invoice_id
        if iid is not None:
            target = invoices.get(iid)
            if (
                target is None
                or target.customer_id != cid
                or target.amount.currency != pay.amount.currency
                or target.kind is credit
            ):
                _bad_payment_reference(pay, target)
        payments_of.append(pay)

    plan_by: dict[str, list[PaymentPlan]] = {}
    for plan in ledger.plans:
        if plan.customer_id not in customers:
            raise UnknownReferenceError(
                "plan", plan.id, "customer_id", plan.customer_id, "no such customer"
            )
        for iid in plan.invoice_ids:
            target = invoices.get(iid)
            if target is None or target.customer_id != plan.customer_id:
                raise UnknownReferenceError(
                    "plan", plan.id, "invoice_ids", iid, "no invoice of this customer"
                )
            if target.currency != plan.currency:
                raise UnknownReferenceError(
                    "plan",
                    plan.id,
                    "invoice_ids",
                    iid,
                    f"plan in {plan.currency} for an invoice in {target.currency}",
                )
        plan_by.setdefault(plan.customer_id, []).append(plan)

    trial_by: dict[str, list[Trial]] = {}
    for trial in ledger.trials:
        if trial.customer_id not in customers:
            raise UnknownReferenceError(
                "trial", trial.id, "customer_id", trial.customer_id, "no such customer"
            )
        trial_by.setdefault(trial.customer_id, []).append(trial)

    return _Index(customers, invoices, payments, plans, trials, inv_by, pay_by, plan_by, trial_by)


@attrs.frozen(eq=False)
class Ledger:
    """Everything customers owe and paid: the engine's input.

    Building a ledger validates it: ids are unique per kind, and every
    reference points at an existing record of the same customer and currency
    (:class:`~arpolicy.errors.DuplicateIdError`,
    :class:`~arpolicy.errors.UnknownReferenceError`).

    Two ledgers are equal when they hold the same records, whatever their
    order.

    Allocation (:meth:`position`): payments and credit notes dated on or
    before ``as_of`` are applied per customer and currency, in order of date
    then id. First, a payment that names an invoice (or a credit note that
    names the invoice it corrects) pays that invoice up to its balance. Then
    everything left (unnamed payments, unnamed credit notes, and the excess of
    named ones) pays the oldest open invoices first, by issue date, due date
    and id; judged on the date of each payment, invoices issued by then come
    before later ones and undisputed ones before those disputed on that date.
    What still remains is customer credit. On one date, credit notes are
    applied before payments.

    Early-payment discount: an invoice or deposit request whose ``terms``
    have a discount is settled as soon as what was applied to it from
    payments and credit notes dated on or before the last day of its
    discount period (:meth:`PaymentTerms.discount_deadline`, inclusive)
    reaches its amount less the discount (:meth:`PaymentTerms.discount`).
    The rest of it, at most the discount, is then recorded as a discount
    (an :class:`Allocation` of kind ``discount`` and
    :attr:`CustomerPosition.discounts`), not as a payment. Less than that
    within the period earns no discount.

    The result never depends on the order of the records, and a later
    ``as_of`` never raises a balance.
    """

    customers: tuple[Customer, ...] = attrs.field(converter=_to_tuple)
    invoices: tuple[Invoice, ...] = attrs.field(default=(), converter=_to_tuple)
    payments: tuple[Payment, ...] = attrs.field(default=(), converter=_to_tuple)
    plans: tuple[PaymentPlan, ...] = attrs.field(default=(), converter=_to_tuple)
    trials: tuple[Trial, ...] = attrs.field(default=(), converter=_to_tuple)
    _index: _Index = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", _build_index(self))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ledger):
            return NotImplemented
        a, b = self._index, other._index
        return (
            a.customers == b.customers
            and a.invoices == b.invoices
            and a.payments == b.payments
            and a.plans == b.plans
            and a.trials == b.trials
        )

    def __hash__(self) -> int:
        return hash((len(self.customers), len(self.invoices), len(self.payments)))

    @classmethod
    def from_frames(
        cls,
        *,
        customers: Any,
        invoices: Any,
        payments: Any = None,
        plans: Any = None,
        trials: Any = None,
    ) -> Ledger:
        """A ledger from data frames with the columns of the ledger files.

        Any frame speaking the Arrow PyCapsule interface works: Polars,
        pandas, PyArrow, DuckDB results. The values are validated like a
        ledger directory's cells; see :func:`arpolicy.io.ledger_from_frames`.
        """
        from .io import ledger_from_frames  # noqa: PLC0415 - io builds on the model

        return ledger_from_frames(
            customers=customers, invoices=invoices, payments=payments, plans=plans, trials=trials
        )

    # -- look-ups ---------------------------------------------------------
    def customer(self, customer_id: str) -> Customer:
        """The customer with ``customer_id`` (``KeyError`` if unknown)."""
        return self._index.customers[customer_id]

    def invoice(self, invoice_id: str) -> Invoice:
        """The invoice with ``invoice_id`` (``KeyError`` if unknown)."""
        return self._index.invoices[invoice_id]

    def payment(self, payment_id: str) -> Payment:
        """The payment with ``payment_id`` (``KeyError`` if unknown)."""
        return self._index.payments[payment_id]

    def plan(self, plan_id: str) -> PaymentPlan:
        """The payment plan with ``plan_id`` (``KeyError`` if unknown)."""
        return self._index.plans[plan_id]

    def invoices_of(self, customer_id: str) -> tuple[Invoice, ...]:
        """The customer's invoices, deposit requests and credit notes."""
        return tuple(self._index.invoices_by_customer.get(customer_id, ()))

    def payments_of(self, customer_id: str) -> tuple[Payment, ...]:
        """The customer's payments."""
        return tuple(self._index.payments_by_customer.get(customer_id, ()))

    def plans_of(self, customer_id: str, *, on: date | None = None) -> tuple[PaymentPlan, ...]:
        """The customer's payment plans; with ``on``, only those in force on
        that day (agreed on or before it, see :meth:`PaymentPlan.in_force`)."""
        plans = self._index.plans_by_customer.get(customer_id, ())
        if on is None:
            return tuple(plans)
        return tuple(p for p in plans if p.in_force(on))

    def trials_of(self, customer_id: str) -> tuple[Trial, ...]:
        """The customer's trials and free allowances."""
        return tuple(self._index.trials_by_customer.get(customer_id, ()))

    def currencies(self) -> tuple[str, ...]:
        """Every currency used by an invoice or payment, sorted."""
        found = {i.currency for i in self.invoices} | {p.currency for p in self.payments}
        return tuple(sorted(found))

    # -- balances ---------------------------------------------------------
    def position(self, customer_id: str, as_of: date) -> CustomerPosition:
        """Allocate the customer's payments and credits as of ``as_of``.

        See the class documentation for the allocation rule.
        """
        if customer_id not in self._index.customers:
            raise KeyError(customer_id)
        return _allocate(
            customer_id,
            self._index.invoices_by_customer.get(customer_id, ()),
            self._index.payments_by_customer.get(customer_id, ()),
            as_of,
        )

    def balance(self, invoice_id: str, as_of: date) -> Money:
        """The open balance of an invoice on ``as_of``.

        Counts only payments and credit notes dated on or before ``as_of``.
        A credit note's own balance is always zero; so is that of an invoice
        issued after ``as_of``.
        """
        inv = self._index.invoices[invoice_id]
        if inv.is_credit or inv.issue_date > as_of:
            return Money.zero(inv.currency)
        return self.position(inv.customer_id, as_of).balances[invoice_id]

    def open_items(self, customer_id: str, as_of: date) -> tuple[tuple[Invoice, Money], ...]:
        """The customer's invoices with a balance above zero on ``as_of``.

        Sorted by due date, then id.
        """
        pos = self.position(customer_id, as_of)
        items = [
            (self._index.invoices[iid], bal) for iid, bal in pos.balances.items() if bal.amount > 0
        ]
        items.sort(key=lambda item: (item[0].due_date, item[0].id))
        return tuple(items)

    def settlements(self, invoice_id: str, as_of: date) -> tuple[Settlement, ...]:
        """How an invoice was paid as of ``as_of``: every part, with its date.

        The allocation rule of :meth:`position` decides which payment or
        credit note settled which part; the parts are in the order they were
        applied (by date, then id). ``KeyError`` for an unknown invoice.

        >>> from arpolicy import Customer, Invoice, Money, Payment
        >>> ledger = Ledger(
        ...     [Customer("C1", "Acme", "business", "NL")],
        ...     [Invoice("I1", "C1", date(2025, 12, 1), date(2026, 1, 1), Money("1000", "EUR"))],
        ...     [Payment("P1", "C1", date(2026, 2, 25), Money("990", "EUR"))],
        ... )
        >>> (part,) = ledger.settlements("I1", date(2026, 3, 2))
        >>> part.date.isoformat(), str(part.amount)
        ('2026-02-25', '990.00 EUR')
        """
        inv = self._index.invoices[invoice_id]
        return self.settlements_of(inv.customer_id, as_of).get(invoice_id, ())

    def settlements_of(self, customer_id: str, as_of: date) -> dict[str, tuple[Settlement, ...]]:
        """:meth:`settlements` for every invoice of a customer that has any, by id."""
        if customer_id not in self._index.customers:
            raise KeyError(customer_id)
        invoices = self._index.invoices_by_customer.get(customer_id, ())
        credit_notes = {i.id for i in invoices if i.kind is InvoiceKind.CREDIT_NOTE}
        payments = self._index.payments_by_customer.get(customer_id, ())
        paid_ids = {p.id for p in payments}
        _, _, applied = _apply_payments(invoices, payments, as_of)
        found: dict[str, list[Settlement]] = {}
        for source, target, amount, currency, day, discount in applied:
            if target is None:
                continue
            # an id shared by a payment and a credit note counts as the payment's
            credit = source in credit_notes and source not in paid_ids
            money = Money._trusted(amount, currency)
            part = Settlement(source, target, day, money, credit, discount)
            found.setdefault(target, []).append(part)
        return {iid: tuple(parts) for iid, parts in sorted(found.items())}

    def balances(self, as_of: date) -> dict[str, Money]:
        """Open balance of every invoice issued on or before ``as_of``, by id."""
        result: dict[str, Money] = {}
        inv_by = self._index.invoices_by_customer
        pay_by = self._index.payments_by_customer
        for cid in inv_by:
            result.update(_allocate(cid, inv_by[cid], pay_by.get(cid, ()), as_of).balances)
        return result

    def _applications(
        self, as_of: date
    ) -> Iterator[tuple[str, dict[str, Invoice], dict[str, Decimal], list[_Applied]]]:
        """Per customer with invoices: the allocation rule's raw result on ``as_of``.

        For the reports, which need open amounts and application dates of
        every invoice without the cost of :class:`CustomerPosition` objects.
        """
        pay_by = self._index.payments_by_customer
        for cid, invoices in self._index.invoices_by_customer.items():
            yield (cid, *_apply_payments(invoices, pay_by.get(cid, ()), as_of))

    def plan_state(self, plan_id: str, as_of: date) -> PlanState:
        """The state of a payment plan on ``as_of``."""
        plan = self._index.plans[plan_id]
        return plan.state(self._index.payments_by_customer.get(plan.customer_id, ()), as_of)


# One application of a payment or credit note: source id, invoice id (None for
# customer credit), amount, currency, the date the source was paid or issued, and
# whether it is an early-payment discount earned by that source (not money).
_Applied = tuple[str, str | None, Decimal, str, date, bool]


def _allocate(
    customer_id: str,
    invoices: Iterable[Invoice],
    payments: Iterable[Payment],
    as_of: date,
) -> CustomerPosition:
    """Allocate the customer's payments as of ``as_of``; see :class:`Ledger`."""
    targets, open_amount, applied = _apply_payments(invoices, payments, as_of)
    discount = AllocationKind.DISCOUNT
    allocations = tuple(
        Allocation(source, target, Money._trusted(amount, currency))
        if not is_discount
        else Allocation(source, target, Money._trusted(amount, currency), discount)
        for source, target, amount, currency, _, is_discount in applied
    )
    credit: dict[str, Money] = {}
    discounts: dict[str, Money] = {}
    for _, target, amount, currency, _, is_discount in applied:
        if target is None:
            prior = credit.get(currency)
            extra = Money._trusted(amount, currency)
            credit[currency] = extra if prior is None else prior + extra
        elif is_discount:
            discounts[target] = Money._trusted(amount, currency)
    balances = {
        iid: Money._trusted(open_amount[iid], inv.currency)
        for iid, inv in targets.items()
        if inv.issue_date <= as_of
    }
    return CustomerPosition(customer_id, as_of, balances, credit, allocations, discounts)


def _apply_payments(
    invoices: Iterable[Invoice],
    payments: Iterable[Payment],
    as_of: date,
) -> tuple[dict[str, Invoice], dict[str, Decimal], list[_Applied]]:
    """The allocation rule in Decimal arithmetic, without building result objects.

    Returns every invoice and deposit request by id (also those issued after
    ``as_of``), their open amounts, and the applications in the order made
    (an early-payment discount right after the application that earned it).
    """
    open_amount: dict[str, Decimal] = {}
    targets: dict[str, Invoice] = {}
    # Invoices with an early-payment discount: last day of the discount period,
    # the amount the applications within it must reach, and what they reached.
    window: dict[str, tuple[date, Decimal]] = {}
    within: dict[str, Decimal] = {}
    # date, rank (credit notes before payments on one date), id, target, amount, currency
    named: list[tuple[date, int, str, str, Decimal, str]] = []
    # order date, rank, id, amount, currency, date paid (named excess goes last)
    pool: list[tuple[date, int, str, Decimal, str, date]] = []
    credit_note = InvoiceKind.CREDIT_NOTE
    for inv in invoices:
        if inv.kind is credit_note:
            issued = inv.issue_date
            if issued <= as_of:
                money = inv.amount
                if inv.applies_to is not None:
                    named.append((issued, 0, inv.id, inv.applies_to, money.amount, money.currency))
                else:
                    pool.append((issued, 0, inv.id, money.amount, money.currency, issued))
            continue
        iid = inv.id
        targets[iid] = inv
        open_amount[iid] = inv.amount.amount
        terms = inv.terms
        if terms is not None and terms.discount_days is not None and inv.issue_date <= as_of:
            deadline = inv.issue_date + timedelta(days=terms.discount_days)
            window[iid] = (deadline, inv.amount.amount - terms.discount(inv.amount).amount)
            within[iid] = Decimal(0)
    for pay in payments:
        paid_on = pay.date
        if paid_on > as_of:
            continue
        money = pay.amount
        if pay.invoice_id is not None:
            named.append((paid_on, 1, pay.id, pay.invoice_id, money.amount, money.currency))
        else:
            pool.append((paid_on, 1, pay.id, money.amount, money.currency, paid_on))

    applied_list: list[_Applied] = []

    def discount(source: str, target: str, applied: Decimal, currency: str, on: date) -> None:
        """Grant the discount when ``applied`` brought the invoice within reach of it."""
        deadline, needed = window[target]
        if on <= deadline:
            reached = within[target] = within[target] + applied
            rest = open_amount[target]
            if rest and reached >= needed:
                open_amount[target] -= rest
                applied_list.append((source, target, rest, currency, on, True))

    named.sort()
    for paid_on, rank, source, target, amount, currency in named:
        owed = open_amount[target]
        applied = amount if amount <= owed else owed
        if applied:
            open_amount[target] -= applied
            applied_list.append((source, target, applied, currency, paid_on, False))
            if target in window:
                discount(source, target, applied, currency, paid_on)
        if amount - applied:
            pool.append((date.max, rank, source, amount - applied, currency, paid_on))

    if pool:
        pool.sort()
        base = sorted(
            (t for t in targets.values() if t.issue_date <= as_of),
            key=lambda t: (t.issue_date, t.due_date, t.id),
        )
        by_currency: dict[str, list[Invoice]] = {}
        for t in base:
            by_currency.setdefault(t.currency, []).append(t)
        disputes = any(t.dispute is not None for t in base)
        cursor: dict[str, int] = {}
        for _, _, source, amount, currency, paid_on in pool:
            queue = by_currency.get(currency, [])
            start = cursor.get(currency, 0)
            if disputes:
                # Judged on the payment's own date, so that a later date never
                # moves an earlier payment: invoices issued by then come first,
                # undisputed ones before disputed ones (stable: oldest first).
                queue = sorted(
                    queue[start:], key=lambda t: (t.issue_date > paid_on, t.disputed(paid_on))
                )
                start = 0
            remaining = amount
            pos = start
            while remaining and pos < len(queue):
                tid = queue[pos].id
                applied = min(remaining, open_amount[tid])
                if applied:
                    open_amount[tid] -= applied
                    remaining -= applied
                    applied_list.append((source, tid, applied, currency, paid_on, False))
                    if tid in window:
                        discount(source, tid, applied, currency, paid_on)
                if not open_amount[tid]:
                    pos += 1
            if not disputes:
                cursor[currency] = pos
            if remaining:
                applied_list.append((source, None, remaining, currency, paid_on, False))
    return targets, open_amount, applied_list
