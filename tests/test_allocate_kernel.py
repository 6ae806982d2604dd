"""The allocation kernel (arpolicy.ledger._allocate) against Ledger.position.

A differential test: random ledgers and every relevant date; the kernel's
balances, customer credit, discounts and allocation rows equal what
:meth:`arpolicy.model.Ledger.position` says for every customer, on the
vectorised path, on the per-group fallback and with the automatic choice.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arpolicy import Customer, Dispute, Invoice, Money, Payment, PaymentTerms
from arpolicy.io import dump_ledger, load_ledger
from arpolicy.ledger import _ledger as ledger_module
from arpolicy.ledger._allocate import (
    Allocated,
    Prepared,
    allocate,
    allocate_prepared,
    positions_at,
    prepare,
)
from arpolicy.model import InvoiceKind, Ledger
from arpolicy.testing.strategies import ledgers

D = date


def _dates(ledger: Ledger) -> list[date]:
    """Every date of the ledger, a day either side, and before and after all."""
    days: set[date] = set()
    for inv in ledger.invoices:
        days.add(inv.issue_date)
        if inv.dispute is not None:
            days.add(inv.dispute.opened_on)
            if inv.dispute.resolved_on is not None:
                days.add(inv.dispute.resolved_on)
        if inv.terms is not None and inv.terms.discount_days is not None:
            days.add(inv.issue_date + timedelta(days=inv.terms.discount_days))
    days.update(p.date for p in ledger.payments)
    if not days:
        return [D(2026, 1, 1)]
    around = {d + timedelta(days=k) for d in days for k in (-1, 0, 1)}
    around |= {min(days) - timedelta(days=30), max(days) + timedelta(days=30)}
    return sorted(around)


def _expected(ledger: Ledger, as_of: date) -> tuple[dict, dict, list, dict]:
    balances: dict[str, int] = {}
    credit: dict[tuple[str, str], int] = {}
    rows: list[tuple] = []
    discounts: dict[str, int] = {}
    for who in sorted(ledger.customers, key=lambda c: c.id):
        pos = ledger.position(who.id, as_of)
        balances.update({iid: m.minor_units for iid, m in pos.balances.items()})
        credit.update({(who.id, cur): m.minor_units for cur, m in pos.credit.items()})
        discounts.update({iid: m.minor_units for iid, m in pos.discounts.items()})
        paid_on = {p.id: p.date for p in ledger.payments_of(who.id)}
        notes = {i.id: i.issue_date for i in ledger.invoices_of(who.id) if i.is_credit}
        # the kernel lists a customer's rows per currency, each in the rule's order
        for a in sorted(pos.allocations, key=lambda a: a.amount.currency):
            day = paid_on.get(a.source_id, notes.get(a.source_id))
            rows.append(
                (
                    who.id,
                    a.amount.currency,
                    a.source_id,
                    a.invoice_id,
                    a.amount.minor_units,
                    a.kind.value,
                    day,
                )
            )
    return balances, credit, rows, discounts


def _actual(result: Allocated) -> tuple[dict, dict, list, dict]:
    balances = dict(result.balances.select("invoice_id", "balance").iter_rows())
    credit = {(c, cur): v for c, cur, v in result.credit.iter_rows()}
    rows = list(result.allocations.iter_rows())
    discounts = dict(result.discounts.select("invoice_id", "discount").iter_rows())
    return balances, credit, rows, discounts


def _settlements(ledger: Ledger, as_of: date) -> set[tuple]:
    found = set()
    for who in ledger.customers:
        for parts in ledger.settlements_of(who.id, as_of).values():
            found.update(
                (s.source_id, s.invoice_id, s.date, s.amount.minor_units, s.discount) for s in parts
            )
    return found


def _check(ledger: Ledger, as_of: date, prepared: Prepared | None = None) -> Allocated:
    """The kernel on both paths (and in Int128) equals the rule on ``as_of``."""
    tables = ledger.tables
    prepared = prepared or prepare(tables.invoices, tables.payments)
    expected = _expected(ledger, as_of)
    auto = allocate_prepared(prepared, as_of)
    assert _actual(auto) == expected, as_of
    exact = allocate_prepared(prepared, as_of, _fallback_all=True)
    assert _actual(exact) == expected, as_of
    assert exact.fallback_groups == exact.groups
    # Ledger.balances and the settlements say the same
    want = {iid: m.minor_units for iid, m in ledger.balances(as_of).items()}
    assert dict(auto.balances.select("invoice_id", "balance").iter_rows()) == want
    parts = {
        (src, iid, day, amount, kind == "discount")
        for _, _, src, iid, amount, kind, day in auto.allocations.iter_rows()
        if iid is not None
    }
    assert parts == _settlements(ledger, as_of)
    # the day each invoice last had something applied (the behaviour score's pay-off day)
    latest: dict[str, date] = {}
    for _, iid, day, _, _ in parts:
        latest[iid] = max(day, latest.get(iid, day))
    for result in (auto, exact):
        found = dict(zip(result.balances["invoice_id"], result.last_applied, strict=True))
        want_days = {i: d for i, d in latest.items() if i in found}  # (issued by as_of)
        assert {i: d for i, d in found.items() if d is not None} == want_days, as_of
    return auto


def _plain(ledger: Ledger) -> Ledger:
    """The ledger without disputes and discount terms: every group vectorised."""
    invoices = [attrs.evolve(i, dispute=None, terms=None) for i in ledger.invoices]
    return Ledger(ledger.customers, invoices, ledger.payments)


_LEDGERS = ledgers(
    max_customers=3,
    max_invoices=12,
    max_payments=12,
    currencies=("EUR", "JPY", "KWD"),
    with_plans=False,
    with_trials=False,
)


@settings(max_examples=40)
@given(_LEDGERS, st.booleans())
def test_kernel_equals_the_rule_on_every_date(ledger: Ledger, plain: bool) -> None:
    if plain:
        ledger = _plain(ledger)
    tables = ledger.tables
    prepared = prepare(tables.invoices, tables.payments)
    for as_of in _dates(ledger):
        result = _check(ledger, as_of, prepared)
        if plain:
            assert result.fallback_groups == 0


@settings(max_examples=10)
@given(_LEDGERS)
def test_wide_sums_give_the_same_result(ledger: Ledger) -> None:
    """The Int128 path (amounts adding up to 2**62 or more) agrees with Int64."""
    tables = ledger.tables
    prepared = prepare(tables.invoices, tables.payments)
    wide = attrs.evolve(prepared, small=False)
    for as_of in _dates(ledger)[::4]:
        assert _actual(allocate_prepared(wide, as_of)) == _actual(
            allocate_prepared(prepared, as_of)
        )


# -- hand-written cases from the rule ---------------------------------------------


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def _customer(cid: str = "C1") -> Customer:
    return Customer(cid, "Acme", "business", "NL")


def _inv(
    iid: str, issued: date, amount: str, *, due: date | None = None, **kwargs: object
) -> Invoice:
    money = kwargs.pop("money", None) or eur(amount)
    return Invoice(iid, "C1", issued, due or issued + timedelta(days=30), money, **kwargs)  # type: ignore[arg-type]


def _pay(pid: str, day: date, amount: str, **kwargs: object) -> Payment:
    money = kwargs.pop("money", None) or eur(amount)
    return Payment(pid, "C1", day, money, **kwargs)  # type: ignore[arg-type]


def _run(invoices: list[Invoice], payments: list[Payment], as_of: date) -> Allocated:
    ledger = Ledger([_customer()], invoices, payments)
    return _check(ledger, as_of)


def _balances(result: Allocated) -> dict[str, int]:
    return dict(result.balances.select("invoice_id", "balance").iter_rows())


def _rows(result: Allocated) -> list[tuple[str, str | None, int, str]]:
    return [
        (src, iid, amount, kind)
        for _, _, src, iid, amount, kind, _ in result.allocations.iter_rows()
    ]


def test_a_named_payment_pays_its_invoice_first_and_the_excess_the_oldest() -> None:
    result = _run(
        [_inv("I1", D(2026, 1, 1), "100"), _inv("I2", D(2026, 1, 5), "100")],
        [_pay("P1", D(2026, 1, 10), "150", invoice_id="I2")],
        D(2026, 2, 1),
    )
    assert _balances(result) == {"I1": 5000, "I2": 0}
    assert _rows(result) == [("P1", "I2", 10000, "applied"), ("P1", "I1", 5000, "applied")]
    assert result.fallback_groups == 0


def test_unnamed_payments_pay_oldest_first_by_issue_due_and_id() -> None:
    day = D(2026, 1, 1)
    result = _run(
        [
            _inv("I3", day, "10", due=D(2026, 1, 20)),
            _inv("I2", day, "10", due=D(2026, 1, 10)),
            _inv("I1", day, "10", due=D(2026, 1, 20)),
            _inv("I0", D(2026, 1, 2), "10"),
        ],
        [_pay("P1", D(2026, 1, 15), "25")],
        D(2026, 2, 1),
    )
    assert _rows(result) == [
        ("P1", "I2", 1000, "applied"),
        ("P1", "I1", 1000, "applied"),
        ("P1", "I3", 500, "applied"),
    ]
    assert _balances(result) == {"I0": 1000, "I1": 0, "I2": 0, "I3": 500}


def test_credit_notes_come_before_payments_on_one_date_and_the_rest_is_credit() -> None:
    day = D(2026, 1, 10)
    result = _run(
        [
            _inv("I1", D(2026, 1, 1), "100"),
            _inv("CN1", day, "30", kind=InvoiceKind.CREDIT_NOTE),
        ],
        [_pay("A1", day, "100")],
        D(2026, 2, 1),
    )
    assert _rows(result) == [
        ("CN1", "I1", 3000, "applied"),
        ("A1", "I1", 7000, "applied"),
        ("A1", None, 3000, "applied"),
    ]
    assert list(result.credit.iter_rows()) == [("C1", "EUR", 3000)]


def test_named_excess_goes_after_every_unnamed_payment() -> None:
    result = _run(
        [_inv("I1", D(2026, 1, 1), "100"), _inv("I2", D(2026, 1, 2), "100")],
        [
            _pay("P1", D(2026, 1, 5), "150", invoice_id="I2"),
            _pay("P2", D(2026, 1, 20), "80"),
        ],
        D(2026, 2, 1),
    )
    assert _rows(result) == [
        ("P1", "I2", 10000, "applied"),
        ("P2", "I1", 8000, "applied"),
        ("P1", "I1", 2000, "applied"),
        ("P1", None, 3000, "applied"),
    ]


def test_per_currency_and_only_invoices_issued_by_the_date() -> None:
    usd = Money("50", "USD")
    result = _run(
        [
            _inv("I1", D(2026, 1, 1), "100"),
            _inv("I2", D(2026, 1, 1), "", money=usd),
            _inv("I3", D(2026, 3, 1), "100"),
        ],
        [_pay("P1", D(2026, 1, 5), "", money=Money("70", "USD"))],
        D(2026, 2, 1),
    )
    assert _balances(result) == {"I1": 10000, "I2": 0}
    assert list(result.credit.iter_rows()) == [("C1", "USD", 2000)]
    positions = positions_at(Ledger([_customer()], [], []).tables, D(2026, 1, 1))
    assert positions.height == 0


def test_the_early_payment_discount_settles_the_rest() -> None:
    terms = PaymentTerms(net_days=30, discount_percent=Decimal(2), discount_days=10)
    bill = Invoice.from_terms("I1", "C1", D(2026, 1, 1), eur("100"), terms)
    result = _run([bill], [_pay("P1", D(2026, 1, 11), "98")], D(2026, 2, 1))
    assert _rows(result) == [("P1", "I1", 9800, "applied"), ("P1", "I1", 200, "discount")]
    assert dict(result.discounts.select("invoice_id", "discount").iter_rows()) == {"I1": 200}
    assert result.fallback_groups == 1
    late = _run([bill], [_pay("P1", D(2026, 1, 12), "98")], D(2026, 2, 1))
    assert _balances(late) == {"I1": 200}
    assert late.discounts.height == 0


def test_an_invoice_disputed_on_the_payment_date_is_paid_last() -> None:
    disputed = Dispute(D(2026, 1, 3), resolved_on=D(2026, 1, 20))
    invoices = [
        _inv("I1", D(2026, 1, 1), "100", dispute=disputed),
        _inv("I2", D(2026, 1, 2), "100"),
    ]
    during = _run(invoices, [_pay("P1", D(2026, 1, 10), "100")], D(2026, 2, 1))
    assert _balances(during) == {"I1": 10000, "I2": 0}
    assert during.fallback_groups == 1
    after = _run(invoices, [_pay("P1", D(2026, 1, 20), "100")], D(2026, 2, 1))
    assert _balances(after) == {"I1": 0, "I2": 10000}
    assert after.fallback_groups == 0


def test_allocate_takes_the_frames_of_a_ledger() -> None:
    ledger = Ledger(
        [_customer()], [_inv("I1", D(2026, 1, 1), "100")], [_pay("P1", D(2026, 1, 5), "40")]
    )
    tables = ledger.tables
    result = allocate(tables.invoices, tables.payments, D(2026, 1, 31))
    assert _balances(result) == {"I1": 6000}
    assert positions_at(tables, D(2026, 1, 4)).rows() == [("I1", "C1", "EUR", 10000)]


@settings(max_examples=40)
@given(_LEDGERS)
def test_balances_by_the_kernel_equal_the_per_customer_rule(ledger: Ledger) -> None:
    """``Ledger.balances`` of a table-backed ledger, kernel forced: same balances, same order."""
    with tempfile.TemporaryDirectory() as tmp:
        loaded = load_ledger(dump_ledger(ledger, Path(tmp) / "ledger"))
    for as_of in _dates(ledger):
        per_customer = loaded.balances(as_of)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ledger_module, "KERNEL_MIN_INVOICES", 0)
            by_kernel = loaded.balances(as_of)
        assert loaded._prepared is not None  # the kernel ran
        assert by_kernel == per_customer, as_of
        assert list(by_kernel) == list(per_customer), as_of
        assert {k: str(v) for k, v in by_kernel.items()} == {
            k: str(v) for k, v in ledger.balances(as_of).items()
        }
