"""Engine basics: what is open, grouping, fees, history, keys and ordering.

Unless a test says otherwise: customer C1 (NL), invoice I1 of 100.00 EUR due
Monday 2026-03-02, ladder r1 at +7 (03-09), r2 at +14 (03-16), r3 at +28
(03-30), all by e-mail, no calendar.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from arpolicy.actions import (
    ActionKind,
    HistoryEntry,
    HistoryStatus,
    SkipReason,
    action_key,
)
from arpolicy.errors import InvalidFieldError
from arpolicy.policy import Fee, FeeBasis, Grouping
from engine_helpers import (
    DUE,
    customer,
    days,
    eur,
    invoice,
    ledger,
    payment,
    playbook,
    policy,
    run,
    shuffled_ledger,
    skips_of,
    step,
    steps_of,
)

R1 = date(2026, 3, 9)
R2 = date(2026, 3, 16)
R3 = date(2026, 3, 30)


# -- what is open -----------------------------------------------------------


def test_first_step_fires_on_its_date_with_the_facts() -> None:
    result = run(playbook(), ledger([invoice()]), R1)
    assert len(result.actions) == 1
    action = result.actions[0]
    assert action.date == R1
    assert action.customer_id == "C1"
    assert action.invoice_ids == ("I1",)
    assert (action.step, action.level, action.channel) == ("r1", 1, "email")
    assert action.tone == "friendly"
    assert action.kind is ActionKind.REMINDER
    assert action.policy == "std"
    assert action.amount_due == eur("100.00")
    assert action.fees is None
    assert action.deadline is None
    assert action.template == "r1"
    assert action.reasons[0].code == "step_due"
    assert action.reasons[0].get("scheduled") == "2026-03-09"
    assert action.key == action_key("C1", "r1", "email", currency="EUR", invoice_ids=["I1"])


def test_nothing_the_day_before_a_step() -> None:
    result = run(playbook(), ledger([invoice()]), R1 - days(1))
    assert result.actions == ()
    assert skips_of(result) == [("I1", "not_due", "r1")]


def test_full_payment_on_the_step_date_stops_the_step() -> None:
    books = ledger([invoice()], payments=[payment("P1", R1, "100.00")])
    result = run(playbook(), books, R1)
    assert result.actions == ()
    assert result.skipped == ()  # a paid invoice is not open: nothing to explain


def test_full_payment_the_day_after_does_not_stop_the_step() -> None:
    books = ledger([invoice()], payments=[payment("P1", R1 + days(1), "100.00")])
    assert steps_of(run(playbook(), books, R1)) == [("r1", ("I1",), "email")]
    assert run(playbook(), books, R1 + days(1)).actions == ()


def test_invoice_issued_after_as_of_is_not_dunned() -> None:
    books = ledger([invoice(issued=DUE, due=DUE)])
    assert run(playbook(), books, DUE - days(1)).skipped == ()


# -- grouping -----------------------------------------------------------------


def _two_channel_book(grouping: Grouping) -> tuple[object, object]:
    steps = (step("r1", 7, "email"), step("r2", 14, "letter"), step("r3", 28, "phone"))
    book = playbook(policy(steps=steps, grouping=grouping))
    books = ledger(
        [
            invoice("I2", amount="200.00"),
            invoice("I1", amount="100.00"),
            invoice("I3", due=DUE + days(7), amount="50.00"),
        ]
    )
    return book, books


def test_per_step_lists_all_invoices_at_the_step() -> None:
    book, books = _two_channel_book(Grouping.PER_STEP)
    first = run(book, books, R1)  # type: ignore[arg-type]
    assert steps_of(first) == [("r1", ("I1", "I2"), "email")]
    assert first.actions[0].amount_due == eur("300.00")
    second = run(book, books, R2, first.actions)  # type: ignore[arg-type]
    # I1 and I2 reach r2 (letter) while I3 reaches r1 (e-mail): one action per step
    assert steps_of(second) == [("r1", ("I3",), "email"), ("r2", ("I1", "I2"), "letter")]
    assert [a.amount_due for a in second.actions] == [eur("50.00"), eur("300.00")]


def test_highest_sends_one_notice_at_the_highest_level() -> None:
    book, books = _two_channel_book(Grouping.HIGHEST)
    first = run(book, books, R1)  # type: ignore[arg-type]
    second = run(book, books, R2, first.actions)  # type: ignore[arg-type]
    assert steps_of(second) == [("r2", ("I1", "I2", "I3"), "letter")]
    action = second.actions[0]
    assert action.level == 2
    assert action.amount_due == eur("350.00")
    grouped = [r for r in action.reasons if r.code == "grouped"]
    assert grouped[0].get("levels") == "1 2"
    # I3 counts as having had r2 now: its own r2 (03-23) is not planned again
    third = run(book, books, R2 + days(7), [*first.actions, *second.actions])  # type: ignore[arg-type]
    assert third.actions == ()


def test_highest_does_not_list_invoices_without_a_due_step() -> None:
    book = playbook(policy(grouping=Grouping.HIGHEST))
    books = ledger([invoice("I1"), invoice("I2", due=DUE + days(30))])
    assert steps_of(run(book, books, R1)) == [("r1", ("I1",), "email")]


def test_multi_channel_step_one_action_per_channel_fee_on_the_first() -> None:
    fee = Fee(fixed=[eur(5)], percent=Decimal(1), basis=FeeBasis.NOTICE)
    steps = (step("r1", 7, "letter", "email", fees=[fee]),)
    books = ledger([invoice("I1", amount="100.00"), invoice("I2", amount="200.00")])
    result = run(playbook(policy(steps=steps)), books, R1)
    assert steps_of(result) == [("r1", ("I1", "I2"), "email"), ("r1", ("I1", "I2"), "letter")]
    by_channel = {a.channel: a for a in result.actions}
    assert by_channel["letter"].fees == eur("8.00")  # 5 + 1% of 300, on the first channel
    assert by_channel["email"].fees is None
    assert by_channel["letter"].key != by_channel["email"].key


def test_fee_per_invoice_is_summed() -> None:
    fee = Fee(fixed=[eur(5)], percent=Decimal(1), basis=FeeBasis.INVOICE)
    steps = (step("r1", 7, fees=[fee]),)
    books = ledger([invoice("I1", amount="100.00"), invoice("I2", amount="200.00")])
    result = run(playbook(policy(steps=steps)), books, R1)
    assert result.actions[0].fees == eur("13.00")  # (5 + 1) + (5 + 2)


def test_deadline_days_set_a_fresh_deadline() -> None:
    steps = (step("r1", 7, deadline_days=7),)
    result = run(playbook(policy(steps=steps)), ledger([invoice()]), R1)
    assert result.actions[0].deadline == R1 + days(7)


# -- history --------------------------------------------------------------------


def test_feeding_back_the_plan_gives_no_actions() -> None:
    books = ledger([invoice()])
    first = run(playbook(), books, R1)
    assert len(first.actions) == 1
    again = run(playbook(), books, R1, first.actions)
    assert again.actions == ()
    assert skips_of(again) == [("I1", "not_due", "r2")]


def test_a_step_is_never_planned_twice() -> None:
    books = ledger([invoice()])
    first = run(playbook(), books, R1)
    # a week after r2's date, with r1 and r2 done, r3 is not due yet: nothing
    second = run(playbook(), books, R2, first.actions)
    assert steps_of(second) == [("r2", ("I1",), "email")]
    later = run(playbook(), books, R2 + days(7), [*first.actions, *second.actions])
    assert later.actions == ()


def test_history_entries_work_like_actions() -> None:
    entry = HistoryEntry("some-key", R1, "C1", "r1", ("I1",), "email", "EUR")
    assert run(playbook(), ledger([invoice()]), R1 + days(2), [entry]).actions == ()


def test_failed_history_entry_does_not_count() -> None:
    entry = HistoryEntry("k", R1, "C1", "r1", ("I1",), "email", "EUR", status=HistoryStatus.FAILED)
    result = run(playbook(), ledger([invoice()]), R1 + days(1), [entry])
    assert steps_of(result) == [("r1", ("I1",), "email")]


def test_history_dated_after_as_of_is_ignored() -> None:
    entry = HistoryEntry("k", R1 + days(3), "C1", "r1", ("I1",), "email", "EUR")
    result = run(playbook(), ledger([invoice()]), R1 + days(1), [entry])
    assert steps_of(result) == [("r1", ("I1",), "email")]


def test_history_of_another_invoice_does_not_count() -> None:
    entry = HistoryEntry("k", R1, "C1", "r1", ("I9",), "email", "EUR")
    result = run(playbook(), ledger([invoice()]), R1 + days(1), [entry])
    assert steps_of(result) == [("r1", ("I1",), "email")]


def test_ladder_complete_after_the_last_step() -> None:
    books = ledger([invoice()])
    done = [
        HistoryEntry(f"k{n}", d, "C1", name, ("I1",), "email", "EUR")
        for n, (name, d) in enumerate([("r1", R1), ("r2", R2), ("r3", R3)])
    ]
    result = run(playbook(), books, R3 + days(60), done)
    assert result.actions == ()
    assert [s.reason for s in result.skipped] == [SkipReason.LADDER_COMPLETE]


# -- keys and order ---------------------------------------------------------------


def test_keys_are_stable_across_runs_and_input_order() -> None:
    books = ledger(
        [invoice("I1"), invoice("I2"), invoice("I3", customer_id="C2")],
        customers=[customer("C1"), customer("C2")],
    )
    first = run(playbook(), books, R1)
    for seed in range(5):
        again = run(playbook(), shuffled_ledger(books, random.Random(seed)), R1)
        assert again == first
    assert [a.key for a in first.actions] == [
        action_key("C1", "r1", "email", currency="EUR", invoice_ids=["I1", "I2"]),
        action_key("C2", "r1", "email", currency="EUR", invoice_ids=["I3"]),
    ]


def test_keys_differ_per_step_channel_and_invoice_set() -> None:
    base = action_key("C1", "r1", "email", currency="EUR", invoice_ids=["I1"])
    others = {
        action_key("C1", "r2", "email", currency="EUR", invoice_ids=["I1"]),
        action_key("C1", "r1", "letter", currency="EUR", invoice_ids=["I1"]),
        action_key("C1", "r1", "email", currency="EUR", invoice_ids=["I1", "I2"]),
        action_key("C1", "r1", "email", currency="JPY", invoice_ids=["I1"]),
        action_key("C2", "r1", "email", currency="EUR", invoice_ids=["I1"]),
        action_key("C1", "r1", "email", currency="EUR", invoice_ids=["I1"], subject="repeat:1"),
    }
    assert base not in others
    assert len(others) == 6
    # the order of the invoice ids does not matter
    assert action_key("C1", "r1", "email", invoice_ids=["I2", "I1"]) == action_key(
        "C1", "r1", "email", invoice_ids=["I1", "I2"]
    )


def test_actions_and_skips_are_sorted() -> None:
    steps = (step("r1", 7, "phone", "email"), step("r2", 14, "letter"))
    books = ledger(
        [
            invoice("I9", customer_id="C2"),
            invoice("I8", customer_id="C2", due=DUE + days(7)),
            invoice("I1", customer_id="C1", due=DUE + days(7)),
            invoice("I5", customer_id="C1", issued=DUE, due=DUE + days(60)),
        ],
        customers=[customer("C2"), customer("C1")],
    )
    hist = [HistoryEntry("k", R1, "C2", "r1", ("I9",), "phone", "EUR")]
    result = run(playbook(policy(steps=steps)), books, R2, hist)
    assert [(a.customer_id, a.level, a.step, a.channel) for a in result.actions] == [
        ("C1", 1, "r1", "email"),
        ("C1", 1, "r1", "phone"),
        ("C2", 1, "r1", "email"),
        ("C2", 1, "r1", "phone"),
        ("C2", 2, "r2", "letter"),
    ]
    assert [(s.customer_id, s.invoice_id) for s in result.skipped] == [("C1", "I5")]
    assert list(result.actions) == sorted(result.actions, key=lambda a: a.sort_key())


def test_unknown_customer_in_history_is_ignored() -> None:
    entry = HistoryEntry("k", R1, "C404", "r1", ("I1",), "email", "EUR")
    assert steps_of(run(playbook(), ledger([invoice()]), R1, [entry])) == [("r1", ("I1",), "email")]


@pytest.mark.parametrize("bad", ["not an entry", 42])
def test_bad_history_item_is_a_typed_error(bad: object) -> None:
    with pytest.raises(InvalidFieldError):
        run(playbook(), ledger([invoice()]), R1, [bad])  # type: ignore[list-item]


def test_highest_never_raises_an_invoice_over_a_formal_step() -> None:
    # I1 is due a month earlier and already had r1 and the formal r2; I2 reaches
    # r1 today. r3 for I1 is due too. I2 may not jump over the formal r2, so it
    # gets its own r1 notice (by phone) while I1 gets r3.
    steps = (step("r1", 7, "phone"), step("r2", 14, formal=True), step("r3", 28))
    book = playbook(policy(steps=steps, grouping=Grouping.HIGHEST))
    books = ledger([invoice("I1"), invoice("I2", due=DUE + days(21))])
    history = [
        HistoryEntry("k1", R1, "C1", "r1", ("I1",), "email", "EUR"),
        HistoryEntry("k2", R2, "C1", "r2", ("I1",), "email", "EUR"),
    ]
    result = run(book, books, R3, history)
    assert steps_of(result) == [("r1", ("I2",), "phone"), ("r3", ("I1",), "email")]
