"""The tables the batch hooks take and give (``arpolicy_skip_invoices``,
``arpolicy_adjust_actions``; see :mod:`arpolicy.hookspecs`).

``arpolicy_skip_invoices`` takes one row per open invoice with a policy, in
the columns of :data:`INVOICE_COLUMNS`, and answers rows of
:data:`SKIP_COLUMNS`; ``arpolicy_adjust_actions`` takes the proposed actions
in the columns of :data:`arpolicy.plan_tables.ACTION_COLUMNS` and answers
rows of :data:`VETO_COLUMNS`. Money is exact: ``balance`` is an ``Int64``
count of the currency's minor units, ``minor_digits`` says where the decimal
point goes. Polars is imported when a table is made.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from .actions import SkipReason
from .rules import Skip, Veto

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "INVOICE_COLUMNS",
    "SKIP_COLUMNS",
    "VETO_COLUMNS",
    "invoices_frame",
    "skips_of",
    "vetoes_of",
]

INVOICE_COLUMNS: Final = (
    "customer_id",
    "invoice_id",
    "kind",
    "currency",
    "minor_digits",
    "balance",
    "issue_date",
    "due_date",
    "policy",
    "profile",
    "country",
    "tags",
)
"""The columns of the table ``arpolicy_skip_invoices`` takes, in order:
``minor_digits`` ``Int8``, ``balance`` ``Int64`` (the open amount on the day,
in minor units), the dates ``Date``, ``tags`` (the customer's, sorted)
``List(String)``, the others ``String`` (``policy``: the policy chosen for
the invoice, ``kind`` and ``profile``: the enum values)."""

SKIP_COLUMNS: Final = ("invoice_id", "reason", "detail", "until")
"""The columns of the answer of ``arpolicy_skip_invoices``: ``String``
(``reason`` a :class:`~arpolicy.actions.SkipReason` value) and ``until``
``Date``, which may be left out or null."""

VETO_COLUMNS: Final = ("key", "detail")
"""The columns of the answer of ``arpolicy_adjust_actions``: ``String``."""


def _invoice_schema() -> dict[str, Any]:
    import polars as pl  # noqa: PLC0415 - Polars is imported when a table is made

    types: dict[str, Any] = {
        "minor_digits": pl.Int8,
        "balance": pl.Int64,
        "issue_date": pl.Date,
        "due_date": pl.Date,
        "tags": pl.List(pl.String),
    }
    return {name: types.get(name, pl.String) for name in INVOICE_COLUMNS}


def invoices_frame(rows: Iterable[tuple[Any, ...]]) -> pl.DataFrame:
    """The table of :data:`INVOICE_COLUMNS` from row tuples in that order."""
    import polars as pl  # noqa: PLC0415

    return pl.DataFrame(list(rows), schema=_invoice_schema(), orient="row")


def _checked(
    answer: object, given: pl.DataFrame, id_column: str, columns: tuple[str, ...]
) -> pl.DataFrame:
    """``answer`` as a table of ``columns`` about rows of ``given``.

    Raises:
        ValueError: saying what is wrong, for a :class:`PluginError`.
    """
    import polars as pl  # noqa: PLC0415

    if isinstance(answer, pl.LazyFrame):
        answer = answer.collect()
    if not isinstance(answer, pl.DataFrame):
        raise ValueError(f"not a polars DataFrame: {type(answer).__name__}")
    optional = {"until"}
    missing = [c for c in columns if c not in answer.columns and c not in optional]
    if missing:
        raise ValueError(f"the answer has no column {missing[0]!r} (expected {list(columns)})")
    extra = [c for c in answer.columns if c not in columns]
    if extra:
        raise ValueError(f"unexpected column {extra[0]!r} (expected {list(columns)})")
    for name in columns:
        if name not in answer.columns:
            continue
        dtype = answer.schema[name]
        wanted = pl.Date if name == "until" else pl.String
        if dtype in (pl.Null, wanted):
            continue
        if wanted == pl.String and isinstance(dtype, pl.Categorical | pl.Enum):
            answer = answer.with_columns(pl.col(name).cast(pl.String))
            continue
        raise ValueError(f"column {name!r} is {dtype}, expected {wanted}")
    for name in columns:
        if name != "until" and answer[name].null_count():
            raise ValueError(f"column {name!r} has a null value")
    ids = answer[id_column]
    if ids.is_duplicated().any():
        twice = ids.filter(ids.is_duplicated()).sort()[0]
        raise ValueError(f"{id_column} {twice!r} is answered twice")
    unknown = ids.filter(~ids.is_in(given[id_column].implode()))
    if len(unknown):
        raise ValueError(f"{id_column} {unknown.sort()[0]!r} is not in the table given")
    return answer


def skips_of(answer: object, invoices: pl.DataFrame) -> dict[str, Skip]:
    """The skips of an ``arpolicy_skip_invoices`` answer, by invoice id.

    Raises:
        ValueError: the answer is not a table of :data:`SKIP_COLUMNS` about
            invoices of ``invoices``, one row each, with known reasons.
    """
    table = _checked(answer, invoices, "invoice_id", SKIP_COLUMNS)
    reasons = {r.value for r in SkipReason}
    found: dict[str, Skip] = {}
    until: list[date | None] = (
        table["until"].to_list() if "until" in table.columns else [None] * table.height
    )
    for (iid, reason, detail), day in zip(
        table.select("invoice_id", "reason", "detail").iter_rows(), until, strict=True
    ):
        if reason not in reasons:
            known = ", ".join(sorted(reasons))
            raise ValueError(f"reason {reason!r} of invoice {iid!r} is not one of {known}")
        found[iid] = Skip(reason, detail, day)
    return found


def vetoes_of(answer: object, actions: pl.DataFrame) -> dict[str, Veto]:
    """The vetoes of an ``arpolicy_adjust_actions`` answer, by action key.

    Raises:
        ValueError: the answer is not a table of :data:`VETO_COLUMNS` about
            actions of ``actions``, one row each.
    """
    table = _checked(answer, actions, "key", VETO_COLUMNS)
    return {key: Veto(detail) for key, detail in table.select("key", "detail").iter_rows()}
