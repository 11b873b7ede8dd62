"""The one rule both stores apply before a run may write: it must hold the sync's lease."""

from __future__ import annotations

from datetime import datetime

from fieldsync.exceptions import SyncAlreadyRunningError

__all__ = ["require_holder"]


def require_holder(
    sync_id: str, owner: str, held: tuple[str, datetime] | None, *, when_free: datetime
) -> None:
    """Raise unless ``owner`` holds the lease ``held`` (owner, expiry) of ``sync_id``.

    Nobody holding it counts as losing it too (it was taken over and given back); the
    error then says ``when_free`` for the expiry.

    Raises:
        SyncAlreadyRunningError: another owner holds the lease, or nobody does.
    """
    if held is None or held[0] != owner:
        raise SyncAlreadyRunningError(sync_id, expires_at=when_free if held is None else held[1])
