"""Rendered messages as files: one per action, named so that they sort by date.

:func:`message_files` turns rendered messages into file names and contents
(pure and deterministic); :func:`write_message_files` writes them, each
atomically. The command line's ``plan --render DIR`` uses both, after it has
rendered every action, so that a template error leaves no file behind.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs

from ..actions import Action
from ..errors import LoadError
from ..messages._model import Company, Message
from ._files import write_text_atomic

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


def write_message_files(directory: str | Path, files: Mapping[str, str]) -> list[Path]:
    """Write ``files`` into ``directory`` (created when missing), each atomically.

    Returns:
        The paths written, in order.
    """
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    return [write_text_atomic(root / name, text) for name, text in files.items()]


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
