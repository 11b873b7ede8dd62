"""How fieldsync retries temporary failures: a frozen :class:`RetryPolicy` value.

Only :class:`fieldsync.exceptions.RetriableError` is retried (rate limited, service
unavailable, transport failures); everything else propagates at once. A server's
``Retry-After`` is honoured up to :attr:`RetryPolicy.max_retry_after`; otherwise the wait is
a capped exponential back-off with jitter. All waiting goes through ``clock.sleep``.

Turning waiting off in tests: pass ``RetryPolicy.none()`` (one attempt, no retry), or keep
the policy and pass a :class:`fieldsync.testing.FakeClock`, whose ``sleep`` returns at once,
moves simulated time on and records each wait in ``clock.sleeps``. Nothing to patch.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import attrs

from fieldsync._run_scope import announce_wait
from fieldsync.events import WaitReason
from fieldsync.exceptions import RateLimitedError, RetriableError
from fieldsync.http import _tenacity

if TYPE_CHECKING:
    from fieldsync.ports import Clock

__all__ = ["RetryPolicy"]

T = TypeVar("T")


@attrs.frozen
class RetryPolicy:
    """How often and how long to retry a call that failed with a retriable error.

    Attributes:
        attempts: the most calls made in all, the first included (1 means never retry).
        initial: the back-off before the first retry, in seconds.
        maximum: the longest back-off, in seconds (before jitter).
        jitter: each back-off is moved by up to this fraction either way, at random, so
            that many clients do not retry in step.
        max_retry_after: the longest ``Retry-After`` honoured, in seconds. A server asking
            for longer ends the retries: the error is re-raised for the caller to defer.

    Raises:
        ValueError: a negative time, ``attempts`` below 1, or ``jitter`` outside [0, 1].
    """

    attempts: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    initial: float = attrs.field(default=0.5, validator=attrs.validators.ge(0.0))
    maximum: float = attrs.field(default=30.0, validator=attrs.validators.ge(0.0))
    jitter: float = attrs.field(
        default=0.5, validator=[attrs.validators.ge(0.0), attrs.validators.le(1.0)]
    )
    max_retry_after: float = attrs.field(default=300.0, validator=attrs.validators.ge(0.0))

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that makes one attempt and never waits (handy in tests)."""
        return cls(attempts=1)

    def backoff(self, retry: int, *, rng: random.Random | None = None) -> float:
        """The wait before retry number ``retry`` (0-based) when the server named none.

        ``min(maximum, initial * 2**retry)`` (tenacity's ``wait_exponential``), moved by up
        to ``jitter`` of itself either way.

        Args:
            retry: 0 for the first retry, 1 for the second, ...
            rng: the random source of the jitter; pass a seeded one for repeatable waits.
        """
        return _tenacity.backoff(
            retry,
            initial=self.initial,
            maximum=self.maximum,
            jitter=self.jitter,
            rng=rng or random.Random(),
        )

    def wait_for(
        self, error: BaseException, retry: int, *, rng: random.Random | None = None
    ) -> float:
        """The wait before retry number ``retry`` after ``error``.

        A :class:`RateLimitedError` with ``retry_after`` waits exactly that long (the
        server knows best); any other error waits :meth:`backoff`.
        """
        server = _server_wait(error)
        return self.backoff(retry, rng=rng) if server is None else server

    def call(self, fn: Callable[[], T], *, clock: Clock, rng: random.Random | None = None) -> T:
        """Call ``fn``, retrying it per this policy.

        Args:
            fn: the call; it signals a temporary failure by raising a ``RetriableError``.
            clock: waits go through ``clock.sleep`` (a fake clock makes them instant).
            rng: the random source of the jitter, for repeatable tests.

        Returns:
            What ``fn`` returned.

        Raises:
            RetriableError: the last one, when the attempts ran out or the server asked for
                a longer wait than ``max_retry_after``.
            Exception: any other error ``fn`` raised, at once and unchanged.
        """

        # The first attempt is made here: almost every call succeeds at once, and building
        # tenacity's loop (and a fresh random source) for each one was a tenth of the CPU
        # of a json/listsubscribe call. A failure worth retrying starts the loop, which
        # replays it as its own first attempt: the waits, the log and the attempt count are
        # those of a loop that had made the call itself.
        try:
            return fn()
        except Exception as exc:
            if self.attempts <= 1 or not self._should_retry(exc):
                raise
            first: Exception | None = exc

        def replayed() -> T:
            nonlocal first
            if first is not None:
                failed, first = first, None
                raise failed
            return fn()

        def sleep(seconds: float) -> None:
            announce_wait(seconds, clock=clock, reason=WaitReason.RETRY)
            clock.sleep(seconds)

        return _tenacity.run(
            replayed,
            attempts=self.attempts,
            should_retry=self._should_retry,
            initial=self.initial,
            maximum=self.maximum,
            jitter=self.jitter,
            rng=rng or random.Random(),
            server_wait=_server_wait,
            sleep=sleep,
        )

    def _should_retry(self, error: BaseException) -> bool:
        # A server asking for a longer wait than we accept ends the retries: the caller
        # defers the run instead of blocking for it.
        server = _server_wait(error)
        too_long = server is not None and server > self.max_retry_after
        return isinstance(error, RetriableError) and not too_long


def _server_wait(error: BaseException) -> float | None:
    """The ``Retry-After`` a rate-limited answer carried, in seconds, if any."""
    if isinstance(error, RateLimitedError) and error.retry_after is not None:
        return max(0.0, error.retry_after)
    return None
