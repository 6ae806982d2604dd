"""Bad ledger files: every error names file, line, column and value; nothing partial."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arpolicy.errors import (
    DuplicateIdError,
    InvalidFieldError,
    LoadError,
    UnknownReferenceError,
)
from arpolicy.io import load_ledger

CUSTOMERS = "id,name,profile,country\nC1,Acme,business,NL\nC2,Jansen,private,DE\n"
INVOICES = (
    "id,customer_id,issue_date,due_date,amount,currency\n"
    "I1,C1,2026-01-01,2026-01-31,100.00,EUR\n"
    "I2,C2,2026-01-05,2026-02-04,50,EUR\n"
)


def write(folder: Path, **files: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files.setdefault("customers", CUSTOMERS)
    files.setdefault("invoices", INVOICES)
    for name, text in files.items():
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (folder / f"{name}.csv").write_bytes(data)
    return folder


def load_error(folder: Path) -> LoadError:
    with pytest.raises(LoadError) as info:
        load_ledger(folder)
    return info.value


def test_valid_directory_loads(tmp_path: Path) -> None:
    ledger = load_ledger(write(tmp_path))
    assert [i.id for i in ledger.invoices] == ["I1", "I2"]
    assert str(ledger.invoice("I2").amount) == "50.00 EUR"


def test_empty_file(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, invoices=""))
    assert error.path.endswith("invoices.csv")
    assert error.line == 1
    assert "empty file" in error.reason


def test_missing_required_file(tmp_path: Path) -> None:
    folder = write(tmp_path)
    (folder / "invoices.csv").unlink()
    error = load_error(folder)
    assert error.path.endswith("invoices.csv")
    assert "missing" in error.reason


def test_missing_required_header(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, customers="id,name,country\nC1,Acme,NL\n"))
    assert (error.line, error.column) == (1, "profile")
    assert error.path.endswith("customers.csv")


def test_duplicate_header(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, customers="id,name,profile,country,name\n"))
    assert (error.line, error.column) == (1, "name")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    bom = "\ufeff" + CUSTOMERS.replace("Acme", "Müller GmbH")
    ledger = load_ledger(write(tmp_path, customers=bom.encode("utf-8")))
    assert ledger.customer("C1").name == "Müller GmbH"


def test_crlf_line_ends_are_accepted(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        customers=CUSTOMERS.replace("\n", "\r\n"),
        invoices=INVOICES.replace("\n", "\r\n"),
    )
    ledger = load_ledger(folder)
    assert ledger.invoice("I2").customer_id == "C2"


def test_crlf_error_lines_are_physical_lines(tmp_path: Path) -> None:
    bad = INVOICES.replace("50,EUR", "5x,EUR").replace("\n", "\r\n")
    error = load_error(write(tmp_path, invoices=bad))
    assert (error.line, error.column, error.value) == (3, "amount", "5x")


def test_not_utf8(tmp_path: Path) -> None:
    error = load_error(
        write(tmp_path, customers=CUSTOMERS.encode("latin-1") + b"C3,M\xfcller,business,DE\n")
    )
    assert error.path.endswith("customers.csv")
    assert "UTF-8" in error.reason


def test_duplicate_ids(tmp_path: Path) -> None:
    invoices = INVOICES + "I1,C2,2026-01-05,2026-02-04,1.00,EUR\n"
    error = load_error(write(tmp_path, invoices=invoices))
    assert (error.line, error.column, error.value) == (4, "id", "I1")
    assert isinstance(error.__cause__, DuplicateIdError)


def test_duplicate_customer_ids(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, customers=CUSTOMERS + "C1,Other,business,BE\n"))
    assert error.path.endswith("customers.csv")
    assert (error.line, error.column, error.value) == (4, "id", "C1")


def test_unknown_customer_id(tmp_path: Path) -> None:
    invoices = INVOICES + "I3,C9,2026-01-05,2026-02-04,1.00,EUR\n"
    error = load_error(write(tmp_path, invoices=invoices))
    assert (error.line, error.column, error.value) == (4, "customer_id", "C9")
    assert isinstance(error.__cause__, UnknownReferenceError)


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("-5.00", "negative"),
        ("abc", "not an amount"),
        ("1,000.00", "not an amount"),
        ("1e3", "not an amount"),
        ("", "not an amount"),
        (" 5.00", "not an amount"),
        ("NaN", "not an amount"),
    ],
)
def test_bad_amounts(tmp_path: Path, amount: str, reason: str) -> None:
    invoices = INVOICES + f'I3,C1,2026-01-05,2026-02-04,"{amount}",EUR\n'
    error = load_error(write(tmp_path, invoices=invoices))
    assert (error.line, error.column, error.value) == (4, "amount", amount)
    assert reason in error.reason


def test_more_decimals_than_the_currency_allows_is_rejected_not_rounded(tmp_path: Path) -> None:
    invoices = INVOICES + "I3,C1,2026-01-05,2026-02-04,12.345,EUR\n"
    error = load_error(write(tmp_path, invoices=invoices))
    assert (error.line, error.column, error.value) == (4, "amount", "12.345")
    assert "3 decimals" in error.reason


def test_jpy_has_no_decimals(tmp_path: Path) -> None:
    invoices = INVOICES + "I3,C1,2026-01-05,2026-02-04,100.5,JPY\n"
    error = load_error(write(tmp_path, invoices=invoices))
    assert (error.line, error.column) == (4, "amount")


def test_zero_payment_is_rejected_by_the_model_rule(tmp_path: Path) -> None:
    payments = "id,customer_id,date,amount,currency\nP1,C1,2026-01-10,0.00,EUR\n"
    error = load_error(write(tmp_path, payments=payments))
    assert (error.line, error.column, error.value) == (2, "amount", "0.00")
    assert isinstance(error.__cause__, InvalidFieldError)


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "2026-1-01", "20260101", "2026-W01-1"])
def test_impossible_or_malformed_dates(tmp_path: Path, day: str) -> None:
    invoices = INVOICES + f"I3,C1,{day},2026-03-31,1.00,EUR\n"
    error = load_error(write(tmp_path, invoices=invoices))
    assert (error.line, error.column, error.value) == (4, "issue_date", day)


def test_due_date_before_issue_date(tmp_path: Path) -> None:
    invoices = INVOICES + "I3,C1,2026-03-01,2026-02-01,1.00,EUR\n"
    error = load_error(write(tmp_path, invoices=invoices))
    assert (error.line, error.column, error.value) == (4, "due_date", "2026-02-01")
    assert isinstance(error.__cause__, InvalidFieldError)


def test_currency_not_iso_4217(tmp_path: Path) -> None:
    invoices = INVOICES + "I3,C1,2026-01-05,2026-02-04,1.00,EUX\n"
    error = load_error(write(tmp_path, invoices=invoices))
    assert (error.line, error.column, error.value) == (4, "currency", "EUX")


def test_payment_in_the_wrong_currency_for_its_invoice(tmp_path: Path) -> None:
    payments = (
        "id,customer_id,date,amount,currency,invoice_id\n"
        "P1,C1,2026-01-10,10.00,EUR,I1\n"
        "P2,C1,2026-01-10,10.00,USD,I1\n"
    )
    error = load_error(write(tmp_path, payments=payments))
    assert error.path.endswith("payments.csv")
    assert (error.line, error.column, error.value) == (3, "invoice_id", "I1")
    assert "USD" in error.reason


@pytest.mark.parametrize(
    ("row", "count"),
    [("I3,C1,2026-01-05,2026-02-04,1.00,EUR,extra", 7), ("I3,C1,2026-01-05,2026-02-04", 4)],
)
def test_row_with_too_many_or_too_few_fields(tmp_path: Path, row: str, count: int) -> None:
    error = load_error(write(tmp_path, invoices=INVOICES + row + "\n"))
    assert error.line == 4
    assert f"{count} fields" in error.reason


@pytest.mark.parametrize(
    ("file", "text", "column", "value"),
    [
        ("customers", "id,name,profile,country\nC1,Acme,company,NL\n", "profile", "company"),
        (
            "invoices",
            "id,customer_id,issue_date,due_date,amount,currency,kind\n"
            "I1,C1,2026-01-01,2026-01-31,1.00,EUR,bill\n",
            "kind",
            "bill",
        ),
        (
            "payments",
            "id,customer_id,date,amount,currency,method\nP1,C1,2026-01-10,1.00,EUR,cheque\n",
            "method",
            "cheque",
        ),
    ],
)
def test_unknown_profile_kind_method(
    tmp_path: Path, file: str, text: str, column: str, value: str
) -> None:
    error = load_error(write(tmp_path, **{file: text}))
    assert error.path.endswith(f"{file}.csv")
    assert (error.line, error.column, error.value) == (2, column, value)
    assert "expected one of" in error.reason


def test_bad_country_is_reported_by_column(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, customers="id,name,profile,country\nC1,Acme,business,XX\n"))
    assert (error.line, error.column, error.value) == (2, "country", "XX")


def test_bad_email_is_reported_by_column(tmp_path: Path) -> None:
    text = "id,name,profile,country,email\nC1,Acme,business,NL,nobody\n"
    error = load_error(write(tmp_path, customers=text))
    assert (error.line, error.column, error.value) == (2, "email", "nobody")


def test_credit_limit_needs_currency(tmp_path: Path) -> None:
    text = "id,name,profile,country,credit_limit\nC1,Acme,business,NL,100\n"
    error = load_error(write(tmp_path, customers=text))
    assert (error.line, error.column) == (2, "currency")


def test_multiline_field_counts_physical_lines(tmp_path: Path) -> None:
    customers = 'id,name,profile,country\nC1,"Acme\nB.V.",business,NL\nC2,X,business,ZZ\n'
    error = load_error(write(tmp_path, customers=customers))
    assert (error.line, error.column, error.value) == (4, "country", "ZZ")


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    invoices = INVOICES + "\nI3,C1,2026-01-05,2026-02-04,oops,EUR\n"
    error = load_error(write(tmp_path, invoices=invoices))
    assert error.line == 5


def test_malformed_quoting(tmp_path: Path) -> None:
    error = load_error(
        write(tmp_path, customers='id,name,profile,country\nC1,"Ac"me,business,NL\n')
    )
    assert error.line == 2
    assert "malformed CSV" in error.reason


def test_due_date_from_terms(tmp_path: Path) -> None:
    invoices = (
        "id,customer_id,issue_date,due_date,amount,currency,terms\n"
        "I1,C1,2026-03-10,,1.00,EUR,net 30 eom\n"
        "I2,C1,2026-03-10,,1.00,EUR,\n"
    )
    error = load_error(write(tmp_path, invoices=invoices))
    assert (error.line, error.column) == (3, "due_date")
    ledger = load_ledger(write(tmp_path, invoices=invoices.rsplit("I2", 1)[0]))
    assert ledger.invoice("I1").due_date.isoformat() == "2026-04-30"


def test_bad_terms_code(tmp_path: Path) -> None:
    invoices = (
        "id,customer_id,issue_date,due_date,amount,currency,terms\n"
        "I1,C1,2026-03-10,,1.00,EUR,net thirty\n"
    )
    error = load_error(write(tmp_path, invoices=invoices))
    assert (error.line, error.column, error.value) == (2, "terms", "net thirty")


def test_metadata_columns_are_kept(tmp_path: Path) -> None:
    invoices = (
        "id,customer_id,issue_date,due_date,amount,currency,erp_ref,cost center\n"
        "I1,C1,2026-01-01,2026-01-31,1.00,EUR,X-1,\n"
    )
    ledger = load_ledger(write(tmp_path, invoices=invoices))
    assert ledger.invoice("I1").metadata == (("erp_ref", "X-1"),)


def test_plans_rows_must_agree(tmp_path: Path) -> None:
    plans = (
        "plan_id,customer_id,invoice_ids,agreed_on,due_date,amount,currency\n"
        "PL1,C1,I1,2026-02-01,2026-03-01,50.00,EUR\n"
        "PL1,C1,I1,2026-02-02,2026-04-01,50.00,EUR\n"
    )
    error = load_error(write(tmp_path, plans=plans))
    assert error.path.endswith("plans.csv")
    assert (error.line, error.column, error.value) == (3, "agreed_on", "2026-02-02")


def test_plans_unknown_column_is_an_error(tmp_path: Path) -> None:
    plans = "plan_id,customer_id,invoice_ids,agreed_on,due_date,amount,currency,note\n"
    error = load_error(write(tmp_path, plans=plans))
    assert (error.line, error.column) == (1, "note")


def test_plan_for_invoice_of_another_customer(tmp_path: Path) -> None:
    plans = (
        "plan_id,customer_id,invoice_ids,agreed_on,due_date,amount,currency\n"
        "PL1,C1,I1,2026-02-01,2026-03-01,50.00,EUR\n"
        "PL2,C1,I1 I2,2026-02-01,2026-03-01,50.00,EUR\n"
    )
    error = load_error(write(tmp_path, plans=plans))
    assert (error.line, error.column, error.value) == (3, "invoice_ids", "I2")


def test_trial_ending_before_start(tmp_path: Path) -> None:
    trials = "id,customer_id,ends,starts\nT1,C1,2026-01-01,2026-02-01\n"
    error = load_error(write(tmp_path, trials=trials))
    assert error.path.endswith("trials.csv")
    assert error.line == 2


# -- JSON ---------------------------------------------------------------------


def _document() -> dict[str, object]:
    return {
        "format": "arpolicy-ledger",
        "version": 1,
        "customers": [{"id": "C1", "name": "Acme", "profile": "business", "country": "NL"}],
        "invoices": [
            {
                "id": f"I{n}",
                "customer_id": "C1",
                "issue_date": "2026-01-01",
                "due_date": "2026-01-31",
                "amount": {"amount": "10.00", "currency": "EUR"},
            }
            for n in range(5)
        ],
    }


def json_error(tmp_path: Path, document: object) -> LoadError:
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_ledger(path)
    assert info.value.path == str(path)
    return info.value


def test_json_valid_document_loads(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(_document()), encoding="utf-8")
    assert len(load_ledger(path).invoices) == 5


def test_json_error_names_the_path(tmp_path: Path) -> None:
    document = _document()
    document["invoices"][3]["amount"]["amount"] = "12.345"  # type: ignore[index]
    error = json_error(tmp_path, document)
    assert (error.line, error.column, error.value) == (None, "invoices[3].amount.amount", "12.345")


def test_json_amount_must_be_a_string(tmp_path: Path) -> None:
    document = _document()
    document["invoices"][1]["amount"]["amount"] = 12.5  # type: ignore[index]
    error = json_error(tmp_path, document)
    assert error.column == "invoices[1].amount.amount"


def test_json_unknown_key(tmp_path: Path) -> None:
    document = _document()
    document["invoices"][2]["colour"] = "red"  # type: ignore[index]
    error = json_error(tmp_path, document)
    assert error.column == "invoices[2].colour"


def test_json_unknown_reference(tmp_path: Path) -> None:
    document = _document()
    document["invoices"][4]["customer_id"] = "C9"  # type: ignore[index]
    error = json_error(tmp_path, document)
    assert (error.column, error.value) == ("invoices[4].customer_id", "C9")


def test_json_duplicate_id(tmp_path: Path) -> None:
    document = _document()
    document["invoices"][4]["id"] = "I0"  # type: ignore[index]
    error = json_error(tmp_path, document)
    assert error.column == "invoices[4].id"


def test_json_wrong_format_and_syntax(tmp_path: Path) -> None:
    document = _document()
    document["format"] = "other"
    assert json_error(tmp_path, document).column == "format"
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": \n}', encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_ledger(path)
    assert info.value.line == 3


def test_json_missing_required_key(tmp_path: Path) -> None:
    document = _document()
    del document["invoices"][0]["due_date"]  # type: ignore[attr-defined]
    assert json_error(tmp_path, document).column == "invoices[0].due_date"
