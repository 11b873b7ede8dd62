"""Running a batch's calls on a few threads, in a way that Ctrl-C can walk away from.

``concurrent.futures.ThreadPoolExecutor`` joins its threads on the way out, and at
interpreter exit: a worker asleep in a rate-limit wait (up to a minute under Zoho's
500-a-minute window) then holds Ctrl-C for as long. These workers are daemon threads:
when the calling thread is interrupted, it stops waiting for them at once, they take no
further task, and a process that exits does not wait for them. A call already under way
(or a worker asleep before its call) may still finish; the caller counts the batch as for
a crash, so whatever it wrote is sent again, harmlessly, by the next run.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable

__all__ = ["run_in_threads"]

_log = logging.getLogger("fieldsync.run")


def run_in_threads(count: int, workers: int, task: Callable[[int], None], *, name: str) -> None:
    """Call ``task(i)`` for every ``i`` in ``range(count)`` on ``workers`` daemon threads.

    Each task runs in a copy of the caller's context, so context variables (the run's
    event hook and log fields, ``fieldsync._run_scope``) follow it onto the threads.
    Returns when every task is done. The first exception a task raises is re-raised here
    once the others are done (the remaining tasks are not started). When the calling
    thread is interrupted (``KeyboardInterrupt``, ``SystemExit``), no new task starts and
    the interruption propagates at once, without waiting for the tasks under way.

    Args:
        count: how many tasks.
        workers: threads to run them on (at most ``count`` are started).
        task: the work for one index; it runs on a worker thread.
        name: the threads' name prefix.
    """
    stop = threading.Event()
    lock = threading.Lock()
    pending = iter(range(count))
    errors: list[BaseException] = []
    caller = contextvars.copy_context()

    def work() -> None:
        while not stop.is_set():
            with lock:
                index = next(pending, None)
            if index is None:
                return
            try:
                caller.copy().run(task, index)
            except BaseException as exc:  # handed to the calling thread
                with lock:
                    errors.append(exc)
                stop.set()
                return

    threads = [
        threading.Thread(target=work, name=f"{name}-{n}", daemon=True)
        for n in range(min(workers, count))
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:
        stop.set()
        busy = sum(thread.is_alive() for thread in threads)
        _log.warning(
            "interrupted: no further call of this batch is made; %d call(s) under way are "
            "abandoned, and the batch is not counted (the next run sends it again)",
            busy,
        )
        raise
    if errors:
        raise errors[0]
