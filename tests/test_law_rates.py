"""Rate rows, rate books and rate files."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from arpolicy.errors import InvalidFieldError, LoadError
from arpolicy.io import load_rates, loads_rates
from arpolicy.law import TABLES, MissingRateError, RateBook, RateRow, de, eu, gb, nl

# ---------------------------------------------------------------------------
# shipped tables: exactly LAW.md's figures
# ---------------------------------------------------------------------------


def test_shipped_ecb_rows_one_per_half_year() -> None:
    rows = RateBook.shipped().rows("ecb-refi")
    assert [row.effective for row in rows] == [
        date(year, month, 1) for year in range(2015, 2027) for month in (1, 7)
    ][:-1]  # 2015 H1 ... 2026 H1
    by_day = {row.effective: str(row.rate) for row in rows}
    assert by_day[date(2016, 1, 1)] == "0.05"
    assert by_day[date(2016, 7, 1)] == "0.00"
    assert by_day[date(2022, 7, 1)] == "0.00"
    assert [by_day[date(y, m, 1)] for y, m in [(2023, 1), (2023, 7), (2024, 1), (2024, 7)]] == [
        "2.50",
        "4.00",
        "4.50",
        "4.25",
    ]
    assert [by_day[date(y, m, 1)] for y, m in [(2025, 1), (2025, 7), (2026, 1)]] == [
        "3.15",
        "2.15",
        "2.15",
    ]


@pytest.mark.parametrize(
    ("table", "day", "rate"),
    [
        ("nl-6:119", date(2014, 7, 1), "3"),
        ("nl-6:119", date(2023, 7, 1), "6"),
        ("nl-6:119", date(2026, 1, 1), "4"),
        ("nl-6:119a", date(2015, 1, 1), "8.05"),
        ("nl-6:119a", date(2024, 6, 30), "12.50"),
        ("nl-6:119a", date(2025, 7, 1), "10.15"),
        ("de-base", date(2014, 7, 1), "-0.73"),
        ("de-base", date(2022, 12, 31), "-0.88"),
        ("de-base", date(2023, 7, 1), "3.12"),
        ("de-base", date(2026, 3, 1), "1.27"),
        ("gb-bank-rate", date(2024, 12, 31), "4.75"),
        ("gb-bank-rate", date(2025, 6, 30), "4.25"),
    ],
)
def test_shipped_rates(table: str, day: date, rate: str) -> None:
    assert RateBook.shipped().rate_on(table, day) == (Decimal(rate), False)


def test_unconfirmed_entries_are_flagged() -> None:
    assert {("nl-6:119", date(2026, 1, 1))} == nl.UNCONFIRMED
    assert {("gb-bank-rate", date(2025, 12, 31))} == gb.UNCONFIRMED
    assert eu.UNCONFIRMED == de.UNCONFIRMED == frozenset()


def test_every_shipped_table_is_known() -> None:
    assert set(RateBook.shipped().tables()) == set(TABLES)


# ---------------------------------------------------------------------------
# horizons
# ---------------------------------------------------------------------------


def test_half_yearly_table_horizon_is_last_row_plus_six_months() -> None:
    book = RateBook.shipped()
    assert book.known_until("ecb-refi") == date(2026, 7, 1)
    assert book.rate_on("ecb-refi", date(2026, 6, 30)) == (Decimal("2.15"), False)
    assert book.rate_on("ecb-refi", date(2026, 7, 1)) == (Decimal("2.15"), True)


def test_gb_horizon_is_the_last_reference_date() -> None:
    book = RateBook.shipped()
    assert book.known_until("gb-bank-rate") == date(2026, 1, 1)
    assert book.rate_on("gb-bank-rate", date(2025, 12, 31)) == (Decimal("3.75"), False)
    assert book.rate_on("gb-bank-rate", date(2026, 6, 30)) == (Decimal("3.75"), True)


def test_before_the_first_row() -> None:
    with pytest.raises(MissingRateError):
        RateBook.shipped().rate_on("nl-6:119a", date(2014, 6, 30))
    with pytest.raises(MissingRateError) as info:
        RateBook([]).rate_on("de-base", date(2020, 1, 1))
    assert info.value.first is None
    assert RateBook([]).known_until("de-base") is None


# ---------------------------------------------------------------------------
# merging
# ---------------------------------------------------------------------------


def test_merged_replaces_same_table_and_date_and_adds_new_rows() -> None:
    shipped = RateBook.shipped()
    before = len(shipped.rows("nl-6:119"))
    book = shipped.merged(
        [
            RateRow("NL", "nl-6:119", date(2026, 1, 1), "5"),  # replaces the UNCONFIRMED 4
            RateRow("NL", "nl-6:119", date(2026, 7, 1), "4.5"),  # new
        ]
    )
    assert len(book.rows("nl-6:119")) == before + 1
    assert book.rate_on("nl-6:119", date(2026, 3, 1)) == (Decimal(5), False)
    assert book.rate_on("nl-6:119", date(2026, 9, 1)) == (Decimal("4.5"), False)
    assert book.known_until("nl-6:119") == date(2027, 1, 1)
    # the shipped book is unchanged, and other tables too
    assert shipped.rate_on("nl-6:119", date(2026, 3, 1)) == (Decimal(4), False)
    assert book.rows("de-base") == shipped.rows("de-base")
    assert book != shipped
    assert shipped.merged([]) == shipped
    assert hash(shipped.merged([])) == hash(shipped)


def test_merged_refuses_two_user_rows_for_one_date() -> None:
    row = RateRow("EU", "ecb-refi", date(2026, 7, 1), "2.00")
    with pytest.raises(InvalidFieldError):
        RateBook.shipped().merged([row, RateRow("EU", "ecb-refi", date(2026, 7, 1), "2.10")])
    with pytest.raises(InvalidFieldError):
        RateBook([row, "not a row"])  # type: ignore[list-item]


def test_changes_between_is_strict() -> None:
    book = RateBook.shipped()
    assert book.changes_between("de-base", date(2024, 1, 1), date(2025, 1, 1)) == (
        date(2024, 7, 1),
    )


# ---------------------------------------------------------------------------
# rows
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("nl", "nl-6:119", date(2026, 7, 1), "1"), "jurisdiction"),
        (("NL", "nl-6-119", date(2026, 7, 1), "1"), "table"),
        (("NL", "nl-6:119", datetime(2026, 7, 1), "1"), "effective"),  # noqa: DTZ001
        (("NL", "nl-6:119", "2026-07-01", "1"), "effective"),
        (("NL", "nl-6:119", date(2026, 7, 1), 1.5), "rate"),
        (("NL", "nl-6:119", date(2026, 7, 1), "abc"), "rate"),
        (("NL", "nl-6:119", date(2026, 7, 1), "Infinity"), "rate"),
        (("DE", "nl-6:119", date(2026, 7, 1), "1"), "jurisdiction"),
    ],
)
def test_bad_rows(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(InvalidFieldError) as info:
        RateRow(*args)  # type: ignore[arg-type]
    assert info.value.field == field


# ---------------------------------------------------------------------------
# rate files
# ---------------------------------------------------------------------------

GOOD = """\
[[rate]]
jurisdiction = "EU"
table = "ecb-refi"
effective = 2026-07-01
rate = "2.00"

[[rate]]
jurisdiction = "NL"
table = "nl-6:119a"
effective = 2026-07-01
rate = "9.90"
"""


def test_load_rates(tmp_path: Path) -> None:
    path = tmp_path / "rates.toml"
    path.write_text(GOOD, encoding="utf-8")
    rows = load_rates(path)
    assert rows == (
        RateRow("EU", "ecb-refi", date(2026, 7, 1), Decimal("2.00")),
        RateRow("NL", "nl-6:119a", date(2026, 7, 1), Decimal("9.90")),
    )
    book = RateBook.shipped().merged(rows)
    assert book.rate_on("ecb-refi", date(2026, 8, 1)) == (Decimal("2.00"), False)
    assert loads_rates("") == ()


def _entry(**changes: str) -> str:
    keys = {
        "jurisdiction": '"NL"',
        "table": '"nl-6:119"',
        "effective": "2026-07-01",
        "rate": '"4"',
    }
    keys.update(changes)
    body = "".join(f"{key} = {value}\n" for key, value in keys.items() if value)
    return '[[rate]]\njurisdiction = "EU"\ntable = "ecb-refi"\neffective = 2026-07-01\n' + (
        'rate = "2"\n\n[[rate]]\n' + body
    )


@pytest.mark.parametrize(
    ("text", "column", "value", "reason"),
    [
        (_entry(rate="4.5"), "rate", 4.5, "floats are inexact"),
        (_entry(rate="4"), "rate", 4, "decimal string"),
        (_entry(rate='"four"'), "rate", "four", "not a decimal"),
        (_entry(effective="2026-07-01T00:00:00"), "effective", datetime(2026, 7, 1), "TOML date"),  # noqa: DTZ001
        (_entry(effective='"2026-07-01"'), "effective", "2026-07-01", "TOML date"),
        (_entry(table='"nl-6:120"'), "table", "nl-6:120", "unknown table"),
        (_entry(jurisdiction='"DE"'), "jurisdiction", "DE", "belongs to 'NL'"),
        (_entry(jurisdiction="7"), "jurisdiction", 7, "must be a string"),
        (_entry(note='"hi"'), "note", "hi", "unknown key"),
        (_entry(rate=""), "rate", None, "missing key 'rate'"),
    ],
)
def test_bad_entries_name_the_entry_key_and_value(
    text: str, column: str, value: object, reason: str
) -> None:
    with pytest.raises(LoadError) as info:
        loads_rates(text, source="rates.toml")
    error = info.value
    assert error.path == "rates.toml"
    assert error.line is None
    assert error.column == column
    assert error.value == value
    assert "rate[1]" in error.reason
    assert reason in error.reason


def test_duplicate_rows_in_a_file() -> None:
    with pytest.raises(LoadError) as info:
        loads_rates(GOOD + GOOD.split("\n\n", maxsplit=1)[0] + "\n")
    assert "rate[2]" in info.value.reason
    assert "rate[0]" in info.value.reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("rates = 1\n", "unknown top-level key"),
        ("rate = 1\n", "array of tables"),
        ("rate = [1]\n", "rate[0]: expected a table"),
    ],
)
def test_bad_file_shapes(text: str, reason: str) -> None:
    with pytest.raises(LoadError) as info:
        loads_rates(text)
    assert reason in info.value.reason


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "rates.toml"
    path.write_text('[[rate]]\njurisdiction = "EU"\ntable = \n', encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_rates(path)
    assert info.value.line == 3
    assert info.value.path == str(path)
    assert "invalid TOML" in info.value.reason


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cannot read"):
        load_rates(tmp_path / "missing.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b"# caf\xe9\n")
    with pytest.raises(LoadError, match="not UTF-8"):
        load_rates(bad)
    bom = tmp_path / "bom.toml"
    bom.write_bytes("\ufeff".encode() + GOOD.encode())
    assert len(load_rates(bom)) == 2
