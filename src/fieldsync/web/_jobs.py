"""Runs started from the console go to a background thread, never into the request."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import attrs

from fieldsync import FieldSyncError, StateError, SyncRun
from fieldsync._secrets import redact_text

__all__ = ["BackgroundRuns", "Job"]

_log = logging.getLogger("fieldsync.web")


@attrs.define
class Job:
    """One piece of work started from the console for a sync (an initiate or a run).

    Args:
        sync_id: the sync it works on.
        action: what it does: ``"initiate"`` or ``"run"``.
        done: whether it has ended.
        run_id: the run it made, once it has ended with one.
        error: why it failed, in words fit for the screen (no secrets, no traceback).
    """

    sync_id: str
    action: str
    done: bool = False
    run_id: str | None = None
    error: str | None = None


class BackgroundRuns:
    """Starts initiates and runs in daemon threads, one at a time per sync, and keeps the
    last job of each sync so that its page can say how it went."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._threads: dict[str, threading.Thread] = {}

    def start(self, sync_id: str, action: str, work: Callable[[], SyncRun]) -> Job:
        """Start ``work`` for ``sync_id`` in a new thread.

        Raises:
            StateError: a job of the console for this sync has not ended.
        """
        with self._lock:
            current = self._jobs.get(sync_id)
            if current is not None and not current.done:
                raise StateError(f"sync {sync_id!r} is already running from this console")
            job = Job(sync_id, action)
            thread = threading.Thread(
                target=self._work, args=(job, work), name=f"fieldsync-{action}", daemon=True
            )
            self._jobs[sync_id], self._threads[sync_id] = job, thread
        thread.start()
        return job

    def _work(self, job: Job, work: Callable[[], SyncRun]) -> None:
        try:
            job.run_id = work().id
        except FieldSyncError as exc:
            _log.warning("the console's %s of sync %s failed: %s", job.action, job.sync_id, exc)
            job.error = redact_text(str(exc))
        except Exception:
            _log.exception("the console's %s of sync %s failed", job.action, job.sync_id)
            job.error = "an unexpected error stopped it; the server log has the details"
        finally:
            job.done = True

    def job(self, sync_id: str) -> Job | None:
        """The last job started for ``sync_id``, if any."""
        with self._lock:
            return self._jobs.get(sync_id)

    def running(self, sync_id: str) -> bool:
        """Whether a job for ``sync_id`` has not ended."""
        job = self.job(sync_id)
        return job is not None and not job.done

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait until every job has ended (tests, shutdown); return whether they did."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)
