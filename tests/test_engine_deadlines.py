"""No step about an invoice inside the payment deadline an earlier step stated.

A notice that gives the customer until a date to pay is followed by the next
step only from the day after that date: on the last day of its deadline the
customer may still pay.
"""

from __future__ import annotations

import itertools
from datetime import date

from arpolicy.actions import Action
from arpolicy.engine import simulate
from arpolicy.model import Contacts, Customer, Invoice, Ledger
from arpolicy.money import Money
from arpolicy.playbooks import default_playbook
from arpolicy.policy import EndBehaviour, Tone
from arpolicy.testing.laws import Scenario, no_step_inside_deadline
from engine_helpers import day_by_day, days, invoice, ledger, playbook, policy, run, step

DUE = date(2026, 3, 2)  # a Monday


def _old_business_ladder() -> tuple:  # type: ignore[type-arg]
    """The built-in business ladder before the fix: the notice of default gives
    14 days, the final notice follows 7 days later."""
    return (
        step("reminder", 3, deadline_days=7),
        step("stern-reminder", 16, "letter", tone=Tone.FIRM, deadline_days=7),
        step("notice-of-default", 23, "letter", tone=Tone.FORMAL, formal=True, deadline_days=14),
        step("final-notice", 30, "letter", tone=Tone.FINAL, deadline_days=7),
        step("handover", 37, "agency", tone=Tone.FINAL, action="handover"),
    )


def _dated(actions: list[Action]) -> list[tuple[int, str, date | None]]:
    return [((a.date - DUE).days, a.step, a.deadline) for a in actions]


def test_final_notice_waits_until_the_notice_of_default_deadline_has_passed() -> None:
    book = playbook(policy(steps=_old_business_ladder()))
    books = ledger([invoice()])
    timeline = day_by_day(book, books, DUE, DUE + days(70))
    # the stern reminder (+16) gives until +23: the notice waits until +24;
    # the notice (+24) gives until +38: the final notice waits until +39 and
    # keeps the ladder's gaps: its own deadline is +46, the hand-over +47.
    assert [(n, s) for n, s, _ in _dated(timeline)] == [
        (3, "reminder"),
        (16, "stern-reminder"),
        (24, "notice-of-default"),
        (39, "final-notice"),
        (47, "handover"),
    ]
    notice = timeline[2]
    assert notice.deadline == DUE + days(38)


def test_the_skip_says_until_when_a_step_waits_and_why() -> None:
    book = playbook(policy(steps=_old_business_ladder()))
    books = ledger([invoice()])
    history = day_by_day(book, books, DUE, DUE + days(24))
    assert history[-1].step == "notice-of-default"
    on_final_day = run(book, books, DUE + days(30), history)
    assert on_final_day.actions == ()
    (skip,) = on_final_day.skipped
    assert skip.reason == "not_due"
    assert skip.step == "final-notice"
    assert skip.detail == (
        "step 'final-notice' waits until 2026-04-10: step 'notice-of-default', sent on "
        "2026-03-26, gave until 2026-04-09 to pay"
    )
    # on the deadline's last day still nothing; the day after, the final notice
    assert run(book, books, date(2026, 4, 9), history).actions == ()
    assert [a.step for a in run(book, books, date(2026, 4, 10), history).actions] == [
        "final-notice"
    ]


def test_simulate_wakes_on_the_day_after_the_deadline() -> None:
    book = playbook(policy(steps=_old_business_ladder()))
    books = ledger([invoice()])
    daily = day_by_day(book, books, DUE, DUE + days(70))
    simulated = simulate(books, start=DUE, end=DUE + days(70), playbook=book)
    assert list(simulated.actions) == sorted(daily, key=Action.sort_key)


def test_a_repeated_last_step_waits_for_its_own_deadline() -> None:
    steps = (step("r1", 7), step("last", 14, deadline_days=20))
    book = playbook(policy(steps=steps, end=EndBehaviour.REPEAT, repeat_every_days=10))
    timeline = day_by_day(book, ledger([invoice()]), DUE, DUE + days(80))
    assert [a.step for a in timeline] == ["r1", "last", "last", "last", "last"]
    # each repeat would come 10 days after the last one, but it waits until the
    # day after the 20-day deadline the last one stated (moved past Easter once)
    repeats = timeline[1:]
    for before, after in itertools.pairwise(repeats):
        assert before.deadline is not None
        assert after.date == before.deadline + days(1)
    assert [a.date for a in repeats] == [
        date(2026, 3, 16),
        date(2026, 4, 8),
        date(2026, 4, 29),
        date(2026, 5, 20),
    ]


def _business(cid: str = "B1") -> Customer:
    return Customer(cid, "Firm", "business", "NL", contacts=Contacts("b@x.nl", "+31 6", "Street 1"))


def test_built_in_business_ladder_keeps_its_days_and_no_step_falls_in_a_deadline() -> None:
    books = Ledger([_business()], [Invoice("I1", "B1", date(2026, 2, 1), DUE, Money("500", "EUR"))])
    timeline = list(simulate(books, start=date(2026, 2, 1), end=date(2026, 6, 30)).actions)
    assert [(n, s) for n, s, _ in _dated(timeline)] == [
        (-3, "courtesy"),
        (1, "call"),
        (3, "reminder"),
        (16, "stern-reminder"),
        (16, "stern-reminder"),
        (23, "notice-of-default"),
        (30, "final-notice"),
        (37, "handover"),
    ]
    deadlines = {a.step: a.deadline for a in timeline}
    dates = {a.step: a.date for a in timeline}
    order = ["reminder", "stern-reminder", "notice-of-default", "final-notice", "handover"]
    for before, after in itertools.pairwise(order):
        deadline = deadlines[before]
        assert deadline is not None
        assert dates[after] > deadline, (before, after)


def test_dutch_consumer_final_notice_waits_for_the_letter_term_moved_past_a_weekend() -> None:
    # The 14-day letter goes out on Thursday 2026-06-25 (+23 from the due date
    # 06-02), presumed received on Saturday 06-27 (Friday 1, Saturday 2). Its
    # term of 14 days from the next day ends Saturday 07-11, moved to Monday
    # 07-13. The final notice (+15 after receipt, Sunday 07-12, then Monday by
    # the calendar) waits until Tuesday 07-14.
    due = date(2026, 6, 2)
    person = Customer(
        "P1", "Consumer", "private", "NL", contacts=Contacts("p@x.nl", "+31 6", "Street 1")
    )
    books = Ledger([person], [Invoice("I1", "P1", date(2026, 5, 3), due, Money("120", "EUR"))])
    timeline = list(simulate(books, start=date(2026, 5, 3), end=date(2026, 8, 31)).actions)
    letter = next(a for a in timeline if a.step == "fourteen-day-letter")
    final = next(a for a in timeline if a.step == "final-notice")
    assert letter.date == date(2026, 6, 25)
    assert letter.deadline == date(2026, 7, 13)
    assert final.date == date(2026, 7, 14)


def test_the_law_holds_on_the_built_in_playbook_for_every_due_day_of_two_months() -> None:
    # one business customer per due date, first run on 2026-03-01 over invoices
    # due from January to the end of February
    start = date(2026, 1, 1)
    customers = [_business(f"B{n:02}") for n in range(60)]
    invoices = [
        Invoice(f"I{n:02}", f"B{n:02}", start - days(30), start + days(n), Money("90", "EUR"))
        for n in range(60)
    ]
    books = Ledger(customers, invoices)
    scenario = Scenario(books, date(2026, 5, 31), default_playbook(), window_days=91)
    no_step_inside_deadline(scenario)
