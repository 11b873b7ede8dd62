"""The thread that starts the runs webhooks ask for, debounced per integration."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from fieldsync.ports import Clock
from fieldsync.web._debounce import Debounce

__all__ = ["HookRuns"]

_log = logging.getLogger("fieldsync.web.hooks")


class HookRuns:
    """Starts the work webhooks ask for, debounced per integration, in background threads.

    A hook for an integration starts its work at once when none started within the last
    ``window``, and otherwise one trailing start at the window's end; a hook arriving while
    the work is in progress leads to one more start after it. Threads are started on the
    first hook, never at creation.

    Args:
        work: runs (or queues) an integration's syncs; answers whether it must be tried
            again (a run of another process was in progress).
        window: the shortest time between two starts for one integration.
        clock: the time the window is measured on.
        poll: the longest real wait, in seconds, before the clock is looked at again (a
            clock that is not the system's may run faster, or be moved by a test).
    """

    def __init__(
        self,
        work: Callable[[str], bool],
        *,
        window: timedelta,
        clock: Clock,
        poll: float = 0.5,
    ) -> None:
        self._work = work
        self._debounce = Debounce(window)
        self._clock = clock
        self._poll = poll
        self._cond = threading.Condition()
        self._loop_thread: threading.Thread | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"HookRuns(window={self.window}, running={self.running()})"

    @property
    def window(self) -> timedelta:
        """The debounce window."""
        return self._debounce.window

    def hook(self, integration: str) -> datetime:
        """Ask for a run of ``integration``'s syncs; the earliest time it may start (a run
        already in progress delays it further, to its end)."""
        with self._cond:
            at = self._debounce.hook(integration, self._clock.now())
            if self._loop_thread is None and not self._closed:
                self._loop_thread = threading.Thread(
                    target=self._loop, name="fieldsync-hooks", daemon=True
                )
                self._loop_thread.start()
            self._cond.notify_all()
        return at

    def pending(self) -> list[str]:
        """The integrations with a run still to start (a trailing run), sorted."""
        with self._cond:
            return self._debounce.pending()

    def running(self) -> list[str]:
        """The integrations whose work is in progress, sorted."""
        with self._cond:
            return self._debounce.running()

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait until no work is in progress and none is due now (a trailing run inside
        its window is not waited for, nor, once closed, anything not started); whether that
        came within ``timeout`` seconds. For tests and shutdown."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._cond.notify_all()  # the loop looks at the clock again: it may have moved
            while True:
                next_at = self._debounce.next_start()
                due = not self._closed and next_at is not None and next_at <= self._clock.now()
                if not due and not self._debounce.running():
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))

    def close(self) -> None:
        """Start nothing more (work in progress goes on to its end). Idempotent."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._loop_thread
        if thread is not None:
            thread.join()

    def _loop(self) -> None:
        with self._cond:
            while not self._closed:
                now = self._clock.now()
                for integration in self._debounce.start_due(now):
                    threading.Thread(
                        target=self._work_for,
                        args=(integration,),
                        name=f"fieldsync-hook-{integration}",
                        daemon=True,
                    ).start()
                next_at = self._debounce.next_start()
                if next_at is None:
                    self._cond.wait()
                else:
                    self._cond.wait(min(self._poll, max(0.0, (next_at - now).total_seconds())))

    def _work_for(self, integration: str) -> None:
        again = False
        try:
            again = self._work(integration)
        except Exception:
            _log.exception("the runs a hook asked for of integration %s failed", integration)
        finally:
            with self._cond:
                self._debounce.finished(integration, again=again)
                self._cond.notify_all()
