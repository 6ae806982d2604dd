"""Holds, payment plans, minimum amounts, grace days and partial payments.

Invoice I1 of 100.00 EUR due Monday 2026-03-02; ladder r1 +7 (03-09),
r2 +14 (03-16), r3 +28 (03-30).
"""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from arpolicy.actions import ActionKind
from arpolicy.engine import simulate
from arpolicy.model import Dispute, DunningBlock, Instalment, PaymentPlan
from engine_helpers import (
    DUE,
    customer,
    day_by_day,
    days,
    eur,
    invoice,
    ledger,
    payment,
    playbook,
    policy,
    run,
    skips_of,
    step,
    steps_of,
)

R1 = date(2026, 3, 9)
R2 = date(2026, 3, 16)
R3 = date(2026, 3, 30)
RESUME = date(2026, 3, 20)

HOLDS = {
    "disputed": lambda: ledger([invoice(dispute=Dispute(DUE, "wrong amount", RESUME))]),
    "on_hold": lambda: ledger([invoice(on_hold_until=RESUME)]),
    "blocked": lambda: ledger(
        [invoice()], customers=[customer(block=DunningBlock("negotiation", RESUME))]
    ),
}


@pytest.mark.parametrize("reason", sorted(HOLDS))
def test_hold_skips_with_its_reason(reason: str) -> None:
    result = run(playbook(), HOLDS[reason](), R1)
    assert result.actions == ()
    assert skips_of(result) == [("I1", reason, None)]


@pytest.mark.parametrize("reason", sorted(HOLDS))
def test_hold_resumes_at_the_highest_due_step_once(reason: str) -> None:
    # catch_up = "highest" (the default is "resume": see test_engine_catchup.py)
    book = playbook(policy(catch_up="highest"))
    books = HOLDS[reason]()
    assert run(book, books, RESUME - days(1)).actions == ()
    on_resume = run(book, books, RESUME)
    assert steps_of(on_resume) == [("r2", ("I1",), "email")]
    assert skips_of(on_resume) == [("I1", "superseded", "r1")]
    # r2 went out 4 days after its date, so r3 keeps its 14-day gap: 03-30 + 4
    expected = [(RESUME, "r2"), (R3 + days(4), "r3")]
    timeline = day_by_day(book, books, DUE, R3 + days(10))
    assert [(a.date, a.step) for a in timeline] == expected
    simulated = simulate(books, start=DUE, end=R3 + days(10), playbook=book)
    assert [(a.date, a.step) for a in simulated.actions] == expected


@pytest.mark.parametrize("reason", sorted(HOLDS))
def test_hold_resumes_at_the_first_step_not_yet_sent(reason: str) -> None:
    # catch_up = "resume" (the default): r1 was never sent, so the ladder goes on
    # with r1 when the hold ends on 03-20; r2 follows 7 days later (its gap to
    # r1) and r3 14 days after r2.
    books = HOLDS[reason]()
    on_resume = run(playbook(), books, RESUME)
    assert steps_of(on_resume) == [("r1", ("I1",), "email")]
    assert on_resume.skipped == ()
    expected = [(RESUME, "r1"), (RESUME + days(7), "r2"), (RESUME + days(21), "r3")]
    timeline = day_by_day(playbook(), books, DUE, RESUME + days(30))
    assert [(a.date, a.step) for a in timeline] == expected
    simulated = simulate(books, start=DUE, end=RESUME + days(30), playbook=playbook())
    assert [(a.date, a.step) for a in simulated.actions] == expected


def test_dispute_opened_later_stops_the_ladder_from_then() -> None:
    books = ledger([invoice(dispute=Dispute(R1 + days(1), "goods damaged"))])
    timeline = day_by_day(playbook(), books, DUE, R3 + days(10))
    assert [(a.date, a.step) for a in timeline] == [(R1, "r1")]


def test_indefinite_block_never_resumes() -> None:
    books = ledger([invoice()], customers=[customer(block=DunningBlock("bankruptcy"))])
    assert day_by_day(playbook(), books, DUE, R3 + days(30)) == []


def test_hold_of_one_invoice_leaves_the_others() -> None:
    books = ledger([invoice("I1", on_hold_until=RESUME), invoice("I2")])
    result = run(playbook(), books, R1)
    assert steps_of(result) == [("r1", ("I2",), "email")]
    assert skips_of(result) == [("I1", "on_hold", None)]


# -- payment plans ------------------------------------------------------------------


def _plan_books(*pays: tuple[date, str]) -> object:
    plan = PaymentPlan(
        "PL1",
        "C1",
        ("I1",),
        [Instalment(date(2026, 3, 5), eur(50)), Instalment(date(2026, 3, 20), eur(50))],
        agreed_on=date(2026, 3, 3),
        grace_days=2,
    )
    payments = [payment(f"P{n}", on, amount) for n, (on, amount) in enumerate(pays, 1)]
    return ledger([invoice("I1"), invoice("I2")], plans=[plan], payments=payments)


def test_on_track_plan_pauses_covered_invoices() -> None:
    books = _plan_books((date(2026, 3, 5), "50.00"))
    result = run(playbook(), books, R1)  # type: ignore[arg-type]
    # the unnamed payment goes to I1 (oldest by id): I1 50 open, paused; I2 dunned
    assert steps_of(result) == [("r1", ("I2",), "email")]
    assert skips_of(result) == [("I1", "paused_by_plan", None)]


def test_missed_instalment_breaks_the_plan_once_and_dunning_resumes() -> None:
    books = _plan_books((date(2026, 3, 5), "50.00"))
    book = playbook(policy(catch_up="highest"))
    broken_on = date(2026, 3, 23)  # 03-20 + 2 grace days + 1
    assert run(book, books, broken_on - days(1)).skipped[0].reason == "paused_by_plan"  # type: ignore[arg-type]
    timeline = day_by_day(book, books, DUE, R3 + days(10))  # type: ignore[arg-type]
    plan_actions = [a for a in timeline if a.customer_id == "C1" and "I1" in a.invoice_ids]
    broken = [a for a in timeline if a.kind is ActionKind.PLAN_BROKEN]
    assert [(a.date, a.step, a.amount_due) for a in broken] == [
        (broken_on, "plan-broken", eur("50.00"))
    ]
    assert broken[0].reasons[0].get("broken_on") == broken_on.isoformat()
    # the plan-broken e-mail takes the channel on 03-23; r2 of I1 follows the next
    # day, 8 days after its date, and r3 keeps its gap: 03-30 + 8
    assert [(a.date, a.step) for a in plan_actions] == [
        (broken_on + days(1), "r2"),
        (R3 + days(8), "r3"),
    ]


def test_kept_plan_never_breaks() -> None:
    books = _plan_books((date(2026, 3, 5), "50.00"), (date(2026, 3, 21), "50.00"))
    timeline = day_by_day(playbook(), books, DUE, R3 + days(5))  # type: ignore[arg-type]
    assert all(a.kind is not ActionKind.PLAN_BROKEN for a in timeline)
    assert all("I1" not in a.invoice_ids for a in timeline)


def _plan_agreed_later() -> object:
    """I1 (100.00) due Tuesday 2026-01-27; a plan for it agreed on 2026-02-20,
    kept: 50.00 paid on each instalment day."""
    plan = PaymentPlan(
        "PL1",
        "C1",
        ("I1",),
        [Instalment(date(2026, 3, 1), eur(50)), Instalment(date(2026, 3, 15), eur(50))],
        agreed_on=date(2026, 2, 20),
    )
    pays = [payment("P1", date(2026, 3, 1), "50.00"), payment("P2", date(2026, 3, 15), "50.00")]
    return ledger([invoice("I1", due=date(2026, 1, 27))], plans=[plan], payments=pays)


def test_a_plan_pauses_nothing_before_the_day_it_is_agreed() -> None:
    books = _plan_agreed_later()
    # 2026-02-03 is +7: the plan does not exist yet, r1 goes out
    before = run(playbook(), books, date(2026, 2, 3))  # type: ignore[arg-type]
    assert steps_of(before) == [("r1", ("I1",), "email")]
    assert "paused_by_plan" not in [reason for _, reason, _ in skips_of(before)]
    # from the day after it was agreed the plan pauses the invoice
    after = run(playbook(), books, date(2026, 2, 21), before.actions)  # type: ignore[arg-type]
    assert after.actions == ()
    assert skips_of(after) == [("I1", "paused_by_plan", None)]


def test_simulate_duns_until_the_plan_is_agreed() -> None:
    books = _plan_agreed_later()
    timeline = simulate(books, start=date(2026, 1, 1), end=date(2026, 3, 31), playbook=playbook())  # type: ignore[arg-type]
    # r1 (+7) and r2 (+14) before the agreement; r3 (+28, 02-24) is paused
    # and the plan is kept
    assert [(a.date, a.step) for a in timeline.actions] == [
        (date(2026, 2, 3), "r1"),
        (date(2026, 2, 10), "r2"),
    ]


def test_plans_of_on_a_day_lists_only_the_plans_in_force() -> None:
    books = _plan_agreed_later()
    (plan,) = books.plans_of("C1")  # type: ignore[attr-defined]
    assert not plan.in_force(date(2026, 2, 19))
    assert plan.in_force(date(2026, 2, 20))
    assert books.plans_of("C1", on=date(2026, 2, 19)) == ()  # type: ignore[attr-defined]
    assert books.plans_of("C1", on=date(2026, 2, 20)) == (plan,)  # type: ignore[attr-defined]


# -- minimum amounts, grace, partial payments --------------------------------------


def test_below_minimum_gets_no_dunning() -> None:
    book = playbook(policy(minimum_amount=[eur(150)]))
    result = run(book, ledger([invoice()]), R1)
    assert result.actions == ()
    assert skips_of(result) == [("I1", "below_minimum", None)]


def test_minimum_counts_the_customers_total_in_the_currency() -> None:
    book = playbook(policy(minimum_amount=[eur(150)]))
    books = ledger([invoice("I1"), invoice("I2", due=DUE + days(30))])
    result = run(book, books, R1)
    assert steps_of(result) == [("r1", ("I1",), "email")]


def test_minimum_is_per_currency() -> None:
    book = playbook(policy(minimum_amount=[eur(150)]))
    books = ledger([invoice("I1"), invoice("I2", amount="100", currency="JPY")])
    result = run(book, books, R1)
    assert [(a.invoice_ids, a.currency) for a in result.actions] == [(("I2",), "JPY")]
    assert skips_of(result) == [("I1", "below_minimum", None)]


def test_grace_days_shift_steps_after_the_due_date_only() -> None:
    steps = (step("pre", -3, "letter"), step("r1", 7))
    book = playbook(policy(steps=steps, grace_days=3))
    timeline = day_by_day(book, ledger([invoice()]), DUE - days(10), R1 + days(10))
    assert [(a.date, a.step) for a in timeline] == [
        (DUE - days(3), "pre"),
        (R1 + days(3), "r1"),
    ]


def test_grace_days_per_currency() -> None:
    book = playbook(policy(grace_days=3, grace_days_by_currency={"EUR": 0}))
    books = ledger([invoice("I1"), invoice("I2", amount="100", currency="JPY")])
    timeline = day_by_day(book, books, DUE, R1 + days(5))
    assert [(a.date, a.currency) for a in timeline] == [(R1, "EUR"), (R1 + days(3), "JPY")]


def test_partial_payment_neither_breaks_nor_restarts_the_ladder() -> None:
    books = ledger([invoice()], payments=[payment("P1", R1 + days(2), "40.00")])
    timeline = day_by_day(playbook(), books, DUE, R3)
    assert [(a.date, a.step, a.amount_due) for a in timeline] == [
        (R1, "r1", eur("100.00")),
        (R2, "r2", eur("60.00")),
        (R3, "r3", eur("60.00")),
    ]


def test_credit_note_reduces_the_amount_due() -> None:
    note = attrs.evolve(
        invoice("CN1", issued=R1, due=R1, amount="30.00"), kind="credit_note", applies_to="I1"
    )
    result = run(playbook(), ledger([invoice(), note]), R2)
    # first run on 03-16: the ladder resumes at r1 (catch_up = "resume")
    assert [(a.step, a.invoice_ids, a.amount_due) for a in result.actions] == [
        ("r1", ("I1",), eur("70.00"))
    ]
