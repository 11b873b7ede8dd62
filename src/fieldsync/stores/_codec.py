"""Turn fieldsync's values into database columns and JSON text, and back.

The SQLite store uses it as it is, the PostgreSQL store through ``_pg_ops``. Datetimes are stored as
ISO 8601 text in UTC with microseconds always written, so that text order is time order;
they come back time-zone aware. Criteria are stored as their text form (``to_text``) and
read back with ``Criteria.parse``, which round-trips by contract.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from fieldsync import codec
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import Checkpoint, StoredFingerprint
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import (
    Notification,
    NotificationKind,
    RunCounts,
    RunStatus,
    RunTrigger,
    SkippedRecord,
    Sync,
    SyncConfig,
    SyncRun,
)
from fieldsync.exceptions import InvalidConfigurationError, StoreError

__all__ = [
    "checkpoint_from_row",
    "checkpoint_to_row",
    "config_from_json",
    "consent_values",
    "fingerprint_columns",
    "config_to_json",
    "dt_from_text",
    "dt_to_text",
    "notification_from_row",
    "notification_to_row",
    "opt_dt_from_text",
    "opt_dt_to_text",
    "run_from_row",
    "run_to_row",
    "skipped_from_row",
    "skipped_to_row",
    "sync_from_row",
    "sync_to_row",
]


class Row(Protocol):
    """A database row read by column name: a ``sqlite3.Row``, or a dictionary."""

    def __getitem__(self, key: str, /) -> Any: ...


# -- datetimes -------------------------------------------------------------------------------


def dt_to_text(value: datetime) -> str:
    """``value`` as ISO 8601 text in UTC. Raises ``ValueError`` for a naive datetime."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"fieldsync stores only time-zone aware datetimes, got {value!r}")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def dt_from_text(text: str) -> datetime:
    """The aware datetime that :func:`dt_to_text` wrote."""
    return datetime.fromisoformat(text).astimezone(UTC)


def opt_dt_to_text(value: datetime | None) -> str | None:
    """:func:`dt_to_text`, letting ``None`` through."""
    return None if value is None else dt_to_text(value)


def opt_dt_from_text(text: str | None) -> datetime | None:
    """:func:`dt_from_text`, letting ``None`` through."""
    return None if text is None else dt_from_text(text)


# -- configuration ---------------------------------------------------------------------------


def config_to_json(config: SyncConfig) -> str:
    """One configuration version as JSON text: :func:`fieldsync.codec.config_to_json`,
    its times in the store's form."""
    data = codec.config_to_json(config)
    data["created_at"] = dt_to_text(config.created_at)
    data["options"]["retrieve_since"] = opt_dt_to_text(config.options.retrieve_since)
    return json.dumps(data)


@functools.lru_cache(maxsize=1024)
def config_from_json(text: str) -> SyncConfig:
    """The configuration version :func:`config_to_json` wrote (this shape since 0.1).

    Kept by text: a worker reads its syncs again before every batch, and a configuration
    (frozen, like everything in it) is the same value every time its text is."""
    try:
        return codec.config_from_json(json.loads(text))
    except InvalidConfigurationError as exc:
        raise StoreError(f"a stored configuration cannot be read: {exc}") from None


# -- syncs -----------------------------------------------------------------------------------


def sync_to_row(sync: Sync) -> dict[str, object]:
    """The ``syncs`` columns of a sync (its configurations go to ``sync_configs``)."""
    return {
        "id": sync.id,
        "name": sync.name,
        "integration": sync.integration,
        "state": sync.state.value,
        "config_version": sync.config.version,
        "pending_version": None if sync.pending is None else sync.pending.version,
        "created_at": dt_to_text(sync.created_at),
        "updated_at": dt_to_text(sync.updated_at),
        "watermark": opt_dt_to_text(sync.watermark),
        "next_run_at": opt_dt_to_text(sync.next_run_at),
        "attention": sync.attention,
    }


def sync_from_row(row: Row) -> Sync:
    """A sync from a ``syncs`` row joined with its configurations as ``config_json`` and
    ``pending_json``."""
    pending = row["pending_json"]
    return Sync(
        id=row["id"],
        name=row["name"],
        integration=row["integration"],
        state=SyncState(row["state"]),
        config=config_from_json(row["config_json"]),
        created_at=dt_from_text(row["created_at"]),
        updated_at=dt_from_text(row["updated_at"]),
        pending=None if pending is None else config_from_json(pending),
        watermark=opt_dt_from_text(row["watermark"]),
        next_run_at=opt_dt_from_text(row["next_run_at"]),
        attention=row["attention"],
    )


# -- runs ------------------------------------------------------------------------------------


def _reasons_to_dict(counts: Mapping[ReasonCode, int]) -> dict[str, int]:
    return {reason.value: n for reason, n in counts.items()}


def _reasons_from_dict(data: Mapping[str, int]) -> dict[ReasonCode, int]:
    return {ReasonCode(code): n for code, n in data.items()}


def run_to_row(run: SyncRun) -> dict[str, object]:
    """The ``runs`` columns of a run. The totals are stored too, for people querying the
    file with SQL; the reason counts are the source of truth for skipped and failed."""
    counts = run.counts
    return {
        "id": run.id,
        "sync_id": run.sync_id,
        "config_version": run.config_version,
        "triggered_by": run.trigger.value,
        "started_at": dt_to_text(run.started_at),
        "status": run.status.value,
        "finished_at": opt_dt_to_text(run.finished_at),
        "total": counts.total,
        "added": counts.added,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "skipped": counts.skipped,
        "failed": counts.failed,
        "reasons": json.dumps(
            {
                "skipped": _reasons_to_dict(counts.skipped_by_reason),
                "failed": _reasons_to_dict(counts.failed_by_reason),
                # sub-counts of a repair (issue 20): kept in this JSON column, no new schema
                "readded": counts.readded,
                "deleted": counts.deleted,
            }
        ),
        "fields_created": json.dumps(list(run.fields_created)),
        "resumed_from": run.resumed_from,
        "error": run.error,
    }


def run_from_row(row: Row) -> SyncRun:
    """The run :func:`run_to_row` wrote."""
    reasons = json.loads(row["reasons"])
    return SyncRun(
        id=row["id"],
        sync_id=row["sync_id"],
        config_version=row["config_version"],
        trigger=RunTrigger(row["triggered_by"]),
        started_at=dt_from_text(row["started_at"]),
        status=RunStatus(row["status"]),
        finished_at=opt_dt_from_text(row["finished_at"]),
        counts=RunCounts(
            added=row["added"],
            updated=row["updated"],
            unchanged=row["unchanged"],
            skipped_by_reason=_reasons_from_dict(reasons["skipped"]),
            failed_by_reason=_reasons_from_dict(reasons["failed"]),
            readded=reasons.get("readded", 0),
            deleted=reasons.get("deleted", 0),
        ),
        fields_created=tuple(json.loads(row["fields_created"])),
        resumed_from=row["resumed_from"],
        error=row["error"],
    )


# -- skipped records, checkpoints, notifications ---------------------------------------------


# sqlite3 binds text as strict UTF-8, and a Python str may hold a lone surrogate (JSON's
# "\ud800" decodes to one). Such a key is stored under a tag, reversibly; no real key starts
# with a NUL.
_ESCAPED_KEY = "\x00utf8:"


def key_in(key: str) -> str:
    """A record key as the database can hold it (most keys are stored as they are)."""
    if key.isascii():
        return key
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return _ESCAPED_KEY + key.encode("utf-8", "surrogatepass").hex()
    return key


def key_out(text: str) -> str:
    """The record key :func:`key_in` stored."""
    if text.startswith(_ESCAPED_KEY):
        return bytes.fromhex(text[len(_ESCAPED_KEY) :]).decode("utf-8", "surrogatepass")
    return text


def skipped_to_row(record: SkippedRecord) -> dict[str, object]:
    """The ``skipped_records`` columns of a skipped or failed record."""
    return {
        "run_id": record.run_id,
        "record_key": key_in(record.key),
        "email": record.email and key_in(record.email),
        "reason": record.reason.value,
        "reason_text": record.reason_text,
        # values should be text already; a stray date or Decimal must not fail a batch
        "record_values": json.dumps(dict(record.values), default=str),
        "failed": int(record.failed),
    }


def skipped_from_row(row: Row) -> SkippedRecord:
    """The skipped record :func:`skipped_to_row` wrote."""
    return SkippedRecord(
        run_id=row["run_id"],
        key=key_out(row["record_key"]),
        email=row["email"] and key_out(row["email"]),
        reason=ReasonCode(row["reason"]),
        reason_text=row["reason_text"],
        values=json.loads(row["record_values"]),
        failed=bool(row["failed"]),
    )


def checkpoint_to_row(sync_id: str, checkpoint: Checkpoint) -> dict[str, object]:
    """The ``checkpoints`` columns of a sync's checkpoint."""
    return {
        "sync_id": sync_id,
        "run_id": checkpoint.run_id,
        "pass_id": checkpoint.pass_id,
        "pass_started_at": dt_to_text(checkpoint.pass_started_at),
        "since": opt_dt_to_text(checkpoint.since),
        "position": checkpoint.position,
        "page_offset": checkpoint.offset,
    }


def checkpoint_from_row(row: Row) -> Checkpoint:
    """The checkpoint :func:`checkpoint_to_row` wrote."""
    return Checkpoint(
        run_id=row["run_id"],
        pass_id=row["pass_id"],
        pass_started_at=dt_from_text(row["pass_started_at"]),
        since=opt_dt_from_text(row["since"]),
        position=row["position"],
        offset=row["page_offset"],
    )


def notification_to_row(notification: Notification) -> dict[str, object]:
    """The ``notifications`` columns of a notification."""
    return {
        "id": notification.id,
        "kind": notification.kind.value,
        "title": notification.title,
        "summary": notification.summary,
        "created_at": dt_to_text(notification.created_at),
        "sync_id": notification.sync_id,
        "run_id": notification.run_id,
        "is_read": int(notification.read),
    }


def notification_from_row(row: Row) -> Notification:
    """The notification :func:`notification_to_row` wrote."""
    return Notification(
        id=row["id"],
        kind=NotificationKind(row["kind"]),
        title=row["title"],
        summary=row["summary"],
        created_at=dt_from_text(row["created_at"]),
        sync_id=row["sync_id"],
        run_id=row["run_id"],
        read=bool(row["is_read"]),
    )


def fingerprint_columns(
    stored: StoredFingerprint | None,
) -> tuple[str | None, str | None, str | None]:
    """A record's ``fingerprint``, ``email`` and ``rejected`` columns (all NULL for none)."""
    if stored is None:
        return None, None, None
    return stored.fingerprint, stored.email, stored.rejected and stored.rejected.value


def consent_values() -> tuple[str, ...]:
    """The ``rejected`` values that are consent refusals (kept by ``forget_records``)."""
    return tuple(sorted(reason.value for reason in ReasonCode if reason.withholds_consent))
