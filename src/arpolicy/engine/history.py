"""What was already done, per customer, as of the planning date.

The history (:class:`~arpolicy.actions.HistoryEntry` or
:class:`~arpolicy.actions.Action` objects) is indexed once per planning date;
entries dated later and failed entries are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import attrs

from ..actions import (
    Action,
    HistoryEntry,
    HistoryStatus,
)
from ..errors import InvalidFieldError
from ..model import (
    Ledger,
)
from ..money import Money


@attrs.define
class _CustomerHistory:
    """What was already done for one customer, as of the planning date."""

    # invoice id -> step name -> [(sent, received_on)]
    steps: dict[str, dict[str, list[tuple[date, date | None]]]] = attrs.field(factory=dict)
    keys: set[str] = attrs.field(factory=set)
    dunning_dates: list[date] = attrs.field(factory=list)
    slots: set[tuple[str, str, date]] = attrs.field(factory=set)  # channel, currency, date
    # invoice id -> (date, channel) of the first dunning action about it
    first: dict[str, tuple[date, str]] = attrs.field(factory=dict)
    # contractual fees charged so far: per invoice, and per currency
    fees_by_invoice: dict[str, Money] = attrs.field(factory=dict)
    fees_by_currency: dict[str, Money] = attrs.field(factory=dict)

    def add(self, entry: HistoryEntry, currency: str, *, today: bool = True) -> None:
        """Record ``entry``; ``today`` says whether it is dated on the planning day.

        Only actions of the planning day take a channel slot, so older entries
        (most of a long history) skip that bookkeeping.
        """
        self.keys.add(entry.key)
        if today:
            self.slots.add((entry.channel, currency, entry.date))
        invoice_ids = entry.invoice_ids
        if invoice_ids:
            self.dunning_dates.append(entry.date)
            record = (entry.date, entry.received_on)
            steps = self.steps
            first = self.first
            sent = (entry.date, entry.channel)
            for iid in invoice_ids:
                done = steps.get(iid)
                if done is None:
                    steps[iid] = {entry.step: [record]}
                else:
                    done.setdefault(entry.step, []).append(record)
                known = first.get(iid)
                if known is None or sent < known:
                    first[iid] = sent
            if entry.fees is not None and entry.fees.amount:
                self._add_fees(entry.fees, invoice_ids)

    def _add_fees(self, fees: Money, invoice_ids: Sequence[str]) -> None:
        by_invoice = self.fees_by_invoice
        for iid in invoice_ids:
            known = by_invoice.get(iid)
            by_invoice[iid] = fees if known is None else known + fees
        known = self.fees_by_currency.get(fees.currency)
        self.fees_by_currency[fees.currency] = fees if known is None else known + fees

    def last_dunning_before(self, day: date) -> date | None:
        found = [d for d in self.dunning_dates if d < day]
        return max(found) if found else None


_EMPTY_HISTORY = _CustomerHistory()


def _entry_of(item: HistoryEntry | Action) -> HistoryEntry:
    if type(item) is HistoryEntry:
        return item
    if isinstance(item, Action):
        return HistoryEntry.from_action(item)
    if isinstance(item, HistoryEntry):
        return item
    raise InvalidFieldError("history", "entry", item, "expected a HistoryEntry or an Action")


def _currency_of(entry: HistoryEntry, ledger: Ledger) -> str:
    if entry.currency:
        return entry.currency
    for iid in entry.invoice_ids:
        try:
            return ledger.invoice(iid).currency
        except KeyError:
            continue
    return ""


def _index_history(
    entries: Iterable[HistoryEntry], ledger: Ledger, as_of: date
) -> dict[str, _CustomerHistory]:
    index: dict[str, _CustomerHistory] = {}
    failed = HistoryStatus.FAILED
    for entry in entries:
        day = entry.date
        if day > as_of or entry.status is failed:
            continue
        ch = index.get(entry.customer_id)
        if ch is None:
            ch = index[entry.customer_id] = _CustomerHistory()
        today = day == as_of
        ch.add(entry, _currency_of(entry, ledger) if today else "", today=today)
    return index


def _first_sending(records: Sequence[tuple[date, date | None]]) -> tuple[date, date | None]:
    """The first sending of a step, with its recorded receipt (the earliest
    one recorded for that day; ``None`` when none was recorded).

    Several records of one day may differ in their receipt: one recorded,
    one not. (Comparing the pairs themselves would compare a date with
    ``None``.)
    """
    sent = min(day for day, _ in records)
    receipts = [r for day, r in records if day == sent and r is not None]
    return sent, (min(receipts) if receipts else None)
