"""Hypothesis setup hook: type strategies for arpolicy's domain types.

Hypothesis calls :func:`_hypothesis_setup_hook` when it is imported, through
the ``hypothesis`` entry point that arpolicy's package metadata declares::

    [project.entry - points.hypothesis]
    _ = "arpolicy.testing._hypothesis:_hypothesis_setup_hook"

After that, ``st.from_type(Invoice)`` (and ``@given(invoice=...)`` with
``st.builds`` inference, or ``hypothesis write``) draw from the strategies
of :mod:`arpolicy.testing.strategies`. Nothing here runs on ``import
arpolicy``, so Hypothesis stays optional. The strategies module itself is
imported only when a type strategy is first resolved.

:class:`~arpolicy.actions.HistoryEntry` gets no type strategy: an entry only
means something for a given ledger and playbook (use
:func:`~arpolicy.testing.strategies.histories`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _resolver(name: str) -> Callable[[type[Any]], Any]:
    """A resolver that builds ``strategies.<name>()`` on first use."""

    def resolve(_: type[Any]) -> Any:
        from arpolicy.testing import strategies  # noqa: PLC0415  (imports Hypothesis)

        return getattr(strategies, name)()

    return resolve


def _hypothesis_setup_hook() -> None:
    """Register a type strategy for every domain type with Hypothesis.

    Registered: :class:`~arpolicy.money.Money`, :class:`~arpolicy.model.Contacts`,
    :class:`~arpolicy.model.Customer`, :class:`~arpolicy.model.PaymentTerms`,
    :class:`~arpolicy.model.Invoice`, :class:`~arpolicy.model.Payment`,
    :class:`~arpolicy.model.PaymentPlan`, :class:`~arpolicy.model.Trial`,
    :class:`~arpolicy.model.Ledger`, :class:`~arpolicy.policy.Step`,
    :class:`~arpolicy.policy.Policy` and :class:`~arpolicy.policy.Playbook`,
    each to the default strategy of the same name in
    :mod:`arpolicy.testing.strategies` (``Invoice`` to ``invoices()``).
    """
    from hypothesis import strategies as st  # noqa: PLC0415

    from arpolicy.model import (  # noqa: PLC0415
        Contacts,
        Customer,
        Invoice,
        Ledger,
        Payment,
        PaymentPlan,
        PaymentTerms,
        Trial,
    )
    from arpolicy.money import Money  # noqa: PLC0415
    from arpolicy.policy import Playbook, Policy, Step  # noqa: PLC0415

    types: dict[type[Any], str] = {
        Money: "money",
        Contacts: "contacts",
        Customer: "customers",
        PaymentTerms: "payment_terms",
        Invoice: "invoices",
        Payment: "payments",
        PaymentPlan: "payment_plans",
        Trial: "trials",
        Ledger: "ledgers",
        Step: "steps",
        Policy: "policies",
        Playbook: "playbooks",
    }
    for cls, name in types.items():
        st.register_type_strategy(cls, _resolver(name))
