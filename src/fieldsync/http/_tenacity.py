"""The only place fieldsync touches tenacity.

Keeping tenacity behind one private function means no tenacity type reaches the public API
and a tenacity upgrade (whose hook order changed between 8.x and 9.x) touches one file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import tenacity as _t

__all__ = ["run"]

T = TypeVar("T")

_log = logging.getLogger("fieldsync.http")


def run(
    fn: Callable[[], T],
    *,
    attempts: int,
    retriable: type[BaseException],
    give_up: Callable[[BaseException], bool],
    wait: Callable[[BaseException, int], float],
    sleep: Callable[[float], None],
) -> T:
    """Call ``fn`` until it returns, retrying errors of type ``retriable``.

    Args:
        fn: the call to make.
        attempts: the most calls to make in all (1 means no retry).
        retriable: only errors of this type are retried; any other error propagates at once.
        give_up: says, for a retriable error, that retrying is pointless (a server asking
            us to wait longer than we are willing to).
        wait: seconds to wait after the error before retry number ``n`` (0-based). Called
            once per retry, and only when a retry follows.
        sleep: how to wait (a clock's ``sleep``).

    Raises:
        BaseException: the last error, unchanged, when attempts run out or ``give_up`` says so.
    """

    def _error(state: _t.RetryCallState) -> BaseException:
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        assert error is not None  # tenacity only consults stop/wait after a failure
        return error

    def _stop(state: _t.RetryCallState) -> bool:
        return state.attempt_number >= attempts or give_up(_error(state))

    def _wait(state: _t.RetryCallState) -> float:
        return wait(_error(state), state.attempt_number - 1)

    def _before_sleep(state: _t.RetryCallState) -> None:
        action = state.next_action
        seconds = action.sleep if action is not None else 0.0
        # The error's text names the endpoint without its query, so it is safe to log.
        _log.info(
            "attempt %d of %d failed (%s); retrying in %.2f s",
            state.attempt_number,
            attempts,
            _error(state),
            seconds,
        )

    retrying = _t.Retrying(
        retry=_t.retry_if_exception_type(retriable),
        stop=_stop,
        wait=_wait,
        sleep=sleep,
        before_sleep=_before_sleep,
        reraise=True,
    )
    return retrying(fn)
