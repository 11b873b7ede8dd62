"""What the calls of one Campaigns batch share, whatever the endpoint (``json/listsubscribe``
one contact a call, ``addlistsubscribersinbulk`` ten): the slots booked at once, the calls
sent in order or on threads, and the first stop each kind of failure records."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Generic, TypeVar

from fieldsync._threads import run_in_threads
from fieldsync.exceptions import (
    FatalSyncError,
    QuotaExhaustedError,
    RateLimitedError,
    ServiceUnavailableError,
)
from fieldsync.http.ratelimit import Pacer

__all__ = ["CallsOfABatch", "book", "locked_out", "send_all", "send_batch"]

T = TypeVar("T")


class CallsOfABatch(Generic[T]):
    """Outcomes by call, and what stopped the batch: a fatal error (credentials, list
    gone), an outage (the breaker opened), a quota or lock (no more calls), the plan
    limit; ``answered`` once the service answered any call."""

    def __init__(self, size: int) -> None:
        self.outcomes: list[T | None] = [None] * size
        self.plan_full = threading.Event()
        self.fatal: FatalSyncError | None = None
        self.outage: ServiceUnavailableError | None = None
        self.stopped: QuotaExhaustedError | None = None
        self.answered = False
        self._lock = threading.Lock()

    def stop(self, error: QuotaExhaustedError) -> None:
        """No more calls: a quota or a lock (the first one is kept)."""
        with self._lock:
            if self.stopped is None:
                self.stopped = error

    def down(self, error: ServiceUnavailableError) -> None:
        """The service is down (the first outage is kept)."""
        with self._lock:
            if self.outage is None:
                self.outage = error

    def fail(self, error: FatalSyncError) -> None:
        """Nothing more can be written (the first fatal error is kept)."""
        with self._lock:
            if self.fatal is None:
                self.fatal = error

    def raise_stop(self) -> None:
        """Raise what stopped the batch, if it must end it: a fatal error, then an outage,
        then a quota met before any call was answered (after one, the calls not sent are
        outcomes of their own)."""
        if self.fatal is not None:
            raise self.fatal
        if self.outage is not None:
            raise self.outage
        if self.stopped is not None and not self.answered:
            raise self.stopped


def book(pacer: Pacer, count: int, endpoint: str) -> None:
    """All or nothing as far as quotas go: ``count`` calls' slots booked in the quota
    ledger in one round trip, or none when they do not fit within the pacer's ``max_wait``
    or the endpoint is locked (then nothing of the batch is sent).

    Raises:
        QuotaExhaustedError: the slots were not booked; it names the endpoint.
    """
    try:
        pacer.reserve(count)
    except QuotaExhaustedError as exc:
        raise QuotaExhaustedError(
            f"the Zoho Campaigns {endpoint} quota is used up: {exc.message}; "
            "the batch was not sent",
            resume_at=exc.resume_at,
            endpoint=exc.endpoint,
        ) from exc


def send_all(
    count: int, one: Callable[[int], None], *, pacer: Pacer, concurrency: int, name: str
) -> None:
    """Call ``one(index)`` for each of ``count`` calls: in order on this thread, or on
    ``concurrency`` threads; the slots of calls a stop left unsent go back to the ledger."""
    try:
        if concurrency == 1 or count == 1:
            for index in range(count):
                one(index)
        else:
            run_in_threads(count, concurrency, one, name=name)
    finally:
        pacer.release_unused()


def send_batch(
    count: int,
    send: Callable[[int, CallsOfABatch[T]], T | None],
    *,
    pacer: Pacer,
    endpoint: str,
    concurrency: int,
    name: str,
) -> list[T | None]:
    """A batch of ``count`` calls: their slots booked at once (:func:`book`), each sent as
    ``send(index, batch)`` (:func:`send_all`), then what stopped the batch raised
    (:meth:`CallsOfABatch.raise_stop`). Returns each call's outcome, by index.

    Raises:
        QuotaExhaustedError: the slots were not booked, or a quota or lock met before any
            call was answered.
        FatalSyncError, ServiceUnavailableError: what ended the batch.
    """
    book(pacer, count, endpoint)
    batch: CallsOfABatch[T] = CallsOfABatch(count)

    def one(index: int) -> None:
        batch.outcomes[index] = send(index, batch)

    send_all(count, one, pacer=pacer, concurrency=concurrency, name=name)
    batch.raise_stop()
    return batch.outcomes


def locked_out(pacer: Pacer, exc: RateLimitedError, endpoint: str) -> QuotaExhaustedError:
    """Zoho kept refusing ``endpoint`` for its rate past the retries: the endpoint is taken
    as locked for its longest lockout, recorded in the ledger (no process sharing it calls
    the endpoint until then), and the batch stops with the error returned."""
    lockout = max((w.lockout for w in pacer.limiter.windows), default=0.0)
    resume_at = pacer.clock.now() + timedelta(seconds=lockout)
    pacer.lock(resume_at, f"Zoho kept refusing {endpoint} for its rate")
    return QuotaExhaustedError(
        f"Zoho Campaigns kept refusing {endpoint} for its rate ({exc.message}); "
        f"the endpoint is taken as locked until {resume_at.isoformat()}",
        resume_at=resume_at,
        status_code=exc.status_code,
        endpoint=exc.endpoint,
    )
