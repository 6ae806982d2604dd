"""``dump_ledger`` of a table-backed ledger writes from the tables: the records path's bytes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from arpolicy.errors import InvalidFieldError
from arpolicy.io import dump_csv, dump_ledger, load_csv, load_ledger
from arpolicy.io._table_cells import cell_frames
from arpolicy.model import Ledger
from arpolicy.sample import sample_ledger
from strategies_io import awkward_ledgers


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _records_copy(ledger: Ledger) -> Ledger:
    """The same ledger built from records (so ``dump_csv`` takes the records path)."""
    return Ledger(ledger.customers, ledger.invoices, ledger.payments, ledger.plans, ledger.trials)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(awkward_ledgers())
def test_the_tables_path_writes_the_bytes_of_the_records_path(ledger: Ledger) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        first = dump_csv(ledger, Path(tmp) / "records")
        loaded = load_csv(first)
        assert loaded._stored_tables() is not None
        assert cell_frames(loaded._stored_tables()) is not None  # the tables path is taken
        second = dump_csv(loaded, Path(tmp) / "tables")
        assert _files(second) == _files(first)
        assert load_csv(second) == ledger


def test_the_sample_ledger_dumps_to_the_same_bytes_from_tables(tmp_path: Path) -> None:
    sample = sample_ledger()
    from_records = dump_ledger(sample, tmp_path / "a")
    loaded = load_ledger(from_records)
    from_tables = dump_ledger(loaded, tmp_path / "b")
    assert _files(from_tables) == _files(from_records)
    assert loaded == sample


def test_a_value_no_file_can_hold_raises_as_from_records(tmp_path: Path) -> None:
    """An empty reference in frames handed over: the records path words the error."""
    ledger = load_ledger(dump_ledger(sample_ledger(), tmp_path / "a"))
    tables = ledger.tables
    broken = Ledger._from_tables(
        type(tables)(
            tables.customers.with_columns(pl.lit("").alias("policy")),
            tables.invoices,
            tables.payments,
            tables.instalments,
            tables.trials,
        )
    )
    assert cell_frames(broken._stored_tables()) is None
    with pytest.raises(InvalidFieldError) as raised:
        dump_csv(broken, tmp_path / "b")
    with pytest.raises(InvalidFieldError) as expected:
        dump_csv(_records_copy(broken), tmp_path / "c")
    assert str(raised.value) == str(expected.value)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(awkward_ledgers())
def test_the_json_file_from_tables_is_that_from_records(ledger: Ledger) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        loaded = load_csv(dump_csv(ledger, Path(tmp) / "records"))
        from_tables = dump_ledger(loaded, Path(tmp) / "tables.json").read_bytes()
        from_records = dump_ledger(ledger, Path(tmp) / "records.json").read_bytes()
        assert from_tables == from_records
