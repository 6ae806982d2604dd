"""Business-day calendars, deadlines and the RECEIPT anchor.

Dates used: NL King's Day is Monday 2026-04-27; DE German Unity Day is
Friday 2025-10-03 and Saturday 2026-10-03.
"""

from __future__ import annotations

from datetime import date

import pytest

from arpolicy.actions import HistoryEntry
from arpolicy.policy import Anchor
from engine_helpers import (
    customer,
    day_by_day,
    days,
    invoice,
    ledger,
    playbook,
    policy,
    run,
    skips_of,
    step,
)

KINGS_DAY = date(2026, 4, 27)


def _first_action_date(
    due: date,
    offset: int,
    *,
    country: str = "NL",
    rule: str = "customer",
    step_rule: str | None = None,
) -> date:
    book = playbook(policy(steps=(step("r1", offset, calendar=step_rule),), calendar=rule))
    books = ledger([invoice(due=due)], customers=[customer(country=country)])
    timeline = day_by_day(book, books, due, due + days(offset + 10))
    assert len(timeline) == 1
    return timeline[0].date


@pytest.mark.parametrize(
    ("due", "offset", "country", "expected"),
    [
        (date(2026, 4, 20), 7, "NL", date(2026, 4, 28)),  # King's Day (Mon) -> Tue
        (date(2026, 4, 18), 7, "NL", date(2026, 4, 28)),  # Sat 04-25 -> past King's Day
        (date(2026, 4, 20), 7, "DE", KINGS_DAY),  # not a holiday in Germany
        (date(2025, 9, 26), 7, "DE", date(2025, 10, 6)),  # Unity Day (Fri) -> Mon
        (date(2026, 9, 26), 7, "DE", date(2026, 10, 5)),  # Unity Day on a Saturday -> Mon
        (date(2026, 3, 2), 5, "NL", date(2026, 3, 9)),  # Saturday -> Monday
        (date(2026, 3, 2), 6, "NL", date(2026, 3, 9)),  # Sunday -> Monday
        (date(2026, 3, 2), 7, "NL", date(2026, 3, 9)),  # a business day stays
    ],
)
def test_customer_calendar_moves_to_the_next_business_day(
    due: date, offset: int, country: str, expected: date
) -> None:
    assert _first_action_date(due, offset, country=country) == expected


def test_no_calendar_keeps_weekends_and_holidays() -> None:
    assert _first_action_date(date(2026, 4, 20), 7, rule="none") == KINGS_DAY


def test_country_calendar_rule() -> None:
    # a German customer under a policy that follows the Dutch calendar
    assert _first_action_date(date(2026, 4, 20), 7, country="DE", rule="NL") == date(2026, 4, 28)


def test_step_calendar_overrides_the_policy() -> None:
    assert _first_action_date(date(2026, 4, 20), 7, rule="none", step_rule="customer") == date(
        2026, 4, 28
    )
    assert _first_action_date(date(2026, 4, 20), 7, rule="customer", step_rule="none") == KINGS_DAY


def test_moved_step_is_not_due_before_its_business_day() -> None:
    book = playbook(policy(steps=(step("r1", 7),), calendar="customer"))
    result = run(book, ledger([invoice(due=date(2026, 4, 20))]), KINGS_DAY)
    assert result.actions == ()
    assert skips_of(result) == [("I1", "not_due", "r1")]
    assert "2026-04-28" in result.skipped[0].detail


def test_deadline_moves_to_the_customers_next_business_day() -> None:
    book = playbook(policy(steps=(step("r1", 7, deadline_days=14),)))
    # action on Monday 04-13; 14 days later is King's Day -> Tuesday 04-28
    result = run(book, ledger([invoice(due=date(2026, 4, 6))]), date(2026, 4, 13))
    assert result.actions[0].deadline == date(2026, 4, 28)
    # a German customer pays on King's Day
    books = ledger([invoice(due=date(2026, 4, 6))], customers=[customer(country="DE")])
    assert run(book, books, date(2026, 4, 13)).actions[0].deadline == KINGS_DAY


def test_deadline_of_an_acknowledged_step_counts_from_presumed_receipt() -> None:
    book = playbook(policy(steps=(step("r1", 7, requires_acknowledgement=True, deadline_days=14),)))
    # Dutch customer, sent Friday 04-24: the second day after sending, Sundays,
    # Mondays and public holidays not counted: Sat 04-25 (1), Sun 04-26 and
    # Mon 04-27 (King's Day) skipped, Tue 04-28 (2). Deadline 04-28 + 14 = 05-12.
    result = run(book, ledger([invoice(due=date(2026, 4, 17))]), date(2026, 4, 24))
    assert result.actions[0].deadline == date(2026, 5, 12)


def test_deadline_elsewhere_counts_business_days_of_the_customers_country() -> None:
    book = playbook(policy(steps=(step("r1", 7, requires_acknowledgement=True, deadline_days=14),)))
    books = ledger([invoice(due=date(2026, 4, 17))], customers=[customer(country="DE")])
    # German customer, sent Friday 04-24: two business days, Mon 04-27 and
    # Tue 04-28; deadline 04-28 + 14 = 05-12.
    result = run(book, books, date(2026, 4, 24))
    assert result.actions[0].deadline == date(2026, 5, 12)
    # Sent Thursday 04-30: Fri 05-01 is Labour Day in Germany, so Mon 05-04 and
    # Tue 05-05; 05-05 + 14 = 05-19.
    later = ledger([invoice(due=date(2026, 4, 23))], customers=[customer(country="DE")])
    assert run(book, later, date(2026, 4, 30)).actions[0].deadline == date(2026, 5, 19)


def test_deadline_on_a_weekend_moves_to_monday() -> None:
    book = playbook(policy(steps=(step("r1", 7, deadline_days=5),)))
    result = run(book, ledger([invoice(due=date(2026, 3, 2))]), date(2026, 3, 9))
    assert result.actions[0].deadline == date(2026, 3, 16)  # Sat 03-14 -> Mon 03-16


# -- acknowledgement and the RECEIPT anchor ---------------------------------------

RECEIPT_STEPS = (
    step("notice", 7, "letter", requires_acknowledgement=True, formal=True),
    step("after", 5, anchor=Anchor.RECEIPT),
)


def _receipt_case(
    sent: date, received: date | None, country: str = "NL"
) -> tuple[list[date], list[str]]:
    book = playbook(policy(steps=RECEIPT_STEPS))
    books = ledger([invoice(due=sent - days(7))], customers=[customer(country=country)])
    hist = [HistoryEntry("k", sent, "C1", "notice", ("I1",), "letter", "EUR", received)]
    found = []
    details = []
    for offset in range(40):
        day = sent + days(offset)
        result = run(book, books, day, hist)
        if result.actions:
            found.append(day)
            hist += [HistoryEntry.from_action(a) for a in result.actions]
        elif result.skipped:
            details.append(result.skipped[0].detail)
    return found, details


def test_receipt_anchor_uses_the_recorded_receipt() -> None:
    found, _ = _receipt_case(date(2026, 3, 9), date(2026, 3, 13))
    assert found == [date(2026, 3, 18)]


def test_receipt_anchor_presumes_receipt_in_business_days() -> None:
    # sent Friday 03-13: 2 business days later is Tuesday 03-17, +5 -> 03-22
    found, _ = _receipt_case(date(2026, 3, 13), None)
    assert found == [date(2026, 3, 22)]


def test_dutch_presumed_receipt_skips_sundays_mondays_and_holidays() -> None:
    # sent Friday 04-24: Sat 04-25 counts (1); Sun 04-26 and Mon 04-27 (King's
    # Day) do not; Tue 04-28 (2) is the presumed receipt; +5 -> 05-03
    found, _ = _receipt_case(date(2026, 4, 24), None)
    assert found == [date(2026, 5, 3)]


def test_presumed_receipt_skips_the_customers_holidays() -> None:
    # German customer, sent Thursday 04-30: Fri 05-01 is Labour Day, so two
    # business days are Mon 05-04 and Tue 05-05; +5 -> 05-10
    found, _ = _receipt_case(date(2026, 4, 30), None, country="DE")
    assert found == [date(2026, 5, 10)]


def test_presumed_receipt_days_come_from_the_policy() -> None:
    book = playbook(policy(steps=RECEIPT_STEPS, presumed_receipt_days=0))
    # (Dutch customers follow the statutory rule instead.)
    books = ledger([invoice(due=date(2026, 3, 2))], customers=[customer(country="DE")])
    hist = [HistoryEntry("k", date(2026, 3, 9), "C1", "notice", ("I1",), "letter", "EUR")]
    assert run(book, books, date(2026, 3, 13), hist).actions == ()
    assert [a.step for a in run(book, books, date(2026, 3, 14), hist).actions] == ["after"]


def test_step_after_an_acknowledged_one_never_precedes_its_receipt() -> None:
    steps = (
        step("notice", 7, "letter", requires_acknowledgement=True),
        step("r2", 8),  # due-anchored: 03-10, but notice is only received on 03-20
    )
    book = playbook(policy(steps=steps))
    books = ledger([invoice(due=date(2026, 3, 2))])
    hist = [
        HistoryEntry(
            "k", date(2026, 3, 9), "C1", "notice", ("I1",), "letter", "EUR", date(2026, 3, 20)
        )
    ]
    assert run(book, books, date(2026, 3, 19), hist).actions == ()
    assert [a.step for a in run(book, books, date(2026, 3, 20), hist).actions] == ["r2"]


def test_receipt_anchored_step_follows_its_unsent_predecessor() -> None:
    steps = (step("r1", 7), step("r2", 0, anchor=Anchor.RECEIPT))
    book = playbook(policy(steps=steps))
    books = ledger([invoice(due=date(2026, 3, 2))])
    # long overdue and nothing sent: r2 cannot be anchored, so r1 goes first
    result = run(book, books, date(2026, 6, 1))
    assert [a.step for a in result.actions] == ["r1"]
    assert result.skipped == ()


def test_a_late_step_waits_for_a_business_day_when_its_calendar_says_so() -> None:
    # r1 (+7) fell on Monday 03-09; planned first on Saturday 03-14 (a catch-up),
    # a step that follows the customer's calendar waits for Monday 03-16. r2
    # (+14) is due that day too, but the ladder resumes at r1 (catch_up
    # "resume"); with catch_up "highest" r2 supersedes it.
    books = ledger([invoice(due=date(2026, 3, 2))])
    saturday, monday = date(2026, 3, 14), date(2026, 3, 16)
    bound = playbook(policy(calendar="customer"))
    result = run(bound, books, saturday)
    assert result.actions == ()
    (skip,) = result.skipped
    assert skip.detail == "step 'r1' is due; it waits for the next business day, 2026-03-16"
    assert [a.step for a in run(bound, books, monday).actions] == ["r1"]
    highest = playbook(policy(calendar="customer", catch_up="highest"))
    assert [a.step for a in run(highest, books, monday).actions] == ["r2"]
    # without a calendar rule it goes out on the Saturday
    assert [a.step for a in run(playbook(policy()), books, saturday).actions] == ["r1"]
