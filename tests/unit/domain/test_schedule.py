from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldsync.domain.schedule import MAX_INTERVAL, Schedule, ScheduleKind
from fieldsync.exceptions import ConfigurationError, ScheduleError


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- building ------------------------------------------------------------------------------


def test_once_is_a_schedule_of_kind_once() -> None:
    assert Schedule(ScheduleKind.ONCE) == Schedule.once()


def test_every_hours_makes_an_interval_of_that_many_hours() -> None:
    assert timedelta(hours=6) == Schedule.every(hours=6).interval


def test_every_days_and_hours_adds_them_up() -> None:
    assert timedelta(days=1, hours=6) == Schedule.every(days=1, hours=6).interval


@pytest.mark.parametrize(
    "counts",
    [{}, {"hours": 0, "days": 0}, {"hours": -1}, {"days": -2, "hours": 5}, {"hours": 1.5}],
    ids=str,
)
def test_every_needs_whole_non_negative_counts_not_both_zero(counts: dict[str, int]) -> None:
    with pytest.raises(ScheduleError):
        Schedule.every(**counts)


def test_every_refuses_a_bool_for_a_count() -> None:
    with pytest.raises(ScheduleError, match="whole number"):
        Schedule.every(hours=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02:00", time(2, 0)),
        ("2:05", time(2, 5)),
        ("23:59", time(23, 59)),
        ("00:00:30", time(0, 0, 30)),
        (" 14:30 ", time(14, 30)),
    ],
)
def test_daily_reads_a_24_hour_time_of_day(text: str, expected: time) -> None:
    assert expected == Schedule.daily(text).at


def test_daily_takes_a_time_object_as_it_is() -> None:
    assert time(7, 15) == Schedule.daily(time(7, 15)).at


@pytest.mark.parametrize("text", ["25:00", "24:00", "2pm", "12:60", "12", "12:5", "", "noon"])
def test_a_bad_time_of_day_is_a_schedule_error_that_shows_the_format(text: str) -> None:
    with pytest.raises(ScheduleError, match="HH:MM"):
        Schedule.daily(text)


def test_a_time_of_day_with_a_time_zone_is_refused() -> None:
    with pytest.raises(ScheduleError, match="tz="):
        Schedule.daily(time(2, 0, tzinfo=UTC))


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "", "../etc/passwd", "Not A Zone"])
def test_an_unknown_time_zone_is_a_schedule_error_naming_it(tz: str) -> None:
    with pytest.raises(ScheduleError, match="unknown time zone"):
        Schedule.daily("02:00", tz=tz)


def test_a_schedule_error_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        Schedule.daily("2pm")


@pytest.mark.parametrize(
    ("weekday", "expected"),
    [("monday", 0), ("Sunday", 6), ("MON", 0), (" friday ", 4), ("wed", 2), (3, 3)],
)
def test_weekly_reads_a_weekday_name_abbreviation_or_number(
    weekday: str | int, expected: int
) -> None:
    assert expected == Schedule.weekly(weekday, "09:00").weekday


@pytest.mark.parametrize("weekday", ["funday", "", "mo", 7, -1, True])
def test_a_bad_weekday_is_a_schedule_error(weekday: str | int) -> None:
    with pytest.raises(ScheduleError, match="bad weekday"):
        Schedule.weekly(weekday, "09:00")


@pytest.mark.parametrize("day", [0, 32, -1, True])
def test_monthly_needs_a_day_from_1_to_31(day: int) -> None:
    with pytest.raises(ScheduleError, match="1 to 31"):
        Schedule.monthly(day, "02:00")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": ScheduleKind.DAILY}, "kind 'daily' needs a time of day"),
        ({"kind": ScheduleKind.EVERY}, "kind 'every' needs an interval"),
        ({"kind": ScheduleKind.ONCE, "at": time(2)}, "kind 'once' takes no time of day"),
        (
            {"kind": ScheduleKind.DAILY, "at": time(2), "interval": timedelta(hours=1)},
            "kind 'daily' takes no interval",
        ),
        ({"kind": ScheduleKind.WEEKLY, "at": time(2)}, "kind 'weekly' needs a weekday"),
        (
            {"kind": ScheduleKind.DAILY, "at": time(2), "day": 3},
            "kind 'daily' takes no day of the month",
        ),
        ({"kind": ScheduleKind.EVERY, "interval": timedelta(0)}, "interval must be positive"),
        ({"kind": ScheduleKind.WEEKLY, "at": time(2), "weekday": 9}, "weekday must be 0"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_schedule_built_directly_is_checked_too(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        Schedule(**fields)  # type: ignore[arg-type]


# -- next run: simple kinds ------------------------------------------------------------------


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        Schedule.daily("02:00").next_run_after(datetime(2026, 1, 1))


def test_once_has_no_next_run() -> None:
    assert Schedule.once().next_run_after(utc(2026, 1, 1)) is None


def test_every_is_due_one_interval_after_the_instant() -> None:
    assert utc(2026, 1, 1, 6) == Schedule.every(hours=6).next_run_after(utc(2026, 1, 1))


def test_every_answers_in_utc_for_an_instant_in_another_offset() -> None:
    instant = datetime(2026, 1, 1, 5, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))

    assert utc(2026, 1, 2) == Schedule.every(days=1).next_run_after(instant)


def test_daily_later_the_same_day_is_due_today() -> None:
    assert utc(2026, 5, 4, 2) == Schedule.daily("02:00").next_run_after(utc(2026, 5, 4, 1))


def test_daily_exactly_at_its_time_is_due_tomorrow() -> None:
    assert utc(2026, 5, 5, 2) == Schedule.daily("02:00").next_run_after(utc(2026, 5, 4, 2))


def test_the_next_run_is_in_utc() -> None:
    expected = UTC

    due = Schedule.daily("02:00", tz="Europe/London").next_run_after(utc(2026, 7, 1))

    assert expected == due.tzinfo  # type: ignore[union-attr]


def test_daily_in_kolkata_runs_at_the_local_time_all_year() -> None:
    schedule = Schedule.daily("02:00", tz="Asia/Kolkata")

    expected = [utc(2026, 1, 14, 20, 30), utc(2026, 7, 14, 20, 30)]
    actual = [schedule.next_run_after(utc(2026, m, 14, 12)) for m in (1, 7)]
    assert expected == actual


# -- next run: daylight saving time -----------------------------------------------------------


def test_new_york_runs_at_the_same_local_time_before_and_after_spring_forward() -> None:
    schedule = Schedule.daily("02:30", tz="America/New_York")

    # 02:30 EST (UTC-5) on the 7th, then 02:30 EDT (UTC-4) on the 9th.
    expected = [utc(2026, 3, 7, 7, 30), utc(2026, 3, 9, 6, 30)]
    actual = [schedule.next_run_after(utc(2026, 3, d)) for d in (7, 9)]
    assert expected == actual


def test_new_york_spring_forward_shifts_a_missing_time_forward_by_the_gap() -> None:
    schedule = Schedule.daily("02:30", tz="America/New_York")

    # 02:30 does not exist on 2026-03-08; it runs at 03:30 EDT, which is 07:30 UTC.
    assert utc(2026, 3, 8, 7, 30) == schedule.next_run_after(utc(2026, 3, 8))


def test_new_york_fall_back_runs_a_repeated_time_at_its_first_occurrence() -> None:
    schedule = Schedule.daily("01:30", tz="America/New_York")

    # 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST) on 2026-11-01.
    assert utc(2026, 11, 1, 5, 30) == schedule.next_run_after(utc(2026, 11, 1))


def test_new_york_fall_back_does_not_run_again_at_the_second_occurrence() -> None:
    schedule = Schedule.daily("01:30", tz="America/New_York")

    assert utc(2026, 11, 2, 6, 30) == schedule.next_run_after(utc(2026, 11, 1, 5, 30))


def test_london_spring_forward_shifts_a_missing_time_forward_by_the_gap() -> None:
    schedule = Schedule.daily("01:30", tz="Europe/London")

    # 01:30 does not exist on 2026-03-29; 02:30 BST is 01:30 UTC.
    assert utc(2026, 3, 29, 1, 30) == schedule.next_run_after(utc(2026, 3, 29))


def test_london_fall_back_runs_a_repeated_time_at_its_first_occurrence() -> None:
    schedule = Schedule.daily("01:30", tz="Europe/London")

    # 01:30 BST (00:30 UTC), not 01:30 GMT (01:30 UTC).
    assert utc(2026, 10, 25, 0, 30) == schedule.next_run_after(utc(2026, 10, 24, 12))


def test_a_time_outside_the_gap_is_untouched_on_the_spring_forward_day() -> None:
    schedule = Schedule.daily("04:00", tz="America/New_York")

    assert utc(2026, 3, 8, 8) == schedule.next_run_after(utc(2026, 3, 8))


# -- next run: weeks and months ---------------------------------------------------------------


def test_weekly_runs_on_its_weekday_across_the_year_end() -> None:
    schedule = Schedule.weekly("monday", "09:00")

    # 2025-12-31 is a Wednesday; the next Monday is in the new year.
    assert utc(2026, 1, 5, 9) == schedule.next_run_after(utc(2025, 12, 31, 10))


def test_weekly_later_on_its_own_weekday_is_due_that_day() -> None:
    assert utc(2026, 1, 5, 9) == Schedule.weekly(0, "09:00").next_run_after(utc(2026, 1, 5, 8))


def test_weekly_after_its_time_on_its_weekday_waits_a_week() -> None:
    assert utc(2026, 1, 12, 9) == Schedule.weekly(0, "09:00").next_run_after(utc(2026, 1, 5, 9))


def test_weekly_uses_the_weekday_of_its_time_zone() -> None:
    schedule = Schedule.weekly("monday", "02:00", tz="Asia/Kolkata")

    # Monday 02:00 in Kolkata is Sunday 20:30 UTC.
    assert utc(2026, 1, 4, 20, 30) == schedule.next_run_after(utc(2026, 1, 1))


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (utc(2027, 2, 1), utc(2027, 2, 28)),  # not a leap year
        (utc(2028, 2, 1), utc(2028, 2, 29)),  # a leap year
        (utc(2026, 4, 1), utc(2026, 4, 30)),
        (utc(2026, 1, 31, 1), utc(2026, 2, 28)),  # after January's run
        (utc(2026, 5, 1), utc(2026, 5, 31)),
    ],
    ids=["feb-2027", "feb-2028", "april", "jan-to-feb", "may"],
)
def test_monthly_on_day_31_runs_on_the_last_day_of_shorter_months(
    after: datetime, expected: datetime
) -> None:
    assert expected == Schedule.monthly(31, "00:00").next_run_after(after)


def test_monthly_on_day_29_runs_on_february_28_outside_leap_years() -> None:
    assert utc(2026, 2, 28, 2) == Schedule.monthly(29, "02:00").next_run_after(utc(2026, 2, 1))


def test_monthly_after_its_day_waits_for_next_month_across_the_year_end() -> None:
    assert utc(2027, 1, 15, 2) == Schedule.monthly(15, "02:00").next_run_after(utc(2026, 12, 16))


def test_monthly_uses_the_date_of_its_time_zone() -> None:
    schedule = Schedule.monthly(1, "02:00", tz="Asia/Kolkata")

    # The 1st at 02:00 in Kolkata is the last day of the month before at 20:30 UTC.
    assert utc(2026, 1, 31, 20, 30) == schedule.next_run_after(utc(2026, 1, 15))


# -- describe ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (Schedule.once(), "once"),
        (Schedule.every(hours=1), "every hour"),
        (Schedule.every(hours=6), "every 6 hours"),
        (Schedule.every(days=1), "every day"),
        (Schedule.every(days=2, hours=1), "every 2 days and 1 hour"),
        (
            Schedule(ScheduleKind.EVERY, interval=timedelta(minutes=90)),
            "every 1 hour and 30 minutes",
        ),
        (Schedule(ScheduleKind.EVERY, interval=timedelta(seconds=45)), "every 45 seconds"),
        (Schedule(ScheduleKind.EVERY, interval=timedelta(milliseconds=500)), "every 0.5 seconds"),
        (Schedule.daily("02:00", tz="Asia/Kolkata"), "daily at 02:00 (Asia/Kolkata)"),
        (Schedule.daily("23:59:30"), "daily at 23:59:30 (UTC)"),
        (Schedule.weekly("fri", "9:00"), "weekly on Friday at 09:00 (UTC)"),
        (Schedule.monthly(15, "02:00"), "monthly on day 15 at 02:00 (UTC)"),
        (
            Schedule.monthly(31, "02:00", tz="Europe/London"),
            "monthly on day 31 (or the month's last day) at 02:00 (Europe/London)",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_describe_says_the_schedule_in_words(schedule: Schedule, expected: str) -> None:
    assert expected == schedule.describe()


@given(
    days=st.integers(min_value=0, max_value=10**30),
    hours=st.integers(min_value=0, max_value=10**30),
)
def test_every_either_refuses_the_counts_or_always_has_a_next_run(days: int, hours: int) -> None:
    try:
        schedule = Schedule.every(days=days, hours=hours)
    except ScheduleError:
        return
    assert schedule.next_run_after(utc(2026, 1, 1)) is not None


@pytest.mark.parametrize("counts", [{"days": 100_000_000}, {"hours": 10**20}], ids=str)
def test_every_refuses_an_interval_longer_than_the_bound(counts: dict[str, int]) -> None:
    with pytest.raises(ScheduleError, match="at most"):
        Schedule.every(**counts)


def test_a_stored_interval_longer_than_the_bound_is_refused_too() -> None:
    with pytest.raises(ScheduleError, match="at most"):
        Schedule(ScheduleKind.EVERY, interval=MAX_INTERVAL + timedelta(seconds=1))
