"""How long a run's writes take at a target's limits (domain/duration), in plain numbers."""

from __future__ import annotations

import pytest
from test_quota import Booked

from fieldsync.domain.duration import duration_text, estimate_run, rate_text
from fieldsync.domain.quota import QuotaRequest, plan_slots
from fieldsync.domain.records import RateWindow, TargetLimits

MINUTE, HOUR, DAY = 60.0, 3600.0, 86_400.0
LISTSUBSCRIBE = TargetLimits(
    max_batch=50,
    windows=(RateWindow(500, MINUTE), RateWindow(12_500, HOUR), RateWindow(75_000, DAY)),
)
BULK = TargetLimits(max_batch=100, windows=(RateWindow(2000, MINUTE),), per_call=10)


def test_two_hundred_thousand_contacts_take_two_days_and_some_hours_at_the_daily_cap() -> None:
    estimate = estimate_run(200_000, LISTSUBSCRIBE, margin=0.0)

    # 75,000 on day one, 75,000 on day two, then 50,000 at 12,500 an hour: the last
    # block of 12,500 starts 3 h into day three, and its last 500 at minute 24.
    assert 2 * DAY + 3 * HOUR + 24 * MINUTE == estimate.seconds
    assert "about 2 days 3 h for 200,000 contacts at 75,000 a day" == str(estimate)


def test_fifty_thousand_contacts_wait_for_the_hourly_cap() -> None:
    estimate = estimate_run(50_000, LISTSUBSCRIBE, margin=0.0)

    assert 3 * HOUR + 24 * MINUTE == estimate.seconds
    assert "about 3 h 24 min for 50,000 contacts at 12,500 an hour" == str(estimate)


def test_a_run_under_the_hourly_cap_goes_at_five_hundred_a_minute() -> None:
    estimate = estimate_run(1_343, LISTSUBSCRIBE, margin=0.0)

    assert (1_343, 2 * MINUTE) == (estimate.calls, estimate.seconds)
    assert "about 2 min for 1,343 contacts at 500 a minute" == str(estimate)


def test_the_bulk_route_carries_ten_contacts_a_call() -> None:
    estimate = estimate_run(1_343, BULK)

    assert (135, 0.0, None) == (estimate.calls, estimate.seconds, estimate.window)
    assert "under a minute for 1,343 contacts" == str(estimate)
    assert "20,000 a minute" == rate_text(BULK.windows[0], BULK.per_call)


def test_the_margin_stretches_every_window_as_the_pacer_does() -> None:
    assert 2 * MINUTE * 1.03 == pytest.approx(estimate_run(1_343, LISTSUBSCRIBE).seconds)


def test_no_contacts_and_no_windows_take_no_time() -> None:
    assert 0.0 == estimate_run(0, LISTSUBSCRIBE).seconds
    assert 0.0 == estimate_run(10_000, TargetLimits()).seconds


@pytest.mark.parametrize("calls", [1, 7, 8, 20, 21, 55, 80, 81, 163, 400])
def test_the_estimate_is_when_the_pacer_books_the_last_slot(calls: int) -> None:
    windows = (RateWindow(4, 10.0), RateWindow(20, 100.0), RateWindow(80, 1000.0))
    request = QuotaRequest("s", windows, calls, 0.0, margin=0.03)

    slots, _ = plan_slots(request, Booked())

    estimate = estimate_run(calls, TargetLimits(windows=windows), margin=0.03)
    assert slots[-1] == pytest.approx(estimate.seconds)


def test_bad_input_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        estimate_run(-1, LISTSUBSCRIBE)
    with pytest.raises(ValueError, match="at least one contact"):
        estimate_run(1, TargetLimits(per_call=0))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (5, "under a minute"),
        (125, "about 2 min"),
        (HOUR + 35 * MINUTE, "about 1 h 35 min"),
        (16 * HOUR + 10 * MINUTE, "about 16 h"),
        (DAY + 70 * MINUTE, "about 1 day 1 h"),
        (3 * DAY, "about 3 days"),
    ],
)
def test_durations_read_in_words_rounded_to_what_matters(seconds: float, text: str) -> None:
    assert text == duration_text(seconds)


def test_an_odd_period_is_said_in_minutes() -> None:
    assert "500 per 5 min" == rate_text(RateWindow(500, 300.0))
