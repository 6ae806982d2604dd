"""Shared pytest configuration: Hypothesis settings profiles, the records_built fixture.

Choose a profile with the ``HYPOTHESIS_PROFILE`` environment variable:

* ``dev`` (default): Hypothesis' defaults without the per-example deadline
  (timings are never a pass/fail criterion here), for everyday runs.
* ``ci``: derandomized (the same examples on every run, so CI never flakes on
  a newly found example), no deadline (shared CI machines have noisy
  timing), about 100 examples per test, and a reproduction blob printed on
  failure.
* ``thorough``: 2000 examples per test, for a long hunt before a release.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

from arpolicy.ledger import _views

if TYPE_CHECKING:
    import polars as pl

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=100, print_blob=True)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def records_built(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many records of each kind a table-backed ledger builds, counted from now on."""
    built: dict[str, int] = {}

    def counting(kind: str, build: Callable[[pl.DataFrame], Sequence[Any]]) -> Any:
        def wrapper(frame: pl.DataFrame) -> Sequence[Any]:
            built[kind] = built.get(kind, 0) + frame.height
            return build(frame)

        return wrapper

    for kind, build in list(_views.BUILDERS.items()):
        monkeypatch.setitem(_views.BUILDERS, kind, counting(kind, build))
    return built
