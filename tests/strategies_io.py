"""Hypothesis strategies for the ledger file tests.

Built on the public :func:`arpolicy.testing.strategies.ledgers`, with what
files must survive on top: metadata columns, awkward text (commas, quotes,
new lines, non-ASCII), policies and references.
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import strategies as st

from arpolicy.model import Ledger
from arpolicy.testing.strategies import ledgers

# Text a cell must carry unchanged: anything printable or a line break,
# except NUL and lone surrogates (not UTF-8), never empty.
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=12,
)
_NAMES = _TEXT.filter(lambda s: s.strip() != "")
_META_KEYS = st.sampled_from(("erp id", "Region", "x,y", 'quote"d', "ünï", "owner"))
_METADATA = st.dictionaries(_META_KEYS, _TEXT, max_size=3)
_POLICIES = st.none() | st.sampled_from(("strict", "gentle", "b2g-nl"))


@st.composite
def awkward_ledgers(draw: st.DrawFn) -> Ledger:
    """Valid ledgers with metadata and hard-to-quote text in free-text fields."""
    ledger = draw(
        ledgers(max_customers=3, max_invoices=8, max_payments=8, currencies=("EUR", "JPY", "KWD"))
    )

    def maybe(record: Any, **changes: Any) -> Any:
        if not draw(st.booleans()):
            return record
        return attrs.evolve(record, metadata=draw(_METADATA), **changes)

    customers = [maybe(c, name=draw(_NAMES), policy=draw(_POLICIES)) for c in ledger.customers]
    invoices = [maybe(i, reference=draw(st.none() | _TEXT)) for i in ledger.invoices]
    payments = [maybe(p, reference=draw(st.none() | _TEXT)) for p in ledger.payments]
    trials = [attrs.evolve(t, description=draw(st.just("") | _TEXT)) for t in ledger.trials]
    return Ledger(customers, invoices, payments, ledger.plans, trials)
