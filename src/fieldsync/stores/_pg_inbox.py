"""The PostgreSQL store's disabled integrations and notification inbox (a mixin)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from fieldsync.domain.sync import Notification
from fieldsync.stores import _codec as codec
from fieldsync.stores import _pg_ops as ops
from fieldsync.stores._pg_db import Database

__all__ = ["PostgresInbox"]


class PostgresInbox:
    """The integration and notification methods of
    :class:`~fieldsync.stores.postgres.PostgresStore`, over its ``_db``."""

    _db: Database

    # integrations -------------------------------------------------------------------------

    def disable_integration(self, name: str, *, at: datetime) -> None:
        """Remember that an integration is disabled; the first time recorded is kept."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO integrations_disabled (name, disabled_at) VALUES (%s, %s)"
                " ON CONFLICT DO NOTHING",
                (name, at),
            )

    def disabled_integrations(self) -> dict[str, datetime]:
        """Disabled integrations and when they were disabled, in that order."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT name, disabled_at FROM integrations_disabled"
                ' ORDER BY disabled_at, name COLLATE "C"'
            ).fetchall()
        return {row["name"]: row["disabled_at"].astimezone(UTC) for row in rows}

    # notifications ------------------------------------------------------------------------

    def add_notification(self, notification: Notification) -> None:
        """Put a notification in the inbox. A taken id raises StoreError."""
        with self._db.transaction() as conn:
            ops.insert(conn, "notifications", codec.notification_to_row(notification))

    def notifications(self, *, unread_only: bool = False) -> list[Notification]:
        """The inbox, newest first."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM notifications WHERE NOT (%s AND is_read)"
                " ORDER BY created_at DESC, seq DESC",
                (unread_only,),
            ).fetchall()
        return [codec.notification_from_row(ops.row_out(row)) for row in rows]

    def mark_read(self, ids: Iterable[str] | None = None) -> int:
        """Mark these notifications (all with None) read; return how many were unread."""
        with self._db.transaction() as conn:
            return conn.execute(
                "UPDATE notifications SET is_read = true"
                " WHERE NOT is_read AND (%(all)s OR id = ANY(%(ids)s))",
                {"all": ids is None, "ids": [] if ids is None else list(ids)},
            ).rowcount
