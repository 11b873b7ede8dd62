"""What the service offers screens: the integrations, their adapters, initiate's checks."""

from __future__ import annotations

import pytest
from service_helpers import LIST, MAPPING

from fieldsync import SyncSpec
from fieldsync.domain.sync import Sync
from fieldsync.exceptions import (
    DisclaimerNotAcknowledgedError,
    InvalidConfigurationError,
    InvalidTransitionError,
    NotFoundError,
    StateError,
)
from fieldsync.service import SyncService
from fieldsync.testing.fakes import FakeSource, FakeTarget


def test_integrations_lists_registered_and_disabled_ones_by_name(
    service: SyncService, source: FakeSource, target: FakeTarget
) -> None:
    service.register_integration("another", source=source, target=target)
    service.disable_integration("crm", confirm=True)

    found = service.integrations()

    assert [(s.name, s.registered, s.disabled) for s in found] == [
        ("another", True, False),
        ("crm", False, True),
    ]


def test_adapters_are_the_registered_ones(
    service: SyncService, source: FakeSource, target: FakeTarget
) -> None:
    assert service.adapters("crm") == (source, target)
    with pytest.raises(NotFoundError):
        service.adapters("nope")
    service.disable_integration("crm", confirm=True)
    with pytest.raises(StateError, match="disabled"):
        service.adapters("crm")


def test_check_initiate_asks_for_the_disclaimer_and_changes_nothing(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget
) -> None:
    source.put("a", {"email": "a@example.com"})
    target.plan_limit, target.auto_upgrade = 0, True

    with pytest.raises(DisclaimerNotAcknowledgedError):
        service.check_initiate(sync.id)
    service.check_initiate(sync.id, acknowledge_disclaimer=True)

    assert service.history(sync.id) == []
    assert service.sync_detail(sync.id).sync == sync


def test_check_initiate_finds_every_problem_and_refuses_a_disabled_sync(
    service: SyncService,
) -> None:
    broken = service.create_sync(
        "crm", SyncSpec(name="B", list_key=LIST, mapping=MAPPING.with_pairs(("x", "Y")))
    )

    with pytest.raises(InvalidConfigurationError) as refused:
        service.check_initiate(broken.id)
    assert [p.code for p in refused.value.problems] == [
        "unknown_source_field",
        "unknown_target_field",
    ]
    service.disable_integration("crm", confirm=True)
    with pytest.raises(InvalidTransitionError):
        service.check_initiate(broken.id)
