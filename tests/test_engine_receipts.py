"""Recorded receipts in the history: two records of one step on one day, one
with a receipt and one without, are read as one sending received then."""

from __future__ import annotations

from arpolicy.actions import HistoryEntry
from arpolicy.engine.planning import plan_ledger
from arpolicy.engine.screen import done_rows, screen
from arpolicy.policy import Anchor
from engine_helpers import DUE, days, invoice, ledger, playbook, policy, run, step


def _book():
    return playbook(
        policy(
            steps=(
                step("r1", 7),
                step("notice", 14, "letter", requires_acknowledgement=True, formal=True),
                step("final", 5, "letter", anchor=Anchor.RECEIPT),
            )
        )
    )


def _history(received_first: bool) -> list[HistoryEntry]:
    sent = DUE + days(14)
    with_receipt = HistoryEntry(
        "k2", sent, "C1", "notice", ("I1",), "letter", received_on=sent + days(6)
    )
    without = HistoryEntry("k3", sent, "C1", "notice", ("I1",), "email")
    first = HistoryEntry("k1", DUE + days(7), "C1", "r1", ("I1",), "email")
    return [first, with_receipt, without] if received_first else [first, without, with_receipt]


def test_a_step_recorded_twice_on_one_day_counts_from_its_recorded_receipt() -> None:
    books = ledger([invoice()])
    sent = DUE + days(14)
    # the final notice counts 5 days from the receipt recorded 6 days after sending
    for order in (True, False):
        early = run(_book(), books, sent + days(10), _history(order))
        assert [a.step for a in early.actions] == []
        due = run(_book(), books, sent + days(11), _history(order))
        assert [a.step for a in due.actions] == ["final"]


def test_the_screen_counts_from_a_recorded_receipt_too() -> None:
    """The columnar stage reads the recorded receipt of the first sending
    (the earliest of its day) and plans the customer by itself."""
    books = ledger([invoice()])
    sent = DUE + days(14)
    for order in (True, False):
        history = _history(order)
        found = screen(books, _book(), done_rows(history, sent + days(11)), sent + days(11))
        assert "C1" not in found.busy
        for day in (sent + days(10), sent + days(11)):
            expected, screened = (
                plan_ledger(
                    books,
                    as_of=day,
                    at=None,
                    playbook=_book(),
                    history=history,
                    rates=None,
                    plugins=None,
                    columnar=columnar,
                )
                for columnar in (False, True)
            )
            assert screened == expected
