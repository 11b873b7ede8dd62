"""Initiate: validate a sync against the live schemas, create the missing target fields and
activate it, all before its first run starts (the caller holds the sync's lease)."""

from __future__ import annotations

import logging

import attrs

from fieldsync.domain.state import SyncAction, transition
from fieldsync.exceptions import InvalidConfigurationError, StateError
from fieldsync.ports import Clock, Source, SyncStore, Target
from fieldsync.service._preview import check_capacity, plan_config

__all__ = ["activate"]

_log = logging.getLogger("fieldsync.service")


def activate(
    sync_id: str,
    *,
    store: SyncStore,
    clock: Clock,
    source: Source,
    target: Target,
    acknowledged: bool,
) -> list[str]:
    """Validate, check the plan capacity, create the missing fields and save the sync as
    active with its pending edit applied. Returns the names of the fields created.

    Nothing is written when validation or the capacity check fails.
    """
    sync = store.get_sync(sync_id)
    state = transition(sync.state, SyncAction.INITIATE, sync_id=sync_id)
    config = sync.pending or sync.config
    plan, problems = plan_config(config, source, target)
    if problems:
        raise InvalidConfigurationError(problems)
    check_capacity(config, source, target, acknowledged=acknowledged)
    made = [(f.name, target.create_field(f).name) for f in plan.fields_to_create]
    if store.get_sync(sync_id) != sync:
        # Paused, edited or disabled elsewhere while we talked to the adapters:
        # saving our copy now would undo that.
        raise StateError(
            f"sync {sync_id!r} changed while it was being initiated; initiate it again"
        )
    created = [name for _, name in made]
    if sync.pending is not None:
        if sync.pending.list_key != sync.config.list_key:
            # The new list has none of what was written to the old one.
            store.forget_records(sync_id)
        # A new mapping or criteria needs every record, not just the changed ones.
        sync.config, sync.pending, sync.watermark = sync.pending, None, None
    renamed = {asked: got for asked, got in made if asked != got}
    if renamed:
        # The target named a field its own way (Zoho Campaigns keeps letters and
        # digits only): a new version maps to the names that exist.
        sync.config = attrs.evolve(
            sync.config,
            version=sync.config.version + 1,
            mapping=sync.config.mapping.with_targets_renamed(renamed),
            created_at=clock.now(),
        )
    sync.state, sync.attention, sync.updated_at = state, None, clock.now()
    store.save_sync(sync)
    _log.info(
        "sync %s initiated at config v%d",
        sync_id,
        sync.config.version,
        extra={"sync_id": sync_id, "integration": sync.integration},
    )
    return created
