"""The table path of the reports gives exactly the figures of the record path.

``tests/reference_reports.py`` is the record-path implementation of
``arpolicy.reports`` as it was before the metrics moved to Polars group-bys;
it is the reference model here, not shipped.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import reference_reports as reference
from arpolicy import InvoiceKind, Ledger
from arpolicy.report_html import render_html as old_path
from arpolicy.reports import WRITE_OFF_KEY, receivables_report
from arpolicy.reports.html import render_html
from arpolicy.testing.strategies import ledgers
from test_discount import discount_ledgers


@st.composite
def report_ledgers(draw: st.DrawFn) -> Ledger:
    """Ledgers of the strategy, with or without discount terms; some write-offs."""
    base = draw(
        st.one_of(
            ledgers(max_customers=3, max_invoices=12, max_payments=12, currencies=("EUR", "JPY")),
            discount_ledgers(),
        )
    )
    marks = draw(st.lists(st.booleans(), min_size=len(base.invoices), max_size=len(base.invoices)))
    invoices = [
        attrs.evolve(inv, metadata={WRITE_OFF_KEY: "yes"})
        if mark and inv.kind is InvoiceKind.CREDIT_NOTE
        else inv
        for inv, mark in zip(base.invoices, marks, strict=True)
    ]
    return Ledger(base.customers, invoices, base.payments, base.plans)


def _dates_of(ledger: Ledger) -> list[date]:
    found = {inv.issue_date for inv in ledger.invoices} | {p.date for p in ledger.payments}
    return sorted(found) or [date(2025, 6, 30)]


@settings(max_examples=100, deadline=None)
@given(
    ledger=report_ledgers(),
    data=st.data(),
    shift=st.integers(-10, 60),
    days=st.integers(0, 500),
    back=st.integers(-40, 40),
    top=st.integers(0, 3),
)
def test_receivables_report_equals_the_record_path(
    ledger: Ledger, data: st.DataObject, shift: int, days: int, back: int, top: int
) -> None:
    # end near a date of the ledger, so that the period sees its invoices and payments
    end = data.draw(st.sampled_from(_dates_of(ledger))) + timedelta(days=shift)
    start = end - timedelta(days=days)
    as_of = end - timedelta(days=back)
    new = receivables_report(ledger, as_of, start=start, end=end, top=top, buckets=(0, 15, 45))
    old = reference.receivables_report(
        ledger, as_of, start=start, end=end, top=top, buckets=(0, 15, 45)
    )
    # The reference defines its own result classes, so compare the representations:
    # every field, every amount with its exponent (which shows in the output), in order.
    assert repr(new) == repr(old)


@settings(max_examples=60, deadline=None)
@given(
    ledger=discount_ledgers(), data=st.data(), shift=st.integers(-5, 40), days=st.integers(0, 400)
)
def test_with_discounts_receivables_report_equals_the_record_path(
    ledger: Ledger, data: st.DataObject, shift: int, days: int
) -> None:
    end = data.draw(st.sampled_from(_dates_of(ledger))) + timedelta(days=shift)
    start = end - timedelta(days=days)
    new = receivables_report(ledger, end, start=start)
    old = reference.receivables_report(ledger, end, start=start)
    assert repr(new) == repr(old)


def test_report_html_is_still_importable_from_its_old_path() -> None:
    assert old_path is render_html
