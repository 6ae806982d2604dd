"""The credit recommendation as it was before the credit-speed work (commit ad31487).

A verbatim copy of ``arpolicy.credit`` (``_rows`` .. ``recommend``) and
``arpolicy.reports._behaviour`` (``payment_behaviour`` and its helpers), kept
as the oracle of ``tests/test_credit_fast.py``: the faster code must give the
same results. It builds the library's own result classes, so results compare
with ``==``.
"""

# ruff: noqa

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from arpolicy.actions import Reason
from arpolicy.credit import (
    DEFAULT_POLICY,
    CreditDecision,
    CreditExposure,
    CreditPolicy,
    CreditRecommendation,
    CreditScore,
    _q,
    _HUNDRED,
)
from arpolicy.fx import FxRates
from arpolicy.model import Customer, CustomerPosition, Invoice, Ledger, PlanStatus, _apply_payments
from arpolicy.money import Money
from arpolicy.reports._behaviour import BehaviourComponent, BehaviourScore


def _last_applied(
    applied: Iterable[tuple[str, str | None, Decimal, str, date, bool]],
) -> dict[str, date]:
    """Per invoice, the latest date of a payment or credit note applied to it."""
    last: dict[str, date] = {}
    for _, target, _, _, paid_on, _ in applied:
        if target is not None:
            prior = last.get(target)
            if prior is None or paid_on > prior:
                last[target] = paid_on
    return last


def _settled_dates(
    targets: Mapping[str, Invoice],
    open_amount: Mapping[str, Decimal],
    applied: Iterable[tuple[str, str | None, Decimal, str, date, bool]],
    as_of: date,
) -> dict[str, date]:
    """Settlement date of every invoice of one customer settled by ``as_of``."""
    last = _last_applied(applied)
    out: dict[str, date] = {}
    for iid, inv in targets.items():
        if inv.issue_date <= as_of and not open_amount[iid]:
            out[iid] = max(last.get(iid, inv.issue_date), inv.issue_date)
    return out


def _settled_from(ledger: Ledger, position: CustomerPosition) -> dict[str, date]:
    """:func:`_settled_dates` from a :class:`CustomerPosition`'s allocations."""
    last: dict[str, date] = {}
    for alloc in position.allocations:
        target = alloc.invoice_id
        if target is None:
            continue
        source = alloc.source_id
        try:
            when = ledger.payment(source).date
        except KeyError:
            when = ledger.invoice(source).issue_date
        prior = last.get(target)
        if prior is None or when > prior:
            last[target] = when
    out: dict[str, date] = {}
    for iid, balance in position.balances.items():
        if balance.is_zero():
            issued = ledger.invoice(iid).issue_date
            when = last.get(iid, issued)
            out[iid] = when if when > issued else issued
    return out


def _clamp01(value: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), value))


def payment_behaviour(
    ledger: Ledger,
    customer_id: str,
    as_of: date,
    *,
    position: CustomerPosition | None = None,
) -> BehaviourScore:
    """Score a customer's payment behaviour from 0 (worst) to 100 (best).

    Judged invoices: the customer's invoices and deposit requests issued on or
    before ``as_of`` that are settled by then (days late ``max(0, settled -
    due)``) or still open and past due (days late ``as_of - due``). With
    ``n`` judged invoices, their days late ``L``, ``mean`` and population
    standard deviation ``sd``, and ``p`` plans agreed by ``as_of`` of which
    ``b`` are broken on ``as_of``:

    * ``on_time = 50 * (invoices with L = 0) / n``
    * ``average_late = 25 * max(0, 1 - mean / 60)``
    * ``spread = 15 * max(0, 1 - sd / 30)``
    * ``plans = 10 * (1 - b / p)`` (10 when ``p = 0``)

    With ``n = 0`` the three invoice components earn full points. The score
    is their sum; ``None`` when ``n = 0`` and ``p = 0``. Amounts play no
    part, so currencies never mix.

    Args:
        ledger: the ledger.
        customer_id: the customer.
        as_of: the date.
        position: the customer's :meth:`Ledger.position` when the caller
            has it already (saves allocating again): on ``as_of``, or on an
            earlier day when no payment, credit note or invoice of the
            customer is dated after that day up to ``as_of`` (as the engine's
            simulation reuses positions).

    Returns:
        The score with its components (see :meth:`BehaviourScore.explain`).

    Raises:
        KeyError: the customer is unknown.
        ValueError: ``position`` is of another customer or a later date.
    """
    ledger.customer(customer_id)
    if position is None:
        settled = _settled_dates(
            *_apply_payments(
                ledger.invoices_of(customer_id), ledger.payments_of(customer_id), as_of
            ),
            as_of,
        )
    else:
        if position.customer_id != customer_id or position.as_of > as_of:
            raise ValueError(
                f"position of {position.customer_id} on {position.as_of} "
                f"given for {customer_id} on {as_of}"
            )
        settled = _settled_from(ledger, position)
    lates: list[Decimal] = []
    for inv in ledger.invoices_of(customer_id):
        if inv.is_credit or inv.issue_date > as_of:
            continue
        when = settled.get(inv.id)
        if when is not None:
            lates.append(Decimal(max(0, (when - inv.due_date).days)))
        elif inv.due_date < as_of:
            lates.append(Decimal((as_of - inv.due_date).days))
    plans = ledger.plans_of(customer_id, on=as_of)
    broken = sum(1 for p in plans if ledger.plan_state(p.id, as_of).status is PlanStatus.BROKEN)
    n = len(lates)
    if n:
        on_time = Decimal(sum(1 for v in lates if not v)) / n
        mean = sum(lates, Decimal(0)) / n
        sd = (sum(((v - mean) ** 2 for v in lates), Decimal(0)) / n).sqrt()
    else:
        on_time, mean, sd = Decimal(1), Decimal(0), Decimal(0)
    broken_share = Decimal(broken) / len(plans) if plans else Decimal(0)
    components = (
        BehaviourComponent("on_time", _q(on_time * 100) / 100, _q(50 * on_time), 50),
        BehaviourComponent("average_late", _q(mean), _q(25 * _clamp01(1 - mean / 60)), 25),
        BehaviourComponent("spread", _q(sd), _q(15 * _clamp01(1 - sd / 30)), 15),
        BehaviourComponent("plans", _q(broken_share * 100) / 100, _q(10 * (1 - broken_share)), 10),
    )
    score = None if not n and not plans else sum((c.points for c in components), Decimal(0))
    return BehaviourScore(customer_id, as_of, n, score, components)


def _rows(
    ledger: Ledger,
    customer: Customer,
    pos: CustomerPosition,
    as_of: date,
    fx: FxRates | None = None,
) -> list[CreditExposure]:
    opened: dict[str, int] = {}
    late: dict[str, int] = {}
    for iid, bal in pos.balances.items():
        units = bal.minor_units
        if units <= 0:
            continue
        cur = bal.currency
        opened[cur] = opened.get(cur, 0) + units
        if ledger.invoice(iid).due_date < as_of:
            late[cur] = late.get(cur, 0) + units
    credit = {cur: m.minor_units for cur, m in pos.credit.items() if m.minor_units > 0}
    limit = customer.credit_limit
    currencies = set(opened) | set(credit)
    if limit is not None:
        currencies.add(limit.currency)
    rows: list[CreditExposure] = []
    for cur in sorted(currencies):
        o, c = opened.get(cur, 0), credit.get(cur, 0)
        exp = max(0, o - c)
        lim = limit if limit is not None and limit.currency == cur else None
        headroom = utilisation = None
        breached = False
        converted: Money | None = None
        uncovered: tuple[Money, ...] = ()
        if lim is not None:
            converted, uncovered = _convert_others(opened, credit, cur, as_of, fx)
            total = exp + (0 if converted is None else converted.minor_units)
            headroom = Money.from_minor(lim.minor_units - total, cur)
            if lim.minor_units:
                utilisation = _q(Decimal(total) / Decimal(lim.minor_units) * _HUNDRED)
            breached = total > lim.minor_units
        rows.append(
            CreditExposure(
                customer.id,
                cur,
                Money.from_minor(o, cur),
                Money.from_minor(c, cur),
                Money.from_minor(exp, cur),
                Money.from_minor(late.get(cur, 0), cur),
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
    currency = limit.currency

    def counted(code: str) -> bool:
        return code == currency or fx_rates is not None

    deltas: dict[date, dict[str, Decimal]] = {}

    def add(day: date, money: Money, sign: int) -> None:
        if day <= as_of and counted(money.currency):
            row = deltas.setdefault(day, {})
            row[money.currency] = row.get(money.currency, Decimal(0)) + sign * money.amount

    for inv in ledger.invoices_of(customer_id):
        add(inv.issue_date, inv.amount, -1 if inv.is_credit else 1)
    for pay in ledger.payments_of(customer_id):
        add(pay.date, pay.amount, -1)
    for alloc in ledger.position(customer_id, as_of).allocations:
        if alloc.is_discount:
            source = alloc.source_id
            try:
                when = ledger.payment(source).date
            except KeyError:
                when = ledger.invoice(source).issue_date
            add(when, alloc.amount, -1)
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


def _overdue(ledger: Ledger, pos: CustomerPosition) -> bool:
    return any(
        bal.minor_units > 0 and ledger.invoice(iid).due_date < pos.as_of
        for iid, bal in pos.balances.items()
    )


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
    pos = ledger.position(customer_id, as_of)
    dues = [
        ledger.invoice(iid).due_date for iid, bal in pos.balances.items() if bal.minor_units > 0
    ]
    oldest = min((due for due in dues if due < as_of), default=None)
    if oldest is None:
        return None
    # Balances never rise, so the oldest overdue invoice was overdue on every
    # day after its due date: only earlier days can have been clear.
    invoices = ledger.invoices_of(customer_id)
    ends = {p.date for p in ledger.payments_of(customer_id) if p.date <= oldest}
    ends |= {i.issue_date for i in invoices if i.is_credit and i.issue_date <= oldest}
    clear: date | None = None  # the latest such day with nothing overdue
    for day in sorted(ends, reverse=True):
        if not _overdue(ledger, ledger.position(customer_id, day)):
            clear = day
            break
    starts = sorted(
        {
            i.due_date + timedelta(days=1)
            for i in invoices
            if not i.is_credit and i.due_date < as_of and (clear is None or i.due_date >= clear)
        }
    )
    for day in starts:
        if _overdue(ledger, ledger.position(customer_id, day)):
            return day
    return as_of  # pragma: no cover - the spell starts on one of those days


def _excused(ledger: Ledger, customer: Customer, as_of: date) -> bool:
    """A dunning block, an open dispute or an invoice hold suspends score holds."""
    return customer.blocked(as_of) or any(
        inv.issue_date <= as_of and (inv.disputed(as_of) or inv.on_hold(as_of))
        for inv in ledger.invoices_of(customer.id)
    )


def _recommend(
    ledger: Ledger,
    customer: Customer,
    as_of: date,
    policy: CreditPolicy,
    external: CreditScore | None,
    position: CustomerPosition | None = None,
    fx_rates: FxRates | None = None,
) -> CreditRecommendation:
    pos = ledger.position(customer.id, as_of) if position is None else position
    behaviour = payment_behaviour(ledger, customer.id, as_of, position=pos)
    rows = tuple(_rows(ledger, customer, pos, as_of, fx_rates))
    score = _score(behaviour, external, policy)
    reasons: list[Reason] = []
    hold = False
    since: date | None = None
    if policy.hold_on_limit:
        for row in rows:
            if row.breached and row.limit is not None:
                since = breach_start(ledger, customer.id, as_of, fx_rates=fx_rates) or as_of
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
    if (
        threshold is not None
        and score is not None
        and score < threshold
        and overdue
        and not _excused(ledger, customer, as_of)
    ):
        hold = True
        late = overdue_since(ledger, customer.id, as_of)
        since = since or late
        reasons.append(
            Reason(
                "low_score",
                f"score {score} ({_score_text(behaviour, external)}) is below "
                f"{policy.hold_below} with {', '.join(str(m) for m in overdue)} overdue",
                {
                    "score": str(score),
                    "behaviour": "" if behaviour.score is None else str(behaviour.score),
                    "external": "" if external is None else str(external.value),
                    "source": "" if external is None else external.source,
                    "threshold": str(policy.hold_below),
                    "overdue": " ".join(str(m) for m in overdue),
                    "since": "" if late is None else late.isoformat(),
                },
            )
        )
    share = policy.deposit_share(score)
    decision = CreditDecision.HOLD if hold else CreditDecision.NONE
    if share is not None and share > 0:
        if not hold:
            decision = CreditDecision.DEPOSIT
        reasons.append(
            Reason(
                "deposit_recommended",
                f"score {score} ({_score_text(behaviour, external)}): ask {share} % in advance",
                {"score": str(score), "share": str(share)},
            )
        )
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
