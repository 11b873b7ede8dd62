"""A process that books quota slots in a PostgreSQL store, for the hung-peer suite.

Run as ``python _hung_child.py '<json>'`` with:

- ``url``, ``schema``, ``scope``: the store and the quota scope every process shares;
- ``waits``: the ``PostgresStore`` timeouts (``lock_timeout``, ...; ``null`` for none);
- ``stop_at``: when set, the process stops itself (SIGSTOP) inside its n-th reservation
  (1-based), after the scope's lock is taken and before the slots are written: a process
  paused in the middle of a reservation, as a SIGSTOP, a paused VM or a partition leaves it;
- ``seconds``: how long to go on booking (one slot each time), 0 for one reservation.

It prints ``inside`` when it stops itself, a line ``{"at": <monotonic>}`` for each booked
reservation (``time.monotonic`` is one clock for every process of the machine), and a last
line ``{"done": n}`` or ``{"error": "<the StoreError>"}``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import Any

from fieldsync.domain.quota import QuotaLock, QuotaRequest, Reservation
from fieldsync.domain.records import RateWindow
from fieldsync.exceptions import StoreError
from fieldsync.stores import _pg_quota
from fieldsync.stores.postgres import PostgresStore

WINDOW = RateWindow(1_000_000, 60.0)  # never full: every reservation books at once


def stop_inside(nth: int) -> None:
    """Stop this process inside its ``nth`` reservation, with the scope's lock held."""
    decide = _pg_quota.decide
    calls = 0

    def stopping(request: QuotaRequest, times: Any, lock: QuotaLock | None) -> Reservation:
        nonlocal calls
        calls += 1
        if calls == nth:
            print("inside", flush=True)
            os.kill(os.getpid(), signal.SIGSTOP)
        return decide(request, times, lock)

    _pg_quota.decide = stopping  # type: ignore[assignment]


def main(spec: dict[str, Any]) -> dict[str, Any]:
    if spec.get("stop_at"):
        stop_inside(spec["stop_at"])
    booked = 0
    with PostgresStore(spec["url"], schema=spec["schema"], **spec["waits"]) as store:
        end = time.monotonic() + spec["seconds"]
        try:
            while True:
                request = QuotaRequest(spec["scope"], (WINDOW,), 1, time.time())
                if store.reserve(request).slots:
                    booked += 1
                    print(json.dumps({"at": time.monotonic()}), flush=True)
                if time.monotonic() >= end:
                    return {"done": booked}
                time.sleep(0.02)
        except StoreError as exc:
            return {"error": str(exc)}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
