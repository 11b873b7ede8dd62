"""Fixtures every test folder may use, and fieldsync's pytest plugin for this suite's own
tests of it.

The plugin: ``make test`` turns the plugin's entry point off (``-p no:fieldsync``) and loads
it here instead: pytest imports entry-point plugins before coverage starts, and importing
the plugin imports fieldsync, whose module-level lines would then go unmeasured. A plain
``pytest`` run has the entry point's plugin already and loads nothing more.

PostgreSQL: the server comes from ``FIELDSYNC_TEST_POSTGRES`` (a libpq URL such as
``postgresql://postgres@127.0.0.1:5432/test``; the Makefile sets it). Each test gets its
own PostgreSQL schema (``postgres_schema``, dropped afterwards) or an emptied store in its
worker's schema (``postgres_store``, cheaper), so xdist workers never meet. Commits do
not wait for the disk (``synchronous_commit=off``): a crash of the test server is no
concern, and the waits would double the time of these tests. Without a
reachable server the PostgreSQL tests skip with one line, except in CI (``CI`` set), where
they fail: CI must never pass by skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from fieldsync.stores.postgres import PostgresStore


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("fieldsync"):
        config.pluginmanager.import_plugin("fieldsync.testing.pytest_plugin")


POSTGRES_ENV = "FIELDSYNC_TEST_POSTGRES"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test server's URL, checked to answer."""
    url = os.environ.get(POSTGRES_ENV, "")
    problem = f"{POSTGRES_ENV} is not set" if not url else _unreachable(url)
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests cannot run in CI: {problem}", pytrace=False)
        pytest.skip(f"PostgreSQL tests skipped: {problem}")
    from psycopg.conninfo import make_conninfo

    return make_conninfo(url, options="-c synchronous_commit=off")


@pytest.fixture(scope="session")
def postgres_worker_schema(postgres_url: str) -> Iterator[str]:
    """The schema this test process shares between its ``postgres_store`` tests."""
    import psycopg
    from psycopg import sql

    name = f"fs_test_{uuid.uuid4().hex[:16]}"
    yield name
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def postgres_store(postgres_url: str, postgres_worker_schema: str) -> Iterator[PostgresStore]:
    """An empty PostgresStore whose leases follow the ``now`` callers pass (fake clocks)."""
    from fieldsync.stores.postgres import PostgresStore

    schema = postgres_worker_schema
    with PostgresStore(postgres_url, schema=schema, clock="caller") as store:
        _empty(postgres_url, schema)
        yield store


def _empty(url: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        names = [
            sql.Identifier(schema, row[0])
            for row in conn.execute(
                "SELECT tablename FROM pg_tables"
                " WHERE schemaname = %s AND tablename <> 'schema_version'",
                (schema,),
            )
        ]
        # DELETE, not TRUNCATE: on a few rows it is many times faster (no new files)
        for name in names:
            conn.execute(sql.SQL("DELETE FROM {}").format(name))


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A fresh schema name for one test; the schema is dropped after it."""
    import psycopg
    from psycopg import sql

    name = f"fs_test_{uuid.uuid4().hex[:16]}"
    yield name
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def _unreachable(url: str) -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'fieldsync[postgres]')"
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        from fieldsync.stores._pg_db import describe_conninfo

        return f"no server answers at {describe_conninfo(url)} ({type(exc).__name__})"
    return None
