"""Credit management: exposure, scores, policy, recommendations and the engine's holds."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arpolicy.actions import ActionKind
from arpolicy.credit import (
    CreditDecision,
    CreditPolicy,
    CreditScore,
    breach_start,
    credit_review,
    exposure,
    exposures,
    recommend,
    score_safe_days,
)
from arpolicy.engine import plan, simulate
from arpolicy.errors import PluginError
from arpolicy.model import Customer, Dispute, Invoice, Ledger, Payment
from arpolicy.money import Money
from arpolicy.plugins import Plugins, hookimpl, make_plugin_manager
from engine_helpers import day_by_day, playbook

D = date


def eur(amount: str | int) -> Money:
    return Money(str(amount), "EUR")


def usd(amount: str | int) -> Money:
    return Money(str(amount), "USD")


def inv(iid: str, amount: Money, issued: date, due: date, cid: str = "C1", **kw: object) -> Invoice:
    return Invoice(iid, cid, issued, due, amount, **kw)  # type: ignore[arg-type]


def plugins(*extra: object) -> Plugins:
    return Plugins(make_plugin_manager(plugins=extra, entry_points=False))


# ---------------------------------------------------------------------------
# exposure
# ---------------------------------------------------------------------------


def _mixed() -> Ledger:
    return Ledger(
        [Customer("C1", "Acme", "business", "NL", credit_limit=eur(1000))],
        [
            inv("I1", eur(600), D(2024, 1, 1), D(2024, 1, 31)),
            inv("I2", eur(500), D(2024, 2, 1), D(2024, 3, 2)),
            inv("CN1", eur(100), D(2024, 2, 5), D(2024, 2, 5), kind="credit_note", applies_to="I2"),
            inv("I3", usd(300), D(2024, 1, 15), D(2024, 2, 14)),
        ],
        [
            Payment("P1", "C1", D(2024, 2, 10), eur(250), invoice_id="I1"),
            Payment("P2", "C1", D(2024, 2, 20), usd(400)),
        ],
    )


def test_partial_payment_credit_note_and_two_currencies() -> None:
    eur_row, usd_row = exposure(_mixed(), "C1", D(2024, 2, 20))
    # EUR: I1 600 - 250 (P1) = 350, past due (31 Jan < 20 Feb);
    #      I2 500 - 100 (CN1) = 400, due 2 Mar, not yet overdue.
    #      open = 350 + 400 = 750; credit 0; exposure 750; overdue 350.
    #      limit 1000: headroom 1000 - 750 = 250; utilisation 750 / 1000 = 75.0 %.
    assert eur_row.currency == "EUR"
    assert (eur_row.open, eur_row.credit, eur_row.exposure, eur_row.overdue) == (
        eur(750),
        eur(0),
        eur(750),
        eur(350),
    )
    assert (eur_row.limit, eur_row.headroom) == (eur(1000), eur(250))
    assert eur_row.utilisation == Decimal("75.0")
    assert eur_row.breached is False
    # USD: P2 400 pays I3 300, 100 left as customer credit; never added to EUR.
    #      open 0, credit 100, exposure max(0, 0 - 100) = 0; no limit in USD.
    assert usd_row.currency == "USD"
    assert (usd_row.open, usd_row.credit, usd_row.exposure, usd_row.overdue) == (
        usd(0),
        usd(100),
        usd(0),
        usd(0),
    )
    assert (usd_row.limit, usd_row.headroom, usd_row.utilisation) == (None, None, None)
    assert usd_row.breached is False


def test_before_the_payments_the_limit_is_breached_since_the_second_invoice() -> None:
    books = _mixed()
    (eur_row, _usd) = exposure(books, "C1", D(2024, 2, 9))
    # 9 Feb: I1 600 + I2 500 - CN1 100 = 1000, not above the limit 1000.
    assert eur_row.exposure == eur(1000)
    assert eur_row.breached is False
    assert breach_start(books, "C1", D(2024, 2, 9)) is None
    (eur_row, _usd) = exposure(books, "C1", D(2024, 2, 3))
    # 3 Feb: 600 + 500 = 1100 > 1000, breached by 100 since 1 Feb; 1100/1000 = 110.0 %.
    assert (eur_row.headroom, eur_row.utilisation, eur_row.breached) == (
        eur(-100),
        Decimal("110.0"),
        True,
    )
    assert breach_start(books, "C1", D(2024, 2, 3)) == D(2024, 2, 1)


def test_unapplied_credit_nets_the_exposure() -> None:
    books = Ledger(
        [Customer("C1", "Acme", "business", "NL")],
        [
            inv("I1", eur(200), D(2024, 1, 1), D(2024, 1, 31)),
            inv("CN1", eur(80), D(2024, 1, 20), D(2024, 1, 20), kind="credit_note"),
            inv("I2", eur(50), D(2024, 2, 1), D(2024, 3, 1)),
        ],
        [Payment("P1", "C1", D(2024, 1, 10), eur(200), invoice_id="I1")],
    )
    # 25 Jan: I1 paid by P1; CN1 80 finds nothing open: credit 80; exposure 0.
    (row,) = exposure(books, "C1", D(2024, 1, 25))
    assert (row.open, row.credit, row.exposure) == (eur(0), eur(80), eur(0))
    # 1 Feb: the credit pays I2: 50 - 50 = 0 open, 80 - 50 = 30 credit left.
    (row,) = exposure(books, "C1", D(2024, 2, 1))
    assert (row.open, row.credit, row.exposure) == (eur(0), eur(30), eur(0))


def test_limit_in_another_currency_caps_only_its_own() -> None:
    books = Ledger(
        [Customer("C1", "Acme", "business", "GB", credit_limit=Money(100, "GBP"))],
        [inv("I1", eur(500), D(2024, 1, 1), D(2024, 1, 31))],
    )
    eur_row, gbp_row = exposure(books, "C1", D(2024, 1, 10))
    # EUR 500 is not compared with the GBP limit: no limit, not breached.
    assert (eur_row.exposure, eur_row.limit, eur_row.breached) == (eur(500), None, False)
    # GBP: nothing open, limit 100: headroom 100, utilisation 0 / 100 = 0.0 %.
    assert gbp_row.exposure == Money(0, "GBP")
    assert (gbp_row.headroom, gbp_row.utilisation) == (Money(100, "GBP"), Decimal("0.0"))
    assert recommend(books, "C1", D(2024, 1, 10)).decision is CreditDecision.NONE


def test_zero_limit_has_no_utilisation_and_any_exposure_breaches() -> None:
    books = Ledger(
        [Customer("C1", "Acme", "business", "NL", credit_limit=eur(0))],
        [inv("I1", eur("0.01"), D(2024, 1, 5), D(2024, 2, 5))],
    )
    (before,) = exposure(books, "C1", D(2024, 1, 1))
    assert (before.utilisation, before.breached, before.headroom) == (None, False, eur(0))
    (after,) = exposure(books, "C1", D(2024, 1, 5))
    assert (after.utilisation, after.breached, after.headroom) == (None, True, eur("-0.01"))


def test_empty_ledger_and_customers_without_anything() -> None:
    assert exposures(Ledger([], []), D(2024, 1, 1)) == ()
    assert credit_review(Ledger([], []), D(2024, 1, 1)) == ()
    books = Ledger(
        [
            Customer("C2", "Idle", "business", "NL"),
            Customer("C1", "Limited", "business", "NL", credit_limit=eur(10)),
        ],
        [],
    )
    # C2 has nothing open and no limit: no row; C1 has its limit's row.
    assert [(r.customer_id, r.currency) for r in exposures(books, D(2024, 1, 1))] == [("C1", "EUR")]
    review = credit_review(books, D(2024, 1, 1))
    assert [(r.customer_id, r.decision, r.score) for r in review] == [
        ("C1", CreditDecision.NONE, None),
        ("C2", CreditDecision.NONE, None),
    ]
    with pytest.raises(KeyError):
        exposure(books, "nobody", D(2024, 1, 1))


# ---------------------------------------------------------------------------
# scores, policy and recommendations
# ---------------------------------------------------------------------------


def _late_three(limit: Money | None = None) -> Ledger:
    """Three open 100 EUR invoices due 1, 11 and 21 January 2024."""
    return Ledger(
        [Customer("C1", "Acme", "business", "NL", credit_limit=limit)],
        [
            inv(f"I{k}", eur(100), due - timedelta(days=30), due)
            for k, due in enumerate((D(2024, 1, 1), D(2024, 1, 11), D(2024, 1, 21)), 1)
        ],
    )


def test_low_behaviour_score_with_overdue_amount_holds() -> None:
    rec = recommend(_late_three(), "C1", D(2024, 3, 1))
    # days late on 1 March 2024 (leap year): 60, 50, 40; n = 3, none on time.
    # on_time 0; average_late 25 * (1 - 50/60) = 4.1667 -> 4.2;
    # spread: sd = sqrt((100 + 0 + 100) / 3) = 8.165 -> 15 * (1 - 8.165/30) = 10.9;
    # plans 10. Score 0 + 4.2 + 10.9 + 10 = 25.1 < 30 with 300 overdue: hold.
    assert rec.behaviour.score == Decimal("25.1")
    assert rec.score == Decimal("25.1")
    assert rec.decision is CreditDecision.HOLD
    # 25.1 < 40: the first band asks 100 % in advance (the condition to lift it).
    assert rec.deposit_share == Decimal(100)
    assert [r.code for r in rec.reasons] == ["low_score", "deposit_recommended"]
    assert rec.reasons[0].get("overdue") == "300.00 EUR"
    # the hold began the day after the oldest overdue invoice fell due
    assert rec.since == D(2024, 1, 2)


def test_disputes_holds_and_blocks_suspend_score_holds() -> None:
    books = _late_three()
    i1, i2, i3 = books.invoices
    disputed = Ledger(books.customers, [attrs.evolve(i1, dispute=Dispute(D(2024, 2, 1))), i2, i3])
    rec = recommend(disputed, "C1", D(2024, 3, 1))
    # same score 25.1 < 30 and 300 overdue, but I1 is disputed: no hold, the
    # deposit advice stays.
    assert (rec.score, rec.decision) == (Decimal("25.1"), CreditDecision.DEPOSIT)
    resolved = Ledger(
        books.customers,
        [attrs.evolve(i1, dispute=Dispute(D(2024, 2, 1), resolved_on=D(2024, 2, 20))), i2, i3],
    )
    assert recommend(resolved, "C1", D(2024, 3, 1)).decision is CreditDecision.HOLD


def test_score_bands_give_deposit_shares() -> None:
    books = _late_three()
    # 5 Jan: I1 is 4 days late (due 1 Jan), I2 and I3 are not due: n = 1 < 3
    # judged invoices: the behaviour score (on_time 0 + 25*(1-4/60)=23.3 + 15 + 10
    # = 48.3) does not count; no score, no advice.
    rec = recommend(books, "C1", D(2024, 1, 5))
    assert (rec.behaviour.score, rec.behaviour.invoices) == (Decimal("48.3"), 1)
    assert (rec.score, rec.decision, rec.deposit_share) == (None, CreditDecision.NONE, None)
    # counting it from one invoice: 48.3 is in the band below 60: 50 %.
    rec = recommend(books, "C1", D(2024, 1, 5), policy=CreditPolicy(min_invoices=1))
    assert (rec.score, rec.decision, rec.deposit_share) == (
        Decimal("48.3"),
        CreditDecision.DEPOSIT,
        Decimal(50),
    )
    assert [r.code for r in rec.reasons] == ["deposit_recommended"]


def test_external_score_lower_than_behaviour_wins() -> None:
    books = _late_three()
    agency = CreditScore(Decimal("12.5"), "agency")
    rec = recommend(books, "C1", D(2024, 1, 5), external=agency)
    # behaviour not counted (1 invoice), external 12.5 < 30 with 100 overdue: hold.
    assert (rec.score, rec.decision) == (Decimal("12.5"), CreditDecision.HOLD)
    assert rec.reasons[0].get("source") == "agency"
    # an external score above the behaviour score does not raise it: min(25.1, 90).
    rec = recommend(books, "C1", D(2024, 3, 1), external=CreditScore(90, "agency"))
    assert rec.score == Decimal("25.1")


def test_limit_and_score_both_give_reasons() -> None:
    rec = recommend(_late_three(limit=eur(250)), "C1", D(2024, 3, 1))
    # exposure 300 > 250 since I3 was issued (22 Dec 2023): the limit's day is `since`.
    assert [r.code for r in rec.reasons] == [
        "credit_limit_exceeded",
        "low_score",
        "deposit_recommended",
    ]
    assert rec.since == D(2023, 12, 22)


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="increase"):
        CreditPolicy(deposit_bands=((60, 50), (40, 100)))
    with pytest.raises(ValueError, match="grow"):
        CreditPolicy(deposit_bands=((40, 10), (60, 50)))
    with pytest.raises(ValueError, match="between 0 and 100"):
        CreditPolicy(deposit_bands=((40, 120),))
    with pytest.raises(ValueError, match="between 0 and 100"):
        CreditPolicy(hold_below=-1)
    with pytest.raises(ValueError, match="min_invoices"):
        CreditPolicy(min_invoices=-1)
    with pytest.raises(TypeError):
        CreditPolicy(hold_below=30.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="between 0 and 100"):
        CreditScore(101, "x")
    assert CreditPolicy(hold_below=None).hold_below is None
    assert CreditPolicy().deposit_share(Decimal(75)) is None


def test_score_safe_days() -> None:
    # 45.5 - 30 - 0.2 = 15.3 -> 15 days; below 0.2 of margin: 0 days.
    assert score_safe_days(Decimal("45.5"), Decimal(30)) == 15
    assert score_safe_days(Decimal("30.1"), Decimal(30)) == 0


# ---------------------------------------------------------------------------
# plugins and the engine
# ---------------------------------------------------------------------------


class Agency:
    """Scores every customer with a fixed value."""

    def __init__(self, name: str, value: int | None) -> None:
        self.arpolicy_plugin_name = name
        self.value = value

    @hookimpl
    def arpolicy_credit_score(self, customer: Customer, as_of: date) -> CreditScore | None:
        return None if self.value is None else CreditScore(self.value, self.arpolicy_plugin_name)


class Broken:
    arpolicy_plugin_name = "broken"

    @hookimpl
    def arpolicy_credit_score(self, customer: Customer) -> object:
        return 42


def test_the_first_plugin_by_name_supplies_the_external_score() -> None:
    books = _late_three()
    for order in ((Agency("b", 80), Agency("a", 20)), (Agency("a", 20), Agency("b", 80))):
        (rec,) = credit_review(books, D(2024, 1, 5), plugins=plugins(*order))
        assert rec.external == CreditScore(20, "a")
    # a plugin with no answer lets the next one answer
    (rec,) = credit_review(
        books, D(2024, 1, 5), plugins=plugins(Agency("a", None), Agency("b", 80))
    )
    assert rec.external == CreditScore(80, "b")
    with pytest.raises(PluginError, match="broken"):
        credit_review(books, D(2024, 1, 5), plugins=plugins(Broken()))


def _one_late() -> Ledger:
    return Ledger(
        [Customer("C1", "Acme", "business", "NL")],
        [inv("I1", eur(100), D(2026, 2, 1), D(2026, 3, 2))],
    )


def test_engine_holds_on_an_external_score_from_a_plugin() -> None:
    books, day = _one_late(), D(2026, 3, 5)
    # Without a score (one judged invoice is too few) there is no hold.
    holds = [a for a in plan(books, as_of=day).actions if a.kind is ActionKind.CREDIT_HOLD]
    assert holds == []
    result = plan(books, as_of=day, plugins=plugins(Agency("agency", 10)))
    (hold,) = [a for a in result.actions if a.kind is ActionKind.CREDIT_HOLD]
    assert (hold.channel, hold.amount_due) == ("internal", eur(100))
    assert [r.code for r in hold.reasons] == ["low_score"]
    assert hold.reasons[0].get("source") == "agency"


def test_engine_holds_on_a_low_behaviour_score_once() -> None:
    books = _late_three()
    book = playbook()
    result = plan(books, as_of=D(2024, 3, 1), playbook=book)
    (hold,) = [a for a in result.actions if a.kind is ActionKind.CREDIT_HOLD]
    # no limit, so the amount is the only currency's exposure: 3 x 100.
    assert (hold.amount_due, hold.tone) == (eur(300), "formal")
    assert [r.code for r in hold.reasons] == ["low_score"]
    assert hold.reasons[0].get("score") == "25.1"
    # planned day by day it comes once, on the first day the score is below 30,
    # and the event-jumping simulation finds the same day.
    start, end = D(2024, 1, 1), D(2024, 3, 10)
    daily = [a for a in day_by_day(book, books, start, end) if a.kind is ActionKind.CREDIT_HOLD]
    assert len(daily) == 1
    first = daily[0].date
    assert recommend(books, "C1", first).decision is CreditDecision.HOLD
    assert recommend(books, "C1", first - timedelta(days=1)).decision is not CreditDecision.HOLD
    jumped = simulate(books, start=start, end=end, playbook=book).actions
    assert [a for a in jumped if a.kind is ActionKind.CREDIT_HOLD] == daily
    # switched off in the playbook: no hold
    off = plan(books, as_of=D(2024, 3, 1), playbook=playbook(credit_hold=False))
    assert not [a for a in off.actions if a.kind is ActionKind.CREDIT_HOLD]


# ---------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------

_RANK = {CreditDecision.NONE: 0, CreditDecision.DEPOSIT: 1, CreditDecision.HOLD: 2}
AS_OF = D(2024, 6, 1)


@st.composite
def histories(draw: st.DrawFn) -> Ledger:
    """One customer with a few EUR invoices, some paid (partly, late)."""
    limit = draw(st.none() | st.integers(0, 2000).map(eur))
    invoices, payments = [], []
    for k in range(draw(st.integers(0, 6))):
        issued = AS_OF - timedelta(days=draw(st.integers(0, 150)))
        due = issued + timedelta(days=draw(st.integers(0, 60)))
        amount = eur(draw(st.integers(1, 900)))
        invoices.append(inv(f"I{k}", amount, issued, due))
        if draw(st.booleans()):
            paid = issued + timedelta(days=draw(st.integers(0, 120)))
            share = draw(st.integers(1, 100))
            payments.append(Payment(f"P{k}", "C1", paid, amount.percent(share), invoice_id=f"I{k}"))
    customer = Customer("C1", "Acme", "business", "NL", credit_limit=limit)
    return Ledger([customer], invoices, payments)


@settings(max_examples=150, deadline=None)
@given(books=histories(), more=st.integers(0, 3000))
def test_raising_the_limit_never_makes_the_decision_stricter(books: Ledger, more: int) -> None:
    limit = books.customer("C1").credit_limit
    if limit is None:
        return
    before = recommend(books, "C1", AS_OF)
    raised = Customer("C1", "Acme", "business", "NL", credit_limit=limit + eur(more))
    after = recommend(Ledger([raised], books.invoices, books.payments), "C1", AS_OF)
    assert _RANK[after.decision] <= _RANK[before.decision]
    # in particular "none" never becomes "hold"
    assert before.decision is not CreditDecision.NONE or after.decision is CreditDecision.NONE


@settings(max_examples=150, deadline=None)
@given(books=histories(), extra=st.integers(1, 5000))
def test_more_exposure_never_makes_the_decision_milder(books: Ledger, extra: int) -> None:
    before = recommend(books, "C1", AS_OF)
    # a new invoice issued today and not yet due adds exposure but no history
    new = inv("NEW", eur(extra), AS_OF, AS_OF + timedelta(days=30))
    grown = Ledger(books.customers, (*books.invoices, new), books.payments)
    after = recommend(grown, "C1", AS_OF)
    assert after.score == before.score
    assert _RANK[after.decision] >= _RANK[before.decision]
    (row_before, row_after) = (
        sum((r.exposure.amount for r in before.exposures), Decimal(0)),
        sum((r.exposure.amount for r in after.exposures), Decimal(0)),
    )
    assert row_after >= row_before
