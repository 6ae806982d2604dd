"""Atomic writes keep the permissions a user expects."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from arpolicy.io._files import write_text_atomic


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
