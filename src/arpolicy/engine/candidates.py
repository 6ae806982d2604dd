"""Candidates: the policy of each open invoice, the skip rules and the step
due today (the ladder, with catch-up, calendars and running deadlines).

An invoice either becomes a :class:`~arpolicy.engine.state._Candidate` (a
step is due today) or gets a :class:`~arpolicy.actions.Skipped` entry saying
why not. ``arpolicy_select_policy`` and ``arpolicy_skip_invoice`` are called
here, once per open invoice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from ..actions import (
    Skipped,
    SkipReason,
)
from ..model import (
    Customer,
    CustomerPosition,
    Invoice,
    InvoiceKind,
    Ledger,
    PaymentPlan,
    PlanState,
    PlanStatus,
)
from ..money import Money
from ..plugins import BUILTIN_PLUGINS, Plugins, SkipAnswers, builtin_plugins
from ..policy import Anchor, CatchUp, EndBehaviour, Playbook, Policy, Step
from ..rules import InvoiceContext
from .calendars import _calendar, _Calendars, _deadline, _receipt, _shift
from .charges import _charges_interest, _closed_recently, _paid_late, _paid_parts
from .history import _CustomerHistory, _first_sending
from .state import _ONE_DAY, _Candidate, _Result


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
            sent, received = _first_sending(records)
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
        sent = _first_sending(done[steps[last].name])[0]
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


def _open_items(
    ledger: Ledger,
    customer: Customer,
    playbook: Playbook,
    position: CustomerPosition,
    as_of: date,
    plugins: Plugins | None,
) -> tuple[dict[str, Money], frozenset[str]]:
    """The open balance of each invoice to dun, by id, and the invoices among
    them paid in full but dunned for their interest alone (:func:`_interest_only`)."""
    balances = {iid: bal for iid, bal in position.balances.items() if bal.amount > 0}
    own = _interest_only(ledger, customer, playbook, position, as_of, plugins)
    balances.update((iid, position.balances[iid]) for iid in sorted(own))
    return balances, own


def _pauses(
    ledger: Ledger, customer: Customer, as_of: date, result: _Result
) -> tuple[tuple[tuple[PaymentPlan, PlanState], ...], dict[str, str]]:
    """The customer's payment plans in force with their state, and the
    invoices an on-track plan pauses (invoice id -> plan id).

    A plan exists from the day it was agreed: before, it pauses nothing and
    the engine wakes on that day.
    """
    paused: dict[str, str] = {}
    payments = ledger.payments_of(customer.id)
    for plan in ledger.plans_of(customer.id):
        if not plan.in_force(as_of):
            result.wake_at(plan.agreed_on)
    plans = tuple(
        (plan, plan.state(payments, as_of))
        for plan in sorted(ledger.plans_of(customer.id, on=as_of), key=lambda p: p.id)
    )
    for plan, state in plans:
        for inst in plan.instalments:
            wake = inst.due_date + timedelta(days=plan.grace_days + 1)
            if wake > as_of:
                result.wake_at(wake)
        if state.status is PlanStatus.ON_TRACK:
            for iid in plan.invoice_ids:
                paused.setdefault(iid, plan.id)
    return plans, paused


def _candidates(
    ledger: Ledger,
    customer: Customer,
    playbook: Playbook,
    history: _CustomerHistory,
    as_of: date,
    balances: Mapping[str, Money],
    plans: tuple[tuple[PaymentPlan, PlanState], ...],
    paused: Mapping[str, str],
    result: _Result,
    cals: _Calendars,
    plugins: Plugins | None,
    vetoed: Mapping[str, frozenset[str]],
    given: Mapping[str, Policy | str] | None = None,
    batch: SkipAnswers | None = None,
) -> list[_Candidate]:
    """The invoices with a step due today; the others go to ``result.skipped``.

    1. The policy of each open invoice (``arpolicy_select_policy`` first),
       and what a minimum amount compares with: the open amount per currency
       without disputed, held and plan-covered invoices.
    2. The skip rules (``arpolicy_skip_invoice``; built-in: blocks,
       disputes, holds, plans, minimum amounts), then the ladder of each
       invoice (:func:`_ladder`).

    ``given``: the policies already chosen (:mod:`.batch`); ``batch``: the
    batch skip rules' answers, asked at their plugin's place in the order.
    """
    chosen: dict[str, Policy | str] = {}
    dunnable: dict[str, int] = {}
    for iid in sorted(balances):
        invoice = ledger.invoice(iid)
        policy = (
            given[iid]
            if given is not None
            else _choose_policy(playbook, customer, invoice, plugins)
        )
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
    facade = plugins or builtin_plugins()
    candidates: list[_Candidate] = []
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
            plans,
            Money.from_minor(dunnable.get(currency, 0), currency),
        )
        answer = facade.skip_invoice(context, batch)
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
            vetoed.get(iid, frozenset()),
        )
        if cand is not None:
            candidates.append(cand)
    return candidates
