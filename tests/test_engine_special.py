"""Deposits, trial notices, credit holds and the playbook's choice of policy."""

from __future__ import annotations

import random
from datetime import date

import pytest

from arpolicy.actions import ActionKind, SkipReason
from arpolicy.model import InvoiceKind, Trial
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
    shuffled_ledger,
    skips_of,
    step,
    steps_of,
)

R1 = date(2026, 3, 9)

# -- deposits -------------------------------------------------------------------------


def test_deposit_without_deposit_policy_gets_no_policy() -> None:
    result = run(playbook(), ledger([invoice(kind=InvoiceKind.DEPOSIT)]), R1)
    assert result.actions == ()
    assert skips_of(result) == [("I1", "no_policy", None)]
    assert "deposit" in result.skipped[0].detail


def test_deposit_policy_handles_deposit_requests() -> None:
    deposit = policy("dep", (step("d1", 2, "phone"),), profiles=(), kinds=("deposit",))
    book = playbook(policy(), deposit, deposit_policy="dep")
    books = ledger([invoice("I1"), invoice("D1", kind=InvoiceKind.DEPOSIT)])
    timeline = day_by_day(book, books, DUE, R1)
    assert [(a.date, a.policy, a.step, a.invoice_ids) for a in timeline] == [
        (DUE + days(2), "dep", "d1", ("D1",)),
        (R1, "std", "r1", ("I1",)),
    ]


# -- trials -----------------------------------------------------------------------------

ENDS = date(2026, 3, 20)


def test_trial_notices_seven_and_one_day_before_the_end() -> None:
    books = ledger(trials=[Trial("T1", "C1", ENDS)])
    timeline = day_by_day(playbook(), books, date(2026, 3, 1), date(2026, 3, 31))
    assert [(a.date, a.kind, a.channel, a.level) for a in timeline] == [
        (date(2026, 3, 13), ActionKind.TRIAL_NOTICE, "email", 0),
        (date(2026, 3, 19), ActionKind.TRIAL_NOTICE, "email", 0),
    ]
    assert [a.reasons[0].get("days_before") for a in timeline] == ["7", "1"]
    assert timeline[0].key != timeline[1].key
    assert timeline[0].invoice_ids == ()
    assert timeline[0].amount_due is None


def test_trial_catch_up_sends_only_the_nearest_notice() -> None:
    books = ledger(trials=[Trial("T1", "C1", ENDS)])
    result = run(playbook(), books, ENDS - days(1))
    assert [a.reasons[0].get("days_before") for a in result.actions] == ["1"]
    assert run(playbook(), books, ENDS - days(1), result.actions).actions == ()


def test_trial_notice_on_its_last_day_but_never_after() -> None:
    books = ledger(trials=[Trial("T1", "C1", ENDS)])
    assert len(run(playbook(), books, ENDS).actions) == 1
    assert run(playbook(), books, ENDS + days(1)).actions == ()


def test_trial_notice_days_come_from_the_playbook() -> None:
    books = ledger(trials=[Trial("T1", "C1", ENDS)])
    book = playbook(trial_notice_days=(3,))
    timeline = day_by_day(book, books, date(2026, 3, 1), date(2026, 3, 31))
    assert [a.date for a in timeline] == [date(2026, 3, 17)]


def test_two_trials_ending_the_same_day() -> None:
    books = ledger(trials=[Trial("T2", "C1", ENDS), Trial("T1", "C1", ENDS)])
    timeline = day_by_day(playbook(), books, date(2026, 3, 1), date(2026, 3, 31))
    # one e-mail per day: every notice is sent, none twice
    assert len(timeline) == 4
    assert len({a.key for a in timeline}) == 4
    assert len({a.date for a in timeline}) == 4


def test_two_trials_same_day_plan_is_independent_of_input_order() -> None:
    books = ledger(trials=[Trial("T2", "C1", ENDS), Trial("T1", "C1", ENDS)])
    first = run(playbook(), books, date(2026, 3, 13))
    assert len(first.actions) == 1
    for seed in range(4):
        shuffled = shuffled_ledger(books, random.Random(seed))
        assert run(playbook(), shuffled, date(2026, 3, 13)) == first


# -- credit limit --------------------------------------------------------------------------


def test_credit_hold_once_per_breach() -> None:
    limited = customer(credit_limit=eur(150))
    books = ledger(
        [
            invoice("I1", issued=date(2026, 2, 1), due=date(2026, 5, 1)),
            invoice("I2", issued=date(2026, 2, 10), due=date(2026, 5, 1)),
            invoice("I3", issued=date(2026, 2, 20), due=date(2026, 5, 1)),
        ],
        customers=[limited],
        payments=[payment("P1", date(2026, 2, 15), "100.00")],
    )
    timeline = day_by_day(playbook(), books, date(2026, 2, 1), date(2026, 3, 10))
    holds = [a for a in timeline if a.kind is ActionKind.CREDIT_HOLD]
    assert [(a.date, a.amount_due, a.channel) for a in holds] == [
        (date(2026, 2, 10), eur("200.00"), "internal"),
        (date(2026, 2, 20), eur("200.00"), "internal"),
    ]
    assert holds[0].key != holds[1].key
    assert [a.reasons[0].get("since") for a in holds] == ["2026-02-10", "2026-02-20"]


def test_no_credit_hold_at_the_limit_or_when_disabled() -> None:
    books = ledger([invoice("I1", amount="150.00")], customers=[customer(credit_limit=eur(150))])
    assert run(playbook(), books, DUE - days(1)).actions == ()
    over = ledger([invoice("I1", amount="150.01")], customers=[customer(credit_limit=eur(150))])
    assert [a.kind for a in run(playbook(), over, DUE - days(1)).actions] == [
        ActionKind.CREDIT_HOLD
    ]
    assert run(playbook(credit_hold=False), over, DUE - days(1)).actions == ()


# -- choice of policy -------------------------------------------------------------------------


def _precedence_book() -> object:
    named = [policy(n, (step(f"{n}-1", 7),), profiles=()) for n in "ABCD"]
    listed = policy("E", (step("E-1", 7),), profiles=("business",))
    return playbook(listed, *named, by_tag=[("vip", "C")], by_profile={"business": "D"})


@pytest.mark.parametrize(
    ("invoice_policy", "customer_policy", "tags", "by_profile", "expected"),
    [
        ("A", "B", {"vip"}, True, "A"),
        (None, "B", {"vip"}, True, "B"),
        (None, None, {"vip"}, True, "C"),
        (None, None, set(), True, "D"),
        (None, None, set(), False, "E"),
    ],
)
def test_policy_precedence(
    invoice_policy: str | None,
    customer_policy: str | None,
    tags: set[str],
    by_profile: bool,
    expected: str,
) -> None:
    book = _precedence_book()
    if not by_profile:
        book = book.replace(by_profile=())  # type: ignore[attr-defined]
    books = ledger(
        [invoice(policy=invoice_policy)],
        customers=[customer(policy=customer_policy, tags=tags)],
    )
    result = run(book, books, R1)  # type: ignore[arg-type]
    assert [a.policy for a in result.actions] == [expected]


def test_no_policy_for_the_profile() -> None:
    book = playbook(policy(profiles=("government",)))
    result = run(book, ledger([invoice()]), R1)
    assert skips_of(result) == [("I1", "no_policy", None)]
    assert "business" in result.skipped[0].detail


@pytest.mark.parametrize(
    ("where", "books"),
    [
        ("invoice", ledger([invoice(policy="nope")])),
        ("customer", ledger([invoice()], customers=[customer(policy="nope")])),
    ],
)
def test_unknown_policy_name_is_named_in_the_skip(where: str, books: object) -> None:
    result = run(playbook(), books, R1)  # type: ignore[arg-type]
    assert result.actions == ()
    assert [s.reason for s in result.skipped] == [SkipReason.NO_POLICY]
    assert "'nope'" in result.skipped[0].detail
    assert where in result.skipped[0].detail


def test_valid_invoice_policy_wins_over_an_unknown_customer_policy() -> None:
    book = playbook(policy(), policy("special", steps=(step("s1", 7, "letter"),)))
    books = ledger([invoice(policy="special")], customers=[customer(policy="nope")])
    assert steps_of(run(book, books, R1)) == [("s1", ("I1",), "letter")]
