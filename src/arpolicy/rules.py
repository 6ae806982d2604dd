"""What skip rules and action rules see and answer (see :mod:`arpolicy.hookspecs`).

A *skip rule* looks at one open invoice (:class:`InvoiceContext`) and may keep
it out of today's dunning with a :class:`Skip`, which lands in
``Plan.skipped`` with its reason. An *action rule* looks at one planned action
(:class:`ActionContext`) and may change it or remove it with a :class:`Veto`.
"""

from __future__ import annotations

import datetime as dt

import attrs

from .actions import SkipReason
from .model import Customer, Invoice, PaymentPlan, PlanState
from .money import Money
from .policy import Policy

__all__ = ["ActionContext", "InvoiceContext", "Skip", "Veto"]


def _reason(value: SkipReason | str) -> SkipReason:
    return SkipReason(value)


@attrs.frozen
class InvoiceContext:
    """One open invoice on the planning day, as skip rules see it.

    Attributes:
        customer: its customer.
        invoice: the invoice.
        balance: its open amount on ``as_of``.
        policy: the policy chosen for it.
        as_of: the planning day.
        plans: the customer's payment plans with their state on ``as_of``.
        dunnable_total: the customer's open amount in the invoice's currency,
            without disputed, held and plan-covered invoices (what a minimum
            amount is compared with).
    """

    customer: Customer
    invoice: Invoice
    balance: Money
    policy: Policy
    as_of: dt.date
    plans: tuple[tuple[PaymentPlan, PlanState], ...]
    dunnable_total: Money


@attrs.frozen
class Skip:
    """A skip rule's answer: leave the invoice alone today.

    Attributes:
        reason: a :class:`~arpolicy.actions.SkipReason`; third-party rules
            usually answer ``SkipReason.RULE``.
        detail: a sentence for people, shown in ``Plan.skipped``.
        until: the day the rule's answer may change (a hold's end), or
            ``None``. :func:`~arpolicy.engine.simulate` wakes up then.
    """

    reason: SkipReason = attrs.field(converter=_reason)
    detail: str
    until: dt.date | None = None


@attrs.frozen
class ActionContext:
    """A planned action's surroundings, as action rules see them.

    Attributes:
        customer: the customer.
        as_of: the planning day.
        invoices: the invoices the action is about.
    """

    customer: Customer
    as_of: dt.date
    invoices: tuple[Invoice, ...]


@attrs.frozen
class Veto:
    """An action rule's answer: do not carry the action out.

    The action's invoices appear in ``Plan.skipped`` with reason
    ``SkipReason.VETOED`` and this detail.
    """

    detail: str
