"""The create/edit form of a sync: read from a submitted form into a spec (through
:mod:`fieldsync.codec`), with the rows kept as typed for showing again, and the problems
``SyncService.check`` finds put beside their row or field. The form checks nothing itself
beyond reading what was typed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import attrs

from fieldsync import SpecProblem, Sync, SyncOptions, SyncSpec, codec
from fieldsync.exceptions import Problem

__all__ = ["MAX_ROWS", "SCHEDULE_KINDS", "WEEKDAYS", "Row", "SyncForm", "unread_first"]

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


def _text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    return value.strip() if isinstance(value, str) else default


def _count(text: str) -> int | None:
    """A whole number typed in a box, or ``None`` (``int()`` takes "²" and 5,000 digits
    badly)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def unread_first(read: list[SpecProblem], checked: Sequence[SpecProblem]) -> list[SpecProblem]:
    """The problems of reading a spec, then those the service's check found in the parts
    that did read (a part left at its default has nothing to say)."""
    unread = {problem.field for problem in read}
    return [*read, *(p for p in checked if p.field not in unread)]


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
    options: dict[str, Any] = attrs.field(factory=lambda: codec.options_to_json(SyncOptions()))
    errors: dict[str, str] = attrs.field(factory=dict)
    # the row of each pair of the last spec read (blank rows make no pair)
    pair_rows: list[int] = attrs.field(factory=list, repr=False)

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
            options=codec.options_to_json(config.options),
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
    def of_form(cls, data: Mapping[str, Any], *, base: SyncOptions | None = None) -> SyncForm:
        """The form as submitted (``rows-N-source``, ``rows-N-target``, ``rows-N-create``);
        the options it has no box for keep their ``base`` values."""
        count = min(_count(_text(data, "row_count", "0")) or 0, MAX_ROWS)
        rows = [
            Row(
                _text(data, f"rows-{i}-source"),
                _text(data, f"rows-{i}-target"),
                data.get(f"rows-{i}-create") is not None,
            )
            for i in range(max(count, 1))
        ]
        options = codec.options_to_json(base or SyncOptions())
        for name, _, _ in SyncOptions.switches():
            options[name] = data.get(name) not in (None, False, "")
        for name, _, _, _ in SyncOptions.choices():
            if name in data:
                options[name] = _text(data, name)  # the codec refuses a value not offered
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
            options=options,
        )

    # -- editing the rows without JavaScript ------------------------------------------------

    def map_more(self) -> None:
        """Add an empty row ("Map more fields")."""
        if len(self.rows) < MAX_ROWS:
            self.rows.append(Row())

    def remove(self, index: int) -> None:
        """Remove a row (never the email row)."""
        if 0 < index < len(self.rows):
            del self.rows[index]

    def press(self, action: str) -> bool:
        """Apply a button that edits the rows (``more``, ``remove-N``); whether it was one."""
        if action == "more":
            self.map_more()
            return True
        if action.startswith("remove-"):
            self.remove(_count(action.removeprefix("remove-")) or 0)
            return True
        return False

    # -- reading and showing problems -------------------------------------------------------

    @property
    def problems(self) -> int:
        """How many problems are shown."""
        return len(self.errors) + sum(len(row.problems) for row in self.rows)

    def read(self, *, email_field: str | None) -> tuple[SyncSpec, list[SpecProblem]]:
        """The spec the form says, and what could not be read in it (a part that does
        not read is left out or at its default; see :func:`fieldsync.codec.read_spec`).
        What could not be read of a row is shown beside it (a row without a source, say).
        ``email_field``: the target's email field, the email row's target."""
        self.errors.clear()
        for row in self.rows:
            row.problems.clear()
        if email_field is not None:
            self.rows[0].target = email_field
        if not self.rows[0].source:
            self.rows[0].problems.append("Choose the source field that holds the email (required).")
        self.pair_rows.clear()
        pairs = []
        for index, row in enumerate(self.rows):
            if row.blank or (index == 0 and not row.source):
                continue
            if not row.source:
                row.problems.append("Choose a source field.")
            elif not row.target and not row.create:
                row.problems.append("Choose a target field, or tick New Field to create one.")
            else:
                target = row.target or row.source
                pairs.append({"source": row.source, "target": target, "create": row.create})
                self.pair_rows.append(index)
        data = {
            "name": self.name,
            "list_key": self.list_key,
            "mapping": pairs,
            "criteria": self.criteria,
            "schedule": self._schedule(),
            "options": self.options,
        }
        return codec.read_spec(data)

    def show(self, problems: Sequence[Problem]) -> None:
        """Put each problem beside its mapping row or its field (a mapping problem of no
        one pair beside the email row)."""
        rows = self.pair_rows
        for problem in problems:
            field = problem.field if isinstance(problem, SpecProblem) else None
            row = problem.row if isinstance(problem, SpecProblem) else None
            if field == "mapping" or field is None:
                where = self.rows[rows[row] if row is not None and row < len(rows) else 0]
                if problem.message not in where.problems:
                    where.problems.append(problem.message)
            else:
                key = "schedule" if field == "options" else field
                self.errors[key] = (
                    f"{self.errors[key]} {problem.message}".strip()
                    if key in self.errors
                    else problem.message
                )

    def _schedule(self) -> dict[str, Any]:
        kind = self.schedule
        if kind == "every":
            return {
                "kind": kind,
                self.every_unit if self.every_unit == "days" else "hours": self._number(self.every),
            }
        schedule: dict[str, Any] = {"kind": kind, "at": self.at, "tz": self.tz}
        if kind == "weekly":
            schedule["weekday"] = self._number(self.weekday)
        if kind == "monthly":
            schedule["day"] = self._number(self.day)
        return schedule if kind != "once" else {"kind": kind}

    def _number(self, text: str) -> int | str:
        # text that is no whole number reaches the codec as text: its problem names it
        number = _count(text)
        return text if number is None else number
