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
      "options": {"retrieve_since": null, ...one key per option}
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
from datetime import datetime
from typing import Any

import attrs

from fieldsync._codec_read import Reader, read_instant, read_schedule, read_spec_data
from fieldsync.domain.drift import VerifyReport
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.spec import SpecProblem, SyncSpec
from fieldsync.domain.sync import OnSourceChange, Sync, SyncConfig, SyncOptions, SyncRun
from fieldsync.exceptions import InvalidConfigurationError

__all__ = [
    "config_from_json",
    "config_to_json",
    "iso_time",
    "options_from_json",
    "options_to_json",
    "read_spec",
    "report_to_json",
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


def schedule_from_json(data: object) -> Schedule:
    """The schedule :func:`schedule_to_json` wrote (or a hand-written one).

    Raises:
        InvalidConfigurationError: the value is not a schedule; every problem named.
    """
    read = Reader("schedule")
    schedule = read_schedule(read.obj(data, "schedule"), read)
    if schedule is None:
        raise InvalidConfigurationError(read.problems)
    return schedule


# -- options -----------------------------------------------------------------------------------


def options_to_json(options: SyncOptions) -> dict[str, Any]:
    """A sync's options, one key each."""
    return {
        "update_empty_values": options.update_empty_values,
        "retrieve_since": iso_time(options.retrieve_since),
        "on_source_delete": options.on_source_delete.value,
        "on_email_change": options.on_email_change.value,
    }


def _read_options(data: Mapping[str, Any], read: Reader) -> SyncOptions:
    read.known(
        data,
        {"update_empty_values", "retrieve_since", "on_source_delete", "on_email_change"},
        "options",
    )
    return SyncOptions(
        update_empty_values=read.flag(data, "update_empty_values"),
        retrieve_since=read_instant(data.get("retrieve_since"), read, "retrieve_since"),
        on_source_delete=read.choice(data, "on_source_delete", OnSourceChange),
        on_email_change=read.choice(data, "on_email_change", OnSourceChange),
    )


def _with_options(spec: SyncSpec, data: Mapping[str, Any], read: Reader) -> SyncSpec:
    """``spec`` with the options of the spec JSON ``data`` (read here, beside
    :func:`options_to_json`: a new option is one line in each)."""
    options_read = Reader("options")
    options = _read_options(options_read.obj(data.get("options", {}), "options"), options_read)
    read.problems += options_read.problems
    return attrs.evolve(spec, options=options)


def options_from_json(data: object) -> SyncOptions:
    """The options :func:`options_to_json` wrote; a missing key keeps its default, and
    ``retrieve_since`` may also be an aware ``datetime`` (as TOML gives it).

    Raises:
        InvalidConfigurationError: a wrong type or an unknown key; every problem named.
    """
    read = Reader("options")
    options = _read_options(read.obj(data, "options"), read)
    if read.problems:
        raise InvalidConfigurationError(read.problems)
    return options


# -- specs and configuration versions ------------------------------------------------------------


def _mapping_to_json(mapping: FieldMapping) -> list[dict[str, Any]]:
    return [{"source": p.source, "target": p.target, "create": p.create} for p in mapping]


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


def read_spec(data: object) -> tuple[SyncSpec, list[SpecProblem]]:
    """What :func:`spec_from_json` reads, and its problems, without raising: each part
    that does not read is left at its default (no criteria, the ``once`` schedule, no
    pair), so that the rest can still be checked."""
    read = Reader()
    fields = read.obj(data, "the spec")
    spec = _with_options(read_spec_data(fields, read, name=None), fields, read)
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
    read = Reader()
    fields = {k: v for k, v in data.items() if k not in {"version", "created_at"}}
    spec = _with_options(read_spec_data(fields, read, name=""), fields, read)
    created = read_instant(data.get("created_at"), read, "created_at")
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
        "readded": run.counts.readded,
        "deleted": run.counts.deleted,
        "skipped_by_reason": {r.value: n for r, n in run.counts.skipped_by_reason.items()},
        "failed_by_reason": {r.value: n for r, n in run.counts.failed_by_reason.items()},
        "fields_created": list(run.fields_created),
        "resumed_from": run.resumed_from,
        "error": run.error,
    }


def report_to_json(report: VerifyReport) -> dict[str, Any]:
    """What ``SyncService.verify`` found, by kind (``"drift"``: whether the list differs
    from what the sync would make it; ``"repair"``: the repair's counts, or ``None``)."""
    repair = report.repair
    return {
        "sync_id": report.sync_id,
        "list_key": report.list_key,
        "checked_at": iso_time(report.checked_at),
        "drift": report.drift,
        "members": report.members,
        "records": report.records,
        "missing": list(report.missing),
        "differing": [
            {"key": d.key, "email": d.email, "fields": {n: list(v) for n, v in d.fields.items()}}
            for d in report.differing
        ],
        "not_ours": list(report.not_ours),
        "refused": {email: reason.value for email, reason in report.refused.items()},
        "cleared": list(report.cleared),
        "deleted": list(report.deleted),
        "replaced": list(report.replaced),
        "unreadable": list(report.unreadable),
        "note": report.note,
        "on_source_delete": report.options.on_source_delete.value,
        "on_email_change": report.options.on_email_change.value,
        "repair": None
        if repair is None
        else {
            "run_id": report.repair_run,
            "total": repair.total,
            "added": repair.added,
            "readded": repair.readded,
            "updated": repair.updated,
            "skipped": repair.skipped,
            "failed": repair.failed,
            "deleted": repair.deleted,
        },
    }
