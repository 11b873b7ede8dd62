"""The run's handling of errors an adapter raises that fit no other rule."""

from __future__ import annotations

from collections.abc import Sequence

from service_helpers import LIST, put_people

from fieldsync import SyncSpec
from fieldsync.domain.records import TargetContact, UpsertOutcome
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import RunStatus, Sync
from fieldsync.exceptions import SyncError
from fieldsync.service import SyncService
from fieldsync.testing.fakes import FakeSource, FakeTarget


class PuzzledTarget(FakeTarget):
    """A target whose adapter raises a plain SyncError: neither fatal nor temporary."""

    def upsert(self, list_key: str, contacts: Sequence[TargetContact]) -> Sequence[UpsertOutcome]:
        raise SyncError("an answer the adapter does not understand", endpoint="POST x")


def test_a_plain_sync_error_fails_the_run_and_flags_the_sync_without_raising(
    service: SyncService, source: FakeSource, sync: Sync
) -> None:
    put_people(source, 3)
    target = PuzzledTarget()
    target.create_list(LIST)
    service.register_integration("puzzled", source=source, target=target)
    puzzled = service.create_sync(
        "puzzled", SyncSpec(name="P", list_key=LIST, mapping=sync.config.mapping)
    )

    run = service.initiate(puzzled.id)

    assert RunStatus.FAILED is run.status
    assert "does not understand" in (run.error or "")
    assert SyncState.NEEDS_ATTENTION is service.sync_detail(puzzled.id).sync.state
