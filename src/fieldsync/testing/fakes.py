"""Working in-memory fakes of the ports, for testing code that uses fieldsync.

- :class:`FakeSource`: records in memory, read page by page like a real source.
- :class:`FakeTarget`: mailing lists in memory, with plan limits, group addresses,
  double opt-in and fault hooks.
- :class:`RecordingNotifier`: keeps every notification it is given.

They record what happened (``FakeTarget.upserts``, ``FakeSource.reads``,
``RecordingNotifier.sent``) so that a test asserts on end state rather than on calls.
``docs/testing.md`` walks through a whole test.
"""

from __future__ import annotations

from fieldsync.domain.sync import Notification, NotificationKind
from fieldsync.testing.fake_source import CONTACT_SCHEMA, FakeSource
from fieldsync.testing.fake_target import DEFAULT_GROUP_PREFIXES, DEFAULT_TARGET_FIELDS, FakeTarget

__all__ = [
    "CONTACT_SCHEMA",
    "DEFAULT_GROUP_PREFIXES",
    "DEFAULT_TARGET_FIELDS",
    "FakeSource",
    "FakeTarget",
    "RecordingNotifier",
]


class RecordingNotifier:
    """A :class:`~fieldsync.ports.Notifier` that keeps what it is sent, in order.

    Attributes:
        sent: every notification delivered.
    """

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def __repr__(self) -> str:
        return f"RecordingNotifier(sent={len(self.sent)})"

    def notify(self, notification: Notification) -> None:
        """Keep ``notification``."""
        self.sent.append(notification)

    @property
    def kinds(self) -> list[NotificationKind]:
        """The kinds of the notifications sent, in order."""
        return [n.kind for n in self.sent]
