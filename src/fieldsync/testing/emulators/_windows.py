"""Per-endpoint rate windows and lockouts, the way Zoho Campaigns enforces them."""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from fieldsync.domain.records import RateWindow

if TYPE_CHECKING:
    from fieldsync.ports import Clock

__all__ = ["EndpointWindows"]


class _Endpoint:
    def __init__(self, windows: Sequence[RateWindow]) -> None:
        self.windows = tuple(windows)
        self.hits: tuple[deque[float], ...] = tuple(deque() for _ in self.windows)
        self.locked_until = float("-inf")


class EndpointWindows:
    """Counts calls per endpoint in sliding windows and locks an endpoint that goes over.

    A call is accepted when, with it, no window of its endpoint holds more than ``limit``
    calls in any ``period`` seconds (a call at ``t`` shares a window with earlier calls
    after ``t - period``). A call that would go over is refused and locks the endpoint for
    the longest ``lockout`` among the windows it exceeded; calls during a lock are refused
    too. Refused calls are not counted in the windows. Other endpoints keep working.
    Time comes from ``clock.now().timestamp()``. Thread-safe.

    Args:
        clock: the emulator's clock.
        limits: the windows of each limited endpoint (e.g. ``"POST json/listsubscribe"``);
            endpoints not listed are never limited.

    Attributes:
        lockouts: how many times a call went over a window (benchmarks assert 0).
        refused: how many calls were refused, lock or overrun.
    """

    def __init__(self, clock: Clock, limits: Mapping[str, Sequence[RateWindow]]) -> None:
        self._clock = clock
        self._endpoints = {name: _Endpoint(windows) for name, windows in limits.items()}
        self._accepted: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.lockouts: int = 0
        self.refused: int = 0

    def hit(self, endpoint: str) -> float | None:
        """Count one call to ``endpoint``.

        Returns:
            ``None`` when the call is accepted; otherwise the POSIX time until which the
            endpoint refuses calls (for a window without lockout: when it frees up).
        """
        now = self._clock.now().timestamp()
        with self._lock:
            state = self._endpoints.get(endpoint)
            if state is None:
                self._accepted[endpoint] += 1
                return None
            if now < state.locked_until:
                self.refused += 1
                return state.locked_until
            until = self._overrun(state, now)
            if until is not None:
                self.lockouts += 1
                self.refused += 1
                state.locked_until = until
                return until
            for hits in state.hits:
                hits.append(now)
            self._accepted[endpoint] += 1
            return None

    def accepted(self, endpoint: str) -> int:
        """How many calls to ``endpoint`` were accepted."""
        with self._lock:
            return self._accepted[endpoint]

    def locked_until(self, endpoint: str) -> float | None:
        """The POSIX time the endpoint's current lock ends, or ``None`` if it is open."""
        now = self._clock.now().timestamp()
        with self._lock:
            state = self._endpoints.get(endpoint)
            if state is None or now >= state.locked_until:
                return None
            return state.locked_until

    @staticmethod
    def _overrun(state: _Endpoint, now: float) -> float | None:
        until: float | None = None
        for window, hits in zip(state.windows, state.hits, strict=True):
            while hits and hits[0] <= now - window.period:
                hits.popleft()
            if len(hits) >= window.limit:
                frees_at = hits[-window.limit] + window.period
                ends = now + window.lockout if window.lockout > 0 else frees_at
                until = ends if until is None else max(until, ends)
        return until
