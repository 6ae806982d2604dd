"""Receivables metrics: hand-computed values on small ledgers, and laws."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arpolicy import Customer, Dispute, Instalment, Invoice, Ledger, Money, Payment, PaymentPlan
from arpolicy.reports import (
    _Scan,
    aging,
    collection_effectiveness,
    days_beyond_terms,
    days_to_pay,
    disputed_share,
    dso,
    monthly_trends,
    payment_behaviour,
    receivables_report,
    seasonality,
    written_off_share,
)
from arpolicy.testing.strategies import ledgers

D = Decimal


def eur(amount: str | int) -> Money:
    return Money(amount, "EUR")


def usd(amount: str | int) -> Money:
    return Money(amount, "USD")


# The shared ledger (2024 is a leap year: February has 29 days).
#
# C1 (business):
#   I1  issued 01-01 due 01-31 EUR 100  paid by P1 on 01-31 (in full)
#   I2  issued 01-15 due 02-14 EUR 200  CN1 (write-off) 20 on 02-20, P2 80 on 02-24,
#                                       P4 100 on 03-20 -> settled 03-20
# C2 (private):
#   I3  issued 02-01 due 03-02 EUR 300  disputed from 03-10, never paid
#   I5  issued 03-01 due 03-31 EUR  70  never paid
#   I4  issued 01-10 due 02-09 USD  50  paid by P3 on 02-19
#   I6  issued 2023-11-01 due 2023-12-01 USD 40  never paid
#   PL1 agreed 03-01 for I3: EUR 150 due 03-05, nothing paid -> broken
LEDGER = Ledger(
    [
        Customer("C1", "One", "business", "NL"),
        Customer("C2", "Two", "private", "NL"),
    ],
    [
        Invoice("I1", "C1", date(2024, 1, 1), date(2024, 1, 31), eur(100)),
        Invoice("I2", "C1", date(2024, 1, 15), date(2024, 2, 14), eur(200)),
        Invoice(
            "CN1",
            "C1",
            date(2024, 2, 20),
            date(2024, 2, 20),
            eur(20),
            kind="credit_note",
            applies_to="I2",
            metadata={"write_off": "yes"},
        ),
        Invoice(
            "I3",
            "C2",
            date(2024, 2, 1),
            date(2024, 3, 2),
            eur(300),
            dispute=Dispute(date(2024, 3, 10), "quality"),
        ),
        Invoice("I5", "C2", date(2024, 3, 1), date(2024, 3, 31), eur(70)),
        Invoice("I4", "C2", date(2024, 1, 10), date(2024, 2, 9), usd(50)),
        Invoice("I6", "C2", date(2023, 11, 1), date(2023, 12, 1), usd(40)),
    ],
    [
        Payment("P1", "C1", date(2024, 1, 31), eur(100), invoice_id="I1"),
        Payment("P2", "C1", date(2024, 2, 24), eur(80), invoice_id="I2"),
        Payment("P3", "C2", date(2024, 2, 19), usd(50), invoice_id="I4"),
        Payment("P4", "C1", date(2024, 3, 20), eur(100), invoice_id="I2"),
    ],
    [PaymentPlan("PL1", "C2", ["I3"], [Instalment(date(2024, 3, 5), eur(150))], date(2024, 3, 1))],
)
EMPTY = Ledger([])
Q1 = {"start": date(2024, 1, 1), "end": date(2024, 3, 31)}


# -- aging -------------------------------------------------------------------


def test_aging_default_buckets() -> None:
    # On 03-15: I2 open 200 - 20 - 80 = 100, 03-15 - 02-14 = 30 days late -> 1-30.
    # I3 300, 03-15 - 03-02 = 13 days -> 1-30. I5 70 not yet due -> current.
    # I6 USD 40: 03-15 - 2023-12-01 = 30 + 31 + 29 + 15 = 105 days -> 90+.
    report = aging(LEDGER, date(2024, 3, 15))
    assert report.labels == ("current", "1-30", "31-60", "61-90", "90+")
    rows = {(r.customer_id, r.currency): r for r in report.rows}
    assert set(rows) == {("C1", "EUR"), ("C2", "EUR"), ("C2", "USD")}
    assert rows["C1", "EUR"].amounts == (eur(0), eur(100), eur(0), eur(0), eur(0))
    assert rows["C2", "EUR"].amounts == (eur(70), eur(300), eur(0), eur(0), eur(0))
    assert rows["C2", "EUR"].total == eur(370)
    assert rows["C2", "USD"].amounts == (usd(0), usd(0), usd(0), usd(0), usd(40))
    # Totals per currency, never summed across: EUR 70 current, 100 + 300 = 400 in 1-30.
    assert report.totals == {
        "EUR": (eur(70), eur(400), eur(0), eur(0), eur(0)),
        "USD": (usd(0), usd(0), usd(0), usd(0), usd(40)),
    }


def test_aging_custom_buckets() -> None:
    # Bounds (0, 14): current, 1-14, 14+. I2 is 30 days late -> 14+, I3 13 -> 1-14.
    report = aging(LEDGER, date(2024, 3, 15), buckets=(0, 14))
    assert report.labels == ("current", "1-14", "14+")
    assert report.totals["EUR"] == (eur(70), eur(300), eur(100))


def test_aging_rejects_bad_buckets() -> None:
    with pytest.raises(ValueError, match="strictly increasing"):
        aging(LEDGER, date(2024, 3, 15), buckets=(30, 30))
    with pytest.raises(ValueError, match="non-empty"):
        aging(LEDGER, date(2024, 3, 15), buckets=())


# -- DSO ---------------------------------------------------------------------


def test_dso_standard() -> None:
    # Q1 has 31 + 29 + 31 = 91 days. Receivables on 03-31: EUR I3 300 + I5 70 = 370
    # (I1 and I2 paid); USD I6 40. Credit sales in Q1: EUR 100 + 200 + 300 + 70 = 670
    # (the credit note is not subtracted); USD I4 50 (I6 was issued in 2023).
    # EUR 370 / 670 * 91 = 50.2537... -> 50.3;  USD 40 / 50 * 91 = 72.8.
    eur_dso, usd_dso = dso(LEDGER, **Q1)
    assert (eur_dso.currency, eur_dso.receivables, eur_dso.sales) == ("EUR", eur(370), eur(670))
    assert (eur_dso.days, eur_dso.value) == (91, D("50.3"))
    assert (usd_dso.currency, usd_dso.value) == ("USD", D("72.8"))


def test_dso_countback() -> None:
    # EUR: 370 owed. March sales 70 < 370: take 31 days, 300 left. February sales
    # 300 >= 300: take 300 / 300 * 29 = 29 days. 31 + 29 = 60.0.
    # USD: 40 owed. March and February have no sales: 31 + 29 days. January sales
    # 50 >= 40: 40 / 50 * 31 = 24.8. 60 + 24.8 = 84.8.
    eur_dso, usd_dso = dso(LEDGER, method="countback", **Q1)
    assert eur_dso.value == D("60.0")
    assert usd_dso.value == D("84.8")


def test_dso_countback_undefined_when_sales_run_out() -> None:
    # Only March: EUR owed 370 but March sales are 70 -> None.
    (eur_dso, _usd) = dso(LEDGER, start=date(2024, 3, 1), end=date(2024, 3, 31), method="countback")
    assert eur_dso.value is None


def test_days_beyond_terms_is_dso_less_the_best_possible() -> None:
    # Q1 ends 03-31. EUR receivables 370: I3 300 due 03-02 is past due, I5 70 due
    # 03-31 is not (due on the end date). Sales 670 over 91 days.
    # DSO 370 / 670 * 91 = 50.25 -> 50.3; best possible 70 / 670 * 91 = 9.507 -> 9.5;
    # DBT 300 / 670 * 91 = 40.746 -> 40.7.
    # USD: I6 40 past due, nothing current; sales 50: DBT = DSO = 72.8, best 0.0.
    eur_dbt, usd_dbt = days_beyond_terms(LEDGER, **Q1)
    assert (eur_dbt.currency, eur_dbt.receivables, eur_dbt.past_due, eur_dbt.sales) == (
        "EUR",
        eur(370),
        eur(300),
        eur(670),
    )
    assert (eur_dbt.dso, eur_dbt.best_possible_dso, eur_dbt.value) == (
        D("50.3"),
        D("9.5"),
        D("40.7"),
    )
    assert (usd_dbt.past_due, usd_dbt.best_possible_dso, usd_dbt.value) == (
        usd(40),
        D("0.0"),
        D("72.8"),
    )
    assert eur_dbt.dso == dso(LEDGER, **Q1)[0].value
    with pytest.raises(ValueError, match="before start"):
        days_beyond_terms(LEDGER, start=date(2024, 2, 1), end=date(2024, 1, 1))


def test_dso_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="before start"):
        dso(LEDGER, start=date(2024, 2, 1), end=date(2024, 1, 1))
    with pytest.raises(ValueError, match="unknown DSO method"):
        dso(LEDGER, method="magic", **Q1)  # type: ignore[arg-type]


# -- days to pay ---------------------------------------------------------------


def test_days_to_pay_all() -> None:
    # Settled in Q1: EUR I1 on 01-31 (30 days to pay, 0 late, amount 100) and I2 on
    # 03-20 (01-15 -> 03-20 = 16 + 29 + 20 = 65 days; 02-14 -> 03-20 = 15 + 20 = 35
    # late; amount 200; its last settlement is P4, after the credit note and P2).
    # Count-weighted: (30 + 65) / 2 = 47.5 and (0 + 35) / 2 = 17.5.
    # Amount-weighted: (100*30 + 200*65) / 300 = 53.33 -> 53.3; 200*35 / 300 = 23.3.
    # USD: I4 on 02-19: 40 days to pay, 10 late.
    eur_row, usd_row = days_to_pay(LEDGER, **Q1)
    assert (eur_row.key, eur_row.currency, eur_row.count, eur_row.amount) == (
        "all",
        "EUR",
        2,
        eur(300),
    )
    assert (eur_row.days_to_pay, eur_row.days_late) == (D("47.5"), D("17.5"))
    assert (eur_row.weighted_days_to_pay, eur_row.weighted_days_late) == (D("53.3"), D("23.3"))
    assert (usd_row.days_to_pay, usd_row.days_late) == (D("40.0"), D("10.0"))
    # on-time rate: I1 was paid on its due date, I2 35 days late: 1 of 2 on time
    assert (eur_row.paid_late, eur_row.on_time_rate) == (1, D("50.0"))
    assert (usd_row.paid_late, usd_row.on_time_rate) == (1, D("0.0"))


def test_days_to_pay_grouped() -> None:
    by_customer = days_to_pay(LEDGER, by="customer", **Q1)
    assert [(r.key, r.currency, r.count) for r in by_customer] == [
        ("C1", "EUR", 2),
        ("C2", "USD", 1),
    ]
    by_profile = days_to_pay(LEDGER, by="profile", **Q1)
    assert [(r.key, r.currency) for r in by_profile] == [("business", "EUR"), ("private", "USD")]
    # Only February: just I4 settles (02-19); I1 settled 01-31, I2 03-20.
    (feb,) = days_to_pay(LEDGER, start=date(2024, 2, 1), end=date(2024, 2, 29))
    assert (feb.currency, feb.count) == ("USD", 1)


# -- CEI -----------------------------------------------------------------------


def test_collection_effectiveness() -> None:
    # February. Opening (01-31): EUR I2 200 (I1 paid on 01-31); USD I4 50 + I6 40 = 90.
    # Sales: EUR I3 300; USD 0. Closing (02-29): EUR I2 100 + I3 300 = 400, of which
    # current (due on or after 02-29) I3 300; USD I6 40, nothing current.
    # EUR (200 + 300 - 400) / (200 + 300 - 300) * 100 = 100 / 200 * 100 = 50.0
    # USD (90 + 0 - 40) / (90 + 0 - 0) * 100 = 55.55... -> 55.6
    eur_cei, usd_cei = collection_effectiveness(
        LEDGER, start=date(2024, 2, 1), end=date(2024, 2, 29)
    )
    assert (eur_cei.opening, eur_cei.sales, eur_cei.closing, eur_cei.closing_current) == (
        eur(200),
        eur(300),
        eur(400),
        eur(300),
    )
    assert eur_cei.value == D("50.0")
    assert (usd_cei.opening, usd_cei.closing, usd_cei.value) == (usd(90), usd(40), D("55.6"))


# -- shares ----------------------------------------------------------------------


def test_disputed_share() -> None:
    # 03-15: EUR open 100 + 300 + 70 = 470, disputed I3 300: 300 / 470 = 63.83 -> 63.8.
    # USD open 40, nothing disputed: 0.0.
    eur_share, usd_share = disputed_share(LEDGER, date(2024, 3, 15))
    assert (eur_share.part, eur_share.whole, eur_share.percent) == (eur(300), eur(470), D("63.8"))
    assert (usd_share.part, usd_share.percent) == (usd(0), D("0.0"))
    # 03-09: the dispute is not open yet.
    assert disputed_share(LEDGER, date(2024, 3, 9))[0].percent == D("0.0")


def test_written_off_share() -> None:
    # Q1: CN1 (write_off = yes) 20 of EUR sales 670 = 2.985 -> 3.0; USD 0 of 50 = 0.0.
    eur_share, usd_share = written_off_share(LEDGER, **Q1)
    assert (eur_share.part, eur_share.whole, eur_share.percent) == (eur(20), eur(670), D("3.0"))
    assert (usd_share.part, usd_share.percent) == (usd(0), D("0.0"))


# -- trends ------------------------------------------------------------------------


def test_monthly_trends() -> None:
    # Jan EUR: invoiced 100 + 200, collected P1 100, receivables 01-31 200:
    #   DSO 200 / 300 * 31 = 20.67 -> 20.7; settled I1, 0 days late.
    # Jan USD: invoiced 50, collected 0, receivables I4 50 + I6 40 = 90: 90 / 50 * 31 = 55.8.
    # Feb EUR: invoiced 300, collected P2 80, receivables 400: 400 / 300 * 29 = 38.7.
    # Feb USD: invoiced 0, collected 50, receivables 40, no sales -> DSO None; I4 10 late.
    # Mar EUR: invoiced 70, collected 100, receivables 370: 370 / 70 * 31 = 163.86 -> 163.9;
    #   I2 settled 35 days late.
    # Mar USD: only receivables (40), DSO None.
    got = [
        (t.month.month, t.currency, t.invoiced.amount, t.collected.amount, t.dso, t.days_late)
        for t in monthly_trends(LEDGER, **Q1)
    ]
    assert got == [
        (1, "EUR", D("300.00"), D("100.00"), D("20.7"), D("0.0")),
        (1, "USD", D("50.00"), D("0.00"), D("55.8"), None),
        (2, "EUR", D("300.00"), D("80.00"), D("38.7"), None),
        (2, "USD", D("0.00"), D("50.00"), None, D("10.0")),
        (3, "EUR", D("70.00"), D("100.00"), D("163.9"), D("35.0")),
        (3, "USD", D("0.00"), D("0.00"), None, None),
    ]


def test_seasonality_groups_calendar_months_across_years() -> None:
    # J1 2023-01: 100, paid 01-25 (due 01-20: 5 late). J2 2024-01: 300, paid 01-30
    # (due 01-15: 15 late). Both Januaries: DSO 0 (nothing owed at month end).
    # January: invoiced 400, collected 400, DSO mean(0, 0) = 0.0, late mean(5, 15) = 10.0.
    # The months in between have no activity and are left out.
    ledger = Ledger(
        [Customer("C1", "One", "business", "NL")],
        [
            Invoice("J1", "C1", date(2023, 1, 10), date(2023, 1, 20), eur(100)),
            Invoice("J2", "C1", date(2024, 1, 5), date(2024, 1, 15), eur(300)),
        ],
        [
            Payment("Q1", "C1", date(2023, 1, 25), eur(100)),
            Payment("Q2", "C1", date(2024, 1, 30), eur(300)),
        ],
    )
    (jan,) = seasonality(ledger, start=date(2023, 1, 1), end=date(2024, 1, 31))
    assert (jan.month, jan.currency, jan.years) == (1, "EUR", 2)
    assert (jan.invoiced, jan.collected) == (eur(400), eur(400))
    assert (jan.dso, jan.days_late) == (D("0.0"), D("10.0"))


# -- payment behaviour -----------------------------------------------------------------


def test_payment_behaviour_score() -> None:
    # C1 on 03-31: I1 0 days late, I2 35. n = 2.
    # on_time 1/2 -> 50 * 0.5 = 25.0; mean 17.5 -> 25 * (1 - 17.5/60) = 17.708 -> 17.7;
    # population sd of (0, 35) = 17.5 -> 15 * (1 - 17.5/30) = 6.25 -> 6.3; no plans -> 10.
    # 25.0 + 17.7 + 6.3 + 10 = 59.0
    score = payment_behaviour(LEDGER, "C1", date(2024, 3, 31))
    assert score.invoices == 2
    assert [c.points for c in score.components] == [D("25.0"), D("17.7"), D("6.3"), D("10.0")]
    assert score.score == D("59.0")
    assert score.explain()[0] == "on_time: 0.5 -> 25.0 of 50"
    assert score.explain()[-1] == "score: 59.0"


def test_payment_behaviour_counts_open_overdue_and_broken_plans() -> None:
    # C2 on 03-31: I4 settled 10 late; I3 open, 03-31 - 03-02 = 29 late; I6 open,
    # 03-31 - 2023-12-01 = 30 + 31 + 29 + 31 = 121 late; I5 due 03-31 is not judged.
    # on_time 0 -> 0; mean 160/3 = 53.33 -> 25 * (1 - 53.33/60) = 2.78 -> 2.8;
    # sd = sqrt(((29-53.33)^2 + (10-53.33)^2 + (121-53.33)^2) / 3) = 48.5 > 30 -> 0;
    # PL1 broken (150 due 03-05, nothing paid) -> 10 * (1 - 1/1) = 0.  Score 2.8.
    score = payment_behaviour(LEDGER, "C2", date(2024, 3, 31))
    assert score.invoices == 3
    assert [c.measure for c in score.components] == [D("0"), D("53.3"), D("48.5"), D("1")]
    assert score.score == D("2.8")


def test_payment_behaviour_without_history() -> None:
    ledger = Ledger([Customer("C9", "New", "business", "NL")])
    score = payment_behaviour(ledger, "C9", date(2024, 1, 1))
    assert score.score is None
    assert score.explain()[-1] == "score: n/a (no history)"
    with pytest.raises(KeyError):
        payment_behaviour(ledger, "nobody", date(2024, 1, 1))


# -- empty ledger -------------------------------------------------------------------------


def test_empty_ledger() -> None:
    report = aging(EMPTY, date(2024, 1, 1))
    assert (report.rows, dict(report.totals)) == ((), {})
    assert dso(EMPTY, **Q1) == ()
    assert dso(EMPTY, method="countback", **Q1) == ()
    assert days_to_pay(EMPTY, **Q1) == ()
    assert collection_effectiveness(EMPTY, **Q1) == ()
    assert disputed_share(EMPTY, date(2024, 1, 1)) == ()
    assert written_off_share(EMPTY, **Q1) == ()
    assert monthly_trends(EMPTY, **Q1) == ()
    assert seasonality(EMPTY, **Q1) == ()


# -- laws ---------------------------------------------------------------------------------

LEDGERS = ledgers(max_customers=3, max_invoices=10, max_payments=10, currencies=("EUR", "JPY"))


@given(LEDGERS)
def test_aging_buckets_sum_to_open_balance_per_currency(ledger: Ledger) -> None:
    as_of = date(2025, 9, 30)
    report = aging(ledger, as_of)
    open_by: dict[str, Money] = {}
    for bal in ledger.balances(as_of).values():
        if bal.is_positive():
            open_by[bal.currency] = open_by.get(bal.currency, Money.zero(bal.currency)) + bal
    assert set(report.totals) == set(open_by)
    for cur, amounts in report.totals.items():
        assert Money.total(amounts, cur) == open_by[cur]
    for row in report.rows:
        assert Money.total(row.amounts, row.currency) == row.total


@given(LEDGERS)
def test_cei_between_0_and_100_when_defined(ledger: Ledger) -> None:
    for cei in collection_effectiveness(ledger, start=date(2025, 6, 1), end=date(2026, 3, 31)):
        if cei.value is not None:
            assert D(0) <= cei.value <= D(100)


# -- the full report -------------------------------------------------------------------


def test_receivables_report_equals_the_single_functions() -> None:
    as_of = date(2024, 3, 15)
    report = receivables_report(LEDGER, as_of, start=date(2024, 1, 1), end=date(2024, 3, 31))
    period = {"start": date(2024, 1, 1), "end": date(2024, 3, 31)}
    assert report.aging == aging(LEDGER, as_of)
    assert report.dso == dso(LEDGER, **period)
    assert report.dso_countback == dso(LEDGER, method="countback", **period)
    assert report.days_to_pay == days_to_pay(LEDGER, **period)
    assert report.days_to_pay_by_profile == days_to_pay(LEDGER, by="profile", **period)
    assert report.collection_effectiveness == collection_effectiveness(LEDGER, **period)
    assert report.disputed == disputed_share(LEDGER, as_of)
    assert report.written_off == written_off_share(LEDGER, **period)
    assert report.trends == monthly_trends(LEDGER, **period)
    assert report.seasonality == seasonality(LEDGER, **period)
    assert report.dbt == days_beyond_terms(LEDGER, **period)
    assert report.currencies() == ("EUR", "USD")


def test_top_overdue_ranks_past_due_balances_per_currency() -> None:
    # On 03-15: C2 EUR: I3 300 past due (13 days), I5 70 not yet due -> overdue 300, open 370.
    # C1 EUR: I2 100 past due (30 days). USD: C2 I6 40, 105 days.
    report = receivables_report(LEDGER, date(2024, 3, 15))
    got = [
        (o.customer_id, o.currency, o.overdue, o.open, o.invoices, o.oldest_days)
        for o in report.top_overdue
    ]
    assert got == [
        ("C2", "EUR", eur(300), eur(370), 1, 13),
        ("C1", "EUR", eur(100), eur(100), 1, 30),
        ("C2", "USD", usd(40), usd(40), 1, 105),
    ]
    assert receivables_report(LEDGER, date(2024, 3, 15), top=1).top_overdue[0].customer_id == "C2"
    assert len(receivables_report(LEDGER, date(2024, 3, 15), top=0).top_overdue) == 0


def test_report_default_period_is_twelve_months() -> None:
    report = receivables_report(LEDGER, date(2024, 3, 15))
    assert (report.start, report.end) == (date(2023, 4, 1), date(2024, 3, 15))
    with pytest.raises(ValueError, match="before start"):
        receivables_report(LEDGER, date(2024, 3, 15), start=date(2024, 4, 1))
    with pytest.raises(ValueError, match="top"):
        receivables_report(LEDGER, date(2024, 3, 15), top=-1)


def test_report_on_an_empty_ledger() -> None:
    report = receivables_report(EMPTY, date(2024, 3, 15))
    assert report.aging.rows == ()
    assert report.top_overdue == ()
    assert report.trends == ()
    assert report.currencies() == ()


def test_receivables_of_a_prepayment_named_before_its_invoice() -> None:
    # P9 pays 50 for J2 on 01-05, but J2 is only issued on 01-20. On 01-10 the 50 is
    # reserved for J2, so J1 (100, issued 01-01) stays fully open: receivables 100.
    # On 01-31 J2 (80) is issued: 50 applied, 30 open; J1 100 -> receivables 130.
    ledger = Ledger(
        [Customer("C1", "One", "business", "NL")],
        [
            Invoice("J1", "C1", date(2024, 1, 1), date(2024, 1, 31), eur(100)),
            Invoice("J2", "C1", date(2024, 1, 20), date(2024, 2, 20), eur(80)),
        ],
        [Payment("P9", "C1", date(2024, 1, 5), eur(50), invoice_id="J2")],
    )
    jan10, jan31 = date(2024, 1, 10), date(2024, 1, 31)
    (early,) = dso(ledger, start=date(2024, 1, 1), end=jan10)
    (late,) = dso(ledger, start=date(2024, 1, 1), end=jan31)
    assert (early.receivables, late.receivables) == (eur(100), eur(130))


@given(LEDGERS, st.dates(date(2024, 6, 1), date(2026, 6, 1)), st.integers(0, 500))
def test_one_pass_receivables_equal_the_allocation(ledger: Ledger, start: date, days: int) -> None:
    # The scan's receivables on the day before start and on every month's end equal
    # summing Ledger.balances there (positive balances, per currency).
    scan = _Scan.of(ledger, start, start + timedelta(days=days))
    points = [start - timedelta(days=1), *(hi for _, hi in scan.segments)]
    for point, owed in zip(points, scan.owed, strict=True):
        expected: dict[str, Decimal] = {}
        for bal in ledger.balances(point).values():
            if bal.is_positive():
                expected[bal.currency] = expected.get(bal.currency, D(0)) + bal.amount
        assert owed == expected, point


@given(LEDGERS, st.dates(date(2024, 6, 1), date(2026, 6, 1)))
def test_behaviour_from_a_given_position_is_the_same(ledger: Ledger, as_of: date) -> None:
    for customer in ledger.customers:
        position = ledger.position(customer.id, as_of)
        assert payment_behaviour(ledger, customer.id, as_of, position=position) == (
            payment_behaviour(ledger, customer.id, as_of)
        )


def test_behaviour_refuses_a_position_of_another_customer_or_a_later_day() -> None:
    with pytest.raises(ValueError, match="given for C1"):
        payment_behaviour(
            LEDGER, "C1", date(2024, 3, 31), position=LEDGER.position("C2", date(2024, 3, 31))
        )
    with pytest.raises(ValueError, match="given for C1"):
        payment_behaviour(
            LEDGER, "C1", date(2024, 3, 1), position=LEDGER.position("C1", date(2024, 3, 31))
        )
