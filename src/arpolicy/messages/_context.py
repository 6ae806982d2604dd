"""The template context: what a template can use, built from an action and a ledger.

Every name is documented in ``docs/reference/messages.md`` (the template
variable reference); keep the two in step.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from ..actions import Action
from ..fees import ChargeKind
from ..model import Customer, Ledger, PaymentMethod, Profile
from ..money import Money
from ._model import Attachment, Company, family_of

__all__ = ["attachments", "build_context"]


def _customer(customer: Customer) -> dict[str, Any]:
    contacts = customer.contacts
    return {
        "id": customer.id,
        "name": customer.name,
        "profile": customer.profile.value,
        "business": customer.profile is not Profile.PRIVATE,
        "country": customer.country,
        "language": customer.language,
        "email": contacts.email,
        "phone": contacts.phone,
        "address": contacts.address,
        "whatsapp": contacts.whatsapp,
    }


def _known(look_up: Callable[[str], object], key: str) -> bool:
    try:
        look_up(key)
    except KeyError:
        return False
    return True


def _invoice_ids(action: Action, ledger: Ledger) -> tuple[str, ...]:
    """The action's invoices; a broken payment plan's notice lists the plan's."""
    if action.invoice_ids:
        return action.invoice_ids
    for reason in action.reasons:
        listed = reason.get("invoices")
        if reason.code == "plan_broken" and listed:
            return tuple(i for i in listed.split() if _known(ledger.invoice, i))
    return ()


def _invoices(action: Action, ledger: Ledger, ids: tuple[str, ...]) -> list[dict[str, Any]]:
    balances = ledger.position(action.customer_id, action.date).balances
    rows = []
    for iid in ids:
        invoice = ledger.invoice(iid)
        open_amount = balances.get(iid, Money.zero(invoice.currency))
        days = invoice.days_overdue(action.date)
        rows.append(
            {
                "id": invoice.id,
                "reference": invoice.reference or invoice.id,
                "kind": invoice.kind.value,
                "issue_date": invoice.issue_date,
                "due_date": invoice.due_date,
                "amount": invoice.amount,
                "open": open_amount,
                "days_overdue": max(days, 0),
                "overdue": days > 0,
                "payment_link": invoice.payment_link,
            }
        )
    return rows


def _charges(action: Action) -> list[dict[str, Any]]:
    return [
        {
            "kind": c.kind.value,
            "name": c.name,
            "amount": c.amount,
            "rule": c.rule,
            "rate": c.rate,
            "invoice_id": c.invoice_id,
            "announced": c.announced,
            "detail": c.detail,
        }
        for c in action.charges
    ]


def _sum(action: Action, kind: ChargeKind, *, announced: bool) -> Money | None:
    found = [c.amount for c in action.charges if c.kind is kind and c.announced is announced]
    return Money.total(found, found[0].currency) if found else None


def _facts(action: Action) -> dict[str, str]:
    facts: dict[str, str] = {}
    for reason in action.reasons:
        for name, value in reason.data:
            facts.setdefault(name, value)
    return facts


def _trial(action: Action, ledger: Ledger, facts: Mapping[str, str]) -> dict[str, Any] | None:
    tid = facts.get("trial")
    if tid is None:
        return None
    for trial in ledger.trials_of(action.customer_id):
        if trial.id == tid:
            return {
                "id": trial.id,
                "kind": trial.kind.value,
                "starts": trial.starts,
                "ends": trial.ends,
                "description": trial.description,
                "days_left": (trial.ends - action.date).days,
            }
    return None


def _payment_plan(
    action: Action, ledger: Ledger, facts: Mapping[str, str]
) -> dict[str, Any] | None:
    pid = facts.get("plan")
    if pid is None or action.kind.value != "plan_broken" or not _known(ledger.plan, pid):
        return None
    plan = ledger.plan(pid)
    return {
        "id": plan.id,
        "agreed_on": plan.agreed_on,
        "broken_on": date.fromisoformat(facts["broken_on"]) if "broken_on" in facts else None,
        "total": plan.total,
        "invoice_ids": list(plan.invoice_ids),
    }


def _methods(company: Company, links: list[dict[str, str]]) -> list[dict[str, Any]]:
    methods: list[dict[str, Any]] = []
    if links:
        methods.append({"method": PaymentMethod.PAYMENT_LINK.value, "url": links[0]["url"]})
    if company.iban:
        methods.append(
            {"method": PaymentMethod.BANK_TRANSFER.value, "iban": company.iban, "bic": company.bic}
        )
    return methods


def build_context(
    action: Action, ledger: Ledger, *, locale: str, company: Company, template: str
) -> dict[str, Any]:
    """The variables a template sees for ``action`` (see the reference page).

    Args:
        action: the action to render.
        ledger: the ledger it was planned from.
        locale: the locale in use.
        company: the creditor.
        template: the step template in use.

    Returns:
        A new dict of plain values, lists, dicts, dates and
        :class:`~arpolicy.money.Money` objects.
    """
    customer = ledger.customer(action.customer_id)
    ids = _invoice_ids(action, ledger)
    invoices = _invoices(action, ledger, ids)
    links = [
        {"invoice_id": row["id"], "url": row["payment_link"]}
        for row in invoices
        if row["payment_link"]
    ]
    urls = sorted({link["url"] for link in links})
    facts = _facts(action)
    charges = _charges(action)
    currency = action.currency or (invoices[0]["amount"].currency if invoices else None)
    announced = [c["amount"] for c in charges if c["announced"]]
    days_overdue = max((row["days_overdue"] for row in invoices), default=0)
    return {
        "locale": locale,
        "template": template,
        "channel": action.channel,
        "family": family_of(action.channel),
        "key": action.key,
        "date": action.date,
        "step": action.step,
        "level": action.level,
        "tone": action.tone,
        "kind": action.kind.value,
        "policy": action.policy,
        "formal": action.formal,
        "requires_acknowledgement": action.requires_acknowledgement,
        "customer": _customer(customer),
        "company": company,
        "invoices": invoices,
        "invoice_count": len(invoices),
        "invoice_ids": [row["id"] for row in invoices],
        "first_due_date": min((row["due_date"] for row in invoices), default=None),
        "overdue": days_overdue > 0,
        "days_overdue": days_overdue,
        "currency": currency,
        "amount_due": action.amount_due,
        "principal": action.principal,
        "fees": _sum(action, ChargeKind.FEE, announced=False),
        "interest": action.interest,
        "compensation": action.compensation,
        "collection_costs": action.collection_costs,
        "announced_collection_costs": _sum(action, ChargeKind.COLLECTION_COSTS, announced=True),
        "charges": charges,
        "charged": [c for c in charges if not c["announced"]],
        "announced": [c for c in charges if c["announced"]],
        "announced_total": Money.total(announced, announced[0].currency) if announced else None,
        "total_due": action.total_due,
        "deadline": action.deadline,
        "deadline_days": (action.deadline - action.date).days if action.deadline else None,
        "payment_link": urls[0] if len(urls) == 1 else None,
        "payment_links": links,
        "payment_methods": _methods(company, links),
        "payment_reference": ", ".join(row["reference"] for row in invoices) or action.key,
        "reasons": [{"code": r.code, "text": r.text, "data": dict(r.data)} for r in action.reasons],
        "facts": facts,
        "trial": _trial(action, ledger, facts),
        "payment_plan": _payment_plan(action, ledger, facts),
        "credit_limit": customer.credit_limit,
    }


def _invoice_csv(context: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "invoice_id",
            "reference",
            "issue_date",
            "due_date",
            "currency",
            "amount",
            "open",
            "days_overdue",
            "payment_link",
        ]
    )
    for row in context["invoices"]:
        writer.writerow(
            [
                row["id"],
                row["reference"],
                row["issue_date"].isoformat(),
                row["due_date"].isoformat(),
                row["amount"].currency,
                str(row["amount"].amount),
                str(row["open"].amount),
                row["days_overdue"],
                row["payment_link"] or "",
            ]
        )
    return out.getvalue()


def _money(value: Money | None) -> dict[str, str] | None:
    return None if value is None else {"amount": str(value.amount), "currency": value.currency}


def _summary(context: Mapping[str, Any]) -> dict[str, Any]:
    """The hand-over summary as JSON-ready data."""
    customer = context["customer"]
    return {
        "key": context["key"],
        "date": context["date"].isoformat(),
        "step": context["step"],
        "creditor": {
            name: getattr(context["company"], name)
            for name in ("name", "address", "iban", "bic", "email", "phone", "website", "vat")
        },
        "debtor": {
            name: customer[name]
            for name in (
                "id",
                "name",
                "profile",
                "country",
                "language",
                "email",
                "phone",
                "address",
                "whatsapp",
            )
        },
        "invoices": [
            {
                "id": row["id"],
                "reference": row["reference"],
                "issue_date": row["issue_date"].isoformat(),
                "due_date": row["due_date"].isoformat(),
                "amount": _money(row["amount"]),
                "open": _money(row["open"]),
                "days_overdue": row["days_overdue"],
            }
            for row in context["invoices"]
        ],
        "principal": _money(context["principal"]),
        "charges": [
            {
                "kind": c["kind"],
                "name": c["name"],
                "amount": _money(c["amount"]),
                "rule": c["rule"],
                "rate": c["rate"],
                "invoice_id": c["invoice_id"],
                "announced": c["announced"],
            }
            for c in context["charges"]
        ],
        "total_due": _money(context["total_due"]),
        "reasons": [{"code": r["code"], "text": r["text"]} for r in context["reasons"]],
    }


def attachments(context: Mapping[str, Any]) -> tuple[Attachment, ...]:
    """The files that go with a message of the context's channel family.

    E-mails and letters with invoices carry an invoice overview CSV; an
    agency hand-over carries the structured summary (JSON) and the invoice
    CSV. Names are stable: ``<what>-<customer id>-<date>.<ext>``.
    """
    family, invoices = context["family"], context["invoices"]
    stem = f"{context['customer']['id']}-{context['date'].isoformat()}"
    if family == "agency":
        summary = json.dumps(_summary(context), indent=2, sort_keys=True, ensure_ascii=False)
        return (
            Attachment(f"handover-{stem}.json", "application/json", summary + "\n"),
            Attachment(f"handover-{stem}.csv", "text/csv", _invoice_csv(context)),
        )
    if family in ("email", "letter") and invoices:
        return (Attachment(f"invoices-{stem}.csv", "text/csv", _invoice_csv(context)),)
    return ()
