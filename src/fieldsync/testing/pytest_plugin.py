"""fieldsync's pytest plugin: the fakes, the fake clock, stores and the Zoho emulators as
fixtures. Installed with ``pip install fieldsync[testing]`` and loaded by pytest on its own
(entry point ``pytest11``), as respx and pytest-httpx are; nothing to import.

============================  =========================================================
fixture                       what it gives
============================  =========================================================
``fieldsync_clock``           a :class:`~fieldsync.testing.FakeClock` at :data:`START`
                              (2026-01-05 09:00 UTC)
``fieldsync_source``          a :class:`~fieldsync.testing.FakeSource` on
                              ``fieldsync_clock``
``fieldsync_target``          a :class:`~fieldsync.testing.FakeTarget` with one list,
                              :data:`FAKE_LIST`
``fieldsync_notifier``        a :class:`~fieldsync.testing.RecordingNotifier`
``fieldsync_memory_store``    an :class:`~fieldsync.InMemoryStore`, closed after the test
``fieldsync_sqlite_store``    a :class:`~fieldsync.SQLiteStore` in ``tmp_path``, closed
                              after the test
``fieldsync_service``         a :class:`~fieldsync.SyncService` on
                              ``fieldsync_memory_store``, ``fieldsync_notifier`` and
                              ``fieldsync_clock``, with ``fieldsync_source`` and
                              ``fieldsync_target`` registered as integration
                              :data:`FAKE_INTEGRATION`; closed after the test
``fieldsync_emulated_zoho``   an :class:`~fieldsync.testing.EmulatedZoho` on
                              ``fieldsync_clock``, 100 contacts;
                              ``@pytest.mark.fieldsync_emulated_zoho(contacts=..., ...)``
                              passes other arguments to ``EmulatedZoho.build``
============================  =========================================================

Every fixture is function-scoped: each test gets fresh ones. A fixture of your own with the
same name wins over the plugin's, and the plugin's fixtures that use it get yours (define
``fieldsync_clock`` and ``fieldsync_service`` runs on your clock).

The names before the ``fieldsync_`` prefix still work, each the fixture it was renamed to,
after a ``DeprecationWarning`` (they go in fieldsync 1.0): ``fake_clock``, ``fake_source``,
``fake_target``, ``recording_notifier``, ``memory_store``, ``sqlite_store``,
``sync_service``, ``emulated_zoho`` (and the marker ``emulated_zoho``). Overriding an old
name no longer changes what the other fixtures use: override the new one.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# fieldsync itself is imported by each fixture when it runs, not here: pytest imports
# plugins before coverage starts, and an import here would hide the package's module-level
# lines from the coverage of any project that measures fieldsync (this one does).
if TYPE_CHECKING:
    from fieldsync.service import SyncService
    from fieldsync.stores import InMemoryStore, SQLiteStore
    from fieldsync.testing.clock import FakeClock
    from fieldsync.testing.emulators import EmulatedZoho
    from fieldsync.testing.fakes import FakeSource, FakeTarget, RecordingNotifier

# The contract suites' asserts show the values they compared (as a test module's do), beside
# their messages saying what the adapter should do. Registered before any test imports them.
pytest.register_assert_rewrite(
    "fieldsync.testing.contract",
    "fieldsync.testing.quota_contract",
    "fieldsync.testing.store_contract",
)

__all__ = [
    "FAKE_INTEGRATION",
    "FAKE_LIST",
    "START",
    "fieldsync_clock",
    "fieldsync_emulated_zoho",
    "fieldsync_memory_store",
    "fieldsync_notifier",
    "fieldsync_service",
    "fieldsync_source",
    "fieldsync_sqlite_store",
    "fieldsync_target",
]

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""Where ``fieldsync_clock`` starts: a Monday morning, UTC."""

FAKE_LIST = "list"
"""The list ``fieldsync_target`` has from the start."""

FAKE_INTEGRATION = "fake"
"""The integration ``fieldsync_service`` registers ``fieldsync_source`` and
``fieldsync_target`` under."""

_EMULATED_CONTACTS = 100
_MARKER = "fieldsync_emulated_zoho"
_OLD_MARKER = "emulated_zoho"


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``fieldsync_emulated_zoho`` marker (``--strict-markers`` accepts it),
    and its old name ``emulated_zoho``."""
    for name, note in ((_MARKER, ""), (_OLD_MARKER, " (deprecated: fieldsync_emulated_zoho)")):
        config.addinivalue_line(
            "markers",
            f"{name}(**build_arguments): arguments for the fieldsync_emulated_zoho fixture's "
            f"EmulatedZoho.build (contacts, seed, plan_limit, faults, ...){note}",
        )


@pytest.fixture
def fieldsync_clock() -> FakeClock:
    """Simulated time from :data:`START`: sleeps return at once and are recorded in
    ``fieldsync_clock.sleeps``."""
    from fieldsync.testing.clock import FakeClock

    return FakeClock(START)


@pytest.fixture
def fieldsync_source(fieldsync_clock: FakeClock) -> FakeSource:
    """An empty in-memory source on ``fieldsync_clock``; ``put`` records into it."""
    from fieldsync.testing.fakes import FakeSource

    return FakeSource(clock=fieldsync_clock)


@pytest.fixture
def fieldsync_target() -> FakeTarget:
    """An in-memory target with one list, :data:`FAKE_LIST`."""
    from fieldsync.testing.fakes import FakeTarget

    target = FakeTarget()
    target.create_list(FAKE_LIST)
    return target


@pytest.fixture
def fieldsync_notifier() -> RecordingNotifier:
    """A notifier that keeps what it was sent, in ``fieldsync_notifier.sent``."""
    from fieldsync.testing.fakes import RecordingNotifier

    return RecordingNotifier()


@pytest.fixture
def fieldsync_memory_store() -> Iterator[InMemoryStore]:
    """A store in dictionaries, closed after the test."""
    from fieldsync.stores import InMemoryStore

    with InMemoryStore() as store:
        yield store


@pytest.fixture
def fieldsync_sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    """A SQLite store in a file of the test's own folder, closed after the test."""
    from fieldsync.stores import SQLiteStore

    with SQLiteStore(tmp_path / "fieldsync.db") as store:
        yield store


@pytest.fixture
def fieldsync_service(
    fieldsync_memory_store: InMemoryStore,
    fieldsync_notifier: RecordingNotifier,
    fieldsync_clock: FakeClock,
    fieldsync_source: FakeSource,
    fieldsync_target: FakeTarget,
) -> Iterator[SyncService]:
    """A service on the fakes, with integration :data:`FAKE_INTEGRATION`; closed after."""
    from fieldsync.service import SyncService

    with SyncService(
        store=fieldsync_memory_store, notifier=fieldsync_notifier, clock=fieldsync_clock
    ) as service:
        service.register_integration(
            FAKE_INTEGRATION, source=fieldsync_source, target=fieldsync_target
        )
        yield service


@pytest.fixture
def fieldsync_emulated_zoho(
    request: pytest.FixtureRequest, fieldsync_clock: FakeClock
) -> Iterator[EmulatedZoho]:
    """Zoho Accounts, Invoice and Campaigns emulated in memory, with the real adapters, on
    ``fieldsync_clock``; ``@pytest.mark.fieldsync_emulated_zoho(...)`` passes arguments to
    ``EmulatedZoho.build``."""
    from fieldsync.testing.emulators import EmulatedZoho

    arguments: dict[str, Any] = {"contacts": _EMULATED_CONTACTS, "clock": fieldsync_clock}
    marker = request.node.get_closest_marker(_MARKER)
    if marker is None:
        marker = request.node.get_closest_marker(_OLD_MARKER)
        if marker is not None:
            _renamed(f"the {_OLD_MARKER} marker", _MARKER)
    if marker is not None:
        arguments.update(marker.kwargs)
    with EmulatedZoho.build(**arguments) as zoho:
        yield zoho


# The names before the prefix (deprecated). Each is the fixture it was renamed to.


def _renamed(old: str, new: str) -> None:
    warnings.warn(
        f"{old} is deprecated and goes in fieldsync 1.0; use {new}",
        DeprecationWarning,
        stacklevel=2,
    )


@pytest.fixture
def fake_clock(fieldsync_clock: FakeClock) -> FakeClock:
    """Deprecated: ``fieldsync_clock``."""
    _renamed("the fake_clock fixture", "fieldsync_clock")
    return fieldsync_clock


@pytest.fixture
def fake_source(fieldsync_source: FakeSource) -> FakeSource:
    """Deprecated: ``fieldsync_source``."""
    _renamed("the fake_source fixture", "fieldsync_source")
    return fieldsync_source


@pytest.fixture
def fake_target(fieldsync_target: FakeTarget) -> FakeTarget:
    """Deprecated: ``fieldsync_target``."""
    _renamed("the fake_target fixture", "fieldsync_target")
    return fieldsync_target


@pytest.fixture
def recording_notifier(fieldsync_notifier: RecordingNotifier) -> RecordingNotifier:
    """Deprecated: ``fieldsync_notifier``."""
    _renamed("the recording_notifier fixture", "fieldsync_notifier")
    return fieldsync_notifier


@pytest.fixture
def memory_store(fieldsync_memory_store: InMemoryStore) -> InMemoryStore:
    """Deprecated: ``fieldsync_memory_store``."""
    _renamed("the memory_store fixture", "fieldsync_memory_store")
    return fieldsync_memory_store


@pytest.fixture
def sqlite_store(fieldsync_sqlite_store: SQLiteStore) -> SQLiteStore:
    """Deprecated: ``fieldsync_sqlite_store``."""
    _renamed("the sqlite_store fixture", "fieldsync_sqlite_store")
    return fieldsync_sqlite_store


@pytest.fixture
def sync_service(fieldsync_service: SyncService) -> SyncService:
    """Deprecated: ``fieldsync_service``."""
    _renamed("the sync_service fixture", "fieldsync_service")
    return fieldsync_service


@pytest.fixture
def emulated_zoho(fieldsync_emulated_zoho: EmulatedZoho) -> EmulatedZoho:
    """Deprecated: ``fieldsync_emulated_zoho``."""
    _renamed("the emulated_zoho fixture", "fieldsync_emulated_zoho")
    return fieldsync_emulated_zoho
