"""Policies as data: steps, policies and playbooks.

A :class:`Policy` is an ordered ladder of :class:`Step` objects plus the rules
that decide when a step fires (thresholds, grace, calendar, spacing). A
:class:`Playbook` chooses the policy for each customer and invoice. All of
them are frozen attrs classes; load and save them as TOML with
:func:`arpolicy.io.load_playbook` / :func:`arpolicy.io.dump_playbook`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .actions import ActionKind
from .errors import InvalidFieldError
from .fees import Fee, FeeBasis, FeeCaps, FeeRule
from .fees import lookup as _lookup
from .fees import money_map as _money_map
from .model import Customer, Invoice, InvoiceKind, Profile
from .money import Money

__all__ = [
    "Anchor",
    "CalendarRule",
    "CatchUp",
    "EndBehaviour",
    "Fee",
    "FeeBasis",
    "Grouping",
    "Playbook",
    "Policy",
    "Step",
    "Tone",
]


class Tone(enum.StrEnum):
    """How a step speaks, from gentle to severe."""

    COURTESY = "courtesy"
    FRIENDLY = "friendly"
    FIRM = "firm"
    FORMAL = "formal"
    FINAL = "final"


class Anchor(enum.StrEnum):
    """What a step's offset counts from.

    * ``DUE``: the invoice's due date (the default; negative offsets are
      reminders before the due date).
    * ``ISSUE``: the invoice date.
    * ``RECEIPT``: the day the previous step was received (recorded in the
      history, else presumed: sent plus the policy's presumed-receipt
      business days).
    """

    DUE = "due"
    ISSUE = "issue"
    RECEIPT = "receipt"


class Grouping(enum.StrEnum):
    """How invoices become notices.

    * ``PER_STEP``: one action per customer, currency, date and step, listing
      every invoice at that step.
    * ``HIGHEST``: one notice per customer and currency per date, at the
      highest level any of its invoices reached, listing all of them.
    """

    PER_STEP = "per_step"
    HIGHEST = "highest"


class EndBehaviour(enum.StrEnum):
    """What happens after the last step.

    * ``STOP``: nothing more.
    * ``REPEAT``: repeat the last step every ``repeat_every_days``.
    """

    STOP = "stop"
    REPEAT = "repeat"


class CatchUp(enum.StrEnum):
    """What the ladder does when several of its steps are overdue at once (a
    first run over an old backlog, the end of a dispute, hold, block or
    broken payment plan).

    * ``RESUME`` (the default): the ladder continues at the first step not
      yet carried out; the steps before the due date are dropped once the
      invoice is due. The later steps keep their intervals, counted from the
      day the ladder resumed. No level is ever skipped.
    * ``HIGHEST``: only the highest overdue step goes out, up to the first
      formal or acknowledged step; the lower ones are superseded. Risky: a
      formal notice can be the first contact, without the reminders the
      practitioners' rule asks for before it.
    """

    RESUME = "resume"
    HIGHEST = "highest"


class CalendarRule:
    """Where step dates fall: the string forms used in policies.

    * ``"none"``: any calendar day.
    * ``"customer"``: the next business day in the customer's country.
    * a country code such as ``"NL"``: the next business day there.
    """

    NONE = "none"
    CUSTOMER = "customer"

    @staticmethod
    def check(value: str) -> str:
        """Return ``value`` if it is a valid calendar rule, else raise."""
        if value in (CalendarRule.NONE, CalendarRule.CUSTOMER):
            return value
        if isinstance(value, str) and len(value) == 2 and value.isalpha() and value.isupper():
            return value
        raise InvalidFieldError(
            "policy", "calendar", value, "expected 'none', 'customer' or a country code"
        )


def _tone(value: Tone | str) -> Tone:
    return Tone(value)


def _anchor(value: Anchor | str) -> Anchor:
    return Anchor(value)


def _grouping(value: Grouping | str) -> Grouping:
    return Grouping(value)


def _end(value: EndBehaviour | str) -> EndBehaviour:
    return EndBehaviour(value)


def _catch_up(value: CatchUp | str) -> CatchUp:
    return CatchUp(value)


def _fees(value: Iterable[FeeRule]) -> tuple[FeeRule, ...]:
    rules = tuple(value)
    for rule in rules:
        if not isinstance(rule, FeeRule):
            raise InvalidFieldError("step", "fees", rule, "not a fee rule (see arpolicy.fees)")
    return rules


def _str_tuple(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _profiles(value: Iterable[Profile | str]) -> frozenset[Profile]:
    return frozenset(Profile(v) for v in value)


_STEP_ACTIONS = frozenset(
    {ActionKind.REMINDER.value, ActionKind.HANDOVER.value, ActionKind.WORK_ON_HOLD.value}
)


def _channels(value: Iterable[str] | str) -> tuple[str, ...]:
    result = _str_tuple(value)
    if not result:
        raise InvalidFieldError("step", "channel", result, "a step needs at least one channel")
    return result


@attrs.frozen
class Step:
    """One rung of a dunning ladder.

    Args:
        name: unique within its policy; part of the action key.
        offset_days: days after the anchor (negative: before it).
        channels: channel names (``"email"``, ``"phone"``, ``"letter"`` ...).
        tone: courtesy, friendly, firm, formal or final.
        anchor: what the offset counts from (see :class:`Anchor`).
        template: message template key (defaults to the step name).
        fees: fee rules applied when this step fires (see :mod:`arpolicy.fees`):
            contractual fees, statutory interest, compensation, collection costs.
        deadline_days: the fresh payment deadline the notice sets, in days
            after the action date (``None``: no new deadline).
        requires_acknowledgement: the step must be received before the next
            one counts; the next step may anchor on its receipt. Catch-up
            never jumps over such a step.
        formal: a legally meaningful notice (notice of default, 14-day
            letter). Catch-up never jumps over a formal step either.
        calendar: overrides the policy's calendar rule for this step.
        action: what kind of action this is (``"reminder"``, ``"handover"``,
            ``"work_on_hold"`` ...), for channels and reports.
    """

    name: str
    offset_days: int
    channels: tuple[str, ...] = attrs.field(converter=_channels)
    tone: Tone = attrs.field(default=Tone.FRIENDLY, converter=_tone)
    anchor: Anchor = attrs.field(default=Anchor.DUE, converter=_anchor)
    template: str | None = None
    fees: tuple[FeeRule, ...] = attrs.field(default=(), converter=_fees)
    deadline_days: int | None = None
    requires_acknowledgement: bool = False
    formal: bool = False
    calendar: str | None = None
    action: str = "reminder"

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or self.name != self.name.strip():
            raise InvalidFieldError("step", "name", self.name, "must be a non-empty name")
        if isinstance(self.offset_days, bool) or not isinstance(self.offset_days, int):
            raise InvalidFieldError("step", "offset_days", self.offset_days, "must be an int")
        if self.deadline_days is not None and (
            isinstance(self.deadline_days, bool)
            or not isinstance(self.deadline_days, int)
            or self.deadline_days < 0
        ):
            raise InvalidFieldError("step", "deadline_days", self.deadline_days, "must be >= 0")
        if self.calendar is not None:
            CalendarRule.check(self.calendar)
        if self.action not in _STEP_ACTIONS:
            choices = ", ".join(repr(a) for a in sorted(_STEP_ACTIONS))
            raise InvalidFieldError("step", "action", self.action, f"expected one of {choices}")

    @property
    def template_key(self) -> str:
        """The template key, defaulting to the step name."""
        return self.template or self.name

    @property
    def pre_due(self) -> bool:
        """The step comes before the due date (a negative offset from it).

        Once the invoice is due, catch-up drops such a step, and it does not
        count as a reminder before a formal step.
        """
        return self.anchor is Anchor.DUE and self.offset_days < 0

    @property
    def mandatory(self) -> bool:
        """Catch-up may not jump over this step (formal or acknowledged)."""
        return self.formal or self.requires_acknowledgement


def _steps(value: Iterable[Step]) -> tuple[Step, ...]:
    return tuple(value)


def _caps(value: FeeCaps | None) -> FeeCaps | None:
    """Caps that cap nothing are no caps."""
    if value is not None and not value.per_invoice and not value.per_customer:
        return None
    return value


def _calendar_rule(value: str) -> str:
    return CalendarRule.check(value)


def _kinds(value: Iterable[InvoiceKind | str]) -> frozenset[InvoiceKind]:
    return frozenset(InvoiceKind(k) for k in value)


def _int_map(value: Mapping[str, int] | Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(dict(value).items()))


def _descending(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(value), reverse=True))


@attrs.frozen
class Policy:
    """An ordered ladder of steps and the rules around it.

    Args:
        name: unique within a playbook.
        profiles: the customer profiles this policy is meant for.
        steps: the ladder, in order.
        kinds: invoice kinds the policy handles (invoices by default;
            deposit requests get their own policy).
        minimum_amount: per currency; a customer whose open amount in a
            currency is below it gets no dunning in that currency.
            Currencies not listed have no minimum.
        grace_days: days added to every step anchored after the due date
            (offset > 0), per currency via ``grace_days_by_currency``.
        min_days_between: minimum days between two dunning actions for one
            customer (0: no spacing).
        calendar: ``"none"``, ``"customer"`` or a country code (see
            :class:`CalendarRule`).
        grouping: see :class:`Grouping`.
        end: see :class:`EndBehaviour`.
        repeat_every_days: the repeat interval for ``EndBehaviour.REPEAT``.
        presumed_receipt_days: business days after sending at which a step
            that requires acknowledgement is presumed received.
        description: free text for people.
        fee_caps: caps on the contractual fees per invoice and per customer
            over all actions (:class:`~arpolicy.fees.FeeCaps`), or ``None``.
        dun_interest_only: an invoice paid in full but late, whose
            statutory interest is unpaid, keeps its own ladder and is dunned
            for that interest. ``False`` (the default): it is not dunned on
            its own; its interest is claimed once, on the customer's next
            notice in its currency whose step charges statutory interest.
        closed_interest_days: for how many days after an invoice was paid in
            full its interest may still be claimed (either way above); 90 by
            default, 0 never claims interest on paid invoices.
        catch_up: what happens when several steps are overdue at once (see
            :class:`CatchUp`); ``"resume"`` by default.
        min_reminders: the reminders (steps after the due date) the policy
            means to send before its first formal step. ``None`` (not
            stated): the practitioners' three, and ``lint`` reports fewer as
            an error; a stated number makes fewer than three a warning.
    """

    name: str
    steps: tuple[Step, ...] = attrs.field(converter=_steps)
    profiles: frozenset[Profile] = attrs.field(default=frozenset(), converter=_profiles)
    kinds: frozenset[InvoiceKind] = attrs.field(
        default=frozenset({InvoiceKind.INVOICE}), converter=_kinds
    )
    minimum_amount: tuple[Money, ...] = attrs.field(default=(), converter=_money_map)
    grace_days: int = 0
    grace_days_by_currency: tuple[tuple[str, int], ...] = attrs.field(
        default=(), converter=_int_map
    )
    min_days_between: int = 0
    calendar: str = attrs.field(default=CalendarRule.NONE, converter=_calendar_rule)
    grouping: Grouping = attrs.field(default=Grouping.PER_STEP, converter=_grouping)
    end: EndBehaviour = attrs.field(default=EndBehaviour.STOP, converter=_end)
    repeat_every_days: int = 14
    presumed_receipt_days: int = 2
    description: str = ""
    fee_caps: FeeCaps | None = attrs.field(default=None, converter=_caps)
    dun_interest_only: bool = False
    closed_interest_days: int = 90
    catch_up: CatchUp = attrs.field(default=CatchUp.RESUME, converter=_catch_up)
    min_reminders: int | None = None
    _positions: dict[str, int] = attrs.field(
        init=False, repr=False, eq=False, hash=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidFieldError("policy", "name", self.name, "must not be empty")
        self._positions.update((step.name, i) for i, step in enumerate(self.steps))
        for field in (
            "grace_days",
            "min_days_between",
            "presumed_receipt_days",
            "closed_interest_days",
        ):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidFieldError("policy", field, value, "must be an int >= 0")
        if not isinstance(self.dun_interest_only, bool):
            raise InvalidFieldError(
                "policy", "dun_interest_only", self.dun_interest_only, "must be true or false"
            )
        if self.min_reminders is not None and (
            isinstance(self.min_reminders, bool)
            or not isinstance(self.min_reminders, int)
            or self.min_reminders < 0
        ):
            raise InvalidFieldError(
                "policy", "min_reminders", self.min_reminders, "must be an int >= 0"
            )
        if self.repeat_every_days < 1:
            raise InvalidFieldError(
                "policy", "repeat_every_days", self.repeat_every_days, "must be >= 1"
            )
        names = [s.name for s in self.steps]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise InvalidFieldError(
                "policy", "steps", dupes, f"duplicate step names in {self.name!r}"
            )

    def grace_for(self, currency: str) -> int:
        """The grace days for ``currency``."""
        for cur, days in self.grace_days_by_currency:
            if cur == currency:
                return days
        return self.grace_days

    def minimum_for(self, currency: str) -> Money | None:
        """The minimum amount for ``currency``, if any."""
        return _lookup(self.minimum_amount, currency)

    def step_index(self, name: str) -> int | None:
        """The position of the step called ``name``, or ``None``."""
        return self._positions.get(name)

    def letter_index(self) -> int | None:
        """The position of the consumer 14-day letter: the first step that is
        formal and requires acknowledgement (``None`` when there is none)."""
        for i, step in enumerate(self.steps):
            if step.formal and step.requires_acknowledgement:
                return i
        return None


def _policies(value: Iterable[Policy]) -> tuple[Policy, ...]:
    return tuple(value)


def _pairs(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), str(v)) for k, v in items)


@attrs.frozen
class Playbook:
    """Chooses the policy for each customer and invoice.

    Precedence, first match wins:

    1. the invoice's own ``policy`` field;
    2. the customer's ``policy`` field;
    3. ``by_tag``: the first (tag, policy) pair whose tag the customer has,
       in the order given;
    4. ``by_profile``: the policy named for the customer's profile;
    5. the first policy that lists the customer's profile.

    Deposit requests use ``deposit_policy`` when set. A plugin may override
    the choice (see :mod:`arpolicy.hookspecs`).

    Args:
        policies: the policies, names unique.
        by_profile: profile → policy name.
        by_tag: ordered (tag, policy name) pairs.
        deposit_policy: policy for deposit requests, or ``None``.
        trial_notice_days: days before a trial ends on which to notify.
        credit_hold: plan a credit-hold action when a customer exceeds its
            credit limit.
        name: for people.
    """

    policies: tuple[Policy, ...] = attrs.field(converter=_policies)
    by_profile: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    by_tag: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    deposit_policy: str | None = None
    trial_notice_days: tuple[int, ...] = attrs.field(default=(7, 1), converter=_descending)
    credit_hold: bool = True
    name: str = "playbook"
    _by_name: dict[str, Policy] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        by_name: dict[str, Policy] = {}
        for policy in self.policies:
            if policy.name in by_name:
                raise InvalidFieldError("playbook", "policies", policy.name, "duplicate policy")
            by_name[policy.name] = policy
        object.__setattr__(self, "_by_name", by_name)
        refs: list[tuple[str, str]] = [("by_profile", n) for _, n in self.by_profile]
        refs += [("by_tag", n) for _, n in self.by_tag]
        if self.deposit_policy is not None:
            refs.append(("deposit_policy", self.deposit_policy))
        for field, name in refs:
            if name not in by_name:
                raise InvalidFieldError("playbook", field, name, "no policy with that name")
        for profile, _ in self.by_profile:
            Profile(profile)

    def policy(self, name: str) -> Policy:
        """The policy called ``name`` (``KeyError`` if unknown)."""
        return self._by_name[name]

    def has_policy(self, name: str) -> bool:
        """True when a policy called ``name`` exists."""
        return name in self._by_name

    def policy_for(self, customer: Customer, invoice: Invoice | None = None) -> Policy | None:
        """The policy for ``invoice`` of ``customer`` (``None``: no policy applies)."""
        if invoice is not None and invoice.kind is InvoiceKind.DEPOSIT and self.deposit_policy:
            if invoice.policy and invoice.policy in self._by_name:
                return self._by_name[invoice.policy]
            return self._by_name[self.deposit_policy]
        for name in (invoice.policy if invoice is not None else None, customer.policy):
            if name and name in self._by_name:
                return self._by_name[name]
        for tag, name in self.by_tag:
            if tag in customer.tags:
                return self._by_name[name]
        for profile, name in self.by_profile:
            if profile == customer.profile:
                return self._by_name[name]
        for policy in self.policies:
            if customer.profile in policy.profiles:
                return policy
        return None

    def replace(self, **changes: Any) -> Playbook:
        """A copy with ``changes`` applied (see :func:`attrs.evolve`)."""
        return attrs.evolve(self, **changes)
