"""The built-in sample portfolio and the synthetic ledger generator."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arpolicy import (
    EndOfMonth,
    Invoice,
    InvoiceKind,
    Ledger,
    PlanStatus,
    Profile,
    TrialKind,
)
from arpolicy.sample import SAMPLE_AS_OF, SAMPLE_SEED, sample_ledger, synthetic_ledger

LANGUAGES = {"NL": {"nl"}, "DE": {"de"}, "BE": {"nl", "fr"}, "FR": {"fr"}, "GB": {"en"}}
ZONES = {
    "NL": "Europe/Amsterdam",
    "DE": "Europe/Berlin",
    "BE": "Europe/Brussels",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
}


CASES = [
    (SAMPLE_SEED, SAMPLE_AS_OF),
    (0, SAMPLE_AS_OF),
    (1, date(2030, 3, 15)),
    (99, date(2025, 2, 28)),
]


@pytest.fixture(scope="module", params=CASES, ids=[f"seed{s}-{d}" for s, d in CASES])
def case(request: pytest.FixtureRequest) -> tuple[Ledger, date]:
    seed, as_of = request.param
    return sample_ledger(seed=seed, as_of=as_of), as_of


@pytest.fixture
def ledger(case: tuple[Ledger, date]) -> Ledger:
    return case[0]


@pytest.fixture
def as_of(case: tuple[Ledger, date]) -> date:
    return case[1]


def open_items(ledger: Ledger, as_of: date) -> list[tuple[Invoice, str]]:
    return [
        (ledger.invoice(iid), str(balance))
        for iid, balance in ledger.balances(as_of).items()
        if balance.is_positive()
    ]


# ---------------------------------------------------------------------------
# sample_ledger: validity and determinism
# ---------------------------------------------------------------------------


def test_sample_is_deterministic_per_seed() -> None:
    first = sample_ledger()
    assert sample_ledger() == first
    assert sample_ledger(seed=SAMPLE_SEED, as_of=SAMPLE_AS_OF) == first
    # Equal down to the order of the records, not only as sets.
    assert sample_ledger().invoices == first.invoices
    assert sample_ledger().payments == first.payments
    assert sample_ledger(seed=SAMPLE_SEED + 1) != first


def test_sample_leaves_the_global_random_alone() -> None:
    random.seed(1)
    state = random.getstate()
    first = sample_ledger()
    synthetic = synthetic_ledger(customers=3, invoices=30)
    assert random.getstate() == state
    random.seed(2)
    assert sample_ledger() == first
    assert synthetic_ledger(customers=3, invoices=30) == synthetic


def test_sample_is_a_valid_ledger(ledger: Ledger, as_of: date) -> None:
    rebuilt = Ledger(
        list(reversed(ledger.customers)),
        list(reversed(ledger.invoices)),
        ledger.payments,
        ledger.plans,
        ledger.trials,
    )
    assert rebuilt == ledger
    # Every invoice gets a balance; allocation never fails.
    assert set(ledger.balances(as_of)) == {i.id for i in ledger.invoices if not i.is_credit}


def test_sample_size_and_time_span(ledger: Ledger, as_of: date) -> None:
    assert 45 <= len(ledger.customers) <= 55
    assert 200 <= len(ledger.invoices) <= 500
    assert len(ledger.payments) >= 150
    assert all(i.issue_date <= as_of for i in ledger.invoices)
    assert all(p.date <= as_of for p in ledger.payments)
    first_issue = min(i.issue_date for i in ledger.invoices)
    assert timedelta(days=240) <= as_of - first_issue <= timedelta(days=320)


def test_sample_ids_follow_date_order(ledger: Ledger, as_of: date) -> None:
    invoices = [i for i in ledger.invoices if i.kind is InvoiceKind.INVOICE]
    assert [i.id for i in invoices] == sorted(i.id for i in invoices)
    assert [i.issue_date for i in invoices] == sorted(i.issue_date for i in invoices)
    assert all(i.id.startswith(f"INV-{i.issue_date.year}-") for i in invoices)
    dates = [p.date for p in ledger.payments]
    assert dates == sorted(dates)


# ---------------------------------------------------------------------------
# sample_ledger: every feature is there, for every seed
# ---------------------------------------------------------------------------


def test_customers_cover_profiles_countries_and_locales(ledger: Ledger, as_of: date) -> None:
    profiles = Counter(c.profile for c in ledger.customers)
    assert set(profiles) == set(Profile)
    assert profiles[Profile.BUSINESS] > profiles[Profile.GOVERNMENT]
    assert {c.country for c in ledger.customers} == set(LANGUAGES)
    for customer in ledger.customers:
        assert customer.language in LANGUAGES[customer.country]
        assert customer.timezone == ZONES[customer.country]
    assert len({c.name for c in ledger.customers}) == len(ledger.customers)


def test_currencies_follow_the_country(ledger: Ledger, as_of: date) -> None:
    assert set(ledger.currencies()) == {"EUR", "GBP", "USD"}
    usd = {i.customer_id for i in ledger.invoices if i.currency == "USD"}
    assert len(usd) == 2
    for customer in ledger.customers:
        home = "GBP" if customer.country == "GB" else "EUR"
        used = {i.currency for i in ledger.invoices_of(customer.id)}
        if customer.id in usd:
            assert customer.profile is Profile.BUSINESS
            assert used == {home, "USD"}
        else:
            assert used <= {home}


def test_contacts_tags_limits_and_block(ledger: Ledger, as_of: date) -> None:
    customers = ledger.customers
    with_email = [c for c in customers if c.contacts.email is not None]
    assert len(with_email) >= 0.8 * len(customers)
    assert all(c.contacts.address is not None for c in customers)
    assert any(c.contacts.phone is not None for c in customers)
    whatsapp = [c for c in customers if c.contacts.whatsapp is not None]
    assert whatsapp
    assert all(c.profile is Profile.PRIVATE for c in whatsapp)
    limits = [c for c in customers if c.credit_limit is not None]
    assert limits
    assert all(c.profile is Profile.BUSINESS for c in limits)
    tags = Counter(tag for c in customers for tag in c.tags)
    assert tags["vip"] == 3
    assert tags["new"] >= 2
    blocked = [c for c in customers if c.blocked(as_of)]
    assert len(blocked) == 1
    assert blocked[0].block is not None
    assert blocked[0].block.reason


def test_customer_over_credit_limit(ledger: Ledger, as_of: date) -> None:
    over = []
    for customer in ledger.customers:
        if customer.credit_limit is None:
            continue
        exposure = ledger.position(customer.id, as_of).open_balance(customer.credit_limit.currency)
        if exposure > customer.credit_limit:
            over.append(customer.id)
    assert over


def test_payment_terms(ledger: Ledger, as_of: date) -> None:
    terms = {i.terms for i in ledger.invoices if i.terms is not None}
    assert {t.net_days for t in terms} >= {14, 30}
    assert any(t.end_of_month is EndOfMonth.AFTER_NET for t in terms)
    discount = [t for t in terms if t.discount_percent is not None]
    assert [(t.discount_percent, t.discount_days) for t in discount] == [(2, 7)]
    for inv in ledger.invoices:
        if inv.terms is not None and inv.kind is InvoiceKind.INVOICE:
            assert inv.due_date == inv.terms.due_date(inv.issue_date)


def test_full_partial_and_late_payments(ledger: Ledger, as_of: date) -> None:
    late = [
        p
        for p in ledger.payments
        if p.invoice_id is not None and p.date > ledger.invoice(p.invoice_id).due_date
    ]
    assert late
    positions = {c.id: ledger.position(c.id, as_of) for c in ledger.customers}
    paid_in_full = partly = 0
    for inv in ledger.invoices:
        if inv.is_credit:
            continue
        balance = positions[inv.customer_id].balances[inv.id]
        if balance.is_zero():
            paid_in_full += 1
        elif balance < inv.amount:
            partly += 1
    assert paid_in_full > len(ledger.invoices) / 2
    assert partly >= 1
    # A partial payment on an overdue invoice that names it.
    assert any(
        p.invoice_id is not None
        and p.amount < ledger.invoice(p.invoice_id).amount
        and ledger.balance(p.invoice_id, as_of).is_positive()
        and ledger.invoice(p.invoice_id).due_date < as_of
        for p in ledger.payments
    )


def test_overdue_items_of_various_ages(ledger: Ledger, as_of: date) -> None:
    overdue = [
        inv.days_overdue(as_of) for inv, _ in open_items(ledger, as_of) if inv.due_date < as_of
    ]
    assert len(overdue) >= 10
    assert min(overdue) <= 7
    assert max(overdue) >= 90
    not_due = [inv for inv, _ in open_items(ledger, as_of) if inv.due_date >= as_of]
    assert not_due


def test_disputes_and_hold(ledger: Ledger, as_of: date) -> None:
    disputed = [i for i in ledger.invoices if i.dispute is not None]
    assert len(disputed) == 3
    assert sum(i.disputed(as_of) for i in disputed) == 2
    resolved = [i for i in disputed if not i.disputed(as_of)]
    assert resolved[0].dispute is not None
    assert resolved[0].dispute.resolved_on is not None
    assert resolved[0].dispute.resolved_on < as_of
    # The resolved dispute was settled with a credit note; the rest is still open.
    notes = [i for i in ledger.invoices if i.is_credit and i.applies_to == resolved[0].id]
    assert len(notes) == 1
    assert ledger.balance(resolved[0].id, as_of) == resolved[0].amount - notes[0].amount
    held = [i for i in ledger.invoices if i.on_hold(as_of)]
    assert len(held) == 1
    assert held[0].meta("hold_reason")
    assert held[0].due_date < as_of


def test_credit_notes_and_overpayment(ledger: Ledger, as_of: date) -> None:
    notes = [i for i in ledger.invoices if i.kind is InvoiceKind.CREDIT_NOTE]
    assert notes
    assert all(n.applies_to is not None for n in notes)
    credit = {
        c.id: ledger.position(c.id, as_of).credit
        for c in ledger.customers
        if ledger.position(c.id, as_of).credit
    }
    assert len(credit) == 1


def test_payment_plans(ledger: Ledger, as_of: date) -> None:
    states = {p.id: ledger.plan_state(p.id, as_of) for p in ledger.plans}
    by_status = {state.status: pid for pid, state in states.items()}
    assert set(by_status) == set(PlanStatus)
    on_track = ledger.plan(by_status[PlanStatus.ON_TRACK])
    assert len(on_track.instalments) >= 3
    assert states[on_track.id].paid.is_positive()
    assert states[on_track.id].next_instalment is not None
    # The instalments paid so far went to the covered invoices.
    left = sum(ledger.balance(i, as_of).amount for i in on_track.invoice_ids)
    assert left == (on_track.total - states[on_track.id].paid).amount
    promise = ledger.plan(by_status[PlanStatus.BROKEN])
    assert len(promise.instalments) == 1  # a promise to pay
    assert states[promise.id].broken_on is not None
    assert states[promise.id].broken_on <= as_of


def test_deposits(ledger: Ledger, as_of: date) -> None:
    deposits = [i for i in ledger.invoices if i.kind is InvoiceKind.DEPOSIT]
    assert len(deposits) == 2
    balances = sorted(ledger.balance(d.id, as_of).is_positive() for d in deposits)
    assert balances == [False, True]  # one paid, one unpaid
    unpaid = next(d for d in deposits if ledger.balance(d.id, as_of).is_positive())
    assert unpaid.due_date < as_of
    assert all(d.terms is not None and d.terms.deposit_percent is not None for d in deposits)
    assert all("new" in ledger.customer(d.customer_id).tags for d in deposits)


def test_trial_ends_soon(ledger: Ledger, as_of: date) -> None:
    soon = [t for t in ledger.trials if 0 < (t.ends - as_of).days <= 14]
    assert [t.kind for t in soon] == [TrialKind.TRIAL]
    assert any(t.kind is TrialKind.ALLOWANCE for t in ledger.trials)


def test_government_invoices_quote_purchase_orders(ledger: Ledger, as_of: date) -> None:
    government = [
        i
        for i in ledger.invoices
        if ledger.customer(i.customer_id).profile is Profile.GOVERNMENT and not i.is_credit
    ]
    without = [i for i in government if i.reference is None]
    assert len(without) == 1  # the one disputed for that reason
    assert without[0].dispute is not None


# ---------------------------------------------------------------------------
# synthetic_ledger
# ---------------------------------------------------------------------------


def test_synthetic_sizes_and_defaults() -> None:
    ledger = synthetic_ledger(customers=30, invoices=400, seed=3)
    assert (len(ledger.customers), len(ledger.invoices), len(ledger.payments)) == (30, 400, 360)
    assert all(p.invoice_id is not None for p in ledger.payments)
    named = Counter(p.invoice_id for p in ledger.payments)
    assert max(named.values()) == 1  # one payment per paid invoice


def test_synthetic_mix_of_profiles_countries_and_outcomes() -> None:
    ledger = synthetic_ledger(customers=200, invoices=2000, seed=5)
    assert {c.profile for c in ledger.customers} == set(Profile)
    assert {c.country for c in ledger.customers} == set(LANGUAGES)
    assert set(ledger.currencies()) == {"EUR", "GBP"}
    for inv in ledger.invoices:
        gb = ledger.customer(inv.customer_id).country == "GB"
        assert inv.currency == ("GBP" if gb else "EUR")
    after = date(2030, 1, 1)
    balances = [(ledger.invoice(iid), balance) for iid, balance in ledger.balances(after).items()]
    paid = sum(1 for _, b in balances if b.is_zero())
    unpaid = sum(1 for inv, b in balances if b == inv.amount)
    partly = len(balances) - paid - unpaid
    assert paid > len(balances) * 0.7
    assert unpaid > len(balances) * 0.05
    assert partly > len(balances) * 0.05


def test_synthetic_window() -> None:
    start = date(2024, 2, 10)
    ledger = synthetic_ledger(customers=5, invoices=300, seed=1, start=start, days=30)
    issued = {i.issue_date for i in ledger.invoices}
    assert min(issued) >= start
    assert max(issued) < start + timedelta(days=30)
    assert len(issued) > 20


def test_synthetic_extra_payments_are_on_account() -> None:
    ledger = synthetic_ledger(customers=4, invoices=10, payments=25, seed=2)
    assert len(ledger.payments) == 25
    assert sum(p.invoice_id is None for p in ledger.payments) == 15
    none = synthetic_ledger(customers=4, invoices=10, payments=0)
    assert none.payments == ()
    empty = synthetic_ledger(customers=1, invoices=0)
    assert (len(empty.customers), empty.invoices, empty.payments) == (1, (), ())


def test_synthetic_is_deterministic() -> None:
    a = synthetic_ledger(customers=20, invoices=300, seed=11)
    b = synthetic_ledger(customers=20, invoices=300, seed=11)
    assert a == b
    assert a.invoices == b.invoices
    assert a != synthetic_ledger(customers=20, invoices=300, seed=12)


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"customers": 0, "invoices": 1}, "customers"),
        ({"customers": 1, "invoices": -1}, "invoices"),
        ({"customers": 1, "invoices": 1, "payments": -1}, "payments"),
        ({"customers": 1, "invoices": 1, "days": 0}, "days"),
    ],
)
def test_synthetic_refuses_bad_sizes(kwargs: dict[str, int], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        synthetic_ledger(**kwargs)


@settings(max_examples=25, deadline=None)
@given(
    customers=st.integers(1, 20),
    invoices=st.integers(0, 60),
    payments=st.none() | st.integers(0, 80),
    seed=st.integers(0, 2**32),
    days=st.integers(1, 400),
)
def test_synthetic_is_always_valid(
    customers: int, invoices: int, payments: int | None, seed: int, days: int
) -> None:
    ledger = synthetic_ledger(
        customers=customers, invoices=invoices, payments=payments, seed=seed, days=days
    )
    expected = invoices * 9 // 10 if payments is None else payments
    assert (len(ledger.customers), len(ledger.invoices), len(ledger.payments)) == (
        customers,
        invoices,
        expected,
    )
    for pay in ledger.payments:
        if pay.invoice_id is not None:
            inv = ledger.invoice(pay.invoice_id)
            assert pay.date >= inv.issue_date
            assert pay.amount <= inv.amount
    # Re-validating the same records gives an equal ledger.
    assert Ledger(ledger.customers, ledger.invoices, ledger.payments) == ledger
