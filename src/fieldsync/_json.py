"""Plain JSON values of what the service returns, shared by the command's ``--json`` output
and the console's JSON API, so that both say the same of a run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fieldsync.domain.sync import SyncRun

__all__ = ["iso_time", "run_json"]


def iso_time(value: datetime | None) -> str | None:
    """An aware time in ISO 8601, or ``None``."""
    return None if value is None else value.isoformat()


def run_json(run: SyncRun) -> dict[str, Any]:
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
