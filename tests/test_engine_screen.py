"""The columnar candidates stage (``arpolicy.engine.screen``) and the
per-customer stages give the same plan, byte for byte.

A large ledger without plugins is screened by the columnar stage first: the
customers with nothing due get their skipped rows from it, the others go
through the per-customer stages. ``plan_ledger(..., columnar=True)`` forces
that path on small ledgers, ``columnar=False`` forbids it: both must agree on
random ledgers, playbooks, histories and dates (the ``ci`` profile runs 100
examples per test, ``thorough`` 2000).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import attrs
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine_helpers as eh
from arpolicy import Customer, Dispute, DunningBlock, Invoice, Money
from arpolicy.actions import HistoryEntry, Plan
from arpolicy.engine import plan, planning, simulate
from arpolicy.engine.planning import SCREEN_MIN_INVOICES, _use_screen, plan_ledger
from arpolicy.engine.screen import done_rows, screen
from arpolicy.io.history_tables import (
    HISTORY_COLUMNS,
    checked_rows,
    history_frame,
    history_table,
)
from arpolicy.model import Ledger
from arpolicy.playbooks import default_playbook
from arpolicy.plugins import Plugins, builtin_plugins, hookimpl, make_plugin_manager
from arpolicy.policy import EndBehaviour, Playbook
from arpolicy.rules import InvoiceContext, Skip
from arpolicy.sample import SAMPLE_AS_OF, sample_ledger, synthetic_ledger
from arpolicy.testing.strategies import histories, ledgers, playbooks

START = date(2026, 1, 1)
END = date(2026, 3, 31)
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _run(
    ledger: Ledger,
    book: Playbook,
    history: object,
    as_of: date,
    *,
    columnar: bool,
    plugins: Plugins | None = None,
) -> Plan:
    return plan_ledger(
        ledger,
        as_of=as_of,
        at=None,
        playbook=book,
        history=history,  # type: ignore[arg-type]
        rates=None,
        plugins=plugins,
        columnar=columnar,
    )


def _both(ledger: Ledger, book: Playbook, history: list, as_of: date) -> tuple[Plan, Plan]:
    return (
        _run(ledger, book, history, as_of, columnar=False),
        _run(ledger, book, history, as_of, columnar=True),
    )


def _no_interest_only(book: Playbook) -> Playbook:
    return book.replace(
        policies=tuple(attrs.evolve(p, dun_interest_only=False) for p in book.policies)
    )


def _simulated(offset: int) -> tuple[Ledger, list, date]:
    """A 2,400-invoice synthetic book and the history of 90 simulated days."""
    ledger = synthetic_ledger(customers=120, invoices=2_400, seed=7)
    end = date(2025, 11, 1) + timedelta(days=offset)
    history = simulate(ledger, start=end - timedelta(days=90), end=end - timedelta(days=1))
    return ledger, list(history.as_history()), end


def _same(reference: Plan, screened: Plan) -> None:
    assert screened.skipped == reference.skipped
    assert screened.actions == reference.actions
    assert screened == reference


@st.composite
def cases(draw: st.DrawFn) -> tuple[Ledger, Playbook, list, date]:
    ledger = draw(
        ledgers(
            max_customers=4,
            max_invoices=14,
            max_payments=6,
            currencies=("EUR", "JPY"),
            start=START,
            end=END,
        )
    )
    book = draw(playbooks(max_policies=2, currencies=("EUR", "JPY")))
    book = _no_interest_only(book)
    as_of = draw(st.dates(START + timedelta(days=10), END + timedelta(days=120)))
    history = draw(histories(ledger, book, start=START, end=as_of - timedelta(days=1)))
    return ledger, book, history, as_of


@st.composite
def quiet_cases(draw: st.DrawFn) -> tuple[Ledger, Playbook, list, date]:
    """Cases the columnar stage decides mostly by itself: no plans, trials,
    blocks, disputes or holds, and more invoices."""
    drawn = draw(
        ledgers(
            min_customers=2,
            max_customers=5,
            max_invoices=40,
            max_payments=4,
            currencies=("EUR", "JPY"),
            start=START,
            end=END,
            with_plans=False,
            with_trials=False,
        )
    )
    ledger = Ledger(
        [attrs.evolve(c, block=None) for c in drawn.customers],
        [attrs.evolve(i, dispute=None, on_hold_until=None) for i in drawn.invoices],
        drawn.payments,
    )
    book = draw(playbooks(max_policies=2, currencies=("EUR", "JPY")))
    book = _no_interest_only(book)
    as_of = draw(st.dates(START + timedelta(days=30), END + timedelta(days=60)))
    history = draw(histories(ledger, book, start=START, end=as_of - timedelta(days=1)))
    return ledger, book, history, as_of


@SETTINGS
@given(quiet_cases())
def test_the_screen_decides_quiet_customers_as_the_stages_do(case) -> None:
    ledger, book, history, as_of = case
    _same(*_both(ledger, book, history, as_of))


@SETTINGS
@given(cases())
def test_the_screen_gives_the_plan_of_the_per_customer_stages(case) -> None:
    ledger, book, history, as_of = case
    _same(*_both(ledger, book, history, as_of))


@SETTINGS
@given(cases())
def test_the_screen_agrees_without_history(case) -> None:
    ledger, book, _, as_of = case
    _same(*_both(ledger, book, [], as_of))


@pytest.mark.parametrize("offset", [-90, -30, -7, -1, 0, 1, 14, 45])
def test_the_sample_portfolio_plans_alike_with_its_history(offset: int) -> None:
    ledger = sample_ledger()
    as_of = SAMPLE_AS_OF + timedelta(days=offset)
    history = simulate(
        ledger, start=as_of - timedelta(days=150), end=as_of - timedelta(days=1)
    ).as_history()
    _same(*_both(ledger, default_playbook(), list(history), as_of))
    _same(*_both(ledger, default_playbook(), [], as_of))


def _with_a_rule_of_its_own() -> Plugins:
    class NoCalls:
        @hookimpl
        def arpolicy_skip_invoice(self, context: InvoiceContext) -> Skip | None:
            return None

    return Plugins(make_plugin_manager(plugins=[NoCalls()], entry_points=False))


def test_large_ledgers_take_the_screen_unless_a_plugin_decides() -> None:
    small = sample_ledger()
    assert small._count(1) < SCREEN_MIN_INVOICES
    assert not _use_screen(small, default_playbook(), None)
    big = ledgers_of_size(SCREEN_MIN_INVOICES)
    assert _use_screen(big, default_playbook(), None)
    assert _use_screen(big, default_playbook(), builtin_plugins())  # the CLI's case
    assert not _use_screen(big, default_playbook(), _with_a_rule_of_its_own())
    interest = default_playbook().replace(
        policies=tuple(attrs.evolve(p, dun_interest_only=True) for p in default_playbook().policies)
    )
    assert not _use_screen(big, interest, None)


def ledgers_of_size(invoices: int) -> Ledger:
    return synthetic_ledger(customers=50, invoices=invoices)


@pytest.mark.parametrize("offset", [0, 3, 17])
def test_a_synthetic_book_with_a_simulated_history_plans_alike(offset: int) -> None:
    ledger, entries, end = _simulated(offset)
    _same(*_both(ledger, default_playbook(), entries, end))
    found = screen(ledger, default_playbook(), done_rows(entries, end), end)
    assert found.skipped.height > 0  # the screen decided customers by itself
    assert found.candidates is not None
    acting = found.busy | found.holds | set(found.candidates["customer_id"].to_list())
    assert 0 < len(acting) < len(ledger.customers)


BOOK = synthetic_ledger(customers=40, invoices=400, seed=3, start=START, days=90)


@st.composite
def arbitrary_histories(draw: st.DrawFn) -> tuple[Ledger, Playbook, list, date]:
    """A fixed synthetic book, a drawn playbook, a drawn day and an arbitrary
    history: random steps of random invoices on random days, not only what
    the engine would have planned (a host's records can be anything)."""
    book = draw(playbooks(max_policies=2, currencies=("EUR", "GBP")))
    book = _no_interest_only(book)
    as_of = draw(st.dates(START + timedelta(days=20), START + timedelta(days=150)))
    rng = draw(st.randoms(use_true_random=False))
    names = sorted({s.name for p in book.policies for s in p.steps} | {"unknown"})
    entries = []
    for n, invoice in enumerate(BOOK.invoices):
        if invoice.issue_date > as_of or rng.random() < 0.5:
            continue
        span = (as_of - invoice.issue_date).days
        for k in range(rng.randint(1, 3)):
            day = invoice.issue_date + timedelta(days=rng.randint(0, span))
            received = day + timedelta(days=2) if rng.random() < 0.05 else None
            entries.append(
                HistoryEntry(
                    f"k{n}-{k}",
                    day,
                    invoice.customer_id,
                    rng.choice(names),
                    (invoice.id,),
                    "email",
                    received_on=received,
                )
            )
    return BOOK, book, entries, as_of


@SETTINGS
@given(arbitrary_histories())
def test_the_screen_agrees_on_arbitrary_histories(case) -> None:
    ledger, book, history, as_of = case
    _same(*_both(ledger, book, history, as_of))


@pytest.mark.parametrize("offset", [0, 17])
def test_a_history_table_goes_to_the_screen_as_it_is(offset: int) -> None:
    ledger, entries, end = _simulated(offset)
    table = history_frame(history_table(entries))
    reference = _both(ledger, default_playbook(), entries, end)[0]
    screened = _run(ledger, default_playbook(), table, end, columnar=True)
    _same(reference, screened)
    assert plan(ledger, as_of=end, history=history_table(entries)) == reference


@pytest.mark.parametrize("offset", [0, 17])
def test_the_built_in_plugins_as_the_cli_passes_them_plan_alike(offset: int) -> None:
    ledger, entries, end = _simulated(offset)
    reference = _both(ledger, default_playbook(), entries, end)[0]
    screened = _run(
        ledger, default_playbook(), entries, end, columnar=True, plugins=builtin_plugins()
    )
    _same(reference, screened)


def _watch_the_stages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the customers the per-customer stages plan from now on."""
    seen: list[str] = []
    original = planning._plan_customer

    def spy(ledger: Ledger, customer, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(customer.id)
        return original(ledger, customer, *args, **kwargs)

    monkeypatch.setattr(planning, "_plan_customer", spy)
    return seen


@pytest.mark.parametrize("offset", [4, 16])
def test_customers_with_only_a_step_due_skip_the_per_customer_stages(
    offset: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen's candidate rows go straight to the notices stage: the
    per-customer stages see only the customers with something else to decide
    (holds, plans, disputes, receipts, entries of the day), and the plan is
    the same, fees and statutory interest included."""
    ledger, entries, end = _simulated(offset)
    reference = _both(ledger, default_playbook(), entries, end)[0]
    seen = _watch_the_stages(monkeypatch)
    screened = _run(ledger, default_playbook(), entries, end, columnar=True)
    _same(reference, screened)
    found = screen(ledger, default_playbook(), done_rows(entries, end), end)
    assert found.candidates is not None
    assert found.candidates.height > 0
    planned_by_notices = set(found.candidates["customer_id"].to_list())
    assert planned_by_notices.isdisjoint(seen)
    assert set(seen) == found.busy
    acted = {a.customer_id for a in reference.actions if a.level > 0}
    assert acted & planned_by_notices  # some ladder actions came from the rows
    charged = [a for a in reference.actions if a.charges and a.customer_id in planned_by_notices]
    assert charged  # and some of them charge fees or interest


def test_an_entry_of_the_day_sends_its_customer_to_the_per_customer_stages() -> None:
    """An action already carried out today takes its channel: the customer is
    planned by the per-customer stages, which know the day's slots."""
    ledger, entries, end = _simulated(0)
    reference = _both(ledger, default_playbook(), entries, end)[0]
    first = next(a for a in reference.actions if a.level > 0)
    today = HistoryEntry("today-1", end, first.customer_id, "call", (), first.channel)
    found = screen(
        ledger, default_playbook(), done_rows([*entries, today], end), end, busy=[first.customer_id]
    )
    assert first.customer_id in found.busy
    _same(*_both(ledger, default_playbook(), [*entries, today], end))


def test_a_credit_hold_is_decided_without_the_other_per_customer_stages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A customer who may be due a credit hold keeps the screen's rows; only
    the credit-hold rule is asked (here the history has no credit-hold
    entries, so the holds are due again)."""
    ledger, entries, end = _simulated(4)
    entries = [e for e in entries if e.step != "credit-hold"]
    reference = _both(ledger, default_playbook(), entries, end)[0]
    seen = _watch_the_stages(monkeypatch)
    _same(reference, _run(ledger, default_playbook(), entries, end, columnar=True))
    held = {a.customer_id for a in reference.actions if a.step == "credit-hold"}
    assert held
    assert not held & set(seen)


@pytest.mark.parametrize("reason", ["", "wrong quantity"])
def test_disputes_and_holds_are_skipped_by_the_screen(reason: str) -> None:
    """A disputed invoice, one on hold and one whose dispute was resolved or
    whose hold ended: the screen skips the first two as the skip rules do
    (their balances left out of the minimum amount) and duns the others; the
    customer needs no per-customer stage."""
    day = date(2026, 3, 2)
    bills = [
        Invoice(
            "I1",
            "C1",
            date(2026, 1, 1),
            date(2026, 1, 31),
            Money("500.00", "EUR"),
            dispute=Dispute(date(2026, 2, 10), reason),
        ),
        Invoice(
            "I2",
            "C1",
            date(2026, 1, 2),
            date(2026, 2, 1),
            Money("400.00", "EUR"),
            on_hold_until=date(2026, 3, 10),
        ),
        Invoice(
            "I3",
            "C1",
            date(2026, 1, 3),
            date(2026, 2, 2),
            Money("30.00", "EUR"),
            dispute=Dispute(date(2026, 2, 5), "", date(2026, 2, 20)),
        ),
        Invoice(
            "I4",
            "C1",
            date(2026, 1, 4),
            date(2026, 2, 3),
            Money("20.00", "EUR"),
            on_hold_until=date(2026, 3, 2),
        ),
    ]
    ledger = Ledger([Customer("C1", "Acme BV", "business", "NL")], bills, [])
    found = screen(ledger, default_playbook(), done_rows([], day), day)
    assert "C1" not in found.busy
    reference, screened = _both(ledger, default_playbook(), [], day)
    _same(reference, screened)
    reasons = {s.invoice_id: s.reason.value for s in reference.skipped}
    assert reasons["I1"] == "disputed"
    assert reasons["I2"] == "on_hold"
    assert reasons.get("I3") not in {"disputed", "on_hold"}
    assert reasons.get("I4") not in {"disputed", "on_hold"}


@pytest.mark.parametrize("offset", [4, 17])
def test_a_table_of_one_row_per_invoice_is_read_without_joining_it(offset: int) -> None:
    """A history with one row per action and invoice, a key on each row and
    nothing the rows of an action must agree on is checked without joining
    its rows: the screen reads them as they are, and only the customers the
    stages need as objects are joined. Same plan as from the objects."""
    ledger, entries, end = _simulated(offset)
    lean = [attrs.evolve(e, fees=None, deadline=None) for e in entries]
    rows = (
        history_table(lean)
        .drop("status", "received_on", "fees", "deadline")
        .with_columns(
            pl.when(pl.col("invoice_ids").list.len() == 0)
            .then(pl.lit([None], pl.List(pl.String)))
            .otherwise("invoice_ids")
            .alias("invoice_ids")
        )
        .explode("invoice_ids")
        .rename({"invoice_ids": "invoice_id"})
    )
    checked = checked_rows(rows)
    assert checked.rows is not None  # nothing joined yet
    reference = _run(ledger, default_playbook(), lean, end, columnar=False)
    _same(reference, _run(ledger, default_playbook(), checked, end, columnar=True))
    assert plan(ledger, as_of=end, history=rows) == reference
    joined = checked.frame.select(HISTORY_COLUMNS)
    assert joined.equals(history_frame(history_table(lean)).select(HISTORY_COLUMNS))
    some = sorted({e.customer_id for e in lean})[:3]
    assert (
        checked.subset(some)
        .select(HISTORY_COLUMNS)
        .equals(joined.filter(pl.col("customer_id").is_in(some)))
    )


@pytest.mark.parametrize(
    ("until", "detail"),
    [
        (None, "customer blocked (insolvency check)"),
        (date(2026, 4, 1), "customer blocked (insolvency check) until 2026-04-01"),
    ],
)
def test_a_dunning_block_is_a_skip_rule_of_the_screen(until: date | None, detail: str) -> None:
    day = date(2026, 3, 2)
    block = DunningBlock("insolvency check", until)
    people = [
        Customer("C1", "Acme BV", "business", "NL", block=block),
        Customer("C2", "Beta BV", "business", "NL", block=DunningBlock("old", day)),
    ]
    bills = [
        Invoice("I1", "C1", date(2026, 1, 1), date(2026, 1, 31), Money("500.00", "EUR")),
        Invoice(
            "I2",
            "C1",
            date(2026, 1, 2),
            date(2026, 2, 1),
            Money("400.00", "EUR"),
            dispute=Dispute(date(2026, 2, 10)),
        ),
        Invoice("I3", "C2", date(2026, 1, 3), date(2026, 2, 2), Money("300.00", "EUR")),
    ]
    ledger = Ledger(people, bills, [])
    found = screen(ledger, default_playbook(), done_rows([], day), day)
    assert not found.busy
    reference, screened = _both(ledger, default_playbook(), [], day)
    _same(reference, screened)
    blocked = [s for s in reference.skipped if s.customer_id == "C1"]
    assert [(s.invoice_id, s.reason.value, s.detail) for s in blocked] == [
        ("I1", "blocked", detail),
        ("I2", "blocked", detail),
    ]
    assert any(a.customer_id == "C2" for a in reference.actions)  # its block ended today


def test_a_repeating_last_step_is_screened_day_by_day() -> None:
    """Repeats of the last step (every 10 days, but never inside the 20-day
    deadline the previous sending stated), their waits and their count: the
    screen plans them as the per-customer stages do, day by day."""
    steps = (eh.step("r1", 7), eh.step("last", 14, deadline_days=20))
    book = eh.playbook(eh.policy(steps=steps, end=EndBehaviour.REPEAT, repeat_every_days=10))
    books = eh.ledger([eh.invoice()])
    done: list = []
    for offset in range(0, 81):
        day = eh.DUE + timedelta(days=offset)
        found = screen(books, book, done_rows(done, day), day)
        assert not found.busy
        reference, screened = _both(books, book, done, day)
        _same(reference, screened)
        done.extend(reference.actions)
    assert [a.step for a in done] == ["r1", "last", "last", "last", "last"]


@pytest.mark.parametrize("hour", [0, 12, 23])
def test_the_screen_plans_each_customer_on_its_own_day(hour: int) -> None:
    """With ``at=``, customers in zones already on the next day are screened
    on that day (one screen per local date), as the stages plan them."""
    ledger = sample_ledger()
    start = SAMPLE_AS_OF - timedelta(days=60)
    history = list(simulate(ledger, start=start, end=SAMPLE_AS_OF - timedelta(days=1)).as_history())
    at = datetime.combine(SAMPLE_AS_OF, time(hour), UTC)
    plans = [
        plan_ledger(
            ledger,
            as_of=None,
            at=at,
            playbook=default_playbook(),
            history=history,
            rates=None,
            plugins=None,
            columnar=columnar,
        )
        for columnar in (False, True)
    ]
    _same(*plans)
    assert plans[0].actions
