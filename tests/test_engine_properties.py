"""Laws of the engine, checked with Hypothesis on drawn ledgers and playbooks."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arpolicy.actions import Action, HistoryEntry, Plan, SkipReason
from arpolicy.engine import plan, simulate
from arpolicy.model import Ledger
from arpolicy.policy import Anchor, Grouping, Playbook
from arpolicy.testing.strategies import ledgers
from engine_helpers import day_by_day, days, playbooks, shuffled_ledger, without_holds

# Records fall in three months; planning dates lie in and after them, so that
# ladders run, catch up and end.
START = date(2026, 1, 1)
END = date(2026, 3, 31)

LEDGERS = ledgers(
    max_customers=3,
    max_invoices=12,
    max_payments=5,
    currencies=("EUR", "JPY"),
    start=START,
    end=END,
)
AS_OF = st.dates(START + days(20), END + days(90))
SIM_START = st.dates(START, END)

SLOW = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOWER = settings(SLOW, max_examples=20)


def _past(book: Playbook, books: Ledger, as_of: date) -> list[Action]:
    """A realistic history: the actions of the 60 days before ``as_of``."""
    return list(simulate(books, start=as_of - days(60), end=as_of - days(1), playbook=book).actions)


def _is_repeat(action: Action) -> bool:
    return any(r.code == "repeat" for r in action.reasons)


def _check_channel_slots(actions: Iterable[Action]) -> None:
    """At most one action per customer, channel, currency and day; none beside a
    currency-less one on its channel."""
    per_slot = Counter((a.date, a.customer_id, a.channel, a.currency or "") for a in actions)
    assert all(n == 1 for n in per_slot.values()), per_slot
    for (day, cid, channel, currency), _ in per_slot.items():
        if currency == "":
            others = [k for k in per_slot if k[:3] == (day, cid, channel) and k[3] != ""]
            assert others == [], (day, cid, channel)


@SLOW
@given(book=playbooks(), books=LEDGERS, as_of=AS_OF, with_past=st.booleans())
def test_feeding_back_the_plan_gives_no_actions(
    book: Playbook, books: Ledger, as_of: date, with_past: bool
) -> None:
    past = _past(book, books, as_of) if with_past else []
    first = plan(books, as_of=as_of, playbook=book, history=past)
    again = plan(books, as_of=as_of, playbook=book, history=[*past, *first.actions])
    assert again.actions == ()
    # history as HistoryEntry works the same as Action objects
    entries = [HistoryEntry.from_action(a) for a in [*past, *first.actions]]
    assert plan(books, as_of=as_of, playbook=book, history=entries) == again


@SLOW
@given(book=playbooks(), books=LEDGERS, as_of=AS_OF)
def test_no_action_for_a_paid_invoice(book: Playbook, books: Ledger, as_of: date) -> None:
    result = plan(books, as_of=as_of, playbook=book, history=_past(book, books, as_of))
    for action in result.actions:
        assert action.date == as_of
        for iid in action.invoice_ids:
            assert books.balance(iid, as_of).is_positive(), (iid, action)


@SLOW
@given(book=playbooks(), books=LEDGERS, as_of=AS_OF)
def test_plan_invariants(book: Playbook, books: Ledger, as_of: date) -> None:
    result = plan(books, as_of=as_of, playbook=book, history=_past(book, books, as_of))
    assert list(result.actions) == sorted(result.actions, key=Action.sort_key)
    skip_order = [(s.customer_id, s.invoice_id, s.step or "", s.reason) for s in result.skipped]
    assert skip_order == sorted(skip_order)
    _check_channel_slots(result.actions)
    # an invoice is either in an action or explained (unless paid or not issued)
    acted = {iid for a in result.actions for iid in a.invoice_ids}
    explained = {s.invoice_id for s in result.skipped}
    for customer in books.customers:
        for inv, _ in books.open_items(customer.id, as_of):
            assert inv.id in acted or inv.id in explained, inv.id


@SLOWER
@given(book=playbooks(), books=LEDGERS, start=SIM_START, span=st.integers(30, 120))
def test_no_step_twice_and_never_early_across_a_simulation(
    book: Playbook, books: Ledger, start: date, span: int
) -> None:
    actions = simulate(books, start=start, end=start + days(span), playbook=book).actions
    _check_channel_slots(actions)
    seen: Counter[tuple[str, str, str]] = Counter()
    for action in actions:
        for iid in action.invoice_ids:
            assert books.balance(iid, action.date).is_positive(), (iid, action)
        if action.level == 0:
            continue
        if not _is_repeat(action):
            for iid in action.invoice_ids:
                seen[(iid, action.step, action.channel)] += 1
        step_due = action.reasons[0]
        assert date.fromisoformat(step_due.get("scheduled") or "") <= action.date
        policy = book.policy(action.policy)
        step = policy.steps[action.level - 1]
        if _is_repeat(action) or step.anchor is Anchor.RECEIPT:
            continue
        earliest = {
            iid: (
                books.invoice(iid).due_date
                if step.anchor is Anchor.DUE
                else books.invoice(iid).issue_date
            )
            + days(step.offset_days)
            for iid in action.invoice_ids
        }
        if policy.grouping is Grouping.PER_STEP:
            assert all(action.date >= d for d in earliest.values()), (action, earliest)
        else:
            assert any(action.date >= d for d in earliest.values()), (action, earliest)
    assert max(seen.values(), default=1) == 1, seen


@SLOW
@given(
    book=playbooks(),
    books=LEDGERS,
    as_of=AS_OF,
    seed=st.integers(0, 2**32 - 1),
)
def test_plan_does_not_depend_on_input_order(
    book: Playbook, books: Ledger, as_of: date, seed: int
) -> None:
    rng = random.Random(seed)
    past = _past(book, books, as_of)
    expected = plan(books, as_of=as_of, playbook=book, history=past)
    shuffled_past = list(past)
    rng.shuffle(shuffled_past)
    found = plan(shuffled_ledger(books, rng), as_of=as_of, playbook=book, history=shuffled_past)
    assert found == expected


def _held(books: Ledger, as_of: date) -> set[str]:
    held = set()
    for inv in books.invoices:
        owner = books.customer(inv.customer_id)
        if inv.disputed(as_of) or inv.on_hold(as_of) or owner.blocked(as_of):
            held.add(inv.id)
    return held


def _dunned(result: Plan) -> set[str]:
    return {iid for a in result.actions for iid in a.invoice_ids}


@SLOW
@given(book=playbooks(), books=LEDGERS, as_of=AS_OF)
def test_holds_never_add_actions(book: Playbook, books: Ledger, as_of: date) -> None:
    free = without_holds(books)
    held_plan = plan(books, as_of=as_of, playbook=book)
    free_plan = plan(free, as_of=as_of, playbook=book)
    # actions that are not about invoices are never added (a credit hold may
    # be dropped: an open dispute or hold suspends score holds)
    assert {a.key for a in held_plan.actions if not a.invoice_ids} <= {
        a.key for a in free_plan.actions if not a.invoice_ids
    }
    # no held invoice is dunned; every dunned invoice was due without the holds
    # too (it may have been deferred there because a held one took its channel)
    assert not _dunned(held_plan) & _held(books, as_of)
    deferred = {s.invoice_id for s in free_plan.skipped if s.reason is SkipReason.DEFERRED}
    assert _dunned(held_plan) <= _dunned(free_plan) | deferred


@SLOWER
@given(book=playbooks(), books=LEDGERS, start=SIM_START, span=st.integers(60, 120))
def test_simulate_equals_planning_day_by_day(
    book: Playbook, books: Ledger, start: date, span: int
) -> None:
    end = start + days(span)
    expected = day_by_day(book, books, start, end)
    result = simulate(books, start=start, end=end, playbook=book)
    assert list(result.actions) == sorted(expected, key=Action.sort_key)
    assert result.as_of == end
    before_end = [a for a in expected if a.date < end]
    last_day = plan(books, as_of=end, playbook=book, history=before_end)
    assert result.skipped == last_day.skipped
