"""Where fieldsync keeps its state: syncs, runs, fingerprints, checkpoints, leases, inbox.

- :class:`SQLiteStore`: the embedded default, one SQLite file that several processes on
  one machine can share.
- :class:`InMemoryStore`: dictionaries, for tests.
- :class:`LocalQuota`: a quota ledger and token cache in process memory, what the Zoho
  adapters use when given no store to share them through.

Both implement :class:`fieldsync.ports.SyncStore` and pass the contract suite in
``fieldsync.testing.store_contract``, which a store of your own can run too.
"""

from fieldsync.stores._quota_memory import LocalQuota, QuotaStore
from fieldsync.stores.memory import InMemoryStore
from fieldsync.stores.sqlite import SQLiteStore

__all__ = ["InMemoryStore", "LocalQuota", "QuotaStore", "SQLiteStore"]
