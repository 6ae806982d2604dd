"""Hypothesis strategies for arpolicy's domain types.

One public strategy per type, with plural names (:func:`invoices`,
:func:`ledgers` ...) and keyword-only overrides. Every field is drawn from an
explicit strategy, and examples shrink toward small readable values: few
records, ids such as ``"C1"`` and ``"I1"``, whole amounts, early dates, no
optional parts.

An override named in the singular (``currency``, ``customer_id``) takes a
plain value or a strategy; one named in the plural (``ids``, ``dates``,
``profiles``) takes a strategy.

This module imports Hypothesis; install the ``testing`` extra to use it.

>>> from hypothesis import given, settings
>>> @settings(max_examples=10, database=None)
... @given(ledgers(max_customers=2, currencies=("EUR", "JPY")))
... def check(ledger):
...     for customer in ledger.customers:
...         ledger.position(customer.id, date(2026, 6, 30))
>>> check()
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import lru_cache
from typing import TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from arpolicy.model import (
    Contacts,
    Customer,
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
    Profile,
    Trial,
    TrialKind,
)
from arpolicy.money import Money, check_currency, minor_unit

__all__ = [
    "contacts",
    "currencies",
    "customers",
    "invoices",
    "ledgers",
    "money",
    "payment_plans",
    "payment_terms",
    "payments",
    "trials",
]

_T = TypeVar("_T")

CURRENCIES: tuple[str, ...] = ("EUR", "JPY", "KWD", "GBP")
"""The currencies :func:`currencies` draws from: 2, 0, 3 and 2 decimals."""

DEFAULT_START = date(2025, 1, 1)
"""Earliest date drawn unless a strategy says otherwise."""
DEFAULT_END = date(2026, 12, 31)
"""Latest date drawn unless a strategy says otherwise."""

_DEFAULT_MAX = Decimal(1_000_000)
_LEDGER_MAX = Decimal(10_000)


def _as_strategy(
    value: _T | st.SearchStrategy[_T] | None, default: st.SearchStrategy[_T]
) -> st.SearchStrategy[_T]:
    if value is None:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    return st.just(value)


def _ids(prefix: str) -> st.SearchStrategy[str]:
    return st.integers(1, 9999).map(lambda n: f"{prefix}{n}")


def _days(start: date, end: date) -> st.SearchStrategy[date]:
    if start > end:
        raise InvalidArgument(f"start={start!r} is after end={end!r}")
    return st.dates(start, end)


def _optional(strategy: st.SearchStrategy[_T]) -> st.SearchStrategy[_T | None]:
    # ``None`` first, so that examples shrink toward "absent".
    return st.none() | strategy


def _plus_days(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max


# Field strategies, built once: building strategies inside draws is slow.
_DEFAULT_DAYS = st.dates(DEFAULT_START, DEFAULT_END)
_NAMES = st.sampled_from(("Acme B.V.", "Jansen", "Gemeente Ergens", "Müller GmbH"))
_PROFILES = st.sampled_from(Profile)
_COUNTRIES = st.sampled_from(("NL", "DE", "BE", "FR", "AT", "GB", "US", "JP", "KW"))
_LANGUAGES = st.sampled_from(("en", "nl", "de", "fr", "de-AT", "ja"))
_TIMEZONES = st.sampled_from(
    ("UTC", "Europe/Amsterdam", "Europe/Berlin", "America/New_York", "Asia/Tokyo")
)
_TAGS = st.frozensets(
    st.sampled_from(("vip", "new", "risky", "reseller", "public-sector")), max_size=2
)
_REASONS = st.sampled_from(
    ("promise to pay", "in negotiation", "bankruptcy", "wrong amount", "goods damaged")
)
_EMAILS = st.builds(
    "{}@{}".format,
    st.sampled_from(("info", "billing", "jan", "accounts.payable")),
    st.sampled_from(("example.com", "example.nl")),
)
_PHONES = st.integers(10_000_000, 999_999_999_999).map(lambda n: f"+{n}")
_ADDRESSES = st.sampled_from(("Dorpsstraat 1, 1234 AB Ergens", "Hauptstraße 5, 10115 Berlin"))
_NET_DAYS = st.sampled_from((30, 14, 0, 7, 60, 90)) | st.integers(0, 120)
_DUE_OFFSETS = st.sampled_from((30, 14, 0)) | st.integers(0, 90)
_UP_TO_30 = st.integers(0, 30)
_UP_TO_60 = st.integers(0, 60)
_MAYBE_UP_TO_60 = _optional(_UP_TO_60)
_MAYBE_UP_TO_90 = _optional(st.integers(0, 90))
_MAYBE_REF = _optional(st.integers(1, 999))
_MAYBE_TRIAL_LENGTH = _optional(st.sampled_from((30, 14)) | st.integers(0, 365))
_TRIAL_KINDS = st.sampled_from(TrialKind)
_TRIAL_TEXTS = st.sampled_from(("", "free month", "100 free messages"))
_METHODS = st.sampled_from(PaymentMethod)
_INVOICE_KINDS = st.sampled_from(InvoiceKind)
_INSTALMENT_COUNTS = st.integers(1, 6)
_INSTALMENT_GAPS = st.sampled_from((30, 7)) | st.integers(1, 60)
_GRACE_DAYS = st.integers(0, 14)
_BOOLEANS = st.booleans()


# ---------------------------------------------------------------------------
# money
# ---------------------------------------------------------------------------


def currencies() -> st.SearchStrategy[str]:
    """ISO 4217 codes with different minor units: EUR, JPY, KWD and GBP.

    Shrinks toward ``"EUR"``.

    Returns:
        A strategy of currency codes.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(currencies())
    ... def check(code):
    ...     assert code in {"EUR", "JPY", "KWD", "GBP"}
    >>> check()
    """
    return _CURRENCIES


_CURRENCIES = st.sampled_from(CURRENCIES)


def _bound(value: Money | Decimal | int | str, code: str, rounding: str) -> int:
    """``value`` in minor units of ``code``, rounded toward the inside of a range."""
    if isinstance(value, Money):
        if value.currency != code:
            raise InvalidArgument(f"bound {value!r} is not in {code}")
        return value.minor_units
    amount = value if isinstance(value, Decimal) else Decimal(value)
    return int(amount.scaleb(minor_unit(code)).to_integral_value(rounding=rounding))


@lru_cache(maxsize=256)
def _money_in(
    code: str,
    min_value: Money | Decimal | int | str | None,
    max_value: Money | Decimal | int | str | None,
) -> st.SearchStrategy[Money]:
    check_currency(code)
    exp = minor_unit(code)
    lo = 1 if min_value is None else _bound(min_value, code, ROUND_CEILING)
    hi = _bound(_DEFAULT_MAX if max_value is None else max_value, code, ROUND_FLOOR)
    if lo > hi:
        raise InvalidArgument(f"min_value={min_value!r} is above max_value={max_value!r}")
    exact = st.integers(lo, hi).map(lambda units: Money.from_minor(units, code))
    step = 10**exp
    whole_lo, whole_hi = -(-lo // step), hi // step
    if whole_lo > whole_hi:
        return exact
    # Whole amounts first: examples shrink toward "1.00" rather than "0.01".
    # (Same shape for every currency, so that a mix shrinks toward the first.)
    whole = st.integers(whole_lo, whole_hi).map(lambda units: Money(units, code))
    return whole | exact


def money(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    min_value: Money | Decimal | int | str | None = None,
    max_value: Money | Decimal | int | str | None = None,
) -> st.SearchStrategy[Money]:
    """Amounts of money, quantized to the currency's minor unit.

    Args:
        currency: a code or a strategy of codes; default :func:`currencies`.
        min_value: smallest amount (in major units, or a :class:`Money` of
            the same currency); default one minor unit, so amounts are
            positive unless you pass ``0`` or less.
        max_value: largest amount; default 1,000,000.

    Returns:
        A strategy of :class:`~arpolicy.money.Money`, shrinking toward whole
        amounts near ``min_value``.

    Raises:
        InvalidArgument: ``min_value`` is above ``max_value``, or a
            :class:`Money` bound is in another currency.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(money(currency="JPY", min_value=100, max_value=5000))
    ... def check(amount):
    ...     assert amount.currency == "JPY" and 100 <= amount.amount <= 5000
    >>> check()
    """
    if isinstance(currency, str):
        return _money_in(currency, min_value, max_value)
    return _as_strategy(currency, _CURRENCIES).flatmap(
        lambda code: _money_in(code, min_value, max_value)
    )


# ---------------------------------------------------------------------------
# terms, contacts, customers
# ---------------------------------------------------------------------------


def _percentages(lo: int, hi: int) -> st.SearchStrategy[Decimal]:
    # Tenths of a percent, e.g. "2", "2.5", "33.3"; ``lo`` and ``hi`` in tenths.
    return st.integers(lo, hi).map(lambda n: Decimal(n).scaleb(-1).normalize())


_MAYBE_DISCOUNT = _optional(_percentages(5, 100))
_MAYBE_DEPOSIT = _optional(_percentages(10, 1000))
_NET_MONTHS = st.integers(0, 3)
_END_OF_MONTH = st.sampled_from(EndOfMonth)


@st.composite
def _payment_terms(draw: st.DrawFn) -> PaymentTerms:
    net_days = draw(_NET_DAYS)
    net_months = draw(_NET_MONTHS)
    end_of_month = draw(_END_OF_MONTH)
    discount_percent = draw(_MAYBE_DISCOUNT)
    discount_days = None if discount_percent is None else draw(_UP_TO_30)
    return PaymentTerms(
        net_days=net_days,
        net_months=net_months,
        end_of_month=end_of_month,
        discount_percent=discount_percent,
        discount_days=discount_days,
        deposit_percent=draw(_MAYBE_DEPOSIT),
    )


_PAYMENT_TERMS = _payment_terms()
_MAYBE_TERMS = _optional(_PAYMENT_TERMS)


def payment_terms() -> st.SearchStrategy[PaymentTerms]:
    """Payment terms: net days and months, end of month, discount, deposit.

    Shrinks toward "net 30" without discount or deposit.

    Returns:
        A strategy of :class:`~arpolicy.model.PaymentTerms`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(payment_terms())
    ... def check(terms):
    ...     assert terms.due_date(date(2026, 1, 31)) >= date(2026, 1, 31)
    >>> check()
    """
    return _PAYMENT_TERMS


_CONTACTS = st.builds(
    Contacts,
    email=_optional(_EMAILS),
    phone=_optional(_PHONES),
    address=_optional(_ADDRESSES),
    whatsapp=_optional(_PHONES),
)


def contacts() -> st.SearchStrategy[Contacts]:
    """Contact details; each of e-mail, phone, address and WhatsApp may be absent.

    Returns:
        A strategy of :class:`~arpolicy.model.Contacts`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(contacts())
    ... def check(found):
    ...     assert found.email is None or "@" in found.email
    >>> check()
    """
    return _CONTACTS


_MAYBE_BLOCK = _optional(st.builds(DunningBlock, reason=_REASONS, until=_optional(_DEFAULT_DAYS)))


def customers(
    *,
    ids: st.SearchStrategy[str] | None = None,
    profiles: st.SearchStrategy[Profile] | None = None,
    countries: st.SearchStrategy[str] | None = None,
    currency: str | st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Customer]:
    """Customers with valid country, language, time zone, tags and block.

    Args:
        ids: strategy of customer ids; default ``"C1"``, ``"C2"`` ...
        profiles: strategy of :class:`~arpolicy.model.Profile`; default all.
        countries: strategy of ISO 3166-1 alpha-2 codes; default a few
            European countries, the US, Japan and Kuwait.
        currency: currency of the optional credit limit; default
            :func:`currencies`.

    Returns:
        A strategy of :class:`~arpolicy.model.Customer`.

    >>> from hypothesis import given, settings
    >>> from hypothesis import strategies as st
    >>> @settings(max_examples=10, database=None)
    ... @given(customers(profiles=st.just(Profile.PRIVATE), countries=st.just("NL")))
    ... def check(customer):
    ...     assert customer.profile is Profile.PRIVATE and customer.country == "NL"
    >>> check()
    """
    return st.builds(
        Customer,
        id=_as_strategy(ids, _ids("C")),
        name=_NAMES,
        profile=_as_strategy(profiles, _PROFILES),
        country=_as_strategy(countries, _COUNTRIES),
        language=_LANGUAGES,
        timezone=_TIMEZONES,
        contacts=_CONTACTS,
        credit_limit=_optional(money(currency=currency, min_value=0, max_value=100_000)),
        tags=_TAGS,
        block=_MAYBE_BLOCK,
    )


# ---------------------------------------------------------------------------
# invoices, payments, trials
# ---------------------------------------------------------------------------


def _draw_invoice(
    draw: st.DrawFn,
    *,
    invoice_id: str,
    customer_id: str,
    kind: InvoiceKind,
    amounts: st.SearchStrategy[Money],
    dates: st.SearchStrategy[date],
) -> Invoice:
    issued = draw(dates)
    terms = draw(_MAYBE_TERMS)
    due = terms.due_date(issued) if terms else _plus_days(issued, draw(_DUE_OFFSETS))
    dispute = None
    if kind is not InvoiceKind.CREDIT_NOTE and draw(_BOOLEANS):
        opened = _plus_days(issued, draw(_UP_TO_60))
        resolved = draw(_MAYBE_UP_TO_60)
        dispute = Dispute(
            opened_on=opened,
            reason=draw(_REASONS),
            resolved_on=None if resolved is None else _plus_days(opened, resolved),
        )
    hold = draw(_MAYBE_UP_TO_90)
    reference = draw(_MAYBE_REF)
    return Invoice(
        invoice_id,
        customer_id,
        issued,
        due,
        draw(amounts),
        kind=kind,
        terms=terms,
        dispute=dispute,
        on_hold_until=None if hold is None else _plus_days(issued, hold),
        reference=None if reference is None else f"PO-{reference}",
        payment_link=f"https://pay.example.com/{invoice_id}" if draw(_BOOLEANS) else None,
    )


@st.composite
def _invoices(
    draw: st.DrawFn,
    *,
    ids: st.SearchStrategy[str],
    customer_ids: st.SearchStrategy[str],
    kinds: st.SearchStrategy[InvoiceKind],
    amounts: st.SearchStrategy[Money],
    dates: st.SearchStrategy[date],
) -> Invoice:
    return _draw_invoice(
        draw,
        invoice_id=draw(ids),
        customer_id=draw(customer_ids),
        kind=draw(kinds),
        amounts=amounts,
        dates=dates,
    )


def invoices(
    *,
    ids: st.SearchStrategy[str] | None = None,
    customer_id: str | st.SearchStrategy[str] | None = None,
    currency: str | st.SearchStrategy[str] | None = None,
    dates: st.SearchStrategy[date] | None = None,
    kinds: st.SearchStrategy[InvoiceKind] | None = None,
    amounts: st.SearchStrategy[Money] | None = None,
) -> st.SearchStrategy[Invoice]:
    """Invoices, deposit requests and credit notes (without ``applies_to``).

    The due date follows from drawn :func:`payment_terms` or lies 0-90 days
    after the issue date; disputes and holds start on or after issue.

    Args:
        ids: strategy of invoice ids; default ``"I1"``, ``"I2"`` ...
        customer_id: a customer id or strategy of ids; default ``"C1"`` ...
        currency: a code or strategy of codes; default :func:`currencies`.
            Ignored when ``amounts`` is given.
        dates: strategy of issue dates; default 2025-01-01 to 2026-12-31.
        kinds: strategy of :class:`~arpolicy.model.InvoiceKind`; default all.
        amounts: strategy of amounts; default positive :func:`money`.

    Returns:
        A strategy of :class:`~arpolicy.model.Invoice`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(invoices(customer_id="C7", currency="KWD"))
    ... def check(invoice):
    ...     assert invoice.customer_id == "C7" and invoice.currency == "KWD"
    ...     assert invoice.due_date >= invoice.issue_date
    >>> check()
    """
    return _invoices(
        ids=_as_strategy(ids, _ids("I")),
        customer_ids=_as_strategy(customer_id, _ids("C")),
        kinds=_as_strategy(kinds, _INVOICE_KINDS),
        amounts=_as_strategy(amounts, money(currency=currency)),
        dates=_as_strategy(dates, _DEFAULT_DAYS),
    )


def _draw_payment(
    draw: st.DrawFn,
    *,
    payment_id: str,
    customer_id: str,
    amount: Money,
    dates: st.SearchStrategy[date],
    invoice_id: str | None,
) -> Payment:
    paid_on = draw(dates)
    method = draw(_METHODS)
    reference = draw(_MAYBE_REF)
    return Payment(
        payment_id,
        customer_id,
        paid_on,
        amount,
        method=method,
        invoice_id=invoice_id,
        reference=None if reference is None else f"REF-{reference}",
    )


@st.composite
def _payments(
    draw: st.DrawFn,
    *,
    ids: st.SearchStrategy[str],
    customer_ids: st.SearchStrategy[str],
    amounts: st.SearchStrategy[Money],
    dates: st.SearchStrategy[date],
    invoice_ids: st.SearchStrategy[str | None],
) -> Payment:
    return _draw_payment(
        draw,
        payment_id=draw(ids),
        customer_id=draw(customer_ids),
        amount=draw(amounts),
        dates=dates,
        invoice_id=draw(invoice_ids),
    )


def payments(
    *,
    ids: st.SearchStrategy[str] | None = None,
    customer_id: str | st.SearchStrategy[str] | None = None,
    currency: str | st.SearchStrategy[str] | None = None,
    dates: st.SearchStrategy[date] | None = None,
    invoice_ids: st.SearchStrategy[str | None] | None = None,
    amounts: st.SearchStrategy[Money] | None = None,
) -> st.SearchStrategy[Payment]:
    """Payments of a positive amount, by any method.

    Args:
        ids: strategy of payment ids; default ``"P1"``, ``"P2"`` ...
        customer_id: a customer id or strategy of ids; default ``"C1"`` ...
        currency: a code or strategy of codes; default :func:`currencies`.
            Ignored when ``amounts`` is given.
        dates: strategy of payment dates; default 2025-01-01 to 2026-12-31.
        invoice_ids: strategy of the named invoice id or ``None``; default
            always ``None`` (unnamed payments).
        amounts: strategy of amounts; default positive :func:`money`.

    Returns:
        A strategy of :class:`~arpolicy.model.Payment`.

    >>> from hypothesis import given, settings
    >>> from hypothesis import strategies as st
    >>> @settings(max_examples=10, database=None)
    ... @given(payments(currency="EUR", invoice_ids=st.just("I1")))
    ... def check(payment):
    ...     assert payment.amount.is_positive() and payment.invoice_id == "I1"
    >>> check()
    """
    return _payments(
        ids=_as_strategy(ids, _ids("P")),
        customer_ids=_as_strategy(customer_id, _ids("C")),
        amounts=_as_strategy(amounts, money(currency=currency)),
        dates=_as_strategy(dates, _DEFAULT_DAYS),
        invoice_ids=_as_strategy(invoice_ids, st.none()),
    )


def _draw_trial(
    draw: st.DrawFn, *, trial_id: str, customer_id: str, dates: st.SearchStrategy[date]
) -> Trial:
    ends = draw(dates)
    length = draw(_MAYBE_TRIAL_LENGTH)
    starts = None if length is None else ends - timedelta(days=min(length, ends.toordinal() - 1))
    return Trial(
        trial_id,
        customer_id,
        ends,
        starts=starts,
        kind=draw(_TRIAL_KINDS),
        description=draw(_TRIAL_TEXTS),
    )


@st.composite
def _trials(
    draw: st.DrawFn,
    *,
    ids: st.SearchStrategy[str],
    customer_ids: st.SearchStrategy[str],
    dates: st.SearchStrategy[date],
) -> Trial:
    return _draw_trial(draw, trial_id=draw(ids), customer_id=draw(customer_ids), dates=dates)


def trials(
    *,
    ids: st.SearchStrategy[str] | None = None,
    customer_id: str | st.SearchStrategy[str] | None = None,
    dates: st.SearchStrategy[date] | None = None,
) -> st.SearchStrategy[Trial]:
    """Free trials and allowances; ``starts`` (when given) is on or before ``ends``.

    Args:
        ids: strategy of trial ids; default ``"T1"``, ``"T2"`` ...
        customer_id: a customer id or strategy of ids; default ``"C1"`` ...
        dates: strategy of end dates; default 2025-01-01 to 2026-12-31.

    Returns:
        A strategy of :class:`~arpolicy.model.Trial`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(trials(customer_id="C1"))
    ... def check(trial):
    ...     assert trial.starts is None or trial.starts <= trial.ends
    >>> check()
    """
    return _trials(
        ids=_as_strategy(ids, _ids("T")),
        customer_ids=_as_strategy(customer_id, _ids("C")),
        dates=_as_strategy(dates, _DEFAULT_DAYS),
    )


# ---------------------------------------------------------------------------
# payment plans
# ---------------------------------------------------------------------------


def _draw_plan(
    draw: st.DrawFn,
    *,
    plan_id: str,
    customer_id: str,
    invoice_ids: Sequence[str],
    amounts: st.SearchStrategy[Money],
    agreed: st.SearchStrategy[date],
) -> PaymentPlan:
    agreed_on = draw(agreed)
    due = _plus_days(agreed_on, draw(_UP_TO_30))
    instalments = []
    for _ in range(draw(_INSTALMENT_COUNTS)):
        instalments.append(Instalment(due, draw(amounts)))
        due = _plus_days(due, draw(_INSTALMENT_GAPS))
    return PaymentPlan(
        plan_id,
        customer_id,
        tuple(invoice_ids),
        instalments,
        agreed_on,
        grace_days=draw(_GRACE_DAYS),
    )


@st.composite
def _payment_plans(
    draw: st.DrawFn,
    *,
    ids: st.SearchStrategy[str],
    customer_ids: st.SearchStrategy[str],
    currencies: st.SearchStrategy[str],
    invoice_ids: st.SearchStrategy[Sequence[str]],
    agreed: st.SearchStrategy[date],
) -> PaymentPlan:
    return _draw_plan(
        draw,
        plan_id=draw(ids),
        customer_id=draw(customer_ids),
        invoice_ids=draw(invoice_ids),
        amounts=money(currency=draw(currencies), max_value=_LEDGER_MAX),
        agreed=agreed,
    )


def payment_plans(
    *,
    ids: st.SearchStrategy[str] | None = None,
    customer_id: str | st.SearchStrategy[str] | None = None,
    currency: str | st.SearchStrategy[str] | None = None,
    invoice_ids: Sequence[str] | st.SearchStrategy[Sequence[str]] | None = None,
    agreed_on: st.SearchStrategy[date] | None = None,
) -> st.SearchStrategy[PaymentPlan]:
    """Payment plans of 1-6 instalments on distinct dates from ``agreed_on``.

    A plan with one instalment is a promise to pay. Instalments are at most
    10,000 each.

    Args:
        ids: strategy of plan ids; default ``"PL1"``, ``"PL2"`` ...
        customer_id: a customer id or strategy of ids; default ``"C1"`` ...
        currency: a code or strategy of codes; default :func:`currencies`.
        invoice_ids: the covered invoice ids, or a strategy of such
            sequences; default 1-3 distinct ids ``"I1"`` ...
        agreed_on: strategy of agreement dates; default 2025-01-01 to
            2026-12-31.

    Returns:
        A strategy of :class:`~arpolicy.model.PaymentPlan`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(payment_plans(currency="GBP", invoice_ids=("I1", "I2")))
    ... def check(plan):
    ...     assert plan.currency == "GBP" and plan.invoice_ids == ("I1", "I2")
    ...     assert plan.instalments[0].due_date >= plan.agreed_on
    >>> check()
    """
    return _payment_plans(
        ids=_as_strategy(ids, _ids("PL")),
        customer_ids=_as_strategy(customer_id, _ids("C")),
        currencies=_as_strategy(currency, _CURRENCIES),
        invoice_ids=_as_strategy(
            invoice_ids, st.lists(_ids("I"), min_size=1, max_size=3, unique=True)
        ),
        agreed=_as_strategy(agreed_on, _DEFAULT_DAYS),
    )


# ---------------------------------------------------------------------------
# ledgers
# ---------------------------------------------------------------------------


_MAYBE_INDEX = _optional(st.integers(0, 63))


def _link(invoice_id: str) -> str:
    return f"https://pay.example.com/{invoice_id}"


@st.composite
def _invoice_rows(
    draw: st.DrawFn,
    *,
    who: st.SearchStrategy[int],
    codes: st.SearchStrategy[str],
    days: st.SearchStrategy[date],
) -> tuple[int, Invoice, int | None]:
    """A customer index, an invoice with placeholder ids, and a target index."""
    customer = draw(who)
    kind = draw(_INVOICE_KINDS)
    bill = _draw_invoice(
        draw,
        invoice_id="I0",
        customer_id="C0",
        kind=kind,
        amounts=money(currency=draw(codes), max_value=_LEDGER_MAX),
        dates=days,
    )
    return customer, bill, draw(_MAYBE_INDEX) if kind is InvoiceKind.CREDIT_NOTE else None


@st.composite
def _payment_rows(
    draw: st.DrawFn,
    *,
    who: st.SearchStrategy[int],
    codes: st.SearchStrategy[str],
    days: st.SearchStrategy[date],
) -> tuple[int, Payment, int | None, int | None]:
    """A customer index, a payment with placeholder ids, the index of the
    invoice it names and the index of an invoice whose amount it pays."""
    customer = draw(who)
    amount = draw(money(currency=draw(codes), max_value=_LEDGER_MAX))
    payment = _draw_payment(
        draw, payment_id="P0", customer_id="C0", amount=amount, dates=days, invoice_id=None
    )
    return customer, payment, draw(_MAYBE_INDEX), draw(_MAYBE_INDEX)


@attrs.frozen
class _LedgerSpec:
    customers: st.SearchStrategy[list[Customer]]
    invoices: st.SearchStrategy[list[tuple[int, Invoice, int | None]]]
    payments: st.SearchStrategy[list[tuple[int, Payment, int | None, int | None]]]
    days: st.SearchStrategy[date]
    with_plans: bool
    with_trials: bool


def _coin(draw: st.DrawFn) -> bool:
    return draw(_BOOLEANS)


def _pick(draw: st.DrawFn, items: Sequence[_T]) -> _T:
    """One of ``items``, shrinking toward the first."""
    return items[draw(st.integers(0, len(items) - 1))]


@st.composite
def _ledgers(draw: st.DrawFn, spec: _LedgerSpec) -> Ledger:
    # Records are drawn as lists with placeholder ids and renumbered, so that
    # the shrinker can delete any of them; references are drawn as indexes.
    people = [
        attrs.evolve(person, id=f"C{n}") for n, person in enumerate(draw(spec.customers), start=1)
    ]
    count = len(people)

    # A credit note may correct an earlier invoice of its customer and currency.
    bills: list[Invoice] = []
    payable: dict[tuple[str, str], list[Invoice]] = {}
    for n, (who, row, target) in enumerate(draw(spec.invoices), start=1):
        cid = f"C{who % count + 1}"
        same = payable.get((cid, row.currency), [])
        bill = attrs.evolve(
            row,
            id=f"I{n}",
            customer_id=cid,
            applies_to=same[target % len(same)].id if same and target is not None else None,
            payment_link=None if row.payment_link is None else _link(f"I{n}"),
        )
        if not bill.is_credit:
            payable.setdefault((cid, bill.currency), []).append(bill)
        bills.append(bill)

    # A named payment pays an invoice of its customer and currency; amounts
    # often equal an invoice's so that invoices get paid in full.
    paid: list[Payment] = []
    for n, (who, payment, named, match) in enumerate(draw(spec.payments), start=1):
        cid = f"C{who % count + 1}"
        same = payable.get((cid, payment.currency), [])
        amount = payment.amount
        if same and match is not None and same[match % len(same)].amount.is_positive():
            amount = same[match % len(same)].amount
        paid.append(
            attrs.evolve(
                payment,
                id=f"P{n}",
                customer_id=cid,
                amount=amount,
                invoice_id=same[named % len(same)].id if same and named is not None else None,
            )
        )

    # Drawn last, so that shrinking them leaves the records above alone.
    plans: list[PaymentPlan] = []
    groups = sorted(payable)
    while spec.with_plans and groups and len(plans) < 3 and _coin(draw):
        cid, code = _pick(draw, groups)
        choices = [bill.id for bill in payable[(cid, code)]]
        covered = draw(st.sets(st.sampled_from(choices), min_size=1))
        plans.append(
            _draw_plan(
                draw,
                plan_id=f"PL{len(plans) + 1}",
                customer_id=cid,
                invoice_ids=[iid for iid in choices if iid in covered],
                amounts=money(currency=code, max_value=_LEDGER_MAX),
                agreed=spec.days,
            )
        )

    free: list[Trial] = []
    while spec.with_trials and len(free) < count and _coin(draw):
        free.append(
            _draw_trial(
                draw,
                trial_id=f"T{len(free) + 1}",
                customer_id=f"C{draw(st.integers(1, count))}",
                dates=spec.days,
            )
        )

    return Ledger(people, bills, paid, plans, free)


def ledgers(
    *,
    min_customers: int = 1,
    max_customers: int = 5,
    max_invoices: int = 20,
    max_payments: int = 20,
    currencies: Sequence[str] = ("EUR",),
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    with_plans: bool = True,
    with_trials: bool = True,
) -> st.SearchStrategy[Ledger]:
    """Valid ledgers whose records refer to each other consistently.

    Customers are ``"C1"`` ... ``"Cn"``, invoices ``"I1"`` ..., payments
    ``"P1"`` ..., plans ``"PL1"`` ... and trials ``"T1"`` ... A payment names
    an invoice of its own customer and currency, or none; a credit note may
    apply to an earlier invoice of its customer and currency; a plan covers
    invoices of its customer in the plan currency. Issue, payment,
    agreement and trial end dates lie between ``start`` and ``end``; amounts
    are at most 10,000. Examples shrink toward one customer, few records
    and whole amounts.

    Args:
        min_customers: fewest customers (at least 1).
        max_customers: most customers.
        max_invoices: most invoices, deposit requests and credit notes.
        max_payments: most payments.
        currencies: the currencies invoices and payments use; pass several
            with different minor units (``("EUR", "JPY", "KWD")``) to test
            currency handling. Shrinks toward the first.
        start: earliest date drawn.
        end: latest date drawn.
        with_plans: also draw payment plans.
        with_trials: also draw trials and free allowances.

    Returns:
        A strategy of :class:`~arpolicy.model.Ledger`.

    Raises:
        InvalidArgument: a bound is inconsistent.
        UnknownCurrencyError: a currency is not an ISO 4217 code.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(ledgers(max_customers=2, max_invoices=5, currencies=("EUR", "KWD")))
    ... def check(ledger):
    ...     assert 1 <= len(ledger.customers) <= 2
    ...     assert set(ledger.currencies()) <= {"EUR", "KWD"}
    >>> check()
    """
    codes = tuple(currencies)
    if not codes:
        raise InvalidArgument("currencies must name at least one currency")
    for code in codes:
        check_currency(code)
    if min_customers < 1 or max_customers < min_customers:
        raise InvalidArgument(
            f"need 1 <= min_customers <= max_customers, got {min_customers}, {max_customers}"
        )
    if max_invoices < 0 or max_payments < 0:
        raise InvalidArgument("max_invoices and max_payments must be >= 0")
    days = _days(start, end)
    pick_code = st.sampled_from(codes)
    who = st.integers(0, max_customers - 1)
    return _ledgers(
        _LedgerSpec(
            customers=st.lists(
                customers(ids=st.just("C0"), currency=codes[0]),
                min_size=min_customers,
                max_size=max_customers,
            ),
            invoices=st.lists(
                _invoice_rows(who=who, codes=pick_code, days=days), max_size=max_invoices
            ),
            payments=st.lists(
                _payment_rows(who=who, codes=pick_code, days=days), max_size=max_payments
            ),
            days=days,
            with_plans=with_plans,
            with_trials=with_trials,
        )
    )
