"""Fees, statutory interest, fixed compensation and collection costs on actions.

A step's ``fees`` are *rules*. When the step fires, the engine builds a
:class:`FeeContext` (the customer, the date, the open invoices with their
legal history) and asks every rule for its :class:`Charge` objects. Rules:

* :class:`Fee`: a fixed amount and/or a percentage of the open amount, with a
  minimum and a maximum, per currency; per invoice or per notice.
* :class:`TieredFee`: tiers by open amount (from a threshold: a fixed amount
  and/or a percentage, with a cap).
* :class:`StatutoryInterest`, :class:`FixedCompensation`,
  :class:`CollectionCosts`: the law of the customer's jurisdiction, through
  :mod:`arpolicy.law`.

The law decides what may be charged *when*; a charge the law does not allow
yet is left out and a :class:`Note` says why (the engine turns notes into the
action's reasons). Policies cap contractual fees per invoice and per customer
with :class:`FeeCaps`.

Rounding: every charge is rounded half-up to the currency's minor unit when it
is computed (interest per period, see :mod:`arpolicy.law`); sums of rounded
charges are exact.

>>> from datetime import date
>>> from arpolicy.model import Profile
>>> ctx = FeeContext(
...     customer_id="C1",
...     profile=Profile.BUSINESS,
...     country="NL",
...     jurisdiction="NL",
...     date=date(2026, 3, 1),
...     step="notice",
...     currency="EUR",
...     items=(FeeItem("I1", Money("1000.00", "EUR"), date(2026, 1, 30)),),
... )
>>> Fee(fixed=[Money("5.00", "EUR")]).charges(ctx).charges[0].amount
Money('5.00', 'EUR')
>>> FixedCompensation().charges(ctx).charges[0].amount
Money('40.00', 'EUR')
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

import attrs

from .errors import ArpolicyError, InvalidFieldError, NoStatutoryRuleError
from .law import (
    DayCount,
    InterestPart,
    RateBook,
    be,
    collection_costs,
    fixed_compensation,
    interest_breakdown,
    nl,
)
from .model import Profile
from .money import Money

__all__ = [
    "INTEREST_NOT_HELD",
    "Charge",
    "ChargeKind",
    "CollectionCosts",
    "Fee",
    "FeeBasis",
    "FeeCaps",
    "FeeContext",
    "FeeItem",
    "FeeRule",
    "FixedCompensation",
    "Note",
    "RuleResult",
    "StatutoryInterest",
    "Tier",
    "TieredFee",
    "apply_caps",
]

CUSTOMER = "customer"
"""The jurisdiction setting that means: the customer's own country."""

_BE_FURTHER_REMINDER_CAP = Decimal("7.50")


class FeeBasis(enum.StrEnum):
    """Whether a fee is charged per invoice or once per notice."""

    INVOICE = "invoice"
    NOTICE = "notice"


class ChargeKind(enum.StrEnum):
    """What a charge is."""

    FEE = "fee"
    INTEREST = "interest"
    COMPENSATION = "compensation"
    COLLECTION_COSTS = "collection_costs"


@attrs.frozen
class Charge:
    """One amount an action asks for on top of the principal.

    Attributes:
        kind: fee, interest, compensation or collection costs.
        name: the rule's name (``"administration"``, ``"statutory interest"``).
        amount: the amount, rounded half-up to the minor unit.
        rule: what produced it (``"fixed 5.00 EUR per notice"``,
            ``"NL art. 6:119a BW"``).
        rate: the rate(s) applied, in words (``"10.15%"``), or empty.
        invoice_id: the invoice it is about; ``None`` for a whole notice.
        announced: stated in the notice as costs that *will* be charged if
            the customer does not pay in time (the Dutch 14-day letter); not
            part of the total due.
        detail: how it was computed (periods, bands), for people.
        base: for statutory interest, the part of the invoice's principal it
            runs on (one charge per part); ``None`` otherwise.
        paid_on: for interest on a part paid late, the day it was paid (the
            interest ran until the day before); ``None`` for a part still open.
    """

    kind: ChargeKind
    name: str
    amount: Money
    rule: str
    rate: str = ""
    invoice_id: str | None = None
    announced: bool = False
    detail: str = ""
    base: Money | None = None
    paid_on: date | None = None


@attrs.frozen
class Note:
    """Why a rule charged nothing (or less): ``code``, ``text`` and facts."""

    code: str
    text: str
    data: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class RuleResult:
    """What a rule gives: its charges and the notes on what it left out."""

    charges: tuple[Charge, ...] = ()
    notes: tuple[Note, ...] = ()


def _parts(value: Iterable[tuple[date, Money]]) -> tuple[tuple[date, Money], ...]:
    return tuple(value)


@attrs.frozen
class FeeItem:
    """An open invoice in a notice, with what the law needs to know about it.

    Attributes:
        invoice_id: the invoice.
        principal: its open amount on the action date.
        due_date: its due date; default (and interest) starts the day after.
        first_reminder: when the first dunning action about it was sent
            (before the action date), or ``None`` if this is the first.
        first_reminder_paper: that first action went by post.
        letter_sent: when the consumer 14-day letter about it was sent.
        letter_received: when that letter was received, if recorded.
        paid: the parts of the invoice paid before the action date, as
            ``(day, amount)`` pairs: statutory interest runs on each until
            the day it was paid (interest on parts paid late).
        letter_term_end: the last day of the 14-day letter's statutory term
            (Dutch consumers), as the engine computed it with the customer's
            calendar; when ``None`` it is computed from ``letter_sent`` and
            ``letter_received`` by
            :func:`arpolicy.law.nl.consumer_letter_term_end`.
    """

    invoice_id: str
    principal: Money
    due_date: date
    first_reminder: date | None = None
    first_reminder_paper: bool = False
    letter_sent: date | None = None
    letter_received: date | None = None
    paid: tuple[tuple[date, Money], ...] = attrs.field(default=(), converter=_parts)
    letter_term_end: date | None = None


@attrs.frozen
class FeeContext:
    """Everything a fee rule may look at.

    Attributes:
        customer_id: the customer.
        profile: government, business or private.
        country: the customer's country.
        jurisdiction: the customer's jurisdiction code (``"NL"``, ``"EU"``
            ...), or ``None`` when no jurisdiction pack covers the country.
        date: the action date (interest runs up to the day before it).
        step: the step name.
        currency: the currency of every item.
        items: the open invoices of the notice.
        letter: this step is the consumer 14-day letter.
        repeat: how many times the step was carried out before (a repeated
            last step charges no fee again).
        rates: the statutory rate tables; the shipped ones when ``None``.
        closed: invoices paid in full, late, whose interest this notice
            claims (interest on closed entries): their ``principal`` is zero
            and ``paid`` holds the parts. Only :class:`StatutoryInterest`
            reads them; they are not part of the notice's principal.
    """

    customer_id: str
    profile: Profile
    country: str
    jurisdiction: str | None
    date: date
    step: str
    currency: str
    items: tuple[FeeItem, ...]
    letter: bool = False
    repeat: int = 0
    rates: RateBook | None = None
    closed: tuple[FeeItem, ...] = ()

    @property
    def principal(self) -> Money:
        """The open amount of the whole notice."""
        return Money.total((i.principal for i in self.items), self.currency)


class FeeRule(abc.ABC):
    """The base of fee rules: what a step's ``fees`` hold.

    Write your own rule by subclassing it (an attrs frozen class is best):
    give it a ``name``, say which :class:`ChargeKind` it charges, and return
    the charges for a :class:`FeeContext`. The engine applies the law's
    consumer rules and the policy's caps to what it returns.
    """

    __slots__ = ()

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The rule's name, shown on charges."""

    @property
    @abc.abstractmethod
    def kind(self) -> ChargeKind:
        """What the rule charges."""

    @abc.abstractmethod
    def charges(self, ctx: FeeContext) -> RuleResult:
        """The charges for ``ctx`` and notes on what was left out."""


# ---------------------------------------------------------------------------
# money maps (one amount per currency)
# ---------------------------------------------------------------------------


def money_map(value: Mapping[str, Money] | Iterable[Money]) -> tuple[Money, ...]:
    """Amounts given per currency, sorted by currency; at most one each."""
    items = value.values() if isinstance(value, Mapping) else value
    result = tuple(sorted(items, key=lambda m: m.currency))
    currencies = [m.currency for m in result]
    if len(set(currencies)) != len(currencies):
        raise InvalidFieldError("fee", "amounts", currencies, "one amount per currency")
    return result


def lookup(amounts: tuple[Money, ...], currency: str) -> Money | None:
    """The amount for ``currency`` in a money map, or ``None``."""
    for m in amounts:
        if m.currency == currency:
            return m
    return None


def _fee_basis(value: FeeBasis | str) -> FeeBasis:
    return FeeBasis(value)


def _percent_or_none(value: Decimal | None, where: str) -> None:
    if value is not None and (not isinstance(value, Decimal) or not value.is_finite() or value < 0):
        raise InvalidFieldError(where, "percent", value, "must be a Decimal >= 0")


def _non_negative(amounts: Iterable[Money], where: str) -> None:
    for m in amounts:
        if m.is_negative():
            raise InvalidFieldError(where, "amounts", m, "fees are never negative")


def _items_or_notice(basis: FeeBasis, ctx: FeeContext) -> list[tuple[str | None, Money]]:
    if basis is FeeBasis.INVOICE:
        return [(i.invoice_id, i.principal) for i in sorted(ctx.items, key=_item_key)]
    return [(None, ctx.principal)]


def _item_key(item: FeeItem) -> str:
    return item.invoice_id


def _no_repeat(rule: FeeRule, ctx: FeeContext) -> Note | None:
    if ctx.repeat:
        return Note(
            "fee_not_repeated",
            f"{rule.name!r} is not charged again when the step repeats",
            (("rule", rule.name),),
        )
    return None


# ---------------------------------------------------------------------------
# contractual fees
# ---------------------------------------------------------------------------


@attrs.frozen
class Fee(FeeRule):
    """A simple fee: fixed amounts and/or a percentage, per currency.

    The fee for an open amount ``A`` in currency ``C`` is
    ``fixed[C] + A * percent / 100``, then raised to ``minimum[C]`` and
    lowered to ``maximum[C]`` when those are given, rounded half-up to the
    minor unit. A currency with neither a fixed amount nor a percentage gets
    no fee. ``basis`` says whether ``A`` is each invoice (one fee per
    invoice) or the whole notice.

    >>> fee = Fee(fixed=[Money("5.00", "EUR")], percent=Decimal("1"))
    >>> fee.amount(Money("300.00", "EUR"))
    Money('8.00', 'EUR')
    """

    name: str = "fee"
    fixed: tuple[Money, ...] = attrs.field(default=(), converter=money_map)
    percent: Decimal | None = None
    minimum: tuple[Money, ...] = attrs.field(default=(), converter=money_map)
    maximum: tuple[Money, ...] = attrs.field(default=(), converter=money_map)
    basis: FeeBasis = attrs.field(default=FeeBasis.NOTICE, converter=_fee_basis)

    def __attrs_post_init__(self) -> None:
        _percent_or_none(self.percent, "fee")
        _non_negative(self.fixed + self.minimum + self.maximum, "fee")
        for lo in self.minimum:
            hi = lookup(self.maximum, lo.currency)
            if hi is not None and hi < lo:
                raise InvalidFieldError("fee", "maximum", hi, f"is below the minimum {lo}")

    @property
    def kind(self) -> ChargeKind:
        """Always :attr:`ChargeKind.FEE`."""
        return ChargeKind.FEE

    def applies_to(self, currency: str) -> bool:
        """True when the fee is defined for ``currency``."""
        return lookup(self.fixed, currency) is not None or self.percent is not None

    def amount(self, open_amount: Money) -> Money:
        """The fee on ``open_amount`` (zero when not defined for its currency)."""
        currency = open_amount.currency
        if not self.applies_to(currency):
            return Money.zero(currency)
        total = lookup(self.fixed, currency) or Money.zero(currency)
        if self.percent is not None:
            total = total + open_amount.percent(self.percent)
        low = lookup(self.minimum, currency)
        if low is not None and total < low:
            total = low
        high = lookup(self.maximum, currency)
        if high is not None and total > high:
            total = high
        return total

    def describe(self, currency: str) -> str:
        """The rule in words for ``currency``."""
        parts = []
        fixed = lookup(self.fixed, currency)
        if fixed is not None:
            parts.append(f"fixed {fixed}")
        if self.percent is not None:
            parts.append(f"{self.percent}%")
        low, high = lookup(self.minimum, currency), lookup(self.maximum, currency)
        if low is not None:
            parts.append(f"at least {low}")
        if high is not None:
            parts.append(f"at most {high}")
        return " + ".join(parts[:2]) + "".join(f", {p}" for p in parts[2:]) + f" per {self.basis}"

    def charges(self, ctx: FeeContext) -> RuleResult:
        """One charge per invoice or per notice (none when zero)."""
        note = _no_repeat(self, ctx)
        if note is not None:
            return RuleResult(notes=(note,))
        if not self.applies_to(ctx.currency):
            return RuleResult()
        rule = self.describe(ctx.currency)
        rate = f"{self.percent}%" if self.percent is not None else ""
        out = []
        for invoice_id, base in _items_or_notice(self.basis, ctx):
            amount = self.amount(base)
            if amount.amount:
                out.append(Charge(ChargeKind.FEE, self.name, amount, rule, rate, invoice_id))
        return RuleResult(tuple(out))


def _tiers(value: Iterable[Tier]) -> tuple[Tier, ...]:
    return tuple(value)


@attrs.frozen
class Tier:
    """One band of a :class:`TieredFee`: from ``threshold`` (inclusive) upwards.

    Args:
        threshold: the smallest open amount of the band, per currency.
        fixed: a fixed amount per currency.
        percent: a percentage of the open amount.
        maximum: the band's cap per currency.
    """

    threshold: tuple[Money, ...] = attrs.field(converter=money_map)
    fixed: tuple[Money, ...] = attrs.field(default=(), converter=money_map)
    percent: Decimal | None = None
    maximum: tuple[Money, ...] = attrs.field(default=(), converter=money_map)

    def __attrs_post_init__(self) -> None:
        if not self.threshold:
            raise InvalidFieldError("tier", "threshold", (), "a tier needs a threshold")
        _percent_or_none(self.percent, "tier")
        _non_negative(self.threshold + self.fixed + self.maximum, "tier")
        if not self.fixed and self.percent is None:
            raise InvalidFieldError("tier", "fixed", (), "a tier needs a fixed amount or percent")


@attrs.frozen
class TieredFee(FeeRule):
    """A fee by open amount: the highest tier whose threshold is reached applies.

    >>> fee = TieredFee(
    ...     name="reminder",
    ...     tiers=[
    ...         Tier(threshold=[Money("0", "EUR")], fixed=[Money("5", "EUR")]),
    ...         Tier(
    ...             threshold=[Money("1000", "EUR")],
    ...             percent=Decimal("1"),
    ...             maximum=[Money("50", "EUR")],
    ...         ),
    ...     ],
    ... )
    >>> fee.amount(Money("999.99", "EUR")), fee.amount(Money("2500", "EUR"))
    (Money('5.00', 'EUR'), Money('25.00', 'EUR'))
    >>> fee.amount(Money("9000", "EUR"))
    Money('50.00', 'EUR')
    """

    name: str = "fee"
    tiers: tuple[Tier, ...] = attrs.field(default=(), converter=_tiers)
    basis: FeeBasis = attrs.field(default=FeeBasis.NOTICE, converter=_fee_basis)

    def __attrs_post_init__(self) -> None:
        if not self.tiers:
            raise InvalidFieldError("fee", "tiers", (), "a tiered fee needs at least one tier")
        seen: dict[str, set[Money]] = {}
        for tier in self.tiers:
            for t in tier.threshold:
                if t in seen.setdefault(t.currency, set()):
                    raise InvalidFieldError("fee", "tiers", t, "two tiers with one threshold")
                seen[t.currency].add(t)

    @property
    def kind(self) -> ChargeKind:
        """Always :attr:`ChargeKind.FEE`."""
        return ChargeKind.FEE

    def tier_for(self, open_amount: Money) -> Tier | None:
        """The tier that applies to ``open_amount``, if any."""
        best: tuple[Money, Tier] | None = None
        for tier in self.tiers:
            t = lookup(tier.threshold, open_amount.currency)
            if t is not None and t <= open_amount and (best is None or t > best[0]):
                best = (t, tier)
        return None if best is None else best[1]

    def amount(self, open_amount: Money) -> Money:
        """The fee on ``open_amount`` (zero below every threshold)."""
        currency = open_amount.currency
        tier = self.tier_for(open_amount)
        if tier is None:
            return Money.zero(currency)
        total = lookup(tier.fixed, currency) or Money.zero(currency)
        if tier.percent is not None:
            total = total + open_amount.percent(tier.percent)
        cap = lookup(tier.maximum, currency)
        return cap if cap is not None and total > cap else total

    def charges(self, ctx: FeeContext) -> RuleResult:
        """One charge per invoice or per notice (none when zero)."""
        note = _no_repeat(self, ctx)
        if note is not None:
            return RuleResult(notes=(note,))
        out = []
        for invoice_id, base in _items_or_notice(self.basis, ctx):
            tier = self.tier_for(base)
            amount = self.amount(base)
            if tier is None or not amount.amount:
                continue
            threshold = lookup(tier.threshold, ctx.currency)
            rate = f"{tier.percent}%" if tier.percent is not None else ""
            rule = f"tier from {threshold} per {self.basis}"
            out.append(Charge(ChargeKind.FEE, self.name, amount, rule, rate, invoice_id))
        return RuleResult(tuple(out))


# ---------------------------------------------------------------------------
# the law
# ---------------------------------------------------------------------------


def _jurisdiction(setting: str, ctx: FeeContext) -> str | None:
    return ctx.jurisdiction if setting == CUSTOMER else setting


def _no_law(rule: str, ctx: FeeContext, setting: str) -> Note:
    data: tuple[tuple[str, str], ...] = (("country", ctx.country), ("jurisdiction", setting))
    if rule == "interest":
        data += (("what", "statutory interest"),)
    return Note(
        "no_jurisdiction",
        f"no statutory {rule} for customers in {ctx.country}: no jurisdiction pack covers it",
        data,
    )


def _law_note(error: ArpolicyError, what: str) -> Note:
    return Note("not_by_law", f"no {what}: {error}", (("what", what),))


INTEREST_NOT_HELD: Final = frozenset({"interest_not_computed", "not_by_law", "no_jurisdiction"})
"""Codes of the notes (and reasons) that say a notice holds no statutory interest
by the step's :class:`StatutoryInterest` rule: their ``what`` datum is
``"statutory interest"``. A message must not claim interest in words then."""


def _not_computed(invoice_id: str, error: ArpolicyError) -> Note:
    """Interest the law gives but that cannot be computed (a day before the rate table)."""
    return Note(
        "interest_not_computed",
        f"statutory interest on {invoice_id} not computed: {error}; the notice does not claim it",
        (("what", "statutory interest"), ("invoice", invoice_id)),
    )


def _consumer_wait(ctx: FeeContext, item: FeeItem) -> date | Note:
    """For a Belgian consumer: the first day fees may run, or a note on why not yet."""
    if item.first_reminder is None:
        return Note(
            "be_first_reminder_free",
            "Belgian consumers: the first reminder is free of fees and interest",
            (("invoice", item.invoice_id),),
        )
    wait_end = be.consumer_fee_wait_end(item.first_reminder, paper=item.first_reminder_paper)
    if ctx.date <= wait_end:
        return Note(
            "be_fee_wait",
            f"Belgian consumers: fees and interest wait 14 days after the first reminder "
            f"(until {wait_end.isoformat()})",
            (("invoice", item.invoice_id), ("wait_end", wait_end.isoformat())),
        )
    return wait_end + timedelta(days=1)


def _nl_letter_term_end(item: FeeItem) -> date | None:
    """The last day of the 14-day letter's term: costs only from the day after."""
    if item.letter_sent is None:
        return None
    if item.letter_term_end is not None:
        return item.letter_term_end
    return nl.consumer_letter_term_end(item.letter_sent, received=item.letter_received)


def _blocked_for_consumer(
    kind: ChargeKind, ctx: FeeContext, item: FeeItem, jurisdiction: str | None
) -> Note | None:
    """A consumer rule that forbids charging ``kind`` for ``item`` today."""
    if ctx.profile is not Profile.PRIVATE or jurisdiction is None:
        return None
    if jurisdiction == "BE":
        wait = _consumer_wait(ctx, item)
        return wait if isinstance(wait, Note) else None
    if jurisdiction == "NL" and kind in (ChargeKind.FEE, ChargeKind.COLLECTION_COSTS):
        term_end = _nl_letter_term_end(item)
        if term_end is None or ctx.date <= term_end:
            when = "has not been sent" if term_end is None else f"runs until {term_end}"
            return Note(
                "nl_letter_term",
                "Dutch consumers: costs only after a 14-day letter has run its term "
                f"(art. 6:96(6) BW); the letter {when}",
                (("invoice", item.invoice_id),),
            )
    return None


def _interest_start(ctx: FeeContext, item: FeeItem, jurisdiction: str) -> date | Note:
    """The first day of default for interest, or a note on why it does not run yet."""
    if ctx.profile is Profile.PRIVATE and jurisdiction == "BE":
        return _consumer_wait(ctx, item)
    if ctx.profile is Profile.PRIVATE and jurisdiction == "DE":
        if item.first_reminder is None:
            return Note(
                "de_not_in_default",
                "German consumers: default starts with the first reminder (Mahnung) after "
                "the due date, unless the invoice pointed out the 30-day rule (§286 BGB)",
                (("invoice", item.invoice_id),),
            )
        return item.first_reminder + timedelta(days=1)
    return item.due_date + timedelta(days=1)


def _day_count_text(value: str) -> str:
    return str(value)


@attrs.frozen
class StatutoryInterest(FeeRule):
    """Statutory interest on each invoice, by the day, from default to the action date.

    Args:
        name: shown on the charge.
        jurisdiction: ``"customer"`` (the customer's country) or a code.
        day_count: the day-count convention (see :class:`arpolicy.law.DayCount`).
    """

    name: str = "statutory interest"
    jurisdiction: str = CUSTOMER
    day_count: str = attrs.field(default="actual/365", converter=_day_count_text)

    def __attrs_post_init__(self) -> None:
        try:
            DayCount(self.day_count)
        except ValueError:
            raise InvalidFieldError(
                "fee",
                "day_count",
                self.day_count,
                "expected actual/365, actual/360 or actual/actual",
            ) from None

    @property
    def kind(self) -> ChargeKind:
        """Always :attr:`ChargeKind.INTEREST`."""
        return ChargeKind.INTEREST

    def charges(self, ctx: FeeContext) -> RuleResult:
        """Interest per invoice up to the day before the action date.

        One charge per part of each invoice's principal: each part paid late
        (its ``paid_on`` set) up to its payment day, then the part still
        open. The notice's invoices come first, then the closed ones it
        claims interest on (:attr:`FeeContext.closed`).
        """
        code = _jurisdiction(self.jurisdiction, ctx)
        if code is None:
            return RuleResult(notes=(_no_law("interest", ctx, self.jurisdiction),))
        out: list[Charge] = []
        notes: list[Note] = []
        items = [*sorted(ctx.items, key=_item_key), *sorted(ctx.closed, key=_item_key)]
        for item in items:
            start = _interest_start(ctx, item, code)
            if isinstance(start, Note):
                notes.append(start)
                continue
            if start >= ctx.date:
                continue
            paid = [(day, amount) for day, amount in item.paid if day < ctx.date]
            try:
                result = interest_breakdown(
                    Money.total([item.principal, *(m for _, m in paid)], ctx.currency),
                    start=start,
                    end=ctx.date,
                    jurisdiction=code,
                    profile=ctx.profile,
                    day_count=DayCount(self.day_count),
                    on_stale="ignore",
                    rates=ctx.rates,
                    payments=paid,
                )
            except NoStatutoryRuleError as error:
                notes.append(_law_note(error, "statutory interest"))
                break  # the law gives none: the same for every invoice
            except ArpolicyError as error:
                notes.append(_not_computed(item.invoice_id, error))
                continue
            for part in result.parts:
                if part.interest.amount:
                    out.append(self._charge(item.invoice_id, part))
            if any(p.stale for p in result.periods):
                notes.append(
                    Note(
                        "stale_rate",
                        f"interest on {item.invoice_id} uses the last known rate for days "
                        "after it; add the newer rate row (see the how-to on rate rows)",
                        (("invoice", item.invoice_id),),
                    )
                )
        return RuleResult(tuple(out), tuple(notes))

    def _charge(self, invoice_id: str, part: InterestPart) -> Charge:
        rates: list[str] = []
        for p in part.periods:
            text = f"{p.rate}%"
            if text not in rates:
                rates.append(text)
        detail = "; ".join(
            f"{p.start.isoformat()}..{p.end.isoformat()} {p.days} d at {p.rate}% on "
            f"{p.base}: {p.interest}" + (" (rate after the last known one)" if p.stale else "")
            for p in part.periods
        )
        if part.paid_on is not None:
            detail = f"on {part.principal} paid on {part.paid_on.isoformat()}: {detail}"
        return Charge(
            ChargeKind.INTEREST,
            self.name,
            part.interest,
            ", ".join(sorted({p.rule for p in part.periods})),
            " / ".join(rates),
            invoice_id,
            detail=detail,
            base=part.principal,
            paid_on=part.paid_on,
        )


@attrs.frozen
class FixedCompensation(FeeRule):
    """The fixed compensation per invoice (EUR 40 in the EU; GBP 40/70/100)."""

    name: str = "fixed compensation"
    jurisdiction: str = CUSTOMER

    @property
    def kind(self) -> ChargeKind:
        """Always :attr:`ChargeKind.COMPENSATION`."""
        return ChargeKind.COMPENSATION

    def charges(self, ctx: FeeContext) -> RuleResult:
        """One compensation per invoice in default."""
        code = _jurisdiction(self.jurisdiction, ctx)
        if code is None:
            return RuleResult(notes=(_no_law("compensation", ctx, self.jurisdiction),))
        out: list[Charge] = []
        for item in sorted(ctx.items, key=_item_key):
            if ctx.date <= item.due_date:
                continue
            try:
                amount = fixed_compensation(
                    item.principal, jurisdiction=code, profile=ctx.profile, on=ctx.date
                )
            except ArpolicyError as error:
                return RuleResult(tuple(out), (_law_note(error, "fixed compensation"),))
            out.append(
                Charge(
                    ChargeKind.COMPENSATION,
                    self.name,
                    amount,
                    f"{code} fixed compensation per invoice",
                    invoice_id=item.invoice_id,
                )
            )
        return RuleResult(tuple(out))


@attrs.frozen
class CollectionCosts(FeeRule):
    """Extrajudicial collection costs by the statutory scale, per notice.

    The principals of the notice's invoices are summed for the scale (Dutch
    rule for several claims in one letter). On the consumer 14-day letter the
    costs are *announced* (stated, not charged).

    Args:
        name: shown on the charge.
        jurisdiction: ``"customer"`` or a code.
        vat: a VAT percentage to add, only when the creditor cannot deduct
            VAT and says so (``Decimal("21")``); ``None``: no VAT.
    """

    name: str = "collection costs"
    jurisdiction: str = CUSTOMER
    vat: Decimal | None = None

    def __attrs_post_init__(self) -> None:
        if self.vat is not None and (
            not isinstance(self.vat, Decimal) or not self.vat.is_finite() or self.vat < 0
        ):
            raise InvalidFieldError("fee", "vat", self.vat, "must be a Decimal percentage >= 0")

    @property
    def kind(self) -> ChargeKind:
        """Always :attr:`ChargeKind.COLLECTION_COSTS`."""
        return ChargeKind.COLLECTION_COSTS

    def charges(self, ctx: FeeContext) -> RuleResult:
        """The costs on the notice's summed principal (or announced on the letter)."""
        code = _jurisdiction(self.jurisdiction, ctx)
        if code is None:
            return RuleResult(notes=(_no_law("collection costs", ctx, self.jurisdiction),))
        if not ctx.items:
            return RuleResult()
        try:
            amount = collection_costs(
                ctx.principal, jurisdiction=code, profile=ctx.profile, vat=self.vat
            )
        except ArpolicyError as error:
            return RuleResult(notes=(_law_note(error, "collection costs"),))
        vat = f" plus {self.vat}% VAT" if self.vat is not None else ""
        rule = f"{code} statutory collection-cost scale{vat}"
        if ctx.letter:
            return RuleResult(
                (Charge(ChargeKind.COLLECTION_COSTS, self.name, amount, rule, announced=True),)
            )
        return RuleResult((Charge(ChargeKind.COLLECTION_COSTS, self.name, amount, rule),))


# ---------------------------------------------------------------------------
# caps and the law's gates, applied by the engine to a step's charges
# ---------------------------------------------------------------------------


@attrs.frozen
class FeeCaps:
    """Caps on the contractual fees of a policy ("reasonable and gradual").

    Args:
        per_invoice: the most that fees may add up to for one invoice, per
            currency, over every action.
        per_customer: the same for all of a customer's invoices.
    """

    per_invoice: tuple[Money, ...] = attrs.field(default=(), converter=money_map)
    per_customer: tuple[Money, ...] = attrs.field(default=(), converter=money_map)

    def __attrs_post_init__(self) -> None:
        _non_negative(self.per_invoice + self.per_customer, "fee_caps")


def gate(ctx: FeeContext, result: RuleResult) -> RuleResult:
    """Drop the charges the law does not allow at ``ctx.date``, with notes.

    Consumer rules (see :mod:`arpolicy.law`): in NL no fee or collection costs
    before the 14-day letter has run its term (the letter itself announces
    the costs); in BE the first reminder is free, nothing runs until 14 days
    after it, and a further reminder's fee is at most EUR 7.50.
    """
    if ctx.profile is not Profile.PRIVATE:
        return result
    items = {i.invoice_id: i for i in ctx.items}
    kept: list[Charge] = []
    notes = list(result.notes)
    for charge in result.charges:
        if charge.announced or charge.kind is ChargeKind.INTEREST:
            kept.append(charge)  # interest already starts where the law says
            continue
        concerned = [items[charge.invoice_id]] if charge.invoice_id else list(ctx.items)
        blocked = [
            n
            for n in (
                _blocked_for_consumer(charge.kind, ctx, item, ctx.jurisdiction)
                for item in concerned
            )
            if n is not None
        ]
        if blocked:
            notes.extend(blocked)
            continue
        if ctx.jurisdiction == "BE" and charge.kind is ChargeKind.FEE and ctx.currency == "EUR":
            cap = Money(_BE_FURTHER_REMINDER_CAP, "EUR")
            if charge.amount > cap:
                notes.append(
                    Note(
                        "be_reminder_cap",
                        f"Belgian consumers: a further reminder costs at most {cap}",
                        (("rule", charge.name),),
                    )
                )
                kept.append(attrs.evolve(charge, amount=cap))
                continue
        kept.append(charge)
    return RuleResult(tuple(kept), _unique(notes))


def _unique(notes: Sequence[Note]) -> tuple[Note, ...]:
    seen: list[Note] = []
    for n in notes:
        if n not in seen:
            seen.append(n)
    return tuple(seen)


def apply_caps(
    charges: Sequence[Charge],
    caps: FeeCaps | None,
    *,
    currency: str,
    invoice_ids: Sequence[str],
    earlier_customer: Money,
    earlier_by_invoice: Mapping[str, Money],
) -> RuleResult:
    """Lower contractual fees so that the policy's caps are never exceeded.

    ``earlier_customer`` and ``earlier_by_invoice`` are the fees charged by
    earlier actions (from the history). A notice fee counts against every
    invoice of the notice (``invoice_ids``). Charges other than fees pass unchanged; a fee
    lowered to zero is dropped.
    """
    if caps is None:
        return RuleResult(tuple(charges))
    customer_cap = lookup(caps.per_customer, currency)
    invoice_cap = lookup(caps.per_invoice, currency)
    zero = Money.zero(currency)
    used_customer = earlier_customer
    used_invoice = dict(earlier_by_invoice)
    out: list[Charge] = []
    notes: list[Note] = []
    for charge in charges:
        if charge.kind is not ChargeKind.FEE or charge.announced:
            out.append(charge)
            continue
        room = charge.amount
        if customer_cap is not None:
            room = min(room, max(customer_cap - used_customer, zero))
        if invoice_cap is not None:
            for iid in [charge.invoice_id] if charge.invoice_id else invoice_ids:
                room = min(room, max(invoice_cap - used_invoice.get(iid, zero), zero))
        if room < charge.amount:
            notes.append(
                Note(
                    "fee_capped",
                    f"{charge.name!r} lowered from {charge.amount} to {room} by the policy's "
                    "fee caps",
                    (("rule", charge.name), ("from", str(charge.amount)), ("to", str(room))),
                )
            )
        if not room.amount:
            continue
        used_customer = used_customer + room
        for iid in [charge.invoice_id] if charge.invoice_id else invoice_ids:
            used_invoice[iid] = used_invoice.get(iid, zero) + room
        out.append(attrs.evolve(charge, amount=room) if room < charge.amount else charge)
    return RuleResult(tuple(out), tuple(notes))
