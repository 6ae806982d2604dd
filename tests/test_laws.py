"""The policy laws: they hold for the built-in playbooks, and each one catches
a policy (or plugin) built to break it, with a shrunk example."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs
import pytest

from arpolicy.actions import Action, ActionKind, Reason, SkipReason, action_key
from arpolicy.fees import Charge, ChargeKind, FeeContext, FeeRule, RuleResult
from arpolicy.playbooks import default_playbook
from arpolicy.plugins import Plugins, hookimpl, make_plugin_manager
from arpolicy.policy import Anchor, Playbook, Policy, Step, Tone
from arpolicy.rules import CustomerContext, ExtraActions, InvoiceContext, Skip
from arpolicy.sample import sample_ledger
from arpolicy.testing import check_policy, strategies
from arpolicy.testing.laws import (
    ALL,
    Law,
    LawViolationError,
    Scenario,
    at_least_reminders,
    fees_within_limits,
    holds_never_add_actions,
    idempotent,
    no_action_for_paid_invoices,
    no_dunning_before_due,
    no_step_inside_deadline,
    no_step_twice,
    order_independent,
    payments_never_add_actions,
    reminders_before_formal_notice,
    simulate_equals_daily,
)


def with_plugins(*extra: object) -> Plugins:
    return Plugins(make_plugin_manager(plugins=extra, entry_points=False, disable=()))


def ladder(*steps: Step, **kw: object) -> Playbook:
    return Playbook([Policy("p", steps, profiles=["business", "government", "private"], **kw)])


PLAIN = ladder(
    Step("r1", 3, "email"),
    Step("r2", 10, "email"),
    Step("r3", 17, "letter"),
    Step("notice", 24, "letter", tone=Tone.FORMAL, formal=True),
)


# Small ledgers keep the search and the shrinking quick.
SMALL = strategies.ledgers(
    max_customers=2,
    max_invoices=4,
    max_payments=2,
    start=date(2026, 1, 1),
    end=date(2026, 5, 31),
    with_plans=False,
    with_trials=False,
)


def broken(
    law: Law,
    playbook: Playbook = PLAIN,
    plugins: Plugins | None = None,
    *,
    shrinks: bool = True,
    window_days: int = 21,
) -> LawViolationError:
    """Run ``law`` alone and return the error it raised on the shrunk example.

    ``shrinks=False`` for plugins with state, whose answers change from one
    example to the next (Hypothesis cannot shrink those reliably).
    """
    with pytest.raises(LawViolationError) as info:
        check_policy(
            playbook,
            laws=[law],
            plugins=plugins,
            max_examples=100,
            ledgers=SMALL,
            window_days=window_days,
        )
    error = info.value
    assert "ledger:" in str(error) or "ledger (only" in str(error)
    if shrinks:  # the shrunk example is small
        assert len(error.scenario.ledger.customers) == 1, str(error)
        assert len(error.scenario.ledger.invoices) <= 2, str(error)
    return error


# ---------------------------------------------------------------------------
# the built-in playbook keeps every law
# ---------------------------------------------------------------------------


def test_built_in_playbook_keeps_every_law() -> None:
    check_policy(default_playbook())


def test_laws_hold_on_the_sample_portfolio() -> None:
    for day in (date(2026, 11, 2), date(2026, 8, 3)):
        scenario = Scenario(sample_ledger(as_of=day), day, default_playbook())
        for law in ALL:
            law(scenario)


# ---------------------------------------------------------------------------
# each law catches a policy or plugin built to break it
# ---------------------------------------------------------------------------


class AddPaidInvoices:
    arpolicy_plugin_name = "add-paid"

    @hookimpl
    def arpolicy_customer_actions(self, context: CustomerContext) -> ExtraActions | None:
        everything = tuple(sorted(i.id for i in context.ledger.invoices_of(context.customer.id)))
        paid = [iid for iid in everything if iid not in context.balances]
        if not paid or not context.balances:
            return None
        return ExtraActions([_extra(context, "statement", everything)])


def _extra(
    context: CustomerContext,
    step: str,
    invoice_ids: tuple[str, ...] = (),
    *,
    channel: str = "email",
) -> Action:
    key = action_key(
        context.customer.id,
        step,
        channel,
        subject=context.as_of.isoformat(),
        invoice_ids=invoice_ids,
    )
    return Action(
        date=context.as_of,
        customer_id=context.customer.id,
        invoice_ids=invoice_ids,
        step=step,
        level=0,
        channel=channel,
        tone="friendly",
        kind=ActionKind.REMINDER,
        policy="",
        amount_due=None,
        fees=None,
        deadline=None,
        key=key,
        reasons=(Reason(step, step),),
    )


def test_paid_invoice_law_catches_a_statement_of_paid_invoices() -> None:
    error = broken(no_action_for_paid_invoices, plugins=with_plugins(AddPaidInvoices()))
    assert error.law == "no_action_for_paid_invoices"
    assert error.action is not None
    assert error.action.step == "statement"


class OneStepName:
    arpolicy_plugin_name = "one-step-name"

    @hookimpl
    def arpolicy_adjust_action(self, action: Action) -> Action:
        return attrs.evolve(action, step="reminder")


def test_no_step_twice_catches_steps_that_look_alike() -> None:
    error = broken(no_step_twice, plugins=with_plugins(OneStepName()))
    assert "got step 'reminder' on email twice" in error.reason


def test_early_dunning_is_caught_unless_declared_pre_due() -> None:
    early = ladder(Step("firm-early", 1, "email", anchor=Anchor.ISSUE, tone=Tone.FIRM))
    error = broken(no_dunning_before_due, early, window_days=45)
    assert error.action is not None
    assert error.action.step == "firm-early"
    assert "before its due date" in error.reason
    # the same step in a courtesy tone is declared pre-due
    courteous = ladder(Step("hello", 1, "email", anchor=Anchor.ISSUE, tone=Tone.COURTESY))
    check_policy(courteous, laws=[no_dunning_before_due], max_examples=50)


class Forgetful:
    """Plans a statement without looking at what was done, each time on
    another channel (so the one-action-per-channel rule cannot save it)."""

    arpolicy_plugin_name = "forgetful"

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def arpolicy_customer_actions(self, context: CustomerContext) -> ExtraActions | None:
        if not context.balances:
            return None
        self.calls += 1
        return ExtraActions([_extra(context, "statement", channel=f"portal-{self.calls}")])


def test_idempotence_catches_a_plugin_that_forgets_the_history() -> None:
    error = broken(idempotent, plugins=with_plugins(Forgetful()), shrinks=False)
    assert error.action is not None
    assert error.action.step == "statement"


class DisputeDesk:
    """Opens a task whenever an invoice is disputed."""

    arpolicy_plugin_name = "dispute-desk"

    @hookimpl
    def arpolicy_customer_actions(self, context: CustomerContext) -> ExtraActions | None:
        held = [
            iid
            for iid in context.balances
            if context.ledger.invoice(iid).disputed(context.as_of)
            or context.ledger.invoice(iid).on_hold(context.as_of)
        ]
        return ExtraActions([_extra(context, "dispute-task")]) if held else None


def test_holds_law_catches_actions_caused_by_a_hold() -> None:
    error = broken(holds_never_add_actions, plugins=with_plugins(DisputeDesk()))
    assert "only because of a hold" in error.reason


class ThankYou:
    """Says thank you for a payment received today."""

    arpolicy_plugin_name = "thank-you"

    @hookimpl
    def arpolicy_customer_actions(self, context: CustomerContext) -> ExtraActions | None:
        payments = context.ledger.payments_of(context.customer.id)
        if any(p.date == context.as_of for p in payments):
            return ExtraActions([_extra(context, "thank-you")])
        return None


def test_payments_law_catches_actions_caused_by_a_payment() -> None:
    error = broken(payments_never_add_actions, plugins=with_plugins(ThankYou()))
    assert "only after a payment" in error.reason


@attrs.frozen
class Greedy(FeeRule):
    """Half the principal as "collection costs": far above any statutory scale."""

    name: str = "greedy"

    @property
    def kind(self) -> ChargeKind:
        return ChargeKind.COLLECTION_COSTS

    def charges(self, ctx: FeeContext) -> RuleResult:
        amount = ctx.principal.percent(Decimal(50))
        return RuleResult((Charge(ChargeKind.COLLECTION_COSTS, self.name, amount, "50%"),))


def test_fee_law_catches_costs_above_the_statutory_scale() -> None:
    greedy = ladder(Step("r1", 3, "email"), Step("costs", 20, "letter", fees=[Greedy()]))
    error = broken(fees_within_limits, greedy)
    assert "collection_costs" in error.reason
    assert "exceeds what the law allows" in error.reason


def test_reminder_law_counts_steps_before_the_formal_notice() -> None:
    hasty = ladder(Step("notice", 5, "letter", formal=True), Step("r1", 10, "email"))
    with pytest.raises(LawViolationError, match="0 reminder\\(s\\) after the due date"):
        check_policy(hasty, laws=[reminders_before_formal_notice], max_examples=1)
    check_policy(hasty, laws=[at_least_reminders(0)], max_examples=1)
    with pytest.raises(LawViolationError, match="at least 4 expected"):
        check_policy(PLAIN, laws=[at_least_reminders(4)], max_examples=1)


class EveryOther:
    """Skips every other invoice it is asked about: depends on the call order."""

    arpolicy_plugin_name = "every-other"

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def arpolicy_skip_invoice(self, context: InvoiceContext) -> Skip | None:
        self.calls += 1
        return Skip(SkipReason.RULE, "every other one") if self.calls % 2 else None


def test_order_law_catches_a_plugin_with_state() -> None:
    error = broken(order_independent, plugins=with_plugins(EveryOther()), shrinks=False)
    assert error.law == "order_independent"


class CountsQuestions:
    """Skips every third invoice it is asked about, whatever the day."""

    arpolicy_plugin_name = "counts-questions"

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def arpolicy_skip_invoice(self, context: InvoiceContext) -> Skip | None:
        # an answer that depends on how often it was asked, not on the day
        self.calls += 1
        if self.calls % 3 == 0:
            return Skip(SkipReason.RULE, "every third question", context.as_of + timedelta(1))
        return None


def test_simulate_law_catches_a_plugin_that_counts_questions() -> None:
    error = broken(simulate_equals_daily, plugins=with_plugins(CountsQuestions()), shrinks=False)
    assert error.law == "simulate_equals_daily"


def test_a_violation_reads_well() -> None:
    early = ladder(Step("firm-early", 1, "email", anchor=Anchor.ISSUE, tone=Tone.FIRM))
    text = str(broken(no_dunning_before_due, early, window_days=45))
    lines = text.splitlines()
    assert lines[0].startswith("law 'no_dunning_before_due' broken: step 'firm-early' reaches")
    assert lines[1].startswith("planning date: 2026-")
    assert lines[2].startswith("offending action: 2026-")
    assert "step 'firm-early'; channel email; invoices I" in lines[2]
    assert any(line.startswith("  invoice I") for line in lines)


def test_reminder_law_does_not_count_courtesy_steps_before_the_due_date() -> None:
    # three courtesy e-mails before the due date and one reminder after it: the
    # old law counted four steps; only the one after the due date counts
    courteous = ladder(
        Step("c7", -7, "email", tone=Tone.COURTESY),
        Step("c3", -3, "email", tone=Tone.COURTESY),
        Step("c1", -1, "email", tone=Tone.COURTESY),
        Step("r1", 3, "email"),
        Step("notice", 10, "letter", tone=Tone.FORMAL, formal=True),
    )
    with pytest.raises(LawViolationError, match="1 reminder\\(s\\) after the due date"):
        check_policy(courteous, laws=[reminders_before_formal_notice], max_examples=1)
    check_policy(courteous, laws=[at_least_reminders(1)], max_examples=1)


def test_deadline_law_holds_for_a_ladder_whose_steps_fall_inside_deadlines() -> None:
    # The notice gives 14 days, the final notice follows after 7: the engine
    # holds the final notice back, so the law holds even for this ladder.
    tight = ladder(
        Step("r1", 3, "email", deadline_days=7),
        Step("notice", 10, "letter", tone=Tone.FORMAL, formal=True, deadline_days=14),
        Step("final", 17, "letter", tone=Tone.FINAL, deadline_days=7),
    )
    check_policy(tight, laws=[no_step_inside_deadline], max_examples=30, ledgers=SMALL)


class LongerNotice:
    """Gives the notice of default 30 more days to pay, which the policy does
    not know: its next step then falls inside the deadline the notice states."""

    arpolicy_plugin_name = "longer-notice"

    @hookimpl
    def arpolicy_adjust_action(self, action: Action, context: object) -> Action | None:
        if action.step != "notice" or action.deadline is None:
            return None
        return attrs.evolve(action, deadline=action.deadline + timedelta(days=30))


def test_deadline_law_catches_a_step_inside_the_previous_deadline() -> None:
    tight = ladder(
        Step("r1", 3, "email", deadline_days=7),
        Step("notice", 10, "letter", tone=Tone.FORMAL, formal=True, deadline_days=7),
        Step("final", 20, "letter", tone=Tone.FINAL, deadline_days=7),
    )
    error = broken(no_step_inside_deadline, tight, with_plugins(LongerNotice()), window_days=40)
    assert "within the deadline" in error.reason
    assert "of step 'notice'" in error.reason
