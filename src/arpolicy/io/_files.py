"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

__all__ = ["write_text_atomic"]


def _umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_text_atomic(target: Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``target`` atomically.

    The text goes to a temporary file beside ``target`` that then replaces it,
    so ``target`` holds either its old content or all of the new one. The
    parent directory is created when missing. A replaced file keeps its
    permissions; a new one gets those :func:`open` would give it (``0666``
    less the umask).

    Returns:
        ``target``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)  # replacing a file keeps its mode
    except FileNotFoundError:
        mode = 0o666 & ~_umask()  # a new file gets the mode open() would give it
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(temporary, mode)  # mkstemp makes it 0600
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
