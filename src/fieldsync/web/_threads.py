"""Work the console starts for a sync goes to a daemon thread, never into the request: one
piece at a time per sync, the last one of each kept for its page, errors kept in words fit
for the screen. Runs and initiates (``_jobs``) and verifies (``_verify_jobs``) use it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from fieldsync import FieldSyncError, StateError
from fieldsync._secrets import redact_text

__all__ = ["OneAtATime"]

_log = logging.getLogger("fieldsync.web")


class _Job(Protocol):
    sync_id: str
    done: bool
    error: str | None


J = TypeVar("J", bound=_Job)


class OneAtATime(Generic[J]):
    """Jobs of type ``J`` in daemon threads, one at a time per sync, the last of each kept.

    Args:
        what: the work's name in messages and thread names (``"verify"``).
        busy: what a refusal says of a sync whose job has not ended
            (``"is already being verified from this console"``).
    """

    def __init__(self, what: str, *, busy: str) -> None:
        self._what, self._busy = what, busy
        self._lock = threading.Lock()
        self._jobs: dict[str, J] = {}
        self._threads: dict[str, threading.Thread] = {}

    def launch(self, job: J, work: Callable[[J], None], *, name: str | None = None) -> J:
        """Start ``work(job)`` in a new thread; ``job.done`` once it returns or raises.

        Raises:
            StateError: work of this kind for the job's sync has not ended.
        """
        what = name or self._what
        with self._lock:
            current = self._jobs.get(job.sync_id)
            if current is not None and not current.done:
                raise StateError(f"sync {job.sync_id!r} {self._busy}")
            thread = threading.Thread(
                target=self._work, args=(job, work, what), name=f"fieldsync-{what}", daemon=True
            )
            self._jobs[job.sync_id], self._threads[job.sync_id] = job, thread
        thread.start()
        return job

    def _work(self, job: J, work: Callable[[J], None], what: str) -> None:
        try:
            work(job)
        except FieldSyncError as exc:
            _log.warning("the console's %s of sync %s failed: %s", what, job.sync_id, exc)
            job.error = redact_text(str(exc))
        except Exception:
            _log.exception("the console's %s of sync %s failed", what, job.sync_id)
            job.error = "an unexpected error stopped it; the server log has the details"
        finally:
            job.done = True

    def job(self, sync_id: str) -> J | None:
        """The last job started for ``sync_id``, if any."""
        with self._lock:
            return self._jobs.get(sync_id)

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait until every job has ended (tests, shutdown); return whether they did."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)
