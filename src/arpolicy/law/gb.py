"""United Kingdom: Late Payment of Commercial Debts (Interest) Act 1998.

* Business (and public-body) debtors only; no statutory interest against
  consumers.
* Interest: 8 points over the Bank of England's Bank Rate in force on
  30 June (for interest starting 1 July - 31 December) or on 31 December of
  the previous year (for interest starting 1 January - 30 June). The rate is
  fixed for the life of the debt. Simple interest.
* Fixed sum per debt: GBP 40 below 1,000; 70 from 1,000 to below 10,000;
  100 from 10,000 (see :func:`arpolicy.law.fixed_compensation`).

The ``"gb-bank-rate"`` table holds Bank Rate on the reference dates; a row's
``effective`` date is the reference date itself.

>>> from datetime import date
>>> reference_date(date(2026, 3, 15)), reference_date(date(2025, 7, 1))
(datetime.date(2025, 12, 31), datetime.date(2025, 6, 30))
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

from ..model import Profile
from ._core import Compounding, Jurisdiction, Rule

__all__ = ["CODE", "JURISDICTION", "RATES", "UNCONFIRMED", "reference_date"]

CODE: Final = "GB"

RATES: Final[tuple[tuple[str, date, str], ...]] = (
    ("gb-bank-rate", date(2023, 12, 31), "5.25"),
    ("gb-bank-rate", date(2024, 6, 30), "5.25"),
    ("gb-bank-rate", date(2024, 12, 31), "4.75"),
    ("gb-bank-rate", date(2025, 6, 30), "4.25"),
    ("gb-bank-rate", date(2025, 12, 31), "3.75"),  # UNCONFIRMED
)
"""``(table, reference date, Bank Rate %)`` rows shipped for the United Kingdom."""

UNCONFIRMED: Final[frozenset[tuple[str, date]]] = frozenset({("gb-bank-rate", date(2025, 12, 31))})
"""``(table, effective)`` of shipped rows not yet confirmed by a publication."""

RULE: Final = "GB Late Payment of Commercial Debts (Interest) Act 1998"

JURISDICTION: Final = Jurisdiction(
    code=CODE,
    name="United Kingdom",
    sources=("Late Payment of Commercial Debts (Interest) Act 1998",),
    consumer_rule=None,
    business_rule=RULE,
    government_rule=RULE,
    compounding=Compounding.SIMPLE,
    default_term_days=30,
    max_term_days_business=None,
    max_term_days_public=None,
    notes=(
        "B2B only; default credit period 30 days.",
        "Rate: 8 points over Bank Rate on 30 June (interest starting 1 Jul - 31 Dec) or"
        " 31 December (interest starting 1 Jan - 30 Jun), fixed for the life of the debt.",
        "Fixed sum per debt: GBP 40 below 1,000; 70 from 1,000 to below 10,000; 100 from 10,000.",
    ),
)
"""What the United Kingdom pack provides."""


def reference_date(start: date) -> date:
    """The Bank Rate reference date for interest starting on ``start``.

    Args:
        start: the first day of interest.

    Returns:
        30 June of the same year for a start from 1 July to 31 December,
        else 31 December of the previous year.
    """
    if start.month >= 7:
        return date(start.year, 6, 30)
    return date(start.year - 1, 12, 31)


def _rule(profile: Profile, obligation_date: date) -> Rule | None:
    del obligation_date
    if profile is Profile.PRIVATE:
        return None
    return Rule(RULE, "gb-bank-rate", Decimal(8), fixed_for_life=True)
