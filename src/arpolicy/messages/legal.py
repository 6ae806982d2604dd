"""The legally required elements of formal notices, and a check for them.

Some notices must say certain things to have their legal effect (see
``LAW.md`` in the project's background notes):

* the Dutch **14-day letter** to consumers (art. 6:96 lid 6 BW, WIK) must
  count the 14 days from the day after receipt, state the amount of the
  collection costs due if the term passes, and (here) the statutory interest;
* a **formal notice to a business** (Directive 2011/7/EU: NL art. 6:119a BW,
  DE § 288 BGB, FR L441-10 C. com.) states the statutory commercial interest
  (its amount when the notice charges it) and the fixed compensation for
  recovery costs (its amount, EUR 40 when not charged); the interest only
  when the notice claims it (not when the plan could not compute it);
* a German invoice-stage notice to a consumer carries the **§ 286 Abs. 3
  BGB** notice; without it the consumer is not in default 30 days after the
  due date and receipt of the invoice.

:data:`LEGAL_ELEMENTS` holds these as data: per template, the elements with
the customers they apply to, a phrase per locale (a regular expression,
matched case-insensitively) and the action figure whose amount must appear.
:func:`missing_legal_elements` checks a rendered :class:`Message` against
them. Only the families that reach the customer in writing (``email`` and
``letter``) are checked; SMS, phone scripts and hand-overs carry no legal
wording. A locale without a phrase for an element (a user's ``es``
templates) is checked for the amounts only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal

import attrs

from ..actions import Action
from ..fees import ChargeKind
from ..model import Ledger, Profile
from ..money import Money
from ._context import interest_not_computed
from ._model import Message, family_of

__all__ = [
    "CHECKED_FAMILIES",
    "LEGAL_ELEMENTS",
    "LegalElement",
    "amount_pattern",
    "legal_elements",
    "missing_legal_elements",
]

CHECKED_FAMILIES: frozenset[str] = frozenset({"email", "letter"})
"""The channel families whose messages :func:`missing_legal_elements` checks."""


def _announced_collection_costs(action: Action) -> Money | None:
    found = [
        c.amount for c in action.charges if c.kind is ChargeKind.COLLECTION_COSTS and c.announced
    ]
    return Money.total(found, found[0].currency) if found else None


def _interest(action: Action) -> Money | None:
    return action.interest


def _compensation(action: Action) -> Money | None:
    return action.compensation


def _collection_costs(action: Action) -> Money | None:
    return action.collection_costs


@attrs.frozen
class LegalElement:
    """One element a notice must contain.

    Attributes:
        code: a short stable name (``term-from-receipt``).
        description: what the element is, in English, for reports.
        phrases: per locale (language code) a regular expression the text
            must match (case-insensitive, whitespace as ``\\s+``).
        profiles: the customer profiles it applies to (empty: all).
        countries: the customer countries it applies to (empty: all).
        amount: the action figure whose amount must appear in the text when
            the action has it (``None``: no amount check).
        fallback_amount: a fixed amount (in the action's currency's major
            unit) that must appear when ``amount`` gives none (the EUR 40
            compensation); ``None``: nothing then.
        only_if: the element is required only for actions for which this
            returns true (``None``: always). Statutory interest is required
            only when the notice claims it: never when the plan could not
            compute it (a day before the rate table's first row).
    """

    code: str
    description: str
    phrases: Mapping[str, str]
    profiles: frozenset[Profile] = frozenset()
    countries: frozenset[str] = frozenset()
    amount: Callable[[Action], Money | None] | None = None
    fallback_amount: Decimal | None = None
    only_if: Callable[[Action], bool] | None = None

    def applies(self, profile: Profile, country: str) -> bool:
        """Whether the element applies to a customer of this profile and country.

        Args:
            profile: the customer's profile.
            country: the customer's ISO country code.

        Returns:
            True when neither restriction excludes the customer.
        """
        return (not self.profiles or profile in self.profiles) and (
            not self.countries or country in self.countries
        )


def _interest_claimed(action: Action) -> bool:
    return action.interest is not None or interest_not_computed(action) is None


_BUSINESS = frozenset({Profile.BUSINESS, Profile.GOVERNMENT})
_PRIVATE = frozenset({Profile.PRIVATE})

_TERM = LegalElement(
    "term-from-receipt",
    "the 14-day term counted from the day after receipt of the letter",
    {
        "en": r"14 days.{0,60}from the day after (you receive|receipt of) this letter",
        "nl": r"14 dagen na de dag van ontvangst van deze brief",
        "de": r"14 Tagen.{0,40}ab dem Tag nach dem Zugang dieses Schreibens",
        "fr": r"14 jours.{0,60}lendemain de la réception de (ce courrier|cette lettre)",
    },
)
_COSTS = LegalElement(
    "collection-costs",
    "the amount of the collection costs due if the term passes",
    {
        "en": r"collection costs",
        "nl": r"incassokosten",
        "de": r"Inkassokosten",
        "fr": r"frais de recouvrement",
    },
    amount=_announced_collection_costs,
)
_STATUTORY_INTEREST = LegalElement(
    "statutory-interest",
    "the statutory interest",
    {
        "en": r"statutory interest",
        "nl": r"wettelijke rente",
        "de": r"gesetzlichen? (Verzugs)?zinsen",
        "fr": r"intérêts (au taux )?légal",
    },
    only_if=_interest_claimed,
)
_COMMERCIAL_INTEREST = LegalElement(
    "commercial-interest",
    "the statutory commercial interest (its amount when charged)",
    {
        "en": r"statutory commercial interest",
        "nl": r"wettelijke handelsrente",
        "de": r"gesetzlichen Verzugszinsen für Geschäftsverkehr",
        "fr": r"intérêts de retard",
    },
    profiles=_BUSINESS,
    amount=_interest,
    only_if=_interest_claimed,
)
_COMPENSATION = LegalElement(
    "fixed-compensation",
    "the fixed compensation for recovery costs and its amount",
    {
        "en": r"fixed compensation for recovery costs",
        "nl": r"vaste vergoeding voor invorderingskosten",
        "de": r"Pauschale für Beitreibungskosten",
        "fr": r"indemnité forfaitaire pour frais de recouvrement",
    },
    profiles=_BUSINESS,
    amount=_compensation,
    fallback_amount=Decimal(40),
)
_CONSUMER_COSTS = LegalElement(
    "collection-costs-charged",
    "the amount of the collection costs charged",
    {},
    profiles=_PRIVATE,
    amount=_collection_costs,
)
_DEFAULT_NOTICE = LegalElement(
    "consumer-default-notice",
    "the § 286 Abs. 3 BGB notice (default 30 days after due date and receipt)",
    {"de": r"§\s*286 Abs\.\s*3 BGB.{0,80}30 Tage"},
    profiles=_PRIVATE,
    countries=frozenset({"DE"}),
)

LEGAL_ELEMENTS: Mapping[str, tuple[LegalElement, ...]] = {
    "fourteen-day-letter": (_TERM, _COSTS, _STATUTORY_INTEREST),
    "notice-of-default": (_COMMERCIAL_INTEREST, _COMPENSATION),
    "formal-notice": (_COMMERCIAL_INTEREST, _COMPENSATION),
    "final-notice": (_COMMERCIAL_INTEREST, _COMPENSATION, _CONSUMER_COSTS),
    "courtesy": (_DEFAULT_NOTICE,),
}
"""The required elements per template name (the action's ``template``)."""


def amount_pattern(value: Money) -> str:
    """A regular expression matching ``value``'s number however a locale
    writes it: any (or no) grouping separator, ``.`` or ``,`` as decimal
    mark, and for a whole amount also without decimals.

    Args:
        value: the amount.

    Returns:
        The pattern (no currency sign; not inside a longer number).

    Examples:
        >>> import re
        >>> p = amount_pattern(Money("1234.50", "EUR"))
        >>> [bool(re.search(p, t)) for t in ("€ 1.234,50", "1 234,50 €", "1234.5")]
        [True, True, False]
    """
    quantized = abs(value.amount)
    whole, _, frac = f"{quantized:f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    number = r"[.,'\s\u00a0\u202f]?".join(groups)
    if frac:
        tail = rf"[.,]{frac}"
        if set(frac) == {"0"}:
            tail = rf"(?:{tail})?"
    else:
        tail = ""
    return rf"(?<![\d.,]){number}{tail}(?![\d])"


def legal_elements(
    template: str, locale: str, profile: Profile, country: str
) -> tuple[LegalElement, ...]:
    """The elements a ``template`` must contain for a customer.

    Args:
        template: the template name (``fourteen-day-letter``).
        locale: the message's locale (only used to pick phrases later; kept
            for symmetry with the checks).
        profile: the customer's profile.
        country: the customer's ISO country code.

    Returns:
        The applicable elements, in :data:`LEGAL_ELEMENTS` order.
    """
    del locale
    return tuple(e for e in LEGAL_ELEMENTS.get(template, ()) if e.applies(profile, country))


def _language(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


def _missing_in(text: str, element: LegalElement, locale: str, action: Action) -> list[str]:
    problems: list[str] = []
    phrase = element.phrases.get(_language(locale))
    flat = re.sub(r"\s+", " ", text)
    if phrase is not None and not re.search(phrase, flat, re.IGNORECASE | re.DOTALL):
        problems.append("wording")
    figure = element.amount(action) if element.amount is not None else None
    if figure is not None:
        if not re.search(amount_pattern(figure), flat):
            problems.append(f"amount {figure.amount} {figure.currency}")
    elif element.fallback_amount is not None and not re.search(
        amount_pattern(Money(element.fallback_amount, "EUR")), flat
    ):
        problems.append(f"amount {element.fallback_amount}")
    return problems


def missing_legal_elements(message: Message, action: Action, ledger: Ledger) -> tuple[str, ...]:
    """The legally required elements a rendered message lacks.

    The elements come from :data:`LEGAL_ELEMENTS` for the message's
    template, restricted to the customer's profile and country. Each is
    checked in the plain text and, when the message has one, in the HTML:
    its phrase in the message's locale (when known) and the amount of its
    figure taken from the action. Messages of other families than
    :data:`CHECKED_FAMILIES` are not checked.

    Args:
        message: the rendered message (from :func:`~arpolicy.messages.render`).
        action: the action it was rendered from (its figures are expected).
        ledger: the ledger (for the customer's profile and country).

    Returns:
        One line per missing element, ``"<code>: <description> (<what is
        missing>[, in the HTML])"``, sorted as in :data:`LEGAL_ELEMENTS`;
        empty when nothing is missing.

    Raises:
        UnknownReferenceError: the action's customer is not in the ledger.
    """
    if family_of(message.channel) not in CHECKED_FAMILIES:
        return ()
    customer = ledger.customer(action.customer_id)
    found: list[str] = []
    for element in legal_elements(
        message.template, message.locale, customer.profile, customer.country
    ):
        if element.only_if is not None and not element.only_if(action):
            continue
        problems = _missing_in(message.text, element, message.locale, action)
        if message.html is not None:
            in_html = _missing_in(message.html, element, message.locale, action)
            problems += [f"{p}, in the HTML" for p in in_html if p not in problems]
        if problems:
            found.append(f"{element.code}: {element.description} ({'; '.join(problems)})")
    return tuple(found)
