"""A receivables report as JSON, CSV or a text table.

Every format is deterministic: the same report gives byte-identical text.
Money is ``{"amount": "12.50", "currency": "EUR"}`` in JSON (the amount as a
decimal string, never a float); figures such as DSO are decimal strings or
``null``; dates are ISO 8601; object keys are sorted.

The CSV is *long*: one figure per row, with the columns :data:`REPORT_COLUMNS`
(``section, key, currency, metric, value``), ready for a pivot table. An
undefined figure (a DSO without sales, say) has an empty value.

>>> from datetime import date
>>> from arpolicy.reports import receivables_report
>>> from arpolicy.sample import sample_ledger
>>> report = receivables_report(sample_ledger(), date(2026, 11, 2))
>>> dumps_report(report, "csv").splitlines()[0]
'section,key,currency,metric,value'
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final, Literal

import attrs
from rich.console import Console
from rich.table import Table

from ..credit import CreditExposure, CreditRecommendation
from ..money import Money
from ..reports import ReceivablesReport

__all__ = ["REPORT_COLUMNS", "ReportFormat", "dumps_report", "report_record", "report_rows"]

ReportFormat = Literal["json", "csv", "table"]
"""The text formats of :func:`dumps_report` (HTML: :mod:`arpolicy.reports.html`)."""

REPORT_COLUMNS: Final = ("section", "key", "currency", "metric", "value")
"""Columns of the CSV format."""

_WIDTH: Final = 100


def _plain(_instance: Any, _attribute: Any, value: Any) -> Any:
    if isinstance(value, Money):
        return {"amount": format(value.amount, "f"), "currency": value.currency}
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def report_record(
    report: ReceivablesReport, credit: Sequence[CreditRecommendation] = ()
) -> dict[str, Any]:
    """The report as a JSON-ready dict (the structure :func:`dumps_report` writes).

    Field names are those of :class:`~arpolicy.reports.ReceivablesReport`
    and its parts; ``aging.totals`` maps each currency to its bucket amounts.
    With ``credit``, key ``credit`` lists the reviewable recommendations
    (:attr:`~arpolicy.credit.CreditRecommendation.reviewable`) with the fields
    of :class:`~arpolicy.credit.CreditRecommendation`.
    """
    record: dict[str, Any] = attrs.asdict(report, value_serializer=_plain)
    record["currencies"] = list(report.currencies())
    if credit:
        record["credit"] = [
            attrs.asdict(rec, value_serializer=_plain) for rec in credit if rec.reviewable
        ]
    return record


def _value(value: Money | Decimal | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return format(value.amount, "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def report_rows(
    report: ReceivablesReport, credit: Sequence[CreditRecommendation] = ()
) -> Iterator[tuple[str, str, str, str, str]]:
    """The report as long rows ``(section, key, currency, metric, value)``.

    Sections, in order: ``period``, ``aging`` (key ``total`` or a customer
    id; metric a bucket label or ``total``), ``dso`` (key the method),
    ``dbt`` (days beyond terms: past-due receivables, best possible DSO
    and the DBT), ``days_to_pay`` (key ``all`` or a profile; with the
    invoices ``paid_late`` and the ``on_time_rate``), ``cei``, ``disputed``,
    ``written_off``, ``trend`` (key the month), ``seasonality`` (key the
    calendar month, 1-12), ``top_overdue`` (key the customer id),
    ``discounts`` (early-payment discounts granted in the period) and, with
    ``credit``, ``credit`` (key the customer id; one set of rows per currency
    of exposure, each with the decision, deposit share and score; on the
    credit limit's row also ``converted`` when exchange rates were given and
    ``uncovered``, the exposures in other currencies the limit does not
    cover, as ``amount currency`` pairs).

    Yields:
        One row per figure, as strings.
    """
    yield ("period", "as_of", "", "date", report.as_of.isoformat())
    yield ("period", "start", "", "date", report.start.isoformat())
    yield ("period", "end", "", "date", report.end.isoformat())
    labels = report.aging.labels
    for cur, amounts in report.aging.totals.items():
        for label, amount in zip(labels, amounts, strict=True):
            yield ("aging", "total", cur, label, _value(amount))
        yield ("aging", "total", cur, "total", _value(Money.total(amounts, cur)))
    for row in report.aging.rows:
        for label, amount in zip(labels, row.amounts, strict=True):
            yield ("aging", row.customer_id, row.currency, label, _value(amount))
        yield ("aging", row.customer_id, row.currency, "total", _value(row.total))
    for d in (*report.dso, *report.dso_countback):
        yield ("dso", d.method, d.currency, "receivables", _value(d.receivables))
        yield ("dso", d.method, d.currency, "sales", _value(d.sales))
        yield ("dso", d.method, d.currency, "days", _value(d.days))
        yield ("dso", d.method, d.currency, "value", _value(d.value))
    for b in report.dbt:
        for metric in ("past_due", "best_possible_dso", "value"):
            yield ("dbt", "standard", b.currency, metric, _value(getattr(b, metric)))
    for t in (*report.days_to_pay, *report.days_to_pay_by_profile):
        yield ("days_to_pay", t.key, t.currency, "count", _value(t.count))
        yield ("days_to_pay", t.key, t.currency, "amount", _value(t.amount))
        yield ("days_to_pay", t.key, t.currency, "days_to_pay", _value(t.days_to_pay))
        yield ("days_to_pay", t.key, t.currency, "days_late", _value(t.days_late))
        yield (
            "days_to_pay",
            t.key,
            t.currency,
            "weighted_days_to_pay",
            _value(t.weighted_days_to_pay),
        )
        yield ("days_to_pay", t.key, t.currency, "weighted_days_late", _value(t.weighted_days_late))
        yield ("days_to_pay", t.key, t.currency, "paid_late", _value(t.paid_late))
        yield ("days_to_pay", t.key, t.currency, "on_time_rate", _value(t.on_time_rate))
    for c in report.collection_effectiveness:
        for metric in ("opening", "sales", "closing", "closing_current", "value"):
            yield ("cei", "period", c.currency, metric, _value(getattr(c, metric)))
    for section, shares in (("disputed", report.disputed), ("written_off", report.written_off)):
        for s in shares:
            yield (section, "share", s.currency, "part", _value(s.part))
            yield (section, "share", s.currency, "whole", _value(s.whole))
            yield (section, "share", s.currency, "percent", _value(s.percent))
    for m in report.trends:
        key = m.month.isoformat()[:7]
        for metric in ("invoiced", "collected", "dso", "days_late"):
            yield ("trend", key, m.currency, metric, _value(getattr(m, metric)))
    for z in report.seasonality:
        for metric in ("years", "invoiced", "collected", "dso", "days_late"):
            yield ("seasonality", str(z.month), z.currency, metric, _value(getattr(z, metric)))
    for o in report.top_overdue:
        yield ("top_overdue", o.customer_id, o.currency, "overdue", _value(o.overdue))
        yield ("top_overdue", o.customer_id, o.currency, "open", _value(o.open))
        yield ("top_overdue", o.customer_id, o.currency, "invoices", _value(o.invoices))
        yield ("top_overdue", o.customer_id, o.currency, "oldest_days", _value(o.oldest_days))
    for g in report.discounts:
        for metric in ("count", "amount", "invoiced", "percent"):
            yield ("discounts", "granted", g.currency, metric, _value(getattr(g, metric)))
    for rec in credit:
        if not rec.reviewable:
            continue
        for e in rec.exposures or (None,):  # a customer owing nothing still has a decision
            key, cur = rec.customer_id, "" if e is None else e.currency
            yield ("credit", key, cur, "decision", str(rec.decision))
            yield ("credit", key, cur, "deposit_share", _value(rec.deposit_share))
            yield ("credit", key, cur, "score", _value(rec.score))
            yield ("credit", key, cur, "since", "" if rec.since is None else rec.since.isoformat())
            if e is not None:
                for metric in ("exposure", "overdue", "limit", "headroom", "utilisation"):
                    yield ("credit", key, cur, metric, _value(getattr(e, metric)))
                if e.converted is not None:
                    yield ("credit", key, cur, "converted", _value(e.converted))
                if e.uncovered:
                    uncovered = " ".join(_value(m) + " " + m.currency for m in e.uncovered)
                    yield ("credit", key, cur, "uncovered", uncovered)


def _csv(report: ReceivablesReport, credit: Sequence[CreditRecommendation]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    writer.writerows(report_rows(report, credit))
    return buffer.getvalue()


def _num(value: Decimal | None, suffix: str = "") -> str:
    return "-" if value is None else f"{value}{suffix}"


def _money(value: Money) -> str:
    return f"{value.amount:,}"


def _table(title: str, *columns: str, left: int = 1) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for n, name in enumerate(columns):
        table.add_column(name, justify="left" if n < left else "right")
    return table


def _tables(report: ReceivablesReport, credit: Sequence[CreditRecommendation]) -> Iterator[Table]:
    aging = _table(f"Aging on {report.as_of}", "currency", *report.aging.labels, "total")
    for cur, amounts in report.aging.totals.items():
        aging.add_row(cur, *map(_money, amounts), _money(Money.total(amounts, cur)))
    yield aging
    period = f"{report.start} to {report.end}"
    dso = _table(
        f"DSO {period}",
        "currency",
        "receivables",
        "sales",
        "days",
        "standard",
        "countback",
        "best possible",
        "DBT",
    )
    countback = {d.currency: d.value for d in report.dso_countback}
    beyond = {b.currency: b for b in report.dbt}
    for d in report.dso:
        b = beyond.get(d.currency)
        dso.add_row(
            d.currency,
            _money(d.receivables),
            _money(d.sales),
            str(d.days),
            _num(d.value),
            _num(countback.get(d.currency)),
            _num(b.best_possible_dso if b is not None else None),
            _num(b.value if b is not None else None),
        )
    yield dso
    pay = _table(
        f"Days to pay, invoices settled {period}",
        "group",
        "currency",
        "invoices",
        "to pay",
        "late",
        "to pay (wtd)",
        "late (wtd)",
        "paid late",
        "on time %",
        left=2,
    )
    for t in (*report.days_to_pay, *report.days_to_pay_by_profile):
        pay.add_row(
            t.key,
            t.currency,
            str(t.count),
            _num(t.days_to_pay),
            _num(t.days_late),
            _num(t.weighted_days_to_pay),
            _num(t.weighted_days_late),
            str(t.paid_late),
            _num(t.on_time_rate),
        )
    yield pay
    if report.discounts:
        granted = _table(
            f"Early-payment discounts granted {period}",
            "currency",
            "invoices",
            "invoiced",
            "discounts",
            "share of invoiced",
        )
        for g in report.discounts:
            granted.add_row(
                g.currency,
                str(g.count),
                _money(g.invoiced),
                _money(g.amount),
                _num(g.percent, " %"),
            )
        yield granted
    shares = _table(
        "CEI, disputed and written-off shares",
        "currency",
        "CEI",
        "disputed",
        "written off",
    )
    cei = {c.currency: c.value for c in report.collection_effectiveness}
    disputed = {s.currency: s.percent for s in report.disputed}
    written = {s.currency: s.percent for s in report.written_off}
    for cur in sorted(set(cei) | set(disputed) | set(written)):
        shares.add_row(
            cur,
            _num(cei.get(cur), " %"),
            _num(disputed.get(cur), " %"),
            _num(written.get(cur), " %"),
        )
    yield shares
    trends = _table(
        "Monthly trends", "month", "currency", "invoiced", "collected", "DSO", "days late"
    )
    for m in report.trends:
        trends.add_row(
            m.month.isoformat()[:7],
            m.currency,
            _money(m.invoiced),
            _money(m.collected),
            _num(m.dso),
            _num(m.days_late),
        )
    yield trends
    top = _table(
        f"Top overdue customers on {report.as_of}",
        "customer",
        "name",
        "currency",
        "overdue",
        "open",
        "invoices",
        "oldest (days)",
        left=3,
    )
    for o in report.top_overdue:
        top.add_row(
            o.customer_id,
            o.name,
            o.currency,
            _money(o.overdue),
            _money(o.open),
            str(o.invoices),
            str(o.oldest_days),
        )
    yield top
    if not credit:
        return
    review = _table(
        f"Credit review on {report.as_of}",
        "customer",
        "decision",
        "deposit",
        "score",
        "currency",
        "exposure",
        "limit",
        "used",
        left=2,
    )
    notes: list[str] = []
    for rec in credit:
        if not rec.reviewable:
            continue
        for e in rec.exposures or (None,):
            review.add_row(
                rec.customer_id,
                str(rec.decision),
                _num(rec.deposit_share, " %"),
                _num(rec.score),
                *(
                    ("-", "-", "-", "-")
                    if e is None
                    else (
                        e.currency,
                        _money(e.exposure),
                        "-" if e.limit is None else _money(e.limit),
                        _num(e.utilisation, " %"),
                    )
                ),
            )
            if e is not None and e.limit is not None:
                notes.extend(_other_currencies(rec.customer_id, e))
    if notes:
        review.caption = "\n".join(notes)
        review.caption_justify = "left"
    yield review


def _other_currencies(customer_id: str, row: CreditExposure) -> list[str]:
    """Notes on a limit's row: exposure in other currencies converted, or not covered."""
    notes = []
    if row.converted is not None and row.converted.is_positive():
        notes.append(
            f"{customer_id}: {_money(row.converted)} {row.currency} converted from other "
            f"currencies counts against the {row.currency} limit"
        )
    if row.uncovered:
        missing = ", ".join(f"{_money(m)} {m.currency}" for m in row.uncovered)
        notes.append(f"{customer_id}: {missing} not covered by the {row.currency} limit")
    return notes


def _text(report: ReceivablesReport, credit: Sequence[CreditRecommendation]) -> str:
    console = Console(
        file=io.StringIO(),
        width=_WIDTH,
        force_terminal=False,
        color_system=None,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
    with console.capture() as capture:
        console.print(
            f"Receivables report on {report.as_of}, period {report.start} to {report.end}"
        )
        for table in _tables(report, credit):
            console.print()
            console.print(table)
    lines = [line.rstrip() for line in capture.get().splitlines()]
    return "\n".join(lines).rstrip("\n") + "\n"


def dumps_report(
    report: ReceivablesReport,
    fmt: ReportFormat = "json",
    *,
    credit: Sequence[CreditRecommendation] = (),
) -> str:
    """The report as text.

    Args:
        report: the report (:func:`arpolicy.reports.receivables_report`).
        fmt: ``"json"`` (the whole report, see :func:`report_record`),
            ``"csv"`` (every figure, see :func:`report_rows`) or ``"table"``
            (the main figures as text tables, 100 columns wide; the per
            customer aging rows are left to JSON and CSV).
        credit: a credit review (:func:`arpolicy.credit.credit_review`) to
            add; only its reviewable recommendations are shown.

    Returns:
        The text, ending with a newline.

    Raises:
        ValueError: the format is unknown.
    """
    if fmt == "json":
        return json.dumps(report_record(report, credit), indent=2, sort_keys=True) + "\n"
    if fmt == "csv":
        return _csv(report, credit)
    if fmt == "table":
        return _text(report, credit)
    raise ValueError(f"unknown report format {fmt!r}; expected json, csv or table")
