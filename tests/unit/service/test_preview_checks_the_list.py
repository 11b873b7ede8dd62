"""Preview says what initiate would refuse before it writes anything: a list key the target
does not have (issue 23: preview said "would add 18" and only initiate then failed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from fieldsync import InvalidConfigurationError, SyncSpec, SyncState
from fieldsync.domain.mapping import FieldMapping
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import EmulatedZoho

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MAPPING = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))
SUBSCRIBE = "POST json/listsubscribe"


@pytest.fixture
def zoho() -> Iterator[EmulatedZoho]:
    with EmulatedZoho.build(contacts=20, seed=3, clock=FakeClock(START)) as built:
        yield built


@pytest.fixture
def service(zoho: EmulatedZoho) -> SyncService:
    service = SyncService(store=InMemoryStore(), clock=zoho.clock)
    service.register_integration("zoho", source=zoho.source, target=zoho.target)
    return service


def test_preview_of_a_wrong_list_key_is_a_problem_not_a_count(service: SyncService) -> None:
    sync = service.create_sync("zoho", SyncSpec(name="S", list_key="no-such-list", mapping=MAPPING))

    preview = service.preview(sync.id)

    assert not preview.ok
    assert ["unknown_list"] == [problem.code for problem in preview.problems]
    assert 0 == preview.would_add


def test_initiate_refuses_a_wrong_list_key_before_writing(
    service: SyncService, zoho: EmulatedZoho
) -> None:
    sync = service.create_sync("zoho", SyncSpec(name="S", list_key="no-such-list", mapping=MAPPING))

    with pytest.raises(InvalidConfigurationError) as refused:
        service.initiate(sync.id)

    assert ["unknown_list"] == [problem.code for problem in refused.value.problems]
    assert SyncState.DRAFT is service.get_sync(sync.id).state
    assert 0 == zoho.campaigns.calls[SUBSCRIBE]
    assert [] == service.history(sync.id)


def test_preview_of_the_right_list_key_counts_as_before(
    service: SyncService, zoho: EmulatedZoho
) -> None:
    sync = service.create_sync("zoho", SyncSpec(name="S", list_key=zoho.list_key, mapping=MAPPING))

    preview = service.preview(sync.id)

    assert preview.ok
    assert preview.would_add > 0
