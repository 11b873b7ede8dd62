"""RateLimiter: exact slots on plain numbers, for one window and several at once."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldsync.domain.records import RateWindow
from fieldsync.http import RateLimiter

MINUTE = RateWindow(500, 60.0)
HOUR = RateWindow(12_500, 3600.0)
DAY = RateWindow(75_000, 86_400.0)


def greedy_slots(limiter: RateLimiter, calls: int, *, start: float = 0.0) -> list[float]:
    """Send ``calls`` calls as fast as the limiter allows; return when each went."""
    slots, now = [], start
    for _ in range(calls):
        now += limiter.reserve(now)
        slots.append(now)
    return slots


def test_calls_within_the_limit_go_at_once() -> None:
    limiter = RateLimiter([MINUTE])

    delays = [limiter.reserve(0.0) for _ in range(500)]

    assert delays == [0.0] * 500


def test_the_call_over_the_limit_waits_for_the_window_stretched_by_the_margin() -> None:
    limiter = RateLimiter([MINUTE], margin=0.05)
    for _ in range(500):
        limiter.reserve(0.0)

    delay = limiter.reserve(0.0)

    assert pytest.approx(delay) == 63.0


def test_without_a_margin_the_call_over_the_limit_waits_exactly_one_period() -> None:
    limiter = RateLimiter([MINUTE], margin=0.0)
    for _ in range(500):
        limiter.reserve(10.0)

    assert limiter.reserve(10.0) == 60.0


def test_calls_reserved_before_any_is_sent_each_get_their_own_slot() -> None:
    limiter = RateLimiter([MINUTE], margin=0.0)

    delays = [limiter.reserve(0.0) for _ in range(1_250)]

    assert delays == [0.0] * 500 + [60.0] * 500 + [120.0] * 250


def test_delay_answers_without_reserving() -> None:
    limiter = RateLimiter([RateWindow(1, 10.0)], margin=0.0)
    limiter.reserve(0.0)

    assert (limiter.delay(0.0), limiter.delay(0.0)) == (10.0, 10.0)


def test_delay_shrinks_as_time_passes() -> None:
    limiter = RateLimiter([RateWindow(1, 10.0)], margin=0.0)
    limiter.reserve(0.0)

    assert limiter.delay(7.0) == 3.0


def test_a_call_after_the_window_has_passed_is_not_delayed() -> None:
    limiter = RateLimiter([RateWindow(1, 10.0)], margin=0.0)
    limiter.reserve(0.0)

    assert limiter.reserve(10.0) == 0.0


def test_reserve_with_max_delay_reserves_nothing_when_the_wait_is_longer() -> None:
    limiter = RateLimiter([RateWindow(1, 10.0)], margin=0.0)
    limiter.reserve(0.0)

    refused = limiter.reserve(0.0, max_delay=5.0)

    assert (refused, limiter.delay(0.0)) == (10.0, 10.0)


def test_the_minute_window_paces_a_greedy_caller() -> None:
    limiter = RateLimiter([MINUTE, HOUR, DAY], margin=0.0)

    slots = greedy_slots(limiter, 1_001)

    assert (
        slots[0],
        slots[499],
        slots[500],
        slots[999],
        slots[1_000],
    ) == (0.0, 0.0, 60.0, 60.0, 120.0)


def test_the_hour_window_holds_the_call_after_12500_until_an_hour_has_passed() -> None:
    limiter = RateLimiter([MINUTE, HOUR, DAY], margin=0.0)

    slots = greedy_slots(limiter, 12_501)

    # 25 minute-blocks of 500 fill the hour by minute 24; the next call waits for hour 1.
    assert (slots[12_499], slots[12_500]) == (1_440.0, 3_600.0)


def test_the_day_window_holds_the_call_after_75000_until_a_day_has_passed() -> None:
    limiter = RateLimiter([MINUTE, HOUR, DAY], margin=0.0)

    slots = greedy_slots(limiter, 75_001)

    # Six hours of 12,500 calls use up the day: the last of them goes at 5 h 24 min.
    assert (slots[74_999], slots[75_000]) == (5 * 3_600.0 + 1_440.0, 86_400.0)


def test_the_margin_stretches_every_window_of_a_limiter() -> None:
    limiter = RateLimiter([RateWindow(2, 10.0), RateWindow(3, 100.0)], margin=0.1)

    slots = greedy_slots(limiter, 4)

    assert pytest.approx(slots) == [0.0, 0.0, 11.0, 110.0]


def test_old_call_times_are_dropped_so_a_window_holds_at_most_its_limit() -> None:
    limiter = RateLimiter([RateWindow(5, 10.0), RateWindow(50, 1_000.0)], margin=0.0)

    greedy_slots(limiter, 2_000)

    assert all(held <= limit for held, limit in zip(limiter.held(), (5, 50), strict=True))


def test_the_binding_window_is_the_one_that_makes_the_call_wait() -> None:
    limiter = RateLimiter([RateWindow(10, 60.0), RateWindow(2, 3_600.0)], margin=0.0)
    limiter.reserve(0.0)
    limiter.reserve(0.0)

    assert RateWindow(2, 3_600.0) == limiter.binding_window(0.0)


def test_a_limiter_without_windows_never_delays() -> None:
    limiter = RateLimiter([])

    assert [limiter.reserve(5.0) for _ in range(3)] == [0.0] * 3


@pytest.mark.parametrize(
    ("windows", "margin"),
    [([RateWindow(0, 60.0)], 0.05), ([RateWindow(5, 0.0)], 0.05), ([MINUTE], -0.01)],
)
def test_impossible_windows_or_margins_are_refused(
    windows: list[RateWindow], margin: float
) -> None:
    with pytest.raises(ValueError):
        RateLimiter(windows, margin=margin)


# -- properties ----------------------------------------------------------------------------

windows_st = st.lists(
    st.builds(
        RateWindow,
        limit=st.integers(min_value=1, max_value=8),
        period=st.floats(min_value=0.5, max_value=500.0, allow_nan=False),
    ),
    min_size=1,
    max_size=3,
)
times_st = st.lists(st.floats(min_value=0.0, max_value=2_000.0, allow_nan=False), max_size=60)
ROUNDING = 1e-6
margin_st = st.sampled_from([0.0, 0.01, 0.05, 0.5])


def most_in_any_period(slots: list[float], period: float) -> int:
    """The most slots in any half-open interval [s, s + period) (one starting at a slot).

    A slot is computed as ``now + delay``, which may differ from the limiter's own sum by
    float rounding: the interval is shortened by that much.
    """
    ordered = sorted(slots)
    return max(
        (sum(1 for t in ordered if s <= t < s + period - ROUNDING) for s in ordered), default=0
    )


@given(windows=windows_st, times=times_st, margin=margin_st)
def test_no_window_ever_holds_more_than_its_limit_in_any_period(
    windows: list[RateWindow], times: list[float], margin: float
) -> None:
    limiter = RateLimiter(windows, margin=margin)

    slots = [now + limiter.reserve(now) for now in times]

    assert all(most_in_any_period(slots, w.period) <= w.limit for w in windows)


def in_window(slots: list[float], window: RateWindow, margin: float, instant: float) -> int:
    """How many slots still count in ``window`` at ``instant`` (a call at t counts until
    t + the stretched period: the limiter's own arithmetic)."""
    return sum(1 for t in slots if t + window.period * (1.0 + margin) > instant)


@given(windows=windows_st, gaps=times_st, margin=margin_st)
def test_a_call_that_fits_every_window_is_never_delayed(
    windows: list[RateWindow], gaps: list[float], margin: float
) -> None:
    limiter = RateLimiter(windows, margin=margin)
    slots: list[float] = []
    now = 0.0
    for gap in gaps:
        now = max([now + gap, *slots])  # calls are sent in order, each after the last
        # Judged away from the window edge by more than float rounding, either way.
        fits = all(in_window(slots, w, margin, now - ROUNDING) < w.limit for w in windows)
        overflows = any(in_window(slots, w, margin, now + ROUNDING) >= w.limit for w in windows)

        delay = limiter.reserve(now)

        slots.append(now + delay)
        assert not fits or delay == 0.0
        assert not overflows or delay > 0.0


@given(windows=windows_st, times=times_st, margin=margin_st)
def test_slots_are_handed_out_in_order(
    windows: list[RateWindow], times: list[float], margin: float
) -> None:
    limiter = RateLimiter(windows, margin=margin)

    slots = [now + limiter.reserve(now) for now in times]

    assert all(later >= earlier - ROUNDING for earlier, later in itertools.pairwise(slots))


def test_delay_for_says_when_the_last_of_several_calls_could_go_and_reserves_nothing() -> None:
    limiter = RateLimiter([RateWindow(2, 10.0)], margin=0.0)
    limiter.reserve(0.0)

    delay = limiter.delay_for(0.0, 3)

    assert (delay, limiter.held()) == (10.0, (1,))
