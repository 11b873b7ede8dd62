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
    # imported on first use by __getattr__ below (it needs psycopg, the postgres extra)
    from fieldsync.stores.postgres import PostgresStore

__all__ = ["InMemoryStore", "LocalQuota", "PostgresStore", "QuotaStore", "SQLiteStore"]

_POSTGRES_EXTRA = "PostgresStore needs psycopg: pip install 'fieldsync[postgres]'"


def __getattr__(name: str) -> Any:
    # PostgresStore needs psycopg (an extra): imported only when asked for, so that the
    # rest of fieldsync works without it
    if name == "PostgresStore":
        try:
            from fieldsync.stores.postgres import PostgresStore
        except ModuleNotFoundError as missing:
            if not (missing.name or "").startswith("psycopg"):
                raise
            raise ImportError(_POSTGRES_EXTRA, name=missing.name) from missing
        return PostgresStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
