"""Public strategies for fee rules, steps, policies, playbooks and histories,
and the type strategies registered through the ``hypothesis`` entry point."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from arpolicy import (
    Contacts,
    Customer,
    HistoryEntry,
    HistoryStatus,
    Invoice,
    InvoiceKind,
    Ledger,
    Money,
    Payment,
    PaymentPlan,
    PaymentTerms,
    Profile,
    Trial,
    UnknownCurrencyError,
    lint,
    plan,
    simulate,
)
from arpolicy.fees import (
    CollectionCosts,
    Fee,
    FeeRule,
    FixedCompensation,
    StatutoryInterest,
    TieredFee,
)
from arpolicy.lint import Severity
from arpolicy.policy import Anchor, EndBehaviour, Grouping, Playbook, Policy, Step
from arpolicy.testing._hypothesis import _hypothesis_setup_hook
from arpolicy.testing.pytest_plugin import LedgerFactory
from arpolicy.testing.strategies import (
    CALENDARS,
    CHANNELS,
    TAGS,
    fee_rules,
    histories,
    ledgers,
    playbooks,
    policies,
    steps,
)

FIND = settings(database=None, max_examples=2000)
GENERATE = settings(database=None, max_examples=1000, phases=[Phase.generate])


def fee_amounts(rule: FeeRule) -> list[Money]:
    """Every amount a contractual fee rule states."""
    if isinstance(rule, Fee):
        return [*rule.fixed, *rule.minimum, *rule.maximum]
    if isinstance(rule, TieredFee):
        return [m for t in rule.tiers for m in (*t.threshold, *t.fixed, *t.maximum)]
    return []


def errors(book: Playbook) -> list[str]:
    return [str(f) for f in lint(book) if f.severity is Severity.ERROR]


# ---------------------------------------------------------------------------
# fee rules
# ---------------------------------------------------------------------------


@given(fee_rules(currencies=("GBP", "JPY")))
def test_fee_rules_use_the_given_currencies(rule: FeeRule) -> None:
    assert {m.currency for m in fee_amounts(rule)} <= {"GBP", "JPY"}
    if isinstance(rule, Fee):
        assert rule.applies_to("GBP")  # a fixed amount in the first currency, or a percent
        for low in rule.minimum:
            high = next((m for m in rule.maximum if m.currency == low.currency), None)
            assert high is None or high >= low


@given(fee_rules(statutory=False))
def test_fee_rules_without_statutory_rules(rule: FeeRule) -> None:
    assert isinstance(rule, Fee | TieredFee)


@pytest.mark.parametrize(
    "kind", [Fee, TieredFee, StatutoryInterest, FixedCompensation, CollectionCosts]
)
def test_fee_rules_reach_every_kind(kind: type) -> None:
    assert isinstance(
        find(fee_rules(), lambda r, k=kind: isinstance(r, k), settings=GENERATE), kind
    )


def test_fee_rules_shrink_to_a_whole_fixed_fee() -> None:
    found = find(
        fee_rules(currencies=("KWD", "EUR"), statutory=False), lambda r: True, settings=FIND
    )
    assert found == Fee(fixed=[Money(1, "KWD")], basis="invoice")


def test_fee_rules_bad_arguments() -> None:
    with pytest.raises(InvalidArgument):
        fee_rules(currencies=())
    with pytest.raises(InvalidArgument):
        fee_rules(currencies="EUR")  # a string is not a sequence of codes here
    with pytest.raises(UnknownCurrencyError):
        fee_rules(currencies=("EURO",))


# ---------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------


@given(
    steps(
        names=st.sampled_from(["a", "b"]),
        anchors=["issue", Anchor.RECEIPT],
        channels=["letter", "sms"],
        calendars=["NL"],
        currencies=("JPY",),
    )
)
def test_steps_respect_overrides(step: Step) -> None:
    assert step.name in {"a", "b"}
    assert step.anchor in {Anchor.ISSUE, Anchor.RECEIPT}
    assert set(step.channels) <= {"letter", "sms"}
    assert step.calendar in {None, "NL"}
    assert all(m.currency == "JPY" for r in step.fees for m in fee_amounts(r))
    if step.formal and step.requires_acknowledgement:
        assert step.deadline_days is None or step.deadline_days >= 14


@given(steps(with_fees=False))
def test_steps_without_fees(step: Step) -> None:
    assert step.fees == ()
    assert set(step.channels) <= set(CHANNELS)
    assert len(step.channels) == len(set(step.channels))


def test_steps_shrink_to_a_plain_email_reminder() -> None:
    found = find(steps(), lambda s: True, settings=FIND)
    assert found == Step("s1", 7, ("email",), tone="courtesy")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"anchors": []},
        {"anchors": ["sideways"]},
        {"channels": []},
        {"calendars": ["the moon"]},
        {"currencies": ()},
    ],
)
def test_steps_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        steps(**kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# policies
# ---------------------------------------------------------------------------


def assert_valid_ladder(policy: Policy) -> None:
    ladder = policy.steps
    assert [s.name for s in ladder] == [f"s{n}" for n in range(1, len(ladder) + 1)]
    assert ladder[0].anchor is not Anchor.RECEIPT
    for anchor in (Anchor.DUE, Anchor.ISSUE):
        offsets = [s.offset_days for s in ladder if s.anchor is anchor]
        assert offsets == sorted(set(offsets)), "offsets rise strictly per anchor"
    assert all(s.action == "reminder" for s in ladder[:-1])
    if ladder[-1].action == "handover":
        assert ladder[-1].channels == ("agency",)


@given(policies(currencies=("EUR", "GBP"), max_steps=6))
def test_policies_have_valid_ladders_and_lint_clean(policy: Policy) -> None:
    assert 1 <= len(policy.steps) <= 6
    assert_valid_ladder(policy)
    assert policy.profiles
    assert policy.profiles <= set(Profile)
    assert errors(Playbook([policy])) == []
    codes = {m.currency for m in policy.minimum_amount}
    codes |= {c for c, _ in policy.grace_days_by_currency}
    codes |= {m.currency for s in policy.steps for r in s.fees for m in fee_amounts(r)}
    if policy.fee_caps is not None:
        codes |= {m.currency for m in (*policy.fee_caps.per_invoice, *policy.fee_caps.per_customer)}
    assert codes <= {"EUR", "GBP"}
    assert policy.calendar in CALENDARS
    assert InvoiceKind.INVOICE in policy.kinds


@given(policies(profiles=["private"], max_steps=6))
def test_consumer_policies_charge_only_after_the_letter(policy: Policy) -> None:
    letters = [i for i, s in enumerate(policy.steps) if s.formal and s.requires_acknowledgement]
    for i, step in enumerate(policy.steps):
        charging = [r for r in step.fees if isinstance(r, Fee | TieredFee | CollectionCosts)]
        if charging:
            assert letters
            assert i >= letters[0]
            if i == letters[0]:
                assert all(isinstance(r, CollectionCosts) for r in charging)


@given(
    policies(
        names="mine",
        profiles=[Profile.GOVERNMENT, "business"],
        min_steps=2,
        max_steps=3,
        with_fees=False,
        anchors=["due"],
    )
)
def test_policies_respect_overrides(policy: Policy) -> None:
    assert policy.name == "mine"
    assert policy.profiles <= {Profile.GOVERNMENT, Profile.BUSINESS}
    assert 2 <= len(policy.steps) <= 3
    assert all(s.anchor is Anchor.DUE and s.fees == () for s in policy.steps)
    assert policy.fee_caps is None


def test_policies_shrink_to_one_plain_step() -> None:
    found = find(policies(), lambda p: True, settings=FIND)
    assert found == Policy("p1", [Step("s1", 7, "email", tone="courtesy")], profiles=set(Profile))


@pytest.mark.parametrize(
    "wanted",
    [
        pytest.param(lambda p: p.end is EndBehaviour.REPEAT, id="repeat"),
        pytest.param(lambda p: p.grouping is Grouping.HIGHEST, id="highest"),
        pytest.param(lambda p: p.calendar == "customer", id="customer calendar"),
        pytest.param(lambda p: p.min_days_between > 0 and p.grace_days > 0, id="spacing and grace"),
        pytest.param(lambda p: p.minimum_amount and p.grace_days_by_currency, id="per currency"),
        pytest.param(lambda p: p.fee_caps is not None, id="fee caps"),
        pytest.param(lambda p: any(s.anchor is Anchor.RECEIPT for s in p.steps), id="receipt"),
        pytest.param(lambda p: any(s.anchor is Anchor.ISSUE for s in p.steps), id="issue"),
        pytest.param(lambda p: p.steps[-1].action == "handover", id="handover"),
        pytest.param(lambda p: p.steps[0].offset_days < 0, id="pre-due step"),
        pytest.param(lambda p: any(s.formal for s in p.steps), id="formal"),
        pytest.param(
            lambda p: Profile.PRIVATE in p.profiles and any(s.fees for s in p.steps),
            id="consumer fees",
        ),
    ],
)
def test_policies_reach_interesting_cases(wanted: Callable[[Policy], object]) -> None:
    find(policies(), wanted, settings=GENERATE)


@pytest.mark.parametrize(
    "kwargs",
    [{"min_steps": 0}, {"min_steps": 3, "max_steps": 2}, {"profiles": ["robot"]}, {"channels": ()}],
)
def test_policies_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        policies(**kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# playbooks
# ---------------------------------------------------------------------------


def referenced(book: Playbook) -> set[str]:
    names = {n for _, n in book.by_profile} | {n for _, n in book.by_tag}
    return names | ({book.deposit_policy} if book.deposit_policy else set())


@given(playbooks(currencies=("EUR", "JPY")))
def test_playbooks_serve_every_profile_and_resolve(book: Playbook) -> None:
    # Every profile is listed by exactly one policy.
    for profile in Profile:
        assert sum(profile in p.profiles for p in book.policies) == 1
    # References resolve (the constructor checks them) and every policy is used.
    assert referenced(book) <= {p.name for p in book.policies}
    for policy in book.policies:
        assert policy.profiles or policy.name in referenced(book)
        assert_valid_ladder(policy)
    assert {tag for tag, _ in book.by_tag} <= set(TAGS)
    if book.deposit_policy is not None:
        assert InvoiceKind.DEPOSIT in book.policy(book.deposit_policy).kinds
    findings = lint(book)
    assert [str(f) for f in findings if f.severity is Severity.ERROR] == []
    assert not {f.code for f in findings} & {"unused-policy", "profile-without-policy"}


@given(playbooks(max_policies=2, profiles=["business"], max_steps=2))
def test_playbooks_respect_overrides(book: Playbook) -> None:
    assert 1 <= len(book.policies) <= 2
    assert set().union(*(p.profiles for p in book.policies)) == {Profile.BUSINESS}
    assert all(len(p.steps) <= 2 for p in book.policies)


def test_playbooks_shrink_to_one_policy_for_everyone() -> None:
    found = find(playbooks(), lambda b: True, settings=FIND)
    assert [p.name for p in found.policies] == ["p1"]
    assert found.policies[0].profiles == set(Profile)
    assert (found.by_profile, found.by_tag, found.deposit_policy) == ((), (), None)


@pytest.mark.parametrize(
    "wanted",
    [
        pytest.param(lambda b: len(b.policies) == 3, id="three policies"),
        pytest.param(lambda b: b.by_profile, id="by profile"),
        pytest.param(lambda b: b.by_tag, id="by tag"),
        pytest.param(
            lambda b: b.deposit_policy and not b.policy(b.deposit_policy).profiles,
            id="deposit-only policy",
        ),
        pytest.param(
            lambda b: (
                dict(b.by_profile).get("private")
                not in (None, *[p.name for p in b.policies if Profile.PRIVATE in p.profiles])
            ),
            id="private sent elsewhere",
        ),
    ],
)
def test_playbooks_reach_interesting_cases(wanted: Callable[[Playbook], object]) -> None:
    find(playbooks(), wanted, settings=GENERATE)


def test_playbooks_bad_arguments() -> None:
    with pytest.raises(InvalidArgument):
        playbooks(max_policies=0)
    with pytest.raises(InvalidArgument):
        playbooks(profiles=[])


START, END = date(2026, 1, 1), date(2026, 4, 30)
SMALL = ledgers(max_customers=2, max_invoices=4, max_payments=3, start=START, end=date(2026, 2, 28))


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(SMALL, playbooks())
def test_the_engine_runs_generated_playbooks(books: Ledger, book: Playbook) -> None:
    names = {p.name for p in book.policies}
    result = simulate(books, start=START, end=END, playbook=book)
    assert all(a.policy in names for a in result.actions if a.policy)


# ---------------------------------------------------------------------------
# histories
# ---------------------------------------------------------------------------


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), SMALL, playbooks(max_policies=2))
def test_histories_are_recorded_simulated_actions(
    data: st.DataObject, books: Ledger, book: Playbook
) -> None:
    history = data.draw(histories(books, book, start=START, end=END))
    planned = {a.key: a for a in simulate(books, start=START, end=END, playbook=book).actions}
    dates = [e.date for e in history]
    assert dates == sorted(dates)
    for entry in history:
        action = planned[entry.key]
        assert entry == HistoryEntry.from_action(
            action, received_on=entry.received_on, status=entry.status
        )
        if entry.received_on is not None:
            assert entry.status is HistoryStatus.ISSUED
            assert entry.date <= entry.received_on <= entry.date + timedelta(days=7)
    # The engine takes it as history.
    plan(books, as_of=END, playbook=book, history=history)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), SMALL)
def test_histories_without_options_are_a_prefix_of_the_simulation(
    data: st.DataObject, books: Ledger
) -> None:
    strategy = histories(
        books, None, start=START, end=END, with_gaps=False, with_failures=False, with_receipts=False
    )
    history = data.draw(strategy)
    full = simulate(books, start=START, end=END).as_history()
    assert tuple(history) == full[: len(history)]
    if len(history) < len(full):
        # Cut off at a day: nothing left out on the last day kept.
        assert not history or full[len(history)].date > history[-1].date


def sample_case() -> tuple[Ledger, date, date]:
    """Three customers (one per profile) with a few invoices, over 60 days."""
    people = [{"profile": p} for p in Profile]
    bills = [{"customer_id": f"C{n % 3 + 1}", "overdue_days": 10 * n - 20} for n in range(6)]
    return LedgerFactory(END)(customers=people, invoices=bills), END - timedelta(days=60), END


def test_histories_shrink_to_nothing_and_reach_every_option() -> None:
    books, start, end = sample_case()
    strategy = histories(books, None, start=start, end=end)
    assert find(strategy, lambda h: True, settings=FIND) == []
    # A smallest non-empty history: the first day's actions, issued, no receipts.
    full = simulate(books, start=start, end=end).as_history()
    first = find(strategy, bool, settings=FIND)
    assert tuple(first) == tuple(e for e in full if e.date == full[0].date)
    find(strategy, lambda h: any(e.status is HistoryStatus.FAILED for e in h), settings=GENERATE)
    find(strategy, lambda h: any(e.received_on for e in h), settings=GENERATE)
    find(
        strategy,
        lambda h: h and len(h) < len([e for e in full if e.date <= h[-1].date]),
        settings=GENERATE,
    )


def test_histories_bad_dates() -> None:
    books, start, end = sample_case()
    with pytest.raises(InvalidArgument):
        histories(books, None, start=end, end=start)


# ---------------------------------------------------------------------------
# the hypothesis entry point: st.from_type
# ---------------------------------------------------------------------------

REGISTERED = [
    Money,
    Contacts,
    Customer,
    PaymentTerms,
    Invoice,
    Payment,
    PaymentPlan,
    Trial,
    Ledger,
    Step,
    Policy,
    Playbook,
]


def test_the_entry_point_is_declared() -> None:
    (entry,) = [
        ep
        for ep in importlib.metadata.entry_points(group="hypothesis")
        if ep.value.startswith("arpolicy")
    ]
    assert entry.load() is _hypothesis_setup_hook


@given(st.from_type(Invoice))
def test_from_type_invoice(invoice: Invoice) -> None:
    assert isinstance(invoice, Invoice)
    assert invoice.due_date >= invoice.issue_date


@given(st.data())
def test_from_type_covers_every_domain_type(data: st.DataObject) -> None:
    for cls in REGISTERED:
        assert isinstance(data.draw(st.from_type(cls)), cls)


@settings(max_examples=20)
@given(st.from_type(Ledger), st.from_type(Playbook))
def test_from_type_uses_our_strategies(books: Ledger, book: Playbook) -> None:
    # ledgers() numbers its records and playbooks() names its policies;
    # nothing inferred from the types' fields would.
    assert [c.id for c in books.customers] == [f"C{n}" for n in range(1, len(books.customers) + 1)]
    assert [p.name for p in book.policies] == [f"p{n}" for n in range(1, len(book.policies) + 1)]


def test_from_type_shrinks_like_our_strategies() -> None:
    assert find(st.from_type(Invoice), lambda i: True, settings=FIND).id == "I1"


def test_entry_point_runs_when_hypothesis_is_imported() -> None:
    code = (
        "from hypothesis import find, strategies as st\n"
        "from arpolicy import Playbook\n"
        "print(find(st.from_type(Playbook), lambda b: True).policies[0].name)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "p1"
