"""Small builders and Hypothesis strategies for the engine tests.

The builders keep hand-written scenarios short: one customer ``C1`` in the
Netherlands, invoices in EUR, and a three-step policy without calendar, grace
or spacing unless a test asks for more. Every date is explicit.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from arpolicy.actions import Action, HistoryEntry, Plan
from arpolicy.engine import plan
from arpolicy.fees import CollectionCosts, FeeRule, FixedCompensation, StatutoryInterest
from arpolicy.model import (
    Customer,
    Invoice,
    Ledger,
    Payment,
    PaymentPlan,
    Profile,
    Trial,
)
from arpolicy.money import Money
from arpolicy.policy import Anchor, EndBehaviour, Fee, Grouping, Playbook, Policy, Step, Tone

ALL_PROFILES = frozenset(Profile)

DUE = date(2026, 3, 2)  # a Monday
ISSUED = DUE - timedelta(days=30)


def days(n: int) -> timedelta:
    """``n`` days."""
    return timedelta(days=n)


def eur(amount: str | int) -> Money:
    """An amount in euros."""
    return Money(str(amount), "EUR")


def customer(
    cid: str = "C1", *, country: str = "NL", profile: str = "business", **kw: Any
) -> Customer:
    """A customer with sensible defaults."""
    return Customer(cid, f"Customer {cid}", profile, country, **kw)


def invoice(
    iid: str = "I1",
    *,
    customer_id: str = "C1",
    due: date = DUE,
    issued: date | None = None,
    amount: str | int = "100.00",
    currency: str = "EUR",
    **kw: Any,
) -> Invoice:
    """An invoice due on ``due`` (issued 30 days before unless given)."""
    return Invoice(
        iid,
        customer_id,
        issued if issued is not None else due - days(30),
        due,
        Money(str(amount), currency),
        **kw,
    )


def payment(
    pid: str,
    on: date,
    amount: str | int,
    *,
    customer_id: str = "C1",
    currency: str = "EUR",
    invoice_id: str | None = None,
) -> Payment:
    """A payment."""
    return Payment(pid, customer_id, on, Money(str(amount), currency), invoice_id=invoice_id)


def ledger(
    invoices: Iterable[Invoice] = (),
    *,
    customers: Iterable[Customer] | None = None,
    payments: Iterable[Payment] = (),
    plans: Iterable[PaymentPlan] = (),
    trials: Iterable[Trial] = (),
) -> Ledger:
    """A ledger; the customers default to ``C1``."""
    return Ledger(
        tuple(customers) if customers is not None else (customer(),),
        tuple(invoices),
        tuple(payments),
        tuple(plans),
        tuple(trials),
    )


def step(name: str, offset: int, *channels: str, **kw: Any) -> Step:
    """A step; the channel defaults to e-mail."""
    return Step(name, offset, channels or ("email",), **kw)


def three_steps() -> tuple[Step, ...]:
    """``r1`` at +7, ``r2`` at +14, ``r3`` at +28 after the due date."""
    return (
        step("r1", 7, tone=Tone.FRIENDLY),
        step("r2", 14, tone=Tone.FIRM),
        step("r3", 28, tone=Tone.FINAL),
    )


def policy(
    name: str = "std",
    steps: Sequence[Step] | None = None,
    *,
    profiles: Iterable[Profile | str] = ALL_PROFILES,
    **kw: Any,
) -> Policy:
    """A policy for every profile; the ladder defaults to :func:`three_steps`."""
    return Policy(name, steps if steps is not None else three_steps(), profiles=profiles, **kw)


def playbook(*policies: Policy, **kw: Any) -> Playbook:
    """A playbook of ``policies`` (default: one :func:`policy`)."""
    return Playbook(policies or (policy(),), **kw)


def run(
    book: Playbook,
    books: Ledger,
    as_of: date,
    history: Iterable[HistoryEntry | Action] = (),
) -> Plan:
    """``plan`` with keyword arguments filled in."""
    return plan(books, as_of=as_of, playbook=book, history=list(history))


def day_by_day(book: Playbook, books: Ledger, start: date, end: date) -> list[Action]:
    """Plan every day from ``start`` to ``end``, feeding each day's actions back."""
    done: list[Action] = []
    day = start
    while day <= end:
        done.extend(run(book, books, day, done).actions)
        day += days(1)
    return done


def steps_of(result: Plan) -> list[tuple[str, tuple[str, ...], str]]:
    """``(step, invoice_ids, channel)`` per action."""
    return [(a.step, a.invoice_ids, a.channel) for a in result.actions]


def skips_of(result: Plan) -> list[tuple[str, str, str | None]]:
    """``(invoice_id, reason, step)`` per skipped entry."""
    return [(s.invoice_id, s.reason.value, s.step) for s in result.skipped]


def shuffled_ledger(books: Ledger, rng: random.Random) -> Ledger:
    """The same records in a different order."""

    def mix(items: Sequence[Any]) -> list[Any]:
        out = list(items)
        rng.shuffle(out)
        return out

    return Ledger(
        mix(books.customers),
        mix(books.invoices),
        mix(books.payments),
        mix(books.plans),
        mix(books.trials),
    )


def without_holds(books: Ledger) -> Ledger:
    """``books`` with every dispute, invoice hold and customer block removed."""
    return Ledger(
        [attrs.evolve(c, block=None) for c in books.customers],
        [attrs.evolve(i, dispute=None, on_hold_until=None) for i in books.invoices],
        books.payments,
        books.plans,
        books.trials,
    )


# ---------------------------------------------------------------------------
# Hypothesis strategies: steps, policies, playbooks, histories
# ---------------------------------------------------------------------------

CHANNELS = ("email", "letter", "phone")
_STEP_NAMES = tuple(f"s{n}" for n in range(1, 9))


@st.composite
def fees(draw: st.DrawFn) -> FeeRule:
    """A small fee in EUR (and maybe a percentage), or a statutory rule."""
    kind = draw(st.sampled_from(("fee", "fee", "interest", "compensation", "costs")))
    if kind == "interest":
        return StatutoryInterest()
    if kind == "compensation":
        return FixedCompensation()
    if kind == "costs":
        return CollectionCosts()
    fixed = draw(st.sampled_from(((), (eur(5),), (eur("2.50"),))))
    percent = draw(st.none() | st.sampled_from((Decimal(1), Decimal("0.5"))))
    return Fee(fixed=fixed, percent=percent, basis=draw(st.sampled_from(("notice", "invoice"))))


@st.composite
def ladders(draw: st.DrawFn, *, max_steps: int = 4) -> tuple[Step, ...]:
    """A ladder of 1..``max_steps`` steps with increasing offsets."""
    count = draw(st.integers(1, max_steps))
    offset = draw(st.integers(-7, 10))
    result = []
    for n in range(count):
        anchor = Anchor.DUE if n == 0 else draw(st.sampled_from(Anchor))
        if anchor is Anchor.RECEIPT:
            step_offset = draw(st.integers(0, 10))
        elif anchor is Anchor.ISSUE:
            step_offset = draw(st.integers(0, 60))
        else:
            step_offset = offset
        channels = draw(st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=2, unique=True))
        result.append(
            Step(
                _STEP_NAMES[n],
                step_offset,
                channels,
                tone=draw(st.sampled_from(Tone)),
                anchor=anchor,
                fees=draw(st.lists(fees(), max_size=1)),
                deadline_days=draw(st.none() | st.integers(0, 14)),
                requires_acknowledgement=draw(st.booleans()),
                formal=draw(st.booleans()),
                calendar=draw(st.none() | st.sampled_from(("none", "customer", "DE"))),
            )
        )
        offset += draw(st.integers(1, 21))
    return tuple(result)


@st.composite
def policies(draw: st.DrawFn, *, name: str = "p1", max_steps: int = 4) -> Policy:
    """A policy for every profile with drawn rules."""
    return Policy(
        name,
        draw(ladders(max_steps=max_steps)),
        profiles=ALL_PROFILES,
        kinds=draw(st.sampled_from((("invoice",), ("invoice", "deposit")))),
        minimum_amount=draw(st.sampled_from(((), (eur(50),), (eur(1000),)))),
        grace_days=draw(st.integers(0, 5)),
        grace_days_by_currency=draw(st.sampled_from(((), (("EUR", 3),)))),
        min_days_between=draw(st.sampled_from((0, 0, 3, 7))),
        calendar=draw(st.sampled_from(("none", "customer", "NL"))),
        grouping=draw(st.sampled_from(Grouping)),
        end=draw(st.sampled_from(EndBehaviour)),
        repeat_every_days=draw(st.integers(1, 20)),
        presumed_receipt_days=draw(st.integers(0, 4)),
    )


@st.composite
def playbooks(draw: st.DrawFn) -> Playbook:
    """A playbook of one or two drawn policies, maybe mapped by profile and tag."""
    first = draw(policies(name="p1"))
    items = [first]
    by_profile: list[tuple[str, str]] = []
    by_tag: list[tuple[str, str]] = []
    deposit: str | None = None
    if draw(st.booleans()):
        second = draw(policies(name="p2"))
        items.append(second)
        if draw(st.booleans()):
            by_profile.append((draw(st.sampled_from(Profile)).value, "p2"))
        if draw(st.booleans()):
            by_tag.append(("vip", "p2"))
        if draw(st.booleans()):
            deposit = "p2"
    return Playbook(
        tuple(items),
        by_profile=by_profile,
        by_tag=by_tag,
        deposit_policy=deposit,
        trial_notice_days=draw(st.sampled_from(((7, 1), (3,), (14, 7, 1)))),
        credit_hold=draw(st.booleans()),
    )


def planned_dates(start: date, span: int = 120) -> st.SearchStrategy[date]:
    """Planning dates from ``start`` to ``start + span`` days."""
    return st.dates(start, start + days(span))
