"""The JSON shapes of the API, declared once: the validator reads request bodies with them
(:mod:`fieldsync.web._schema`) and the OpenAPI document shows them (``_openapi``)."""

from __future__ import annotations

from fieldsync import (
    FieldType,
    NotificationKind,
    OnSourceChange,
    ReasonCode,
    RunStatus,
    RunTrigger,
    ScheduleKind,
    SyncState,
)
from fieldsync.domain.spec import (
    MAX_CRITERIA_LENGTH,
    MAX_FIELD_NAME_LENGTH,
    MAX_LIST_KEY_LENGTH,
    MAX_NAME_LENGTH,
)
from fieldsync.web._api_bodies import BODIES, MAX_NAME, options_properties
from fieldsync.web._errors import CODES
from fieldsync.web._schema import (
    Schema,
    array,
    boolean,
    choice,
    integer,
    nullable,
    number,
    obj,
    ref,
    text,
)

__all__ = ["COMPONENTS", "REQUESTS"]


_TIME = text(64, format="date-time")


def _counts() -> Schema:
    return {"type": "object", "additionalProperties": integer(minimum=0)}


_PAIR = obj(
    {
        "source": text(MAX_FIELD_NAME_LENGTH),
        "target": text(MAX_FIELD_NAME_LENGTH),
        "create": boolean(),
    },
    required=("source", "target", "create"),
)
_SCHEDULE = obj(
    {
        "kind": choice(ScheduleKind),
        "interval": nullable(number()),
        "at": nullable(text(16)),
        "weekday": nullable(integer()),
        "day": nullable(integer()),
        "tz": text(64),
    },
    required=("kind", "interval", "at", "weekday", "day", "tz"),
)
_OPTIONS = obj(options_properties(), required=tuple(options_properties()))
_CONFIG_FIELDS: dict[str, Schema] = {
    "version": integer(),
    "list_key": text(MAX_LIST_KEY_LENGTH),
    "mapping": array(ref("FieldPair")),
    "criteria": text(MAX_CRITERIA_LENGTH, pattern=None),
    "schedule": ref("Schedule"),
    "options": ref("Options"),
    "created_at": _TIME,
}
_SYNC_FIELDS: dict[str, Schema] = {
    "id": text(64),
    "name": text(MAX_NAME_LENGTH),
    "integration": text(MAX_NAME),
    "state": choice(SyncState),
    "attention": nullable(text(10_000, pattern=None)),
    "config": ref("Config"),
    "pending": nullable(ref("Config")),
    "watermark": nullable(_TIME),
    "next_run_at": nullable(_TIME),
    "created_at": _TIME,
    "updated_at": _TIME,
}
_RUN_FIELDS: dict[str, Schema] = {
    "id": text(64),
    "sync_id": text(64),
    "config_version": integer(),
    "trigger": choice(RunTrigger),
    "status": choice(RunStatus),
    "started_at": _TIME,
    "finished_at": nullable(_TIME),
    **{count: integer(minimum=0) for count in ("total", "added", "updated", "unchanged")},
    **{count: integer(minimum=0) for count in ("skipped", "failed", "readded", "deleted")},
    "skipped_by_reason": _counts(),
    "failed_by_reason": _counts(),
    "fields_created": array(text(MAX_FIELD_NAME_LENGTH)),
    "resumed_from": nullable(text(64)),
    "error": nullable(text(100_000, pattern=None)),
}
_ADDRESS = text(320, pattern=None)
_REPAIR_FIELDS: dict[str, Schema] = {
    "run_id": nullable(text(64)),
    **{
        count: integer(minimum=0)
        for count in ("total", "added", "readded", "updated", "skipped", "failed", "deleted")
    },
}
_REPORT_FIELDS: dict[str, Schema] = {
    "sync_id": text(64),
    "list_key": text(MAX_NAME),
    "checked_at": _TIME,
    "drift": boolean(),
    "members": integer(minimum=0),
    "records": integer(minimum=0),
    "missing": array(text(1_000, pattern=None)),
    "differing": array(
        obj(
            {
                "key": text(1_000, pattern=None),
                "email": _ADDRESS,
                "fields": {
                    "type": "object",
                    "additionalProperties": array(nullable(text(100_000, pattern=None))),
                },
            },
            required=("key", "email", "fields"),
        )
    ),
    "not_ours": array(_ADDRESS),
    "refused": {"type": "object", "additionalProperties": choice(ReasonCode)},
    **{kind: array(_ADDRESS) for kind in ("cleared", "deleted", "replaced")},
    "unreadable": array(text(MAX_FIELD_NAME_LENGTH)),
    "note": nullable(text(10_000, pattern=None)),
    "on_source_delete": choice(OnSourceChange),
    "on_email_change": choice(OnSourceChange),
    "repair": nullable(obj(_REPAIR_FIELDS, required=tuple(_REPAIR_FIELDS))),
}
_JOB = obj(
    {
        "action": {"type": "string", "enum": ["initiate", "run"]},
        "done": boolean(),
        "run_id": nullable(text(64)),
        "error": nullable(text(100_000, pattern=None)),
    },
    required=("action", "done", "run_id", "error"),
)
_INTEGRATION_FIELDS: dict[str, Schema] = {
    "name": text(MAX_NAME),
    "registered": boolean(),
    "disabled_at": nullable(_TIME),
    "active_syncs": integer(minimum=0),
}
_PREVIEW_FIELDS: dict[str, Schema] = {
    "ready": {"const": True},
    "sync_id": text(64),
    "config_version": integer(),
    "ok": boolean(),
    "problems": array(
        obj({"code": text(), "message": text(10_000, pattern=None)}, required=("code", "message"))
    ),
    "fields_to_create": array(text(MAX_FIELD_NAME_LENGTH)),
    **{n: integer(minimum=0) for n in ("total", "would_add", "would_update", "unchanged")},
    "skipped": integer(minimum=0),
    "skipped_by_reason": _counts(),
    "route": {"type": "string", "enum": ["upsert", "bulk"]},
    "estimate": nullable(ref("Estimate")),
    "disclaimer": nullable(text(100_000, pattern=None)),
    "blocked": nullable(text(100_000, pattern=None)),
}
_ERROR = obj(
    {
        "error": obj(
            {
                "code": {"type": "string", "enum": list(CODES)},
                "message": text(100_000, pattern=None),
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                "problems": array(
                    obj(
                        {
                            "code": text(),
                            "message": text(100_000, pattern=None),
                            "field": nullable(text()),
                            "row": nullable(integer()),
                        },
                        required=("code", "message", "field", "row"),
                    )
                ),
                "rows": array(
                    obj(
                        {"row": integer(), "problems": array(text(100_000, pattern=None))},
                        required=("row", "problems"),
                    )
                ),
                "disclaimer": text(100_000, pattern=None),
            },
            required=("code", "message", "fields"),
        )
    },
    required=("error",),
)

COMPONENTS: dict[str, Schema] = {
    "Error": _ERROR,
    "FieldPair": _PAIR,
    "Schedule": _SCHEDULE,
    "Options": _OPTIONS,
    "Config": obj(_CONFIG_FIELDS, required=tuple(_CONFIG_FIELDS)),
    "Sync": obj(_SYNC_FIELDS, required=tuple(_SYNC_FIELDS)),
    "SyncDetail": obj(
        {
            **_SYNC_FIELDS,
            "history": array(ref("Run")),
            "config_versions": array(ref("Config")),
        },
        required=(*_SYNC_FIELDS, "history", "config_versions"),
    ),
    "Run": obj(_RUN_FIELDS, required=tuple(_RUN_FIELDS)),
    "Job": _JOB,
    "Started": obj({"job": ref("Job")}, required=("job",)),
    "Progress": obj(
        {
            "state": choice(SyncState),
            "running": boolean(),
            "run": nullable(ref("Run")),
            "estimate": nullable(ref("Estimate")),
            "job": nullable(ref("Job")),
        },
        required=("state", "running", "run", "estimate", "job"),
    ),
    "Estimate": obj(
        {
            "contacts": integer(minimum=0),
            "calls": integer(minimum=0),
            "seconds": number(),
            "text": text(1_000, pattern=None),
        },
        required=("contacts", "calls", "seconds", "text"),
    ),
    "Preview": obj(_PREVIEW_FIELDS, required=tuple(_PREVIEW_FIELDS)),
    "PreviewPending": obj(
        {"ready": {"const": False}, "config_version": integer()},
        required=("ready", "config_version"),
    ),
    "Integration": obj(_INTEGRATION_FIELDS, required=tuple(_INTEGRATION_FIELDS)),
    "IntegrationDetail": obj(
        {
            **_INTEGRATION_FIELDS,
            "credentials": array(text(1000, pattern=None)),
            "syncs": array(ref("Sync")),
        },
        required=(*_INTEGRATION_FIELDS, "syncs"),
    ),
    "AppSchema": obj(
        {
            "email_field": nullable(text(MAX_FIELD_NAME_LENGTH)),
            "fields": array(
                obj(
                    {
                        "name": text(MAX_FIELD_NAME_LENGTH, pattern=None),
                        "type": choice(FieldType),
                        "required": boolean(),
                        "custom": boolean(),
                    },
                    required=("name", "type", "required", "custom"),
                )
            ),
        },
        required=("email_field", "fields"),
    ),
    "Schemas": obj(
        {"source": ref("AppSchema"), "target": ref("AppSchema")}, required=("source", "target")
    ),
    "Impact": obj(
        {
            "integration": text(MAX_NAME),
            "confirmed": boolean(),
            "syncs": array(
                obj(
                    {"id": text(64), "name": text(MAX_NAME_LENGTH), "state": choice(SyncState)},
                    required=("id", "name", "state"),
                )
            ),
            "credentials": array(text(1000, pattern=None)),
            "revoke_errors": array(text(100_000, pattern=None)),
        },
        required=("integration", "confirmed", "syncs", "credentials", "revoke_errors"),
    ),
    "Notification": obj(
        {
            "id": text(64),
            "kind": choice(NotificationKind),
            "title": text(10_000, pattern=None),
            "summary": text(100_000, pattern=None),
            "created_at": _TIME,
            "sync_id": nullable(text(64)),
            "run_id": nullable(text(64)),
            "read": boolean(),
        },
        required=("id", "kind", "title", "summary", "created_at", "sync_id", "run_id", "read"),
    ),
    "Session": obj(
        {"csrf_token": text(200), "header": {"const": "X-CSRF-Token"}},
        required=("csrf_token", "header"),
    ),
    "Marked": obj({"marked": integer(minimum=0)}, required=("marked",)),
    "VerifyReport": obj(_REPORT_FIELDS, required=tuple(_REPORT_FIELDS)),
    **BODIES,
}
"""Every named shape (``components.schemas`` of the OpenAPI document)."""

REQUESTS = {name: ref(name) for name in COMPONENTS}
"""A reference to each named shape, for the endpoints' declarations."""
