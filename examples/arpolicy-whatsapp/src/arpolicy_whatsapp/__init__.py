"""arpolicy-whatsapp: an example arpolicy plugin.

Installed, it reaches arpolicy through the ``arpolicy`` entry-point group
under the name ``whatsapp`` and adds:

* a channel ``whatsapp-business`` (:data:`CHANNEL`): a short WhatsApp text
  with the amount due, the deadline and the invoices' payment links;
* a skip rule: invoices of customers tagged ``vip`` get no dunning until
  they are :data:`VIP_QUIET_DAYS` days overdue (reason ``rule``);
* an action rule: customers tagged ``vip`` are charged no contractual fees,
  and are never handed over to a collection agency (reason ``vetoed``).

Turn it off with ``ARPOLICY_DISABLE_PLUGINS=whatsapp`` or
``make_plugin_manager(disable=["whatsapp"])``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import attrs

from arpolicy.actions import Action, SkipReason
from arpolicy.channels import Channel, Payload, RenderContext
from arpolicy.fees import ChargeKind
from arpolicy.plugins import hookimpl
from arpolicy.rules import ActionContext, InvoiceContext, Skip, Veto

__all__ = [
    "AGENCY_CHANNEL",
    "CHANNEL",
    "VIP_QUIET_DAYS",
    "VIP_TAG",
    "arpolicy_adjust_action",
    "arpolicy_register_channels",
    "arpolicy_skip_invoice",
    "render",
]

arpolicy_plugin_name: Final = "whatsapp"
"""The plugin's name when it is registered in code, the same as its entry
point's, so that ``disable=["whatsapp"]`` works either way."""

VIP_TAG: Final = "vip"
"""The customer tag the VIP rules look for."""

VIP_QUIET_DAYS: Final = 30
"""Days after the due date during which a VIP's invoice gets no dunning."""

AGENCY_CHANNEL: Final = "agency"
"""The built-in channel that hands a claim over to a collection agency."""


def render(action: Action, context: RenderContext) -> Payload:
    """The WhatsApp text for an action.

    Args:
        action: the planned action.
        context: its customer and the ledger it was planned from.

    Returns:
        A ``message`` payload addressed to the customer's WhatsApp number
        (``""`` when none is on file) stating the amount due (charges
        included), the invoices, the deadline and any payment links.
    """
    customer = context.customer
    invoices = [context.ledger.invoice(iid) for iid in action.invoice_ids]
    links = [(inv.id, inv.payment_link) for inv in invoices if inv.payment_link]
    due = action.total_due
    if due is None:
        lines = [f"Hello {customer.name}, a message about your account ({action.step})."]
    else:
        about = ", ".join(action.invoice_ids)
        noun = "invoice" if len(action.invoice_ids) == 1 else "invoices"
        lines = [f"Hello {customer.name}, {due} is due on {noun} {about}."]
    if action.deadline is not None:
        lines.append(f"Please pay by {action.deadline.isoformat()}.")
    if len(links) == 1:
        lines.append(f"Pay here: {links[0][1]}")
    elif links:
        lines.append("Pay here:")
        lines.extend(f"{iid}: {link}" for iid, link in links)
    lines.append(f"Ref {action.key}")
    return Payload(
        action.channel,
        "message",
        customer.contacts.whatsapp or "",
        action.step,
        "\n".join(lines) + "\n",
        data={
            "key": action.key,
            "step": action.step,
            "amount_due": "" if due is None else str(due),
            "deadline": action.deadline.isoformat() if action.deadline else "",
            "payment_links": " ".join(link for _, link in links),
        },
    )


CHANNEL: Final = Channel(
    "whatsapp-business",
    render,
    contact="whatsapp",
    weekends=True,
    description="a WhatsApp Business text with payment links",
)
"""The ``whatsapp-business`` channel: needs a WhatsApp number, works on weekends."""


@hookimpl
def arpolicy_register_channels() -> Sequence[Channel]:
    """The ``whatsapp-business`` channel."""
    return (CHANNEL,)


@hookimpl
def arpolicy_skip_invoice(context: InvoiceContext) -> Skip | None:
    """VIP customers' invoices wait until they are 30 days overdue.

    Invoices that are not due yet wait too (no courtesy nudges for VIPs).

    Args:
        context: the invoice and its customer on the planning day.

    Returns:
        A ``rule`` skip until the day the invoice is 30 days overdue, or
        ``None`` for other customers and older invoices.
    """
    if VIP_TAG not in context.customer.tags:
        return None
    ends = context.invoice.due_date + dt.timedelta(days=VIP_QUIET_DAYS)
    if context.as_of >= ends:
        return None
    return Skip(
        SkipReason.RULE,
        f"VIP customer: no dunning until {VIP_QUIET_DAYS} days overdue, on {ends.isoformat()}",
        until=ends,
    )


@hookimpl
def arpolicy_adjust_action(action: Action, context: ActionContext) -> Action | Veto | None:
    """No agency hand-overs and no contractual fees for VIP customers.

    Statutory interest, compensation and collection costs are left alone:
    only charges of kind ``fee`` are removed.

    Args:
        action: the planned action.
        context: its customer, the day and its invoices.

    Returns:
        A :class:`~arpolicy.rules.Veto` for a hand-over to the agency, the
        action without its fee charges, or ``None`` when nothing changes.
    """
    if VIP_TAG not in context.customer.tags:
        return None
    if action.channel == AGENCY_CHANNEL:
        return Veto("VIP customers are not handed over to a collection agency")
    kept = tuple(c for c in action.charges if c.kind is not ChargeKind.FEE)
    if len(kept) == len(action.charges) and action.fees is None:
        return None
    return attrs.evolve(action, charges=kept, fees=None)
