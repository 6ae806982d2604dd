"""`write_message_files`: the files of `--render DIR` appear all of them or none."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from arpolicy.errors import OutputError
from arpolicy.io import message_files as module
from arpolicy.io.message_files import write_message_files

FILES = {f"2026-11-02_C{n:03d}_reminder_email.html": f"<p>message {n} €</p>\n" for n in range(40)}


def umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def listing(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir()}


def test_a_new_directory_appears_with_every_file(tmp_path: Path) -> None:
    out = tmp_path / "outbox" / "2026-11-02"
    paths = write_message_files(out, FILES)
    assert paths == [out / name for name in FILES]
    assert listing(out) == {name: text.encode("utf-8") for name, text in FILES.items()}
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask()
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask()
    assert sorted(p.name for p in out.parent.iterdir()) == ["2026-11-02"]  # no staging left


def test_an_existing_directory_keeps_its_other_files_and_their_modes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    first = next(iter(FILES))
    (out / first).write_text("old\n")
    os.chmod(out / first, 0o640)
    write_message_files(out, FILES)
    found = listing(out)
    assert found.pop("notes.txt") == b"mine\n"
    assert found == {name: text.encode("utf-8") for name, text in FILES.items()}
    assert stat.S_IMODE((out / first).stat().st_mode) == 0o640


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_write_leaves_the_directory_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    out = tmp_path / "out"
    if existing:
        out.mkdir()
        (out / next(iter(FILES))).write_text("old\n")
    before = listing(out) if existing else None
    real = module._write_synced
    bad = sorted(FILES)[17]

    def failing(path: Path, data: bytes) -> None:
        if path.name == bad:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(module, "_write_synced", failing)
    with pytest.raises(OutputError, match="No space left on device") as caught:
        write_message_files(out, FILES)
    assert caught.value.errno == "ENOSPC"
    assert bad in caught.value.target
    if existing:
        assert listing(out) == before
    else:
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == (["out"] if existing else [])


def test_a_file_in_the_way_is_an_output_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("a file\n")
    with pytest.raises(OutputError):
        write_message_files(out, FILES)
    assert out.read_text() == "a file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_no_files_make_an_empty_directory(tmp_path: Path) -> None:
    assert write_message_files(tmp_path / "empty", {}) == []
    assert list((tmp_path / "empty").iterdir()) == []
