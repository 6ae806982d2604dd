"""Statutory interest on parts of an invoice paid late (issue 14, item 3).

Interest accrues on each part of the principal from the first day of default
until the day that part is paid. Every figure is worked out by hand in the
comment above it: NL art. 6:119a BW, 10.15% from 2025-07-01 (and 2026-01-01),
actual/365, first day of default counted, payment day and action day not,
half-up to the cent per period.
"""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from arpolicy.actions import Action
from arpolicy.engine import plan, simulate
from arpolicy.errors import InvalidFieldError, LoadError
from arpolicy.fees import ChargeKind, StatutoryInterest
from arpolicy.io import dumps_playbook, load_ledger, loads_playbook
from arpolicy.law import interest_breakdown, statutory_interest
from arpolicy.messages import render
from arpolicy.model import Customer, Invoice, Ledger, Payment, PaymentTerms, Profile
from arpolicy.money import Money
from arpolicy.policy import Playbook, Policy, Step

JAN1 = date(2026, 1, 1)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def interest_charges(action: Action) -> list[tuple[str | None, Money, Money | None, date | None]]:
    return [
        (c.invoice_id, c.amount, c.base, c.paid_on)
        for c in action.charges
        if c.kind is ChargeKind.INTEREST
    ]


def one_notice_book(offset: int, **policy: object) -> Playbook:
    notice = Step("notice", offset, "letter", fees=[StatutoryInterest()])
    return Playbook([Policy("b2b", [notice], profiles=["business"], **policy)])


def issue_ledger(*, metadata: tuple[tuple[str, str], ...] = ()) -> Ledger:
    """The issue's example: 1,000.00 due 2026-01-01, 990.00 paid on 2026-02-25."""
    return Ledger(
        [Customer("C1", "Bakker B.V.", "business", "NL")],
        [Invoice("I1", "C1", date(2025, 12, 2), JAN1, eur("1000.00"), metadata=metadata)],
        [Payment("P1", "C1", date(2026, 2, 25), eur("990.00"))],
    )


def test_the_part_paid_late_keeps_the_interest_it_accrued() -> None:
    # The notice goes out on 2026-03-02 (+60 days).
    book = one_notice_book(60)
    (action,) = plan(issue_ledger(), as_of=date(2026, 3, 2), playbook=book).actions
    assert action.amount_due == eur("10.00")
    # 990.00 paid on 2026-02-25: default 2026-01-02 .. 2026-02-24 = 30 + 24 = 54 days;
    # 990.00 x 10.15% x 54 / 365 = 14.8663 -> 14.87 (the old code dropped it)
    # 10.00 still open: 2026-01-02 .. 2026-03-01 = 30 + 28 + 1 = 59 days;
    # 10.00 x 10.15% x 59 / 365 = 0.16407 -> 0.16
    assert interest_charges(action) == [
        ("I1", eur("14.87"), eur("990.00"), date(2026, 2, 25)),
        ("I1", eur("0.16"), eur("10.00"), None),
    ]
    assert action.interest == eur("15.03")
    assert action.total_due == eur("25.03")
    late = action.charges[0]
    assert late.rate == "10.15%"
    assert "6:119a" in late.rule
    assert late.detail.startswith("on 990.00 EUR paid on 2026-02-25: 2026-01-02..2026-02-25 54 d")


def test_interest_breakdown_shows_each_part() -> None:
    result = interest_breakdown(
        eur("1000.00"),
        start=date(2026, 1, 2),
        end=date(2026, 3, 2),
        jurisdiction="NL",
        profile=Profile.BUSINESS,
        payments=[(date(2026, 2, 25), eur("990.00"))],
    )
    # the same two parts as on the notice: 14.87 + 0.16
    assert [(p.principal, p.paid_on, p.end, p.interest) for p in result.parts] == [
        (eur("990.00"), date(2026, 2, 25), date(2026, 2, 25), eur("14.87")),
        (eur("10.00"), None, date(2026, 3, 2), eur("0.16")),
    ]
    assert result.total == eur("15.03")
    assert [p.days for p in result.periods] == [54, 59]
    # a part paid before default bears none; a part paid after the span is still open in it
    early = statutory_interest(
        eur("1000.00"),
        start=date(2026, 1, 2),
        end=date(2026, 3, 2),
        jurisdiction="NL",
        profile=Profile.BUSINESS,
        payments=[(date(2026, 1, 2), eur("400.00")), (date(2026, 4, 1), eur("600.00"))],
    )
    # 600.00 open for 59 days: 600 x 10.15% x 59 / 365 = 9.8441 -> 9.84
    assert early == eur("9.84")


def test_paid_parts_compound_yearly_on_their_own_in_the_netherlands() -> None:
    # 1,000.00 in default from 2024-01-02; 500.00 paid on 2025-03-01, 500.00 open until
    # 2025-03-01 as well (end of the span): both parts are the same, each compounds after
    # its first full year (2025-01-02), so the total is twice the interest on 500.00.
    args = {"start": date(2024, 1, 2), "jurisdiction": "NL", "profile": Profile.BUSINESS}
    half = statutory_interest(eur("500.00"), end=date(2025, 3, 1), **args)  # type: ignore[arg-type]
    split = interest_breakdown(
        eur("1000.00"),
        end=date(2025, 3, 2),
        payments=[(date(2025, 3, 1), eur("500.00"))],
        **args,  # type: ignore[arg-type]
    )
    assert split.parts[0].interest == half
    assert split.parts[0].periods[-1].base > eur("500.00")  # the first year's interest added


def test_payments_beyond_the_principal_are_refused() -> None:
    with pytest.raises(InvalidFieldError) as caught:
        interest_breakdown(
            eur("100.00"),
            start=JAN1,
            end=date(2026, 3, 1),
            jurisdiction="NL",
            profile=Profile.BUSINESS,
            payments=[(date(2026, 2, 1), eur("60.00")), (date(2026, 2, 2), eur("60.00"))],
        )
    assert caught.value.field == "payments"
    with pytest.raises(InvalidFieldError):
        interest_breakdown(
            eur("100.00"),
            start=JAN1,
            end=date(2026, 3, 1),
            jurisdiction="NL",
            profile=Profile.BUSINESS,
            payments=[(date(2026, 2, 1), Money("10.00", "USD"))],
        )


def two_invoice_ledger() -> Ledger:
    """I1 1,000.00 due 2026-01-01, paid in full (late) on 2026-02-25; I2 500.00 due
    2026-02-01, open."""
    return Ledger(
        [Customer("C1", "Bakker B.V.", "business", "NL")],
        [
            Invoice("I1", "C1", date(2025, 12, 2), JAN1, eur("1000.00")),
            Invoice("I2", "C1", date(2026, 1, 2), date(2026, 2, 1), eur("500.00")),
        ],
        [Payment("P1", "C1", date(2026, 2, 25), eur("1000.00"), invoice_id="I1")],
    )


def ladder_book(**policy: object) -> Playbook:
    steps = [
        Step("r1", 28, "email", fees=[StatutoryInterest()]),
        Step("r2", 35, "letter", fees=[StatutoryInterest()]),
    ]
    return Playbook([Policy("b2b", steps, profiles=["business"], **policy)])


def test_a_paid_late_invoice_has_its_interest_claimed_once_on_the_next_notice() -> None:
    actions = simulate(
        two_invoice_ledger(), start=JAN1, end=date(2026, 3, 20), playbook=ladder_book()
    ).actions
    by_day = {(a.date, a.step): a for a in actions}
    # I1 was dunned while open (2026-01-29 and 2026-02-05), then paid on 2026-02-25;
    # it is not dunned on its own afterwards
    assert [(a.date.isoformat(), a.step, a.invoice_ids) for a in actions] == [
        ("2026-01-29", "r1", ("I1",)),
        ("2026-02-05", "r2", ("I1",)),
        ("2026-03-01", "r1", ("I2",)),
        ("2026-03-08", "r2", ("I2",)),
    ]
    first = by_day[(date(2026, 3, 1), "r1")]
    # I2: 2026-02-02 .. 2026-02-28 = 27 days; 500.00 x 10.15% x 27 / 365 = 3.7541 -> 3.75
    # I1 (closed): 1,000.00 paid on 2026-02-25, 2026-01-02 .. 2026-02-24 = 54 days;
    # 1000.00 x 10.15% x 54 / 365 = 15.0164 -> 15.02
    assert interest_charges(first) == [
        ("I2", eur("3.75"), eur("500.00"), None),
        ("I1", eur("15.02"), eur("1000.00"), date(2026, 2, 25)),
    ]
    assert first.amount_due == eur("500.00")
    assert first.total_due == eur("518.77")
    # claimed once: the next notice states I2's interest only
    # (2026-02-02 .. 2026-03-07 = 34 days; 500.00 x 10.15% x 34 / 365 = 4.7274 -> 4.73)
    second = by_day[(date(2026, 3, 8), "r2")]
    assert interest_charges(second) == [("I2", eur("4.73"), eur("500.00"), None)]


def test_the_message_states_the_interest_per_part() -> None:
    actions = simulate(
        two_invoice_ledger(), start=JAN1, end=date(2026, 3, 1), playbook=ladder_book()
    ).actions
    notice = actions[-1]
    # written as in en_NL, with a no-break space after the euro sign
    message = render(notice, two_invoice_ledger(), locale="en")
    assert "Statutory interest (10.15%), I1, on €\xa01.000,00 paid on 25 Feb 2026: €\xa015,02" in (
        message.text
    )
    assert "Statutory interest (10.15%): €\xa03,75" in message.text
    dutch = render(notice, two_invoice_ledger(), locale="nl")
    assert "I1, over €\xa01.000,00 betaald op 25 feb 2026: €\xa015,02" in dutch.text
    partly = plan(issue_ledger(), as_of=date(2026, 3, 2), playbook=one_notice_book(60)).actions[0]
    text = render(partly, issue_ledger(), locale="en").text
    assert "Statutory interest (10.15%), on €\xa0990,00 paid on 25 Feb 2026: €\xa014,87" in text
    assert "Statutory interest (10.15%), on €\xa010,00 still open: €\xa00,16" in text


def only_paid_late() -> Ledger:
    """One invoice, 1,000.00 due 2026-01-01, paid in full on 2026-01-20 (before any notice)."""
    return Ledger(
        [Customer("C1", "Bakker B.V.", "business", "NL")],
        [Invoice("I1", "C1", date(2025, 12, 2), JAN1, eur("1000.00"))],
        [Payment("P1", "C1", date(2026, 1, 20), eur("1000.00"))],
    )


def test_dun_interest_only_keeps_a_paid_late_invoice_in_its_ladder() -> None:
    period = {"start": JAN1, "end": date(2026, 3, 1)}
    # default: paid before its first step, so never dunned on its own
    assert simulate(only_paid_late(), playbook=ladder_book(), **period).actions == ()  # type: ignore[arg-type]
    book = ladder_book(dun_interest_only=True)
    actions = simulate(only_paid_late(), playbook=book, **period).actions  # type: ignore[arg-type]
    assert [(a.date.isoformat(), a.step) for a in actions] == [
        ("2026-01-29", "r1"),
        ("2026-02-05", "r2"),
    ]
    # 1,000.00 paid on 2026-01-20: 2026-01-02 .. 2026-01-19 = 18 days;
    # 1000.00 x 10.15% x 18 / 365 = 5.0055 -> 5.01, the same on every step
    for action in actions:
        assert action.amount_due == eur("0.00")
        assert interest_charges(action) == [("I1", eur("5.01"), eur("1000.00"), date(2026, 1, 20))]
        assert action.total_due == eur("5.01")
    # the host marks the interest as paid (or waived): no more dunning for it
    settled = Ledger(
        only_paid_late().customers,
        [
            attrs.evolve(
                only_paid_late().invoices[0], metadata={"interest_settled_on": "2026-02-01"}
            )
        ],
        only_paid_late().payments,
    )
    later = simulate(settled, playbook=book, **period).actions  # type: ignore[arg-type]
    assert later == ()


def test_interest_on_paid_invoices_is_claimed_only_within_closed_interest_days() -> None:
    # I1 paid in full on 2026-02-25; I2's notice on 2026-06-01 is 96 days later
    books = Ledger(
        [Customer("C1", "Bakker B.V.", "business", "NL")],
        [
            Invoice("I1", "C1", date(2025, 12, 2), JAN1, eur("1000.00")),
            Invoice("I2", "C1", date(2026, 4, 4), date(2026, 5, 4), eur("500.00")),
        ],
        [Payment("P1", "C1", date(2026, 2, 25), eur("1000.00"), invoice_id="I1")],
    )
    as_of = date(2026, 6, 1)
    (default,) = plan(books, as_of=as_of, playbook=one_notice_book(28)).actions
    assert [c[0] for c in interest_charges(default)] == ["I2"]
    longer = one_notice_book(28, closed_interest_days=120)
    (action,) = plan(books, as_of=as_of, playbook=longer).actions
    assert [c[0] for c in interest_charges(action)] == ["I2", "I1"]


def test_policy_files_read_and_write_the_options() -> None:
    book = loads_playbook(
        """
        [[policy]]
        name = "b2b"
        profiles = ["business"]
        dun_interest_only = true
        closed_interest_days = 30

        [[policy.step]]
        name = "notice"
        offset_days = 28
        channel = "letter"
        """
    )
    (policy,) = book.policies
    assert (policy.dun_interest_only, policy.closed_interest_days) == (True, 30)
    assert loads_playbook(dumps_playbook(book)) == book
    with pytest.raises(InvalidFieldError):
        Policy("p", [], dun_interest_only="yes")  # type: ignore[arg-type]


def test_invoice_metadata_interest_settled_on_must_be_a_date(tmp_path: Path) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        Invoice("I1", "C1", JAN1, JAN1, eur("1.00"), metadata={"interest_settled_on": "soon"})
    assert caught.value.field == "metadata.interest_settled_on"
    assert caught.value.value == "soon"
    # in a ledger directory it is the column of that name
    (tmp_path / "customers.csv").write_text("id,name,profile,country\nC1,Acme,business,NL\n")
    (tmp_path / "invoices.csv").write_text(
        "id,customer_id,issue_date,due_date,amount,currency,interest_settled_on\n"
        "I1,C1,2026-01-01,2026-01-31,10.00,EUR,soon\n"
    )
    with pytest.raises(LoadError) as loading:
        load_ledger(tmp_path)
    assert (loading.value.line, loading.value.column, loading.value.value) == (
        2,
        "interest_settled_on",
        "soon",
    )


def test_ledger_settlements_give_each_paid_part_with_its_date() -> None:
    books = Ledger(
        [Customer("C1", "Bakker B.V.", "business", "NL")],
        [
            Invoice("I1", "C1", date(2025, 12, 2), JAN1, eur("1000.00")),
            Invoice(
                "CN1",
                "C1",
                date(2026, 1, 10),
                date(2026, 1, 10),
                eur("100.00"),
                kind="credit_note",
                applies_to="I1",
            ),
        ],
        [
            Payment("P1", "C1", date(2026, 2, 1), eur("300.00")),
            Payment("P2", "C1", date(2026, 3, 1), eur("200.00")),
        ],
    )
    parts = books.settlements("I1", date(2026, 2, 15))
    assert [(s.source_id, s.date, s.amount, s.credit_note) for s in parts] == [
        ("CN1", date(2026, 1, 10), eur("100.00"), True),
        ("P1", date(2026, 2, 1), eur("300.00"), False),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(books.settlements("I1", date(2026, 3, 1))) == 3


def test_an_early_payment_discount_is_a_settled_part_without_interest() -> None:
    # 2/10 net 30 on 1,000.00 issued 2025-12-02: 980.00 paid within the 10 days settles
    # it, the 20.00 is a discount, and nothing ever runs late
    terms = PaymentTerms(net_days=30, discount_percent=Decimal("2"), discount_days=10)
    books = Ledger(
        [Customer("C1", "Bakker B.V.", "business", "NL")],
        [Invoice.from_terms("I1", "C1", date(2025, 12, 2), eur("1000.00"), terms)],
        [Payment("P1", "C1", date(2025, 12, 10), eur("980.00"))],
    )
    parts = books.settlements("I1", date(2026, 3, 1))
    assert [(s.source_id, s.amount, s.discount) for s in parts] == [
        ("P1", eur("980.00"), False),
        ("P1", eur("20.00"), True),
    ]
    assert (
        plan(books, as_of=date(2026, 3, 1), playbook=ladder_book(dun_interest_only=True)).actions
        == ()
    )
