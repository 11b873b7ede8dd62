"""When the runs a stream of webhooks asks for may start: a calculator on plain times.

Each key (an integration) has a lane. A hook marks its lane *pending*. A pending lane
starts when no run of it is in progress and its window has passed since its last start;
starting clears *pending*. So a burst of hooks starts one run at its first hook and one
trailing run a window later, and a hook that lands while a run is in progress is never
lost: the lane stays pending and starts again once the run ends, reading the source
after the hook arrived.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

__all__ = ["Debounce"]

_LONG_AGO = datetime.min.replace(tzinfo=UTC)
_NEVER = datetime.max.replace(tzinfo=UTC)


@attrs.define
class _Lane:
    pending: bool = False  # a hook came after the last start
    running: bool = False  # a run started here has not ended
    started_at: datetime = _LONG_AGO  # the last start


class Debounce:
    """Decides, from hooks and the time, which keys start a run now.

    Not thread-safe: its owner holds a lock around every call.

    Args:
        window: the shortest time between two starts of one key.

    Raises:
        ValueError: ``window`` is negative.
    """

    def __init__(self, window: timedelta) -> None:
        if window < timedelta(0):
            raise ValueError(f"a debounce window cannot be negative ({window})")
        self.window = window
        self._lanes: dict[str, _Lane] = {}

    def hook(self, key: str, now: datetime) -> datetime:
        """A hook for ``key`` came at ``now``; the earliest time its run may start."""
        lane = self._lanes.setdefault(key, _Lane())
        lane.pending = True
        return max(now, lane.started_at + self.window)

    def start_due(self, now: datetime) -> list[str]:
        """The keys whose run starts now, each marked running; lanes with nothing left to
        do are forgotten."""
        due = [key for key, lane in self._lanes.items() if self._ready_at(lane) <= now]
        for key in due:
            lane = self._lanes[key]
            lane.pending, lane.running, lane.started_at = False, True, now
        for key, lane in list(self._lanes.items()):
            if not (lane.pending or lane.running) and lane.started_at + self.window <= now:
                del self._lanes[key]
        return due

    def finished(self, key: str, *, again: bool = False) -> None:
        """The run of ``key`` ended; ``again`` when it must be tried once more (another
        process's run of the same sync was in progress, and may have read before the
        change)."""
        lane = self._lanes.setdefault(key, _Lane())
        lane.running = False
        lane.pending = lane.pending or again

    def next_start(self) -> datetime | None:
        """When the next pending key may start (``None``: none is waiting to)."""
        ready = min(map(self._ready_at, self._lanes.values()), default=_NEVER)
        return None if ready == _NEVER else ready

    def pending(self) -> list[str]:
        """The keys with a run still to start, sorted."""
        return sorted(key for key, lane in self._lanes.items() if lane.pending)

    def running(self) -> list[str]:
        """The keys with a run in progress, sorted."""
        return sorted(key for key, lane in self._lanes.items() if lane.running)

    def _ready_at(self, lane: _Lane) -> datetime:
        if not lane.pending or lane.running:
            return _NEVER
        return lane.started_at + self.window
