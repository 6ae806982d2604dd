"""Writing output completely: files that a reader never sees half of, and streams.

Both writers report a failure as :class:`~arpolicy.errors.OutputError` and
return only once the text is written completely: on disk (``fsync``) for a
file, and flushed to the operating system for a stream (``fsync`` too when
the stream is a regular file). ``arpolicy run`` relies on that to record in
its journal only what was written.
"""

from __future__ import annotations

import contextlib
import errno as errno_codes
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from ..errors import OutputError

__all__ = ["STDOUT", "Chunks", "discard_stream", "write_stream", "write_text_atomic"]

Chunks = str | bytes | Iterable[str | bytes]
"""Output as one text, one run of bytes, or pieces of either written one after another."""


def _pieces(content: Chunks) -> Iterable[str | bytes]:
    return (content,) if isinstance(content, str | bytes) else content


STDOUT = "standard output"
"""The name :class:`~arpolicy.errors.OutputError` gives standard output."""


def _umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    current = os.umask(0o022)
    os.umask(current)
    return current


def _error(target: str | Path, exc: OSError) -> OutputError:
    code = errno_codes.errorcode.get(exc.errno) if exc.errno is not None else None
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputError(target, reason, errno=code)


def _fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (where directories can be opened)."""
    try:
        handle = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # Windows cannot open a directory; its renames are journaled
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def write_text_atomic(target: Path, text: Chunks) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``target`` atomically and durably.

    ``text`` may also be bytes, or an iterable of text and bytes pieces that
    are written one after another as they come (a large output is never
    held in memory as one string).

    The text goes to a temporary file beside ``target``, is flushed and
    ``fsync``-ed, then replaces ``target``, and the directory is ``fsync``-ed,
    so ``target`` holds either its old content or all of the new one, also
    after a power cut once this function has returned. The parent directory
    is created when missing. A replaced file keeps its permissions; a new one
    gets those :func:`open` would give it (``0666`` less the umask).

    Returns:
        ``target``.

    Raises:
        OutputError: the file could not be written (a full disk, no
            permission ...); ``target`` is left as it was.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(target.stat().st_mode)  # replacing a file keeps its mode
        except FileNotFoundError:
            mode = 0o666 & ~_umask()  # a new file gets the mode open() would give it
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise _error(target, exc) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            for piece in _pieces(text):
                out.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)  # mkstemp makes it 0600
        os.replace(temporary, target)
        _fsync_directory(target.parent)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise _error(target, exc) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _fileno(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None


def write_stream(stream: TextIO | None, text: Chunks, *, name: str = STDOUT) -> None:
    """Write ``text`` to ``stream`` completely: write, flush, and ``fsync`` a file.

    When the stream is a regular file (``> today.csv``) it is ``fsync``-ed
    too; a pipe or a terminal is only flushed, as nothing more can be done.

    Args:
        stream: the stream (usually ``sys.stdout``); ``None`` when the process
            was started with it closed.
        text: the text, bytes (written to the stream's binary buffer), or an
            iterable of such pieces written one after another.
        name: what to call the stream in an error.

    Raises:
        OutputError: the stream is closed, or writing, flushing or ``fsync``
            failed (``ENOSPC`` on a full disk, ``EPIPE`` when the reader went
            away, ``EBADF`` when the descriptor is closed). Part of the text
            may have been written before the failure.
    """
    if stream is None or stream.closed:
        raise OutputError(name, "it is closed", errno="EBADF")
    try:
        for piece in _pieces(text):
            if isinstance(piece, str):
                stream.write(piece)
            else:
                stream.flush()
                stream.buffer.write(piece)
        stream.flush()
        handle = _fileno(stream)
        if handle is not None and stat.S_ISREG(os.fstat(handle).st_mode):
            os.fsync(handle)
    except OSError as exc:
        raise _error(name, exc) from exc
    except ValueError as exc:  # closed under us, or a character its encoding lacks
        raise OutputError(name, str(exc), errno="EBADF" if stream.closed else None) from exc


def discard_stream(stream: TextIO | None) -> None:
    """Point ``stream``'s descriptor at :data:`os.devnull` after a failed write.

    Text that could not be written stays in the stream's buffer, and the
    interpreter's last flush would fail again on exit (an ``Exception
    ignored`` message and exit status 120). Sending it to ``os.devnull``
    drops it. Streams without a descriptor are left alone.
    """
    if stream is None:
        return
    handle = _fileno(stream)
    if handle is None:
        return
    sink = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(sink, handle)
    finally:
        os.close(sink)
    with contextlib.suppress(OSError, ValueError):
        stream.flush()
