"""Reading :mod:`fieldsync.codec`'s JSON shapes: strict about types and unknown keys, every
problem kept (as a :class:`~fieldsync.SpecProblem` naming its field) instead of raised, and
each part that does not read left at its default so that the rest can still be checked."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from fieldsync.domain.criteria import Criteria
from fieldsync.domain.mapping import FieldMap, FieldMapping
from fieldsync.domain.schedule import Schedule, ScheduleKind
from fieldsync.domain.spec import SpecProblem, SyncSpec
from fieldsync.exceptions import ConfigurationError, CriteriaSyntaxError

E = TypeVar("E", bound=enum.Enum)

__all__ = [
    "Reader",
    "read_criteria",
    "read_instant",
    "read_mapping",
    "read_schedule",
    "read_spec_data",
]


class Reader:
    """Reads a JSON object's keys by type, keeping every problem instead of raising."""

    def __init__(self, field: str | None = None, row: int | None = None) -> None:
        self.problems: list[SpecProblem] = []
        self.field, self.row = field, row

    def problem(self, code: str, message: str, field: str | None = None) -> None:
        self.problems.append(SpecProblem(code, message, field or self.field, self.row))

    def obj(self, value: object, what: str, field: str | None = None) -> Mapping[str, Any]:
        if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
            return value
        self.problem("wrong_type", f"{what} must be an object.", field)
        return {}

    def known(self, data: Mapping[str, Any], keys: set[str], what: str) -> None:
        for key in sorted(set(data) - keys):
            self.problem("unknown_key", f"{what} has an unknown key {key[:40]!r}.")

    def text(
        self, data: Mapping[str, Any], key: str, default: str | None = None, *, missing: str = ""
    ) -> str:
        value = data.get(key, default)
        if isinstance(value, str):
            return value
        if key in data:
            self.problem("wrong_type", f"{key} must be text.", key if self.field is None else None)
        else:
            self.problem(
                "required", missing or f"Give the {key}.", key if self.field is None else None
            )
        return ""

    def flag(self, data: Mapping[str, Any], key: str) -> bool:
        value = data.get(key, False)
        if isinstance(value, bool):
            return value
        self.problem("wrong_type", f"{key} must be true or false.")
        return False

    def choice(self, data: Mapping[str, Any], key: str, kind: type[E]) -> E:
        """One of an enum's values (its first member when absent)."""
        default = next(iter(kind))
        value = data.get(key, default.value)
        for member in kind:
            if value == member.value and isinstance(value, str):
                return member
        allowed = ", ".join(f'"{m.value}"' for m in kind)
        self.problem("wrong_type", f"{key} must be one of {allowed}.")
        return default

    def number(self, data: Mapping[str, Any], key: str) -> int | None:
        value = data.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self.problem("wrong_type", f"{key} must be a whole number.")
        return None


_SCHEDULE_KEYS = {"kind", "interval", "hours", "days", "at", "weekday", "day", "tz"}


def read_schedule(data: Mapping[str, Any], read: Reader) -> Schedule | None:
    """A schedule object (``interval`` in seconds, or ``hours``/``days``), or ``None``."""
    read.known(data, _SCHEDULE_KEYS, "schedule")
    try:
        kind = ScheduleKind(data.get("kind", "once"))
    except (ValueError, TypeError):
        kinds = ", ".join(k.value for k in ScheduleKind)
        read.problem("invalid_schedule", f"schedule kind must be one of {kinds}.")
        return None
    interval, at = data.get("interval"), data.get("at")
    hours, days = read.number(data, "hours"), read.number(data, "days")
    weekday, day = read.number(data, "weekday"), read.number(data, "day")
    tz = read.text(data, "tz", "UTC")
    if interval is not None and (
        isinstance(interval, bool) or not isinstance(interval, int | float)
    ):
        read.problem("wrong_type", "interval must be a number of seconds.")
    if at is not None and not isinstance(at, str):
        read.problem("wrong_type", 'at must be a time of day such as "02:00".')
    if read.problems:
        return None
    calendar = kind in {ScheduleKind.DAILY, ScheduleKind.WEEKLY, ScheduleKind.MONTHLY}
    try:
        if kind is ScheduleKind.EVERY and interval is None:
            every = Schedule.every(hours=hours or 0, days=days or 0).interval
        else:
            every = None if interval is None else timedelta(seconds=interval)
        if calendar and at is None:
            at = "00:00"
        return Schedule(
            kind,
            interval=every,
            # the clock's forms ("2:00", "02:00:00") as Schedule.daily reads them
            at=None if at is None else Schedule.daily(at).at,
            weekday=0 if kind is ScheduleKind.WEEKLY and weekday is None else weekday,
            day=1 if kind is ScheduleKind.MONTHLY and day is None else day,
            tz=tz,
        )
    except (ConfigurationError, ValueError, OverflowError) as exc:
        read.problem("invalid_schedule", str(exc).rstrip(".") + ".")
        return None


def read_instant(value: object, read: Reader, key: str) -> datetime | None:
    """An aware ``datetime``, or ISO 8601 text with an offset, or ``None``."""
    if value is None or (isinstance(value, datetime) and value.utcoffset() is not None):
        return value
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        read.problem("wrong_type", f"{key} must be a time with an offset (2024-01-01T00:00:00Z).")
        return None
    return parsed


def read_mapping(value: object, read: Reader) -> FieldMapping:
    """A list of pairs; a pair that does not read is left out, its problem on its row."""
    if value is None:
        read.problem("required", "Map at least the email field.", "mapping")
        return FieldMapping(())
    if not isinstance(value, list):
        read.problem("wrong_type", "mapping must be a list of pairs.", "mapping")
        return FieldMapping(())
    pairs = []
    for index, item in enumerate(value):
        row = Reader("mapping", index)
        pair = row.obj(item, f"mapping pair {index}")
        row.known(pair, {"source", "target", "create"}, f"mapping pair {index}")
        source = row.text(pair, "source")
        target = row.text(pair, "target", source)
        create = row.flag(pair, "create")
        if not row.problems and (source and target):
            pairs.append(FieldMap(source, target, create))
        elif not row.problems:
            row.problem("required", f"mapping pair {index} needs a source and a target field.")
        read.problems += row.problems
    return FieldMapping(tuple(pairs))


def read_criteria(value: object, read: Reader) -> Criteria:
    """Criteria text; every record when it does not read."""
    if not isinstance(value, str):
        read.problem("wrong_type", "criteria must be text.", "criteria")
        return Criteria.all()
    try:
        return Criteria.parse(value)
    except CriteriaSyntaxError as exc:
        read.problem("invalid_criteria", f"{exc.reason} at position {exc.position}.", "criteria")
    except (ValueError, RecursionError) as exc:
        read.problem("invalid_criteria", str(exc), "criteria")
    return Criteria.all()


_SPEC_KEYS = {"name", "list_key", "mapping", "criteria", "schedule", "options"}


def read_spec_data(data: Mapping[str, Any], read: Reader, *, name: str | None) -> SyncSpec:
    """A spec of everything but its options (left at their defaults: ``fieldsync.codec``
    reads them)."""
    read.known(data, _SPEC_KEYS if name is None else _SPEC_KEYS - {"name"}, "the spec")
    if name is None:
        name = read.text(data, "name", missing="Give the sync a name.")
    list_key = read.text(data, "list_key", missing="Choose the list the contacts go to.")
    mapping = read_mapping(data.get("mapping"), read)
    criteria = read_criteria(data.get("criteria", ""), read)
    schedule_read = Reader("schedule")
    schedule = read_schedule(
        schedule_read.obj(data.get("schedule", {"kind": "once"}), "schedule"), schedule_read
    )
    read.problems += schedule_read.problems
    return SyncSpec(name, list_key, mapping, criteria, schedule or Schedule.once())
