"""Messages: ready-to-send notices per step, channel and language.

:func:`render` turns an :class:`~arpolicy.actions.Action` into a
:class:`Message` (subject, plain text, HTML where the channel has it,
attachments) with Jinja2 templates in a sandbox
(:class:`jinja2.sandbox.ImmutableSandboxedEnvironment`: templates cannot
reach Python internals or change the data), Babel formatting of money, dates
and numbers per locale, and pendulum for durations in words. It needs the
``messages`` extra: ``pip install 'arpolicy[messages]'``.

**Template layout.** Every template has a *name*: its path under a
template root without the ``.jinja`` suffix. A root is the built-in package
data (``arpolicy/messages/templates/``), a user directory, or the mapping a
plugin returns from ``arpolicy_register_templates``. Names are:

| name | what |
| --- | --- |
| ``<locale>/<template>`` | a step template, e.g. ``en/reminder`` |
| ``<locale>/layouts/<family>.<part>`` | a layout, e.g. ``en/layouts/email.html`` |
| ``<locale>/layouts/<other>`` | pieces the layouts include (``facts.text``) |
| ``<locale>/_<anything>`` | private helpers (never a step template) |

``<locale>`` is a Babel locale identifier (``en``, ``nl``, ``de``,
``fr``, ``de_AT``). ``<template>`` is the action's ``template`` (a step's
``template`` setting, else the step name; ``plan-broken``, ``credit-hold``
and ``trial-ending`` for the actions outside the ladder). ``default`` is
used for a template name that no locale has.

A channel belongs to a *family* (:data:`CHANNEL_FAMILIES`), and each
family renders one or more *parts* (:data:`FAMILY_PARTS`):

| family | channels | parts |
| --- | --- | --- |
| email | email, payment_link, portal (and unknown ones) | subject, text, html |
| letter | letter, registered_letter | subject, text, html |
| short | sms, whatsapp | text |
| phone | phone | subject, text |
| agency | agency | subject, text |
| internal | internal | subject, text |

A step template is one small file for every channel: it starts with
``{% extends layout %}`` and fills blocks; the renderer renders it once per
part with ``layout`` set to ``<locale>/layouts/<family>.<part>`` (the
``en`` layout when the locale has none). The blocks are ``subject``,
``greeting``, ``intro``, ``body``, ``closing`` (e-mail and letter),
``short`` (the lead of an SMS or WhatsApp text), ``call`` and
``questions`` (the phone script) and ``note`` (agency and internal).
Layouts give every block a default and add the facts: the invoices, the
amounts and charges, the deadline, the payment methods and link. The
``html`` part renders with autoescaping on; the others with it off.

Overrides go **by name**: a user directory's template beats a plugin's,
which beats the built-in one. *Adding a locale means adding files only*:
``<locale>/layouts/*.jinja`` and one ``<locale>/<template>.jinja`` per
template; :func:`available_templates` lists what each locale has.

The variables a template sees are documented in the template variable
reference (``docs/reference/messages.md``) and built by
:func:`build_context`.
"""

from __future__ import annotations

from ._context import HANDOVER_COLUMNS, build_context, interest_not_computed
from ._model import (
    CHANNEL_FAMILIES,
    FAMILY_PARTS,
    HTML_FAMILIES,
    Attachment,
    Company,
    Message,
    TemplateSource,
    family_of,
)
from ._render import (
    DEFAULT_LOCALE,
    FALLBACK_TEMPLATE,
    Renderer,
    available_templates,
    builtin_templates,
    render,
)
from .legal import LEGAL_ELEMENTS, LegalElement, missing_legal_elements

__all__ = [
    "CHANNEL_FAMILIES",
    "DEFAULT_LOCALE",
    "FALLBACK_TEMPLATE",
    "FAMILY_PARTS",
    "HANDOVER_COLUMNS",
    "HTML_FAMILIES",
    "LEGAL_ELEMENTS",
    "Attachment",
    "Company",
    "LegalElement",
    "Message",
    "Renderer",
    "TemplateSource",
    "available_templates",
    "build_context",
    "builtin_templates",
    "family_of",
    "interest_not_computed",
    "missing_legal_elements",
    "render",
]
