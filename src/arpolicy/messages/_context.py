"""The template context: what a template can use, built from an action and a ledger.

Every name is documented in ``docs/reference/messages.md`` (the template
variable reference); keep the two in step.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Final

from ..actions import Action, HistoryEntry, HistoryStatus
from ..fees import INTEREST_NOT_HELD, ChargeKind
from ..model import Customer, Ledger, PaymentMethod, Profile
from ..money import Money
from ._model import Attachment, Company, family_of

__all__ = ["attachments", "build_context", "interest_not_computed"]


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


def _invoices(action: Action, ledger: Ledger, ids: Iterable[str]) -> list[dict[str, Any]]:
    ids = list(ids)
    if not ids:  # most actions close no other invoice: no allocation for them
        return []
    balances = ledger.position(action.customer_id, action.date).balances
    rows = []
    for iid in ids:
        invoice = ledger.invoice(iid)
        open_amount = balances.get(iid, Money.zero(invoice.currency))
        days = invoice.days_overdue(action.date)
        dispute = invoice.dispute
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
                "disputed": invoice.disputed(action.date),
                "dispute": None
                if dispute is None or dispute.opened_on > action.date
                else {
                    "opened_on": dispute.opened_on,
                    "resolved_on": dispute.resolved_on
                    if dispute.resolved_on is not None and dispute.resolved_on <= action.date
                    else None,
                    "reason": dispute.reason,
                },
            }
        )
    return rows


def _charges(action: Action, ids: tuple[str, ...]) -> list[dict[str, Any]]:
    split = {
        c.invoice_id
        for c in action.charges
        if c.kind is ChargeKind.INTEREST and c.paid_on is not None
    }
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
            "base": c.base,
            "paid_on": c.paid_on,
            "part": None
            if c.base is None
            else "paid"
            if c.paid_on is not None
            else "open"
            if c.invoice_id in split
            else None,
            "show_invoice": c.invoice_id is not None and (len(ids) > 1 or c.invoice_id not in ids),
        }
        for c in action.charges
    ]


def _notices_sent(
    action: Action, history: Sequence[HistoryEntry], ids: Iterable[str]
) -> list[dict[str, Any]]:
    """The notices already sent about the action's invoices, oldest first."""
    wanted = set(ids)
    rows = [
        {
            "date": entry.date,
            "step": entry.step,
            "channel": entry.channel,
            "deadline": entry.deadline,
            "invoice_ids": list(entry.invoice_ids),
            "key": entry.key,
        }
        for entry in history
        if entry.customer_id == action.customer_id
        and entry.date < action.date
        and entry.status is HistoryStatus.ISSUED
        and entry.key != action.key
        and wanted.intersection(entry.invoice_ids)
    ]
    rows.sort(key=lambda r: (r["date"], r["step"], r["channel"], r["key"]))
    return rows


def _sum(action: Action, kind: ChargeKind, *, announced: bool) -> Money | None:
    found = [c.amount for c in action.charges if c.kind is kind and c.announced is announced]
    return Money.total(found, found[0].currency) if found else None


def interest_not_computed(action: Action) -> str | None:
    """Why ``action`` holds no statutory interest its step's rule asked for, or ``None``.

    The texts of its reasons ``interest_not_computed`` (a day before the rate
    table's first row), ``not_by_law`` and ``no_jurisdiction`` about
    statutory interest, joined by ``"; "``. A message must not claim
    interest in words then (the ``interest_claimed`` template variable).
    """
    texts = [
        r.text
        for r in action.reasons
        if r.code in INTEREST_NOT_HELD and r.get("what") == "statutory interest"
    ]
    return "; ".join(texts) if texts else None


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
    action: Action,
    ledger: Ledger,
    *,
    locale: str,
    company: Company,
    template: str,
    history: Sequence[HistoryEntry] = (),
) -> dict[str, Any]:
    """The variables a template sees for ``action`` (see the reference page).

    Args:
        action: the action to render.
        ledger: the ledger it was planned from.
        locale: the locale in use.
        company: the creditor.
        template: the step template in use.
        history: the actions already carried out (for ``notices_sent``).

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
    charges = _charges(action, ids)
    closed_ids = sorted(
        {c["invoice_id"] for c in charges if c["invoice_id"] and c["invoice_id"] not in ids}
    )
    closed = _invoices(action, ledger, closed_ids)
    currency = action.currency or (invoices[0]["amount"].currency if invoices else None)
    announced = [c["amount"] for c in charges if c["announced"]]
    days_overdue = max((row["days_overdue"] for row in invoices), default=0)
    not_computed = interest_not_computed(action)
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
        "closed_invoices": closed,
        "notices_sent": _notices_sent(action, history, [*ids, *closed_ids]),
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
        "interest_claimed": action.interest is not None or not_computed is None,
        "interest_not_computed": not_computed,
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


HANDOVER_CLAIMS: Final = (
    ("interest", ChargeKind.INTEREST),
    ("compensation", ChargeKind.COMPENSATION),
    ("collection_costs", ChargeKind.COLLECTION_COSTS),
    ("fees", ChargeKind.FEE),
)
"""The charge columns of the hand-over file, each with its ``_rule`` column."""

HANDOVER_COLUMNS: Final = (
    "scope",
    "invoice_id",
    "reference",
    "issue_date",
    "due_date",
    "currency",
    "invoiced",
    "open_principal",
    "days_overdue",
    *(name for claim, _ in HANDOVER_CLAIMS for name in (claim, f"{claim}_rule")),
    "interest_parts",
    "total_claimed",
    "disputed",
    "dispute_opened_on",
    "dispute_resolved_on",
    "dispute_reason",
    "customer_id",
    "customer_name",
    "customer_profile",
    "customer_country",
    "customer_language",
    "customer_email",
    "customer_phone",
    "customer_whatsapp",
    "customer_address",
    "notices_sent",
    "handover_date",
    "handover_key",
)
"""The columns of the agency hand-over CSV, in order (see docs/reference/messages.md)."""


def _unique(texts: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for text in texts:
        if text and text not in seen:
            seen.append(text)
    return seen


def _rule(charges: Sequence[Mapping[str, Any]]) -> str:
    """The rules of ``charges`` in words, with their rates: ``"NL art. 6:119a BW, 10.15%"``."""
    return "; ".join(
        _unique(
            c["rule"] + (f", {c['rate']}" if c["rate"] and c["rate"] not in c["rule"] else "")
            for c in charges
        )
    )


def _part_text(charge: Mapping[str, Any]) -> str:
    base = charge["base"]
    when = f"paid on {charge['paid_on'].isoformat()}" if charge["paid_on"] else "open"
    return f"{base.amount} {when}: {charge['amount'].amount}"


def _claims(context: Mapping[str, Any], invoice_id: str | None, currency: str) -> dict[str, Any]:
    """What the hand-over claims for one invoice (``None``: the whole notice)."""
    charged = [c for c in context["charged"] if c["invoice_id"] == invoice_id]
    out: dict[str, Any] = {}
    total = Money.zero(currency)
    for claim, kind in HANDOVER_CLAIMS:
        found = [c for c in charged if c["kind"] == kind.value]
        amount = Money.total((c["amount"] for c in found), currency) if found else None
        out[claim] = amount
        out[f"{claim}_rule"] = _rule(found)
        if amount is not None:
            total = total + amount
    interest = [c for c in charged if c["kind"] == ChargeKind.INTEREST.value and c["base"]]
    out["interest_parts"] = [
        {
            "principal": c["base"],
            "paid_on": c["paid_on"],
            "interest": c["amount"],
            "detail": c["detail"],
        }
        for c in interest
    ]
    out["interest_parts_text"] = "; ".join(_part_text(c) for c in interest)
    out["total_claimed"] = total
    return out


def _notice_text(notice: Mapping[str, Any]) -> str:
    deadline = notice["deadline"].isoformat() if notice["deadline"] else "-"
    return f"{notice['date'].isoformat()} {notice['step']} {notice['channel'] or '-'} {deadline}"


def _handover_rows(context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per invoice (those of the notice, then paid ones whose
    interest it claims), and one ``notice`` row for charges on the whole notice."""
    currency = context["currency"] or ""
    rows: list[dict[str, Any]] = []
    for row in [*context["invoices"], *context["closed_invoices"]]:
        sent = [n for n in context["notices_sent"] if row["id"] in n["invoice_ids"]]
        rows.append(
            {
                "scope": "invoice",
                "invoice": row,
                "principal": row["open"]
                if row["kind"] != "credit_note"
                else Money.zero(row["open"].currency),
                "notices_sent": sent,
                **_claims(context, row["id"], row["amount"].currency),
            }
        )
    if any(c["invoice_id"] is None for c in context["charged"]):
        rows.append(
            {
                "scope": "notice",
                "invoice": None,
                "principal": Money.zero(currency),
                "notices_sent": context["notices_sent"],
                **_claims(context, None, currency),
            }
        )
    return rows


def _amount(value: Money | None) -> str:
    return "" if value is None else str(value.amount)


def _day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _handover_csv(context: Mapping[str, Any]) -> str:
    """The agency hand-over file: what is claimed per invoice, and from whom."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HANDOVER_COLUMNS)
    customer = context["customer"]
    for row in _handover_rows(context):
        invoice = row["invoice"] or {}
        dispute = invoice.get("dispute") or {}
        values: dict[str, object] = {
            "scope": row["scope"],
            "invoice_id": invoice.get("id", ""),
            "reference": invoice.get("reference", ""),
            "issue_date": _day(invoice.get("issue_date")),
            "due_date": _day(invoice.get("due_date")),
            "currency": row["principal"].currency,
            "invoiced": _amount(invoice.get("amount")),
            "open_principal": _amount(row["principal"]),
            "days_overdue": invoice.get("days_overdue", ""),
            "interest_parts": row["interest_parts_text"],
            "total_claimed": _amount(row["principal"] + row["total_claimed"]),
            "disputed": "true" if invoice.get("disputed") else "false",
            "dispute_opened_on": _day(dispute.get("opened_on")),
            "dispute_resolved_on": _day(dispute.get("resolved_on")),
            "dispute_reason": dispute.get("reason", ""),
            "notices_sent": "; ".join(_notice_text(n) for n in row["notices_sent"]),
            "handover_date": context["date"].isoformat(),
            "handover_key": context["key"],
        }
        for claim, _ in HANDOVER_CLAIMS:
            values[claim] = _amount(row[claim])
            values[f"{claim}_rule"] = row[f"{claim}_rule"]
        for name in ("id", "name", "profile", "country", "language"):
            values[f"customer_{name}"] = customer[name]
        for name in ("email", "phone", "whatsapp", "address"):
            values[f"customer_{name}"] = customer[name] or ""
        writer.writerow([values[column] for column in HANDOVER_COLUMNS])
    return out.getvalue()


def _notice_json(notice: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "date": notice["date"].isoformat(),
        "step": notice["step"],
        "channel": notice["channel"],
        "deadline": _day(notice["deadline"]) or None,
        "invoice_ids": notice["invoice_ids"],
    }


def _summary(context: Mapping[str, Any]) -> dict[str, Any]:
    """The hand-over summary as JSON-ready data."""
    customer = context["customer"]
    claims = []
    for row in _handover_rows(context):
        invoice = row["invoice"]
        claim: dict[str, Any] = {"scope": row["scope"]}
        if invoice is not None:
            dispute = invoice["dispute"]
            claim.update(
                {
                    "id": invoice["id"],
                    "reference": invoice["reference"],
                    "issue_date": invoice["issue_date"].isoformat(),
                    "due_date": invoice["due_date"].isoformat(),
                    "amount": _money(invoice["amount"]),
                    "open": _money(invoice["open"]),
                    "days_overdue": invoice["days_overdue"],
                    "disputed": invoice["disputed"],
                    "dispute": None
                    if dispute is None
                    else {
                        "opened_on": dispute["opened_on"].isoformat(),
                        "resolved_on": _day(dispute["resolved_on"]) or None,
                        "reason": dispute["reason"],
                    },
                }
            )
        claim["currency"] = row["principal"].currency
        claim["open_principal"] = _money(row["principal"])
        for name, _ in HANDOVER_CLAIMS:
            claim[name] = _money(row[name])
            claim[f"{name}_rule"] = row[f"{name}_rule"]
        claim["interest_parts"] = [
            {
                "principal": _money(part["principal"]),
                "paid_on": _day(part["paid_on"]) or None,
                "interest": _money(part["interest"]),
                "detail": part["detail"],
            }
            for part in row["interest_parts"]
        ]
        claim["total_claimed"] = _money(row["principal"] + row["total_claimed"])
        claim["notices_sent"] = [_notice_json(n) for n in row["notices_sent"]]
        claims.append(claim)
    return {
        "key": context["key"],
        "date": context["date"].isoformat(),
        "step": context["step"],
        "currency": context["currency"],
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
        "invoices": [c for c in claims if c["scope"] == "invoice"],
        "notice_claims": next((c for c in claims if c["scope"] == "notice"), None),
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
                "base": _money(c["base"]),
                "paid_on": _day(c["paid_on"]) or None,
            }
            for c in context["charges"]
        ],
        "total_due": _money(context["total_due"]),
        "notices_sent": [_notice_json(n) for n in context["notices_sent"]],
        "reasons": [{"code": r["code"], "text": r["text"]} for r in context["reasons"]],
    }


def attachments(context: Mapping[str, Any]) -> tuple[Attachment, ...]:
    """The files that go with a message of the context's channel family.

    E-mails and letters with invoices carry an invoice overview CSV; an
    agency hand-over carries the structured summary (JSON) and the hand-over
    CSV (one row per invoice: the open principal, what is claimed on top and
    by which rule, the debtor, disputes and the notices already sent; columns
    in :data:`HANDOVER_COLUMNS`). Names are stable: ``<what>-<customer id>-<date>.<ext>``.
    """
    family, invoices = context["family"], context["invoices"]
    stem = f"{context['customer']['id']}-{context['date'].isoformat()}"
    if family == "agency":
        summary = json.dumps(_summary(context), indent=2, sort_keys=True, ensure_ascii=False)
        return (
            Attachment(f"handover-{stem}.json", "application/json", summary + "\n"),
            Attachment(f"handover-{stem}.csv", "text/csv", _handover_csv(context)),
        )
    if family in ("email", "letter") and invoices:
        return (Attachment(f"invoices-{stem}.csv", "text/csv", _invoice_csv(context)),)
    return ()
