"""Output of the `fieldsync` command: tables for people, JSON for scripts, a progress bar."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TextIO

from fieldsync.domain.sync import Notification, Sync, SyncRun
from fieldsync.events import BatchCommitted, RunEvent
from fieldsync.notifiers import notification_payload

__all__ = [
    "Progress",
    "ProgressHook",
    "dump_json",
    "run_row",
    "run_to_json",
    "sync_to_json",
    "table",
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


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain text table with a header rule, columns as wide as their widest cell."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    return str(value)


def run_row(run: SyncRun) -> tuple[object, ...]:
    """A history table row: (run, started, status, total, added, ...)."""
    return (
        run.id[:8],
        run.started_at,
        run.status.value,
        run.total,
        run.added,
        run.updated,
        run.unchanged,
        run.skipped,
        run.failed,
    )


def run_to_json(run: SyncRun) -> dict[str, Any]:
    """A run as plain JSON values."""
    return {
        "id": run.id,
        "sync_id": run.sync_id,
        "config_version": run.config_version,
        "trigger": run.trigger.value,
        "status": run.status.value,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
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


def sync_to_json(sync: Sync) -> dict[str, Any]:
    """A sync's identity, state and configuration as plain JSON values."""
    config = sync.config
    return {
        "id": sync.id,
        "name": sync.name,
        "integration": sync.integration,
        "state": sync.state.value,
        "list_key": config.list_key,
        "config_version": config.version,
        "pending_version": sync.pending.version if sync.pending else None,
        "mapping": [
            {"source": p.source, "target": p.target, "create": p.create} for p in config.mapping
        ],
        "criteria": config.criteria.to_text(),
        "schedule": config.schedule.describe(),
        "update_empty_values": config.options.update_empty_values,
        "watermark": sync.watermark.isoformat() if sync.watermark else None,
        "next_run_at": sync.next_run_at.isoformat() if sync.next_run_at else None,
        "attention": sync.attention,
    }


def notification_to_json(notification: Notification) -> dict[str, Any]:
    """A notification as plain JSON values: the webhook payload, and whether it was read."""
    return {**notification_payload(notification), "read": notification.read}


def dump_json(value: object, out: TextIO | None = None) -> None:
    """One JSON document on stdout."""
    json.dump(value, out or sys.stdout, indent=2, ensure_ascii=False, default=str)
    (out or sys.stdout).write("\n")


class Progress:
    """A dependency-free progress line on stderr, redrawn in place on a terminal.

    Off a terminal it prints a line at most every ``every`` records, so logs stay short.
    """

    def __init__(
        self, label: str, *, total: int | None = None, out: TextIO | None = None, every: int = 1000
    ) -> None:
        self._label = label
        self._total = total
        self._out = out or sys.stderr
        self._tty = self._out.isatty()
        self._every = every
        self._last = 0

    def update(self, run: SyncRun) -> None:
        """Show a run's progress so far (called after each committed batch)."""
        done = run.total
        if not self._tty and done - self._last < self._every:
            return
        self._last = done
        text = (
            f"{self._label}: {done:,} records ({run.added:,} added, {run.updated:,} updated, "
            f"{run.unchanged:,} unchanged, {run.skipped:,} skipped, {run.failed:,} failed)"
        )
        if self._total:
            filled = min(30, round(30 * done / self._total))
            text = f"[{'#' * filled}{'.' * (30 - filled)}] {text}"
        self._out.write(("\r" + text) if self._tty else text + "\n")
        self._out.flush()

    def close(self) -> None:
        """End the progress line."""
        if self._tty:
            self._out.write("\n")
            self._out.flush()


class ProgressHook:
    """The service's ``on_event`` hook: feeds the progress bar shown at the moment."""

    def __init__(self) -> None:
        self.current: Progress | None = None

    def __call__(self, event: RunEvent) -> None:
        if self.current is not None and isinstance(event, BatchCommitted):
            self.current.update(event.run)
