"""What the engine produces: actions, skipped items, history and the plan.

All types are immutable. :class:`Action` keys are stable: derived from the
customer, the currency, the invoices, the step and the channel, never from
memory addresses or the time of the run, so a host can use them for
exactly-once delivery.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import attrs

from .fees import Charge, ChargeKind
from .money import Money

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "Action",
    "ActionKind",
    "HistoryEntry",
    "HistoryStatus",
    "Plan",
    "Reason",
    "SkipReason",
    "Skipped",
    "action_key",
]


class ActionKind(enum.StrEnum):
    """What an action is about."""

    REMINDER = "reminder"
    HANDOVER = "handover"
    WORK_ON_HOLD = "work_on_hold"
    TRIAL_NOTICE = "trial_notice"
    CREDIT_HOLD = "credit_hold"
    PLAN_BROKEN = "plan_broken"


class SkipReason(enum.StrEnum):
    """Why an open invoice (or one of its steps) got no action."""

    NOT_DUE = "not_due"
    DISPUTED = "disputed"
    ON_HOLD = "on_hold"
    BLOCKED = "blocked"
    BELOW_MINIMUM = "below_minimum"
    PAUSED_BY_PLAN = "paused_by_plan"
    SUPERSEDED = "superseded"
    DROPPED = "dropped"
    """A step before the due date that catch-up ``resume`` drops once the invoice is due."""
    ALREADY_DONE = "already_done"
    LADDER_COMPLETE = "ladder_complete"
    DEFERRED = "deferred"
    NO_POLICY = "no_policy"
    RULE = "rule"
    """A plugin's skip rule (the detail names the rule)."""
    VETOED = "vetoed"
    """A plugin's action rule removed the planned action."""


def _facts(
    value: Mapping[str, object] | Iterable[tuple[str, object]],
) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(x)) for k, x in dict(value).items()))


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class Reason:
    """Why something happened, in words and as data.

    Attributes:
        code: a stable machine-readable code (``"step_due"``, ``"catch_up"`` ...).
        text: a sentence for people.
        data: the facts, as sorted ``(name, value)`` string pairs.
    """

    code: str
    text: str
    data: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_facts)

    def get(self, name: str) -> str | None:
        """The value of fact ``name``."""
        return dict(self.data).get(name)


def action_key(
    customer_id: str,
    step: str,
    channel: str,
    *,
    currency: str = "",
    invoice_ids: Iterable[str] = (),
    subject: str = "",
) -> str:
    """The stable idempotency key of an action.

    ``subject`` distinguishes actions that are not about invoices (a trial,
    a credit breach, a plan) and repeats of a step.

    >>> action_key("C1", "call", "phone", currency="EUR", invoice_ids=["I2", "I1"])
    'ap1-49b27c068ea2a21528ba'
    """
    parts = [customer_id, currency, step, channel, subject, *sorted(invoice_ids)]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return "ap1-" + digest[:20]


@attrs.frozen
class Action:
    """One dated thing to do for a customer.

    Attributes:
        date: the day to carry it out.
        customer_id: the customer.
        invoice_ids: the invoices it is about (sorted; empty for trial
            notices and credit holds).
        step: the step name.
        level: the step's position in its policy, from 1 (0 for actions
            outside a ladder such as trial notices).
        channel: the channel that carries it out.
        tone: how it speaks.
        kind: what it is about (see :class:`ActionKind`).
        policy: the policy it comes from (empty outside a ladder).
        amount_due: the open amount of the listed invoices, or ``None``.
        fees: fees charged with this action, or ``None`` when no fee applies.
        deadline: the fresh payment deadline, or ``None``.
        key: the stable idempotency key.
        reasons: why it was planned.
        template: the message template key.
        requires_acknowledgement: the host should record when it is received.
        formal: a legally meaningful notice.
        charges: what the action asks for on top of the principal: fees,
            statutory interest to the day before its date, fixed
            compensation and collection costs, each with the rule and rate
            that produced it (see :mod:`arpolicy.fees`); costs that are only
            announced (a 14-day letter) are marked ``announced``. Only the
            first channel of a step carries them.
    """

    date: dt.date
    customer_id: str
    invoice_ids: tuple[str, ...]
    step: str
    level: int
    channel: str
    tone: str
    kind: ActionKind
    policy: str
    amount_due: Money | None
    fees: Money | None
    deadline: dt.date | None
    key: str
    reasons: tuple[Reason, ...]
    template: str = ""
    requires_acknowledgement: bool = False
    formal: bool = False
    charges: tuple[Charge, ...] = ()

    @property
    def currency(self) -> str | None:
        """The currency of the amounts, if any."""
        return self.amount_due.currency if self.amount_due is not None else None

    def _charged(self, kind: ChargeKind) -> Money | None:
        found = [c.amount for c in self.charges if c.kind is kind and not c.announced]
        if not found:
            return None
        return Money.total(found, found[0].currency)

    @property
    def principal(self) -> Money | None:
        """The open principal of the listed invoices (same as ``amount_due``)."""
        return self.amount_due

    @property
    def interest(self) -> Money | None:
        """Statutory interest to date, or ``None`` when none is charged."""
        return self._charged(ChargeKind.INTEREST)

    @property
    def compensation(self) -> Money | None:
        """Fixed compensation, or ``None``."""
        return self._charged(ChargeKind.COMPENSATION)

    @property
    def collection_costs(self) -> Money | None:
        """Collection costs charged (not merely announced), or ``None``."""
        return self._charged(ChargeKind.COLLECTION_COSTS)

    @property
    def total_due(self) -> Money | None:
        """Principal plus every charge that is not merely announced."""
        if self.amount_due is None:
            return None
        extra = [c.amount for c in self.charges if not c.announced]
        return Money.total([self.amount_due, *extra], self.amount_due.currency)

    def sort_key(self) -> tuple[dt.date, str, int, str, str, str]:
        """The order of actions in a plan."""
        return (self.date, self.customer_id, self.level, self.step, self.channel, self.key)


class Skipped(NamedTuple):
    """An open invoice (or one of its steps) that got no action, and why.

    Attributes:
        customer_id: the customer.
        invoice_id: the invoice.
        reason: a :class:`SkipReason`.
        detail: a sentence for people.
        step: the step concerned, when the reason is about one step.
    """

    customer_id: str
    invoice_id: str
    reason: SkipReason
    detail: str
    step: str | None = None


class HistoryStatus(enum.StrEnum):
    """What became of an action that was carried out."""

    ISSUED = "issued"
    FAILED = "failed"


@attrs.frozen
class HistoryEntry:
    """An action that was already carried out.

    Only ``key``, ``date``, ``customer_id``, ``step`` and ``invoice_ids`` are
    needed; ``received_on`` records the day the customer received it (used
    to anchor the next step). A ``FAILED`` entry does not count as done.
    ``fees`` records the contractual fees the action charged, so that a
    policy's fee caps hold over all actions. ``deadline`` is the payment
    deadline the action stated (listed in an agency hand-over).
    """

    key: str
    date: dt.date
    customer_id: str
    step: str
    invoice_ids: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    channel: str = ""
    currency: str = ""
    received_on: dt.date | None = None
    status: HistoryStatus = attrs.field(default=HistoryStatus.ISSUED, converter=HistoryStatus)
    fees: Money | None = None
    deadline: dt.date | None = None

    @classmethod
    def from_action(
        cls,
        action: Action,
        *,
        received_on: dt.date | None = None,
        status: HistoryStatus = HistoryStatus.ISSUED,
    ) -> HistoryEntry:
        """Record ``action`` as carried out on its date."""
        return cls(
            action.key,
            action.date,
            action.customer_id,
            action.step,
            action.invoice_ids,
            action.channel,
            action.currency or "",
            received_on,
            status,
            action.fees,
            action.deadline,
        )


@attrs.frozen
class Plan:
    """The engine's answer: actions to carry out and what was left alone.

    Attributes:
        as_of: the date planned for (the last date for a simulation).
        actions: sorted by date, customer, level, step, channel, key.
        skipped: every open invoice without an action (and superseded steps),
            sorted by customer, invoice, step.
    """

    as_of: dt.date
    actions: tuple[Action, ...]
    skipped: tuple[Skipped, ...]

    def for_customer(self, customer_id: str) -> tuple[Action, ...]:
        """The actions of one customer."""
        return tuple(a for a in self.actions if a.customer_id == customer_id)

    def skipped_by_reason(self) -> Mapping[SkipReason, int]:
        """How many skipped entries there are per reason."""
        counts: dict[SkipReason, int] = {}
        for item in self.skipped:
            counts[item.reason] = counts.get(item.reason, 0) + 1
        return dict(sorted(counts.items()))

    def as_history(self) -> tuple[HistoryEntry, ...]:
        """The actions as history entries, as if each was carried out on its date."""
        return tuple(HistoryEntry.from_action(a) for a in self.actions)

    def to_polars(self, which: Literal["actions", "skipped"] = "actions") -> pl.DataFrame:
        """The actions (one row each) or the skipped entries as a Polars table.

        The columns, their types and units are listed in
        :mod:`arpolicy.plan_tables` and the "Result tables" reference page.
        Amounts are ``Int64`` minor units with a ``minor_digits`` column,
        never floats. Rows are in the plan's order; the same plan always
        gives the same table.

        Raises:
            ValueError: ``which`` is neither ``"actions"`` nor ``"skipped"``.
        """
        from .plan_tables import plan_table  # noqa: PLC0415 - it imports this module

        return plan_table(self.actions, self.skipped, which)

    def to_arrow(self, which: Literal["actions", "skipped"] = "actions") -> Any:
        """:meth:`to_polars` as a ``pyarrow.Table`` (needs pyarrow installed).

        Raises:
            MissingExtraError: pyarrow is not installed
                (``pip install 'arpolicy[arrow]'``).
            ValueError: ``which`` is neither ``"actions"`` nor ``"skipped"``.
        """
        from .plan_tables import plan_arrow  # noqa: PLC0415 - it imports this module

        return plan_arrow(self.to_polars(which))
