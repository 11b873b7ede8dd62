"""The sync service's use cases around runs: create, register, pause, resume, edit, detail,
lists and the inbox."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from service_helpers import LIST, MAPPING, put_people

from fieldsync import SyncSpec
from fieldsync.domain.criteria import Condition, Criteria, Operator
from fieldsync.domain.fields import Field
from fieldsync.domain.mapping import FieldMap
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import RunStatus, Sync, SyncOptions
from fieldsync.exceptions import InvalidTransitionError, NotFoundError, StateError
from fieldsync.service import SyncService
from fieldsync.service.views import MappingRow
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget

INDIA = Criteria.all_of(Condition("country", Operator.EQ, "India"))


def test_a_new_sync_is_a_draft_at_version_1_with_every_record_and_no_schedule(
    sync: Sync,
) -> None:
    config = sync.config
    assert (SyncState.DRAFT, 1, Criteria.all(), Schedule.once(), SyncOptions()) == (
        sync.state,
        config.version,
        config.criteria,
        config.schedule,
        config.options,
    )


def test_a_new_sync_is_stored(service: SyncService, sync: Sync) -> None:
    assert [sync.id] == [s.id for s in service.list_syncs()]


def test_a_sync_of_an_unregistered_integration_is_refused(service: SyncService) -> None:
    with pytest.raises(NotFoundError, match="integration"):
        service.create_sync("nope", SyncSpec(name="x", list_key=LIST, mapping=MAPPING))


def test_registering_something_that_is_not_a_source_is_refused(service: SyncService) -> None:
    with pytest.raises(TypeError):
        service.register_integration("bad", source=object(), target=FakeTarget())  # type: ignore[arg-type]


def test_the_refusal_names_the_argument_and_the_missing_methods(service: SyncService) -> None:
    class HalfTarget:
        def schema(self) -> None: ...

    message = (
        r"register_integration\('bad'\): target= must implement fieldsync.ports.Target; "
        r"HalfTarget lacks capacity\(\), create_field\(\), describe_credentials\(\), "
        r"limits\(\), revoke\(\), upsert\(\)"
    )
    with pytest.raises(TypeError, match=message):
        service.register_integration("bad", source=FakeSource(), target=HalfTarget())  # type: ignore[arg-type]


def test_registering_a_disabled_integration_again_is_refused(service: SyncService) -> None:
    service.disable_integration("crm", confirm=True)

    with pytest.raises(StateError, match="disabled"):
        service.register_integration("crm", source=FakeSource(), target=FakeTarget())


def test_a_draft_cannot_run(service: SyncService, sync: Sync) -> None:
    with pytest.raises(InvalidTransitionError):
        service.run(sync.id)


def test_a_draft_cannot_be_paused(service: SyncService, sync: Sync) -> None:
    with pytest.raises(InvalidTransitionError):
        service.pause(sync.id)


def test_pause_and_resume_move_an_active_sync_and_back(service: SyncService, sync: Sync) -> None:
    service.initiate(sync.id)

    paused = service.pause(sync.id)
    resumed = service.resume(sync.id)

    assert (SyncState.PAUSED, SyncState.ACTIVE) == (paused.state, resumed.state)


def test_a_resumed_sync_without_an_unfinished_pass_keeps_its_next_run(
    service: SyncService, store: InMemoryStore, source: FakeSource
) -> None:
    put_people(source, 3)
    sync = service.create_sync(
        "crm",
        SyncSpec(name="Daily", list_key=LIST, mapping=MAPPING, schedule=Schedule.every(hours=1)),
    )
    service.initiate(sync.id)
    due = store.get_sync(sync.id).next_run_at
    service.pause(sync.id)

    assert due == service.resume(sync.id).next_run_at


def test_an_edit_makes_a_pending_version_and_leaves_the_configuration_alone(
    service: SyncService, sync: Sync
) -> None:
    edited = service.edit(sync.id, attrs.evolve(service.spec(sync.id), criteria=INDIA))

    assert (1, 2, INDIA) == (
        edited.config.version,
        edited.pending.version if edited.pending else None,
        edited.pending.criteria if edited.pending else None,
    )


def test_a_second_edit_builds_on_the_pending_version(service: SyncService, sync: Sync) -> None:
    service.edit(sync.id, attrs.evolve(service.spec(sync.id), criteria=INDIA))

    edited = service.edit(
        sync.id, attrs.evolve(service.spec(sync.id), schedule=Schedule.every(days=1))
    )

    pending = edited.pending
    assert pending is not None
    assert (3, INDIA, Schedule.every(days=1)) == (
        pending.version,
        pending.criteria,
        pending.schedule,
    )


def test_a_new_name_applies_at_once_without_a_new_version(service: SyncService, sync: Sync) -> None:
    edited = service.edit(sync.id, attrs.evolve(service.spec(sync.id), name="Renamed"))

    assert ("Renamed", None) == (edited.name, edited.pending)


def test_every_configuration_version_is_kept(service: SyncService, sync: Sync) -> None:
    service.edit(sync.id, attrs.evolve(service.spec(sync.id), criteria=INDIA))

    assert [1, 2] == [c.version for c in service.sync_detail(sync.id).config_versions]


def test_editing_a_sync_that_needs_attention_sends_it_back_to_draft(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget
) -> None:
    service.initiate(sync.id)
    put_people(source, 1)
    target.revoke_credentials()
    service.run(sync.id)

    edited = service.edit(sync.id, attrs.evolve(service.spec(sync.id), list_key="other"))

    assert SyncState.DRAFT == edited.state


def test_the_detail_shows_configuration_mapping_criteria_schedule_and_history(
    service: SyncService, source: FakeSource
) -> None:
    put_people(source, 2)
    mapping = MAPPING.with_pairs(FieldMap("country", "Country", create=True))
    sync = service.create_sync(
        "crm",
        SyncSpec(
            name="People",
            list_key=LIST,
            mapping=mapping,
            criteria=INDIA,
            schedule=Schedule.every(hours=6),
        ),
    )
    run = service.initiate(sync.id)

    detail = service.sync_detail(sync.id)

    assert (
        (
            MappingRow("email", "Contact Email"),
            MappingRow("first_name", "First Name"),
            MappingRow("country", "Country", create=True),
        ),
        INDIA.to_text(),
        Schedule.every(hours=6).describe(),
        [run.id],
        run.started_at + timedelta(hours=6),
    ) == (
        detail.mapping,
        detail.criteria,
        detail.schedule,
        [r.id for r in detail.history],
        detail.next_run_at,
    )


def test_history_lists_runs_newest_first(
    service: SyncService, sync: Sync, clock: FakeClock
) -> None:
    first = service.initiate(sync.id)
    clock.advance(60)
    second = service.run(sync.id)

    assert [second.id, first.id] == [r.id for r in service.history(sync.id)]


def test_syncs_can_be_listed_by_state(service: SyncService, sync: Sync) -> None:
    other = service.create_sync("crm", SyncSpec(name="Other", list_key=LIST, mapping=MAPPING))
    service.initiate(other.id)

    assert [other.id] == [s.id for s in service.list_syncs(state=SyncState.ACTIVE)]


def test_notifications_can_be_marked_read(service: SyncService, sync: Sync) -> None:
    service.initiate(sync.id)

    changed = service.mark_read()

    assert (1, []) == (changed, service.notifications(unread_only=True))


def test_a_target_field_created_by_initiate_shows_in_the_run(
    service: SyncService, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 1)
    mapping = MAPPING.with_pairs(FieldMap("country", "Country", create=True))
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=mapping))

    run = service.initiate(sync.id)

    assert (("Country",), Field("Country", custom=True)) == (
        run.fields_created,
        target.schema().get("Country"),
    )


def test_a_completed_run_is_in_the_history_with_its_status(
    service: SyncService, sync: Sync
) -> None:
    service.initiate(sync.id)

    assert [RunStatus.COMPLETED] == [r.status for r in service.history(sync.id)]
