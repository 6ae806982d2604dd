"""Charges: fees, caps, statutory interest, compensation and collection costs
of a notice, from the rate tables and the law of the customer's country.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date

from .. import law
from ..actions import (
    Reason,
)
from ..errors import UnknownJurisdictionError
from ..fees import (
    Charge,
    ChargeKind,
    FeeContext,
    FeeItem,
    Note,
    StatutoryInterest,
    apply_caps,
    gate,
)
from ..law import RateBook
from ..model import (
    Customer,
    Invoice,
    Ledger,
    Profile,
    Settlement,
)
from ..money import Money
from ..policy import Policy, Step
from .calendars import _Calendars, _letter_term_end
from .history import _CustomerHistory, _first_sending
from .state import _ONE_DAY, _Candidate


@functools.lru_cache(maxsize=512)
def _jurisdiction_of(country: str) -> str | None:
    try:
        return law.jurisdiction_for_country(country)
    except UnknownJurisdictionError:
        return None


def _charges_interest(step: Step) -> bool:
    return any(isinstance(rule, StatutoryInterest) for rule in step.fees)


def _paid_parts(invoice: Invoice, parts: Sequence[Settlement]) -> tuple[tuple[date, Money], ...]:
    """The payments on ``invoice`` that interest runs on, as (day, amount).

    Credit notes correct the invoice and an early-payment discount was earned
    (those parts were never owed); parts whose interest the host marked as
    settled are left out.
    """
    settled = invoice.interest_settled_on
    return tuple(
        (s.date, s.amount)
        for s in parts
        if not s.credit_note and not s.discount and (settled is None or s.date > settled)
    )


def _paid_late(invoice: Invoice, paid: Sequence[tuple[date, Money]]) -> bool:
    """A part was paid after the first day of default (it bore interest)."""
    return any(day > invoice.due_date + _ONE_DAY for day, _ in paid)


def _closed_recently(policy: Policy, parts: Sequence[Settlement], as_of: date) -> date | None:
    """The day an invoice was paid in full, when its interest may still be
    claimed on ``as_of`` (within the policy's ``closed_interest_days``)."""
    if not parts:
        return None
    paid_in_full = max(s.date for s in parts)
    if (as_of - paid_in_full).days > policy.closed_interest_days:
        return None
    return paid_in_full


def _interest_claimed(
    ledger: Ledger,
    policy: Policy,
    history: _CustomerHistory,
    currency: str,
    since: date,
    as_of: date,
) -> bool:
    """A notice in ``currency`` whose step charges interest went out on or
    after ``since`` (the day an invoice was paid in full) and before ``as_of``."""
    for iid, done in history.steps.items():
        try:
            if ledger.invoice(iid).currency != currency:
                continue
        except KeyError:
            continue
        for name, records in done.items():
            index = policy.step_index(name)
            if index is None or not _charges_interest(policy.steps[index]):
                continue
            if any(since <= sent < as_of for sent, _ in records):
                return True
    return False


def _closed_items(
    ledger: Ledger,
    customer: Customer,
    policy: Policy,
    history: _CustomerHistory,
    as_of: date,
    currency: str,
    settlements: Mapping[str, tuple[Settlement, ...]],
    skip: frozenset[str],
) -> tuple[FeeItem, ...]:
    """Invoices paid in full and late whose interest this notice claims, once.

    Interest on closed entries (Business Central's model): an invoice whose
    principal is paid but whose statutory interest is not is not dunned on
    its own (unless its policy sets ``dun_interest_only``); its interest is
    stated on the customer's next notice in its currency whose step charges
    statutory interest, and only on that one, if it comes within the
    policy's ``closed_interest_days`` of the payment in full.
    """
    balances = ledger.position(customer.id, as_of).balances
    items = []
    for invoice in sorted(ledger.invoices_of(customer.id), key=lambda i: i.id):
        iid = invoice.id
        balance = balances.get(iid)
        if invoice.currency != currency or iid in skip or balance is None or balance.amount:
            continue
        parts = settlements.get(iid, ())
        paid = _paid_parts(invoice, parts)
        paid_in_full = _closed_recently(policy, parts, as_of)
        if paid_in_full is None or not _paid_late(invoice, paid) or invoice.disputed(as_of):
            continue
        if _interest_claimed(ledger, policy, history, currency, paid_in_full, as_of):
            continue
        first = history.first.get(iid)
        items.append(
            FeeItem(
                iid,
                balance,
                invoice.due_date,
                first[0] if first is not None and first[0] < as_of else None,
                first is not None and first[1] == "letter",
                paid=paid,
            )
        )
    return tuple(items)


def _charges(
    group: list[_Candidate],
    step_index: int,
    customer: Customer,
    history: _CustomerHistory,
    as_of: date,
    repeat: int,
    rates: RateBook | None,
    ledger: Ledger,
    own: frozenset[str],
    cals: _Calendars,
) -> tuple[tuple[Charge, ...], Money | None, list[Reason]]:
    """The charges of a notice, its contractual fee total, and reasons for what
    the law or the policy's caps left out.

    ``own`` holds the invoices paid in full that are dunned on their own for
    their interest today (``dun_interest_only``): no other notice claims it.
    """
    policy = group[0].policy
    step = policy.steps[step_index]
    if not step.fees:
        return (), None, []
    currency = group[0].balance.currency
    letter = policy.letter_index()
    letter_name = policy.steps[letter].name if letter is not None else None
    interest = _charges_interest(step)
    settlements = ledger.settlements_of(customer.id, as_of) if interest else {}
    items = []
    for cand in sorted(group, key=lambda c: c.invoice.id):
        iid = cand.invoice.id
        first = history.first.get(iid)
        sent: date | None = None
        received: date | None = None
        if letter_name is not None:
            records = history.steps.get(iid, {}).get(letter_name)
            if records:
                sent, received = _first_sending(records)
        items.append(
            FeeItem(
                iid,
                cand.balance,
                cand.invoice.due_date,
                first[0] if first is not None and first[0] < as_of else None,
                first is not None and first[1] == "letter",
                sent,
                received,
                paid=_paid_parts(cand.invoice, settlements.get(iid, ())),
                letter_term_end=_letter_term_end(sent, received, customer, cals),
            )
        )
    closed: tuple[FeeItem, ...] = ()
    if interest and not policy.dun_interest_only:
        skip = own | {item.invoice_id for item in items}
        closed = _closed_items(
            ledger, customer, policy, history, as_of, currency, settlements, skip
        )
    ctx = FeeContext(
        customer_id=customer.id,
        profile=customer.profile,
        country=customer.country,
        jurisdiction=_jurisdiction_of(customer.country),
        date=as_of,
        step=step.name,
        currency=currency,
        items=tuple(items),
        letter=step_index == letter and customer.profile is Profile.PRIVATE,
        repeat=repeat,
        rates=rates,
        closed=closed,
    )
    charges: list[Charge] = []
    notes: list[Note] = []
    for rule in step.fees:
        result = gate(ctx, rule.charges(ctx))
        charges.extend(result.charges)
        notes.extend(result.notes)
    zero = Money.zero(currency)
    capped = apply_caps(
        charges,
        policy.fee_caps,
        currency=currency,
        invoice_ids=[i.invoice_id for i in items],
        earlier_customer=history.fees_by_currency.get(currency, zero),
        earlier_by_invoice={
            i.invoice_id: history.fees_by_invoice.get(i.invoice_id, zero) for i in items
        },
    )
    notes.extend(capped.notes)
    fee_amounts = [c.amount for c in capped.charges if c.kind is ChargeKind.FEE]
    fees = Money.total(fee_amounts, currency) if fee_amounts else None
    reasons = []
    for note in notes:
        reason = Reason(note.code, note.text, note.data)
        if reason not in reasons:
            reasons.append(reason)
    return capped.charges, fees, reasons
