"""The values :mod:`arpolicy.messages` takes and gives (no Jinja2 or Babel needed)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

import attrs

from ..errors import LoadError

__all__ = [
    "CHANNEL_FAMILIES",
    "FAMILY_PARTS",
    "HTML_FAMILIES",
    "Attachment",
    "Company",
    "Message",
    "TemplateSource",
    "family_of",
]

CHANNEL_FAMILIES: Final[Mapping[str, str]] = {
    "email": "email",
    "payment_link": "email",
    "portal": "email",
    "letter": "letter",
    "registered_letter": "letter",
    "sms": "short",
    "whatsapp": "short",
    "phone": "phone",
    "agency": "agency",
    "internal": "internal",
}
"""The layout family of each built-in channel; other channels use ``email``."""

FAMILY_PARTS: Final[Mapping[str, tuple[str, ...]]] = {
    "email": ("subject", "text", "html"),
    "letter": ("subject", "text", "html"),
    "short": ("text",),
    "phone": ("subject", "text"),
    "agency": ("subject", "text"),
    "internal": ("subject", "text"),
}
"""The parts rendered for each family: one layout ``layouts/<family>.<part>`` each."""

HTML_FAMILIES: Final = frozenset(f for f, parts in FAMILY_PARTS.items() if "html" in parts)
"""The families whose messages have an HTML part."""

TEMPLATE_SUFFIX: Final = ".jinja"
"""The file suffix of templates in a directory (not part of the template name)."""


def family_of(channel: str) -> str:
    """The layout family of ``channel``.

    >>> family_of("registered_letter"), family_of("whatsapp"), family_of("fax")
    ('letter', 'short', 'email')
    """
    return CHANNEL_FAMILIES.get(channel, "email")


@attrs.frozen
class Attachment:
    """A file that goes with a message.

    Attributes:
        name: the file name (``"invoices-C001-2026-11-02.csv"``).
        media_type: its media type (``"text/csv"``, ``"application/json"``).
        content: its text.
    """

    name: str
    media_type: str
    content: str


@attrs.frozen
class Message:
    """A notice, ready to send.

    Attributes:
        template: the step template actually rendered (the action's
            ``template``, or ``"default"`` when no template of that name
            exists in any locale).
        channel: the action's channel.
        locale: the locale actually used (``"en"``, ``"de"``).
        subject: the subject or title; ``""`` for SMS and WhatsApp texts.
        text: the plain text.
        html: the HTML document (e-mail, letter, registered letter, payment
            link and portal messages), else ``None``.
        attachments: files that go with it: an invoice overview CSV for
            e-mails and letters, the hand-over JSON and CSV for an agency.
    """

    template: str
    channel: str
    locale: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()


@attrs.frozen
class Company:
    """The creditor: who sends the notices and where to pay.

    Every field is optional; the default company has no name, and the
    templates then sign with the team name ("Accounts receivable") and
    leave out what is missing.

    Attributes:
        name: the company name.
        address: the postal address (may have several lines).
        iban: the bank account for transfers.
        bic: the bank's BIC.
        email: the accounts receivable e-mail address.
        phone: the accounts receivable phone number.
        website: the website.
        vat: the VAT number.
    """

    name: str = ""
    address: str | None = None
    iban: str | None = None
    bic: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    vat: str | None = None


def _templates(value: Mapping[str, str]) -> Mapping[str, str]:
    return dict(sorted(value.items()))


@attrs.frozen
class TemplateSource:
    """User templates: sources by template name, and where each came from.

    Attributes:
        templates: source text by template name (``"en/reminder"``).
        directory: the directory they were read from, or ``None`` (then
            errors name them "user templates").
    """

    templates: Mapping[str, str] = attrs.field(converter=_templates)
    directory: str | None = None

    @classmethod
    def from_directory(cls, path: str | Path) -> TemplateSource:
        """Every ``*.jinja`` file under ``path``; the name is the relative
        path without the suffix (``en/reminder.jinja`` → ``"en/reminder"``).

        Raises:
            LoadError: ``path`` is not a directory or a file is not UTF-8.
        """
        root = Path(path)
        if not root.is_dir():
            raise LoadError(root, "not a directory of templates")
        found: dict[str, str] = {}
        for file in sorted(root.rglob(f"*{TEMPLATE_SUFFIX}")):
            name = file.relative_to(root).as_posix()[: -len(TEMPLATE_SUFFIX)]
            try:
                found[name] = file.read_text(encoding="utf-8")
            except UnicodeDecodeError as error:
                raise LoadError(file, f"not UTF-8 text: {error.reason}") from error
        return cls(found, str(root))

    def file_of(self, name: str) -> str:
        """Where template ``name`` comes from, for error messages."""
        if self.directory is None:
            return "user templates"
        return str(Path(self.directory) / f"{name}{TEMPLATE_SUFFIX}")
