"""A notice never claims statutory interest the plan does not hold (issue 14, item 9).

When interest cannot be computed (the first day of default is before the first
row of the jurisdiction's rate table), the action's reason says so and the
message says nothing about interest; in the usual case it states the amount.
The NL commercial rate table (art. 6:119a BW) starts on 2014-07-01.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from arpolicy.actions import Action
from arpolicy.engine import plan
from arpolicy.fees import FixedCompensation, StatutoryInterest
from arpolicy.messages import (
    Company,
    build_context,
    interest_not_computed,
    missing_legal_elements,
    render,
)
from arpolicy.model import Customer, Invoice, Ledger
from arpolicy.money import Money
from arpolicy.policy import Playbook, Policy, Step

INTEREST_WORDS = {"en": "interest", "de": "zinsen", "fr": "intérêts", "nl": "rente"}


def formal_notice_book(step: str = "formal-notice") -> Playbook:
    notice = Step(
        step,
        30,
        "letter",
        formal=True,
        deadline_days=14,
        fees=[StatutoryInterest(), FixedCompensation()],
    )
    return Playbook([Policy("b2b", [notice], profiles=["business"])])


def ledger(due: date, *more: tuple[str, date]) -> Ledger:
    invoices = [
        Invoice(iid, "C1", day - timedelta(days=30), day, Money("1000.00", "EUR"))
        for iid, day in [("I1", due), *more]
    ]
    return Ledger([Customer("C1", "Bakker B.V.", "business", "NL")], invoices, [])


def notice(due: date, step: str = "formal-notice") -> tuple[Action, Ledger]:
    book = ledger(due)
    (action,) = plan(
        book, as_of=due + timedelta(days=30), playbook=formal_notice_book(step)
    ).actions
    return action, book


def test_interest_before_the_rate_table_is_not_claimed_and_the_reason_says_why() -> None:
    # Due 2014-06-01: default from 2014-06-02, a month before the table's first row.
    action, book = notice(date(2014, 6, 1))
    assert action.interest is None
    (reason,) = [r for r in action.reasons if r.code == "interest_not_computed"]
    assert reason.get("invoice") == "I1"
    assert reason.get("what") == "statutory interest"
    assert "not computed" in reason.text
    assert "2014-06-02" in reason.text
    assert "2014-07-01" in reason.text
    assert action.compensation == Money("40.00", "EUR")
    message = render(action, book, locale="en", company=Company("Example B.V."))
    body = " ".join(message.text.split()).lower()  # no-break spaces in amounts
    assert "interest" not in body
    assert "you owe a fixed compensation for recovery costs of € 40,00." in body
    assert "this amount is included in the total above." in body
    assert "interest" not in (message.html or "").lower()


@pytest.mark.parametrize("locale", sorted(INTEREST_WORDS))
@pytest.mark.parametrize("step", ["formal-notice", "notice-of-default", "final-notice"])
def test_no_locale_claims_interest_the_plan_does_not_hold(locale: str, step: str) -> None:
    action, book = notice(date(2014, 6, 1), step)
    message = render(action, book, locale=locale, company=Company("Example B.V."))
    assert INTEREST_WORDS[locale] not in message.text.lower()
    # and the legal check does not ask for the interest the plan does not hold
    assert missing_legal_elements(message, action, book) == ()


@pytest.mark.parametrize("locale", sorted(INTEREST_WORDS))
@pytest.mark.parametrize("step", ["formal-notice", "notice-of-default", "final-notice"])
def test_the_usual_case_still_claims_the_interest(locale: str, step: str) -> None:
    # Due 2014-07-01: default from 2014-07-02, inside the table.
    action, book = notice(date(2014, 7, 1), step)
    assert action.interest is not None
    assert action.interest.amount > 0
    assert not [r for r in action.reasons if r.code == "interest_not_computed"]
    message = render(action, book, locale=locale, company=Company("Example B.V."))
    assert INTEREST_WORDS[locale] in message.text.lower()
    assert missing_legal_elements(message, action, book) == ()


def test_templates_see_whether_interest_is_claimed_and_why_not() -> None:
    action, book = notice(date(2014, 6, 1))
    context = build_context(action, book, locale="en", company=Company(), template="formal-notice")
    assert context["interest_claimed"] is False
    assert context["interest_not_computed"] == interest_not_computed(action)
    assert "statutory interest on I1 not computed" in context["interest_not_computed"]
    action, book = notice(date(2014, 7, 1))
    context = build_context(action, book, locale="en", company=Company(), template="formal-notice")
    assert context["interest_claimed"] is True
    assert context["interest_not_computed"] is None


def test_one_invoice_without_a_rate_does_not_drop_the_interest_of_the_others() -> None:
    # I1 defaults before the table, I2 inside it: I2's interest stays on the notice
    # (the old code stopped at the first invoice it could not compute).
    book = ledger(date(2014, 6, 1), ("I2", date(2014, 7, 1)))
    (action,) = plan(book, as_of=date(2014, 7, 31), playbook=formal_notice_book()).actions
    assert action.invoice_ids == ("I1", "I2")
    assert {c.invoice_id for c in action.charges if c.kind.value == "interest"} == {"I2"}
    assert [r.get("invoice") for r in action.reasons if r.code == "interest_not_computed"] == ["I1"]
