"""The public Hypothesis strategies: valid objects, overrides, shrinking."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from arpolicy import (
    Contacts,
    Customer,
    Invoice,
    InvoiceKind,
    Ledger,
    Money,
    Payment,
    PaymentPlan,
    PaymentTerms,
    Profile,
    Trial,
    UnknownCurrencyError,
)
from arpolicy.money import minor_unit
from arpolicy.testing.strategies import (
    contacts,
    currencies,
    customers,
    invoices,
    ledgers,
    money,
    payment_plans,
    payment_terms,
    payments,
    trials,
)

FIND = settings(database=None, max_examples=2000)
GENERATE = settings(database=None, max_examples=1000, phases=[Phase.generate])


def test_importing_arpolicy_testing_does_not_import_hypothesis() -> None:
    code = "import sys, arpolicy, arpolicy.testing; print('hypothesis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------
# money
# ---------------------------------------------------------------------------


@given(currencies())
def test_currencies_have_different_minor_units(code: str) -> None:
    assert code in {"EUR", "JPY", "KWD", "GBP"}


def test_currencies_cover_zero_two_and_three_decimals() -> None:
    for units in (0, 2, 3):
        assert minor_unit(find(currencies(), lambda c, u=units: minor_unit(c) == u)) == units


@given(money())
def test_money_is_positive_and_quantized(amount: Money) -> None:
    assert amount.is_positive()
    assert amount.amount.as_tuple().exponent == -minor_unit(amount.currency)
    assert amount == Money(amount.amount, amount.currency)


@given(money(currency="KWD", min_value="0.5", max_value=Money("2.000", "KWD")))
def test_money_respects_currency_and_bounds(amount: Money) -> None:
    assert amount.currency == "KWD"
    assert Money("0.500", "KWD") <= amount <= Money("2.000", "KWD")


@given(money(currency=st.sampled_from(["JPY", "GBP"]), min_value=0, max_value=10))
def test_money_currency_strategy_and_zero(amount: Money) -> None:
    assert amount.currency in {"JPY", "GBP"}
    assert Decimal(0) <= amount.amount <= Decimal(10)


def test_money_bounds_round_inward() -> None:
    # 0.001 EUR rounds up to the first cent; 0.019 down to 0.01: only 0.01 fits.
    assert find(money(currency="EUR", min_value="0.001", max_value="0.019"), bool) == Money(
        "0.01", "EUR"
    )


def test_money_shrinks_to_a_whole_amount() -> None:
    assert find(money(currency="EUR"), lambda m: True, settings=FIND) == Money("1.00", "EUR")
    assert find(money(), lambda m: True, settings=FIND) == Money("1.00", "EUR")
    # Cents are still drawn.
    found = find(money(currency="EUR"), lambda m: m.amount % 1 != 0, settings=FIND)
    assert found == Money("0.01", "EUR")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"currency": "EUR", "min_value": 5, "max_value": 1},
        {"currency": "EUR", "min_value": Money(1, "GBP")},
        {"currency": "JPY", "min_value": "0.2", "max_value": "0.8"},  # no whole yen in range
    ],
)
def test_money_bad_bounds(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        money(**kwargs)  # type: ignore[arg-type]


def test_money_unknown_currency() -> None:
    with pytest.raises(UnknownCurrencyError):
        money(currency="XXX")


# ---------------------------------------------------------------------------
# terms, contacts, customers
# ---------------------------------------------------------------------------


@given(payment_terms(), st.dates(date(2025, 1, 1), date(2026, 12, 31)))
def test_payment_terms_are_valid(terms: PaymentTerms, issued: date) -> None:
    assert terms.due_date(issued) >= issued
    assert (terms.discount_percent is None) == (terms.discount_days is None)


def test_payment_terms_shrink_to_net_30() -> None:
    assert find(payment_terms(), lambda t: True, settings=FIND) == PaymentTerms(net_days=30)


@given(contacts())
def test_contacts_are_valid(found: Contacts) -> None:
    assert found.email is None or "@" in found.email


@given(
    customers(
        ids=st.sampled_from(["A", "B"]),
        profiles=st.just(Profile.PRIVATE),
        countries=st.just("BE"),
        currency="JPY",
    )
)
def test_customers_respect_overrides(customer: Customer) -> None:
    assert customer.id in {"A", "B"}
    assert customer.profile is Profile.PRIVATE
    assert customer.country == "BE"
    assert customer.credit_limit is None or customer.credit_limit.currency == "JPY"


def test_customers_shrink_to_a_plain_customer() -> None:
    found = find(customers(), lambda c: True, settings=FIND)
    assert found.id == "C1"
    assert found.block is None
    assert found.credit_limit is None
    assert found.tags == frozenset()


# ---------------------------------------------------------------------------
# invoices, payments, plans, trials
# ---------------------------------------------------------------------------

FEBRUARY = st.dates(date(2026, 2, 1), date(2026, 2, 28))


@given(
    invoices(
        ids=st.just("X1"),
        customer_id="C7",
        currency="JPY",
        dates=FEBRUARY,
        kinds=st.just(InvoiceKind.DEPOSIT),
    )
)
def test_invoices_respect_overrides(invoice: Invoice) -> None:
    assert (invoice.id, invoice.customer_id, invoice.currency) == ("X1", "C7", "JPY")
    assert invoice.kind is InvoiceKind.DEPOSIT
    assert date(2026, 2, 1) <= invoice.issue_date <= date(2026, 2, 28)
    assert invoice.due_date >= invoice.issue_date
    assert invoice.applies_to is None
    assert invoice.dispute is None or invoice.dispute.opened_on >= invoice.issue_date


@given(invoices(amounts=st.just(Money("9.99", "GBP"))))
def test_invoices_amount_override(invoice: Invoice) -> None:
    assert invoice.amount == Money("9.99", "GBP")


def test_invoices_include_every_kind_and_disputes() -> None:
    for kind in InvoiceKind:
        assert find(invoices(), lambda i, k=kind: i.kind is k, settings=GENERATE).kind is kind
    assert find(invoices(), lambda i: i.dispute is not None, settings=GENERATE).dispute


@given(
    payments(
        customer_id=st.sampled_from(["C1", "C2"]),
        currency="EUR",
        dates=FEBRUARY,
        invoice_ids=st.sampled_from(["I1", None]),
    )
)
def test_payments_respect_overrides(payment: Payment) -> None:
    assert payment.customer_id in {"C1", "C2"}
    assert payment.currency == "EUR"
    assert payment.amount.is_positive()
    assert date(2026, 2, 1) <= payment.date <= date(2026, 2, 28)
    assert payment.invoice_id in {"I1", None}


@given(payments())
def test_payments_name_no_invoice_by_default(payment: Payment) -> None:
    assert payment.invoice_id is None


@given(payment_plans(customer_id="C3", currency="KWD", invoice_ids=("I4",), agreed_on=FEBRUARY))
def test_payment_plans_respect_overrides(plan: PaymentPlan) -> None:
    assert (plan.customer_id, plan.currency, plan.invoice_ids) == ("C3", "KWD", ("I4",))
    assert date(2026, 2, 1) <= plan.agreed_on <= date(2026, 2, 28)
    due = [i.due_date for i in plan.instalments]
    assert due == sorted(set(due))
    assert due[0] >= plan.agreed_on


@given(
    payment_plans(invoice_ids=st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, unique=True))
)
def test_payment_plans_invoice_ids_strategy(plan: PaymentPlan) -> None:
    assert set(plan.invoice_ids) <= {"A", "B", "C"}


def test_payment_plans_shrink_to_a_promise_to_pay() -> None:
    found = find(payment_plans(), lambda p: True, settings=FIND)
    assert len(found.instalments) == 1
    assert found.grace_days == 0


@given(trials(ids=st.just("T9"), customer_id="C2", dates=FEBRUARY))
def test_trials_respect_overrides(trial: Trial) -> None:
    assert (trial.id, trial.customer_id) == ("T9", "C2")
    assert date(2026, 2, 1) <= trial.ends <= date(2026, 2, 28)
    assert trial.starts is None or trial.starts <= trial.ends


# ---------------------------------------------------------------------------
# ledgers
# ---------------------------------------------------------------------------


def _numbered(ids: list[str], prefix: str) -> bool:
    return ids == [f"{prefix}{n}" for n in range(1, len(ids) + 1)]


@given(
    ledgers(
        min_customers=2,
        max_customers=3,
        max_invoices=6,
        max_payments=4,
        currencies=("JPY", "KWD"),
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
    )
)
def test_ledgers_respect_overrides(ledger: Ledger) -> None:
    assert 2 <= len(ledger.customers) <= 3
    assert len(ledger.invoices) <= 6
    assert len(ledger.payments) <= 4
    assert set(ledger.currencies()) <= {"JPY", "KWD"}
    march = (date(2026, 3, 1), date(2026, 3, 31))
    for bill in ledger.invoices:
        assert march[0] <= bill.issue_date <= march[1]
    for p in ledger.payments:
        assert march[0] <= p.date <= march[1]
    for plan in ledger.plans:
        assert march[0] <= plan.agreed_on <= march[1]
    for trial in ledger.trials:
        assert march[0] <= trial.ends <= march[1]


@given(ledgers(currencies=("EUR", "GBP")))
def test_ledgers_are_consistent(ledger: Ledger) -> None:
    # Building the ledger again validates every reference.
    assert (
        Ledger(ledger.customers, ledger.invoices, ledger.payments, ledger.plans, ledger.trials)
        == ledger
    )
    assert _numbered([c.id for c in ledger.customers], "C")
    assert _numbered([i.id for i in ledger.invoices], "I")
    assert _numbered([p.id for p in ledger.payments], "P")
    assert _numbered([p.id for p in ledger.plans], "PL")
    assert _numbered([t.id for t in ledger.trials], "T")
    for p in ledger.payments:
        if p.invoice_id is not None:
            target = ledger.invoice(p.invoice_id)
            assert (target.customer_id, target.currency) == (p.customer_id, p.currency)
            assert not target.is_credit
    for note in ledger.invoices:
        if note.applies_to is not None:
            target = ledger.invoice(note.applies_to)
            assert note.is_credit
            assert (target.customer_id, target.currency) == (note.customer_id, note.currency)
    for plan in ledger.plans:
        for iid in plan.invoice_ids:
            target = ledger.invoice(iid)
            assert (target.customer_id, target.currency) == (plan.customer_id, plan.currency)
            assert not target.is_credit
    for bill in ledger.invoices:
        if bill.payment_link is not None:
            assert bill.payment_link.endswith("/" + bill.id)


@given(ledgers(with_plans=False, with_trials=False))
def test_ledgers_without_plans_and_trials(ledger: Ledger) -> None:
    assert ledger.plans == ()
    assert ledger.trials == ()


@given(ledgers(min_customers=3, max_customers=3, max_invoices=0, max_payments=0))
def test_ledgers_exact_customer_count(ledger: Ledger) -> None:
    assert [c.id for c in ledger.customers] == ["C1", "C2", "C3"]
    assert ledger.invoices == ()
    assert ledger.payments == ()
    assert ledger.plans == ()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_customers": 0},
        {"min_customers": 3, "max_customers": 2},
        {"max_invoices": -1},
        {"max_payments": -1},
        {"currencies": ()},
        {"start": date(2026, 1, 2), "end": date(2026, 1, 1)},
    ],
)
def test_ledgers_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        ledgers(**kwargs)  # type: ignore[arg-type]


def test_ledgers_unknown_currency() -> None:
    with pytest.raises(UnknownCurrencyError):
        ledgers(currencies=("EUR", "EURO"))


def test_ledgers_shrink_to_small_readable_examples() -> None:
    # Small bounds keep the shrinking quick; the shape of the result is what counts.
    strategy = ledgers(max_customers=2, max_invoices=3, max_payments=3)
    named = find(strategy, lambda ledger: any(p.invoice_id for p in ledger.payments), settings=FIND)
    assert [c.id for c in named.customers] == ["C1"]
    assert [(p.id, p.invoice_id, p.amount) for p in named.payments] == [
        ("P1", "I1", Money("1.00", "EUR"))
    ]
    assert named.plans == ()
    assert named.trials == ()
    # Hypothesis's shrinker sometimes stops with a few extra invoices, but
    # each one is as plain as can be.
    for bill in named.invoices:
        assert bill.amount == Money("1.00", "EUR")
        assert bill.kind is InvoiceKind.INVOICE
        assert bill.issue_date == date(2025, 1, 1)
        assert (bill.terms, bill.dispute, bill.on_hold_until) == (None, None, None)


@pytest.mark.parametrize(
    "wanted",
    [
        pytest.param(
            lambda led: any(i.applies_to for i in led.invoices), id="credit note applies_to"
        ),
        pytest.param(lambda led: any(i.dispute for i in led.invoices), id="dispute"),
        pytest.param(lambda led: len(led.plans) >= 2, id="two plans"),
        pytest.param(lambda led: led.trials, id="trial"),
        pytest.param(lambda led: len(led.currencies()) == 3, id="three currencies"),
        pytest.param(
            lambda led: any(
                pos.credit for pos in (led.position(c.id, date(2027, 1, 1)) for c in led.customers)
            ),
            id="customer credit",
        ),
        pytest.param(
            lambda led: any(b.is_zero() for b in led.balances(date(2027, 1, 1)).values()),
            id="an invoice paid in full",
        ),
    ],
)
def test_ledgers_reach_interesting_cases(wanted: object) -> None:
    strategy = ledgers(max_customers=3, currencies=("EUR", "JPY", "KWD"))
    # Generation only: find() raises NoSuchExample if no ledger has the feature.
    find(strategy, wanted, settings=GENERATE)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# profiles and countries as sequences; plan sizes
# ---------------------------------------------------------------------------


@given(customers(profiles=["private", Profile.GOVERNMENT], countries=["BE", "FR"]))
def test_customers_take_sequences_of_profiles_and_countries(customer: Customer) -> None:
    assert customer.profile in {Profile.PRIVATE, Profile.GOVERNMENT}
    assert customer.country in {"BE", "FR"}


@given(customers(profiles="government", countries="GB"))
def test_customers_take_a_single_profile_and_country(customer: Customer) -> None:
    assert (customer.profile, customer.country) == (Profile.GOVERNMENT, "GB")


def test_customers_shrink_toward_the_first_profile_and_country() -> None:
    found = find(customers(profiles=["private", "business"], countries=["FR", "NL"]), bool)
    assert (found.profile, found.country) == (Profile.PRIVATE, "FR")


@pytest.mark.parametrize(
    "kwargs",
    [{"profiles": []}, {"profiles": ["robot"]}, {"countries": []}, {"countries": ["XX"]}],
)
def test_customers_bad_profiles_and_countries(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        customers(**kwargs)  # type: ignore[arg-type]


@given(ledgers(profiles=["business"], countries=("DE", "NL"), max_invoices=3))
def test_ledgers_respect_profiles_and_countries(ledger: Ledger) -> None:
    assert {c.profile for c in ledger.customers} == {Profile.BUSINESS}
    assert {c.country for c in ledger.customers} <= {"DE", "NL"}


def test_ledgers_default_countries_include_places_without_a_law_pack() -> None:
    # The default is kept wide on purpose: customers outside the packs exercise the fallbacks.
    find(ledgers(), lambda led: any(c.country == "US" for c in led.customers), settings=GENERATE)


@given(payment_plans(max_instalments=2))
def test_payment_plans_max_instalments(plan: PaymentPlan) -> None:
    assert 1 <= len(plan.instalments) <= 2


def test_payment_plans_reach_max_instalments() -> None:
    found = find(payment_plans(max_instalments=9), lambda p: len(p.instalments) >= 9)
    assert len(found.instalments) == 9
    with pytest.raises(InvalidArgument):
        payment_plans(max_instalments=0)
