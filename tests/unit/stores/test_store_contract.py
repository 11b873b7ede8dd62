"""Both shipped stores pass the store contract suite that custom stores run too."""

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fieldsync.ports import SyncStore
from fieldsync.stores import InMemoryStore, LocalQuota, SQLiteStore
from fieldsync.testing.quota_contract import QuotaContract, SharedQuotaContract
from fieldsync.testing.store_contract import StoreContract


class TestInMemoryStore(StoreContract):
    @pytest.fixture
    def store(self) -> Iterator[InMemoryStore]:
        with InMemoryStore() as store:
            yield store


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SQLiteStore]:
        with SQLiteStore(tmp_path / "state.db") as store:
            yield store


class TestSQLiteStoreInMemory(StoreContract):
    @pytest.fixture
    def store(self) -> Iterator[SQLiteStore]:
        with SQLiteStore(":memory:") as store:
            yield store


class TestPostgresStore(StoreContract, QuotaContract):
    # the contracts drive time with their own instants: the store follows the caller's clock
    @pytest.fixture
    def store(self, postgres_store: SyncStore) -> SyncStore:
        return postgres_store

    @pytest.fixture
    def reopen(self, postgres_url: str, postgres_worker_schema: str) -> Callable[[], object]:
        from fieldsync.stores.postgres import PostgresStore

        return functools.partial(
            PostgresStore, postgres_url, schema=postgres_worker_schema, clock="caller"
        )


class TestInMemoryStoreQuota(QuotaContract):
    @pytest.fixture
    def store(self) -> Iterator[InMemoryStore]:
        with InMemoryStore() as store:
            yield store


class TestLocalQuota(QuotaContract):
    @pytest.fixture
    def store(self) -> LocalQuota:
        return LocalQuota()


class TestSQLiteStoreQuota(SharedQuotaContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SQLiteStore]:
        with SQLiteStore(tmp_path / "state.db") as store:
            yield store

    @pytest.fixture
    def reopen(self, tmp_path: Path) -> Callable[[], SQLiteStore]:
        return functools.partial(SQLiteStore, tmp_path / "state.db")
