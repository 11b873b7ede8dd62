"""Checking a configuration against the live schemas, and the dry run behind ``preview``."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from fieldsync.domain.emails import email_key
from fieldsync.domain.mapping import MappingPlan
from fieldsync.domain.planner import DecisionKind, Planner
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import Capacity
from fieldsync.domain.sync import SyncConfig
from fieldsync.exceptions import DisclaimerNotAcknowledgedError, Problem
from fieldsync.ports import Source, SyncStore, Target
from fieldsync.service.views import Preview

__all__ = ["DISCLAIMER", "check_capacity", "plan_config", "preview"]

DISCLAIMER = (
    "Syncing these contacts may take your marketing account past the contact limit of its "
    "current plan. Auto-upgrade is on for the account: when the limit is reached, the plan "
    "is upgraded automatically to one that fits the contacts, and you are charged for the "
    "upgraded plan. Acknowledge this to start the sync."
)
"""The text a caller must acknowledge before a sync may push an auto-upgrading plan over
its contact limit (modelled on Zoho Campaigns' own warning)."""


def plan_config(
    config: SyncConfig, source: Source, target: Target
) -> tuple[MappingPlan, tuple[Problem, ...]]:
    """Plan ``config``'s mapping against the live schemas; return the plan and every
    mapping and criteria problem.

    Raises:
        SyncError: reading a schema failed.
    """
    source_schema = source.schema()
    plan = config.mapping.plan(source_schema, target.schema())
    return plan, (*plan.problems, *config.criteria.validate(source_schema))


def check_capacity(
    config: SyncConfig, source: Source, target: Target, *, acknowledged: bool
) -> Capacity | None:
    """Refuse a sync that could push an auto-upgrading plan past its limit unacknowledged.

    Returns the target's capacity (``None`` when it does not say).

    Raises:
        DisclaimerNotAcknowledgedError: the plan auto-upgrades, the sync may go past the limit
            (or the source cannot count), and ``acknowledged`` is false.
        SyncError: asking the target or the source failed.
    """
    capacity = target.capacity(config.list_key)
    if capacity is None or capacity.limit is None or not capacity.auto_upgrade or acknowledged:
        return capacity
    incoming = source.count()
    if incoming is None or capacity.used + incoming > capacity.limit:
        raise DisclaimerNotAcknowledgedError(
            DISCLAIMER, used=capacity.used, limit=capacity.limit, incoming=incoming
        )
    return capacity


def preview(
    sync_id: str,
    config: SyncConfig,
    *,
    source: Source,
    target: Target,
    store: SyncStore,
    since: datetime | None,
) -> Preview:
    """What a pass with ``config`` reading from ``since`` would do; writes nothing.

    Duplicate emails across pages are found with one entry per email held for the
    preview. Target-side refusals (group addresses, the plan limit) are not predicted.

    Raises:
        SyncError: reading the schemas or the source failed.
    """
    plan, problems = plan_config(config, source, target)
    if problems:
        return Preview(sync_id, config.version, problems, plan.fields_to_create)
    planner = Planner(plan, config.criteria, update_empty_values=config.options.update_empty_values)
    kinds: Counter[DecisionKind] = Counter()
    skipped: Counter[ReasonCode] = Counter()
    owners: dict[str, str] = {}
    for page in source.read(since=since):
        prepared = [planner.prepare(record) for record in page.records]
        live = [p for p in prepared if p.skip is None and p.email is not None]
        previous = store.fingerprints(sync_id, [p.key for p in live]) if live else {}
        seen = {ek: owners[ek] for p in live if p.email and (ek := email_key(p.email)) in owners}
        for decision in planner.decide_page(prepared, previous, seen):
            kinds[decision.kind] += 1
            if decision.kind is DecisionKind.SKIP:
                skipped[decision.reason or ReasonCode.TARGET_REJECTED] += 1
            elif decision.email is not None:
                owners.setdefault(email_key(decision.email), decision.key)
    return Preview(
        sync_id,
        config.version,
        (),
        plan.fields_to_create,
        would_add=kinds[DecisionKind.ADD],
        would_update=kinds[DecisionKind.UPDATE],
        unchanged=kinds[DecisionKind.UNCHANGED],
        skipped_by_reason=skipped,
    )
