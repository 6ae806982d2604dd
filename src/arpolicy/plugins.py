"""Plugins: the plugin manager factory and the typed facade the engine uses.

:func:`make_plugin_manager` builds a fresh :class:`pluggy.PluginManager` on
every call (there is no global one): the built-in plugins first, then the
plugins you pass, then those of the ``arpolicy`` entry-point group; names in
``disable`` (by default the comma-separated ``ARPOLICY_DISABLE_PLUGINS``
environment variable) are blocked; ``check_pending()`` makes a misspelled hook
fail at once. :class:`Plugins` wraps the manager with typed methods and
deterministic order, and is what ``plan(..., plugins=...)`` takes.

>>> from arpolicy.plugins import Plugins, make_plugin_manager
>>> plugins = Plugins(make_plugin_manager(entry_points=False))
>>> print(", ".join(plugins.channels()))
agency, email, internal, letter, payment_link, phone, portal, registered_letter, sms, whatsapp
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs
import pluggy

from . import hookspecs
from .actions import Action, Plan
from .calendar import BusinessCalendar
from .channels import Channel, Payload, RenderContext, close_names
from .credit import CreditScore
from .errors import DuplicateNameError, InvalidFieldError, PluginError, UnknownChannelError
from .fees import FeeRule
from .law import RateBook, RateRow
from .model import Customer, Invoice, Ledger
from .policy import Playbook
from .rules import ActionContext, CustomerContext, ExtraActions, InvoiceContext, Skip, Veto

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "BUILTIN_PLUGINS",
    "DISABLE_ENV",
    "PluginInfo",
    "Plugins",
    "builtin_plugins",
    "hookimpl",
    "make_plugin_manager",
]

hookimpl = hookspecs.hookimpl
"""Mark a plugin function as the implementation of a hook."""

DISABLE_ENV: Final = "ARPOLICY_DISABLE_PLUGINS"
"""Environment variable: comma-separated plugin names not to load."""

ENTRY_POINT_GROUP: Final = "arpolicy"

BUILTIN_PLUGINS: Final = ("arpolicy.channels", "arpolicy.rules")
"""Names of the built-in plugins, registered first (and disabled like any other)."""

_T = TypeVar("_T")

_BATCH: Final = {
    "arpolicy_skip_invoice": "arpolicy_skip_invoices",
    "arpolicy_adjust_action": "arpolicy_adjust_actions",
}
"""The batch variant of each per-row hook."""

SkipAnswers = Mapping[str, Mapping[str, Skip]]
"""The batch skip rules' answers: by plugin name, the skip of each invoice id."""

VetoAnswers = Mapping[str, Mapping[str, Veto]]
"""The batch action rules' answers: by plugin name, the veto of each action key."""


def _builtin_modules() -> dict[str, object]:
    from .builtins import channels, rules  # noqa: PLC0415 - imported on first use

    return {"arpolicy.channels": channels, "arpolicy.rules": rules}


def _disabled_from_env() -> tuple[str, ...]:
    raw = os.environ.get(DISABLE_ENV, "")
    return tuple(name.strip() for name in raw.split(",") if name.strip())


def make_plugin_manager(
    *,
    plugins: Iterable[object] = (),
    entry_points: bool = True,
    disable: Iterable[str] | None = None,
    trace: Callable[[str], None] | None = None,
) -> pluggy.PluginManager:
    """A new plugin manager with the built-in plugins and yours.

    Args:
        plugins: plugin modules or objects to register after the built-ins
            (named by their ``__name__`` or class name unless they have an
            ``arpolicy_plugin_name`` attribute).
        entry_points: also load the ``arpolicy`` entry-point group (installed
            plugin distributions).
        disable: plugin names to block (built-in or not); ``None`` reads the
            ``ARPOLICY_DISABLE_PLUGINS`` environment variable.
        trace: a function that receives pluggy's hook-call trace lines.

    Returns:
        The manager, checked: an implementation of a hook that does not exist
        raises :class:`pluggy.PluginValidationError`.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in _disabled_from_env() if disable is None else disable:
        pm.set_blocked(name)
    for name, module in _builtin_modules().items():
        if not pm.is_blocked(name):
            pm.register(module, name=name)
    for plugin in plugins:
        name = _plugin_name(plugin)
        if not pm.is_blocked(name):
            pm.register(plugin, name=name)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    pm.check_pending()
    if trace is not None:
        pm.trace.root.setwriter(trace)
        pm.enable_tracing()
    return pm


def _plugin_name(plugin: object) -> str:
    name = getattr(plugin, "arpolicy_plugin_name", None)
    if isinstance(name, str) and name:
        return name
    name = getattr(plugin, "__name__", None)
    if isinstance(name, str) and name:
        return name
    return type(plugin).__name__


@attrs.frozen
class PluginInfo:
    """One active plugin, for listings.

    Attributes:
        name: the plugin's name.
        source: ``"built-in"``, ``"entry point of <distribution> <version>"``
            or ``"registered in code"``.
        hooks: the hooks it implements, sorted.
    """

    name: str
    source: str
    hooks: tuple[str, ...]


class Plugins:
    """A typed, deterministic view of a plugin manager, as the engine uses it.

    Registered things (channels, fee rules, rate rows) are collected once and
    sorted by name. Hooks where the first answer wins, or that are chained,
    call the built-in plugins first and then the others by plugin name, so
    the outcome never depends on registration or discovery order. A plugin
    that raises becomes a :class:`~arpolicy.errors.PluginError` naming the
    plugin and what it was working on.

    Args:
        manager: a manager from :func:`make_plugin_manager`.
    """

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self._pm = manager
        self._channels: dict[str, tuple[Channel, str]] | None = None
        self._fee_rules: dict[str, tuple[type[FeeRule], str]] | None = None
        self._rates: tuple[RateRow, ...] | None = None
        self._calendars: dict[str, tuple[BusinessCalendar, str]] | None = None
        self._templates: dict[str, tuple[str, str]] | None = None
        self._impls: dict[str, list[tuple[str, Callable[..., Any]]]] = {}
        self._chains: dict[str, list[tuple[str, Callable[..., Any] | None]]] = {}

    @property
    def manager(self) -> pluggy.PluginManager:
        """The underlying pluggy manager."""
        return self._pm

    # -- ordering ------------------------------------------------------------

    def _ordered(self, hook: str) -> list[tuple[str, Callable[..., Any]]]:
        """The implementations of ``hook``: built-ins first, then by plugin name."""
        found = self._impls.get(hook)
        if found is None:
            caller = getattr(self._pm.hook, hook)
            impls = caller.get_hookimpls()
            spec = caller.spec
            every = tuple(spec.argnames) if spec is not None else ()
            found = [
                (
                    impl.plugin_name,
                    impl.function if tuple(impl.argnames) == every else _by_name(impl),
                )
                for impl in sorted(impls, key=lambda i: _order_key(i.plugin_name))
            ]
            self._impls[hook] = found
        return found

    def _collect(self, hook: str) -> list[tuple[str, Any]]:
        """Every item registered through ``hook``, with its plugin's name."""
        items: list[tuple[str, Any]] = []
        for plugin, function in self._ordered(hook):
            result = _call(plugin, hook, "", function)
            for item in result or ():
                items.append((plugin, item))
        return items

    def _chain(self, hook: str) -> list[tuple[str, Callable[..., Any] | None]]:
        """The rules of a per-row ``hook`` and of its batch variant (``None``
        stands for a plugin's batch answer), in one order: built-ins first,
        then by plugin name; a plugin implementing both answers per row first."""
        found = self._chains.get(hook)
        if found is None:
            found = list(self._ordered(hook))
            found += [(plugin, None) for plugin, _ in self._ordered(_BATCH[hook])]
            found.sort(key=lambda p: (_order_key(p[0]), p[1] is None))
            self._chains[hook] = found
        return found

    def has_action_rules(self) -> bool:
        """Whether any plugin implements ``arpolicy_adjust_action`` or
        ``arpolicy_adjust_actions``."""
        return bool(self._chain("arpolicy_adjust_action"))

    def batch_hooks(self) -> tuple[bool, bool]:
        """Whether any plugin implements ``arpolicy_skip_invoices``, and
        whether any implements ``arpolicy_adjust_actions``."""
        return (
            bool(self._ordered("arpolicy_skip_invoices")),
            bool(self._ordered("arpolicy_adjust_actions")),
        )

    def custom_rules(self) -> bool:
        """Whether a plugin other than the built-ins decides about invoices or
        actions (then :func:`~arpolicy.engine.simulate` looks at every day)."""
        hooks = (
            "arpolicy_skip_invoice",
            "arpolicy_skip_invoices",
            "arpolicy_adjust_action",
            "arpolicy_adjust_actions",
            "arpolicy_select_policy",
            "arpolicy_customer_actions",
            "arpolicy_credit_score",
        )
        return any(
            plugin not in BUILTIN_PLUGINS for hook in hooks for plugin, _ in self._ordered(hook)
        )

    def batch_skips_only(self) -> bool:
        """Whether the built-in rules decide with batch skip rules alone
        (``arpolicy_skip_invoices``): no other hook of a plugin of one's own
        decides anything and no plugin brings calendars (then the engine may
        still screen a large ledger column by column, asking the batch rules
        once with every open invoice)."""
        registered = {plugin for plugin, _ in self._ordered("arpolicy_skip_invoice")}
        hooks = (
            "arpolicy_skip_invoice",
            "arpolicy_adjust_action",
            "arpolicy_adjust_actions",
            "arpolicy_select_policy",
            "arpolicy_customer_actions",
            "arpolicy_credit_score",
        )
        custom = any(
            plugin not in BUILTIN_PLUGINS for hook in hooks for plugin, _ in self._ordered(hook)
        )
        return "arpolicy.rules" in registered and not custom and not self.calendars()

    def builtin_rules_only(self) -> bool:
        """Whether the built-in rules decide alone: they are registered (not
        disabled), no other plugin decides about invoices, actions, policies
        or credit, and no plugin brings its own business calendars (then the
        engine may screen a large ledger column by column)."""
        registered = {plugin for plugin, _ in self._ordered("arpolicy_skip_invoice")}
        return "arpolicy.rules" in registered and not self.custom_rules() and not self.calendars()

    # -- registries ----------------------------------------------------------

    def channels(self) -> Mapping[str, Channel]:
        """Every registered channel by name, sorted."""
        return {name: channel for name, (channel, _) in self._channel_table().items()}

    def channel_sources(self) -> Mapping[str, str]:
        """The plugin that registered each channel."""
        return {name: plugin for name, (_, plugin) in self._channel_table().items()}

    def check_channels(self, playbook: Playbook) -> None:
        """Refuse a playbook whose steps name a channel no plugin provides.

        Raises:
            UnknownChannelError: the first such step (in the playbook's
                order), with the known names closest to the misspelt one.
        """
        table = self._channel_table()
        for policy in playbook.policies:
            for step in policy.steps:
                for channel in step.channels:
                    if channel not in table:
                        raise UnknownChannelError(
                            channel,
                            suggestions=close_names(channel, table),
                            known=tuple(table),
                            policy=policy.name,
                            step=step.name,
                        )

    def _channel_table(self) -> dict[str, tuple[Channel, str]]:
        if self._channels is None:
            self._channels = _unique(
                "channel",
                self._collect("arpolicy_register_channels"),
                lambda c: c.name,
                Channel,
            )
        return self._channels

    def templates(self) -> Mapping[str, str]:
        """Message templates from plugins: source by template name, sorted.

        Raises:
            PluginError: a plugin failed or gave something else than a
                mapping of names to sources.
            DuplicateNameError: two plugins gave a template of one name.
        """
        if self._templates is None:
            hook = "arpolicy_register_templates"
            table: dict[str, tuple[str, str]] = {}
            for plugin, function in self._ordered(hook):
                answer = _call(plugin, hook, "", function)
                if answer is None:
                    continue
                if not isinstance(answer, Mapping):
                    raise PluginError(plugin, hook, "", f"not a mapping: {answer!r}")
                for name, source in answer.items():
                    if not isinstance(name, str) or not name or not isinstance(source, str):
                        raise PluginError(
                            plugin, hook, "", f"not a template name and source: {name!r}"
                        )
                    known = table.get(name)
                    if known is not None:
                        first, second = sorted((known[1], plugin), key=_order_key)
                        raise DuplicateNameError("template", name, first, second)
                    table[name] = (source, plugin)
            self._templates = dict(sorted(table.items()))
        return {name: source for name, (source, _) in self._templates.items()}

    def template_sources(self) -> Mapping[str, str]:
        """The plugin that gave each template."""
        self.templates()
        assert self._templates is not None
        return {name: plugin for name, (_, plugin) in self._templates.items()}

    def calendars(self) -> Mapping[str, BusinessCalendar]:
        """Business calendars from plugins, by country (they replace the
        standard calendar of that country)."""
        if self._calendars is None:
            self._calendars = _unique(
                "calendar",
                self._collect("arpolicy_register_calendars"),
                lambda cal: cal.country or "",
                BusinessCalendar,
            )
        return {country: cal for country, (cal, _) in self._calendars.items()}

    def fee_rule_types(self) -> Mapping[str, type[FeeRule]]:
        """Fee-rule classes registered by plugins, by their ``kind_name``."""
        if self._fee_rules is None:
            self._fee_rules = _unique(
                "fee rule",
                self._collect("arpolicy_register_fee_rules"),
                lambda cls: str(getattr(cls, "kind_name", "")),
                type,
            )
        return {kind: cls for kind, (cls, _) in self._fee_rules.items()}

    def rate_rows(self) -> tuple[RateRow, ...]:
        """Rate rows from plugins, sorted; conflicting rows are an error."""
        if self._rates is None:
            seen: dict[tuple[str, object], tuple[RateRow, str]] = {}
            for plugin, row in sorted(
                self._collect("arpolicy_register_rates"), key=lambda p: (p[0], _row_key(p[1]))
            ):
                if not isinstance(row, RateRow):
                    raise PluginError(
                        plugin, "arpolicy_register_rates", "", f"not a RateRow: {row!r}"
                    )
                key = (row.table, row.effective)
                known = seen.get(key)
                if known is not None and known[0].rate != row.rate:
                    raise DuplicateNameError(
                        "rate", f"{row.table} {row.effective.isoformat()}", known[1], plugin
                    )
                seen.setdefault(key, (row, plugin))
            self._rates = tuple(sorted((row for row, _ in seen.values()), key=_row_key))
        return self._rates

    def rate_book(self, base: RateBook | None = None) -> RateBook | None:
        """``base`` (or the shipped tables) with the plugins' rows merged over it;
        ``base`` itself when no plugin gives rows."""
        rows = self.rate_rows()
        if not rows:
            return base
        return (base or RateBook.shipped()).merged(rows)

    # -- decisions -----------------------------------------------------------

    def select_policy(self, customer: Customer, invoice: Invoice, playbook: Playbook) -> str | None:
        """The first plugin's policy name for ``invoice``, or ``None``."""
        hook = "arpolicy_select_policy"
        for plugin, function in self._ordered(hook):
            subject = f"invoice {invoice.id!r}"
            name = _call(
                plugin,
                hook,
                subject,
                function,
                customer=customer,
                invoice=invoice,
                playbook=playbook,
            )
            if name is not None:
                if not isinstance(name, str) or not playbook.has_policy(name):
                    raise PluginError(
                        plugin, hook, subject, f"chose {name!r}, which the playbook does not have"
                    )
                return name
        return None

    def skip_invoice(
        self, context: InvoiceContext, batch: SkipAnswers | None = None
    ) -> tuple[Skip, str] | None:
        """The first skip rule's answer for an invoice, with the rule's plugin.

        ``batch``: the answers of the batch skip rules for the day
        (:meth:`skip_invoices`), taken at their plugin's place in the order.
        """
        hook = "arpolicy_skip_invoice"
        for plugin, function in self._chain(hook):
            if function is None:
                skip = batch.get(plugin, {}).get(context.invoice.id) if batch else None
                if skip is not None:
                    return skip, plugin
                continue
            answer = _call(
                plugin, hook, f"invoice {context.invoice.id!r}", function, context=context
            )
            if answer is not None:
                if not isinstance(answer, Skip):
                    raise PluginError(
                        plugin, hook, f"invoice {context.invoice.id!r}", f"not a Skip: {answer!r}"
                    )
                return answer, plugin
        return None

    def adjust_action(
        self, action: Action, context: ActionContext, batch: VetoAnswers | None = None
    ) -> Action | tuple[Veto, str]:
        """The action after every action rule, or the first veto with its plugin.

        ``batch``: the vetoes of the batch action rules (:meth:`adjust_actions`),
        taken at their plugin's place in the chain.
        """
        hook = "arpolicy_adjust_action"
        for plugin, function in self._chain(hook):
            if function is None:
                veto = batch.get(plugin, {}).get(action.key) if batch else None
                if veto is not None:
                    return veto, plugin
                continue
            subject = f"action {action.key!r} for customer {action.customer_id!r}"
            answer = _call(plugin, hook, subject, function, action=action, context=context)
            if answer is None:
                continue
            if isinstance(answer, Veto):
                return answer, plugin
            if not isinstance(answer, Action) or answer.key != action.key:
                raise PluginError(
                    plugin, hook, subject, "must return None, a Veto or the action with its key"
                )
            action = answer
        return action

    def skip_invoices(self, invoices: pl.DataFrame, as_of: date) -> dict[str, dict[str, Skip]]:
        """Every batch skip rule's answers for the open invoices of a day:
        by plugin, the skip of each invoice it names.

        Raises:
            PluginError: a plugin failed, or answered something else than a
                table of ``invoice_id``, ``reason``, ``detail`` and ``until``
                about invoices of ``invoices``, one row each.
        """
        from .batch_tables import skips_of  # noqa: PLC0415 - Polars on use

        hook = "arpolicy_skip_invoices"
        subject = f"the invoices of {as_of.isoformat()}"
        found: dict[str, dict[str, Skip]] = {}
        for plugin, function in self._ordered(hook):
            answer = _call(plugin, hook, subject, function, invoices=invoices.clone(), as_of=as_of)
            if answer is not None:
                try:
                    found[plugin] = skips_of(answer, invoices)
                except ValueError as error:
                    raise PluginError(plugin, hook, subject, str(error)) from None
        return found

    def adjust_actions(self, actions: pl.DataFrame, as_of: date) -> dict[str, dict[str, Veto]]:
        """Every batch action rule's vetoes for the actions proposed on a
        day: by plugin, the veto of each action key it names.

        Raises:
            PluginError: a plugin failed, or answered something else than a
                table of ``key`` and ``detail`` about actions of ``actions``,
                one row each.
        """
        from .batch_tables import vetoes_of  # noqa: PLC0415 - Polars on use

        hook = "arpolicy_adjust_actions"
        subject = f"the actions of {as_of.isoformat()}"
        found: dict[str, dict[str, Veto]] = {}
        for plugin, function in self._ordered(hook):
            answer = _call(plugin, hook, subject, function, actions=actions.clone(), as_of=as_of)
            if answer is not None:
                try:
                    found[plugin] = vetoes_of(answer, actions)
                except ValueError as error:
                    raise PluginError(plugin, hook, subject, str(error)) from None
        return found

    def customer_actions(self, context: CustomerContext) -> ExtraActions:
        """Every plugin's actions outside the ladder for a customer, combined.

        Raises:
            DuplicateNameError: two plugins planned an action with one key.
        """
        hook = "arpolicy_customer_actions"
        actions: list[Action] = []
        owners: dict[str, str] = {}
        wake: date | None = None
        for plugin, function in self._ordered(hook):
            subject = f"customer {context.customer.id!r}"
            answer = _call(plugin, hook, subject, function, context=context)
            if answer is None:
                continue
            if not isinstance(answer, ExtraActions):
                raise PluginError(plugin, hook, subject, f"not ExtraActions: {answer!r}")
            for action in answer.actions:
                known = owners.get(action.key)
                if known is not None:
                    raise DuplicateNameError("action", action.key, known, plugin)
                owners[action.key] = plugin
                actions.append(action)
            if answer.wake is not None and (wake is None or answer.wake < wake):
                wake = answer.wake
        return ExtraActions(actions, wake)

    def credit_score(self, customer: Customer, ledger: Ledger, as_of: date) -> CreditScore | None:
        """The first plugin's external credit score for ``customer``, or ``None``.

        Raises:
            PluginError: a plugin failed or answered something else than a
                :class:`~arpolicy.credit.CreditScore`.
        """
        hook = "arpolicy_credit_score"
        for plugin, function in self._ordered(hook):
            subject = f"customer {customer.id!r}"
            answer = _call(
                plugin, hook, subject, function, customer=customer, ledger=ledger, as_of=as_of
            )
            if answer is not None:
                if not isinstance(answer, CreditScore):
                    raise PluginError(plugin, hook, subject, f"not a CreditScore: {answer!r}")
                return answer
        return None

    def observe_plan(self, plan: Plan) -> None:
        """Show ``plan`` to every observer (built-ins first, then by name)."""
        hook = "arpolicy_observe_plan"
        for plugin, function in self._ordered(hook):
            _call(plugin, hook, f"the plan of {plan.as_of.isoformat()}", function, plan=plan)

    # -- channels at work ----------------------------------------------------

    def render(self, action: Action, ledger: Ledger) -> Payload:
        """The payload of ``action`` from its channel.

        Raises:
            InvalidFieldError: no plugin provides the action's channel.
            PluginError: the channel's plugin failed.
        """
        table = self._channel_table()
        found = table.get(action.channel)
        if found is None:
            known = ", ".join(table) or "none"
            raise InvalidFieldError(
                "action", "channel", action.channel, f"no plugin provides it (known: {known})"
            )
        channel, plugin = found
        context = RenderContext(ledger.customer(action.customer_id), ledger)
        payload = _call(
            plugin,
            f"channel {channel.name!r}",
            f"action {action.key!r}",
            channel.render,
            action,
            context,
        )
        if not isinstance(payload, Payload):
            raise PluginError(
                plugin, f"channel {channel.name!r}", f"action {action.key!r}", "not a Payload"
            )
        return payload

    # -- listing -------------------------------------------------------------

    def describe(self) -> list[PluginInfo]:
        """The active plugins, sorted by name, with their source and hooks."""
        dists = {
            id(plugin): f"entry point of {dist.project_name} {dist.version}"
            for plugin, dist in self._pm.list_plugin_distinfo()
        }
        out = []
        for name, plugin in self._pm.list_name_plugin():
            if plugin is None:  # blocked
                continue
            hooks = tuple(sorted(h.name for h in self._pm.get_hookcallers(plugin) or ()))
            if name in BUILTIN_PLUGINS:
                source = "built-in"
            else:
                source = dists.get(id(plugin), "registered in code")
            out.append(PluginInfo(name, source, hooks))
        return sorted(out, key=lambda p: (_order_key(p.name), p.name))


def _order_key(plugin: str) -> tuple[int, int, str]:
    if plugin in BUILTIN_PLUGINS:
        return (0, BUILTIN_PLUGINS.index(plugin), plugin)
    return (1, 0, plugin)


def _row_key(row: object) -> tuple[str, str, str]:
    if isinstance(row, RateRow):
        return (row.table, row.effective.isoformat(), str(row.rate))
    return ("", "", repr(row))


def _by_name(impl: Any) -> Callable[..., Any]:
    """Call an implementation with only the hook arguments it names (as pluggy does)."""
    function: Callable[..., Any] = impl.function
    names = tuple(impl.argnames)

    def call(*args: Any, **kwargs: Any) -> Any:
        if args:
            return function(*args)
        return function(**{name: kwargs[name] for name in names})

    return call


def _call(
    plugin: str, hook: str, subject: str, function: Callable[..., _T], *args: Any, **kwargs: Any
) -> _T:
    try:
        return function(*args, **kwargs)
    except PluginError:
        raise
    except Exception as error:  # a plugin's failure, reported with its name
        raise PluginError(plugin, hook, subject, f"{type(error).__name__}: {error}") from error


def _unique(
    kind: str,
    items: Sequence[tuple[str, Any]],
    name_of: Callable[[Any], str],
    expected: type,
) -> dict[str, tuple[Any, str]]:
    table: dict[str, tuple[Any, str]] = {}
    for plugin, item in items:
        if not isinstance(item, expected):
            raise PluginError(plugin, f"arpolicy_register_{kind}s", "", f"not a {kind}: {item!r}")
        name = name_of(item)
        if not name:
            raise PluginError(plugin, f"arpolicy_register_{kind}s", "", f"a {kind} needs a name")
        known = table.get(name)
        if known is not None:
            first, second = sorted((known[1], plugin), key=_order_key)
            raise DuplicateNameError(kind, name, first, second)
        table[name] = (item, plugin)
    return dict(sorted(table.items()))


@functools.lru_cache(maxsize=1)
def builtin_plugins() -> Plugins:
    """The built-in plugins only (no entry points, no environment): what the
    engine uses when you pass no plugins. Built once and shared; it holds no
    state that changes."""
    return Plugins(make_plugin_manager(entry_points=False, disable=()))
