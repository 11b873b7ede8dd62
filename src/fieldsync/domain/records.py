"""The plain values that cross the ports: source records, target contacts and outcomes."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import datetime

import attrs

from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.sync import SkippedRecord, SyncRun

__all__ = [
    "BatchCommit",
    "Capacity",
    "Checkpoint",
    "OutcomeKind",
    "RateWindow",
    "SourcePage",
    "SourceRecord",
    "StoredFingerprint",
    "TargetContact",
    "TargetLimits",
    "UpsertOutcome",
]


@attrs.frozen
class SourceRecord:
    """One record read from a source.

    Args:
        key: the source's identifier of the record (Zoho Invoice's ``contact_id``).
        modified_at: when the source last changed the record (time-zone aware).
        values: the record's values by source field name.
        defect: set by a source that could not read the record whole (no readable
            modification time, not an object at all): why, for people. The run counts
            such a record skipped with ``invalid_record`` and goes on; one bad record
            costs one record, never the run. Its ``modified_at`` is then only a stand-in.
    """

    key: str
    modified_at: datetime
    values: Mapping[str, object]
    defect: str | None = None


@attrs.frozen
class SourcePage:
    """One page of a source read.

    ``position`` is an opaque token: ``source.read(resume=page.position)`` reads again
    from this page (this page included), so a run can resume where it stopped.
    """

    records: Sequence[SourceRecord]
    position: str


@attrs.frozen
class TargetContact:
    """One contact to write: its source key, its email and its values by target field name."""

    key: str
    email: str
    values: Mapping[str, object]


class OutcomeKind(enum.Enum):
    """What the target did with one contact."""

    ADDED = "added"  # the contact is new in the list
    UPDATED = "updated"  # the contact was already there and its fields were updated
    WRITTEN = "written"  # written, but the target does not say whether it was new
    SKIPPED = "skipped"  # refused for a reason in the data (invalid email, plan limit, ...)
    FAILED = "failed"  # the write failed (retries ran out, unexpected answer)


@attrs.frozen
class UpsertOutcome:
    """The outcome of writing one contact. ``reason`` is set for skipped and failed ones.

    ``readded`` marks an ADDED contact that the target had before, lost (deleted in the
    target) and took again: Zoho's own syncs report such contacts as "re-added".
    """

    key: str
    kind: OutcomeKind
    reason: ReasonCode | None = None
    message: str = ""
    readded: bool = False

    def __attrs_post_init__(self) -> None:
        needs_reason = self.kind in (OutcomeKind.SKIPPED, OutcomeKind.FAILED)
        if needs_reason != (self.reason is not None):
            raise ValueError(
                f"a {self.kind.value} outcome {'needs' if needs_reason else 'takes no'} reason"
            )


@attrs.frozen
class RateWindow:
    """At most ``limit`` calls in any ``period`` seconds; exceeding it locks for ``lockout``."""

    limit: int
    period: float
    lockout: float = 0.0


@attrs.frozen
class TargetLimits:
    """What a target allows: the largest batch ``upsert`` takes and its rate windows.

    ``per_call`` is how many contacts one call counted by ``windows`` carries (1 for
    Zoho's ``json/listsubscribe``, 10 for its ``addlistsubscribersinbulk``): what the
    duration estimate (:func:`fieldsync.domain.duration.estimate_run`) divides by.
    """

    max_batch: int = 100
    windows: tuple[RateWindow, ...] = ()
    per_call: int = 1


@attrs.frozen
class Capacity:
    """The target account's contact capacity, when the target knows it.

    ``limit`` is ``None`` for an unlimited plan. With ``auto_upgrade`` on, going past the
    limit upgrades (and charges for) the plan instead of refusing contacts.
    """

    used: int
    limit: int | None
    auto_upgrade: bool = False

    @property
    def remaining(self) -> int | None:
        """Contacts that still fit in the plan, or ``None`` when unlimited."""
        return None if self.limit is None else max(0, self.limit - self.used)


@attrs.frozen
class StoredFingerprint:
    """What the store remembers of the last time a record was sent.

    ``rejected`` is set when the target refused the record for a reason in its data (an
    invalid or group address, a missing mandatory field): until the record changes, the
    next runs skip it with that reason instead of spending a call on the same refusal. A
    consent reason (:attr:`ReasonCode.withholds_consent`: Do-Not-Mail, unsubscribed,
    bounced, spam) skips the address whatever its values, until it is cleared.
    """

    fingerprint: str
    email: str
    rejected: ReasonCode | None = None


@attrs.frozen
class Checkpoint:
    """Where a pass over the source stopped, so that the next run continues from there.

    Args:
        run_id: the run that wrote the checkpoint.
        pass_id: the run that started this pass over the source (duplicate detection and
            the watermark span every run of one pass).
        pass_started_at: when the pass began; the watermark moves to it when the pass ends.
        since: the incremental lower bound the pass reads from (``None`` for a full read).
        position: the source page to read again (``None``: from the beginning).
        offset: how many records of that page are already done.
    """

    run_id: str
    pass_id: str
    pass_started_at: datetime
    since: datetime | None
    position: str | None
    offset: int


@attrs.frozen
class BatchCommit:
    """Everything one batch changes, written by the store in one transaction.

    Args:
        run: the run with its counts after this batch (saved as it is).
        written: fingerprints to store, by record key, for records written or unchanged.
        claims: ``(key, email)`` pairs seen in this pass, for duplicate-email detection.
        skipped: the batch's skipped and failed records.
        checkpoint: where the next run continues if this one stops after this batch.
        lease_owner: when given, the batch is written only while this owner holds the
            sync's run lease: a worker that stalled past its lease writes nothing more.
    """

    run: SyncRun
    written: Sequence[tuple[str, StoredFingerprint]] = ()
    claims: Sequence[tuple[str, str]] = ()
    skipped: Sequence[SkippedRecord] = ()
    checkpoint: Checkpoint | None = None
    lease_owner: str | None = None
