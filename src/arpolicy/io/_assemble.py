"""Records to a :class:`~arpolicy.model.Ledger`: group plan rows, check references.

Shared by the CSV and JSON readers. Errors are reported through ``fail``, a
function of the reader that knows how to name a record's place (file and line,
or JSON path).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import (
    DuplicateIdError,
    InvalidFieldError,
    LoadError,
    UnknownReferenceError,
)
from ..model import Ledger, PaymentPlan
from ._records import CUSTOMERS, INVOICES, PAYMENTS, PLAN_LEVEL, PLANS, TRIALS, PlanRow, Table

Fail = Callable[[Table, int, "str | None", object, str], LoadError]
"""``fail(table, row_index, column, value, reason)`` builds the LoadError."""

_TABLE_OF_KIND = {t.kind: t for t in (CUSTOMERS, INVOICES, PAYMENTS, PLANS, TRIALS)}


def group_plans(rows: Sequence[PlanRow], fail: Fail) -> tuple[list[PaymentPlan], list[int]]:
    """Group instalment rows into plans; return the plans and each plan's first row."""
    first: dict[str, int] = {}
    instalments: dict[str, list[Any]] = {}
    for index, row in enumerate(rows):
        start = first.get(row.plan_id)
        if start is None:
            first[row.plan_id] = index
            instalments[row.plan_id] = [row.instalment]
            continue
        head = rows[start]
        for column, mine, theirs in zip(PLAN_LEVEL, row.plan_level, head.plan_level, strict=True):
            if mine != theirs:
                raise fail(
                    PLANS,
                    index,
                    column,
                    mine,
                    f"differs from the first row of plan {row.plan_id!r} ({theirs!r})",
                )
        instalments[row.plan_id].append(row.instalment)
    plans: list[PaymentPlan] = []
    starts: list[int] = []
    for plan_id, start in first.items():
        head = rows[start]
        try:
            plan = PaymentPlan(
                plan_id,
                head.customer_id,
                head.invoice_ids,
                instalments[plan_id],
                head.agreed_on,
                head.grace_days,
            )
        except InvalidFieldError as error:
            column = "due_date" if error.field == "instalments" else error.field
            if column == "id":
                column = "plan_id"
            raise fail(PLANS, start, column, error.value, error.reason) from error
        plans.append(plan)
        starts.append(start)
    return plans, starts


def build_ledger(
    customers: list[Any],
    invoices: list[Any],
    payments: list[Any],
    plans: list[PaymentPlan],
    plan_starts: list[int],
    trials: list[Any],
    fail: Fail,
) -> Ledger:
    """Build the ledger, turning reference errors into errors at the right row."""
    try:
        return Ledger(customers, invoices, payments, plans, trials)
    except (DuplicateIdError, UnknownReferenceError) as error:
        records = {
            "customer": customers,
            "invoice": invoices,
            "payment": payments,
            "plan": plans,
            "trial": trials,
        }[error.kind]
        table = _TABLE_OF_KIND[error.kind]
        positions = [i for i, record in enumerate(records) if record.id == error.id]
        if isinstance(error, DuplicateIdError):
            index = positions[1]
            column = "plan_id" if table is PLANS else "id"
            value: object = error.id
            reason = f"duplicate {error.kind} id (first on an earlier row)"
        else:
            index = positions[0]
            column = error.field
            value = error.value
            reason = error.reason
        if table is PLANS:
            index = plan_starts[index]
        raise fail(table, index, column, value, reason) from error
