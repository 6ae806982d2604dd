"""The built-in playbook follows the documented defaults and behaves as promised."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from arpolicy.actions import ActionKind
from arpolicy.engine import simulate
from arpolicy.io import dumps_playbook, load_playbook, loads_playbook
from arpolicy.law.nl import consumer_letter_term_end, presumed_receipt
from arpolicy.model import Contacts, Customer, Invoice, InvoiceKind, Ledger, Profile
from arpolicy.money import Money
from arpolicy.playbooks import builtin_playbook_path, default_playbook, policy_names
from arpolicy.policy import Anchor, Tone

# (name, anchor, offset, channels, tone, formal, requires_acknowledgement, action)
Row = tuple[str, Anchor, int, tuple[str, ...], Tone, bool, bool, str]
DUE, RECEIPT = Anchor.DUE, Anchor.RECEIPT
C, FR, FI, FO, FN = Tone.COURTESY, Tone.FRIENDLY, Tone.FIRM, Tone.FORMAL, Tone.FINAL

EXPECTED: dict[str, list[Row]] = {
    "business-standard": [
        ("courtesy", DUE, -3, ("email",), C, False, False, "reminder"),
        ("call", DUE, 1, ("phone",), FR, False, False, "reminder"),
        ("reminder", DUE, 3, ("email",), FR, False, False, "reminder"),
        ("stern-reminder", DUE, 16, ("email", "letter"), FI, False, False, "reminder"),
        ("notice-of-default", DUE, 23, ("letter",), FO, True, False, "reminder"),
        ("final-notice", DUE, 30, ("letter",), FN, False, False, "reminder"),
        ("handover", DUE, 37, ("agency",), FN, False, False, "handover"),
    ],
    "government-standard": [
        ("receipt-check", DUE, -7, ("email",), C, False, False, "reminder"),
        ("accounts-payable", DUE, 1, ("email",), FR, False, False, "reminder"),
        ("second-reminder", DUE, 14, ("email",), FI, False, False, "reminder"),
        ("contract-owner-call", DUE, 21, ("phone",), FI, False, False, "reminder"),
        ("formal-notice", DUE, 30, ("letter",), FO, True, False, "reminder"),
        ("escalation", DUE, 45, ("letter", "email"), FN, False, False, "reminder"),
    ],
    "private-standard": [
        ("courtesy-7", DUE, -7, ("email",), C, False, False, "reminder"),
        ("courtesy-3", DUE, -3, ("email",), C, False, False, "reminder"),
        ("courtesy-1", DUE, -1, ("email", "sms"), C, False, False, "reminder"),
        ("reminder", DUE, 3, ("email",), FR, False, False, "reminder"),
        ("second-reminder", DUE, 10, ("email",), FI, False, False, "reminder"),
        ("third-reminder", DUE, 16, ("email",), FI, False, False, "reminder"),
        ("fourteen-day-letter", DUE, 23, ("letter",), FO, True, True, "reminder"),
        ("final-notice", RECEIPT, 15, ("letter",), FN, False, False, "reminder"),
        ("handover", RECEIPT, 8, ("agency",), FN, False, False, "handover"),
    ],
    "deposit": [
        ("deposit-due", DUE, 0, ("email",), FR, False, False, "reminder"),
        ("deposit-reminder", DUE, 3, ("email",), FR, False, False, "reminder"),
        ("deposit-second-reminder", DUE, 7, ("email",), FI, False, False, "reminder"),
        ("work-on-hold", DUE, 10, ("email",), FI, False, False, "work_on_hold"),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_ladders_follow_the_documented_defaults(name: str) -> None:
    policy = default_playbook().policy(name)
    got = [
        (
            s.name,
            s.anchor,
            s.offset_days,
            s.channels,
            s.tone,
            s.formal,
            s.requires_acknowledgement,
            s.action,
        )
        for s in policy.steps
    ]
    assert got == EXPECTED[name]
    rules = [(s.name, type(r).__name__) for s in policy.steps for r in s.fees]
    assert rules == FEE_RULES[name]


# No flat fees anywhere: formal notices state what the law gives.
FEE_RULES: dict[str, list[tuple[str, str]]] = {
    "business-standard": [
        ("notice-of-default", "StatutoryInterest"),
        ("notice-of-default", "FixedCompensation"),
        ("final-notice", "StatutoryInterest"),
        ("final-notice", "FixedCompensation"),
        ("handover", "StatutoryInterest"),
        ("handover", "FixedCompensation"),
    ],
    "government-standard": [],
    "private-standard": [
        ("fourteen-day-letter", "CollectionCosts"),
        ("final-notice", "CollectionCosts"),
        ("final-notice", "StatutoryInterest"),
        ("handover", "StatutoryInterest"),
    ],
    "deposit": [],
}


def test_choice_of_policy() -> None:
    book = default_playbook()
    assert policy_names() == (
        "business-standard",
        "government-standard",
        "private-standard",
        "deposit",
    )
    for profile in Profile:
        customer = Customer("C", "X", profile, "NL")
        chosen = book.policy_for(customer)
        assert chosen is not None
        assert chosen.name == f"{profile.value}-standard"
        assert profile in chosen.profiles
        deposit = Invoice(
            "D", "C", date(2025, 1, 1), date(2025, 1, 8), Money("1.00", "EUR"), kind="deposit"
        )
        assert book.policy_for(customer, deposit) == book.policy("deposit")
    assert book.policy("deposit").kinds == {InvoiceKind.DEPOSIT}
    assert book.trial_notice_days == (7, 1)
    assert book.credit_hold is True


def test_details_of_the_formal_steps() -> None:
    book = default_playbook()
    business = book.policy("business-standard")
    # 4 days: the notice of default's deadline ends before the final notice at +30
    assert business.steps[business.step_index("notice-of-default") or 0].deadline_days == 4
    private = book.policy("private-standard")
    letter = private.steps[private.step_index("fourteen-day-letter") or 0]
    assert (letter.deadline_days, letter.calendar) == (14, "customer")
    assert private.min_days_between == 2
    for policy in book.policies:
        assert policy.minimum_for("EUR") == Money("5.00", "EUR")


def test_cached_and_loaded_from_package_data() -> None:
    assert default_playbook() is default_playbook()
    path = builtin_playbook_path()
    assert path.name == "default.toml"
    assert path.is_file()
    assert path.parent.parent.parent.name == "arpolicy"
    assert load_playbook(path) == default_playbook()
    assert loads_playbook(dumps_playbook(default_playbook())) == default_playbook()


def test_engine_uses_it_and_respects_the_14_day_term() -> None:
    customer = Customer(
        "P1", "Consumer", "private", "NL", contacts=Contacts("p@x.nl", "+31 6", "Street 1")
    )
    due = date(2025, 3, 3)
    invoice = Invoice("I1", "P1", date(2025, 2, 1), due, Money("120.00", "EUR"))
    plan = simulate(Ledger([customer], [invoice]), start=date(2025, 2, 1), end=date(2025, 6, 30))
    dates: dict[str, date] = {}
    for action in plan.actions:
        dates.setdefault(action.step, action.date)
    assert list(dates) == [s.name for s in default_playbook().policy("private-standard").steps]
    received = presumed_receipt(dates["fourteen-day-letter"])
    # the term is 14 days from the day after receipt: nothing before it has run out
    assert dates["final-notice"] >= received + timedelta(days=15)
    # and after the term's last day, moved off weekends and general holidays
    assert dates["final-notice"] > consumer_letter_term_end(dates["fourteen-day-letter"])
    assert dates["handover"] > dates["final-notice"] + timedelta(days=7)
    assert [a.kind for a in plan.actions if a.step == "handover"] == [ActionKind.HANDOVER]


def test_business_ladder_in_the_engine() -> None:
    customer = Customer("B1", "Firm", "business", "NL", contacts=Contacts("b@x.nl", "+31", "St"))
    due = date(2025, 3, 3)  # a Monday
    invoice = Invoice("I1", "B1", date(2025, 2, 1), due, Money("500.00", "EUR"))
    plan = simulate(Ledger([customer], [invoice]), start=date(2025, 2, 1), end=date(2025, 6, 30))
    got = [((a.date - due).days, a.step, a.channel) for a in plan.actions]
    assert got == [
        (-3, "courtesy", "email"),
        (1, "call", "phone"),
        (3, "reminder", "email"),
        (16, "stern-reminder", "email"),
        (16, "stern-reminder", "letter"),
        (23, "notice-of-default", "letter"),
        (30, "final-notice", "letter"),
        (37, "handover", "agency"),
    ]
