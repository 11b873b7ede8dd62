"""Saving a checked form: a new sync, or a new configuration version of one."""

from __future__ import annotations

from fieldsync import Sync, SyncService
from fieldsync.web._forms import SyncValues

__all__ = ["save"]


def save(service: SyncService, values: SyncValues, *, integration: str, sync: Sync | None) -> Sync:
    """Create the sync (``sync`` is None) or save the values as its new version."""
    if sync is None:
        return service.create_sync(
            values.name,
            integration=integration,
            list_key=values.list_key,
            mapping=values.mapping,
            criteria=values.criteria,
            schedule=values.schedule,
            options=values.options,
        )
    return service.edit(
        sync.id,
        name=values.name,
        list_key=values.list_key,
        mapping=values.mapping,
        criteria=values.criteria,
        schedule=values.schedule,
        options=values.options,
    )
