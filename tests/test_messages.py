"""arpolicy.messages: rendering every built-in template, golden files, the
sandbox, locale choice, overrides by name and a property over drawn ledgers."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arpolicy.actions import Action, ActionKind
from arpolicy.engine import plan, simulate
from arpolicy.errors import (
    DuplicateNameError,
    LoadError,
    MissingExtraError,
    PluginError,
    TemplateError,
    UnsafeTemplateError,
)
from arpolicy.fees import ChargeKind
from arpolicy.messages import (
    CHANNEL_FAMILIES,
    FAMILY_PARTS,
    HTML_FAMILIES,
    Company,
    Message,
    Renderer,
    TemplateSource,
    available_templates,
    builtin_templates,
    family_of,
    render,
)
from arpolicy.model import Ledger
from arpolicy.money import Money
from arpolicy.playbooks import default_playbook
from arpolicy.plugins import Plugins, hookimpl, make_plugin_manager
from arpolicy.sample import sample_ledger
from arpolicy.testing.strategies import ledgers

GOLDEN = Path(__file__).resolve().parent / "golden" / "messages"
AS_OF = date(2026, 11, 2)
COMPANY = Company(
    "Example Trading B.V.",
    "Kerkstraat 1\n1011 AA Amsterdam",
    iban="NL91ABNA0417164300",
    bic="ABNANL2A",
    email="ar@example.com",
    phone="+31 20 123 4567",
    website="https://example.com",
    vat="NL123456789B01",
)
SPECIAL = ("plan-broken", "credit-hold", "trial-ending")


def golden(name: str, text: str) -> None:
    """Compare with tests/golden/messages/NAME; write it when ARPOLICY_UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if os.environ.get("ARPOLICY_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@cache
def ledger() -> Ledger:
    return sample_ledger()


@cache
def simulated() -> tuple[Action, ...]:
    """Every action of the sample portfolio from January to the sample date."""
    return simulate(
        ledger(), start=date(2026, 1, 1), end=AS_OF, playbook=default_playbook()
    ).actions


@cache
def renderer() -> Renderer:
    return Renderer()


def playbook_templates() -> list[str]:
    names = {step.template_key for policy in default_playbook().policies for step in policy.steps}
    return sorted(names | set(SPECIAL))


def example(template: str) -> Action:
    """A simulated action of ``template``; a deposit step nobody reached in the
    sample borrows a deposit action of the same policy."""
    for action in simulated():
        if action.template == template:
            return action
    stand_in = next(a for a in simulated() if a.policy == "deposit")
    return attrs.evolve(stand_in, step=template, template=template)


def amount_text(value: Money) -> str:
    """How the en_<country> and en locales write the number part of an amount."""
    return re.sub(r"\D", "", str(value.amount))


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# -- every template and channel family ---------------------------------------


def test_every_playbook_template_exists_in_english() -> None:
    assert set(playbook_templates()) <= set(available_templates()["en"])
    assert "default" in available_templates()["en"]


@pytest.mark.parametrize("template", playbook_templates())
@pytest.mark.parametrize("channel", sorted(CHANNEL_FAMILIES))
def test_every_template_renders_on_every_channel(template: str, channel: str) -> None:
    action = attrs.evolve(example(template), channel=channel)
    message = renderer().render(action, ledger(), locale="en", company=COMPANY)
    family = family_of(channel)
    assert (message.template, message.channel, message.locale) == (template, channel, "en")
    assert message.text.strip()
    assert (message.html is not None) == (family in HTML_FAMILIES)
    assert bool(message.subject) == ("subject" in FAMILY_PARTS[family])
    if family == "short":
        assert len(message.text) <= 320
    text = message.text
    for iid in action.invoice_ids:
        assert iid in text
        if message.html is not None:
            assert iid in message.html
    if action.total_due is not None and family != "internal":
        assert amount_text(action.total_due) in digits(text)
    if action.deadline is not None and family not in ("agency", "internal"):
        if family == "short":
            assert str(action.deadline.day) in text
        else:
            assert f"{action.deadline.day} {action.deadline:%B} {action.deadline.year}" in text
    links = {ledger().invoice(i).payment_link for i in action.invoice_ids} - {None}
    if links and family not in ("agency", "internal"):
        assert any(link in text for link in links)


def test_sample_plan_messages_list_invoices_amounts_deadline_and_link() -> None:
    actions = plan(ledger(), as_of=AS_OF, playbook=default_playbook()).actions
    assert actions
    for action in actions:
        message = render(action, ledger(), locale="en", company=COMPANY)
        for iid in action.invoice_ids:
            invoice = ledger().invoice(iid)
            assert iid in message.text
            if invoice.payment_link and family_of(action.channel) != "internal":
                assert invoice.payment_link in message.text
        if action.total_due is not None and action.channel != "internal":
            assert amount_text(action.total_due) in digits(message.text)
        if family_of(action.channel) in ("email", "letter") and action.total_due is not None:
            assert "IBAN NL91ABNA0417164300" in message.text


def test_formal_business_notice_states_interest_and_compensation() -> None:
    action = next(
        a
        for a in simulated()
        if a.template == "notice-of-default" and a.interest is not None and a.compensation
    )
    message = render(action, ledger(), locale="en")
    assert action.interest is not None
    assert action.compensation is not None
    rate = next(c.rate for c in action.charges if c.kind is ChargeKind.INTEREST)
    for text in (message.text, message.html or ""):
        assert "statutory commercial interest" in text.lower()
        assert "fixed compensation" in text.lower()
        assert rate in text
        assert amount_text(action.interest) in digits(text)
        assert amount_text(action.compensation) in digits(text)
    assert "formal notice of default" in message.text


def test_fourteen_day_letter_counts_from_the_day_after_receipt_and_names_costs() -> None:
    action = next(a for a in simulated() if a.template == "fourteen-day-letter")
    announced = next(c for c in action.charges if c.announced) if action.charges else None
    message = render(action, ledger(), locale="en")
    assert "14 days, counted from the day after you receive this letter" in message.text
    if announced is not None:
        assert amount_text(announced.amount) in digits(message.text)


def test_amounts_are_formatted_per_locale_and_country() -> None:
    action = example("reminder")
    customer = ledger().customer(action.customer_id)
    message = render(action, ledger(), locale="en")
    assert action.total_due is not None
    assert customer.country in {"NL", "BE", "DE", "FR", "GB"}
    # Babel writes the amount with the currency sign and the country's separators
    assert "€" in message.text or "£" in message.text or "$" in message.text
    assert str(action.total_due.amount) not in message.text or customer.country == "GB"


def test_attachments() -> None:
    email = render(example("reminder"), ledger(), locale="en")
    (overview,) = email.attachments
    assert overview.media_type == "text/csv"
    assert overview.content.splitlines()[0].startswith("invoice_id,reference,")
    handover = render(example("handover"), ledger(), locale="en", company=COMPANY)
    summary, invoices = handover.attachments
    assert (summary.media_type, invoices.media_type) == ("application/json", "text/csv")
    data = json.loads(summary.content)
    action = example("handover")
    assert [row["id"] for row in data["invoices"]] == list(action.invoice_ids)
    assert data["creditor"]["iban"] == COMPANY.iban
    assert action.total_due is not None
    assert data["total_due"] == {
        "amount": str(action.total_due.amount),
        "currency": action.total_due.currency,
    }
    sms = render(attrs.evolve(example("reminder"), channel="sms"), ledger(), locale="en")
    assert sms.attachments == ()


def test_special_actions() -> None:
    trial = render(example("trial-ending"), ledger(), locale="en")
    assert "ends on" in trial.subject
    broken = example("plan-broken")
    assert broken.kind is ActionKind.PLAN_BROKEN
    assert broken.invoice_ids == ()
    message = render(broken, ledger(), locale="en")
    plan_id = broken.reasons[0].get("plan")
    assert plan_id is not None
    assert plan_id in message.subject
    for iid in ledger().plan(plan_id).invoice_ids:
        if iid in (broken.reasons[0].get("invoices") or "").split():
            assert iid in message.text
    hold = render(example("credit-hold"), ledger(), locale="en")
    assert hold.html is None
    assert "Credit hold" in hold.subject


# -- golden files ------------------------------------------------------------

GOLDEN_CASES = [
    ("courtesy", "email"),
    ("courtesy", "sms"),
    ("call", "phone"),
    ("stern-reminder", "letter"),
    ("notice-of-default", "letter"),
    ("fourteen-day-letter", "letter"),
    ("handover", "agency"),
    ("credit-hold", "internal"),
]


@pytest.mark.parametrize(("template", "channel"), GOLDEN_CASES)
def test_golden(template: str, channel: str) -> None:
    action = next(a for a in simulated() if (a.template, a.channel) == (template, channel))
    # the simulated actions are the history: a hand-over lists the notices sent
    message = render(action, ledger(), locale="en", company=COMPANY, history=simulated())
    stem = f"en-{template}-{channel}"
    golden(f"{stem}.txt", f"Subject: {message.subject}\n\n{message.text}")
    if message.html is not None:
        golden(f"{stem}.html", message.html)
    for attachment in message.attachments:
        if attachment.media_type == "application/json":
            golden(f"{stem}.json", attachment.content)
        if attachment.name.startswith("handover-"):
            golden(f"{stem}.{attachment.name.rpartition('.')[2]}", attachment.content)


def test_rendering_is_deterministic() -> None:
    action = example("notice-of-default")
    first = Renderer().render(action, ledger(), company=COMPANY)
    assert first == render(action, ledger(), company=COMPANY)


# -- locale ------------------------------------------------------------------

GERMAN = {
    "de/reminder": "{% extends layout %}{% block subject %}Zahlungserinnerung{% endblock %}"
    "{% block greeting %}Sehr geehrte Damen und Herren,{% endblock %}"
    "{% block intro %}{{ days_overdue|duration }} überfällig.{% endblock %}",
}


def test_locale_falls_back_to_english() -> None:
    action = example("reminder")
    assert render(action, ledger(), locale="sv-SE").locale == "en"
    assert render(action, ledger(), locale="xx").locale == "en"
    # no locale asked: the customer's language (French here) decides
    assert render(action, ledger(), locale="").locale == "fr"


def test_locale_is_negotiated_to_an_available_one() -> None:
    action = example("reminder")
    source = TemplateSource(GERMAN)
    for asked in ("de-AT", "de_AT", "de", "DE-ch"):
        message = render(action, ledger(), locale=asked, templates=source)
        assert message.locale == "de", asked
        assert message.subject == "Zahlungserinnerung"
    # the customer's language decides when no locale is given
    customer = ledger().customer(action.customer_id)
    german = attrs.evolve(customer, language="de-AT")
    books = ledger().replace(
        customers=[german if c.id == customer.id else c for c in ledger().customers]
    )
    message = render(action, books, templates=source)
    assert message.locale == "de"
    # pendulum writes the duration in German; the built-in German call template
    days = max(ledger().invoice(i).days_overdue(action.date) for i in action.invoice_ids)
    assert ("Tag" in message.text) or ("Woche" in message.text), (days, message.text)
    assert render(attrs.evolve(action, template="call"), books, templates=source).locale == "de"


@pytest.mark.parametrize(
    ("locale", "word"),
    [("en", "3 weeks"), ("nl", "3 weken"), ("de", "3 Wochen"), ("fr", "3 semaines")],
)
def test_durations_in_words_per_locale(locale: str, word: str) -> None:
    source = TemplateSource(
        {
            f"{locale}/reminder": "{% extends layout %}{% block intro %}[{{ 21|duration }}]"
            "[{{ 0|duration }}]{% endblock %}"
        }
    )
    message = render(example("reminder"), ledger(), locale=locale, templates=source)
    assert f"[{word}]" in message.text
    assert re.search(r"\[0\s\w+\]", message.text)


def test_filters_money_date_percent_number() -> None:
    source = TemplateSource(
        {
            "nl/reminder": "{% extends layout %}{% block intro %}"
            "{{ amount_due|money }}|{{ date|date('medium') }}|{{ '0.1015'|percent }}"
            "|{{ 1234.5|number }}{% endblock %}"
        }
    )
    action = example("reminder")
    message = render(action, ledger(), locale="nl", templates=source)
    assert action.amount_due is not None
    assert action.amount_due.currency == "EUR"
    line = next(x for x in message.text.splitlines() if "|" in x)
    amount, day, pct, number = line.split("|")
    assert amount.startswith("€")
    assert "," in amount
    assert amount_text(action.amount_due) == digits(amount)
    assert day.endswith(str(action.date.year))
    assert pct.replace("\xa0", "") in {"10,15%"}
    assert number == "1.234,5"


# -- overrides ---------------------------------------------------------------


def test_user_directory_overrides_builtin(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "reminder.jinja").write_text(
        "{% extends layout %}{% block subject %}Our own subject{% endblock %}", encoding="utf-8"
    )
    message = render(example("reminder"), ledger(), locale="en", templates=tmp_path)
    assert message.subject == "Our own subject"
    assert "reminder" in available_templates(templates=tmp_path)["en"]
    # other templates stay built-in
    other = render(example("courtesy"), ledger(), locale="en", templates=tmp_path)
    assert other == render(example("courtesy"), ledger(), locale="en")


def test_user_layout_override(tmp_path: Path) -> None:
    (tmp_path / "en" / "layouts").mkdir(parents=True)
    (tmp_path / "en" / "layouts" / "short.text.jinja").write_text(
        "SHORT {% block short %}{% endblock %}", encoding="utf-8"
    )
    action = attrs.evolve(example("reminder"), channel="whatsapp")
    assert render(action, ledger(), locale="en", templates=tmp_path).text.startswith("SHORT ")


class ShoutingReminders:
    arpolicy_plugin_name = "shouting"

    @hookimpl
    def arpolicy_register_templates(self) -> Mapping[str, str]:
        return {
            "en/reminder": "{% extends layout %}{% block subject %}PLUGIN{% endblock %}",
            "en/custom-step": "{% extends layout %}{% block subject %}CUSTOM{% endblock %}",
        }


def plugins(*extra: object) -> Plugins:
    return Plugins(make_plugin_manager(plugins=extra, entry_points=False, disable=()))


def test_plugin_template_beats_builtin_and_user_beats_plugin() -> None:
    action = example("reminder")
    active = plugins(ShoutingReminders())
    assert render(action, ledger(), locale="en", plugins=active).subject == "PLUGIN"
    custom = attrs.evolve(action, template="custom-step")
    assert render(custom, ledger(), locale="en", plugins=active).subject == "CUSTOM"
    assert "custom-step" in available_templates(plugins=active)["en"]
    user = TemplateSource(
        {"en/reminder": "{% extends layout %}{% block subject %}USER{% endblock %}"}
    )
    assert render(action, ledger(), locale="en", plugins=active, templates=user).subject == "USER"


def test_two_plugins_with_one_template_name_is_an_error() -> None:
    class Twin(ShoutingReminders):
        arpolicy_plugin_name = "twin"

    with pytest.raises(DuplicateNameError) as caught:
        Renderer(plugins=plugins(ShoutingReminders(), Twin()))
    assert (caught.value.first, caught.value.second) == ("shouting", "twin")


def test_a_plugin_answering_nonsense_is_named() -> None:
    class Broken:
        @hookimpl
        def arpolicy_register_templates(self) -> object:
            return ["en/reminder"]

    with pytest.raises(PluginError, match="not a mapping"):
        Renderer(plugins=plugins(Broken()))


def test_unknown_template_uses_default() -> None:
    action = attrs.evolve(example("reminder"), template="nobody-knows-me")
    message = render(action, ledger())
    assert message.template == "default"
    assert all(i in message.text for i in action.invoice_ids)


# -- the sandbox and errors --------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "''.__class__.__mro__",
        "cycler.__init__.__globals__",
        "customer.__class__",
        "company.__class__.__init__.__globals__",
        "invoices.append(1)",
        "amount_due.__class__.__mro__[1].__subclasses__()",
    ],
)
def test_malicious_template_is_refused(expression: str) -> None:
    source = TemplateSource(
        {
            "en/reminder": "{% extends layout %}{% block intro %}\n\n{{ "
            + expression
            + " }}{% endblock %}"
        }
    )
    with pytest.raises(UnsafeTemplateError) as caught:
        render(example("reminder"), ledger(), locale="en", templates=source)
    assert caught.value.template == "en/reminder"
    assert caught.value.file == "user templates"
    assert caught.value.line == 3


def test_malicious_template_in_a_directory_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    path = tmp_path / "en" / "reminder.jinja"
    path.write_text(
        "{% extends layout %}\n{% block intro %}\n{{ ''.__class__.__mro__ }}\n{% endblock %}\n",
        encoding="utf-8",
    )
    with pytest.raises(UnsafeTemplateError) as caught:
        render(example("reminder"), ledger(), locale="en", templates=tmp_path)
    assert (caught.value.file, caught.value.line) == (str(path), 3)
    assert str(path) in str(caught.value)


def test_undefined_variable_and_syntax_error_are_typed() -> None:
    undefined = TemplateSource(
        {"en/reminder": "{% extends layout %}{% block intro %}{{ no_such_thing }}{% endblock %}"}
    )
    with pytest.raises(TemplateError, match="no_such_thing") as caught:
        render(example("reminder"), ledger(), locale="en", templates=undefined)
    assert not isinstance(caught.value, UnsafeTemplateError)
    broken = TemplateSource({"en/reminder": "{% extends layout %}\n{% block intro %}{{ x"})
    with pytest.raises(TemplateError, match="syntax error") as caught:
        render(example("reminder"), ledger(), locale="en", templates=broken)
    assert caught.value.line == 2


def test_html_part_escapes_and_text_part_does_not() -> None:
    action = example("reminder")
    customer = ledger().customer(action.customer_id)
    evil = attrs.evolve(customer, name="<script>alert(1)</script> & Co")
    books = ledger().replace(
        customers=[evil if c.id == customer.id else c for c in ledger().customers]
    )
    message = render(action, books, locale="en")
    assert message.html is not None
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in message.html
    assert "<script>alert(1)</script> & Co" in message.text


def test_template_directory_must_exist(tmp_path: Path) -> None:
    with pytest.raises(LoadError):
        render(example("reminder"), ledger(), templates=tmp_path / "missing")


def test_missing_extra_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(MissingExtraError) as caught:
        Renderer()
    assert caught.value.extra == "messages"


def test_builtin_templates_have_stable_names() -> None:
    names = set(builtin_templates())
    for family, parts in FAMILY_PARTS.items():
        for part in parts:
            for locale in ("en", "nl", "de"):
                assert f"{locale}/layouts/{family}.{part}" in names
    assert {n.split("/")[0] for n in names} <= {"en", "nl", "de", "fr"}


# -- property ----------------------------------------------------------------

LEDGERS = ledgers(
    max_customers=3,
    max_invoices=8,
    max_payments=4,
    currencies=("EUR", "JPY", "GBP"),
    start=date(2026, 1, 1),
    end=date(2026, 3, 31),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    books=LEDGERS,
    as_of=st.dates(date(2026, 1, 15), date(2026, 7, 31)),
    channel=st.sampled_from([*sorted(CHANNEL_FAMILIES), "fax"]),
    locale=st.sampled_from([None, "en", "de-AT", "nl", "xx", "fr_FR"]),
    company=st.builds(Company, name=st.text(max_size=40)),
)
def test_rendering_never_fails(
    books: Ledger, as_of: date, channel: str, locale: str | None, company: Company
) -> None:
    actions = simulate(books, start=as_of, end=as_of + date.resolution * 45).actions
    for action in actions[:12]:
        changed = attrs.evolve(action, channel=channel)
        message = renderer().render(changed, books, locale=locale, company=company)
        assert isinstance(message, Message)
        expected = {"en": "en", "de-AT": "de", "nl": "nl", "xx": "en"}.get(locale or "")
        assert message.locale == (expected or message.locale)
        assert message.locale in available_templates()
        assert message.text.endswith("\n")
        for iid in action.invoice_ids:
            assert iid in message.text
        if family_of(channel) == "short":
            assert len(message.text) <= 320
