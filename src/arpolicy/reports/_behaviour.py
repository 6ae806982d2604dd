"""Payment behaviour score of one customer (record path: one customer's allocation)."""

from __future__ import annotations

import decimal
import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

import attrs

from ..model import (
    CustomerPosition,
    Invoice,
    InvoiceKind,
    Ledger,
    Payment,
    PlanStatus,
    _apply_payments,
)
from ..money import Money
from ._common import _q

__all__ = ["BehaviourComponent", "BehaviourScore", "payment_behaviour"]


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


def _source_date(ledger: Ledger, paid_on: Mapping[str, date], source: str) -> date:
    """The date of an allocation's source: its payment's date, else its credit
    note's issue date (the customer's payments by id in ``paid_on`` first)."""
    when = paid_on.get(source)
    if when is not None:
        return when
    try:
        return ledger.payment(source).date
    except KeyError:
        return ledger.invoice(source).issue_date


def _last_from(
    ledger: Ledger, position: CustomerPosition, paid_on: Mapping[str, date]
) -> dict[str, date]:
    """Per invoice, the latest date of a payment or credit note the position
    applied to it (as :func:`_last_applied`), the dates of the customer's
    payments taken from ``paid_on`` (payment ids are unique, so a customer's
    own payment is the ledger's payment of that id)."""
    last: dict[str, date] = {}
    date_of, prior_of = paid_on.get, last.get
    for alloc in position.allocations:
        target = alloc.invoice_id
        if target is None:
            continue
        source = alloc.source_id
        when = date_of(source)
        if when is None:
            when = _source_date(ledger, paid_on, source)
        prior = prior_of(target)
        if prior is None or when > prior:
            last[target] = when
    return last


@attrs.frozen
class BehaviourComponent:
    """One part of a payment behaviour score.

    Attributes:
        name: ``on_time``, ``average_late``, ``spread`` or ``plans``.
        measure: the measured figure (share 0..1, days, or broken share).
        points: the points earned (0.1, half-up).
        weight: the most points this component can earn.
    """

    name: str
    measure: Decimal
    points: Decimal
    weight: int


@attrs.frozen
class BehaviourScore:
    """A customer's payment behaviour score on a date.

    Attributes:
        customer_id: the customer.
        as_of: the date.
        invoices: invoices judged (settled, or open and past due).
        score: sum of the components' points, 0..100; ``None`` without
            any invoice or plan to judge.
        components: the four components.
    """

    customer_id: str
    as_of: date
    invoices: int
    score: Decimal | None
    components: tuple[BehaviourComponent, ...]

    def explain(self) -> list[str]:
        """One line per component, then the total.

        Returns:
            Human-readable lines, e.g. ``"on_time: 0.5 -> 25.0 of 50"``.
        """
        lines = [f"{c.name}: {c.measure} -> {c.points} of {c.weight}" for c in self.components]
        lines.append(f"score: {self.score if self.score is not None else 'n/a (no history)'}")
        return lines


def _clamp01(value: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), value))


# The components that depend on a few counts only are worked out once per
# counts (and decimal context precision and rounding): frozen, so shareable.


@functools.lru_cache(maxsize=4096)
def _on_time_part(on_time: int, n: int, _context: tuple[int, str]) -> BehaviourComponent:
    """``on_time`` of ``n`` judged invoices of which ``on_time`` were not late."""
    share = Decimal(on_time) / n if n else Decimal(1)
    return BehaviourComponent("on_time", _q(share * 100) / 100, _q(50 * share), 50)


@functools.lru_cache(maxsize=4096)
def _average_part(total: int, n: int, _context: tuple[int, str]) -> BehaviourComponent:
    """``average_late`` of ``n`` judged invoices ``total`` days late together."""
    mean = Decimal(total) / n if n else Decimal(0)
    return BehaviourComponent("average_late", _q(mean), _q(25 * _clamp01(1 - mean / 60)), 25)


@functools.lru_cache(maxsize=256)
def _plans_part(broken: int, plans: int, _context: tuple[int, str]) -> BehaviourComponent:
    """``plans`` with ``broken`` of ``plans`` plans broken."""
    share = Decimal(broken) / plans if plans else Decimal(0)
    return BehaviourComponent("plans", _q(share * 100) / 100, _q(10 * (1 - share)), 10)


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
    if position is not None and (position.customer_id != customer_id or position.as_of > as_of):
        raise ValueError(
            f"position of {position.customer_id} on {position.as_of} "
            f"given for {customer_id} on {as_of}"
        )
    invoices = ledger.invoices_of(customer_id)
    return _behaviour(ledger, customer_id, as_of, position, invoices, None)[0]


def _behaviour(
    ledger: Ledger,
    customer_id: str,
    as_of: date,
    position: CustomerPosition | None,
    invoices: Sequence[Invoice],
    payments: Sequence[Payment] | None,
    paid_on: Mapping[str, date] | None = None,
    open_items: list[tuple[Money, date]] | None = None,
) -> tuple[BehaviourScore, bool]:
    """:func:`payment_behaviour` of a known customer with a checked ``position``,
    on the customer's ``invoices`` (and ``payments``, looked up when ``None``;
    or their dates by payment id, ``paid_on``).

    With a ``position`` and ``open_items``, each balance of the position above
    zero is added to ``open_items`` with its invoice's due date, on the way;
    the flag returned says that every balance of the position was seen (it
    is of these invoices), so that ``open_items`` has them all.
    """
    # days late of every judged invoice: settled ones (:func:`_settled_dates`)
    # up to their settlement day, open ones up to as_of
    days: list[int] = []
    credit_note = InvoiceKind.CREDIT_NOTE
    complete = False
    if position is None:
        if payments is None:
            payments = ledger.payments_of(customer_id)
        settled = _settled_dates(*_apply_payments(invoices, payments, as_of), as_of)
        for inv in invoices:
            if inv.kind is credit_note or inv.issue_date > as_of:
                continue
            when = settled.get(inv.id)
            if when is not None:
                late = (when - inv.due_date).days
                days.append(late if late > 0 else 0)
            elif inv.due_date < as_of:
                days.append((as_of - inv.due_date).days)
    else:
        if paid_on is None:
            if payments is None:
                payments = ledger.payments_of(customer_id)
            paid_on = {p.id: p.date for p in payments}
        last = _last_from(ledger, position, paid_on)
        balance_of, add = position.balances.get, days.append
        seen = 0
        for inv in invoices:
            issued = inv.issue_date
            if issued > as_of or inv.kind is credit_note:
                continue
            iid, due = inv.id, inv.due_date
            balance = balance_of(iid)
            if balance is not None:
                seen += 1
                amount = balance.amount
                if not amount:
                    # settled: on the latest day something was applied to it,
                    # never before its issue date
                    when = last.get(iid, issued)
                    late = ((when if when > issued else issued) - due).days
                    add(late if late > 0 else 0)
                    continue
                if amount > 0 and open_items is not None:
                    open_items.append((balance, due))
            if due < as_of:
                add((as_of - due).days)
        complete = seen == len(position.balances)
    every = ledger._of("plan", customer_id)  # plans_of(customer_id, on=as_of):
    plans = tuple(p for p in every if p.in_force(as_of)) if every else ()
    broken = (
        sum(1 for p in plans if ledger.plan_state(p.id, as_of).status is PlanStatus.BROKEN)
        if plans
        else 0
    )
    n = len(days)
    context = decimal.getcontext()
    exact = context.prec, context.rounding  # what the cached parts were worked out with
    if n:
        late_days = sum(days)
        mean = Decimal(late_days) / n
        squares: dict[int, Decimal] = {}
        total = Decimal(0)
        for v in days:
            square = squares.get(v)
            if square is None:
                square = squares[v] = (Decimal(v) - mean) ** 2
            total += square
        sd = (total / n).sqrt()
        average = _average_part(late_days, n, exact)
    else:
        sd = Decimal(0)
        average = _average_part(0, 0, exact)
    components = (
        _on_time_part(days.count(0), n, exact),
        average,
        BehaviourComponent("spread", _q(sd), _q(15 * _clamp01(1 - sd / 30)), 15),
        _plans_part(broken, len(plans), exact),
    )
    score = (
        None
        if not n and not plans
        else Decimal(0)  # summed in order, as sum() did
        + components[0].points
        + components[1].points
        + components[2].points
        + components[3].points
    )
    return BehaviourScore(customer_id, as_of, n, score, components), complete
