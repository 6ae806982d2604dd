"""Rendered messages as files: one per action, named so that they sort by date.

:func:`message_files` turns rendered messages into file names and contents
(pure and deterministic); :func:`write_message_files` writes them, all of
them or none. The command line's ``plan --render DIR`` uses both, after it
has rendered every action, so that a template error leaves no file behind.
"""

from __future__ import annotations

import errno as errno_codes
import os
import re
import shutil
import stat
import tempfile
import threading
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs

from ..actions import Action
from ..errors import LoadError
from ..messages._model import Company, Message
from ._files import _error, _fsync_directory, _umask

__all__ = ["load_company", "message_files", "message_stem", "write_message_files"]

_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def _safe(part: str) -> str:
    """``part`` with every run of characters other than letters, digits, ``.``
    and ``-`` replaced by ``-``, and no leading dots or dashes."""
    return _UNSAFE.sub("-", part).strip(".-") or "x"


def message_stem(action: Action) -> str:
    """The file name of an action's message without its suffix.

    ``<date>_<customer>_<step>_<channel>``, each part reduced to safe
    characters (letters, digits, ``.`` and ``-``):

    >>> from datetime import date
    >>> from arpolicy.engine import plan
    >>> from arpolicy.sample import sample_ledger
    >>> day = date(2026, 11, 2)
    >>> action = plan(sample_ledger(as_of=day), as_of=day).actions[0]
    >>> message_stem(action)
    '2026-11-02_C006_call_phone'
    >>> message_stem(attrs.evolve(action, customer_id="C/7 ü"))
    '2026-11-02_C-7_call_phone'
    """
    parts = (action.date.isoformat(), action.customer_id, action.step, action.channel)
    return "_".join(_safe(part) for part in parts)


def _text(message: Message) -> str:
    if message.subject:
        return f"{message.subject}\n\n{message.text}"
    return message.text


def message_files(pairs: Iterable[tuple[Action, Message]]) -> dict[str, str]:
    """File name → content for rendered messages, in the order given.

    A message with HTML becomes ``<stem>.html`` (the HTML document), any
    other ``<stem>.txt`` (the subject, a blank line, the text). Attachments
    go beside it as ``<stem>.<attachment name>``. When two actions have the
    same stem, the later ones get ``-2``, ``-3`` ... appended.

    Args:
        pairs: each action with its message.

    Returns:
        The files, by name.
    """
    files: dict[str, str] = {}
    seen: dict[str, int] = {}
    for action, message in pairs:
        stem = message_stem(action)
        seen[stem] = seen.get(stem, 0) + 1
        if seen[stem] > 1:
            stem = f"{stem}-{seen[stem]}"
        if message.html is not None:
            files[f"{stem}.html"] = message.html
        else:
            files[f"{stem}.txt"] = _text(message)
        for attachment in message.attachments:
            files[f"{stem}.{_safe(attachment.name)}"] = attachment.content
    return files


_STAGING = ".arpolicy-render-"
_WRITERS = 8
"""Threads writing and ``fsync``-ing the staged files: the waits for the
disk overlap, and the file system commits many of them together."""


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "xb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _stage(jobs: Sequence[tuple[Path, bytes]]) -> None:
    """Write and ``fsync`` every file of ``jobs``, a few threads at a time.

    Raises:
        OutputError: the first file that could not be written.
    """
    failures: list[tuple[int, Path, OSError]] = []

    def work(start: int) -> None:
        for index in range(start, len(jobs), _WRITERS):
            path, data = jobs[index]
            try:
                _write_synced(path, data)
            except OSError as exc:
                failures.append((index, path, exc))
                return

    threads = [threading.Thread(target=work, args=(n,)) for n in range(min(_WRITERS, len(jobs)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        _, path, exc = min(failures, key=lambda failure: failure[0])
        raise _error(path, exc)


def write_message_files(directory: str | Path, files: Mapping[str, str]) -> list[Path]:
    """Write ``files`` into ``directory`` (created when missing): all or none.

    The files are written into a hidden staging directory on the same file
    system first (``.arpolicy-render-*`` beside ``directory`` when it is
    new, inside it when it exists), each flushed to disk (``fsync``). Only
    then do they take their places:

    * a new ``directory`` is the staging directory renamed, in one step:
      it appears with every file or not at all, also after a crash or a
      power cut;
    * in an existing ``directory`` each file is renamed into place (a file
      of the same name is replaced and keeps its permissions; other files
      stay). A crash during these renames, which take milliseconds, can
      leave some of the new files in place and the rest in the staging
      directory, but never a file with part of its text.

    A failure while staging (a full disk, no permission) removes the staging
    directory and leaves ``directory`` as it was.

    Returns:
        The paths written, in order.

    Raises:
        OutputError: a file or the directory could not be written.
    """
    root = Path(directory)
    exists = root.is_dir()
    try:
        if exists:
            staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=root))
        else:
            root.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=_STAGING + root.name + ".", dir=root.parent))
    except OSError as exc:
        raise _error(root, exc) from exc
    try:
        _stage([(staging / name, text.encode("utf-8")) for name, text in files.items()])
        if not exists:
            os.chmod(staging, 0o777 & ~_umask())  # the mode mkdir would give it
            _fsync_directory(staging)
            exists = not _rename_directory(staging, root)
        if exists:  # also when another process made the directory meanwhile
            for name in files:
                _replace(staging / name, root / name)
            _fsync_directory(root)
            staging.rmdir()
        else:
            _fsync_directory(root.parent)
    except OSError as exc:  # an fsync of a directory
        shutil.rmtree(staging, ignore_errors=True)
        raise _error(root, exc) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [root / name for name in files]


def _kept_mode(target: Path) -> int | None:
    """The permissions of the file ``target`` replaces, or ``None`` when new."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _error(target, exc) from exc


def _replace(source: Path, target: Path) -> None:
    """Move the staged file ``source`` to ``target``, keeping ``target``'s mode."""
    mode = _kept_mode(target)
    try:
        if mode is not None:
            os.chmod(source, mode)
        os.replace(source, target)
    except OSError as exc:
        raise _error(target, exc) from exc


def _rename_directory(staging: Path, root: Path) -> bool:
    """Rename ``staging`` to ``root``; ``False`` when ``root`` has appeared with files."""
    try:
        os.replace(staging, root)
    except OSError as exc:
        if exc.errno in (errno_codes.ENOTEMPTY, errno_codes.EEXIST) and root.is_dir():
            return False
        raise _error(root, exc) from exc
    return True


def load_company(path: str | Path) -> Company:
    """The creditor's details from a TOML file of :class:`Company` fields.

    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "company.toml"
    >>> _ = file.write_text('name = "Example B.V."\\niban = "NL91ABNA0417164300"\\n')
    >>> load_company(file).iban
    'NL91ABNA0417164300'

    Raises:
        LoadError: the file cannot be read, is not TOML, or has a key that is
            not a field or a value that is not a string.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise LoadError(file, f"cannot read the file: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise LoadError(file, f"not TOML: {error}") from error
    fields = {f.name for f in attrs.fields(Company)}
    for key, value in data.items():
        if key not in fields:
            raise LoadError(file, f"unknown key {key!r}; expected one of {sorted(fields)}")
        if not isinstance(value, str):
            raise LoadError(file, f"{key} must be a string, not {value!r}")
    return Company(**data)
