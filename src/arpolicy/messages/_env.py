"""The Jinja2 sandbox, its loader and the Babel/pendulum filters (needs the ``messages`` extra)."""

from __future__ import annotations

import datetime as dt
import functools
import types
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import babel.dates
import babel.numbers
import jinja2
import pendulum
from babel.core import Locale, UnknownLocaleError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import TemplateError, UnsafeTemplateError
from ..money import Money

__all__ = ["FILTERS", "TemplateTable", "format_locale", "make_environment", "wrap_error"]

TemplateTable = Mapping[str, tuple[str, str]]
"""Template name → (source, file it comes from)."""


@functools.lru_cache(maxsize=256)
def format_locale(locale: str, country: str) -> str:
    """The Babel locale for formatting: ``<locale>_<country>`` when Babel
    knows it (``en_GB``, ``nl_BE``, ``de_AT``), else ``locale``."""
    for candidate in (f"{locale}_{country}", locale):
        try:
            Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
        return candidate
    return "en"


@functools.lru_cache(maxsize=64)
def _pendulum_locale(locale: str) -> str:
    from pendulum.locales.locale import Locale as PendulumLocale  # noqa: PLC0415

    try:
        PendulumLocale.load(locale)
    except ValueError:
        return "en"
    return locale


def _loc(context: Any) -> str:
    return str(context.get("format_locale") or context.get("locale") or "en")


# Babel re-reads its locale data on every call; a day's messages show the
# same amounts and dates many times (each in the text and the HTML part), so
# the texts are remembered. The keys hold the amount as text: Decimal("1.0")
# equals Decimal("1.00") but is written differently.
@functools.lru_cache(maxsize=8192)
def _money_text(amount: str, currency: str, locale: str) -> str:
    return babel.numbers.format_currency(
        Decimal(amount), currency, locale=locale, decimal_quantization=False
    )


@functools.lru_cache(maxsize=8192)
def _date_text(value: dt.date, format: str, locale: str) -> str:
    return babel.dates.format_date(value, format, locale=locale)


@jinja2.pass_context
def money(context: Any, value: Money | None) -> str:
    """``Money`` in the locale, with its own currency, exactly (no rounding)."""
    if value is None:
        return ""
    return _money_text(str(value.amount), value.currency, _loc(context))


@jinja2.pass_context
def date(context: Any, value: dt.date | None, format: str = "long") -> str:
    """A date in the locale: ``format`` is ``short``, ``medium``, ``long`` or ``full``."""
    if value is None:
        return ""
    if type(value) is not dt.date or not isinstance(format, str):
        return babel.dates.format_date(value, format, locale=_loc(context))
    return _date_text(value, format, _loc(context))


@jinja2.pass_context
def percent(context: Any, value: Decimal | int | str | None) -> str:
    """A fraction as a percentage (``0.1015`` → ``10.15%``), exactly."""
    if value is None:
        return ""
    return babel.numbers.format_percent(
        Decimal(value), locale=_loc(context), decimal_quantization=False
    )


@jinja2.pass_context
def number(context: Any, value: Decimal | int | str | None) -> str:
    """A number in the locale (``1234.5`` → ``1,234.5``)."""
    if value is None:
        return ""
    return babel.numbers.format_decimal(
        Decimal(value), locale=_loc(context), decimal_quantization=False
    )


@jinja2.pass_context
def duration(context: Any, days: int | None) -> str:
    """A number of days in words in the template's locale (pendulum):
    ``21`` → ``3 weeks`` / ``3 weken`` / ``3 Wochen`` / ``3 semaines``."""
    if days is None:
        return ""
    locale = _pendulum_locale(str(context.get("locale") or "en"))
    if days <= 0:
        return babel.dates.format_timedelta(dt.timedelta(0), granularity="day", locale=locale)
    return _duration_text(int(days), locale)


@functools.lru_cache(maxsize=4096)
def _duration_text(days: int, locale: str) -> str:
    return str(pendulum.duration(days=days).in_words(locale=locale))


@jinja2.pass_context
def overdue_for(context: Any, value: Mapping[str, Any] | int | None) -> str:
    """How long an invoice (or a number of days) is overdue, in words."""
    days = value.get("days_overdue") if isinstance(value, Mapping) else value
    return str(duration(context, days))


FILTERS: Mapping[str, Callable[..., str]] = {
    "money": money,
    "date": date,
    "percent": percent,
    "number": number,
    "duration": duration,
    "overdue_for": overdue_for,
}
"""The filters every template can use (besides Jinja2's built-in filters)."""


class _Loader(jinja2.BaseLoader):
    def __init__(self, table: TemplateTable) -> None:
        self._table = table

    def get_source(
        self,
        environment: jinja2.Environment,  # noqa: ARG002 - the loader protocol
        template: str,
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        found = self._table.get(template)
        if found is None:
            raise jinja2.TemplateNotFound(template)
        source, file = found
        return source, file, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self._table)


def make_environment(table: TemplateTable, *, html: bool) -> ImmutableSandboxedEnvironment:
    """The sandbox for ``table``'s templates; ``html`` turns autoescaping on.

    Undefined variables are errors (``StrictUndefined``); blocks trim their
    newlines.
    """
    env = ImmutableSandboxedEnvironment(
        loader=_Loader(table),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,  # a plain dict: the table is finite, and no LRU upkeep per look-up
    )
    env.filters.update(FILTERS)
    return env


def _where(tb: types.TracebackType | None, files: Mapping[str, str]) -> tuple[str, int] | None:
    """The innermost template frame of a traceback: (template name, line)."""
    found = None
    while tb is not None:
        name = files.get(tb.tb_frame.f_code.co_filename)
        if name is not None:
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def wrap_error(error: Exception, template: str, table: TemplateTable) -> TemplateError:
    """``error`` from rendering ``template`` as a :class:`TemplateError`
    naming the template, its file and the line."""
    files = {file: name for name, (_, file) in table.items()}
    if isinstance(error, jinja2.TemplateSyntaxError):
        name = error.name or template
        file = table[name][1] if name in table else error.filename
        return TemplateError(name, f"syntax error: {error.message}", file=file, line=error.lineno)
    if isinstance(error, jinja2.TemplateNotFound):
        return TemplateError(template, f"template {error.name!r} does not exist")
    where = _where(error.__traceback__, files)
    name, line = where if where is not None else (template, None)
    file = table[name][1] if name in table else None
    if isinstance(error, SecurityError):
        return UnsafeTemplateError(name, f"refused by the sandbox: {error}", file=file, line=line)
    return TemplateError(name, f"{type(error).__name__}: {error}", file=file, line=line)
