"""Statutory interest: periods, rates, day counts, compounding, staleness."""

from __future__ import annotations

import decimal
import warnings
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal
from itertools import pairwise
from typing import Final

import attrs

from ..errors import InvalidFieldError, NoStatutoryRuleError, StaleRateError, StaleRateWarning
from ..model import Profile
from ..money import ROUNDING, Money
from . import gb
from ._core import Compounding, DayCount, RateBook, Rule, to_profile
from ._packs import resolve, rule_for

__all__ = [
    "InterestPart",
    "InterestPeriod",
    "InterestResult",
    "interest_breakdown",
    "statutory_interest",
]

_ON_STALE: Final = ("warn", "raise", "ignore")
_WIDE: Final = decimal.Context(prec=60, rounding=ROUNDING)
_ZERO: Final = Decimal(0)
_HALF_POINTS: Final = Decimal(2)


@attrs.frozen
class InterestPeriod:
    """One stretch of default with a single base, rate and day-count denominator.

    Attributes:
        start: the first day of the period (inclusive).
        end: the day after its last day (exclusive).
        days: ``(end - start).days``.
        base: what interest runs on: the principal plus, in yearly
            compounding, the interest of every earlier full year.
        rate: the annual rate in percent (margin included, never below 0).
        interest: ``base x rate / 100 x days / denominator``, rounded half-up
            to the currency's minor unit.
        rule: the statutory rule applied (``"NL art. 6:119a BW"`` ...).
        stale: the rate is the last one known, used past its table's horizon.
    """

    start: date
    end: date
    days: int
    base: Money
    rate: Decimal
    interest: Money
    rule: str
    stale: bool


@attrs.frozen
class InterestPart:
    """Interest on one part of the principal: a part paid late, or what is still open.

    Attributes:
        principal: the part of the principal.
        paid_on: the day it was paid (interest runs up to the day before);
            ``None`` for the part still open at the end of the span.
        end: the day after the part's last day of interest (``paid_on`` or
            the span's end).
        interest: the sum of its periods' interest.
        periods: its periods in date order.
    """

    principal: Money
    paid_on: date | None
    end: date
    interest: Money
    periods: tuple[InterestPeriod, ...]


@attrs.frozen
class InterestResult:
    """Statutory interest over a span of default, period by period.

    Attributes:
        total: the sum of the periods' (rounded) interest.
        periods: the periods of every part, part by part, each part's in
            date order; empty when the span is empty.
        parts: the interest per part of the principal: first the parts paid
            during the span, by payment date, then the part still open. A
            part paid on or before the first day of default bears no
            interest and is left out, and so is an open part of zero.
    """

    total: Money
    periods: tuple[InterestPeriod, ...]
    parts: tuple[InterestPart, ...] = ()


def _anniversary(start: date, years: int) -> date:
    """``start`` + ``years`` years; 29 February becomes 1 March in other years."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


def _check_day(name: str, value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidFieldError("statutory interest", name, value, "expected a date")
    return value


def _check_inputs(
    principal: object, start: object, end: object, day_count: object, on_stale: object
) -> tuple[Money, date, date, DayCount]:
    if not isinstance(principal, Money):
        raise InvalidFieldError("statutory interest", "principal", principal, "expected Money")
    if principal.is_negative():
        raise InvalidFieldError(
            "statutory interest", "principal", principal, "must not be negative"
        )
    try:
        counted = DayCount(str(day_count)) if isinstance(day_count, str) else None
    except ValueError:
        counted = None
    if counted is None:
        raise InvalidFieldError(
            "statutory interest",
            "day_count",
            day_count,
            f"expected one of {[d.value for d in DayCount]}",
        )
    if on_stale not in _ON_STALE:
        raise InvalidFieldError(
            "statutory interest", "on_stale", on_stale, "expected 'warn', 'raise' or 'ignore'"
        )
    return principal, _check_day("start", start), _check_day("end", end), counted


def _total_rate(rule: Rule, table_rate: Decimal) -> Decimal:
    rate = table_rate + rule.margin
    if rule.round_up_to_half:
        rate = (
            (rate * _HALF_POINTS).to_integral_value(rounding=ROUND_CEILING) / _HALF_POINTS
        ).quantize(Decimal("0.01"))
    return max(rate, _ZERO)


def _denominator(day_count: DayCount, year: int) -> int:
    if day_count is DayCount.ACTUAL_360:
        return 360
    if day_count is DayCount.ACTUAL_ACTUAL and (
        year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    ):
        return 366
    return 365


@attrs.frozen
class _Segment:
    start: date
    end: date
    rate: Decimal
    stale: bool
    year_index: int
    denominator: int
    calendar_year: int | None


def _compute(
    principal: Money,
    *,
    start: date,
    end: date,
    jurisdiction: str,
    profile: Profile | str,
    day_count: DayCount | str,
    on_stale: str,
    rates: RateBook | None,
    obligation_date: date | None,
    stacklevel: int,
) -> InterestResult:
    money, first, stop, counted = _check_inputs(principal, start, end, day_count, on_stale)
    code = resolve(jurisdiction)
    who = to_profile(profile)
    obliged = first if obligation_date is None else _check_day("obligation_date", obligation_date)
    rule = rule_for(code, who, obliged)
    if rule is None:
        raise NoStatutoryRuleError(
            code,
            who,
            f"no statutory interest rate for {who.value} debtors in {code}; agree a rate"
            " by contract and compute it outside arpolicy.law",
        )
    zero = Money.zero(money.currency)
    if stop <= first:
        return InterestResult(zero, ())
    book = RateBook.shipped() if rates is None else rates
    if not isinstance(book, RateBook):
        raise InvalidFieldError("statutory interest", "rates", rates, "expected a RateBook")

    yearly = rule.compounding is Compounding.YEARLY
    cuts: set[date] = set()
    fixed: tuple[Decimal, bool] | None = None
    stale_day: date | None = None
    if rule.fixed_for_life:
        reference = gb.reference_date(first)
        fixed = book.rate_on(rule.table, reference)
        if fixed[1]:
            stale_day = reference
    else:
        cuts.update(book.changes_between(rule.table, first, stop))
        horizon = book.known_until(rule.table)
        if horizon is not None and first < horizon < stop:
            cuts.add(horizon)
    if yearly:
        years = 1
        while (mark := _anniversary(first, years)) < stop:
            cuts.add(mark)
            years += 1
    if counted is DayCount.ACTUAL_ACTUAL:
        cuts.update(date(year, 1, 1) for year in range(first.year + 1, stop.year + 1))

    segments: list[_Segment] = []
    year_index = 0
    next_anniversary = _anniversary(first, 1)
    for a, b in pairwise([first, *sorted(cuts), stop]):
        if yearly and a >= next_anniversary:
            year_index += 1
            next_anniversary = _anniversary(first, year_index + 1)
        table_rate, stale = fixed if fixed is not None else book.rate_on(rule.table, a)
        if stale and stale_day is None:
            stale_day = a
        segment = _Segment(
            a,
            b,
            _total_rate(rule, table_rate),
            stale,
            year_index,
            _denominator(counted, a.year),
            a.year if counted is DayCount.ACTUAL_ACTUAL else None,
        )
        previous = segments[-1] if segments else None
        if previous is not None and attrs.evolve(previous, start=a, end=b) == segment:
            segments[-1] = attrs.evolve(previous, end=b)
        else:
            segments.append(segment)

    if stale_day is not None and on_stale != "ignore":
        horizon = book.known_until(rule.table)
        if on_stale == "raise":
            raise StaleRateError(rule.table, stale_day, horizon)
        warnings.warn(
            StaleRateWarning(
                f"{code} interest from {stale_day} uses the last known {rule.table!r} rate:"
                f" the table is known only before {horizon}; add a newer row with"
                " RateBook.merged"
            ),
            stacklevel=stacklevel + 1,
        )

    periods: list[InterestPeriod] = []
    base = money
    year_interest = zero
    current_year = 0
    for segment in segments:
        if segment.year_index != current_year:
            base = base + year_interest
            year_interest = zero
            current_year = segment.year_index
        days = (segment.end - segment.start).days
        exact = _WIDE.divide(
            _WIDE.multiply(_WIDE.multiply(base.amount, segment.rate), Decimal(days)),
            Decimal(100 * segment.denominator),
        )
        interest = Money(exact, money.currency)
        year_interest = year_interest + interest
        periods.append(
            InterestPeriod(
                segment.start,
                segment.end,
                days,
                base,
                segment.rate,
                interest,
                rule.label,
                segment.stale,
            )
        )
    total = Money.total((period.interest for period in periods), money.currency)
    parts = (InterestPart(money, None, stop, total, tuple(periods)),) if money.amount else ()
    return InterestResult(total, tuple(periods), parts)


def _check_payments(principal: Money, payments: object, end: date) -> list[tuple[date, Money]]:
    """The paid parts as (date, amount) in date order, checked against the principal."""
    try:
        items = list(payments)  # type: ignore[call-overload]
    except TypeError:
        raise InvalidFieldError(
            "statutory interest", "payments", payments, "expected (date, Money) pairs"
        ) from None
    parts: list[tuple[date, Money]] = []
    for item in items:
        if not isinstance(item, tuple) or len(item) != 2:
            raise InvalidFieldError(
                "statutory interest", "payments", item, "expected a (date, Money) pair"
            )
        day, amount = _check_day("payments", item[0]), item[1]
        if not isinstance(amount, Money) or not amount.is_positive():
            raise InvalidFieldError(
                "statutory interest", "payments", amount, "expected Money above zero"
            )
        if amount.currency != principal.currency:
            raise InvalidFieldError(
                "statutory interest",
                "payments",
                amount,
                f"paid in {amount.currency} on a principal in {principal.currency}",
            )
        parts.append((day, amount))
    parts.sort(key=lambda part: part[0])
    paid = Money.total((m for d, m in parts if d < end), principal.currency)
    if paid > principal:
        raise InvalidFieldError(
            "statutory interest",
            "payments",
            paid,
            f"the parts paid before {end.isoformat()} exceed the principal {principal}",
        )
    return parts


def _by_part(
    principal: Money,
    payments: object,
    *,
    start: date,
    end: date,
    jurisdiction: str,
    profile: Profile | str,
    day_count: DayCount | str,
    on_stale: str,
    rates: RateBook | None,
    obligation_date: date | None,
    stacklevel: int,
) -> InterestResult:
    """Interest on each part of ``principal``: paid parts up to their payment day."""
    money, first, stop, _ = _check_inputs(principal, start, end, day_count, on_stale)
    paid = _check_payments(money, payments, stop)
    if not paid:
        return _compute(
            money,
            start=first,
            end=stop,
            jurisdiction=jurisdiction,
            profile=profile,
            day_count=day_count,
            on_stale=on_stale,
            rates=rates,
            obligation_date=obligation_date,
            stacklevel=stacklevel + 1,
        )
    still_open = money - Money.total((m for d, m in paid if d < stop), money.currency)
    # The open part runs longest: it alone warns or raises on a stale rate.
    rest = _compute(
        still_open,
        start=first,
        end=stop,
        jurisdiction=jurisdiction,
        profile=profile,
        day_count=day_count,
        on_stale=on_stale,
        rates=rates,
        obligation_date=obligation_date,
        stacklevel=stacklevel + 1,
    )
    parts: list[InterestPart] = []
    for day, amount in paid:
        if day <= first or day >= stop:
            continue  # paid before default: no interest; after the span: still open in it
        result = _compute(
            amount,
            start=first,
            end=day,
            jurisdiction=jurisdiction,
            profile=profile,
            day_count=day_count,
            on_stale="ignore",
            rates=rates,
            obligation_date=obligation_date,
            stacklevel=stacklevel + 1,
        )
        parts.append(InterestPart(amount, day, day, result.total, result.periods))
    parts.extend(rest.parts)
    total = Money.total((p.interest for p in parts), money.currency)
    periods = tuple(period for part in parts for period in part.periods)
    return InterestResult(total, periods, tuple(parts))


def interest_breakdown(
    principal: Money,
    *,
    start: date,
    end: date,
    jurisdiction: str,
    profile: Profile,
    day_count: DayCount = DayCount.ACTUAL_365,
    on_stale: str = "warn",
    rates: RateBook | None = None,
    obligation_date: date | None = None,
    payments: Iterable[tuple[date, Money]] = (),
) -> InterestResult:
    """Statutory interest for default from ``start`` to ``end``, period by period.

    The span is cut at every date where the applicable rate changes, at the
    horizon of the rate table (where rates become stale), at each
    anniversary of ``start`` when interest compounds yearly (NL), and at
    each 1 January under :attr:`DayCount.ACTUAL_ACTUAL`. Each period's
    interest is ``base x rate / 100 x days / denominator``, rounded half-up to
    the currency's minor unit; the total is their sum. A rate below zero
    (a negative table rate plus its margin) counts as 0.

    Args:
        principal: the unpaid amount (any currency; not negative).
        start: the first day of default (counted).
        end: the day of payment, or the day to compute up to (not counted).
        jurisdiction: ``"EU"``, ``"NL"``, ``"DE"``, ``"GB"`` (or ``"UK"``),
            ``"FR"`` or ``"BE"``.
        profile: the debtor's :class:`~arpolicy.model.Profile`.
        day_count: the day-count convention; actual/365 by default.
        on_stale: what to do when a period needs a rate past its table's
            horizon: ``"warn"`` (a :class:`~arpolicy.errors.StaleRateWarning`,
            once per call), ``"raise"``
            (:class:`~arpolicy.errors.StaleRateError`) or ``"ignore"``. The
            last known rate is used in both other cases.
        rates: the rate book; :meth:`RateBook.shipped` by default.
        obligation_date: the day the obligation arose (only Germany reads
            it: + 8 instead of + 9 points on or before 2014-07-28); ``start``
            by default.
        payments: the parts of ``principal`` paid, as ``(day, amount)``
            pairs. Interest runs on each part from ``start`` until the day it
            was paid (not counted), and on the rest until ``end``: a part
            paid late keeps the interest it accrued. A part paid on or before
            ``start`` bears none; one paid on or after ``end`` is still open
            in the span. Each part is computed (and rounded per period) on
            its own.

    Returns:
        The :class:`InterestResult`; no periods and a zero total when
        ``end <= start``.

    Raises:
        NoStatutoryRuleError: the jurisdiction has no statutory rate for this
            debtor profile (consumers in EU, GB, FR, BE).
        UnknownJurisdictionError: an unknown jurisdiction code.
        MissingRateError: ``start`` is before the first row of the rate table.
        StaleRateError: a stale rate was needed and ``on_stale="raise"``.
        InvalidFieldError: a bad argument (negative principal, unknown
            ``on_stale`` or day count, a datetime for a date ...).

    >>> from arpolicy import Money, Profile
    >>> result = interest_breakdown(
    ...     Money("10000.00", "EUR"),
    ...     start=date(2024, 6, 1),
    ...     end=date(2024, 8, 1),
    ...     jurisdiction="NL",
    ...     profile=Profile.BUSINESS,
    ... )
    >>> for p in result.periods:
    ...     print(p.start, p.days, p.rate, p.interest)
    2024-06-01 30 12.50 102.74 EUR
    2024-07-01 31 12.25 104.04 EUR
    >>> result.total
    Money('206.78', 'EUR')

    Paid in part, late: 990.00 of 1,000.00 due on 2026-01-01 paid on
    2026-02-25, interest asked on 2026-03-02 (NL, 10.15%):

    >>> result = interest_breakdown(
    ...     Money("1000.00", "EUR"),
    ...     start=date(2026, 1, 2),
    ...     end=date(2026, 3, 2),
    ...     jurisdiction="NL",
    ...     profile=Profile.BUSINESS,
    ...     payments=[(date(2026, 2, 25), Money("990.00", "EUR"))],
    ... )
    >>> for part in result.parts:
    ...     print(part.principal, part.paid_on, part.periods[0].days, part.interest)
    990.00 EUR 2026-02-25 54 14.87 EUR
    10.00 EUR None 59 0.16 EUR
    >>> result.total
    Money('15.03', 'EUR')
    """
    return _by_part(
        principal,
        payments,
        start=start,
        end=end,
        jurisdiction=jurisdiction,
        profile=profile,
        day_count=day_count,
        on_stale=on_stale,
        rates=rates,
        obligation_date=obligation_date,
        stacklevel=2,
    )


def statutory_interest(
    principal: Money,
    *,
    start: date,
    end: date,
    jurisdiction: str,
    profile: Profile,
    day_count: DayCount = DayCount.ACTUAL_365,
    on_stale: str = "warn",
    rates: RateBook | None = None,
    obligation_date: date | None = None,
    payments: Iterable[tuple[date, Money]] = (),
) -> Money:
    """The statutory interest owed for default from ``start`` (counted) to ``end`` (not counted).

    The total of :func:`interest_breakdown`, which documents the arguments,
    the computation and the errors; zero when ``end <= start``.

    >>> from arpolicy import Money, Profile
    >>> statutory_interest(
    ...     Money("1000.00", "EUR"),
    ...     start=date(2025, 3, 1),
    ...     end=date(2025, 4, 1),
    ...     jurisdiction="DE",
    ...     profile=Profile.PRIVATE,
    ... )  # 1000 x (2.27 + 5)% x 31/365 = 6.174...
    Money('6.17', 'EUR')
    """
    return _by_part(
        principal,
        payments,
        start=start,
        end=end,
        jurisdiction=jurisdiction,
        profile=profile,
        day_count=day_count,
        on_stale=on_stale,
        rates=rates,
        obligation_date=obligation_date,
        stacklevel=2,
    ).total
