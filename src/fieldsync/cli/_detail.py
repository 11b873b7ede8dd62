"""A sync as people read it: the list row, and the detail view (`syncs NAME`, after
`initiate`, `notifications --open N`, the demo)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fieldsync.cli._output import Output, Styled
from fieldsync.cli._render import HISTORY_COLUMNS, run_row
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import Sync, SyncRun
from fieldsync.service.views import SyncDetail

__all__ = [
    "MAPPING_COLUMNS",
    "SYNC_COLUMNS",
    "detail_text",
    "history_table",
    "mapping_table",
    "next_run",
    "sync_row",
    "syncs_table",
]

SYNC_COLUMNS = ("name", "integration", "state", "schedule", "next run", "last run")
MAPPING_COLUMNS = ("source field", "target field", "new field")


def next_run(sync: Sync) -> datetime | None:
    """When the schedule runs the sync next; none unless it is active (a paused sync does
    not run, whatever its stored due time says)."""
    return sync.next_run_at if sync.state is SyncState.ACTIVE else None


def sync_row(sync: Sync, last: SyncRun | None, out: Output) -> tuple[object, ...]:
    """A row of the syncs list."""
    return (
        Styled(sync.name, "bold"),
        sync.integration,
        out.status(sync.state.value),
        sync.config.schedule.describe(),
        out.time(next_run(sync)),
        out.status(last.status.value) if last else None,
    )


def syncs_table(rows: Sequence[Sequence[object]], out: Output) -> str:
    """The syncs list: the schedule, then the integration, cut with an ellipsis when the
    list is too wide, nothing else (a name is what commands take); each sync a record of
    its own when even that does not fit."""
    return out.table(SYNC_COLUMNS, rows, shrink=(3, 1), keep=(0, 2, 4, 5))


def history_table(runs: Sequence[SyncRun], out: Output) -> str:
    """A sync's runs: nothing cut (run ids, start times and counts are copied and read
    whole); each run a record of its own when the table does not fit."""
    columns = range(len(HISTORY_COLUMNS))
    return out.table(HISTORY_COLUMNS, [run_row(r, out) for r in runs], keep=columns, lead=3)


def mapping_table(mapping: FieldMapping, out: Output) -> str:
    """The field mapping: field names whole; a record per pair when it does not fit."""
    return out.table(MAPPING_COLUMNS, mapping_rows(mapping), keep=(0, 1, 2), lead=2)


def mapping_rows(mapping: FieldMapping) -> list[tuple[str, str, str]]:
    """The field mapping, one row per pair."""
    return [(p.source, p.target, "yes" if p.create else "") for p in mapping]


def detail_text(detail: SyncDetail, out: Output, *, history: bool = True) -> str:
    """The whole detail of a sync: configuration, field mapping, and (``history``) runs."""
    sync, config = detail.sync, detail.config
    version = f"{config.version}"
    if detail.pending is not None:
        version += f" (version {detail.pending.version} saved, applied by the next initiate)"
    state = out.status(sync.state.value)
    pairs: list[tuple[str, object]] = [
        ("integration", sync.integration),
        ("state", state),
    ]
    if sync.attention:
        pairs.append(("attention", Styled(sync.attention, "red")))
    pairs += [
        ("list", config.list_key),
        ("version", version),
        ("criteria", detail.criteria or "(all records)"),
        ("schedule", detail.schedule),
        ("next run", out.time(next_run(sync))),
        ("changes since", out.time(sync.watermark) if sync.watermark else "(the first run)"),
        *((label.lower(), value) for label, value in config.options.described()),
        ("id", sync.id),
    ]
    lines = [out.heading(sync.name), out.fields(pairs), "", out.heading("Field mapping")]
    lines.append(mapping_table(config.mapping, out))
    if history:
        lines += ["", out.heading("History")]
        lines.append(history_table(detail.history, out) if detail.history else "no runs yet")
    return "\n".join(lines)
