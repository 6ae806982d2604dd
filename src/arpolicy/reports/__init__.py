"""Receivables metrics: aging, DSO, days to pay, CEI, shares, trends, behaviour.

Every function here is pure: it reads a :class:`~arpolicy.model.Ledger` and
dates, never the clock or a file, and returns frozen results. Money stays
:class:`~arpolicy.money.Money` and results are always **per currency**: amounts
in different currencies are never added together.

Shared definitions (see ``docs/explanation/metrics.md``):

* *Receivables* on a date ``D``: the sum of the open balances of invoices and
  deposit requests issued on or before ``D`` (as :meth:`Ledger.balances`
  allocates payments and credit notes). Unapplied customer credit is not
  subtracted.
* *Credit sales* in a period: the amounts of invoices and deposit requests
  issued in it (credit notes are not subtracted).
* Periods are inclusive: ``start`` and ``end`` both count.
* *Settlement date* of an invoice: the date of the last payment or credit note
  allocated to it (or of the one that brought an early-payment discount within
  reach), once its balance is zero (its issue date if its amount is zero).
* Day counts and percentages are :class:`~decimal.Decimal`, quantized to one
  decimal (0.1) with round-half-up; ``None`` where a ratio is undefined.

>>> from datetime import date
>>> from arpolicy import Customer, Invoice, Ledger, Money
>>> ledger = Ledger(
...     [Customer("C1", "Acme", "business", "NL")],
...     [Invoice("I1", "C1", date(2024, 1, 1), date(2024, 1, 31), Money(100, "EUR"))],
... )
>>> report = aging(ledger, date(2024, 2, 10))
>>> report.labels
('current', '1-30', '31-60', '61-90', '90+')
>>> report.totals["EUR"]
(Money('0.00', 'EUR'), Money('100.00', 'EUR'), Money('0.00', 'EUR'), Money('0.00', 'EUR'), Money('0.00', 'EUR'))
"""  # noqa: E501

from __future__ import annotations

from typing import Any

from ._aging import AgingReport, AgingRow, aging
from ._behaviour import BehaviourComponent, BehaviourScore, payment_behaviour
from ._common import DEFAULT_BUCKETS, WRITE_OFF_KEY
from ._dso import DaysBeyondTerms, Dso, days_beyond_terms, dso
from ._pay import DaysToPay, DiscountsGranted, days_to_pay, discounts_granted
from ._report import OverdueCustomer, ReceivablesReport, default_period, receivables_report
from ._shares import (
    CollectionEffectiveness,
    Share,
    collection_effectiveness,
    disputed_share,
    written_off_share,
)
from ._trends import MonthlyTrend, Seasonality, monthly_trends, seasonality

__all__ = [
    "DEFAULT_BUCKETS",
    "WRITE_OFF_KEY",
    "AgingReport",
    "AgingRow",
    "BehaviourComponent",
    "BehaviourScore",
    "CollectionEffectiveness",
    "DaysBeyondTerms",
    "DaysToPay",
    "DiscountsGranted",
    "Dso",
    "MonthlyTrend",
    "OverdueCustomer",
    "ReceivablesReport",
    "Seasonality",
    "Share",
    "aging",
    "collection_effectiveness",
    "days_beyond_terms",
    "days_to_pay",
    "default_period",
    "discounts_granted",
    "disputed_share",
    "dso",
    "monthly_trends",
    "payment_behaviour",
    "receivables_report",
    "seasonality",
    "written_off_share",
]


def __getattr__(name: str) -> Any:
    # the table path imports Polars: only when asked for
    if name == "_Scan":
        from ._frames import _Scan  # noqa: PLC0415

        return _Scan
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
