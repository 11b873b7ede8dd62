"""What the `fieldsync` command shows of syncs, runs and notifications: rows of the tables
people read (``_output.Output`` draws them), and plain JSON values for scripts (a sync and a
run in :mod:`fieldsync.codec`'s shapes)."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from fieldsync.cli._output import Output
from fieldsync.domain.sync import Notification, SyncRun
from fieldsync.notifiers import notification_payload

__all__ = [
    "HISTORY_COLUMNS",
    "dump_json",
    "notification_to_json",
    "run_row",
]

HISTORY_COLUMNS = (
    "run",
    "started",
    "status",
    "total",
    "added",
    "updated",
    "unchanged",
    "skipped",
    "failed",
)


def run_row(run: SyncRun, out: Output) -> tuple[object, ...]:
    """A history table row: (run, started, status, total, added, ...)."""
    return (
        run.id[:8],
        out.time(run.started_at),
        out.status(run.status.value),
        run.total,
        run.added,
        run.updated,
        run.unchanged,
        run.skipped,
        run.failed,
    )


def notification_to_json(notification: Notification) -> dict[str, Any]:
    """A notification as plain JSON values: the webhook payload, and whether it was read."""
    return {**notification_payload(notification), "read": notification.read}


def dump_json(value: object, out: TextIO | None = None) -> None:
    """One JSON document on stdout."""
    json.dump(value, out or sys.stdout, indent=2, ensure_ascii=False, default=str)
    (out or sys.stdout).write("\n")
