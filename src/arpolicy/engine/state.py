"""The records passed between the stages: a customer's result and a candidate."""

from __future__ import annotations

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
