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
  counted from the day after receipt (art. 6:96(6) BW), moved off weekends
  and general holidays (Algemene termijnenwet): see :func:`presumed_receipt`,
  :func:`consumer_letter_term_end` and :func:`is_general_holiday`.

>>> from datetime import date
>>> presumed_receipt(date(2026, 3, 6))  # Friday: Saturday counts, Sunday and Monday do not
datetime.date(2026, 3, 10)
"""

from __future__ import annotations

import functools
from collections.abc import Container
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from dateutil.easter import easter as _easter

from ..calendar import BusinessCalendar, calendar_for
from ..model import Profile
from ._core import Compounding, Jurisdiction, Rule

__all__ = [
    "CODE",
    "EQUATED_DAYS",
    "JURISDICTION",
    "LETTER_TERM_DAYS",
    "RATES",
    "UNCONFIRMED",
    "consumer_letter_term_end",
    "is_general_holiday",
    "longest_letter_term",
    "presumed_receipt",
    "term_end",
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
        "Algemene termijnenwet art. 1 and 3 (statutory terms and general holidays)",
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
        "The 14-day term ends on the next working day when its last day is a Saturday,"
        " Sunday or general holiday (Algemene termijnenwet); costs only from the day after.",
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


# Algemene termijnenwet (Atw) ---------------------------------------------------

EQUATED_DAYS: Final[frozenset[date]] = frozenset(
    {
        # Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024,
        # 27 december 2024 en 30 mei 2025 met een algemeen erkende feestdag
        date(2023, 4, 28),
        date(2023, 5, 19),
        date(2024, 5, 10),
        date(2024, 12, 27),
        date(2025, 5, 30),
        # Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027,
        # 28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag
        date(2026, 1, 2),
        date(2026, 5, 15),
        date(2027, 5, 7),
        date(2028, 4, 28),
        date(2028, 5, 26),
    }
)
"""Days equated with a general holiday by Royal Decree (art. 3(3) Atw).

The decrees are published every few years in the Staatscourant, each for a
few years ahead (mostly the Friday after Ascension Day and a bridge day next
to a holiday on a Tuesday or Thursday). Like a rate table, this list needs a
new row when a new decree appears; days equated later can be added for a
call through ``equated=`` of :func:`term_end`."""


def _kings_day(year: int) -> date:
    """The day the monarch's birthday is celebrated (art. 3(1) Atw).

    From 2014 King's Day, 27 April; before, Queen's Day, 30 April. When that
    day is a Sunday, it is celebrated the day before.
    """
    day = date(year, 4, 27) if year >= 2014 else date(year, 4, 30)
    return day - timedelta(days=1) if day.isoweekday() == 7 else day


def is_general_holiday(day: date) -> bool:
    """True when ``day`` is a general holiday of the Algemene termijnenwet.

    Art. 3(1) Atw lists New Year's Day, Easter Monday and Whit Monday
    ("de Christelijke tweede Paas- en Pinksterdag"), Christmas Day and
    Boxing Day, Ascension Day, the day the King's birthday is celebrated and
    5 May (every year). Art. 3(2) equates Good Friday with them, and
    art. 3(3) lets a Royal Decree equate further days: see
    :data:`EQUATED_DAYS`. Saturdays and Sundays are not holidays here;
    :func:`term_end` skips them too.

    This list is the Act's, not the ``holidays`` package's (which lists
    5 May only every fifth year and knows no equated days).

    >>> is_general_holiday(date(2026, 5, 5))  # Liberation Day, every year
    True
    >>> is_general_holiday(date(2026, 4, 3))  # Good Friday, art. 3(2)
    True
    >>> is_general_holiday(date(2026, 5, 15))  # Friday after Ascension, by decree
    True
    >>> is_general_holiday(date(2026, 4, 28))
    False
    """
    if day in EQUATED_DAYS:
        return True
    if (day.month, day.day) in ((1, 1), (5, 5), (12, 25), (12, 26)):
        return True
    if day == _kings_day(day.year):
        return True
    easter = _easter(day.year)  # Gregorian (western) Easter Sunday
    # Good Friday, Easter Monday, Ascension Day, Whit Monday
    return (day - easter).days in (-2, 1, 39, 50)


def term_end(last_day: date, *, equated: Container[date] = ()) -> date:
    """The last day of a statutory term whose counted last day is ``last_day``.

    Art. 1(1) Algemene termijnenwet: a term set by law that ends on a
    Saturday, Sunday or general holiday (:func:`is_general_holiday`) is
    extended to the next day that is none of these.

    Args:
        last_day: the term's last day by counting alone.
        equated: further days equated with a general holiday (a decree
            newer than :data:`EQUATED_DAYS`).

    >>> term_end(date(2026, 3, 7))  # Saturday -> Monday
    datetime.date(2026, 3, 9)
    >>> term_end(date(2026, 4, 3))  # Good Friday -> past Easter Monday, Tuesday
    datetime.date(2026, 4, 7)
    """
    day = last_day
    while day.isoweekday() in (6, 7) or is_general_holiday(day) or day in equated:
        day += timedelta(days=1)
    return day


LETTER_TERM_DAYS: Final = 14
"""The term of the consumer letter (art. 6:96(6) BW), from the day after receipt."""


def consumer_letter_term_end(
    sent: date,
    *,
    received: date | None = None,
    days: int = LETTER_TERM_DAYS,
    calendar: BusinessCalendar | None = None,
) -> date:
    """The last day of the 14-day term of a consumer reminder sent on ``sent``.

    Art. 6:96(6) BW: the term is 14 days counted from the day after the
    debtor received the letter; receipt is the recorded day, or presumed as
    in :func:`presumed_receipt`. The term's first day is the day after
    receipt, so by counting its last day is receipt + 14 days. The term is
    set by law, so when that day is a Saturday, Sunday or general holiday
    the term ends on the next day that is none of these (art. 1 Algemene
    termijnenwet, :func:`term_end`).

    The debtor may pay on the returned day; collection costs may be charged
    **from the day after** it, if the letter stated them and the principal
    is still unpaid. This one function gives the deadline the letter
    states, the day from which the engine charges the costs, and the term
    that ``lint`` checks a ladder against.

    Args:
        sent: the day the reminder was posted.
        received: the day it was received, when recorded (else presumed).
        days: the term the letter gives, when longer than the statutory 14.
        calendar: whose holidays count for the presumed receipt (the Dutch
            calendar when ``None``; a plugin's calendar may add days).

    Returns:
        The last day of the term.

    >>> consumer_letter_term_end(date(2026, 3, 3))  # received 5 March; days 6 ... 19 March
    datetime.date(2026, 3, 19)
    >>> consumer_letter_term_end(date(2026, 2, 19))  # received Sat 21 Feb; Sat 7 Mar -> Mon 9
    datetime.date(2026, 3, 9)
    >>> consumer_letter_term_end(date(2026, 2, 19), received=date(2026, 2, 24))
    datetime.date(2026, 3, 10)
    """
    receipt = received if received is not None else presumed_receipt(sent, calendar=calendar)
    return term_end(receipt + timedelta(days=days))


@functools.cache
def longest_letter_term(days: int = LETTER_TERM_DAYS) -> tuple[int, int]:
    """The longest a consumer letter's term can run: ``(from sending, from
    presumed receipt)``, in days to the term's last day, over every sending
    day of the years with equated days and the 28 years after them (a full
    cycle of weekdays).

    ``lint`` checks a ladder against it: a step that charges costs must fall
    after the term's end whatever day the letter goes out.

    >>> longest_letter_term()  # presumed receipt up to 4 days; the term moved up to 5
    (23, 19)
    """
    first = date(min(EQUATED_DAYS).year, 1, 1)
    last = date(max(EQUATED_DAYS).year + 28, 12, 31)
    from_sent = from_receipt = 0
    day = first
    while day <= last:
        receipt = presumed_receipt(day)
        end = consumer_letter_term_end(day, received=receipt, days=days)
        from_sent = max(from_sent, (end - day).days)
        from_receipt = max(from_receipt, (end - receipt).days)
        day += timedelta(days=1)
    return from_sent, from_receipt
