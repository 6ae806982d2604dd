"""Payment behaviour score of one customer (record path: one customer's allocation)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

import attrs

from ..model import CustomerPosition, Invoice, Ledger, PlanStatus, _apply_payments
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
