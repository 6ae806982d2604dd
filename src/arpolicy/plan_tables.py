"""A plan's actions and skipped entries as Polars tables (and Arrow through Polars).

:meth:`arpolicy.Plan.to_polars` and :meth:`arpolicy.Plan.to_arrow` call
:func:`plan_table`; the columns are :data:`ACTION_SCHEMA` (one row per
action, in the plan's order) and :data:`SKIPPED_SCHEMA` (one row per skipped
entry, in the plan's order). Money is exact: every amount is an ``Int64``
count of the currency's minor units (cents for EUR, yen for JPY, fils for
KWD), and ``minor_digits`` says where the decimal point goes, so
``principal / 10 ** minor_digits`` is the amount. Nothing is a float.

>>> from datetime import date
>>> from arpolicy import plan
>>> from arpolicy.playbooks import default_playbook
>>> from arpolicy.sample import sample_ledger
>>> result = plan(sample_ledger(), as_of=date(2026, 11, 2), playbook=default_playbook())
>>> table = result.to_polars()
>>> table.height == len(result.actions)
True
>>> table.select("customer_id", "step", "currency", "minor_digits", "principal").row(0)
('C006', 'call', 'EUR', 2, 115260)
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

from .actions import Action, Skipped
from .errors import CurrencyMismatchError, MissingExtraError
from .fees import ChargeKind
from .money import Money, minor_unit

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "ACTION_COLUMNS",
    "SKIPPED_COLUMNS",
    "PlanTableName",
    "action_rows",
    "actions_frame",
    "minor_text",
    "plan_arrow",
    "plan_table",
    "skipped_frame",
]

PlanTableName = Literal["actions", "skipped"]
"""Which table of a plan: its ``"actions"`` or its ``"skipped"`` entries."""

ACTION_COLUMNS: Final = (
    "key",
    "date",
    "customer_id",
    "kind",
    "policy",
    "step",
    "level",
    "channel",
    "tone",
    "template",
    "formal",
    "requires_acknowledgement",
    "invoice_ids",
    "currency",
    "minor_digits",
    "principal",
    "fees",
    "interest",
    "compensation",
    "collection_costs",
    "announced_costs",
    "total_due",
    "deadline",
    "reason_codes",
    "reason_texts",
)
"""The columns of the actions table, in order."""

SKIPPED_COLUMNS: Final = ("customer_id", "invoice_id", "step", "reason", "detail")
"""The columns of the skipped table, in order."""

_AMOUNTS: Final = (
    "principal",
    "fees",
    "interest",
    "compensation",
    "collection_costs",
    "announced_costs",
    "total_due",
)


def _action_schema() -> dict[str, Any]:
    import polars as pl  # noqa: PLC0415 - Polars is imported when a table is made

    types: dict[str, Any] = {
        "key": pl.String,
        "date": pl.Date,
        "customer_id": pl.String,
        "kind": pl.String,
        "policy": pl.String,
        "step": pl.String,
        "level": pl.Int32,
        "channel": pl.String,
        "tone": pl.String,
        "template": pl.String,
        "formal": pl.Boolean,
        "requires_acknowledgement": pl.Boolean,
        "invoice_ids": pl.List(pl.String),
        "currency": pl.String,
        "minor_digits": pl.Int8,
        **dict.fromkeys(_AMOUNTS, pl.Int64),
        "deadline": pl.Date,
        "reason_codes": pl.List(pl.String),
        "reason_texts": pl.List(pl.String),
    }
    return {name: types[name] for name in ACTION_COLUMNS}


def _skipped_schema() -> dict[str, Any]:
    import polars as pl  # noqa: PLC0415 - Polars is imported when a table is made

    return dict.fromkeys(SKIPPED_COLUMNS, pl.String)


def _currency(action: Action) -> str | None:
    if action.amount_due is not None:
        return action.amount_due.currency
    if action.fees is not None:
        return action.fees.currency
    return action.charges[0].amount.currency if action.charges else None


def _units(value: Money | None, currency: str | None) -> int | None:
    if value is None:
        return None
    if value.currency != currency:
        raise CurrencyMismatchError(currency or "", value.currency, "put in one table row")
    return value.minor_units


_KIND_SLOT: Final = {
    ChargeKind.INTEREST: 0,
    ChargeKind.COMPENSATION: 1,
    ChargeKind.COLLECTION_COSTS: 2,
}


def _charge_units(action: Action, currency: str | None) -> list[int | None]:
    """Minor units of interest, compensation, collection costs, announced, all charged.

    One pass over the charges, in integers: the same sums as the
    :class:`~arpolicy.actions.Action` properties, as every amount is
    already rounded to the minor unit.
    """
    sums: list[int | None] = [None, None, None, None, None]
    for charge in action.charges:
        units = _units(charge.amount, currency)
        slot = 3 if charge.announced else _KIND_SLOT.get(charge.kind)
        if slot is not None:
            sums[slot] = (sums[slot] or 0) + (units or 0)
        if not charge.announced:
            sums[4] = (sums[4] or 0) + (units or 0)
    return sums


def action_rows(actions: Iterable[Action]) -> Iterable[tuple[Any, ...]]:
    """One tuple per action, with the values of :data:`ACTION_COLUMNS` in order."""
    for a in actions:
        currency = _currency(a)
        principal = _units(a.amount_due, currency)
        interest, compensation, costs, announced, charged = _charge_units(a, currency)
        yield (
            a.key,
            a.date,
            a.customer_id,
            a.kind.value,
            a.policy,
            a.step,
            a.level,
            a.channel,
            a.tone,
            a.template,
            a.formal,
            a.requires_acknowledgement,
            list(a.invoice_ids),
            currency,
            None if currency is None else minor_unit(currency),
            principal,
            _units(a.fees, currency),
            interest,
            compensation,
            costs,
            announced,
            None if principal is None else principal + (charged or 0),
            a.deadline,
            [r.code for r in a.reasons],
            [r.text for r in a.reasons],
        )


def actions_frame(actions: Sequence[Action]) -> pl.DataFrame:
    """The actions as a table with the columns of :data:`ACTION_COLUMNS`."""
    import polars as pl  # noqa: PLC0415 - Polars is imported when a table is made

    schema = _action_schema()
    columns = list(zip(*action_rows(actions), strict=True)) or [() for _ in schema]
    series = []
    for (name, dtype), values in zip(schema.items(), columns, strict=True):
        if dtype == pl.List(pl.String):
            series.append(_string_lists(name, values))
        else:
            series.append(pl.Series(name, values, dtype=dtype))
    return pl.DataFrame(series)


_SEP: Final = "\x1f"


def _string_lists(name: str, values: Sequence[list[str]]) -> pl.Series:
    """A ``List(String)`` column, built by splitting joined text in Polars.

    Building list columns from Python lists is slow in Polars (about
    7 µs a row); joining in Python and splitting in Polars is several times
    faster. A value holding the separator itself falls back to the slow way.
    """
    import polars as pl  # noqa: PLC0415 - Polars is imported when a table is made

    joined = [_SEP.join(v) for v in values]
    if any(j.count(_SEP) != max(len(v) - 1, 0) for j, v in zip(joined, values, strict=True)):
        return pl.Series(name, values, dtype=pl.List(pl.String))
    frame = pl.DataFrame(
        [pl.Series("j", joined, dtype=pl.String), pl.Series("n", [len(v) for v in values])]
    )
    empty = pl.lit([], dtype=pl.List(pl.String))
    split = pl.when(pl.col("n") == 0).then(empty).otherwise(pl.col("j").str.split(_SEP))
    return frame.select(split.alias(name)).to_series()


def skipped_frame(skipped: Sequence[Skipped]) -> pl.DataFrame:
    """The skipped entries as a table with the columns of :data:`SKIPPED_COLUMNS`."""
    import polars as pl  # noqa: PLC0415 - Polars is imported when a table is made

    rows = [(s.customer_id, s.invoice_id, s.step, s.reason.value, s.detail) for s in skipped]
    return pl.DataFrame(rows, schema=_skipped_schema(), orient="row")


def plan_table(
    actions: Sequence[Action], skipped: Sequence[Skipped], which: PlanTableName
) -> pl.DataFrame:
    """The ``"actions"`` or the ``"skipped"`` table.

    Raises:
        ValueError: ``which`` is neither.
    """
    if which == "actions":
        return actions_frame(actions)
    if which == "skipped":
        return skipped_frame(skipped)
    raise ValueError(f"unknown plan table {which!r}; expected 'actions' or 'skipped'")


def plan_arrow(frame: pl.DataFrame) -> Any:
    """``frame`` as a ``pyarrow.Table`` (needs pyarrow).

    Raises:
        MissingExtraError: pyarrow is not installed.
    """
    if importlib.util.find_spec("pyarrow") is None:
        raise MissingExtraError("arrow", "pyarrow", "an Arrow table")
    return frame.to_arrow()


def minor_text(units: int, digits: int) -> str:
    """An amount in minor units as a decimal string with ``digits`` decimals.

    >>> minor_text(1250, 2), minor_text(-5, 2), minor_text(1000, 0), minor_text(7, 3)
    ('12.50', '-0.05', '1000', '0.007')
    """
    return format(Decimal(units).scaleb(-digits), "f")
