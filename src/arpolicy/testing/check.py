"""Run the laws of :mod:`arpolicy.testing.laws` against a playbook with
generated ledgers (Hypothesis).

>>> from arpolicy.playbooks import default_playbook
>>> check_policy(default_playbook(), max_examples=5)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..model import Ledger
from ..plugins import Plugins
from ..policy import Playbook
from . import strategies
from .laws import ALL, WINDOW_DAYS, Law, Scenario, is_static

__all__ = ["DEFAULT_DATES", "check_policy", "default_ledgers"]

DEFAULT_DATES = (date(2026, 3, 1), date(2026, 6, 30))
"""The planning dates :func:`check_policy` draws from by default."""


def default_ledgers() -> st.SearchStrategy[Ledger]:
    """The ledgers :func:`check_policy` draws by default: up to 3 customers of
    every profile, 8 invoices and 4 payments in euros, dated January to May
    2026 (so that, planned from March to June, many are overdue), with
    disputes, holds, blocks, payment plans and trials."""
    return strategies.ledgers(
        max_customers=3,
        max_invoices=8,
        max_payments=4,
        currencies=("EUR",),
        start=date(2026, 1, 1),
        end=date(2026, 5, 31),
    )


def check_policy(
    playbook: Playbook,
    *,
    laws: Sequence[Law] = ALL,
    max_examples: int = 100,
    ledgers: st.SearchStrategy[Ledger] | None = None,
    dates: st.SearchStrategy[date] | None = None,
    plugins: Plugins | None = None,
    window_days: int = WINDOW_DAYS,
) -> None:
    """Check that ``playbook`` keeps ``laws`` on generated ledgers and dates.

    Each example draws a ledger and a planning date and runs every law (see
    :mod:`arpolicy.testing.laws`; the laws that simulate look at the
    ``window_days`` days up to the date). When a law breaks, Hypothesis shrinks the example to
    the smallest ledger that still breaks it, and the error shows that
    ledger, the date and the offending action. Laws about the playbook alone
    (``at_least_reminders``) run once, before any ledger is drawn. Settings not given here
    (derandomization, the example database) come from the active Hypothesis
    profile.

    Args:
        playbook: the policies to check.
        laws: the laws to check (default: all of them).
        max_examples: how many ledgers to try.
        ledgers: a strategy of ledgers (default: :func:`default_ledgers`).
        dates: a strategy of planning dates (default: :data:`DEFAULT_DATES`).
        plugins: the plugins to plan with (default: the built-in ones).
        window_days: how many days before each planning date the laws that
            simulate look at (shorter is faster).

    Raises:
        LawViolationError: a law is broken; the message shows the shrunk case.
    """
    dynamic = tuple(law for law in laws if not is_static(law))
    for law in laws:
        if is_static(law):  # about the playbook only: once, with an empty ledger
            law(Scenario(Ledger([], []), DEFAULT_DATES[0], playbook, plugins))
    if not dynamic:
        return

    @settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        ledger=ledgers if ledgers is not None else default_ledgers(),
        as_of=dates if dates is not None else st.dates(*DEFAULT_DATES),
    )
    def run(ledger: Ledger, as_of: date) -> None:
        scenario = Scenario(ledger, as_of, playbook, plugins, window_days)
        for law in dynamic:
            law(scenario)

    run()
