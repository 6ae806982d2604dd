"""Rendering: template tables, locale choice and :func:`render`."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..actions import Action, HistoryEntry
from ..errors import InvalidFieldError, MissingExtraError, TemplateError
from ..model import Ledger
from ._context import attachments, build_context
from ._model import (
    FAMILY_PARTS,
    TEMPLATE_SUFFIX,
    Company,
    Message,
    TemplateSource,
    family_of,
)

if TYPE_CHECKING:
    from ..plugins import Plugins

__all__ = [
    "DEFAULT_LOCALE",
    "FALLBACK_TEMPLATE",
    "Renderer",
    "available_templates",
    "history_by_customer",
    "render",
]

DEFAULT_LOCALE: Final = "en"
"""The locale used when neither the request nor the customer's language is available."""

FALLBACK_TEMPLATE: Final = "default"
"""The step template used for a template name that no locale has."""

_LAYOUTS: Final = "layouts/"
_BLANKS = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t]+\n")


def _walk(node: Any, prefix: str, out: dict[str, tuple[str, str]]) -> None:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.is_dir():
            _walk(child, f"{prefix}{child.name}/", out)
        elif child.name.endswith(TEMPLATE_SUFFIX):
            name = prefix + child.name[: -len(TEMPLATE_SUFFIX)]
            out[name] = (child.read_text(encoding="utf-8"), f"built-in {name}{TEMPLATE_SUFFIX}")


@functools.lru_cache(maxsize=1)
def builtin_templates() -> Mapping[str, tuple[str, str]]:
    """The templates shipped in ``arpolicy/messages/templates``: (source, file) by name."""
    out: dict[str, tuple[str, str]] = {}
    _walk(resources.files("arpolicy.messages").joinpath("templates"), "", out)
    return dict(sorted(out.items()))


def _require_extra() -> None:
    try:
        import babel  # noqa: F401, PLC0415
        import jinja2  # noqa: F401, PLC0415
    except ImportError as error:
        raise MissingExtraError("messages", error.name or "jinja2", "rendering messages") from error


def _step_names(names: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for name in names:
        locale, _, rest = name.partition("/")
        if not rest or rest.startswith(_LAYOUTS) or rest.startswith("_"):
            continue
        found.setdefault(locale, []).append(rest)
    return {locale: tuple(sorted(found[locale])) for locale in sorted(found)}


class Renderer:
    """Renders actions with the built-in, plugin and user templates.

    Build one and reuse it: it compiles each template once. Templates of one
    name replace each other in this order: the user's (``templates``) over
    the plugins' (``arpolicy_register_templates``) over the built-in ones.

    Args:
        templates: a directory of ``*.jinja`` files or a
            :class:`TemplateSource`, or ``None``.
        plugins: the plugins whose templates to use; ``None``: none.

    Raises:
        MissingExtraError: Jinja2 or Babel is not installed.
        LoadError: ``templates`` is not a readable directory.
        PluginError: a plugin's ``arpolicy_register_templates`` failed.
    """

    def __init__(
        self,
        *,
        templates: str | Path | TemplateSource | None = None,
        plugins: Plugins | None = None,
    ) -> None:
        _require_extra()
        from ._env import make_environment  # noqa: PLC0415 - needs the extra

        table: dict[str, tuple[str, str]] = dict(builtin_templates())
        if plugins is not None:
            sources = plugins.template_sources()
            for name, source in plugins.templates().items():
                table[name] = (source, f"plugin {sources[name]!r}: {name}")
        if templates is not None:
            user = (
                templates
                if isinstance(templates, TemplateSource)
                else TemplateSource.from_directory(templates)
            )
            for name, source in user.templates.items():
                table[name] = (source, user.file_of(name))
        self._table: Mapping[str, tuple[str, str]] = dict(sorted(table.items()))
        self._text = make_environment(self._table, html=False)
        self._html = make_environment(self._table, html=True)
        self._steps = _step_names(self._table)

    def available_templates(self) -> Mapping[str, tuple[str, ...]]:
        """The step template names of every locale, sorted (layouts and
        names starting with ``_`` left out)."""
        return dict(self._steps)

    def locales(self) -> tuple[str, ...]:
        """Every locale that has at least one step template, sorted."""
        return tuple(self._steps)

    def has(self, name: str) -> bool:
        """Whether a template named ``name`` (``"en/reminder"``) exists."""
        return name in self._table

    def choose_locale(self, template: str, requested: str | None) -> str:
        """The locale to render ``template`` in for a ``requested`` language.

        Babel's negotiation matches ``de-AT`` or ``de_AT`` to ``de``; among
        the locales that have the template; else :data:`DEFAULT_LOCALE`;
        else the first locale that has it.
        """
        from babel.core import negotiate_locale  # noqa: PLC0415 - needs the extra

        having = [loc for loc, names in self._steps.items() if template in names]
        if requested:
            wanted = requested.strip().replace("-", "_")
            found = negotiate_locale([wanted], having, sep="_")
            if found is not None:  # Babel may answer in the request's case
                return {loc.lower(): loc for loc in having}.get(found.lower(), found)
        if DEFAULT_LOCALE in having or not having:
            return DEFAULT_LOCALE
        return having[0]

    def _layout(self, locale: str, family: str, part: str) -> str:
        name = f"{locale}/{_LAYOUTS}{family}.{part}"
        return name if name in self._table else f"{DEFAULT_LOCALE}/{_LAYOUTS}{family}.{part}"

    def _render(self, name: str, context: dict[str, Any], *, html: bool) -> str:
        from jinja2 import TemplateError as JinjaError  # noqa: PLC0415 - needs the extra
        from jinja2.exceptions import SecurityError  # noqa: PLC0415

        from ._env import wrap_error  # noqa: PLC0415

        env = self._html if html else self._text
        try:
            return env.get_template(name).render(context)
        except TemplateError:
            raise
        except (
            JinjaError,
            SecurityError,
            ArithmeticError,
            LookupError,
            TypeError,
            ValueError,
            AttributeError,
        ) as error:
            raise wrap_error(error, name, self._table) from error

    def render(
        self,
        action: Action,
        ledger: Ledger,
        *,
        locale: str | None = None,
        company: Company | None = None,
        history: Iterable[HistoryEntry | Action] | None = None,
    ) -> Message:
        """The message for ``action``; see :func:`render`."""
        from ._env import format_locale  # noqa: PLC0415 - needs the extra

        customer = ledger.customer(action.customer_id)
        template = action.template or action.step
        if not any(template in names for names in self._steps.values()):
            template = FALLBACK_TEMPLATE
        used = self.choose_locale(template, locale or customer.language)
        name = f"{used}/{template}"
        if name not in self._table:
            raise TemplateError(name, "template does not exist")
        family = family_of(action.channel)
        context = build_context(
            action,
            ledger,
            locale=used,
            company=company or Company(),
            template=template,
            history=_entries(action, history),
        )
        context["format_locale"] = format_locale(used, customer.country)
        parts: dict[str, str] = {}
        for part in FAMILY_PARTS[family]:
            context["layout"] = self._layout(used, family, part)
            context["part"] = part
            parts[part] = self._render(name, context, html=part == "html")
        subject = " ".join(parts.get("subject", "").split())
        text = _tidy(parts["text"])
        html = parts.get("html")
        return Message(
            template=template,
            channel=action.channel,
            locale=used,
            subject=subject,
            text=text,
            html=_tidy(html) if html is not None else None,
            attachments=attachments(context),
        )


def _entry(item: HistoryEntry | Action) -> HistoryEntry:
    """``item`` as a history entry (an action becomes an issued entry)."""
    entry = HistoryEntry.from_action(item) if isinstance(item, Action) else item
    if not isinstance(entry, HistoryEntry):
        raise InvalidFieldError("render", "history", item, "expected HistoryEntry or Action")
    return entry


def _entries(
    action: Action, history: Iterable[HistoryEntry | Action] | None
) -> tuple[HistoryEntry, ...]:
    """The customer's history entries (actions become issued entries)."""
    out = []
    for item in history or ():
        entry = _entry(item)
        if entry.customer_id == action.customer_id:
            out.append(entry)
    return tuple(out)


def history_by_customer(
    history: Iterable[HistoryEntry | Action],
) -> dict[str, tuple[HistoryEntry, ...]]:
    """``history`` as entries by customer, each customer's in the order given.

    Rendering many actions against one long history: pass each action
    ``history=index.get(action.customer_id, ())``. A message only ever
    looks at its own customer's entries, so it says the same as with the
    whole history, but each item is converted once instead of once per
    message.

    Raises:
        InvalidFieldError: an item is neither a history entry nor an action.
    """
    found: dict[str, list[HistoryEntry]] = {}
    for item in history:
        entry = _entry(item)
        found.setdefault(entry.customer_id, []).append(entry)
    return {customer: tuple(entries) for customer, entries in found.items()}


def _tidy(text: str) -> str:
    text = _TRAILING.sub("\n", text.strip() + "\n")
    return _BLANKS.sub("\n\n", text)


@functools.lru_cache(maxsize=1)
def _default_renderer() -> Renderer:
    return Renderer()


def render(
    action: Action,
    ledger: Ledger,
    *,
    locale: str | None = None,
    templates: str | Path | TemplateSource | None = None,
    plugins: Plugins | None = None,
    company: Company | None = None,
    history: Iterable[HistoryEntry | Action] | None = None,
) -> Message:
    """The ready-to-send message for ``action``.

    The locale is ``locale`` if given, else the customer's ``language``,
    matched by Babel to the locales that have the action's template
    (``de-AT`` → ``de``), falling back to ``en``. Pure: the "today" of the
    message is the action's date. For many actions, build a
    :class:`Renderer` once and call its ``render``.

    Args:
        action: the action (its ``template`` names the step template; an
            unknown name uses the ``default`` template).
        ledger: the ledger it was planned from.
        locale: the language to write in (``"nl"``, ``"de-AT"``).
        templates: a directory of ``*.jinja`` templates or a
            :class:`TemplateSource` that replace templates by name.
        plugins: plugins whose ``arpolicy_register_templates`` to use.
        company: the creditor; the neutral :class:`Company` by default.
        history: the actions already carried out (history entries or
            actions, as given to :func:`~arpolicy.engine.plan`): the
            notices sent before ``action`` about its invoices are listed in
            ``notices_sent`` and in an agency hand-over's files.

    Returns:
        The :class:`Message`.

    Raises:
        MissingExtraError: the ``messages`` extra is not installed.
        TemplateError: a template failed (syntax, an undefined variable),
            naming the template, its file and line;
            :class:`~arpolicy.errors.UnsafeTemplateError` when the sandbox
            refused it.
    """
    if templates is None and plugins is None:
        renderer = _default_renderer()
    else:
        renderer = Renderer(templates=templates, plugins=plugins)
    return renderer.render(action, ledger, locale=locale, company=company, history=history)


def available_templates(
    *,
    templates: str | Path | TemplateSource | None = None,
    plugins: Plugins | None = None,
) -> Mapping[str, tuple[str, ...]]:
    """The step template names per locale (built-in, plugin and user ones).

    >>> "reminder" in available_templates()["en"]
    True
    """
    if templates is None and plugins is None:
        return _default_renderer().available_templates()
    return Renderer(templates=templates, plugins=plugins).available_templates()
