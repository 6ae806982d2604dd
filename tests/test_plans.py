"""Payment plans and promises to pay: state at a date, and validation."""

from __future__ import annotations

from datetime import date

import pytest

from arpolicy import (
    Customer,
    Instalment,
    InvalidFieldError,
    Invoice,
    Ledger,
    Money,
    Payment,
    PaymentPlan,
    PlanState,
    PlanStatus,
)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


FEB_1 = Instalment(date(2026, 2, 1), eur("100"))
MAR_1 = Instalment(date(2026, 3, 1), eur("100"))
APR_1 = Instalment(date(2026, 4, 1), eur("100"))
AGREED = date(2026, 1, 15)

# Three monthly instalments of 100 towards I1, five days of grace.
PLAN = PaymentPlan("PL1", "C1", ["I1"], [APR_1, FEB_1, MAR_1], AGREED, grace_days=5)


def pay(pid: str, amount: str, on: date, invoice_id: str | None = None) -> Payment:
    return Payment(pid, "C1", on, eur(amount), invoice_id=invoice_id)


def test_on_track() -> None:
    state = PLAN.state([pay("P1", "100", date(2026, 2, 1))], date(2026, 3, 3))
    # Only February's deadline (1 Feb + 5 = 6 Feb) has passed: 100 due, 100 paid.
    assert state == PlanState(
        status=PlanStatus.ON_TRACK,
        paid=eur("100"),
        due=eur("100"),
        broken_on=None,
        next_instalment=MAR_1,
    )


def test_nothing_due_before_the_first_deadline() -> None:
    state = PLAN.state([], date(2026, 2, 6))  # 1 Feb + 5 days of grace: still in time
    assert state.status is PlanStatus.ON_TRACK
    assert state.due == eur("0")
    assert state.paid == eur("0")
    assert state.next_instalment == FEB_1


def test_broken_the_day_after_grace_runs_out() -> None:
    payments = [pay("P1", "100", date(2026, 2, 1))]
    # March's deadline: 1 Mar + 5 days = 6 Mar; on 6 Mar the plan is still on track.
    assert PLAN.state(payments, date(2026, 3, 6)).status is PlanStatus.ON_TRACK
    state = PLAN.state(payments, date(2026, 3, 7))
    # broken_on = deadline + 1 day = 7 Mar; due = 100 + 100 = 200, paid 100.
    assert state.status is PlanStatus.BROKEN
    assert state.broken_on == date(2026, 3, 7)
    assert state.due == eur("200")
    assert state.paid == eur("100")
    assert state.next_instalment == MAR_1


def test_partial_instalment_breaks_the_plan() -> None:
    state = PLAN.state([pay("P1", "99.99", date(2026, 2, 1))], date(2026, 2, 7))
    # 99.99 < 100 by 6 Feb -> broken on 7 Feb.
    assert state.status is PlanStatus.BROKEN
    assert state.broken_on == date(2026, 2, 7)


def test_catching_up_late_does_not_unbreak_but_completing_does() -> None:
    late = [pay("P1", "100", date(2026, 2, 8))]  # after the 6 Feb deadline
    state = PLAN.state(late, date(2026, 2, 10))
    assert state.status is PlanStatus.BROKEN
    assert state.broken_on == date(2026, 2, 7)
    # Paying the whole plan (100 + 200 = 300) completes it even after breaking.
    done = [*late, pay("P2", "200", date(2026, 3, 20))]
    completed = PLAN.state(done, date(2026, 3, 20))
    assert completed.status is PlanStatus.COMPLETED
    assert completed.broken_on is None
    assert completed.next_instalment is None
    assert completed.paid == eur("300")


def test_completed_early() -> None:
    state = PLAN.state([pay("P1", "350", date(2026, 1, 20))], date(2026, 1, 20))
    # 350 >= 300: completed before the first instalment is due.
    assert state.status is PlanStatus.COMPLETED
    assert state.paid == eur("350")
    assert state.due == eur("0")


def test_payments_before_agreed_on_are_ignored() -> None:
    before = pay("P0", "100", date(2026, 1, 14))  # one day before the agreement
    state = PLAN.state([before], date(2026, 2, 7))
    assert state.paid == eur("0")
    assert state.status is PlanStatus.BROKEN
    assert state.broken_on == date(2026, 2, 7)  # 1 Feb + 5 + 1
    # A payment on the day of the agreement counts.
    on_the_day = pay("P1", "100", AGREED)
    assert PLAN.state([on_the_day], date(2026, 2, 7)).status is PlanStatus.ON_TRACK


def test_payments_after_as_of_are_ignored() -> None:
    state = PLAN.state([pay("P1", "100", date(2026, 2, 8))], date(2026, 2, 7))
    assert state.paid == eur("0")
    assert state.status is PlanStatus.BROKEN


def test_payments_naming_other_invoices_are_ignored() -> None:
    other = pay("P1", "100", date(2026, 2, 1), invoice_id="I2")
    covered = pay("P2", "40", date(2026, 2, 1), invoice_id="I1")
    unnamed = pay("P3", "60", date(2026, 2, 2))
    state = PLAN.state([other, covered, unnamed], date(2026, 2, 7))
    # 40 (names I1) + 60 (names none) = 100; the 100 for I2 does not count.
    assert state.paid == eur("100")
    assert state.status is PlanStatus.ON_TRACK


def test_payments_of_other_customers_or_currencies_are_ignored() -> None:
    foreign = Payment("P1", "C2", date(2026, 2, 1), eur("100"))
    pounds = Payment("P2", "C1", date(2026, 2, 1), Money("100", "GBP"))
    assert not PLAN.counts(foreign)
    assert not PLAN.counts(pounds)
    assert PLAN.state([foreign, pounds], date(2026, 2, 7)).paid == eur("0")


def test_promise_to_pay_is_a_plan_with_one_instalment() -> None:
    promise = PaymentPlan(
        "PTP1", "C1", ["I1", "I2"], [Instalment(date(2026, 2, 10), eur("250"))], AGREED
    )
    assert promise.total == eur("250")
    assert promise.end == date(2026, 2, 10)
    # Without grace the deadline is the promised date itself.
    assert promise.state([], date(2026, 2, 10)).status is PlanStatus.ON_TRACK
    broken = promise.state([], date(2026, 2, 11))
    assert broken.status is PlanStatus.BROKEN
    assert broken.broken_on == date(2026, 2, 11)
    assert broken.due == eur("250")
    kept = promise.state([pay("P1", "250", date(2026, 2, 10))], date(2026, 2, 11))
    assert kept.status is PlanStatus.COMPLETED


def test_ledger_plan_state_uses_the_customers_payments() -> None:
    ledger = Ledger(
        [Customer("C1", "Acme", "business", "NL"), Customer("C2", "Other", "business", "NL")],
        [
            Invoice("I1", "C1", date(2026, 1, 1), date(2026, 1, 31), eur("300")),
            Invoice("I9", "C2", date(2026, 1, 1), date(2026, 1, 31), eur("300")),
        ],
        [
            pay("P1", "100", date(2026, 2, 1), "I1"),
            Payment("P2", "C2", date(2026, 2, 1), eur("100")),
        ],
        [PLAN],
    )
    assert ledger.plan_state("PL1", date(2026, 2, 7)) == PLAN.state(
        [ledger.payment("P1")], date(2026, 2, 7)
    )
    assert ledger.plan_state("PL1", date(2026, 2, 7)).paid == eur("100")


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def _plan(**kwargs: object) -> PaymentPlan:
    fields: dict[str, object] = {
        "id": "PL1",
        "customer_id": "C1",
        "invoice_ids": ["I1"],
        "instalments": [FEB_1],
        "agreed_on": AGREED,
    }
    fields.update(kwargs)
    return PaymentPlan(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"instalments": [FEB_1, Instalment(date(2026, 3, 1), Money(100, "GBP"))]}, "instalments"),
        ({"instalments": [FEB_1, Instalment(date(2026, 2, 1), eur("5"))]}, "instalments"),
        ({"instalments": []}, "instalments"),
        ({"invoice_ids": []}, "invoice_ids"),
        ({"invoice_ids": ["I1", "I1"]}, "invoice_ids"),
        ({"invoice_ids": ["I1", ""]}, "invoice_ids"),
        ({"grace_days": -1}, "grace_days"),
        ({"id": " PL1"}, "id"),
    ],
)
def test_plan_validation(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidFieldError) as info:
        _plan(**kwargs)
    assert (info.value.kind, info.value.field) == ("plan", field)


def test_mixed_currency_error_names_the_currencies() -> None:
    with pytest.raises(InvalidFieldError) as info:
        _plan(instalments=[FEB_1, Instalment(date(2026, 3, 1), Money(100, "GBP"))])
    assert info.value.value == ["EUR", "GBP"]


def test_duplicate_dates_error_names_the_dates() -> None:
    with pytest.raises(InvalidFieldError) as info:
        _plan(instalments=[FEB_1, Instalment(date(2026, 2, 1), eur("5"))])
    assert info.value.value == [date(2026, 2, 1), date(2026, 2, 1)]


@pytest.mark.parametrize("amount", [eur("0"), eur("-1")])
def test_instalment_amount_must_be_positive(amount: Money) -> None:
    with pytest.raises(InvalidFieldError) as info:
        Instalment(date(2026, 2, 1), amount)
    assert (info.value.kind, info.value.field, info.value.value) == (
        "instalment",
        "amount",
        amount,
    )
