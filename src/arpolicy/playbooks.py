"""The built-in playbook: a policy per customer profile and one for deposits.

The playbook lives in the package data file ``data/playbooks/default.toml``,
a commented TOML file that doubles as a worked example (see
``docs/reference/policy-files.md`` for a summary of its steps).

Examples:
    >>> book = default_playbook()
    >>> policy_names()
    ('business-standard', 'government-standard', 'private-standard', 'deposit')
    >>> steps = book.policy("business-standard").steps
    >>> [(s.offset_days, s.channels) for s in steps[:3]]
    [(-3, ('email',)), (1, ('phone',)), (3, ('email',))]
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from .io.policy_toml import loads_playbook
from .policy import Playbook

__all__ = ["builtin_playbook_path", "default_playbook", "policy_names"]

_RESOURCE = ("data", "playbooks", "default.toml")


def builtin_playbook_path() -> Path:
    """The path of the built-in playbook file, for reading or copying.

    Returns:
        The ``default.toml`` file inside the installed package.
    """
    return Path(str(files("arpolicy").joinpath(*_RESOURCE)))


@cache
def default_playbook() -> Playbook:
    """The built-in playbook (loaded once, then cached; playbooks are immutable).

    Returns:
        The playbook of ``builtin_playbook_path()``: policies
        ``business-standard``, ``government-standard``, ``private-standard``
        (chosen by profile) and ``deposit`` (for deposit requests).
    """
    text = files("arpolicy").joinpath(*_RESOURCE).read_text(encoding="utf-8")
    return loads_playbook(text, source=str(builtin_playbook_path()))


def policy_names() -> tuple[str, ...]:
    """The names of the built-in policies, in file order.

    Returns:
        A tuple of policy names.
    """
    return tuple(p.name for p in default_playbook().policies)
