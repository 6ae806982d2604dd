"""Batch hooks (``arpolicy_skip_invoices``, ``arpolicy_adjust_actions``) and
when the per-row hooks are called.

A plugin that makes its decisions a table at a time gets the plan a plugin
making the same decisions row by row gets; it is called once per planning
date with exactly the rows the per-row hook would be asked about; its errors
and malformed answers are a PluginError naming it; and the per-row hooks are
asked about the candidate rows only.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import attrs
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arpolicy.actions import Action, SkipReason
from arpolicy.batch_tables import INVOICE_COLUMNS
from arpolicy.engine import batch as batch_module
from arpolicy.engine import plan, planning, simulate
from arpolicy.engine.planning import plan_ledger
from arpolicy.errors import PluginError
from arpolicy.model import Customer, Dispute, Invoice, Ledger
from arpolicy.plan_tables import ACTION_COLUMNS
from arpolicy.playbooks import default_playbook
from arpolicy.plugins import Plugins, hookimpl, make_plugin_manager
from arpolicy.policy import CatchUp, Playbook
from arpolicy.rules import ActionContext, CustomerContext, InvoiceContext, Skip, Veto
from arpolicy.sample import sample_ledger, synthetic_ledger
from arpolicy.testing.strategies import histories, ledgers, playbooks
from engine_helpers import DUE, customer, invoice, ledger

START = date(2026, 1, 1)
END = date(2026, 6, 30)
UNTIL = date(2026, 12, 31)


def plugins(*extra: object, disable: tuple[str, ...] = ()) -> Plugins:
    return Plugins(make_plugin_manager(plugins=extra, entry_points=False, disable=disable))


class Named:
    def __init__(self, name: str) -> None:
        self.arpolicy_plugin_name = name


# -- one decision, made per row and per table --------------------------------


def skips(invoice_id: str, balance: int, customer_id: str) -> bool:
    """The decision both skip plugins make."""
    return balance % 4 == 1 or (invoice_id + customer_id)[-1] in "27"


def vetoes(channel: str, level: int, key: str) -> bool:
    """The decision both action plugins make."""
    return channel in ("letter", "sms") or (level == 2) != (int(key[-1], 16) % 2 == 0)


class RowSkip(Named):
    @hookimpl
    def arpolicy_skip_invoice(self, context: InvoiceContext) -> Skip | None:
        if skips(context.invoice.id, context.balance.minor_units, context.customer.id):
            return Skip(SkipReason.RULE, "by rule", UNTIL)
        return None


class BatchSkip(Named):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.calls: list[tuple[date, pl.DataFrame]] = []

    @hookimpl
    def arpolicy_skip_invoices(self, invoices: pl.DataFrame, as_of: date) -> pl.DataFrame:
        self.calls.append((as_of, invoices))
        chosen = [
            row["invoice_id"]
            for row in invoices.iter_rows(named=True)
            if skips(row["invoice_id"], row["balance"], row["customer_id"])
        ]
        return invoices.filter(pl.col("invoice_id").is_in(chosen)).select(
            "invoice_id",
            pl.lit("rule").alias("reason"),
            pl.lit("by rule").alias("detail"),
            pl.lit(UNTIL).alias("until"),
        )


class RowVeto(Named):
    @hookimpl
    def arpolicy_adjust_action(self, action: Action, context: ActionContext) -> Veto | None:
        if vetoes(action.channel, action.level, action.key):
            return Veto("not today")
        return None


class BatchVeto(Named):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.calls: list[tuple[date, pl.DataFrame]] = []

    @hookimpl
    def arpolicy_adjust_actions(self, actions: pl.DataFrame, as_of: date) -> pl.DataFrame:
        self.calls.append((as_of, actions))
        keys = [
            row["key"]
            for row in actions.iter_rows(named=True)
            if vetoes(row["channel"], row["level"], row["key"])
        ]
        return actions.filter(pl.col("key").is_in(keys)).select(
            "key", pl.lit("not today").alias("detail")
        )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Ledger, Playbook, list, date]:
    ledger_ = draw(ledgers(max_customers=4, max_invoices=14, max_payments=6, start=START, end=END))
    book = draw(playbooks(max_policies=2))
    if draw(st.booleans()):  # vetoed steps are gone past: the customer is planned again
        book = book.replace(
            policies=tuple(attrs.evolve(p, catch_up=CatchUp.RESUME) for p in book.policies)
        )
    as_of = draw(st.dates(START + timedelta(days=30), END + timedelta(days=60)))
    history = (
        draw(histories(ledger_, book, start=START, end=as_of - timedelta(days=1)))
        if draw(st.booleans())
        else []  # no history: the steps overdue are caught up with today
    )
    return ledger_, book, history, as_of


@given(cases())
def test_a_batch_plugin_plans_as_the_per_row_plugin(case) -> None:
    ledger_, book, history, as_of = case
    per_row = plugins(RowSkip("zz-rules"), RowVeto("zz-vetoes"))
    batched = plugins(BatchSkip("zz-rules"), BatchVeto("zz-vetoes"))
    expected = plan(ledger_, as_of=as_of, playbook=book, history=history, plugins=per_row)
    got = plan(ledger_, as_of=as_of, playbook=book, history=history, plugins=batched)
    assert got == expected
    at = datetime.combine(as_of, time(12), UTC)  # customers on their local dates
    expected = plan(ledger_, at=at, playbook=book, history=history, plugins=per_row)
    assert plan(ledger_, at=at, playbook=book, history=history, plugins=batched) == expected


@given(cases())
def test_mixed_per_row_and_batch_plugins_plan_alike(case) -> None:
    """One plugin per row, the other per table, in either role."""
    ledger_, book, history, as_of = case
    expected = plan(
        ledger_,
        as_of=as_of,
        playbook=book,
        history=history,
        plugins=plugins(RowSkip("zz-rules"), RowVeto("zz-vetoes")),
    )
    for mixed in (
        plugins(BatchSkip("zz-rules"), RowVeto("zz-vetoes")),
        plugins(RowSkip("zz-rules"), BatchVeto("zz-vetoes")),
    ):
        got = plan(ledger_, as_of=as_of, playbook=book, history=history, plugins=mixed)
        assert got == expected


@given(
    ledgers(max_customers=3, max_invoices=8, max_payments=4, start=START, end=END),
    playbooks(max_policies=2),
    st.dates(START + timedelta(days=20), END),
)
def test_a_batch_plugin_simulates_as_the_per_row_plugin(ledger_, book, start) -> None:
    end = start + timedelta(days=21)
    expected = simulate(
        ledger_, start=start, end=end, playbook=book, plugins=plugins(RowSkip("r"), RowVeto("v"))
    )
    got = simulate(
        ledger_,
        start=start,
        end=end,
        playbook=book,
        plugins=plugins(BatchSkip("r"), BatchVeto("v")),
    )
    assert got == expected


@pytest.mark.parametrize("channel", ["email", "phone"])
@pytest.mark.parametrize("as_of", [date(2026, 10, 1), date(2026, 11, 2), date(2026, 12, 15)])
def test_vetoed_steps_are_gone_past_with_one_more_call_per_round(channel, as_of) -> None:
    book = default_playbook()
    book = book.replace(
        policies=tuple(attrs.evolve(p, catch_up=CatchUp.RESUME) for p in book.policies)
    )
    books = sample_ledger()

    class VetoRow(Named):
        @hookimpl
        def arpolicy_adjust_action(self, action: Action, context: ActionContext) -> Veto | None:
            return Veto("not this way") if action.channel == channel else None

    class VetoTable(BatchVeto):
        @hookimpl
        def arpolicy_adjust_actions(self, actions: pl.DataFrame, as_of: date) -> pl.DataFrame:
            self.calls.append((as_of, actions))
            return actions.filter(pl.col("channel") == channel).select(
                "key", pl.lit("not this way").alias("detail")
            )

    batch = VetoTable("v")
    expected = plan(books, as_of=as_of, playbook=book, plugins=plugins(VetoRow("v")))
    got = plan(books, as_of=as_of, playbook=book, plugins=plugins(batch))
    assert got == expected
    assert len(batch.calls) >= 2  # the sample has customers planned again
    assert [day for day, _ in batch.calls] == [as_of] * len(batch.calls)
    assert batch.calls[0][1].columns == list(ACTION_COLUMNS)
    vetoed = {s.customer_id for s in got.skipped if s.reason is SkipReason.VETOED}
    for (_, before), (_, after) in itertools.pairwise(batch.calls):
        # a later round: only customers planned again, with their new proposals
        assert set(after["customer_id"]) <= set(before["customer_id"]) & vetoed


# -- the order of the rules ----------------------------------------------------


def _one_invoice() -> Ledger:
    return ledger([invoice(amount="900.00")])


class RowSkipAll(Named):
    @hookimpl
    def arpolicy_skip_invoice(self, context: InvoiceContext) -> Skip:
        return Skip(SkipReason.RULE, "per row")


class BatchSkipAll(Named):
    @hookimpl
    def arpolicy_skip_invoices(self, invoices: pl.DataFrame, as_of: date) -> pl.DataFrame:
        return invoices.select(
            "invoice_id", pl.lit("rule").alias("reason"), pl.lit("per table").alias("detail")
        )


@pytest.mark.parametrize(
    ("row", "table", "detail"),
    [
        ("b", "a", "per table (plugin 'a')"),
        ("a", "b", "per row (plugin 'a')"),
    ],
)
def test_rules_are_asked_by_plugin_name_per_row_or_per_table(row, table, detail) -> None:
    result = plan(
        _one_invoice(),
        as_of=DUE + timedelta(days=20),
        plugins=plugins(RowSkipAll(row), BatchSkipAll(table)),
    )
    assert [s.detail for s in result.skipped] == [detail]


def test_built_in_skip_rules_come_before_a_batch_rule() -> None:
    disputed = ledger(
        [invoice(amount="900.00", dispute=Dispute(DUE, "wrong"))],
    )
    result = plan(disputed, as_of=DUE + timedelta(days=20), plugins=plugins(BatchSkipAll("a")))
    assert [s.reason for s in result.skipped] == [SkipReason.DISPUTED]


def test_a_batch_skip_wakes_a_simulation_on_its_until_date() -> None:
    held = DUE + timedelta(days=40)

    class Until(Named):
        @hookimpl
        def arpolicy_skip_invoices(self, invoices: pl.DataFrame, as_of: date) -> pl.DataFrame:
            return invoices.filter(pl.lit(as_of < held)).select(
                "invoice_id",
                pl.lit("rule").alias("reason"),
                pl.lit("held").alias("detail"),
                pl.lit(held).alias("until"),
            )

    class UntilRow(Named):
        @hookimpl
        def arpolicy_skip_invoice(self, context: InvoiceContext) -> Skip | None:
            return Skip(SkipReason.RULE, "held", held) if context.as_of < held else None

    kw: dict[str, Any] = {"start": DUE, "end": DUE + timedelta(days=60)}
    got = simulate(_one_invoice(), plugins=plugins(Until("u")), **kw)
    assert got == simulate(_one_invoice(), plugins=plugins(UntilRow("u")), **kw)
    assert got.actions
    assert min(a.date for a in got.actions) >= held


# -- when the batch hooks are called -------------------------------------------


def _open_invoices(books: Ledger, as_of: date) -> set[str]:
    return {
        iid
        for c in books.customers
        for iid, balance in books.position(c.id, as_of).balances.items()
        if balance.amount > 0
    }


@given(cases())
def test_the_batch_skip_hook_gets_the_open_invoices_with_a_policy_once(case) -> None:
    ledger_, book, history, as_of = case
    batch = BatchSkip("zz")
    result = plan(ledger_, as_of=as_of, playbook=book, history=history, plugins=plugins(batch))
    no_policy = {s.invoice_id for s in result.skipped if s.reason is SkipReason.NO_POLICY}
    opened = _open_invoices(ledger_, as_of)
    if opened - no_policy:
        assert len(batch.calls) == 1
        day, table = batch.calls[0]
        assert day == as_of
        assert table.columns == list(INVOICE_COLUMNS)
        seen = table["invoice_id"].to_list()
        assert len(seen) == len(set(seen))
        assert set(seen) == opened - no_policy
        assert table.sort("customer_id", "invoice_id")["invoice_id"].to_list() == seen
        for cid, iid, balance, name in table.select(
            "customer_id", "invoice_id", "balance", "policy"
        ).iter_rows():
            assert ledger_.position(cid, as_of).balances[iid].minor_units == balance
            assert book.has_policy(name)
    else:
        assert batch.calls == []


def test_with_at_the_batch_hooks_are_called_once_per_local_date() -> None:
    books = ledger(
        [
            invoice("I1", customer_id="C1", amount="100.00"),
            invoice("I2", customer_id="C2", amount="200.00"),
        ],
        customers=[
            customer("C1", timezone="Pacific/Auckland"),
            customer("C2", timezone="America/Denver"),
        ],
    )
    at = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # the 21st in Auckland, the 20th in Denver
    skip, veto = BatchSkip("s"), BatchVeto("v")
    plan(books, at=at, plugins=plugins(skip, veto))
    assert [(d, t["customer_id"].to_list()) for d, t in skip.calls] == [
        (date(2026, 3, 20), ["C2"]),
        (date(2026, 3, 21), ["C1"]),
    ]
    assert [d for d, _ in veto.calls] == sorted({d for d, _ in veto.calls})
    for day, table in veto.calls:
        assert set(table["date"].to_list()) == {day}


def test_no_call_with_an_empty_table() -> None:
    skip, veto = BatchSkip("s"), BatchVeto("v")
    paid_up = ledger()
    plan(paid_up, as_of=DUE, plugins=plugins(skip, veto))
    assert skip.calls == []
    assert veto.calls == []


def test_a_plugin_with_batch_hooks_alone_counts_as_a_rule_of_its_own() -> None:
    for plugin in (BatchSkip("s"), BatchVeto("v")):
        facade = plugins(plugin)
        assert facade.custom_rules()
        assert not facade.builtin_rules_only()


# -- errors --------------------------------------------------------------------


def _answering(answer: Any, hook: str = "arpolicy_skip_invoices") -> object:
    class Answer(Named):
        pass

    def skip_invoices(invoices: pl.DataFrame, as_of: date) -> Any:
        if isinstance(answer, Exception):
            raise answer
        return answer(invoices) if callable(answer) else answer

    def adjust_actions(actions: pl.DataFrame, as_of: date) -> Any:
        return skip_invoices(actions, as_of)

    plugin = Answer("answers")
    setattr(plugin, hook, hookimpl(skip_invoices if "skip" in hook else adjust_actions))
    return plugin


def _skips(**columns: Any) -> Any:
    return lambda invoices: pl.DataFrame(columns)


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (RuntimeError("the database is down"), "RuntimeError: the database is down"),
        ({"I1": "skip"}, "not a polars DataFrame: dict"),
        (_skips(invoice_id=["I1"], reason=["rule"]), "no column 'detail'"),
        (
            _skips(invoice_id=["I1"], reason=["rule"], detail=["x"], untill=[None]),
            "unexpected column 'untill'",
        ),
        (_skips(invoice_id=["I9"], reason=["rule"], detail=["x"]), "'I9' is not in the table"),
        (
            _skips(invoice_id=["I1", "I1"], reason=["rule"] * 2, detail=["x"] * 2),
            "'I1' is answered twice",
        ),
        (
            _skips(invoice_id=["I1"], reason=["because"], detail=["x"]),
            "reason 'because' of invoice 'I1' is not one of",
        ),
        (_skips(invoice_id=["I1"], reason=["rule"], detail=[None]), "'detail' has a null"),
        (
            _skips(invoice_id=["I1"], reason=["rule"], detail=["x"], until=["2026-05-01"]),
            "column 'until' is String, expected Date",
        ),
    ],
)
def test_a_failing_or_malformed_batch_skip_is_a_plugin_error(answer, problem) -> None:
    with pytest.raises(PluginError) as caught:
        plan(_one_invoice(), as_of=DUE + timedelta(days=20), plugins=plugins(_answering(answer)))
    error = caught.value
    assert error.plugin == "answers"
    assert error.hook == "arpolicy_skip_invoices"
    assert problem in error.reason
    assert "plugin 'answers' failed in arpolicy_skip_invoices" in str(error)


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (ValueError("no"), "ValueError: no"),
        (lambda actions: actions.select("key"), "no column 'detail'"),
        (lambda actions: pl.DataFrame({"key": ["k"], "detail": ["x"]}), "'k' is not in the table"),
        (lambda actions: actions.select("key", "key_2"), "column"),
    ],
)
def test_a_failing_or_malformed_batch_veto_is_a_plugin_error(answer, problem) -> None:
    hook = "arpolicy_adjust_actions"
    with pytest.raises(PluginError) as caught:
        plan(sample_ledger(), as_of=date(2026, 11, 2), plugins=plugins(_answering(answer, hook)))
    assert (caught.value.plugin, caught.value.hook) == ("answers", hook)
    assert problem in caught.value.reason


def test_a_batch_plugin_cannot_change_the_table_others_see() -> None:
    class Mutates(Named):
        @hookimpl
        def arpolicy_skip_invoices(self, invoices: pl.DataFrame, as_of: date) -> None:
            invoices.drop_in_place("balance")

    seen = BatchSkip("zz")
    plan(sample_ledger(), as_of=date(2026, 11, 2), plugins=plugins(Mutates("a"), seen))
    assert seen.calls[0][1].columns == list(INVOICE_COLUMNS)


# -- when the per-row hooks are called (pinned) -----------------------------------


class Recorder(Named):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.policies: list[str] = []
        self.skips: list[str] = []
        self.actions: list[Action] = []
        self.customers: list[tuple[str, date]] = []

    @hookimpl
    def arpolicy_select_policy(self, customer: Customer, invoice: Invoice, playbook: Playbook):
        self.policies.append(invoice.id)

    @hookimpl
    def arpolicy_skip_invoice(self, context: InvoiceContext) -> None:
        self.skips.append(context.invoice.id)

    @hookimpl
    def arpolicy_adjust_action(self, action: Action, context: ActionContext) -> None:
        self.actions.append(action)

    @hookimpl
    def arpolicy_customer_actions(self, context: CustomerContext) -> None:
        self.customers.append((context.customer.id, context.as_of))


@pytest.mark.parametrize("batch", [False, True])
@given(case=cases())
def test_the_per_row_hooks_are_asked_about_the_candidate_rows_once(batch, case) -> None:
    """select_policy: each open invoice; skip_invoice: each open invoice
    with a policy (no built-in rule asked first here); adjust_action: each
    proposed action; customer_actions: each customer. Once each, batch
    plugins or not."""
    ledger_, book, history, as_of = case
    book = book.replace(
        policies=tuple(attrs.evolve(p, dun_interest_only=False) for p in book.policies)
    )
    rec = Recorder("zz")
    extra = (BatchSkip("b-skip"),) if batch else ()
    result = plan(
        ledger_,
        as_of=as_of,
        playbook=book,
        history=history,
        plugins=plugins(rec, *extra, disable=("arpolicy.rules",)),
    )
    opened = _open_invoices(ledger_, as_of)
    no_policy = {s.invoice_id for s in result.skipped if s.reason is SkipReason.NO_POLICY}
    assert sorted(rec.policies) == sorted(opened)
    batch_skipped = {s.invoice_id for s in result.skipped if s.detail.endswith("(plugin 'b-skip')")}
    assert sorted(rec.skips) == sorted(opened - no_policy - batch_skipped)
    assert sorted(rec.actions, key=Action.sort_key) == list(result.actions)
    assert Counter(rec.customers) == Counter((c.id, as_of) for c in ledger_.customers)


def test_the_built_in_rules_answer_before_a_plugin_is_asked() -> None:
    disputed = ledger(
        [
            invoice("I1", amount="900.00", dispute=Dispute(DUE, "wrong")),
            invoice("I2", amount="900.00"),
        ],
    )
    rec = Recorder("zz")
    plan(disputed, as_of=DUE + timedelta(days=20), plugins=plugins(rec))
    assert rec.skips == ["I2"]
    assert sorted(rec.policies) == ["I1", "I2"]


# -- large ledgers: the columnar stage asks the batch skip rules ---------------


@given(cases())
def test_the_columnar_stage_takes_batch_skip_rules(case) -> None:
    """With batch skip rules alone, the columnar stage screens the ledger: it
    asks the rules once with every open invoice that has a policy (the table
    the per-customer stages would give) and plans as the per-row rule does."""

    ledger_, book, history, as_of = case
    book = book.replace(
        policies=tuple(attrs.evolve(p, dun_interest_only=False) for p in book.policies)
    )
    expected = plan(
        ledger_, as_of=as_of, playbook=book, history=history, plugins=plugins(RowSkip("zz"))
    )
    per_customer = BatchSkip("zz")
    screened = BatchSkip("zz")
    for found, columnar in ((per_customer, False), (screened, True)):
        got = plan_ledger(
            ledger_,
            as_of=as_of,
            at=None,
            playbook=book,
            history=history,
            rates=None,
            plugins=plugins(found),
            columnar=columnar,
        )
        assert got == expected
    assert len(screened.calls) == len(per_customer.calls) <= 1
    for (_, one), (_, other) in zip(screened.calls, per_customer.calls, strict=True):
        assert one.equals(other)


def test_a_large_ledger_with_a_batch_skip_rule_is_screened(monkeypatch: pytest.MonkeyPatch) -> None:
    big = synthetic_ledger(customers=100, invoices=2_400, seed=7)
    as_of = date(2025, 11, 1)
    assert planning._use_screen(big, default_playbook(), plugins(BatchSkip("zz")))
    assert not planning._use_screen(big, default_playbook(), plugins(RowSkip("zz")))
    assert not planning._use_screen(
        big, default_playbook(), plugins(BatchSkip("zz"), BatchVeto("vv"))
    )
    expected = plan(big, as_of=as_of, plugins=plugins(RowSkip("zz")))
    seen: list[str] = []
    original = batch_module._planned

    def spy(ledger_, customer_, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(customer_.id)
        return original(ledger_, customer_, *args, **kwargs)

    monkeypatch.setattr(batch_module, "_planned", spy)
    batch = BatchSkip("zz")
    got = plan(big, as_of=as_of, plugins=plugins(batch))
    assert got == expected
    assert len(batch.calls) == 1
    assert batch.calls[0][1].columns == list(INVOICE_COLUMNS)
    assert len(seen) < len(big.customers) // 2  # most customers never reach the stages
    assert any(s.detail == "by rule (plugin 'zz')" for s in got.skipped)
