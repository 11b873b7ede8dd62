"""The PostgreSQL store's connection pool, its transactions, and its error translation.

Why it is built this way:

- A psycopg-pool ``ConnectionPool``: one store serves every thread of a worker, each
  transaction borrowing a connection. A connection the server dropped while it sat idle is
  replaced instead of failing what comes next, without a round trip to check every
  connection lent: a transaction's ``BEGIN`` and a read's statement are tried again on
  another connection when the first one turns out to be dead (nothing was done on it).
- Every store method that writes, or reads with more than one statement, is one
  transaction: committed when its block ends, rolled back when it raises. A connection lost
  in the middle of a batch's transaction therefore loses that batch only, and the next
  transaction runs on a fresh connection. A read of one statement runs on its own
  (connections are in autocommit mode), which spares it the round trips of ``BEGIN`` and
  ``COMMIT``: one statement sees one snapshot either way.
- Every wait is bounded (:class:`Waits`). A session waits for another's lock at most
  ``lock_timeout``, runs a statement at most ``statement_timeout``, and is ended by the
  server when it sits inside a transaction, doing nothing, longer than
  ``idle_in_transaction_session_timeout``: a process stopped in the middle of a transaction
  (SIGSTOP, a paused VM) then loses its transaction, and the locks it held (transaction-scoped
  advisory locks included) go to the others, instead of holding them until it is killed.
  TCP keepalives find a peer that went away without a word (unless the connection string
  sets its own).
- The connection string holds the password: it is given to psycopg and nowhere else.
  What this module shows (``where``, in reprs and errors) is the string without any
  password; the messages of psycopg's own errors are cleaned the same way before they are
  quoted.

Every ``psycopg.Error``, pool error and encoding error (text the database cannot hold, such
as a lone UTF-16 surrogate, met when psycopg adapts a parameter) becomes a
:class:`~fieldsync.exceptions.StoreError`; a lock not granted in time is a
:class:`LockTimeoutError`, which :meth:`Database.run` retries.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any, LiteralString, TypeAlias, TypeVar

import psycopg
from psycopg import sql
from psycopg.abc import Params
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from fieldsync.exceptions import StoreError
from fieldsync.redaction import redact_text
from fieldsync.stores._pg_schema import migrate
from fieldsync.stores._pg_waits import LockTimeoutError, Waits, with_keepalives

__all__ = ["Connection", "Database", "describe_conninfo", "storable"]

Connection = psycopg.Connection[dict[str, Any]]
"""A pooled connection whose rows are dictionaries (what the codec reads)."""

Query: TypeAlias = LiteralString | bytes | sql.SQL | sql.Composed
"""A statement as ``Connection.execute`` takes it (psycopg 3.2's ``Query``)."""

T = TypeVar("T")

# what a transaction or a read turns into a StoreError: the database's errors, the pool's,
# and text psycopg cannot encode for the server (a lone surrogate)
_FAILURES = (psycopg.Error, PoolTimeout, UnicodeError)

_SECRET_KEYS = frozenset({"password", "sslpassword"})
# a URL's user:password@ part, wherever a message quotes one
_URL_PASSWORD = re.compile(r"(?i)(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@")


def describe_conninfo(conninfo: str) -> str:
    """A connection string (URL or ``key=value`` form) without its passwords, to show.

    A string psycopg cannot parse is not shown at all: it may be a password on its own.
    """
    try:
        params = conninfo_to_dict(conninfo)
    except (psycopg.ProgrammingError, UnicodeError):
        return "<an unreadable connection string>"
    return make_conninfo("", **{k: v for k, v in params.items() if k not in _SECRET_KEYS})


def _quietly_roll_back(conn: Connection) -> None:
    # The error that got us here is the one to raise; a connection that is gone has
    # nothing to roll back, and the pool replaces it.
    with suppress(psycopg.Error):
        conn.execute("ROLLBACK")


def _clean(exc: BaseException, conninfo: str) -> str:
    text = str(exc).strip() or type(exc).__name__
    try:
        params = conninfo_to_dict(conninfo)
    except (psycopg.ProgrammingError, UnicodeError):
        params = {}  # nothing psycopg could read was sent, nor quoted back
    for key, value in params.items():
        if key in _SECRET_KEYS and value:
            text = text.replace(str(value), "REDACTED")
    return redact_text(_URL_PASSWORD.sub(r"\1:REDACTED@", text))


class Database:
    """A pool of connections to one PostgreSQL database, in one fieldsync schema.

    Args:
        conninfo: a libpq connection string or URL.
        schema: the PostgreSQL schema that holds fieldsync's tables.
        min_size: connections kept open.
        max_size: most connections open at once.
        timeout: seconds to wait for a connection (to open one, or for a free one).
        waits: how long the pooled sessions wait for locks, statements and idle
            transactions.

    Raises:
        StoreError: the server cannot be reached, refuses us, or holds a newer schema.
    """

    def __init__(
        self,
        conninfo: str,
        *,
        schema: str,
        min_size: int,
        max_size: int,
        timeout: float,
        waits: Waits,
    ) -> None:
        self.where = describe_conninfo(conninfo)
        self.schema = schema
        self.waits = waits
        self._conninfo = conninfo
        self._timeout = timeout
        self._attempts = max_size + 1  # every pooled connection dead, then a new one
        connect_to = with_keepalives(conninfo)
        try:
            # connect_timeout is whole seconds; at least 1, since 0 means "wait forever"
            with psycopg.connect(connect_to, connect_timeout=max(1, round(timeout))) as conn:
                migrate(conn, schema, self.where)
        except (psycopg.Error, UnicodeError) as exc:
            # ``from None``: a failed connection's error is all about the connection string,
            # and the cleaned copy of its message is all a log needs
            raise self._error(f"cannot open the state database {self.where}", exc) from None
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            connect_to,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout,
            open=False,
            configure=self._configure,
            kwargs={"row_factory": dict_row, "autocommit": True},
            name=f"fieldsync:{schema}",
        )
        try:
            self._pool.open(wait=True, timeout=timeout)
        except PoolTimeout as exc:
            self._pool.close()
            raise self._error(f"cannot open the state database {self.where}", exc) from None
        self.closed = False

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction on a pooled connection: committed when the block ends, rolled
        back when it raises."""
        self._require_open()
        try:
            conn, _ = self._first(lambda conn: conn.execute("BEGIN"))
            try:
                yield conn
            except BaseException:
                _quietly_roll_back(conn)
                raise
            else:
                conn.execute("COMMIT")
            finally:
                self._pool.putconn(conn)
        except _FAILURES as exc:
            raise self._failed(exc) from exc

    def run(self, work: Callable[[Connection], T]) -> T:
        """What ``work`` returns, run in one :meth:`transaction`; a lock it waited for in
        vain is waited for again, in a new transaction, for up to
        :meth:`Waits.lock_patience` seconds in all (a holder stopped in its transaction
        has lost it by then). For work that is safe to run again from the start.

        Raises:
            LockTimeoutError: the lock was still held by then.
        """
        deadline = time.monotonic() + self.waits.lock_patience()
        while True:
            try:
                with self.transaction() as conn:
                    return work(conn)
            except LockTimeoutError:
                if time.monotonic() >= deadline:
                    raise

    def fetch_all(self, query: Query, params: Params) -> list[dict[str, Any]]:
        """The rows of one statement run on its own, outside any transaction (a statement
        sees one snapshot either way): for reads of one statement."""
        self._require_open()
        if _matches_nothing(params):
            return []
        try:
            conn, rows = self._first(lambda conn: conn.execute(query, params).fetchall())
            self._pool.putconn(conn)
            return rows
        except _FAILURES as exc:
            raise self._failed(exc) from exc

    def fetch_one(self, query: Query, params: Params) -> dict[str, Any] | None:
        """The first row of :meth:`fetch_all`, or ``None`` when there is none."""
        rows = self.fetch_all(query, params)
        return rows[0] if rows else None

    def _first(self, statement: Callable[[Connection], T]) -> tuple[Connection, T]:
        """A pooled connection, and what ``statement`` (the first on it) returned there.

        A connection the server dropped while it sat idle fails its first statement, and
        nothing was done on it: it goes back (the pool replaces it) and the next is tried.
        """
        for attempt in range(1, self._attempts + 1):
            conn = self._pool.getconn()
            try:
                return conn, statement(conn)
            except psycopg.OperationalError:
                self._pool.putconn(conn)
                if not conn.broken or attempt == self._attempts:
                    raise
            except BaseException:
                self._pool.putconn(conn)
                raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _require_open(self) -> None:
        if self.closed:
            raise StoreError(f"the state store {self.where} is closed")

    def close(self) -> None:
        """Close every connection. Idempotent."""
        if not self.closed:
            self.closed = True
            self._pool.close()

    def _configure(self, conn: Connection) -> None:
        # every pooled connection sees fieldsync's tables first, and waits no longer than
        # ``waits`` says; one round trip (statements without parameters go together)
        settings = [sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema))]
        settings += [
            sql.SQL("SET {} = {}").format(sql.Identifier(name), sql.Literal(value))
            for name, value in self.waits.settings().items()
        ]
        conn.execute(sql.SQL("; ").join(settings))

    def _failed(self, exc: BaseException) -> StoreError:
        """The StoreError of a failure met in a transaction or a read."""
        if isinstance(exc, UnicodeError):  # str() quotes the character escaped
            return StoreError(f"the state database {self.where} cannot hold this text ({exc})")
        what = f"the state database {self.where} failed"
        timed_out = self.waits.explain(exc)
        if timed_out is not None:
            error, meaning = timed_out
            return error(f"{what}: {meaning}: {_clean(exc, self._conninfo)}")
        return self._error(what, exc)

    def _error(self, what: str, exc: BaseException) -> StoreError:
        return StoreError(f"{what}: {_clean(exc, self._conninfo)}")


def _matches_nothing(params: Params) -> bool:
    """Whether a read looks a row up by text no row can hold: a NUL or a lone surrogate,
    which PostgreSQL's text columns refuse. Such a read finds nothing, as it would on a
    store that could hold the text (an id in a URL is anybody's to type)."""
    values = params.values() if isinstance(params, Mapping) else params
    return any(isinstance(value, str) and not storable(value) for value in values)


def storable(text: str) -> bool:
    """Whether PostgreSQL's text columns can hold ``text`` (no NUL, no lone surrogate)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
