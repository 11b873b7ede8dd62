"""Pacer: waiting on a clock for the limiter's slot, and deferring when a cap is used up."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from fieldsync.domain.quota import QuotaRequest, Reservation
from fieldsync.domain.records import RateWindow
from fieldsync.exceptions import QuotaExhaustedError
from fieldsync.http import Pacer, RateLimiter
from fieldsync.stores import LocalQuota
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


def test_a_deferred_call_books_nothing_and_does_not_sleep() -> None:
    clock = FakeClock(START)
    pacer = Pacer(RateLimiter([RateWindow(1, 3_600.0)], margin=0.0), clock, max_wait=900.0)
    pacer.acquire()
    with pytest.raises(QuotaExhaustedError):
        pacer.acquire()

    clock.advance(3_600.0)
    pacer.acquire()

    assert clock.sleeps == []


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


# -- booking in a ledger -------------------------------------------------------------------


def minute_pacer(clock: FakeClock | StillClock, ledger: LocalQuota, **kwargs: object) -> Pacer:
    limiter = RateLimiter([RateWindow(4, 60.0)], margin=0.0)
    return Pacer(limiter, clock, ledger=ledger, scope="acct/listsubscribe", **kwargs)  # type: ignore[arg-type]


def test_a_reserved_batch_is_booked_in_one_ledger_round_trip() -> None:
    ledger = CountingLedger()
    pacer = minute_pacer(FakeClock(START), ledger)

    pacer.reserve(3)
    for _ in range(3):
        pacer.acquire()

    assert ledger.reservations == 1


def test_a_batch_that_does_not_fit_books_nothing() -> None:
    clock = FakeClock(START)
    ledger = LocalQuota()
    pacer = minute_pacer(clock, ledger, max_wait=30.0)

    with pytest.raises(QuotaExhaustedError) as raised:
        pacer.reserve(5)

    assert raised.value.resume_at == START + timedelta(seconds=60)
    pacer.reserve(4)  # nothing of the refused batch was kept


def test_pacers_sharing_a_ledger_and_scope_share_the_window() -> None:
    clock = FakeClock(START)
    ledger = LocalQuota()
    first, second = minute_pacer(clock, ledger), minute_pacer(clock, ledger)

    first.reserve(4)
    second.acquire()

    assert clock.sleeps == [60.0]


def test_a_slot_that_went_stale_is_given_back_and_booked_again() -> None:
    clock = FakeClock(START)
    ledger = CountingLedger()
    limiter = RateLimiter([RateWindow(4, 60.0)], margin=0.03)
    pacer = Pacer(limiter, clock, ledger=ledger, scope="s")
    pacer.reserve(2)

    clock.advance(10.0)  # far later than the 1.8 s the margin absorbs
    pacer.acquire()

    assert ledger.reservations == 2
    assert ledger.times("s") == [START.timestamp() + 10.0] * 2  # both given back, both rebooked


def test_unused_slots_are_released() -> None:
    clock = FakeClock(START)
    ledger = LocalQuota()
    pacer = minute_pacer(clock, ledger)
    pacer.reserve(4)
    pacer.acquire()

    pacer.release_unused()
    minute_pacer(clock, ledger).reserve(3)

    assert clock.sleeps == []


def test_a_lock_stops_this_pacer_and_every_pacer_on_the_ledger_until_its_end() -> None:
    clock = FakeClock(START)
    ledger = LocalQuota()
    pacer, other = minute_pacer(clock, ledger), minute_pacer(clock, ledger)
    pacer.reserve(2)

    pacer.lock(START + timedelta(minutes=30), "locked for 30 minutes")

    for locked in (pacer, other):
        with pytest.raises(QuotaExhaustedError, match="locked for 30 minutes") as raised:
            locked.acquire()
        assert raised.value.resume_at == START + timedelta(minutes=30)
    clock.advance(1_800.0)
    other.acquire()


def test_a_quota_share_leaves_part_of_each_window_unused() -> None:
    clock = FakeClock(START)
    pacer = minute_pacer(clock, LocalQuota(), share=0.5)

    for _ in range(3):
        pacer.acquire()

    assert clock.sleeps == [60.0]


@pytest.mark.parametrize("share", [0.0, -0.1, 1.5])
def test_a_quota_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="quota_share"):
        minute_pacer(FakeClock(START), LocalQuota(), share=share)


class CountingLedger(LocalQuota):
    """A LocalQuota that counts its reservations and shows a scope's booked times."""

    def __init__(self) -> None:
        super().__init__()
        self.reservations = 0

    def reserve(self, request: QuotaRequest) -> Reservation:
        self.reservations += 1
        return super().reserve(request)

    def times(self, scope: str) -> list[float]:
        return list(self._quota_scopes[scope].times)


# -- switching ledgers (an adapter adopting its service's store) ---------------------------


def test_a_pacer_switching_ledgers_gives_the_old_one_back_its_unused_slots() -> None:
    old, new = CountingLedger(), CountingLedger()
    pacer = minute_pacer(FakeClock(START), old)
    pacer.reserve(3)
    pacer.acquire()

    pacer.use_ledger(new)
    pacer.acquire()

    assert len(old.times("acct/listsubscribe")) == 1  # the slot taken; two given back
    assert len(new.times("acct/listsubscribe")) == 1


def test_a_pacer_switching_ledgers_records_its_lock_in_the_new_one() -> None:
    clock = FakeClock(START)
    new = LocalQuota()
    pacer = minute_pacer(clock, LocalQuota())
    pacer.lock(clock.now() + timedelta(minutes=30), "Zoho locked the endpoint")

    pacer.use_ledger(new)

    held = new.lock_of("acct/listsubscribe", now=clock.now().timestamp())
    assert held is not None
    assert held.reason == "Zoho locked the endpoint"
