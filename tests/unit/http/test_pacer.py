"""Pacer: waiting on a clock for the limiter's slot, and deferring when a cap is used up."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from fieldsync.domain.records import RateWindow
from fieldsync.exceptions import QuotaExhaustedError
from fieldsync.http import Pacer, RateLimiter
from fieldsync.testing.clock import FakeClock

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class StillClock:
    """A clock whose time never moves: sleeps are only recorded (thread-safe)."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return START

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)


def test_calls_within_the_limit_do_not_sleep() -> None:
    clock = FakeClock(START)
    pacer = Pacer(RateLimiter([RateWindow(3, 60.0)], margin=0.0), clock)

    for _ in range(3):
        pacer.acquire()

    assert clock.sleeps == []


def test_the_call_over_the_limit_sleeps_on_the_clock_until_its_slot() -> None:
    clock = FakeClock(START)
    pacer = Pacer(RateLimiter([RateWindow(2, 10.0)], margin=0.05), clock)

    for _ in range(3):
        pacer.acquire()

    assert [pytest.approx(10.5)] == clock.sleeps


def test_a_wait_beyond_max_wait_raises_quota_exhausted_with_the_resume_time() -> None:
    clock = FakeClock(START)
    pacer = Pacer(RateLimiter([RateWindow(1, 3_600.0)], margin=0.0), clock, max_wait=900.0)
    pacer.acquire()

    with pytest.raises(QuotaExhaustedError) as raised:
        pacer.acquire()

    assert START + timedelta(hours=1) == raised.value.resume_at


def test_the_resume_time_is_time_zone_aware() -> None:
    clock = FakeClock(START)
    pacer = Pacer(RateLimiter([RateWindow(1, 86_400.0)], margin=0.0), clock, max_wait=60.0)
    pacer.acquire()

    with pytest.raises(QuotaExhaustedError) as raised:
        pacer.acquire()

    assert raised.value.resume_at is not None
    assert timedelta(0) == raised.value.resume_at.utcoffset()


def test_a_deferred_call_reserves_nothing_and_does_not_sleep() -> None:
    clock = FakeClock(START)
    limiter = RateLimiter([RateWindow(1, 3_600.0)], margin=0.0)
    pacer = Pacer(limiter, clock, max_wait=900.0)
    pacer.acquire()

    with pytest.raises(QuotaExhaustedError):
        pacer.acquire()

    assert (limiter.held(), clock.sleeps) == ((1,), [])


def test_the_quota_error_names_the_paced_endpoint_and_the_window() -> None:
    clock = FakeClock(START)
    limiter = RateLimiter([RateWindow(1, 3_600.0)], margin=0.0)
    pacer = Pacer(limiter, clock, max_wait=10.0, name="POST json/listsubscribe")
    pacer.acquire()

    with pytest.raises(QuotaExhaustedError) as raised:
        pacer.acquire()

    assert str(raised.value) == (
        "the rate limit of 1 calls per 3600 s is used up until 2026-03-01T10:00:00+00:00"
        " (POST json/listsubscribe)"
    )


def test_after_sleeping_time_has_moved_to_the_reserved_slot() -> None:
    clock = FakeClock(START)
    pacer = Pacer(RateLimiter([RateWindow(1, 30.0)], margin=0.0), clock)

    pacer.acquire()
    pacer.acquire()

    assert START + timedelta(seconds=30) == clock.now()


def test_concurrent_callers_each_get_their_own_slot() -> None:
    clock = StillClock()
    pacer = Pacer(RateLimiter([RateWindow(5, 60.0)], margin=0.0), clock, max_wait=1_000.0)
    threads = [threading.Thread(target=pacer.acquire) for _ in range(12)]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(clock.sleeps) == [60.0] * 5 + [120.0] * 2
