"""preview (a dry run that writes nothing) and disable_integration (impact, then confirm)."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest
from service_helpers import LIST, put_people

from fieldsync import SyncSpec
from fieldsync.domain.criteria import Condition, Criteria, Operator
from fieldsync.domain.fields import Field
from fieldsync.domain.mapping import FieldMap, FieldMapping
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import NotificationKind, Sync, SyncOptions
from fieldsync.exceptions import (
    AuthenticationError,
    InvalidTransitionError,
    NotFoundError,
    StoreError,
)
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget, RecordingNotifier

# -- preview -----------------------------------------------------------------------------


def test_a_preview_counts_what_the_run_would_do_and_writes_nothing(
    service: SyncService,
    sync: Sync,
    source: FakeSource,
    target: FakeTarget,
    store: InMemoryStore,
) -> None:
    put_people(source, 12)
    source.put("bad", {"email": "nope"})
    source.put("twin", {"email": "person3@example.com"})

    preview = service.preview(sync.id)

    assert (
        (12, 0, 0),
        {ReasonCode.INVALID_EMAIL: 1, ReasonCode.DUPLICATE_EMAIL: 1},
        (0, [], []),
    ) == (
        (preview.would_add, preview.would_update, preview.unchanged),
        preview.skipped_by_reason,
        (target.calls, store.runs(sync.id), store.notifications()),
    )


def test_a_preview_after_a_run_sees_unchanged_and_changed_records(
    service: SyncService, sync: Sync, source: FakeSource, clock: FakeClock
) -> None:
    put_people(source, 3)
    service.initiate(sync.id)
    clock.advance(3600)
    source.put("c000", {"email": "person0@example.com", "first_name": "New"})

    preview = service.preview(sync.id)

    assert (0, 1, 2) == (preview.would_add, preview.would_update, preview.unchanged)


def test_a_preview_reports_problems_and_fields_to_create_without_reading(
    service: SyncService, source: FakeSource
) -> None:
    mapping = FieldMapping.of(("first_name", "First Name"), FieldMap("country", "Country", True))
    criteria = Criteria.all_of(Condition("planet", Operator.EQ, "Earth"))
    sync = service.create_sync(
        "crm", SyncSpec(name="Bad", list_key=LIST, mapping=mapping, criteria=criteria)
    )

    preview = service.preview(sync.id)

    assert (False, (Field("Country", custom=True),), []) == (
        preview.ok,
        preview.fields_to_create,
        source.reads,
    )


def test_a_preview_shows_a_pending_configuration(
    service: SyncService, sync: Sync, source: FakeSource
) -> None:
    put_people(source, 2)
    service.edit(
        sync.id,
        attrs.evolve(
            service.spec(sync.id),
            criteria=Criteria.all_of(Condition("first_name", Operator.EQ, "P0")),
        ),
    )

    preview = service.preview(sync.id)

    assert (2, 1, {ReasonCode.CRITERIA_NOT_MET: 1}) == (
        preview.config_version,
        preview.would_add,
        preview.skipped_by_reason,
    )


def test_a_preview_of_a_pending_edit_reads_from_its_retrieve_since_as_initiate_will(
    service: SyncService, sync: Sync, source: FakeSource, clock: FakeClock
) -> None:
    put_people(source, 2)
    clock.advance(timedelta(days=1))
    put_people(source, 1, first=2)
    service.edit(
        sync.id,
        attrs.evolve(
            service.spec(sync.id),
            options=SyncOptions(retrieve_since=clock.now() - timedelta(hours=1)),
        ),
    )

    preview = service.preview(sync.id)
    run = service.initiate(sync.id)

    assert (preview.would_add, preview.total) == (1, 1) == (run.added, run.total)


# -- disable_integration -----------------------------------------------------------------


def test_the_impact_lists_syncs_and_credentials_and_changes_nothing(
    service: SyncService, sync: Sync, store: InMemoryStore, target: FakeTarget
) -> None:
    impact = service.disable_integration("crm")

    assert (
        [sync.id],
        ("fake source token", "fake target token"),
        False,
        SyncState.DRAFT,
        False,
        {},
    ) == (
        [s.id for s in impact.syncs],
        impact.credentials,
        impact.confirmed,
        store.get_sync(sync.id).state,
        target.revoked,
        store.disabled_integrations(),
    )


def test_confirming_disables_the_syncs_revokes_and_keeps_the_history(
    service: SyncService,
    sync: Sync,
    store: InMemoryStore,
    source: FakeSource,
    target: FakeTarget,
    notifier: RecordingNotifier,
) -> None:
    run = service.initiate(sync.id)

    done = service.disable_integration("crm", confirm=True)

    assert (
        True,
        [SyncState.DISABLED],
        (True, True),
        [run.id],
        ["crm"],
        NotificationKind.INTEGRATION_DISABLED,
    ) == (
        done.confirmed,
        [s.state for s in done.syncs],
        (source.revoked, target.revoked),
        [r.id for r in service.history(sync.id)],
        list(store.disabled_integrations()),
        notifier.kinds[-1],
    )


def test_a_disabled_integration_can_run_nothing_again(service: SyncService, sync: Sync) -> None:
    service.initiate(sync.id)
    service.disable_integration("crm", confirm=True)

    with pytest.raises(InvalidTransitionError):
        service.run(sync.id)


def test_credentials_shared_by_source_and_target_are_listed_once(
    service: SyncService, sync: Sync
) -> None:
    class SharedSource(FakeSource):
        def describe_credentials(self) -> tuple[str, ...]:
            return ("fake target token",)

    service.register_integration("crm", source=SharedSource(), target=FakeTarget())

    assert ("fake target token",) == service.disable_integration("crm").credentials


def test_a_revoke_that_fails_is_reported_not_raised(service: SyncService, sync: Sync) -> None:
    class Unrevokable(FakeTarget):
        def revoke(self) -> None:
            raise AuthenticationError("token already invalid")

    service.register_integration("crm", source=FakeSource(), target=Unrevokable())

    done = service.disable_integration("crm", confirm=True)

    assert (("target: token already invalid",), SyncState.DISABLED) == (
        done.revoke_errors,
        done.syncs[0].state,
    )


def test_disabling_an_unknown_integration_is_refused(service: SyncService) -> None:
    with pytest.raises(NotFoundError):
        service.disable_integration("nope")


def test_preview_of_a_sync_whose_integration_is_not_registered_is_refused(
    service: SyncService, sync: Sync, store: InMemoryStore, clock: FakeClock
) -> None:
    fresh = SyncService(store=store, clock=clock)

    with pytest.raises(NotFoundError, match="integration"):
        fresh.preview(sync.id)


class FailingOnceStore(InMemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.fail = True

    def disable_integration(self, name: str, *, at: datetime) -> None:
        if self.fail:
            self.fail = False
            raise StoreError("the disk is full")
        super().disable_integration(name, at=at)


def test_a_disable_retried_after_a_store_failure_still_revokes_the_credentials(
    source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    store = FailingOnceStore()
    service = SyncService(store=store, clock=clock)
    service.register_integration("crm", source=source, target=target)
    with pytest.raises(StoreError):
        service.disable_integration("crm", confirm=True)

    done = service.disable_integration("crm", confirm=True)

    assert done.confirmed
    assert (source.revoked, target.revoked) == (True, True)
    assert done.credentials != ()
