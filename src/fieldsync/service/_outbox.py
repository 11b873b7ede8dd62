"""Sending notifications: into the store's inbox first, then to the notifier."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fieldsync._secrets import redact_text
from fieldsync.domain.sync import Notification, NotificationKind, RunCounts
from fieldsync.ports import Clock, Notifier, SyncStore

__all__ = ["Outbox", "describe_counts"]

_log = logging.getLogger("fieldsync.notify")


class Outbox:
    """Puts notifications in the inbox and hands them to the notifier.

    A notifier that raises is logged and ignored: a notification is never a reason for a
    run or a use case to fail. The inbox has it either way.
    """

    def __init__(
        self,
        *,
        store: SyncStore,
        notifier: Notifier | None,
        clock: Clock,
        ids: Callable[[], str],
    ) -> None:
        self._store = store
        self._notifier = notifier
        self._clock = clock
        self._ids = ids

    def send(
        self,
        kind: NotificationKind,
        *,
        title: str,
        summary: str,
        sync_id: str | None = None,
        run_id: str | None = None,
    ) -> Notification:
        """Store a new notification, deliver it, and return it.

        Raises:
            StoreError: the inbox cannot be written.
        """
        notification = Notification(
            id=self._ids(),
            kind=kind,
            title=redact_text(title),
            summary=redact_text(summary),
            created_at=self._clock.now(),
            sync_id=sync_id,
            run_id=run_id,
        )
        self._store.add_notification(notification)
        if self._notifier is not None:
            try:
                self._notifier.notify(notification)
            except Exception:
                _log.warning(
                    "the notifier failed to deliver notification %s (%s); it stays in the inbox",
                    notification.id,
                    kind.value,
                    exc_info=True,
                )
        return notification


def describe_counts(counts: RunCounts) -> str:
    """Counts in words: ``"120 records: 100 added, 5 updated, 10 unchanged, 5 skipped,
    0 failed"``."""
    return str(counts)
