"""Notifications go to the inbox, then to the notifier; a failing notifier changes nothing."""

from __future__ import annotations

import itertools
import logging

import pytest

from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.sync import Notification, NotificationKind, RunCounts
from fieldsync.service._outbox import Outbox, describe_counts
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock


class BrokenNotifier:
    def notify(self, notification: Notification) -> None:
        raise ConnectionError("webhook down")


def test_a_failing_notifier_is_logged_and_the_notification_stays_in_the_inbox(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = InMemoryStore()
    numbers = itertools.count()
    outbox = Outbox(
        store=store, notifier=BrokenNotifier(), clock=FakeClock(), ids=lambda: str(next(numbers))
    )

    with caplog.at_level(logging.WARNING, logger="fieldsync"):
        sent = outbox.send(NotificationKind.RUN_COMPLETED, title="t", summary="s", sync_id="x")

    assert ([sent.id], 1) == ([n.id for n in store.notifications()], len(caplog.records))


def test_counts_are_described_in_words() -> None:
    counts = RunCounts(
        added=100,
        updated=5,
        unchanged=10,
        skipped_by_reason={ReasonCode.INVALID_EMAIL: 3, ReasonCode.CRITERIA_NOT_MET: 2},
    )

    assert "120 records: 100 added, 5 updated, 10 unchanged, 5 skipped, 0 failed" == (
        describe_counts(counts)
    )
