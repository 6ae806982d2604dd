"""An opt-in pytest plugin with fixtures for testing code built on arpolicy.

It is never loaded on its own (arpolicy declares no ``pytest11`` entry
point), so installing arpolicy changes nobody's test run. Opt in from your
top-level ``conftest.py``::

    pytest_plugins = ["arpolicy.testing.pytest_plugin"]

or on the command line with ``-p arpolicy.testing.pytest_plugin``.

Fixtures:

* ``arpolicy_as_of``: the "today" of a test, a fixed date (never the
  clock): :data:`DEFAULT_AS_OF` unless the test carries the marker
  ``@pytest.mark.arpolicy_as_of(date(2026, 3, 2))`` (or an ISO string), or
  you override the fixture.
* ``arpolicy_sample_ledger``: the built-in sample portfolio
  (:func:`arpolicy.sample.sample_ledger`) as of ``arpolicy_as_of``.
* ``arpolicy_ledger_factory``: a :class:`LedgerFactory` that builds small
  ledgers from keyword arguments, dated relative to ``arpolicy_as_of``.

Example test module::

    from arpolicy import plan


    def test_one_overdue_invoice_gets_a_reminder(arpolicy_ledger_factory, arpolicy_as_of):
        ledger = arpolicy_ledger_factory(invoices=[{"amount": "250.00", "overdue_days": 10}])
        assert plan(ledger, as_of=arpolicy_as_of).actions
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final, TypeVar

import pytest

from arpolicy.model import Customer, Invoice, Ledger, Payment, PaymentPlan, Trial
from arpolicy.money import Money
from arpolicy.sample import SAMPLE_AS_OF, sample_ledger

__all__ = [
    "DEFAULT_AS_OF",
    "LedgerFactory",
    "arpolicy_as_of",
    "arpolicy_ledger_factory",
    "arpolicy_sample_ledger",
]

DEFAULT_AS_OF: Final = SAMPLE_AS_OF
"""The default ``arpolicy_as_of``: the sample portfolio's date, a Monday."""

MARKER: Final = "arpolicy_as_of"
"""The marker that sets ``arpolicy_as_of`` for one test, class or module."""

_Amount = Money | Decimal | int | str
_Record = Mapping[str, Any]
_R = TypeVar("_R")


class LedgerFactory:
    """Builds small valid ledgers with sensible defaults, for hand-written tests.

    Every argument may be a count (that many default records) or a sequence
    of records, each a domain object (used as is) or a mapping of keyword
    arguments for it, where anything left out gets a default:

    * customers: ids ``"C1"``, ``"C2"`` ..., name ``"Customer C1"``,
      profile ``"business"``, country ``"NL"``; every other
      :class:`~arpolicy.model.Customer` field may be given.
    * invoices: ids ``"I1"`` ..., customer ``"C1"``, amount ``100.00`` in
      the factory's currency, due ``overdue_days`` (default 14) days before
      ``as_of`` and issued 30 days before that; ``amount`` may be a plain
      number or string, and ``issue_date``, ``due_date`` and every other
      :class:`~arpolicy.model.Invoice` field may be given.
    * payments: ids ``"P1"`` ..., dated the day before ``as_of``; a payment
      that names an ``invoice_id`` defaults to that invoice's customer and
      full amount, one that does not to customer ``"C1"`` and ``100.00``.
    * plans and trials: :class:`~arpolicy.model.PaymentPlan` and
      :class:`~arpolicy.model.Trial` objects (no defaults).

    Customers that invoices or payments name but that are not listed are
    added with default fields, so ``factory(invoices=[{"customer_id": "C2"}])``
    works.

    Args:
        as_of: the date defaults are relative to.
        currency: the currency of default and plain amounts.

    Examples:
        >>> factory = LedgerFactory(date(2026, 3, 16))
        >>> ledger = factory(invoices=2, payments=[{"invoice_id": "I1"}])
        >>> [(i.id, i.due_date.isoformat(), str(i.amount)) for i in ledger.invoices]
        [('I1', '2026-03-02', '100.00 EUR'), ('I2', '2026-03-02', '100.00 EUR')]
        >>> str(ledger.balance("I1", date(2026, 3, 16)))
        '0.00 EUR'
    """

    def __init__(self, as_of: date, *, currency: str = "EUR") -> None:
        self.as_of = as_of
        self.currency = currency

    def __call__(
        self,
        *,
        customers: int | Iterable[Customer | _Record] = 1,
        invoices: int | Iterable[Invoice | _Record] = 1,
        payments: int | Iterable[Payment | _Record] = (),
        plans: Iterable[PaymentPlan] = (),
        trials: Iterable[Trial] = (),
    ) -> Ledger:
        """Build a ledger.

        Args:
            customers: a count or customer records (default one customer).
            invoices: a count or invoice records (default one overdue invoice).
            payments: a count or payment records (default none).
            plans: payment plans.
            trials: trials and free allowances.

        Returns:
            The ledger (validated: a bad reference raises
            :class:`~arpolicy.errors.LedgerError`).
        """
        people = [self.customer(r, n) for n, r in enumerate(_records(customers), start=1)]
        bills = [self.invoice(r, n) for n, r in enumerate(_records(invoices), start=1)]
        by_id = {b.id: b for b in bills}
        paid = [self.payment(r, n, by_id) for n, r in enumerate(_records(payments), start=1)]
        known = {c.id for c in people}
        for cid in [*(b.customer_id for b in bills), *(p.customer_id for p in paid)]:
            if cid not in known:
                people.append(self.customer({"id": cid}, 0))
                known.add(cid)
        return Ledger(people, bills, paid, tuple(plans), tuple(trials))

    def money(self, value: _Amount) -> Money:
        """``value`` as money in the factory's currency (a :class:`Money` as is).

        Args:
            value: an amount.

        Returns:
            The amount as :class:`~arpolicy.money.Money`.
        """
        return value if isinstance(value, Money) else Money(value, self.currency)

    def customer(self, record: Customer | _Record, n: int) -> Customer:
        """The ``n``-th customer (1-based) from ``record`` and the defaults.

        Args:
            record: a customer, or keyword arguments for one.
            n: its position, for the default id.

        Returns:
            The customer.
        """
        if isinstance(record, Customer):
            return record
        fields = dict(record)
        cid = fields.pop("id", f"C{n}")
        return Customer(
            cid,
            fields.pop("name", f"Customer {cid}"),
            fields.pop("profile", "business"),
            fields.pop("country", "NL"),
            **fields,
        )

    def invoice(self, record: Invoice | _Record, n: int) -> Invoice:
        """The ``n``-th invoice (1-based) from ``record`` and the defaults.

        Args:
            record: an invoice, or keyword arguments for one (plus
                ``overdue_days``).
            n: its position, for the default id.

        Returns:
            The invoice.
        """
        if isinstance(record, Invoice):
            return record
        fields = dict(record)
        overdue = fields.pop("overdue_days", 14)
        due = fields.pop("due_date", self.as_of - timedelta(days=overdue))
        return Invoice(
            fields.pop("id", f"I{n}"),
            fields.pop("customer_id", "C1"),
            fields.pop("issue_date", due - timedelta(days=30)),
            due,
            self.money(fields.pop("amount", "100.00")),
            **fields,
        )

    def payment(
        self, record: Payment | _Record, n: int, invoices: Mapping[str, Invoice]
    ) -> Payment:
        """The ``n``-th payment (1-based) from ``record`` and the defaults.

        Args:
            record: a payment, or keyword arguments for one.
            n: its position, for the default id.
            invoices: the ledger's invoices by id, for the defaults of a
                payment that names one.

        Returns:
            The payment.
        """
        if isinstance(record, Payment):
            return record
        fields = dict(record)
        named = invoices.get(fields.get("invoice_id") or "")
        return Payment(
            fields.pop("id", f"P{n}"),
            fields.pop("customer_id", named.customer_id if named else "C1"),
            fields.pop("date", self.as_of - timedelta(days=1)),
            self.money(fields.pop("amount", named.amount if named else "100.00")),
            **fields,
        )


def _records(value: int | Iterable[_R]) -> list[_R | _Record]:
    if isinstance(value, int):
        return [{} for _ in range(value)]
    return list(value)


def _marked_date(value: object) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise pytest.UsageError(
        f"@pytest.mark.{MARKER} needs a date or an ISO date string, not {value!r}"
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``arpolicy_as_of`` marker (so ``--strict-markers`` accepts it).

    Args:
        config: pytest's configuration.
    """
    config.addinivalue_line(
        "markers",
        f"{MARKER}(day): the date the arpolicy_as_of fixture returns "
        "(a datetime.date or an ISO string)",
    )


@pytest.fixture
def arpolicy_as_of(request: pytest.FixtureRequest) -> date:
    """The test's "today": the ``arpolicy_as_of`` marker's date, else :data:`DEFAULT_AS_OF`.

    Args:
        request: pytest's fixture request.

    Returns:
        A fixed date.
    """
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return DEFAULT_AS_OF
    if len(marker.args) != 1 or marker.kwargs:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes exactly one date")
    return _marked_date(marker.args[0])


@pytest.fixture
def arpolicy_sample_ledger(arpolicy_as_of: date) -> Ledger:
    """The built-in sample portfolio as of ``arpolicy_as_of``.

    Args:
        arpolicy_as_of: the portfolio's date.

    Returns:
        :func:`arpolicy.sample.sample_ledger` with ``as_of=arpolicy_as_of``.
    """
    return sample_ledger(as_of=arpolicy_as_of)


@pytest.fixture
def arpolicy_ledger_factory(arpolicy_as_of: date) -> LedgerFactory:
    """A :class:`LedgerFactory` whose defaults are relative to ``arpolicy_as_of``.

    Args:
        arpolicy_as_of: the date defaults are relative to.

    Returns:
        The factory; call it with ``customers=``, ``invoices=``,
        ``payments=``, ``plans=`` and ``trials=``.
    """
    return LedgerFactory(arpolicy_as_of)
