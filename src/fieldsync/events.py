"""What a run tells the world as it goes: one event hook for progress bars, consoles and metrics.

Pass a callable to ``SyncService(on_event=...)``; it receives every :class:`RunEvent` of every
run the service makes, in order::

    def show(event: fieldsync.events.RunEvent) -> None:
        print(event)  # every event reads as one line

    service = fs.SyncService(store=store, on_event=show)

A run emits :class:`RunStarted`, :class:`RunEstimated` once it knows how it writes and
how many records it reads, then :class:`BatchCommitted` after each batch is in the
store, :class:`Waiting` before each wait longer than nothing (a rate limit's pacing, a
retry's back-off), and at the end :class:`RunDeferred` (when a quota or a temporary failure
deferred it) followed by :class:`RunFinished`, which every run emits however it ended.

Hooks run on the thread that did the work: usually the caller's, but an adapter's worker
thread for :class:`Waiting` (the Campaigns target writes from a small pool). Keep them quick
and thread-safe. A hook that raises is logged and ignored; the run goes on. Use
:func:`combine` to give the service several hooks. ``docs/observability.md`` has examples.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from datetime import datetime

import attrs

from fieldsync.domain.duration import RunEstimate
from fieldsync.domain.sync import RunCounts, SyncRun

__all__ = [
    "BatchCommitted",
    "EventHook",
    "RunDeferred",
    "RunEstimated",
    "RunEvent",
    "RunFinished",
    "RunStarted",
    "WaitReason",
    "Waiting",
    "combine",
]

_log = logging.getLogger("fieldsync.events")


@attrs.frozen(kw_only=True)
class RunEvent:
    """What every event says: which run of which sync, and when.

    Attributes:
        sync_id: the sync the run belongs to.
        run_id: the run.
        integration: the sync's integration (its source and target).
        at: when it happened (aware, the service's clock).
    """

    sync_id: str
    run_id: str
    integration: str
    at: datetime

    def __str__(self) -> str:
        return f"run {self.run_id} of sync {self.sync_id}"


@attrs.frozen(kw_only=True)
class RunStarted(RunEvent):
    """A run started (its lease is held and it is recorded as running).

    Attributes:
        run: the run as it started (counts are zero).
        expected: how many records the run will read when it reads the whole source from
            the start and the source can count them cheaply (``Source.count``); ``None``
            otherwise (an incremental pass, a resumed pass, a source that cannot count).
    """

    run: SyncRun
    expected: int | None = None

    def __str__(self) -> str:
        how = f", {self.expected:,} records expected" if self.expected is not None else ""
        return f"run {self.run_id} of sync {self.sync_id} started ({self.run.trigger.value}{how})"


@attrs.frozen(kw_only=True)
class RunEstimated(RunEvent):
    """How long the run's writes take at the target's rate limits, said once the run has
    chosen its route (after :class:`RunStarted`), for a target that states its rate
    windows, when the run knows how many records to expect: the source's count, or else
    as many as the sync's last completed run read.

    Attributes:
        route: ``"upsert"`` (one contact a call, say) or ``"bulk"`` (a sync that maps only
            the email, through a :class:`~fieldsync.ports.BulkEmailTarget`).
        estimate: the duration if every record read is written: an upper bound, as
            unchanged and skipped records cost no call. ``str(estimate)`` says it as
            "about 16 h for 200,000 contacts at 12,500 an hour".
    """

    route: str
    estimate: RunEstimate

    def __str__(self) -> str:
        return f"run {self.run_id} of sync {self.sync_id} takes {self.estimate} ({self.route})"


@attrs.frozen(kw_only=True)
class BatchCommitted(RunEvent):
    """A batch is committed: its records' outcomes and the checkpoint are in the store.

    Attributes:
        run: a snapshot of the run with its counts so far.
        batch: the counts of this batch alone.
    """

    run: SyncRun
    batch: RunCounts

    def __str__(self) -> str:
        return f"run {self.run_id} of sync {self.sync_id}: {self.run.total:,} records done"


class WaitReason(enum.Enum):
    """Why a run waits."""

    RATE_LIMIT = "rate_limit"
    """The client paces its calls under the service's published rate limits."""
    RETRY = "retry"
    """A call failed temporarily (or the server said how long to wait) and is retried."""


@attrs.frozen(kw_only=True)
class Waiting(RunEvent):
    """The run is about to wait (emitted before the wait starts).

    Several threads of one adapter waiting for the same window announce it once: an event
    comes only when the run would wait past the last announced ``until``.

    Attributes:
        until: when the wait ends (aware, UTC).
        seconds: how long the wait is.
        reason: a rate limit's pacing or a retry's back-off.
        endpoint: what is waited for (``"POST json/listsubscribe"``), when known.
    """

    until: datetime
    seconds: float
    reason: WaitReason
    endpoint: str | None = None

    def __str__(self) -> str:
        what = "the rate limit" if self.reason is WaitReason.RATE_LIMIT else "a retry"
        of = f" of {self.endpoint}" if self.endpoint else ""
        until = self.until.strftime("%H:%M:%S %Z").strip()
        return f"waiting for {what}{of} until {until} ({self.seconds:,.0f} s)"


@attrs.frozen(kw_only=True)
class RunDeferred(RunEvent):
    """A quota, a temporary failure or the plan limit stopped the run cleanly; the sync
    continues later. :class:`RunFinished` follows.

    Attributes:
        run: the run as it ended (status ``deferred``, ``error`` says why).
        resume_at: when the sync runs again (``None``: on its schedule, if it has one).
    """

    run: SyncRun
    resume_at: datetime | None

    def __str__(self) -> str:
        when = f"; it continues at {self.resume_at.isoformat()}" if self.resume_at else ""
        return f"run {self.run_id} of sync {self.sync_id} deferred: {self.run.error}{when}"


@attrs.frozen(kw_only=True)
class RunFinished(RunEvent):
    """The run ended, whatever the way (``run.status`` says which). Every run that started
    emits it once, also when an unexpected exception ends it.

    Attributes:
        run: the run as recorded at its end.
    """

    run: SyncRun

    def __str__(self) -> str:
        return f"run {self.run_id} of sync {self.sync_id} {self.run.status.value}"


EventHook = Callable[[RunEvent], None]
"""What ``SyncService(on_event=...)`` takes: a callable receiving every :class:`RunEvent`."""


def combine(*hooks: EventHook) -> EventHook:
    """One hook that calls each of ``hooks`` in order. One that raises is logged and the
    others still run."""

    def each(event: RunEvent) -> None:
        for hook in hooks:
            try:
                hook(event)
            except Exception:
                _log.warning(
                    "the event hook %r failed on %s", hook, type(event).__name__, exc_info=True
                )

    return each
