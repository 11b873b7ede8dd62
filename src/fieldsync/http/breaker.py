"""A circuit breaker over consecutive failures: when a service keeps failing, stop asking.

Retries hide a short hiccup; they make a long outage worse. With the service down, every
contact of a run would spend its whole retry budget (about 8 s by default) and fail, and the
run would grind through the list for an hour and end "completed" with everything failed.
The breaker counts calls whose retries ran out, in a row: after ``threshold`` of them the
caller stops and defers the run, keeping what it committed. One success resets the count.
"""

from __future__ import annotations

import threading

__all__ = ["CircuitBreaker"]


class CircuitBreaker:
    """Counts consecutive failures and says when there were ``threshold`` of them.

    Thread-safe: calls finishing on several threads count in the order they finish.

    Args:
        threshold: failures in a row that open the breaker.

    Raises:
        ValueError: ``threshold`` below 1.
    """

    def __init__(self, threshold: int) -> None:
        if threshold < 1:
            raise ValueError(f"threshold must be at least 1, not {threshold}")
        self.threshold = threshold
        self._failures = 0
        self._lock = threading.Lock()

    def succeeded(self) -> None:
        """A call got an answer: the failures in a row start again from zero."""
        with self._lock:
            self._failures = 0

    def failed(self) -> bool:
        """Count one failure; ``True`` when it makes ``threshold`` in a row (the count then
        starts again, so that a later run tries the service afresh)."""
        with self._lock:
            self._failures += 1
            if self._failures < self.threshold:
                return False
            self._failures = 0
            return True

    @property
    def failures(self) -> int:
        """Failures in a row so far."""
        return self._failures

    def __repr__(self) -> str:
        return f"CircuitBreaker(threshold={self.threshold}, failures={self._failures})"
