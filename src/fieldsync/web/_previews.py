"""Previews computed in the background: a preview reads every record of the source, which
takes as long as a run's reading does, so no request waits for it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import attrs

from fieldsync import (
    DisclaimerNotAcknowledgedError,
    FieldSyncError,
    InvalidConfigurationError,
    Preview,
    StateError,
    SyncService,
)
from fieldsync._secrets import redact_text

__all__ = ["PreviewJob", "Previews", "previewer"]

_log = logging.getLogger("fieldsync.web")


@attrs.define
class PreviewJob:
    """One preview of one configuration version of a sync, being computed or done.

    Args:
        sync_id: the sync previewed.
        version: the configuration version previewed.
        done: whether it has ended.
        preview: what the run would do, once done.
        disclaimer: the disclaimer initiating would need, if any.
        blocked: why initiating is not possible now, if it is not.
        error: why the preview failed, in words fit for the screen.
    """

    sync_id: str
    version: int
    done: bool = False
    preview: Preview | None = None
    disclaimer: str | None = None
    blocked: str | None = None
    error: str | None = None
    finished_at: float = 0.0


class Previews:
    """The last preview of each sync, kept for ``ttl`` seconds and recomputed after that
    (or for another configuration version, or when asked to)."""

    def __init__(self, *, ttl: float = 60.0) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._jobs: dict[str, PreviewJob] = {}
        self._threads: list[threading.Thread] = []

    def get(
        self,
        sync_id: str,
        version: int,
        compute: Callable[[PreviewJob], None],
        *,
        fresh: bool = False,
    ) -> PreviewJob:
        """The preview of ``sync_id`` at ``version``: the kept one when it is still good,
        else a new one started in a thread (``compute`` fills it in)."""
        with self._lock:
            job = self._jobs.get(sync_id)
            if job is not None and not job.done:
                return job  # one at a time per sync, whatever was asked
            if (
                job is not None
                and job.version == version
                and not fresh
                and time.monotonic() - job.finished_at < self._ttl
            ):
                return job
            job = PreviewJob(sync_id, version)
            thread = threading.Thread(
                target=self._work, args=(job, compute), name="fieldsync-preview", daemon=True
            )
            self._jobs[sync_id] = job
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job

    def forget(self, sync_id: str) -> None:
        """Drop the kept preview of ``sync_id`` (a run changed what it would find)."""
        with self._lock:
            job = self._jobs.get(sync_id)
            if job is not None and job.done:
                del self._jobs[sync_id]

    def _work(self, job: PreviewJob, compute: Callable[[PreviewJob], None]) -> None:
        try:
            compute(job)
        except FieldSyncError as exc:
            _log.warning("the preview of sync %s failed: %s", job.sync_id, exc)
            job.error = redact_text(str(exc))
        except Exception:
            _log.exception("the preview of sync %s failed", job.sync_id)
            job.error = "an unexpected error stopped it; the server log has the details"
        finally:
            job.finished_at = time.monotonic()
            job.done = True

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait until every preview has ended (tests, shutdown); return whether they did."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)


def previewer(service: SyncService, sync_id: str) -> Callable[[PreviewJob], None]:
    """What computes a sync's preview (in the background): the dry run, then whether
    initiating would need the disclaimer or is not possible now."""

    def compute(job: PreviewJob) -> None:
        job.preview = service.preview(sync_id)
        if not job.preview.ok:
            return
        try:
            service.check_initiate(sync_id)
        except DisclaimerNotAcknowledgedError as exc:
            job.disclaimer = exc.disclaimer
        except (InvalidConfigurationError, StateError) as exc:
            job.blocked = redact_text(str(exc))

    return compute
