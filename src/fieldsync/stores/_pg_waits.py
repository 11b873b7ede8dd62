"""How long the PostgreSQL store's sessions wait, and what a timeout the server reports
means (see ``_pg_db``)."""

from __future__ import annotations

import attrs
import psycopg
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from fieldsync.exceptions import StoreError

__all__ = ["LockTimeoutError", "Waits", "with_keepalives"]

# TCP keepalives unless the connection string says otherwise: the first probe after 30 s of
# silence, then one every 10 s; 3 unanswered and the connection is dropped (about a minute)
_KEEPALIVES = {
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}
# a session's settings (seconds) and the server's names for them (which take milliseconds)
_SETTINGS = {
    "lock": "lock_timeout",
    "statement": "statement_timeout",
    "idle_in_transaction": "idle_in_transaction_session_timeout",
}
# what the server's message means, for each timeout it reports
_TIMEOUTS: dict[type[psycopg.Error], tuple[str, str]] = {
    errors.LockNotAvailable: ("lock", "another session holds a lock this one waited for"),
    errors.QueryCanceled: ("statement", "a statement ran too long"),
    errors.IdleInTransactionSessionTimeout: (
        "idle_in_transaction",
        "this process sat inside a transaction, doing nothing, too long (was it stopped?)",
    ),
}


@attrs.frozen
class Waits:
    """How long the store's sessions wait, in seconds; ``None`` keeps the server's setting.

    Attributes:
        lock: the longest wait for a lock another session holds (``lock_timeout``).
        statement: the longest a statement runs, waits included (``statement_timeout``).
        idle_in_transaction: the longest a session may sit inside a transaction between two
            statements before the server ends it (``idle_in_transaction_session_timeout``).
    """

    lock: float | None = 5.0
    statement: float | None = 30.0
    idle_in_transaction: float | None = 5.0

    def __attrs_post_init__(self) -> None:
        for name in _SETTINGS:
            value = getattr(self, name)
            if value is not None and not value > 0:  # NaN too
                raise ValueError(f"{_SETTINGS[name]} must be a positive number of seconds")

    def settings(self) -> dict[str, str]:
        """The server's settings for these waits, in milliseconds (at least 1)."""
        return {
            setting: str(max(1, round(value * 1000)))
            for name, setting in _SETTINGS.items()
            if (value := getattr(self, name)) is not None
        }

    def lock_patience(self) -> float:
        """How long a retried wait for a lock goes on: a whole idle-in-transaction timeout
        (after which a stopped holder has lost its transaction) and a lock wait more."""
        return (self.idle_in_transaction or 0.0) + (self.lock or 0.0)

    def explain(self, exc: BaseException) -> tuple[type[StoreError], str] | None:
        """For a timeout the server reported, the error to raise and what happened (with
        the limit met); ``None`` for any other error."""
        for kind, (name, meaning) in _TIMEOUTS.items():
            if isinstance(exc, kind):
                limit = getattr(self, name)
                after = "" if limit is None else f" ({_SETTINGS[name]} is {limit:g} s)"
                error = LockTimeoutError if kind is errors.LockNotAvailable else StoreError
                return error, meaning + after
        return None


class LockTimeoutError(StoreError):
    """A lock another session holds was not granted within ``lock_timeout``."""


def with_keepalives(conninfo: str) -> str:
    """The connection string with the keepalive parameters it leaves unset."""
    try:
        given = conninfo_to_dict(conninfo)
    except (psycopg.ProgrammingError, UnicodeError):
        return conninfo  # reported when it is used to connect
    missing = {key: value for key, value in _KEEPALIVES.items() if key not in given}
    return make_conninfo(conninfo, **missing)
