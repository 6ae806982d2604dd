"""Tools for testing code built on arpolicy.

* :mod:`arpolicy.testing.strategies`: Hypothesis strategies for every domain
  type.
* :mod:`arpolicy.testing.laws`: the laws every sane policy satisfies, as
  functions (no Hypothesis needed).
* :func:`check_policy` (from :mod:`arpolicy.testing.check`): runs the laws
  against your playbook with generated ledgers.

Everything that draws examples needs the ``testing`` extra (``pip install
arpolicy[testing]``). This package imports nothing until asked, so that
``import arpolicy`` never needs Hypothesis.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check_policy"]


def __getattr__(name: str) -> Any:
    if name == "check_policy":
        from .check import check_policy  # noqa: PLC0415 - imports Hypothesis on demand

        return check_policy
    raise AttributeError(f"module 'arpolicy.testing' has no attribute {name!r}")
