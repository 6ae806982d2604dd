"""Hypothesis strategies for arpolicy's domain types.

One public strategy per type, with plural names (:func:`invoices`,
:func:`ledgers` ...) and keyword-only overrides. Every field is drawn from an
explicit strategy, and examples shrink toward small readable values: few
records, ids such as ``"C1"`` and ``"I1"``, whole amounts, early dates, no
optional parts.

An override named in the singular (``currency``, ``customer_id``) takes a
plain value or a strategy; one named in the plural (``ids``, ``dates``)
takes a strategy, except ``profiles`` and ``countries``, which also take a
sequence of values to choose from, and ``currencies``, ``channels``,
``calendars`` and ``anchors``, which take a sequence. Sizes are bounds such
as ``max_customers`` or ``max_steps``; dates are ``start`` and ``end``
bounds or a ``dates`` strategy.

Policies, steps and playbooks: :func:`policies` and :func:`playbooks` draw
ladders that :func:`arpolicy.lint.lint` finds no error in, and
:func:`histories` draws what a host carried out for a given ledger and
playbook.

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
import iso3166
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from arpolicy.actions import Action, HistoryEntry, HistoryStatus
from arpolicy.engine import simulate
from arpolicy.errors import InvalidFieldError
from arpolicy.fees import (
    CollectionCosts,
    Fee,
    FeeBasis,
    FeeCaps,
    FeeRule,
    FixedCompensation,
    StatutoryInterest,
    Tier,
    TieredFee,
)
from arpolicy.law import RateBook
from arpolicy.lint import deadline_overlap
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
from arpolicy.plugins import Plugins
from arpolicy.policy import (
    Anchor,
    CalendarRule,
    CatchUp,
    EndBehaviour,
    Grouping,
    Playbook,
    Policy,
    Step,
    Tone,
)

__all__ = [
    "contacts",
    "currencies",
    "customers",
    "fee_rules",
    "histories",
    "invoices",
    "ledgers",
    "money",
    "payment_plans",
    "payment_terms",
    "payments",
    "playbooks",
    "policies",
    "steps",
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
COUNTRIES: tuple[str, ...] = ("NL", "DE", "BE", "FR", "AT", "GB", "US", "JP", "KW")
"""The countries :func:`customers` draws from: countries with and without a
jurisdiction pack and business calendars on three continents."""
_COUNTRIES = st.sampled_from(COUNTRIES)
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


def _profile_strategy(
    values: Sequence[Profile | str] | st.SearchStrategy[Profile] | None,
) -> st.SearchStrategy[Profile]:
    if values is None:
        return _PROFILES
    if isinstance(values, st.SearchStrategy):
        return values
    chosen = _profile_set(values)
    if not chosen:
        raise InvalidArgument("profiles must name at least one profile")
    return st.sampled_from(chosen)


def _country_strategy(
    values: Sequence[str] | st.SearchStrategy[str] | None,
) -> st.SearchStrategy[str]:
    if values is None:
        return _COUNTRIES
    if isinstance(values, st.SearchStrategy):
        return values
    codes = (values,) if isinstance(values, str) else tuple(dict.fromkeys(values))
    if not codes:
        raise InvalidArgument("countries must name at least one country")
    for code in codes:
        if code not in iso3166.countries_by_alpha2:
            raise InvalidArgument(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return st.sampled_from(codes)


def customers(
    *,
    ids: st.SearchStrategy[str] | None = None,
    profiles: Sequence[Profile | str] | st.SearchStrategy[Profile] | None = None,
    countries: Sequence[str] | st.SearchStrategy[str] | None = None,
    currency: str | st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Customer]:
    """Customers with valid country, language, time zone, tags and block.

    Args:
        ids: strategy of customer ids; default ``"C1"``, ``"C2"`` ...
        profiles: the profiles to draw from (:class:`~arpolicy.model.Profile`
            or their names, shrinking toward the first) or a strategy of
            profiles; default all.
        countries: the ISO 3166-1 alpha-2 codes to draw from (shrinking
            toward the first) or a strategy of codes; default
            :data:`COUNTRIES` (European countries, the US, Japan, Kuwait).
        currency: currency of the optional credit limit; default
            :func:`currencies`.

    Returns:
        A strategy of :class:`~arpolicy.model.Customer`.

    Raises:
        InvalidArgument: an empty sequence, an unknown profile or a code
            that is not an ISO 3166-1 alpha-2 code.

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
        profile=_profile_strategy(profiles),
        country=_country_strategy(countries),
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
    # Drawn for every kind, so that every kind draws the same way and the
    # shrinker can move from a credit note to a plain invoice.
    disputed = draw(_BOOLEANS)
    if kind is not InvoiceKind.CREDIT_NOTE and disputed:
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
    counts: st.SearchStrategy[int] = _INSTALMENT_COUNTS,
) -> PaymentPlan:
    agreed_on = draw(agreed)
    due = _plus_days(agreed_on, draw(_UP_TO_30))
    instalments = []
    for _ in range(draw(counts)):
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
    counts: st.SearchStrategy[int],
) -> PaymentPlan:
    return _draw_plan(
        draw,
        plan_id=draw(ids),
        customer_id=draw(customer_ids),
        invoice_ids=draw(invoice_ids),
        amounts=money(currency=draw(currencies), max_value=_LEDGER_MAX),
        agreed=agreed,
        counts=counts,
    )


def payment_plans(
    *,
    ids: st.SearchStrategy[str] | None = None,
    customer_id: str | st.SearchStrategy[str] | None = None,
    currency: str | st.SearchStrategy[str] | None = None,
    invoice_ids: Sequence[str] | st.SearchStrategy[Sequence[str]] | None = None,
    agreed_on: st.SearchStrategy[date] | None = None,
    max_instalments: int = 6,
) -> st.SearchStrategy[PaymentPlan]:
    """Payment plans: 1 to ``max_instalments`` instalments, on distinct dates.

    A plan with one instalment is a promise to pay. The first instalment is
    due 0-30 days after ``agreed_on``, each next one 1-60 days later;
    instalments are at most 10,000 each.

    Args:
        ids: strategy of plan ids; default ``"PL1"``, ``"PL2"`` ...
        customer_id: a customer id or strategy of ids; default ``"C1"`` ...
        currency: a code or strategy of codes; default :func:`currencies`.
        invoice_ids: the covered invoice ids, or a strategy of such
            sequences; default 1-3 distinct ids ``"I1"`` ...
        agreed_on: strategy of agreement dates; default 2025-01-01 to
            2026-12-31.
        max_instalments: most instalments (at least 1).

    Returns:
        A strategy of :class:`~arpolicy.model.PaymentPlan`.

    Raises:
        InvalidArgument: ``max_instalments`` is below 1.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(payment_plans(currency="GBP", invoice_ids=("I1", "I2")))
    ... def check(plan):
    ...     assert plan.currency == "GBP" and plan.invoice_ids == ("I1", "I2")
    ...     assert plan.instalments[0].due_date >= plan.agreed_on
    >>> check()
    """
    if max_instalments < 1:
        raise InvalidArgument(f"max_instalments must be >= 1, got {max_instalments}")
    return _payment_plans(
        ids=_as_strategy(ids, _ids("PL")),
        customer_ids=_as_strategy(customer_id, _ids("C")),
        currencies=_as_strategy(currency, _CURRENCIES),
        invoice_ids=_as_strategy(
            invoice_ids, st.lists(_ids("I"), min_size=1, max_size=3, unique=True)
        ),
        agreed=_as_strategy(agreed_on, _DEFAULT_DAYS),
        counts=_INSTALMENT_COUNTS if max_instalments == 6 else st.integers(1, max_instalments),
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
    profiles: Sequence[Profile | str] | st.SearchStrategy[Profile] | None = None,
    countries: Sequence[str] | st.SearchStrategy[str] | None = None,
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
        profiles: the customers' profiles, as for :func:`customers`;
            default all.
        countries: the customers' countries, as for :func:`customers`;
            default :data:`COUNTRIES`.

    Returns:
        A strategy of :class:`~arpolicy.model.Ledger`.

    Raises:
        InvalidArgument: a bound is inconsistent, or ``profiles`` or
            ``countries`` is empty or unknown.
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
                customers(
                    ids=st.just("C0"), currency=codes[0], profiles=profiles, countries=countries
                ),
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


# ---------------------------------------------------------------------------
# fee rules, steps, policies, playbooks
# ---------------------------------------------------------------------------

CHANNELS: tuple[str, ...] = ("email", "letter", "phone", "sms", "registered_letter")
"""The channels steps use unless told otherwise (all built in)."""

CALENDARS: tuple[str, ...] = ("none", "customer")
"""The calendar rules policies and steps use unless told otherwise."""

TAGS: tuple[str, ...] = ("vip", "new", "risky", "reseller", "public-sector")
"""The customer tags :func:`customers` draws and :func:`playbooks` maps."""

_TONES = st.sampled_from(Tone)
_FEE_BASES = st.sampled_from(FeeBasis)
_FEE_PERCENTS = _optional(_percentages(1, 50))
_FIRST_OFFSETS = st.sampled_from((7,)) | st.integers(-14, 30)
_GAPS = st.sampled_from((7,)) | st.integers(1, 30)
_ISSUE_OFFSETS = st.sampled_from((30,)) | st.integers(0, 60)
_RECEIPT_OFFSETS = st.sampled_from((14,)) | st.integers(0, 21)
_ANY_OFFSETS = st.sampled_from((7,)) | st.integers(-30, 120)
_DEADLINES = _optional(st.integers(0, 30))
_LETTER_DEADLINES = _optional(st.integers(14, 30))
_MIN_DAYS_BETWEEN = st.integers(0, 14)
_REPEAT_DAYS = st.sampled_from((14,)) | st.integers(1, 60)
_RECEIPT_DAYS = st.sampled_from((2,)) | st.integers(0, 5)
_TRIAL_NOTICES = st.sampled_from(((7, 1),)) | st.lists(st.integers(0, 30), max_size=3)


def _codes(currencies: Sequence[str]) -> tuple[str, ...]:
    codes = tuple(currencies)
    if isinstance(currencies, str) or not codes:
        raise InvalidArgument(f"currencies must be a non-empty sequence of codes, got {codes!r}")
    for code in codes:
        check_currency(code)
    return codes


def _names(values: Sequence[str], what: str) -> tuple[str, ...]:
    names = tuple(values)
    if isinstance(values, str) or not names:
        raise InvalidArgument(f"{what} must be a non-empty sequence, got {values!r}")
    return names


def _subset(draw: st.DrawFn, items: Sequence[_T]) -> list[_T]:
    """Some of ``items`` in their order, shrinking toward none."""
    return [item for item in items if draw(_BOOLEANS)]


def _money_map(
    draw: st.DrawFn, codes: Sequence[str], low: int, high: int, *, required: bool = False
) -> list[Money]:
    """Amounts for some of ``codes`` (at least the first when ``required``)."""
    chosen = _subset(draw, codes[1:] if required else codes)
    if required:
        chosen.insert(0, codes[0])
    return [draw(_money_in(code, low, high)) for code in chosen]


@st.composite
def _fees(draw: st.DrawFn, codes: tuple[str, ...]) -> Fee:
    percent = draw(_FEE_PERCENTS)
    fixed = _money_map(draw, codes, 1, 50, required=percent is None)
    minimum = _money_map(draw, codes, 1, 10)
    # Each maximum is at least its currency's minimum.
    maximum = []
    for code in _subset(draw, codes):
        low = _amount_in(minimum, code)
        extra = draw(_money_in(code, 0, 100))
        maximum.append(extra if low is None else low + extra)
    return Fee(
        name="fee",
        fixed=fixed,
        percent=percent,
        minimum=minimum,
        maximum=maximum,
        basis=draw(_FEE_BASES),
    )


def _amount_in(amounts: Sequence[Money], currency: str) -> Money | None:
    return next((m for m in amounts if m.currency == currency), None)


@st.composite
def _tiered_fees(draw: st.DrawFn, codes: tuple[str, ...]) -> TieredFee:
    tiers = []
    for n in range(draw(st.integers(1, 3))):
        # Thresholds grow with n, so no currency has two tiers with one threshold.
        threshold = [
            Money(m.amount + 1000 * n, m.currency)
            for m in _money_map(draw, codes, 0, 500, required=True)
        ]
        percent = draw(_FEE_PERCENTS)
        tiers.append(
            Tier(
                threshold=threshold,
                fixed=_money_map(draw, codes, 1, 50, required=percent is None),
                percent=percent,
                maximum=_money_map(draw, codes, 50, 200),
            )
        )
    return TieredFee(name="tiered fee", tiers=tiers, basis=draw(_FEE_BASES))


@lru_cache(maxsize=64)
def _fee_rules_in(codes: tuple[str, ...], statutory: bool) -> st.SearchStrategy[FeeRule]:
    contractual: st.SearchStrategy[FeeRule] = _fees(codes) | _tiered_fees(codes)
    if not statutory:
        return contractual
    return st.one_of(
        contractual,
        st.just(StatutoryInterest()),
        st.just(FixedCompensation()),
        st.just(CollectionCosts()),
    )


def fee_rules(
    *, currencies: Sequence[str] = ("EUR",), statutory: bool = True
) -> st.SearchStrategy[FeeRule]:
    """Fee rules for a step: contractual fees and the statutory rules.

    Contractual fees are :class:`~arpolicy.fees.Fee` (a fixed amount per
    currency and/or a percentage, with optional minimum and maximum per
    currency, per notice or per invoice) and
    :class:`~arpolicy.fees.TieredFee`; the statutory rules are
    :class:`~arpolicy.fees.StatutoryInterest`,
    :class:`~arpolicy.fees.FixedCompensation` and
    :class:`~arpolicy.fees.CollectionCosts` under the customer's own law.
    Shrinks toward a single statutory rule; with ``statutory=False``, toward
    a fixed fee of 1.00 in the first currency.

    Args:
        currencies: the currencies fee amounts are given in; a fee defines
            an amount for some of them (always the first when it has no
            percentage).
        statutory: also draw the statutory rules.

    Returns:
        A strategy of :class:`~arpolicy.fees.FeeRule`.

    Raises:
        InvalidArgument: ``currencies`` is empty.
        UnknownCurrencyError: a currency is not an ISO 4217 code.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(fee_rules(currencies=("GBP",), statutory=False))
    ... def check(rule):
    ...     assert rule.amount(Money(100, "GBP")).currency == "GBP"
    >>> check()
    """
    return _fee_rules_in(_codes(currencies), statutory)


@attrs.frozen
class _StepSpec:
    channels: st.SearchStrategy[list[str]]
    calendars: st.SearchStrategy[str | None]
    fees: st.SearchStrategy[list[FeeRule]] | None


def _step_spec(
    channels: Sequence[str], calendars: Sequence[str], codes: tuple[str, ...], with_fees: bool
) -> _StepSpec:
    for rule in calendars:
        CalendarRule.check(rule)
    return _StepSpec(
        channels=st.lists(st.sampled_from(_names(channels, "channels")), min_size=1, max_size=2),
        calendars=_optional(st.sampled_from(_names(calendars, "calendars"))),
        fees=st.lists(_fee_rules_in(codes, True), max_size=2) if with_fees else None,
    )


def _draw_step(
    draw: st.DrawFn,
    spec: _StepSpec,
    *,
    name: str,
    anchor: Anchor,
    offset: int,
    fees_allowed: bool,
    letter: bool | None = None,
    action: str = "reminder",
) -> Step:
    """A step; ``letter`` forces (or forbids) a formal acknowledged step."""
    if letter is None:
        formal, acknowledged = draw(_BOOLEANS), draw(_BOOLEANS)
    else:
        formal = acknowledged = letter
    channels = list(dict.fromkeys(draw(spec.channels)))
    return Step(
        name,
        offset,
        ("agency",) if action == "handover" else channels,
        tone=draw(_TONES),
        anchor=anchor,
        fees=draw(spec.fees) if spec.fees is not None and fees_allowed else (),
        deadline_days=draw(_LETTER_DEADLINES if formal and acknowledged else _DEADLINES),
        requires_acknowledgement=acknowledged,
        formal=formal,
        calendar=draw(spec.calendars),
        action=action,
    )


def _anchors(values: Sequence[Anchor | str] | None) -> tuple[Anchor, ...]:
    if values is None:
        return tuple(Anchor)
    try:
        return tuple(dict.fromkeys(Anchor(v) for v in _names(values, "anchors")))
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from exc


@st.composite
def _steps(
    draw: st.DrawFn, *, spec: _StepSpec, names: st.SearchStrategy[str], anchors: tuple[Anchor, ...]
) -> Step:
    anchor = _pick(draw, anchors)
    if anchor is Anchor.RECEIPT:
        offset = draw(_RECEIPT_OFFSETS)
    elif anchor is Anchor.ISSUE:
        offset = draw(_ISSUE_OFFSETS)
    else:
        offset = draw(_ANY_OFFSETS)
    return _draw_step(draw, spec, name=draw(names), anchor=anchor, offset=offset, fees_allowed=True)


def steps(
    *,
    names: str | st.SearchStrategy[str] | None = None,
    anchors: Sequence[Anchor | str] | None = None,
    channels: Sequence[str] = CHANNELS,
    calendars: Sequence[str] = CALENDARS,
    currencies: Sequence[str] = ("EUR",),
    with_fees: bool = True,
) -> st.SearchStrategy[Step]:
    """Single steps, outside any ladder (see :func:`policies` for ladders).

    Offsets are -30 to 120 days from the due date, 0 to 60 from the issue
    date, or 0 to 21 from the previous step's receipt; a formal step that
    requires acknowledgement sets a deadline of 14 days or more, if any.
    Shrinks toward an e-mail reminder seven days after the due date.

    Args:
        names: a step name or strategy of names; default ``"s1"``.
        anchors: the anchors to draw from; default all, shrinking toward
            ``due``.
        channels: channel names; each step uses one or two of them.
        calendars: calendar rules a step may override the policy's with.
        currencies: the currencies of fee amounts.
        with_fees: also draw fee rules (see :func:`fee_rules`).

    Returns:
        A strategy of :class:`~arpolicy.policy.Step`.

    Raises:
        InvalidArgument: an empty ``anchors``, ``channels``, ``calendars``
            or ``currencies``, or a bad calendar rule.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(steps(anchors=["issue"], channels=["letter"], with_fees=False))
    ... def check(step):
    ...     assert step.anchor is Anchor.ISSUE and step.channels == ("letter",)
    ...     assert step.fees == ()
    >>> check()
    """
    try:
        spec = _step_spec(channels, calendars, _codes(currencies), with_fees)
    except InvalidFieldError as exc:
        raise InvalidArgument(str(exc)) from exc
    return _steps(spec=spec, names=_as_strategy(names, st.just("s1")), anchors=_anchors(anchors))


def _draw_ladder(
    draw: st.DrawFn,
    spec: _StepSpec,
    *,
    min_steps: int,
    max_steps: int,
    anchors: tuple[Anchor, ...],
    consumer: bool,
) -> list[Step]:
    """A ladder that :func:`arpolicy.lint.lint` finds no error in.

    Offsets rise strictly per anchor (receipt anchors excepted); the first
    step is not anchored on a receipt; only the last step may be a
    hand-over. For a policy that serves consumers (``consumer``), fees and
    collection costs come only after the 14-day letter (the first formal
    step that requires acknowledgement), which announces the collection
    costs that later steps charge.
    """
    count = draw(st.integers(min_steps, max_steps))
    firsts = tuple(a for a in anchors if a is not Anchor.RECEIPT) or (Anchor.DUE,)
    last: dict[Anchor, int] = {}
    letter: int | None = None
    ladder: list[Step] = []
    for n in range(count):
        anchor = _pick(draw, firsts if n == 0 else anchors)
        if anchor is Anchor.RECEIPT:
            offset = draw(_RECEIPT_OFFSETS)
        elif anchor in last:
            offset = last[anchor] + draw(_GAPS)
        else:
            offset = draw(_ISSUE_OFFSETS if anchor is Anchor.ISSUE else _FIRST_OFFSETS)
        if anchor is not Anchor.RECEIPT:
            last[anchor] = offset
        handover = n == count - 1 and n > 0 and draw(_BOOLEANS)
        step = _draw_step(
            draw,
            spec,
            name=f"s{n + 1}",
            anchor=anchor,
            offset=offset,
            fees_allowed=not consumer or (letter is not None and n > letter),
            action="handover" if handover else "reminder",
        )
        if consumer and letter is None and step.formal and step.requires_acknowledgement:
            letter = n
        ladder.append(step)
    if letter is not None:
        costs = [r for s in ladder for r in s.fees if isinstance(r, CollectionCosts)]
        if costs:
            ladder[letter] = attrs.evolve(ladder[letter], fees=(costs[0],))
    return ladder


def _profile_set(values: Sequence[Profile | str] | None) -> tuple[Profile, ...]:
    if values is None:
        return tuple(Profile)
    if isinstance(values, str | Profile):
        values = [values]
    try:
        return tuple(dict.fromkeys(Profile(v) for v in values))
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from exc


@attrs.frozen
class _PolicySpec:
    step: _StepSpec
    codes: tuple[str, ...]
    calendars: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    min_steps: int
    max_steps: int
    with_fees: bool


def _policy_spec(
    *,
    min_steps: int,
    max_steps: int,
    anchors: Sequence[Anchor | str] | None,
    channels: Sequence[str],
    calendars: Sequence[str],
    currencies: Sequence[str],
    with_fees: bool,
) -> _PolicySpec:
    if min_steps < 1 or max_steps < min_steps:
        raise InvalidArgument(f"need 1 <= min_steps <= max_steps, got {min_steps}, {max_steps}")
    codes = _codes(currencies)
    try:
        step = _step_spec(channels, calendars, codes, with_fees)
    except InvalidFieldError as exc:
        raise InvalidArgument(str(exc)) from exc
    return _PolicySpec(
        step=step,
        codes=codes,
        calendars=tuple(calendars),
        anchors=_anchors(anchors),
        min_steps=min_steps,
        max_steps=max_steps,
        with_fees=with_fees,
    )


def _draw_policy(
    draw: st.DrawFn,
    spec: _PolicySpec,
    *,
    name: str,
    profiles: Sequence[Profile],
    consumer: bool,
    kinds: list[InvoiceKind] | None = None,
) -> Policy:
    ladder = _draw_ladder(
        draw,
        spec.step,
        min_steps=spec.min_steps,
        max_steps=spec.max_steps,
        anchors=spec.anchors,
        consumer=consumer,
    )
    if kinds is None:
        kinds = [InvoiceKind.INVOICE]
        if draw(_BOOLEANS):
            kinds.append(InvoiceKind.DEPOSIT)
    caps = None
    if spec.with_fees and draw(_BOOLEANS):
        caps = FeeCaps(
            per_invoice=_money_map(draw, spec.codes, 1, 100),
            per_customer=_money_map(draw, spec.codes, 1, 300),
        )
    grace_by_currency = {code: draw(_UP_TO_30) for code in _subset(draw, spec.codes)}
    policy = Policy(
        name,
        ladder,
        profiles=profiles,
        kinds=kinds,
        minimum_amount=_money_map(draw, spec.codes, 1, 1000),
        grace_days=draw(_GRACE_DAYS),
        grace_days_by_currency=grace_by_currency,
        min_days_between=draw(_MIN_DAYS_BETWEEN),
        calendar=_pick(draw, spec.calendars),
        grouping=draw(st.sampled_from(Grouping)),
        end=draw(st.sampled_from(EndBehaviour)),
        repeat_every_days=draw(_REPEAT_DAYS),
        presumed_receipt_days=draw(_RECEIPT_DAYS),
        fee_caps=caps,
        catch_up=draw(st.sampled_from(CatchUp)),
    )
    return _lint_clean(policy)


def _lint_clean(policy: Policy) -> Policy:
    """``policy`` with what lint would report as an error about the ladder's
    timing made good: steps that fall inside a formal step's deadline move
    later (with the steps after them on the same anchor), and a policy with
    fewer than three reminders before its first formal step states that
    number as its ``min_reminders``."""
    steps = list(policy.steps)
    moved = True
    while moved:
        moved = False
        current = attrs.evolve(policy, steps=steps)
        for i, step in enumerate(steps):
            if not step.formal:
                continue
            for j in range(i + 1, len(steps)):
                later = steps[j]
                if later.anchor is Anchor.RECEIPT and j > i + 1:
                    break
                found = deadline_overlap(current, step, later)
                if found is None:
                    break
                delta = found[1] - found[0] + 1
                for k in range(j, len(steps)):
                    if k == j or (steps[k].anchor is later.anchor is not Anchor.RECEIPT):
                        steps[k] = attrs.evolve(steps[k], offset_days=steps[k].offset_days + delta)
                moved = True
                break
            if moved:
                break
    reminders = 0
    for step in steps:
        if step.formal:
            break
        if not step.pre_due:
            reminders += 1
    else:
        reminders = 3
    return attrs.evolve(policy, steps=steps, min_reminders=reminders if reminders < 3 else None)


@st.composite
def _policies(
    draw: st.DrawFn,
    *,
    spec: _PolicySpec,
    names: st.SearchStrategy[str],
    profiles: tuple[Profile, ...],
) -> Policy:
    served = [p for p in profiles if not draw(_BOOLEANS)] or [profiles[0]]
    return _draw_policy(
        draw, spec, name=draw(names), profiles=served, consumer=Profile.PRIVATE in served
    )


def policies(
    *,
    names: str | st.SearchStrategy[str] | None = None,
    profiles: Sequence[Profile | str] | None = None,
    min_steps: int = 1,
    max_steps: int = 5,
    anchors: Sequence[Anchor | str] | None = None,
    channels: Sequence[str] = CHANNELS,
    calendars: Sequence[str] = CALENDARS,
    currencies: Sequence[str] = ("EUR",),
    with_fees: bool = True,
) -> st.SearchStrategy[Policy]:
    """Policies with a valid ladder and drawn rules around it.

    The ladder has steps ``"s1"``, ``"s2"`` ... whose offsets rise strictly
    per anchor; the first step counts from the due date or the issue date
    (never from a receipt); steps may be formal or require acknowledgement;
    only the last step may be a hand-over (to the ``agency`` channel).
    :func:`arpolicy.lint.lint` finds no error in a playbook of such policies:
    in particular a policy that serves consumers charges fees and
    collection costs only after its 14-day letter, which gives at least 14
    days and announces the collection costs. The rules around the ladder:
    invoice kinds, minimum amounts and grace days per currency, spacing,
    calendar, grouping, end behaviour (stop or repeat), presumed receipt,
    catch-up mode (``resume`` or ``highest``) and, with fees, fee caps. No
    step falls inside the deadline of a formal step before it, and a ladder
    with fewer than three reminders after the due date before its first
    formal step states that number as ``min_reminders`` (so ``lint``
    reports a warning, not an error). Shrinks toward one e-mail step seven days
    after the due date, for invoices only, with no minimum, grace or
    spacing.

    Args:
        names: a policy name or strategy of names; default ``"p1"``.
        profiles: the profiles to choose from: a policy serves a non-empty
            subset of them (shrinking toward all); default every profile.
        min_steps: fewest steps (at least 1).
        max_steps: most steps.
        anchors: the anchors steps may use; default all.
        channels: channel names the steps use.
        calendars: the calendar rules to draw from (``"none"``,
            ``"customer"`` or country codes).
        currencies: the currencies of minimum amounts, grace days, fee
            amounts and caps.
        with_fees: give steps fee rules (see :func:`fee_rules`) and the
            policy fee caps.

    Returns:
        A strategy of :class:`~arpolicy.policy.Policy`.

    Raises:
        InvalidArgument: a bound is inconsistent or a sequence is empty.
        UnknownCurrencyError: a currency is not an ISO 4217 code.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(policies(profiles=["private"], max_steps=3, currencies=("EUR", "GBP")))
    ... def check(policy):
    ...     assert policy.profiles == {Profile.PRIVATE} and 1 <= len(policy.steps) <= 3
    ...     assert {m.currency for m in policy.minimum_amount} <= {"EUR", "GBP"}
    >>> check()
    """
    spec = _policy_spec(
        min_steps=min_steps,
        max_steps=max_steps,
        anchors=anchors,
        channels=channels,
        calendars=calendars,
        currencies=currencies,
        with_fees=with_fees,
    )
    return _policies(
        spec=spec, names=_as_strategy(names, st.just("p1")), profiles=_profile_set(profiles)
    )


def _deposit_kinds(
    name: str,
    deposit: str | None,
    listed: Sequence[Profile],
    by_profile: Sequence[tuple[str, str]],
    by_tag: Sequence[tuple[str, str]],
) -> list[InvoiceKind] | None:
    """The kinds of the deposit policy (``None``: draw them)."""
    if name != deposit:
        return None
    if listed or any(n == name for _, n in [*by_profile, *by_tag]):
        return [InvoiceKind.INVOICE, InvoiceKind.DEPOSIT]
    return [InvoiceKind.DEPOSIT]


@st.composite
def _playbooks(
    draw: st.DrawFn, *, spec: _PolicySpec, max_policies: int, profiles: tuple[Profile, ...]
) -> Playbook:
    count = draw(st.integers(1, max_policies))
    # Each profile is listed by one policy (shrinking toward the first).
    listed: list[list[Profile]] = [[] for _ in range(count)]
    for profile in profiles:
        listed[draw(st.integers(0, count - 1))].append(profile)
    names = [f"p{n + 1}" for n in range(count)]
    # by_profile may send a profile elsewhere; by_tag and the deposit policy
    # refer to policies too, so that every policy is used.
    by_profile = [(p.value, _pick(draw, names)) for p in profiles if draw(_BOOLEANS)]
    unused = [names[n] for n in range(count) if not listed[n]]
    unused = [n for n in unused if n not in {name for _, name in by_profile}]
    deposit: str | None = None
    if unused and _coin(draw):
        deposit = unused.pop()
    elif count > 1 and draw(_BOOLEANS):
        deposit = _pick(draw, names)
    tags = list(TAGS)
    by_tag = [(tags.pop(0), name) for name in unused]
    while tags and count > 1 and draw(_BOOLEANS):
        by_tag.append((tags.pop(0), _pick(draw, names)))
    serves_private = {names[n] for n in range(count) if Profile.PRIVATE in listed[n]}
    serves_private |= {name for p, name in by_profile if p == Profile.PRIVATE.value}
    items = [
        _draw_policy(
            draw,
            spec,
            name=name,
            profiles=listed[n],
            consumer=name in serves_private,
            kinds=_deposit_kinds(name, deposit, listed[n], by_profile, by_tag),
        )
        for n, name in enumerate(names)
    ]
    return Playbook(
        items,
        by_profile=by_profile,
        by_tag=by_tag,
        deposit_policy=deposit,
        trial_notice_days=draw(_TRIAL_NOTICES),
        credit_hold=draw(_BOOLEANS),
    )


def playbooks(
    *,
    max_policies: int = 3,
    profiles: Sequence[Profile | str] | None = None,
    min_steps: int = 1,
    max_steps: int = 5,
    anchors: Sequence[Anchor | str] | None = None,
    channels: Sequence[str] = CHANNELS,
    calendars: Sequence[str] = CALENDARS,
    currencies: Sequence[str] = ("EUR",),
    with_fees: bool = True,
) -> st.SearchStrategy[Playbook]:
    """Playbooks that serve every profile and whose references resolve.

    Policies are ``"p1"`` ... (drawn as by :func:`policies`). Every profile
    of ``profiles`` is listed by exactly one policy; ``by_profile`` may send
    a profile to another policy; ``by_tag`` maps customer tags (see
    :data:`TAGS`) to policies; a policy that lists no profile is used for
    deposit requests or through a tag, so no policy is unused. Every name
    the playbook refers to exists, and :func:`arpolicy.lint.lint` reports
    no error (warnings, such as few reminders before a formal step, may
    remain). Shrinks toward one policy for every profile, no mapping and
    no credit hold.

    Args:
        max_policies: most policies (at least 1).
        profiles: the profiles that must be served; default every profile.
        min_steps: fewest steps per policy (at least 1).
        max_steps: most steps per policy.
        anchors: the anchors steps may use; default all.
        channels: channel names the steps use.
        calendars: the calendar rules to draw from.
        currencies: the currencies of minimum amounts, grace days, fees and
            caps; pass the currencies of your ledgers.
        with_fees: give steps fee rules and policies fee caps.

    Returns:
        A strategy of :class:`~arpolicy.policy.Playbook`.

    Raises:
        InvalidArgument: a bound is inconsistent or a sequence is empty.
        UnknownCurrencyError: a currency is not an ISO 4217 code.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(playbooks(max_policies=2, with_fees=False))
    ... def check(book):
    ...     for profile in Profile:
    ...         assert any(profile in p.profiles for p in book.policies)
    >>> check()
    """
    if max_policies < 1:
        raise InvalidArgument(f"max_policies must be >= 1, got {max_policies}")
    spec = _policy_spec(
        min_steps=min_steps,
        max_steps=max_steps,
        anchors=anchors,
        channels=channels,
        calendars=calendars,
        currencies=currencies,
        with_fees=with_fees,
    )
    served = _profile_set(profiles)
    if not served:
        raise InvalidArgument("profiles must name at least one profile")
    return _playbooks(spec=spec, max_policies=max_policies, profiles=served)


# ---------------------------------------------------------------------------
# histories
# ---------------------------------------------------------------------------


@attrs.frozen
class _Simulated:
    """The actions of a simulation, with a short repr for Hypothesis' reports."""

    actions: tuple[Action, ...]

    def __repr__(self) -> str:
        return f"<{len(self.actions)} simulated actions>"


@st.composite
def _histories(
    draw: st.DrawFn,
    *,
    simulated: _Simulated,
    start: date,
    end: date,
    with_gaps: bool,
    with_failures: bool,
    with_receipts: bool,
) -> list[HistoryEntry]:
    cutoff = _plus_days(start, draw(st.integers(0, (end - start).days + 1)))
    history: list[HistoryEntry] = []
    for action in simulated.actions:
        if action.date >= cutoff:
            break
        if with_gaps and draw(_BOOLEANS):
            continue
        failed = with_failures and draw(_BOOLEANS)
        received_on = None
        if with_receipts and not failed:
            late = draw(_MAYBE_RECEIPT)
            received_on = None if late is None else min(_plus_days(action.date, late), cutoff)
        history.append(
            HistoryEntry.from_action(
                action,
                received_on=received_on,
                status=HistoryStatus.FAILED if failed else HistoryStatus.ISSUED,
            )
        )
    return history


_MAYBE_RECEIPT = _optional(st.integers(0, 7))


def histories(
    ledger: Ledger,
    playbook: Playbook | None,
    *,
    start: date,
    end: date,
    with_gaps: bool = True,
    with_failures: bool = True,
    with_receipts: bool = True,
    rates: RateBook | None = None,
    plugins: Plugins | None = None,
) -> st.SearchStrategy[list[HistoryEntry]]:
    """Valid histories of ``ledger`` under ``playbook``: what a host carried out.

    The engine's own simulation (:func:`arpolicy.simulate` from ``start`` to
    ``end``) is run once; a history is the actions of that simulation dated
    before a drawn cut-off day (between ``start`` and the day after
    ``end``), recorded with :meth:`HistoryEntry.from_action
    <arpolicy.actions.HistoryEntry.from_action>`, in date order. So every
    entry is an action the engine planned for this ledger and playbook on
    that date, with its real key, step, invoices, channel and fees, and no
    entry comes after one the engine would have planned later. On top of
    that, when enabled:

    * ``with_gaps``: entries may be left out (the host never carried them
      out or lost the record);
    * ``with_failures``: entries may be ``HistoryStatus.FAILED`` (the engine
      treats them as not done);
    * ``with_receipts``: entries may record ``received_on``, 0-7 days after
      the action and never after the cut-off.

    Shrinks toward the empty history (an early cut-off), then toward
    complete records with every entry issued and no receipt.

    Args:
        ledger: the ledger.
        playbook: the playbook; the built-in one when ``None``.
        start: the first day of the simulation.
        end: the last day of the simulation.
        with_gaps: allow left-out entries.
        with_failures: allow failed entries.
        with_receipts: allow recorded receipts.
        rates: passed to :func:`arpolicy.simulate`.
        plugins: passed to :func:`arpolicy.simulate`.

    Returns:
        A strategy of lists of :class:`~arpolicy.actions.HistoryEntry`.

    Raises:
        InvalidArgument: ``end`` is before ``start``.

    >>> from hypothesis import given, settings
    >>> from arpolicy.sample import SAMPLE_AS_OF, sample_ledger
    >>> books = sample_ledger()
    >>> start = SAMPLE_AS_OF - timedelta(days=7)
    >>> @settings(max_examples=5, database=None)
    ... @given(histories(books, None, start=start, end=SAMPLE_AS_OF))
    ... def check(history):
    ...     assert all(start <= entry.date <= SAMPLE_AS_OF for entry in history)
    >>> check()
    """
    if end < start:
        raise InvalidArgument(f"start={start!r} is after end={end!r}")
    actions = simulate(
        ledger, start=start, end=end, playbook=playbook, rates=rates, plugins=plugins
    ).actions
    return _histories(
        simulated=_Simulated(actions),
        start=start,
        end=end,
        with_gaps=with_gaps,
        with_failures=with_failures,
        with_receipts=with_receipts,
    )
