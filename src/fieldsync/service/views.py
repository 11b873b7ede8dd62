"""What the sync service shows: read models for a preview, a sync's detail and the impact
of disabling an integration. Plain frozen values, built by :class:`~fieldsync.SyncService`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from fieldsync.domain.duration import RunEstimate
from fieldsync.domain.fields import Field
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.sync import Sync, SyncConfig, SyncRun
from fieldsync.domain.wording import by_reason, when
from fieldsync.exceptions import Problem

__all__ = [
    "DisableImpact",
    "IntegrationDetails",
    "IntegrationStatus",
    "MappingRow",
    "Preview",
    "SyncDetail",
]


_RECENT_RUNS = 5
"""How many runs a printed SyncDetail shows (``history`` has them all)."""


def _counts(value: Mapping[ReasonCode, int]) -> Mapping[ReasonCode, int]:
    return {reason: n for reason, n in sorted(value.items(), key=lambda kv: kv[0].value) if n}


@attrs.frozen
class Preview:
    """What the next run would do, found without writing anything anywhere.

    Args:
        sync_id: the sync previewed.
        config_version: the configuration version previewed (a pending edit, if any).
        problems: every mapping and criteria problem against the live schemas; when there
            are any, nothing was read and the counts are zero.
        fields_to_create: target fields initiate would create.
        would_add: records that would be added to the list.
        would_update: records whose changed values would be written.
        unchanged: records identical to their last write (no call needed).
        skipped_by_reason: records that would be skipped, by reason.
        route: how the run would write: ``"upsert"``, or ``"bulk"`` for a sync that maps
            only the email to a target with a bulk route for addresses.
        estimate: how long the adds and updates take at the target's rate limits ("about
            16 h for 200,000 contacts at 12,500 an hour"); ``None`` when the target states
            no rate windows or there are problems.
    """

    sync_id: str
    config_version: int
    problems: tuple[Problem, ...] = ()
    fields_to_create: tuple[Field, ...] = ()
    would_add: int = 0
    would_update: int = 0
    unchanged: int = 0
    skipped_by_reason: Mapping[ReasonCode, int] = attrs.field(factory=dict, converter=_counts)
    route: str = "upsert"
    estimate: RunEstimate | None = None

    @property
    def ok(self) -> bool:
        """Whether the configuration fits the live schemas."""
        return not self.problems

    @property
    def skipped(self) -> int:
        """Records that would be skipped, whatever the reason."""
        return sum(self.skipped_by_reason.values())

    @property
    def total(self) -> int:
        """Every record the run would read."""
        return self.would_add + self.would_update + self.unchanged + self.skipped

    def __str__(self) -> str:
        """The preview for people: the problems, or what the run would do."""
        head = f"Preview of sync {self.sync_id} (configuration v{self.config_version})"
        if self.problems:
            count = len(self.problems)
            lines = [f"{head}: {count} problem{'' if count == 1 else 's'}, nothing was read"]
            lines += [f"  - {p.code}: {p.message}" for p in self.problems]
            return "\n".join(lines)
        lines = [
            f"{head}: {self.total:,} record{'' if self.total == 1 else 's'}",
            f"  {self.would_add:,} would be added, {self.would_update:,} updated, "
            f"{self.unchanged:,} unchanged, {self.skipped:,} skipped",
        ]
        if self.skipped_by_reason:
            lines.append(f"  skipped: {by_reason(self.skipped_by_reason)}")
        if self.fields_to_create:
            made = ", ".join(f"{f.name} ({f.type.value})" for f in self.fields_to_create)
            lines.append(f"  fields to create: {made}")
        if self.estimate is not None:
            lines.append(f"  at the target's rate limits ({self.route}): {self.estimate}")
        return "\n".join(lines)


@attrs.frozen
class MappingRow:
    """One row of a sync's field mapping as a screen shows it."""

    source: str
    target: str
    create: bool = False  # the target field is (or was) created by the sync

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}{' (created)' if self.create else ''}"


@attrs.frozen
class SyncDetail:
    """Everything about one sync: configuration, field mapping, schedule and history.

    Args:
        sync: the sync itself (state, watermark, attention).
        config: the configuration in force.
        pending: an edited configuration waiting for the next initiate, if any.
        mapping: the field mapping of ``config``, row by row.
        criteria: the criteria of ``config`` as text (empty: every record).
        schedule: the schedule of ``config`` in words.
        next_run_at: when the schedule runs the sync next, if it does.
        history: the sync's runs, newest first.
        config_versions: every configuration version, oldest first.
    """

    sync: Sync
    config: SyncConfig
    pending: SyncConfig | None
    mapping: tuple[MappingRow, ...]
    criteria: str
    schedule: str
    next_run_at: datetime | None
    history: list[SyncRun]
    config_versions: list[SyncConfig]

    def __str__(self) -> str:
        """The sync for people: state, list, schedule, criteria, mapping, recent runs."""
        sync = self.sync
        pending = f" (v{self.pending.version} pending initiate)" if self.pending else ""
        next_run = when(self.next_run_at) if self.next_run_at else "none"
        lines = [
            f'Sync "{sync.name}" ({sync.id}): {sync.state.value}, integration {sync.integration}',
            f"  list: {self.config.list_key}; configuration v{self.config.version}{pending}",
            f"  schedule: {self.schedule}; next run: {next_run}",
            f"  criteria: {self.criteria or 'every record'}",
        ]
        if sync.attention:
            lines.append(f"  needs attention: {sync.attention}")
        lines.append("  mapping:")
        lines += [f"    {row}" for row in self.mapping]
        shown = self.history[:_RECENT_RUNS]
        more = len(self.history) - len(shown)
        lines.append(f"  runs ({len(self.history)}, newest first)" + (":" if shown else ": none"))
        lines += [f"    {when(r.started_at)}  {r.status.value}: {r.counts}" for r in shown]
        if more:
            lines.append(f"    ... and {more} older")
        return "\n".join(lines)


@attrs.frozen
class DisableImpact:
    """What disabling an integration does, or did.

    Args:
        integration: the integration's name.
        syncs: the syncs that will stop (before confirming) or were stopped (after).
        credentials: the credentials that will be (or were) revoked, without secrets.
        confirmed: whether it was carried out.
        revoke_errors: why revoking a credential failed, when it did (the integration is
            disabled all the same; revoke it by hand in the app).
    """

    integration: str
    syncs: tuple[Sync, ...]
    credentials: tuple[str, ...]
    confirmed: bool = False
    revoke_errors: tuple[str, ...] = ()

    def __str__(self) -> str:
        """What disabling does (or did), for people."""
        verb = "disabled" if self.confirmed else "would disable"
        lines = [f"Integration {self.integration!r}: {verb}"]
        stops, revoked = ("stopped", "revoked") if self.confirmed else ("stops", "to revoke")
        lines += [f"  sync {s.name!r} ({s.id}) {stops}" for s in self.syncs]
        lines += [f"  credential {revoked}: {c}" for c in self.credentials]
        lines += [f"  revoke failed: {e}" for e in self.revoke_errors]
        return "\n".join(lines)


@attrs.frozen
class IntegrationStatus:
    """An integration as the Sync Services screen lists it.

    Args:
        name: the integration's name.
        registered: whether this service has its adapters (it can run and be edited).
        disabled_at: when it was disabled for good, if it was (its history stays readable).
    """

    name: str
    registered: bool
    disabled_at: datetime | None = None

    @property
    def disabled(self) -> bool:
        """Whether the integration was disabled."""
        return self.disabled_at is not None


@attrs.frozen
class IntegrationDetails:
    """What an integration is connected to, as a settings screen shows it: the kinds of
    its adapters and its credentials described (never a secret).

    Attributes:
        name: the integration.
        source_type: the source adapter's class name (``ZohoInvoiceSource``).
        target_type: the target adapter's class name (``ZohoCampaignsTarget``).
        credentials: the credentials disabling would revoke, described, source first.
    """

    name: str
    source_type: str
    target_type: str
    credentials: tuple[str, ...]
