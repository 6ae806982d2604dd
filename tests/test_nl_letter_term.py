"""The Dutch 14-day letter to consumers: one term, stated, charged and linted alike.

Art. 6:96(6) BW: collection costs are due only after a letter that gives 14
days counted from the day after (presumed) receipt. The term is set by law,
so when its last day is a Saturday, Sunday or general holiday of the
Algemene termijnenwet it ends on the next working day; costs may be charged
only from the day after that. ``nl.consumer_letter_term_end`` gives that
last day: the letter states it, the engine charges from the day after it,
and ``lint`` checks ladders against it.
"""

from __future__ import annotations

from datetime import date

import pytest

from arpolicy.actions import Action, HistoryEntry
from arpolicy.engine import simulate
from arpolicy.fees import CollectionCosts
from arpolicy.law import nl
from arpolicy.lint import lint
from arpolicy.messages import render
from arpolicy.model import Contacts, Customer, Invoice, Ledger
from arpolicy.money import Money
from arpolicy.playbooks import default_playbook
from arpolicy.policy import Anchor, Playbook, Policy, Step, Tone
from engine_helpers import days, eur, run

# The audit's case: a private customer in the Netherlands, EUR 500 due on
# Tuesday 2026-01-27; the 14-day letter goes out on Thursday 2026-02-19 (+23).
DUE = date(2026, 1, 27)
LETTER_SENT = date(2026, 2, 19)
PERSON = Customer(
    "P1", "Consument", "private", "NL", contacts=Contacts("p@x.nl", "+31 6", "Straat 1, Utrecht")
)
BOOKS = Ledger([PERSON], [Invoice("I1", "P1", date(2025, 12, 28), DUE, Money("500.00", "EUR"))])


def _ladder(final_offset: int, *, letter_deadline: int | None = 14) -> Playbook:
    """Reminder, the 14-day letter at +23, and a final step that charges the
    collection costs ``final_offset`` days after the letter's receipt."""
    steps = [
        Step("reminder", 3, "email", deadline_days=4),
        Step("r2", 10, "email", deadline_days=3),
        Step("r3", 16, "email", deadline_days=4),
        Step(
            "fourteen-day-letter",
            23,
            "letter",
            tone=Tone.FORMAL,
            formal=True,
            requires_acknowledgement=True,
            deadline_days=letter_deadline,
            fees=[CollectionCosts()],
        ),
        Step(
            "final-notice",
            final_offset,
            "letter",
            anchor=Anchor.RECEIPT,
            tone=Tone.FINAL,
            fees=[CollectionCosts()],
        ),
    ]
    return Playbook([Policy("consumer", steps, profiles=["private"])])


def _history(book: Playbook) -> list[Action]:
    done: list[Action] = []
    for offset in (3, 10, 16, 23):
        done += run(book, BOOKS, DUE + days(offset), done).actions
    assert done[-1].step == "fourteen-day-letter"
    assert done[-1].date == LETTER_SENT
    return done


# ---------------------------------------------------------------------------
# The law: one function for the term's last day
# ---------------------------------------------------------------------------


def test_a_term_ending_on_a_saturday_ends_on_the_monday() -> None:
    # sent Thursday 19 Feb, presumed received Saturday 21 Feb (Friday 1,
    # Saturday 2); 14 days from 22 Feb end Saturday 7 March -> Monday 9 March
    assert nl.presumed_receipt(LETTER_SENT) == date(2026, 2, 21)
    assert nl.consumer_letter_term_end(LETTER_SENT) == date(2026, 3, 9)


@pytest.mark.parametrize(
    ("sent", "end"),
    [
        # received Fri 20 March; 3 April is Good Friday (art. 3(2) Atw), then the
        # weekend and Easter Monday: Tuesday 7 April
        (date(2026, 3, 18), date(2026, 4, 7)),
        # received Tue 21 April; 5 May is a general holiday every year (the
        # `holidays` package lists it only every fifth year): Wednesday 6 May
        (date(2026, 4, 17), date(2026, 5, 6)),
        # received Thu 30 April; 14 May is Ascension Day, 15 May equated by
        # decree (Besluit gelijkstelling ... 15 mei 2026 ...): Monday 18 May
        (date(2026, 4, 28), date(2026, 5, 18)),
        # received Fri 11 Dec; Christmas Day Friday, Boxing Day Saturday: Monday 28 Dec
        (date(2026, 12, 9), date(2026, 12, 28)),
        # received Mon 13 April 2026 is not possible (Mondays do not count);
        # received Tue 14 April; 28 April is an ordinary Tuesday
        (date(2026, 4, 10), date(2026, 4, 28)),
    ],
)
def test_a_term_ending_on_a_general_holiday_ends_on_the_next_working_day(
    sent: date, end: date
) -> None:
    assert nl.consumer_letter_term_end(sent) == end


def test_a_recorded_receipt_counts_instead_of_the_presumption() -> None:
    # received Tuesday 24 Feb: 14 days end Tuesday 10 March
    got = nl.consumer_letter_term_end(LETTER_SENT, received=date(2026, 2, 24))
    assert got == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (date(2026, 1, 1), True),  # Nieuwjaarsdag
        (date(2026, 4, 3), True),  # Goede Vrijdag, art. 3(2)
        (date(2026, 4, 5), False),  # Easter Sunday: a Sunday, not on the list
        (date(2026, 4, 6), True),  # tweede Paasdag
        (date(2026, 4, 27), True),  # Koningsdag
        (date(2025, 4, 26), True),  # Koningsdag on Saturday: 27 April 2025 was a Sunday
        (date(2025, 4, 28), False),
        (date(2013, 4, 30), True),  # Koninginnedag
        (date(2026, 5, 5), True),  # Bevrijdingsdag, every year
        (date(2026, 5, 14), True),  # Hemelvaartsdag
        (date(2026, 5, 25), True),  # tweede Pinksterdag
        (date(2026, 12, 25), True),
        (date(2026, 12, 26), True),
        (date(2026, 1, 2), True),  # equated by decree
        (date(2026, 3, 9), False),
    ],
)
def test_general_holidays_of_the_algemene_termijnenwet(day: date, holiday: bool) -> None:
    assert nl.is_general_holiday(day) is holiday


# ---------------------------------------------------------------------------
# The engine: the letter states the term, costs only from the day after it
# ---------------------------------------------------------------------------


def test_the_letter_states_the_moved_term_end_in_its_text() -> None:
    plan = simulate(BOOKS, start=date(2026, 1, 1), end=date(2026, 4, 30))
    letter = next(a for a in plan.actions if a.step == "fourteen-day-letter")
    assert letter.date == LETTER_SENT
    assert letter.deadline == nl.consumer_letter_term_end(LETTER_SENT) == date(2026, 3, 9)
    text = render(letter, BOOKS, locale="nl").text
    assert "uiterlijk op 9 maart 2026" in text


def test_no_costs_on_the_last_day_of_the_term() -> None:
    # The letter states no deadline of its own, so nothing holds the final
    # step back: it falls on receipt + 16, Monday 9 March, the term's last day.
    book = _ladder(16, letter_deadline=None)
    (final,) = run(book, BOOKS, date(2026, 3, 9), _history(book)).actions
    assert final.step == "final-notice"
    assert final.collection_costs is None
    assert final.total_due == eur("500.00")
    (note,) = [r for r in final.reasons if r.code == "nl_letter_term"]
    assert "runs until 2026-03-09" in note.text


def test_costs_on_the_first_working_day_after_the_term() -> None:
    # receipt + 17: Tuesday 10 March, the day after the term: WIK 15% of 500
    book = _ladder(17, letter_deadline=None)
    (final,) = run(book, BOOKS, date(2026, 3, 10), _history(book)).actions
    assert final.collection_costs == eur("75.00")
    assert "nl_letter_term" not in [r.code for r in final.reasons]


@pytest.mark.parametrize(
    ("offset", "day", "costs"), [(14, date(2026, 3, 10), None), (15, date(2026, 3, 11), "75.00")]
)
def test_a_recorded_late_receipt_moves_the_costs(offset: int, day: date, costs: str | None) -> None:
    # the letter was received on Tuesday 24 Feb: the term runs until Tuesday 10 March
    book = _ladder(offset, letter_deadline=None)
    history: list[Action | HistoryEntry] = list(_history(book))
    letter = history.pop()
    assert isinstance(letter, Action)
    history.append(HistoryEntry.from_action(letter, received_on=date(2026, 2, 24)))
    (final,) = run(book, BOOKS, day, history).actions
    assert final.collection_costs == (eur(costs) if costs else None)


def test_the_built_in_playbook_charges_after_the_term() -> None:
    plan = simulate(BOOKS, start=date(2026, 1, 1), end=date(2026, 4, 30))
    final = next(a for a in plan.actions if a.step == "final-notice")
    assert final.date == date(2026, 3, 10)
    assert final.collection_costs == eur("75.00")


# ---------------------------------------------------------------------------
# Lint: the same term
# ---------------------------------------------------------------------------


def _findings(book: Playbook) -> list[tuple[str, str | None]]:
    full = Playbook(
        [*book.policies, *(p for p in default_playbook().policies if p.name != "private-standard")],
        deposit_policy="deposit",
    )
    return [(f.code, f.step) for f in lint(full) if f.policy == "consumer"]


def test_lint_warns_when_costs_may_fall_inside_the_moved_term() -> None:
    _, from_receipt = nl.longest_letter_term()
    assert from_receipt > nl.LETTER_TERM_DAYS  # a weekend and holidays move the end
    # without a stated deadline, receipt + 15 is inside the term when its last
    # day moves (9 March above is receipt + 16)
    assert ("costs-within-letter-term", "final-notice") in _findings(
        _ladder(15, letter_deadline=None)
    )
    assert _findings(_ladder(from_receipt + 1, letter_deadline=None)) == []
    # a letter that states its term holds every later step until after it
    assert _findings(_ladder(15)) == []
