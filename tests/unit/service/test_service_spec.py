"""create_sync, edit and check with a SyncSpec; the text rules at the door; the read
models kept for a short time; the keyword forms still working, with a warning."""

from __future__ import annotations

import warnings
from datetime import timedelta
from typing import Any, NamedTuple

import attrs
import pytest
from service_helpers import LIST, MAPPING

from fieldsync import (
    Criteria,
    FieldMap,
    InvalidConfigurationError,
    NotFoundError,
    Schedule,
    StateError,
    Sync,
    SyncOptions,
    SyncSpec,
)
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget

SPEC = SyncSpec(name="People", list_key=LIST, mapping=MAPPING)


class NamedList(NamedTuple):
    key: str
    name: str


class CountingTarget:
    """A FakeTarget that counts its schema reads and can list its lists."""

    def __init__(self, inner: FakeTarget, lists: dict[str, str]) -> None:
        self.inner, self.names, self.reads = inner, lists, {"schema": 0, "lists": 0}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def schema(self) -> Any:
        self.reads["schema"] += 1
        return self.inner.schema()

    def lists(self) -> list[NamedList]:
        self.reads["lists"] += 1
        return [NamedList(key, name) for key, name in self.names.items()]


@pytest.fixture
def counting(target: FakeTarget) -> CountingTarget:
    return CountingTarget(target, {LIST: "Newsletter", "other": "Other"})


@pytest.fixture
def listed(clock: FakeClock, source: FakeSource, counting: CountingTarget) -> SyncService:
    service = SyncService(store=InMemoryStore(), clock=clock)
    service.register_integration("crm", source=source, target=counting)  # type: ignore[arg-type]
    return service


# -- create_sync and edit ----------------------------------------------------------------------


def test_create_sync_takes_the_integration_and_a_spec(service: SyncService) -> None:
    sync = service.create_sync("crm", SPEC)

    assert (sync.name, sync.integration, sync.config.version) == ("People", "crm", 1)
    assert service.spec(sync.id) == SPEC


@pytest.mark.parametrize(
    "bad",
    [
        attrs.evolve(SPEC, name="S\x00x"),
        attrs.evolve(SPEC, name="x" * 256),
        attrs.evolve(SPEC, list_key="half \ud83d"),
        attrs.evolve(SPEC, mapping=MAPPING.with_pairs(("first\x07", "Bell"))),
    ],
)
def test_text_that_breaks_a_rule_never_reaches_the_store(
    service: SyncService, bad: SyncSpec
) -> None:
    with pytest.raises(InvalidConfigurationError, match=r"invalid_character|too_long"):
        service.create_sync("crm", bad)
    sync = service.create_sync("crm", SPEC)
    with pytest.raises(InvalidConfigurationError):
        service.edit(sync.id, bad)

    assert [s.name for s in service.list_syncs()] == ["People"]
    assert service.get_sync(sync.id) == sync


def test_a_new_name_alone_applies_at_once(service: SyncService, sync: Sync) -> None:
    edited = service.edit(sync.id, attrs.evolve(SPEC, name="Renamed"))

    assert (edited.name, edited.pending) == ("Renamed", None)


def test_the_spec_is_the_whole_new_configuration(service: SyncService, sync: Sync) -> None:
    new = attrs.evolve(SPEC, criteria=Criteria.parse('country == "IN"'), options=SyncOptions(True))

    edited = service.edit(sync.id, new)

    assert edited.pending is not None
    assert (edited.pending.version, edited.pending.criteria) == (2, new.criteria)
    assert service.spec(sync.id) == new
    assert service.edit(sync.id, SPEC).pending is not None  # back to v1's values: v3


# -- check ---------------------------------------------------------------------------------


def test_a_good_spec_has_no_problem(listed: SyncService) -> None:
    assert listed.check("crm", SPEC) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"list_key": "nope"}, [("unknown_list", "list_key", None)]),
        (
            {"mapping": MAPPING.with_pairs(("nowhere", "Nowhere"))},
            [("unknown_source_field", "mapping", 2), ("unknown_target_field", "mapping", 2)],
        ),
        ({"mapping": MAPPING.with_pairs(FieldMap("nowhere", "Nowhere", True))}, None),
        ({"criteria": Criteria.parse('nope == "x"')}, [("unknown_field", "criteria", None)]),
        ({"name": ""}, [("required", "name", None)]),
        (
            {"name": "a\x00", "list_key": "nope"},
            [("invalid_character", "name", None), ("unknown_list", "list_key", None)],
        ),
    ],
)
def test_check_names_every_problem_and_where(
    listed: SyncService, changes: dict[str, Any], expected: list[tuple[str, str, int | None]] | None
) -> None:
    found = listed.check("crm", attrs.evolve(SPEC, **changes))

    if expected is None:
        assert [p.code for p in found] == ["unknown_source_field"]
    else:
        assert [(p.code, p.field, p.row) for p in found] == expected


def test_a_target_that_cannot_list_has_any_list_key(service: SyncService) -> None:
    assert service.check("crm", attrs.evolve(SPEC, list_key="anything")) == []


def test_check_refuses_an_unknown_or_disabled_integration(service: SyncService) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        service.check("nope", SPEC)
    service.target_schema("crm")  # kept, yet never handed out once disabled
    service.disable_integration("crm", confirm=True)
    with pytest.raises(StateError, match="disabled"):
        service.check("crm", SPEC)


# -- read models -----------------------------------------------------------------------------


def test_read_models_are_kept_for_thirty_seconds(
    listed: SyncService, counting: CountingTarget, clock: FakeClock
) -> None:
    for _ in range(3):
        listed.target_schema("crm")
        listed.mailing_lists("crm")
        listed.check("crm", SPEC)
    kept = dict(counting.reads)
    clock.advance(timedelta(seconds=29))
    listed.target_schema("crm")
    clock.advance(timedelta(seconds=1))
    listed.target_schema("crm")

    assert kept == {"schema": 1, "lists": 1}
    assert counting.reads == {"schema": 2, "lists": 1}
    assert listed.mailing_lists("crm") == {LIST: "Newsletter", "other": "Other"}


def test_a_field_created_at_initiate_is_seen_at_once(listed: SyncService) -> None:
    spec = attrs.evolve(SPEC, mapping=MAPPING.with_pairs(FieldMap("country", "Country", True)))
    sync = listed.create_sync("crm", spec)
    assert "Country" not in listed.target_schema("crm")

    listed.initiate(sync.id)

    assert "Country" in listed.target_schema("crm")
    assert listed.check("crm", spec) == []


def test_registering_again_forgets_what_was_kept(
    listed: SyncService, source: FakeSource, counting: CountingTarget
) -> None:
    listed.target_schema("crm")
    listed.register_integration("crm", source=source, target=counting)  # type: ignore[arg-type]
    listed.target_schema("crm")

    assert counting.reads["schema"] == 2


def test_a_time_to_live_of_zero_reads_every_time(
    clock: FakeClock, source: FakeSource, counting: CountingTarget
) -> None:
    service = SyncService(store=InMemoryStore(), clock=clock, read_model_ttl=timedelta(0))
    service.register_integration("crm", source=source, target=counting)  # type: ignore[arg-type]

    service.target_schema("crm")
    service.target_schema("crm")

    assert counting.reads["schema"] == 2


def test_integration_details_describe_without_changing_anything(service: SyncService) -> None:
    details = service.integration_details("crm")

    assert (details.source_type, details.target_type) == ("FakeSource", "FakeTarget")
    assert details.credentials == ("fake source token", "fake target token")
    assert service.integrations()[0].disabled_at is None


def test_the_source_schema_is_the_sources(service: SyncService, source: FakeSource) -> None:
    assert service.source_schema("crm") == source.schema()


# -- the deprecated keyword forms ----------------------------------------------------------


def test_the_keyword_form_of_create_sync_still_works_with_a_warning(service: SyncService) -> None:
    with pytest.warns(DeprecationWarning, match=r"create_sync\(integration, ") as caught:
        sync = service.create_sync(  # type: ignore[call-overload]
            "People",
            integration="crm",
            list_key=LIST,
            mapping=MAPPING,
            schedule=Schedule.every(hours=6),
        )

    assert caught[0].filename == __file__  # the warning points at the caller
    assert service.spec(sync.id) == attrs.evolve(SPEC, schedule=Schedule.every(hours=6))


def test_the_keyword_form_of_edit_changes_only_what_it_names(
    service: SyncService, sync: Sync
) -> None:
    with pytest.warns(DeprecationWarning, match=r"edit\(sync_id, spec\)") as caught:
        service.edit(sync.id, criteria=Criteria.parse('country == "IN"'))  # type: ignore[call-overload]

    assert caught[0].filename == __file__
    assert service.spec(sync.id) == attrs.evolve(SPEC, criteria=Criteria.parse('country == "IN"'))


def test_the_new_forms_warn_nothing(service: SyncService) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sync = service.create_sync(integration="crm", spec=SPEC)
        service.edit(sync.id, spec=SPEC)


def test_neither_form_is_a_type_error(service: SyncService) -> None:
    with pytest.raises(TypeError):
        service.create_sync("crm")  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        service.edit(service.create_sync("crm", SPEC).id)  # type: ignore[call-overload]
