"""Catch-up, mandatory steps, channel slots and spacing.

Invoice I1 of 100.00 EUR due Monday 2026-03-02; ladder r1 +7 (03-09),
r2 +14 (03-16), r3 +28 (03-30) unless a test builds its own.
"""

from __future__ import annotations

from datetime import date

from arpolicy.actions import ActionKind, HistoryEntry, SkipReason
from arpolicy.model import Trial
from arpolicy.policy import EndBehaviour
from engine_helpers import (
    DUE,
    day_by_day,
    days,
    invoice,
    ledger,
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


def test_only_the_highest_overdue_step_is_planned() -> None:
    result = run(playbook(), ledger([invoice()]), R3)
    assert steps_of(result) == [("r3", ("I1",), "email")]
    assert skips_of(result) == [("I1", "superseded", "r1"), ("I1", "superseded", "r2")]
    catch_up = [r for r in result.actions[0].reasons if r.code == "catch_up"]
    assert catch_up[0].get("superseded") == "r1 r2"
    # the action carries r3's scheduled date
    assert result.actions[0].reasons[0].get("scheduled") == R3.isoformat()


def test_superseded_steps_are_not_planned_later() -> None:
    books = ledger([invoice()])
    first = run(playbook(), books, R3)
    assert run(playbook(), books, R3 + days(30), first.actions).actions == ()


def test_catch_up_never_jumps_over_a_formal_step() -> None:
    steps = (step("r1", 7), step("r2", 14, formal=True), step("r3", 28))
    book = playbook(policy(steps=steps))
    books = ledger([invoice()])
    first = run(book, books, R3 + days(1))
    assert steps_of(first) == [("r2", ("I1",), "email")]
    assert first.actions[0].formal
    assert skips_of(first) == [("I1", "superseded", "r1")]
    # r2 went out 15 days late (R3 + 1 instead of its day 14), so r3 keeps its
    # 14-day gap after r2: not the next day, but 14 days after r2 was sent.
    sent = R3 + days(1)
    assert run(book, books, sent + days(13), first.actions).actions == ()
    second = run(book, books, sent + days(14), first.actions)
    assert steps_of(second) == [("r3", ("I1",), "email")]


def test_planning_again_after_a_formal_catch_up_step_gives_nothing() -> None:
    # r2 is formal, so catch-up stops there on 03-31; r3 (due 03-30) uses another
    # channel. Feeding r2 back and planning 03-31 again must not add r3 that day.
    steps = (step("r1", 7), step("r2", 14, "letter", formal=True), step("r3", 28))
    book = playbook(policy(steps=steps))
    books = ledger([invoice()])
    first = run(book, books, R3 + days(1))
    assert steps_of(first) == [("r2", ("I1",), "letter")]
    assert run(book, books, R3 + days(1), first.actions).actions == ()


def test_planning_again_after_an_acknowledged_step_gives_nothing() -> None:
    steps = (
        step("r1", 7, requires_acknowledgement=True),
        step("r2", 0, "letter", anchor="receipt"),
    )
    book = playbook(policy(steps=steps, presumed_receipt_days=0))
    books = ledger([invoice()])
    first = run(book, books, R1)
    assert steps_of(first) == [("r1", ("I1",), "email")]
    assert run(book, books, R1, first.actions).actions == ()


def test_catch_up_never_jumps_over_an_acknowledged_step() -> None:
    steps = (step("r1", 7, requires_acknowledgement=True), step("r2", 14), step("r3", 28))
    book = playbook(policy(steps=steps))
    result = run(book, ledger([invoice()]), R3)
    assert steps_of(result) == [("r1", ("I1",), "email")]
    assert result.actions[0].requires_acknowledgement
    assert [s.reason for s in result.skipped] == []


def test_one_action_per_channel_per_day_lower_level_deferred() -> None:
    # I1 reaches r2 on 03-16 while I2 (due a week later) reaches r1 on the same day
    books = ledger([invoice("I1"), invoice("I2", due=DUE + days(7))])
    first = run(playbook(), books, R1)
    second = run(playbook(), books, R2, first.actions)
    assert steps_of(second) == [("r2", ("I1",), "email")]
    assert skips_of(second) == [("I2", "deferred", "r1")]
    third = run(playbook(), books, R2 + days(1), [*first.actions, *second.actions])
    assert steps_of(third) == [("r1", ("I2",), "email")]
    assert third.actions[0].reasons[0].get("scheduled") == R2.isoformat()


def test_channel_slots_are_per_currency() -> None:
    books = ledger([invoice("I1"), invoice("I2", amount="5000", currency="JPY")])
    result = run(playbook(), books, R1)
    assert [(a.step, a.invoice_ids, a.currency) for a in result.actions] == [
        ("r1", ("I1",), "EUR"),
        ("r1", ("I2",), "JPY"),
    ]


def test_other_channels_are_free_the_same_day() -> None:
    steps = (step("r1", 7, "email"), step("r2", 14, "letter"))
    books = ledger([invoice("I1"), invoice("I2", due=DUE + days(7))])
    book = playbook(policy(steps=steps))
    first = run(book, books, R1)
    second = run(book, books, R2, first.actions)
    assert steps_of(second) == [("r1", ("I2",), "email"), ("r2", ("I1",), "letter")]


def test_history_of_today_takes_the_channel() -> None:
    entry = HistoryEntry("x", R1, "C1", "manual", ("I9",), "email", "EUR")
    result = run(playbook(), ledger([invoice()]), R1, [entry])
    assert result.actions == ()
    assert skips_of(result) == [("I1", "deferred", "r1")]


def test_trial_notice_blocks_the_channel_for_every_currency() -> None:
    # trial ends 03-16: the 7-day notice falls on 03-09, r1's date
    trial = Trial("T1", "C1", R2)
    books = ledger([invoice("I1"), invoice("I2", amount="5000", currency="JPY")], trials=[trial])
    result = run(playbook(), books, R1)
    assert [(a.step, a.kind) for a in result.actions] == [("trial-ending", ActionKind.TRIAL_NOTICE)]
    assert skips_of(result) == [("I1", "deferred", "r1"), ("I2", "deferred", "r1")]
    nxt = run(playbook(), books, R1 + days(1), result.actions)
    assert sorted((a.step, a.currency) for a in nxt.actions) == [("r1", "EUR"), ("r1", "JPY")]


def test_min_days_between_defers_with_wake() -> None:
    book = playbook(policy(min_days_between=10))
    books = ledger([invoice()])
    first = run(book, books, R1)
    on_r2 = run(book, books, R2, first.actions)
    assert on_r2.actions == ()
    assert [(s.reason, s.step) for s in on_r2.skipped] == [(SkipReason.DEFERRED, "r2")]
    assert "2026-03-19" in on_r2.skipped[0].detail
    timeline = day_by_day(book, books, DUE, R3 + days(5))
    # r2 went out 3 days late, so r3 keeps its 14-day gap: 03-30 + 3
    assert [(a.date, a.step) for a in timeline] == [
        (R1, "r1"),
        (date(2026, 3, 19), "r2"),
        (R3 + days(3), "r3"),
    ]


def test_min_days_between_counts_other_invoices_of_the_customer() -> None:
    book = playbook(policy(min_days_between=5))
    books = ledger([invoice("I1"), invoice("I2", due=DUE + days(2))])
    timeline = day_by_day(book, books, DUE, R1 + days(12))
    # I2's r1 (03-11) waits until 03-14, so its r2 moves 3 days to 03-21;
    # I1's r2 (03-16) waits until 03-19; I2's r2 then waits until 03-24
    assert [(a.date, a.step, a.invoice_ids) for a in timeline] == [
        (R1, "r1", ("I1",)),
        (R1 + days(5), "r1", ("I2",)),
        (R1 + days(10), "r2", ("I1",)),
    ]
    later = day_by_day(book, books, DUE, R1 + days(15))
    assert [(a.date, a.invoice_ids) for a in later[3:]] == [(R1 + days(15), ("I2",))]


def test_repeat_repeats_the_last_step_with_distinct_keys() -> None:
    book = playbook(policy(end=EndBehaviour.REPEAT, repeat_every_days=10))
    timeline = day_by_day(book, ledger([invoice()]), DUE, date(2026, 4, 20))
    assert [(a.date, a.step) for a in timeline] == [
        (R1, "r1"),
        (R2, "r2"),
        (R3, "r3"),
        (date(2026, 4, 9), "r3"),
        (date(2026, 4, 19), "r3"),
    ]
    assert len({a.key for a in timeline}) == 5
    repeats = [r.get("repeat") for a in timeline[3:] for r in a.reasons if r.code == "repeat"]
    assert repeats == ["1", "2"]


def test_stop_ends_the_ladder() -> None:
    timeline = day_by_day(playbook(), ledger([invoice()]), DUE, date(2026, 5, 30))
    assert [a.step for a in timeline] == ["r1", "r2", "r3"]


def test_repeats_follow_the_calendar() -> None:
    # r3 on Monday 03-30; a repeat 12 days later would be Saturday 04-11, which
    # the customer calendar (NL) moves to Monday 04-13.
    book = playbook(policy(end=EndBehaviour.REPEAT, repeat_every_days=12, calendar="customer"))
    timeline = day_by_day(book, ledger([invoice()]), DUE, date(2026, 4, 14))
    assert [(a.date, a.step) for a in timeline][-2:] == [(R3, "r3"), (date(2026, 4, 13), "r3")]
