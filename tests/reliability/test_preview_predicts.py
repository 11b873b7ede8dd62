"""Preview predicts what the run does: the fields initiate creates, and the counts of adds,
updates, unchanged records and skips by reason (group addresses the target refuses too),
for a first run and after an edit, against emulated Zoho and against the fakes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldsync import SyncSpec
from fieldsync.domain.criteria import Criteria
from fieldsync.domain.mapping import FieldMap, FieldMapping
from fieldsync.domain.sync import SyncRun
from fieldsync.service import SyncService
from fieldsync.service.views import Preview
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import EmulatedZoho
from fieldsync.testing.fakes import FakeSource, FakeTarget

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BASE = (
    ("email", "Contact Email"),
    ("first_name", "First Name"),
    ("last_name", "Last Name"),
)


def counts(preview: Preview) -> tuple[int, int, int, dict[str, int]]:
    skipped = {reason.value: n for reason, n in preview.skipped_by_reason.items()}
    return preview.would_add, preview.would_update, preview.unchanged, skipped


def done(run: SyncRun) -> tuple[int, int, int, dict[str, int]]:
    skipped = {reason.value: n for reason, n in run.counts.skipped_by_reason.items()}
    skipped.update((reason.value, n) for reason, n in run.counts.failed_by_reason.items())
    return run.added, run.updated, run.unchanged, skipped


def zoho_service(contacts: int = 400) -> tuple[EmulatedZoho, SyncService]:
    zoho = EmulatedZoho.build(contacts=contacts, seed=5, clock=FakeClock(START))
    service = SyncService(store=InMemoryStore(), clock=zoho.clock)
    service.register_integration("zoho", source=zoho.source, target=zoho.target)
    return zoho, service


def test_the_first_preview_predicts_the_first_run_group_addresses_and_new_fields_included() -> None:
    zoho, service = zoho_service()
    mapping = FieldMapping.of(*BASE, FieldMap("Region", "Region", create=True))
    sync = service.create_sync(
        "zoho",
        SyncSpec(
            name="S",
            list_key=zoho.list_key,
            mapping=mapping,
            criteria=Criteria.parse('status == "active"'),
        ),
    )

    preview = service.preview(sync.id)
    run = service.initiate(sync.id)

    assert counts(preview) == done(run)
    assert "group_address" in counts(preview)[3]
    assert run.fields_created == tuple(f.name for f in preview.fields_to_create)


def test_after_an_edit_preview_names_new_fields_as_the_target_does_and_predicts_the_run() -> None:
    zoho, service = zoho_service()
    tier = FieldMap("Customer Tier", "Customer Tier", create=True)
    mapping = FieldMapping.of(*BASE, tier)
    sync = service.create_sync("zoho", SyncSpec(name="S", list_key=zoho.list_key, mapping=mapping))
    first = service.initiate(sync.id)  # Campaigns creates "CustomerTier"
    zoho.clock.advance(timedelta(hours=1))
    service.edit(
        sync.id,
        attrs.evolve(
            service.spec(sync.id), mapping=mapping, criteria=Criteria.parse('status == "active"')
        ),
    )

    preview = service.preview(sync.id)
    run = service.initiate(sync.id)

    assert ("CustomerTier",) == first.fields_created
    assert () == preview.fields_to_create == run.fields_created
    assert counts(preview) == done(run)
    assert run.unchanged > 0


def test_a_preview_of_a_field_the_target_would_rename_lists_it_under_that_name() -> None:
    zoho, service = zoho_service(contacts=50)
    mapping = FieldMapping.of(*BASE, FieldMap("Customer Tier", "Customer Tier", create=True))
    sync = service.create_sync("zoho", SyncSpec(name="S", list_key=zoho.list_key, mapping=mapping))

    preview = service.preview(sync.id)
    run = service.initiate(sync.id)

    assert ("CustomerTier",) == tuple(f.name for f in preview.fields_to_create)
    assert ("CustomerTier",) == run.fields_created


# -- any records, any changes, against the fakes -------------------------------------------------

local = st.sampled_from(["ann", "Bob", "info", "admin", "sales", "zoë", "x y", "", "c.d"])
domain = st.sampled_from(["example.com", "EXAMPLE.com", "exämple.com", "bad"])
person = st.fixed_dictionaries(
    {
        "email": st.builds(lambda a, b: f"{a}@{b}" if a else "", local, domain),
        "first_name": st.sampled_from(["A", "B", "", None]),
        "country": st.sampled_from(["IN", "US"]),
    }
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(person, min_size=1, max_size=25),
    st.lists(st.tuples(st.integers(0, 24), person), max_size=8),
    st.booleans(),
)
def test_preview_predicts_any_run_of_the_fakes(
    people: list[dict[str, object]],
    changes: list[tuple[int, dict[str, object]]],
    edit_criteria: bool,
) -> None:
    clock = FakeClock(START)
    source = FakeSource(clock=clock, page_size=4)
    for n, values in enumerate(people):
        source.put(f"k{n}", values)
    target = FakeTarget(max_batch=3)
    target.create_list("L")
    service = SyncService(store=InMemoryStore(), clock=clock, worker_id="w")
    service.register_integration("crm", source=source, target=target)
    mapping = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))
    sync = service.create_sync("crm", SyncSpec(name="S", list_key="L", mapping=mapping))
    runs = itertools.count()

    for step in range(2):
        preview = service.preview(sync.id)
        run = service.initiate(sync.id) if step == 0 or edit_criteria else service.run(sync.id)
        assert counts(preview) == done(run), next(runs)
        clock.advance(timedelta(hours=1))
        for index, values in changes:
            if index < len(people):
                source.put(f"k{index}", values)
        if edit_criteria:
            service.edit(
                sync.id,
                attrs.evolve(service.spec(sync.id), criteria=Criteria.parse('country == "IN"')),
            )
