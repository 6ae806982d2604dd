"""The HTML receivables report: structure, exact figures, escaping, determinism, browser."""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest

from arpolicy import Customer, Invoice, Ledger, Money, Payment
from arpolicy.errors import ArpolicyError, MissingExtraError
from arpolicy.report_html import CHART_KINDS, render_html
from arpolicy.reports import receivables_report
from test_reports import LEDGER as BASE
from test_reports import eur

EVIL = "<script>alert(1)</script>"
DOLLAR = "Cash $ Carry & Co"


# tests/test_reports.py's LEDGER (its arithmetic is written out there), with
# hostile names, plus C3 in GBP (a third currency, a four-digit amount and a
# "$" that matplotlib must not read as mathtext):
#   C1 "One & Sons", C2 EVIL;
#   C3 DOLLAR (business, GB): I7 issued 01-05 due 02-04 GBP 1234.50, never paid.
_NAMES = {"C1": "One & Sons", "C2": EVIL}
LEDGER = Ledger(
    [
        *(attrs.evolve(c, name=_NAMES[c.id]) for c in BASE.customers),
        Customer("C3", DOLLAR, "business", "GB"),
    ],
    [
        *BASE.invoices,
        Invoice("I7", "C3", date(2024, 1, 5), date(2024, 2, 4), Money("1234.50", "GBP")),
    ],
    BASE.payments,
)
AS_OF = date(2024, 3, 15)
REPORT = receivables_report(LEDGER, AS_OF, start=date(2024, 1, 1), end=date(2024, 3, 31))
CURRENCIES = ("EUR", "GBP", "USD")
# Every chart of every currency, in page order, but GBP's days late: I7 is never
# settled, so no month has a value and the page says so instead of drawing it.
CHARTS = [(k, c) for c in CURRENCIES for k in CHART_KINDS if (k, c) != ("days-late-trend", "GBP")]


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(REPORT, title="Q1 & more")


# ---------------------------------------------------------------------------
# a small reader of the page, on the standard library's HTML parser
# ---------------------------------------------------------------------------


@dataclass
class Figure:
    attrs: dict[str, str]
    svgs: int = 0
    marks: int = 0  # <path> and <rect> inside
    caption: str = ""


@dataclass
class Table:
    attrs: dict[str, str]
    caption: str = ""
    rows: list[list[str]] = field(default_factory=list)


class Page(HTMLParser):
    """Figures, tables, every tag with its attributes, and the visible text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.figures: list[Figure] = []
        self.tables: list[Table] = []
        self.title = ""
        self.text: list[str] = []
        self._figure: Figure | None = None
        self._table: Table | None = None
        self._cell: list[str] | None = None
        self._in: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if tag == "figure":
            self._figure = Figure(values)
            self.figures.append(self._figure)
        elif tag == "svg" and self._figure is not None:
            self._figure.svgs += 1
        elif tag in {"path", "rect"} and self._figure is not None:
            self._figure.marks += 1
        elif tag == "table":
            self._table = Table(values)
            self.tables.append(self._table)
        elif tag == "tr" and self._table is not None:
            self._table.rows.append([])
        elif tag in {"td", "th"}:
            self._cell = []
        self._in.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._figure = None
        elif tag == "table":
            self._table = None
        elif tag in {"td", "th"} and self._cell is not None and self._table is not None:
            self._table.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        if tag in self._in:
            while self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        where = self._in[-1] if self._in else ""
        if self._cell is not None:
            self._cell.append(data)
        elif where == "figcaption" and self._figure is not None:
            self._figure.caption += data
        elif where == "caption" and self._table is not None:
            self._table.caption += data
        elif where == "title" and "svg" not in self._in:
            self.title += data
        if "svg" not in self._in and "style" not in self._in:
            self.text.append(data)

    def figure(self, kind: str, currency: str) -> Figure:
        (found,) = [
            f
            for f in self.figures
            if f.attrs.get("data-chart") == kind and f.attrs.get("data-currency") == currency
        ]
        return found

    def table(self, kind: str, currency: str) -> list[list[str]]:
        (found,) = [
            t
            for t in self.tables
            if t.attrs.get("data-table") == kind and t.attrs.get("data-currency") == currency
        ]
        return found.rows[1:]  # without the header row

    def rows(self, kind: str, currency: str) -> dict[str, list[str]]:
        return {row[0]: row[1:] for row in self.table(kind, currency)}


# ---------------------------------------------------------------------------
# structure
# ---------------------------------------------------------------------------


def test_page_is_one_html5_document(page: str) -> None:
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert page.endswith("</html>\n")
    doc = Page(page)
    assert doc.title == "Q1 & more"
    assert "<title>Q1 &amp; more</title>" in page
    assert [t for t, _ in doc.tags].count("html") == 1
    sections = [a["data-currency"] for t, a in doc.tags if t == "section"]
    assert sections == list(CURRENCIES)


def test_every_chart_of_every_currency_holds_an_svg(page: str) -> None:
    doc = Page(page)
    assert [(f.attrs["data-chart"], f.attrs["data-currency"]) for f in doc.figures] == CHARTS
    for kind, currency in CHARTS:
        fig = doc.figure(kind, currency)
        assert fig.attrs["class"] == "chart"
        assert fig.attrs["id"] == f"chart-{kind}-{currency}"
        assert fig.svgs == 1
        assert fig.marks > 0
        assert currency in fig.caption
    text = " ".join(doc.text)
    assert "Average days late of the invoices settled in GBP: no month has a value." in text


def test_charts_never_mix_currencies(page: str) -> None:
    # Each figure's SVG is labelled in its own currency only.
    for match in re.finditer(r'<figure [^>]*data-currency="(\w+)".*?</figure>', page, re.S):
        currency = match[1]
        titles = re.findall(r"<title>(.*?)</title>", match[0])
        assert titles
        assert all(currency in t for t in titles)
        others = set(CURRENCIES) - {currency}
        assert not any(o in t for t in titles for o in others)


def test_aging_tables_are_exact(page: str) -> None:
    # On 03-15 (see tests/test_reports.py): EUR current I5 70, 1-30 I2 100 + I3 300.
    # USD I6 40, 105 days -> 90+. GBP I7 1234.50, 03-15 - 02-04 = 25 + 15 = 40 -> 31-60.
    doc = Page(page)
    assert doc.table("aging", "EUR") == [
        ["current", "70.00"],
        ["1-30", "400.00"],
        ["31-60", "0.00"],
        ["61-90", "0.00"],
        ["90+", "0.00"],
        ["Total", "470.00"],
    ]
    assert doc.rows("aging", "USD")["90+"] == ["40.00"]
    assert doc.rows("aging", "GBP")["31-60"] == ["1,234.50"]
    assert doc.rows("aging", "GBP")["Total"] == ["1,234.50"]


def test_summary_tables_are_exact(page: str) -> None:
    doc = Page(page)
    eur_rows = doc.rows("summary", "EUR")
    assert eur_rows["Open on 2024-03-15"] == ["470.00", ""]
    # Q1 = 91 days; 03-31 receivables 370 of sales 670: 370 / 670 * 91 = 50.25 -> 50.3.
    assert eur_rows["DSO, standard method"] == [
        "50.3 days",
        "receivables 370.00 on 2024-03-31, credit sales 670.00 over 91 days",
    ]
    # Countback: March 70 < 370 -> 31 days, February 300 covers 300 -> 29: 60.0.
    assert eur_rows["DSO, countback method"][0] == "60.0 days"
    # CEI: opening 0, sales 670, closing 370 of which current 70 (I5, due 03-31):
    # (0 + 670 - 370) / (0 + 670 - 70) * 100 = 300 / 600 * 100 = 50.0.
    assert eur_rows["Collection effectiveness index"] == [
        "50.0 %",
        "opening 0.00, sales 670.00, closing 370.00 of which current 70.00",
    ]
    # I1: 30 days to pay, 0 late; I2: 65 and 35. (30 + 65) / 2 = 47.5, 35 / 2 = 17.5;
    # by amount (100*30 + 200*65) / 300 = 53.3, 200*35 / 300 = 23.3.
    assert eur_rows["Average days to pay"] == [
        "47.5 days",
        "2 invoices settled, amount-weighted 53.3 days",
    ]
    assert eur_rows["Average days late"] == ["17.5 days", "amount-weighted 23.3 days"]
    # Disputed on 03-15: I3 300 of 470 open = 63.83 -> 63.8. Written off: 20 of 670 -> 3.0.
    assert eur_rows["Disputed share on 2024-03-15"] == ["63.8 %", "300.00 of 470.00"]
    assert eur_rows["Written-off share"] == ["3.0 %", "20.00 of 670.00"]
    # USD: 40 / 50 * 91 = 72.8; CEI (40 + 50 - 40) / (40 + 50 - 0) = 55.55... -> 55.6.
    usd_rows = doc.rows("summary", "USD")
    assert usd_rows["DSO, standard method"][0] == "72.8 days"
    assert usd_rows["Collection effectiveness index"][0] == "55.6 %"
    # GBP: nothing settled, so no days-to-pay rows; 1234.50 / 1234.50 * 91 = 91.0.
    gbp_rows = doc.rows("summary", "GBP")
    assert gbp_rows["DSO, standard method"][0] == "91.0 days"
    assert "Average days to pay" not in gbp_rows


def test_trend_profile_and_seasonality_tables_are_exact(page: str) -> None:
    doc = Page(page)
    # From tests/test_reports.py::test_monthly_trends; undefined values read "n/a".
    assert doc.table("trends", "EUR") == [
        ["2024-01", "300.00", "100.00", "20.7", "0.0"],
        ["2024-02", "300.00", "80.00", "38.7", "n/a"],
        ["2024-03", "70.00", "100.00", "163.9", "35.0"],
    ]
    assert doc.table("trends", "USD")[1] == ["2024-02", "0.00", "50.00", "n/a", "10.0"]
    assert doc.table("days-to-pay-by-profile", "EUR") == [
        ["business", "2", "300.00", "47.5", "17.5", "53.3", "23.3"],
    ]
    assert doc.table("days-to-pay-by-profile", "USD") == [
        ["private", "1", "50.00", "40.0", "10.0", "40.0", "10.0"],
    ]
    row = ["January", "1", "300.00", "100.00", "20.7", "0.0"]
    assert doc.table("seasonality", "EUR")[0] == row


def test_top_overdue_table_and_escaped_names(page: str) -> None:
    doc = Page(page)
    # C2: I3 300 past due 13 days, I5 70 not yet due; C1: I2 100, 30 days.
    assert doc.table("top-overdue", "EUR") == [
        [EVIL, "C2", "300.00", "370.00", "1", "13"],
        ["One & Sons", "C1", "100.00", "100.00", "1", "30"],
    ]
    assert doc.table("top-overdue", "GBP") == [[DOLLAR, "C3", "1,234.50", "1,234.50", "1", "40"]]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "One &amp; Sons" in page
    assert "<script" not in page.lower()
    assert not [t for t, _ in Page(page).tags if t == "script"]


def test_no_external_reference(page: str) -> None:
    namespaces = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert set(re.findall(r"https?://[^\"'\s<>)]*", page)) <= namespaces
    for tag, attributes in Page(page).tags:
        assert tag not in {"script", "link", "img", "iframe", "object", "embed", "use"} or (
            tag == "use" and attributes["xlink:href"].startswith("#")
        )
        for name, value in attributes.items():
            if name in {"href", "xlink:href", "src"}:
                assert value.startswith("#"), (tag, name, value)
            if "http" in value:
                assert name in {"xmlns", "xmlns:xlink"}
                assert value in namespaces
    assert not re.search(r"url\((?!#)", page)
    assert "@import" not in page
    assert "<?xml" not in page
    assert "<!DOCTYPE svg" not in page


def test_render_is_deterministic_and_leaves_matplotlib_alone(page: str) -> None:
    import matplotlib as mpl  # noqa: PLC0415

    before = dict(mpl.rcParams)
    backend = mpl.get_backend()
    assert render_html(REPORT, title="Q1 & more") == page
    assert "<metadata" not in page  # where matplotlib would put the date
    assert dict(mpl.rcParams) == before
    assert mpl.get_backend() == backend


def test_render_is_the_same_in_another_process(page: str) -> None:
    # A new interpreter has another hash seed; clip-path ids must not depend on it.
    code = (
        "import pickle, sys\n"
        "from arpolicy.report_html import render_html\n"
        "report = pickle.load(sys.stdin.buffer)\n"
        "sys.stdout.buffer.write(render_html(report, title='Q1 & more').encode())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=pickle.dumps(REPORT),
        capture_output=True,
        check=True,
        timeout=120,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert done.stdout.decode() == page


def test_empty_ledger_says_there_is_nothing_to_report() -> None:
    report = receivables_report(Ledger([]), AS_OF)
    page = render_html(report)
    doc = Page(page)
    assert page.startswith("<!DOCTYPE html>")
    assert doc.figures == []
    assert doc.tables == []
    assert "<svg" not in page
    text = " ".join(doc.text)
    assert "Nothing to report" in text
    assert "2023-04-01 to 2024-03-15" in text


def test_only_the_charts_with_data_are_drawn() -> None:
    # One invoice paid on time: EUR has trends but nothing open or overdue on 03-15.
    ledger = Ledger(
        [Customer("C1", "One", "business", "NL")],
        [Invoice("I1", "C1", date(2024, 1, 1), date(2024, 1, 31), eur(100))],
        [Payment("P1", "C1", date(2024, 1, 20), eur(100), invoice_id="I1")],
    )
    doc = Page(render_html(receivables_report(ledger, AS_OF, start=date(2024, 1, 1))))
    kinds = [f.attrs["data-chart"] for f in doc.figures]
    assert kinds == ["dso-trend", "days-late-trend"]
    text = " ".join(doc.text)
    assert "Nothing is open in EUR on 2024-03-15." in text
    assert "No customer is past due in EUR on 2024-03-15." in text


def test_missing_matplotlib_raises_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(MissingExtraError, match=re.escape("pip install 'arpolicy[html]'")) as info:
        render_html(REPORT)
    assert isinstance(info.value, ArpolicyError)
    assert (info.value.extra, info.value.package) == ("html", "matplotlib")


def test_importing_arpolicy_does_not_import_matplotlib() -> None:
    code = (
        "import sys, arpolicy, arpolicy.reports, arpolicy.report_html\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# ---------------------------------------------------------------------------
# in a real browser
# ---------------------------------------------------------------------------


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(
        "Chromium not found on PATH: install the 'chromium' package to run the browser test"
    )


def _browse(browser: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            browser,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


@pytest.mark.browser
def test_charts_render_in_headless_chromium(page: str, tmp_path: Path) -> None:
    browser = _chromium()
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")

    dom = Page(_browse(browser, tmp_path, "--dump-dom", path.as_uri()).stdout)
    assert [(f.attrs["data-chart"], f.attrs["data-currency"]) for f in dom.figures] == CHARTS
    for kind, currency in CHARTS:
        fig = dom.figure(kind, currency)
        assert fig.svgs == 1, (kind, currency)
        assert fig.marks > 0, (kind, currency)
    assert dom.table("top-overdue", "EUR")[0][0] == EVIL  # shown as text, not run

    shot = tmp_path / "report.png"
    _browse(browser, tmp_path, "--window-size=1100,2400", f"--screenshot={shot}", path.as_uri())
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000  # a blank page of that size compresses to a few KB
