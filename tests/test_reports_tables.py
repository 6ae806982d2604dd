"""The two paths of the reports give the same results.

Every public metric picks its path by the ledger's size (invoices and
payments, see ``RECORD_PATH_BELOW`` and ``RECORD_PATH_BELOW_RECORDS`` in
``arpolicy.reports._common``): the record path (``arpolicy.reports._records``)
for small ledgers, the table path (Polars group-bys,
``arpolicy.reports._frames``) for the rest. Here each is forced in turn on the
same ledger and the results compared by equality.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arpolicy import Customer, Invoice, InvoiceKind, Ledger, Money
from arpolicy.report_html import render_html as old_path
from arpolicy.reports import (
    WRITE_OFF_KEY,
    _common,
    _frames,
    _records,
    aging,
    collection_effectiveness,
    days_beyond_terms,
    days_to_pay,
    discounts_granted,
    disputed_share,
    dso,
    monthly_trends,
    receivables_report,
    seasonality,
    written_off_share,
)
from arpolicy.reports.html import render_html
from arpolicy.sample import SAMPLE_AS_OF, sample_ledger
from arpolicy.testing.strategies import ledgers
from test_discount import discount_ledgers


@contextmanager
def _path(name: str) -> Iterator[None]:
    """Force the record path (``"records"``) or the table path (``"tables"``)."""
    below = 1 << 62 if name == "records" else 0
    with (
        mock.patch.object(_common, "RECORD_PATH_BELOW", below),
        mock.patch.object(_common, "RECORD_PATH_BELOW_RECORDS", below),
    ):
        yield


def _both(call: Callable[[], Any]) -> tuple[Any, Any]:
    with _path("records"):
        records = call()
    with _path("tables"):
        tables = call()
    return records, tables


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
    ledger = Ledger(base.customers, invoices, base.payments, base.plans)
    # half of them read as tables (as from a file), half kept as records
    return Ledger._from_tables(ledger.tables) if draw(st.booleans()) else ledger


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
def test_receivables_report_is_the_same_on_both_paths(
    ledger: Ledger, data: st.DataObject, shift: int, days: int, back: int, top: int
) -> None:
    # end near a date of the ledger, so that the period sees its invoices and payments
    end = data.draw(st.sampled_from(_dates_of(ledger))) + timedelta(days=shift)
    start = end - timedelta(days=days)
    as_of = end - timedelta(days=back)
    records, tables = _both(
        lambda: receivables_report(
            ledger, as_of, start=start, end=end, top=top, buckets=(0, 15, 45)
        )
    )
    assert records == tables


@settings(max_examples=60, deadline=None)
@given(
    ledger=discount_ledgers(), data=st.data(), shift=st.integers(-5, 40), days=st.integers(0, 400)
)
def test_with_discounts_receivables_report_is_the_same_on_both_paths(
    ledger: Ledger, data: st.DataObject, shift: int, days: int
) -> None:
    end = data.draw(st.sampled_from(_dates_of(ledger))) + timedelta(days=shift)
    start = end - timedelta(days=days)
    records, tables = _both(lambda: receivables_report(ledger, end, start=start))
    assert records == tables


@settings(max_examples=40, deadline=None)
@given(ledger=report_ledgers(), data=st.data(), days=st.integers(0, 400))
def test_every_metric_is_the_same_on_both_paths(
    ledger: Ledger, data: st.DataObject, days: int
) -> None:
    end = data.draw(st.sampled_from(_dates_of(ledger)))
    start = end - timedelta(days=days)
    period = {"start": start, "end": end}
    calls: list[Callable[[], Any]] = [
        lambda: aging(ledger, end, buckets=(0, 10, 40)),
        lambda: dso(ledger, **period),
        lambda: dso(ledger, **period, method="countback"),
        lambda: days_beyond_terms(ledger, **period),
        lambda: discounts_granted(ledger, **period),
        lambda: days_to_pay(ledger, **period, by="customer"),
        lambda: days_to_pay(ledger, **period, by="profile"),
        lambda: collection_effectiveness(ledger, **period),
        lambda: disputed_share(ledger, end),
        lambda: written_off_share(ledger, **period),
        lambda: monthly_trends(ledger, **period),
        lambda: seasonality(ledger, **period),
    ]
    for call in calls:
        records, tables = _both(call)
        assert records == tables


def test_the_sample_report_is_the_same_on_both_paths() -> None:
    ledger = sample_ledger()
    records, tables = _both(lambda: receivables_report(ledger, SAMPLE_AS_OF))
    assert records == tables
    assert records.aging.rows


def _one_invoice() -> Ledger:
    return Ledger(
        [Customer("C1", "Acme", "business", "NL")],
        [Invoice("I1", "C1", date(2024, 1, 1), date(2024, 1, 31), Money(100, "EUR"))],
    )


@pytest.mark.parametrize("read", [False, True])
def test_a_small_ledger_takes_the_record_path(read: bool) -> None:
    ledger = Ledger._from_tables(_one_invoice().tables) if read else _one_invoice()
    with mock.patch.object(_frames, "_tables_of", side_effect=AssertionError("table path")):
        report = receivables_report(ledger, date(2024, 2, 10))
    assert report.aging.totals["EUR"][1] == Money(100, "EUR")


def test_a_large_ledger_takes_the_table_path() -> None:
    with (
        mock.patch.object(_common, "RECORD_PATH_BELOW_RECORDS", 1),
        mock.patch.object(_records, "report", side_effect=AssertionError("record path")),
        mock.patch.object(_records, "Book", side_effect=AssertionError("record path")),
    ):
        report = receivables_report(_one_invoice(), date(2024, 2, 10))
        assert aging(_one_invoice(), date(2024, 2, 10)) == report.aging


def test_the_size_is_known_without_building_records_or_tables() -> None:
    read = Ledger._from_tables(sample_ledger().tables)
    made = sample_ledger()
    assert read._entries() == made._entries() == len(made.invoices) + len(made.payments)
    assert read._view is not None
    assert not read._view.all  # no record was built to count them
    assert made._tables is None  # no table was made to count them


def test_the_table_path_builds_no_record_of_a_ledger_read_as_tables() -> None:
    ledger = Ledger._from_tables(sample_ledger().tables)
    with _path("tables"):
        receivables_report(ledger, SAMPLE_AS_OF)
    assert ledger._view is not None
    assert not ledger._view.all
    assert not any(ledger._view.built.values())


def test_report_html_is_still_importable_from_its_old_path() -> None:
    assert old_path is render_html
