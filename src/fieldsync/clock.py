"""The real clock: wall time from the system, waiting with :func:`time.sleep`.

Everything in fieldsync that needs the time takes a :class:`fieldsync.ports.Clock`; this is
the one to pass in production. Tests pass :class:`fieldsync.testing.FakeClock` instead, so
nothing ever really sleeps.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

__all__ = ["SystemClock"]


class SystemClock:
    """The system's clock, a :class:`fieldsync.ports.Clock`. Stateless and thread-safe."""

    def now(self) -> datetime:
        """The current instant, time-zone aware, in UTC."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for ``seconds``.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative time ({seconds} s)")
        time.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"
