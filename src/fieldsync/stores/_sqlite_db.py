"""One SQLite connection, its settings, and the transactions the SQLite store runs in.

Why these settings:

- WAL journal: readers never block the writer and the writer never blocks readers, so a
  service process and a CLI looking at history can share a file.
- ``BEGIN IMMEDIATE`` for every write: the write lock is taken at the start, so a
  transaction that reads and then writes (a lease) cannot be overtaken between the two by
  another process, and waiting for the lock uses the busy timeout instead of failing with
  "database is locked" halfway through.
- ``synchronous=NORMAL``: with WAL it never corrupts the file; a power cut may lose the last
  batches, which a run resends harmlessly (writes are upserts by email).
- ``foreign_keys=ON``: SQLite leaves them off by default.
- Owner-only permissions (0600): the file holds access tokens. A new file is created so;
  an existing one is narrowed when opened (SQLite gives its -wal and -shm files the mode
  of the database file).
- One lock around the connection: sqlite3 connections must not be used by two threads at
  once; ``check_same_thread=False`` lets any thread use it, one at a time.

Every ``sqlite3.Error`` becomes a :class:`~fieldsync.exceptions.StoreError`, and so does an
encoding error: sqlite3 binds text as strict UTF-8, which a Python ``str`` holding a lone
UTF-16 surrogate is not (the transaction is rolled back; the store goes on).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fieldsync.exceptions import StoreError
from fieldsync.stores._sqlite_schema import migrate

__all__ = ["Database"]


class Database:
    """An open SQLite database with fieldsync's schema.

    Args:
        path: the database file (created when missing), or ``":memory:"``.
        timeout: seconds to wait for another process's write lock.

    Raises:
        StoreError: the file cannot be opened, is not a database, or has a newer schema.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float) -> None:
        self.where = os.fspath(path)
        self._lock = threading.RLock()
        try:
            _owner_only(self.where)
            conn = sqlite3.connect(
                path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the state database {self.where}: {exc}") from exc
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000):d}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, self.where)
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"cannot open the state database {self.where}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        self._conn: sqlite3.Connection | None = conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``): committed when the block ends,
        rolled back when it raises."""
        with self._transaction("BEGIN IMMEDIATE") as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every statement in the block sees the same snapshot."""
        with self._transaction("BEGIN") as conn:
            yield conn

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connection()
            try:
                conn.execute(begin)
                yield conn
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback(conn)
                raise StoreError(f"the state database {self.where} failed: {exc}") from exc
            except UnicodeError as exc:
                self._rollback(conn)
                raise StoreError(
                    f"the state database {self.where} cannot hold this text ({exc})"
                ) from exc
            except BaseException:
                self._rollback(conn)
                raise

    def pragma(self, name: str) -> object:
        """The value of a ``PRAGMA`` (for diagnostics and tests)."""
        with self._lock:
            try:
                return self._connection().execute(f"PRAGMA {name}").fetchone()[0]
            except sqlite3.Error as exc:
                raise StoreError(f"the state database {self.where} failed: {exc}") from exc

    def close(self) -> None:
        """Close the connection. Idempotent."""
        with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                try:
                    conn.close()
                except sqlite3.Error as exc:
                    raise StoreError(f"cannot close the state database {self.where}") from exc

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._conn is None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"the state store {self.where} is closed")
        return self._conn

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        # some errors (a full disk, an interrupt) end the transaction by themselves
        if conn.in_transaction:
            # a failing rollback must not hide the original error, the one worth reporting
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")


_PRIVATE = 0o600


def _owner_only(where: str) -> None:
    """Create the database file readable and writable by its owner only, or narrow an
    existing file to that (it holds access tokens)."""
    if where == ":memory:" or where.startswith("file:") or not where:
        return
    try:
        fd = os.open(where, os.O_CREAT | os.O_EXCL | os.O_WRONLY, _PRIVATE)
    except FileExistsError:
        mode = os.stat(where).st_mode & 0o777
        if mode & 0o077:
            with contextlib.suppress(PermissionError):  # not ours: its owner decides
                os.chmod(where, mode & 0o700)
        return
    os.close(fd)
