"""Germany: default (§286 BGB) and interest on arrears (§288 BGB).

* Interest: the base rate (Basiszinssatz) + 5 points against consumers,
  + 9 points when no consumer is involved (+ 8 for obligations that arose
  on or before 2014-07-28). Simple interest; no interest on interest
  (§289 BGB). The base rate changes on 1 January and 1 July and has been
  negative; the total rate stays positive.
* EUR 40 lump sum from non-consumer debtors (§288(5) BGB), credited against
  further recovery costs.
* A consumer is in default 30 days after the due date and receipt of the
  invoice only if the invoice pointed this out: see
  :func:`consumer_default_date`; otherwise a reminder (Mahnung) is needed.

>>> from datetime import date
>>> consumer_default_date(date(2026, 3, 2), invoice_notice=True)
datetime.date(2026, 4, 2)
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from ..calendar import calendar_for
from ..model import Profile
from ._core import Compounding, Jurisdiction, Rule

__all__ = ["CODE", "JURISDICTION", "RATES", "UNCONFIRMED", "consumer_default_date"]

CODE: Final = "DE"

RATES: Final[tuple[tuple[str, date, str], ...]] = (
    ("de-base", date(2014, 7, 1), "-0.73"),
    ("de-base", date(2015, 1, 1), "-0.83"),
    ("de-base", date(2016, 7, 1), "-0.88"),
    ("de-base", date(2023, 1, 1), "1.62"),
    ("de-base", date(2023, 7, 1), "3.12"),
    ("de-base", date(2024, 1, 1), "3.62"),
    ("de-base", date(2024, 7, 1), "3.37"),
    ("de-base", date(2025, 1, 1), "2.27"),
    ("de-base", date(2025, 7, 1), "1.27"),
    ("de-base", date(2026, 1, 1), "1.27"),
)
"""``(table, effective, rate %)`` rows shipped for Germany."""

UNCONFIRMED: Final[frozenset[tuple[str, date]]] = frozenset()
"""``(table, effective)`` of shipped rows not yet confirmed by a publication."""

CONSUMER_RULE: Final = "DE §288(1) BGB"
COMMERCIAL_RULE: Final = "DE §288(2) BGB"
LAST_OLD_OBLIGATION: Final = date(2014, 7, 28)
"""Obligations that arose on or before this day earn base + 8 instead of + 9."""

JURISDICTION: Final = Jurisdiction(
    code=CODE,
    name="Germany",
    sources=(
        "BGB §286 (default)",
        "BGB §288 (interest on arrears, EUR 40 lump sum)",
        "BGB §289 (no interest on interest)",
        "BGB §193 (deadlines on weekends and holidays)",
        "Directive 2011/7/EU",
    ),
    consumer_rule=CONSUMER_RULE,
    business_rule=COMMERCIAL_RULE,
    government_rule=COMMERCIAL_RULE,
    compounding=Compounding.SIMPLE,
    default_term_days=30,
    max_term_days_business=60,
    max_term_days_public=60,
    notes=(
        "Default at the latest 30 days after the due date and receipt of the invoice; against"
        " a consumer only if the invoice pointed this out.",
        "A reminder (Mahnung) after the due date also puts the debtor in default.",
        "Base rate + 9 points when no consumer is involved (obligations after 2014-07-28;"
        " before that + 8); + 5 points against consumers.",
        "EUR 40 lump sum from non-consumer debtors, credited against further recovery costs.",
        "Deadlines falling on a Saturday, Sunday or public holiday move to the next working"
        " day (§193 BGB).",
        "Maximum terms are the EU baseline's.",
    ),
)
"""What the German pack provides."""


def _rule(profile: Profile, obligation_date: date) -> Rule | None:
    if profile is Profile.PRIVATE:
        return Rule(CONSUMER_RULE, "de-base", Decimal(5))
    margin = Decimal(8) if obligation_date <= LAST_OLD_OBLIGATION else Decimal(9)
    return Rule(COMMERCIAL_RULE, "de-base", margin)


def consumer_default_date(due: date, *, invoice_notice: bool) -> date | None:
    """The first day of a consumer's default without a reminder, or ``None``.

    §286(3) BGB: a debtor who has not paid within 30 days after the due date
    and receipt of the invoice is in default; a consumer only if the invoice
    pointed this out. The 30 days start the day after ``due`` (§187(1)
    BGB); when the 30th day is a Saturday, Sunday or nationwide public
    holiday it moves to the next working day (§193 BGB), which can only make
    default later. Default begins the day after the last day of the period:
    that is the day returned, ready to be used as ``start`` of
    :func:`arpolicy.law.statutory_interest`.

    Args:
        due: the due date, or the day the invoice was received when that
            is later.
        invoice_notice: whether the invoice pointed out this consequence.

    Returns:
        The first day of default, or ``None`` when the invoice did not point
        it out: the consumer must then be put in default by a reminder
        (Mahnung) sent after the due date.

    >>> consumer_default_date(date(2026, 3, 2), invoice_notice=False) is None
    True
    >>> # the 30th day is Easter Sunday (5 April): the period ends Tuesday 7 April
    >>> consumer_default_date(date(2026, 3, 6), invoice_notice=True)
    datetime.date(2026, 4, 8)
    """
    if not invoice_notice:
        return None
    last = calendar_for(CODE).next_business_day(due + timedelta(days=30))
    return last + timedelta(days=1)
