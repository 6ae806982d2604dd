"""The agency hand-over files (issue 14, item 4): what the agency needs per invoice.

A business customer in the Netherlands owes 1,000.00 (due 2026-02-01), paid
400.00 on 2026-02-10, had a dispute about the quantity from 2026-02-12 to
2026-02-14, got a reminder and a formal notice, and is handed over on
2026-03-03. Figures by hand: NL art. 6:119a BW at 10.15%, actual/365.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from arpolicy.actions import Action, HistoryEntry
from arpolicy.engine import simulate
from arpolicy.fees import CollectionCosts, Fee, FixedCompensation, StatutoryInterest
from arpolicy.messages import HANDOVER_COLUMNS, render
from arpolicy.model import Contacts, Customer, Dispute, Invoice, Ledger, Payment
from arpolicy.money import Money
from arpolicy.policy import Playbook, Policy, Step


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def books() -> Ledger:
    contacts = Contacts(
        email="ap@bakker.example",
        phone="+31 20 555 0101",
        address="Dorpsstraat 1, 1234 AB Utrecht",
    )
    return Ledger(
        [Customer("C1", "Bakker B.V.", "business", "NL", contacts=contacts)],
        [
            Invoice(
                "I1",
                "C1",
                date(2026, 1, 2),
                date(2026, 2, 1),
                eur("1000.00"),
                reference="PO-77",
                dispute=Dispute(date(2026, 2, 12), "quantity", date(2026, 2, 14)),
            )
        ],
        [Payment("P1", "C1", date(2026, 2, 10), eur("400.00"))],
    )


def playbook() -> Playbook:
    def fees() -> list[object]:
        return [
            StatutoryInterest(),
            FixedCompensation(),
            CollectionCosts(),
            Fee(name="administration", fixed=[eur("15.00")]),
        ]

    steps = [
        Step("reminder", 7, "email", deadline_days=5),
        Step("notice", 14, "letter", deadline_days=7, formal=True, fees=fees()),
        Step("handover", 30, "agency", action="handover", fees=fees()),
    ]
    return Playbook([Policy("b2b", steps, profiles=["business"])])


def run() -> tuple[Action, tuple[Action, ...]]:
    actions = simulate(
        books(), start=date(2026, 1, 1), end=date(2026, 3, 10), playbook=playbook()
    ).actions
    assert [(a.date.isoformat(), a.step) for a in actions] == [
        ("2026-02-08", "reminder"),
        ("2026-02-15", "notice"),
        ("2026-03-03", "handover"),
    ]
    return actions[-1], actions


def test_the_handover_csv_holds_what_the_agency_claims_per_invoice() -> None:
    handover, history = run()
    message = render(handover, books(), locale="en", history=history)
    summary, table = message.attachments
    assert table.name == "handover-C1-2026-03-03.csv"
    rows = list(csv.DictReader(io.StringIO(table.content)))
    assert tuple(rows[0]) == HANDOVER_COLUMNS
    invoice, notice = rows
    assert invoice["scope"] == "invoice"
    assert (invoice["invoice_id"], invoice["reference"]) == ("I1", "PO-77")
    # the open principal, not the gross amount, and the currency
    assert (invoice["invoiced"], invoice["open_principal"], invoice["currency"]) == (
        "1000.00",
        "600.00",
        "EUR",
    )
    # interest per part: 400.00 paid on 2026-02-10, 2026-02-02 .. 2026-02-09 = 8 days,
    # 400 x 10.15% x 8 / 365 = 0.8899 -> 0.89; 600.00 open, 2026-02-02 .. 2026-03-02 =
    # 29 days, 600 x 10.15% x 29 / 365 = 4.8386 -> 4.84; together 5.73
    assert invoice["interest"] == "5.73"
    assert invoice["interest_rule"] == "NL art. 6:119a BW, 10.15%"
    assert invoice["interest_parts"] == "400.00 paid on 2026-02-10: 0.89; 600.00 open: 4.84"
    assert (invoice["compensation"], invoice["compensation_rule"]) == (
        "40.00",
        "NL fixed compensation per invoice",
    )
    assert invoice["total_claimed"] == "645.73"  # 600.00 + 5.73 + 40.00
    # dispute flags: not disputed now, but it was
    assert (
        invoice["disputed"],
        invoice["dispute_opened_on"],
        invoice["dispute_resolved_on"],
        invoice["dispute_reason"],
    ) == ("false", "2026-02-12", "2026-02-14", "quantity")
    # the customer's contact details and address
    assert (
        invoice["customer_id"],
        invoice["customer_name"],
        invoice["customer_email"],
        invoice["customer_phone"],
        invoice["customer_address"],
    ) == (
        "C1",
        "Bakker B.V.",
        "ap@bakker.example",
        "+31 20 555 0101",
        "Dorpsstraat 1, 1234 AB Utrecht",
    )
    # the notices already sent: date, step, channel, deadline (the reminder gives
    # 5 days, to Friday 2026-02-13, so the notice is not inside it; 2026-02-15 + 7
    # is a Sunday: the notice's deadline moved to Monday 2026-02-23)
    assert invoice["notices_sent"] == (
        "2026-02-08 reminder email 2026-02-13; 2026-02-15 notice letter 2026-02-23"
    )
    assert (invoice["handover_date"], invoice["handover_key"]) == ("2026-03-03", handover.key)
    # charges on the whole notice get their own row, with their rules:
    # collection costs on 600.00 by the NL scale: 15% = 90.00; the 15.00 fee
    assert notice["scope"] == "notice"
    assert notice["invoice_id"] == ""
    assert (notice["collection_costs"], notice["collection_costs_rule"]) == (
        "90.00",
        "NL statutory collection-cost scale",
    )
    assert (notice["fees"], notice["fees_rule"]) == ("15.00", "fixed 15.00 EUR per notice")
    # the rows add up to what the debtor owes: 645.73 + 105.00
    assert handover.total_due == eur("750.73")
    assert notice["total_claimed"] == "105.00"

    data = json.loads(summary.content)
    assert data["currency"] == "EUR"
    (claim,) = data["invoices"]
    assert claim["open_principal"] == {"amount": "600.00", "currency": "EUR"}
    assert claim["interest"] == {"amount": "5.73", "currency": "EUR"}
    assert claim["interest_rule"] == "NL art. 6:119a BW, 10.15%"
    assert [(p["principal"]["amount"], p["paid_on"]) for p in claim["interest_parts"]] == [
        ("400.00", "2026-02-10"),
        ("600.00", None),
    ]
    assert claim["dispute"] == {
        "opened_on": "2026-02-12",
        "resolved_on": "2026-02-14",
        "reason": "quantity",
    }
    assert claim["notices_sent"] == [
        {
            "date": "2026-02-08",
            "step": "reminder",
            "channel": "email",
            "deadline": "2026-02-13",
            "invoice_ids": ["I1"],
        },
        {
            "date": "2026-02-15",
            "step": "notice",
            "channel": "letter",
            "deadline": "2026-02-23",
            "invoice_ids": ["I1"],
        },
    ]
    assert data["notice_claims"]["collection_costs"] == {"amount": "90.00", "currency": "EUR"}
    assert data["debtor"]["address"] == "Dorpsstraat 1, 1234 AB Utrecht"
    assert "- 15 Feb 2026: notice (letter), deadline 23 Feb 2026, I1" in message.text


def test_history_entries_carry_the_deadline_to_the_handover() -> None:
    handover, history = run()
    # the host's history (a journal, yesterday's JSON): entries, not actions
    entries = [HistoryEntry.from_action(a) for a in history if a.date < handover.date]
    assert [e.deadline for e in entries] == [date(2026, 2, 13), date(2026, 2, 23)]
    message = render(handover, books(), locale="en", history=entries)
    rows = list(csv.DictReader(io.StringIO(message.attachments[1].content)))
    assert rows[0]["notices_sent"].startswith("2026-02-08 reminder email 2026-02-13")
    # without history the file says so by an empty list, never by a guess
    bare = render(handover, books(), locale="en")
    rows = list(csv.DictReader(io.StringIO(bare.attachments[1].content)))
    assert rows[0]["notices_sent"] == ""
    assert "- (none recorded)" in bare.text
