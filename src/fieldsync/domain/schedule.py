"""When a sync runs by itself: once, every N hours or days, or daily/weekly/monthly at a
local time in a time zone.

Calendar schedules are computed on the wall clock of their time zone, so "daily at 02:00
(Asia/Kolkata)" means 02:00 in Kolkata all year round. Two rules settle the days when that
wall clock jumps (daylight saving time):

- **Gap** (spring forward): a time that does not exist that day runs shifted forward by the
  length of the gap. Daily at 02:30 in America/New_York runs at 03:30 EDT on the day the
  clocks go from 02:00 to 03:00.
- **Fold** (fall back): a time that happens twice that day runs once, at its first
  occurrence. Daily at 01:30 in America/New_York runs at 01:30 EDT, not again at 01:30 EST.

These are exactly the rules of :pep:`495` with ``fold=0``. A monthly schedule on a day the
month does not have (29, 30 or 31) runs on the month's last day instead.
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from fieldsync.domain.errors import ScheduleError

__all__ = ["MAX_INTERVAL", "MAX_TZ_LENGTH", "Schedule", "ScheduleKind"]

# Monday first, as date.weekday() counts. Not calendar.day_name: that follows the locale.
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME = re.compile(r"(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?")
MAX_INTERVAL: timedelta = timedelta(days=3660)
"""The longest interval of an ``every`` schedule. Any bound keeps the next due time a date
Python can hold (up to the year 9999); ten years is far past any real schedule."""


class ScheduleKind(enum.Enum):
    """How a schedule repeats."""

    ONCE = "once"  # the first run (started by initiate) is the only one
    EVERY = "every"  # a fixed interval after the previous due time
    DAILY = "daily"  # every day at a local time
    WEEKLY = "weekly"  # one day a week at a local time
    MONTHLY = "monthly"  # one day a month at a local time


_CALENDAR_KINDS = frozenset({ScheduleKind.DAILY, ScheduleKind.WEEKLY, ScheduleKind.MONTHLY})


@attrs.frozen
class Schedule:
    """When a sync runs by itself. Build one with the named constructors
    (:meth:`once`, :meth:`every`, :meth:`daily`, :meth:`weekly`, :meth:`monthly`).

    Attributes:
        kind: how it repeats.
        interval: the time between runs (``EVERY`` only).
        at: the local wall-clock time of day, without a time zone (calendar kinds only).
        weekday: 0 for Monday to 6 for Sunday (``WEEKLY`` only).
        day: the day of the month, 1 to 31 (``MONTHLY`` only).
        tz: the IANA time zone ``at`` is read in, such as ``"Asia/Kolkata"``.

    Raises:
        ScheduleError: the fields do not make a schedule of ``kind`` (checked on every
            construction, so a schedule read back from a store is checked too).
    """

    kind: ScheduleKind
    interval: timedelta | None = None
    at: time | None = None
    weekday: int | None = None
    day: int | None = None
    tz: str = "UTC"

    def __attrs_post_init__(self) -> None:
        _zone(self.tz)
        kind = self.kind
        _expect(kind, "interval", self.interval, kind is ScheduleKind.EVERY)
        _expect(kind, "time of day", self.at, kind in _CALENDAR_KINDS)
        _expect(kind, "weekday", self.weekday, kind is ScheduleKind.WEEKLY)
        _expect(kind, "day of the month", self.day, kind is ScheduleKind.MONTHLY)
        if self.interval is not None and self.interval <= timedelta(0):
            raise ScheduleError(f"the interval must be positive, not {self.interval}")
        if self.interval is not None and self.interval > MAX_INTERVAL:
            raise ScheduleError(
                f"the interval must be at most {MAX_INTERVAL.days} days, not {self.interval}"
            )
        if self.at is not None and self.at.tzinfo is not None:
            raise ScheduleError("give the time of day without a time zone, and the zone as tz=")
        if self.weekday is not None and not _is_int_in(self.weekday, 0, 6):
            raise ScheduleError(
                f"the weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday!r}"
            )
        if self.day is not None and not _is_int_in(self.day, 1, 31):
            raise ScheduleError(f"the day of the month must be 1 to 31, not {self.day!r}")

    # -- named constructors ----------------------------------------------------------------

    @classmethod
    def once(cls) -> Schedule:
        """No runs after the first one, which initiate starts."""
        return cls(ScheduleKind.ONCE)

    @classmethod
    def every(cls, *, hours: int = 0, days: int = 0) -> Schedule:
        """A run every ``days`` days and ``hours`` hours after the previous due time.

        Raises:
            ScheduleError: a count is not a whole number >= 0, both are 0, or together they
                exceed :data:`MAX_INTERVAL` (about ten years).
        """
        for name, count in (("hours", hours), ("days", days)):
            if not _is_int_in(count, 0, None):
                raise ScheduleError(f"{name} must be a whole number >= 0, not {count!r}")
        # Checked before timedelta() sees them: a huge count overflows it (OverflowError).
        if days * 24 + hours > MAX_INTERVAL.days * 24:
            raise ScheduleError(
                f"an 'every' schedule runs at most every {MAX_INTERVAL.days} days,"
                f" not every {days} day(s) and {hours} hour(s)"
            )
        if hours == days == 0:
            raise ScheduleError("an 'every' schedule needs hours or days above 0")
        return cls(ScheduleKind.EVERY, interval=timedelta(days=days, hours=hours))

    @classmethod
    def daily(cls, at: str | time, *, tz: str = "UTC") -> Schedule:
        """A run every day at ``at`` (``"02:00"``, 24-hour clock) in time zone ``tz``.

        Raises:
            ScheduleError: ``at`` is not a time of day, or ``tz`` is not a known time zone.
        """
        return cls(ScheduleKind.DAILY, at=_parse_time(at), tz=tz)

    @classmethod
    def weekly(cls, weekday: str | int, at: str | time, *, tz: str = "UTC") -> Schedule:
        """A run every week on ``weekday`` (``"monday"``, ``"mon"`` or 0 to 6 from Monday)
        at ``at`` in time zone ``tz``.

        Raises:
            ScheduleError: an unknown weekday, a bad time of day or an unknown time zone.
        """
        return cls(ScheduleKind.WEEKLY, at=_parse_time(at), weekday=_parse_weekday(weekday), tz=tz)

    @classmethod
    def monthly(cls, day: int, at: str | time, *, tz: str = "UTC") -> Schedule:
        """A run every month on ``day`` (1 to 31) at ``at`` in time zone ``tz``. In a month
        without that day (day 31 in April, 29 to 31 in February) it runs on the last day.

        Raises:
            ScheduleError: a day outside 1 to 31, a bad time of day or an unknown time zone.
        """
        return cls(ScheduleKind.MONTHLY, at=_parse_time(at), day=day, tz=tz)

    # -- use -------------------------------------------------------------------------------

    def next_run_after(self, instant: datetime) -> datetime | None:
        """The first due instant strictly after ``instant``, in UTC.

        ``EVERY`` schedules are due ``interval`` after ``instant`` (pass the previous due
        time to keep a steady rhythm). Calendar schedules follow the wall clock of ``tz``
        with the gap and fold rules of the module docstring. ``ONCE`` returns ``None``.

        Raises:
            ValueError: ``instant`` is naive (has no time zone).
        """
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"instant must be time-zone aware, not naive: {instant.isoformat()}")
        instant = instant.astimezone(UTC)
        if self.kind is ScheduleKind.ONCE:
            return None
        if self.interval is not None:
            return instant + self.interval
        zone = _zone(self.tz)
        assert self.at is not None  # checked on construction for calendar kinds
        # Start a day early: a run shifted forward by a gap can land on the next local date.
        start = instant.astimezone(zone).date() - timedelta(days=1)
        for day in self._due_dates(start):
            # fold=0 is the whole DST rule: a missing time shifts forward by the gap, a
            # repeated time resolves to its first occurrence.
            due = datetime.combine(day, self.at, tzinfo=zone).replace(fold=0).astimezone(UTC)
            if due > instant:
                return due
        raise AssertionError("unreachable: due dates never run out")  # pragma: no cover

    def describe(self) -> str:
        """The schedule in words, e.g. ``"daily at 02:00 (Asia/Kolkata)"``."""
        if self.kind is ScheduleKind.ONCE:
            return "once"
        if self.interval is not None:
            return f"every {_describe_interval(self.interval)}"
        assert self.at is not None
        when = f"at {_describe_time(self.at)} ({self.tz})"
        if self.weekday is not None:
            return f"weekly on {_WEEKDAYS[self.weekday]} {when}"
        if self.day is not None:
            last = " (or the month's last day)" if self.day > 28 else ""
            return f"monthly on day {self.day}{last} {when}"
        return f"daily {when}"

    def _due_dates(self, start: date) -> Iterator[date]:
        """The local dates this calendar schedule runs on, from ``start`` on, forever."""
        if self.day is not None:
            year, month = start.year, start.month
            while True:
                last = calendar.monthrange(year, month)[1]
                yield date(year, month, min(self.day, last))
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        step = timedelta(days=1)
        if self.weekday is not None:
            start += timedelta(days=(self.weekday - start.weekday()) % 7)
            step = timedelta(days=7)
        while True:
            yield start
            start += step


def _expect(kind: ScheduleKind, what: str, value: object, wanted: bool) -> None:
    if wanted and value is None:
        raise ScheduleError(f"a schedule of kind {kind.value!r} needs {_a(what)} {what}")
    if not wanted and value is not None:
        raise ScheduleError(f"a schedule of kind {kind.value!r} takes no {what}")


def _a(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _is_int_in(value: object, low: int, high: int | None) -> bool:
    # bool is an int to Python, but True is not a weekday or a day of the month.
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return low <= value and (high is None or value <= high)


MAX_TZ_LENGTH = 255
"""The longest time zone name taken (IANA names are far shorter)."""


def _zone(name: str) -> ZoneInfo:
    if not isinstance(name, str) or len(name) > MAX_TZ_LENGTH or not name.isprintable():
        shown = repr(name) if len(repr(name)) <= 60 else repr(name)[:57] + "..."
        raise ScheduleError(
            f"unknown time zone {shown}: use an IANA name such as 'Europe/London' or 'UTC'"
        )
    try:
        return ZoneInfo(name)
    # OSError: a name the file system refuses (too long a path part, say)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise ScheduleError(
            f"unknown time zone {name!r}: use an IANA name such as 'Europe/London' or 'UTC'"
        ) from None


def _parse_time(at: str | time) -> time:
    if isinstance(at, time):
        return at
    match = _TIME.fullmatch(at.strip()) if isinstance(at, str) else None
    if match is None:
        raise ScheduleError(
            f"bad time of day {at!r}: use 24-hour HH:MM, such as '02:00' or '14:30'"
        )
    return time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0))


def _parse_weekday(weekday: str | int) -> int:
    if isinstance(weekday, str):
        name = weekday.strip().lower()
        for number, full in enumerate(_WEEKDAYS):
            if name in (full.lower(), full[:3].lower()):
                return number
    elif _is_int_in(weekday, 0, 6):
        return weekday
    raise ScheduleError(
        f"bad weekday {weekday!r}: use a name such as 'monday' or 0 (Monday) to 6 (Sunday)"
    )


def _describe_time(at: time) -> str:
    return at.strftime("%H:%M:%S" if at.second or at.microsecond else "%H:%M")


def _describe_interval(interval: timedelta) -> str:
    hours, seconds = divmod(interval.seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    counts = [(interval.days, "day"), (hours, "hour"), (minutes, "minute"), (seconds, "second")]
    parts = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in counts if n]
    if not parts:  # under a second: only a hand-built schedule gets here
        return f"{interval.total_seconds():g} seconds"
    if len(parts) == 1 and parts[0].startswith("1 "):
        return parts[0][2:]  # "every hour", not "every 1 hour"
    return " and ".join(parts)
