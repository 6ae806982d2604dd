"""The allocation rule for one customer, on that customer's records.

This is the rule stated in the :class:`~arpolicy.model.Ledger` docstring, in
Decimal arithmetic over the records: the path for one customer (the ERP case:
ten invoices allocate in well under a millisecond) and the oracle of the
vectorised kernel. ``Ledger.position``, ``settlements_of``, ``balances`` and
the reports call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from ..money import Money
from ..records import Allocation, AllocationKind, CustomerPosition, Invoice, InvoiceKind, Payment

__all__ = ["Applied", "allocate", "apply_payments"]

# One application of a payment or credit note: source id, invoice id (None for
# customer credit), amount, currency, the date the source was paid or issued, and
# whether it is an early-payment discount earned by that source (not money).
Applied = tuple[str, str | None, Decimal, str, date, bool]


def allocate(
    customer_id: str,
    invoices: Iterable[Invoice],
    payments: Iterable[Payment],
    as_of: date,
) -> CustomerPosition:
    """Allocate the customer's payments as of ``as_of``; see :class:`~arpolicy.model.Ledger`."""
    targets, open_amount, applied = apply_payments(invoices, payments, as_of)
    discount = AllocationKind.DISCOUNT
    allocations = tuple(
        Allocation(source, target, Money._trusted(amount, currency))
        if not is_discount
        else Allocation(source, target, Money._trusted(amount, currency), discount)
        for source, target, amount, currency, _, is_discount in applied
    )
    credit: dict[str, Money] = {}
    discounts: dict[str, Money] = {}
    for _, target, amount, currency, _, is_discount in applied:
        if target is None:
            prior = credit.get(currency)
            extra = Money._trusted(amount, currency)
            credit[currency] = extra if prior is None else prior + extra
        elif is_discount:
            discounts[target] = Money._trusted(amount, currency)
    balances = {
        iid: Money._trusted(open_amount[iid], inv.currency)
        for iid, inv in targets.items()
        if inv.issue_date <= as_of
    }
    return CustomerPosition(customer_id, as_of, balances, credit, allocations, discounts)


def apply_payments(
    invoices: Iterable[Invoice],
    payments: Iterable[Payment],
    as_of: date,
) -> tuple[dict[str, Invoice], dict[str, Decimal], list[Applied]]:
    """The allocation rule in Decimal arithmetic, without building result objects.

    Returns every invoice and deposit request by id (also those issued after
    ``as_of``), their open amounts, and the applications in the order made
    (an early-payment discount right after the application that earned it).
    """
    open_amount: dict[str, Decimal] = {}
    targets: dict[str, Invoice] = {}
    # Invoices with an early-payment discount: last day of the discount period,
    # the amount the applications within it must reach, and what they reached.
    window: dict[str, tuple[date, Decimal]] = {}
    within: dict[str, Decimal] = {}
    # date, rank (credit notes before payments on one date), id, target, amount, currency
    named: list[tuple[date, int, str, str, Decimal, str]] = []
    # order date, rank, id, amount, currency, date paid (named excess goes last)
    pool: list[tuple[date, int, str, Decimal, str, date]] = []
    credit_note = InvoiceKind.CREDIT_NOTE
    for inv in invoices:
        if inv.kind is credit_note:
            issued = inv.issue_date
            if issued <= as_of:
                money = inv.amount
                if inv.applies_to is not None:
                    named.append((issued, 0, inv.id, inv.applies_to, money.amount, money.currency))
                else:
                    pool.append((issued, 0, inv.id, money.amount, money.currency, issued))
            continue
        iid = inv.id
        targets[iid] = inv
        open_amount[iid] = inv.amount.amount
        terms = inv.terms
        if terms is not None and terms.discount_days is not None and inv.issue_date <= as_of:
            deadline = inv.issue_date + timedelta(days=terms.discount_days)
            window[iid] = (deadline, inv.amount.amount - terms.discount(inv.amount).amount)
            within[iid] = Decimal(0)
    for pay in payments:
        paid_on = pay.date
        if paid_on > as_of:
            continue
        money = pay.amount
        if pay.invoice_id is not None:
            named.append((paid_on, 1, pay.id, pay.invoice_id, money.amount, money.currency))
        else:
            pool.append((paid_on, 1, pay.id, money.amount, money.currency, paid_on))

    applied_list: list[Applied] = []

    def discount(source: str, target: str, applied: Decimal, currency: str, on: date) -> None:
        """Grant the discount when ``applied`` brought the invoice within reach of it."""
        deadline, needed = window[target]
        if on <= deadline:
            reached = within[target] = within[target] + applied
            rest = open_amount[target]
            if rest and reached >= needed:
                open_amount[target] -= rest
                applied_list.append((source, target, rest, currency, on, True))

    named.sort()
    for paid_on, rank, source, target, amount, currency in named:
        owed = open_amount[target]
        applied = amount if amount <= owed else owed
        if applied:
            open_amount[target] -= applied
            applied_list.append((source, target, applied, currency, paid_on, False))
            if target in window:
                discount(source, target, applied, currency, paid_on)
        if amount - applied:
            pool.append((date.max, rank, source, amount - applied, currency, paid_on))

    if pool:
        pool.sort()
        base = sorted(
            (t for t in targets.values() if t.issue_date <= as_of),
            key=lambda t: (t.issue_date, t.due_date, t.id),
        )
        by_currency: dict[str, list[Invoice]] = {}
        for t in base:
            by_currency.setdefault(t.currency, []).append(t)
        disputes = any(t.dispute is not None for t in base)
        cursor: dict[str, int] = {}
        for _, _, source, amount, currency, paid_on in pool:
            queue = by_currency.get(currency, [])
            start = cursor.get(currency, 0)
            if disputes:
                # Judged on the payment's own date, so that a later date never
                # moves an earlier payment: invoices issued by then come first,
                # undisputed ones before disputed ones (stable: oldest first).
                queue = sorted(
                    queue[start:], key=lambda t: (t.issue_date > paid_on, t.disputed(paid_on))
                )
                start = 0
            remaining = amount
            pos = start
            while remaining and pos < len(queue):
                tid = queue[pos].id
                applied = min(remaining, open_amount[tid])
                if applied:
                    open_amount[tid] -= applied
                    remaining -= applied
                    applied_list.append((source, tid, applied, currency, paid_on, False))
                    if tid in window:
                        discount(source, tid, applied, currency, paid_on)
                if not open_amount[tid]:
                    pos += 1
            if not disputes:
                cursor[currency] = pos
            if remaining:
                applied_list.append((source, None, remaining, currency, paid_on, False))
    return targets, open_amount, applied_list
