"""Dutch, German and French messages: every template in every locale, the
legally required elements of formal notices, golden files, locale negotiation."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from arpolicy.actions import Action
from arpolicy.fees import ChargeKind
from arpolicy.messages import (
    LEGAL_ELEMENTS,
    Message,
    Renderer,
    TemplateSource,
    available_templates,
    family_of,
    missing_legal_elements,
    render,
)
from arpolicy.messages.legal import amount_pattern, legal_elements
from arpolicy.model import Ledger, Profile
from arpolicy.money import Money
from arpolicy.playbooks import default_playbook
from test_messages import COMPANY, example, golden, ledger, playbook_templates, simulated

LOCALES = ("en", "nl", "de", "fr")
FAMILY_CHANNELS = ("email", "letter", "sms", "phone", "agency", "internal")


def formal_templates() -> list[str]:
    """The templates of formal steps in the default playbook, and the other notices."""
    formal = {
        step.template_key
        for policy in default_playbook().policies
        for step in policy.steps
        if step.formal
    }
    return sorted(formal | {"notice-of-default", "final-notice", "formal-notice"})


def customer_of(action: Action) -> tuple[Profile, str, str]:
    customer = ledger().customer(action.customer_id)
    return customer.profile, customer.country, customer.language


def variants(template: str) -> list[Action]:
    """One simulated action per distinct (profile, country, figures) of ``template``."""
    seen: dict[tuple[object, ...], Action] = {}
    for action in simulated():
        if action.template != template:
            continue
        profile, country, _ = customer_of(action)
        key = (
            profile,
            country,
            action.interest is not None,
            action.compensation is not None,
            action.collection_costs is not None,
            any(c.announced for c in action.charges),
        )
        seen.setdefault(key, action)
    return list(seen.values())


def pick(template: str, locale: str) -> Action:
    """A simulated action of ``template``, preferably for a customer writing
    ``locale`` and with the most charges (so that golden files show them)."""
    candidates = [a for a in simulated() if a.template == template]
    if not candidates:
        return example(template)
    return max(
        candidates,
        key=lambda a: (customer_of(a)[2] == locale, len(a.charges)),
    )


# -- every template exists and renders in every locale ----------------------


def test_every_locale_has_every_english_template() -> None:
    names = available_templates()
    for locale in LOCALES:
        assert names[locale] == names["en"], locale
    assert set(playbook_templates()) <= set(names["en"])


@pytest.mark.parametrize("locale", LOCALES[1:])
@pytest.mark.parametrize("template", [*playbook_templates(), "default"])
def test_every_template_renders_in_every_locale(locale: str, template: str) -> None:
    base = example("reminder" if template == "default" else template)
    for channel in FAMILY_CHANNELS:
        action = attrs.evolve(base, channel=channel, template=template)
        message = render(action, ledger(), locale=locale, company=COMPANY)
        assert message.locale == locale
        assert message.text.strip()
        # the built-in layouts of the locale are used, not the English ones
        assert "Dear " not in message.text
        assert "Kind regards" not in message.text
        assert "How to pay" not in message.text
        for iid in action.invoice_ids:
            assert iid in message.text
        if family_of(channel) == "short":
            assert len(message.text) <= 320


# -- legal elements -----------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", formal_templates())
def test_formal_templates_contain_the_required_legal_elements(locale: str, template: str) -> None:
    checked = 0
    for action in variants(template):
        message = render(action, ledger(), locale=locale, company=COMPANY)
        assert missing_legal_elements(message, action, ledger()) == (), (
            template,
            locale,
            customer_of(action),
        )
        profile, country, _ = customer_of(action)
        checked += len(legal_elements(template, locale, profile, country))
    assert checked > 0, f"no action of {template} has legal elements to check"


def test_the_sample_has_the_figures_the_checks_rely_on() -> None:
    """The checks above see real amounts: a 14-day letter announcing collection
    costs, and business notices charging interest and the compensation."""
    letters = [a for a in variants("fourteen-day-letter") if any(c.announced for c in a.charges)]
    assert letters
    notices = [a for a in variants("notice-of-default") if a.interest and a.compensation]
    assert notices
    assert [a for a in variants("formal-notice") if a.compensation is None]


@pytest.mark.parametrize(
    ("locale", "phrase"),
    [
        ("nl", "binnen 14 dagen na de dag van ontvangst van deze brief"),
        ("en", "within 14 days, counted from the day after you receive this letter"),
        ("de", "innerhalb von 14 Tagen zu zahlen, gerechnet ab dem Tag nach dem Zugang"),
    ],
)
def test_fourteen_day_letter_states_term_costs_and_interest(locale: str, phrase: str) -> None:
    action = next(
        a
        for a in variants("fourteen-day-letter")
        if customer_of(a)[1] == "NL" and any(c.announced for c in a.charges)
    )
    costs = next(c.amount for c in action.charges if c.kind is ChargeKind.COLLECTION_COSTS)
    message = render(action, ledger(), locale=locale, company=COMPANY)
    flat = re.sub(r"\s+", " ", message.text)
    assert phrase in flat
    body = flat.split(phrase, 1)[1]
    # the costs are stated in the sentence about the term passing, not only in the list
    assert re.search(amount_pattern(costs), body)
    interest = {"nl": "wettelijke rente", "en": "statutory interest", "de": "gesetzlichen Zinsen"}
    assert interest[locale] in body


@pytest.mark.parametrize("locale", LOCALES)
def test_business_notice_states_commercial_interest_and_compensation(locale: str) -> None:
    action = next(a for a in variants("notice-of-default") if a.interest and a.compensation)
    assert action.interest is not None
    assert action.compensation is not None
    message = render(action, ledger(), locale=locale, company=COMPANY)
    for text in (message.text, message.html or ""):
        assert re.search(amount_pattern(action.interest), text)
        assert re.search(amount_pattern(action.compensation), text)
    phrases = {
        "en": "statutory commercial interest",
        "nl": "wettelijke handelsrente",
        "de": "Verzugszinsen für Geschäftsverkehr",
        "fr": "intérêts de retard",
    }
    assert phrases[locale] in message.text


@pytest.mark.parametrize("locale", LOCALES)
def test_uncharged_compensation_is_stated_as_eur_40(locale: str) -> None:
    action = next(a for a in variants("formal-notice") if a.compensation is None)
    message = render(action, ledger(), locale=locale, company=COMPANY)
    assert "EUR 40" in message.text
    assert missing_legal_elements(message, action, ledger()) == ()


def stripped(tmp_path: Path, name: str) -> Renderer:
    path = tmp_path / f"{name}.jinja"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "{% extends layout %}{% block intro %}Bitte zahlen. Betaal a.u.b.{% endblock %}"
        "{% block body %}{% endblock %}",
        encoding="utf-8",
    )
    return Renderer(templates=tmp_path)


def test_a_stripped_user_fourteen_day_letter_is_reported(tmp_path: Path) -> None:
    action = next(
        a
        for a in variants("fourteen-day-letter")
        if customer_of(a)[1] == "NL" and any(c.announced for c in a.charges)
    )
    message = stripped(tmp_path, "nl/fourteen-day-letter").render(
        action, ledger(), locale="nl", company=COMPANY
    )
    missing = missing_legal_elements(message, action, ledger())
    codes = {line.split(":", 1)[0] for line in missing}
    # the layout still lists the announced costs; the term and the interest are gone
    assert codes == {"term-from-receipt", "statutory-interest"}
    assert all("wording" in line for line in missing)


def test_a_stripped_user_business_notice_is_reported(tmp_path: Path) -> None:
    action = next(a for a in variants("formal-notice") if a.compensation is None)
    message = stripped(tmp_path, "de/formal-notice").render(
        action, ledger(), locale="de", company=COMPANY
    )
    missing = missing_legal_elements(message, action, ledger())
    assert [line.split(":", 1)[0] for line in missing] == [
        "commercial-interest",
        "fixed-compensation",
    ]
    assert "amount 40" in missing[1]
    assert "in the HTML" not in missing[0]  # a letter has HTML; both parts lack it alike


def test_an_amount_that_differs_is_reported() -> None:
    action = next(a for a in variants("notice-of-default") if a.interest and a.compensation)
    assert action.compensation is not None
    message = render(action, ledger(), locale="nl", company=COMPANY)
    other = Money(action.compensation.amount + 1, action.compensation.currency)
    charges = tuple(
        attrs.evolve(c, amount=other) if c.kind is ChargeKind.COMPENSATION else c
        for c in action.charges
    )
    changed = attrs.evolve(action, charges=charges)
    missing = missing_legal_elements(message, changed, ledger())
    assert len(missing) == 1
    assert missing[0].startswith("fixed-compensation:")
    assert f"amount {other.amount} {other.currency}" in missing[0]


def test_other_families_and_templates_are_not_checked() -> None:
    action = next(a for a in variants("notice-of-default") if a.interest)
    sms = render(attrs.evolve(action, channel="sms"), ledger(), locale="nl")
    assert missing_legal_elements(sms, action, ledger()) == ()
    reminder = example("reminder")
    assert "reminder" not in LEGAL_ELEMENTS
    assert missing_legal_elements(render(reminder, ledger()), reminder, ledger()) == ()


def test_amount_pattern_matches_locale_writings_only() -> None:
    pattern = amount_pattern(Money("1234.50", "EUR"))
    for text in ("€ 1.234,50", "1 234,50 €", "1\u202f234,50 €", "€1,234.50", "1234,50"):
        assert re.search(pattern, text), text
    for text in ("€ 11.234,50", "1.234,51", "1.234,5"):
        assert not re.search(pattern, text), text
    assert re.search(amount_pattern(Money("40", "EUR")), "EUR 40")


# -- § 286 Abs. 3 BGB -----------------------------------------------------------

NOTICE = "gemäß § 286 Abs. 3 BGB spätestens 30 Tage nach Fälligkeit und Zugang dieser Rechnung"


def with_customer(action: Action, **changes: str) -> tuple[Action, Ledger]:
    books = ledger()
    customer = books.customer(action.customer_id)
    changed = attrs.evolve(customer, **changes)  # type: ignore[misc]
    customers = [changed if c.id == customer.id else c for c in books.customers]
    return action, books.replace(customers=customers)


def courtesy_for(profile: Profile, country: str) -> tuple[Action, Ledger]:
    action = next(
        a
        for a in simulated()
        if a.template == "courtesy"
        and a.channel == "email"
        and customer_of(a)[:2] == (profile, country)
    )
    return action, ledger()


def test_german_courtesy_carries_the_default_notice_for_german_consumers() -> None:
    action, books = courtesy_for(Profile.PRIVATE, "DE")
    message = render(action, books, locale="de", company=COMPANY)
    assert NOTICE in message.text
    assert message.html is not None
    assert NOTICE in message.html
    assert missing_legal_elements(message, action, books) == ()


@pytest.mark.parametrize(
    ("profile", "country"), [(Profile.BUSINESS, "DE"), (Profile.PRIVATE, "NL")]
)
def test_the_default_notice_is_only_for_german_consumers(profile: Profile, country: str) -> None:
    action, books = courtesy_for(profile, country)
    message = render(action, books, locale="de", company=COMPANY)
    assert "§ 286" not in message.text


def test_the_default_notice_is_reported_when_a_user_template_drops_it(tmp_path: Path) -> None:
    action, books = courtesy_for(Profile.PRIVATE, "DE")
    message = stripped(tmp_path, "de/courtesy").render(action, books, locale="de")
    assert [m.split(":", 1)[0] for m in missing_legal_elements(message, action, books)] == [
        "consumer-default-notice"
    ]


def test_users_can_include_the_default_notice(tmp_path: Path) -> None:
    action, books = courtesy_for(Profile.PRIVATE, "DE")
    source = TemplateSource(
        {
            "de/reminder": "{% extends layout %}{% block body %}"
            '{% include "de/layouts/default-notice" %}{% endblock %}'
        }
    )
    message = render(attrs.evolve(action, template="reminder"), books, templates=source)
    assert message.locale == "de"
    assert NOTICE in message.text


# -- golden files --------------------------------------------------------------


def golden_action(template: str, locale: str) -> Action:
    action = pick(template, locale)
    family = family_of(action.channel)
    if family in ("email", "letter", "agency", "internal"):
        return action
    # a phone or short-text step: its e-mail version shows the wording in full
    return attrs.evolve(action, channel="email")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", [*playbook_templates(), "default"])
def test_golden(locale: str, template: str) -> None:
    if template == "default":
        action = attrs.evolve(pick("reminder", locale), template="default")
    else:
        action = golden_action(template, locale)
    # the simulated actions are the history: a hand-over lists the notices sent
    message: Message = render(action, ledger(), locale=locale, company=COMPANY, history=simulated())
    assert message.locale == locale
    golden(
        f"locales/{locale}-{template}-{family_of(action.channel)}.txt",
        f"Subject: {message.subject}\n\n{message.text}",
    )


# -- locale negotiation --------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "chosen"),
    [("de-AT", "de"), ("de_CH", "de"), ("nl-BE", "nl"), ("nl", "nl"), ("fr-BE", "fr")],
)
def test_locale_negotiation(asked: str, chosen: str) -> None:
    action = example("reminder")
    assert render(action, ledger(), locale=asked).locale == chosen
    _, books = with_customer(action, language=asked)
    assert render(action, books).locale == chosen


@pytest.mark.parametrize(
    ("locale", "country", "cited", "not_cited"),
    [
        ("nl", "NL", "artikel 6:119a", "wet van 2 augustus 2002"),
        ("nl", "BE", "wet van 2 augustus 2002", "BW"),
        ("fr", "FR", "L441-10", "loi du 2 août 2002"),
        ("fr", "BE", "loi du 2 août 2002", "Code de commerce"),
        ("de", "DE", "§ 288", "UGB"),
        ("de", "AT", "Geschäftsverkehr", "BGB"),
    ],
)
def test_business_notices_cite_the_law_of_the_customers_country(
    locale: str, country: str, cited: str, not_cited: str
) -> None:
    # The language does not say which law applies: a Belgian customer reading Dutch
    # is not under the Dutch civil code, an Austrian reading German not under the BGB.
    action, books = with_customer(pick("notice-of-default", locale), country=country)
    text = render(action, books, locale=locale, company=COMPANY).text
    assert cited in text
    assert not_cited not in text


def test_english_notices_cite_the_uk_act_for_british_customers() -> None:
    action, books = with_customer(pick("notice-of-default", "en"), country="GB")
    text = render(action, books, locale="en", company=COMPANY).text
    assert "Late Payment of Commercial Debts (Interest) Act 1998" in text
    assert "Directive" not in text
