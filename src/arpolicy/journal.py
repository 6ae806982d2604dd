"""The exactly-once journal: what was issued, in an SQLite file.

A host that runs arpolicy every day records each planned action here before
carrying it out. The journal remembers every action key, so the same action
is never issued twice, and it feeds the engine its history (received dates
anchor the next step; failed actions are planned again).

The file is an ordinary SQLite database (standard library :mod:`sqlite3`,
write-ahead log) that any SQLite client can read; its tables are documented
in the journal reference page. The library never reads the clock: the time
of a run is an argument.

>>> import datetime as dt, tempfile, pathlib
>>> from arpolicy import plan
>>> from arpolicy.sample import sample_ledger
>>> ledger = sample_ledger()
>>> today = dt.date(2026, 10, 1)
>>> at = dt.datetime(2026, 10, 1, 6, 0, tzinfo=dt.timezone.utc)
>>> with tempfile.TemporaryDirectory() as tmp:
...     with Journal.open(pathlib.Path(tmp) / "journal.sqlite") as journal:
...         actions = plan(ledger, as_of=today, history=journal.history()).actions
...         first = journal.record(actions, as_of=today, run_at=at)
...         again = plan(ledger, as_of=today, history=journal.history()).actions
...         second = journal.record(again, as_of=today, run_at=at)
>>> len(first.issued) == len(actions) > 0, second.issued
(True, ())
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

import attrs

from .actions import Action, ActionKind, HistoryEntry, HistoryStatus, Reason
from .errors import InvalidFieldError, JournalError
from .money import Money

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "Journal",
    "JournalEntry",
    "JournalRun",
    "JournalStatus",
    "RecordResult",
]

APPLICATION_ID: Final = 0x41525031
"""``PRAGMA application_id`` of a journal file (the bytes ``ARP1``)."""

# Each migration is a list of statements; migration ``n`` (1-based) brings a
# file from ``user_version`` ``n - 1`` to ``n``. They run in order, inside
# one transaction together with the new ``user_version``. Never edit a
# released migration: append a new one.
_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    # 1: one row per issued action.
    (
        """
        CREATE TABLE actions (
            key           TEXT PRIMARY KEY NOT NULL,
            date          TEXT NOT NULL,
            customer_id   TEXT NOT NULL,
            step          TEXT NOT NULL,
            level         INTEGER NOT NULL,
            channel       TEXT NOT NULL,
            tone          TEXT NOT NULL,
            kind          TEXT NOT NULL,
            policy        TEXT NOT NULL,
            invoice_ids   TEXT NOT NULL,
            currency      TEXT,
            amount_due    TEXT,
            fees          TEXT,
            deadline      TEXT,
            template      TEXT NOT NULL,
            status        TEXT NOT NULL CHECK (status IN ('issued', 'received', 'failed')),
            received_on   TEXT,
            failed_reason TEXT,
            recorded_at   TEXT NOT NULL
        )
        """,
        "CREATE INDEX actions_by_customer ON actions (customer_id, date)",
    ),
    # 2: the runs that recorded them, retries of failed actions, reasons.
    (
        """
        CREATE TABLE runs (
            run_id      INTEGER PRIMARY KEY AUTOINCREMENT,
            as_of       TEXT NOT NULL,
            started_at  TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            planned     INTEGER NOT NULL,
            issued      INTEGER NOT NULL,
            retried     INTEGER NOT NULL,
            already     INTEGER NOT NULL
        )
        """,
        "ALTER TABLE actions ADD COLUMN run_id INTEGER REFERENCES runs (run_id)",
        "ALTER TABLE actions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE actions ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]'",
    ),
)

SCHEMA_VERSION: Final = len(_MIGRATIONS)
"""The schema version this arpolicy writes (``PRAGMA user_version``)."""

_COLUMNS: Final = (
    "key, date, customer_id, step, level, channel, tone, kind, policy, invoice_ids,"
    " currency, amount_due, fees, deadline, template, status, received_on,"
    " failed_reason, recorded_at, run_id, attempts, reasons"
)
_INSERT: Final = (
    "INSERT INTO actions (key, date, customer_id, step, level, channel, tone, kind, policy,"
    " invoice_ids, currency, amount_due, fees, deadline, template, status, recorded_at,"
    " run_id, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?)"
)
_RETRY: Final = (
    "UPDATE actions SET date = ?, customer_id = ?, step = ?, level = ?, channel = ?, tone = ?,"
    " kind = ?, policy = ?, invoice_ids = ?, currency = ?, amount_due = ?, fees = ?,"
    " deadline = ?, template = ?, recorded_at = ?, run_id = ?, reasons = ?,"
    " status = 'issued', received_on = NULL, failed_reason = NULL, attempts = attempts + 1"
    " WHERE key = ? AND status = 'failed'"
)
_CHUNK: Final = 500  # keys per look-up (well below SQLite's limit on parameters)


class JournalStatus(enum.StrEnum):
    """What became of a recorded action."""

    ISSUED = "issued"
    """Recorded for carrying out; counts as done."""
    RECEIVED = "received"
    """Carried out and received by the customer on ``received_on``."""
    FAILED = "failed"
    """Carrying it out failed; the engine plans it again."""


@attrs.frozen
class JournalEntry:
    """One row of the journal's ``actions`` table.

    Attributes:
        key: the action's idempotency key.
        date: the day it was planned for.
        customer_id: the customer.
        invoice_ids: the invoices it is about.
        step: the step name.
        level: the step's position in its policy.
        channel: the channel.
        tone: the tone.
        kind: what it is about.
        policy: the policy it comes from.
        amount_due: the open amount, or ``None``.
        fees: the fees charged with it, or ``None``.
        deadline: the fresh payment deadline, or ``None``.
        template: the message template key.
        status: issued, received or failed.
        received_on: the day the customer received it, or ``None``.
        failed_reason: why carrying it out failed, or ``None``.
        recorded_at: when the run that (last) issued it recorded it.
        run_id: that run (see :meth:`Journal.runs`), or ``None`` for rows
            written before runs were recorded (schema version 1).
        attempts: how many times it was issued (a failed action issued again
            counts one more).
        reasons: why the engine planned it.
    """

    key: str
    date: dt.date
    customer_id: str
    invoice_ids: tuple[str, ...]
    step: str
    level: int
    channel: str
    tone: str
    kind: ActionKind
    policy: str
    amount_due: Money | None
    fees: Money | None
    deadline: dt.date | None
    template: str
    status: JournalStatus
    received_on: dt.date | None
    failed_reason: str | None
    recorded_at: dt.datetime
    run_id: int | None
    attempts: int
    reasons: tuple[Reason, ...]

    def to_history(self) -> HistoryEntry:
        """The entry as engine history (received and issued rows count as done).

        Returns:
            A :class:`~arpolicy.actions.HistoryEntry`; ``FAILED`` for a
            failed row, so that the engine plans the step again.
        """
        return _history_entry(
            self.key,
            self.date,
            self.customer_id,
            self.step,
            self.invoice_ids,
            self.channel,
            self.currency or "",
            self.received_on,
            self.status,
            self.fees,
            self.deadline,
        )

    @property
    def currency(self) -> str | None:
        """The currency of the amounts, if any."""
        for money in (self.amount_due, self.fees):
            if money is not None:
                return money.currency
        return None

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-ready data (keys sorted, money as amount and currency).

        Returns:
            A dict of strings, numbers, lists, dicts and ``None``.
        """
        data: dict[str, Any] = {
            "amount_due": _money_json(self.amount_due),
            "attempts": self.attempts,
            "channel": self.channel,
            "customer_id": self.customer_id,
            "date": self.date.isoformat(),
            "deadline": _iso(self.deadline),
            "failed_reason": self.failed_reason,
            "fees": _money_json(self.fees),
            "invoice_ids": list(self.invoice_ids),
            "key": self.key,
            "kind": str(self.kind),
            "level": self.level,
            "policy": self.policy,
            "reasons": [
                {"code": r.code, "data": dict(r.data), "text": r.text} for r in self.reasons
            ],
            "received_on": _iso(self.received_on),
            "recorded_at": self.recorded_at.isoformat(),
            "run_id": self.run_id,
            "status": str(self.status),
            "step": self.step,
            "template": self.template,
            "tone": self.tone,
        }
        return data


@attrs.frozen
class JournalRun:
    """One row of the journal's ``runs`` table: a call of :meth:`Journal.record`.

    Attributes:
        run_id: increasing number of the run.
        as_of: the date planned for.
        started_at: when the run started (given by the caller).
        finished_at: when it finished (given by the caller).
        planned: how many actions were given.
        issued: how many were issued (new keys and failed ones issued again).
        retried: how many of those had failed before.
        already: how many keys were already recorded and were not issued.
    """

    run_id: int
    as_of: dt.date
    started_at: dt.datetime
    finished_at: dt.datetime
    planned: int
    issued: int
    retried: int
    already: int


@attrs.frozen
class RecordResult:
    """What :meth:`Journal.record` did.

    Attributes:
        run_id: the run recorded in the ``runs`` table.
        issued: the actions to carry out now, in the given order: those whose
            key was new, and those whose earlier attempt had failed.
        retried: the keys of the issued actions that had failed before.
        already: the keys that were already recorded (issued or received),
            in the given order; they must not be carried out again.
    """

    run_id: int
    issued: tuple[Action, ...]
    retried: tuple[str, ...]
    already: tuple[str, ...]

    @property
    def issued_keys(self) -> tuple[str, ...]:
        """The keys of :attr:`issued`."""
        return tuple(a.key for a in self.issued)


class Journal:
    """An open journal file. Use :meth:`open`; close it (or use ``with``).

    One :class:`Journal` belongs to one thread. Several processes may open
    the same file: writes are serialized by SQLite's lock (``BEGIN
    IMMEDIATE``), waiting up to ``timeout`` seconds for another writer.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, timeout: float) -> None:
        """Wrap an open connection; use :meth:`open` instead."""
        self._path = path
        self._conn: sqlite3.Connection | None = connection
        self._timeout = timeout

    # -- opening and closing -------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, timeout: float = 30.0) -> Journal:
        """Open the journal at ``path``, creating or migrating it as needed.

        A missing file is created with the current schema; a file of an older
        schema version is migrated (all pending migrations in one
        transaction). The connection uses the write-ahead log
        (``journal_mode=WAL``), ``synchronous=FULL`` and a busy timeout.

        Args:
            path: the journal file.
            timeout: seconds to wait for another process's write lock.

        Returns:
            The open journal.

        Raises:
            JournalError: the file cannot be opened, is not an arpolicy
                journal, was written by a newer arpolicy (a higher schema
                version), or stayed locked longer than ``timeout``.
        """
        where = Path(path)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise InvalidFieldError("journal", "timeout", timeout, "expected seconds >= 0")
        try:
            conn = sqlite3.connect(where, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise JournalError(where, f"cannot open: {exc}") from exc
        journal = cls(where, conn, timeout)
        try:
            with journal._guard():
                conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA foreign_keys = ON")
                journal._migrate()
        except BaseException:
            conn.close()
            journal._conn = None
            raise
        return journal

    def close(self) -> None:
        """Close the file (a no-op when already closed)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
        """Use the journal in a ``with`` block; it is closed at the end."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the journal."""
        self.close()

    @property
    def path(self) -> Path:
        """The journal file."""
        return self._path

    @property
    def schema_version(self) -> int:
        """The file's schema version (``PRAGMA user_version``)."""
        with self._guard():
            return int(self._live().execute("PRAGMA user_version").fetchone()[0])

    # -- writing ------------------------------------------------------------

    def record(
        self,
        actions: Iterable[Action],
        *,
        as_of: dt.date,
        run_at: dt.datetime,
        finished_at: dt.datetime | None = None,
    ) -> RecordResult:
        """Record a run: issue every action whose key is new, in one transaction.

        Keys already recorded as issued or received are skipped. A key whose
        earlier attempt was marked failed is issued again (its row is
        updated, ``attempts`` grows by one). Either the whole run is written,
        with its ``runs`` row, or nothing is: on any error, and if the process
        dies half-way, the transaction is rolled back. Two processes recording
        the same key cannot both issue it: the second waits for the first's
        lock and then finds the key present.

        The actions count as issued as soon as this returns. When they must
        first reach a file or another system, use :meth:`recording` instead,
        which records them only once that has succeeded.

        Args:
            actions: the planned actions (usually ``plan(...).actions``). A
                key repeated within them is issued once.
            as_of: the date planned for (recorded in ``runs``).
            run_at: when the run started, timezone-aware; stored as
                ``recorded_at`` of the issued rows and ``started_at`` of the
                run.
            finished_at: when the run finished; ``run_at`` when ``None``.

        Returns:
            A :class:`RecordResult` naming what to carry out now.

        Raises:
            JournalError: the journal is locked for longer than the timeout,
                closed, or SQLite failed (nothing is written).
            InvalidFieldError: ``as_of``, ``run_at`` or ``finished_at`` is not
                a date or an aware datetime.
        """
        with self.recording(actions, as_of=as_of, run_at=run_at, finished_at=finished_at) as run:
            pass
        return run

    @contextmanager
    def recording(
        self,
        actions: Iterable[Action],
        *,
        as_of: dt.date,
        run_at: dt.datetime,
        finished_at: dt.datetime | None = None,
    ) -> Iterator[RecordResult]:
        """Record a run only if the ``with`` block that hands its actions on succeeds.

        The write lock is taken and the run is written inside one transaction,
        as :meth:`record` does, and the :class:`RecordResult` is given to the
        block. The transaction is committed when the block ends normally, and
        rolled back when it raises (or the process dies inside it): then the
        journal is as it was and the next run issues the same actions again.
        Write the issued actions out (a file, standard output, a queue) inside
        the block, completely, and let a failure raise.

        A crash after the block but before the commit has ended leaves the
        actions written out and not recorded: the next run issues them again
        with the same keys. Output is at least once; the journal exactly once.

        The journal stays locked for writing while the block runs (reading it
        is not blocked); another run waits up to the journal's ``timeout``.

        >>> import datetime as dt, tempfile, pathlib
        >>> from arpolicy import plan
        >>> from arpolicy.sample import sample_ledger
        >>> day = dt.date(2026, 10, 1)
        >>> at = dt.datetime(2026, 10, 1, 6, 0, tzinfo=dt.timezone.utc)
        >>> actions = plan(sample_ledger(), as_of=day).actions
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     with Journal.open(pathlib.Path(tmp) / "journal.sqlite") as journal:
        ...         try:
        ...             with journal.recording(actions, as_of=day, run_at=at) as run:
        ...                 raise OSError("disk full")  # writing the actions out failed
        ...         except OSError:
        ...             pass
        ...         kept = len(journal)
        ...         with journal.recording(actions, as_of=day, run_at=at) as run:
        ...             written = list(run.issued)  # written out completely here
        ...         recorded = len(journal)
        >>> kept, recorded == len(written) == len(actions)
        (0, True)

        Args and raises are those of :meth:`record`; an exception of the
        block is raised again after the rollback.

        Yields:
            The :class:`RecordResult` of the run, recorded when the block
            ends normally.
        """
        _check_date("as_of", as_of)
        _check_time("run_at", run_at)
        end = run_at if finished_at is None else finished_at
        _check_time("finished_at", end)
        batch = list(actions)
        for action in batch:
            if not isinstance(action, Action):
                raise InvalidFieldError("journal", "actions", action, "expected an Action")
        recorded_at = run_at.isoformat()
        # Everything is converted before the write lock is taken.
        encoded: dict[tuple[Reason, ...], str] = {}
        rows = {a.key: (*_values(a, self._path), recorded_at) for a in batch}
        reasons = {a.key: _reasons(a, encoded) for a in batch}
        with self._transaction() as conn:
            known = self._statuses(conn, list(rows))
            issued: list[Action] = []
            retried: list[str] = []
            already: list[str] = []
            seen: set[str] = set()
            for action in batch:
                if action.key in seen:
                    continue
                seen.add(action.key)
                status = known.get(action.key)
                if status is None or status == JournalStatus.FAILED:
                    issued.append(action)
                    if status is not None:
                        retried.append(action.key)
                else:
                    already.append(action.key)
            cursor = conn.execute(
                "INSERT INTO runs (as_of, started_at, finished_at, planned, issued, retried,"
                " already) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    as_of.isoformat(),
                    recorded_at,
                    end.isoformat(),
                    len(batch),
                    len(issued),
                    len(retried),
                    len(already),
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            again = set(retried)
            conn.executemany(
                _INSERT,
                ((*rows[a.key], run_id, reasons[a.key]) for a in issued if a.key not in again),
            )
            conn.executemany(
                _RETRY,
                (
                    (*rows[a.key][1:], run_id, reasons[a.key], a.key)
                    for a in issued
                    if a.key in again
                ),
            )
            # The rows are written but not committed: the block decides.
            yield RecordResult(
                run_id=run_id, issued=tuple(issued), retried=tuple(retried), already=tuple(already)
            )

    def mark_received(self, key: str, on: dt.date) -> JournalEntry:
        """Record that the customer received action ``key`` on ``on``.

        The engine anchors steps that count from receipt on this date. Marking
        a received action again changes the date.

        Args:
            key: the action key.
            on: the day of receipt (not before the action's date).

        Returns:
            The updated entry.

        Raises:
            JournalError: the key is unknown, the action was marked failed, or
                ``on`` is before its date.
        """
        _check_date("on", on)
        with self._transaction() as conn:
            row = self._row(conn, key)
            if row["status"] == JournalStatus.FAILED:
                raise JournalError(self._path, "was marked failed; it cannot be received", key=key)
            if on < dt.date.fromisoformat(row["date"]):
                raise JournalError(
                    self._path, f"received on {on} is before its date {row['date']}", key=key
                )
            conn.execute(
                "UPDATE actions SET status = 'received', received_on = ? WHERE key = ?",
                (on.isoformat(), key),
            )
        return self.get(key)

    def mark_failed(self, key: str, reason: str) -> JournalEntry:
        """Record that carrying out action ``key`` failed (a bounce, a returned letter).

        A failed action does not count as done: the engine plans it again and
        the next :meth:`record` issues it again.

        Args:
            key: the action key.
            reason: why it failed (non-empty).

        Returns:
            The updated entry.

        Raises:
            JournalError: the key is unknown or the action was received.
            InvalidFieldError: ``reason`` is empty.
        """
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidFieldError("journal", "reason", reason, "expected a non-empty text")
        with self._transaction() as conn:
            row = self._row(conn, key)
            if row["status"] == JournalStatus.RECEIVED:
                raise JournalError(
                    self._path,
                    f"was received on {row['received_on']}; it cannot fail",
                    key=key,
                )
            conn.execute(
                "UPDATE actions SET status = 'failed', failed_reason = ? WHERE key = ?",
                (reason, key),
            )
        return self.get(key)

    # -- reading ------------------------------------------------------------

    def get(self, key: str) -> JournalEntry:
        """The entry of action ``key``.

        Raises:
            JournalError: no action with this key was recorded.
        """
        with self._guard():
            cursor = self._live().execute(f"SELECT {_COLUMNS} FROM actions WHERE key = ?", (key,))
            row = cursor.fetchone()
        if row is None:
            raise JournalError(self._path, "no such action in the journal", key=key)
        return self._entry(row)

    def __contains__(self, key: object) -> bool:
        """Whether an action with this key was recorded (in any status)."""
        if not isinstance(key, str):
            return False
        with self._guard():
            row = self._live().execute("SELECT 1 FROM actions WHERE key = ?", (key,)).fetchone()
        return row is not None

    def __len__(self) -> int:
        """The number of recorded actions."""
        with self._guard():
            return int(self._live().execute("SELECT count(*) FROM actions").fetchone()[0])

    def entries(
        self,
        *,
        status: JournalStatus | str | None = None,
        customer_id: str | None = None,
    ) -> list[JournalEntry]:
        """The recorded actions, by date, customer and key.

        Args:
            status: only those in this status.
            customer_id: only those of this customer.

        Returns:
            A list of :class:`JournalEntry`.

        Raises:
            InvalidFieldError: ``status`` is not issued, received or failed.
        """
        where: list[str] = []
        params: list[str] = []
        if status is not None:
            try:
                wanted = JournalStatus(status)
            except ValueError:
                raise InvalidFieldError(
                    "journal", "status", status, "expected issued, received or failed"
                ) from None
            where.append("status = ?")
            params.append(str(wanted))
        if customer_id is not None:
            where.append("customer_id = ?")
            params.append(customer_id)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {_COLUMNS} FROM actions{clause} ORDER BY date, customer_id, key"
        with self._guard():
            rows = self._live().execute(sql, params).fetchall()
        return [self._entry(row) for row in rows]

    def history(self) -> list[HistoryEntry]:
        """Every recorded action as engine history, by date, customer and key.

        Issued and received actions are ``ISSUED`` (with ``received_on`` when
        known); failed ones are ``FAILED``, so the engine plans them again.
        Pass the result as ``history=`` to :func:`arpolicy.plan`.

        Returns:
            A list of :class:`~arpolicy.actions.HistoryEntry`.
        """
        sql = (
            "SELECT key, date, customer_id, step, invoice_ids, channel, currency, received_on,"
            " status, fees, deadline FROM actions ORDER BY date, customer_id, key"
        )
        with self._guard():
            rows = self._live().execute(sql).fetchall()
        result: list[HistoryEntry] = []
        for row in rows:
            key, day, customer, step, ids, channel, currency, received, status, fees, due = row
            result.append(
                _history_entry(
                    key,
                    dt.date.fromisoformat(day),
                    customer,
                    step,
                    tuple(json.loads(ids)),
                    channel,
                    currency or "",
                    dt.date.fromisoformat(received) if received else None,
                    JournalStatus(status),
                    _money(fees, currency),
                    dt.date.fromisoformat(due) if due else None,
                )
            )
        return result

    def history_table(self) -> pl.DataFrame:
        """Every recorded action as a history table, read with one query.

        The same history as :meth:`history`, as a Polars frame with the
        columns of :data:`arpolicy.io.history_tables.HISTORY_COLUMNS`
        (``received`` rows are ``issued``); pass it as ``history=`` to
        :func:`arpolicy.plan`. No object is built per row.
        """
        import polars as pl  # noqa: PLC0415

        from .io.history_tables import HISTORY_COLUMNS, history_frame  # noqa: PLC0415

        sql = (
            "SELECT key, date, customer_id, invoice_ids, step, channel, currency, received_on,"
            " CASE status WHEN 'failed' THEN 'failed' ELSE 'issued' END, fees, deadline"
            " FROM actions ORDER BY date, customer_id, key"
        )
        with self._guard():
            rows = self._live().execute(sql).fetchall()
        frame = pl.DataFrame(
            rows, schema=dict.fromkeys(HISTORY_COLUMNS, pl.String), orient="row"
        ).with_columns(pl.col("invoice_ids").str.json_decode(pl.List(pl.String)))
        return history_frame(frame, source=str(self._path)).select(HISTORY_COLUMNS)

    def unrecorded(self, actions: Iterable[Action]) -> tuple[Action, ...]:
        """The actions :meth:`record` would issue now, without writing anything.

        Use it for a dry run. Another process may record some of them before
        you do; only :meth:`record` decides.

        Args:
            actions: planned actions.

        Returns:
            Those whose key is new or failed, in the given order, each key once.
        """
        batch = list(actions)
        with self._guard():
            known = self._statuses(self._live(), [a.key for a in batch])
        pending = tuple(a for a in batch if known.get(a.key) in (None, JournalStatus.FAILED))
        return _unique(pending)

    def runs(self) -> list[JournalRun]:
        """Every recorded run, oldest first.

        Returns:
            A list of :class:`JournalRun`.
        """
        sql = (
            "SELECT run_id, as_of, started_at, finished_at, planned, issued, retried, already"
            " FROM runs ORDER BY run_id"
        )
        with self._guard():
            rows = self._live().execute(sql).fetchall()
        return [
            JournalRun(
                run_id=int(r[0]),
                as_of=dt.date.fromisoformat(r[1]),
                started_at=dt.datetime.fromisoformat(r[2]),
                finished_at=dt.datetime.fromisoformat(r[3]),
                planned=int(r[4]),
                issued=int(r[5]),
                retried=int(r[6]),
                already=int(r[7]),
            )
            for r in rows
        ]

    def export(self) -> list[dict[str, Any]]:
        """Every recorded action as JSON-ready data, by date, customer and key.

        Money values are ``{"amount": "12.50", "currency": "EUR"}``, dates are
        ISO strings; ``json.dumps(journal.export(), sort_keys=True)`` is the
        same for the same journal content.

        Returns:
            A list of dicts (see :meth:`JournalEntry.to_dict`).
        """
        return [entry.to_dict() for entry in self.entries()]

    # -- internals ----------------------------------------------------------

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise JournalError(self._path, "the journal is closed")
        return self._conn

    def _error(self, exc: sqlite3.Error) -> JournalError:
        text = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
            return JournalError(
                self._path,
                f"locked by another process for more than {self._timeout:g} s; try again",
            )
        if isinstance(exc, sqlite3.DatabaseError) and "not a database" in text:
            return JournalError(self._path, "not an SQLite file (not an arpolicy journal)")
        return JournalError(self._path, f"SQLite failed: {text}")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._live()
        with self._guard():
            conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException as exc:
            with suppress(sqlite3.Error):  # no transaction left to roll back
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from exc
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise self._error(exc) from exc

    def _migrate(self) -> None:
        conn = self._live()
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        app = int(conn.execute("PRAGMA application_id").fetchone()[0])
        if version == SCHEMA_VERSION and app == APPLICATION_ID:
            return
        with self._transaction():
            # Read again under the write lock: another process may have
            # created or migrated the file meanwhile.
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            app = int(conn.execute("PRAGMA application_id").fetchone()[0])
            if app != APPLICATION_ID:
                tables = conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
                if app != 0 or version != 0 or tables:
                    raise JournalError(self._path, "not an arpolicy journal")
            if version > SCHEMA_VERSION:
                raise JournalError(
                    self._path,
                    f"schema version {version} is newer than this arpolicy's"
                    f" {SCHEMA_VERSION}; upgrade arpolicy",
                )
            for statements in _MIGRATIONS[version:]:
                for statement in statements:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    @staticmethod
    def _statuses(conn: sqlite3.Connection, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        unique = sorted(set(keys))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = conn.execute(f"SELECT key, status FROM actions WHERE key IN ({marks})", chunk)
            found.update(rows)
        return found

    def _row(self, conn: sqlite3.Connection, key: str) -> dict[str, Any]:
        row = conn.execute(
            "SELECT date, status, received_on FROM actions WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            raise JournalError(self._path, "no such action in the journal", key=key)
        return {"date": row[0], "status": row[1], "received_on": row[2]}

    def _entry(self, row: Sequence[Any]) -> JournalEntry:
        (
            key,
            day,
            customer,
            step,
            level,
            channel,
            tone,
            kind,
            policy,
            ids,
            currency,
            amount_due,
            fees,
            deadline,
            template,
            status,
            received,
            failed_reason,
            recorded_at,
            run_id,
            attempts,
            reasons,
        ) = row
        return JournalEntry(
            key=key,
            date=dt.date.fromisoformat(day),
            customer_id=customer,
            invoice_ids=tuple(json.loads(ids)),
            step=step,
            level=int(level),
            channel=channel,
            tone=tone,
            kind=ActionKind(kind),
            policy=policy,
            amount_due=_money(amount_due, currency),
            fees=_money(fees, currency),
            deadline=dt.date.fromisoformat(deadline) if deadline else None,
            template=template,
            status=JournalStatus(status),
            received_on=dt.date.fromisoformat(received) if received else None,
            failed_reason=failed_reason,
            recorded_at=dt.datetime.fromisoformat(recorded_at),
            run_id=None if run_id is None else int(run_id),
            attempts=int(attempts),
            reasons=tuple(
                Reason(r["code"], r["text"], r.get("data", {})) for r in json.loads(reasons)
            ),
        )


# ---------------------------------------------------------------------------
# conversions
# ---------------------------------------------------------------------------

_Row = tuple[
    str,
    str,
    str,
    str,
    int,
    str,
    str,
    str,
    str,
    str,
    str | None,
    str | None,
    str | None,
    str | None,
    str,
]


def _values(action: Action, path: Path) -> _Row:
    """The ``actions`` columns of ``action`` from ``key`` to ``template``."""
    currencies = {m.currency for m in (action.amount_due, action.fees) if m is not None}
    if len(currencies) > 1:
        raise JournalError(
            path,
            f"amount due and fees in different currencies {sorted(currencies)}",
            key=action.key,
        )
    return (
        action.key,
        action.date.isoformat(),
        action.customer_id,
        action.step,
        action.level,
        action.channel,
        action.tone,
        str(action.kind),
        action.policy,
        _JSON.encode(list(action.invoice_ids)),
        currencies.pop() if currencies else None,
        _amount(action.amount_due),
        _amount(action.fees),
        _iso(action.deadline),
        action.template,
    )


_JSON: Final = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def _reasons(action: Action, encoded: dict[tuple[Reason, ...], str]) -> str:
    """The reasons as JSON text (many actions share them: each is encoded once)."""
    found = encoded.get(action.reasons)
    if found is None:
        found = encoded[action.reasons] = _JSON.encode(
            [{"code": r.code, "data": dict(r.data), "text": r.text} for r in action.reasons]
        )
    return found


def _amount(money: Money | None) -> str | None:
    return None if money is None else f"{money.amount:f}"


def _money(amount: str | None, currency: str | None) -> Money | None:
    if amount is None or currency is None:
        return None
    return Money(Decimal(amount), currency)


def _money_json(money: Money | None) -> dict[str, str] | None:
    if money is None:
        return None
    return {"amount": f"{money.amount:f}", "currency": money.currency}


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _history_entry(
    key: str,
    day: dt.date,
    customer_id: str,
    step: str,
    invoice_ids: tuple[str, ...],
    channel: str,
    currency: str,
    received_on: dt.date | None,
    status: JournalStatus,
    fees: Money | None,
    deadline: dt.date | None,
) -> HistoryEntry:
    failed = status == JournalStatus.FAILED
    return HistoryEntry(
        key,
        day,
        customer_id,
        step,
        invoice_ids,
        channel,
        currency,
        received_on,
        HistoryStatus.FAILED if failed else HistoryStatus.ISSUED,
        fees,
        deadline,
    )


def _unique(actions: Iterable[Action]) -> tuple[Action, ...]:
    seen: set[str] = set()
    result: list[Action] = []
    for action in actions:
        if action.key not in seen:
            seen.add(action.key)
            result.append(action)
    return tuple(result)


def _check_date(field: str, value: object) -> None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidFieldError("journal", field, value, "expected a date")


def _check_time(field: str, value: object) -> None:
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise InvalidFieldError("journal", field, value, "expected a timezone-aware datetime")
