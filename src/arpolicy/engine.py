"""The policy engine: ``plan`` one date, ``simulate`` a period. Pure.

The engine never reads a file, a clock or an environment variable: the
ledger, the date, the playbook and the history are arguments. Customers are
planned independently of each other; their results are merged and sorted, so
the output never depends on the order of the input records.

See ``docs/explanation/engine.md`` for the semantics in prose.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

import attrs

from . import law
from ._gc import gc_paused
from .actions import (
    Action,
    ActionKind,
    HistoryEntry,
    HistoryStatus,
    Plan,
    Reason,
    Skipped,
    SkipReason,
    action_key,
)
from .builtins import rules as builtin_rules
from .calendar import BusinessCalendar, calendar_for
from .errors import InvalidFieldError, UnknownJurisdictionError
from .fees import (
    Charge,
    ChargeKind,
    FeeContext,
    FeeItem,
    Note,
    StatutoryInterest,
    apply_caps,
    gate,
)
from .io.history_tables import HistoryTable, history_entries
from .law import RateBook
from .law import nl as law_nl
from .model import (
    Customer,
    CustomerPosition,
    Invoice,
    InvoiceKind,
    Ledger,
    PlanStatus,
    Profile,
    Settlement,
)
from .money import Money
from .playbooks import default_playbook
from .plugins import BUILTIN_PLUGINS, Plugins, builtin_plugins
from .policy import Anchor, CalendarRule, CatchUp, EndBehaviour, Grouping, Playbook, Policy, Step
from .rules import ActionContext, CustomerContext, InvoiceContext

__all__ = ["plan", "simulate"]

_ONE_DAY = timedelta(days=1)

SPECIAL_CHANNEL = builtin_rules.SPECIAL_CHANNEL
"""Channel of trial notices and plan-broken notices (see :mod:`arpolicy.builtins.rules`)."""
CREDIT_HOLD_CHANNEL = builtin_rules.CREDIT_HOLD_CHANNEL
"""Channel of credit-hold actions (an internal task: stop deliveries, review credit)."""


# ---------------------------------------------------------------------------
# history, indexed per customer
# ---------------------------------------------------------------------------


@attrs.define
class _CustomerHistory:
    """What was already done for one customer, as of the planning date."""

    # invoice id -> step name -> [(sent, received_on)]
    steps: dict[str, dict[str, list[tuple[date, date | None]]]] = attrs.field(factory=dict)
    keys: set[str] = attrs.field(factory=set)
    dunning_dates: list[date] = attrs.field(factory=list)
    slots: set[tuple[str, str, date]] = attrs.field(factory=set)  # channel, currency, date
    # invoice id -> (date, channel) of the first dunning action about it
    first: dict[str, tuple[date, str]] = attrs.field(factory=dict)
    # contractual fees charged so far: per invoice, and per currency
    fees_by_invoice: dict[str, Money] = attrs.field(factory=dict)
    fees_by_currency: dict[str, Money] = attrs.field(factory=dict)

    def add(self, entry: HistoryEntry, currency: str, *, today: bool = True) -> None:
        """Record ``entry``; ``today`` says whether it is dated on the planning day.

        Only actions of the planning day take a channel slot, so older entries
        (most of a long history) skip that bookkeeping.
        """
        self.keys.add(entry.key)
        if today:
            self.slots.add((entry.channel, currency, entry.date))
        invoice_ids = entry.invoice_ids
        if invoice_ids:
            self.dunning_dates.append(entry.date)
            record = (entry.date, entry.received_on)
            steps = self.steps
            first = self.first
            sent = (entry.date, entry.channel)
            for iid in invoice_ids:
                done = steps.get(iid)
                if done is None:
                    steps[iid] = {entry.step: [record]}
                else:
                    done.setdefault(entry.step, []).append(record)
                known = first.get(iid)
                if known is None or sent < known:
                    first[iid] = sent
            if entry.fees is not None and entry.fees.amount:
                self._add_fees(entry.fees, invoice_ids)

    def _add_fees(self, fees: Money, invoice_ids: Sequence[str]) -> None:
        by_invoice = self.fees_by_invoice
        for iid in invoice_ids:
            known = by_invoice.get(iid)
            by_invoice[iid] = fees if known is None else known + fees
        known = self.fees_by_currency.get(fees.currency)
        self.fees_by_currency[fees.currency] = fees if known is None else known + fees

    def last_dunning_before(self, day: date) -> date | None:
        found = [d for d in self.dunning_dates if d < day]
        return max(found) if found else None


_EMPTY_HISTORY = _CustomerHistory()


def _entry_of(item: HistoryEntry | Action) -> HistoryEntry:
    if type(item) is HistoryEntry:
        return item
    if isinstance(item, Action):
        return HistoryEntry.from_action(item)
    if isinstance(item, HistoryEntry):
        return item
    raise InvalidFieldError("history", "entry", item, "expected a HistoryEntry or an Action")


def _currency_of(entry: HistoryEntry, ledger: Ledger) -> str:
    if entry.currency:
        return entry.currency
    for iid in entry.invoice_ids:
        try:
            return ledger.invoice(iid).currency
        except KeyError:
            continue
    return ""


def _index_history(
    entries: Iterable[HistoryEntry], ledger: Ledger, as_of: date
) -> dict[str, _CustomerHistory]:
    index: dict[str, _CustomerHistory] = {}
    failed = HistoryStatus.FAILED
    for entry in entries:
        day = entry.date
        if day > as_of or entry.status is failed:
            continue
        ch = index.get(entry.customer_id)
        if ch is None:
            ch = index[entry.customer_id] = _CustomerHistory()
        today = day == as_of
        ch.add(entry, _currency_of(entry, ledger) if today else "", today=today)
    return index


# ---------------------------------------------------------------------------
# per-customer planning
# ---------------------------------------------------------------------------


@attrs.define
class _Result:
    actions: list[Action] = attrs.field(factory=list)
    skipped: list[Skipped] = attrs.field(factory=list)
    wake: date | None = None  # earliest future date at which the output may change

    def wake_at(self, day: date | None) -> None:
        if day is not None and (self.wake is None or day < self.wake):
            self.wake = day


@attrs.define
class _Candidate:
    """An invoice whose step is due today."""

    invoice: Invoice
    balance: Money
    policy: Policy
    index: int
    scheduled: date
    superseded: list[int]
    dropped: list[int]
    repeat: int = 0


@attrs.frozen
class _Calendars:
    """Business calendars by country: the plugins' own, else the standard ones."""

    overrides: Mapping[str, BusinessCalendar] = attrs.field(factory=dict)

    def of(self, country: str) -> BusinessCalendar:
        if self.overrides:
            found = self.overrides.get(country)
            if found is not None:
                return found
        return calendar_for(country)


_STANDARD_CALENDARS = _Calendars()


def _calendar(rule: str, customer: Customer, cals: _Calendars) -> BusinessCalendar | None:
    if rule == CalendarRule.NONE:
        return None
    if rule == CalendarRule.CUSTOMER:
        return cals.of(customer.country)
    return cals.of(rule)


def _receipt(
    sent: date, received: date | None, policy: Policy, customer: Customer, cals: _Calendars
) -> date:
    """When a step sent on ``sent`` was (or is presumed to be) received.

    Dutch customers: the statutory presumption (the second day after sending,
    Sundays, Mondays and public holidays not counted). Elsewhere: the
    policy's ``presumed_receipt_days`` business days of the customer's
    country.
    """
    if received is not None:
        return received
    if customer.country == "NL":
        return law_nl.presumed_receipt(sent, calendar=cals.of("NL"))
    cal = cals.of(customer.country)
    return cal.add_business_days(sent, policy.presumed_receipt_days)


def _step_date(
    step: Step,
    index: int,
    invoice: Invoice,
    policy: Policy,
    customer: Customer,
    done: dict[str, list[tuple[date, date | None]]],
    cals: _Calendars,
    *,
    shift: bool = True,
) -> date | None:
    """When step ``index`` of ``invoice`` falls due, or ``None`` if it cannot yet.

    ``shift=False``: the day by the offset alone, before the step's calendar
    moves it to a business day.
    """
    previous_receipt: date | None = None
    if index > 0:
        prev = policy.steps[index - 1]
        if step.anchor is Anchor.RECEIPT or prev.requires_acknowledgement:
            records = done.get(prev.name)
            if not records:
                return None
            sent, received = min(records)
            previous_receipt = _receipt(sent, received, policy, customer, cals)
    if step.anchor is Anchor.RECEIPT and previous_receipt is not None:
        day = previous_receipt + timedelta(days=step.offset_days)
    elif step.anchor is Anchor.ISSUE:
        day = invoice.issue_date + timedelta(days=step.offset_days)
    else:
        grace = policy.grace_for(invoice.currency) if step.offset_days > 0 else 0
        day = invoice.due_date + timedelta(days=step.offset_days + grace)
    if previous_receipt is not None and day < previous_receipt:
        day = previous_receipt
    return _shift(step, policy, customer, day, cals) if shift else day


def _shift(step: Step, policy: Policy, customer: Customer, day: date, cals: _Calendars) -> date:
    """``day`` moved to the next business day when the step's calendar asks."""
    cal = _calendar(step.calendar or policy.calendar, customer, cals)
    return day if cal is None else cal.next_business_day(day)


def _running_deadline(
    policy: Policy,
    customer: Customer,
    done: dict[str, list[tuple[date, date | None]]],
    cals: _Calendars,
) -> tuple[date, str, date] | None:
    """The latest payment deadline the steps already carried out for an
    invoice stated: ``(deadline, step name, sent)``, or ``None``.

    A history entry does not record its deadline; it is computed again from
    the step's definition and the day it was sent, with :func:`_deadline`,
    the function that gave the action its deadline. A deadline never comes
    earlier for a later sending day, so each step's last sending decides.
    """
    found: tuple[date, str, date] | None = None
    for name, records in done.items():
        idx = policy.step_index(name)
        if idx is None:
            continue
        step = policy.steps[idx]
        if step.deadline_days is None:
            continue
        sent = max(day for day, _ in records)
        deadline = _deadline(step, policy, sent, customer, cals)
        if deadline is not None and (found is None or (deadline, name) > found[:2]):
            found = (deadline, name, sent)
    return found


def _waits(step: Step, day: date, running: tuple[date, str, date]) -> str:
    deadline, name, sent = running
    return (
        f"step {step.name!r} waits until {day.isoformat()}: step {name!r}, sent on "
        f"{sent.isoformat()}, gave until {deadline.isoformat()} to pay"
    )


def _ladder(
    invoice: Invoice,
    balance: Money,
    policy: Policy,
    customer: Customer,
    history: _CustomerHistory,
    as_of: date,
    result: _Result,
    cals: _Calendars,
    vetoed: frozenset[str] = frozenset(),
) -> _Candidate | None:
    """Find the step due for ``invoice`` today, or record why there is none.

    ``vetoed``: steps a plugin vetoed today, which catch-up ``resume`` goes
    past (never a formal or acknowledged one).

    No step goes out on or before the last day of a payment deadline that an
    earlier step stated for the invoice: it waits until the day after.
    Catch-up ``resume`` takes the first step not yet carried out (dropping
    the steps before the due date once the invoice is due); ``highest``
    takes the highest overdue step, up to the first mandatory one.
    """
    done = history.steps.get(invoice.id, {})
    steps = policy.steps
    last = -1
    for name in done:
        idx = policy.step_index(name)
        if idx is not None and idx > last:
            last = idx
    chosen: int | None = None
    chosen_date: date | None = None
    superseded: list[int] = []
    dropped: list[int] = []
    resume = policy.catch_up is CatchUp.RESUME
    is_due = as_of >= invoice.due_date
    running = _running_deadline(policy, customer, done, cals) if done else None
    bar = running[0] + _ONE_DAY if running is not None else None
    # When the last step carried out went out later than scheduled (catch-up,
    # a hold), the following steps move by the same lag, so the gaps of the
    # ladder (a notice's term to pay) are kept, counted from the day it went
    # out (by the offsets, before calendars move them); and nothing follows a
    # step on the day it was sent.
    lag = 0
    earliest: date | None = None
    if 0 <= last < len(steps) - 1:
        sent = min(done[steps[last].name])[0]
        scheduled = _step_date(steps[last], last, invoice, policy, customer, done, cals)
        if scheduled is not None and sent > scheduled:
            nominal = _step_date(
                steps[last], last, invoice, policy, customer, done, cals, shift=False
            )
            lag = (sent - (nominal or scheduled)).days
        earliest = sent + _ONE_DAY
    for idx in range(last + 1, len(steps)):
        step = steps[idx]
        if resume and not step.mandatory and step.name in vetoed:
            continue
        if resume and is_due and step.pre_due and not step.mandatory:
            dropped.append(idx)
            continue
        day = _step_date(step, idx, invoice, policy, customer, done, cals)
        if day is not None and earliest is not None:
            if lag and step.anchor is not Anchor.RECEIPT:
                nominal = _step_date(step, idx, invoice, policy, customer, done, cals, shift=False)
                day = _shift(step, policy, customer, (nominal or day) + timedelta(days=lag), cals)
            if day < earliest:
                day = _shift(step, policy, customer, earliest, cals)
        if day is None:  # anchored on a step chosen in this very scan
            break
        waiting = bar is not None and day < bar
        if waiting and bar is not None:
            day = _shift(step, policy, customer, bar, cals)
        if day > as_of:
            result.wake_at(day)
            if chosen is None:
                detail = (
                    _waits(step, day, running)
                    if waiting and running is not None
                    else f"next step {step.name!r} is due on {day.isoformat()}"
                )
                result.skipped.append(
                    Skipped(customer.id, invoice.id, SkipReason.NOT_DUE, detail, step.name)
                )
                return None
            break
        if chosen is not None:
            superseded.append(chosen)
        chosen, chosen_date = idx, day
        if resume or step.mandatory:
            break
    if chosen is not None and chosen_date is not None:
        if _closed_today(steps[chosen], policy, customer, as_of, cals, invoice, result):
            return None
        return _Candidate(invoice, balance, policy, chosen, chosen_date, superseded, dropped)
    if last == len(steps) - 1 and steps and policy.end is EndBehaviour.REPEAT:
        records = done[steps[last].name]
        count = len(records)
        due = _shift(
            steps[last],
            policy,
            customer,
            max(sent for sent, _ in records) + timedelta(days=policy.repeat_every_days),
            cals,
        )
        waiting = bar is not None and due < bar
        if waiting and bar is not None:
            due = _shift(steps[last], policy, customer, bar, cals)
        if due <= as_of:
            if _closed_today(steps[last], policy, customer, as_of, cals, invoice, result):
                return None
            return _Candidate(invoice, balance, policy, last, due, [], [], repeat=count)
        result.wake_at(due)
        result.skipped.append(
            Skipped(
                customer.id,
                invoice.id,
                SkipReason.NOT_DUE,
                _waits(steps[last], due, running)
                if waiting and running is not None
                else f"step {steps[last].name!r} repeats on {due.isoformat()}",
                steps[last].name,
            )
        )
        return None
    if dropped and last < len(steps) - 1 and dropped[-1] == len(steps) - 1:
        detail = (
            f"the steps of policy {policy.name!r} left come before the due date, "
            f"{invoice.due_date.isoformat()}, which has passed"
        )
    else:
        detail = f"every step of policy {policy.name!r} was carried out"
    result.skipped.append(
        Skipped(
            customer.id,
            invoice.id,
            SkipReason.LADDER_COMPLETE if last == len(steps) - 1 else SkipReason.ALREADY_DONE,
            detail,
        )
    )
    return None


def _closed_today(
    step: Step,
    policy: Policy,
    customer: Customer,
    as_of: date,
    cals: _Calendars,
    invoice: Invoice,
    result: _Result,
) -> bool:
    """A step that follows a calendar waits for a business day.

    Its date was moved to a business day, but when it fires late (catch-up,
    the end of a hold or a plugin's rule) the planning day itself may be a
    weekend or holiday: then it waits until the next business day.
    """
    cal = _calendar(step.calendar or policy.calendar, customer, cals)
    if cal is None or cal.is_business_day(as_of):
        return False
    opens = cal.next_business_day(as_of)
    result.wake_at(opens)
    result.skipped.append(
        Skipped(
            customer.id,
            invoice.id,
            SkipReason.NOT_DUE,
            f"step {step.name!r} is due; it waits for the next business day, {opens.isoformat()}",
            step.name,
        )
    )
    return True


def _deadline(
    step: Step, policy: Policy, as_of: date, customer: Customer, cals: _Calendars
) -> date | None:
    """The payment deadline ``step`` states when sent on ``as_of``: counted
    from that day, or for a step that requires acknowledgement from the day
    after its presumed receipt; moved to the customer's next business day.
    The 14-day letter to a Dutch consumer states the statutory term's last
    day, :func:`arpolicy.law.nl.consumer_letter_term_end` (moved off
    weekends and the general holidays of the Algemene termijnenwet).

    The one function for it: a new action's deadline, and the running
    deadline of a step already sent (see :func:`_running_deadline`), which no
    later step about the same invoice may fall into."""
    if step.deadline_days is None:
        return None
    if _is_nl_letter(step, policy, customer):
        return law_nl.consumer_letter_term_end(
            as_of, days=step.deadline_days, calendar=cals.of("NL")
        )
    start = as_of
    if step.requires_acknowledgement:
        start = _receipt(as_of, None, policy, customer, cals)
    return cals.of(customer.country).next_business_day(start + timedelta(days=step.deadline_days))


def _letter_term_end(
    sent: date | None, received: date | None, customer: Customer, cals: _Calendars
) -> date | None:
    """The last day of the statutory term of a 14-day letter to a Dutch
    customer sent on ``sent`` (``None`` when none was sent or elsewhere)."""
    if sent is None or customer.country != "NL":
        return None
    return law_nl.consumer_letter_term_end(sent, received=received, calendar=cals.of("NL"))


def _is_nl_letter(step: Step, policy: Policy, customer: Customer) -> bool:
    """``step`` is the 14-day letter (art. 6:96(6) BW) to a Dutch consumer:
    its deadline is the statutory term's last day."""
    if customer.country != "NL" or customer.profile is not Profile.PRIVATE:
        return False
    letter = policy.letter_index()
    return letter is not None and policy.steps[letter].name == step.name


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
                sent, received = min(records)
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


def _ladder_actions(
    group: list[_Candidate],
    step_index: int,
    customer: Customer,
    history: _CustomerHistory,
    as_of: date,
    rates: RateBook | None,
    cals: _Calendars,
    ledger: Ledger,
    own: frozenset[str],
) -> list[Action]:
    policy = group[0].policy
    step = policy.steps[step_index]
    currency = group[0].balance.currency
    invoice_ids = tuple(sorted(c.invoice.id for c in group))
    balances = [c.balance for c in group]
    amount = Money.total(balances, currency)
    repeat = max(c.repeat for c in group)
    charges, fees, law_reasons = _charges(
        group, step_index, customer, history, as_of, repeat, rates, ledger, own, cals
    )
    reasons = [
        Reason(
            "step_due",
            f"step {step.name!r} (level {step_index + 1}) of policy {policy.name!r} is due",
            {
                "policy": policy.name,
                "step": step.name,
                "scheduled": min(c.scheduled for c in group).isoformat(),
                "anchor": step.anchor.value,
                "offset_days": step.offset_days,
            },
        )
    ]
    superseded = sorted({policy.steps[i].name for c in group for i in c.superseded})
    if superseded:
        reasons.append(
            Reason(
                "catch_up",
                "lower steps were overdue at once; only the highest is planned",
                {"superseded": " ".join(superseded)},
            )
        )
    scheduled = min(c.scheduled for c in group)
    if policy.catch_up is CatchUp.RESUME and not repeat and scheduled < as_of:
        reasons.append(
            Reason(
                "resume",
                f"step {step.name!r} was due on {scheduled.isoformat()}; the ladder resumes "
                "at it, and the later steps keep their intervals from today",
                {"scheduled": scheduled.isoformat()},
            )
        )
    dropped = sorted({policy.steps[i].name for c in group for i in c.dropped})
    if dropped:
        reasons.append(
            Reason(
                "dropped",
                "steps before the due date are dropped once the invoice is due",
                {"dropped": " ".join(dropped)},
            )
        )
    if repeat:
        reasons.append(
            Reason("repeat", f"the last step repeats (time {repeat + 1})", {"repeat": repeat})
        )
    if policy.grouping is Grouping.HIGHEST and len({c.index for c in group}) > 1:
        reasons.append(
            Reason(
                "grouped",
                "one notice per customer at the highest level reached",
                {"levels": " ".join(str(i + 1) for i in sorted({c.index for c in group}))},
            )
        )
    reasons.extend(law_reasons)
    subject = f"repeat:{repeat}" if repeat else ""
    deadline = _deadline(step, policy, as_of, customer, cals)
    actions = []
    for n, channel in enumerate(step.channels):
        actions.append(
            Action(
                date=as_of,
                customer_id=customer.id,
                invoice_ids=invoice_ids,
                step=step.name,
                level=step_index + 1,
                channel=channel,
                tone=step.tone.value,
                kind=ActionKind(step.action),
                policy=policy.name,
                amount_due=amount,
                fees=fees if n == 0 else None,
                deadline=deadline,
                key=action_key(
                    customer.id,
                    step.name,
                    channel,
                    currency=currency,
                    invoice_ids=invoice_ids,
                    subject=subject,
                ),
                reasons=tuple(reasons),
                template=step.template_key,
                requires_acknowledgement=step.requires_acknowledgement,
                formal=step.formal,
                charges=charges if n == 0 else (),
            )
        )
    return actions


def _plan_customer(
    ledger: Ledger,
    customer: Customer,
    playbook: Playbook,
    history: _CustomerHistory,
    as_of: date,
    position: CustomerPosition | None = None,
    rates: RateBook | None = None,
    plugins: Plugins | None = None,
    vetoed: Mapping[str, frozenset[str]] | None = None,
) -> _Result:
    """Plan one customer on ``as_of``; ``position`` may be passed when known.

    ``vetoed``: per invoice, the steps a plugin's action rule vetoed today;
    with catch-up ``resume`` the ladder goes on past them (see
    :func:`_past_vetoes`).
    """
    result = _Result()
    cals = _Calendars(plugins.calendars()) if plugins is not None else _STANDARD_CALENDARS
    if position is None:
        position = ledger.position(customer.id, as_of)
    balances = {iid: bal for iid, bal in position.balances.items() if bal.amount > 0}
    own = _interest_only(ledger, customer, playbook, position, as_of, plugins)
    balances.update((iid, position.balances[iid]) for iid in sorted(own))
    if customer.block is not None and customer.block.until is not None and customer.blocked(as_of):
        result.wake_at(customer.block.until)
    paused: dict[str, str] = {}
    payments = ledger.payments_of(customer.id)
    # A plan exists from the day it was agreed: before, it pauses nothing and
    # the engine wakes on that day.
    for plan in ledger.plans_of(customer.id):
        if not plan.in_force(as_of):
            result.wake_at(plan.agreed_on)
    plans = [
        (plan, plan.state(payments, as_of))
        for plan in sorted(ledger.plans_of(customer.id, on=as_of), key=lambda p: p.id)
    ]
    for plan, state in plans:
        for inst in plan.instalments:
            wake = inst.due_date + timedelta(days=plan.grace_days + 1)
            if wake > as_of:
                result.wake_at(wake)
        if state.status is PlanStatus.ON_TRACK:
            for iid in plan.invoice_ids:
                paused.setdefault(iid, plan.id)

    facade = plugins or builtin_plugins()
    score = facade.credit_score(customer, ledger, as_of) if playbook.credit_hold else None
    extra = facade.customer_actions(
        CustomerContext(
            customer,
            ledger,
            playbook,
            as_of,
            balances,
            tuple(plans),
            history.keys,
            score,
            position,
        )
    )
    specials = list(extra.actions)
    result.wake_at(extra.wake)

    # 1. the policy of each open invoice, and what a minimum amount compares
    # with: the open amount per currency without disputed, held and
    # plan-covered invoices
    chosen: dict[str, Policy | str] = {}
    dunnable: dict[str, int] = {}
    for iid in sorted(balances):
        invoice = ledger.invoice(iid)
        policy = _choose_policy(playbook, customer, invoice, plugins)
        chosen[iid] = policy
        if (
            not isinstance(policy, str)
            and iid not in paused
            and not invoice.disputed(as_of)
            and not invoice.on_hold(as_of)
        ):
            dunnable[invoice.currency] = (
                dunnable.get(invoice.currency, 0) + balances[iid].minor_units
            )

    # 2. skip rules (built-in: blocks, disputes, holds, plans, minimum
    # amounts; then the plugins'), then the ladder of each invoice
    candidates: list[_Candidate] = []
    plan_states = tuple(plans)
    builtin = plugins is None
    for iid in sorted(balances):
        invoice = ledger.invoice(iid)
        balance = balances[iid]
        policy = chosen[iid]
        if isinstance(policy, str):
            result.skipped.append(Skipped(customer.id, iid, SkipReason.NO_POLICY, policy))
            continue
        currency = invoice.currency
        context = InvoiceContext(
            customer,
            invoice,
            balance,
            policy,
            as_of,
            plan_states,
            Money.from_minor(dunnable.get(currency, 0), currency),
        )
        answer = facade.skip_invoice(context)
        if answer is not None:
            skip, plugin = answer
            detail = skip.detail
            if not builtin and plugin not in BUILTIN_PLUGINS:
                detail = f"{detail} (plugin {plugin!r})"
            result.skipped.append(Skipped(customer.id, iid, skip.reason, detail))
            if skip.until is not None and skip.until > as_of:
                result.wake_at(skip.until)
            continue
        cand = _ladder(
            invoice,
            balance,
            policy,
            customer,
            history,
            as_of,
            result,
            cals,
            vetoed.get(iid, frozenset()) if vetoed else frozenset(),
        )
        if cand is not None:
            candidates.append(cand)

    # 3. group into notices
    # With HIGHEST grouping an invoice joins the notice of the highest level
    # only when no formal or acknowledged step lies between its own level and
    # that one; otherwise it gets the notice of its own step.
    top: dict[tuple[str, str], int] = {}
    for cand in candidates:
        if cand.policy.grouping is Grouping.HIGHEST and not cand.repeat:
            slot = (cand.policy.name, cand.balance.currency)
            top[slot] = max(top.get(slot, -1), cand.index)
    groups: dict[tuple[str, str, int, int], list[_Candidate]] = {}
    for cand in candidates:
        policy = cand.policy
        level = cand.index
        target = top.get((policy.name, cand.balance.currency))
        if (
            target is not None
            and not cand.repeat
            and not any(s.mandatory for s in policy.steps[cand.index : target])
        ):
            level = target
        key = (policy.name, cand.balance.currency, level, cand.repeat)
        groups.setdefault(key, []).append(cand)
    ladder: list[tuple[list[_Candidate], int]] = []
    for key in sorted(groups):
        ladder.append((groups[key], key[2]))

    # 4. spacing and channel slots: specials first, then higher levels first.
    # A slot is (channel, currency); an action without a currency (a trial
    # notice) takes the channel for every currency.
    used: set[tuple[str, str]] = {(ch, cur) for ch, cur, day in history.slots if day == as_of}

    def busy(channel: str, currency: str) -> bool:
        if (channel, currency) in used or (channel, "") in used:
            return True
        return currency == "" and any(ch == channel for ch, _ in used)

    priority = {ActionKind.PLAN_BROKEN: 0, ActionKind.CREDIT_HOLD: 1, ActionKind.TRIAL_NOTICE: 2}
    specials.sort(key=lambda a: (priority.get(a.kind, 3), a.key))
    for action in specials:
        if busy(action.channel, action.currency or ""):
            result.wake_at(as_of + _ONE_DAY)
            continue
        result.actions.append(action)
        used.add((action.channel, action.currency or ""))

    ladder.sort(key=lambda item: (-item[1], item[0][0].policy.name, item[0][0].balance.currency))
    last = history.last_dunning_before(as_of)
    for group, index in ladder:
        policy = group[0].policy
        currency = group[0].balance.currency
        step = policy.steps[index]
        reason: str | None = None
        if policy.min_days_between and last is not None:
            ready = last + timedelta(days=policy.min_days_between)
            if ready > as_of:
                reason = f"the previous action was on {last.isoformat()}; next on {ready}"
                result.wake_at(ready)
        if reason is None:
            taken = [ch for ch in step.channels if busy(ch, currency)]
            if taken:
                reason = f"channel {taken[0]!r} is already used for this customer today"
                result.wake_at(as_of + _ONE_DAY)
        if reason is not None:
            for cand in group:
                result.skipped.append(
                    Skipped(customer.id, cand.invoice.id, SkipReason.DEFERRED, reason, step.name)
                )
            continue
        actions = _ladder_actions(group, index, customer, history, as_of, rates, cals, ledger, own)
        used.update((a.channel, currency) for a in actions)
        result.actions.extend(actions)
        for cand in group:
            for low in cand.superseded:
                result.skipped.append(
                    Skipped(
                        customer.id,
                        cand.invoice.id,
                        SkipReason.SUPERSEDED,
                        f"superseded by step {step.name!r}",
                        policy.steps[low].name,
                    )
                )
            for low in cand.dropped:
                result.skipped.append(
                    Skipped(
                        customer.id,
                        cand.invoice.id,
                        SkipReason.DROPPED,
                        f"comes before the due date, {cand.invoice.due_date.isoformat()}, "
                        f"which has passed; the ladder resumes at step {step.name!r}",
                        policy.steps[low].name,
                    )
                )
    if plugins is not None and plugins.has_action_rules() and result.actions:
        refused = _adjust(ledger, customer, as_of, plugins, result)
        more = _past_vetoes(playbook, refused, result.actions, vetoed or {})
        if more is not None:
            again = _plan_customer(
                ledger, customer, playbook, history, as_of, position, rates, plugins, more
            )
            again.skipped.extend(s for s in result.skipped if s.reason is SkipReason.VETOED)
            again.wake_at(result.wake)
            return again
    if result.actions:
        result.wake_at(as_of + _ONE_DAY)
    return result


def _past_vetoes(
    playbook: Playbook,
    refused: list[Action],
    kept: list[Action],
    vetoed: Mapping[str, frozenset[str]],
) -> dict[str, frozenset[str]] | None:
    """The steps to go past after a plugin vetoed ``refused``, or ``None``.

    A step goes out when one of its channels is kept: only a step vetoed on
    every channel is gone past.

    With catch-up ``resume`` a step a plugin will not let go out (no calls to
    this customer) would otherwise hold the ladder at that step for good; the
    ladder goes on past it, to the next step on that step's own date. A formal
    or acknowledged step is never gone past.
    """
    grown = dict(vetoed)
    changed = False
    sent = {(iid, a.step) for a in kept for iid in a.invoice_ids}
    for action in refused:
        if action.level == 0 or not playbook.has_policy(action.policy):
            continue
        policy = playbook.policy(action.policy)
        if policy.catch_up is not CatchUp.RESUME or action.level > len(policy.steps):
            continue
        step = policy.steps[action.level - 1]
        if step.mandatory:
            continue
        for iid in action.invoice_ids:
            names = grown.get(iid, frozenset())
            if (iid, step.name) not in sent and step.name not in names:
                grown[iid] = names | {step.name}
                changed = True
    return grown if changed else None


def _adjust(
    ledger: Ledger, customer: Customer, as_of: date, plugins: Plugins, result: _Result
) -> list[Action]:
    """Let the plugins' action rules change or veto the planned actions;
    return the vetoed ones."""
    kept: list[Action] = []
    refused: list[Action] = []
    for action in result.actions:
        invoices = tuple(ledger.invoice(iid) for iid in action.invoice_ids)
        answer = plugins.adjust_action(action, ActionContext(customer, as_of, invoices))
        if isinstance(answer, Action):
            kept.append(answer)
            continue
        veto, plugin = answer
        refused.append(action)
        detail = f"{action.channel} action vetoed: {veto.detail} (plugin {plugin!r})"
        for iid in action.invoice_ids or ("",):
            result.skipped.append(Skipped(customer.id, iid, SkipReason.VETOED, detail, action.step))
    result.actions = kept
    return refused


def _interest_only(
    ledger: Ledger,
    customer: Customer,
    playbook: Playbook,
    position: CustomerPosition,
    as_of: date,
    plugins: Plugins | None,
) -> frozenset[str]:
    """Invoices paid in full but late that stay in their ladder for their
    statutory interest: their policy sets ``dun_interest_only``."""
    if not any(p.dun_interest_only for p in playbook.policies):
        return frozenset()
    closed = [iid for iid, bal in position.balances.items() if not bal.amount]
    if not closed:
        return frozenset()
    settlements = ledger.settlements_of(customer.id, as_of)
    found = set()
    for iid in closed:
        invoice = ledger.invoice(iid)
        policy = _choose_policy(playbook, customer, invoice, plugins)
        if isinstance(policy, str) or not policy.dun_interest_only:
            continue
        if not any(_charges_interest(step) for step in policy.steps):
            continue
        parts = settlements.get(iid, ())
        if _closed_recently(policy, parts, as_of) is not None and _paid_late(
            invoice, _paid_parts(invoice, parts)
        ):
            found.add(iid)
    return frozenset(found)


def _choose_policy(
    playbook: Playbook, customer: Customer, invoice: Invoice, plugins: Plugins | None = None
) -> Policy | str:
    """The policy for ``invoice``, or a sentence saying why there is none.

    A plugin's choice (``arpolicy_select_policy``) comes first.
    """
    if plugins is not None:
        name = plugins.select_policy(customer, invoice, playbook)
        if name is not None:
            policy_ = playbook.policy(name)
            if invoice.kind not in policy_.kinds:
                return f"policy {name!r}, chosen by a plugin, does not handle this kind"
            return policy_
    for owner, name in (("invoice", invoice.policy), ("customer", customer.policy)):
        if name and playbook.has_policy(name):
            break  # the first valid override wins; policy_for agrees
        if name:
            return f"the {owner} names policy {name!r}, which the playbook does not have"
    policy = playbook.policy_for(customer, invoice)
    if policy is None:
        return f"no policy of the playbook serves profile {customer.profile.value!r}"
    if invoice.kind not in policy.kinds:
        kind = "deposit requests" if invoice.kind is InvoiceKind.DEPOSIT else "this kind"
        return f"policy {policy.name!r} does not handle {kind}"
    return policy


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------


def _resolve_playbook(playbook: Playbook | None, plugins: Plugins | None) -> Playbook:
    """The playbook to use, once its channels are known to be provided."""
    if playbook is None:
        return default_playbook()
    (plugins or builtin_plugins()).check_channels(playbook)
    return playbook


def _finish(as_of: date, actions: Iterable[Action], skipped: Iterable[Skipped]) -> Plan:
    ordered = sorted(actions, key=Action.sort_key)
    skips = sorted(skipped, key=lambda s: (s.customer_id, s.invoice_id, s.step or "", s.reason))
    return Plan(as_of=as_of, actions=tuple(ordered), skipped=tuple(skips))


def plan(
    ledger: Ledger,
    *,
    as_of: date | None = None,
    at: datetime | None = None,
    playbook: Playbook | None = None,
    history: Iterable[HistoryEntry | Action] | HistoryTable | None = None,
    rates: RateBook | None = None,
    plugins: Plugins | None = None,
) -> Plan:
    """Plan the actions due on ``as_of``, or on each customer's own date at ``at``.

    Give exactly one of ``as_of`` and ``at``. With ``as_of`` every customer
    is planned on that date. With ``at`` (an instant) each customer is
    planned on its local date at that instant, in its
    :attr:`~arpolicy.model.Customer.timezone` (``UTC`` unless the ledger says
    otherwise): at 20:00 UTC it is already tomorrow in Auckland and still
    today in Los Angeles. Each action carries its customer's date.

    Args:
        ledger: customers, invoices, payments, plans and trials.
        as_of: the date to plan for. Payments dated on or before it count.
        at: the instant to plan for, timezone-aware; each customer's date is
            the date in its time zone then, and payments dated on or before
            that date count.
        playbook: the policies; the built-in playbook when ``None``.
        history: actions already carried out (:class:`HistoryEntry` or
            :class:`Action` objects, or a table: see
            :mod:`arpolicy.io.history_tables`). Entries dated after the
            customer's date and failed entries are ignored.
        rates: the statutory rate tables for interest; the shipped tables
            when ``None`` (add newer rows with
            ``RateBook.shipped().merged(rows)``).
        plugins: the plugins (:class:`~arpolicy.plugins.Plugins`); the
            built-in ones only when ``None``. Their rate rows are merged over
            ``rates``; their skip rules, action rules and policy choices
            apply; observers see the finished plan.

    Returns:
        A :class:`Plan`. With ``as_of`` its actions are all dated ``as_of``.
        With ``at`` each action is dated its customer's local date, and the
        plan's ``as_of`` is the date of ``at`` in ``at``'s own time zone.

    Raises:
        InvalidFieldError: neither or both of ``as_of`` and ``at`` are given,
            ``as_of`` is not a date, or ``at`` is not a timezone-aware
            datetime.
        UnknownChannelError: a step of ``playbook`` names a channel no plugin
            provides (``plugins``, or the built-in ones), with the closest
            known names ("did you mean 'email'?").
        PluginError: a plugin failed (no partial plan is returned).
    """
    history = history_entries(history)  # objects as given; a table as entries
    day, days = _planning_days(ledger, as_of, at)
    book = _resolve_playbook(playbook, plugins)
    if plugins is not None:
        rates = plugins.rate_book(rates)
    with gc_paused():
        entries = [_entry_of(item) for item in history or ()]
        actions: list[Action] = []
        skipped: list[Skipped] = []
        # The history is indexed once per date: customers sharing a local
        # date share an index (with ``as_of``, all of them).
        for local, customers in days:
            index = _index_history(entries, ledger, local)
            for customer in customers:
                result = _plan_customer(
                    ledger,
                    customer,
                    book,
                    index.get(customer.id, _EMPTY_HISTORY),
                    local,
                    rates=rates,
                    plugins=plugins,
                )
                actions.extend(result.actions)
                skipped.extend(result.skipped)
        return _observed(_finish(day, actions, skipped), plugins)


def _planning_days(
    ledger: Ledger, as_of: date | None, at: datetime | None
) -> tuple[date, list[tuple[date, Sequence[Customer]]]]:
    """The plan's date, and the customers to plan on each date (by date).

    Time zones are converted once per zone, not per customer.
    """
    if (as_of is None) == (at is None):
        raise InvalidFieldError(
            "plan", "as_of", as_of, "give exactly one of as_of (a date) and at (a datetime)"
        )
    if at is None:
        if not isinstance(as_of, date) or isinstance(as_of, datetime):
            raise InvalidFieldError("plan", "as_of", as_of, "expected a date (use at= for a time)")
        return as_of, [(as_of, ledger.customers)]
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise InvalidFieldError("plan", "at", at, "expected a timezone-aware datetime")
    by_zone: dict[str, date] = {}
    groups: dict[date, list[Customer]] = {}
    for customer in ledger.customers:
        local = by_zone.get(customer.timezone)
        if local is None:
            local = by_zone[customer.timezone] = customer.local_date(at)
        groups.setdefault(local, []).append(customer)
    return at.date(), sorted(groups.items())


def _observed(result: Plan, plugins: Plugins | None) -> Plan:
    if plugins is not None:
        plugins.observe_plan(result)
    return result


def _static_events(ledger: Ledger, customer: Customer) -> list[date]:
    """Dates on which the customer's ledger state changes by itself."""
    days: set[date] = set()
    for inv in ledger.invoices_of(customer.id):
        days.add(inv.issue_date)
        if inv.dispute is not None:
            days.add(inv.dispute.opened_on)
            if inv.dispute.resolved_on is not None:
                days.add(inv.dispute.resolved_on)
        if inv.on_hold_until is not None:
            days.add(inv.on_hold_until)
    for pay in ledger.payments_of(customer.id):
        days.add(pay.date)
    for plan_ in ledger.plans_of(customer.id):
        days.add(plan_.agreed_on)
        for inst in plan_.instalments:
            days.add(inst.due_date + timedelta(days=plan_.grace_days + 1))
    if customer.block is not None and customer.block.until is not None:
        days.add(customer.block.until)
    return sorted(days)


def simulate(
    ledger: Ledger,
    *,
    start: date,
    end: date,
    playbook: Playbook | None = None,
    history: Iterable[HistoryEntry | Action] | HistoryTable | None = None,
    rates: RateBook | None = None,
    plugins: Plugins | None = None,
) -> Plan:
    """Every action from ``start`` to ``end`` (inclusive), each carried out on its date.

    The result equals calling :func:`plan` for every day from ``start`` to
    ``end`` with the history growing by each day's actions (received on
    their presumed-receipt day), but the engine jumps from event to event
    instead of visiting every day.

    Args are those of :func:`plan`, with ``start`` and ``end`` instead of
    ``as_of``.

    Returns:
        A :class:`Plan` with ``as_of=end``: all actions of the period, and
        what was skipped on ``end``.

    Raises:
        UnknownChannelError: as for :func:`plan`.
    """
    if end < start:
        raise InvalidFieldError("simulate", "end", end, f"is before start {start.isoformat()}")
    history = history_entries(history)  # objects as given; a table as entries
    book = _resolve_playbook(playbook, plugins)
    if plugins is not None:
        rates = plugins.rate_book(rates)
    base = [_entry_of(item) for item in history or ()]
    by_customer: dict[str, list[HistoryEntry]] = {}
    for entry in base:
        by_customer.setdefault(entry.customer_id, []).append(entry)
    with gc_paused():
        return _observed(_simulate(ledger, start, end, book, by_customer, rates, plugins), plugins)


def _simulate(
    ledger: Ledger,
    start: date,
    end: date,
    book: Playbook,
    by_customer: dict[str, list[HistoryEntry]],
    rates: RateBook | None,
    plugins: Plugins | None,
) -> Plan:
    # A plugin's rules may change their answer on any day: then every day is
    # looked at; the built-in rules say when they change (wake dates).
    daily = plugins is not None and plugins.custom_rules()
    actions: list[Action] = []
    skipped: list[Skipped] = []
    for customer in ledger.customers:
        # The given history, oldest first, joins the customer's history as the
        # simulation reaches each entry's date; new actions join on their day.
        pending = sorted(
            (e for e in by_customer.get(customer.id, ()) if e.status is HistoryStatus.ISSUED),
            key=lambda e: e.date,
        )
        taken = 0
        ch = _CustomerHistory()
        events = _static_events(ledger, customer)
        pos = 0
        day = start
        # A customer's position changes only on its static events (invoice and
        # payment dates), so it is computed again only when one has passed.
        position: CustomerPosition | None = None
        position_events = -1
        while True:
            while taken < len(pending) and pending[taken].date <= day:
                entry = pending[taken]
                ch.add(entry, _currency_of(entry, ledger), today=entry.date == day)
                taken += 1
            passed = bisect.bisect_right(events, day)
            if position is None or passed != position_events:
                position = ledger.position(customer.id, day)
                position_events = passed
            result = _plan_customer(ledger, customer, book, ch, day, position, rates, plugins)
            actions.extend(result.actions)
            for action in result.actions:
                ch.add(HistoryEntry.from_action(action), action.currency or "")
            if day == end:
                skipped.extend(result.skipped)
                break
            while pos < len(events) and events[pos] <= day:
                pos += 1
            following = [end, day + _ONE_DAY] if daily else [end]
            if pos < len(events):
                following.append(events[pos])
            if result.wake is not None and result.wake > day:
                following.append(result.wake)
            day = max(min(following), day + _ONE_DAY)
            day = min(day, end)
    return _finish(end, actions, skipped)
