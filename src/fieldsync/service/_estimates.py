"""How long each run in progress in this process is expected to take at the target's rate
limits (:class:`~fieldsync.events.RunEstimated`), kept until the run finishes, for the
screens that follow a run (the console's progress)."""

from __future__ import annotations

import threading

from fieldsync.domain.duration import RunEstimate
from fieldsync.events import EventHook, RunEstimated, RunEvent, RunFinished

__all__ = ["RunEstimates"]


class RunEstimates:
    """An event hook that keeps the estimate of each run until it finishes. Thread-safe:
    the runs of one service may go on threads of their own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_run: dict[str, RunEstimate] = {}

    def __call__(self, event: RunEvent) -> None:
        if isinstance(event, RunEstimated):
            with self._lock:
                self._by_run[event.run_id] = event.estimate
        elif isinstance(event, RunFinished):
            with self._lock:
                self._by_run.pop(event.run_id, None)

    def then(self, hook: EventHook) -> EventHook:
        """This hook, then ``hook`` (the user's): what ``hook`` raises reaches the run, which
        logs it as any hook's failure (this one raises nothing)."""

        def both(event: RunEvent) -> None:
            self(event)
            hook(event)

        return both

    def get(self, run_id: str) -> RunEstimate | None:
        """The estimate of a run in progress here, or ``None`` (none said, or it ended)."""
        with self._lock:
            return self._by_run.get(run_id)
