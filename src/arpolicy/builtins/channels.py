"""Built-in channels (plugin ``arpolicy.channels``).

Each turns an action into a plain, deterministic payload: the facts of the
notice (customer, invoices with their open amounts, amount due, charges and
deadline) in the shape the channel needs. Wording per language and tone is
the job of message templates; these payloads are what a host can send,
print or hand over as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ..actions import Action
from ..channels import Channel, Payload, RenderContext
from ..hookspecs import hookimpl

__all__ = ["BUILTIN_CHANNELS", "arpolicy_register_channels"]


def _money(value: object) -> str:
    return "-" if value is None else str(value)


def _invoice_lines(action: Action, context: RenderContext) -> list[str]:
    lines = []
    for iid in action.invoice_ids:
        invoice = context.ledger.invoice(iid)
        lines.append(
            f"  {iid}  issued {invoice.issue_date.isoformat()}  due {invoice.due_date.isoformat()}"
            f"  {invoice.amount}"
        )
    return lines


def _figures(action: Action) -> list[str]:
    lines = [f"Amount due: {_money(action.amount_due)}"]
    for charge in action.charges:
        label = "announced " if charge.announced else ""
        rate = f" ({charge.rate})" if charge.rate else ""
        lines.append(f"{label}{charge.name}{rate}: {charge.amount}  [{charge.rule}]")
    if action.charges:
        lines.append(f"Total due: {_money(action.total_due)}")
    if action.deadline is not None:
        lines.append(f"Please pay by {action.deadline.isoformat()}.")
    return lines


def _subject(action: Action, context: RenderContext) -> str:
    count = len(action.invoice_ids)
    about = f"{count} invoice{'s' if count != 1 else ''}" if count else action.step
    return f"{action.step}: {about} - {context.customer.name}"


def _body(action: Action, context: RenderContext) -> str:
    lines = [f"To {context.customer.name} ({context.customer.id})", ""]
    if action.invoice_ids:
        lines.append("Invoices:")
        lines.extend(_invoice_lines(action, context))
        lines.append("")
    lines.extend(_figures(action))
    lines.append("")
    lines.append(f"Reference: {action.key}")
    return "\n".join(lines) + "\n"


def _data(action: Action) -> dict[str, str]:
    return {
        "key": action.key,
        "step": action.step,
        "tone": action.tone,
        "template": action.template,
        "amount_due": _money(action.amount_due),
        "total_due": _money(action.total_due),
        "deadline": action.deadline.isoformat() if action.deadline else "",
    }


def _email(action: Action, context: RenderContext) -> Payload:
    return Payload(
        action.channel,
        "email",
        context.customer.contacts.email or "",
        _subject(action, context),
        _body(action, context),
        data=_data(action),
    )


def _letter(action: Action, context: RenderContext) -> Payload:
    address = context.customer.contacts.address or ""
    head = [context.customer.name, address, "", action.date.isoformat(), ""]
    if action.channel == "registered_letter":
        head.insert(0, "REGISTERED")
    return Payload(
        action.channel,
        "letter",
        address,
        _subject(action, context),
        "\n".join(head) + "\n" + _body(action, context),
        data=_data(action),
    )


def _phone(action: Action, context: RenderContext) -> Payload:
    phone = context.customer.contacts.phone or ""
    body = (
        f"Call {context.customer.name} on {phone or '(no number on file)'} about "
        f"{', '.join(action.invoice_ids) or action.step}.\n" + "\n".join(_figures(action)) + "\n"
    )
    return Payload(
        action.channel, "task", phone, f"Call {context.customer.name}", body, data=_data(action)
    )


def _short(action: Action, context: RenderContext, to: str) -> Payload:
    due = _money(action.total_due or action.amount_due)
    text = f"{context.customer.name}: {due} is due"
    if action.invoice_ids:
        text += f" on {', '.join(action.invoice_ids)}"
    if action.deadline is not None:
        text += f"; please pay by {action.deadline.isoformat()}"
    text += f". Ref {action.key}"
    return Payload(action.channel, "message", to, action.step, text + "\n", data=_data(action))


def _sms(action: Action, context: RenderContext) -> Payload:
    return _short(action, context, context.customer.contacts.phone or "")


def _whatsapp(action: Action, context: RenderContext) -> Payload:
    return _short(action, context, context.customer.contacts.whatsapp or "")


def _payment_link(action: Action, context: RenderContext) -> Payload:
    links = [
        f"  {iid}: {context.ledger.invoice(iid).payment_link}"
        for iid in action.invoice_ids
        if context.ledger.invoice(iid).payment_link
    ]
    body = _body(action, context) + ("\nPay online:\n" + "\n".join(links) + "\n" if links else "")
    return Payload(
        action.channel,
        "email",
        context.customer.contacts.email or "",
        _subject(action, context),
        body,
        data=_data(action),
    )


def _agency(action: Action, context: RenderContext) -> Payload:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["customer_id", "customer", "country", "invoice_id", "issue_date", "due_date", "amount"]
    )
    for iid in action.invoice_ids:
        invoice = context.ledger.invoice(iid)
        writer.writerow(
            [
                context.customer.id,
                context.customer.name,
                context.customer.country,
                iid,
                invoice.issue_date.isoformat(),
                invoice.due_date.isoformat(),
                str(invoice.amount.amount),
            ]
        )
    name = f"handover-{context.customer.id}-{action.date.isoformat()}.csv"
    return Payload(
        action.channel,
        "file",
        "collection agency",
        f"Hand-over of {context.customer.name}",
        _body(action, context),
        attachments={name: out.getvalue()},
        data=_data(action),
    )


def _portal(action: Action, context: RenderContext) -> Payload:
    return Payload(
        action.channel,
        "message",
        f"portal:{context.customer.id}",
        _subject(action, context),
        _body(action, context),
        data=_data(action),
    )


def _internal(action: Action, context: RenderContext) -> Payload:
    reasons = "\n".join(f"- {r.text}" for r in action.reasons)
    return Payload(
        action.channel,
        "task",
        "credit control",
        f"{action.step}: {context.customer.name}",
        f"{reasons}\n" + "\n".join(_figures(action)) + "\n",
        data=_data(action),
    )


BUILTIN_CHANNELS: tuple[Channel, ...] = (
    Channel("email", _email, "email", True, "an e-mail message"),
    Channel("letter", _letter, "address", False, "a printable letter"),
    Channel("registered_letter", _letter, "address", False, "a registered letter"),
    Channel("phone", _phone, "phone", False, "a phone-call task for the collector"),
    Channel("sms", _sms, "phone", True, "a text message"),
    Channel("whatsapp", _whatsapp, "whatsapp", True, "a WhatsApp text"),
    Channel("payment_link", _payment_link, "email", True, "an e-mail with payment links"),
    Channel("agency", _agency, None, False, "a hand-over file for a collection agency"),
    Channel("portal", _portal, None, True, "a message in the customer portal"),
    Channel("internal", _internal, None, True, "an internal task (credit hold)"),
)
"""The built-in channels, in name order of their steps' use."""


@hookimpl
def arpolicy_register_channels() -> Sequence[Channel]:
    """The built-in channels."""
    return BUILTIN_CHANNELS
