"""Typed errors.

Every error arpolicy raises on purpose derives from :class:`ArpolicyError`.
Each subclass carries the facts as attributes (``field``, ``value``,
``path``, ``line`` ...) so that callers and tests can act on data instead of
parsing messages; ``str(error)`` is a readable one-line message that shows the
offending value with ``repr``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "ArpolicyError",
    "CurrencyMismatchError",
    "DuplicateIdError",
    "InvalidFieldError",
    "InvalidMoneyError",
    "JournalError",
    "LedgerError",
    "LoadError",
    "MissingExtraError",
    "MissingRateError",
    "NoStatutoryRuleError",
    "NoStatutoryScaleError",
    "OutputError",
    "StaleRateError",
    "StaleRateWarning",
    "TemplateError",
    "TermsSyntaxError",
    "UnknownChannelError",
    "UnknownCurrencyError",
    "UnknownJurisdictionError",
    "UnknownReferenceError",
    "UnsafeTemplateError",
]


class ArpolicyError(Exception):
    """Root of every error raised by arpolicy."""


class InvalidMoneyError(ArpolicyError, ValueError):
    """An amount that cannot be money: a float, a non-finite or non-numeric value."""

    def __init__(self, value: object, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"invalid amount {value!r}: {reason}")


class UnknownCurrencyError(ArpolicyError, ValueError):
    """A currency code that is not an active ISO 4217 currency with a minor unit."""

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__(f"unknown currency {code!r}: expected an ISO 4217 code such as 'EUR'")


class CurrencyMismatchError(ArpolicyError, TypeError):
    """Two amounts in different currencies were combined or compared."""

    def __init__(self, left: str, right: str, operation: str) -> None:
        self.left = left
        self.right = right
        self.operation = operation
        super().__init__(f"cannot {operation} {left} and {right}: currencies never mix")


class InvalidFieldError(ArpolicyError, ValueError):
    """A domain object was given a bad value for one of its fields.

    Attributes:
        kind: the type of object (``"invoice"``, ``"customer"`` ...).
        id: the object's id when known, else ``None``.
        field: the field name.
        value: the rejected value.
        reason: why it was rejected.
    """

    def __init__(
        self, kind: str, field: str, value: object, reason: str, *, id: str | None = None
    ) -> None:
        self.kind = kind
        self.id = id
        self.field = field
        self.value = value
        self.reason = reason
        where = f"{kind} {id!r}" if id is not None else kind
        super().__init__(f"{where}: field {field!r} = {value!r}: {reason}")


class LedgerError(ArpolicyError, ValueError):
    """A ledger whose records do not fit together."""


class DuplicateIdError(LedgerError):
    """Two records of one kind share an id."""

    def __init__(self, kind: str, id: str) -> None:
        self.kind = kind
        self.id = id
        super().__init__(f"duplicate {kind} id {id!r}")


class UnknownReferenceError(LedgerError):
    """A record refers to a record that does not exist or does not fit.

    Attributes:
        kind: the kind of the referring record (``"payment"`` ...).
        id: its id.
        field: the referring field (``"customer_id"``, ``"invoice_id"`` ...).
        value: the referenced id.
        reason: what is wrong with the reference.
    """

    def __init__(self, kind: str, id: str, field: str, value: object, reason: str) -> None:
        self.kind = kind
        self.id = id
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{kind} {id!r}: field {field!r} = {value!r}: {reason}")


class TermsSyntaxError(ArpolicyError, ValueError):
    """A payment terms code (``"2/7 net 30"``) that cannot be parsed.

    Attributes:
        text: the whole code.
        position: 0-based character offset of the problem in ``text``.
        reason: what is wrong.
    """

    def __init__(self, text: str, position: int, reason: str) -> None:
        self.text = text
        self.position = position
        self.reason = reason
        super().__init__(f"payment terms {text!r} at character {position}: {reason}")


class LoadError(ArpolicyError, ValueError):
    """A ledger or policy file that cannot be loaded.

    Attributes:
        path: the file.
        line: 1-based physical line number, or ``None`` for whole-file problems.
        column: the column (header name) concerned, or ``None``.
        value: the offending value, or ``None``.
        reason: what is wrong.
    """

    def __init__(
        self,
        path: str | Path,
        reason: str,
        *,
        line: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.value = value
        self.reason = reason
        where = self.path
        if line is not None:
            where += f":{line}"
        if column is not None:
            where += f": column {column!r}"
        if value is not None:
            shown = value
            if isinstance(value, str) and len(value) > 80:
                shown = value[:79] + "…"  # the attribute keeps the whole value
            where += f" = {shown!r}"
        super().__init__(f"{where}: {reason}")


class UnknownChannelError(ArpolicyError, ValueError):
    """A policy step names a channel that no plugin provides (a misspelling).

    Raised when a policy file is loaded (with the file and line) and when
    :func:`~arpolicy.engine.plan` or :func:`~arpolicy.engine.simulate`
    receives a playbook (without them): nothing is planned on a channel that
    cannot carry it out.

    Attributes:
        channel: the unknown channel name.
        suggestions: the known names closest to it, best first (may be empty).
        known: every channel the plugins provide, sorted.
        policy: the policy's name.
        step: the step's name.
        file: the policy file, or ``None`` when the playbook was built in Python.
        line: the line of the step's ``channel`` key in the file, or ``None``.
    """

    def __init__(
        self,
        channel: str,
        *,
        suggestions: tuple[str, ...] = (),
        known: tuple[str, ...] = (),
        policy: str,
        step: str,
        file: str | Path | None = None,
        line: int | None = None,
    ) -> None:
        self.channel = channel
        self.suggestions = tuple(suggestions)
        self.known = tuple(known)
        self.policy = policy
        self.step = step
        self.file = None if file is None else str(file)
        self.line = line
        where = ""
        if self.file is not None:
            where = self.file + (f":{line}" if line is not None else "") + ": "
        hint = ""
        if self.suggestions:
            hint = "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        known_text = f" (known: {', '.join(self.known)})" if self.known else ""
        super().__init__(
            f"{where}policy {policy!r}, step {step!r}: unknown channel {channel!r}"
            f"{hint}{known_text}"
        )


class UnknownJurisdictionError(ArpolicyError, LookupError):
    """A jurisdiction or country code that :mod:`arpolicy.law` has no pack for.

    Attributes:
        code: the rejected code.
        reason: what was expected.
    """

    def __init__(self, code: object, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"unknown jurisdiction {code!r}: {reason}")


class NoStatutoryRuleError(ArpolicyError, LookupError):
    """The law of a jurisdiction gives no statutory figure for this case.

    Raised, for example, for statutory interest on a consumer debt in a
    jurisdiction whose pack has no consumer rate, or for a fixed compensation
    on a date before the rule came into force.

    Attributes:
        jurisdiction: the jurisdiction code.
        profile: the debtor profile (``"business"`` ...).
        reason: what is missing.
    """

    def __init__(self, jurisdiction: str, profile: str, reason: str) -> None:
        self.jurisdiction = jurisdiction
        self.profile = str(profile)
        self.reason = reason
        super().__init__(f"{jurisdiction}, {self.profile} debtor: {reason}")


class NoStatutoryScaleError(NoStatutoryRuleError):
    """No statutory scale of collection costs exists for a jurisdiction and profile."""

    def __init__(self, jurisdiction: str, profile: str) -> None:
        super().__init__(jurisdiction, profile, "no statutory scale of collection costs is known")


class MissingRateError(ArpolicyError, LookupError):
    """A rate table has no row in force on a day (the day is before its first row).

    Attributes:
        table: the rate table (``"ecb-refi"`` ...).
        day: the day asked for.
        first: the first effective date of the table, or ``None`` when empty.
    """

    def __init__(self, table: str, day: object, first: object) -> None:
        self.table = table
        self.day = day
        self.first = first
        since = f"its first row is effective {first}" if first is not None else "it has no rows"
        super().__init__(f"rate table {table!r} has no rate for {day}: {since}")


class StaleRateError(ArpolicyError, LookupError):
    """A rate was needed for a day after the last published row of its table.

    Attributes:
        table: the rate table.
        day: the first day that needed a rate the table does not know.
        known_until: the first day the table no longer covers.
    """

    def __init__(self, table: str, day: object, known_until: object) -> None:
        self.table = table
        self.day = day
        self.known_until = known_until
        super().__init__(
            f"rate table {table!r} is stale for {day}: it is known only before {known_until};"
            " add a newer row (RateBook.merged) or pass on_stale='warn' or 'ignore'"
        )


class JournalError(ArpolicyError, RuntimeError):
    """The exactly-once journal (:mod:`arpolicy.journal`) cannot do what was asked.

    Raised for an unknown key, a file that is not a journal or was written by
    a newer arpolicy, a journal locked by another process for too long, and
    any SQLite failure (nothing is half-written: the transaction is rolled
    back).

    Attributes:
        path: the journal file.
        reason: what went wrong.
        key: the action key concerned, or ``None``.
    """

    def __init__(self, path: str | Path, reason: str, *, key: str | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.key = key
        where = f"journal {self.path}" + (f": key {key!r}" if key is not None else "")
        super().__init__(f"{where}: {reason}")


class OutputError(ArpolicyError, RuntimeError):
    """Output could not be written completely (a full disk, a closed or broken pipe).

    Raised by the writers of :mod:`arpolicy.io` after a failed write, flush
    or ``fsync``; ``arpolicy run`` then records nothing in its journal.

    Attributes:
        target: the file written to, or ``"standard output"``.
        reason: what went wrong (the system's message).
        errno: the ``errno`` name of the failure (``"ENOSPC"``, ``"EPIPE"``,
            ``"EBADF"`` ...), or ``None`` when there is none.
    """

    def __init__(self, target: str | Path, reason: str, *, errno: str | None = None) -> None:
        self.target = str(target)
        self.reason = reason
        self.errno = errno
        code = f" ({errno})" if errno is not None else ""
        super().__init__(f"cannot write {self.target}: {reason}{code}")


class MissingExtraError(ArpolicyError, ImportError):
    """An optional feature needs a package that is not installed.

    Attributes:
        extra: the ``arpolicy`` extra that installs it (``"html"``).
        package: the missing package (``"matplotlib"``).
        feature: what needs it (``"the HTML report"``).
    """

    def __init__(self, extra: str, package: str, feature: str) -> None:
        self.extra = extra
        self.package = package
        self.feature = feature
        super().__init__(
            f"{feature} needs {package}, which is not installed: pip install 'arpolicy[{extra}]'"
        )


class TemplateError(ArpolicyError, ValueError):
    """A message template cannot be loaded or rendered.

    Attributes:
        template: the template's name (``"en/reminder"``).
        file: where it comes from: a file path, ``"plugin 'name'"`` or
            ``"built-in"``; ``None`` when the template does not exist.
        line: the line in that template, when known.
        reason: what went wrong.
    """

    def __init__(
        self, template: str, reason: str, *, file: str | None = None, line: int | None = None
    ) -> None:
        self.template = template
        self.file = file
        self.line = line
        self.reason = reason
        where = f" ({file}" + (f", line {line}" if line is not None else "") + ")" if file else ""
        super().__init__(f"template {template!r}{where}: {reason}")


class UnsafeTemplateError(TemplateError):
    """A template tried to reach Python internals (refused by the sandbox)."""


class StaleRateWarning(UserWarning):
    """A computation used the last known rate of a table past the table's horizon."""


class PluginError(ArpolicyError, RuntimeError):
    """A plugin failed; the plan is not returned half-made.

    Attributes:
        plugin: the plugin's name.
        hook: the hook it was running.
        subject: what it was working on (``"invoice 'I1'"``, ``"customer 'C1'"``).
        reason: what went wrong.
    """

    def __init__(self, plugin: str, hook: str, subject: str, reason: str) -> None:
        self.plugin = plugin
        self.hook = hook
        self.subject = subject
        self.reason = reason
        where = f" on {subject}" if subject else ""
        super().__init__(f"plugin {plugin!r} failed in {hook}{where}: {reason}")


class DuplicateNameError(PluginError):
    """Two plugins register something under one name.

    Attributes:
        kind: what is registered (``"channel"``, ``"fee rule"``, ``"rate"``).
        name: the name.
        first: the plugin that registered it first (by plugin name).
        second: the other plugin.
    """

    def __init__(self, kind: str, name: str, first: str, second: str) -> None:
        self.kind = kind
        self.name = name
        self.first = first
        self.second = second
        ArpolicyError.__init__(
            self, f"{kind} {name!r} is registered by two plugins: {first!r} and {second!r}"
        )
        self.plugin = second
        self.hook = f"arpolicy_register_{kind.replace(' ', '_')}s"
        self.subject = ""
        self.reason = f"{kind} {name!r} is also registered by {first!r}"
