"""Domain model: field validation, date semantics and ledger validation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from arpolicy import (
    Contacts,
    Customer,
    Dispute,
    DunningBlock,
    DuplicateIdError,
    Instalment,
    InvalidFieldError,
    Invoice,
    InvoiceKind,
    Ledger,
    Money,
    Payment,
    PaymentMethod,
    PaymentPlan,
    PaymentTerms,
    Profile,
    Trial,
    TrialKind,
    UnknownReferenceError,
)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def customer(cid: str = "C1", **kwargs: object) -> Customer:
    fields: dict[str, object] = {"name": "Acme", "profile": "business", "country": "NL"}
    fields.update(kwargs)
    return Customer(cid, **fields)  # type: ignore[arg-type]


def invoice(
    iid: str = "I1",
    cid: str = "C1",
    amount: Money | None = None,
    issued: date = date(2026, 1, 1),
    due: date = date(2026, 1, 31),
    **kwargs: object,
) -> Invoice:
    return Invoice(iid, cid, issued, due, amount or eur("100.00"), **kwargs)  # type: ignore[arg-type]


def payment(
    pid: str = "P1", cid: str = "C1", amount: Money | None = None, **kwargs: object
) -> Payment:
    return Payment(pid, cid, date(2026, 1, 10), amount or eur("10.00"), **kwargs)  # type: ignore[arg-type]


def plan(pid: str = "PL1", cid: str = "C1", invoice_ids: tuple[str, ...] = ("I1",)) -> PaymentPlan:
    return PaymentPlan(
        pid, cid, invoice_ids, [Instalment(date(2026, 2, 1), eur("50.00"))], date(2026, 1, 15)
    )


# ---------------------------------------------------------------------------
# Customer
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", "XX"),  # not assigned in ISO 3166-1
        ("country", "nl"),  # alpha-2 codes are upper case
        ("country", "NLD"),  # alpha-3 is not accepted
        ("language", "EN"),
        ("language", "english"),
        ("language", ""),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "Europe"),  # a directory of the tz database, not a zone
        ("timezone", "CET+1"),
        ("name", ""),
        ("name", "   "),
        ("credit_limit", Money("-0.01", "EUR")),
    ],
)
def test_customer_rejects_bad_field(field: str, value: object) -> None:
    with pytest.raises(InvalidFieldError) as info:
        customer(**{field: value})
    error = info.value
    assert (error.kind, error.id, error.field, error.value) == ("customer", "C1", field, value)


@pytest.mark.parametrize("tag", ["", " vip", "two words", "vip "])
def test_customer_rejects_bad_tag(tag: str) -> None:
    with pytest.raises(InvalidFieldError) as info:
        customer(tags={"ok", tag})
    assert (info.value.kind, info.value.field, info.value.value) == ("customer", "tags", tag)


@pytest.mark.parametrize("cid", ["", " C1", "C1 ", "C\n1"])
def test_customer_rejects_bad_id(cid: str) -> None:
    with pytest.raises(InvalidFieldError) as info:
        customer(cid)
    assert (info.value.kind, info.value.field, info.value.value) == ("customer", "id", cid)


def test_customer_rejects_unknown_profile() -> None:
    with pytest.raises(InvalidFieldError) as info:
        customer(profile="consumer")
    assert (info.value.kind, info.value.field, info.value.value) == (
        "customer",
        "profile",
        "consumer",
    )


def test_customer_accepts_valid_fields_and_converts() -> None:
    found = customer(
        profile="government",
        country="DE",
        language="de-AT",
        timezone="Europe/Berlin",
        credit_limit=Money(0, "EUR"),
        tags=["vip", "public-sector", "vip"],
        metadata={"z": "1", "a": "2"},
    )
    assert found.profile is Profile.GOVERNMENT
    assert found.tags == frozenset({"vip", "public-sector"})
    assert found.metadata == (("a", "2"), ("z", "1"))
    assert found.meta("a") == "2"
    assert found.meta("missing", "x") == "x"
    # A single string is one tag, not a set of letters.
    assert customer(tags="vip").tags == frozenset({"vip"})


def test_enum_fields_accept_their_string_values() -> None:
    assert invoice(kind="credit_note").kind is InvoiceKind.CREDIT_NOTE
    assert payment(method="direct_debit").method is PaymentMethod.DIRECT_DEBIT
    assert Trial("T1", "C1", date(2026, 1, 1), kind="allowance").kind is TrialKind.ALLOWANCE


@pytest.mark.parametrize(
    ("build", "kind", "field"),
    [
        (lambda: invoice(kind="refund"), "invoice", "kind"),
        (lambda: payment(method="bitcoin"), "payment", "method"),
        (lambda: Trial("T1", "C1", date(2026, 1, 1), kind="forever"), "trial", "kind"),
        (lambda: PaymentTerms(end_of_month="sometimes"), "payment_terms", "end_of_month"),
    ],
)
def test_bad_enum_value_is_a_typed_error(build: object, kind: str, field: str) -> None:
    with pytest.raises(InvalidFieldError) as info:
        build()  # type: ignore[operator]
    assert (info.value.kind, info.value.field) == (kind, field)


def test_contacts_checks_email_and_empty_values() -> None:
    assert Contacts(email="ap@example.com").has("email")
    assert not Contacts(email="ap@example.com").has("phone")
    with pytest.raises(InvalidFieldError) as info:
        Contacts(email="ap.example.com")
    assert (info.value.kind, info.value.field, info.value.value) == (
        "contacts",
        "email",
        "ap.example.com",
    )
    with pytest.raises(InvalidFieldError) as info:
        Contacts(phone="  ")
    assert (info.value.field, info.value.value) == ("phone", "  ")


# ---------------------------------------------------------------------------
# date semantics: blocks, disputes, holds
# ---------------------------------------------------------------------------


def test_dunning_block_is_active_before_until_only() -> None:
    block = DunningBlock("promise to pay", until=date(2026, 3, 10))
    assert block.active(date(2026, 3, 9))
    assert not block.active(date(2026, 3, 10))  # dunning resumes on ``until``
    assert not block.active(date(2026, 3, 11))
    assert DunningBlock("bankruptcy").active(date(2099, 1, 1))


def test_customer_blocked_follows_its_block() -> None:
    blocked = customer(block=DunningBlock("talks", until=date(2026, 3, 10)))
    assert blocked.blocked(date(2026, 3, 9))
    assert not blocked.blocked(date(2026, 3, 10))
    assert not customer().blocked(date(2026, 3, 9))


def test_dunning_block_validation() -> None:
    with pytest.raises(InvalidFieldError) as info:
        DunningBlock(" ")
    assert (info.value.field, info.value.value) == ("reason", " ")
    with pytest.raises(InvalidFieldError) as info:
        DunningBlock("talks", until=datetime(2026, 3, 10, tzinfo=UTC))  # type: ignore[arg-type]
    assert info.value.field == "until"


def test_dispute_active_from_opened_inclusive_to_resolved_exclusive() -> None:
    dispute = Dispute(date(2026, 2, 1), "wrong amount", resolved_on=date(2026, 2, 10))
    assert not dispute.active(date(2026, 1, 31))
    assert dispute.active(date(2026, 2, 1))
    assert dispute.active(date(2026, 2, 9))
    assert not dispute.active(date(2026, 2, 10))
    assert Dispute(date(2026, 2, 1)).active(date(2099, 1, 1))
    # Resolved on the day it opened: never active.
    assert not Dispute(date(2026, 2, 1), resolved_on=date(2026, 2, 1)).active(date(2026, 2, 1))


def test_dispute_cannot_be_resolved_before_it_opens() -> None:
    with pytest.raises(InvalidFieldError) as info:
        Dispute(date(2026, 2, 1), resolved_on=date(2026, 1, 31))
    assert (info.value.kind, info.value.field, info.value.value) == (
        "dispute",
        "resolved_on",
        date(2026, 1, 31),
    )


def test_invoice_disputed_and_on_hold() -> None:
    bill = invoice(
        dispute=Dispute(date(2026, 2, 1), resolved_on=date(2026, 2, 10)),
        on_hold_until=date(2026, 2, 5),
    )
    assert bill.disputed(date(2026, 2, 1))
    assert not bill.disputed(date(2026, 2, 10))
    assert bill.on_hold(date(2026, 2, 4))
    assert not bill.on_hold(date(2026, 2, 5))
    assert not invoice().disputed(date(2026, 2, 1))
    assert not invoice().on_hold(date(2026, 2, 1))


# ---------------------------------------------------------------------------
# Invoice, Payment, Trial
# ---------------------------------------------------------------------------


def test_invoice_due_before_issue_is_rejected() -> None:
    with pytest.raises(InvalidFieldError) as info:
        invoice(issued=date(2026, 1, 10), due=date(2026, 1, 9))
    assert (info.value.kind, info.value.id, info.value.field, info.value.value) == (
        "invoice",
        "I1",
        "due_date",
        date(2026, 1, 9),
    )
    # Due on the issue date is fine.
    assert (
        invoice(issued=date(2026, 1, 10), due=date(2026, 1, 10)).days_overdue(date(2026, 1, 13))
        == 3
    )  # 13 - 10


def test_invoice_negative_amount_is_rejected_zero_is_not() -> None:
    with pytest.raises(InvalidFieldError) as info:
        invoice(amount=eur("-1.00"))
    assert (info.value.field, info.value.value) == ("amount", eur("-1.00"))
    assert invoice(amount=eur("0")).amount == eur("0.00")


def test_invoice_amount_must_be_money() -> None:
    with pytest.raises(InvalidFieldError) as info:
        invoice(amount=Decimal("10"))  # type: ignore[arg-type]
    assert info.value.field == "amount"


def test_invoice_dates_must_be_dates_not_datetimes() -> None:
    with pytest.raises(InvalidFieldError) as info:
        invoice(issued=datetime(2026, 1, 1, 12, 0, tzinfo=UTC))  # type: ignore[arg-type]
    assert info.value.field == "issue_date"


@pytest.mark.parametrize("kind", [InvoiceKind.INVOICE, InvoiceKind.DEPOSIT])
def test_applies_to_only_on_credit_notes(kind: InvoiceKind) -> None:
    with pytest.raises(InvalidFieldError) as info:
        invoice("I2", kind=kind, applies_to="I1")
    assert (info.value.id, info.value.field, info.value.value) == ("I2", "applies_to", "I1")
    note = invoice("I2", kind="credit_note", applies_to="I1")
    assert note.is_credit
    assert note.applies_to == "I1"


def test_invoice_from_terms_derives_due_date() -> None:
    bill = Invoice.from_terms("I1", "C1", date(2026, 3, 10), eur("5"), PaymentTerms(net_days=14))
    assert bill.due_date == date(2026, 3, 24)  # 10 + 14
    assert bill.terms == PaymentTerms(net_days=14)
    assert bill.currency == "EUR"


@pytest.mark.parametrize("amount", [eur("0"), eur("-5.00")])
def test_payment_amount_must_be_positive(amount: Money) -> None:
    with pytest.raises(InvalidFieldError) as info:
        payment(amount=amount)
    assert (info.value.kind, info.value.id, info.value.field, info.value.value) == (
        "payment",
        "P1",
        "amount",
        amount,
    )


def test_payment_invoice_id_is_checked() -> None:
    with pytest.raises(InvalidFieldError) as info:
        payment(invoice_id=" I1")
    assert (info.value.field, info.value.value) == ("invoice_id", " I1")


def test_trial_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidFieldError) as info:
        Trial("T1", "C1", date(2026, 1, 1), starts=date(2026, 1, 2))
    assert (info.value.kind, info.value.field) == ("trial", "ends")
    assert Trial("T1", "C1", date(2026, 1, 1), starts=date(2026, 1, 1)).starts == date(2026, 1, 1)


# ---------------------------------------------------------------------------
# Ledger validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "rid", "make"),
    [
        ("customer", "C1", lambda: Ledger([customer("C1"), customer("C1")])),
        ("invoice", "I1", lambda: Ledger([customer()], [invoice("I1"), invoice("I1")])),
        (
            "payment",
            "P1",
            lambda: Ledger([customer()], [invoice()], [payment("P1"), payment("P1")]),
        ),
        (
            "plan",
            "PL1",
            lambda: Ledger([customer()], [invoice()], [], [plan("PL1"), plan("PL1")]),
        ),
        (
            "trial",
            "T1",
            lambda: Ledger(
                [customer()],
                trials=[Trial("T1", "C1", date(2026, 1, 1)), Trial("T1", "C1", date(2026, 2, 1))],
            ),
        ),
    ],
)
def test_duplicate_ids_are_rejected(kind: str, rid: str, make: object) -> None:
    with pytest.raises(DuplicateIdError) as info:
        make()  # type: ignore[operator]
    assert (info.value.kind, info.value.id) == (kind, rid)


def test_the_same_id_may_be_used_by_records_of_different_kinds() -> None:
    ledger = Ledger([customer("X")], [invoice("X", "X")], [payment("X", "X")])
    assert ledger.invoice("X").customer_id == "X"


def _reference_error(make: object) -> UnknownReferenceError:
    with pytest.raises(UnknownReferenceError) as info:
        make()  # type: ignore[operator]
    return info.value


def test_unknown_customer_of_invoice_payment_plan_trial() -> None:
    c1 = customer("C1")
    cases = [
        (lambda: Ledger([c1], [invoice("I1", "C9")]), ("invoice", "I1")),
        (lambda: Ledger([c1], [], [payment("P1", "C9")]), ("payment", "P1")),
        (lambda: Ledger([c1], [invoice()], [], [plan("PL1", "C9")]), ("plan", "PL1")),
        (lambda: Ledger([c1], trials=[Trial("T1", "C9", date(2026, 1, 1))]), ("trial", "T1")),
    ]
    for make, (kind, rid) in cases:
        error = _reference_error(make)
        assert (error.kind, error.id, error.field, error.value) == (kind, rid, "customer_id", "C9")


def test_payment_for_unknown_invoice() -> None:
    error = _reference_error(lambda: Ledger([customer()], [], [payment(invoice_id="I9")]))
    assert (error.kind, error.id, error.field, error.value) == ("payment", "P1", "invoice_id", "I9")
    assert error.reason == "no such invoice"


def test_payment_for_another_customers_invoice() -> None:
    error = _reference_error(
        lambda: Ledger(
            [customer("C1"), customer("C2")], [invoice("I1", "C2")], [payment(invoice_id="I1")]
        )
    )
    assert (error.kind, error.id, error.field, error.value) == ("payment", "P1", "invoice_id", "I1")
    assert "C2" in error.reason


def test_payment_currency_must_match_invoice() -> None:
    error = _reference_error(
        lambda: Ledger(
            [customer()], [invoice()], [payment(amount=Money(10, "GBP"), invoice_id="I1")]
        )
    )
    assert (error.kind, error.id, error.field, error.value) == ("payment", "P1", "invoice_id", "I1")
    assert "GBP" in error.reason
    assert "EUR" in error.reason


def test_payment_naming_a_credit_note() -> None:
    error = _reference_error(
        lambda: Ledger(
            [customer()], [invoice("CN1", kind="credit_note")], [payment(invoice_id="CN1")]
        )
    )
    assert (error.kind, error.id, error.field, error.value) == (
        "payment",
        "P1",
        "invoice_id",
        "CN1",
    )


def test_plan_covering_unknown_or_foreign_invoice() -> None:
    two = [customer("C1"), customer("C2")]
    foreign = _reference_error(lambda: Ledger(two, [invoice("I1", "C2")], [], [plan()]))
    assert (foreign.kind, foreign.id, foreign.field, foreign.value) == (
        "plan",
        "PL1",
        "invoice_ids",
        "I1",
    )
    missing = _reference_error(
        lambda: Ledger(two, [invoice("I1")], [], [plan(invoice_ids=("I1", "I9"))])
    )
    assert (missing.field, missing.value) == ("invoice_ids", "I9")


def test_plan_currency_must_match_covered_invoices() -> None:
    error = _reference_error(
        lambda: Ledger([customer()], [invoice(amount=Money(100, "GBP"))], [], [plan()])
    )
    assert (error.kind, error.field, error.value) == ("plan", "invoice_ids", "I1")


def test_credit_note_applies_to_checks() -> None:
    c = [customer("C1"), customer("C2")]
    across_currency = _reference_error(
        lambda: Ledger(
            c,
            [
                invoice("I1"),
                invoice("CN1", amount=Money(5, "GBP"), kind="credit_note", applies_to="I1"),
            ],
        )
    )
    assert (across_currency.kind, across_currency.id, across_currency.field) == (
        "invoice",
        "CN1",
        "applies_to",
    )
    assert across_currency.value == "I1"
    assert "GBP" in across_currency.reason
    other_customer = _reference_error(
        lambda: Ledger(
            c, [invoice("I1", "C2"), invoice("CN1", kind="credit_note", applies_to="I1")]
        )
    )
    assert (other_customer.id, other_customer.field, other_customer.value) == (
        "CN1",
        "applies_to",
        "I1",
    )
    to_credit_note = _reference_error(
        lambda: Ledger(
            c,
            [
                invoice("CN0", kind="credit_note"),
                invoice("CN1", kind="credit_note", applies_to="CN0"),
            ],
        )
    )
    assert (to_credit_note.id, to_credit_note.value) == ("CN1", "CN0")
    unknown = _reference_error(
        lambda: Ledger(c, [invoice("CN1", kind="credit_note", applies_to="I9")])
    )
    assert (unknown.id, unknown.value) == ("CN1", "I9")


# ---------------------------------------------------------------------------
# Ledger equality and look-ups
# ---------------------------------------------------------------------------


def _records() -> tuple[list[Customer], list[Invoice], list[Payment]]:
    return (
        [customer("C1"), customer("C2")],
        [invoice("I1"), invoice("I2", "C2"), invoice("I3")],
        [payment("P1"), payment("P2", "C2")],
    )


def test_ledger_equality_ignores_record_order() -> None:
    people, bills, paid = _records()
    a = Ledger(people, bills, paid)
    b = Ledger(people[::-1], bills[::-1], paid[::-1])
    assert a == b
    assert hash(a) == hash(b)
    assert a.customers != b.customers  # the tuples keep the given order
    c = Ledger(people, bills[:2], paid)
    assert a != c
    assert a != Ledger(people, bills, [payment("P1", amount=eur("10.01")), paid[1]])


def test_ledger_look_ups() -> None:
    people, bills, paid = _records()
    ledger = Ledger(people, bills, paid, [plan()], [Trial("T1", "C2", date(2026, 1, 1))])
    assert ledger.customer("C2") is people[1]
    assert ledger.invoice("I3") is bills[2]
    assert ledger.payment("P2") is paid[1]
    assert ledger.plan("PL1").invoice_ids == ("I1",)
    assert [i.id for i in ledger.invoices_of("C1")] == ["I1", "I3"]
    assert [p.id for p in ledger.payments_of("C2")] == ["P2"]
    assert [p.id for p in ledger.plans_of("C1")] == ["PL1"]
    assert ledger.plans_of("C2") == ()
    assert [t.id for t in ledger.trials_of("C2")] == ["T1"]
    assert ledger.invoices_of("C9") == ()
    assert ledger.currencies() == ("EUR",)
    for look_up in (ledger.customer, ledger.invoice, ledger.payment, ledger.plan):
        with pytest.raises(KeyError):
            look_up("nope")
    with pytest.raises(KeyError):
        ledger.position("C9", date(2026, 1, 1))


def test_ledger_currencies_are_sorted_and_unique() -> None:
    ledger = Ledger(
        [customer()],
        [
            invoice("I1", amount=Money(1, "KWD")),
            invoice("I2"),
            invoice("I3", amount=Money(5, "JPY")),
        ],
        [payment(amount=Money(1, "GBP"))],
    )
    assert ledger.currencies() == ("EUR", "GBP", "JPY", "KWD")


def test_plan_validation_reaches_the_ledger_unchanged() -> None:
    # A valid plan in a valid ledger is retrievable and keeps its instalments sorted.
    later = Instalment(date(2026, 3, 1), eur("20"))
    earlier = Instalment(date(2026, 2, 1), eur("30"))
    p = PaymentPlan("PL1", "C1", ["I1"], [later, earlier], date(2026, 1, 15))
    assert p.instalments == (earlier, later)
    assert p.total == eur("50.00")
    assert p.end == date(2026, 3, 1)
    assert Ledger([customer()], [invoice()], [], [p]).plan("PL1") is p
