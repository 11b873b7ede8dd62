"""The one JSON shape of a sync's spec, of its configuration versions, of a sync and of a
run: plain JSON values (dicts, lists, text, numbers, booleans, ``None``), times in ISO 8601.

The store keeps configuration versions in this shape, the console's JSON API reads and
writes it, the command's ``--json`` prints it and its TOML configuration is read through
it. A spec::

    {
      "name": "Active customers",
      "list_key": "3z1a...",
      "mapping": [{"source": "email", "target": "Contact Email", "create": false}],
      "criteria": "status == \\"active\\"",
      "schedule": {"kind": "daily", "interval": null, "at": "02:00:00", "weekday": null,
                   "day": null, "tz": "Asia/Kolkata"},
      "options": {"update_empty_values": false, "retrieve_since": null}
    }

Reading is strict: a wrong type, an unknown key or text that does not parse is refused with
every problem at once (:class:`~fieldsync.InvalidConfigurationError`, each problem a
:class:`~fieldsync.SpecProblem` naming its field). Reading is also forgiving where people
write by hand: only ``name``, ``list_key`` and ``mapping`` are required, a pair's ``target``
defaults to its ``source``, and an ``every`` schedule may say ``"hours": 6`` or ``"days": 1``
instead of ``"interval"`` in seconds. ``docs/service.md`` describes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from fieldsync.domain.criteria import Criteria
from fieldsync.domain.mapping import FieldMap, FieldMapping
from fieldsync.domain.schedule import Schedule, ScheduleKind
from fieldsync.domain.spec import SpecProblem, SyncSpec
from fieldsync.domain.sync import Sync, SyncConfig, SyncOptions, SyncRun
from fieldsync.exceptions import (
    ConfigurationError,
    CriteriaSyntaxError,
    InvalidConfigurationError,
)

__all__ = [
    "config_from_json",
    "config_to_json",
    "iso_time",
    "options_from_json",
    "options_to_json",
    "read_spec",
    "run_to_json",
    "schedule_from_json",
    "schedule_to_json",
    "spec_from_json",
    "spec_to_json",
    "sync_to_json",
]


def iso_time(value: datetime | None) -> str | None:
    """An aware time in ISO 8601, or ``None``."""
    return None if value is None else value.isoformat()


class _Reader:
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

    def number(self, data: Mapping[str, Any], key: str) -> int | None:
        value = data.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self.problem("wrong_type", f"{key} must be a whole number.")
        return None


# -- schedules ---------------------------------------------------------------------------------


def schedule_to_json(schedule: Schedule) -> dict[str, Any]:
    """A schedule: its kind and every field (``None`` where the kind takes none);
    ``interval`` in seconds."""
    interval = None if schedule.interval is None else schedule.interval.total_seconds()
    return {
        "kind": schedule.kind.value,
        # whole seconds stay integers so the JSON reads naturally ("interval": 3600)
        "interval": int(interval) if interval is not None and interval.is_integer() else interval,
        "at": None if schedule.at is None else schedule.at.isoformat(),
        "weekday": schedule.weekday,
        "day": schedule.day,
        "tz": schedule.tz,
    }


_SCHEDULE_KEYS = {"kind", "interval", "hours", "days", "at", "weekday", "day", "tz"}


def _schedule(data: Mapping[str, Any], read: _Reader) -> Schedule | None:
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


def schedule_from_json(data: object) -> Schedule:
    """The schedule :func:`schedule_to_json` wrote (or a hand-written one).

    Raises:
        InvalidConfigurationError: the value is not a schedule; every problem named.
    """
    read = _Reader("schedule")
    schedule = _schedule(read.obj(data, "schedule"), read)
    if schedule is None:
        raise InvalidConfigurationError(read.problems)
    return schedule


# -- options -----------------------------------------------------------------------------------


def options_to_json(options: SyncOptions) -> dict[str, Any]:
    """A sync's options, one key each."""
    return {
        "update_empty_values": options.update_empty_values,
        "retrieve_since": iso_time(options.retrieve_since),
    }


def _instant(value: object, read: _Reader, key: str) -> datetime | None:
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


def _options(data: Mapping[str, Any], read: _Reader) -> SyncOptions:
    read.known(data, {"update_empty_values", "retrieve_since"}, "options")
    return SyncOptions(
        update_empty_values=read.flag(data, "update_empty_values"),
        retrieve_since=_instant(data.get("retrieve_since"), read, "retrieve_since"),
    )


def options_from_json(data: object) -> SyncOptions:
    """The options :func:`options_to_json` wrote; a missing key keeps its default, and
    ``retrieve_since`` may also be an aware ``datetime`` (as TOML gives it).

    Raises:
        InvalidConfigurationError: a wrong type or an unknown key; every problem named.
    """
    read = _Reader("options")
    options = _options(read.obj(data, "options"), read)
    if read.problems:
        raise InvalidConfigurationError(read.problems)
    return options


# -- specs and configuration versions ------------------------------------------------------------


def _mapping_to_json(mapping: FieldMapping) -> list[dict[str, Any]]:
    return [{"source": p.source, "target": p.target, "create": p.create} for p in mapping]


def _mapping(value: object, read: _Reader) -> FieldMapping:
    if value is None:
        read.problem("required", "Map at least the email field.", "mapping")
        return FieldMapping(())
    if not isinstance(value, list):
        read.problem("wrong_type", "mapping must be a list of pairs.", "mapping")
        return FieldMapping(())
    pairs = []
    for index, item in enumerate(value):
        row = _Reader("mapping", index)
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


def _criteria(value: object, read: _Reader) -> Criteria:
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


def spec_to_json(spec: SyncSpec) -> dict[str, Any]:
    """A spec (see the module's docstring for its shape)."""
    return {
        "name": spec.name,
        "list_key": spec.list_key,
        "mapping": _mapping_to_json(spec.mapping),
        "criteria": spec.criteria.to_text(),
        "schedule": schedule_to_json(spec.schedule),
        "options": options_to_json(spec.options),
    }


_SPEC_KEYS = {"name", "list_key", "mapping", "criteria", "schedule", "options"}


def _spec(data: Mapping[str, Any], read: _Reader, *, name: str | None) -> SyncSpec:
    read.known(data, _SPEC_KEYS if name is None else _SPEC_KEYS - {"name"}, "the spec")
    if name is None:
        name = read.text(data, "name", missing="Give the sync a name.")
    list_key = read.text(data, "list_key", missing="Choose the list the contacts go to.")
    mapping = _mapping(data.get("mapping"), read)
    criteria = _criteria(data.get("criteria", ""), read)
    schedule_read = _Reader("schedule")
    schedule = _schedule(
        schedule_read.obj(data.get("schedule", {"kind": "once"}), "schedule"), schedule_read
    )
    options_read = _Reader("options")
    options = _options(options_read.obj(data.get("options", {}), "options"), options_read)
    read.problems += schedule_read.problems + options_read.problems
    return SyncSpec(name, list_key, mapping, criteria, schedule or Schedule.once(), options)


def read_spec(data: object) -> tuple[SyncSpec, list[SpecProblem]]:
    """What :func:`spec_from_json` reads, and its problems, without raising: each part
    that does not read is left at its default (no criteria, the ``once`` schedule, no
    pair), so that the rest can still be checked."""
    read = _Reader()
    spec = _spec(read.obj(data, "the spec"), read, name=None)
    return spec, read.problems


def spec_from_json(data: object) -> SyncSpec:
    """The spec :func:`spec_to_json` wrote, or one written by hand. Only the shape is
    checked here: the text rules and the live schemas are ``SyncService.check``'s.

    Raises:
        InvalidConfigurationError: a wrong type, an unknown or missing key, criteria or a
            schedule that do not parse; every problem at once, each naming its field.
    """
    spec, problems = read_spec(data)
    if problems:
        raise InvalidConfigurationError(problems)
    return spec


def config_to_json(config: SyncConfig) -> dict[str, Any]:
    """One configuration version: a spec without its name, with its version and time (the
    shape the stores keep)."""
    spec = spec_to_json(SyncSpec.of("", config))
    del spec["name"]
    return {"version": config.version, **spec, "created_at": iso_time(config.created_at)}


def config_from_json(data: Mapping[str, Any]) -> SyncConfig:
    """The configuration version :func:`config_to_json` wrote.

    Raises:
        InvalidConfigurationError: it is not one.
    """
    read = _Reader()
    spec = _spec(
        {k: v for k, v in data.items() if k not in {"version", "created_at"}}, read, name=""
    )
    created = _instant(data.get("created_at"), read, "created_at")
    version = data.get("version")
    if read.problems or not isinstance(version, int) or created is None:
        read.problem("wrong_type", "a configuration version needs a version and a created_at.")
        raise InvalidConfigurationError(read.problems)
    return spec.config(version=version, created_at=created)


# -- syncs and runs ----------------------------------------------------------------------------


def sync_to_json(sync: Sync) -> dict[str, Any]:
    """A sync: its identity, state, configuration in force and pending edit (each a
    :func:`config_to_json`), and its times."""
    return {
        "id": sync.id,
        "name": sync.name,
        "integration": sync.integration,
        "state": sync.state.value,
        "attention": sync.attention,
        "config": config_to_json(sync.config),
        "pending": None if sync.pending is None else config_to_json(sync.pending),
        "watermark": iso_time(sync.watermark),
        "next_run_at": iso_time(sync.next_run_at),
        "created_at": iso_time(sync.created_at),
        "updated_at": iso_time(sync.updated_at),
    }


def run_to_json(run: SyncRun) -> dict[str, Any]:
    """A run: its counts, skipped and failed split by reason."""
    return {
        "id": run.id,
        "sync_id": run.sync_id,
        "config_version": run.config_version,
        "trigger": run.trigger.value,
        "status": run.status.value,
        "started_at": iso_time(run.started_at),
        "finished_at": iso_time(run.finished_at),
        "total": run.total,
        "added": run.added,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "skipped": run.skipped,
        "failed": run.failed,
        "skipped_by_reason": {r.value: n for r, n in run.counts.skipped_by_reason.items()},
        "failed_by_reason": {r.value: n for r, n in run.counts.failed_by_reason.items()},
        "fields_created": list(run.fields_created),
        "resumed_from": run.resumed_from,
        "error": run.error,
    }
