"""The faster credit recommendation gives the same results as before, to the byte.

``credit_reference`` is a verbatim copy of ``recommend``, ``payment_behaviour``,
``overdue_since`` and ``breach_start`` (and their helpers) as they were before
the credit-speed work; every result is compared whole, with ``==`` and
``repr`` (which shows each Decimal's digits), on Hypothesis-drawn ledgers, the
sample portfolio and the 20,000-invoice benchmark books.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import credit_reference as ref
from arpolicy.credit import (
    DEFAULT_POLICY,
    CreditPolicy,
    CreditScore,
    _overdue_on,
    _Records,
    breach_start,
    overdue_since,
    recommend,
)
from arpolicy.fx import FxRate, FxRates
from arpolicy.model import Customer, Dispute, Invoice, Ledger, Payment, PaymentTerms
from arpolicy.money import Money
from arpolicy.reports import payment_behaviour
from arpolicy.sample import SAMPLE_AS_OF, sample_ledger
from arpolicy.testing.strategies import ledgers

FX = FxRates(
    [
        FxRate(date(2025, 1, 1), "EUR", "USD", "1.25"),
        FxRate(date(2025, 9, 1), "EUR", "USD", "1.10"),
        FxRate(date(2026, 3, 1), "USD", "EUR", "0.95"),
    ]
)
# strict enough that most customers with something overdue get a score hold
STRICT = CreditPolicy(hold_below=Decimal(95), min_invoices=0)
POLICIES = (DEFAULT_POLICY, STRICT, CreditPolicy(hold_on_limit=False, hold_below=None))


def same(new: object, old: object) -> None:
    assert new == old
    assert repr(new) == repr(old)


def check_customer(
    ledger: Ledger,
    customer_id: str,
    as_of: date,
    *,
    earlier: date | None = None,
    policy: CreditPolicy = DEFAULT_POLICY,
    external: CreditScore | None = None,
    fx_rates: FxRates | None = None,
) -> None:
    """Every function, without a position, with one on ``as_of`` and on ``earlier``."""
    same(overdue_since(ledger, customer_id, as_of), ref.overdue_since(ledger, customer_id, as_of))
    same(
        breach_start(ledger, customer_id, as_of, fx_rates=fx_rates),
        ref.breach_start(ledger, customer_id, as_of, fx_rates=fx_rates),
    )
    positions = [None, ledger.position(customer_id, as_of)]
    if earlier is not None and earlier <= as_of:
        positions.append(ledger.position(customer_id, earlier))
    for pos in positions:
        same(
            payment_behaviour(ledger, customer_id, as_of, position=pos),
            ref.payment_behaviour(ledger, customer_id, as_of, position=pos),
        )
        same(
            recommend(
                ledger,
                customer_id,
                as_of,
                policy=policy,
                external=external,
                position=pos,
                fx_rates=fx_rates,
            ),
            ref.recommend(
                ledger,
                customer_id,
                as_of,
                policy=policy,
                external=external,
                position=pos,
                fx_rates=fx_rates,
            ),
        )


def record_days(ledger: Ledger, customer_id: str) -> list[date]:
    """The days something of the customer happens (issue, due, payment)."""
    days = {p.date for p in ledger.payments_of(customer_id)}
    for inv in ledger.invoices_of(customer_id):
        days.update((inv.issue_date, inv.due_date, inv.due_date + timedelta(days=1)))
    return sorted(days)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Ledger, date, date, CreditPolicy, CreditScore | None, bool]:
    ledger = draw(ledgers(max_customers=3, currencies=("EUR", "USD")))
    as_of = draw(st.dates(date(2025, 1, 1), date(2027, 3, 31)))
    earlier = as_of - timedelta(days=draw(st.integers(0, 90)))
    policy = draw(st.sampled_from(POLICIES))
    external = draw(st.none() | st.integers(0, 100).map(lambda v: CreditScore(v, "agency")))
    return ledger, as_of, earlier, policy, external, draw(st.booleans())


@given(cases())
def test_same_results_on_drawn_ledgers(
    case: tuple[Ledger, date, date, CreditPolicy, CreditScore | None, bool],
) -> None:
    ledger, as_of, earlier, policy, external, with_fx = case
    for customer in ledger.customers:
        check_customer(
            ledger,
            customer.id,
            as_of,
            earlier=earlier,
            policy=policy,
            external=external,
            fx_rates=FX if with_fx else None,
        )


@given(ledgers(max_customers=2, max_invoices=12, max_payments=12))
def test_same_results_on_every_record_day(ledger: Ledger) -> None:
    """On each day a record of the customer changes something, and the day
    before: where overdue spells start and end."""
    for customer in ledger.customers:
        days = record_days(ledger, customer.id)
        for day in days:
            for as_of in (day - timedelta(days=1), day):
                check_customer(ledger, customer.id, as_of, earlier=days[0], policy=STRICT)


def overdue_checks_agree(ledger: Ledger, customer_id: str, days: list[date]) -> None:
    """The overdue check of a day without building a position (with its shortcuts:
    surely overdue, surely clear) says what the position on that day says."""
    records = _Records(ledger, customer_id)
    for day in days:
        expected = ref._overdue(ledger, ledger.position(customer_id, day))
        assert _overdue_on(records, day) is expected, (customer_id, day)


@given(ledgers(max_customers=2, max_invoices=14, max_payments=14, currencies=("EUR", "USD")))
def test_the_overdue_check_of_a_day_agrees_with_the_position(ledger: Ledger) -> None:
    for customer in ledger.customers:
        days = record_days(ledger, customer.id)
        overdue_checks_agree(ledger, customer.id, [d - timedelta(days=1) for d in days] + days)


def test_a_dispute_lets_an_unnamed_payment_pass_an_older_invoice() -> None:
    """Unnamed payments pay undisputed invoices first: enough money is not
    enough to clear an older disputed invoice."""
    disputed = Dispute(date(2024, 1, 5), "quality")
    ledger = Ledger(
        [Customer("C1", "Acme", "business", "NL")],
        [
            Invoice(
                "I1", "C1", date(2024, 1, 1), date(2024, 1, 10), Money(100, "EUR"), dispute=disputed
            ),
            Invoice("I2", "C1", date(2024, 1, 2), date(2024, 3, 1), Money(100, "EUR")),
        ],
        [Payment("P1", "C1", date(2024, 1, 20), Money(100, "EUR"))],
    )
    day = date(2024, 1, 20)
    assert ref._overdue(ledger, ledger.position("C1", day))  # I2 got the payment
    overdue_checks_agree(ledger, "C1", [day, date(2024, 1, 11), date(2024, 3, 2)])


def test_an_early_payment_discount_settles_for_less_than_the_amount() -> None:
    """98 paid within the discount period settle an invoice of 100: less money
    than the amount is not surely overdue."""
    terms = PaymentTerms(net_days=30, discount_percent=Decimal(2), discount_days=10)
    issued = date(2024, 1, 1)
    ledger = Ledger(
        [Customer("C1", "Acme", "business", "NL")],
        [Invoice.from_terms("I1", "C1", issued, Money(100, "EUR"), terms)],
        [Payment("P1", "C1", date(2024, 1, 5), Money(98, "EUR"))],
    )
    day = date(2024, 2, 15)
    assert not ref._overdue(ledger, ledger.position("C1", day))
    overdue_checks_agree(ledger, "C1", [day, date(2024, 1, 5), date(2024, 1, 31)])
    check_customer(ledger, "C1", day, policy=STRICT)


def test_same_results_on_the_sample_portfolio() -> None:
    ledger = sample_ledger()
    for shift in (-60, -7, 0, 1, 30):
        as_of = SAMPLE_AS_OF + timedelta(days=shift)
        for customer in ledger.customers:
            for policy in (DEFAULT_POLICY, STRICT):
                check_customer(
                    ledger, customer.id, as_of, earlier=as_of - timedelta(days=10), policy=policy
                )


# -- the 20,000-invoice benchmark books --------------------------------------------------


@pytest.fixture(scope="module")
def books() -> Iterator[object]:
    """``benchmarks/ledgers.py``, the benchmark books' generator."""
    here = Path(__file__).resolve().parent.parent / "benchmarks"
    sys.path.insert(0, str(here))
    try:
        import ledgers as books  # noqa: PLC0415 - benchmarks/ledgers.py

        yield books
    finally:
        sys.path.remove(str(here))


@pytest.mark.parametrize("flavour", ["delinquent", "realistic"])
def test_same_results_on_the_benchmark_books(
    flavour: str, books: object, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """All customers on three days: the cached book, else one generated for the test."""
    from arpolicy.io import load_ledger  # noqa: PLC0415

    size = (flavour, 20_000, 2_000, 20260115)
    where = books.paths(*size)  # type: ignore[attr-defined]
    if not where.ledger.is_dir():  # not cached: generate it into a temporary directory
        out = tmp_path_factory.mktemp(flavour)
        where = books.Paths(out / "book", out / "book.history.csv", out / "book.stats.json")  # type: ignore[attr-defined]
        books.generate(where, books.FLAVOURS[flavour], *size[1:])  # type: ignore[attr-defined]
    ledger = load_ledger(where.ledger)
    as_of = books.AS_OF  # type: ignore[attr-defined]
    for day in (as_of, as_of - timedelta(days=75), as_of - timedelta(days=200)):
        held = 0
        for customer in ledger.customers:
            pos = ledger.position(customer.id, day)
            new = recommend(ledger, customer.id, day, position=pos)
            same(new, ref.recommend(ledger, customer.id, day, position=pos))
            same(
                overdue_since(ledger, customer.id, day),
                ref.overdue_since(ledger, customer.id, day),
            )
            same(breach_start(ledger, customer.id, day), ref.breach_start(ledger, customer.id, day))
            held += new.decision == "hold"
        assert held  # the comparison covered holds
