"""The JSON shapes of the console's API: plain values, times in ISO 8601, no secrets. A sync,
its configuration versions and its runs are :mod:`fieldsync.codec`'s shapes."""

from __future__ import annotations

from typing import Any

from fieldsync import (
    DisableImpact,
    IntegrationStatus,
    Notification,
    Preview,
    RunEstimate,
    Schema,
    SyncDetail,
)
from fieldsync.codec import config_to_json as config_json
from fieldsync.codec import iso_time
from fieldsync.codec import run_to_json as run_json
from fieldsync.codec import sync_to_json as sync_json
from fieldsync.web._jobs import Job

__all__ = [
    "config_json",
    "detail_json",
    "estimate_json",
    "impact_json",
    "integration_json",
    "job_json",
    "notification_json",
    "preview_json",
    "run_json",
    "schema_json",
    "sync_json",
]


def integration_json(status: IntegrationStatus, *, active_syncs: int) -> dict[str, Any]:
    """An integration on the Sync Services screen."""
    return {
        "name": status.name,
        "registered": status.registered,
        "disabled_at": iso_time(status.disabled_at),
        "active_syncs": active_syncs,
    }


def schema_json(schema: Schema) -> dict[str, Any]:
    """A schema's fields and its email field."""
    return {
        "email_field": schema.email_field,
        "fields": [
            {"name": f.name, "type": f.type.value, "required": f.required, "custom": f.custom}
            for f in schema
        ],
    }


def detail_json(detail: SyncDetail) -> dict[str, Any]:
    """A sync's detail: the sync, its history and every configuration version."""
    return {
        **sync_json(detail.sync),
        "history": [run_json(r) for r in detail.history],
        "config_versions": [config_json(c) for c in detail.config_versions],
    }


def preview_json(preview: Preview, *, disclaimer: str | None) -> dict[str, Any]:
    """What the next run would do (how it writes, and how long that takes at the target's
    rate limits), and the disclaimer initiating needs, if any."""
    estimate = preview.estimate
    return {
        "sync_id": preview.sync_id,
        "config_version": preview.config_version,
        "ok": preview.ok,
        "problems": [{"code": p.code, "message": p.message} for p in preview.problems],
        "fields_to_create": [f.name for f in preview.fields_to_create],
        "total": preview.total,
        "would_add": preview.would_add,
        "would_update": preview.would_update,
        "unchanged": preview.unchanged,
        "skipped": preview.skipped,
        "skipped_by_reason": {r.value: n for r, n in preview.skipped_by_reason.items()},
        "route": preview.route,
        "estimate": None if estimate is None else estimate_json(estimate),
        "disclaimer": disclaimer,
    }


def estimate_json(estimate: RunEstimate) -> dict[str, Any]:
    """How long the writes take at the target's rate limits, and the sentence saying so."""
    return {
        "contacts": estimate.contacts,
        "calls": estimate.calls,
        "seconds": estimate.seconds,
        "text": str(estimate),
    }


def job_json(job: Job | None) -> dict[str, Any] | None:
    """The console's last background job for a sync."""
    if job is None:
        return None
    return {"action": job.action, "done": job.done, "run_id": job.run_id, "error": job.error}


def notification_json(note: Notification) -> dict[str, Any]:
    """A notification of the inbox."""
    return {
        "id": note.id,
        "kind": note.kind.value,
        "title": note.title,
        "summary": note.summary,
        "created_at": iso_time(note.created_at),
        "sync_id": note.sync_id,
        "run_id": note.run_id,
        "read": note.read,
    }


def impact_json(impact: DisableImpact) -> dict[str, Any]:
    """What disabling an integration does (or did)."""
    return {
        "integration": impact.integration,
        "confirmed": impact.confirmed,
        "syncs": [{"id": s.id, "name": s.name, "state": s.state.value} for s in impact.syncs],
        "credentials": list(impact.credentials),
        "revoke_errors": list(impact.revoke_errors),
    }
