"""``verify`` started from the console: one background thread per sync, its last report
kept for the sync's verify page."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import attrs

from fieldsync import FieldSyncError, StateError, VerifyReport
from fieldsync._secrets import redact_text

__all__ = ["VerifyJob", "VerifyJobs"]

_log = logging.getLogger("fieldsync.web")


@attrs.define
class VerifyJob:
    """One verify (or verify and repair) started from the console.

    Args:
        sync_id: the sync.
        repair: whether it repairs.
        done: whether it has ended.
        report: what it found, once it has ended without an error.
        error: why it failed, in words fit for the screen.
    """

    sync_id: str
    repair: bool
    done: bool = False
    report: VerifyReport | None = None
    error: str | None = None


class VerifyJobs:
    """Starts verifies in daemon threads, one at a time per sync; keeps the last of each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, VerifyJob] = {}
        self._threads: list[threading.Thread] = []

    def start(self, sync_id: str, repair: bool, work: Callable[[], VerifyReport]) -> VerifyJob:
        """Start ``work`` in a new thread.

        Raises:
            StateError: a verify of this sync from this console has not ended.
        """
        with self._lock:
            current = self._jobs.get(sync_id)
            if current is not None and not current.done:
                raise StateError(f"sync {sync_id!r} is already being verified from this console")
            job = VerifyJob(sync_id, repair)
            thread = threading.Thread(
                target=self._work, args=(job, work), name="fieldsync-verify", daemon=True
            )
            self._jobs[sync_id] = job
            self._threads.append(thread)
        thread.start()
        return job

    def _work(self, job: VerifyJob, work: Callable[[], VerifyReport]) -> None:
        try:
            job.report = work()
        except FieldSyncError as exc:
            _log.warning("the console's verify of sync %s failed: %s", job.sync_id, exc)
            job.error = redact_text(str(exc))
        except Exception:
            _log.exception("the console's verify of sync %s failed", job.sync_id)
            job.error = "an unexpected error stopped it; the server log has the details"
        finally:
            job.done = True

    def job(self, sync_id: str) -> VerifyJob | None:
        """The last verify started for ``sync_id``, if any."""
        with self._lock:
            return self._jobs.get(sync_id)

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait until every verify has ended (tests); return whether they did."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)
        return not any(thread.is_alive() for thread in threads)
