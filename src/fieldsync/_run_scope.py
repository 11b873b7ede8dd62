"""The run in progress, as the code under it sees it: who to tell about events and waits, and
which fields to put on log records.

The run loop opens a :class:`RunScope` around a run (:func:`entered`); adapters deep below it
(a pacer, a retry) call :func:`announce_wait` before they sleep without knowing about runs.
The scope travels in a :mod:`contextvars` variable, so it follows the run's thread and any
worker thread started with a copy of its context.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fieldsync.events import EventHook, RunEvent, Waiting, WaitReason

if TYPE_CHECKING:
    from fieldsync.ports import Clock

__all__ = ["LONG_WAIT", "RunScope", "announce_wait", "entered", "log_extra"]

LONG_WAIT = 5.0
"""Waits at least this long (seconds) are logged at INFO: a silent 15-minute pause looks hung."""

_log = logging.getLogger("fieldsync.wait")
_current: contextvars.ContextVar[RunScope | None] = contextvars.ContextVar(
    "fieldsync_run_scope", default=None
)


class RunScope:
    """One run's identity and event hook."""

    def __init__(
        self,
        *,
        sync_id: str,
        run_id: str,
        integration: str,
        clock: Clock,
        hook: EventHook | None,
    ) -> None:
        self.sync_id = sync_id
        self.run_id = run_id
        self.integration = integration
        self.clock = clock
        self._hook = hook
        self._lock = threading.Lock()
        self._announced_until: datetime | None = None

    @property
    def log_extra(self) -> dict[str, str]:
        """The structured fields every log record of the run carries."""
        return {"sync_id": self.sync_id, "run_id": self.run_id, "integration": self.integration}

    def emit(self, event: RunEvent) -> None:
        """Give ``event`` to the hook; a hook that raises is logged and the run goes on."""
        if self._hook is None:
            return
        try:
            self._hook(event)
        except Exception:
            _log.warning(
                "the event hook failed on %s",
                type(event).__name__,
                exc_info=True,
                extra=self.log_extra,
            )

    def first_to_wait_until(self, until: datetime) -> bool:
        """Whether no wait reaching ``until`` (within a second) was announced yet."""
        with self._lock:
            last = self._announced_until
            if last is not None and until <= last + timedelta(seconds=1):
                return False
            self._announced_until = until
            return True


@contextmanager
def entered(scope: RunScope) -> Iterator[RunScope]:
    """Make ``scope`` the current run's for the code inside the ``with``."""
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def current() -> RunScope | None:
    """The run in progress on this thread (or its context), if any."""
    return _current.get()


def log_extra() -> dict[str, str]:
    """The current run's structured log fields (none outside a run)."""
    scope = _current.get()
    return {} if scope is None else scope.log_extra


def announce_wait(
    seconds: float, *, clock: Clock, reason: WaitReason, endpoint: str | None = None
) -> None:
    """Say that the caller is about to sleep ``seconds`` on ``clock``.

    Within a run, the run's hook gets a :class:`~fieldsync.events.Waiting` event (once per
    new ``until``, however many threads wait for it). A rate-limit wait of
    :data:`LONG_WAIT` or more is also logged (retries log every attempt already).
    """
    if seconds <= 0:
        return
    until = (clock.now() + timedelta(seconds=seconds)).astimezone(UTC)
    scope = _current.get()
    if scope is not None and not scope.first_to_wait_until(until):
        return
    if reason is WaitReason.RATE_LIMIT and seconds >= LONG_WAIT:
        _log.info(
            "waiting %.0f s for the rate limit%s, until %s",
            seconds,
            f" of {endpoint}" if endpoint else "",
            until.isoformat(timespec="seconds"),
            extra={**log_extra(), "wait_seconds": seconds, "endpoint": endpoint},
        )
    if scope is not None:
        scope.emit(
            Waiting(
                sync_id=scope.sync_id,
                run_id=scope.run_id,
                integration=scope.integration,
                at=clock.now(),
                until=until,
                seconds=seconds,
                reason=reason,
                endpoint=endpoint,
            )
        )
