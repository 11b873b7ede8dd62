"""initiate: validation against the live schemas, the plan-limit disclaimer, new fields,
pending configurations, and the first run."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from service_helpers import LIST, MAPPING, put_people

from fieldsync import SyncSpec
from fieldsync.domain.criteria import Condition, Criteria, Operator
from fieldsync.domain.fields import Field, Schema
from fieldsync.domain.mapping import FieldMap, FieldMapping
from fieldsync.domain.records import Capacity
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import RunStatus, RunTrigger, Sync
from fieldsync.exceptions import (
    DisclaimerNotAcknowledgedError,
    InvalidConfigurationError,
    InvalidTransitionError,
    StateError,
    SyncAlreadyRunningError,
)
from fieldsync.service import DISCLAIMER, SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget

BROKEN = FieldMapping.of(("first_name", "First Name"), ("nickname", "Nick Name"))
UNKNOWN_FIELD = Criteria.all_of(Condition("planet", Operator.EQ, "Earth"))


def limited(service: SyncService, target: FakeTarget, *, limit: int, auto_upgrade: bool) -> Sync:
    target.plan_limit, target.auto_upgrade = limit, auto_upgrade
    return service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))


def test_initiate_runs_the_sync_at_once_and_activates_it(
    service: SyncService, sync: Sync, source: FakeSource, store: InMemoryStore
) -> None:
    put_people(source, 3)

    run = service.initiate(sync.id)

    assert (RunTrigger.INITIATE, RunStatus.COMPLETED, 3, SyncState.ACTIVE) == (
        run.trigger,
        run.status,
        run.added,
        store.get_sync(sync.id).state,
    )


def test_every_mapping_and_criteria_problem_is_reported_at_once(service: SyncService) -> None:
    sync = service.create_sync(
        "crm", SyncSpec(name="Bad", list_key=LIST, mapping=BROKEN, criteria=UNKNOWN_FIELD)
    )

    with pytest.raises(InvalidConfigurationError) as refused:
        service.initiate(sync.id)

    codes = {p.code for p in refused.value.problems}
    assert {"email_not_mapped", "unknown_source_field", "unknown_target_field"} <= codes
    assert len(codes) >= 4  # and the criteria's unknown field


def test_a_refused_initiate_changes_nothing(
    service: SyncService, store: InMemoryStore, target: FakeTarget
) -> None:
    mapping = BROKEN.with_pairs(FieldMap("country", "Country", create=True))
    sync = service.create_sync("crm", SyncSpec(name="Bad", list_key=LIST, mapping=mapping))

    with pytest.raises(InvalidConfigurationError):
        service.initiate(sync.id)

    assert (SyncState.DRAFT, [], [], 0) == (
        store.get_sync(sync.id).state,
        store.runs(sync.id),
        target.fields_created,
        target.calls,
    )


def test_a_sync_that_may_pass_an_auto_upgrading_plan_limit_needs_the_disclaimer(
    service: SyncService, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 3)
    sync = limited(service, target, limit=2, auto_upgrade=True)

    with pytest.raises(DisclaimerNotAcknowledgedError) as refused:
        service.initiate(sync.id)

    error = refused.value
    assert (DISCLAIMER, 0, 2, 3, 0) == (
        error.disclaimer,
        error.used,
        error.limit,
        error.incoming,
        target.calls,
    )


def test_an_acknowledged_disclaimer_lets_the_sync_upgrade_the_plan(
    service: SyncService, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 3)
    sync = limited(service, target, limit=2, auto_upgrade=True)

    run = service.initiate(sync.id, acknowledge_disclaimer=True)

    assert (3, 1) == (run.added, target.upgrades)


def test_no_disclaimer_is_needed_when_the_plan_cannot_upgrade(
    service: SyncService, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 3)
    sync = limited(service, target, limit=2, auto_upgrade=False)

    run = service.initiate(sync.id)

    assert RunStatus.DEFERRED == run.status


def test_no_disclaimer_is_needed_when_everything_fits(
    service: SyncService, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 3)
    sync = limited(service, target, limit=3, auto_upgrade=True)

    assert RunStatus.COMPLETED == service.initiate(sync.id).status


def test_initiate_applies_a_pending_configuration_and_reads_every_record_again(
    service: SyncService, sync: Sync, source: FakeSource, store: InMemoryStore, clock: FakeClock
) -> None:
    put_people(source, 2)
    service.initiate(sync.id)
    clock.advance(3600)
    service.edit(
        sync.id,
        attrs.evolve(service.spec(sync.id), mapping=MAPPING.with_pairs(("last_name", "Last Name"))),
    )

    run = service.initiate(sync.id)

    stored = store.get_sync(sync.id)
    assert (2, None, 2, (None, None)) == (
        stored.config.version,
        stored.pending,
        run.config_version,
        source.reads[-1],
    )


def test_a_disabled_sync_cannot_be_initiated(service: SyncService, sync: Sync) -> None:
    service.disable_integration("crm", confirm=True)

    with pytest.raises(InvalidTransitionError):
        service.initiate(sync.id)


def test_initiate_while_another_worker_runs_the_sync_changes_nothing(
    service: SyncService, sync: Sync, store: InMemoryStore, clock: FakeClock
) -> None:
    service.initiate(sync.id)
    service.edit(
        sync.id,
        attrs.evolve(service.spec(sync.id), mapping=MAPPING.with_pairs(("last_name", "Last Name"))),
    )
    store.acquire_lease(sync.id, "elsewhere", now=clock.now(), ttl=timedelta(minutes=5))

    with pytest.raises(SyncAlreadyRunningError):
        service.initiate(sync.id)
    assert 1 == store.get_sync(sync.id).config.version


class RenamingTarget(FakeTarget):
    """Creates fields under letters and digits only, as Zoho Campaigns does."""

    def create_field(self, field: Field) -> Field:
        return super().create_field(attrs.evolve(field, name=field.name.replace(" ", "")))


def test_a_field_the_target_created_under_another_name_is_mapped_by_that_name(
    store: InMemoryStore, clock: FakeClock, source: FakeSource
) -> None:
    target = RenamingTarget()
    target.create_list(LIST)
    service = SyncService(store=store, clock=clock)
    service.register_integration("crm", source=source, target=target)
    source.put("p1", {"email": "ann@example.com", "first_name": "Ann", "country": "India"})
    sync = service.create_sync(
        "crm",
        SyncSpec(
            name="People",
            list_key=LIST,
            mapping=MAPPING.with_pairs(FieldMap("country", "Home Country", create=True)),
        ),
    )

    run = service.initiate(sync.id)

    config = service.sync_detail(sync.id).sync.config
    assert ("country", "HomeCountry") in [(p.source, p.target) for p in config.mapping]
    assert (config.version, run.config_version) == (2, 2)
    assert target.contact(LIST, "ann@example.com") == {
        "Contact Email": "ann@example.com",
        "First Name": "Ann",
        "HomeCountry": "India",
    }


def test_moving_a_sync_to_another_list_sends_every_record_to_the_new_list(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 3)
    service.initiate(sync.id)
    target.create_list("other")
    service.edit(sync.id, attrs.evolve(service.spec(sync.id), list_key="other"))

    run = service.initiate(sync.id)

    assert (run.added, run.unchanged) == (3, 0)
    assert len(target.lists["other"]) == 3


def test_a_created_field_the_target_lost_is_created_again_and_every_record_resent(
    service: SyncService, source: FakeSource, target: FakeTarget
) -> None:
    for n in range(3):
        source.put(f"c{n}", {"email": f"p{n}@example.com", "first_name": "P", "country": "Peru"})
    sync = service.create_sync(
        "crm",
        SyncSpec(
            name="People",
            list_key=LIST,
            mapping=MAPPING.with_pairs(FieldMap("country", "Country", create=True)),
        ),
    )
    service.initiate(sync.id)
    # someone deletes the field in the target, and its values with it
    target._schema = Schema(f for f in target.schema() if f.name != "Country")
    for contact in target.lists[LIST].values():
        contact.pop("Country", None)

    run = service.run(sync.id)

    assert run.fields_created == ("Country",)
    assert (run.updated + run.added, run.unchanged) == (3, 0)
    assert all("Country" in c for c in target.lists[LIST].values())


def test_a_pause_that_lands_while_initiate_talks_to_the_target_is_not_undone(
    store: InMemoryStore, clock: FakeClock, source: FakeSource
) -> None:
    service = SyncService(store=store, clock=clock)

    class PausingTarget(FakeTarget):
        armed = False

        def capacity(self, list_key: str) -> Capacity:
            if self.armed:
                service.pause(sync.id)  # another process, in effect
            return super().capacity(list_key)

    target = PausingTarget()
    target.create_list(LIST)
    service.register_integration("crm", source=source, target=target)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))
    service.initiate(sync.id)  # active now
    put_people(source, 2)
    target.armed = True

    with pytest.raises(StateError):
        service.initiate(sync.id)

    assert service.sync_detail(sync.id).sync.state is SyncState.PAUSED
