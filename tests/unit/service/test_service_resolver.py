"""Integrations resolved on demand: a fleet's service builds an organization's adapters from
its own credential storage when a sync of it runs, keeps a few open, and closes the rest."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from service_helpers import LIST, MAPPING, START, counter_ids, put_people

from fieldsync import SyncSpec
from fieldsync.domain.schedule import Schedule
from fieldsync.exceptions import NotFoundError, StateError
from fieldsync.service import Integration, SyncService
from fieldsync.service._integrations import Integrations
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget


@attrs.define
class Organization:
    """What a user's resolver builds: adapters, and a close() that tidies them up."""

    source: FakeSource
    target: FakeTarget
    closed: int = 0

    def close(self) -> None:
        self.closed += 1


class Vault:
    """A user's credential storage: builds an organization's adapters by name."""

    def __init__(self, clock: FakeClock, names: tuple[str, ...]) -> None:
        self.clock = clock
        self.names = names
        self.built: list[Organization] = []

    def __call__(self, name: str) -> Organization | None:
        if name not in self.names:
            return None
        target = FakeTarget(max_batch=4)
        target.create_list(LIST)
        built = Organization(FakeSource(clock=self.clock, page_size=10), target)
        put_people(built.source, 3)
        self.built.append(built)
        return built


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def vault(clock: FakeClock) -> Vault:
    return Vault(clock, ("org-1", "org-2", "org-3"))


def a_service(vault: Vault, clock: FakeClock, cache_size: int = 2) -> SyncService:
    return SyncService(
        store=InMemoryStore(),
        clock=clock,
        ids=counter_ids(),
        resolver=vault,
        resolver_cache_size=cache_size,
    )


def test_a_sync_of_an_unregistered_integration_runs_with_the_resolvers_adapters(
    vault: Vault, clock: FakeClock
) -> None:
    service = a_service(vault, clock)
    sync = service.create_sync("org-1", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))

    run = service.initiate(sync.id)

    assert run.added == 3
    assert len(vault.built[-1].target.lists[LIST]) == 3


def test_a_resolved_integration_is_reused_while_it_stays_cached(
    vault: Vault, clock: FakeClock
) -> None:
    service = a_service(vault, clock)
    sync = service.create_sync("org-1", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))
    service.initiate(sync.id)

    service.run(sync.id)
    service.preview(sync.id)

    assert len(vault.built) == 1


def test_the_least_recently_used_integration_is_closed_when_the_cache_is_full(
    vault: Vault, clock: FakeClock
) -> None:
    service = a_service(vault, clock, cache_size=2)
    for name in ("org-1", "org-2", "org-3"):
        service.create_sync(name, SyncSpec(name=name, list_key=LIST, mapping=MAPPING))

    assert [org.closed for org in vault.built] == [1, 0, 0]


def test_an_integration_in_use_is_closed_only_when_its_run_is_done() -> None:
    built: dict[str, Organization] = {}

    def resolver(name: str) -> Organization:
        built[name] = Organization(FakeSource(), FakeTarget())
        return built[name]

    integrations = Integrations(resolver, cache_size=1)
    with integrations.use("org-1"):
        with integrations.use("org-2"):
            closed_while_running = built["org-1"].closed
        closed_before_the_end = built["org-1"].closed

    assert (closed_while_running, closed_before_the_end, built["org-1"].closed) == (0, 0, 1)


def test_a_name_the_resolver_does_not_know_is_not_found(vault: Vault, clock: FakeClock) -> None:
    service = a_service(vault, clock)

    with pytest.raises(NotFoundError):
        service.create_sync("nobody", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))


def test_registered_integrations_come_before_the_resolver(vault: Vault, clock: FakeClock) -> None:
    service = a_service(vault, clock)
    target = FakeTarget()
    target.create_list(LIST)
    service.register_integration("org-1", source=FakeSource(clock=clock), target=target)

    service.create_sync("org-1", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))

    assert vault.built == []


def test_a_resolver_returning_something_else_than_adapters_is_a_type_error(
    clock: FakeClock,
) -> None:
    service = SyncService(
        store=InMemoryStore(),
        clock=clock,
        resolver=lambda name: Integration("no", "no"),  # type: ignore[arg-type]
    )

    with pytest.raises(TypeError):
        service.create_sync("x", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))


def test_run_due_runs_the_due_syncs_of_resolved_integrations(
    vault: Vault, clock: FakeClock
) -> None:
    service = a_service(vault, clock)
    hourly = Schedule.every(hours=1)
    for name in ("org-1", "org-2"):
        sync = service.create_sync(
            name, SyncSpec(name=name, list_key=LIST, mapping=MAPPING, schedule=hourly)
        )
        service.initiate(sync.id)
    clock.advance(timedelta(hours=2))

    runs = service.run_due()

    assert sorted(run.trigger.value for run in runs) == ["schedule", "schedule"]


def test_run_due_leaves_out_syncs_whose_integration_the_resolver_forgot(
    vault: Vault, clock: FakeClock
) -> None:
    service = a_service(vault, clock, cache_size=1)
    sync = service.create_sync(
        "org-1",
        SyncSpec(name="People", list_key=LIST, mapping=MAPPING, schedule=Schedule.every(hours=1)),
    )
    service.initiate(sync.id)
    vault.names = ("org-2",)  # org-1 left: its credentials are gone from the vault
    # resolving org-2 pushes org-1 out of the one-place cache
    service.create_sync("org-2", SyncSpec(name="Other", list_key=LIST, mapping=MAPPING))
    clock.advance(timedelta(hours=2))

    assert service.run_due() == []


def test_disabling_a_resolved_integration_revokes_and_never_resolves_it_again(
    vault: Vault, clock: FakeClock
) -> None:
    service = a_service(vault, clock)
    sync = service.create_sync("org-1", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))

    service.disable_integration("org-1", confirm=True)

    org = vault.built[0]
    assert (org.source.revoked, org.target.revoked, org.closed) == (True, True, 1)
    with pytest.raises(StateError):
        service.preview(sync.id)
    assert len(vault.built) == 1


def test_closing_closes_idle_integrations_now_and_busy_ones_when_their_run_ends() -> None:
    built: dict[str, Organization] = {}

    def resolver(name: str) -> Organization:
        built[name] = Organization(FakeSource(), FakeTarget())
        return built[name]

    integrations = Integrations(resolver)
    with integrations.use("idle"):
        pass
    with integrations.use("busy"):
        integrations.close()
        closed_during_the_run = (built["idle"].closed, built["busy"].closed)

    assert (closed_during_the_run, built["busy"].closed) == ((1, 0), 1)


def test_a_name_resolved_twice_at_once_keeps_one_copy_and_closes_the_other() -> None:
    built: list[Organization] = []
    integrations: Integrations

    def resolver(name: str) -> Organization:
        built.append(Organization(FakeSource(), FakeTarget()))
        mine = built[-1]
        if len(built) == 1:  # another thread resolves the same name meanwhile
            with integrations.use(name):
                pass
        return mine

    integrations = Integrations(resolver)
    with integrations.use("org") as adapters:
        used = adapters.source

    assert used is built[1].source
    assert [org.closed for org in built] == [1, 0]


def test_an_integration_without_close_has_its_adapters_closed() -> None:
    closed: list[str] = []

    class Closing(FakeTarget):
        def close(self) -> None:
            closed.append("target")

    integrations = Integrations(lambda name: Integration(FakeSource(), Closing()), cache_size=1)
    with integrations.use("a"):
        pass
    with integrations.use("b"):
        pass

    assert closed == ["target"]


def test_a_cache_of_no_place_is_refused() -> None:
    with pytest.raises(ValueError, match="cache_size"):
        Integrations(cache_size=0)
