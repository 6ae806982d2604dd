"""The Netherlands: statutory interest (art. 6:119 and 6:119a BW) and the WIK scale.

* Consumers (:attr:`~arpolicy.model.Profile.PRIVATE`): statutory interest,
  art. 6:119 BW. Business and public-body debtors: statutory commercial
  interest, art. 6:119a BW. Both compound yearly: after each full year of
  default the interest of that year is added to the principal. A running
  claim switches rate on each rate change date.
* Extrajudicial collection costs: the WIK scale (Besluit vergoeding voor
  buitengerechtelijke incassokosten), see
  :func:`arpolicy.law.collection_costs`.
* Consumers owe collection costs only after a reminder that gives 14 days
  counted from the day after receipt (art. 6:96(6) BW): see
  :func:`presumed_receipt` and :func:`consumer_letter_term_end`.

>>> from datetime import date
>>> presumed_receipt(date(2026, 3, 6))  # Friday: Saturday counts, Sunday and Monday do not
datetime.date(2026, 3, 10)
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from ..calendar import BusinessCalendar, calendar_for
from ..model import Profile
from ._core import Compounding, Jurisdiction, Rule

__all__ = [
    "CODE",
    "JURISDICTION",
    "RATES",
    "UNCONFIRMED",
    "consumer_letter_term_end",
    "presumed_receipt",
]

CODE: Final = "NL"

RATES: Final[tuple[tuple[str, date, str], ...]] = (
    ("nl-6:119", date(2014, 7, 1), "3"),
    ("nl-6:119", date(2015, 1, 1), "2"),
    ("nl-6:119", date(2016, 7, 1), "2"),
    ("nl-6:119", date(2023, 1, 1), "4"),
    ("nl-6:119", date(2023, 7, 1), "6"),
    ("nl-6:119", date(2024, 1, 1), "7"),
    ("nl-6:119", date(2024, 7, 1), "7"),
    ("nl-6:119", date(2025, 1, 1), "6"),
    ("nl-6:119", date(2025, 7, 1), "6"),
    ("nl-6:119", date(2026, 1, 1), "4"),  # UNCONFIRMED
    ("nl-6:119a", date(2014, 7, 1), "8.15"),
    ("nl-6:119a", date(2015, 1, 1), "8.05"),
    ("nl-6:119a", date(2016, 7, 1), "8.00"),
    ("nl-6:119a", date(2023, 1, 1), "10.50"),
    ("nl-6:119a", date(2023, 7, 1), "12.00"),
    ("nl-6:119a", date(2024, 1, 1), "12.50"),
    ("nl-6:119a", date(2024, 7, 1), "12.25"),
    ("nl-6:119a", date(2025, 1, 1), "11.15"),
    ("nl-6:119a", date(2025, 7, 1), "10.15"),
    ("nl-6:119a", date(2026, 1, 1), "10.15"),
)
"""``(table, effective, rate %)`` rows shipped for the Netherlands."""

UNCONFIRMED: Final[frozenset[tuple[str, date]]] = frozenset({("nl-6:119", date(2026, 1, 1))})
"""``(table, effective)`` of shipped rows not yet confirmed by a publication."""

CONSUMER_RULE: Final = "NL art. 6:119 BW"
COMMERCIAL_RULE: Final = "NL art. 6:119a BW"

JURISDICTION: Final = Jurisdiction(
    code=CODE,
    name="Netherlands",
    sources=(
        "Burgerlijk Wetboek art. 6:119 (statutory interest)",
        "Burgerlijk Wetboek art. 6:119a (statutory commercial interest)",
        "Burgerlijk Wetboek art. 6:96(6) (collection costs from consumers)",
        "Besluit vergoeding voor buitengerechtelijke incassokosten (WIK scale)",
        "Directive 2011/7/EU",
    ),
    consumer_rule=CONSUMER_RULE,
    business_rule=COMMERCIAL_RULE,
    government_rule=COMMERCIAL_RULE,
    compounding=Compounding.YEARLY,
    default_term_days=30,
    max_term_days_business=60,
    max_term_days_public=60,
    notes=(
        "Both statutory rates compound yearly: after each full year of default the interest"
        " of that year is added to the principal.",
        "Business debtors owe at least EUR 40 compensation without any reminder from the day"
        " after the deadline; the WIK scale is the default, other amounts may be agreed.",
        "Since 2022 a large company paying a small one has a 30-day maximum term.",
        "Consumers owe collection costs only after a reminder sent after default giving 14"
        " days counted from the day after receipt and stating the costs; safe wording:"
        ' "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd".'
        " Wording that counts from sending makes the letter void.",
        "A partial payment within the 14-day term lowers the costs to the scale on what is"
        " still open.",
        "Several claims against one consumer are demanded in one letter and their principals"
        " summed for the scale.",
        "VAT (21%) may be added to the collection costs only when the creditor cannot deduct"
        " VAT and says so.",
    ),
)
"""What the Dutch pack provides."""


def _rule(profile: Profile, obligation_date: date) -> Rule | None:
    del obligation_date
    if profile is Profile.PRIVATE:
        return Rule(CONSUMER_RULE, "nl-6:119", Decimal(0), Compounding.YEARLY)
    return Rule(COMMERCIAL_RULE, "nl-6:119a", Decimal(0), Compounding.YEARLY)


_NOT_COUNTED: Final = frozenset({1, 7})  # Monday, Sunday (ISO weekday numbers)


def presumed_receipt(sent: date, *, calendar: BusinessCalendar | None = None) -> date:
    """The day a letter sent on ``sent`` is presumed to be received.

    That is the second day after sending, not counting Sundays, Mondays and
    Dutch public holidays (as listed by the ``holidays`` package, which
    includes Good Friday). Saturdays count.

    Args:
        sent: the day the letter was posted.
        calendar: whose holidays count (the Dutch calendar when ``None``;
            a plugin's calendar may add days).

    Returns:
        The presumed day of receipt.

    >>> presumed_receipt(date(2026, 3, 3))  # Tuesday -> Thursday
    datetime.date(2026, 3, 5)
    >>> presumed_receipt(date(2026, 3, 7))  # Saturday -> Wednesday (Sunday, Monday skipped)
    datetime.date(2026, 3, 11)
    >>> presumed_receipt(date(2026, 5, 12))  # Tuesday; Ascension Day (14 May) skipped
    datetime.date(2026, 5, 15)
    """
    calendar = calendar or calendar_for(CODE)
    day = sent
    counted = 0
    while counted < 2:
        day += timedelta(days=1)
        if day.isoweekday() in _NOT_COUNTED or calendar.is_holiday(day):
            continue
        counted += 1
    return day


def consumer_letter_term_end(sent: date) -> date:
    """The last day of the 14-day term of a consumer reminder sent on ``sent``.

    Art. 6:96(6) BW: the term is 14 days counted from the day after the
    debtor received the letter; receipt is presumed as in
    :func:`presumed_receipt`. The term's first day is the day after
    receipt, so its last day is receipt + 14 days. The debtor may pay on
    that last day; collection costs may be charged **from the day after**
    the returned date, if the letter stated them and the principal is still
    unpaid.

    The returned day is not moved off weekends or holidays.

    Args:
        sent: the day the reminder was posted.

    Returns:
        The last day of the term.

    >>> consumer_letter_term_end(date(2026, 3, 3))  # received 5 March; days 6 ... 19 March
    datetime.date(2026, 3, 19)
    """
    return presumed_receipt(sent) + timedelta(days=14)
