"""The opt-in pytest plugin: never auto-loaded, and its fixtures work once opted in."""

from __future__ import annotations

import importlib.metadata
from datetime import date
from decimal import Decimal

import pytest

from arpolicy import LedgerError, Money, Profile, UnknownReferenceError
from arpolicy.model import Customer, Invoice
from arpolicy.sample import SAMPLE_AS_OF
from arpolicy.testing.pytest_plugin import DEFAULT_AS_OF, LedgerFactory

pytest_plugins = ["pytester"]

PLUGIN = "arpolicy.testing.pytest_plugin"

USES_FIXTURES = """
from datetime import date

from arpolicy import plan
from arpolicy.sample import sample_ledger


def test_sample(arpolicy_sample_ledger, arpolicy_as_of):
    assert arpolicy_as_of == date(2026, 11, 2)
    assert arpolicy_sample_ledger == sample_ledger(as_of=arpolicy_as_of)


def test_factory(arpolicy_ledger_factory, arpolicy_as_of):
    ledger = arpolicy_ledger_factory(invoices=[{"amount": "250.00", "overdue_days": 10}])
    assert [c.id for c in ledger.customers] == ["C1"]
    assert ledger.invoices[0].due_date == date(2026, 10, 23)
    assert plan(ledger, as_of=arpolicy_as_of).actions
"""


def test_no_pytest11_entry_point_names_arpolicy() -> None:
    # pytest auto-loads every pytest11 entry point of the environment; arpolicy has none.
    values = [ep.value for ep in importlib.metadata.entry_points(group="pytest11")]
    assert not [v for v in values if v.startswith("arpolicy")]
    assert importlib.metadata.entry_points(group="pytest11", name="arpolicy") == ()


def test_fixtures_are_not_loaded_without_opting_in(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USES_FIXTURES)
    result = pytester.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*fixture 'arpolicy_sample_ledger' not found*"])
    # Nor is its marker registered.
    assert "arpolicy_as_of" not in pytester.runpytest("--markers").stdout.str()


def test_opting_in_from_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(f"pytest_plugins = [{PLUGIN!r}]")
    pytester.makepyfile(USES_FIXTURES)
    pytester.runpytest("--strict-markers").assert_outcomes(passed=2)
    pytester.runpytest("--markers").stdout.fnmatch_lines(["@pytest.mark.arpolicy_as_of(day):*"])


def test_opting_in_on_the_command_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USES_FIXTURES)
    pytester.runpytest("-p", PLUGIN).assert_outcomes(passed=2)


def test_marker_and_fixture_override_set_as_of(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(f"pytest_plugins = [{PLUGIN!r}]")
    pytester.makepyfile(
        test_marked="""
        from datetime import date

        import pytest

        pytestmark = pytest.mark.arpolicy_as_of("2026-01-05")


        def test_module_marker(arpolicy_as_of, arpolicy_ledger_factory):
            assert arpolicy_as_of == date(2026, 1, 5)
            ledger = arpolicy_ledger_factory()
            assert ledger.invoices[0].due_date == date(2025, 12, 22)


        @pytest.mark.arpolicy_as_of(date(2026, 3, 2))
        def test_own_marker_wins(arpolicy_as_of, arpolicy_sample_ledger):
            assert arpolicy_as_of == date(2026, 3, 2)
            assert max(p.date for p in arpolicy_sample_ledger.payments) <= date(2026, 3, 2)
        """,
        test_overridden="""
        from datetime import date

        import pytest


        @pytest.fixture
        def arpolicy_as_of():
            return date(2025, 7, 1)


        def test_override(arpolicy_ledger_factory):
            assert arpolicy_ledger_factory.as_of == date(2025, 7, 1)
        """,
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=3)


def test_bad_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(f"pytest_plugins = [{PLUGIN!r}]")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.arpolicy_as_of(20260105)
        def test_it(arpolicy_as_of):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*arpolicy_as_of needs a date or an ISO date string*"])


# ---------------------------------------------------------------------------
# the factory itself
# ---------------------------------------------------------------------------

AS_OF = date(2026, 3, 16)


def test_default_as_of_is_the_sample_date() -> None:
    assert DEFAULT_AS_OF == SAMPLE_AS_OF


def test_factory_defaults() -> None:
    ledger = LedgerFactory(AS_OF)()
    (customer,) = ledger.customers
    (bill,) = ledger.invoices
    assert (customer.id, customer.profile, customer.country) == ("C1", Profile.BUSINESS, "NL")
    assert (bill.id, bill.customer_id, bill.amount) == ("I1", "C1", Money("100.00", "EUR"))
    assert (bill.issue_date, bill.due_date) == (date(2026, 1, 31), date(2026, 3, 2))
    assert ledger.payments == ()
    assert ledger.balance("I1", AS_OF) == Money("100.00", "EUR")


def test_factory_counts_and_records() -> None:
    factory = LedgerFactory(AS_OF, currency="GBP")
    ledger = factory(
        customers=[{"profile": "private", "country": "GB"}, {"id": "K9"}],
        invoices=[{"customer_id": "K9", "amount": 40}, {"amount": Decimal("12.5")}],
        payments=[{"invoice_id": "I1"}, {"amount": "5"}],
    )
    assert [(c.id, c.profile) for c in ledger.customers] == [
        ("C1", Profile.PRIVATE),
        ("K9", Profile.BUSINESS),
    ]
    assert [i.amount for i in ledger.invoices] == [Money(40, "GBP"), Money("12.50", "GBP")]
    named, unnamed = ledger.payments
    # A payment naming an invoice pays it in full, from its customer, the day before.
    assert (named.customer_id, named.amount, named.date) == (
        "K9",
        Money(40, "GBP"),
        date(2026, 3, 15),
    )
    assert (unnamed.customer_id, unnamed.amount, unnamed.invoice_id) == (
        "C1",
        Money(5, "GBP"),
        None,
    )
    assert ledger.balance("I1", AS_OF).is_zero()
    assert ledger.balance("I2", AS_OF) == Money("7.50", "GBP")


def test_factory_adds_customers_that_records_name() -> None:
    ledger = LedgerFactory(AS_OF)(customers=0, invoices=[{"customer_id": "C2"}], payments=1)
    assert [c.id for c in ledger.customers] == ["C2", "C1"]


def test_factory_takes_domain_objects_as_they_are() -> None:
    person = Customer("X", "Xavier", "government", "DE")
    bill = Invoice("B1", "X", date(2026, 1, 1), date(2026, 2, 1), Money("9.99", "EUR"))
    ledger = LedgerFactory(AS_OF)(customers=[person], invoices=[bill, {"customer_id": "X"}])
    assert ledger.customers == (person,)
    assert ledger.invoices[0] is bill
    assert ledger.invoices[1].id == "I2"


def test_factory_count_of_invoices() -> None:
    ledger = LedgerFactory(AS_OF)(invoices=3)
    assert [i.id for i in ledger.invoices] == ["I1", "I2", "I3"]


def test_factory_refuses_a_bad_reference() -> None:
    with pytest.raises(LedgerError):
        LedgerFactory(AS_OF)(payments=[{"invoice_id": "I7"}])
    with pytest.raises(UnknownReferenceError):
        LedgerFactory(AS_OF)(invoices=[{"applies_to": "nope", "kind": "credit_note"}])
