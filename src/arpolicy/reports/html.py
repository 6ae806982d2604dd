"""A self-contained HTML page of a receivables report, with charts.

:func:`render_html` turns a :class:`~arpolicy.reports.ReceivablesReport` into
one HTML5 document that needs nothing else: the CSS is inline, the charts are
inline SVG drawn with `matplotlib <https://matplotlib.org/>`_, and there is no
script, web font or external link. Send it by mail or open it from disk.

Every figure is shown **per currency**: amounts in different currencies are
never added together nor drawn on one axis. For each currency the page has

* a summary table (open balance, DSO by the standard and the countback
  method, collection effectiveness index, days to pay, disputed and
  written-off shares);
* the aging chart (open balance by days past due) and its table;
* the monthly DSO and days-late trend charts and the trend table;
* days to pay by customer profile and the seasonality table;
* the top overdue customers chart and its table.

The tables carry the exact figures (amounts formatted from
:class:`~decimal.Decimal`); the charts illustrate them. Each chart is a
``<figure class="chart" data-chart="KIND" data-currency="CODE">`` with a
``<figcaption>``, where ``KIND`` is one of :data:`CHART_KINDS`.

matplotlib is an optional dependency: install it with
``pip install 'arpolicy[html]'``. It is imported only when a page is rendered,
so ``import arpolicy`` stays light.

The output is deterministic: the same report gives byte-identical HTML.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any, Final

from ..credit import CreditExposure, CreditRecommendation
from ..errors import MissingExtraError
from ..money import Money
from . import (
    AgingReport,
    DaysToPay,
    MonthlyTrend,
    OverdueCustomer,
    ReceivablesReport,
    Seasonality,
    Share,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

__all__ = ["CHART_KINDS", "render_html"]

CHART_KINDS: Final[tuple[str, ...]] = ("aging", "dso-trend", "days-late-trend", "top-overdue")
"""The ``data-chart`` values of the charts, in page order."""

_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_NONE: Final = "n/a"
_COLOR: Final = "#2a6f97"
_ACCENT: Final = "#c0392b"
_LABEL_CHARS: Final = 32

# matplotlib settings for every chart. svg.hashsalt makes the ids of clip
# paths stable (otherwise random per run); text is drawn as paths with the
# DejaVu font matplotlib ships, so the page needs no font; "$" in a customer
# name is plain text, not mathtext.
_RC: Final[dict[RcKeyType, Any]] = {
    "svg.hashsalt": "arpolicy",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "text.parse_math": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "figure.dpi": 72.0,
}
# No <metadata> block: it would hold the date of rendering, the matplotlib
# version and external URIs (Dublin Core type, creator's web site). The
# accessible <title> is added by _svg instead (a "Title" here would bring the
# block back).
_SVG_METADATA: Final[dict[str, str | None]] = {
    "Date": None,
    "Creator": None,
    "Format": None,
    "Type": None,
}

_CSS: Final = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem 3rem; color: #1b1b1b;
  line-height: 1.4; }
h1 { margin-bottom: 0.2rem; }
h2 { border-bottom: 2px solid #2a6f97; padding-bottom: 0.2rem; margin-top: 2.5rem; }
h3 { margin-top: 1.8rem; }
.meta { color: #555; margin-top: 0; }
nav ul { list-style: none; padding: 0; display: flex; gap: 1rem; flex-wrap: wrap; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid #999; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
figure.chart { margin: 1rem 0; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.9rem; }
p.empty { font-size: 1.1rem; padding: 1rem; background: #f3f3f3; }
"""


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _amount(money: Money) -> str:
    """An amount with thousands separators, formatted from its Decimal (exact)."""
    return format(money.amount, ",")


def _days(value: Decimal | None) -> str:
    return _NONE if value is None else str(value)


def _percent(value: Decimal | None) -> str:
    return _NONE if value is None else f"{value} %"


def _month(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"


# ---------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------


def _table(
    caption: str,
    head: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    numeric: Sequence[bool],
    kind: str,
    currency: str,
) -> str:
    """A table; ``caption``, ``head`` and cells are plain text (escaped here)."""
    out = [
        f'<table data-table="{_text(kind)}" data-currency="{_text(currency)}">',
        f"<caption>{_text(caption)}</caption>",
        "<thead><tr>",
    ]
    for text, num in zip(head, numeric, strict=True):
        cls = ' class="num"' if num else ""
        out.append(f'<th scope="col"{cls}>{_text(text)}</th>')
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>")
        for k, (text, num) in enumerate(zip(row, numeric, strict=True)):
            if k == 0:
                out.append(f'<th scope="row">{_text(text)}</th>')
            else:
                cls = ' class="num"' if num else ""
                out.append(f"<td{cls}>{_text(text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _one(items: Iterable[Share], currency: str) -> Share | None:
    return next((s for s in items if s.currency == currency), None)


def _summary_table(report: ReceivablesReport, currency: str) -> str:
    rows: list[tuple[str, str, str]] = []
    totals = report.aging.totals.get(currency)
    if totals is not None:
        open_total = Money.total(totals, currency)
        rows.append((f"Open on {report.as_of}", _amount(open_total), ""))
    for label, group in (
        ("DSO, standard method", report.dso),
        ("DSO, countback method", report.dso_countback),
    ):
        d = next((x for x in group if x.currency == currency), None)
        if d is not None:
            rows.append(
                (
                    label,
                    f"{_days(d.value)} days" if d.value is not None else _NONE,
                    f"receivables {_amount(d.receivables)} on {report.end}, "
                    f"credit sales {_amount(d.sales)} over {d.days} days",
                )
            )
    beyond = next((b for b in report.dbt if b.currency == currency), None)
    if beyond is not None:
        rows.append(
            (
                "Days beyond terms",
                f"{_days(beyond.value)} days" if beyond.value is not None else _NONE,
                f"past due {_amount(beyond.past_due)} on {report.end}; "
                f"best possible DSO {_days(beyond.best_possible_dso)} days",
            )
        )
    cei = next((c for c in report.collection_effectiveness if c.currency == currency), None)
    if cei is not None:
        rows.append(
            (
                "Collection effectiveness index",
                _percent(cei.value),
                f"opening {_amount(cei.opening)}, sales {_amount(cei.sales)}, "
                f"closing {_amount(cei.closing)} of which current "
                f"{_amount(cei.closing_current)}",
            )
        )
    dtp = next((x for x in report.days_to_pay if x.currency == currency), None)
    if dtp is not None:
        rows.append(
            (
                "Average days to pay",
                f"{dtp.days_to_pay} days",
                f"{dtp.count} invoices settled, amount-weighted "
                f"{_days(dtp.weighted_days_to_pay)} days",
            )
        )
        rows.append(
            (
                "Average days late",
                f"{dtp.days_late} days",
                f"amount-weighted {_days(dtp.weighted_days_late)} days",
            )
        )
        rows.append(
            (
                "Paid on time",
                _percent(dtp.on_time_rate),
                f"{dtp.count - dtp.paid_late} of {dtp.count} invoices settled by their "
                f"due date; {dtp.paid_late} paid late",
            )
        )
    granted = next((g for g in report.discounts if g.currency == currency), None)
    if granted is not None:
        rows.append(
            (
                "Early-payment discounts granted",
                _amount(granted.amount),
                f"{granted.count} invoices of {_amount(granted.invoiced)} "
                f"({_percent(granted.percent)}); not counted as collected",
            )
        )
    for label, share in (
        (f"Disputed share on {report.as_of}", _one(report.disputed, currency)),
        ("Written-off share", _one(report.written_off, currency)),
    ):
        if share is not None:
            rows.append(
                (
                    label,
                    _percent(share.percent),
                    f"{_amount(share.part)} of {_amount(share.whole)}",
                )
            )
    if not rows:
        return ""
    return _table(
        f"Key figures in {currency}, period {report.start} to {report.end}",
        ("Figure", "Value", "From"),
        rows,
        numeric=(False, True, False),
        kind="summary",
        currency=currency,
    )


def _aging_table(aging: AgingReport, currency: str) -> str:
    totals = aging.totals[currency]
    rows = [(label, _amount(m)) for label, m in zip(aging.labels, totals, strict=True)]
    rows.append(("Total", _amount(Money.total(totals, currency))))
    return _table(
        f"Open balance in {currency} by days past due on {aging.as_of}",
        ("Days past due", f"Open ({currency})"),
        rows,
        numeric=(False, True),
        kind="aging",
        currency=currency,
    )


def _trend_table(trends: Sequence[MonthlyTrend], currency: str) -> str:
    return _table(
        f"Monthly figures in {currency}",
        ("Month", f"Invoiced ({currency})", f"Collected ({currency})", "DSO", "Days late"),
        [
            (
                _month(t.month),
                _amount(t.invoiced),
                _amount(t.collected),
                _days(t.dso),
                _days(t.days_late),
            )
            for t in trends
        ],
        numeric=(False, True, True, True, True),
        kind="trends",
        currency=currency,
    )


def _profile_table(groups: Sequence[DaysToPay], currency: str) -> str:
    return _table(
        f"Days to pay by customer profile, invoices settled in the period, {currency}",
        (
            "Profile",
            "Invoices",
            f"Amount ({currency})",
            "Days to pay",
            "Days late",
            "Weighted days to pay",
            "Weighted days late",
        ),
        [
            (
                g.key,
                str(g.count),
                _amount(g.amount),
                str(g.days_to_pay),
                str(g.days_late),
                _days(g.weighted_days_to_pay),
                _days(g.weighted_days_late),
            )
            for g in groups
        ],
        numeric=(False, True, True, True, True, True, True),
        kind="days-to-pay-by-profile",
        currency=currency,
    )


def _seasonality_table(months: Sequence[Seasonality], currency: str) -> str:
    return _table(
        f"Seasonality in {currency}: the period's months grouped by calendar month",
        (
            "Calendar month",
            "Months",
            f"Invoiced ({currency})",
            f"Collected ({currency})",
            "Mean DSO",
            "Mean days late",
        ),
        [
            (
                _MONTHS[s.month - 1],
                str(s.years),
                _amount(s.invoiced),
                _amount(s.collected),
                _days(s.dso),
                _days(s.days_late),
            )
            for s in months
        ],
        numeric=(False, True, True, True, True, True),
        kind="seasonality",
        currency=currency,
    )


def _overdue_table(top: Sequence[OverdueCustomer], currency: str, as_of: date) -> str:
    return _table(
        f"Customers with the largest past-due balances in {currency} on {as_of}",
        (
            "Customer",
            "Id",
            f"Past due ({currency})",
            f"Open ({currency})",
            "Invoices past due",
            "Oldest, days past due",
        ),
        [
            (
                o.name,
                o.customer_id,
                _amount(o.overdue),
                _amount(o.open),
                str(o.invoices),
                str(o.oldest_days),
            )
            for o in top
        ],
        numeric=(False, False, True, True, True, True),
        kind="top-overdue",
        currency=currency,
    )


# ---------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------
#
# matplotlib positions marks with floats, so amounts and day counts are
# converted with float() for drawing only. Every figure written as text (the
# tables, the labels on the bars) is formatted from the exact Decimal.


def _new_figure(height: float) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure  # noqa: PLC0415 - optional dependency

    fig = Figure(figsize=(7.5, height), layout="constrained")
    return fig, fig.add_subplot()


def _svg(fig: Figure, title: str) -> str:
    """``fig`` as an ``<svg>`` element titled ``title``, without XML prolog and DOCTYPE."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata=_SVG_METADATA)
    text = buffer.getvalue()
    start = text.index("<svg")
    after_tag = text.index(">", start) + 1
    return (
        text[start : after_tag - 1]
        + ' role="img">'
        + f"<title>{_text(title)}</title>"
        + text[after_tag:].rstrip()
    )


def _figure(kind: str, currency: str, caption: str, svg: str) -> str:
    return (
        f'<figure class="chart" id="chart-{_text(kind)}-{_text(currency)}" '
        f'data-chart="{_text(kind)}" data-currency="{_text(currency)}" role="group">'
        f"{svg}<figcaption>{_text(caption)}</figcaption></figure>"
    )


def _money_axis(ax: Axes, axis: str) -> None:
    from matplotlib.ticker import StrMethodFormatter  # noqa: PLC0415

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _aging_chart(aging: AgingReport, currency: str) -> str:
    amounts = aging.totals[currency]
    caption = f"Open balance in {currency} by days past due on {aging.as_of}."
    fig, ax = _new_figure(3.4)
    positions = list(range(len(amounts)))
    bars = ax.bar(positions, [float(m.amount) for m in amounts], color=_COLOR)
    ax.bar_label(bars, labels=[_amount(m) for m in amounts], padding=2, fontsize=8)
    ax.set_xticks(positions, labels=list(aging.labels))
    ax.set_xlabel("days past due")
    ax.set_ylabel(f"open balance ({currency})")
    ax.margins(y=0.12)
    ax.grid(axis="y", color="#e5e5e5")
    _money_axis(ax, "y")
    return _figure("aging", currency, caption, _svg(fig, caption))


def _line_chart(
    kind: str,
    currency: str,
    trends: Sequence[MonthlyTrend],
    values: Sequence[Decimal | None],
    caption: str,
    ylabel: str,
    color: str,
) -> str:
    fig, ax = _new_figure(3.0)
    positions = list(range(len(trends)))
    ys = [math.nan if v is None else float(v) for v in values]  # NaN: a gap in the line
    ax.plot(positions, ys, color=color, marker="o", markersize=4, linewidth=1.8)
    step = max(1, math.ceil(len(trends) / 12))
    ax.set_xticks(
        positions[::step],
        labels=[_month(t.month) for t in trends][::step],
        rotation=45,
        ha="right",
    )
    ax.set_xlim(-0.5, len(trends) - 0.5)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#e5e5e5")
    return _figure(kind, currency, caption, _svg(fig, caption))


def _overdue_chart(top: Sequence[OverdueCustomer], currency: str, as_of: date) -> str:
    caption = f"Customers with the largest past-due balances in {currency} on {as_of}."
    fig, ax = _new_figure(1.2 + 0.32 * len(top))
    positions = list(range(len(top)))
    bars = ax.barh(positions, [float(o.overdue.amount) for o in top], color=_ACCENT)
    ax.bar_label(bars, labels=[_amount(o.overdue) for o in top], padding=3, fontsize=8)
    ax.set_yticks(positions, labels=[_short(f"{o.name} ({o.customer_id})") for o in top])
    ax.invert_yaxis()  # largest first, at the top
    ax.set_xlabel(f"past due ({currency})")
    ax.margins(x=0.15)
    ax.grid(axis="x", color="#e5e5e5")
    _money_axis(ax, "x")
    return _figure("top-overdue", currency, caption, _svg(fig, caption))


# ---------------------------------------------------------------------------
# the page
# ---------------------------------------------------------------------------


def _section(report: ReceivablesReport, currency: str) -> str:
    cur = _text(currency)
    out = [f'<section id="currency-{cur}" data-currency="{cur}">', f"<h2>{cur}</h2>"]
    out.append(_summary_table(report, currency))

    out.append("<h3>Aging</h3>")
    if currency in report.aging.totals:
        out.append(_aging_chart(report.aging, currency))
        out.append(_aging_table(report.aging, currency))
    else:
        out.append(f"<p>Nothing is open in {cur} on {report.as_of}.</p>")

    out.append("<h3>Monthly trends</h3>")
    trends = [t for t in report.trends if t.currency == currency]
    if trends:
        for kind, values, what, ylabel, color in (
            ("dso-trend", [t.dso for t in trends], "DSO", "DSO (days)", _COLOR),
            (
                "days-late-trend",
                [t.days_late for t in trends],
                "Average days late of the invoices settled",
                "days late",
                _ACCENT,
            ),
        ):
            if any(v is not None for v in values):
                caption = (
                    f"{what} in {currency} per month, {report.start} to {report.end}; "
                    "months without a value are gaps."
                )
                out.append(_line_chart(kind, currency, trends, values, caption, ylabel, color))
            else:
                out.append(f"<p>{_text(what)} in {cur}: no month has a value.</p>")
        out.append(_trend_table(trends, currency))
    else:
        out.append(f"<p>No {cur} activity in the period.</p>")

    groups = [g for g in report.days_to_pay_by_profile if g.currency == currency]
    if groups:
        out.append("<h3>Days to pay by profile</h3>")
        out.append(_profile_table(groups, currency))

    months = [s for s in report.seasonality if s.currency == currency]
    if months:
        out.append("<h3>Seasonality</h3>")
        out.append(_seasonality_table(months, currency))

    out.append("<h3>Top overdue customers</h3>")
    top = [o for o in report.top_overdue if o.currency == currency]
    if top:
        out.append(_overdue_chart(top, currency, report.as_of))
        out.append(_overdue_table(top, currency, report.as_of))
    else:
        out.append(f"<p>No customer is past due in {cur} on {report.as_of}.</p>")
    out.append("</section>")
    return "\n".join(part for part in out if part)


def _other_currencies(row: CreditExposure) -> str:
    """On a limit's row: what other currencies add to the exposure, or that they do not."""
    parts = []
    if row.converted is not None and row.converted.is_positive():
        parts.append(f"+{_amount(row.converted)} converted")
    if row.uncovered:
        parts.append(
            "not covered: " + ", ".join(f"{_amount(m)} {m.currency}" for m in row.uncovered)
        )
    return "; ".join(parts) or _NONE


def _credit_section(credit: Sequence[CreditRecommendation], as_of: date) -> str:
    rows = [
        (
            rec.customer_id,
            str(rec.decision),
            _percent(rec.deposit_share),
            _days(rec.score),
            *(
                (_NONE,) * 6
                if e is None
                else (
                    e.currency,
                    _amount(e.exposure),
                    _NONE if e.limit is None else _amount(e.limit),
                    _percent(e.utilisation),
                    _amount(e.overdue),
                    _other_currencies(e),
                )
            ),
        )
        for rec in credit
        if rec.reviewable
        for e in (rec.exposures or (None,))  # a customer owing nothing still has a decision
    ]
    if not rows:
        return ""
    table = _table(
        f"Customers with a credit limit or a hold or deposit advised, on {as_of}",
        (
            "Customer",
            "Decision",
            "Deposit",
            "Score",
            "Currency",
            "Exposure",
            "Limit",
            "Used",
            "Overdue",
            "Other currencies",
        ),
        rows,
        numeric=(False, False, True, True, False, True, True, True, True, False),
        kind="credit",
        currency="",
    )
    return f'<section id="credit">\n<h2>Credit review</h2>\n{table}\n</section>'


def render_html(
    report: ReceivablesReport,
    *,
    title: str = "Receivables report",
    credit: Sequence[CreditRecommendation] = (),
) -> str:
    """Render ``report`` as one self-contained HTML5 document.

    The page has one section per currency (see the module documentation),
    or says that there is nothing to report when the report has no
    currency. Every text that comes from the ledger (customer names, ids) is
    HTML-escaped. Rendering the same report twice gives the same string.

    Args:
        report: what :func:`~arpolicy.reports.receivables_report` returned.
        title: the page's title and main heading.
        credit: a credit review (:func:`arpolicy.credit.credit_review`); its
            reviewable recommendations become a "Credit review" table.

    Returns:
        The HTML document.

    Raises:
        MissingExtraError: matplotlib is not installed
            (``pip install 'arpolicy[html]'``).
    """
    try:
        import matplotlib  # noqa: PLC0415 - optional, imported only when used
    except ImportError as err:
        raise MissingExtraError("html", "matplotlib", "the HTML report") from err

    currencies = report.currencies()
    period = f"{report.start} to {report.end}"
    head = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="arpolicy">\n'
        f"<title>{_text(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header>\n<h1>{_text(title)}</h1>\n"
        f'<p class="meta">As of {report.as_of}; period {period}. Amounts are never '
        "added across currencies: each currency has its own section.</p>\n</header>\n"
    )
    if not currencies:
        body = (
            '<main>\n<p class="empty">Nothing to report: the ledger has no receivables, '
            f"sales or payments for {period}.</p>\n</main>\n"
        )
        return f"{head}{body}</body>\n</html>\n"

    links = "".join(f'<li><a href="#currency-{_text(c)}">{_text(c)}</a></li>' for c in currencies)
    with matplotlib.rc_context(_RC):
        sections = [_section(report, c) for c in currencies]
    review = _credit_section(credit, report.as_of)
    if review:
        sections.append(review)
    body = (
        f'<nav aria-label="Currencies">\n<ul>{links}</ul>\n</nav>\n<main>\n'
        + "\n".join(sections)
        + "\n</main>\n"
    )
    return f"{head}{body}</body>\n</html>\n"
