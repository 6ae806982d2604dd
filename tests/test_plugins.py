"""Plugins: discovery, disabling, rules, vetoes, channels, errors, determinism."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pluggy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arpolicy.actions import Action, Plan, SkipReason
from arpolicy.calendar import BusinessCalendar
from arpolicy.channels import Channel, Payload, RenderContext
from arpolicy.engine import plan, simulate
from arpolicy.errors import DuplicateNameError, LoadError, PluginError
from arpolicy.fees import Charge, ChargeKind, FeeContext, FeeRule, RuleResult, StatutoryInterest
from arpolicy.io import dumps_playbook, loads_playbook
from arpolicy.law import RateRow
from arpolicy.lint import lint, lint_ledger
from arpolicy.model import Customer, Dispute, Invoice
from arpolicy.playbooks import default_playbook
from arpolicy.plugins import BUILTIN_PLUGINS, Plugins, hookimpl, make_plugin_manager
from arpolicy.policy import Playbook
from arpolicy.rules import ActionContext, InvoiceContext, Skip, Veto
from arpolicy.sample import sample_ledger
from engine_helpers import (
    DUE,
    customer,
    day_by_day,
    days,
    eur,
    invoice,
    ledger,
    playbook,
    policy,
    step,
)


def plugins(*extra: object, disable: tuple[str, ...] = ()) -> Plugins:
    return Plugins(make_plugin_manager(plugins=extra, entry_points=False, disable=disable))


class Named:
    """A plugin object with a name."""

    def __init__(self, name: str) -> None:
        self.arpolicy_plugin_name = name


class SkipBig(Named):
    """Skips invoices of 500 or more."""

    @hookimpl
    def arpolicy_skip_invoice(self, context: InvoiceContext) -> Skip | None:
        if context.balance >= eur(500):
            return Skip(SkipReason.RULE, "big invoices are called by a person")
        return None


class VetoLetters(Named):
    @hookimpl
    def arpolicy_adjust_action(self, action: Action, context: ActionContext) -> Veto | None:
        if action.channel == "letter":
            return Veto("no paper")
        return None


class RenameTemplates(Named):
    @hookimpl
    def arpolicy_adjust_action(self, action: Action, context: ActionContext) -> Action:
        return attrs.evolve(action, template=f"{self.arpolicy_plugin_name}/{action.template}")


def _pigeon(action: Action, context: RenderContext) -> Payload:
    return Payload("pigeon", "message", context.customer.name, action.step, action.key)


class Pigeons(Named):
    @hookimpl
    def arpolicy_register_channels(self) -> list[Channel]:
        return [Channel("pigeon", _pigeon, description="a carrier pigeon")]


def test_builtins_come_first_and_are_listed() -> None:
    info = plugins(SkipBig("skip-big")).describe()
    assert [(p.name, p.source) for p in info] == [
        ("arpolicy.channels", "built-in"),
        ("arpolicy.rules", "built-in"),
        ("skip-big", "registered in code"),
    ]
    assert info[2].hooks == ("arpolicy_skip_invoice",)


def test_built_in_rules_can_be_disabled_and_replaced() -> None:
    disputed = invoice(dispute=Dispute(DUE, "wrong quantity"))
    books = ledger([disputed])
    day = DUE + days(7)
    assert plan(books, as_of=day, playbook=playbook()).skipped[0].reason is SkipReason.DISPUTED
    bare = plugins(disable=("arpolicy.rules",))
    assert [a.step for a in plan(books, as_of=day, playbook=playbook(), plugins=bare).actions] == [
        "r1"
    ]

    class MyRules(Named):
        @hookimpl
        def arpolicy_skip_invoice(self, context: InvoiceContext) -> Skip | None:
            if context.invoice.dispute is not None:
                return Skip(SkipReason.DISPUTED, "ours: disputes wait for the account manager")
            return None

    mine = plugins(MyRules("my-rules"), disable=("arpolicy.rules",))
    (skip,) = plan(books, as_of=day, playbook=playbook(), plugins=mine).skipped
    assert skip.reason is SkipReason.DISPUTED
    assert skip.detail == "ours: disputes wait for the account manager (plugin 'my-rules')"


def test_disable_list_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARPOLICY_DISABLE_PLUGINS", " arpolicy.rules , skip-big")
    pm = make_plugin_manager(plugins=[SkipBig("skip-big")], entry_points=False)
    active = sorted(name for name, plugin in pm.list_name_plugin() if plugin is not None)
    assert active == ["arpolicy.channels"]


def test_a_skip_rule_removes_invoices_with_its_reason() -> None:
    books = ledger([invoice("I1", amount="100.00"), invoice("I2", amount="900.00")])
    result = plan(books, as_of=DUE + days(7), playbook=playbook(), plugins=plugins(SkipBig("sb")))
    assert [a.invoice_ids for a in result.actions] == [("I1",)]
    assert [(s.invoice_id, s.reason, s.detail) for s in result.skipped] == [
        ("I2", SkipReason.RULE, "big invoices are called by a person (plugin 'sb')")
    ]


def test_a_veto_removes_an_action_and_says_so() -> None:
    ladder = [step("r1", 7, "email", "letter")]
    books = ledger([invoice()])
    result = plan(
        books,
        as_of=DUE + days(7),
        playbook=playbook(policy(steps=ladder)),
        plugins=plugins(VetoLetters("paperless")),
    )
    assert [a.channel for a in result.actions] == ["email"]
    (skip,) = result.skipped
    assert (skip.reason, skip.step) == (SkipReason.VETOED, "r1")
    assert skip.detail == "letter action vetoed: no paper (plugin 'paperless')"


def test_action_rules_chain_in_plugin_name_order() -> None:
    books = ledger([invoice()])
    both = plugins(RenameTemplates("b-second"), RenameTemplates("a-first"))
    (action,) = plan(books, as_of=DUE + days(7), playbook=playbook(), plugins=both).actions
    assert action.template == "b-second/a-first/r1"


def test_a_third_party_channel_receives_actions() -> None:
    books = ledger([invoice()])
    ladder = [step("r1", 7, "pigeon")]
    found = plugins(Pigeons("pigeons"))
    assert found.channel_sources()["pigeon"] == "pigeons"
    (action,) = plan(
        books, as_of=DUE + days(7), playbook=playbook(policy(steps=ladder)), plugins=found
    ).actions
    payload = found.render(action, books)
    assert payload == Payload("pigeon", "message", "Customer C1", "r1", action.key)


def test_built_in_channels_render_every_action_of_the_sample() -> None:
    books = sample_ledger()
    result = simulate(
        books, start=date(2026, 9, 1), end=date(2026, 11, 2), playbook=default_playbook()
    )
    found = plugins()
    kinds = {found.render(a, books).kind for a in result.actions}
    assert kinds == {"email", "file", "letter", "message", "task"}


def test_two_plugins_with_one_channel_name_fail_naming_both() -> None:
    with pytest.raises(DuplicateNameError) as info:
        plugins(Pigeons("b-birds"), Pigeons("a-birds")).channels()
    assert (info.value.first, info.value.second) == ("a-birds", "b-birds")
    assert "'pigeon' is registered by two plugins: 'a-birds' and 'b-birds'" in str(info.value)


def test_a_plugin_that_shadows_a_built_in_channel_fails() -> None:
    class Mail(Named):
        @hookimpl
        def arpolicy_register_channels(self) -> list[Channel]:
            return [Channel("email", _pigeon)]

    with pytest.raises(DuplicateNameError, match=r"'arpolicy\.channels' and 'mail'"):
        plugins(Mail("mail")).channels()


def test_a_failing_plugin_is_named_with_what_it_was_doing() -> None:
    class Broken(Named):
        @hookimpl
        def arpolicy_skip_invoice(self, context: InvoiceContext) -> Skip | None:
            raise ZeroDivisionError("oops")

    books = ledger([invoice("I7")])
    with pytest.raises(PluginError) as info:
        plan(books, as_of=DUE + days(7), playbook=playbook(), plugins=plugins(Broken("broken")))
    error = info.value
    assert (error.plugin, error.hook, error.subject) == (
        "broken",
        "arpolicy_skip_invoice",
        "invoice 'I7'",
    )
    assert "ZeroDivisionError: oops" in str(error)


def test_a_misspelled_hook_fails_at_once() -> None:
    class Typo:
        @hookimpl
        def arpolicy_skip_invoce(self, context: InvoiceContext) -> None:
            return None

    with pytest.raises(pluggy.PluginValidationError, match="arpolicy_skip_invoce"):
        make_plugin_manager(plugins=[Typo()], entry_points=False)


def test_a_plugin_chooses_the_policy() -> None:
    class Crm(Named):
        @hookimpl
        def arpolicy_select_policy(
            self, customer: Customer, invoice: Invoice, playbook: Playbook
        ) -> str | None:
            return "gentle" if customer.id == "C2" else None

    gentle = policy("gentle", [step("g1", 30)])
    book = playbook(policy(), gentle)
    books = ledger(
        [invoice("I1"), invoice("I2", customer_id="C2")],
        customers=[customer("C1"), customer("C2")],
    )
    result = plan(books, as_of=DUE + days(30), playbook=book, plugins=plugins(Crm("crm")))
    # a first run: the ladder of I1 resumes at its first step (catch_up "resume")
    assert sorted((a.customer_id, a.policy, a.step) for a in result.actions) == [
        ("C1", "std", "r1"),
        ("C2", "gentle", "g1"),
    ]

    class Wrong(Named):
        @hookimpl
        def arpolicy_select_policy(self, customer: Customer, invoice: Invoice) -> str:
            return "nope"

    with pytest.raises(PluginError, match="chose 'nope', which the playbook does not have"):
        plan(books, as_of=DUE + days(30), playbook=book, plugins=plugins(Wrong("wrong")))


def test_plugin_rate_rows_reach_the_interest() -> None:
    class Rates(Named):
        @hookimpl
        def arpolicy_register_rates(self) -> list[RateRow]:
            return [RateRow("NL", "nl-6:119a", date(2026, 7, 1), Decimal("9.00"))]

    ladder = [step("notice", 28, "letter", fees=[StatutoryInterest()])]
    books = ledger([invoice(due=date(2026, 7, 31), amount="1000.00")])
    as_of = date(2026, 8, 28)
    (action,) = plan(
        books, as_of=as_of, playbook=playbook(policy(steps=ladder)), plugins=plugins(Rates("r"))
    ).actions
    # 27 days at 9.00% on 1,000.00 = 6.657... -> 6.66 (the shipped table alone: 7.51)
    assert action.interest == eur("6.66")


def test_conflicting_rate_rows_fail_naming_both() -> None:
    def rates(value: str) -> object:
        class Rates(Named):
            @hookimpl
            def arpolicy_register_rates(self) -> list[RateRow]:
                return [RateRow("NL", "nl-6:119a", date(2026, 7, 1), Decimal(value))]

        return Rates(f"rates-{value}")

    with pytest.raises(DuplicateNameError, match="'rates-8' and 'rates-9'"):
        plugins(rates("8"), rates("9")).rate_rows()


def test_observers_see_the_finished_plan() -> None:
    seen: list[Plan] = []

    class Log(Named):
        @hookimpl
        def arpolicy_observe_plan(self, plan: Plan) -> None:
            seen.append(plan)

    result = plan(
        ledger([invoice()]), as_of=DUE + days(7), playbook=playbook(), plugins=plugins(Log("l"))
    )
    assert seen == [result]


def test_simulate_with_a_plugin_rule_equals_planning_every_day() -> None:
    class EvenDays(Named):
        """Skips on even days of the month: an answer that changes every day."""

        @hookimpl
        def arpolicy_skip_invoice(self, context: InvoiceContext) -> Skip | None:
            if context.as_of.day % 2 == 0:
                return Skip(SkipReason.RULE, "not on even days")
            return None

    found = plugins(EvenDays("even"))
    books = ledger([invoice("I1"), invoice("I2", due=DUE + days(3))])
    book = playbook()
    start, end = DUE, DUE + days(40)
    simulated = simulate(books, start=start, end=end, playbook=book, plugins=found).actions
    daily: list[Action] = []
    day = start
    while day <= end:
        daily.extend(plan(books, as_of=day, playbook=book, history=daily, plugins=found).actions)
        day += days(1)
    assert sorted(simulated, key=Action.sort_key) == sorted(daily, key=Action.sort_key)
    assert all(a.date.day % 2 == 1 for a in simulated)
    assert day_by_day(book, books, start, end) != daily  # the rule made a difference


_PLUGINS: list[Any] = [
    SkipBig("skip-big"),
    VetoLetters("paperless"),
    RenameTemplates("rename"),
    Pigeons("pigeons"),
]


@settings(max_examples=25, deadline=None)
@given(order=st.permutations(range(len(_PLUGINS))))
def test_plan_does_not_depend_on_registration_order(order: list[int]) -> None:
    ladder = [step("r1", 7, "email", "letter"), step("r2", 14, "pigeon")]
    books = ledger(
        [invoice("I1", amount="100.00"), invoice("I2", amount="600.00"), invoice("I3")],
    )
    book = playbook(policy(steps=ladder))
    forward = plugins(*(_PLUGINS[i] for i in order))
    backward = plugins(*(_PLUGINS[i] for i in reversed(order)))
    for day in (DUE + days(7), DUE + days(14)):
        assert plan(books, as_of=day, playbook=book, plugins=forward) == plan(
            books, as_of=day, playbook=book, plugins=backward
        )


def test_builtin_plugin_names_are_stable() -> None:
    assert BUILTIN_PLUGINS == ("arpolicy.channels", "arpolicy.rules")


def test_lint_knows_the_channels_of_plugins() -> None:
    book = playbook(policy(steps=[step("r1", 7, "pigeon")]))
    assert [f.code for f in lint(book)] == ["unknown-channel"]
    assert lint(book, plugins=plugins(Pigeons("pigeons"))) == []
    # a channel that needs no contact reaches everybody
    assert lint_ledger(book, ledger([invoice()]), plugins=plugins(Pigeons("pigeons"))) == []


@attrs.frozen
class Surcharge(FeeRule):
    """A fee-rule kind from a plugin."""

    kind_name: ClassVar[str] = "surcharge"
    name: str = "surcharge"
    percent: Decimal = Decimal("1")

    @property
    def kind(self) -> ChargeKind:
        return ChargeKind.FEE

    def charges(self, ctx: FeeContext) -> RuleResult:
        amount = ctx.principal.percent(self.percent)
        return RuleResult((Charge(ChargeKind.FEE, self.name, amount, f"{self.percent}%"),))

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> Surcharge:
        return cls(name=table.get("name", "surcharge"), percent=Decimal(str(table["percent"])))

    def to_table(self) -> dict[str, str]:
        return {"name": self.name, "percent": str(self.percent)}


class Surcharges(Named):
    @hookimpl
    def arpolicy_register_fee_rules(self) -> list[type[FeeRule]]:
        return [Surcharge]


SURCHARGE_FILE = """
[[policy]]
name = "std"
profiles = ["business"]

[[policy.step]]
name = "r1"
offset_days = 7
channel = "email"

[[policy.step.fee]]
kind = "surcharge"
percent = "2"
"""


def test_policy_files_use_fee_kinds_of_plugins() -> None:
    found = plugins(Surcharges("surcharges"))
    book = loads_playbook(SURCHARGE_FILE, plugins=found)
    assert book.policy("std").steps[0].fees == (Surcharge(percent=Decimal("2")),)
    assert loads_playbook(dumps_playbook(book), plugins=found) == book
    (action,) = plan(
        ledger([invoice(amount="250.00")]), as_of=DUE + days(7), playbook=book, plugins=found
    ).actions
    assert action.fees == eur("5.00")  # 2% of 250.00
    with pytest.raises(LoadError, match="unknown fee kind") as info:
        loads_playbook(SURCHARGE_FILE)
    assert info.value.column == "policy[0].step[0].fee[0].kind"
    with pytest.raises(LoadError, match="'surcharge' fee") as info:
        loads_playbook(SURCHARGE_FILE.replace('percent = "2"', 'percent = "x"'), plugins=found)
    assert info.value.line == 11  # the fee table


def test_a_plugin_calendar_moves_steps_off_its_holidays() -> None:
    class BankHoliday(Named):
        @hookimpl
        def arpolicy_register_calendars(self) -> list[BusinessCalendar]:
            return [BusinessCalendar("NL", extra_holidays=[date(2026, 3, 9)])]

    book = playbook(policy(calendar="customer"))
    books = ledger([invoice()])
    # r1 falls on Monday 2026-03-09; the plugin closes that day, so Tuesday
    assert [a.step for a in plan(books, as_of=DUE + days(7), playbook=book).actions] == ["r1"]
    found = plugins(BankHoliday("bank-holidays"))
    assert plan(books, as_of=DUE + days(7), playbook=book, plugins=found).actions == ()
    (action,) = plan(books, as_of=DUE + days(8), playbook=book, plugins=found).actions
    assert action.step == "r1"
    with pytest.raises(DuplicateNameError, match="calendar 'NL'"):
        plugins(BankHoliday("a"), BankHoliday("b")).calendars()
