"""The :class:`Ledger`: records and tables, each built from the other on demand.

A ledger is either *built from records* (``Ledger(customers, invoices, ...)``,
the ERP and test case: validated and indexed in Python, tables made when
asked) or *read as tables* (:meth:`Ledger._from_tables`, used by the CSV,
Parquet and frame readers: validated with vectorised expressions, no record
built until asked). The per-customer methods (:meth:`Ledger.position` and
the rest) run the rule of :mod:`arpolicy.ledger._positions` on that
customer's records either way.

This module imports Polars only on use, so ``import arpolicy`` stays light.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from ..money import Money
from ..records import (
    Customer,
    CustomerPosition,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentPlan,
    PlanState,
    Settlement,
    Trial,
)
from ._positions import Applied, allocate, apply_payments
from ._validate import Index, build_index

if TYPE_CHECKING:
    import polars as pl

    from ._views import Tables

__all__ = ["Ledger"]

_KINDS: Final = ("customer", "invoice", "payment", "plan", "trial")
_ID: Final = {"customer": "customer_id", "invoice": "invoice_id", "payment": "payment_id"}
KERNEL_MIN_INVOICES = 5_000
"""From this many invoices on, :meth:`Ledger.balances` of a ledger holding its
tables runs the vectorised kernel.

Measured (``docs/explanation/ledger-storage.md``): the kernel costs about
10 ms at 10 invoices and 22 ms at 10,000; the per-customer rule on records
already built 0.1 ms and 46 ms; they cross between 3,000 and 10,000.
"""
_SMALL: Final = ("plan", "trial")
"""Kinds built whole on first use (few rows; plans span several rows)."""


class _View:
    """Records of a table-backed ledger, built on demand and cached."""

    __slots__ = ("all", "built", "fetched", "groups", "known", "rows", "small", "tables")

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.all: dict[str, tuple[Any, ...]] = {}
        self.rows: dict[str, dict[str, int]] = {}
        self.groups: dict[str, dict[str, list[int]]] = {}
        self.built: dict[str, dict[int, Any]] = {k: {} for k in _KINDS}
        self.small: dict[str, tuple[dict[str, Any], dict[str, list[Any]]]] = {}
        # records built ahead by id (prefetch), found without the id index
        self.known: dict[str, dict[str, Any]] = {k: {} for k in _KINDS}
        # row indices by customer of the customers prefetched (without the
        # whole table's grouping)
        self.fetched: dict[str, dict[str, list[int]]] = {k: {} for k in _KINDS}

    def _build(self, kind: str, frame: pl.DataFrame) -> Sequence[Any]:
        from ._views import BUILDERS  # noqa: PLC0415 - Polars on use

        return BUILDERS[kind](frame)

    def records(self, kind: str) -> tuple[Any, ...]:
        """Every record of ``kind``, in row order (already built ones reused)."""
        found = self.all.get(kind)
        if found is None:
            records = list(self._build(kind, self.tables.of(kind)))
            for row, record in self.built[kind].items():
                records[row] = record
            found = self.all[kind] = tuple(records)
            self.built[kind] = {}
        return found

    def _small(self, kind: str) -> tuple[dict[str, Any], dict[str, list[Any]]]:
        found = self.small.get(kind)
        if found is None:
            by_id: dict[str, Any] = {}
            by_customer: dict[str, list[Any]] = {}
            for record in self.records(kind):
                by_id[record.id] = record
                by_customer.setdefault(record.customer_id, []).append(record)
            found = self.small[kind] = (by_id, by_customer)
        return found

    def row_of(self, kind: str) -> dict[str, int]:
        """Row index by id (built once, vectorised)."""
        found = self.rows.get(kind)
        if found is None:
            ids = self.tables.of(kind)[_ID[kind]].to_list()
            found = self.rows[kind] = dict(zip(ids, range(len(ids)), strict=True))
        return found

    def group(self, kind: str) -> dict[str, list[int]]:
        """Row indices by customer, customers in order of first appearance."""
        found = self.groups.get(kind)
        if found is None:
            import polars as pl  # noqa: PLC0415 - Polars on use

            grouped = (
                self.tables.of(kind)
                .select("customer_id", pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"))
                .group_by("customer_id", maintain_order=True)
                .agg("_row")
            )
            found = self.groups[kind] = dict(
                zip(grouped["customer_id"].to_list(), grouped["_row"].to_list(), strict=True)
            )
        return found

    def _at(self, kind: str, rows: list[int]) -> list[Any]:
        every = self.all.get(kind)
        if every is not None:
            return [every[r] for r in rows]
        built = self.built[kind]
        try:  # usually all built already: one pass
            return [built[r] for r in rows]
        except KeyError:
            pass
        missing = [r for r in rows if r not in built]
        if missing:
            import polars as pl  # noqa: PLC0415 - Polars on use

            frame = self.tables.of(kind).select(pl.all().gather(missing))
            for row, record in zip(missing, self._build(kind, frame), strict=True):
                built[row] = record
        return [built[r] for r in rows]

    def prefetch(self, customer_ids: Iterable[str]) -> None:
        """Build the records of ``customer_ids`` (customers, invoices,
        payments) in one go per kind, for the per-customer code to come."""
        import polars as pl  # noqa: PLC0415 - Polars on use

        wanted = list(customer_ids)
        if not wanted:
            return
        people = self._at("customer", [self.row_of("customer")[cid] for cid in wanted])
        self.known["customer"].update((r.id, r) for r in people)
        names = pl.Series(wanted, dtype=pl.String).implode()
        for kind in ("invoice", "payment"):
            groups = self.groups.get(kind)
            if groups is None:  # group the customers' rows only
                found = dict(
                    self.tables.of(kind)
                    .select("customer_id", pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"))
                    .filter(pl.col("customer_id").is_in(names))
                    .group_by("customer_id", maintain_order=True)
                    .agg("_row")
                    .iter_rows()
                )
                groups = {cid: found.get(cid, []) for cid in wanted}
                self.fetched[kind].update(groups)
            built = self._at(kind, [r for cid in wanted for r in groups.get(cid, ())])
            self.known[kind].update((r.id, r) for r in built)

    def named(self, kind: str, ids: Sequence[str]) -> dict[str, Any]:
        """The records with these ids, by id, built in one go (records built
        before are reused; unknown ids are left out)."""
        import polars as pl  # noqa: PLC0415 - Polars on use

        found: dict[str, Any] = {}
        known = self.known[kind]
        wanted = [i for i in ids if i not in known]
        if wanted:
            table = self.tables.of(kind)
            rows = table.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"), _ID[kind])
            rows = rows.filter(
                pl.col(_ID[kind]).is_in(pl.Series(wanted, dtype=pl.String).implode())
            )
            for record in self._at(kind, rows["_row"].to_list()):
                known[record.id] = record
        for i in ids:
            record = known.get(i)
            if record is not None:
                found[i] = record
        return found

    def one(self, kind: str, record_id: str) -> Any:
        """The record with ``record_id`` (``KeyError`` if unknown)."""
        if kind in _SMALL:
            return self._small(kind)[0][record_id]
        ahead = self.known[kind].get(record_id)
        if ahead is not None:
            return ahead
        row = self.row_of(kind)[record_id]
        every = self.all.get(kind)
        if every is not None:
            return every[row]
        found = self.built[kind].get(row)
        return found if found is not None else self._at(kind, [row])[0]

    def has(self, kind: str, record_id: str) -> bool:
        if kind in _SMALL:
            return record_id in self._small(kind)[0]
        return record_id in self.row_of(kind)

    def of(self, kind: str, customer_id: str) -> list[Any]:
        """The customer's records of ``kind``, in row order."""
        if kind in _SMALL:
            return self._small(kind)[1].get(customer_id, [])
        rows = self.fetched[kind].get(customer_id)
        if rows is None:
            rows = self.group(kind).get(customer_id)
        return self._at(kind, rows) if rows else []

    def by_customer(self, kind: str) -> dict[str, list[Any]]:
        """Every record of ``kind`` by customer (bulk: builds them all)."""
        if kind in _SMALL:
            return self._small(kind)[1]
        every = self.records(kind)
        return {cid: [every[r] for r in rows] for cid, rows in self.group(kind).items()}

    def by_id(self, kind: str) -> dict[str, Any]:
        if kind in _SMALL:
            return self._small(kind)[0]
        return {r.id: r for r in self.records(kind)}

    def count(self, kind: str) -> int:
        if kind == "plan":
            return int(self.tables.instalments["plan_id"].n_unique())
        return self.tables.of(kind).height


def _to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return value if type(value) is tuple else tuple(value)


class Ledger:
    """Everything customers owe and paid: the engine's input.

    Building a ledger validates it: ids are unique per kind, and every
    reference points at an existing record of the same customer and currency
    (:class:`~arpolicy.errors.DuplicateIdError`,
    :class:`~arpolicy.errors.UnknownReferenceError`).

    Two ledgers are equal when they hold the same records, whatever their
    order.

    Allocation (:meth:`position`): payments and credit notes dated on or
    before ``as_of`` are applied per customer and currency, in order of date
    then id. First, a payment that names an invoice (or a credit note that
    names the invoice it corrects) pays that invoice up to its balance. Then
    everything left (unnamed payments, unnamed credit notes, and the excess of
    named ones) pays the oldest open invoices first, by issue date, due date
    and id; judged on the date of each payment, invoices issued by then come
    before later ones and undisputed ones before those disputed on that date.
    What still remains is customer credit. On one date, credit notes are
    applied before payments.

    Early-payment discount: an invoice or deposit request whose ``terms``
    have a discount is settled as soon as what was applied to it from
    payments and credit notes dated on or before the last day of its
    discount period (:meth:`PaymentTerms.discount_deadline`, inclusive)
    reaches its amount less the discount (:meth:`PaymentTerms.discount`).
    The rest of it, at most the discount, is then recorded as a discount
    (an :class:`Allocation` of kind ``discount`` and
    :attr:`CustomerPosition.discounts`), not as a payment. Less than that
    within the period earns no discount.

    The result never depends on the order of the records, and a later
    ``as_of`` never raises a balance.

    Storage: a ledger read from files or frames holds five Polars tables
    (:attr:`tables`; see ``docs/explanation/ledger-storage.md``) and builds
    the records only when asked: one record for :meth:`invoice`, one
    customer's for :meth:`invoices_of`, all of them for :attr:`invoices`.
    A ledger built from records keeps them and makes the tables when asked.
    Either way the records are built once and cached. Change a ledger with
    :meth:`replace`.
    """

    __slots__ = ("_index", "_prepared", "_records", "_tables", "_view")

    _index: Index | None
    _records: tuple[tuple[Any, ...], ...] | None
    _tables: Tables | None
    _view: _View | None
    _prepared: Any

    def __init__(
        self,
        customers: Iterable[Customer],
        invoices: Iterable[Invoice] = (),
        payments: Iterable[Payment] = (),
        plans: Iterable[PaymentPlan] = (),
        trials: Iterable[Trial] = (),
    ) -> None:
        records = (
            _to_tuple(customers),
            _to_tuple(invoices),
            _to_tuple(payments),
            _to_tuple(plans),
            _to_tuple(trials),
        )
        self._index = build_index(*records)
        self._records = records
        self._tables = None
        self._view = None
        self._prepared = None

    @classmethod
    def _from_tables(cls, tables: Tables, *, checked: bool = False) -> Ledger:
        """A ledger over validated tables; builds no record.

        Args:
            tables: the five tables, with exactly the columns and types of
                :mod:`arpolicy.ledger._schema`, every cell valid.
            checked: the ids and references were checked already
                (:func:`~arpolicy.ledger._validate.check_tables`).

        Raises:
            DuplicateIdError: two records of one kind share an id.
            UnknownReferenceError: a reference does not fit.
        """
        if not checked:
            from ._validate import check_tables  # noqa: PLC0415 - Polars on use

            problem = check_tables(tables)
            if problem is not None:
                raise problem.error
        self = object.__new__(cls)
        self._index = None
        self._records = None
        self._tables = tables
        self._view = _View(tables)
        self._prepared = None
        return self

    # -- storage -----------------------------------------------------------
    @property
    def tables(self) -> Tables:
        """The five Polars tables (new frame objects over the ledger's data).

        ``customers``, ``invoices``, ``payments``, ``instalments`` (one row per
        instalment of a payment plan) and ``trials``; the columns are
        documented in ``docs/explanation/ledger-storage.md``. Changing a
        returned frame does not change the ledger.
        """
        if self._tables is None:
            from ._views import tables_from_records  # noqa: PLC0415 - Polars on use

            assert self._records is not None
            self._tables = tables_from_records(*self._records)
        return self._tables.copy()

    def _stored_tables(self) -> Tables | None:
        """The tables when the ledger is table-backed (read from files or frames), else ``None``."""
        return self._tables if self._records is None else None

    def replace(
        self,
        *,
        customers: Iterable[Customer] | None = None,
        invoices: Iterable[Invoice] | None = None,
        payments: Iterable[Payment] | None = None,
        plans: Iterable[PaymentPlan] | None = None,
        trials: Iterable[Trial] | None = None,
    ) -> Ledger:
        """A new ledger with some kinds of records replaced (and validated again).

        The ledger's answer to :func:`attrs.evolve`:

        >>> from arpolicy import Customer
        >>> ledger = Ledger([Customer("C1", "Acme", "business", "NL")])
        >>> ledger.replace(customers=[Customer("C2", "Bolt", "business", "BE")]).customers[0].id
        'C2'
        """
        return Ledger(
            self.customers if customers is None else customers,
            self.invoices if invoices is None else invoices,
            self.payments if payments is None else payments,
            self.plans if plans is None else plans,
            self.trials if trials is None else trials,
        )

    def _all(self, kind: int) -> tuple[Any, ...]:
        if self._records is not None:
            return self._records[kind]
        assert self._view is not None
        return self._view.records(_KINDS[kind])

    @property
    def customers(self) -> tuple[Customer, ...]:
        """Every customer, in the order given or read."""
        return self._all(0)

    @property
    def invoices(self) -> tuple[Invoice, ...]:
        """Every invoice, deposit request and credit note, in the order given or read."""
        return self._all(1)

    @property
    def payments(self) -> tuple[Payment, ...]:
        """Every payment, in the order given or read."""
        return self._all(2)

    @property
    def plans(self) -> tuple[PaymentPlan, ...]:
        """Every payment plan, in the order given or read."""
        return self._all(3)

    @property
    def trials(self) -> tuple[Trial, ...]:
        """Every trial and free allowance, in the order given or read."""
        return self._all(4)

    def _by_id(self, kind: str) -> dict[str, Any]:
        if self._index is not None:
            index = self._index
            tables: dict[str, dict[str, Any]] = {
                "customer": index.customers,
                "invoice": index.invoices,
                "payment": index.payments,
                "plan": index.plans,
                "trial": index.trials,
            }
            return tables[kind]
        assert self._view is not None
        return self._view.by_id(kind)

    def _count(self, kind: int) -> int:
        if self._records is not None:
            return len(self._records[kind])
        assert self._view is not None
        return self._view.count(_KINDS[kind])

    def _entries(self) -> int:
        """How many invoices and payments the ledger holds (builds no record, no table)."""
        return self._count(1) + self._count(2)

    def _has_records(self) -> bool:
        """Whether the ledger holds its invoices and payments as records (built or given)."""
        if self._records is not None:
            return True
        assert self._view is not None
        return "invoice" in self._view.all and "payment" in self._view.all

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ledger):
            return NotImplemented
        if self is other:
            return True
        if any(self._count(k) != other._count(k) for k in range(5)):
            return False
        return all(self._by_id(kind) == other._by_id(kind) for kind in _KINDS)

    def __hash__(self) -> int:
        return hash((self._count(0), self._count(1), self._count(2)))

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{name}={self._count(k)}"
            for k, name in enumerate(("customers", "invoices", "payments", "plans", "trials"))
        )
        return f"Ledger({counts})"

    def __reduce__(self) -> tuple[Any, ...]:
        if self._records is not None:
            return (Ledger, self._records)
        return (_from_checked_tables, (self._tables,))

    @classmethod
    def from_frames(
        cls,
        *,
        customers: Any,
        invoices: Any,
        payments: Any = None,
        plans: Any = None,
        trials: Any = None,
    ) -> Ledger:
        """A ledger from data frames with the columns of the ledger files.

        Any frame speaking the Arrow PyCapsule interface works: Polars,
        pandas, PyArrow, DuckDB results. The values are validated like a
        ledger directory's cells; see :func:`arpolicy.io.ledger_from_frames`.
        """
        from ..io import ledger_from_frames  # noqa: PLC0415 - io builds on the model

        return ledger_from_frames(
            customers=customers, invoices=invoices, payments=payments, plans=plans, trials=trials
        )

    # -- look-ups ---------------------------------------------------------
    def _one(self, kind: str, record_id: str) -> Any:
        if self._index is not None:
            return self._by_id(kind)[record_id]
        assert self._view is not None
        return self._view.one(kind, record_id)

    def _of(self, kind: str, customer_id: str) -> Sequence[Any]:
        index = self._index
        if index is not None:
            by: dict[str, dict[str, list[Any]]] = {
                "invoice": index.invoices_by_customer,
                "payment": index.payments_by_customer,
                "plan": index.plans_by_customer,
                "trial": index.trials_by_customer,
            }
            return by[kind].get(customer_id, ())
        assert self._view is not None
        return self._view.of(kind, customer_id)

    def _by_customer(self, kind: str) -> dict[str, list[Any]]:
        index = self._index
        if index is not None:
            if kind == "invoice":
                return index.invoices_by_customer
            return index.payments_by_customer
        assert self._view is not None
        return self._view.by_customer(kind)

    def _has_customer(self, customer_id: str) -> bool:
        if self._index is not None:
            return customer_id in self._index.customers
        assert self._view is not None
        return self._view.has("customer", customer_id)

    def customer(self, customer_id: str) -> Customer:
        """The customer with ``customer_id`` (``KeyError`` if unknown)."""
        return self._one("customer", customer_id)  # type: ignore[no-any-return]

    def invoice(self, invoice_id: str) -> Invoice:
        """The invoice with ``invoice_id`` (``KeyError`` if unknown)."""
        return self._one("invoice", invoice_id)  # type: ignore[no-any-return]

    def payment(self, payment_id: str) -> Payment:
        """The payment with ``payment_id`` (``KeyError`` if unknown)."""
        return self._one("payment", payment_id)  # type: ignore[no-any-return]

    def plan(self, plan_id: str) -> PaymentPlan:
        """The payment plan with ``plan_id`` (``KeyError`` if unknown)."""
        return self._one("plan", plan_id)  # type: ignore[no-any-return]

    def invoices_of(self, customer_id: str) -> tuple[Invoice, ...]:
        """The customer's invoices, deposit requests and credit notes."""
        return tuple(self._of("invoice", customer_id))

    def payments_of(self, customer_id: str) -> tuple[Payment, ...]:
        """The customer's payments."""
        return tuple(self._of("payment", customer_id))

    def plans_of(self, customer_id: str, *, on: date | None = None) -> tuple[PaymentPlan, ...]:
        """The customer's payment plans; with ``on``, only those in force on
        that day (agreed on or before it, see :meth:`PaymentPlan.in_force`)."""
        plans = self._of("plan", customer_id)
        if on is None:
            return tuple(plans)
        return tuple(p for p in plans if p.in_force(on))

    def trials_of(self, customer_id: str) -> tuple[Trial, ...]:
        """The customer's trials and free allowances."""
        return tuple(self._of("trial", customer_id))

    def currencies(self) -> tuple[str, ...]:
        """Every currency used by an invoice or payment, sorted."""
        if self._records is None:
            tables = self._tables
            assert tables is not None
            codes = set(tables.invoices["currency"].unique().to_list())
            codes.update(tables.payments["currency"].unique().to_list())
            return tuple(sorted(codes))
        found = {i.currency for i in self.invoices} | {p.currency for p in self.payments}
        return tuple(sorted(found))

    # -- balances ---------------------------------------------------------
    def position(self, customer_id: str, as_of: date) -> CustomerPosition:
        """Allocate the customer's payments and credits as of ``as_of``.

        See the class documentation for the allocation rule.
        """
        if not self._has_customer(customer_id):
            raise KeyError(customer_id)
        return allocate(
            customer_id,
            self._of("invoice", customer_id),
            self._of("payment", customer_id),
            as_of,
        )

    def balance(self, invoice_id: str, as_of: date) -> Money:
        """The open balance of an invoice on ``as_of``.

        Counts only payments and credit notes dated on or before ``as_of``.
        A credit note's own balance is always zero; so is that of an invoice
        issued after ``as_of``.
        """
        inv = self.invoice(invoice_id)
        if inv.is_credit or inv.issue_date > as_of:
            return Money.zero(inv.currency)
        return self.position(inv.customer_id, as_of).balances[invoice_id]

    def open_items(self, customer_id: str, as_of: date) -> tuple[tuple[Invoice, Money], ...]:
        """The customer's invoices with a balance above zero on ``as_of``.

        Sorted by due date, then id.
        """
        pos = self.position(customer_id, as_of)
        items = [(self.invoice(iid), bal) for iid, bal in pos.balances.items() if bal.amount > 0]
        items.sort(key=lambda item: (item[0].due_date, item[0].id))
        return tuple(items)

    def settlements(self, invoice_id: str, as_of: date) -> tuple[Settlement, ...]:
        """How an invoice was paid as of ``as_of``: every part, with its date.

        The allocation rule of :meth:`position` decides which payment or
        credit note settled which part; the parts are in the order they were
        applied (by date, then id). ``KeyError`` for an unknown invoice.

        >>> from arpolicy import Customer, Invoice, Money, Payment
        >>> ledger = Ledger(
        ...     [Customer("C1", "Acme", "business", "NL")],
        ...     [Invoice("I1", "C1", date(2025, 12, 1), date(2026, 1, 1), Money("1000", "EUR"))],
        ...     [Payment("P1", "C1", date(2026, 2, 25), Money("990", "EUR"))],
        ... )
        >>> (part,) = ledger.settlements("I1", date(2026, 3, 2))
        >>> part.date.isoformat(), str(part.amount)
        ('2026-02-25', '990.00 EUR')
        """
        inv = self.invoice(invoice_id)
        return self.settlements_of(inv.customer_id, as_of).get(invoice_id, ())

    def settlements_of(self, customer_id: str, as_of: date) -> dict[str, tuple[Settlement, ...]]:
        """:meth:`settlements` for every invoice of a customer that has any, by id."""
        if not self._has_customer(customer_id):
            raise KeyError(customer_id)
        invoices = self._of("invoice", customer_id)
        credit_notes = {i.id for i in invoices if i.kind is InvoiceKind.CREDIT_NOTE}
        payments = self._of("payment", customer_id)
        paid_ids = {p.id for p in payments}
        _, _, applied = apply_payments(invoices, payments, as_of)
        found: dict[str, list[Settlement]] = {}
        for source, target, amount, currency, day, discount in applied:
            if target is None:
                continue
            # an id shared by a payment and a credit note counts as the payment's
            credit = source in credit_notes and source not in paid_ids
            money = Money._trusted(amount, currency)
            part = Settlement(source, target, day, money, credit, discount)
            found.setdefault(target, []).append(part)
        return {iid: tuple(parts) for iid, parts in sorted(found.items())}

    def balances(self, as_of: date) -> dict[str, Money]:
        """Open balance of every invoice issued on or before ``as_of``, by id.

        Customers in the order of their first invoice, each customer's
        invoices in the order given or read. A large ledger is allocated by
        the vectorised kernel of :mod:`arpolicy.ledger._allocate` over its
        tables (the same rule, proven equal by a differential test), without
        building its invoice and payment records.
        """
        if self._tables is not None and self._count(1) >= KERNEL_MIN_INVOICES:
            return self._kernel_balances(as_of)
        result: dict[str, Money] = {}
        inv_by = self._by_customer("invoice")
        pay_by = self._by_customer("payment")
        for cid in inv_by:
            result.update(allocate(cid, inv_by[cid], pay_by.get(cid, ()), as_of).balances)
        return result

    def _named(self, kind: str, ids: Sequence[str]) -> dict[str, Any]:
        """The records of ``kind`` with these ids, by id (unknown ids left
        out); a table-backed ledger builds them in one go."""
        if self._view is not None and self._records is None:
            return self._view.named(kind, ids)
        found = {}
        for record_id in ids:
            try:
                found[record_id] = self._one(kind, record_id)
            except KeyError:
                continue
        return found

    def _build_records(self) -> None:
        """Build every customer, invoice and payment record in one go per kind
        (table-backed ledgers; for work that visits every customer, such as
        a simulation, instead of gathering each customer's rows)."""
        view = self._view
        if view is not None and self._records is None:
            for kind in ("customer", "invoice", "payment"):
                view.known[kind].update((r.id, r) for r in view.records(kind))

    def _prefetch(self, customer_ids: Iterable[str]) -> None:
        """Build the records of these customers in bulk (table-backed ledgers;
        a ledger of records has them all already)."""
        if self._view is not None and self._records is None:
            self._view.prefetch(customer_ids)

    def _allocated(self, as_of: date) -> Any:
        """The allocation kernel's :class:`~arpolicy.ledger._allocate.Allocated`
        on ``as_of`` (what does not depend on the date is prepared once)."""
        from ._allocate import allocate_prepared, prepare  # noqa: PLC0415

        tables = self.tables
        if self._prepared is None:
            self._prepared = prepare(tables.invoices, tables.payments)
        return allocate_prepared(self._prepared, as_of)

    def _kernel_balances(self, as_of: date) -> dict[str, Money]:
        """:meth:`balances` by the vectorised kernel (same rule, same order)."""
        import polars as pl  # noqa: PLC0415 - Polars on use

        from ._allocate import allocate_prepared, prepare  # noqa: PLC0415
        from ._views import moneys  # noqa: PLC0415

        tables = self._tables
        assert tables is not None
        invoices = tables.invoices
        if self._prepared is None:  # what does not depend on the date, once per ledger
            self._prepared = prepare(invoices, tables.payments)
        balances = allocate_prepared(self._prepared, as_of).balances
        # the per-customer order: customers by first invoice, then table order
        first = (
            invoices.select("customer_id")
            .with_row_index("_first")
            .group_by("customer_id")
            .agg(pl.col("_first").min())
        )
        ordered = (
            balances.with_row_index("_row")
            .join(first, on="customer_id", how="left", maintain_order="left")
            .sort("_first", "_row")
        )
        return dict(
            zip(
                ordered["invoice_id"].to_list(),
                moneys(ordered["balance"], ordered["currency"]),
                strict=True,
            )
        )

    def _applications(
        self, as_of: date
    ) -> Iterator[tuple[str, dict[str, Invoice], dict[str, Decimal], list[Applied]]]:
        """Per customer with invoices: the allocation rule's raw result on ``as_of``.

        For the reports, which need open amounts and application dates of
        every invoice without the cost of :class:`CustomerPosition` objects.
        """
        pay_by = self._by_customer("payment")
        for cid, invoices in self._by_customer("invoice").items():
            yield (cid, *apply_payments(invoices, pay_by.get(cid, ()), as_of))

    def plan_state(self, plan_id: str, as_of: date) -> PlanState:
        """The state of a payment plan on ``as_of``."""
        plan = self.plan(plan_id)
        return plan.state(self._of("payment", plan.customer_id), as_of)


def _from_checked_tables(tables: Tables) -> Ledger:
    """Unpickle a table-backed ledger (its tables were checked when it was made)."""
    return Ledger._from_tables(tables, checked=True)
