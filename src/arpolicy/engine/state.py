"""The records passed between the stages: a customer's result and a candidate."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import attrs

from ..actions import (
    Action,
    Skipped,
)
from ..model import (
    Invoice,
)
from ..money import Money
from ..policy import Policy
from ..rules import Skip, Veto

_ONE_DAY = timedelta(days=1)


@attrs.define
class _Result:
    actions: list[Action] = attrs.field(factory=list)
    skipped: list[Skipped] = attrs.field(factory=list)
    wake: date | None = None  # earliest future date at which the output may change

    def wake_at(self, day: date | None) -> None:
        if day is not None and (self.wake is None or day < self.wake):
            self.wake = day


@attrs.define
class _DayBatch:
    """The batch rules' answers for one planning date (:mod:`.batch`).

    ``skips``: ``arpolicy_skip_invoices`` answers by plugin and invoice id;
    ``vetoes``: ``arpolicy_adjust_actions`` answers by plugin and action key;
    ``actions``: a plugin implements ``arpolicy_adjust_actions`` (then the
    per-customer stages hand their proposals to the driver before the action
    rules run).
    """

    skips: Mapping[str, Mapping[str, Skip]] = attrs.field(factory=dict)
    vetoes: dict[str, dict[str, Veto]] = attrs.field(factory=dict)
    actions: bool = False


@attrs.frozen
class _Prepared:
    """A customer's open items and their policies, found before the
    per-customer stages (for the batch skip rules' table)."""

    balances: dict[str, Money]
    own: frozenset[str]
    chosen: dict[str, Policy | str]


@attrs.define
class _Candidate:
    """An invoice whose step is due today."""

    invoice: Invoice
    balance: Money
    policy: Policy
    index: int
    scheduled: date
    superseded: list[int]
    dropped: list[int]
    repeat: int = 0
