"""Belgium: consumer debts (Book XIX Code of Economic Law) and late payment between businesses.

* Consumers (since 2023): the first reminder is free. Fees or interest only
  after 14 calendar days, counted from the third working day after a paper
  reminder or the next calendar day after an e-mailed one (see
  :func:`consumer_fee_wait_end`). The reminder states the amount due, the
  penalty to come, the creditor and the payment term. The penalty is capped
  by the outstanding balance (see :func:`arpolicy.law.collection_costs`);
  further reminders cost at most EUR 7.50 plus postage. No statutory
  interest rate for consumers in this pack.
* Business debtors (law of 2 August 2002): ECB rate + 8 points, rounded up
  to the next half point, simple interest; EUR 40 fixed compensation.
* Public-body debtors: the EU baseline (ECB + 8 points, not rounded).

>>> from datetime import date
>>> consumer_fee_wait_end(date(2026, 3, 2), paper=False)  # e-mail: 3 ... 16 March
datetime.date(2026, 3, 16)
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from ..calendar import calendar_for
from ..model import Profile
from ._core import Compounding, Jurisdiction, Rule
from .eu import GOVERNMENT_RULE

__all__ = ["CODE", "JURISDICTION", "consumer_fee_wait_end"]

CODE: Final = "BE"

BUSINESS_RULE: Final = "BE Law of 2 August 2002"

JURISDICTION: Final = Jurisdiction(
    code=CODE,
    name="Belgium",
    sources=(
        "Code of Economic Law, Book XIX (consumer debts)",
        "Law of 2 August 2002 on combating late payment in commercial transactions",
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
        "Consumers: the first reminder is free; fees or interest only after 14 calendar"
        " days, counted from the third working day after a paper reminder or the next"
        " calendar day after an e-mailed one.",
        "The reminder states the amount due, the penalty to come, the creditor and the"
        " payment term.",
        "Consumer penalty caps: up to EUR 150 -> 20; 150.01-500 -> 30 + 10% of the part above"
        " 150; above 500 -> 65 + 5% of the part above 500, at most EUR 2,000.",
        "Further consumer reminders at most EUR 7.50 plus postage.",
        "B2B: ECB rate + 8 points, rounded up to the next half point; EUR 40 fixed compensation.",
        "Public-body debtors: the EU baseline (ECB + 8 points).",
    ),
)
"""What the Belgian pack provides."""

_CAP: Final = Decimal(2000)


def _rule(profile: Profile, obligation_date: date) -> Rule | None:
    del obligation_date
    if profile is Profile.PRIVATE:
        return None
    if profile is Profile.GOVERNMENT:
        return Rule(GOVERNMENT_RULE, "ecb-refi", Decimal(8))
    return Rule(BUSINESS_RULE, "ecb-refi", Decimal(8), round_up_to_half=True)


def _consumer_cap(balance: Decimal) -> Decimal:
    """The highest penalty on an outstanding consumer balance (exact, not rounded)."""
    if balance <= 150:
        return Decimal(20)
    if balance <= 500:
        return 30 + (balance - 150) * Decimal("0.10")
    return min(65 + (balance - 500) * Decimal("0.05"), _CAP)


def consumer_fee_wait_end(sent: date, *, paper: bool) -> date:
    """The last day of the 14-day wait after a consumer reminder sent on ``sent``.

    Fees or interest may be charged from the day after the returned date.
    The 14 calendar days start on the third working day after a paper
    reminder was sent, or on the calendar day after an e-mailed one, and
    that start day is the first of the 14.

    Working days are taken as Monday to Friday outside Belgian public
    holidays (the ``holidays`` package); if Saturdays counted as working
    days the wait would only be shorter, so this errs on the safe side.

    Args:
        sent: the day the reminder was sent.
        paper: ``True`` for a paper reminder, ``False`` for an e-mail.

    Returns:
        The last day of the wait.

    >>> consumer_fee_wait_end(date(2026, 3, 6), paper=True)  # Friday; starts Wed 11 March
    datetime.date(2026, 3, 24)
    """
    first = calendar_for(CODE).add_business_days(sent, 3) if paper else sent + timedelta(days=1)
    return first + timedelta(days=13)
