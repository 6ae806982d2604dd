"""Late-payment law: statutory interest, fixed compensation and collection costs.

Each supported jurisdiction is a *pack*, a module holding its rules and its
dated rate tables as data: :mod:`~arpolicy.law.eu` (the baseline of
Directive 2011/7/EU for member states without a pack of their own),
:mod:`~arpolicy.law.nl`, :mod:`~arpolicy.law.de`, :mod:`~arpolicy.law.gb`,
:mod:`~arpolicy.law.fr` and :mod:`~arpolicy.law.be`. Rates are looked up in
a :class:`RateBook`; add newer published rows with :meth:`RateBook.merged`
(for example from :func:`arpolicy.io.load_rates`) without a new release.

Everything here is pure: no clock, no files. Amounts are exact
:class:`~arpolicy.money.Money`, rounded half-up to the minor unit per period.

>>> from datetime import date
>>> from arpolicy import Money, Profile
>>> statutory_interest(
...     Money("5000.00", "EUR"),
...     start=date(2025, 2, 1),
...     end=date(2025, 3, 1),
...     jurisdiction=jurisdiction_for_country("FR"),
...     profile=Profile.BUSINESS,
... )  # 5000 x (3.15 + 10)% x 28/365 = 50.438...
Money('50.44', 'EUR')
>>> collection_costs(Money("1000.00", "EUR"), jurisdiction="NL", profile=Profile.PRIVATE)
Money('150.00', 'EUR')
"""

from __future__ import annotations

from ..errors import (
    MissingRateError,
    NoStatutoryRuleError,
    NoStatutoryScaleError,
    StaleRateError,
    StaleRateWarning,
    UnknownJurisdictionError,
)
from ._core import TABLES, Compounding, DayCount, Jurisdiction, RateBook, RateRow
from ._costs import collection_costs, fixed_compensation
from ._interest import (
    InterestPart,
    InterestPeriod,
    InterestResult,
    interest_breakdown,
    statutory_interest,
)
from ._packs import EU_MEMBER_STATES, jurisdiction, jurisdiction_for_country

__all__ = [
    "EU_MEMBER_STATES",
    "TABLES",
    "Compounding",
    "DayCount",
    "InterestPart",
    "InterestPeriod",
    "InterestResult",
    "Jurisdiction",
    "MissingRateError",
    "NoStatutoryRuleError",
    "NoStatutoryScaleError",
    "RateBook",
    "RateRow",
    "StaleRateError",
    "StaleRateWarning",
    "UnknownJurisdictionError",
    "collection_costs",
    "fixed_compensation",
    "interest_breakdown",
    "jurisdiction",
    "jurisdiction_for_country",
    "statutory_interest",
]
