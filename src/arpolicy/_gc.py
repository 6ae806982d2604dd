"""Pausing the cyclic garbage collector around bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block.

    Loading a ledger or planning it creates millions of objects that hold no
    reference cycles; the collector would rescan all live objects again and
    again while they are made (measured: a million-invoice load several times
    slower, and a plan of 100,000 invoices 30% slower). Reference counting
    still frees everything as usual. The previous state is restored, also when
    the block raises, and nesting is harmless.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
