"""Syncs, their configuration versions, runs, skipped records and notifications."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime

import attrs

from fieldsync.domain.criteria import Criteria
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.state import SyncState
from fieldsync.domain.wording import by_reason, duration, when

__all__ = [
    "Notification",
    "NotificationKind",
    "OnSourceChange",
    "RunCounts",
    "RunStatus",
    "RunTrigger",
    "SkippedRecord",
    "Sync",
    "SyncConfig",
    "SyncOptions",
    "SyncRun",
]


class OnSourceChange(enum.Enum):
    """What a sync does in the list when a record changes in a way the list cannot follow
    by itself: it is deleted in the source, or its email address is replaced."""

    KEEP = "keep"  # leave the contact subscribed (the default)
    UNSUBSCRIBE = "unsubscribe"  # unsubscribe the address from the list

    @property
    def label(self) -> str:
        """The choice for people."""
        return "keep it subscribed" if self is OnSourceChange.KEEP else "unsubscribe it"


@attrs.frozen
class SyncOptions:
    """Options of a sync beyond mapping, criteria and schedule.

    Args:
        update_empty_values: a value emptied in the source empties the target field too;
            when off, empty values are left out of the write and never overwrite.
        retrieve_since: read only records added or modified after this instant
            ("data to retrieve"); ``None`` reads all of them.
        on_source_delete: a record deleted in the source (found by ``verify``): its
            contact stays in the list (``keep``) or is unsubscribed (``unsubscribe``).
        on_email_change: a record whose address is replaced in the source: the old
            address stays in the list (``keep``) or is unsubscribed (``unsubscribe``).
    """

    update_empty_values: bool = attrs.field(
        default=False,
        metadata={
            "label": "Update empty field values",
            "help": "an emptied source field empties the target field",
        },
    )
    retrieve_since: datetime | None = attrs.field(
        default=None, metadata={"label": "Records changed since"}
    )
    on_source_delete: OnSourceChange = attrs.field(
        default=OnSourceChange.KEEP,
        converter=OnSourceChange,
        metadata={
            "label": "A contact deleted in the source",
            "help": "found by verify; unsubscribing it takes one call",
        },
    )
    on_email_change: OnSourceChange = attrs.field(
        default=OnSourceChange.KEEP,
        converter=OnSourceChange,
        metadata={
            "label": "The old address of an email changed in the source",
            "help": "unsubscribing it takes one call",
        },
    )

    @classmethod
    def switches(cls) -> list[tuple[str, str, str]]:
        """The on/off options, for a form's check boxes: (name, label, help) each."""
        return [
            (f.name, f.metadata["label"], f.metadata.get("help", ""))
            for f in attrs.fields(cls)
            if f.default is False or f.default is True
        ]

    @classmethod
    def choices(cls) -> list[tuple[str, str, str, list[tuple[str, str]]]]:
        """The options that take one of a few values, for a form's selects: (name, label,
        help, [(value, label), ...]) each."""
        return [
            (
                f.name,
                f.metadata["label"],
                f.metadata.get("help", ""),
                [(c.value, c.label) for c in type(f.default)],
            )
            for f in attrs.fields(cls)
            if isinstance(f.default, OnSourceChange)
        ]

    def described(self) -> list[tuple[str, str]]:
        """Every option for people: (label, value) each, ``yes``/``no`` for a switch, a
        choice's label, a time in ISO 8601 or ``-``."""
        shown = []
        for f in attrs.fields(type(self)):
            value = getattr(self, f.name)
            if isinstance(value, bool):
                text = "yes" if value else "no"
            elif isinstance(value, OnSourceChange):
                text = value.label
            else:
                text = "-" if value is None else value.isoformat()
            shown.append((f.metadata["label"], text))
        return shown


@attrs.frozen
class SyncConfig:
    """One version of a sync's configuration. Editing a sync makes a new version."""

    version: int
    list_key: str
    mapping: FieldMapping
    criteria: Criteria
    schedule: Schedule
    options: SyncOptions
    created_at: datetime


@attrs.define
class Sync:
    """A sync: a source of one integration kept in step with one target list.

    ``config`` is the configuration in force; ``pending`` is an edited version waiting for
    the next initiate. ``watermark`` is the source time up to which everything has been
    applied; incremental runs read from it.
    """

    id: str
    name: str
    integration: str
    state: SyncState
    config: SyncConfig
    created_at: datetime
    updated_at: datetime
    pending: SyncConfig | None = None
    watermark: datetime | None = None
    next_run_at: datetime | None = None
    attention: str | None = None  # why the sync needs attention, when it does


class RunStatus(enum.Enum):
    """Where a run is, or how it ended."""

    RUNNING = "running"  # in progress (or its worker died and the lease has not expired)
    COMPLETED = "completed"  # the whole pass is done; the watermark moved
    PAUSED = "paused"  # stopped at a batch boundary by a pause; resume continues it
    INTERRUPTED = "interrupted"  # its worker died; a later run continued from the checkpoint
    DEFERRED = "deferred"  # a quota or the plan limit stopped it cleanly; the next run continues
    FAILED = "failed"  # a fatal error ended it; the sync needs attention

    @property
    def finished(self) -> bool:
        """Whether the run is over (anything but running)."""
        return self is not RunStatus.RUNNING


class RunTrigger(enum.Enum):
    """What started a run."""

    INITIATE = "initiate"  # the first run, started by initiate
    MANUAL = "manual"  # service.run()
    SCHEDULE = "schedule"  # service.run_due()
    RESUME = "resume"  # service.resume() continuing a paused pass
    REPAIR = "repair"  # service.verify(repair=True) sending again what the list lost
    SOURCE_SCAN = "source_scan"  # run_due's full pass of the source, finding deletions


def _frozen_counts(value: Mapping[ReasonCode, int]) -> Mapping[ReasonCode, int]:
    if any(n < 0 for n in value.values()):
        raise ValueError("a count cannot be negative")
    return {reason: n for reason, n in sorted(value.items(), key=lambda kv: kv[0].value) if n}


@attrs.frozen
class RunCounts:
    """How a run's records ended. ``total`` and the skipped/failed totals are derived, so

    ``total == added + updated + unchanged + skipped + failed`` holds by construction.

    Two sub-counts say more: ``readded`` is the part of ``added`` that a repair sent again
    because the contact was missing from the list (removed by hand); ``deleted`` counts the
    records found deleted in the source whose contact the run unsubscribed. A deleted record
    is no longer in the source, so it is not one of ``total``'s records: ``deleted`` stands
    beside the total, not inside it.
    """

    added: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    updated: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    unchanged: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    skipped_by_reason: Mapping[ReasonCode, int] = attrs.field(
        factory=dict, converter=_frozen_counts
    )
    failed_by_reason: Mapping[ReasonCode, int] = attrs.field(factory=dict, converter=_frozen_counts)
    readded: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    deleted: int = attrs.field(default=0, validator=attrs.validators.ge(0))

    @readded.validator
    def _readded_within_added(self, _: object, value: int) -> None:
        if value > self.added:
            raise ValueError(f"re-added ({value}) is part of added ({self.added})")

    @property
    def skipped(self) -> int:
        """Records not written for a reason in the data or the plan."""
        return sum(self.skipped_by_reason.values())

    @property
    def failed(self) -> int:
        """Records whose write failed."""
        return sum(self.failed_by_reason.values())

    @property
    def total(self) -> int:
        """Every record the run looked at."""
        return self.added + self.updated + self.unchanged + self.skipped + self.failed

    def __add__(self, other: RunCounts) -> RunCounts:
        def merged(
            a: Mapping[ReasonCode, int], b: Mapping[ReasonCode, int]
        ) -> dict[ReasonCode, int]:
            out = dict(a)
            for reason, n in b.items():
                out[reason] = out.get(reason, 0) + n
            return out

        return RunCounts(
            added=self.added + other.added,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
            skipped_by_reason=merged(self.skipped_by_reason, other.skipped_by_reason),
            failed_by_reason=merged(self.failed_by_reason, other.failed_by_reason),
            readded=self.readded + other.readded,
            deleted=self.deleted + other.deleted,
        )

    def __str__(self) -> str:
        """``"120 records: 100 added, 5 updated, 10 unchanged, 5 skipped, 0 failed"``, with
        ``" (3 re-added)"`` after added and ``"; 2 deleted in the source"`` when not 0."""
        readded = f" ({self.readded:,} re-added)" if self.readded else ""
        deleted = f"; {self.deleted:,} deleted in the source" if self.deleted else ""
        return (
            f"{self.total:,} record{'' if self.total == 1 else 's'}: {self.added:,} added"
            f"{readded}, {self.updated:,} updated, {self.unchanged:,} unchanged, "
            f"{self.skipped:,} skipped, {self.failed:,} failed{deleted}"
        )


@attrs.define
class SyncRun:
    """One run of a sync: when, with which configuration version, and how it ended."""

    id: str
    sync_id: str
    config_version: int
    trigger: RunTrigger
    started_at: datetime
    status: RunStatus = RunStatus.RUNNING
    finished_at: datetime | None = None
    counts: RunCounts = attrs.field(factory=RunCounts)
    fields_created: tuple[str, ...] = ()
    resumed_from: str | None = None  # the paused/interrupted/deferred run this one continues
    error: str | None = None  # why a failed or deferred run stopped

    @property
    def total(self) -> int:
        """Every record this run looked at."""
        return self.counts.total

    @property
    def added(self) -> int:
        """Contacts new in the list."""
        return self.counts.added

    @property
    def updated(self) -> int:
        """Contacts already in the list whose fields changed."""
        return self.counts.updated

    @property
    def unchanged(self) -> int:
        """Records identical to their last write: no call was made for them."""
        return self.counts.unchanged

    @property
    def skipped(self) -> int:
        """Records not written, each with a reason."""
        return self.counts.skipped

    @property
    def failed(self) -> int:
        """Records whose write failed, each with a reason."""
        return self.counts.failed

    def __str__(self) -> str:
        """The run for people, a few lines: status, times, counts, reasons, error."""
        lines = [f"Run {self.id} of sync {self.sync_id}: {self.status.value}"]
        started = f"started {when(self.started_at)}"
        if self.finished_at is not None:
            took = duration(self.finished_at - self.started_at)
            same_day = self.finished_at.date() == self.started_at.date()
            end = self.finished_at.strftime("%H:%M:%S") if same_day else when(self.finished_at)
            started += f", finished {end} ({took})"
        lines.append(f"  {started}; {self.trigger.value}, configuration v{self.config_version}")
        lines.append(f"  {self.counts}")
        if self.counts.skipped_by_reason:
            lines.append(f"  skipped: {by_reason(self.counts.skipped_by_reason)}")
        if self.counts.failed_by_reason:
            lines.append(f"  failed: {by_reason(self.counts.failed_by_reason)}")
        if self.fields_created:
            lines.append(f"  fields created: {', '.join(self.fields_created)}")
        if self.resumed_from:
            lines.append(f"  continues run {self.resumed_from}")
        if self.error:
            lines.append(f"  why: {self.error}")
        return "\n".join(lines)


@attrs.frozen
class SkippedRecord:
    """A record a run skipped or failed, with why, for the history and the CSV export."""

    run_id: str
    key: str
    email: str | None
    reason: ReasonCode
    reason_text: str
    values: Mapping[str, str] = attrs.field(factory=dict)
    failed: bool = False  # False: skipped; True: the write was attempted and failed


class NotificationKind(enum.Enum):
    """What a notification is about."""

    RUN_COMPLETED = "run_completed"  # a run finished its pass
    RUN_DEFERRED = "run_deferred"  # a quota or the plan limit stopped a run cleanly
    RUN_FAILED = "run_failed"  # a fatal error ended a run; the sync needs attention
    INTEGRATION_DISABLED = "integration_disabled"  # an integration and its syncs were disabled


@attrs.define
class Notification:
    """A message for the user's inbox (the bell), pointing at a sync and a run."""

    id: str
    kind: NotificationKind
    title: str
    summary: str
    created_at: datetime
    sync_id: str | None = None
    run_id: str | None = None
    read: bool = False
