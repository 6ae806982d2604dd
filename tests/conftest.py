"""Shared pytest configuration: Hypothesis settings profiles.

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

from hypothesis import settings

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=100, print_blob=True)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
