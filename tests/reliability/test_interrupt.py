"""Ctrl-C during a paced run takes effect within about a second, says what it does, and
leaves the run interrupted (the batch in flight is not counted), whatever the concurrency.

Real time, in a child process: SIGINT must reach a real main thread while its workers sleep
in a rate-limit wait (the 30 s wait the child's window imposes after four calls)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("_interrupt_child.py")


@pytest.mark.parametrize("concurrency", [1, 4])
def test_ctrl_c_during_a_paced_run_stops_it_within_a_second(concurrency: int) -> None:
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(concurrency)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert "ready" == child.stdout.readline().strip()
    time.sleep(0.8)  # the first four calls go, then every worker waits for its slot
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    took = time.monotonic() - sent

    assert 130 == child.returncode, err
    assert took < 1.5, f"took {took:.2f} s"
    assert out.strip().startswith("interrupted 0"), out
    assert "the batch in flight is not counted" in err
