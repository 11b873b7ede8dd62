"""Wiring a SyncService for the benchmarks: one integration, one sync, the benchmark data."""

from __future__ import annotations

from datetime import UTC, datetime

from bench import _data
from fieldsync import SyncSpec
from fieldsync.ports import Clock, Source, SyncStore, Target
from fieldsync.service import SyncService
from fieldsync.testing.clock import FakeClock

__all__ = ["LIST_KEY", "START", "make_sync"]

LIST_KEY = "bench-list"
START = datetime(2026, 1, 1, tzinfo=UTC)


def make_sync(
    *, store: SyncStore, source: Source, target: Target, clock: Clock | None = None
) -> tuple[SyncService, str]:
    """A service with the benchmark's sync registered (not yet initiated); its id.

    The clock defaults to a fake one at :data:`START`: the service's own time is then
    free, and a run's wall time is all work.
    """
    service = SyncService(store=store, clock=clock or FakeClock(START))
    service.register_integration("bench", source=source, target=target)
    sync = service.create_sync(
        "bench",
        SyncSpec(
            name="benchmark", list_key=LIST_KEY, mapping=_data.mapping(), criteria=_data.criteria()
        ),
    )
    return service, sync.id
