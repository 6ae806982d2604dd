"""Channels: how an action reaches a customer, and what is handed over for it.

A :class:`Channel` names the contact it needs, says whether it reaches
customers on weekends, and turns an :class:`~arpolicy.actions.Action` into a
:class:`Payload`: an e-mail message, a printable letter, a phone-call task, a
WhatsApp text with a payment link, a collection-agency hand-over file. The
built-in channels are in :mod:`arpolicy.builtins.channels`; plugins add more
through the ``arpolicy_register_channels`` hook.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping

import attrs

from .actions import Action
from .errors import InvalidFieldError
from .model import Customer, Ledger

__all__ = ["Channel", "Payload", "RenderContext", "close_names"]

CONTACT_FIELDS = frozenset({"email", "phone", "address", "whatsapp"})
"""The :class:`~arpolicy.model.Contacts` fields a channel may need."""


def _pairs(value: Mapping[str, str] | tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), str(v)) for k, v in items))


@attrs.frozen
class Payload:
    """What a channel hands over for one action.

    Attributes:
        channel: the channel name.
        kind: what it is: ``"email"``, ``"letter"``, ``"task"``,
            ``"message"``, ``"file"`` ...
        to: the recipient (an e-mail address, a phone number, a postal
            address, an agency), or ``""`` when the customer has none.
        subject: a subject or title.
        body: the text.
        attachments: ``(file name, content)`` pairs, such as a hand-over CSV.
        data: extra facts as sorted ``(name, value)`` pairs.
    """

    channel: str
    kind: str
    to: str
    subject: str
    body: str
    attachments: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    data: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)


@attrs.frozen
class RenderContext:
    """What a channel may use to render an action.

    Attributes:
        customer: the customer the action is for.
        ledger: the ledger the action was planned from (invoice details).
    """

    customer: Customer
    ledger: Ledger


def close_names(name: str, known: Iterable[str]) -> tuple[str, ...]:
    """The names in ``known`` closest to ``name``, best first: what a misspelling meant.

    >>> close_names("emial", ["email", "letter", "phone"])
    ('email',)
    >>> close_names("pigeon", ["email", "letter", "phone"])
    ()
    """
    return tuple(difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6))


def _contact(value: str | None) -> str | None:
    if value is not None and value not in CONTACT_FIELDS:
        choices = ", ".join(sorted(CONTACT_FIELDS))
        raise InvalidFieldError("channel", "contact", value, f"expected one of {choices}")
    return value


@attrs.frozen
class Channel:
    """A way to reach customers.

    Args:
        name: the name steps use (``"email"``); unique among the plugins.
        render: turns an action into a :class:`Payload`.
        contact: the :class:`~arpolicy.model.Contacts` field it needs
            (``"email"``, ``"phone"``, ``"address"``, ``"whatsapp"``), or
            ``None`` when it needs none (an agency, a portal).
        weekends: whether it reaches customers on Saturdays and Sundays, for
            the host that schedules delivery (arpolicy's dates follow the
            policy's calendar rule).
        description: one line for people (``arpolicy plugins`` shows it).
    """

    name: str
    render: Callable[[Action, RenderContext], Payload] = attrs.field(eq=False)
    contact: str | None = attrs.field(default=None, converter=_contact)
    weekends: bool = True
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or " " in self.name:
            raise InvalidFieldError("channel", "name", self.name, "a channel name is one word")
