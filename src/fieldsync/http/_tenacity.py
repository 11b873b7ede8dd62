"""The only place fieldsync touches tenacity: the retry loop of :class:`RetryPolicy`, built
from tenacity's own parts.

- the loop, the re-raise of the last error, the ``before_sleep`` log: ``tenacity.Retrying``;
- which errors are retried: ``retry_if_exception`` with the policy's predicate;
- how many attempts: ``stop_after_attempt``;
- the back-off: ``wait_exponential`` (doubling from ``initial``, capped at ``maximum``),
  moved by :class:`_Jitter`, a custom wait so that a seeded ``random.Random`` makes the
  waits repeatable (tenacity's random waits draw from the global ``random``);
- a server's ``Retry-After``: :class:`_RetryAfter`, a custom wait that takes it when the
  error carries one and falls back to the back-off otherwise;
- the waiting itself: the ``sleep`` given, a clock's (a fake clock makes it instant).

No tenacity type leaves this module, so none reaches the public API, and a tenacity
upgrade (whose hook order changed between 8.x and 9.x) touches one file.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import TypeVar

import tenacity as _t
from tenacity.wait import wait_base

from fieldsync import _run_scope

__all__ = ["backoff", "run"]

T = TypeVar("T")

_log = logging.getLogger("fieldsync.http")


class _Jitter(wait_base):
    """Moves another wait by up to ``jitter`` of itself either way, from ``rng``."""

    def __init__(self, inner: wait_base, jitter: float, rng: random.Random) -> None:
        self._inner = inner
        self._jitter = jitter
        self._rng = rng

    def __call__(self, retry_state: _t.RetryCallState) -> float:
        base = self._inner(retry_state)
        if not self._jitter:
            return base
        return max(0.0, base * (1.0 + self._rng.uniform(-self._jitter, self._jitter)))


class _RetryAfter(wait_base):
    """The server's wait when the error names one (``server_wait``), else ``fallback``."""

    def __init__(
        self, fallback: wait_base, server_wait: Callable[[BaseException], float | None]
    ) -> None:
        self._fallback = fallback
        self._server_wait = server_wait

    def __call__(self, retry_state: _t.RetryCallState) -> float:
        seconds = self._server_wait(_error(retry_state))
        return self._fallback(retry_state) if seconds is None else max(0.0, seconds)


def _backoff(initial: float, maximum: float, jitter: float, rng: random.Random) -> wait_base:
    exponential = _t.wait_exponential(multiplier=initial, max=maximum, exp_base=2)
    return _Jitter(exponential, jitter, rng)


def backoff(
    retry: int, *, initial: float, maximum: float, jitter: float, rng: random.Random
) -> float:
    """The back-off before retry number ``retry`` (0-based): what :func:`run` waits when the
    server names no wait."""
    state = _t.RetryCallState(retry_object=_t.Retrying(), fn=None, args=(), kwargs={})
    state.attempt_number = retry + 1
    return _backoff(initial, maximum, jitter, rng)(state)


def run(
    fn: Callable[[], T],
    *,
    attempts: int,
    should_retry: Callable[[BaseException], bool],
    initial: float,
    maximum: float,
    jitter: float,
    rng: random.Random,
    server_wait: Callable[[BaseException], float | None],
    sleep: Callable[[float], None],
) -> T:
    """Call ``fn`` until it returns, retrying the errors ``should_retry`` accepts.

    Args:
        fn: the call to make.
        attempts: the most calls to make in all (1 means no retry).
        should_retry: whether an error is worth another attempt; others propagate at once.
        initial: the first back-off, in seconds; it doubles at each retry...
        maximum: ...up to this many seconds.
        jitter: each back-off moves by up to this fraction of itself either way.
        rng: where the jitter comes from.
        server_wait: the wait the server asked for with an error (``Retry-After``), or
            ``None``; it replaces the back-off.
        sleep: how to wait (a clock's ``sleep``).

    Raises:
        BaseException: the last error, unchanged, when attempts run out or ``should_retry``
            refuses it.
    """
    retrying = _t.Retrying(
        retry=_t.retry_if_exception(should_retry),
        stop=_t.stop_after_attempt(attempts),
        wait=_RetryAfter(_backoff(initial, maximum, jitter, rng), server_wait),
        sleep=sleep,
        before_sleep=_log_retry(attempts),
        reraise=True,
    )
    return retrying(fn)


def _error(state: _t.RetryCallState) -> BaseException:
    outcome = state.outcome
    error = outcome.exception() if outcome is not None else None
    assert error is not None  # tenacity only consults wait and before_sleep after a failure
    return error


def _log_retry(attempts: int) -> Callable[[_t.RetryCallState], None]:
    def log(state: _t.RetryCallState) -> None:
        action = state.next_action
        seconds = action.sleep if action is not None else 0.0
        # The error's text names the endpoint without its query, so it is safe to log.
        _log.info(
            "attempt %d of %d failed (%s); retrying in %.2f s",
            state.attempt_number,
            attempts,
            _error(state),
            seconds,
            extra=_run_scope.log_extra(),
        )

    return log
