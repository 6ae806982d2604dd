"""Built-in rules (plugin ``arpolicy.rules``).

Actions outside the dunning ladder (``arpolicy_customer_actions``):

* ``plan-broken``: a payment plan missed an instalment (after its grace); one
  e-mail per plan, and dunning of its invoices resumes;
* ``credit-hold``: :func:`arpolicy.credit.recommend` (default
  :class:`~arpolicy.credit.CreditPolicy`, with the external score of the
  ``arpolicy_credit_score`` hook) decides a hold: the exposure in the credit
  limit's currency exceeds the limit, or the score is low while something is
  overdue (when the playbook's ``credit_hold`` is on); one internal task per
  hold, keyed by the day it began (``CreditRecommendation.since``), with the
  recommendation's reasons;
* ``trial-ending``: ``trial_notice_days`` before a trial or free allowance
  ends; only the nearest notice when several are due.

Skip rules (``arpolicy_skip_invoice``), in this order; the first that applies
wins:

1. the customer has an active dunning block (``blocked``, until its end);
2. the invoice is disputed (``disputed``, until the dispute is resolved);
3. the invoice is on hold (``on_hold``, until the hold ends);
4. a payment plan that is on track covers the invoice (``paused_by_plan``);
5. the customer owes less than the policy's minimum amount in the invoice's
   currency, not counting disputed, held and plan-covered invoices
   (``below_minimum``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from ..actions import Action, ActionKind, Reason, SkipReason, action_key
from ..credit import DEFAULT_POLICY, CreditDecision, recommend, score_safe_days
from ..hookspecs import hookimpl
from ..model import Customer, PlanStatus
from ..money import Money
from ..rules import CustomerContext, ExtraActions, InvoiceContext, Skip

__all__ = [
    "CREDIT_HOLD_CHANNEL",
    "SPECIAL_CHANNEL",
    "arpolicy_customer_actions",
    "arpolicy_skip_invoice",
]

SPECIAL_CHANNEL: Final = "email"
"""Channel of trial notices and plan-broken notices."""
CREDIT_HOLD_CHANNEL: Final = "internal"
"""Channel of credit-hold actions (an internal task: stop deliveries, review credit)."""


@hookimpl
def arpolicy_skip_invoice(context: InvoiceContext) -> Skip | None:
    """Blocks, disputes, holds, payment plans and minimum amounts."""
    customer, invoice, as_of = context.customer, context.invoice, context.as_of
    block = customer.block
    if block is not None and customer.blocked(as_of):
        until = block.until
        return Skip(
            SkipReason.BLOCKED,
            f"customer blocked ({block.reason})" + (f" until {until.isoformat()}" if until else ""),
            until,
        )
    dispute = invoice.dispute
    if dispute is not None and invoice.disputed(as_of):
        return Skip(
            SkipReason.DISPUTED,
            f"disputed: {dispute.reason or 'no reason given'}",
            dispute.resolved_on,
        )
    hold = invoice.on_hold_until
    if hold is not None and invoice.on_hold(as_of):
        return Skip(SkipReason.ON_HOLD, f"on hold until {hold.isoformat()}", hold)
    for plan, state in context.plans:
        if state.status is PlanStatus.ON_TRACK and invoice.id in plan.invoice_ids:
            return Skip(SkipReason.PAUSED_BY_PLAN, f"covered by payment plan {plan.id!r}")
    policy = context.policy
    minimum = policy.minimum_for(invoice.currency)
    if minimum is not None and context.dunnable_total < minimum:
        return Skip(
            SkipReason.BELOW_MINIMUM,
            f"open {context.dunnable_total} is below the minimum {minimum} of policy "
            f"{policy.name!r}",
        )
    return None


_SPECIAL_STEPS = {
    ActionKind.PLAN_BROKEN: ("plan-broken", SPECIAL_CHANNEL),
    ActionKind.CREDIT_HOLD: ("credit-hold", CREDIT_HOLD_CHANNEL),
    ActionKind.TRIAL_NOTICE: ("trial-ending", SPECIAL_CHANNEL),
}


def _credit_hold(context: CustomerContext) -> tuple[Action | None, date | None]:
    """The credit-hold action :func:`arpolicy.credit.recommend` calls for, and
    the next day on which its answer may change without a ledger event."""
    ledger, customer, as_of = context.ledger, context.customer, context.as_of
    policy = DEFAULT_POLICY
    wake: date | None = None
    # a due date passing changes what is overdue and which invoices are judged
    for iid in context.balances:
        due = ledger.invoice(iid).due_date
        if due >= as_of:
            day = due + timedelta(days=1)
            wake = day if wake is None or day < wake else wake
    if customer.credit_limit is None and not any(
        ledger.invoice(iid).due_date < as_of for iid in context.balances
    ):
        return None, wake  # no limit and nothing overdue: no hold possible
    rec = recommend(
        ledger,
        customer.id,
        as_of,
        policy=policy,
        external=context.credit_score,
        position=context.position,
    )
    behaviour = rec.behaviour
    if (
        rec.decision is not CreditDecision.HOLD
        and policy.hold_below is not None
        and behaviour.score is not None
        and behaviour.invoices >= policy.min_invoices
        and any(row.overdue.is_positive() for row in rec.exposures)
    ):
        # overdue invoices age a day a day and the behaviour score drifts down
        day = as_of + timedelta(days=score_safe_days(behaviour.score, policy.hold_below) + 1)
        wake = day if wake is None or day < wake else wake
    if rec.decision is not CreditDecision.HOLD or rec.since is None:
        return None, wake
    key = action_key(customer.id, "credit-hold", CREDIT_HOLD_CHANNEL, subject=f"credit:{rec.since}")
    if key in context.done:
        return None, wake
    limit = customer.credit_limit
    rows = [r for r in rec.exposures if r.exposure.is_positive()]
    if limit is not None:
        amount: Money | None = next(
            (r.exposure for r in rec.exposures if r.currency == limit.currency), None
        )
    else:
        amount = rows[0].exposure if len(rows) == 1 else None
    reasons = tuple(r for r in rec.reasons if r.code != "deposit_recommended")
    action = _special(customer, as_of, ActionKind.CREDIT_HOLD, "formal", amount, key, reasons)
    return action, wake


def _special(
    customer: Customer,
    as_of: date,
    kind: ActionKind,
    tone: str,
    amount_due: Money | None,
    key: str,
    reason: Reason | tuple[Reason, ...],
) -> Action:
    """An action outside the ladder (its step name is also its template)."""
    step, channel = _SPECIAL_STEPS[kind]
    return Action(
        date=as_of,
        customer_id=customer.id,
        invoice_ids=(),
        step=step,
        level=0,
        channel=channel,
        tone=tone,
        kind=kind,
        policy="",
        amount_due=amount_due,
        fees=None,
        deadline=None,
        key=key,
        reasons=reason if isinstance(reason, tuple) else (reason,),
        template=step,
    )


@hookimpl
def arpolicy_customer_actions(context: CustomerContext) -> ExtraActions:
    """Broken payment plans, credit-limit breaches and trials ending."""
    ledger, customer, playbook = context.ledger, context.customer, context.playbook
    as_of, balances, plans, done = context.as_of, context.balances, context.plans, context.done
    actions: list[Action] = []
    wake: date | None = None
    # payment plans that broke
    for plan, state in plans:
        if state.status is not PlanStatus.BROKEN or state.broken_on is None:
            continue
        key = action_key(customer.id, "plan-broken", SPECIAL_CHANNEL, subject=f"plan:{plan.id}")
        if key in done:
            continue
        open_ids = tuple(sorted(i for i in plan.invoice_ids if i in balances))
        due = Money.total((balances[i] for i in open_ids), plan.currency)
        reason = Reason(
            "plan_broken",
            f"payment plan {plan.id!r} missed an instalment; dunning resumes",
            {
                "plan": plan.id,
                "broken_on": state.broken_on.isoformat(),
                "invoices": " ".join(open_ids),
            },
        )
        actions.append(_special(customer, as_of, ActionKind.PLAN_BROKEN, "firm", due, key, reason))
    # credit hold (arpolicy.credit decides)
    if playbook.credit_hold:
        hold, wake = _credit_hold(context)
        if hold is not None:
            actions.append(hold)
    # trials and free allowances ending
    for trial in ledger.trials_of(customer.id):
        if as_of > trial.ends:
            continue
        chosen: int | None = None
        for days in playbook.trial_notice_days:  # descending: 7, then 1
            day = trial.ends - timedelta(days=days)
            if day <= as_of:
                chosen = days
            else:
                wake = day if wake is None or day < wake else wake
                break
        if chosen is None:
            continue
        key = action_key(
            customer.id, "trial-ending", SPECIAL_CHANNEL, subject=f"trial:{trial.id}:{chosen}"
        )
        later = [d for d in playbook.trial_notice_days if d < chosen]
        if key in done:
            continue
        reason = Reason(
            "trial_ending",
            f"{trial.kind.value} {trial.id!r} ends on {trial.ends.isoformat()}",
            {
                "trial": trial.id,
                "ends": trial.ends.isoformat(),
                "days_before": chosen,
                "next_notice_days": " ".join(str(d) for d in later),
            },
        )
        actions.append(
            _special(customer, as_of, ActionKind.TRIAL_NOTICE, "courtesy", None, key, reason)
        )
    return ExtraActions(actions, wake)
