"""Closing the service: what it owns (the notifier and the registered adapters) is closed
once; the store is the caller's."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.stores.sqlite import SQLiteStore
from fieldsync.testing.fakes import FakeSource, FakeTarget, RecordingNotifier


class Closing:
    """Records its closes in a shared log."""

    def __init__(self, name: str, log: list[str], *, fails: bool = False) -> None:
        self.name, self.log, self.fails = name, log, fails

    def close(self) -> None:
        self.log.append(self.name)
        if self.fails:
            raise OSError(f"{self.name} would not close")


class ClosingSource(FakeSource, Closing):
    def __init__(self, name: str, log: list[str], *, fails: bool = False) -> None:
        FakeSource.__init__(self)
        Closing.__init__(self, name, log, fails=fails)


class ClosingTarget(FakeTarget, Closing):
    def __init__(self, name: str, log: list[str]) -> None:
        FakeTarget.__init__(self)
        Closing.__init__(self, name, log)


class ClosingNotifier(RecordingNotifier, Closing):
    def __init__(self, log: list[str]) -> None:
        RecordingNotifier.__init__(self)
        Closing.__init__(self, "notifier", log)


def test_leaving_the_with_closes_the_notifier_and_every_adapter_once() -> None:
    log: list[str] = []
    shared = ClosingTarget("target", log)
    with SyncService(store=InMemoryStore(), notifier=ClosingNotifier(log)) as service:
        service.register_integration("a", source=ClosingSource("a", log), target=shared)
        service.register_integration("b", source=ClosingSource("b", log), target=shared)

    assert ["notifier", "a", "target", "b"] == log


def test_the_store_stays_open_for_its_owner(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "fieldsync.db") as store:
        with SyncService(store=store) as service:
            service.register_integration("a", source=FakeSource(), target=FakeTarget())

        assert [] == store.list_syncs()


def test_closing_twice_closes_once() -> None:
    log: list[str] = []
    service = SyncService(store=InMemoryStore(), notifier=ClosingNotifier(log))

    service.close()
    service.close()

    assert ["notifier"] == log


def test_one_adapter_failing_to_close_does_not_leave_the_others_open() -> None:
    log: list[str] = []
    service = SyncService(store=InMemoryStore())
    service.register_integration(
        "a", source=ClosingSource("a", log, fails=True), target=FakeTarget()
    )
    service.register_integration("b", source=ClosingSource("b", log), target=FakeTarget())

    with pytest.raises(OSError, match="a would not close"):
        service.close()

    assert ["a", "b"] == log
