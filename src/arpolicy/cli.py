"""The ``arpolicy`` command line.

One :mod:`click` group, :func:`main`; every command is a subcommand of it
(``arpolicy demo``, and later ``plan``, ``simulate``, ``explain`` ...).
Commands stay thin: parse arguments, call the library, print the result.

Output is deterministic: the same arguments print the same bytes. When
standard output is not a terminal, tables are drawn 100 columns wide without
colour, whatever the environment says.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import attrs
import click

from . import __version__
from .errors import ArpolicyError, MissingExtraError, OutputError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from .actions import Action, HistoryEntry, Plan
    from .credit import CreditRecommendation
    from .fx import FxRates
    from .io._files import Chunks
    from .io.report_output import ReportFormat
    from .journal import Journal, JournalEntry
    from .messages import Company, Message, Renderer
    from .model import Dispute, Invoice, Ledger, Profile
    from .money import Money
    from .plugins import Plugins
    from .policy import Playbook, Policy


__all__ = ["main"]

_PLAIN_WIDTH = 100
_TOP_OVERDUE = 10
_TRIAL_WINDOW_DAYS = 30

# Option defaults and choices the help shows, here so that ``--help`` and
# ``--version`` import no more than click: each command imports the modules it
# needs when it runs. tests/test_startup.py checks these against their sources.
_SAMPLE_SEED = 2026  # arpolicy.sample.SAMPLE_SEED
_JOURNAL_STATUSES = ("issued", "received", "failed")  # arpolicy.journal.JournalStatus


def make_console() -> Console:
    """A console for command output.

    On a terminal it adapts to the terminal; otherwise it is 100 columns
    wide, without colour or terminal codes, so piped output is stable.

    Returns:
        A :class:`rich.console.Console` writing to standard output.
    """
    from rich.console import Console

    if sys.stdout.isatty():
        return Console(highlight=False)
    return Console(
        width=_PLAIN_WIDTH,
        force_terminal=False,
        color_system=None,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="arpolicy")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.option("--verbose", "-v", is_flag=True, help="Report progress on stderr even when piped.")
@click.pass_context
def main(ctx: click.Context, debug: bool, verbose: bool) -> None:
    """Plan dunning: turn what customers owe into dated, explained actions.

    Exit status: 0 success, 1 invalid input or findings, 2 usage error.
    """
    ctx.obj = _Options(debug=debug, verbose=verbose)


_FORMATS = ("table", "json", "ndjson", "csv", "parquet")
_DATE = click.DateTime(formats=["%Y-%m-%d"])

_as_of_option = click.option(
    "--as-of",
    "as_of",
    type=_DATE,
    default=None,
    metavar="YYYY-MM-DD",
    help="The date (default: today in the local time zone).",
)
_customer_as_of_option = click.option(
    "--as-of",
    "as_of",
    type=_DATE,
    default=None,
    metavar="YYYY-MM-DD",
    help="The date for every customer (default: today in each customer's own time zone).",
)
_policy_option = click.option(
    "--policy",
    "policy_path",
    type=click.Path(exists=True, dir_okay=False),
    help="A policy file (TOML); the built-in playbook when left out.",
)
_history_option = click.option(
    "--history",
    "history_path",
    type=click.Path(exists=True, dir_okay=False),
    help=(
        "A file of actions already carried out: JSON (e.g. an earlier --format json),"
        " or a history table ending in .csv, .parquet, .ndjson or .jsonl."
    ),
)
_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(_FORMATS),
    default="table",
    show_default=True,
    help="Output format; parquet is binary (use --output or a redirect).",
)
_skipped_option = click.option(
    "--skipped",
    "skipped_path",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also write every open item without an action (customer, invoice, step, reason, "
    "detail) to this file, in --format; the output itself only counts them per reason.",
)


# ---------------------------------------------------------------------------
# arpolicy plugins
# ---------------------------------------------------------------------------

_RULE_HOOKS = {
    "arpolicy_skip_invoice": "skip rule",
    "arpolicy_adjust_action": "action rule",
    "arpolicy_select_policy": "policy choice",
    "arpolicy_observe_plan": "plan observer",
    "arpolicy_customer_actions": "actions outside the ladder",
}


@main.command(name="plugins")
def plugins_command() -> None:
    """List the active plugins, their channels and rules, and where each comes from.

    Plugins are the built-in ones, then those installed in the `arpolicy`
    entry-point group; names in ARPOLICY_DISABLE_PLUGINS (comma-separated)
    are left out.
    """
    import pluggy

    from .plugins import Plugins, make_plugin_manager

    try:
        active = Plugins(make_plugin_manager())
        infos = active.describe()
        channels = active.channels()
        sources = active.channel_sources()
        fee_kinds = active.fee_rule_types()
        rates = active.rate_rows()
    except (ArpolicyError, pluggy.PluginValidationError) as error:
        raise click.ClickException(str(error)) from error
    console = make_console()
    with console.capture() as capture:
        table = _table(f"Plugins ({len(infos)})")
        table.add_column("plugin", no_wrap=True)
        table.add_column("from")
        table.add_column("hooks")
        for info in infos:
            table.add_row(info.name, info.source, ", ".join(info.hooks))
        console.print(table)
        console.print()
        table = _table(f"Channels ({len(channels)})")
        for column in ("channel", "plugin", "contact", "weekends", "what"):
            table.add_column(column, no_wrap=column != "what")
        for name, channel in channels.items():
            table.add_row(
                name,
                sources[name],
                channel.contact or "-",
                "yes" if channel.weekends else "no",
                channel.description,
            )
        console.print(table)
        console.print()
        table = _table("Rules")
        table.add_column("plugin", no_wrap=True)
        table.add_column("kind")
        for info in infos:
            for hook in info.hooks:
                if hook in _RULE_HOOKS:
                    table.add_row(info.name, _RULE_HOOKS[hook])
        console.print(table)
        console.print()
        if fee_kinds:
            console.print("Fee rule kinds from plugins: " + ", ".join(fee_kinds) + ".")
        if rates:
            console.print(f"Rate rows from plugins: {len(rates)}.")
    lines = [line.rstrip() for line in capture.get().splitlines()]
    click.echo("\n".join(lines).rstrip("\n"))


# ---------------------------------------------------------------------------
# arpolicy demo
# ---------------------------------------------------------------------------


_HISTORY_DAYS = 60
_LOOKAHEAD_DAYS = 14


def _today() -> date:
    """Today in the local time zone (the command line's edge; the engine never asks)."""
    return date.today()  # noqa: DTZ011 - the local date is what "today" means here


def _local_now() -> datetime:
    """Now, timezone-aware, in the local time zone (the command line's edge).

    Commands that plan customers pass it as ``at=``: each customer is planned
    on its own date at this instant, and the run is dated the local date.
    """
    return datetime.now(tz=UTC).astimezone()


def _when(as_of: datetime | None) -> dict[str, Any]:
    """``plan``'s date arguments: ``as_of`` when given, else ``at`` now."""
    if as_of is not None:
        return {"as_of": as_of.date()}
    return {"at": _local_now()}


@main.command()
@_as_of_option
@click.option(
    "--size",
    type=click.IntRange(min=1),
    default=None,
    help="Use a synthetic ledger with N invoices instead of the sample portfolio.",
)
@click.option(
    "--seed",
    type=int,
    default=_SAMPLE_SEED,
    show_default=True,
    help="Seed of the sample or synthetic ledger.",
)
def demo(as_of: datetime | None, size: int | None, seed: int) -> None:
    """Plan the built-in sample portfolio: today's actions and the next two weeks.

    The sample portfolio is built around the date (today unless --as-of is
    given), so it always looks current; the same seed and date always give
    the same output. The demo acts as if arpolicy had run every day for the
    60 days before, with the built-in playbook, then plans the date and
    previews the following 14 days. With --size N a synthetic ledger of N
    invoices (and N // 10 customers) is planned instead, as a first run
    without history.
    """
    from .engine import plan, simulate
    from .playbooks import default_playbook
    from .sample import sample_ledger, synthetic_ledger

    day = as_of.date() if as_of is not None else _today()
    book = default_playbook()
    if size is None:
        ledger = sample_ledger(seed=seed, as_of=day)
        title = f"Sample portfolio (seed {seed}) as of {day.isoformat()}"
        past = simulate(
            ledger,
            start=day - timedelta(days=_HISTORY_DAYS),
            end=day - timedelta(days=1),
            playbook=book,
        ).actions
        note = f"History: as if arpolicy had run every day for the {_HISTORY_DAYS} days before."
    else:
        ledger = synthetic_ledger(
            customers=max(1, size // 10),
            invoices=size,
            seed=seed,
            start=day - timedelta(days=365),
            days=365,
        )
        title = f"Synthetic portfolio ({size} invoices, seed {seed}) as of {day.isoformat()}"
        past = ()
        note = "History: none, a first run; overdue invoices catch up at once."
    today = plan(ledger, as_of=day, playbook=book, history=past)
    coming = simulate(
        ledger,
        start=day + timedelta(days=1),
        end=day + timedelta(days=_LOOKAHEAD_DAYS),
        playbook=book,
        history=[*past, *today.actions],
    )
    console = make_console()
    with console.capture() as capture:
        print_summary(console, ledger, day, title=title)
        console.print(note)
        print_actions(console, ledger, today.actions, title=f"Actions on {day.isoformat()}")
        print_charges(console, ledger, today.actions)
        print_skipped(console, today)
        print_upcoming(
            console,
            coming.actions,
            title=f"The next {_LOOKAHEAD_DAYS} days, if nothing is paid",
        )
    # Tables pad every line to their width; trailing blanks help nobody.
    lines = [line.rstrip() for line in capture.get().splitlines()]
    click.echo("\n".join(lines).rstrip("\n"))


def print_actions(
    console: Console,
    ledger: Ledger,
    actions: Sequence[Action],
    *,
    title: str,
    own_dates: bool = False,
) -> None:
    """Print ``actions`` as a table, with a count per channel.

    Args:
        console: where to print.
        ledger: the ledger the actions were planned from (for names).
        actions: the actions, in plan order.
        title: the heading.
        own_dates: the customers were planned on their own dates (time
            zones): show each action's date when they differ.
    """
    from rich.text import Text

    if not actions:
        console.print(Text(f"{title}: none.", style="bold"))
        console.print()
        return
    table = _table(f"{title}: {len(actions)} ({_per_channel(actions)})")
    dated = own_dates and len({a.date for a in actions}) > 1
    if dated:
        table.add_column("date", no_wrap=True)
    table.add_column("customer", overflow="ellipsis", no_wrap=True, max_width=26)
    table.add_column("step", overflow="ellipsis", no_wrap=True, max_width=22)
    table.add_column("channel", no_wrap=True)
    table.add_column("invoices", justify="right", no_wrap=True)
    table.add_column("amount due", justify="right", no_wrap=True)
    table.add_column("deadline", no_wrap=True)
    for action in actions:
        table.add_row(
            *((action.date.isoformat(),) if dated else ()),
            Text(ledger.customer(action.customer_id).name),
            action.step,
            action.channel,
            str(len(action.invoice_ids)) if action.invoice_ids else "-",
            "-" if action.amount_due is None else _amount(action.amount_due),
            "-" if action.deadline is None else action.deadline.isoformat(),
        )
    console.print(table)
    console.print()


def print_charges(console: Console, ledger: Ledger, actions: Sequence[Action]) -> None:
    """Print what the actions with charges claim: principal, interest, fees, total.

    Costs that a notice only announces (the Dutch 14-day letter) are marked.
    """
    from rich.text import Text

    from .money import Money

    charged = [a for a in actions if a.charges]
    if not charged:
        return
    table = _table("What these notices claim (interest to the day before the notice)")
    table.add_column("customer", overflow="ellipsis", no_wrap=True, max_width=24)
    table.add_column("step", overflow="ellipsis", no_wrap=True, max_width=20)
    rows = []
    for action in charged:
        announced = [c.amount for c in action.charges if c.announced]
        costs = _maybe(action.collection_costs)
        if action.collection_costs is None and announced:
            costs = f"{Money.total(announced, announced[0].currency).amount:,} announced"
        rows.append(
            {
                "principal": _maybe(action.principal),
                "interest": _maybe(action.interest),
                "compensation": _maybe(action.compensation),
                "costs": costs,
                "fees": _maybe(action.fees),
                "total due": _maybe(action.total_due),
            }
        )
    # Only the columns some notice uses; the principal and the total always.
    columns = [c for c in rows[0] if any(row[c] != "-" for row in rows)]
    for name in columns:
        table.add_column(name, justify="right", no_wrap=True)
    for action, row in zip(charged, rows, strict=True):
        table.add_row(
            Text(ledger.customer(action.customer_id).name),
            action.step,
            *(row[c] for c in columns),
        )
    console.print(table)
    console.print()


def _maybe(money: Money | None) -> str:
    return "-" if money is None else _amount(money)


def _per_channel(actions: Iterable[Action]) -> str:
    channels = Counter(a.channel for a in actions)
    return ", ".join(f"{n} {channel}" for channel, n in sorted(channels.items()))


def print_upcoming(console: Console, actions: Sequence[Action], *, title: str) -> None:
    """Print how many actions fall on each coming day, per channel.

    Args:
        console: where to print.
        actions: the actions of the coming days.
        title: the heading.
    """
    from rich.text import Text

    if not actions:
        console.print(Text(f"{title}: none.", style="bold"))
        console.print()
        return
    by_day: dict[date, list[Action]] = {}
    for action in actions:
        by_day.setdefault(action.date, []).append(action)
    table = _table(f"{title}: {len(actions)} actions")
    table.add_column("date", no_wrap=True)
    table.add_column("actions", justify="right", no_wrap=True)
    table.add_column("channels")
    for day in sorted(by_day):
        table.add_row(day.isoformat(), str(len(by_day[day])), _per_channel(by_day[day]))
    console.print(table)
    console.print()


def print_skipped(console: Console, result: Plan) -> None:
    """Print how many open items got no action, per reason."""
    counts = result.skipped_by_reason()
    if not counts:
        return
    parts = ", ".join(f"{n} {reason.value.replace('_', ' ')}" for reason, n in counts.items())
    console.print(f"Without an action today: {parts}.")
    console.print()


def print_skipped_in_full(console: Console, result: Plan) -> None:
    """Print every open item that got no action, and why."""
    table = _table(f"Without an action on {result.as_of.isoformat()}")
    for column in ("Customer", "Invoice", "Step", "Reason", "Detail"):
        table.add_column(column)
    for item in result.skipped:
        table.add_row(
            item.customer_id,
            item.invoice_id,
            item.step or "-",
            item.reason.value.replace("_", " "),
            item.detail,
        )
    console.print(table)


@attrs.frozen
class _OpenItem:
    invoice: Invoice
    balance: Money
    customer_name: str
    profile: Profile
    note: str


def _open_items(ledger: Ledger, as_of: date) -> tuple[list[_OpenItem], dict[str, Money]]:
    """Every invoice with an open balance on ``as_of``, and customer credit."""
    from .model import InvoiceKind, PlanStatus

    items: list[_OpenItem] = []
    credit: dict[str, Money] = {}
    covered = {
        iid: plan.id
        for plan in ledger.plans
        if plan.in_force(as_of) and ledger.plan_state(plan.id, as_of).status is PlanStatus.ON_TRACK
        for iid in plan.invoice_ids
    }
    for customer in sorted(ledger.customers, key=lambda c: c.id):
        position = ledger.position(customer.id, as_of)
        for currency, amount in position.credit.items():
            credit[currency] = credit[currency] + amount if currency in credit else amount
        for iid, balance in position.balances.items():
            if not balance.is_positive():
                continue
            inv = ledger.invoice(iid)
            notes: list[str] = []
            if inv.disputed(as_of):
                notes.append("disputed")
            if inv.on_hold(as_of):
                notes.append("on hold")
            if customer.blocked(as_of):
                notes.append("blocked")
            if iid in covered:
                notes.append(covered[iid])
            if inv.kind is not InvoiceKind.INVOICE:
                notes.append(inv.kind.value)
            items.append(_OpenItem(inv, balance, customer.name, customer.profile, ", ".join(notes)))
    items.sort(key=lambda item: (item.invoice.due_date, item.invoice.id))
    return items, credit


def _amount(money: Money) -> str:
    return f"{money.amount:,} {money.currency}"


def _total(items: Iterable[Money], currency: str) -> Money:
    from .money import Money

    return Money.total((m for m in items if m.currency == currency), currency)


def _table(title: str) -> Table:
    from rich import box
    from rich.table import Table

    return Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )


def print_summary(console: Console, ledger: Ledger, as_of: date, *, title: str) -> None:
    """Print a summary of ``ledger`` as of ``as_of``.

    Shows customers by profile and country, open and overdue balances per
    currency (currencies are never added up), the longest overdue invoices,
    disputes, holds, blocks, payment plans and trials ending soon.

    Args:
        console: where to print.
        ledger: the ledger to summarise.
        as_of: the date to summarise it on.
        title: the heading.
    """
    from rich.text import Text

    console.print(Text(title, style="bold"))
    issued = sum(1 for i in ledger.invoices if i.issue_date <= as_of)
    paid = sum(1 for p in ledger.payments if p.date <= as_of)
    console.print(
        f"{issued} invoices, deposit requests and credit notes and {paid} payments "
        f"up to this date, in {', '.join(ledger.currencies())}."
    )
    later = not_counted_yet(ledger, as_of)
    for line in later:
        console.print(line)
    console.print()
    _print_customers(console, ledger)
    items, credit = _open_items(ledger, as_of)
    overdue = [item for item in items if item.invoice.due_date < as_of]
    _print_balances(console, items, overdue, credit)
    _print_overdue(console, overdue, as_of)
    disputed = sum(1 for item in items if item.invoice.disputed(as_of))
    on_hold = sum(1 for item in items if item.invoice.on_hold(as_of))
    blocked = sum(1 for c in ledger.customers if c.blocked(as_of))
    console.print(
        f"Open items disputed: {disputed}; on hold: {on_hold}. "
        f"Customers with a dunning block: {blocked}."
    )
    console.print()
    _print_plans(console, ledger, as_of)
    _print_trials(console, ledger, as_of)


_NOT_COUNTED_SHOWN = 20


def not_counted_yet(ledger: Ledger, as_of: date) -> list[str]:
    """One line per payment dated after ``as_of``: the engine does not count it yet.

    Sorted by date, then id; after the first 20, one line says how many more.
    """
    stored = ledger._stored_tables()
    if stored is not None:  # a table-backed ledger: only the later payments become records
        import polars as pl

        rows = stored.payments.filter(pl.col("date") > as_of).sort("date", "payment_id")
        count = rows.height
        later = [ledger.payment(pid) for pid in rows["payment_id"].head(_NOT_COUNTED_SHOWN)]
    else:
        later = sorted((p for p in ledger.payments if p.date > as_of), key=lambda p: (p.date, p.id))
        count = len(later)
    after = as_of.isoformat()
    lines = [
        f"not counted yet: {p.id} dated {p.date.isoformat()} (after {after}), "
        f"{_amount(p.amount)} from {p.customer_id}"
        for p in later[:_NOT_COUNTED_SHOWN]
    ]
    if count > _NOT_COUNTED_SHOWN:
        lines.append(
            f"not counted yet: {count - _NOT_COUNTED_SHOWN} more payments dated after {after}"
        )
    return lines


def _print_customers(console: Console, ledger: Ledger) -> None:
    from .model import Profile

    counts = Counter((c.profile, c.country) for c in ledger.customers)
    countries = sorted({c.country for c in ledger.customers})
    table = _table(f"Customers ({len(ledger.customers)})")
    table.add_column("profile")
    for country in countries:
        table.add_column(country, justify="right")
    table.add_column("total", justify="right")
    for profile in Profile:
        row = [counts[profile, country] for country in countries]
        table.add_row(profile.value, *map(str, row), str(sum(row)))
    console.print(table)
    console.print()


def _print_balances(
    console: Console, items: list[_OpenItem], overdue: list[_OpenItem], credit: dict[str, Money]
) -> None:
    from .money import Money

    table = _table("Open balances per currency (currencies are never added up)")
    for name in ("currency", "open items", "open balance", "overdue items", "overdue balance"):
        table.add_column(name, justify="left" if name == "currency" else "right")
    table.add_column("customer credit", justify="right")
    currencies = sorted({item.balance.currency for item in items} | set(credit))
    for currency in currencies:
        table.add_row(
            currency,
            str(sum(1 for item in items if item.balance.currency == currency)),
            _amount(_total((item.balance for item in items), currency)),
            str(sum(1 for item in overdue if item.balance.currency == currency)),
            _amount(_total((item.balance for item in overdue), currency)),
            _amount(credit.get(currency, Money.zero(currency))),
        )
    console.print(table)
    console.print()


def _print_overdue(console: Console, overdue: list[_OpenItem], as_of: date) -> None:
    from rich.text import Text

    longest = sorted(
        overdue, key=lambda item: (-item.invoice.days_overdue(as_of), item.invoice.id)
    )[:_TOP_OVERDUE]
    table = _table(f"Longest overdue ({len(longest)} of {len(overdue)} overdue items)")
    table.add_column("invoice", no_wrap=True)
    table.add_column("customer", overflow="ellipsis", no_wrap=True, max_width=28)
    table.add_column("profile", no_wrap=True)
    table.add_column("due date", no_wrap=True)
    table.add_column("days", justify="right", no_wrap=True)
    table.add_column("balance", justify="right", no_wrap=True)
    table.add_column("note", overflow="fold")
    for item in longest:
        table.add_row(
            item.invoice.id,
            Text(item.customer_name),
            item.profile.value,
            item.invoice.due_date.isoformat(),
            str(item.invoice.days_overdue(as_of)),
            _amount(item.balance),
            item.note,
        )
    console.print(table)
    console.print()


def _print_plans(console: Console, ledger: Ledger, as_of: date) -> None:
    from rich.text import Text

    plans = sorted((p for p in ledger.plans if p.in_force(as_of)), key=lambda p: p.id)
    if not plans:
        console.print("No payment plans.")
        console.print()
        return
    states = Counter(ledger.plan_state(p.id, as_of).status.value for p in plans)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(states.items()))
    table = _table(f"Payment plans and promises to pay ({summary})")
    table.add_column("plan", no_wrap=True)
    table.add_column("customer", overflow="ellipsis", no_wrap=True, max_width=28)
    table.add_column("instalments", justify="right")
    table.add_column("total", justify="right", no_wrap=True)
    table.add_column("paid", justify="right", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("next due", no_wrap=True)
    for agreement in plans:
        state = ledger.plan_state(agreement.id, as_of)
        nxt = state.next_instalment
        table.add_row(
            agreement.id,
            Text(ledger.customer(agreement.customer_id).name),
            str(len(agreement.instalments)),
            _amount(agreement.total),
            _amount(state.paid),
            state.status.value,
            "-" if nxt is None else nxt.due_date.isoformat(),
        )
    console.print(table)
    console.print()


def _print_trials(console: Console, ledger: Ledger, as_of: date) -> None:
    from rich.text import Text

    ending = sorted(
        (t for t in ledger.trials if 0 <= (t.ends - as_of).days <= _TRIAL_WINDOW_DAYS),
        key=lambda t: (t.ends, t.id),
    )
    if not ending:
        console.print(f"No trials or free allowances end within {_TRIAL_WINDOW_DAYS} days.")
        return
    table = _table(f"Trials and free allowances ending within {_TRIAL_WINDOW_DAYS} days")
    for name in ("trial", "customer", "kind", "ends", "days left", "description"):
        table.add_column(name, justify="right" if name == "days left" else "left", no_wrap=True)
    for trial in ending:
        table.add_row(
            trial.id,
            Text(ledger.customer(trial.customer_id).name),
            trial.kind.value,
            trial.ends.isoformat(),
            str((trial.ends - as_of).days),
            Text(trial.description),
        )
    console.print(table)
    console.print()


# ---------------------------------------------------------------------------
# working on real files: plan, simulate, explain, lint, ledger check
# ---------------------------------------------------------------------------


@attrs.frozen
class _Options:
    """Options every working command shares (set on the group)."""

    debug: bool = False
    verbose: bool = False


def _options() -> _Options:
    ctx = click.get_current_context()
    found = ctx.find_object(_Options)
    return found if found is not None else _Options()


class _Failure(click.ClickException):
    """A problem with the input: one line on stderr, exit status 1."""

    exit_code = 1

    def format_message(self) -> str:
        return self.message


def _fail(error: Exception, note: str = "") -> _Failure:
    if _options().debug:
        raise error
    return _Failure(f"{error}{note}")


class _Progress:
    """Says what takes time, on stderr: a spinner on a terminal, a line per
    step with ``--verbose``, nothing otherwise."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False)
        self.live = self.console.is_terminal
        self.verbose = _options().verbose

    def step(self, text: str) -> _Step:
        return _Step(self, text)


class _Step:
    def __init__(self, progress: _Progress, text: str) -> None:
        self.progress = progress
        self.text = text
        self.status: Any = None
        self.started = 0.0

    def __enter__(self) -> _Step:
        self.started = time.perf_counter()
        if self.progress.live:
            self.status = self.progress.console.status(self.text + " ...")
            self.status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.__exit__(None, None, None)
        if self.progress.verbose and exc[0] is None:
            seconds = time.perf_counter() - self.started
            self.progress.console.print(f"{self.text}: {seconds:.1f} s")


def _active_plugins() -> Plugins:
    """The built-in plugins, then those installed in the ``arpolicy`` entry-point
    group, less those named in ``ARPOLICY_DISABLE_PLUGINS``: what ``arpolicy
    plugins`` lists."""
    from .plugins import Plugins, make_plugin_manager

    try:
        return Plugins(make_plugin_manager())
    except ArpolicyError as error:
        raise _fail(error) from error


def _load_inputs(
    ledger_path: str, policy_path: str | None, history_path: str | None
) -> tuple[Ledger, Playbook, list[HistoryEntry]]:
    from .io import load_ledger, load_playbook
    from .io.output import load_history
    from .playbooks import default_playbook

    progress = _Progress()
    try:
        with progress.step(f"loading {ledger_path}"):
            ledger = load_ledger(ledger_path, **_csv_options())
        book = (
            load_playbook(policy_path, plugins=_active_plugins())
            if policy_path
            else default_playbook()
        )
        history = load_history(history_path) if history_path else []
    except ArpolicyError as error:
        raise _fail(error) from error
    return ledger, book, history


def _history_for_plan(path: str) -> tuple[Any, list[HistoryEntry]]:
    """A history file for ``plan``: a table file (CSV, Parquet, NDJSON) as
    one checked table, which the engine reads as it is; JSON as entries."""
    from .io.history_tables import TABLE_SUFFIXES, read_history_rows
    from .io.output import load_history

    if Path(path).suffix.lower() in TABLE_SUFFIXES:
        with _Progress().step(f"loading {path}"):
            return read_history_rows(path), []
    return None, load_history(path)


def _check_stdout() -> None:
    """Fail at once when standard output was closed when the process started."""
    from .io._files import STDOUT

    if sys.stdout is None or sys.stdout.closed:
        raise _fail(OutputError(STDOUT, "it is closed", errno="EBADF"))


def _write(text: Chunks, output: str | None) -> None:
    """Write ``text`` as :func:`_write_out` does; a failure exits with status 1."""
    try:
        _write_out(text, output)
    except OutputError as error:
        raise _fail(error) from error


def _write_out(text: Chunks, output: str | None) -> None:
    """Write ``text`` completely to standard output or atomically to ``output``.

    ``text`` may come in pieces (see :data:`arpolicy.io._files.Chunks`): a
    large plan is written as it is formatted, never held as one string.

    Raises:
        OutputError: the text could not be written completely; what standard
            output did not take is dropped, so that the interpreter does not
            try to write it again on exit.
    """
    from .io._files import discard_stream, write_stream, write_text_atomic

    if output is not None:
        write_text_atomic(Path(output), text)
        return
    try:
        write_stream(sys.stdout, text)
    except OutputError:
        discard_stream(sys.stdout)
        raise


def _check_binary(fmt: str, output: str | None) -> None:
    """Refuse to send Parquet to a terminal."""
    if fmt == "parquet" and output is None and sys.stdout is not None and sys.stdout.isatty():
        raise click.UsageError("--format parquet is binary: give --output FILE or redirect it")


def _render(
    result_actions: Sequence[Action],
    result: Plan,
    ledger: Ledger,
    fmt: str,
    title: str,
    notes: Sequence[str] = (),
    *,
    own_dates: bool = False,
) -> Chunks:
    """The plan in ``fmt``; ``notes`` end the table, or go to stderr with other formats.

    JSON, NDJSON and CSV come as pieces written one after another; CSV and
    Parquet are written from the actions table (:mod:`arpolicy.plan_tables`).
    """
    from .io.output import action_record, dumps_parquet, iter_actions_csv, iter_json, iter_ndjson
    from .plan_tables import actions_frame

    if fmt != "table":
        for note in notes:
            click.echo(note, err=True)
    if fmt == "json":
        return iter_json(action_record(a) for a in result_actions)
    if fmt == "ndjson":
        return iter_ndjson(action_record(a) for a in result_actions)
    if fmt == "csv":
        return iter_actions_csv(actions_frame(result_actions))
    if fmt == "parquet":
        return dumps_parquet(actions_frame(result_actions))
    console = make_console()
    with console.capture() as capture:
        print_actions(console, ledger, result_actions, title=title, own_dates=own_dates)
        print_charges(console, ledger, result_actions)
        print_skipped(console, result)
        if notes:
            console.print()
            for note in notes:
                console.print(note)
    return _plain(capture.get())


def _plain(captured: str) -> str:
    lines = [line.rstrip() for line in captured.splitlines()]
    return "\n".join(lines).rstrip("\n") + "\n"


def _render_skipped(result: Plan, fmt: str) -> Chunks:
    """Every skipped entry of ``result`` in ``fmt`` (for ``--skipped``)."""
    from .io.output import (
        dumps_parquet,
        iter_json,
        iter_ndjson,
        iter_skipped_csv,
        skipped_record,
    )
    from .plan_tables import skipped_frame

    if fmt == "json":
        return iter_json(skipped_record(s) for s in result.skipped)
    if fmt == "ndjson":
        return iter_ndjson(skipped_record(s) for s in result.skipped)
    if fmt == "csv":
        return iter_skipped_csv(skipped_frame(result.skipped))
    if fmt == "parquet":
        return dumps_parquet(skipped_frame(result.skipped))
    console = make_console()
    with console.capture() as capture:
        print_skipped_in_full(console, result)
    return _plain(capture.get())


def _common_options(function: Any) -> Any:
    output = click.option(
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write to this file (atomically) instead of standard output.",
    )
    for option in (output, _skipped_option, _format_option, _history_option, _policy_option):
        function = option(function)
    return function


_CSV_OPTIONS = "arpolicy.csv_options"


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> object:
    ctx.meta.setdefault(_CSV_OPTIONS, {})[param.name] = value
    return value


def _ledger_argument(function: Any) -> Any:
    """The LEDGER argument and the options saying how its CSV files are written."""
    options = (
        click.option(
            "--date-format",
            type=click.Choice(["YYYY-MM-DD", "DD-MM-YYYY", "DD/MM/YYYY"]),
            default=None,
            expose_value=False,
            callback=_remember,
            help="How the CSV files write dates (default YYYY-MM-DD).",
        ),
        click.option(
            "--decimal-comma",
            is_flag=True,
            default=False,
            expose_value=False,
            callback=_remember,
            help="The CSV files write amounts as 1.234,56.",
        ),
        click.option(
            "--delimiter",
            default=None,
            metavar="CHAR",
            expose_value=False,
            callback=_remember,
            help="The CSV field separator (default: ';' when a header has "
            "semicolons and no commas, else ',').",
        ),
        click.argument("ledger_path", metavar="LEDGER", type=click.Path(exists=True)),
    )
    for option in options:
        function = option(function)
    return function


def _csv_options() -> dict[str, Any]:
    ctx = click.get_current_context(silent=True)
    found: dict[str, Any] = {} if ctx is None else ctx.meta.get(_CSV_OPTIONS, {})
    delimiter = found.get("delimiter")
    if delimiter == "\\t":
        delimiter = "\t"
    return {
        "delimiter": delimiter,
        "decimal_comma": bool(found.get("decimal_comma")),
        "date_format": found.get("date_format"),
    }


def _templates_option(function: Any) -> Any:
    return click.option(
        "--templates",
        "templates_path",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        help="A directory of message templates that replace built-in ones by name.",
    )(function)


def _locale_option(function: Any) -> Any:
    return click.option(
        "--locale",
        default=None,
        metavar="LOCALE",
        help="Write messages in this language (default: each customer's language).",
    )(function)


def _message_options(function: Any) -> Any:
    """--render, --templates, --locale and --company for plan and simulate."""
    render_dir = click.option(
        "--render",
        "render_dir",
        type=click.Path(file_okay=False, writable=True),
        default=None,
        metavar="DIR",
        help="Also write every action's message into DIR, one file per action "
        "(needs the 'messages' extra).",
    )
    company = _company_option
    for option in (company, _locale_option, _templates_option, render_dir):
        function = option(function)
    return function


_company_option = click.option(
    "--company",
    "company_path",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="A TOML file with the creditor's details (name, address, iban, bic, email, "
    "phone, website, vat).",
)


def _renderer(templates_path: str | None) -> Renderer:
    """One renderer with the installed plugins' templates and the user's."""
    from .messages import Renderer

    try:
        return Renderer(templates=templates_path, plugins=_active_plugins())
    except ArpolicyError as error:
        raise _fail(error) from error


def _company(company_path: str | None) -> Company | None:
    from .io.message_files import load_company

    if company_path is None:
        return None
    try:
        return load_company(company_path)
    except ArpolicyError as error:
        raise _fail(error) from error


def _render_messages(
    actions: Sequence[Action],
    ledger: Ledger,
    render_dir: str,
    templates_path: str | None,
    locale: str | None,
    company_path: str | None,
    history: Sequence[HistoryEntry | Action] = (),
) -> None:
    """Render every action, then write the files: a template error writes none.

    ``history`` (with the actions themselves: each sees those before its
    date) gives the notices already sent that a hand-over lists.
    """
    from .io.message_files import message_files, write_message_files
    from .messages._render import history_by_customer

    renderer = _renderer(templates_path)
    company = _company(company_path)
    try:
        # Each message reads only its customer's entries: index them once;
        # and the customers' records are built in one go, not one by one.
        past = history_by_customer([*history, *actions])
        ledger._prefetch(sorted({a.customer_id for a in actions}))
        with _Progress().step(f"rendering {len(actions)} messages"):
            pairs: list[tuple[Action, Message]] = [
                (
                    a,
                    renderer.render(
                        a,
                        ledger,
                        locale=locale,
                        company=company,
                        history=past.get(a.customer_id, ()),
                    ),
                )
                for a in actions
            ]
    except ArpolicyError as error:
        raise _fail(error) from error
    write_message_files(render_dir, message_files(pairs))


@main.command(name="plan")
@_ledger_argument
@_customer_as_of_option
@_common_options
@_message_options
def plan_command(
    ledger_path: str,
    as_of: datetime | None,
    policy_path: str | None,
    history_path: str | None,
    fmt: str,
    skipped_path: str | None,
    output: str | None,
    render_dir: str | None,
    templates_path: str | None,
    locale: str | None,
    company_path: str | None,
) -> None:
    """Plan the actions due on a date for a ledger directory or JSON file.

    Without --as-of each customer is planned on its own today, in its time
    zone, and its actions carry that date.
    """
    from .engine import plan

    _check_binary(fmt, output)
    ledger, book, history = _load_inputs(ledger_path, policy_path, None)
    table = None
    try:
        if history_path is not None:
            table, history = _history_for_plan(history_path)
        with _Progress().step("planning"):
            result = plan(
                ledger,
                **_when(as_of),
                playbook=book,
                history=table if table is not None else history,
                plugins=_active_plugins(),
            )
        if render_dir is not None and table is not None:
            from .io.history_tables import entries_of_frame

            history = entries_of_frame(table.frame)
    except ArpolicyError as error:
        raise _fail(error) from error
    if render_dir is not None:
        _render_messages(
            result.actions, ledger, render_dir, templates_path, locale, company_path, history
        )
    title = f"Actions on {result.as_of.isoformat()}"
    later = not_counted_yet(ledger, result.as_of)
    text = _render(result.actions, result, ledger, fmt, title, later, own_dates=as_of is None)
    _write(text, output)
    if skipped_path is not None:
        _write(_render_skipped(result, fmt), skipped_path)


@main.command(name="simulate")
@_ledger_argument
@click.option(
    "--from", "start", type=_DATE, required=True, metavar="YYYY-MM-DD", help="The first day."
)
@click.option("--to", "end", type=_DATE, required=True, metavar="YYYY-MM-DD", help="The last day.")
@_common_options
@_message_options
def simulate_command(
    ledger_path: str,
    start: datetime,
    end: datetime,
    policy_path: str | None,
    history_path: str | None,
    fmt: str,
    skipped_path: str | None,
    output: str | None,
    render_dir: str | None,
    templates_path: str | None,
    locale: str | None,
    company_path: str | None,
) -> None:
    """All actions over a period, each carried out on its date.

    --skipped lists what got no action on the last day.
    """
    from .engine import simulate

    _check_binary(fmt, output)
    if end < start:
        raise click.BadParameter("is before --from", param_hint="--to")
    ledger, book, history = _load_inputs(ledger_path, policy_path, history_path)
    try:
        with _Progress().step("simulating"):
            result = simulate(
                ledger,
                start=start.date(),
                end=end.date(),
                playbook=book,
                history=history,
                plugins=_active_plugins(),
            )
    except ArpolicyError as error:
        raise _fail(error) from error
    if render_dir is not None:
        _render_messages(
            result.actions, ledger, render_dir, templates_path, locale, company_path, history
        )
    title = f"Actions from {start.date().isoformat()} to {end.date().isoformat()}"
    later = not_counted_yet(ledger, end.date())
    _write(_render(result.actions, result, ledger, fmt, title, later), output)
    if skipped_path is not None:
        _write(_render_skipped(result, fmt), skipped_path)


@main.command(name="explain")
@_ledger_argument
@click.option("--invoice", "invoice_id", required=True, help="The invoice id.")
@_customer_as_of_option
@_policy_option
@_history_option
def explain_command(
    ledger_path: str,
    invoice_id: str,
    as_of: datetime | None,
    policy_path: str | None,
    history_path: str | None,
) -> None:
    """Why an invoice gets (or does not get) an action: its state, its policy,
    each step with its date, and today's decision."""
    from .engine import plan

    ledger, book, history = _load_inputs(ledger_path, policy_path, history_path)
    try:
        invoice = ledger.invoice(invoice_id)
    except KeyError:
        raise _fail(ArpolicyError(f"{ledger_path}: no invoice {invoice_id!r}")) from None
    customer = ledger.customer(invoice.customer_id)
    # The customer's own today, as `plan` without --as-of plans it.
    day = as_of.date() if as_of is not None else customer.local_date(_local_now())
    result = plan(ledger, as_of=day, playbook=book, history=history, plugins=_active_plugins())
    balance = ledger.balance(invoice_id, day)
    console = make_console()
    with console.capture() as capture:
        console.print(
            f"Invoice {invoice.id} of {customer.name} ({customer.id}, {customer.profile.value}, "
            f"{customer.country}) on {day.isoformat()}"
        )
        console.print(
            f"issued {invoice.issue_date.isoformat()}, due {invoice.due_date.isoformat()}, "
            f"amount {_amount(invoice.amount)}, open {_amount(balance)}"
        )
        discount = ledger.position(customer.id, day).discounts.get(invoice_id)
        if discount is not None:
            console.print(f"early-payment discount granted: {_amount(discount)}")
        if invoice.dispute is not None:
            console.print(_dispute_state(invoice.dispute, day))
        if invoice.on_hold_until is not None:
            held = "on hold until" if invoice.on_hold(day) else "was on hold until"
            console.print(f"{held} {invoice.on_hold_until.isoformat()}")
        policy = book.policy_for(customer, invoice)
        console.print(f"policy: {policy.name if policy is not None else 'none'}")
        if policy is not None:
            _print_steps(console, policy, invoice, history, day)
        console.print()
        mine = [a for a in result.actions if invoice_id in a.invoice_ids]
        for action in mine:
            console.print(f"today: {action.step} by {action.channel}")
            for reason in action.reasons:
                console.print(f"  - {reason.text}")
        for skip in result.skipped:
            if skip.invoice_id == invoice_id:
                step = f" (step {skip.step})" if skip.step else ""
                console.print(f"today: no action{step}: {skip.reason.value}: {skip.detail}")
        if not mine and not any(s.invoice_id == invoice_id for s in result.skipped):
            console.print("today: nothing; the invoice is not open")
    click.echo("\n".join(line.rstrip() for line in capture.get().splitlines()))


def _dispute_state(dispute: Dispute, day: date) -> str:
    """The dispute as it stands on ``day``: not yet opened, open, or resolved."""
    reason = f": {dispute.reason}" if dispute.reason else ""
    opened = dispute.opened_on.isoformat()
    resolved = dispute.resolved_on
    if dispute.opened_on > day:
        return f"dispute opened on {opened}, after this date{reason}"
    if resolved is not None and resolved <= day:
        return f"dispute resolved on {resolved.isoformat()} (opened {opened}){reason}"
    if resolved is not None:
        return f"disputed since {opened}, resolved on {resolved.isoformat()}{reason}"
    return f"disputed since {opened}{reason}"


_PREVIEW_SLACK_DAYS = 60


@main.command(name="preview")
@_ledger_argument
@click.option("--invoice", "invoice_id", required=True, help="The invoice id.")
@click.option("--step", "step_name", required=True, help="The step of the invoice's policy.")
@click.option(
    "--as-of",
    "as_of",
    type=_DATE,
    default=None,
    metavar="YYYY-MM-DD",
    help="Start from this date, as 'plan --as-of' does (default: the invoice's issue date).",
)
@_locale_option
@click.option("--channel", default=None, help="The channel (default: the step's first one).")
@_templates_option
@_policy_option
@_company_option
@click.option(
    "--part",
    type=click.Choice(["text", "html", "subject"]),
    default=None,
    help="Print only this part (default: the subject, a blank line and the text).",
)
def preview_command(
    ledger_path: str,
    invoice_id: str,
    step_name: str,
    as_of: datetime | None,
    locale: str | None,
    channel: str | None,
    templates_path: str | None,
    policy_path: str | None,
    company_path: str | None,
    part: str | None,
) -> None:
    """Show the message one step of an invoice's policy sends.

    The action is the one the engine plans, with its amounts, charges and
    deadline: the ledger is simulated from the invoice's issue date (or from
    --as-of, which then plans that day as 'plan --as-of' does, catching up)
    as if arpolicy ran every day, with the payments the ledger records, and
    the step's first action for the invoice is rendered. An invoice paid
    before the step never gets it.
    """
    from .engine import simulate

    ledger, book, _ = _load_inputs(ledger_path, policy_path, None)
    try:
        invoice = ledger.invoice(invoice_id)
    except KeyError:
        raise _fail(ArpolicyError(f"{ledger_path}: no invoice {invoice_id!r}")) from None
    customer = ledger.customer(invoice.customer_id)
    policy = book.policy_for(customer, invoice)
    if policy is None:
        raise _fail(ArpolicyError(f"invoice {invoice_id!r}: no policy applies to it"))
    names = [step.name for step in policy.steps]
    valid = f"the steps of policy {policy.name!r} are: {', '.join(names)}"
    if step_name not in names:
        raise _fail(ArpolicyError(f"invoice {invoice_id!r}: no step {step_name!r}; {valid}"))
    step = policy.steps[names.index(step_name)]
    wanted = channel or step.channels[0]
    renderer = _renderer(templates_path)
    company = _company(company_path)
    start = as_of.date() if as_of is not None else invoice.issue_date
    reach = sum(abs(s.offset_days) for s in policy.steps) + _PREVIEW_SLACK_DAYS
    end = max(start, invoice.due_date) + timedelta(days=reach)
    try:
        with _Progress().step("simulating"):
            result = simulate(
                ledger, start=start, end=end, playbook=book, plugins=_active_plugins()
            )
    except ArpolicyError as error:
        raise _fail(error) from error
    found = [a for a in result.actions if a.step == step_name and invoice_id in a.invoice_ids]
    if not found:
        raise _fail(
            ArpolicyError(
                f"invoice {invoice_id!r} gets no {step_name!r} action from {start} to {end} "
                f"(paid, on hold, disputed or below the minimum before it); {valid}"
            )
        )
    same = [a for a in found if a.date == found[0].date]
    action = next((a for a in same if a.channel == wanted), None)
    if action is None:
        action = attrs.evolve(same[0], channel=wanted)
    try:
        message = renderer.render(
            action, ledger, locale=locale, company=company, history=result.actions
        )
    except ArpolicyError as error:
        raise _fail(error) from error
    if part == "html":
        if message.html is None:
            raise _fail(ArpolicyError(f"channel {action.channel!r} has no HTML part"))
        text = message.html
    elif part == "subject":
        text = message.subject + "\n"
    elif part == "text" or not message.subject:
        text = message.text
    else:
        text = f"{message.subject}\n\n{message.text}"
    click.echo(text, nl=False)


def _print_steps(
    console: Console, policy: Policy, invoice: Invoice, history: Sequence[HistoryEntry], day: date
) -> None:
    from .policy import Anchor

    done: dict[str, date] = {}
    for entry in history:
        if invoice.id in entry.invoice_ids and entry.date <= day:
            done.setdefault(entry.step, entry.date)
    table = _table(f"Steps of policy {policy.name}")
    for name in ("step", "anchor", "offset", "nominal date", "done"):
        table.add_column(name, no_wrap=True)
    for step in policy.steps:
        if step.anchor is Anchor.DUE:
            nominal = (invoice.due_date + timedelta(days=step.offset_days)).isoformat()
        elif step.anchor is Anchor.ISSUE:
            nominal = (invoice.issue_date + timedelta(days=step.offset_days)).isoformat()
        else:
            nominal = "after receipt of the previous step"
        sent = done.get(step.name)
        table.add_row(
            step.name,
            step.anchor.value,
            str(step.offset_days),
            nominal,
            sent.isoformat() if sent else "-",
        )
    console.print(table)


@main.command(name="lint")
@click.argument("policy_path", metavar="POLICY", type=click.Path(exists=True, dir_okay=False))
@_templates_option
@click.option(
    "--locale",
    "locales",
    multiple=True,
    metavar="LOCALE",
    help="Check the templates of this locale (repeatable; default: every locale offered).",
)
def lint_command(policy_path: str, templates_path: str | None, locales: tuple[str, ...]) -> None:
    """Check a policy file and its message templates; exit status 1 when there is an error.

    The templates (built-in, the installed plugins' and --templates) are
    checked for every step and locale when the 'messages' extra is installed:
    missing, failing to render the sample portfolio, unsafe, or lacking a
    legal element. With --templates or --locale the extra is required.
    """
    from .lint import format_findings, lint_file
    from .messages import Renderer

    plugins = _active_plugins()
    check = True
    if not templates_path and not locales:
        try:
            Renderer(plugins=plugins)
        except MissingExtraError:
            check = False  # without the extra, only the policy is checked
        except ArpolicyError as error:
            raise _fail(error) from error
    try:
        findings = lint_file(
            policy_path,
            check_templates=check,
            templates=templates_path,
            plugins=plugins,
            locales=locales or None,
        )
    except ArpolicyError as error:
        raise _fail(error) from error
    if findings:
        click.echo(format_findings(findings))
    else:
        click.echo(f"{policy_path}: no findings")
    if any(f.severity == "error" for f in findings):
        raise SystemExit(1)


@main.group(name="ledger")
def ledger_group() -> None:
    """Work with ledger files."""


@ledger_group.command(name="check")
@_ledger_argument
@_as_of_option
def ledger_check(ledger_path: str, as_of: datetime | None) -> None:
    """Validate a ledger and summarize it; exit status 1 when it is invalid."""
    ledger, _, _ = _load_inputs(ledger_path, None, None)
    day = as_of.date() if as_of is not None else _today()
    console = make_console()
    with console.capture() as capture:
        print_summary(console, ledger, day, title=f"{ledger_path}: valid, as of {day.isoformat()}")
    click.echo("\n".join(line.rstrip() for line in capture.get().splitlines()).rstrip("\n"))


# ---------------------------------------------------------------------------
# arpolicy report
# ---------------------------------------------------------------------------


def _buckets(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, ...]:
    from .reports._common import _check_buckets

    try:
        bounds = tuple(int(part) for part in value.split(","))
        return _check_buckets(bounds)
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: expected increasing whole numbers of days, e.g. 0,30,60,90",
            ctx=ctx,
            param=param,
        ) from None


@main.command(name="report")
@_ledger_argument
@_as_of_option
@click.option(
    "--from",
    "start",
    type=_DATE,
    default=None,
    metavar="YYYY-MM-DD",
    help="First day of the period (default: the first of the month 11 months before --to).",
)
@click.option(
    "--to",
    "end",
    type=_DATE,
    default=None,
    metavar="YYYY-MM-DD",
    help="Last day of the period (default: --as-of).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "html"]),
    default="table",
    show_default=True,
    help="Output format; html needs the 'html' extra (matplotlib).",
)
@click.option(
    "--buckets",
    default="0,30,60,90",
    show_default=True,
    callback=_buckets,
    help="Aging bucket bounds in days past due.",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Top overdue customers per currency.",
)
@click.option(
    "--credit",
    is_flag=True,
    help="Add a credit review: exposure against limits, scores, holds and deposits advised.",
)
@click.option(
    "--fx-rates",
    "fx_path",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    metavar="FILE",
    help="Exchange rates (.toml or .csv) to count exposure in other currencies against "
    "credit limits; implies --credit.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file (atomically) instead of standard output.",
)
def report_command(
    ledger_path: str,
    as_of: datetime | None,
    start: datetime | None,
    end: datetime | None,
    fmt: str,
    buckets: tuple[int, ...],
    top: int,
    credit: bool,
    fx_path: str | None,
    output: str | None,
) -> None:
    """Receivables report: aging, DSO, days to pay, CEI, shares, trends, top overdue."""
    from .credit import credit_review
    from .io import load_fx_rates
    from .io.report_output import dumps_report
    from .reports import receivables_report
    from .reports.html import render_html

    ledger, _, _ = _load_inputs(ledger_path, None, None)
    fx_rates: FxRates | None = None
    if fx_path is not None:
        try:
            fx_rates = load_fx_rates(fx_path)
        except ArpolicyError as error:
            raise _fail(error) from error
    day = as_of.date() if as_of is not None else _today()
    last = end.date() if end is not None else day
    first = start.date() if start is not None else None
    if first is not None and last < first:
        raise click.BadParameter(f"{last} is before --from {first}", param_hint="'--to'")
    try:
        with _Progress().step("reporting"):
            report = receivables_report(
                ledger, day, start=first, end=last, buckets=buckets, top=top
            )
        review: tuple[CreditRecommendation, ...] = ()
        if credit or fx_rates is not None:
            with _Progress().step("credit review"):
                review = credit_review(ledger, day, plugins=_active_plugins(), fx_rates=fx_rates)
        if fmt == "html":
            name = Path(ledger_path).name
            text = render_html(report, title=f"Receivables report: {name}", credit=review)
        else:
            text = dumps_report(report, cast("ReportFormat", fmt), credit=review)
    except ArpolicyError as error:
        raise _fail(error) from error
    _write(text, output)


# ---------------------------------------------------------------------------
# arpolicy run and arpolicy journal: exactly once, every day
# ---------------------------------------------------------------------------


def _journal_option(function: Any) -> Any:
    return click.option(
        "--journal",
        "journal_path",
        type=click.Path(dir_okay=False),
        required=True,
        help="The journal file (SQLite); created when missing.",
    )(function)


def _now() -> datetime:
    """The wall clock, for the journal's records (the command line's edge)."""
    return datetime.now(tz=UTC)


@main.command(name="run")
@_ledger_argument
@_journal_option
@_customer_as_of_option
@_policy_option
@click.option("--dry-run", is_flag=True, help="Show what would be issued; record nothing.")
@_format_option
@_skipped_option
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file (atomically, fsync-ed) instead of standard output.",
)
def run_command(
    ledger_path: str,
    journal_path: str,
    as_of: datetime | None,
    policy_path: str | None,
    dry_run: bool,
    fmt: str,
    skipped_path: str | None,
    output: str | None,
) -> None:
    """Plan with the journal as history and record the new actions in it.

    The new actions are written out first, completely (standard output
    flushed, and fsync-ed when it is a file; --output written atomically and
    fsync-ed), and only then recorded as issued, in one transaction: carry
    out exactly what was written. When the output cannot be written (a full
    disk, a closed or broken pipe) the exit status is 1 and nothing is
    recorded, so running again writes the same actions. Running again for
    the same date issues nothing new; the next day continues the ladder from
    the journal. Without --as-of each customer is planned on its own today,
    in its time zone. --skipped is written before the actions: when it
    cannot be written, nothing is recorded either.
    """
    from .engine import plan
    from .journal import Journal

    _check_binary(fmt, output)
    if output is None:
        _check_stdout()
    ledger, book, _ = _load_inputs(ledger_path, policy_path, None)
    written = False
    try:
        with Journal.open(journal_path) as journal:
            with _Progress().step("planning"):
                result = plan(
                    ledger,
                    **_when(as_of),
                    playbook=book,
                    history=journal.history(),
                    plugins=_active_plugins(),
                )
            day = result.as_of
            if skipped_path is not None:
                _write_out(_render_skipped(result, fmt), skipped_path)
            if dry_run:
                pending = journal.unrecorded(result.actions)
                title = f"Would issue on {day.isoformat()}"
                text = _render(pending, result, ledger, fmt, title, own_dates=as_of is None)
                _write_out(text, output)
                return
            # Recorded only when the block ends normally: after the output
            # is written completely. A failed write rolls the run back.
            with journal.recording(result.actions, as_of=day, run_at=_now()) as run:
                title = f"Issued on {day.isoformat()}"
                text = _render(run.issued, result, ledger, fmt, title, own_dates=as_of is None)
                _write_out(text, output)
                written = True
    except OutputError as error:
        note = "" if dry_run else f"; nothing was recorded in {journal_path}, run again"
        raise _fail(error, note) from error
    except ArpolicyError as error:
        # After a complete write only the commit can fail: the actions written
        # were not recorded, and running again issues them again (same keys).
        note = "; the actions written were NOT recorded, run again" if written else ""
        raise _fail(error, note) from error


@main.group(name="journal")
def journal_group() -> None:
    """Look at the journal and record what became of actions."""


@journal_group.command(name="list")
@_journal_option
@click.option(
    "--status",
    type=click.Choice(_JOURNAL_STATUSES),
    default=None,
    help="Only actions in this state.",
)
@click.option("--customer", "customer_id", default=None, help="Only this customer's actions.")
def journal_list(journal_path: str, status: str | None, customer_id: str | None) -> None:
    """The recorded actions, by date, customer and key."""
    with _open_journal(journal_path) as journal:
        entries = journal.entries(status=status, customer_id=customer_id)
    console = make_console()
    with console.capture() as capture:
        table = _table(f"{journal_path}: {len(entries)} actions")
        for name in ("date", "customer", "step", "channel", "status", "key"):
            table.add_column(name, no_wrap=True)
        for entry in entries:
            table.add_row(
                entry.date.isoformat(),
                entry.customer_id,
                entry.step,
                entry.channel,
                entry.status.value,
                entry.key,
            )
        console.print(table)
    click.echo("\n".join(line.rstrip() for line in capture.get().splitlines()).rstrip("\n"))


@journal_group.command(name="show")
@_journal_option
@click.argument("key")
def journal_show(journal_path: str, key: str) -> None:
    """One recorded action, as JSON."""
    with _open_journal(journal_path) as journal:
        entry = _entry_or_fail(journal, key)
    click.echo(json.dumps(entry.to_dict(), sort_keys=True, indent=2, ensure_ascii=False))


@journal_group.command(name="mark")
@_journal_option
@click.argument("key")
@click.option(
    "--received",
    type=_DATE,
    default=None,
    metavar="YYYY-MM-DD",
    help="The day the customer received it (anchors the next step).",
)
@click.option(
    "--failed",
    "reason",
    default=None,
    metavar="REASON",
    help="Carrying it out failed; the engine plans it again.",
)
def journal_mark(
    journal_path: str, key: str, received: datetime | None, reason: str | None
) -> None:
    """Record that an action was received, or that it failed."""
    if (received is None) == (reason is None):
        raise click.UsageError("give exactly one of --received and --failed")
    with _open_journal(journal_path) as journal:
        try:
            if received is not None:
                entry = journal.mark_received(key, received.date())
            else:
                entry = journal.mark_failed(key, reason or "")
        except ArpolicyError as error:
            raise _fail(error) from error
    click.echo(f"{entry.key}: {entry.status.value}")


@journal_group.command(name="export")
@_journal_option
def journal_export(journal_path: str) -> None:
    """Every recorded action as JSON (sorted; money as decimal strings)."""
    with _open_journal(journal_path) as journal:
        records = journal.export()
    click.echo(json.dumps(records, sort_keys=True, indent=2, ensure_ascii=False))


def _open_journal(path: str) -> Journal:
    from .journal import Journal

    if not Path(path).is_file():
        raise _Failure(f"{path}: no such journal")
    try:
        return Journal.open(path)
    except ArpolicyError as error:
        raise _fail(error) from error


def _entry_or_fail(journal: Journal, key: str) -> JournalEntry:
    try:
        return journal.get(key)
    except ArpolicyError as error:
        raise _fail(error) from error
