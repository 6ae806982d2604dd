"""What skip rules and action rules see and answer (see :mod:`arpolicy.hookspecs`).

A *skip rule* looks at one open invoice (:class:`InvoiceContext`) and may keep
it out of today's dunning with a :class:`Skip`, which lands in
``Plan.skipped`` with its reason. An *action rule* looks at one planned action
(:class:`ActionContext`) and may change it or remove it with a :class:`Veto`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from collections.abc import Set as AbstractSet

import attrs

from .actions import Action, SkipReason
from .credit import CreditScore
from .model import Customer, CustomerPosition, Invoice, Ledger, PaymentPlan, PlanState
from .money import Money
from .policy import Playbook, Policy

__all__ = ["ActionContext", "CustomerContext", "ExtraActions", "InvoiceContext", "Skip", "Veto"]


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
        plans: the customer's payment plans in force on ``as_of`` (agreed by
            then) with their state on that day.
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


@attrs.frozen
class CustomerContext:
    """One customer on the planning day, as plugins that add actions see it.

    Attributes:
        customer: the customer.
        ledger: the ledger (for the customer's invoices, payments, trials).
        playbook: the playbook in use.
        as_of: the planning day.
        balances: the open amount of each open invoice, by invoice id.
        plans: the customer's payment plans in force on ``as_of`` (agreed by
            then) with their state on that day.
        done: the keys of the actions already carried out for the customer
            (an action whose key is here must not be planned again).
        credit_score: the external credit score a plugin supplied through
            ``arpolicy_credit_score`` (asked only when the playbook's
            ``credit_hold`` is on), or ``None``.
        position: the customer's allocation on ``as_of`` (what ``balances``
            comes from), or ``None`` when the caller did not pass it.
    """

    customer: Customer
    ledger: Ledger
    playbook: Playbook
    as_of: dt.date
    balances: Mapping[str, Money]
    plans: tuple[tuple[PaymentPlan, PlanState], ...]
    done: AbstractSet[str] = attrs.field(eq=False)
    credit_score: CreditScore | None = None
    position: CustomerPosition | None = attrs.field(default=None, eq=False, repr=False)


def _actions(value: tuple[Action, ...] | list[Action]) -> tuple[Action, ...]:
    return tuple(value)


@attrs.frozen
class ExtraActions:
    """Actions outside the dunning ladder that a plugin plans for a customer.

    Attributes:
        actions: the actions, dated the planning day, each with a stable key.
        wake: the next day on which the plugin may plan something for the
            customer without anything else changing (a trial notice's day),
            so that :func:`~arpolicy.engine.simulate` looks then; or ``None``.
    """

    actions: tuple[Action, ...] = attrs.field(default=(), converter=_actions)
    wake: dt.date | None = None
