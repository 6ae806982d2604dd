"""The benchmark ledgers of the columnar-ledger and vectorised-engine work: seeded and cached.

Two flavours of one book of invoices issued over 2025, looked at on
``AS_OF`` = 2026-01-15, each written as a ledger directory
(``customers.csv``, ``invoices.csv``, ``payments.csv``; see
``docs/reference/ledger-files.md``) plus a history file:

* ``realistic``: about 92 % of the invoices paid, 35 % of all invoices paid
  late (on average about 3.5 days after the due date), 5 % open (nothing
  paid), the rest partly paid; 30 % of the payment rows name no invoice.
* ``delinquent``: about half of the invoices paid. Most customers stopped
  paying at some day of 2025 (early in the year more often than late), so
  their later invoices are open or partly paid; the rest pay later than in
  the realistic book.

The book: customers in ten countries (NL, DE, BE, FR, ES, IT, GB, US, SE, JP)
and five currencies (EUR, GBP, USD, SEK, JPY; 5 % of the customers also
invoice in USD), the three profiles (business 60 %, private 30 %, government
10 %), invoices per customer skewed (a few big accounts, a long tail),
payment terms of 14 to 60 days, 3 % of the paid invoices paid in two
instalments, a few quoted customer names with commas, credit limits, and
disputes on some overdue open invoices.

Payments that name no invoice are allocated by the library (named payments
first, then the rest to the oldest open invoices, see
:class:`arpolicy.model.Ledger`). The generator makes them unnamed only where
that allocation gives exactly the intended result: an unnamed payment pays
one invoice in full, every older invoice of the customer in that currency is
paid in full, and the customer's unnamed payments come in the order of the
invoices they pay. So the balance of every invoice on ``AS_OF``, and the day
it was paid off, are known without allocating; ``--verify`` checks them
against ``arpolicy`` at a small size.

History file (``<name>.history.csv``, for the engine benchmarks): the
dunning actions that a job running every day before ``AS_OF`` with the
built-in playbook would have carried out, one row per invoice and channel:

* ``customer_id``: the customer;
* ``invoice_id``: the invoice (one row per invoice of an action);
* ``step``: the step name in the invoice's policy (chosen by profile);
* ``date``: the day the action went out, before ``AS_OF``;
* ``channel``: one row per channel of a multi-channel step;
* ``key``: ``arpolicy.actions.action_key`` of the action, over customer,
  currency, step, channel and every invoice of that customer and currency
  at that step on that day (grouping ``per_step``); the rows of one action
  share its key.

A step went out on its date (due date or issue date plus its offset, or the
presumed receipt of the previous step for receipt-anchored steps, moved to
the next business day of the customer's country where the step's calendar
says so, never on the day of the previous step) when the invoice was still
not fully paid on that day and not disputed. Simplifications: the policy's
``min_days_between`` spacing between two actions of one customer is not
applied, and there are no credit-hold or trial actions. At the default size
the history has about 1.8 million rows (realistic) and 4.8 million
(delinquent).

Generating one flavour at the default size takes about a minute (pure
Python, one core) and 0.7 GB.

Files go to ``benchmarks/data/`` (git-ignored), named after flavour, size,
seed and a digest of the generator's recipe; an existing directory is
reused. ``<name>.stats.json`` holds the realised shares, printed on every
call.

Usage::

    python benchmarks/ledgers.py                          # both flavours, 1M invoices
    python benchmarks/ledgers.py --flavour realistic --invoices 20000 --customers 2000
    python benchmarks/ledgers.py --invoices 20000 --customers 2000 --verify

``--verify`` (small sizes only) loads each directory with
``arpolicy.io.load_ledger``, compares every invoice's balance and pay-off day
with the intended ones, and runs ``arpolicy.plan`` on ``AS_OF`` with the
history, checking that nothing is caught up (the history holds every step
that was due).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
AS_OF = date(2026, 1, 15)
YEAR = date(2025, 1, 1)
FILES = ("customers.csv", "invoices.csv", "payments.csv")
VERSION = 1  # bump when the generator changes what it writes

# country, home currency, language, weight
COUNTRIES = (
    ("NL", "EUR", "nl", 30),
    ("DE", "EUR", "de", 20),
    ("BE", "EUR", "nl", 8),
    ("FR", "EUR", "fr", 10),
    ("ES", "EUR", "", 5),
    ("IT", "EUR", "", 5),
    ("GB", "GBP", "", 10),
    ("US", "USD", "", 8),
    ("SE", "SEK", "", 2),
    ("JP", "JPY", "", 2),
)
PROFILES = (("business", 60), ("private", 30), ("government", 10))
NET_DAYS = {"business": (14, 30, 30, 30, 60), "government": (30, 30, 60), "private": (14, 14, 30)}
# amount range in minor units (log-uniform); JPY amounts use the same numbers as yen
AMOUNTS = {
    "business": (5_000, 2_000_000),
    "government": (10_000, 5_000_000),
    "private": (1_000, 50_000),
}
DISPUTE_REASONS = ("wrong amount", "goods not received", "quality", "")


@dataclass(frozen=True)
class Flavour:
    """How a book behaves; the shares are per invoice unless said otherwise."""

    name: str
    stopped: float  # share of customers who stop paying on some day of 2025
    open_share: float  # invoices never paid (besides those of stopped customers)
    partial_share: float  # invoices paid in part only
    stopped_partial: float  # of a stopped customer's later invoices, paid in part
    late: float  # of the invoices that are paid, the share paid after the due date
    days_late: float  # mean days late of those
    days_early: float  # mean days before the due date of the others
    split: float  # of the paid invoices, paid in two named instalments
    unnamed: float  # share of payment rows that name no invoice (a target)
    disputed: float  # of the open invoices overdue by 10 days or more


FLAVOURS = {
    "realistic": Flavour(
        "realistic",
        stopped=0.01,
        open_share=0.006,
        partial_share=0.025,
        stopped_partial=0.2,
        late=0.39,
        days_late=3.5,
        days_early=3.0,
        split=0.03,
        unnamed=0.30,
        disputed=0.05,
    ),
    "delinquent": Flavour(
        "delinquent",
        stopped=0.62,
        open_share=0.03,
        partial_share=0.03,
        stopped_partial=0.15,
        late=0.55,
        days_late=12.0,
        days_early=3.0,
        split=0.03,
        unnamed=0.30,
        disputed=0.02,
    ),
}


@dataclass
class Paths:
    """Where a generated ledger lives."""

    ledger: Path  # the ledger directory
    history: Path  # the history CSV
    stats: Path  # realised shares (JSON)


def paths(flavour: str, invoices: int, customers: int, seed: int) -> Paths:
    """The cache paths of one flavour and size (generated or not).

    The name carries a digest of the generator's version and the flavour's
    parameters, so that a changed generator never reuses stale files.
    """
    recipe = json.dumps([VERSION, asdict(FLAVOURS[flavour])], sort_keys=True)
    digest = hashlib.sha256(recipe.encode()).hexdigest()[:8]
    name = f"{flavour}-i{invoices}-c{customers}-s{seed}-{digest}"
    return Paths(DATA / name, DATA / f"{name}.history.csv", DATA / f"{name}.stats.json")


def ensure(flavour: str, invoices: int, customers: int, seed: int, *, quiet: bool = False) -> Paths:
    """Generate the ledger and history unless cached; return their paths."""
    where = paths(flavour, invoices, customers, seed)
    if not (where.ledger.is_dir() and where.history.is_file() and where.stats.is_file()):
        if not quiet:
            print(f"generating {where.ledger} ...", flush=True)
        t0 = time.perf_counter()
        generate(where, FLAVOURS[flavour], invoices, customers, seed)
        if not quiet:
            print(f"  generated in {time.perf_counter() - t0:.1f} s", flush=True)
    return where


# ---------------------------------------------------------------------------
# the book
# ---------------------------------------------------------------------------


@dataclass
class _Customer:
    id: str
    profile: str
    country: str
    currency: str
    stop: int  # ordinal of the day it stopped paying; 0: never


@dataclass
class _Book:
    """The intended state: invoices in id order (= issue, due order)."""

    customers: list[_Customer]
    cust: list[int]  # customer index of each invoice
    cur: list[str]
    issue: list[int]  # ordinals
    due: list[int]
    net: list[int]
    amount: list[int]  # minor units
    paid: list[int]  # minor units paid on AS_OF
    paid_on: list[int]  # ordinal of the day paid off; 0 when not fully paid on AS_OF
    disputed: list[int]  # ordinal of the dispute; 0: none
    # day, customer, sequence, minor units, invoice index (-1: unnamed), currency, method
    payments: list[tuple[int, int, int, int, int, str, str]]
    history_rows: int = 0


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    total = sum(w for _, w in table)
    pick = rng.randrange(total)
    for value, weight in table:
        if pick < weight:
            return value
        pick -= weight
    raise AssertionError


def _late_scale(mean: float) -> float:
    """The exponential mean whose ``1 + floor(X)`` has mean ``mean`` (> 1)."""
    return 1 / math.log(1 + 1 / (mean - 1))


def _early_scale(mean: float) -> float:
    """The exponential mean whose ``floor(X)`` has mean ``mean`` (> 0)."""
    return 1 / math.log(1 + 1 / mean)


def _money(minor: int, currency: str) -> str:
    if currency == "JPY":
        return str(minor)
    return f"{minor // 100}.{minor % 100:02d}"


def _build(flavour: Flavour, invoices: int, customers: int, seed: int) -> _Book:
    rng = random.Random(seed)
    a = AS_OF.toordinal()
    y0 = YEAR.toordinal()
    people: list[_Customer] = []
    second: list[bool] = []
    country_table = tuple((c, w) for c, _, _, w in COUNTRIES)
    home = {c: cur for c, cur, _, _ in COUNTRIES}
    for n in range(customers):
        country = _weighted(rng, country_table)
        profile = _weighted(rng, PROFILES)
        stop = 0
        if rng.random() < flavour.stopped:
            stop = y0 + int(365 * rng.random() ** 2)
        people.append(_Customer(f"C{n + 1:07d}", profile, country, home[country], stop))
        second.append(home[country] not in ("USD", "JPY") and rng.random() < 0.05)

    # invoices: a skewed customer, an issue day (weekdays for organisations), terms
    order = list(range(customers))
    rng.shuffle(order)
    drafts = []
    for _ in range(invoices):
        c = order[int(customers * rng.random() ** 1.6)]
        who = people[c]
        issue = y0 + rng.randrange(365)
        if who.profile != "private":
            weekday = date.fromordinal(issue).isoweekday()
            if weekday > 5:
                issue += 8 - weekday
        net = rng.choice(NET_DAYS[who.profile])
        drafts.append((issue, issue + net, c, net))
    drafts.sort()

    book = _Book(people, [], [], [], [], [], [], [], [], [], [])
    late_scale = _late_scale(flavour.days_late)
    early_scale = _early_scale(flavour.days_early)
    # per invoice: payment parts (day, minor) in date order
    parts: list[list[tuple[int, int]]] = []
    for issue, due, c, net in drafts:
        who = people[c]
        cur = "USD" if second[c] and rng.random() < 0.25 else who.currency
        lo, hi = AMOUNTS[who.profile]
        minor = int(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        paid_parts: list[tuple[int, int]] = []
        if who.stop and due >= who.stop:
            fate = "partial" if rng.random() < flavour.stopped_partial else "open"
        else:
            u = rng.random()
            if u < flavour.open_share:
                fate = "open"
            elif u < flavour.open_share + flavour.partial_share:
                fate = "partial"
            else:
                fate = "pays"
        if fate == "partial":
            last = min(a, due + 60)
            day = issue + rng.randrange(last - issue + 1)
            paid_parts.append((day, max(1, int(minor * rng.uniform(0.2, 0.8)))))
        elif fate == "pays":
            if rng.random() < flavour.late:
                day = due + 1 + int(rng.expovariate(1 / late_scale))
            else:
                day = max(issue, due - int(rng.expovariate(1 / early_scale)))
            if day <= a:
                if rng.random() < flavour.split:
                    first = max(issue, day - rng.randrange(3, 21))
                    part = max(1, int(minor * rng.uniform(0.3, 0.7)))
                    paid_parts.extend(((first, part), (day, minor - part)))
                else:
                    paid_parts.append((day, minor))
        paid = sum(m for _, m in paid_parts)
        disputed = 0
        if paid < minor and due <= a - 10 and rng.random() < flavour.disputed:
            disputed = due + rng.randrange(1, min(30, a - due))
        book.cust.append(c)
        book.cur.append(cur)
        book.issue.append(issue)
        book.due.append(due)
        book.net.append(net)
        book.amount.append(minor)
        book.paid.append(paid)
        book.paid_on.append(paid_parts[-1][0] if paid == minor else 0)
        book.disputed.append(disputed)
        parts.append(paid_parts)

    # payment rows, customer by customer: unnamed where the allocation gives the same
    groups: dict[tuple[int, str], list[int]] = {}
    for i, c in enumerate(book.cust):
        groups.setdefault((c, book.cur[i]), []).append(i)
    rows = unnamed = 0
    seq = 0
    for (c, cur), members in sorted(groups.items()):
        prefix = True  # every older invoice of this customer and currency is paid off
        last_unnamed = 0
        for i in members:
            pieces = parts[i]
            if book.paid_on[i] == 0:
                prefix = False
            for day, minor in pieces:
                rows += 1
                seq += 1
                target = i
                if (
                    prefix
                    and len(pieces) == 1
                    and day >= last_unnamed
                    and unnamed < flavour.unnamed * rows
                ):
                    target = -1
                    unnamed += 1
                    last_unnamed = day
                method = "" if rng.random() < 0.8 else rng.choice(("card", "direct_debit"))
                if target < 0:
                    method = ""
                book.payments.append((day, c, seq, minor, target, cur, method))
    book.payments.sort()
    return book


# ---------------------------------------------------------------------------
# the history a daily job would have left
# ---------------------------------------------------------------------------


class _Days:
    """Business-day arithmetic on ordinals, memoised (the calendars are slow)."""

    def __init__(self) -> None:
        from arpolicy.calendar import calendar_for  # noqa: PLC0415 - only for the history
        from arpolicy.law import nl  # noqa: PLC0415

        self._calendar_for = calendar_for
        self._nl = nl
        self._next: dict[tuple[str, int], int] = {}
        self._receipt: dict[tuple[str, int, int], int] = {}

    def next_business(self, country: str, day: int) -> int:
        key = (country, day)
        found = self._next.get(key)
        if found is None:
            cal = self._calendar_for(country)
            found = self._next[key] = cal.next_business_day(date.fromordinal(day)).toordinal()
        return found

    def receipt(self, country: str, sent: int, days: int) -> int:
        """The presumed receipt, as ``arpolicy.engine`` presumes it."""
        key = (country, sent, days)
        found = self._receipt.get(key)
        if found is None:
            day = date.fromordinal(sent)
            if country == "NL":
                got = self._nl.presumed_receipt(day, calendar=self._calendar_for("NL"))
            else:
                got = self._calendar_for(country).add_business_days(day, days)
            found = self._receipt[key] = got.toordinal()
        return found


@dataclass(frozen=True)
class _Step:
    name: str
    offset: int
    anchor: str  # due, issue, receipt
    calendar: str  # none, customer, or a country code
    channels: tuple[str, ...]
    acknowledged: bool  # requires_acknowledgement


_Ladder = tuple[list[_Step], int, Callable[[str], int]]  # steps, receipt days, grace_for


def _ladders() -> tuple[dict[str, _Ladder], Callable[..., str]]:
    """The built-in playbook's ladder per profile, and ``action_key``."""
    from arpolicy.actions import action_key  # noqa: PLC0415 - only for the history
    from arpolicy.playbooks import default_playbook  # noqa: PLC0415

    book = default_playbook()
    ladders = {}
    for profile, name in book.by_profile:
        policy = book.policy(name)
        steps = [
            _Step(
                s.name,
                s.offset_days,
                s.anchor.value,
                s.calendar or policy.calendar,
                tuple(s.channels),
                s.requires_acknowledgement,
            )
            for s in policy.steps
        ]
        ladders[profile] = (steps, policy.presumed_receipt_days, policy.grace_for)
    return ladders, action_key


def _history(book: _Book, path: Path) -> int:
    """Write the history CSV; return its number of rows."""
    ladders, action_key = _ladders()
    days = _Days()
    a = AS_OF.toordinal()
    iso = _iso_table(book)
    by_customer: dict[int, list[int]] = {}
    for i, c in enumerate(book.cust):
        by_customer.setdefault(c, []).append(i)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("customer_id,invoice_id,step,date,channel,key\n")
        for c in sorted(by_customer):
            who = book.customers[c]
            steps, receipt_days, grace_for = ladders[who.profile]
            country = who.country
            # (currency, step, channel, day) -> invoice indexes: one action each
            actions: dict[tuple[str, str, str, int], list[int]] = {}

            def shift(rule: str, day: int, country: str = country) -> int:
                if rule == "none":
                    return day
                return days.next_business(country if rule == "customer" else rule, day)

            for i in by_customer[c]:
                stop = min(a, book.paid_on[i] or a, book.disputed[i] or a)
                cur = book.cur[i]
                grace = grace_for(cur)
                sent = scheduled = 0
                previous: _Step | None = None
                for step in steps:
                    receipt = 0
                    if previous is not None and (step.anchor == "receipt" or previous.acknowledged):
                        receipt = days.receipt(country, sent, receipt_days)
                    if step.anchor == "receipt" and receipt:
                        day = receipt + step.offset
                    elif step.anchor == "issue":
                        day = book.issue[i] + step.offset
                    else:
                        day = book.due[i] + step.offset + (grace if step.offset > 0 else 0)
                    day = shift(step.calendar, max(day, receipt))
                    due_on = day
                    if previous is not None:
                        lag = sent - scheduled
                        if lag and step.anchor != "receipt":
                            day = shift(step.calendar, day + lag)
                        if day <= sent:
                            day = shift(step.calendar, sent + 1)
                    if day >= stop:
                        break
                    for channel in step.channels:
                        actions.setdefault((cur, step.name, channel, day), []).append(i)
                    sent, scheduled, previous = day, due_on, step
            lines = []
            for (cur, step_name, channel, day), members in actions.items():
                ids = [f"INV{i + 1:08d}" for i in members]
                key = action_key(who.id, step_name, channel, currency=cur, invoice_ids=ids)
                lines.extend(
                    f"{who.id},{iid},{step_name},{iso[day]},{channel},{key}\n" for iid in ids
                )
            count += len(lines)
            out.writelines(lines)
    return count


def _iso_table(book: _Book) -> dict[int, str]:
    first = min(min(book.issue, default=YEAR.toordinal()), YEAR.toordinal()) - 400
    last = max(max(book.due, default=AS_OF.toordinal()), AS_OF.toordinal()) + 400
    return {d: date.fromordinal(d).isoformat() for d in range(first, last + 1)}


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------


def _quote(text: str) -> str:
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _customer_lines(book: _Book, seed: int) -> Iterator[str]:
    rng = random.Random(seed + 1)
    language = {c: lang for c, _, lang, _ in COUNTRIES}
    yield "id,name,profile,country,language,email,credit_limit,currency,tags\n"
    for n, who in enumerate(book.customers):
        if n % 50 == 7:
            name = f"Jansen & Zn {n}, B.V."
        elif who.profile == "private":
            name = f"Person {n}"
        else:
            name = f"Company {n}"
        limit = cur = ""
        if who.profile == "business" and rng.random() < 0.10:
            cur = who.currency
            limit = _money(rng.choice((500_000, 1_000_000, 2_500_000)), cur)
        tags = "key-account" if n % 41 == 0 else ""
        yield (
            f"C{n + 1:07d},{_quote(name)},{who.profile},{who.country},{language[who.country]},"
            f"ap{n + 1}@example.com,{limit},{cur},{tags}\n"
        )


def _invoice_lines(book: _Book, seed: int) -> Iterator[str]:
    rng = random.Random(seed + 2)
    iso = _iso_table(book)
    yield (
        "id,customer_id,issue_date,due_date,amount,currency,terms,reference,"
        "disputed,dispute_reason\n"
    )
    for i, c in enumerate(book.cust):
        terms = f"net {book.net[i]}" if rng.random() < 0.3 else ""
        who = book.customers[c]
        reference = f"PO-{rng.randrange(10**6):06d}" if who.profile == "government" else ""
        disputed = reason = ""
        if book.disputed[i]:
            disputed = iso[book.disputed[i]]
            reason = DISPUTE_REASONS[i % len(DISPUTE_REASONS)]
        yield (
            f"INV{i + 1:08d},{who.id},{iso[book.issue[i]]},{iso[book.due[i]]},"
            f"{_money(book.amount[i], book.cur[i])},{book.cur[i]},{terms},{reference},"
            f"{disputed},{reason}\n"
        )


def _payment_lines(book: _Book) -> Iterator[str]:
    iso = _iso_table(book)
    yield "id,customer_id,date,amount,currency,invoice_id,method\n"
    for n, (day, c, _, minor, target, cur, method) in enumerate(book.payments):
        who = book.customers[c]
        invoice = f"INV{target + 1:08d}" if target >= 0 else ""
        yield (f"P{n + 1:08d},{who.id},{iso[day]},{_money(minor, cur)},{cur},{invoice},{method}\n")


def _write(path: Path, lines: Iterator[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= 50_000:
                out.writelines(batch)
                batch.clear()
        out.writelines(batch)


# ---------------------------------------------------------------------------
# generating, checking, reporting
# ---------------------------------------------------------------------------


def _stats(book: _Book, flavour: Flavour, seed: int) -> dict[str, object]:
    n = len(book.cust)
    paid = [i for i in range(n) if book.paid_on[i]]
    late = [book.paid_on[i] - book.due[i] for i in paid if book.paid_on[i] > book.due[i]]
    nothing = sum(1 for i in range(n) if book.paid[i] == 0)
    rows = len(book.payments)
    unnamed = sum(1 for p in book.payments if p[4] < 0)
    currencies: dict[str, int] = {}
    for cur in book.cur:
        currencies[cur] = currencies.get(cur, 0) + 1
    profiles: dict[str, int] = {}
    for who in book.customers:
        profiles[who.profile] = profiles.get(who.profile, 0) + 1

    def pct(part: int, whole: int) -> float:
        return round(100 * part / whole, 2) if whole else 0.0

    return {
        "flavour": flavour.name,
        "seed": seed,
        "as_of": AS_OF.isoformat(),
        "customers": len(book.customers),
        "invoices": n,
        "payments": rows,
        "history_rows": book.history_rows,
        "history_rows_per_invoice": round(book.history_rows / n, 2) if n else 0.0,
        "paid_pct": pct(len(paid), n),
        "late_pct_of_invoices": pct(len(late), n),
        "late_pct_of_paid": pct(len(late), len(paid)),
        "mean_days_late": round(sum(late) / len(late), 2) if late else 0.0,
        "open_pct": pct(nothing, n),
        "partial_pct": pct(n - len(paid) - nothing, n),
        "unnamed_payments_pct": pct(unnamed, rows),
        "disputed": sum(1 for d in book.disputed if d),
        "invoices_by_currency": dict(sorted(currencies.items())),
        "customers_by_profile": dict(sorted(profiles.items())),
        "parameters": asdict(flavour),
    }


def generate(where: Paths, flavour: Flavour, invoices: int, customers: int, seed: int) -> None:
    """Write the ledger directory, the history and the stats of one flavour and size."""
    book = _build(flavour, invoices, customers, seed)
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = where.ledger.with_name(where.ledger.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    _write(tmp / "customers.csv", _customer_lines(book, seed))
    _write(tmp / "invoices.csv", _invoice_lines(book, seed))
    _write(tmp / "payments.csv", _payment_lines(book))
    history_tmp = where.history.with_name(where.history.name + ".tmp")
    book.history_rows = _history(book, history_tmp)
    if where.ledger.exists():
        shutil.rmtree(where.ledger)
    tmp.rename(where.ledger)
    history_tmp.replace(where.history)
    text = json.dumps(_stats(book, flavour, seed), indent=2) + "\n"
    where.stats.write_text(text, encoding="utf-8")


def verify(where: Paths, flavour: str, invoices: int, customers: int, seed: int) -> None:
    """Check the files against ``arpolicy`` (small sizes: this builds objects)."""
    from decimal import Decimal  # noqa: PLC0415

    import arpolicy  # noqa: PLC0415 - only for the check
    from arpolicy import HistoryEntry  # noqa: PLC0415
    from arpolicy.io import load_ledger  # noqa: PLC0415

    book = _build(FLAVOURS[flavour], invoices, customers, seed)
    t0 = time.perf_counter()
    ledger = load_ledger(where.ledger)
    print(f"  load_ledger: {time.perf_counter() - t0:.2f} s, {len(ledger.invoices)} invoices")
    balances = ledger.balances(AS_OF)
    paid_off: dict[str, date] = {}
    for who in ledger.customers:
        for alloc in ledger.position(who.id, AS_OF).allocations:
            if alloc.invoice_id is not None:
                day = ledger.payment(alloc.source_id).date
                known = paid_off.get(alloc.invoice_id)
                if known is None or day > known:
                    paid_off[alloc.invoice_id] = day
    wrong_balance = wrong_day = 0
    for i in range(len(book.cust)):
        iid = f"INV{i + 1:08d}"
        left = book.amount[i] - book.paid[i]
        expected = Decimal(left) if book.cur[i] == "JPY" else Decimal(left).scaleb(-2)
        if balances[iid].amount != expected:
            wrong_balance += 1
        if book.paid_on[i] and paid_off.get(iid) != date.fromordinal(book.paid_on[i]):
            wrong_day += 1
    print(f"  balances differing from the intended ones: {wrong_balance}")
    print(f"  pay-off days differing from the intended ones: {wrong_day}")

    entries = []
    with where.history.open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            cid, iid, step, day, channel, key = line.rstrip("\n").split(",")
            entries.append(HistoryEntry(key, date.fromisoformat(day), cid, step, (iid,), channel))
    t0 = time.perf_counter()
    result = arpolicy.plan(ledger, as_of=AS_OF, history=entries)
    seconds = time.perf_counter() - t0
    caught_up = sum(1 for x in result.actions if any(r.code == "catch_up" for r in x.reasons))
    steps: dict[str, int] = {}
    for x in result.actions:
        steps[x.step] = steps.get(x.step, 0) + 1
    print(
        f"  plan on {AS_OF} with {len(entries)} history rows: {seconds:.2f} s, "
        f"{len(result.actions)} actions, {len(result.skipped)} skipped, "
        f"{caught_up} catching up"
    )
    print(f"  actions by step: {dict(sorted(steps.items()))}")
    if wrong_balance or wrong_day:
        raise SystemExit(f"{where.ledger}: the files do not say what was intended")


def describe(where: Paths) -> None:
    """Print what was written and the realised shares."""
    stats = json.loads(where.stats.read_text(encoding="utf-8"))
    sizes = ", ".join(
        f"{name} {(where.ledger / name).stat().st_size / 1e6:.1f} MB" for name in FILES
    )
    print(f"{where.ledger}: {sizes}")
    print(f"{where.history}: {where.history.stat().st_size / 1e6:.1f} MB")
    print(
        f"  {stats['flavour']}: {stats['customers']} customers, {stats['invoices']} invoices, "
        f"{stats['payments']} payments, {stats['history_rows']} history rows "
        f"({stats['history_rows_per_invoice']} per invoice)"
    )
    print(
        f"  paid {stats['paid_pct']} %, paid late {stats['late_pct_of_invoices']} % of invoices "
        f"({stats['late_pct_of_paid']} % of paid) by {stats['mean_days_late']} days on average, "
        f"open {stats['open_pct']} %, partly paid {stats['partial_pct']} %, "
        f"unnamed payments {stats['unnamed_payments_pct']} %, {stats['disputed']} disputed"
    )


def main() -> None:
    """Generate (or reuse) the flavours asked for and print their shares."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flavour", choices=[*FLAVOURS, "both"], default="both")
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260115)
    parser.add_argument("--force", action="store_true", help="generate even when cached")
    parser.add_argument("--verify", action="store_true", help="check against arpolicy (small)")
    args = parser.parse_args()
    names = list(FLAVOURS) if args.flavour == "both" else [args.flavour]
    for name in names:
        if args.force:
            where = paths(name, args.invoices, args.customers, args.seed)
            where.stats.unlink(missing_ok=True)
        where = ensure(name, args.invoices, args.customers, args.seed)
        describe(where)
        if args.verify:
            verify(where, name, args.invoices, args.customers, args.seed)


if __name__ == "__main__":
    main()
