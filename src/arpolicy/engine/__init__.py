"""The policy engine: ``plan`` one date, ``simulate`` a period. Pure.

The engine never reads a file, a clock or an environment variable: the
ledger, the date, the playbook and the history are arguments. Customers are
planned independently of each other; their results are merged and sorted, so
the output never depends on the order of the input records.

The engine is a pipeline, one module per stage (see
``docs/explanation/engine.md``):

* :mod:`~arpolicy.engine.history`: what was already done, per customer;
* :mod:`~arpolicy.engine.candidates`: the policy of each open invoice, the
  skip rules and the step due (ladder, catch-up, calendars, deadlines);
* :mod:`~arpolicy.engine.notices`: candidates grouped into notices, spaced
  and given channel slots, and the notices' actions;
* :mod:`~arpolicy.engine.charges`: fees, caps, statutory interest,
  compensation and collection costs;
* :mod:`~arpolicy.engine.vetoes`: the plugins' action rules;
* :mod:`~arpolicy.engine.customer` ties the stages for one customer;
  :mod:`~arpolicy.engine.planning` and :mod:`~arpolicy.engine.simulation` for a
  ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..errors import InvalidFieldError
from .planning import _check_playbook, plan_ledger
from .simulation import simulate_ledger

if TYPE_CHECKING:
    from ..actions import Action, HistoryEntry, Plan
    from ..io.history_tables import HistoryTable
    from ..law import RateBook
    from ..model import Ledger
    from ..plugins import Plugins
    from ..policy import Playbook

__all__ = ["plan", "simulate"]


def _playbook(playbook: Playbook | None, plugins: Plugins | None) -> Playbook:
    """The given playbook once its channels are known to be provided, or the
    built-in one (read from the package data here, never inside the stages)."""
    if playbook is None:
        from ..playbooks import default_playbook  # noqa: PLC0415 - the facade's job

        return default_playbook()
    _check_playbook(playbook, plugins)
    return playbook


def _checked(history: Any) -> Any:
    """The history objects as given, or a history table checked
    (:class:`arpolicy.io.history_tables.Checked`)."""
    if history is None or isinstance(history, (list, tuple)):
        return history
    from ..io.history_tables import Checked, checked_rows, is_table  # noqa: PLC0415

    if isinstance(history, Checked):
        return history
    return checked_rows(history) if is_table(history) else history


def plan(
    ledger: Ledger,
    *,
    as_of: date | None = None,
    at: datetime | None = None,
    playbook: Playbook | None = None,
    history: Iterable[HistoryEntry | Action] | HistoryTable | None = None,
    rates: RateBook | None = None,
    plugins: Plugins | None = None,
) -> Plan:
    """Plan the actions due on ``as_of``, or on each customer's own date at ``at``.

    Give exactly one of ``as_of`` and ``at``. With ``as_of`` every customer
    is planned on that date. With ``at`` (an instant) each customer is
    planned on its local date at that instant, in its
    :attr:`~arpolicy.model.Customer.timezone` (``UTC`` unless the ledger says
    otherwise): at 20:00 UTC it is already tomorrow in Auckland and still
    today in Los Angeles. Each action carries its customer's date.

    Args:
        ledger: customers, invoices, payments, plans and trials.
        as_of: the date to plan for. Payments dated on or before it count.
        at: the instant to plan for, timezone-aware; each customer's date is
            the date in its time zone then, and payments dated on or before
            that date count.
        playbook: the policies; the built-in playbook when ``None``.
        history: actions already carried out (:class:`HistoryEntry` or
            :class:`Action` objects). Entries dated after the customer's date
            and failed entries are ignored.
        rates: the statutory rate tables for interest; the shipped tables
            when ``None`` (add newer rows with
            ``RateBook.shipped().merged(rows)``).
        plugins: the plugins (:class:`~arpolicy.plugins.Plugins`); the
            built-in ones only when ``None``. Their rate rows are merged over
            ``rates``; their skip rules, action rules and policy choices
            apply; observers see the finished plan.

    Returns:
        A :class:`Plan`. With ``as_of`` its actions are all dated ``as_of``.
        With ``at`` each action is dated its customer's local date, and the
        plan's ``as_of`` is the date of ``at`` in ``at``'s own time zone.

    Raises:
        InvalidFieldError: neither or both of ``as_of`` and ``at`` are given,
            ``as_of`` is not a date, or ``at`` is not a timezone-aware
            datetime.
        UnknownChannelError: a step of ``playbook`` names a channel no plugin
            provides (``plugins``, or the built-in ones), with the closest
            known names ("did you mean 'email'?").
        PluginError: a plugin failed (no partial plan is returned).
    """
    return plan_ledger(
        ledger,
        as_of=as_of,
        at=at,
        playbook=_playbook(playbook, plugins),
        history=_checked(history),
        rates=rates,
        plugins=plugins,
    )


def simulate(
    ledger: Ledger,
    *,
    start: date,
    end: date,
    playbook: Playbook | None = None,
    history: Iterable[HistoryEntry | Action] | HistoryTable | None = None,
    rates: RateBook | None = None,
    plugins: Plugins | None = None,
) -> Plan:
    """Every action from ``start`` to ``end`` (inclusive), each carried out on its date.

    The result equals calling :func:`plan` for every day from ``start`` to
    ``end`` with the history growing by each day's actions (received on
    their presumed-receipt day), but the engine jumps from event to event
    instead of visiting every day.

    Args are those of :func:`plan`, with ``start`` and ``end`` instead of
    ``as_of``.

    Returns:
        A :class:`Plan` with ``as_of=end``: all actions of the period, and
        what was skipped on ``end``.

    Raises:
        UnknownChannelError: as for :func:`plan`.
    """
    if end < start:
        raise InvalidFieldError("simulate", "end", end, f"is before start {start.isoformat()}")
    from ..io.history_tables import history_entries  # noqa: PLC0415 - a table's reader

    return simulate_ledger(
        ledger,
        start=start,
        end=end,
        playbook=_playbook(playbook, plugins),
        history=history_entries(history),
        rates=rates,
        plugins=plugins,
    )
