"""Properties of ``Schedule.next_run_after`` that hold for any schedule and any instant."""

import calendar
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from fieldsync.domain.schedule import Schedule, ScheduleKind

# Zones with every kind of wall-clock jump: none, one hour, half an hour (Lord Howe), at
# midnight (Santiago), with a 45-minute offset (Chatham), south and north of the equator.
ZONES = [
    "UTC",
    "Asia/Kolkata",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Chatham",
]
ONE_MICROSECOND = timedelta(microseconds=1)

zones = st.sampled_from(ZONES)
times_of_day = st.times()  # includes seconds, microseconds and fold=1, all must work
dailies = st.builds(Schedule.daily, times_of_day, tz=zones)
weeklies = st.builds(Schedule.weekly, st.integers(0, 6), times_of_day, tz=zones)
monthlies = st.builds(Schedule.monthly, st.integers(1, 31), times_of_day, tz=zones)
everies = st.builds(Schedule.every, hours=st.integers(0, 100), days=st.integers(1, 400)) | (
    st.builds(Schedule.every, hours=st.integers(1, 100))
)
calendar_schedules = dailies | weeklies | monthlies
schedules = calendar_schedules | everies
instants = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2080, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-3, minutes=-30))]),
)


def next_run(schedule: Schedule, instant: datetime) -> datetime:
    due = schedule.next_run_after(instant)
    assert due is not None
    return due


def exists(day: date, at: time, zone: ZoneInfo) -> bool:
    """Whether the wall time ``at`` happens on ``day`` in ``zone`` (it does not in a gap)."""
    wall = datetime.combine(day, at)
    return wall == wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)


@given(schedules, instants)
def test_the_next_run_is_strictly_after_the_instant(schedule: Schedule, instant: datetime) -> None:
    assert next_run(schedule, instant) > instant


@given(schedules, instants)
def test_the_next_run_is_in_utc(schedule: Schedule, instant: datetime) -> None:
    expected = UTC

    assert expected == next_run(schedule, instant).tzinfo


@given(calendar_schedules, instants)
def test_no_run_lies_between_the_instant_and_the_next_run(
    schedule: Schedule, instant: datetime
) -> None:
    due = next_run(schedule, instant)

    assert due == next_run(schedule, due - ONE_MICROSECOND)


@given(schedules, instants, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=90)))
def test_a_later_instant_never_has_an_earlier_next_run(
    schedule: Schedule, instant: datetime, later_by: timedelta
) -> None:
    assert next_run(schedule, instant) <= next_run(schedule, instant + later_by)


@given(everies, instants)
def test_every_is_due_exactly_one_interval_later(schedule: Schedule, instant: datetime) -> None:
    assert schedule.interval == next_run(schedule, instant) - instant


@given(calendar_schedules, instants)
def test_a_calendar_run_is_at_its_local_time_unless_that_time_does_not_exist(
    schedule: Schedule, instant: datetime
) -> None:
    assert schedule.at is not None
    zone = ZoneInfo(schedule.tz)
    local = next_run(schedule, instant).astimezone(zone)

    if local.time() != schedule.at:
        # Only a gap moves a run, and only forward.
        expected = (False, True)
        assert expected == (exists(local.date(), schedule.at, zone), local.time() > schedule.at)


@given(calendar_schedules, instants)
def test_a_calendar_run_never_waits_longer_than_its_period(
    schedule: Schedule, instant: datetime
) -> None:
    # A period plus the longest wall-clock jump of these zones (one hour).
    period = {
        ScheduleKind.DAILY: timedelta(days=1),
        ScheduleKind.WEEKLY: timedelta(days=7),
        ScheduleKind.MONTHLY: timedelta(days=31),
    }[schedule.kind]

    assert next_run(schedule, instant) - instant <= period + timedelta(hours=1)


@given(weeklies, instants)
def test_a_weekly_run_falls_on_its_local_weekday(schedule: Schedule, instant: datetime) -> None:
    local = next_run(schedule, instant).astimezone(ZoneInfo(schedule.tz))

    assert schedule.weekday == local.weekday()


@given(monthlies, instants)
def test_a_monthly_run_falls_on_its_day_or_the_last_day_of_a_shorter_month(
    schedule: Schedule, instant: datetime
) -> None:
    assert schedule.day is not None
    local = next_run(schedule, instant).astimezone(ZoneInfo(schedule.tz))
    last = calendar.monthrange(local.year, local.month)[1]

    assert min(schedule.day, last) == local.day


@given(schedules)
def test_a_description_starts_with_the_kind_of_schedule(schedule: Schedule) -> None:
    assert schedule.describe().startswith(schedule.kind.value)
