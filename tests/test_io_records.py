"""The loader's fast row builders agree with the model's public constructors.

The builders skip the attrs constructors for speed (see
``arpolicy.io._records``); these properties check that they accept exactly
the rows the model accepts and build equal objects.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arpolicy.errors import InvalidFieldError
from arpolicy.io._records import (
    CUSTOMERS,
    INVOICES,
    PAYMENTS,
    Cells,
    Layout,
    customer_builder,
    invoice_builder,
    payment_builder,
)
from arpolicy.model import Contacts, Customer, Invoice, Payment
from arpolicy.money import Money

IDS = st.sampled_from(["I1", "C1", "x y", " lead", "trail ", "", "a\u2028b", "é", "a\tb", "\x07"])
KNOWN = {"C1", "I1"}
DAYS = st.dates(date(2025, 1, 1), date(2026, 12, 31))
AMOUNTS = st.sampled_from(["0", "0.00", "1", "12.50", "7.5", "1000000.01"])


def _outcome(make: object) -> object:
    try:
        return make()  # type: ignore[operator]
    except InvalidFieldError as error:
        return ("invalid", error.field)


def _cells() -> Cells:
    cells = Cells()
    cells.customer_ids.update((i, i) for i in KNOWN)
    cells.invoice_ids.update((i, i) for i in KNOWN)
    return cells


@given(IDS, IDS, DAYS, st.integers(-5, 40), AMOUNTS, st.sampled_from(["", "credit_note"]))
def test_invoice_builder_matches_constructor(
    iid: str, cid: str, issued: date, days: int, amount: str, kind: str
) -> None:
    due = issued + timedelta(days=days)
    header = [*INVOICES.required, "kind"]
    build = invoice_builder(Layout(INVOICES, header), _cells())
    row = [iid, cid, issued.isoformat(), due.isoformat(), amount, "EUR", kind]
    fast = _outcome(lambda: build(row))
    slow = _outcome(
        lambda: Invoice(
            iid, cid, issued, due, Money(Decimal(amount), "EUR"), kind=kind or "invoice"
        )
    )
    assert fast == slow
    if isinstance(fast, Invoice):
        assert repr(fast) == repr(slow)


@given(IDS, IDS, st.one_of(st.just(""), IDS), DAYS, AMOUNTS, st.sampled_from(["", "card"]))
def test_payment_builder_matches_constructor(
    pid: str, cid: str, iid: str, day: date, amount: str, method: str
) -> None:
    header = [*PAYMENTS.required, "invoice_id", "method", "note"]
    build = payment_builder(Layout(PAYMENTS, header), _cells())
    row = [pid, cid, day.isoformat(), amount, "EUR", iid, method, "n"]
    fast = _outcome(lambda: build(row))
    slow = _outcome(
        lambda: Payment(
            pid,
            cid,
            day,
            Money(Decimal(amount), "EUR"),
            method=method or "bank_transfer",
            invoice_id=iid or None,
            metadata={"note": "n"},
        )
    )
    assert fast == slow


@given(
    IDS,
    st.sampled_from(["NL", "XX", "nl"]),
    st.sampled_from(["", "nl", "de-AT", "Dutch"]),
    st.sampled_from(["", "Europe/Amsterdam", "Mars/Base"]),
    st.sampled_from(["", "a@b.example", "nobody"]),
    st.sampled_from(["", "vip", "vip  new", "a\tb"]),
)
def test_customer_builder_matches_constructor(
    cid: str, country: str, language: str, timezone: str, email: str, tags: str
) -> None:
    header = ["id", "name", "profile", "country", "language", "timezone", "email", "tags"]
    build = customer_builder(Layout(CUSTOMERS, header), Cells())
    row = [cid, "Acme", "business", country, language, timezone, email, tags]
    fast = _outcome(lambda: build(row))
    slow = _outcome(
        lambda: Customer(
            cid,
            "Acme",
            "business",
            country,
            language=language or "en",
            timezone=timezone or "UTC",
            contacts=Contacts(email=email or None),
            tags=[t for t in tags.split(" ") if t],
        )
    )
    assert fast == slow


def test_amount_cache_returns_exact_quantized_money() -> None:
    cells = Cells()
    cache = cells.currency("KWD")
    money = cells.amount("amount", "1.5", "KWD", cache)
    assert str(money.amount) == "1.500"
    assert cells.amount("amount", "1.5", "KWD", cache) is money
    with pytest.raises(Exception, match="4 decimals"):
        cells.amount("amount", "1.5000", "KWD", cache)
