"""The EU baseline: Directive 2011/7/EU on late payment in commercial transactions.

It applies to business (B2B) and public-body debtors in member states that
have no pack of their own (:func:`arpolicy.law.jurisdiction_for_country`
maps them to ``"EU"``), and it supplies the ECB rate table that the French
and Belgian packs read.

* Statutory interest: simple interest at the reference rate + 8 points. The
  reference rate is the ECB main refinancing rate in force on 1 January (for
  the first half-year) and on 1 July (for the second).
* Fixed compensation: EUR 40 per invoice, owed without a reminder.
* No statutory interest rate for consumers in the baseline.

>>> from datetime import date
>>> from arpolicy import Money, Profile
>>> from arpolicy.law import statutory_interest
>>> statutory_interest(
...     Money("1000.00", "EUR"),
...     start=date(2025, 1, 1),
...     end=date(2025, 1, 31),
...     jurisdiction="EU",
...     profile=Profile.BUSINESS,
... )  # 1000 x 11.15% x 30/365 = 9.164...
Money('9.16', 'EUR')
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

from ..model import Profile
from ._core import Compounding, Jurisdiction, Rule

__all__ = ["CODE", "JURISDICTION", "RATES", "UNCONFIRMED"]

CODE: Final = "EU"

RATES: Final[tuple[tuple[str, date, str], ...]] = (
    # ECB main refinancing rate on the reference date of each half-year.
    ("ecb-refi", date(2015, 1, 1), "0.05"),
    ("ecb-refi", date(2015, 7, 1), "0.05"),
    ("ecb-refi", date(2016, 1, 1), "0.05"),
    ("ecb-refi", date(2016, 7, 1), "0.00"),
    ("ecb-refi", date(2017, 1, 1), "0.00"),
    ("ecb-refi", date(2017, 7, 1), "0.00"),
    ("ecb-refi", date(2018, 1, 1), "0.00"),
    ("ecb-refi", date(2018, 7, 1), "0.00"),
    ("ecb-refi", date(2019, 1, 1), "0.00"),
    ("ecb-refi", date(2019, 7, 1), "0.00"),
    ("ecb-refi", date(2020, 1, 1), "0.00"),
    ("ecb-refi", date(2020, 7, 1), "0.00"),
    ("ecb-refi", date(2021, 1, 1), "0.00"),
    ("ecb-refi", date(2021, 7, 1), "0.00"),
    ("ecb-refi", date(2022, 1, 1), "0.00"),
    ("ecb-refi", date(2022, 7, 1), "0.00"),
    ("ecb-refi", date(2023, 1, 1), "2.50"),
    ("ecb-refi", date(2023, 7, 1), "4.00"),
    ("ecb-refi", date(2024, 1, 1), "4.50"),
    ("ecb-refi", date(2024, 7, 1), "4.25"),
    ("ecb-refi", date(2025, 1, 1), "3.15"),
    ("ecb-refi", date(2025, 7, 1), "2.15"),
    ("ecb-refi", date(2026, 1, 1), "2.15"),
)
"""``(table, effective, rate %)`` rows shipped for the EU baseline."""

UNCONFIRMED: Final[frozenset[tuple[str, date]]] = frozenset()
"""``(table, effective)`` of shipped rows not yet confirmed by a publication."""

BUSINESS_RULE: Final = "EU Directive 2011/7/EU art. 3"
GOVERNMENT_RULE: Final = "EU Directive 2011/7/EU art. 4"

JURISDICTION: Final = Jurisdiction(
    code=CODE,
    name="European Union baseline (Directive 2011/7/EU)",
    sources=("Directive 2011/7/EU on combating late payment in commercial transactions",),
    consumer_rule=None,
    business_rule=BUSINESS_RULE,
    government_rule=GOVERNMENT_RULE,
    compounding=Compounding.SIMPLE,
    default_term_days=30,
    max_term_days_business=60,
    max_term_days_public=60,
    notes=(
        "B2B: interest runs without a reminder from the day after the agreed date; with no"
        " agreed date, 30 calendar days after receipt of the invoice.",
        "B2B terms above 60 days only if expressly agreed and not grossly unfair.",
        "Public-authority debtors: 30 days; 60 only if expressly agreed and objectively"
        " justified, or for public health-care bodies.",
        "Fixed compensation: at least EUR 40 per invoice without a reminder, plus reasonable"
        " further recovery costs.",
    ),
)
"""What the EU baseline provides."""


def _rule(profile: Profile, obligation_date: date) -> Rule | None:
    del obligation_date
    if profile is Profile.PRIVATE:
        return None
    label = GOVERNMENT_RULE if profile is Profile.GOVERNMENT else BUSINESS_RULE
    return Rule(label, "ecb-refi", Decimal(8))
