"""fieldsync's pytest plugin: the fakes, the fake clock, stores and the Zoho emulators as
fixtures. Installed with ``pip install fieldsync[testing]`` and loaded by pytest on its own
(entry point ``pytest11``), as respx and pytest-httpx are; nothing to import.

=======================  ==============================================================
fixture                  what it gives
=======================  ==============================================================
``fake_clock``           a :class:`~fieldsync.testing.FakeClock` at 2026-01-05 09:00 UTC
``fake_source``          a :class:`~fieldsync.testing.FakeSource` on ``fake_clock``
``fake_target``          a :class:`~fieldsync.testing.FakeTarget` with a list ``"list"``
``recording_notifier``   a :class:`~fieldsync.testing.RecordingNotifier`
``memory_store``         an :class:`~fieldsync.InMemoryStore`
``sqlite_store``         a :class:`~fieldsync.SQLiteStore` in ``tmp_path``, closed after
``sync_service``         a :class:`~fieldsync.SyncService` on ``memory_store``,
                         ``recording_notifier`` and ``fake_clock``, with ``fake_source``
                         and ``fake_target`` registered as integration ``"fake"``
``emulated_zoho``        an :class:`~fieldsync.testing.EmulatedZoho` on ``fake_clock``
                         (100 contacts; ``@pytest.mark.emulated_zoho(contacts=..., ...)``
                         passes other arguments to :meth:`EmulatedZoho.build`)
=======================  ==============================================================

Every fixture is function-scoped: each test gets fresh ones. A fixture of your own with the
same name wins over the plugin's. ``docs/testing.md`` has examples.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

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

__all__ = [
    "FAKE_INTEGRATION",
    "FAKE_LIST",
    "START",
    "emulated_zoho",
    "fake_clock",
    "fake_source",
    "fake_target",
    "memory_store",
    "recording_notifier",
    "sqlite_store",
    "sync_service",
]

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""Where ``fake_clock`` starts: a Monday morning, UTC."""

FAKE_LIST = "list"
"""The list ``fake_target`` has from the start."""

FAKE_INTEGRATION = "fake"
"""The integration ``sync_service`` registers ``fake_source`` and ``fake_target`` under."""

_EMULATED_CONTACTS = 100


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``emulated_zoho`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        "emulated_zoho(**build_arguments): arguments for the emulated_zoho fixture's "
        "EmulatedZoho.build (contacts, seed, plan_limit, faults, ...)",
    )


@pytest.fixture
def fake_clock() -> FakeClock:
    """Simulated time: sleeps return at once and are recorded in ``fake_clock.sleeps``."""
    from fieldsync.testing.clock import FakeClock

    return FakeClock(START)


@pytest.fixture
def fake_source(fake_clock: FakeClock) -> FakeSource:
    """An empty in-memory source; ``put`` records into it."""
    from fieldsync.testing.fakes import FakeSource

    return FakeSource(clock=fake_clock)


@pytest.fixture
def fake_target() -> FakeTarget:
    """An in-memory target with one list, :data:`FAKE_LIST`."""
    from fieldsync.testing.fakes import FakeTarget

    target = FakeTarget()
    target.create_list(FAKE_LIST)
    return target


@pytest.fixture
def recording_notifier() -> RecordingNotifier:
    """A notifier that keeps what it was sent."""
    from fieldsync.testing.fakes import RecordingNotifier

    return RecordingNotifier()


@pytest.fixture
def memory_store() -> Iterator[InMemoryStore]:
    """A store in dictionaries."""
    from fieldsync.stores import InMemoryStore

    with InMemoryStore() as store:
        yield store


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    """A SQLite store in a file of the test's own folder, closed after the test."""
    from fieldsync.stores import SQLiteStore

    with SQLiteStore(tmp_path / "fieldsync.db") as store:
        yield store


@pytest.fixture
def sync_service(
    memory_store: InMemoryStore,
    recording_notifier: RecordingNotifier,
    fake_clock: FakeClock,
    fake_source: FakeSource,
    fake_target: FakeTarget,
) -> Iterator[SyncService]:
    """A service wired to the fakes, with integration :data:`FAKE_INTEGRATION`."""
    from fieldsync.service import SyncService

    with SyncService(store=memory_store, notifier=recording_notifier, clock=fake_clock) as service:
        service.register_integration(FAKE_INTEGRATION, source=fake_source, target=fake_target)
        yield service


@pytest.fixture
def emulated_zoho(request: pytest.FixtureRequest, fake_clock: FakeClock) -> Iterator[EmulatedZoho]:
    """Zoho Accounts, Invoice and Campaigns emulated in memory, with the real adapters."""
    from fieldsync.testing.emulators import EmulatedZoho

    marker = request.node.get_closest_marker("emulated_zoho")
    arguments: dict[str, object] = {"contacts": _EMULATED_CONTACTS, "clock": fake_clock}
    if marker is not None:
        arguments.update(marker.kwargs)
    with EmulatedZoho.build(**arguments) as zoho:  # type: ignore[arg-type]
        yield zoho
