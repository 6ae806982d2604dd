"""Catch-up (``resume`` and ``highest``), mandatory steps, channel slots and spacing.

Invoice I1 of 100.00 EUR due Monday 2026-03-02; ladder r1 +7 (03-09),
r2 +14 (03-16), r3 +28 (03-30) unless a test builds its own.
"""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from arpolicy.actions import Action, ActionKind, HistoryEntry, SkipReason
from arpolicy.engine import plan, simulate
from arpolicy.errors import LoadError
from arpolicy.io import dumps_playbook, loads_playbook
from arpolicy.model import Contacts, Customer, Dispute, Invoice, Ledger, Trial
from arpolicy.money import Money
from arpolicy.playbooks import default_playbook
from arpolicy.plugins import Plugins, hookimpl, make_plugin_manager
from arpolicy.policy import CatchUp, EndBehaviour
from arpolicy.rules import ActionContext, Veto
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


HIGHEST = playbook(policy(catch_up="highest"))


def test_only_the_highest_overdue_step_is_planned() -> None:
    result = run(HIGHEST, ledger([invoice()]), R3)
    assert steps_of(result) == [("r3", ("I1",), "email")]
    assert skips_of(result) == [("I1", "superseded", "r1"), ("I1", "superseded", "r2")]
    catch_up = [r for r in result.actions[0].reasons if r.code == "catch_up"]
    assert catch_up[0].get("superseded") == "r1 r2"
    # the action carries r3's scheduled date
    assert result.actions[0].reasons[0].get("scheduled") == R3.isoformat()


def test_superseded_steps_are_not_planned_later() -> None:
    books = ledger([invoice()])
    first = run(HIGHEST, books, R3)
    assert run(HIGHEST, books, R3 + days(30), first.actions).actions == ()


def test_catch_up_never_jumps_over_a_formal_step() -> None:
    steps = (step("r1", 7), step("r2", 14, formal=True), step("r3", 28))
    book = playbook(policy(steps=steps, catch_up="highest"))
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
    book = playbook(policy(steps=steps, catch_up="highest"))
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


# -- catch_up = "resume" (the default) with the built-in playbook -------------------

FIRST_RUN = date(2026, 9, 7)  # a Monday; no Dutch holidays in the weeks after


def _firm() -> Customer:
    return Customer(
        "B1", "Firm", "business", "NL", contacts=Contacts("b@x.nl", "+31 6", "Street 1")
    )


def _overdue_by_60_days() -> Ledger:
    due = FIRST_RUN - days(60)
    return Ledger([_firm()], [Invoice("I1", "B1", due - days(30), due, Money("800", "EUR"))])


def test_first_run_over_a_long_overdue_invoice_starts_with_the_call() -> None:
    books = _overdue_by_60_days()
    first = plan(books, as_of=FIRST_RUN)
    assert [(a.step, a.channel) for a in first.actions] == [("call", "phone")]
    assert [(s.step, s.reason.value) for s in first.skipped] == [("courtesy", "dropped")]
    codes = [r.code for r in first.actions[0].reasons]
    assert "resume" in codes
    assert "catch_up" not in codes


def test_after_a_first_run_the_ladder_keeps_its_intervals_from_that_day() -> None:
    books = _overdue_by_60_days()
    timeline = simulate(books, start=FIRST_RUN, end=FIRST_RUN + days(60)).actions
    # the practitioners' ladder from the call on: +1, +3, +16, +23, +30, +37
    # after the due date, so 0, 2, 15, 22, 29, 36 days after the first run
    assert [((a.date - FIRST_RUN).days, a.step, a.channel) for a in timeline] == [
        (0, "call", "phone"),
        (2, "reminder", "email"),
        (15, "stern-reminder", "email"),
        (15, "stern-reminder", "letter"),
        (22, "notice-of-default", "letter"),
        (29, "final-notice", "letter"),
        (36, "handover", "agency"),
    ]
    notice = next(a for a in timeline if a.step == "notice-of-default")
    reminders = [a for a in timeline if a.date < notice.date]
    assert len({a.step for a in reminders}) == 3  # three reminders before the formal notice


def test_highest_keeps_the_old_jump_to_the_notice_of_default() -> None:
    book = default_playbook()
    business = attrs.evolve(book.policy("business-standard"), catch_up="highest")
    highest = attrs.evolve(
        book, policies=[business if p.name == business.name else p for p in book.policies]
    )
    first = plan(_overdue_by_60_days(), as_of=FIRST_RUN, playbook=highest)
    assert [a.step for a in first.actions] == ["notice-of-default"]
    assert {s.reason.value for s in first.skipped} == {"superseded"}


def test_the_ladder_resumes_at_the_next_step_when_a_dispute_ends() -> None:
    # Due Monday 2026-06-01. The call (+1) and the reminder (+3) went out; a
    # dispute opened on 06-05 and was resolved on Monday 2026-08-03. The stern
    # reminder comes first, then the ladder's intervals from that day.
    due = date(2026, 6, 1)
    resolved = date(2026, 8, 3)
    disputed = Invoice(
        "I1",
        "B1",
        due - days(30),
        due,
        Money("800", "EUR"),
        dispute=Dispute(date(2026, 6, 5), "wrong quantity", resolved),
    )
    books = Ledger([_firm()], [disputed])
    timeline = simulate(books, start=due - days(5), end=resolved + days(40)).actions
    assert sorted({(a.date, a.step) for a in timeline}) == [
        (due - days(3), "courtesy"),
        (due + days(1), "call"),
        (due + days(3), "reminder"),
        (resolved, "stern-reminder"),
        (resolved + days(7), "notice-of-default"),
        (resolved + days(14), "final-notice"),
        (resolved + days(21), "handover"),
    ]
    on_resolution = plan(books, as_of=resolved, history=[a for a in timeline if a.date < resolved])
    assert [a.step for a in on_resolution.actions] == ["stern-reminder", "stern-reminder"]
    assert on_resolution.skipped == ()


def test_a_courtesy_step_still_goes_out_late_before_the_due_date() -> None:
    # first run two days before the due date: the courtesy e-mail (-3) is late
    # but the invoice is not due yet, so it is sent
    due = FIRST_RUN + days(2)
    books = Ledger([_firm()], [Invoice("I1", "B1", due - days(30), due, Money("800", "EUR"))])
    assert [a.step for a in plan(books, as_of=FIRST_RUN).actions] == ["courtesy"]
    # on the due date it is dropped: nothing until the call
    on_due = plan(books, as_of=due)
    assert on_due.actions == ()
    assert [(s.step, s.reason.value) for s in on_due.skipped] == [("call", "not_due")]


def test_catch_up_mode_is_read_from_and_written_to_policy_files() -> None:
    text = dumps_playbook(default_playbook())
    assert 'catch_up = "resume"' in text
    book = loads_playbook(text.replace('catch_up = "resume"', 'catch_up = "highest"'))
    assert {p.catch_up for p in book.policies} == {CatchUp.HIGHEST}
    bad = '[[policy]]\nname = "p"\ncatch_up = "jump"\n'
    with pytest.raises(LoadError) as info:
        loads_playbook(bad, source="p.toml")
    assert (info.value.line, info.value.column, info.value.value) == (
        3,
        "policy[0].catch_up",
        "jump",
    )


class NoCalls:
    arpolicy_plugin_name = "no-calls"

    @hookimpl
    def arpolicy_adjust_action(self, action: Action, context: ActionContext) -> Veto | None:
        return Veto("no calls") if action.channel == "phone" else None


def test_resume_goes_past_a_step_a_plugin_vetoes_but_not_earlier_than_the_next_step() -> None:
    # The built-in business ladder for an invoice due Monday 2026-09-07: the call
    # (+1) is vetoed every day. The ladder does not wait for it for ever: the
    # reminder goes out on its own day (+3), and the rest follows.
    due = FIRST_RUN
    books = Ledger([_firm()], [Invoice("I1", "B1", due - days(30), due, Money("800", "EUR"))])
    plugins = Plugins(make_plugin_manager(plugins=[NoCalls()], entry_points=False, disable=()))
    on_call_day = plan(books, as_of=due + days(1), plugins=plugins)
    assert on_call_day.actions == ()
    assert [(s.step, s.reason.value) for s in on_call_day.skipped] == [
        ("call", "vetoed"),
        ("reminder", "not_due"),
    ]
    timeline = simulate(books, start=due - days(5), end=due + days(40), plugins=plugins)
    assert [((a.date - due).days, a.step) for a in timeline.actions if a.channel != "letter"] == [
        (-3, "courtesy"),
        (3, "reminder"),
        (16, "stern-reminder"),
        (37, "handover"),
    ]
