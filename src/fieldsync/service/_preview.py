"""Checking a configuration against the live schemas, and the dry run behind ``preview``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime

import attrs

from fieldsync.domain.emails import email_key
from fieldsync.domain.fields import Schema
from fieldsync.domain.mapping import MappingPlan
from fieldsync.domain.planner import Decision, DecisionKind, Planner, Prepared
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import Capacity, SourceRecord, TargetContact
from fieldsync.domain.sync import SyncConfig
from fieldsync.exceptions import DisclaimerNotAcknowledgedError, Problem
from fieldsync.ports import Source, SyncStore, Target, TargetRules
from fieldsync.service._read_models import mailing_lists_of
from fieldsync.service._route import choose_route
from fieldsync.service._spec import list_problems
from fieldsync.service.views import Preview

__all__ = ["DISCLAIMER", "NamedPlan", "check_capacity", "plan_as_named", "plan_config", "preview"]

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
    return _plan(config, source.schema(), target.schema())


def _plan(
    config: SyncConfig, source_schema: Schema, target_schema: Schema
) -> tuple[MappingPlan, tuple[Problem, ...]]:
    plan = config.mapping.plan(source_schema, target_schema)
    return plan, (*plan.problems, *config.criteria.validate(source_schema))


@attrs.frozen
class NamedPlan:
    """A configuration planned with its new fields named as the target would name them.

    Args:
        config: the configuration, its mapping writing to those names.
        plan: its mapping plan; ``fields_to_create`` lists only fields that do not exist
            under the target's name for them already.
        problems: every mapping and criteria problem.
        renamed: the mapping's target names the target renames (asked -> given).
    """

    config: SyncConfig
    plan: MappingPlan
    problems: tuple[Problem, ...]
    renamed: Mapping[str, str]


def plan_as_named(config: SyncConfig, source: Source, target: Target) -> NamedPlan:
    """:func:`plan_config`, asking a :class:`~fieldsync.ports.TargetRules` target how it
    would name each field to create: a field that exists under that name already is mapped,
    not created again (what initiate then does, and what preview must say). An unknown list
    key is a problem too, when the target can list its lists (preview says so, as initiate
    refuses it, before anything is written).

    Raises:
        SyncError: reading a schema failed.
    """
    source_schema, target_schema = source.schema(), target.schema()
    plan, problems = _plan(config, source_schema, target_schema)
    problems = (*problems, *list_problems(config.list_key, mailing_lists_of(target)))
    if problems or not plan.fields_to_create or not isinstance(target, TargetRules):
        return NamedPlan(config, plan, problems, {})
    given = {field.name: target.created_field_name(field) for field in plan.fields_to_create}
    renamed = {asked: name for asked, name in given.items() if name != asked}
    if not renamed:
        return NamedPlan(config, plan, problems, {})
    config = attrs.evolve(config, mapping=config.mapping.with_targets_renamed(renamed))
    plan, problems = _plan(config, source_schema, target_schema)
    return NamedPlan(config, plan, problems, renamed)


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
    preview. New fields are named as the target would name them (an existing one is not
    "to create"). A :class:`~fieldsync.ports.TargetRules` target's known refusals (group
    addresses) are counted as skipped; the plan limit and double opt-in are not predicted.

    Raises:
        SyncError: reading the schemas or the source failed.
    """
    named = plan_as_named(config, source, target)
    plan, problems, config = named.plan, named.problems, named.config
    if problems:
        return Preview(sync_id, config.version, problems, plan.fields_to_create)
    planner = Planner.of(plan, config)
    tally = _Tally(store, sync_id, target if isinstance(target, TargetRules) else None)
    route = choose_route(plan, target)
    size = route.batch_size
    for page in source.read(since=since):
        # Batch by batch, as the run goes: a batch sees the claims of the ones before.
        for low in range(0, len(page.records), size):
            tally.add(planner, page.records[low : low + size])
    kinds, skipped = tally.kinds, tally.skipped
    writes = kinds[DecisionKind.ADD] + kinds[DecisionKind.UPDATE]
    return Preview(
        sync_id,
        config.version,
        (),
        plan.fields_to_create,
        would_add=kinds[DecisionKind.ADD],
        would_update=kinds[DecisionKind.UPDATE],
        unchanged=kinds[DecisionKind.UNCHANGED],
        skipped_by_reason=skipped,
        route=route.name,
        estimate=route.estimate(writes) if route.limits.windows else None,
    )


def _known_refusal(rules: TargetRules | None, decision: Decision) -> ReasonCode | None:
    if rules is None or decision.email is None:
        return None
    return rules.known_refusal(TargetContact(decision.key, decision.email, decision.values))


class _Tally:
    """The preview's counts, and the claims a run of the pass would have made so far."""

    def __init__(self, store: SyncStore, sync_id: str, rules: TargetRules | None) -> None:
        self._store, self._sync_id, self._rules = store, sync_id, rules
        self.kinds: Counter[DecisionKind] = Counter()
        self.skipped: Counter[ReasonCode] = Counter()
        self._owners: dict[str, str] = {}  # email -> the record that claimed it in the pass
        self._released: dict[str, str] = {}  # email -> the record that wrote it, then moved

    def add(self, planner: Planner, records: Sequence[SourceRecord]) -> None:
        """Count one batch of records."""
        prepared = [planner.prepare(record) for record in records]
        live = [p for p in prepared if p.skip is None and p.email is not None]
        previous = self._store.fingerprints(self._sync_id, [p.key for p in live]) if live else {}
        seen = _claims(self._store, self._sync_id, live, self._owners, self._released)
        moved: dict[str, str] = {}
        for decision in planner.decide_page(prepared, previous, seen):
            if decision.kind is DecisionKind.SKIP:
                self.skipped[decision.reason or ReasonCode.TARGET_REJECTED] += 1
                continue
            assert decision.email is not None  # the planner sends nothing without one
            identity = email_key(decision.email)
            self._owners.setdefault(identity, decision.key)  # claimed whatever the answer
            stored = previous.get(decision.key)
            if stored is not None and email_key(stored.email) != identity:
                moved[email_key(stored.email)] = decision.key
            refused = _known_refusal(self._rules, decision)
            if refused is not None:
                self.skipped[refused] += 1
                continue
            kind = decision.kind
            if kind is DecisionKind.ADD and identity in self._released:
                # Another record wrote this address before moving to a new one: the
                # contact is in the list, and the target reports an update.
                kind = DecisionKind.UPDATE
            self.kinds[kind] += 1
        # Once the batch is written, its records no longer hold their old addresses.
        self._released.update(moved)


_NO_PASS = ""  # matches no pass: only the claims of records written earlier count


def _claims(
    store: SyncStore,
    sync_id: str,
    live: Sequence[Prepared],
    owners: Mapping[str, str],
    released: Mapping[str, str],
) -> dict[str, str]:
    """The claims a run of this pass would meet for the page's emails: a record that wrote
    the email in an earlier pass (and has not moved to another email earlier in this
    preview) or one that claimed it earlier in the pass; the smallest key, as the store."""
    emails = {email_key(p.email) for p in live if p.email is not None}
    written = store.claimed_emails(sync_id, _NO_PASS, emails) if emails else {}
    claims: dict[str, str] = {}
    for identity in emails:
        holders = [owners[identity]] if identity in owners else []
        holder = written.get(identity)
        if holder is not None and released.get(identity) != holder:
            holders.append(holder)
        if holders:
            claims[identity] = min(holders)
    return claims
