"""EndpointWindows: sliding windows and lockouts per endpoint, on the injected clock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from fieldsync.domain.records import RateWindow
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators._common import EndpointWindows

START = datetime(2026, 3, 1, tzinfo=UTC)
T0 = START.timestamp()
SUBSCRIBE = "POST json/listsubscribe"


def windows(*limits: RateWindow, clock: FakeClock | None = None) -> EndpointWindows:
    return EndpointWindows(clock or FakeClock(START), {SUBSCRIBE: limits})


def test_calls_within_every_window_are_accepted() -> None:
    ew = windows(RateWindow(3, 60.0, lockout=1_800.0))

    assert [ew.hit(SUBSCRIBE) for _ in range(3)] == [None, None, None]


def test_the_call_over_a_window_is_refused_and_locks_the_endpoint() -> None:
    ew = windows(RateWindow(2, 60.0, lockout=1_800.0))
    ew.hit(SUBSCRIBE)
    ew.hit(SUBSCRIBE)

    assert (ew.hit(SUBSCRIBE), ew.lockouts, ew.refused) == (T0 + 1_800.0, 1, 1)


def test_calls_during_the_lock_are_refused_without_a_new_lockout() -> None:
    clock = FakeClock(START)
    ew = windows(RateWindow(1, 60.0, lockout=1_800.0), clock=clock)
    ew.hit(SUBSCRIBE)
    ew.hit(SUBSCRIBE)
    clock.advance(600)

    assert (ew.hit(SUBSCRIBE), ew.lockouts, ew.refused) == (T0 + 1_800.0, 1, 2)


def test_the_endpoint_opens_again_when_the_lock_ends() -> None:
    clock = FakeClock(START)
    ew = windows(RateWindow(1, 60.0, lockout=1_800.0), clock=clock)
    ew.hit(SUBSCRIBE)
    ew.hit(SUBSCRIBE)
    clock.advance(1_800)

    assert (ew.hit(SUBSCRIBE), ew.locked_until(SUBSCRIBE)) == (None, None)


def test_a_call_exactly_one_period_later_is_in_a_new_window() -> None:
    clock = FakeClock(START)
    ew = windows(RateWindow(1, 60.0, lockout=1_800.0), clock=clock)
    ew.hit(SUBSCRIBE)
    clock.advance(60)

    assert (ew.hit(SUBSCRIBE), ew.lockouts) == (None, 0)


def test_a_call_just_inside_the_period_is_over_the_window() -> None:
    clock = FakeClock(START)
    ew = windows(RateWindow(1, 60.0, lockout=1_800.0), clock=clock)
    ew.hit(SUBSCRIBE)
    clock.advance(59.9)

    assert (ew.hit(SUBSCRIBE) is not None) + ew.lockouts - 1 == 1


def test_the_longest_lockout_of_the_exceeded_windows_applies() -> None:
    ew = windows(RateWindow(1, 60.0, lockout=600.0), RateWindow(1, 3_600.0, lockout=1_800.0))
    ew.hit(SUBSCRIBE)

    assert ew.hit(SUBSCRIBE) == T0 + 1_800.0


def test_a_window_without_lockout_refuses_until_it_frees_up() -> None:
    clock = FakeClock(START)
    ew = windows(RateWindow(1, 300.0), clock=clock)
    ew.hit(SUBSCRIBE)
    clock.advance(100)

    assert ew.hit(SUBSCRIBE) == T0 + 300.0


def test_refused_calls_do_not_count_in_the_windows() -> None:
    clock = FakeClock(START)
    ew = windows(RateWindow(2, 60.0), clock=clock)
    ew.hit(SUBSCRIBE)
    ew.hit(SUBSCRIBE)
    for _ in range(5):
        ew.hit(SUBSCRIBE)
    clock.advance(60)

    assert [ew.hit(SUBSCRIBE), ew.hit(SUBSCRIBE)] == [None, None]


def test_other_endpoints_keep_working_while_one_is_locked() -> None:
    ew = EndpointWindows(
        FakeClock(START),
        {SUBSCRIBE: [RateWindow(1, 60.0, lockout=1_800.0)], "GET contact/allfields": []},
    )
    ew.hit(SUBSCRIBE)
    ew.hit(SUBSCRIBE)

    assert (ew.hit("GET contact/allfields"), ew.hit("GET getmailinglists")) == (None, None)


def test_accepted_calls_are_counted_per_endpoint() -> None:
    ew = windows(RateWindow(2, 60.0))
    for _ in range(3):
        ew.hit(SUBSCRIBE)
    ew.hit("GET getmailinglists")

    assert (ew.accepted(SUBSCRIBE), ew.accepted("GET getmailinglists")) == (2, 1)


def test_several_windows_are_enforced_together() -> None:
    clock = FakeClock(START)
    ew = windows(RateWindow(2, 60.0), RateWindow(3, 3_600.0, lockout=1_800.0), clock=clock)
    ew.hit(SUBSCRIBE)
    ew.hit(SUBSCRIBE)
    clock.advance(60)
    ew.hit(SUBSCRIBE)
    clock.advance(60)

    assert clock.now().timestamp() + 1_800.0 == ew.hit(SUBSCRIBE)


def test_concurrent_hits_never_accept_more_than_the_limit() -> None:
    ew = windows(RateWindow(50, 60.0))
    results: list[float | None] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(20):
            result = ew.hit(SUBSCRIBE)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (results.count(None), ew.refused) == (50, 110)
