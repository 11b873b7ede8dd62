"""A clock for tests: time stands still until the test (or the code under test) moves it.

Pass a :class:`FakeClock` wherever fieldsync takes a ``clock`` (the sync service, retry
policies, rate-limit pacers, OAuth). Retries, rate limits and schedules then run in
simulated time: a 30-minute back-off takes no real time at all, and the test can check how
long the code *wanted* to wait, without patching :func:`time.sleep`::

    from datetime import UTC, datetime, timedelta
    from fieldsync.testing import FakeClock

    clock = FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    clock.sleep(1800)                  # what a back-off does: returns at once
    assert clock.now() == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert clock.sleeps == [1800]      # what the code asked to wait
    clock.advance(timedelta(days=1))   # let a day pass, e.g. until a daily sync is due
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

__all__ = ["FakeClock", "ScaledClock"]

_DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)


class FakeClock:
    """A :class:`fieldsync.ports.Clock` whose time moves only when told to.

    :meth:`sleep` returns at once and moves the time on by the requested amount, so code that
    waits still sees time pass. Thread-safe: adapters may sleep from worker threads.

    Args:
        start: the first instant, time-zone aware (converted to UTC). Defaults to
            2026-01-01T00:00:00Z.

    Attributes:
        sleeps: every ``sleep`` request, in seconds, in the order made.

    Raises:
        ValueError: ``start`` is naive.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = _DEFAULT_START if start is None else _aware_utc(start)
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        """The current simulated instant, in UTC."""
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Record the request in :attr:`sleeps` and move the time on by ``seconds``, at once.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative time ({seconds} s)")
        with self._lock:
            self.sleeps.append(seconds)
            self._now += timedelta(seconds=seconds)

    def advance(self, by: float | timedelta) -> None:
        """Move the time on by ``by`` (seconds or a timedelta). Not recorded as a sleep.

        Raises:
            ValueError: ``by`` is negative (time does not go back; use :meth:`set`).
        """
        step = by if isinstance(by, timedelta) else timedelta(seconds=by)
        if step < timedelta(0):
            raise ValueError(f"cannot advance by a negative time ({by!r})")
        with self._lock:
            self._now += step

    def set(self, instant: datetime) -> None:
        """Jump to ``instant`` (aware; converted to UTC), forward or back.

        Raises:
            ValueError: ``instant`` is naive.
        """
        instant = _aware_utc(instant)
        with self._lock:
            self._now = instant

    def __repr__(self) -> str:
        return f"FakeClock({self.now().isoformat()})"


def _aware_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"the clock needs a time-zone aware instant, not {instant.isoformat()}")
    return instant.astimezone(UTC)


class ScaledClock:
    """A :class:`fieldsync.ports.Clock` on real time, running ``factor`` times faster.

    ``now()`` is ``origin + (real now - origin) * factor`` and ``sleep(s)`` really sleeps
    ``s / factor`` seconds. Clocks with the same ``origin`` and ``factor`` agree in every
    process, so emulators and fieldsync processes sharing one can play Zoho's real windows
    (500 calls a minute, a 30-minute lock) in a fraction of the time, with real threads,
    sockets and processes. Thread-safe and stateless.

    Args:
        factor: how much faster than real time (60: a minute a second).
        origin: the real POSIX instant where both times meet; pass the same one to every
            process that must agree (``time.time()`` taken once by the test).

    Raises:
        ValueError: ``factor`` is not positive.
    """

    def __init__(self, factor: float, origin: float) -> None:
        if not factor > 0:
            raise ValueError(f"a scaled clock needs a positive factor, not {factor!r}")
        self.factor = factor
        self.origin = origin

    def now(self) -> datetime:
        """The scaled current instant, in UTC."""
        real = time.time()
        return datetime.fromtimestamp(self.origin + (real - self.origin) * self.factor, UTC)

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of scaled time (``seconds / factor`` real seconds).

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative time ({seconds} s)")
        time.sleep(seconds / self.factor)

    def __repr__(self) -> str:
        return f"ScaledClock(factor={self.factor:g}, origin={self.origin:.3f})"
