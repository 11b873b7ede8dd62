"""The create/edit form of a sync: read from a submitted form (or a JSON body), checked
against the live schemas with every problem kept beside its row, and turned into values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import attrs

from fieldsync import (
    ConfigurationError,
    Criteria,
    CriteriaSyntaxError,
    FieldMap,
    FieldMapping,
    Schedule,
    Schema,
    Sync,
    SyncOptions,
)

__all__ = ["SCHEDULE_KINDS", "WEEKDAYS", "Row", "SyncForm", "SyncValues"]

SCHEDULE_KINDS = (
    ("once", "Only when initiated"),
    ("every", "Every few hours or days"),
    ("daily", "Daily"),
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_ROWS = 200


@attrs.define
class Row:
    """One row of the mapping step: a source field, a target field, the New Field box."""

    source: str = ""
    target: str = ""
    create: bool = False
    problems: list[str] = attrs.field(factory=list)

    @property
    def blank(self) -> bool:
        """A row left empty (ignored, except the email row)."""
        return not self.source.strip() and not self.target.strip()


@attrs.frozen
class SyncValues:
    """What a valid form makes: the arguments of ``create_sync`` and ``edit``."""

    name: str
    list_key: str
    mapping: FieldMapping
    criteria: Criteria
    schedule: Schedule
    options: SyncOptions


def _text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    return value.strip() if isinstance(value, str) else default


@attrs.define
class SyncForm:
    """The fields of the form as typed, the problems found, and the rows of the mapping.
    Row 0 is the email row: its target is the target's email field, and it is required."""

    name: str = ""
    list_key: str = ""
    rows: list[Row] = attrs.field(factory=lambda: [Row(), Row()])
    criteria: str = ""
    schedule: str = "once"
    every: str = "6"
    every_unit: str = "hours"
    at: str = "02:00"
    weekday: str = "0"
    day: str = "1"
    tz: str = "UTC"
    update_empty_values: bool = False
    errors: dict[str, str] = attrs.field(factory=dict)

    @classmethod
    def blank(cls, *, email_field: str | None, source_email: str | None) -> SyncForm:
        """A new sync's form, with the email row filled in where the schemas allow."""
        return cls(rows=[Row(source_email or "", email_field or ""), Row()])

    @classmethod
    def of_sync(cls, sync: Sync, *, email_field: str | None) -> SyncForm:
        """The form of an existing sync: its latest configuration (a pending edit, if any)."""
        config = sync.pending or sync.config
        rows = [Row(p.source, p.target, p.create) for p in config.mapping]
        rows.sort(key=lambda row: row.target != email_field)  # the email row first
        form = cls(
            name=sync.name,
            list_key=config.list_key,
            rows=[*rows, Row()],
            criteria=config.criteria.to_text(),
            update_empty_values=config.options.update_empty_values,
        )
        schedule = config.schedule
        form.schedule = schedule.kind.value
        form.tz = schedule.tz
        if schedule.interval is not None:
            hours = schedule.interval // timedelta(hours=1)
            days, odd = divmod(hours, 24)
            form.every, form.every_unit = (str(days), "days") if not odd else (str(hours), "hours")
        if schedule.at is not None:
            form.at = schedule.at.strftime("%H:%M")
        if schedule.weekday is not None:
            form.weekday = str(schedule.weekday)
        if schedule.day is not None:
            form.day = str(schedule.day)
        return form

    @classmethod
    def of_form(cls, data: Mapping[str, Any]) -> SyncForm:
        """The form as submitted (``rows-N-source``, ``rows-N-target``, ``rows-N-create``)."""
        try:
            count = min(int(_text(data, "row_count", "0")), MAX_ROWS)
        except ValueError:
            count = 0
        rows = [
            Row(
                _text(data, f"rows-{i}-source"),
                _text(data, f"rows-{i}-target"),
                data.get(f"rows-{i}-create") is not None,
            )
            for i in range(max(count, 1))
        ]
        return cls(
            name=_text(data, "name"),
            list_key=_text(data, "list_key"),
            rows=rows,
            criteria=_text(data, "criteria"),
            schedule=_text(data, "schedule", "once"),
            every=_text(data, "every", "6"),
            every_unit=_text(data, "every_unit", "hours"),
            at=_text(data, "at", "02:00"),
            weekday=_text(data, "weekday", "0"),
            day=_text(data, "day", "1"),
            tz=_text(data, "tz", "UTC") or "UTC",
            update_empty_values=data.get("update_empty_values") not in (None, False, ""),
        )

    @classmethod
    def of_json(cls, data: Mapping[str, Any]) -> SyncForm:
        """The form of a JSON API body (see the console docs for its shape).

        Raises:
            ConfigurationError: ``mapping`` or ``schedule`` is not shaped as documented.
        """
        mapping = data.get("mapping", [])
        if not isinstance(mapping, list) or not all(isinstance(p, dict) for p in mapping):
            raise ConfigurationError(
                'mapping must be a list of {"source": ..., "target": ..., "create": ...}'
            )
        schedule = data.get("schedule", {"kind": "once"})
        if not isinstance(schedule, dict):
            raise ConfigurationError('schedule must be an object such as {"kind": "once"}')
        every_unit = "days" if "days" in schedule else "hours"
        flat = {
            "name": data.get("name"),
            "list_key": data.get("list_key"),
            "criteria": data.get("criteria", ""),
            "schedule": schedule.get("kind", "once"),
            "every": str(schedule.get(every_unit, "")),
            "every_unit": every_unit,
            "at": schedule.get("at", "00:00"),
            "weekday": str(schedule.get("weekday", "0")),
            "day": str(schedule.get("day", "1")),
            "tz": schedule.get("tz", "UTC"),
            "update_empty_values": True if data.get("update_empty_values") else None,
            "row_count": str(len(mapping)),
        }
        for i, pair in enumerate(mapping):
            flat[f"rows-{i}-source"] = pair.get("source")
            flat[f"rows-{i}-target"] = pair.get("target")
            flat[f"rows-{i}-create"] = True if pair.get("create") else None
        form = cls.of_form(flat)
        form.rows = [row for row in form.rows if not row.blank] or [Row()]
        return form

    # -- editing the rows without JavaScript ------------------------------------------------

    def map_more(self) -> None:
        """Add an empty row ("Map more fields")."""
        if len(self.rows) < MAX_ROWS:
            self.rows.append(Row())

    def remove(self, index: int) -> None:
        """Remove a row (never the email row)."""
        if 0 < index < len(self.rows):
            del self.rows[index]

    # -- checking ------------------------------------------------------------------------

    @property
    def problems(self) -> int:
        """How many problems the last :meth:`check` found."""
        return len(self.errors) + sum(len(row.problems) for row in self.rows)

    def check(
        self, source: Schema, target: Schema, *, base: SyncOptions | None = None
    ) -> SyncValues | None:
        """Check everything against the live schemas; every problem goes beside its row
        or field. Returns the values when there is none."""
        self.errors.clear()
        for row in self.rows:
            row.problems.clear()
        if not self.name:
            self.errors["name"] = "Give the sync a name."
        if not self.list_key:
            self.errors["list_key"] = "Choose the mailing list the contacts go to."
        mapping = self._mapping(source, target)
        criteria = self._criteria(source)
        schedule = self._schedule()
        if self.problems or mapping is None or criteria is None or schedule is None:
            return None
        options = attrs.evolve(base or SyncOptions(), update_empty_values=self.update_empty_values)
        return SyncValues(self.name, self.list_key, mapping, criteria, schedule, options)

    def _mapping(self, source: Schema, target: Schema) -> FieldMapping | None:
        email = self.rows[0]
        if target.email_field is not None:
            email.target = target.email_field
        if not email.source:
            email.problems.append("Choose the source field that holds the email (required).")
        pairs: list[tuple[int, FieldMap]] = []
        for index, row in enumerate(self.rows):
            if row.blank:
                continue
            if not row.source:
                row.problems.append("Choose a source field.")
                continue
            if not row.target and not row.create:
                row.problems.append("Choose a target field, or tick New Field to create one.")
                continue
            pairs.append((index, FieldMap(row.source, row.target or row.source, row.create)))
        mapping = FieldMapping.of(*(pair for _, pair in pairs))
        for problem in mapping.plan(source, target).problems:
            where = next((i for i, pair in pairs if pair == problem.pair), 0)
            if problem.message not in self.rows[where].problems:
                self.rows[where].problems.append(problem.message)
        return mapping

    def _criteria(self, source: Schema) -> Criteria | None:
        try:
            criteria = Criteria.parse(self.criteria)
        except CriteriaSyntaxError as exc:
            self.errors["criteria"] = f"{exc.reason} at position {exc.position}."
            return None
        problems = criteria.validate(source)
        if problems:
            self.errors["criteria"] = " ".join(p.message for p in problems)
            return None
        return criteria

    def _schedule(self) -> Schedule | None:
        try:
            return self._make_schedule()
        except (ConfigurationError, ValueError) as exc:
            self.errors["schedule"] = str(exc).rstrip(".") + "."
            return None

    def _make_schedule(self) -> Schedule:
        kind = self.schedule
        if kind == "once":
            return Schedule.once()
        if kind == "every":
            count = int(self.every)
            return Schedule.every(**{"days" if self.every_unit == "days" else "hours": count})
        if kind == "daily":
            return Schedule.daily(self.at, tz=self.tz)
        if kind == "weekly":
            return Schedule.weekly(int(self.weekday), self.at, tz=self.tz)
        if kind == "monthly":
            return Schedule.monthly(int(self.day), self.at, tz=self.tz)
        raise ValueError(f"unknown schedule {kind!r}; choose one of the list")
