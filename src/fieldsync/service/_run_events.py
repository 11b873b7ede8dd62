"""What the run loop tells the event hook: the fields every event carries, the records a
run expects, and the events that end a run (see :mod:`fieldsync.events`)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from datetime import datetime
from typing import TypedDict

import attrs

from fieldsync._run_scope import RunScope
from fieldsync.domain.sync import RunStatus, SyncRun
from fieldsync.events import BatchCommitted, EventHook, RunDeferred, RunEvent, RunFinished, combine
from fieldsync.ports import Source, SyncStore

__all__ = ["EventIds", "announce_end", "event_ids", "expected_records", "with_progress"]

_log = logging.getLogger("fieldsync.run")


class EventIds(TypedDict):
    """The fields every :class:`~fieldsync.events.RunEvent` starts with."""

    sync_id: str
    run_id: str
    integration: str
    at: datetime


def event_ids(scope: RunScope) -> EventIds:
    """The fields every event of the scope's run starts with; ``at`` is now."""
    return EventIds(
        sync_id=scope.sync_id,
        run_id=scope.run_id,
        integration=scope.integration,
        at=scope.clock.now(),
    )


def expected_records(
    source: Source, since: datetime | None, position: str | None, offset: int
) -> int | None:
    """How many records a run reads, when it reads the whole source from the start."""
    if since is not None or position is not None or offset:
        return None
    try:
        return source.count()
    except Exception:
        # Only a progress bar's total: not worth failing or slowing the run for.
        _log.debug("the source could not count its records", exc_info=True)
        return None


def announce_end(scope: RunScope, run: SyncRun, store: SyncStore) -> None:
    """:class:`RunDeferred` (for a deferred run), then :class:`RunFinished`. Never raises:
    it runs on the way out, maybe with an exception in flight that must not be hidden."""
    if run.status is RunStatus.DEFERRED:
        try:
            resume_at = store.get_sync(run.sync_id).next_run_at
        except Exception:
            _log.warning("could not read when run %s resumes", run.id, exc_info=True)
            resume_at = None
        scope.emit(RunDeferred(**event_ids(scope), run=attrs.evolve(run), resume_at=resume_at))
    scope.emit(RunFinished(**event_ids(scope), run=attrs.evolve(run)))


def with_progress(
    on_event: EventHook | None, on_progress: Callable[[SyncRun], None] | None
) -> EventHook | None:
    """The hook a service gives its runs: ``on_event``, joined by the deprecated
    ``on_progress`` callback (called with the run after each batch) when there is one."""
    if on_progress is None:
        return on_event
    warnings.warn(
        "SyncService(on_progress=...) is deprecated since fieldsync 0.1: pass on_event= and "
        "handle fieldsync.events.BatchCommitted",
        DeprecationWarning,
        stacklevel=3,
    )

    def progress(event: RunEvent) -> None:
        if isinstance(event, BatchCommitted):
            on_progress(event.run)

    return progress if on_event is None else combine(on_event, progress)
