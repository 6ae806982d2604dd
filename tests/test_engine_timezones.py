"""A customer's own day: ``plan(at=...)`` plans each customer on its local date.

At 2026-03-02 20:00 UTC it is already Tuesday 3 March, 09:00, in Auckland
(NZDT, UTC+13) and still Monday 2 March, 12:00, in Los Angeles (PST, UTC-8).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

import arpolicy
from arpolicy.errors import InvalidFieldError
from engine_helpers import customer, invoice, ledger, payment, playbook, policy, step

AT = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
MONDAY = date(2026, 3, 2)
TUESDAY = date(2026, 3, 3)
DUE = date(2026, 3, 1)

KIWI = customer("NZ1", country="NZ", timezone="Pacific/Auckland")
ANGELENO = customer("LA1", country="US", timezone="America/Los_Angeles")
LONDON = customer("UK1", country="GB")  # no time zone given: UTC

# A reminder the day after the due date, and a second one the day after that.
# catch_up "highest": a first run on Tuesday in Auckland goes straight to the
# second reminder, which is what these tests compare across time zones.
BOOK = playbook(policy("std", (step("first", 1), step("second", 2)), catch_up="highest"))


def _books(*payments: arpolicy.Payment) -> arpolicy.Ledger:
    return ledger(
        [
            invoice("I-NZ", customer_id="NZ1", due=DUE),
            invoice("I-LA", customer_id="LA1", due=DUE),
            invoice("I-UK", customer_id="UK1", due=DUE),
        ],
        customers=[KIWI, ANGELENO, LONDON],
        payments=payments,
    )


def _dated(result: arpolicy.Plan) -> dict[str, tuple[date, str]]:
    return {a.customer_id: (a.date, a.step) for a in result.actions}


def test_each_customer_is_planned_on_its_own_date() -> None:
    result = arpolicy.plan(_books(), at=AT, playbook=BOOK)
    assert _dated(result) == {
        "NZ1": (TUESDAY, "second"),  # Tuesday in Auckland: the second reminder is due
        "LA1": (MONDAY, "first"),  # still Monday in Los Angeles
        "UK1": (MONDAY, "first"),  # UTC: 20:00 on Monday
    }
    assert result.as_of == MONDAY  # the date of `at` in its own zone (UTC)


def test_the_plan_date_is_the_date_of_at_in_its_own_zone() -> None:
    in_auckland = AT.astimezone(timezone(timedelta(hours=13)))
    result = arpolicy.plan(_books(), at=in_auckland, playbook=BOOK)
    assert result.as_of == TUESDAY
    assert _dated(result) == _dated(arpolicy.plan(_books(), at=AT, playbook=BOOK))


def test_a_date_keeps_its_meaning_for_every_customer() -> None:
    result = arpolicy.plan(_books(), as_of=MONDAY, playbook=BOOK)
    assert _dated(result) == {
        "NZ1": (MONDAY, "first"),
        "LA1": (MONDAY, "first"),
        "UK1": (MONDAY, "first"),
    }
    assert result.as_of == MONDAY


def test_payments_count_up_to_the_customers_own_date() -> None:
    # Paid on Tuesday, local time, in Auckland: on its Tuesday nothing is due.
    paid = payment("P-NZ", TUESDAY, "100.00", customer_id="NZ1", currency="EUR")
    result = arpolicy.plan(_books(paid), at=AT, playbook=BOOK)
    assert "NZ1" not in _dated(result)
    # With Monday as the date for everyone, Tuesday's payment does not count yet.
    assert _dated(arpolicy.plan(_books(paid), as_of=MONDAY, playbook=BOOK))["NZ1"] == (
        MONDAY,
        "first",
    )


def test_history_of_the_customers_own_today_counts() -> None:
    # The first reminder went out on Auckland's Tuesday already: nothing more
    # that day (a step never follows another on the day it was sent).
    first = arpolicy.plan(_books(), as_of=TUESDAY, playbook=BOOK)
    kiwi = [a for a in first.actions if a.customer_id == "NZ1"]
    result = arpolicy.plan(_books(), at=AT, playbook=BOOK, history=kiwi)
    assert "NZ1" not in _dated(result)
    assert _dated(result)["LA1"] == (MONDAY, "first")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "as_of"),
        ({"as_of": MONDAY, "at": AT}, "as_of"),
        ({"at": AT.replace(tzinfo=None)}, "at"),  # naive: no instant
        ({"at": MONDAY}, "at"),
        ({"as_of": AT}, "as_of"),  # a datetime is not a date here
    ],
)
def test_exactly_one_of_a_date_and_an_aware_instant(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        arpolicy.plan(_books(), playbook=BOOK, **kwargs)  # type: ignore[arg-type]
    assert (caught.value.kind, caught.value.field) == ("plan", field)


def test_a_customer_tells_its_local_date() -> None:
    assert KIWI.local_date(AT) == TUESDAY
    assert ANGELENO.local_date(AT) == MONDAY
    with pytest.raises(InvalidFieldError, match="timezone-aware"):
        KIWI.local_date(AT.replace(tzinfo=None))
