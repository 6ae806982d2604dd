"""Built-in skip rules (plugin ``arpolicy.rules``).

In this order, the first that applies wins:

1. the customer has an active dunning block (``blocked``, until its end);
2. the invoice is disputed (``disputed``, until the dispute is resolved);
3. the invoice is on hold (``on_hold``, until the hold ends);
4. a payment plan that is on track covers the invoice (``paused_by_plan``);
5. the customer owes less than the policy's minimum amount in the invoice's
   currency, not counting disputed, held and plan-covered invoices
   (``below_minimum``).
"""

from __future__ import annotations

from ..actions import SkipReason
from ..model import PlanStatus
from ..plugins import hookimpl
from ..rules import InvoiceContext, Skip

__all__ = ["arpolicy_skip_invoice"]


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
