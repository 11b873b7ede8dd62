"""A run is never left `running` by an error raised while its end is recorded."""

from __future__ import annotations

from datetime import datetime

import pytest
from service_helpers import LIST, MAPPING, put_people

from fieldsync import SyncSpec
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.sync import RunStatus, Sync, SyncRun
from fieldsync.exceptions import QuotaExhaustedError
from fieldsync.service import SyncService
from fieldsync.service._run_end import RunEnd
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.fakes import FakeSource, FakeTarget


def overflowing(self: Schedule, instant: datetime) -> datetime | None:
    raise OverflowError("date value out of range")


def test_an_error_computing_the_next_run_after_the_work_fails_the_run(
    service: SyncService,
    sync: Sync,
    source: FakeSource,
    store: InMemoryStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    put_people(source, 3)
    monkeypatch.setattr(Schedule, "next_run_after", overflowing)

    with pytest.raises(OverflowError):
        service.initiate(sync.id)

    (run,) = store.runs(sync.id)
    assert (run.status, run.total, run.error) == (
        RunStatus.FAILED,
        3,
        "unexpected OverflowError: date value out of range",
    )


def test_an_error_while_recording_a_deferral_fails_the_run(
    service: SyncService,
    sync: Sync,
    source: FakeSource,
    target: FakeTarget,
    store: InMemoryStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    put_people(source, 3)
    target.fail_next_upsert(QuotaExhaustedError("daily cap", resume_at=None))

    def broken_defer(*args: object, **kwargs: object) -> SyncRun:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(RunEnd, "defer", broken_defer)

    with pytest.raises(OverflowError):
        service.initiate(sync.id)

    (run,) = store.runs(sync.id)
    assert run.status is RunStatus.FAILED


class BrokenFinishStore(InMemoryStore):
    """A store whose finish_run fails; its other writes work."""

    def finish_run(self, run: SyncRun, sync: Sync, *, clear_checkpoint: bool) -> None:
        raise OSError("disk full")


def test_a_store_that_cannot_finish_a_run_still_gets_the_run_marked_failed(
    source: FakeSource, target: FakeTarget
) -> None:
    store = BrokenFinishStore()
    service = SyncService(store=store)
    service.register_integration("crm", source=source, target=target)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))
    put_people(source, 2)

    with pytest.raises(OSError, match="disk full"):
        service.initiate(sync.id)

    (run,) = store.runs(sync.id)
    assert (run.status, run.error) == (RunStatus.FAILED, "unexpected OSError: disk full")


def test_a_run_whose_end_was_recorded_keeps_it_when_a_later_step_raises(
    service: SyncService,
    sync: Sync,
    source: FakeSource,
    store: InMemoryStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    put_people(source, 1)

    def broken_notify(*args: object, **kwargs: object) -> None:
        raise RuntimeError("after the end")

    monkeypatch.setattr(RunEnd, "_notify", broken_notify)

    with pytest.raises(RuntimeError):
        service.initiate(sync.id)

    (run,) = store.runs(sync.id)
    assert run.status is RunStatus.COMPLETED
