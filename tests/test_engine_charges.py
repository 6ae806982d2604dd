"""Fees, interest, compensation and collection costs on the engine's actions.

Each expected figure is worked out by hand in the comment above it (rates
from ../shared/LAW.md; interest actual/365, first day of default counted,
action date not; half-up to the cent).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs

from arpolicy.actions import Action, HistoryEntry
from arpolicy.engine import plan
from arpolicy.fees import (
    ChargeKind,
    CollectionCosts,
    Fee,
    FeeCaps,
    FixedCompensation,
    StatutoryInterest,
)
from arpolicy.law import RateBook, RateRow
from arpolicy.policy import Anchor, Tone
from engine_helpers import DUE, customer, days, eur, invoice, ledger, playbook, policy, run, step


def reasons(action: Action) -> list[str]:
    return [r.code for r in action.reasons]


def test_business_notice_states_interest_and_compensation() -> None:
    ladder = [step("notice", 28, "letter", fees=[StatutoryInterest(), FixedCompensation()])]
    book = playbook(policy(steps=ladder))
    result = run(book, ledger([invoice(amount="1000.00")]), DUE + days(28))
    (action,) = result.actions
    # NL art. 6:119a BW, 10.15% since 2025-07-01. Default from 2026-03-03 (the
    # day after the due date) to 2026-03-30 (exclusive): 27 days.
    # 1000.00 x 10.15% x 27 / 365 = 7.50822 -> 7.51
    assert action.interest == eur("7.51")
    # EUR 40 per invoice for a business debtor.
    assert action.compensation == eur("40.00")
    assert action.total_due == eur("1047.51")
    assert action.fees is None  # no contractual fee
    interest = next(c for c in action.charges if c.kind is ChargeKind.INTEREST)
    assert interest.invoice_id == "I1"
    assert interest.rate == "10.15%"
    assert "6:119a" in interest.rule


def test_charges_ride_on_the_first_channel_only() -> None:
    ladder = [step("notice", 28, "letter", "email", fees=[Fee(fixed=[eur("5")])])]
    result = run(playbook(policy(steps=ladder)), ledger([invoice()]), DUE + days(28))
    letter, mail = sorted(result.actions, key=lambda a: a.channel != "letter")
    assert letter.fees == eur("5.00")
    assert mail.fees is None
    assert mail.charges == ()


def test_german_consumer_interest_starts_with_the_first_reminder() -> None:
    ladder = [
        step("r1", 7),
        step("notice", 28, "letter", fees=[StatutoryInterest()]),
    ]
    book = playbook(policy(steps=ladder))
    books = ledger(
        [invoice(amount="1000.00")], customers=[customer(country="DE", profile="private")]
    )
    first = run(book, books, DUE + days(7))
    assert [a.step for a in first.actions] == ["r1"]
    (notice,) = run(book, books, DUE + days(28), first.actions).actions
    # §288 BGB: base rate 1.27% (2026-01-01) + 5 points for a consumer = 6.27%.
    # Default from the day after the Mahnung (2026-03-09): 2026-03-10 to
    # 2026-03-30 = 20 days. 1000.00 x 6.27% x 20 / 365 = 3.43561 -> 3.44
    assert notice.interest == eur("3.44")


def test_german_consumer_without_reminder_is_not_in_default() -> None:
    ladder = [step("notice", 28, "letter", fees=[StatutoryInterest()])]
    books = ledger([invoice()], customers=[customer(country="DE", profile="private")])
    (notice,) = run(playbook(policy(steps=ladder)), books, DUE + days(28)).actions
    assert notice.interest is None
    assert "de_not_in_default" in reasons(notice)


def _consumer_ladder() -> list:  # type: ignore[type-arg]
    return [
        step("reminder", 3),
        step(
            "letter",
            17,
            "letter",
            tone=Tone.FORMAL,
            formal=True,
            requires_acknowledgement=True,
            deadline_days=14,
            fees=[CollectionCosts()],
        ),
        step(
            "final",
            15,
            "letter",
            anchor=Anchor.RECEIPT,
            fees=[CollectionCosts(), Fee(name="admin", fixed=[eur("10")])],
        ),
    ]


def test_dutch_consumer_letter_announces_costs_and_the_final_notice_charges_them() -> None:
    book = playbook(policy(steps=_consumer_ladder()))
    books = ledger([invoice(amount="1000.00")], customers=[customer(profile="private")])
    history: list[Action] = []
    for offset in (3, 17):
        history += run(book, books, DUE + days(offset), history).actions
    letter = history[-1]
    assert letter.step == "letter"
    assert letter.date == date(2026, 3, 19)
    # WIK: 15% of the first 2,500 -> 15% of 1,000.00 = 150.00, announced only.
    (costs,) = letter.charges
    assert (costs.kind, costs.amount, costs.announced) == (
        ChargeKind.COLLECTION_COSTS,
        eur("150.00"),
        True,
    )
    assert letter.collection_costs is None
    assert letter.total_due == eur("1000.00")
    # Sent Thursday 2026-03-19: presumed received on the second day after
    # sending, Sundays and Mondays not counted: Friday 20 (1), Saturday 21 (2).
    # The final step is due 15 days after receipt, Sunday 2026-04-05, but the
    # letter's deadline (Saturday 04-04) moved past Easter Sunday and Monday to
    # Tuesday 04-07: the final notice waits until the day after, 04-08.
    final_day = date(2026, 4, 8)
    assert run(book, books, final_day - days(1), history).actions == ()
    (final,) = run(book, books, final_day, history).actions
    assert final.collection_costs == eur("150.00")
    assert final.fees == eur("10.00")
    assert final.total_due == eur("1160.00")


def test_dutch_consumer_costs_wait_for_the_letter_term() -> None:
    # The letter here states no deadline of its own, so the engine's rule that
    # no step falls inside a stated deadline does not hold the final step back:
    # only the charging rule keeps the costs out until the statutory term ran.
    ladder = _consumer_ladder()
    ladder[1] = attrs.evolve(ladder[1], deadline_days=None)
    ladder[2] = step(
        "final",
        5,
        "letter",
        anchor=Anchor.RECEIPT,
        fees=[CollectionCosts(), Fee(fixed=[eur("10")])],
    )
    book = playbook(policy(steps=ladder))
    books = ledger([invoice(amount="1000.00")], customers=[customer(profile="private")])
    history: list[Action] = []
    for offset in (3, 17):
        history += run(book, books, DUE + days(offset), history).actions
    (final,) = run(book, books, date(2026, 3, 26), history).actions
    assert final.charges == ()
    assert final.total_due == eur("1000.00")
    assert "nl_letter_term" in reasons(final)


def test_belgian_consumer_first_reminder_is_free_and_later_fees_are_capped() -> None:
    ladder = [
        step("r1", 3, fees=[Fee(fixed=[eur("15")])]),
        step("r2", 40, fees=[Fee(fixed=[eur("15")])]),
    ]
    book = playbook(policy(steps=ladder))
    books = ledger([invoice()], customers=[customer(country="BE", profile="private")])
    (first,) = run(book, books, DUE + days(3)).actions
    assert first.fees is None
    assert "be_first_reminder_free" in reasons(first)
    (second,) = run(book, books, DUE + days(40), [first]).actions
    # A further reminder costs a Belgian consumer at most EUR 7.50.
    assert second.fees == eur("7.50")
    assert "be_reminder_cap" in reasons(second)


def test_no_jurisdiction_pack_means_no_statutory_charges() -> None:
    ladder = [step("notice", 28, "letter", fees=[StatutoryInterest(), FixedCompensation()])]
    books = ledger([invoice(currency="USD")], customers=[customer(country="US")])
    (action,) = run(playbook(policy(steps=ladder)), books, DUE + days(28)).actions
    assert action.charges == ()
    assert "no_jurisdiction" in reasons(action)


def test_fee_caps_hold_over_the_history() -> None:
    ladder = [
        step("r1", 7, fees=[Fee(fixed=[eur("7.50")])]),
        step("r2", 14, fees=[Fee(fixed=[eur("7.50")])]),
    ]
    book = playbook(policy(steps=ladder, fee_caps=FeeCaps(per_customer=[eur("10")])))
    books = ledger([invoice()])
    (first,) = run(book, books, DUE + days(7)).actions
    assert first.fees == eur("7.50")
    entry = HistoryEntry.from_action(first)
    assert entry.fees == eur("7.50")
    (second,) = run(book, books, DUE + days(14), [entry]).actions
    # 10.00 cap - 7.50 already charged = 2.50 left.
    assert second.fees == eur("2.50")
    assert "fee_capped" in reasons(second)


def test_planning_twice_never_charges_twice() -> None:
    ladder = [step("r1", 7, fees=[Fee(fixed=[eur("7.50")])])]
    book = playbook(policy(steps=ladder))
    books = ledger([invoice()])
    first = run(book, books, DUE + days(7))
    again = run(book, books, DUE + days(7), first.actions)
    assert again.actions == ()


def test_interest_past_the_last_known_rate_says_so_and_newer_rows_fix_it() -> None:
    ladder = [step("notice", 28, "letter", fees=[StatutoryInterest()])]
    book = playbook(policy(steps=ladder))
    due = date(2026, 7, 31)
    books = ledger([invoice(due=due, amount="1000.00")])
    (stale,) = run(book, books, due + days(28)).actions
    # The shipped NL table ends with the row of 2026-01-01 (known to 2026-06-30):
    # the last rate is used, and the reasons say so. 27 days x 10.15% = 7.51.
    assert stale.interest == eur("7.51")
    assert "stale_rate" in reasons(stale)
    # With a (hypothetical) 2026-07-01 row of 9.00%: 1000 x 9% x 27 / 365 = 6.657... -> 6.66
    rates = RateBook.shipped().merged(
        [RateRow("NL", "nl-6:119a", date(2026, 7, 1), Decimal("9.00"))]
    )
    (fresh,) = plan(books, as_of=due + days(28), playbook=book, rates=rates).actions
    assert fresh.interest == eur("6.66")
    assert "stale_rate" not in reasons(fresh)
