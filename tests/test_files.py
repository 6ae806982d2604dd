"""Atomic writes keep the permissions a user expects; failed writes say so."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

import pytest

from arpolicy.errors import OutputError
from arpolicy.io._files import write_stream, write_text_atomic


def test_a_new_file_gets_the_mode_open_would_give(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        written = write_text_atomic(tmp_path / "report.html", "<p>hi</p>\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(written.stat().st_mode) == 0o640  # 0666 less umask 027
    assert written.read_text(encoding="utf-8") == "<p>hi</p>\n"


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o604)
    write_text_atomic(target, "new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert target.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temporary left


def test_a_file_that_cannot_be_written_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "plan.json"
    blocker.write_text("old\n", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        write_text_atomic(blocker / "inner.json", "new\n")
    assert caught.value.target == str(blocker / "inner.json")
    assert blocker.read_text(encoding="utf-8") == "old\n"


def test_a_closed_stream_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write standard output: it is closed"):
        write_stream(None, "text\n")
    stream = (tmp_path / "out.txt").open("w", encoding="utf-8")
    stream.close()
    with pytest.raises(OutputError) as caught:
        write_stream(stream, "text\n", name="out.txt")
    assert (caught.value.target, caught.value.errno) == ("out.txt", "EBADF")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_device_is_an_output_error() -> None:
    full = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        with pytest.raises(OutputError) as caught:
            write_stream(full, "text\n")
        assert caught.value.errno == "ENOSPC"
    finally:
        with contextlib.suppress(OSError):  # closing flushes the unwritten text again
            full.close()
