"""The Polars ledger reader, from the user's side: every error names file, line, column, value.

Covers what the columnar reader adds (issue 15): physical lines with quoted
fields spanning lines, byte offsets of bad UTF-8, European exports
(semicolons, decimal comma, day-first dates), header suggestions, empty
optional files, the date and amount limits, and Parquet, Arrow IPC and
frames holding the same ledger.
"""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from arpolicy.errors import LoadError
from arpolicy.io import dump_ledger, ledger_from_frames, load_ledger
from arpolicy.ledger import INVOICES, MAX_DATE, MIN_DATE, PAYMENTS
from arpolicy.model import Customer, Ledger
from arpolicy.sample import sample_ledger

CUSTOMERS = "id,name,profile,country\nC1,Acme,business,NL\nC2,Jansen,private,DE\n"
HEAD = "id,customer_id,issue_date,due_date,amount,currency\n"
INVOICES_CSV = HEAD + "I1,C1,2026-01-01,2026-01-31,100.00,EUR\nI2,C2,2026-01-05,2026-02-04,50,EUR\n"


def write(folder: Path, **files: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files.setdefault("customers", CUSTOMERS)
    files.setdefault("invoices", INVOICES_CSV)
    for name, text in files.items():
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (folder / f"{name}.csv").write_bytes(data)
    return folder


def error_of(folder: Path, **options: object) -> LoadError:
    with pytest.raises(LoadError) as info:
        load_ledger(folder, **options)  # type: ignore[arg-type]
    return info.value


def where(error: LoadError) -> tuple[str, int | None, str | None, object]:
    return Path(error.path).name, error.line, error.column, error.value


# -- every error form ----------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        ("I3,C1,2026-3-1,2026-03-31,1.00,EUR", "issue_date", "2026-3-1", "YYYY-MM-DD"),
        ("I3,C1,0001-01-01,2026-03-31,1.00,EUR", "issue_date", "0001-01-01", "outside"),
        ("I3,C1,2026-01-01,9999-12-31,1.00,EUR", "due_date", "9999-12-31", "outside"),
        ("I3,C1,2026-01-01,2026-03-31,12.345,EUR", "amount", "12.345", "3 decimals"),
        ("I3,C1,2026-01-01,2026-03-31,1e3,EUR", "amount", "1e3", "not an amount"),
        ("I3,C1,2026-01-01,2026-03-31,NaN,EUR", "amount", "NaN", "not an amount"),
        ("I3,C1,2026-01-01,2026-03-31,Infinity,EUR", "amount", "Infinity", "not an amount"),
        ("I3,C1,2026-01-01,2026-03-31,-1,EUR", "amount", "-1", "negative"),
        ("I3,C1,2026-01-01,2026-03-31,1234567890123456,EUR", "amount", "1234567890123456", "15"),
        ("I3,C1,2026-01-01,2026-03-31,1.00,eur", "currency", "eur", "ISO 4217"),
        ("I3,C1,2026-01-01,2026-03-31,1.00,", "currency", "", "ISO 4217"),
        ("I\x003,C1,2026-01-01,2026-03-31,1.00,EUR", "id", "I\x003", "non-empty"),
        ("I3,C1,2026-02-01,2026-01-31,1.00,EUR", "due_date", "2026-01-31", "before"),
    ],
)
def test_bad_cells_name_file_line_column_value(
    tmp_path: Path, row: str, column: str, value: str, reason: str
) -> None:
    error = error_of(write(tmp_path, invoices=INVOICES_CSV + row + "\n"))
    assert where(error) == ("invoices.csv", 4, column, value)
    assert reason in error.reason


def test_largest_amount_loads_exactly(tmp_path: Path) -> None:
    row = "I3,C1,2026-01-01,2026-03-31,999999999999999.99,EUR\n"
    ledger = load_ledger(write(tmp_path, invoices=INVOICES_CSV + row))
    assert str(ledger.invoice("I3").amount) == "999999999999999.99 EUR"


def test_limits_of_dates_load(tmp_path: Path) -> None:
    row = f"I3,C1,{MIN_DATE},{MAX_DATE},1.00,EUR\n"
    ledger = load_ledger(write(tmp_path, invoices=INVOICES_CSV + row))
    assert ledger.invoice("I3").due_date == date(2999, 12, 31)


def test_terms_that_overflow_the_calendar_are_refused(tmp_path: Path) -> None:
    text = HEAD.replace("currency", "currency,terms") + "I1,C1,2999-12-01,,1.00,EUR,net 90\n"
    error = error_of(write(tmp_path, invoices=text))
    assert where(error)[:3] == ("invoices.csv", 2, "terms")


def test_long_values_are_cut_in_the_message_only(tmp_path: Path) -> None:
    long = "x" * 500
    error = error_of(write(tmp_path, invoices=INVOICES_CSV + f"I3,C1,{long},2026-03-31,1,EUR\n"))
    assert error.value == long
    assert len(str(error)) < 300
    assert "…" in str(error)


def test_multiline_quoted_fields_give_physical_lines(tmp_path: Path) -> None:
    customers = (
        'id,name,profile,country\nC1,"Acme\nB.V.\nHQ",business,NL\n\nC2,"A ""quoted""\nname",'
        "business,NL\nC3,Broken,business,ZZ\n"
    )
    error = error_of(write(tmp_path, customers=customers))
    assert where(error) == ("customers.csv", 8, "country", "ZZ")


def test_multiline_field_in_a_big_table(tmp_path: Path) -> None:
    invoices = HEAD.replace("currency", "currency,reference") + "".join(
        f'I{n},C1,2026-01-01,2026-01-31,1.00,EUR,"ref\n{n}"\n' for n in range(50)
    )
    invoices += "I99,C1,2026-01-01,2026-01-31,1.0x,EUR,\n"
    error = error_of(write(tmp_path, invoices=invoices))
    assert where(error) == ("invoices.csv", 102, "amount", "1.0x")


def test_not_utf8_names_line_and_byte_offset(tmp_path: Path) -> None:
    data = CUSTOMERS.encode() + b"C3,M\xfcller,business,DE\n"
    error = error_of(write(tmp_path, customers=data))
    assert (Path(error.path).name, error.line) == ("customers.csv", 4)
    assert f"byte offset {len(CUSTOMERS.encode()) + 4}" in error.reason


def test_nul_bytes_are_typed_errors(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, customers=CUSTOMERS + "C\x003,X,business,NL\n"))
    assert where(error)[:3] == ("customers.csv", 4, "id")


def test_short_and_long_rows(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, invoices=INVOICES_CSV + "I3,C1\n"))
    assert (error.line, error.reason) == (4, "row has 2 fields but the header has 6")
    error = error_of(write(tmp_path, invoices=INVOICES_CSV + "I3,C1,a,b,c,d,e,f\n"))
    assert (error.line, error.reason) == (4, "row has 8 fields but the header has 6")


def test_unterminated_quote_is_malformed(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, customers=CUSTOMERS + 'C3,"Open,business,NL\n'))
    assert "malformed CSV" in error.reason or "fields" in error.reason
    assert error.line is not None


# -- European exports -------------------------------------------------------------


def test_extra_columns_named_like_internal_ones_are_metadata(tmp_path: Path) -> None:
    # "__line" and "__i" were once the reader's own column names and broke the load
    customers = "id,name,profile,country,__line,__i\nC1,Acme,business,NL,x,y\nC2,J,private,DE,,\n"
    ledger = load_ledger(write(tmp_path, customers=customers))
    assert ledger.customer("C1").metadata == (("__i", "y"), ("__line", "x"))
    assert ledger.invoices_of("C1")[0].metadata == ()


def test_a_column_named_like_the_readers_own_is_refused(tmp_path: Path) -> None:
    customers = "id,name,profile,country,\x00arpolicy:line\nC1,Acme,business,NL,x\n"
    error = error_of(write(tmp_path, customers=customers))
    assert (Path(error.path).name, error.line, error.column) == (
        "customers.csv",
        1,
        "\x00arpolicy:line",
    )
    assert "reserved" in error.reason


def test_semicolons_are_detected(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        customers=CUSTOMERS.replace(",", ";"),
        invoices=INVOICES_CSV.replace(",", ";"),
    )
    assert [i.id for i in load_ledger(folder).invoices] == ["I1", "I2"]


def test_delimiter_can_be_given(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        customers=CUSTOMERS.replace(",", "|"),
        invoices=INVOICES_CSV.replace(",", "|"),
    )
    assert len(load_ledger(folder, delimiter="|").invoices) == 2


def test_decimal_comma_and_day_first_dates(tmp_path: Path) -> None:
    invoices = (
        "id;customer_id;issue_date;due_date;amount;currency\n"
        "I1;C1;01-03-2026;31-03-2026;1.234,56;EUR\n"
        "I2;C2;01-03-2026;31-03-2026;12,5;EUR\n"
        "I3;C2;01-03-2026;31-03-2026;7;JPY\n"
    )
    folder = write(tmp_path, customers=CUSTOMERS.replace(",", ";"), invoices=invoices)
    ledger = load_ledger(folder, decimal_comma=True, date_format="DD-MM-YYYY")
    assert [str(i.amount) for i in ledger.invoices] == ["1234.56 EUR", "12.50 EUR", "7 JPY"]
    assert ledger.invoice("I1").due_date == date(2026, 3, 31)
    slashes = invoices.replace("-2026", "/2026").replace("01-03", "01/03").replace("31-03", "31/03")
    ledger = load_ledger(
        write(tmp_path, invoices=slashes), decimal_comma=True, date_format="DD/MM/YYYY"
    )
    assert ledger.invoice("I2").issue_date == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("amount", "reason"),
    [("1.234.5", "1.234,56"), ("12.50", "1.234,56"), ("1,234", "3 decimals")],
)
def test_decimal_comma_errors(tmp_path: Path, amount: str, reason: str) -> None:
    invoices = f'{HEAD}I1,C1,2026-03-01,2026-03-31,"{amount}",EUR\n'
    error = error_of(write(tmp_path, invoices=invoices), decimal_comma=True)
    assert where(error) == ("invoices.csv", 2, "amount", amount)
    assert reason in error.reason


def test_date_format_errors_name_the_format(tmp_path: Path) -> None:
    invoices = f"{HEAD}I1,C1,2026-03-01,31-03-2026,1,EUR\n"
    error = error_of(write(tmp_path, invoices=invoices), date_format="DD-MM-YYYY")
    assert where(error) == ("invoices.csv", 2, "issue_date", "2026-03-01")
    assert "DD-MM-YYYY" in error.reason
    invoices = f"{HEAD}I1,C1,30-02-2026,31-03-2026,1,EUR\n"
    error = error_of(write(tmp_path, invoices=invoices), date_format="DD-MM-YYYY")
    assert "impossible date" in error.reason


def test_unknown_date_format() -> None:
    with pytest.raises(ValueError, match="DD/MM/YYYY"):
        load_ledger(".", date_format="MM/DD/YYYY")


# -- headers ----------------------------------------------------------------------


def test_header_error_shows_the_header_and_the_delimiter_fix(tmp_path: Path) -> None:
    folder = write(tmp_path, customers=CUSTOMERS.replace(",", "|"))
    error = error_of(folder)
    assert error.line == 1
    assert "'id|name|profile|country'" in error.reason


def test_header_suggests_semicolons_when_a_comma_was_given(tmp_path: Path) -> None:
    folder = write(tmp_path, customers=CUSTOMERS.replace(",", ";"))
    error = error_of(folder, delimiter=",")
    assert "--delimiter ';'" in error.reason


@pytest.mark.parametrize(
    ("header", "hint"),
    [("Id,Name,Profile,Country", "'Id' -> 'id'"), ("id,name,profil,country", "-> 'profile'")],
)
def test_header_suggests_case_and_near_misses(tmp_path: Path, header: str, hint: str) -> None:
    error = error_of(write(tmp_path, customers=header + "\nC1,Acme,business,NL\n"))
    assert (Path(error.path).name, error.line) == ("customers.csv", 1)
    assert hint in error.reason


def test_empty_optional_file_has_no_rows(tmp_path: Path) -> None:
    ledger = load_ledger(write(tmp_path, payments=b"", plans=b"", trials=b""))
    assert ledger.payments == ()


def test_empty_required_file_is_an_error(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, invoices=b""))
    assert (Path(error.path).name, error.line) == ("invoices.csv", 1)


# -- Parquet, Arrow IPC, frames -------------------------------------------------------


def _frames(folder: Path) -> dict[str, pl.DataFrame]:
    return {f.stem: pl.read_csv(f, infer_schema=False) for f in sorted(folder.glob("*.csv"))}


def test_parquet_and_arrow_directories_round_trip(tmp_path: Path) -> None:
    ledger = sample_ledger()
    frames = _frames(dump_ledger(ledger, tmp_path / "csv"))
    for suffix in ("parquet", "arrow"):
        folder = tmp_path / suffix
        folder.mkdir()
        for name, frame in frames.items():
            if suffix == "parquet":
                frame.write_parquet(folder / f"{name}.parquet")
            else:
                frame.write_ipc(folder / f"{name}.arrow")
        assert load_ledger(folder) == ledger


def test_from_frames_with_typed_columns(tmp_path: Path) -> None:
    ledger = sample_ledger()
    frames = _frames(dump_ledger(ledger, tmp_path / "csv"))
    frames["invoices"] = frames["invoices"].with_columns(
        pl.col("issue_date").str.to_date(), pl.col("amount").str.to_decimal(scale=4)
    )
    assert Ledger.from_frames(**frames) == ledger
    assert ledger_from_frames(**frames) == ledger


def test_from_frames_errors_name_table_and_row() -> None:
    customers = pl.DataFrame(
        {"id": ["C1"], "name": ["Acme"], "profile": ["business"], "country": ["NL"]}
    )
    invoices = pl.DataFrame(
        {
            "id": ["I1", "I2"],
            "customer_id": ["C1", "C1"],
            "issue_date": [date(2026, 1, 1), date(2026, 1, 2)],
            "due_date": [date(2026, 1, 31), date(2026, 1, 30)],
            "amount": [1.5, 2.0],
            "currency": ["EUR", "EUR"],
        }
    )
    with pytest.raises(LoadError) as info:
        ledger_from_frames(customers=customers, invoices=invoices)
    assert (info.value.path, info.value.line, info.value.column) == ("<invoices>", 1, "amount")
    with pytest.raises(TypeError):
        ledger_from_frames(customers=[1, 2], invoices=invoices)


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None, reason="pyarrow not installed")
def test_from_pyarrow_tables(tmp_path: Path) -> None:  # pragma: no cover - optional
    ledger = sample_ledger()
    frames = {k: v.to_arrow() for k, v in _frames(dump_ledger(ledger, tmp_path / "c")).items()}
    assert Ledger.from_frames(**frames) == ledger


def test_schema_columns() -> None:
    assert list(INVOICES)[:7] == [
        "invoice_id",
        "customer_id",
        "kind",
        "issue_date",
        "due_date",
        "currency",
        "amount",
    ]
    assert PAYMENTS["amount"] == pl.Int64
    assert INVOICES["discount_deadline"] == pl.Date


def test_a_131072_character_quoted_name_round_trips(tmp_path: Path) -> None:
    ledger = Ledger([Customer("C1", 'x,"y\n' * 26215, "business", "NL")])
    assert len(ledger.customer("C1").name) > 131_072
    assert load_ledger(dump_ledger(ledger, tmp_path / "big")) == ledger
