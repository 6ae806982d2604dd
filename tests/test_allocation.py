"""Allocation of payments and credit notes: worked examples and properties."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from arpolicy import Allocation, Customer, Dispute, Invoice, Ledger, Money, Payment
from arpolicy.testing.strategies import ledgers


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


C1 = Customer("C1", "Acme", "business", "NL")


def inv(
    iid: str,
    amount: Money,
    issued: date,
    *,
    due: date | None = None,
    cid: str = "C1",
    **kwargs: object,
) -> Invoice:
    return Invoice(iid, cid, issued, due or issued, amount, **kwargs)  # type: ignore[arg-type]


def pay(pid: str, amount: Money, on: date, invoice_id: str | None = None) -> Payment:
    return Payment(pid, "C1", on, amount, invoice_id=invoice_id)


JAN = {day: date(2026, 1, day) for day in range(1, 32)}  # JAN[5] is 5 January
AS_OF = date(2026, 1, 31)


# ---------------------------------------------------------------------------
# worked examples
# ---------------------------------------------------------------------------


def test_named_payment_pays_its_invoice() -> None:
    ledger = Ledger(
        [C1],
        [inv("I1", eur("100"), JAN[1]), inv("I2", eur("100"), JAN[5])],
        [pay("P1", eur("30"), JAN[10], "I2")],
    )
    pos = ledger.position("C1", AS_OF)
    # I1 is older but P1 names I2: I2 = 100 - 30 = 70, I1 untouched.
    assert pos.balances == {"I1": eur("100"), "I2": eur("70")}
    assert pos.allocations == (Allocation("P1", "I2", eur("30")),)
    assert pos.credit == {}


def test_unnamed_payment_pays_oldest_first_across_two_invoices() -> None:
    ledger = Ledger(
        [C1],
        [inv("I2", eur("80"), JAN[5]), inv("I1", eur("100"), JAN[1])],
        [pay("P1", eur("150"), JAN[10])],
    )
    pos = ledger.position("C1", AS_OF)
    # 150 pays I1 in full (100); the remaining 50 goes to I2: 80 - 50 = 30.
    assert pos.balances == {"I1": eur("0"), "I2": eur("30")}
    assert pos.allocations == (
        Allocation("P1", "I1", eur("100")),
        Allocation("P1", "I2", eur("50")),
    )
    assert pos.open_balance("EUR") == eur("30")
    assert [(i.id, b) for i, b in ledger.open_items("C1", AS_OF)] == [("I2", eur("30"))]


def test_payments_apply_in_date_order_then_id() -> None:
    ledger = Ledger(
        [C1],
        [inv("I1", eur("50"), JAN[1]), inv("I2", eur("50"), JAN[2])],
        # P1 is dated after P2, so P2 is applied first.
        [pay("P1", eur("40"), JAN[10]), pay("P2", eur("60"), JAN[5])],
    )
    pos = ledger.position("C1", AS_OF)
    # P2 (60): I1 50, I2 10; P1 (40): I2 40 -> everything paid.
    assert pos.allocations == (
        Allocation("P2", "I1", eur("50")),
        Allocation("P2", "I2", eur("10")),
        Allocation("P1", "I2", eur("40")),
    )
    assert pos.balances == {"I1": eur("0"), "I2": eur("0")}


def test_same_issue_date_orders_by_due_date_then_id() -> None:
    ledger = Ledger(
        [C1],
        [
            inv("I3", eur("10"), JAN[1], due=JAN[20]),
            inv("I1", eur("10"), JAN[1], due=JAN[30]),
            inv("I2", eur("10"), JAN[1], due=JAN[20]),
        ],
        [pay("P1", eur("15"), JAN[10])],
    )
    # Order: I2 (due 20, id I2), I3 (due 20, id I3), I1 (due 30).
    # 15 pays I2 10 and I3 5.
    assert ledger.position("C1", AS_OF).balances == {
        "I1": eur("10"),
        "I2": eur("0"),
        "I3": eur("5"),
    }


def test_overpayment_becomes_customer_credit() -> None:
    ledger = Ledger([C1], [inv("I1", eur("100"), JAN[1])], [pay("P1", eur("130"), JAN[10])])
    pos = ledger.position("C1", AS_OF)
    # 130 - 100 = 30 left over.
    assert pos.balances == {"I1": eur("0")}
    assert pos.credit == {"EUR": eur("30")}
    assert pos.allocations == (
        Allocation("P1", "I1", eur("100")),
        Allocation("P1", None, eur("30")),
    )
    assert ledger.open_items("C1", AS_OF) == ()


def test_payment_without_invoices_is_all_credit() -> None:
    ledger = Ledger([C1], [], [pay("P1", eur("12.34"), JAN[10])])
    assert ledger.position("C1", AS_OF).credit == {"EUR": eur("12.34")}


def test_unnamed_credit_note_reduces_the_oldest_invoice() -> None:
    ledger = Ledger(
        [C1],
        [
            inv("I1", eur("100"), JAN[1]),
            inv("I2", eur("50"), JAN[2]),
            inv("CN1", eur("40"), JAN[3], kind="credit_note"),
        ],
    )
    pos = ledger.position("C1", AS_OF)
    # CN1 names no invoice: 100 - 40 = 60 on I1; the credit note has no balance.
    assert pos.balances == {"I1": eur("60"), "I2": eur("50")}
    assert pos.allocations == (Allocation("CN1", "I1", eur("40")),)
    assert ledger.balance("CN1", AS_OF) == eur("0")


def test_credit_note_applies_to_its_invoice() -> None:
    ledger = Ledger(
        [C1],
        [
            inv("I1", eur("100"), JAN[1]),
            inv("I2", eur("50"), JAN[2]),
            inv("CN1", eur("40"), JAN[3], kind="credit_note", applies_to="I2"),
        ],
    )
    # CN1 corrects I2: 50 - 40 = 10; I1 untouched.
    assert ledger.position("C1", AS_OF).balances == {"I1": eur("100"), "I2": eur("10")}
    # Before the credit note is issued it does not count.
    assert ledger.position("C1", JAN[2]).balances == {"I1": eur("100"), "I2": eur("50")}


def test_credit_note_larger_than_its_invoice_spills_to_the_oldest() -> None:
    ledger = Ledger(
        [C1],
        [
            inv("I1", eur("100"), JAN[1]),
            inv("I2", eur("50"), JAN[2]),
            inv("CN1", eur("70"), JAN[3], kind="credit_note", applies_to="I2"),
        ],
    )
    # 70 on I2 (balance 50): 50 applied, the 20 left reduces I1: 100 - 20 = 80.
    assert ledger.position("C1", AS_OF).balances == {"I1": eur("80"), "I2": eur("0")}


def test_named_payment_excess_goes_to_the_oldest_other_invoice() -> None:
    ledger = Ledger(
        [C1],
        [inv("I1", eur("100"), JAN[1]), inv("I2", eur("50"), JAN[2])],
        [pay("P1", eur("80"), JAN[10], "I2")],
    )
    pos = ledger.position("C1", AS_OF)
    # 80 on I2 (50): 50 applied, excess 30 -> I1: 100 - 30 = 70.
    assert pos.balances == {"I1": eur("70"), "I2": eur("0")}
    assert pos.allocations == (
        Allocation("P1", "I2", eur("50")),
        Allocation("P1", "I1", eur("30")),
    )


def test_named_payments_come_before_unnamed_ones() -> None:
    ledger = Ledger(
        [C1],
        [inv("I1", eur("100"), JAN[1]), inv("I2", eur("100"), JAN[2])],
        # The unnamed P1 is older, yet P2 keeps its claim on I1.
        [pay("P1", eur("100"), JAN[3]), pay("P2", eur("100"), JAN[4], "I1")],
    )
    pos = ledger.position("C1", AS_OF)
    # P2 -> I1 (100), then P1 -> the oldest still open: I2 (100).
    assert pos.allocations == (
        Allocation("P2", "I1", eur("100")),
        Allocation("P1", "I2", eur("100")),
    )


def test_payment_after_as_of_is_ignored_and_on_as_of_counted() -> None:
    ledger = Ledger(
        [C1],
        [inv("I1", eur("100"), JAN[1])],
        [pay("P1", eur("30"), JAN[10]), pay("P2", eur("20"), JAN[11])],
    )
    assert ledger.balance("I1", JAN[9]) == eur("100")  # nothing paid yet
    assert ledger.balance("I1", JAN[10]) == eur("70")  # 100 - 30, P1 dated on as_of
    assert ledger.balance("I1", JAN[11]) == eur("50")  # 100 - 30 - 20


def test_disputed_invoices_are_filled_after_undisputed_ones() -> None:
    ledger = Ledger(
        [C1],
        [
            inv("I1", eur("100"), JAN[1], dispute=Dispute(JAN[2], resolved_on=JAN[20])),
            inv("I2", eur("100"), JAN[5]),
        ],
        [pay("P1", eur("120"), JAN[10])],
    )
    # On P1's date (10 Jan) I1 is disputed, so the newer I2 comes first:
    # I2 100 - 100 = 0, then I1 100 - 20 = 80.
    assert ledger.position("C1", JAN[19]).balances == {"I1": eur("80"), "I2": eur("0")}
    # The order is judged on the payment's date, so resolving the dispute on
    # 20 Jan does not move P1 back: balances never rise as time passes.
    assert ledger.position("C1", JAN[20]).balances == {"I1": eur("80"), "I2": eur("0")}


def test_a_later_invoice_never_takes_an_earlier_payment() -> None:
    ledger = Ledger(
        [C1],
        [
            inv("I1", eur("100"), JAN[1], dispute=Dispute(JAN[2])),
            inv("I2", eur("50"), JAN[15]),
        ],
        [pay("P1", eur("30"), JAN[10])],
    )
    # On 10 Jan I1 is the only invoice: disputed, it still takes P1 (100 - 30).
    assert ledger.balance("I1", JAN[10]) == eur("70")
    # I2, issued after the payment, does not take it away from I1.
    assert ledger.position("C1", JAN[20]).balances == {"I1": eur("70"), "I2": eur("50")}


def test_named_payment_pays_a_disputed_invoice() -> None:
    ledger = Ledger(
        [C1],
        [
            inv("I1", eur("100"), JAN[1], dispute=Dispute(JAN[1])),
            inv("I2", eur("100"), JAN[5]),
        ],
        [pay("P1", eur("40"), JAN[10], "I1")],
    )
    assert ledger.position("C1", AS_OF).balances == {"I1": eur("60"), "I2": eur("100")}


def test_currencies_never_mix() -> None:
    ledger = Ledger(
        [C1],
        [inv("I1", eur("100"), JAN[1]), inv("I2", Money("50", "GBP"), JAN[2])],
        [pay("P1", Money("80", "GBP"), JAN[10])],
    )
    pos = ledger.position("C1", AS_OF)
    # The GBP payment pays the GBP invoice only (50), 30 GBP left as credit;
    # the older EUR invoice stays open.
    assert pos.balances == {"I1": eur("100"), "I2": Money("0", "GBP")}
    assert pos.credit == {"GBP": Money("30", "GBP")}
    assert pos.open_balance("EUR") == eur("100")
    assert pos.open_balance("GBP") == Money("0", "GBP")


def test_invoice_issued_after_as_of_has_no_balance() -> None:
    ledger = Ledger(
        [C1],
        [inv("I1", eur("100"), date(2026, 2, 1))],
        [pay("P1", eur("60"), JAN[10])],
    )
    jan = ledger.position("C1", AS_OF)
    assert jan.balances == {}
    assert jan.credit == {"EUR": eur("60")}  # nothing to pay yet
    assert ledger.balance("I1", AS_OF) == eur("0")
    assert ledger.balances(AS_OF) == {}
    feb = ledger.position("C1", date(2026, 2, 1))
    # On its issue date the credit pays it: 100 - 60 = 40.
    assert feb.balances == {"I1": eur("40")}
    assert feb.credit == {}


def test_jpy_and_kwd_amounts() -> None:
    ledger = Ledger(
        [C1],
        [inv("I1", Money("10000", "JPY"), JAN[1]), inv("I2", Money("1.250", "KWD"), JAN[1])],
        [
            pay("P1", Money("3333", "JPY"), JAN[5]),
            pay("P2", Money("0.125", "KWD"), JAN[5]),
            pay("P3", Money("1.200", "KWD"), JAN[6]),
        ],
    )
    pos = ledger.position("C1", AS_OF)
    # JPY: 10000 - 3333 = 6667. KWD: 1.250 - 0.125 = 1.125; then 1.200 pays
    # 1.125 and leaves 0.075 credit.
    assert pos.balances == {"I1": Money("6667", "JPY"), "I2": Money("0.000", "KWD")}
    assert pos.credit == {"KWD": Money("0.075", "KWD")}
    assert str(pos.balances["I1"]) == "6667 JPY"
    assert str(pos.credit["KWD"]) == "0.075 KWD"


def test_balances_and_open_items_over_customers() -> None:
    c2 = Customer("C2", "Jansen", "private", "NL")
    ledger = Ledger(
        [C1, c2],
        [
            inv("I1", eur("10"), JAN[1], due=JAN[30]),
            inv("I2", eur("20"), JAN[2], due=JAN[15]),
            inv("I3", eur("5"), JAN[3], cid="C2"),
        ],
        [pay("P1", eur("10"), JAN[4])],
    )
    assert ledger.balances(AS_OF) == {"I1": eur("0"), "I2": eur("20"), "I3": eur("5")}
    # Open items are sorted by due date.
    assert [i.id for i, _ in ledger.open_items("C1", AS_OF)] == ["I2"]
    assert [i.id for i, _ in ledger.open_items("C2", AS_OF)] == ["I3"]


# ---------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------

AS_OF_DATES = st.dates(date(2024, 12, 1), date(2027, 1, 31))
MIXED = ledgers(max_customers=3, currencies=("EUR", "JPY", "KWD"))


def _zero(code: str) -> Decimal:
    return Money.zero(code).amount


@given(ledger=MIXED, as_of=AS_OF_DATES)
def test_allocations_add_up_to_payments_and_credit_notes(ledger: Ledger, as_of: date) -> None:
    for customer in ledger.customers:
        pos = ledger.position(customer.id, as_of)
        received: dict[str, Decimal] = defaultdict(Decimal)
        for p in ledger.payments_of(customer.id):
            if p.date <= as_of:
                received[p.currency] += p.amount.amount
        for note in ledger.invoices_of(customer.id):
            if note.is_credit and note.issue_date <= as_of:
                received[note.currency] += note.amount.amount
        allocated: dict[str, Decimal] = defaultdict(Decimal)
        left_over: dict[str, Decimal] = defaultdict(Decimal)
        discounts: dict[str, Money] = {}
        for a in pos.allocations:
            assert a.amount.is_positive()
            if a.is_discount:
                # An early-payment discount is no money received: at most the
                # invoice's discount, once, never as credit.
                assert a.invoice_id is not None
                assert a.invoice_id not in discounts
                terms = ledger.invoice(a.invoice_id).terms
                assert terms is not None
                assert a.amount <= terms.discount(ledger.invoice(a.invoice_id).amount)
                discounts[a.invoice_id] = a.amount
                continue
            allocated[a.amount.currency] += a.amount.amount
            if a.invoice_id is None:
                left_over[a.amount.currency] += a.amount.amount
        assert allocated == received
        assert dict(pos.discounts) == discounts
        assert {code: m.amount for code, m in pos.credit.items()} == left_over
        # What an issued invoice lost is exactly what was allocated to it
        # (money and discount).
        for iid, balance in pos.balances.items():
            paid = sum(
                (a.amount.amount for a in pos.allocations if a.invoice_id == iid),
                _zero(balance.currency),
            )
            assert ledger.invoice(iid).amount.amount - balance.amount == paid


@given(ledger=MIXED, as_of=AS_OF_DATES)
def test_balances_stay_within_bounds_and_credit_means_all_paid(ledger: Ledger, as_of: date) -> None:
    for customer in ledger.customers:
        pos = ledger.position(customer.id, as_of)
        for iid, balance in pos.balances.items():
            bill = ledger.invoice(iid)
            assert not bill.is_credit
            assert bill.issue_date <= as_of
            assert balance.currency == bill.currency
            assert Money.zero(bill.currency) <= balance <= bill.amount
            assert ledger.balance(iid, as_of) == balance
        issued = {
            i.id
            for i in ledger.invoices_of(customer.id)
            if not i.is_credit and i.issue_date <= as_of
        }
        assert set(pos.balances) == issued
        for code, credit in pos.credit.items():
            assert credit.is_positive()
            assert all(b.is_zero() for b in pos.balances.values() if b.currency == code)


@given(ledger=MIXED, as_of=AS_OF_DATES, data=st.data())
def test_record_order_does_not_matter(ledger: Ledger, as_of: date, data: st.DataObject) -> None:
    shuffled = Ledger(
        data.draw(st.permutations(ledger.customers)),
        data.draw(st.permutations(ledger.invoices)),
        data.draw(st.permutations(ledger.payments)),
        data.draw(st.permutations(ledger.plans)),
        data.draw(st.permutations(ledger.trials)),
    )
    assert shuffled == ledger
    for customer in ledger.customers:
        assert shuffled.position(customer.id, as_of) == ledger.position(customer.id, as_of)
    assert shuffled.balances(as_of) == ledger.balances(as_of)
    for plan in ledger.plans:
        assert shuffled.plan_state(plan.id, as_of) == ledger.plan_state(plan.id, as_of)


@given(ledger=MIXED, first=AS_OF_DATES, second=AS_OF_DATES)
def test_balances_only_go_down_as_time_passes(ledger: Ledger, first: date, second: date) -> None:
    # Every payment is judged on its own date, so later dates only add
    # payments, credits and invoices: no balance ever rises.
    early, late = sorted((first, second))
    before = ledger.balances(early)
    after = ledger.balances(late)
    assert set(before) <= set(after)
    for iid, balance in before.items():
        assert after[iid] <= balance
