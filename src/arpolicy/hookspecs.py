"""The hooks arpolicy plugins implement (specifications only).

A plugin is a module or object with functions named after these hooks and
marked with :data:`arpolicy.plugins.hookimpl`. It reaches arpolicy through the
``arpolicy`` entry-point group, or directly through
``make_plugin_manager(plugins=[...])``. Every hook is documented, with an
example, in ``docs/reference/hooks.md``.

Order never depends on registration: where results are combined, arpolicy
sorts them by name; where the first answer wins, it asks the built-in plugins
first, then the others in the order of their plugin names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

import pluggy

from .actions import Action, Plan
from .calendar import BusinessCalendar
from .channels import Channel
from .credit import CreditScore
from .fees import FeeRule
from .law import RateRow
from .model import Customer, Invoice, Ledger
from .policy import Playbook
from .rules import ActionContext, CustomerContext, ExtraActions, InvoiceContext, Skip, Veto

if TYPE_CHECKING:  # Polars is imported only when a batch hook is called
    import polars as pl

__all__ = [
    "arpolicy_adjust_action",
    "arpolicy_adjust_actions",
    "arpolicy_credit_score",
    "arpolicy_customer_actions",
    "arpolicy_observe_plan",
    "arpolicy_register_calendars",
    "arpolicy_register_channels",
    "arpolicy_register_fee_rules",
    "arpolicy_register_rates",
    "arpolicy_register_templates",
    "arpolicy_select_policy",
    "arpolicy_skip_invoice",
    "arpolicy_skip_invoices",
    "hookspec",
]

PROJECT = "arpolicy"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
"""Mark a plugin function as the implementation of a hook (also
:data:`arpolicy.plugins.hookimpl`)."""


@hookspec
def arpolicy_register_channels() -> Sequence[Channel]:
    """Channels this plugin provides.

    Returns:
        :class:`~arpolicy.channels.Channel` objects. Two plugins providing a
        channel of the same name is an error naming both.
    """
    raise NotImplementedError  # a specification: plugins implement it


@hookspec
def arpolicy_register_fee_rules() -> Sequence[type[FeeRule]]:
    """Fee-rule classes that policy files may name with ``kind``.

    Each class has a class attribute ``kind_name`` (the ``kind`` value), a
    class method ``from_table(table)`` building a rule from the TOML table's
    other keys, and a method ``to_table()`` giving them back.

    Returns:
        :class:`~arpolicy.fees.FeeRule` subclasses.
    """
    raise NotImplementedError  # a specification: plugins implement it


@hookspec
def arpolicy_register_rates() -> Sequence[RateRow]:
    """Statutory rate rows to merge over the shipped tables.

    Returns:
        :class:`~arpolicy.law.RateRow` objects; a row replaces a shipped row
        of the same table and date. Two plugins giving different rates for
        one table and date is an error naming both.
    """
    raise NotImplementedError  # a specification: plugins implement it


@hookspec
def arpolicy_register_calendars() -> Sequence[BusinessCalendar]:
    """Business calendars that replace the standard calendar of their country.

    Returns:
        :class:`~arpolicy.calendar.BusinessCalendar` objects, each with its
        ``country`` (for example the country's public holidays plus your
        own bank holidays in ``extra_holidays``). Two plugins giving a
        calendar for one country is an error naming both.
    """
    raise NotImplementedError  # a specification: plugins implement it


@hookspec
def arpolicy_register_templates() -> Mapping[str, str] | None:
    """Message templates this plugin provides (see :mod:`arpolicy.messages`).

    Returns:
        Template sources by name (``"en/reminder"``,
        ``"nl/layouts/email.html"``), or ``None``. A plugin's template
        replaces the built-in template of that name; a template in the
        user's directory replaces the plugin's. Two plugins giving a
        template of one name is an error naming both.
    """
    raise NotImplementedError  # a specification: plugins implement it


@hookspec(firstresult=True)
def arpolicy_select_policy(customer: Customer, invoice: Invoice, playbook: Playbook) -> str | None:
    """Choose the policy for an invoice, overriding the playbook.

    Args:
        customer: the customer.
        invoice: the open invoice.
        playbook: the playbook in use.

    Returns:
        The name of a policy of ``playbook``, or ``None`` to let the next
        plugin (or the playbook) decide.
    """


@hookspec(firstresult=True)
def arpolicy_skip_invoice(context: InvoiceContext) -> Skip | None:
    """Keep an open invoice out of today's dunning.

    Args:
        context: the invoice, its customer, balance, policy and the day.

    Returns:
        A :class:`~arpolicy.rules.Skip` with the reason, or ``None``. The
        first answer wins: built-in rules (blocks, disputes, holds, payment
        plans, minimum amounts) are asked first, then plugins by name.
    """


@hookspec
def arpolicy_adjust_action(action: Action, context: ActionContext) -> Action | Veto | None:
    """Change or remove a planned action (chained, wrapper style).

    Implementations are called one after the other, built-in plugins first,
    then by plugin name; each receives the action as the previous one left
    it.

    Args:
        action: the planned action.
        context: its customer, the day and its invoices.

    Returns:
        A changed :class:`~arpolicy.actions.Action` (same key), a
        :class:`~arpolicy.rules.Veto` to remove it, or ``None`` to leave it.
    """


@hookspec
def arpolicy_skip_invoices(invoices: pl.DataFrame, as_of: date) -> pl.DataFrame | None:
    """Keep open invoices out of dunning, a table at a time (the batch
    variant of :func:`arpolicy_skip_invoice`).

    Called once per planning date (per local date with ``plan(at=...)``)
    before the per-customer stages, with every open invoice that has a
    policy on that date, including those a built-in rule will skip. Its
    answer takes the plugin's place in the order of skip rules: an invoice
    it names is skipped unless a built-in rule, or a plugin whose name
    sorts first, skips it already.

    Args:
        invoices: one row per invoice, sorted by ``customer_id`` and
            ``invoice_id``; the columns of
            :data:`arpolicy.batch_tables.INVOICE_COLUMNS` (amounts in minor
            units, ``Int64``).
        as_of: the planning day.

    Returns:
        A table with one row per invoice to skip: ``invoice_id``,
        ``reason`` (a :class:`~arpolicy.actions.SkipReason` value),
        ``detail`` and, optionally, ``until`` (a ``Date`` or null); or
        ``None`` (skip nothing).
    """


@hookspec
def arpolicy_adjust_actions(actions: pl.DataFrame, as_of: date) -> pl.DataFrame | None:
    """Veto planned actions, a table at a time (the batch variant of
    :func:`arpolicy_adjust_action`, for vetoes).

    Called once per planning date (per local date with ``plan(at=...)``)
    with every action the stages propose on that date, before any action
    rule changes them; again, with the new proposals only, for customers
    planned again past vetoed steps. A veto takes the plugin's place in
    the chain of action rules.

    Args:
        actions: the proposed actions, one row each, in the columns of
            :data:`arpolicy.plan_tables.ACTION_COLUMNS` (``Plan.to_polars()``).
        as_of: the planning day.

    Returns:
        A table with one row per action to veto: ``key`` and ``detail``;
        or ``None`` (veto nothing).
    """


@hookspec
def arpolicy_customer_actions(context: CustomerContext) -> ExtraActions | None:
    """Plan actions outside the dunning ladder for a customer.

    The built-in ``arpolicy.rules`` plugin plans here the notice that a
    payment plan broke, the internal credit-hold task when the customer owes
    more than its credit limit, and the notices before a trial ends. The
    actions of every plugin are combined (built-ins first, then by plugin
    name); they take their channel's slot for the day before the ladder's.

    Args:
        context: the customer, its open balances and plans, the keys of the
            actions already carried out, the playbook and the day.

    Returns:
        An :class:`~arpolicy.rules.ExtraActions`, or ``None``. Two plugins
        planning an action with the same key is an error naming both.
    """


@hookspec(firstresult=True)
def arpolicy_credit_score(customer: Customer, ledger: Ledger, as_of: date) -> CreditScore | None:
    """Supply an external credit score for a customer (a credit check).

    The score joins the customer's payment behaviour score in
    :func:`arpolicy.credit.recommend`: the lower of the two is used. The
    engine asks for it when the playbook's ``credit_hold`` is on, so it can
    drive the built-in credit-hold action. Answer from data you hold (a
    cached agency report): the engine may ask once per customer and day.

    Args:
        customer: the customer.
        ledger: the ledger.
        as_of: the day of the check.

    Returns:
        A :class:`~arpolicy.credit.CreditScore`, or ``None`` to let the next
        plugin answer. The first answer wins: built-in plugins (which give
        none) first, then plugins by name.
    """


@hookspec
def arpolicy_observe_plan(plan: Plan) -> None:
    """See a finished plan (for logging and metrics); the answer is ignored.

    Args:
        plan: the plan :func:`~arpolicy.engine.plan` or
            :func:`~arpolicy.engine.simulate` is about to return.
    """
