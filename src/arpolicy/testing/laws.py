"""The laws every sane dunning policy satisfies, as functions you can run.

Each law takes a :class:`Scenario` (a ledger, a planning date, a playbook
and optional plugins), runs the engine, and raises :class:`LawViolationError` when
the policy breaks it. Use them one by one in your own tests, or all at once
with generated ledgers through :func:`arpolicy.testing.check_policy`.

>>> from datetime import date
>>> from arpolicy.playbooks import default_playbook
>>> from arpolicy.sample import sample_ledger
>>> scenario = Scenario(sample_ledger(), date(2026, 11, 2), default_playbook())
>>> for law in ALL:
...     law(scenario)

The laws:

* :func:`no_action_for_paid_invoices`
* :func:`no_step_twice`
* :func:`no_dunning_before_due`
* :func:`idempotent`
* :func:`holds_never_add_actions`
* :func:`payments_never_add_actions`
* :func:`fees_within_limits`
* :func:`no_step_inside_deadline`
* :func:`reminders_before_formal_notice` (and :func:`at_least_reminders` to
  choose the number)
* :func:`order_independent`
* :func:`simulate_equals_daily`

This module needs no Hypothesis; :mod:`arpolicy.testing.check` does.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

import attrs

from ..actions import Action, HistoryEntry, Plan, SkipReason
from ..engine import plan, simulate
from ..errors import ArpolicyError
from ..fees import ChargeKind
from ..law import collection_costs, fixed_compensation, jurisdiction_for_country, statutory_interest
from ..model import Ledger, Payment
from ..money import Money
from ..plugins import Plugins
from ..policy import Anchor, Playbook, Step, Tone

__all__ = [
    "ALL",
    "WINDOW_DAYS",
    "Law",
    "LawViolationError",
    "Scenario",
    "at_least_reminders",
    "describe_ledger",
    "fees_within_limits",
    "holds_never_add_actions",
    "idempotent",
    "is_static",
    "no_action_for_paid_invoices",
    "no_dunning_before_due",
    "no_step_inside_deadline",
    "no_step_twice",
    "order_independent",
    "payments_never_add_actions",
    "reminders_before_formal_notice",
    "simulate_equals_daily",
]

WINDOW_DAYS = 45
"""How many days before the planning date the laws simulate, by default."""

_ONE_DAY = timedelta(days=1)


@attrs.frozen
class Scenario:
    """What a law looks at.

    Attributes:
        ledger: the ledger.
        as_of: the planning date; laws that simulate look at the
            :data:`WINDOW_DAYS` days up to it.
        playbook: the policies under test.
        plugins: the plugins to plan with (``None``: the built-in ones).
        window_days: how many days before ``as_of`` the laws that simulate
            look at.
    """

    ledger: Ledger
    as_of: date
    playbook: Playbook
    plugins: Plugins | None = attrs.field(default=None, eq=False)
    window_days: int = WINDOW_DAYS

    @property
    def start(self) -> date:
        """The first day of the simulated window."""
        return self.as_of - timedelta(days=self.window_days)

    def plan(
        self,
        ledger: Ledger | None = None,
        *,
        as_of: date | None = None,
        history: Iterable[HistoryEntry | Action] = (),
    ) -> Plan:
        """``plan`` with this scenario's playbook and plugins."""
        return plan(
            ledger or self.ledger,
            as_of=as_of or self.as_of,
            playbook=self.playbook,
            history=list(history),
            plugins=self.plugins,
        )

    def simulate(self, start: date | None = None, end: date | None = None) -> Plan:
        """``simulate`` over the window (or ``start`` .. ``end``)."""
        return simulate(
            self.ledger,
            start=start or self.start,
            end=end or self.as_of,
            playbook=self.playbook,
            plugins=self.plugins,
        )


class LawViolationError(ArpolicyError, AssertionError):
    """A policy broke a law; the message shows the case in readable form.

    Attributes:
        law: the law's name.
        reason: what went wrong.
        scenario: the ledger, date and playbook.
        action: the offending action, if one is to blame.
    """

    def __init__(
        self, law: str, reason: str, scenario: Scenario, action: Action | None = None
    ) -> None:
        self.law = law
        self.reason = reason
        self.scenario = scenario
        self.action = action
        lines = [f"law {law!r} broken: {reason}", f"planning date: {scenario.as_of.isoformat()}"]
        if action is not None:
            lines.append("offending action: " + _describe_action(action))
        ledger = scenario.ledger
        if action is not None and len(ledger.invoices) + len(ledger.payments) > _SHOW_ALL:
            ledger = _only(ledger, action.customer_id)
            lines.append(f"ledger (only customer {action.customer_id}):")
        else:
            lines.append("ledger:")
        lines.extend("  " + line for line in describe_ledger(ledger))
        super().__init__("\n".join(lines))


_SHOW_ALL = 40
"""Ledgers with more records than this show only the offending customer."""


def _only(ledger: Ledger, customer_id: str) -> Ledger:
    return Ledger(
        [ledger.customer(customer_id)],
        ledger.invoices_of(customer_id),
        ledger.payments_of(customer_id),
        ledger.plans_of(customer_id),
        ledger.trials_of(customer_id),
    )


Law = Callable[[Scenario], None]
"""A law: raises :class:`LawViolationError` when the scenario breaks it.

A law with the attribute ``static = True`` looks only at the playbook;
:func:`~arpolicy.testing.check_policy` runs it once, without ledgers."""


def is_static(law: Law) -> bool:
    """Whether ``law`` looks only at the playbook."""
    return bool(getattr(law, "static", False))


def _describe_action(action: Action) -> str:
    parts = [
        action.date.isoformat(),
        f"customer {action.customer_id}",
        f"step {action.step!r}",
        f"channel {action.channel}",
    ]
    if action.invoice_ids:
        parts.append("invoices " + ", ".join(action.invoice_ids))
    if action.amount_due is not None:
        parts.append(f"due {action.amount_due}")
    if action.charges:
        parts.append("charges " + ", ".join(f"{c.kind.value} {c.amount}" for c in action.charges))
    return "; ".join(parts)


def describe_ledger(ledger: Ledger) -> list[str]:
    """The ledger as short lines for people (used in violation messages).

    >>> from arpolicy.sample import sample_ledger
    >>> describe_ledger(sample_ledger())[0]
    'customer C001 Lucas Durand: private, FR'
    """
    lines = []
    for c in sorted(ledger.customers, key=lambda c: c.id):
        extra = f", blocked ({c.block.reason})" if c.block is not None else ""
        limit = f", credit limit {c.credit_limit}" if c.credit_limit is not None else ""
        lines.append(f"customer {c.id} {c.name}: {c.profile.value}, {c.country}{extra}{limit}")
    for i in sorted(ledger.invoices, key=lambda i: i.id):
        notes = []
        if i.kind.value != "invoice":
            notes.append(i.kind.value)
        if i.dispute is not None:
            notes.append(f"disputed {i.dispute.opened_on}..{i.dispute.resolved_on or ''}")
        if i.on_hold_until is not None:
            notes.append(f"on hold until {i.on_hold_until}")
        note = f" ({', '.join(notes)})" if notes else ""
        lines.append(
            f"invoice {i.id} of {i.customer_id}: issued {i.issue_date}, due {i.due_date}, "
            f"{i.amount}{note}"
        )
    for p in sorted(ledger.payments, key=lambda p: p.id):
        to = f" for {p.invoice_id}" if p.invoice_id else ""
        lines.append(f"payment {p.id} of {p.customer_id}: {p.date}, {p.amount}{to}")
    for pl in sorted(ledger.plans, key=lambda p: p.id):
        lines.append(
            f"plan {pl.id} of {pl.customer_id}: invoices {', '.join(pl.invoice_ids)}, "
            f"{len(pl.instalments)} instalments"
        )
    for t in sorted(ledger.trials, key=lambda t: t.id):
        lines.append(f"trial {t.id} of {t.customer_id}: ends {t.ends}")
    return lines


def _is_repeat(action: Action) -> bool:
    return any(r.code == "repeat" for r in action.reasons)


def _step_of(scenario: Scenario, action: Action) -> Step | None:
    if action.level == 0 or not scenario.playbook.has_policy(action.policy):
        return None
    steps = scenario.playbook.policy(action.policy).steps
    return steps[action.level - 1] if action.level <= len(steps) else None


# ---------------------------------------------------------------------------
# the laws
# ---------------------------------------------------------------------------


def no_action_for_paid_invoices(scenario: Scenario) -> None:
    """No action is about an invoice that is paid (or credited) on its date.

    Checked over the simulated window: every invoice an action lists has an
    open balance on the action's date.
    """
    for action in scenario.simulate().actions:
        for iid in action.invoice_ids:
            if not scenario.ledger.balance(iid, action.date).is_positive():
                raise LawViolationError(
                    "no_action_for_paid_invoices",
                    f"invoice {iid} is paid on {action.date.isoformat()}",
                    scenario,
                    action,
                )


def no_step_twice(scenario: Scenario) -> None:
    """No invoice gets one step on one channel twice (repeats of a last step
    that the policy repeats on purpose excepted)."""
    seen: Counter[tuple[str, str, str]] = Counter()
    for action in scenario.simulate().actions:
        if action.level == 0 or _is_repeat(action):
            continue
        for iid in action.invoice_ids:
            seen[(iid, action.step, action.channel)] += 1
            if seen[(iid, action.step, action.channel)] > 1:
                raise LawViolationError(
                    "no_step_twice",
                    f"invoice {iid} got step {action.step!r} on {action.channel} twice",
                    scenario,
                    action,
                )


def _pre_due(step: Step) -> bool:
    """A step declared as coming before the due date: a courtesy step, or one
    anchored on the due date with a negative offset."""
    return step.tone is Tone.COURTESY or (step.anchor is Anchor.DUE and step.offset_days < 0)


def no_dunning_before_due(scenario: Scenario) -> None:
    """No dunning action before an invoice's due date, except from steps
    declared as pre-due (courtesy tone, or a negative offset from the due date)."""
    for action in scenario.simulate().actions:
        step = _step_of(scenario, action)
        if step is None or _pre_due(step):
            continue
        for iid in action.invoice_ids:
            due = scenario.ledger.invoice(iid).due_date
            if action.date < due:
                raise LawViolationError(
                    "no_dunning_before_due",
                    f"step {step.name!r} reaches invoice {iid} on {action.date.isoformat()}, "
                    f"before its due date {due.isoformat()}",
                    scenario,
                    action,
                )


def no_step_inside_deadline(scenario: Scenario) -> None:
    """No step about an invoice goes out before the payment deadline an
    earlier step stated for it has passed: on the deadline's last day the
    debtor may still pay.

    Checked over the simulated window: every action about an invoice is dated
    after the deadline of each earlier action about it.
    """
    running: dict[str, tuple[date, Action]] = {}
    actions = sorted(scenario.simulate().actions, key=Action.sort_key)
    for _, same_day in itertools.groupby(actions, key=lambda a: a.date):
        today = list(same_day)
        for action in today:
            if action.level == 0:
                continue
            for iid in action.invoice_ids:
                found = running.get(iid)
                if found is not None and action.date <= found[0]:
                    earlier = found[1]
                    raise LawViolationError(
                        "no_step_inside_deadline",
                        f"step {action.step!r} reaches invoice {iid} on "
                        f"{action.date.isoformat()}, within the deadline "
                        f"{found[0].isoformat()} of step {earlier.step!r} sent on "
                        f"{earlier.date.isoformat()}",
                        scenario,
                        action,
                    )
        for action in today:
            if action.level == 0 or action.deadline is None:
                continue
            for iid in action.invoice_ids:
                found = running.get(iid)
                if found is None or action.deadline > found[0]:
                    running[iid] = (action.deadline, action)


def _past(scenario: Scenario) -> tuple[Action, ...]:
    return scenario.simulate(end=scenario.as_of - _ONE_DAY).actions


def idempotent(scenario: Scenario) -> None:
    """Planning again with the plan fed back as history plans nothing more."""
    past = _past(scenario)
    first = scenario.plan(history=past)
    again = scenario.plan(history=[*past, *first.actions])
    if again.actions:
        raise LawViolationError(
            "idempotent",
            "planning the same day again with its own actions as history planned more",
            scenario,
            again.actions[0],
        )


def _without_holds(ledger: Ledger) -> Ledger:
    return Ledger(
        [attrs.evolve(c, block=None) for c in ledger.customers],
        [attrs.evolve(i, dispute=None, on_hold_until=None) for i in ledger.invoices],
        ledger.payments,
        ledger.plans,
        ledger.trials,
    )


def _dunned(result: Plan) -> dict[str, Action]:
    return {iid: a for a in result.actions for iid in a.invoice_ids}


def _deferred(result: Plan) -> set[str]:
    return {s.invoice_id for s in result.skipped if s.reason is SkipReason.DEFERRED}


def _no_new_actions(law: str, scenario: Scenario, changed: Plan, base: Plan, why: str) -> None:
    """Every invoice ``changed`` duns was dunned (or only deferred) in ``base``;
    actions about no invoice are a subset of ``base``'s."""
    allowed = set(_dunned(base)) | _deferred(base)
    for iid, action in sorted(_dunned(changed).items()):
        if iid not in allowed:
            raise LawViolationError(law, f"invoice {iid} is dunned only {why}", scenario, action)
    keys = {a.key for a in base.actions if not a.invoice_ids}
    for action in changed.actions:
        if not action.invoice_ids and action.key not in keys:
            raise LawViolationError(law, f"an action appears only {why}", scenario, action)


def holds_never_add_actions(scenario: Scenario) -> None:
    """Disputes, holds and dunning blocks only ever remove actions: with them,
    no held invoice is dunned, and nothing is dunned that was not due without
    them."""
    with_holds = scenario.plan()
    free = scenario.plan(_without_holds(scenario.ledger))
    as_of = scenario.as_of
    for action in with_holds.actions:
        owner = scenario.ledger.customer(action.customer_id)
        for iid in action.invoice_ids:
            inv = scenario.ledger.invoice(iid)
            if inv.disputed(as_of) or inv.on_hold(as_of) or owner.blocked(as_of):
                raise LawViolationError(
                    "holds_never_add_actions",
                    f"invoice {iid} is disputed, on hold or blocked but dunned",
                    scenario,
                    action,
                )
    _no_new_actions(
        "holds_never_add_actions", scenario, with_holds, free, "because of a hold or dispute"
    )


def _with_payments(scenario: Scenario) -> Ledger:
    """The ledger with each customer paying its oldest open invoice in full on ``as_of``."""
    ledger, as_of = scenario.ledger, scenario.as_of
    extra = []
    for customer in sorted(ledger.customers, key=lambda c: c.id):
        items = ledger.open_items(customer.id, as_of)
        if not items:
            continue
        invoice, balance = min(items, key=lambda item: (item[0].due_date, item[0].id))
        extra.append(
            Payment(
                f"law-payment-{customer.id}",
                customer.id,
                as_of,
                balance,
                invoice_id=invoice.id,
            )
        )
    return Ledger(
        ledger.customers, ledger.invoices, [*ledger.payments, *extra], ledger.plans, ledger.trials
    )


def payments_never_add_actions(scenario: Scenario) -> None:
    """A payment never adds actions: after each customer pays its oldest open
    invoice, nothing is dunned that was not due before."""
    past = _past(scenario)
    base = scenario.plan(history=past)
    paid = scenario.plan(_with_payments(scenario), history=past)
    _no_new_actions("payments_never_add_actions", scenario, paid, base, "after a payment")


def _limit(kind: ChargeKind, principal: Money, scenario: Scenario, action: Action) -> Money | None:
    """The most the law allows for a charge, or ``None`` when it allows nothing."""
    customer = scenario.ledger.customer(action.customer_id)
    try:
        code = jurisdiction_for_country(customer.country)
        if kind is ChargeKind.COLLECTION_COSTS:
            # VAT may be added where the scale allows it (NL: 21%)
            vat = Decimal(21) if code == "NL" else None
            return collection_costs(principal, jurisdiction=code, profile=customer.profile, vat=vat)
        if kind is ChargeKind.COMPENSATION:
            return fixed_compensation(
                principal, jurisdiction=code, profile=customer.profile, on=action.date
            )
    except ArpolicyError:
        return None
    return None


def fees_within_limits(scenario: Scenario) -> None:
    """Fees never exceed the policy's caps, and statutory charges never exceed
    the law: collection costs within the statutory scale (with at most 21%
    VAT), compensation within the fixed sum, interest within the statutory
    interest from the day after the due date; nothing statutory where the law
    gives nothing. Checked over the simulated window."""
    used_customer: Counter[tuple[str, str]] = Counter()
    used_invoice: Counter[str] = Counter()
    for action in scenario.simulate().actions:
        policy = (
            scenario.playbook.policy(action.policy)
            if action.policy and scenario.playbook.has_policy(action.policy)
            else None
        )
        interest: dict[str, int] = {}  # invoice id -> interest charges (one per part)
        for charge in action.charges:
            if charge.amount.is_negative():
                raise LawViolationError(
                    "fees_within_limits", f"a negative {charge.kind.value}", scenario, action
                )
            if charge.announced:
                continue
            currency = charge.amount.currency
            if charge.kind is ChargeKind.FEE:
                used_customer[(action.customer_id, currency)] += charge.amount.minor_units
                for iid in [charge.invoice_id] if charge.invoice_id else action.invoice_ids:
                    used_invoice[iid] += charge.amount.minor_units
                caps = policy.fee_caps if policy is not None else None
                if caps is None:
                    continue
                for cap in caps.per_customer:
                    if cap.currency == currency and (
                        used_customer[(action.customer_id, currency)] > cap.minor_units
                    ):
                        raise LawViolationError(
                            "fees_within_limits",
                            f"fees to customer {action.customer_id} exceed the cap {cap}",
                            scenario,
                            action,
                        )
                for cap in caps.per_invoice:
                    for iid in action.invoice_ids:
                        if cap.currency == currency and used_invoice[iid] > cap.minor_units:
                            raise LawViolationError(
                                "fees_within_limits",
                                f"fees on invoice {iid} exceed the cap {cap}",
                                scenario,
                                action,
                            )
                continue
            if charge.kind is ChargeKind.INTEREST and charge.invoice_id is not None:
                interest[charge.invoice_id] = interest.get(charge.invoice_id, 0) + 1
                continue
            _check_statutory(scenario, action, charge.kind, charge.amount, charge.invoice_id)
        for invoice_id, parts in sorted(interest.items()):
            claimed = Money.total(
                (
                    c.amount
                    for c in action.charges
                    if c.kind is ChargeKind.INTEREST
                    and c.invoice_id == invoice_id
                    and not c.announced
                ),
                action.currency or "",
            )
            _check_interest(scenario, action, invoice_id, claimed, parts)


def _check_interest(
    scenario: Scenario, action: Action, invoice_id: str, amount: Money, parts: int
) -> None:
    """Interest on an invoice: at most the statutory interest from the day
    after the due date on each part of its principal until that part was paid
    (credit notes lower the principal from the start)."""
    ledger = scenario.ledger
    invoice = ledger.invoice(invoice_id)
    customer = ledger.customer(action.customer_id)
    settled = ledger.settlements(invoice_id, action.date)
    paid = [
        (s.date, s.amount)
        for s in settled
        if not s.credit_note and not s.discount and s.date < action.date
    ]
    principal = ledger.balance(invoice_id, action.date)
    principal = Money.total([principal, *(m for _, m in paid)], principal.currency)
    try:
        most = statutory_interest(
            principal,
            start=invoice.due_date + _ONE_DAY,
            end=action.date,
            jurisdiction=jurisdiction_for_country(customer.country),
            profile=customer.profile,
            on_stale="ignore",
            payments=paid,
        )
    except ArpolicyError:
        most = Money.zero(amount.currency)
    # rounding per period may add a cent per rate period (and part)
    if amount.minor_units > most.minor_units + 4 * parts:
        raise LawViolationError(
            "fees_within_limits",
            f"interest {amount} on {invoice_id} exceeds the statutory {most}",
            scenario,
            action,
        )


def _check_statutory(
    scenario: Scenario, action: Action, kind: ChargeKind, amount: Money, invoice_id: str | None
) -> None:
    ledger = scenario.ledger
    if kind is ChargeKind.INTEREST:
        return  # per invoice, over its parts: _check_interest
    principal = (
        ledger.balance(invoice_id, action.date)
        if invoice_id is not None
        else action.amount_due or Money.zero(amount.currency)
    )
    allowed = _limit(kind, principal, scenario, action)
    if allowed is None or amount > allowed:
        raise LawViolationError(
            "fees_within_limits",
            f"{kind.value} {amount} exceeds what the law allows "
            f"({allowed if allowed is not None else 'nothing'})",
            scenario,
            action,
        )


def at_least_reminders(count: int) -> Law:
    """The law "at least ``count`` reminders after the due date before a
    policy's first formal notice"; steps before the due date (a negative
    offset from it) do not count.

    >>> law = at_least_reminders(2)
    >>> law.__name__
    'at_least_2_reminders_before_formal_notice'
    """

    def law(scenario: Scenario) -> None:
        for policy in scenario.playbook.policies:
            reminders = 0
            for step in policy.steps:
                if step.formal:
                    if reminders < count:
                        raise LawViolationError(
                            law.__name__,
                            f"policy {policy.name!r} has {reminders} reminder(s) after the due "
                            f"date before its formal notice {step.name!r}; at least {count} "
                            "expected",
                            scenario,
                        )
                    break
                if not step.pre_due:
                    reminders += 1

    law.__name__ = law.__qualname__ = f"at_least_{count}_reminders_before_formal_notice"
    law.__doc__ = (
        f"At least {count} reminders after the due date come before each policy's first "
        "formal notice."
    )
    law.static = True  # type: ignore[attr-defined]
    return law


reminders_before_formal_notice: Law = at_least_reminders(3)
"""At least three reminders before each policy's first formal notice."""


def _reversed(ledger: Ledger) -> Ledger:
    return Ledger(
        list(reversed(ledger.customers)),
        list(reversed(ledger.invoices)),
        list(reversed(ledger.payments)),
        list(reversed(ledger.plans)),
        list(reversed(ledger.trials)),
    )


def order_independent(scenario: Scenario) -> None:
    """The plan does not depend on the order of the ledger's records or of the
    history."""
    past = _past(scenario)
    expected = scenario.plan(history=past)
    found = scenario.plan(_reversed(scenario.ledger), history=list(reversed(past)))
    if found != expected:
        extra = [a for a in found.actions if a not in expected.actions]
        missing = [a for a in expected.actions if a not in found.actions]
        blame = (extra or missing)[0] if extra or missing else None
        raise LawViolationError(
            "order_independent",
            "reversing the order of the input changed the plan",
            scenario,
            blame,
        )


def simulate_equals_daily(scenario: Scenario) -> None:
    """``simulate`` over the window gives the actions that planning every day
    (feeding each day's actions back) gives."""
    daily: list[Action] = []
    day = scenario.start
    while day <= scenario.as_of:
        daily.extend(scenario.plan(as_of=day, history=daily).actions)
        day += _ONE_DAY
    simulated = list(scenario.simulate().actions)
    expected = sorted(daily, key=Action.sort_key)
    if simulated != expected:
        extra = [a for a in simulated if a not in expected]
        missing = [a for a in expected if a not in simulated]
        raise LawViolationError(
            "simulate_equals_daily",
            f"simulate gave {len(extra)} action(s) planning every day did not, and missed "
            f"{len(missing)}",
            scenario,
            (extra or missing)[0],
        )


ALL: Sequence[Law] = (
    no_action_for_paid_invoices,
    no_step_twice,
    no_dunning_before_due,
    idempotent,
    holds_never_add_actions,
    payments_never_add_actions,
    fees_within_limits,
    no_step_inside_deadline,
    reminders_before_formal_notice,
    order_independent,
    simulate_equals_daily,
)
"""Every law, in the order :func:`~arpolicy.testing.check_policy` runs them."""
