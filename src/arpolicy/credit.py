"""Credit management: exposure against credit limits, scores, deposits and holds.

Every function here is pure: it reads a :class:`~arpolicy.model.Ledger` and a
date, never the clock or a file. Amounts stay per currency and are never
added across currencies by themselves. A customer's credit limit caps the
exposure in the limit's own currency; exposure in other currencies counts
against it only when an exchange-rate table (:class:`~arpolicy.fx.FxRates`)
is given, converted on the date with that table. Without a table, or
without a rate for a currency, that exposure is *not covered* by the limit,
and the recommendation says so (reason ``exposure_not_covered``).

Definitions (see ``docs/explanation/metrics.md``, *Credit exposure*), for a
customer, a currency and a date ``D``:

* ``open``: the sum of the open balances of its invoices and deposit requests
  issued on or before ``D`` (after :meth:`~arpolicy.model.Ledger.position`
  allocated payments and credit notes dated on or before ``D``);
* ``credit``: its unapplied credit (overpayments, unapplied credit notes);
* ``exposure = max(0, open - credit)``;
* ``overdue``: the part of ``open`` whose due date is before ``D``;
* in the limit's currency, with an exchange-rate table: ``converted``, the
  sum of the other currencies' exposures, each converted to the limit's
  currency on ``D`` and rounded half-up to its minor unit; the exposures
  that could not be converted are ``uncovered``;
* with a limit ``L`` in that currency, and ``total = exposure + converted``
  (``converted`` zero without a table): ``headroom = L - total`` (negative
  when breached), ``utilisation = total / L * 100`` (0.1, half-up; ``None``
  when ``L`` is zero) and ``breached = total > L``.

A :class:`CreditPolicy` turns the exposure, the customer's payment
behaviour score (:func:`arpolicy.reports.payment_behaviour`) and an external
score (supplied by a plugin through the ``arpolicy_credit_score`` hook) into a
:class:`CreditRecommendation`: ``hold``, ``deposit`` or ``none``, with reasons.
The engine's built-in credit-hold action follows :func:`recommend`.

>>> from datetime import date
>>> from arpolicy import Customer, Invoice, Ledger, Money
>>> ledger = Ledger(
...     [Customer("C1", "Acme", "business", "NL", credit_limit=Money(100, "EUR"))],
...     [Invoice("I1", "C1", date(2024, 1, 1), date(2024, 1, 31), Money(150, "EUR"))],
... )
>>> (row,) = exposure(ledger, "C1", date(2024, 2, 10))
>>> row.exposure, row.headroom, row.utilisation, row.breached
(Money('150.00', 'EUR'), Money('-50.00', 'EUR'), Decimal('150.0'), True)
>>> rec = recommend(ledger, "C1", date(2024, 2, 10))
>>> rec.decision, [r.code for r in rec.reasons]
(<CreditDecision.HOLD: 'hold'>, ['credit_limit_exceeded'])
"""

from __future__ import annotations

import enum
import functools
import itertools
import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Final

import attrs

from .actions import Reason
from .fx import FxRates
from .ledger._positions import allocate, apply_payments
from .model import (
    Allocation,
    Customer,
    CustomerPosition,
    Invoice,
    InvoiceKind,
    Ledger,
    Payment,
)
from .money import Money, _quantum, minor_unit
from .reports import BehaviourScore
from .reports._behaviour import _behaviour, _source_date

if TYPE_CHECKING:  # pragma: no cover - typing only; plugins imports this module
    from .plugins import Plugins

__all__ = [
    "DEFAULT_POLICY",
    "CreditDecision",
    "CreditExposure",
    "CreditPolicy",
    "CreditRecommendation",
    "CreditScore",
    "breach_start",
    "credit_review",
    "exposure",
    "exposures",
    "overdue_since",
    "recommend",
    "score_safe_days",
]

_TENTH: Final = Decimal("0.1")
_CREDIT_NOTE: Final = InvoiceKind.CREDIT_NOTE
_ZERO: Final = Decimal(0)
_ONE_DAY: Final = timedelta(days=1)
_HUNDRED: Final = Decimal(100)


def _q(value: Decimal) -> Decimal:
    return value.quantize(_TENTH, rounding=ROUND_HALF_UP)


def _decimal(value: object) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"floats are refused, use Decimal or str: {value!r}")
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _percent(name: str, value: Decimal) -> None:
    if not value.is_finite() or not Decimal(0) <= value <= _HUNDRED:
        raise ValueError(f"{name} must be between 0 and 100: {value}")


# ---------------------------------------------------------------------------
# exposure
# ---------------------------------------------------------------------------


@attrs.frozen
class CreditExposure:
    """A customer's exposure in one currency on a date.

    Attributes:
        customer_id: the customer.
        currency: the currency of every amount here.
        open: open balances of invoices and deposit requests issued on or
            before the date.
        credit: unapplied customer credit in this currency.
        exposure: ``max(0, open - credit)``.
        overdue: the part of ``open`` past its due date.
        limit: the customer's credit limit when it is in this currency,
            else ``None``.
        headroom: ``limit - (exposure + converted)`` (negative when
            breached); ``None`` without a limit.
        utilisation: ``(exposure + converted) / limit * 100`` in percent
            (0.1, half-up); ``None`` without a limit or when the limit is
            zero.
        breached: ``exposure + converted > limit`` (``False`` without a
            limit).
        converted: on the limit's row, when an exchange-rate table was
            given: the exposure in other currencies converted to this one
            (each rounded half-up, then added); else ``None``.
        uncovered: on the limit's row: the exposures in other currencies
            that the limit does not cover, because no table was given or it
            has no rate for them on the date; empty on other rows.
    """

    customer_id: str
    currency: str
    open: Money
    credit: Money
    exposure: Money
    overdue: Money
    limit: Money | None
    headroom: Money | None
    utilisation: Decimal | None
    breached: bool
    converted: Money | None = None
    uncovered: tuple[Money, ...] = ()

    @property
    def total(self) -> Money:
        """``exposure + converted``: what the limit is compared with."""
        return self.exposure if self.converted is None else self.exposure + self.converted


@functools.lru_cache(maxsize=64)
def _scale(currency: str) -> tuple[int, Decimal]:
    return -minor_unit(currency), _quantum(currency)


@functools.lru_cache(maxsize=64)
def _zero(currency: str) -> Money:
    return Money.from_minor(0, currency)  # immutable: one per currency


def _money(units: int, currency: str) -> Money:
    """``Money.from_minor(units, currency)``, without its checks (``units`` is an int)."""
    if not units:
        return _zero(currency)
    exponent, quantum = _scale(currency)
    return Money._trusted(Decimal(units).scaleb(exponent).quantize(quantum), currency)


def _rows(
    ledger: Ledger,
    customer: Customer,
    pos: CustomerPosition,
    as_of: date,
    fx: FxRates | None = None,
    dues: list[date] | None = None,
    items: Iterable[tuple[Money, date]] | None = None,
) -> list[CreditExposure]:
    """The exposure rows.

    ``items``: the balances of ``pos`` above zero with their invoices' due
    dates, when the caller has them; with ``dues``, the due dates of the
    open items are added to it.
    """
    opened: dict[str, int] = {}
    late: dict[str, int] = {}
    exponents: dict[str, int] = {}
    if items is None:
        items = [
            (bal, ledger.invoice(iid).due_date)
            for iid, bal in pos.balances.items()
            if bal.amount > 0  # else its minor units are not above zero either
        ]
    for bal, due in items:
        amount = bal.amount
        cur = bal.currency
        exponent = exponents.get(cur)
        if exponent is None:
            exponent = exponents[cur] = minor_unit(cur)
        units = int(amount.scaleb(exponent))  # bal.minor_units
        if units <= 0:
            continue
        opened[cur] = opened.get(cur, 0) + units
        if due < as_of:
            late[cur] = late.get(cur, 0) + units
        if dues is not None:
            dues.append(due)
    credit = {cur: m.minor_units for cur, m in pos.credit.items() if m.minor_units > 0}
    limit = customer.credit_limit
    currencies = set(opened) | set(credit)
    if limit is not None:
        currencies.add(limit.currency)
    rows: list[CreditExposure] = []
    for cur in sorted(currencies):
        o, c = opened.get(cur, 0), credit.get(cur, 0)
        overdue = late.get(cur, 0)
        opened_money = _money(o, cur)  # also the exposure or overdue amount when equal
        exp = max(0, o - c)
        lim = limit if limit is not None and limit.currency == cur else None
        headroom = utilisation = None
        breached = False
        converted: Money | None = None
        uncovered: tuple[Money, ...] = ()
        if lim is not None:
            if len(currencies) > 1:
                converted, uncovered = _convert_others(opened, credit, cur, as_of, fx)
            elif fx is not None:  # no other currency: nothing converted, nothing uncovered
                converted = Money.zero(cur)
            total = exp + (0 if converted is None else converted.minor_units)
            lim_units = lim.minor_units
            headroom = _money(lim_units - total, cur)
            if lim_units:
                utilisation = _q(Decimal(total) / Decimal(lim_units) * _HUNDRED)
            breached = total > lim_units
        rows.append(
            CreditExposure(
                customer.id,
                cur,
                opened_money,
                _money(c, cur),
                opened_money if exp == o else _money(exp, cur),
                opened_money if overdue == o else _money(overdue, cur),
                lim,
                headroom,
                utilisation,
                breached,
                converted,
                uncovered,
            )
        )
    return rows


def _convert_others(
    opened: dict[str, int], credit: dict[str, int], to: str, on: date, fx: FxRates | None
) -> tuple[Money | None, tuple[Money, ...]]:
    """The exposure in currencies other than ``to``: converted, and what is not."""
    converted = None if fx is None else Money.zero(to)
    uncovered: list[Money] = []
    for cur in sorted(set(opened) | set(credit)):
        exp = max(0, opened.get(cur, 0) - credit.get(cur, 0))
        if cur == to or not exp:
            continue
        amount = Money.from_minor(exp, cur)
        value = None if fx is None else fx.convert(amount, to, on)
        if value is None or converted is None:
            uncovered.append(amount)
        else:
            converted = converted + value
    return converted, tuple(uncovered)


def exposure(
    ledger: Ledger, customer_id: str, as_of: date, *, fx_rates: FxRates | None = None
) -> tuple[CreditExposure, ...]:
    """A customer's exposure per currency on ``as_of``.

    Args:
        ledger: the ledger.
        customer_id: the customer.
        as_of: the date.
        fx_rates: exchange rates to count exposure in other currencies
            against the credit limit (see the module documentation).

    Returns:
        One row per currency with an open balance or credit, plus the credit
        limit's currency, sorted by currency; empty when there is none.

    Raises:
        KeyError: the customer is unknown.
    """
    customer = ledger.customer(customer_id)
    return tuple(_rows(ledger, customer, ledger.position(customer_id, as_of), as_of, fx_rates))


def exposures(
    ledger: Ledger, as_of: date, *, fx_rates: FxRates | None = None
) -> tuple[CreditExposure, ...]:
    """The exposure of every customer with anything open, any credit or a limit.

    Args:
        ledger: the ledger.
        as_of: the date.
        fx_rates: exchange rates, as for :func:`exposure`.

    Returns:
        Rows sorted by customer id, then currency (see :func:`exposure`).
    """
    out: list[CreditExposure] = []
    for customer in sorted(ledger.customers, key=lambda c: c.id):
        out.extend(_rows(ledger, customer, ledger.position(customer.id, as_of), as_of, fx_rates))
    return tuple(out)


def breach_start(
    ledger: Ledger, customer_id: str, as_of: date, *, fx_rates: FxRates | None = None
) -> date | None:
    """First day of the current breach of the customer's credit limit.

    The exposure in the limit's currency is replayed day by day from the
    customer's invoices (plus), credit notes, payments and early-payment
    discounts (minus; discounts as the allocation on ``as_of`` grants them)
    in that currency dated on or before ``as_of``; the answer is the first
    day of the last run of days on which it stayed above the limit. With
    ``fx_rates``, the other currencies are replayed too, and on each day
    their exposure (at least zero) is converted with that day's rates and
    added, as :func:`exposure` does.

    Args:
        ledger: the ledger.
        customer_id: the customer.
        as_of: the date.
        fx_rates: exchange rates (see the module documentation).

    Returns:
        The day the breach began, or ``None`` when there is no limit or the
        exposure is not above it on ``as_of``.

    Raises:
        KeyError: the customer is unknown.
    """
    limit = ledger.customer(customer_id).credit_limit
    if limit is None:
        return None
    records = _Records(ledger, customer_id)
    allocations = ledger.position(customer_id, as_of).allocations
    return _breach_start(ledger, limit, as_of, fx_rates, records, allocations)


def _breach_start(
    ledger: Ledger,
    limit: Money,
    as_of: date,
    fx_rates: FxRates | None,
    records: _Records,
    allocations: Iterable[Allocation],
) -> date | None:
    """:func:`breach_start` on the customer's records and allocations on ``as_of``."""
    currency = limit.currency

    def counted(code: str) -> bool:
        return code == currency or fx_rates is not None

    deltas: dict[date, dict[str, Decimal]] = {}

    def add(day: date, money: Money, sign: int) -> None:
        if day <= as_of and counted(money.currency):
            row = deltas.setdefault(day, {})
            row[money.currency] = row.get(money.currency, Decimal(0)) + sign * money.amount

    for inv in records.invoices:
        add(inv.issue_date, inv.amount, -1 if inv.is_credit else 1)
    for pay in records.payments:
        add(pay.date, pay.amount, -1)
    for alloc in allocations:
        if alloc.is_discount:
            add(_source_date(ledger, records.paid_on, alloc.source_id), alloc.amount, -1)
    others = sorted({code for row in deltas.values() for code in row} - {currency})
    days = set(deltas)
    if fx_rates is not None:
        for code in others:
            days.update(d for d in fx_rates.changes(code, currency) if d <= as_of)
    running: dict[str, Decimal] = {}
    start: date | None = None
    for day in sorted(days):
        for code, amount in deltas.get(day, {}).items():
            running[code] = running.get(code, Decimal(0)) + amount
        total = running.get(currency, Decimal(0))
        if fx_rates is not None:
            for code in others:
                owed = running.get(code, Decimal(0))
                if owed > 0:
                    value = fx_rates.convert(Money(owed, code), currency, day)
                    total += Decimal(0) if value is None else value.amount
        above = total > limit.amount
        start = (start or day) if above else None
    return start


# ---------------------------------------------------------------------------
# scores and policy
# ---------------------------------------------------------------------------


def _score_value(value: object) -> Decimal:
    return _decimal(value)


@attrs.frozen
class CreditScore:
    """An external credit score, as a plugin supplies it.

    Args:
        value: from 0 (worst) to 100 (best); ``int``, ``str`` or ``Decimal``.
        source: who gave it (an agency, a model), for reasons and reports.
        note: anything else worth showing.

    Raises:
        ValueError: ``value`` is outside 0..100.
        TypeError: ``value`` is a float.

    >>> CreditScore(72, "agency").value
    Decimal('72')
    """

    value: Decimal = attrs.field(converter=_score_value)
    source: str
    note: str = ""

    def __attrs_post_init__(self) -> None:
        _percent("a credit score", self.value)


class CreditDecision(enum.StrEnum):
    """What :func:`recommend` advises, from mildest to strictest."""

    NONE = "none"
    """Sell on the usual terms."""
    DEPOSIT = "deposit"
    """Ask a share of new orders in advance."""
    HOLD = "hold"
    """Stop new deliveries and review the account."""


def _bands(value: Iterable[tuple[object, object]]) -> tuple[tuple[Decimal, Decimal], ...]:
    return tuple((_decimal(below), _decimal(share)) for below, share in value)


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else _decimal(value)


@attrs.frozen
class CreditPolicy:
    """How exposure and scores become a :class:`CreditRecommendation`.

    The *score* used is the lower of the behaviour score
    (:func:`arpolicy.reports.payment_behaviour`, counted only when it judged
    at least ``min_invoices`` invoices) and the external score; either alone
    when only one exists; none when neither does.

    Attributes:
        hold_on_limit: hold when the exposure in the limit's currency is
            above the credit limit (default ``True``).
        hold_below: hold when the score is below this and something is
            overdue (default 30), except while the customer is blocked or
            has a disputed or held invoice; ``None`` never holds on the
            score.
        deposit_bands: ``(score below, deposit share %)`` pairs: the first
            band whose bound is above the score gives the share of new
            orders to ask in advance. Default: below 40 → 100 %, below 60 →
            50 %, below 75 → 25 %; a score of 75 or more asks nothing.
        min_invoices: judged invoices the behaviour score needs to count
            (default 3: one or two late invoices say little).

    Raises:
        ValueError: a bound or share is outside 0..100, the bounds are not
            strictly increasing, the shares increase with the score, or
            ``min_invoices`` is negative.
    """

    hold_on_limit: bool = True
    hold_below: Decimal | None = attrs.field(default=Decimal(30), converter=_optional_decimal)
    deposit_bands: tuple[tuple[Decimal, Decimal], ...] = attrs.field(
        default=((40, 100), (60, 50), (75, 25)), converter=_bands
    )
    min_invoices: int = 3

    def __attrs_post_init__(self) -> None:
        if self.hold_below is not None:
            _percent("hold_below", self.hold_below)
        for below, share in self.deposit_bands:
            _percent("a deposit band's bound", below)
            _percent("a deposit share", share)
        for (lo, s_lo), (hi, s_hi) in itertools.pairwise(self.deposit_bands):
            if lo >= hi:
                raise ValueError(f"deposit band bounds must increase: {lo} then {hi}")
            if s_lo < s_hi:
                raise ValueError(f"deposit shares must not grow with the score: {s_lo} then {s_hi}")
        if self.min_invoices < 0:
            raise ValueError(f"min_invoices must be >= 0: {self.min_invoices}")

    def deposit_share(self, score: Decimal | None) -> Decimal | None:
        """The deposit share (percent) for ``score``, ``None`` when no band applies.

        >>> CreditPolicy().deposit_share(Decimal(55))
        Decimal('50')
        """
        if score is None:
            return None
        return next((share for below, share in self.deposit_bands if score < below), None)


DEFAULT_POLICY: Final = CreditPolicy()
"""The default :class:`CreditPolicy` (also what the engine uses)."""


# ---------------------------------------------------------------------------
# recommendation
# ---------------------------------------------------------------------------


@attrs.frozen
class CreditRecommendation:
    """What to do about a customer's credit on a date, and why.

    Attributes:
        customer_id: the customer.
        as_of: the date.
        decision: ``hold``, ``deposit`` or ``none``.
        deposit_share: the deposit share of new orders in percent from the
            policy's bands (also given under a hold, as the condition for
            lifting it); ``None`` when no band applies.
        exposures: the customer's exposure per currency.
        behaviour: the payment behaviour score and its components.
        external: the external score, or ``None``.
        score: the score the decision used (see :class:`CreditPolicy`).
        since: for a hold, the day it began: the limit breach's first day
            (:func:`breach_start`) when the limit is exceeded, else the first
            day of the current overdue spell (:func:`overdue_since`);
            ``None`` otherwise.
        reasons: why, with stable codes: ``credit_limit_exceeded``,
            ``exposure_not_covered``, ``low_score``, ``deposit_recommended``.
    """

    customer_id: str
    as_of: date
    decision: CreditDecision
    deposit_share: Decimal | None
    exposures: tuple[CreditExposure, ...]
    behaviour: BehaviourScore
    external: CreditScore | None
    score: Decimal | None
    since: date | None
    reasons: tuple[Reason, ...]

    @property
    def reviewable(self) -> bool:
        """Worth showing in a credit review: a hold or a deposit is advised,
        or the customer has a credit limit."""
        return self.decision is not CreditDecision.NONE or any(
            row.limit is not None for row in self.exposures
        )


def _score(
    behaviour: BehaviourScore, external: CreditScore | None, policy: CreditPolicy
) -> Decimal | None:
    found: list[Decimal] = []
    if behaviour.score is not None and behaviour.invoices >= policy.min_invoices:
        found.append(behaviour.score)
    if external is not None:
        found.append(external.value)
    return min(found) if found else None


def _score_text(behaviour: BehaviourScore, external: CreditScore | None) -> str:
    parts = []
    if behaviour.score is not None:
        parts.append(f"behaviour {behaviour.score}")
    if external is not None:
        parts.append(f"{external.source or 'external'} {external.value}")
    return ", ".join(parts)


class _Records:
    """One customer's records, looked up once per call."""

    __slots__ = ("_by_id", "_paid_on", "invoices", "payments")

    def __init__(self, ledger: Ledger, customer_id: str) -> None:
        # ledger.invoices_of and payments_of, without copying them into tuples
        self.invoices: Sequence[Invoice] = ledger._of("invoice", customer_id)
        self.payments: Sequence[Payment] = ledger._of("payment", customer_id)
        self._by_id: dict[str, Invoice] | None = None
        self._paid_on: dict[str, date] | None = None

    @property
    def by_id(self) -> dict[str, Invoice]:
        """The customer's invoices, deposit requests and credit notes by id."""
        if self._by_id is None:
            self._by_id = {inv.id: inv for inv in self.invoices}
        return self._by_id

    @property
    def paid_on(self) -> dict[str, date]:
        """The customer's payment dates by payment id."""
        if self._paid_on is None:
            self._paid_on = {p.id: p.date for p in self.payments}
        return self._paid_on

    def unchanged(self, since: date, until: date) -> bool:
        """No invoice, credit note or payment is dated after ``since`` up to
        ``until``: the allocation on ``until`` is the one on ``since``."""
        return not any(since < inv.issue_date <= until for inv in self.invoices) and not any(
            since < pay.date <= until for pay in self.payments
        )


@functools.lru_cache(maxsize=1024)
def _deposit_reason(text: str, score: str, share: str) -> Reason:
    """The ``deposit_recommended`` reason (frozen: one per wording)."""
    return Reason("deposit_recommended", text, {"score": score, "share": share})


def _overdue_on(records: _Records, day: date) -> bool:
    """Some invoice issued by ``day`` is open and past due on ``day``: what
    ``_overdue(ledger.position(customer, day))`` was, allocating only when
    the records leave it open.

    Amounts are never negative, an application never takes more from its
    payment or credit note than that holds, and only invoices with an
    early-payment discount get a discount. So, of the invoices issued by
    ``day`` and due before it (none: nothing is overdue):

    * something is open when those without a discount come to more than
      every payment and credit note dated by ``day`` (together they keep at
      least the difference open);
    * nothing is open when the payments and credit notes dated by ``day``
      that name an invoice come, for each of them, to its amount at least
      (they are applied first, each up to what is still open), or when the
      others surely pay them (:func:`_paid_in_order`).
    """
    owed = paid = _ZERO
    past_due: list[Invoice] = []
    named: dict[str, Decimal] = {}
    for inv in records.invoices:
        if inv.issue_date > day:
            continue
        if inv.kind is _CREDIT_NOTE:
            amount = inv.amount.amount
            paid += amount
            target = inv.applies_to
            if target is not None:
                named[target] = named.get(target, _ZERO) + amount
        elif inv.due_date < day:
            past_due.append(inv)
            terms = inv.terms
            if terms is None or terms.discount_days is None:
                owed += inv.amount.amount
    if not past_due:
        return False
    for pay in records.payments:
        if pay.date <= day:
            amount = pay.amount.amount
            paid += amount
            target = pay.invoice_id
            if target is not None:
                named[target] = named.get(target, _ZERO) + amount
    if owed > paid:
        return True
    if all(named.get(inv.id, _ZERO) >= inv.amount.amount for inv in past_due):
        return False
    if _paid_in_order(records, day, past_due, named):
        return False
    targets, open_amount, _ = apply_payments(records.invoices, records.payments, day)
    return any(
        open_amount[iid] > 0 and inv.due_date < day and inv.issue_date <= day
        for iid, inv in targets.items()
    )


def _paid_in_order(
    records: _Records, day: date, past_due: list[Invoice], named: dict[str, Decimal]
) -> bool:
    """Surely nothing of ``past_due`` is open on ``day`` (see :func:`_overdue_on`).

    Without a dispute among the invoices issued by ``day``, the payments and
    credit notes dated by then that name no invoice pay those invoices in
    order (issue date, due date, id) per currency, after the named ones,
    each in full before the next. What an invoice still owes then is at most
    its amount less what names it. So when, in each currency, the unnamed
    ones come to what the invoices up to the last past-due one may still
    owe, those are all paid.
    """
    base = [
        inv for inv in records.invoices if inv.kind is not _CREDIT_NOTE and inv.issue_date <= day
    ]
    if any(inv.dispute is not None for inv in base):
        return False
    last: dict[str, tuple[date, date, str]] = {}  # per currency: the last past-due invoice
    for inv in past_due:
        key = (inv.issue_date, inv.due_date, inv.id)
        cur = inv.amount.currency
        prior = last.get(cur)
        if prior is None or key > prior:
            last[cur] = key
    owed: dict[str, Decimal] = {}
    for inv in base:
        cur = inv.amount.currency
        end = last.get(cur)
        if end is not None and (inv.issue_date, inv.due_date, inv.id) <= end:
            rest = inv.amount.amount - named.get(inv.id, _ZERO)
            if rest > 0:
                owed[cur] = owed.get(cur, _ZERO) + rest
    unnamed: dict[str, Decimal] = {}
    for pay in records.payments:
        if pay.invoice_id is None and pay.date <= day:
            money = pay.amount
            unnamed[money.currency] = unnamed.get(money.currency, _ZERO) + money.amount
    for inv in records.invoices:
        if inv.kind is _CREDIT_NOTE and inv.applies_to is None and inv.issue_date <= day:
            money = inv.amount
            unnamed[money.currency] = unnamed.get(money.currency, _ZERO) + money.amount
    return all(unnamed.get(cur, _ZERO) >= amount for cur, amount in owed.items())


def overdue_since(ledger: Ledger, customer_id: str, as_of: date) -> date | None:
    """First day of the customer's current overdue spell.

    The spell is the last run of days, up to ``as_of``, on each of which some
    open invoice or deposit request of the customer (any currency) was past
    its due date. Paying the oldest invoice while others stay overdue does
    not end it. Something becomes overdue only on a due date plus one day,
    and nothing stops being overdue but on a payment or credit-note date, so
    only those days are looked at.

    Args:
        ledger: the ledger.
        customer_id: the customer.
        as_of: the date.

    Returns:
        The spell's first day, or ``None`` when nothing is overdue on ``as_of``.

    Raises:
        KeyError: the customer is unknown.
    """
    ledger.customer(customer_id)
    records = _Records(ledger, customer_id)
    targets, open_amount, _ = apply_payments(records.invoices, records.payments, as_of)
    dues = [
        inv.due_date
        for iid, inv in targets.items()
        if inv.issue_date <= as_of and open_amount[iid] > 0
    ]
    return _overdue_since(records, as_of, dues)


def _overdue_since(records: _Records, as_of: date, dues: Iterable[date]) -> date | None:
    """:func:`overdue_since` with the due dates of the invoices open on ``as_of``."""
    oldest = min((due for due in dues if due < as_of), default=None)
    if oldest is None:
        return None
    # Balances never rise, so the oldest overdue invoice was overdue on every
    # day after its due date: only earlier days can have been clear.
    ends = {p.date for p in records.payments if p.date <= oldest}
    due_dates: set[date] = set()  # of the invoices and deposit requests due before as_of
    for inv in records.invoices:
        if inv.kind is _CREDIT_NOTE:
            if inv.issue_date <= oldest:
                ends.add(inv.issue_date)
        elif inv.due_date < as_of:
            due_dates.add(inv.due_date)
    clear: date | None = None  # the latest such day with nothing overdue
    for day in sorted(ends, reverse=True):
        if not _overdue_on(records, day):
            clear = day
            break
    # the spell starts on the first day after such a due date with something overdue
    for due in sorted(due_dates):
        if clear is None or due >= clear:
            day = due + _ONE_DAY
            if _overdue_on(records, day):
                return day
    return as_of  # pragma: no cover - the spell starts on one of those days


def _excused(customer: Customer, as_of: date, records: _Records) -> bool:
    """A dunning block, an open dispute or an invoice hold suspends score holds."""
    return customer.blocked(as_of) or any(
        inv.issue_date <= as_of and (inv.disputed(as_of) or inv.on_hold(as_of))
        for inv in records.invoices
    )


def _at(
    customer_id: str, as_of: date, records: _Records, pos: CustomerPosition
) -> CustomerPosition:
    """The allocation on ``as_of``: ``pos`` when nothing happened since its day."""
    if records.unchanged(pos.as_of, as_of):
        return pos
    return allocate(customer_id, records.invoices, records.payments, as_of)


def _recommend(
    ledger: Ledger,
    customer: Customer,
    as_of: date,
    policy: CreditPolicy,
    external: CreditScore | None,
    position: CustomerPosition | None = None,
    fx_rates: FxRates | None = None,
) -> CreditRecommendation:
    cid = customer.id
    records = _Records(ledger, cid)
    if position is None:
        pos = allocate(cid, records.invoices, records.payments, as_of)
    else:
        pos = position
        if pos.customer_id != cid or pos.as_of > as_of:
            raise ValueError(
                f"position of {pos.customer_id} on {pos.as_of} given for {cid} on {as_of}"
            )
    items: list[tuple[Money, date]] = []  # the balances above zero, with due dates
    behaviour, complete = _behaviour(
        ledger, cid, as_of, pos, records.invoices, records.payments, records.paid_on, items
    )
    dues: list[date] = []  # of the items open in pos
    rows = tuple(_rows(ledger, customer, pos, as_of, fx_rates, dues, items if complete else None))
    # the allocation on as_of: the position's when nothing happened in between
    # (looked at only when needed: for a breach or a score hold)
    current = pos if pos.as_of == as_of else None
    score = _score(behaviour, external, policy)
    reasons: list[Reason] = []
    hold = False
    since: date | None = None
    if policy.hold_on_limit:
        for row in rows:
            if row.breached and row.limit is not None:
                if current is None:
                    current = _at(cid, as_of, records, pos)
                found = _breach_start(
                    ledger, row.limit, as_of, fx_rates, records, current.allocations
                )
                since = found or as_of
                hold = True
                data = {
                    "exposure": str(row.exposure.amount),
                    "limit": str(row.limit.amount),
                    "currency": row.currency,
                    "since": since.isoformat(),
                }
                text = f"exposure {row.exposure} exceeds the credit limit {row.limit}"
                if row.converted is not None and row.converted.is_positive():
                    data["converted"] = str(row.converted.amount)
                    data["total"] = str(row.total.amount)
                    text = (
                        f"exposure {row.exposure} and {row.converted} converted from other "
                        f"currencies ({row.total}) exceeds the credit limit {row.limit}"
                    )
                reasons.append(Reason("credit_limit_exceeded", text, data))
    for row in rows:
        if row.limit is not None and row.uncovered:
            amounts = ", ".join(str(m) for m in row.uncovered)
            why = (
                "no exchange rates given"
                if fx_rates is None
                else f"no exchange rate to {row.currency} on {as_of.isoformat()}"
            )
            reasons.append(
                Reason(
                    "exposure_not_covered",
                    f"exposure {amounts} is not covered by the credit limit {row.limit}: {why}",
                    {
                        "uncovered": " ".join(str(m) for m in row.uncovered),
                        "currencies": " ".join(m.currency for m in row.uncovered),
                        "limit": str(row.limit.amount),
                        "currency": row.currency,
                    },
                )
            )
    overdue = [row.overdue for row in rows if row.overdue.is_positive()]
    threshold = policy.hold_below
    score_text: str | None = None
    if (
        threshold is not None
        and score is not None
        and score < threshold
        and overdue
        and not _excused(customer, as_of, records)
    ):
        hold = True
        if current is None:
            current = _at(cid, as_of, records, pos)
        if current is not pos:  # else the dues from _rows are those of current
            dues = [
                records.by_id[iid].due_date
                for iid, bal in current.balances.items()
                if bal.minor_units > 0
            ]
        late = _overdue_since(records, as_of, dues)
        since = since or late
        shown = [str(m) for m in overdue]
        score_text = _score_text(behaviour, external)
        reasons.append(
            Reason(
                "low_score",
                f"score {score} ({score_text}) is below "
                f"{policy.hold_below} with {', '.join(shown)} overdue",
                {
                    "score": str(score),
                    "behaviour": "" if behaviour.score is None else str(behaviour.score),
                    "external": "" if external is None else str(external.value),
                    "source": "" if external is None else external.source,
                    "threshold": str(policy.hold_below),
                    "overdue": " ".join(shown),
                    "since": "" if late is None else late.isoformat(),
                },
            )
        )
    share = policy.deposit_share(score)
    decision = CreditDecision.HOLD if hold else CreditDecision.NONE
    if share is not None and share > 0:
        if not hold:
            decision = CreditDecision.DEPOSIT
        if score_text is None:
            score_text = _score_text(behaviour, external)
        text = f"score {score} ({score_text}): ask {share} % in advance"
        reasons.append(_deposit_reason(text, str(score), str(share)))
    return CreditRecommendation(
        customer.id,
        as_of,
        decision,
        share,
        rows,
        behaviour,
        external,
        score,
        since if hold else None,
        tuple(reasons),
    )


def recommend(
    ledger: Ledger,
    customer_id: str,
    as_of: date,
    *,
    policy: CreditPolicy = DEFAULT_POLICY,
    external: CreditScore | None = None,
    position: CustomerPosition | None = None,
    fx_rates: FxRates | None = None,
) -> CreditRecommendation:
    """Recommend a credit hold, a deposit share or nothing for a customer.

    In this order:

    1. ``hold`` (reason ``credit_limit_exceeded``) when the policy's
       ``hold_on_limit`` is on and the exposure in the limit's currency
       (plus, with ``fx_rates``, the other currencies' exposure converted)
       is above the limit; exposure the limit does not cover (other
       currencies without ``fx_rates`` or without a rate on the date) is
       named by the reason ``exposure_not_covered``, which changes nothing
       else;
    2. ``hold`` (reason ``low_score``) when the score (the lower of the
       counted behaviour score and ``external``) is below ``hold_below`` and
       some amount is overdue, unless the customer has an active dunning
       block or an invoice with an open dispute or on hold (lateness may be
       the dispute's, so disputes and holds never add a hold);
    3. otherwise ``deposit`` (reason ``deposit_recommended``) when the
       score falls in a deposit band with a share above zero; else ``none``.

    Args:
        ledger: the ledger.
        customer_id: the customer.
        as_of: the date.
        policy: the credit policy.
        external: an external score (e.g. from ``Plugins.credit_score``).
        position: the customer's :meth:`~arpolicy.model.Ledger.position` on
            ``as_of`` when the caller has it (the engine does), to save
            allocating again; see :func:`arpolicy.reports.payment_behaviour`.
        fx_rates: exchange rates to count exposure in other currencies
            against the credit limit (see the module documentation).

    Returns:
        The recommendation with its reasons.

    Raises:
        KeyError: the customer is unknown.
        ValueError: ``position`` is of another customer or a later date.
    """
    customer = ledger.customer(customer_id)
    return _recommend(ledger, customer, as_of, policy, external, position, fx_rates)


def credit_review(
    ledger: Ledger,
    as_of: date,
    *,
    policy: CreditPolicy = DEFAULT_POLICY,
    plugins: Plugins | None = None,
    fx_rates: FxRates | None = None,
) -> tuple[CreditRecommendation, ...]:
    """:func:`recommend` for every customer of the ledger.

    Args:
        ledger: the ledger.
        as_of: the date.
        policy: the credit policy.
        plugins: when given, each customer's external score is asked of the
            ``arpolicy_credit_score`` hook (first answer wins: built-ins,
            then plugins by name).
        fx_rates: exchange rates, as for :func:`recommend`.

    Returns:
        One recommendation per customer, sorted by customer id.

    Raises:
        PluginError: a plugin failed or answered something else than a
            :class:`CreditScore`.
    """
    out: list[CreditRecommendation] = []
    for customer in sorted(ledger.customers, key=lambda c: c.id):
        external = None if plugins is None else plugins.credit_score(customer, ledger, as_of)
        out.append(_recommend(ledger, customer, as_of, policy, external, None, fx_rates))
    return tuple(out)


def score_safe_days(score: Decimal, threshold: Decimal) -> int:
    """Days a behaviour score of ``score`` surely stays at or above ``threshold``.

    Between ledger events (issue, payment, due and plan dates) only the
    ``average_late`` and ``spread`` components move, as open overdue
    invoices age by one day a day: together by at most ``25/60 + 15/30 <
    1`` point a day, plus 0.2 for their rounding. The engine uses this to
    know when to look again.

    Args:
        score: today's behaviour score (at or above ``threshold``).
        threshold: the hold threshold.

    Returns:
        ``t >= 0`` such that the score is at or above ``threshold`` for the
        next ``t`` days.

    >>> score_safe_days(Decimal("45.5"), Decimal(30))
    15
    """
    return max(0, math.floor(score - threshold - Decimal("0.2")))
