import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from fieldsync.clock import SystemClock
from fieldsync.ports import Clock
from fieldsync.testing.clock import FakeClock, ScaledClock

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


# -- SystemClock ---------------------------------------------------------------------------


def test_system_clock_is_a_clock() -> None:
    assert isinstance(SystemClock(), Clock)


def test_system_clock_tells_the_current_time_in_utc() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    after = datetime.now(UTC)

    assert now.tzinfo is UTC
    assert before <= now <= after


def test_system_clock_sleeps_through_time_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    # Checks the wiring without really waiting.
    slept: list[float] = []
    monkeypatch.setattr("fieldsync.clock.time.sleep", slept.append)

    SystemClock().sleep(2.5)

    expected = [2.5]

    assert expected == slept


def test_system_clock_refuses_a_negative_sleep() -> None:
    with pytest.raises(ValueError, match="negative"):
        SystemClock().sleep(-1)


# -- FakeClock -----------------------------------------------------------------------------


def test_fake_clock_is_a_clock() -> None:
    assert isinstance(FakeClock(), Clock)


def test_fake_clock_starts_at_2026_by_default() -> None:
    assert datetime(2026, 1, 1, tzinfo=UTC) == FakeClock().now()


def test_fake_clock_starts_at_the_given_instant_in_utc() -> None:
    start = datetime(2026, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))

    now = FakeClock(start).now()

    expected = (START, UTC)
    assert expected == (now, now.tzinfo)


def test_fake_clock_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="aware"):
        FakeClock(datetime(2026, 1, 1))


def test_fake_clock_time_stands_still_without_sleep_or_advance() -> None:
    clock = FakeClock(START)

    expected = [START, START]

    assert expected == [clock.now(), clock.now()]


def test_fake_clock_sleep_moves_the_time_on() -> None:
    clock = FakeClock(START)

    clock.sleep(1800)

    assert START + timedelta(minutes=30) == clock.now()


def test_fake_clock_records_every_sleep_in_order() -> None:
    clock = FakeClock(START)

    clock.sleep(0.5)
    clock.sleep(2)
    clock.sleep(0)

    expected = [0.5, 2, 0]
    assert expected == clock.sleeps


def test_fake_clock_refuses_a_negative_sleep_and_does_not_record_it() -> None:
    clock = FakeClock(START)

    with pytest.raises(ValueError, match="negative"):
        clock.sleep(-0.1)

    expected: tuple[list[float], datetime] = ([], START)
    assert expected == (clock.sleeps, clock.now())


def test_fake_clock_advances_by_seconds() -> None:
    clock = FakeClock(START)

    clock.advance(90)

    assert START + timedelta(seconds=90) == clock.now()


def test_fake_clock_advances_by_a_timedelta() -> None:
    clock = FakeClock(START)

    clock.advance(timedelta(days=1))

    assert START + timedelta(days=1) == clock.now()


def test_fake_clock_advance_is_not_a_sleep() -> None:
    clock = FakeClock(START)

    clock.advance(60)

    assert clock.sleeps == []


def test_fake_clock_refuses_to_advance_backwards() -> None:
    with pytest.raises(ValueError, match="negative"):
        FakeClock(START).advance(timedelta(seconds=-1))


def test_fake_clock_set_jumps_to_an_instant_even_backwards() -> None:
    clock = FakeClock(START)

    clock.set(datetime(2020, 1, 1, tzinfo=UTC))

    assert datetime(2020, 1, 1, tzinfo=UTC) == clock.now()


def test_fake_clock_set_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError, match="aware"):
        FakeClock(START).set(datetime(2026, 1, 1))


def test_fake_clock_repr_shows_its_time() -> None:
    expected = "FakeClock(2026-03-01T09:00:00+00:00)"

    assert expected == repr(FakeClock(START))


def test_fake_clock_loses_no_sleep_from_many_threads() -> None:
    clock = FakeClock(START)

    def sleep_often() -> None:
        for _ in range(500):
            clock.sleep(1)

    threads = [threading.Thread(target=sleep_often) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (4000, START + timedelta(seconds=4000)) == (len(clock.sleeps), clock.now())


# -- ScaledClock ---------------------------------------------------------------------------


def test_a_scaled_clock_is_a_clock() -> None:
    assert isinstance(ScaledClock(60.0, 0.0), Clock)


def test_a_scaled_clock_runs_factor_times_faster_from_its_origin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = [1_000.0]
    monkeypatch.setattr("fieldsync.testing.clock.time.time", lambda: real[0])
    clock = ScaledClock(60.0, 1_000.0)

    real[0] = 1_002.0

    assert clock.now() == datetime.fromtimestamp(1_120.0, UTC)


def test_two_scaled_clocks_with_one_origin_agree() -> None:
    first, second = ScaledClock(10.0, 1_000.0), ScaledClock(10.0, 1_000.0)

    assert abs((second.now() - first.now()).total_seconds()) < 1.0


def test_a_scaled_clock_sleeps_a_factor_less(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("fieldsync.testing.clock.time.sleep", slept.append)

    ScaledClock(60.0, 0.0).sleep(30.0)

    assert slept == [0.5]


def test_a_scaled_clock_refuses_a_negative_sleep_and_a_bad_factor() -> None:
    with pytest.raises(ValueError, match="negative"):
        ScaledClock(2.0, 0.0).sleep(-1.0)
    with pytest.raises(ValueError, match="positive factor"):
        ScaledClock(0.0, 0.0)


def test_a_scaled_clock_repr_names_factor_and_origin() -> None:
    assert repr(ScaledClock(60.0, 12.5)) == "ScaledClock(factor=60, origin=12.500)"
