"""Where fieldsync keeps its state: syncs, runs, fingerprints, checkpoints, leases, inbox.

- :class:`SQLiteStore`: the embedded default, one SQLite file that several processes on
  one machine can share.
- :class:`PostgresStore`: PostgreSQL, for many workers on many machines (the ``postgres``
  extra; imported on first use, so fieldsync works without psycopg installed).
- :class:`InMemoryStore`: dictionaries, for tests.
- :class:`LocalQuota`: a quota ledger and token cache in process memory, for keeping an
  adapter's limits inside one process on purpose (also ``fieldsync.LocalQuota``).

All implement :class:`fieldsync.ports.SyncStore` and pass the contract suite in
``fieldsync.testing.store_contract``, which a store of your own can run too.
"""

from typing import TYPE_CHECKING, Any

from fieldsync.ports import QuotaStore
from fieldsync.quota import LocalQuota
from fieldsync.stores.memory import InMemoryStore
from fieldsync.stores.sqlite import SQLiteStore

if TYPE_CHECKING:
    from fieldsync.stores.postgres import PostgresStore  # noqa: F401  (imported on first use)

# PostgresStore is left out: `from fieldsync.stores import *` must work without psycopg
__all__ = ["InMemoryStore", "LocalQuota", "QuotaStore", "SQLiteStore"]


def __getattr__(name: str) -> Any:
    # PostgresStore needs psycopg (an extra): imported only when asked for
    if name == "PostgresStore":
        from fieldsync.stores.postgres import PostgresStore

        return PostgresStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
