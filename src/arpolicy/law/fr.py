"""France: late penalties between professionals (Code de commerce L441-10, D441-5).

* Business debtors: penalties run from the day after the due date without a
  reminder, by default at the ECB refinancing rate + 10 points (the
  1 January rate for the first half-year, the 1 July rate for the second),
  simple interest. An agreed rate may not be below 3 times the legal
  interest rate.
* Public-body debtors: the EU baseline (ECB + 8 points), since the French
  rule above is the B2B one.
* Fixed recovery indemnity: EUR 40 per invoice, outside VAT.
* Terms: 30 days by default; at most 60 days from the invoice date or 45
  days end of month.
* No statutory rate against consumers in this pack.

>>> JURISDICTION.business_rule
'FR art. L441-10 C. com.'
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

from ..model import Profile
from ._core import Compounding, Jurisdiction, Rule
from .eu import GOVERNMENT_RULE

__all__ = ["CODE", "JURISDICTION"]

CODE: Final = "FR"

BUSINESS_RULE: Final = "FR art. L441-10 C. com."

JURISDICTION: Final = Jurisdiction(
    code=CODE,
    name="France",
    sources=(
        "Code de commerce art. L441-10",
        "Code de commerce art. D441-5",
        "Directive 2011/7/EU",
    ),
    consumer_rule=None,
    business_rule=BUSINESS_RULE,
    government_rule=GOVERNMENT_RULE,
    compounding=Compounding.SIMPLE,
    default_term_days=30,
    max_term_days_business=60,
    max_term_days_public=60,
    notes=(
        "Late penalties run from the day after the due date without a reminder.",
        "Default rate: ECB refinancing rate + 10 points; an agreed rate may not be below 3"
        " times the legal interest rate.",
        "Fixed recovery indemnity EUR 40 per invoice, outside VAT.",
        "Terms: 30 days default; agreed maximum 60 days from the invoice date or 45 days end"
        " of month.",
        "Public-body debtors: the EU baseline (ECB + 8 points).",
    ),
)
"""What the French pack provides."""


def _rule(profile: Profile, obligation_date: date) -> Rule | None:
    del obligation_date
    if profile is Profile.PRIVATE:
        return None
    if profile is Profile.GOVERNMENT:
        return Rule(GOVERNMENT_RULE, "ecb-refi", Decimal(8))
    return Rule(BUSINESS_RULE, "ecb-refi", Decimal(10))
