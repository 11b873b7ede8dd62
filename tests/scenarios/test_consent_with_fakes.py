"""Consent with the fakes, on every shipped store: FakeTarget refuses addresses for their
consent and reads its list back, as the Zoho emulator does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from scenario_data import CRITERIA, LIST, MAPPING, World, seed, sent

from fieldsync import SyncSpec
from fieldsync.domain.members import MemberStatus
from fieldsync.domain.reasons import ReasonCode
from fieldsync.ports import ListReader


def test_a_refused_address_is_skipped_once_and_never_sent_again(world: World) -> None:
    seed(world.source)
    world.target.refuse_for_consent("customer3@example.in", ReasonCode.DO_NOT_MAIL)
    sync = world.service.create_sync(
        "invoice", SyncSpec(name="Customers", list_key=LIST, mapping=MAPPING, criteria=CRITERIA)
    )

    first = world.service.initiate(sync.id, acknowledge_disclaimer=True)
    world.clock.advance(timedelta(hours=1))
    world.source.put(
        "c003",
        {
            "email": "customer3@example.in",
            "first_name": "Changed",
            "country": "India",
            "status": "active",
        },
    )
    before = len(sent(world.target))
    again = world.service.run(sync.id)

    assert 1 == first.counts.skipped_by_reason[ReasonCode.DO_NOT_MAIL]
    assert 1 == again.counts.skipped_by_reason[ReasonCode.DO_NOT_MAIL]
    assert before == len(sent(world.target))  # no call for it
    assert world.target.contact(LIST, "customer3@example.in") is None


def test_the_fake_target_reads_its_list_back_by_status(world: World) -> None:
    seed(world.source, count=8)  # customer7 has a twin, skipped as a duplicate
    sync = world.service.create_sync(
        "invoice", SyncSpec(name="Customers", list_key=LIST, mapping=MAPPING, criteria=CRITERIA)
    )
    world.service.initiate(sync.id, acknowledge_disclaimer=True)

    world.target.unsubscribe(LIST, "customer1@example.in")
    world.target.refuse_for_consent("customer2@example.in", ReasonCode.BOUNCED)
    active = {m.email for m in world.target.members(LIST, status=MemberStatus.ACTIVE)}

    assert isinstance(world.target, ListReader)
    assert {f"customer{i}@example.in" for i in (0, 3, 4, 5, 6, 7)} == active
    assert 1 == world.target.member_count(LIST, status=MemberStatus.BOUNCED)
    assert ["customer1@example.in"] == [
        m.email for m in world.target.members(LIST, status=MemberStatus.UNSUBSCRIBED)
    ]
    with pytest.raises(ValueError, match="consent"):
        world.target.refuse_for_consent("a@example.in", ReasonCode.INVALID_EMAIL)
