"""Business calendars, presumed receipt and payment deadlines.

The plugins' calendars come first, else the standard ones of
:func:`arpolicy.calendar.calendar_for`; :func:`_deadline` is the one function
for the deadline a step states (and the running deadline of a step sent).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import attrs

from ..calendar import BusinessCalendar, calendar_for
from ..law import nl as law_nl
from ..model import (
    Customer,
    Profile,
)
from ..policy import CalendarRule, Policy, Step


@attrs.frozen
class _Calendars:
    """Business calendars by country: the plugins' own, else the standard ones."""

    overrides: Mapping[str, BusinessCalendar] = attrs.field(factory=dict)

    def of(self, country: str) -> BusinessCalendar:
        if self.overrides:
            found = self.overrides.get(country)
            if found is not None:
                return found
        return calendar_for(country)


_STANDARD_CALENDARS = _Calendars()


def _calendar(rule: str, customer: Customer, cals: _Calendars) -> BusinessCalendar | None:
    if rule == CalendarRule.NONE:
        return None
    if rule == CalendarRule.CUSTOMER:
        return cals.of(customer.country)
    return cals.of(rule)


def _receipt(
    sent: date, received: date | None, policy: Policy, customer: Customer, cals: _Calendars
) -> date:
    """When a step sent on ``sent`` was (or is presumed to be) received.

    Dutch customers: the statutory presumption (the second day after sending,
    Sundays, Mondays and public holidays not counted). Elsewhere: the
    policy's ``presumed_receipt_days`` business days of the customer's
    country.
    """
    if received is not None:
        return received
    if customer.country == "NL":
        return law_nl.presumed_receipt(sent, calendar=cals.of("NL"))
    cal = cals.of(customer.country)
    return cal.add_business_days(sent, policy.presumed_receipt_days)


def _shift(step: Step, policy: Policy, customer: Customer, day: date, cals: _Calendars) -> date:
    """``day`` moved to the next business day when the step's calendar asks."""
    cal = _calendar(step.calendar or policy.calendar, customer, cals)
    return day if cal is None else cal.next_business_day(day)


def _deadline(
    step: Step, policy: Policy, as_of: date, customer: Customer, cals: _Calendars
) -> date | None:
    """The payment deadline ``step`` states when sent on ``as_of``: counted
    from that day, or for a step that requires acknowledgement from the day
    after its presumed receipt; moved to the customer's next business day.
    The 14-day letter to a Dutch consumer states the statutory term's last
    day, :func:`arpolicy.law.nl.consumer_letter_term_end` (moved off
    weekends and the general holidays of the Algemene termijnenwet).

    The one function for it: a new action's deadline, and the running
    deadline of a step already sent (see :func:`_running_deadline`), which no
    later step about the same invoice may fall into."""
    if step.deadline_days is None:
        return None
    if _is_nl_letter(step, policy, customer):
        return law_nl.consumer_letter_term_end(
            as_of, days=step.deadline_days, calendar=cals.of("NL")
        )
    start = as_of
    if step.requires_acknowledgement:
        start = _receipt(as_of, None, policy, customer, cals)
    return cals.of(customer.country).next_business_day(start + timedelta(days=step.deadline_days))


def _letter_term_end(
    sent: date | None, received: date | None, customer: Customer, cals: _Calendars
) -> date | None:
    """The last day of the statutory term of a 14-day letter to a Dutch
    customer sent on ``sent`` (``None`` when none was sent or elsewhere)."""
    if sent is None or customer.country != "NL":
        return None
    return law_nl.consumer_letter_term_end(sent, received=received, calendar=cals.of("NL"))


def _is_nl_letter(step: Step, policy: Policy, customer: Customer) -> bool:
    """``step`` is the 14-day letter (art. 6:96(6) BW) to a Dutch consumer:
    its deadline is the statutory term's last day."""
    if customer.country != "NL" or customer.profile is not Profile.PRIVATE:
        return False
    letter = policy.letter_index()
    return letter is not None and policy.steps[letter].name == step.name
