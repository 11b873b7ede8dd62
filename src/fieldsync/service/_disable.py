"""Disabling an integration: first the impact, then (confirmed) carrying it out."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from fieldsync.domain.state import SyncAction, SyncState, transition
from fieldsync.domain.sync import NotificationKind, Sync
from fieldsync.domain.wording import bidi_safe
from fieldsync.exceptions import FieldSyncError
from fieldsync.ports import Clock, Source, SyncStore, Target
from fieldsync.service._outbox import Outbox
from fieldsync.service.views import DisableImpact

__all__ = ["carry_out", "impact_of"]

_log = logging.getLogger("fieldsync.service")


def impact_of(
    name: str, syncs: Sequence[Sync], source: Source | None, target: Target | None
) -> DisableImpact:
    """What disabling ``name`` would do: the syncs that stop and the credentials revoked
    (de-duplicated, source first). Changes nothing."""
    described: list[str] = []
    if source is not None:
        described.extend(source.describe_credentials())
    if target is not None:
        described.extend(target.describe_credentials())
    stopping = tuple(s for s in syncs if s.state is not SyncState.DISABLED)
    return DisableImpact(name, stopping, tuple(dict.fromkeys(described)))


def carry_out(
    impact: DisableImpact,
    *,
    source: Source | None,
    target: Target | None,
    store: SyncStore,
    outbox: Outbox,
    clock: Clock,
) -> DisableImpact:
    """Disable the syncs and the integration, then revoke the credentials and notify.

    Revoking comes last: a revoke that fails is logged and reported in
    ``revoke_errors``, since the integration is disabled all the same.

    Raises:
        StoreError: the store failed.
    """
    now = clock.now()
    stopped = []
    for seen in impact.syncs:
        sync = store.get_sync(seen.id)  # as it is now, not as the impact saw it
        if sync.state is SyncState.DISABLED:
            continue
        sync.state = transition(sync.state, SyncAction.DISABLE, sync_id=sync.id)
        sync.next_run_at, sync.updated_at = None, now
        store.save_sync(sync)
        stopped.append(sync)
    store.disable_integration(impact.integration, at=now)
    errors: list[str] = []
    for side, port in (("target", target), ("source", source)):
        if port is None:
            continue
        try:
            port.revoke()
        except FieldSyncError as exc:
            _log.warning(
                "revoking the %s credentials of %s failed: %s", side, impact.integration, exc
            )
            errors.append(f"{side}: {exc}")
    _log.info("integration %s disabled; %d sync(s) stopped", impact.integration, len(stopped))
    summary = f"{len(stopped)} sync(s) stopped; credentials revoked: "
    summary += ", ".join(impact.credentials) or "none"
    if errors:
        summary += ". Revoking failed for " + "; ".join(errors)
    outbox.send(
        NotificationKind.INTEGRATION_DISABLED,
        title=f'Integration "{bidi_safe(impact.integration)}" disabled',
        summary=summary + ".",
    )
    return DisableImpact(
        impact.integration, tuple(stopped), impact.credentials, True, tuple(errors)
    )
