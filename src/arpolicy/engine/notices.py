"""Notices: the candidates grouped into notices (``per_step`` or
``highest``), spaced (``min_days_between``) and given channel slots, and
each notice's actions with their charges and reasons."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from ..actions import (
    Action,
    ActionKind,
    Reason,
    Skipped,
    SkipReason,
    action_key,
)
from ..law import RateBook
from ..model import (
    Customer,
    Ledger,
)
from ..money import Money
from ..policy import CatchUp, Grouping
from .calendars import _Calendars, _deadline
from .charges import _charges
from .history import _CustomerHistory
from .state import _ONE_DAY, _Candidate, _Result


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


def _group(candidates: list[_Candidate]) -> list[tuple[list[_Candidate], int]]:
    """The candidates grouped into notices: ``(candidates, step index)``.

    One notice per policy, currency, level and repeat. With ``highest``
    grouping an invoice joins the notice of the highest level only when no
    formal or acknowledged step lies between its own level and that one;
    otherwise it gets the notice of its own step.
    """
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
    return [(groups[key], key[2]) for key in sorted(groups)]


_PRIORITY: Final = {
    ActionKind.PLAN_BROKEN: 0,
    ActionKind.CREDIT_HOLD: 1,
    ActionKind.TRIAL_NOTICE: 2,
}


def _place(
    specials: list[Action],
    ladder: list[tuple[list[_Candidate], int]],
    customer: Customer,
    history: _CustomerHistory,
    as_of: date,
    rates: RateBook | None,
    cals: _Calendars,
    ledger: Ledger,
    own: frozenset[str],
    result: _Result,
) -> None:
    """Spacing and channel slots: the specials first, then higher levels first.

    A slot is (channel, currency); an action without a currency (a trial
    notice) takes the channel for every currency. A notice that finds its
    channel taken, or comes too soon after the previous action
    (``min_days_between``), is deferred; the others become actions
    (:func:`_ladder_actions`), with the steps they supersede or drop.
    """
    used: set[tuple[str, str]] = {(ch, cur) for ch, cur, day in history.slots if day == as_of}

    def busy(channel: str, currency: str) -> bool:
        if (channel, currency) in used or (channel, "") in used:
            return True
        return currency == "" and any(ch == channel for ch, _ in used)

    specials.sort(key=lambda a: (_PRIORITY.get(a.kind, 3), a.key))
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
