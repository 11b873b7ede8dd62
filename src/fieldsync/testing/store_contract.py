"""A contract suite for your own :class:`~fieldsync.ports.SyncStore` (PostgreSQL, Redis, ...).

Subclass :class:`StoreContract` in your tests and provide a ``store`` fixture that gives a
new, empty store; every test of the contract then runs against it::

    import pytest
    from fieldsync.testing.store_contract import StoreContract

    class TestPostgresStore(StoreContract):
        @pytest.fixture
        def store(self, postgresql_url):
            with PostgresStore(postgresql_url) as store:
                yield store

``InMemoryStore`` and ``SQLiteStore`` pass it. The suite checks what the sync service
relies on: round trips, ordering, one transaction per batch, per-key lookups, leases and
the inbox. This module imports pytest: import it from your tests only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from fieldsync.domain.criteria import Condition, Criteria
from fieldsync.domain.mapping import FieldMap, FieldMapping
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import BatchCommit, Checkpoint, StoredFingerprint
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import (
    Notification,
    NotificationKind,
    RunCounts,
    RunStatus,
    RunTrigger,
    SkippedRecord,
    Sync,
    SyncConfig,
    SyncOptions,
    SyncRun,
)
from fieldsync.exceptions import NotFoundError, StoreError, SyncAlreadyRunningError
from fieldsync.ports import SyncStore

__all__ = [
    "StoreContract",
    "a_checkpoint",
    "a_config",
    "a_notification",
    "a_run",
    "a_skipped_record",
    "a_sync",
]

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)


def a_config(version: int = 1, **changes: Any) -> SyncConfig:
    """A minimal valid configuration (email mapped, all records, once); ``changes`` override."""
    config = SyncConfig(
        version=version,
        list_key="list-1",
        mapping=FieldMapping.of(("email", "Contact Email")),
        criteria=Criteria.all(),
        schedule=Schedule.once(),
        options=SyncOptions(),
        created_at=T0,
    )
    return attrs.evolve(config, **changes)


def a_sync(sync_id: str = "s1", **changes: Any) -> Sync:
    """A draft sync of integration ``"zoho"`` with :func:`a_config`; ``changes`` override."""
    sync = Sync(
        id=sync_id,
        name=f"Sync {sync_id}",
        integration="zoho",
        state=SyncState.DRAFT,
        config=a_config(),
        created_at=T0,
        updated_at=T0,
    )
    return attrs.evolve(sync, **changes)


def a_run(run_id: str = "r1", sync_id: str = "s1", **changes: Any) -> SyncRun:
    """A running manual run; ``changes`` override."""
    run = SyncRun(
        id=run_id, sync_id=sync_id, config_version=1, trigger=RunTrigger.MANUAL, started_at=T0
    )
    return attrs.evolve(run, **changes)


def a_skipped_record(run_id: str, key: str, **changes: Any) -> SkippedRecord:
    """A record skipped for an invalid email; ``changes`` override."""
    record = SkippedRecord(
        run_id=run_id,
        key=key,
        email=f"{key}@invalid",
        reason=ReasonCode.INVALID_EMAIL,
        reason_text="The email address is not valid.",
        values={"Contact Email": f"{key}@invalid", "First Name": key.title()},
    )
    return attrs.evolve(record, **changes)


def a_checkpoint(run_id: str = "r1", **changes: Any) -> Checkpoint:
    """A checkpoint of a pass started by ``run_id``; ``changes`` override."""
    checkpoint = Checkpoint(
        run_id=run_id, pass_id=run_id, pass_started_at=T0, since=None, position="p2", offset=3
    )
    return attrs.evolve(checkpoint, **changes)


def a_notification(notification_id: str, **changes: Any) -> Notification:
    """An unread run-completed notification about sync s1, run r1; ``changes`` override."""
    notification = Notification(
        id=notification_id,
        kind=NotificationKind.RUN_COMPLETED,
        title="Sync completed",
        summary="3 records: 2 added, 1 skipped",
        created_at=T0,
        sync_id="s1",
        run_id="r1",
    )
    return attrs.evolve(notification, **changes)


def _holding(text: str, where: str, *, version: int) -> Sync:
    """A sync with ``text`` in one place (``where``), at this configuration version."""
    if where == "name":
        return a_sync(name=text, config=a_config(version))
    if where == "id":
        return a_sync(text, config=a_config(version))
    if where == "list-key":
        return a_sync(config=a_config(version, list_key=text))
    if where == "field-name":
        mapping = FieldMapping.of(("email", "Contact Email"), (text, text))
        return a_sync(config=a_config(version, mapping=mapping))
    criteria = Criteria.all_of(Condition("Country", "==", text))
    return a_sync(config=a_config(version, criteria=criteria))


def _fp(n: int) -> StoredFingerprint:
    return StoredFingerprint(fingerprint=f"fp{n}", email=f"k{n}@example.com")


def _with_run(store: SyncStore, sync_id: str = "s1", run_id: str = "r1") -> SyncRun:
    store.add_sync(a_sync(sync_id))
    run = a_run(run_id, sync_id)
    store.add_run(run)
    return run


class StoreContract:
    """What fieldsync relies on from every SyncStore. Provide a ``store`` fixture."""

    # -- shape ---------------------------------------------------------------------------

    def test_it_is_a_sync_store(self, store: SyncStore) -> None:
        assert isinstance(store, SyncStore), (
            "the store fixture should implement fieldsync.ports.SyncStore"
        )

    def test_close_can_be_called_twice(self, store: SyncStore) -> None:
        store.close()
        store.close()

    # -- syncs ---------------------------------------------------------------------------

    def test_a_stored_sync_reads_back_equal(self, store: SyncStore) -> None:
        sync = a_sync()

        store.add_sync(sync)

        assert store.get_sync("s1") == sync, (
            "get_sync should return the sync add_sync stored, equal in every field"
        )

    @pytest.mark.parametrize(
        "schedule",
        [
            lambda: Schedule.once(),
            lambda: Schedule.every(hours=6),
            lambda: Schedule.daily("02:00", tz="Asia/Kolkata"),
            lambda: Schedule.weekly("monday", "07:45:30"),
            lambda: Schedule.monthly(31, "23:00", tz="America/New_York"),
        ],
        ids=["once", "every", "daily", "weekly", "monthly"],
    )
    def test_a_full_configuration_reads_back_equal(
        self, store: SyncStore, schedule: Callable[[], Schedule]
    ) -> None:
        config = a_config(
            mapping=FieldMapping.of(
                ("email", "Contact Email"), FieldMap("Country", "Country", create=True)
            ),
            criteria=Criteria.parse('Country == "India" and status == "active"'),
            schedule=schedule(),
            options=SyncOptions(update_empty_values=True, retrieve_since=T0 - 30 * 24 * HOUR),
        )

        store.add_sync(a_sync(config=config))

        assert store.get_sync("s1").config == config, (
            "get_sync should return the configuration stored, equal in every part"
        )

    def test_save_sync_stores_state_pending_watermark_and_attention(self, store: SyncStore) -> None:
        store.add_sync(a_sync())
        saved = a_sync(
            state=SyncState.NEEDS_ATTENTION,
            pending=a_config(2, list_key="list-2"),
            watermark=T0 + HOUR,
            next_run_at=T0 + 2 * HOUR,
            updated_at=T0 + HOUR,
            attention="the list was deleted",
        )

        store.save_sync(saved)

        assert store.get_sync("s1") == saved, (
            "save_sync should store state, pending config, watermark, next run and attention"
        )

    def test_a_returned_sync_changed_in_place_changes_nothing_stored(
        self, store: SyncStore
    ) -> None:
        store.add_sync(a_sync())

        store.get_sync("s1").state = SyncState.ACTIVE

        assert store.get_sync("s1").state == SyncState.DRAFT, (
            "changing a sync get_sync returned must not change the stored one"
        )

    def test_config_versions_keeps_every_version_seen_oldest_first(self, store: SyncStore) -> None:
        store.add_sync(a_sync())
        store.save_sync(a_sync(pending=a_config(2)))
        store.save_sync(a_sync(config=a_config(2)))
        store.save_sync(a_sync(config=a_config(2), pending=a_config(3)))

        assert [c.version for c in store.config_versions("s1")] == [1, 2, 3], (
            "config_versions should list every configuration version seen, oldest first"
        )

    def test_adding_a_sync_with_a_taken_id_raises_store_error(self, store: SyncStore) -> None:
        store.add_sync(a_sync())

        with pytest.raises(StoreError):
            store.add_sync(a_sync())

    def test_list_syncs_returns_them_oldest_first(self, store: SyncStore) -> None:
        store.add_sync(a_sync("late", created_at=T0 + HOUR))
        store.add_sync(a_sync("early", created_at=T0))
        store.add_sync(a_sync("late-too", created_at=T0 + HOUR))

        assert [s.id for s in store.list_syncs()] == ["early", "late", "late-too"], (
            "list_syncs should list syncs by creation time, oldest first (then in the order added)"
        )

    def test_list_syncs_filters_by_integration(self, store: SyncStore) -> None:
        store.add_sync(a_sync("a", integration="zoho"))
        store.add_sync(a_sync("b", integration="csv"))

        assert [s.id for s in store.list_syncs(integration="csv")] == ["b"], (
            "list_syncs(integration=...) should keep that integration's syncs only"
        )

    def test_list_syncs_filters_by_state(self, store: SyncStore) -> None:
        store.add_sync(a_sync("a", state=SyncState.ACTIVE))
        store.add_sync(a_sync("b", state=SyncState.PAUSED))

        assert [s.id for s in store.list_syncs(state=SyncState.PAUSED)] == ["b"], (
            "list_syncs(state=...) should keep syncs in that state only"
        )

    @pytest.mark.parametrize("text", ["a\udc80b", "a\x00b"], ids=["lone-surrogate", "nul"])
    @pytest.mark.parametrize(
        ("how", "where"),
        [
            *(("add", where) for where in ("name", "id", "list-key", "field-name", "criteria")),
            *(("save", where) for where in ("name", "list-key", "field-name", "criteria")),
        ],
    )
    def test_text_a_store_may_not_hold_is_kept_intact_or_refused_with_store_error(
        self, store: SyncStore, text: str, how: str, where: str
    ) -> None:
        # A lone UTF-16 surrogate (an emoji cut in half) or a NUL character, in a sync
        # added, or saved over another with a new configuration version: stored and read
        # back identically, or refused with StoreError (nothing changed), never another
        # error; the store goes on either way.
        sync = _holding(text, where, version=2 if how == "save" else 1)
        before = a_sync(sync.id)
        if how == "save":
            store.add_sync(before)
        store.add_sync(a_sync("other", created_at=T0 + HOUR))

        try:
            store.add_sync(sync) if how == "add" else store.save_sync(sync)
        except StoreError:
            kept = None if how == "add" else before
        else:
            kept = sync

        if kept is not None:
            assert store.get_sync(kept.id) == kept
        expected = ([] if kept is None else [kept.id]) + ["other"]
        assert [s.id for s in store.list_syncs()] == expected
        store.add_sync(a_sync("after"))
        assert store.get_sync("after") == a_sync("after")

    @pytest.mark.parametrize(
        "call",
        [
            lambda store: store.get_sync("nope"),
            lambda store: store.save_sync(a_sync("nope")),
            lambda store: store.config_versions("nope"),
            lambda store: store.runs("nope"),
            lambda store: store.checkpoint("nope"),
            lambda store: store.add_run(a_run("r1", "nope")),
        ],
        ids=["get_sync", "save_sync", "config_versions", "runs", "checkpoint", "add_run"],
    )
    def test_an_unknown_sync_id_raises_not_found(
        self, store: SyncStore, call: Callable[[SyncStore], object]
    ) -> None:
        with pytest.raises(NotFoundError) as raised:
            call(store)

        assert (raised.value.kind, raised.value.key) == ("sync", "nope"), (
            "an unknown sync id should raise NotFoundError(kind='sync', key=<the id>)"
        )

    # -- runs ----------------------------------------------------------------------------

    def test_a_finished_run_reads_back_equal_with_counts_by_reason(self, store: SyncStore) -> None:
        store.add_sync(a_sync())
        run = a_run(
            status=RunStatus.DEFERRED,
            finished_at=T0 + HOUR,
            counts=RunCounts(
                added=5,
                updated=2,
                unchanged=7,
                skipped_by_reason={ReasonCode.INVALID_EMAIL: 2, ReasonCode.PLAN_LIMIT: 4},
                failed_by_reason={ReasonCode.TARGET_ERROR: 1},
            ),
            fields_created=("Country",),
            resumed_from="r0",
            error="the daily quota is used up",
        )

        store.add_run(run)

        assert store.get_run("r1") == run, (
            "get_run should return the run add_run stored, equal (counts by reason included)"
        )

    def test_save_run_stores_status_counts_and_end(self, store: SyncStore) -> None:
        run = _with_run(store)
        run.status, run.finished_at = RunStatus.COMPLETED, T0 + HOUR
        run.counts = RunCounts(added=3, skipped_by_reason={ReasonCode.MISSING_EMAIL: 1})

        store.save_run(run)

        assert store.get_run("r1") == run, "get_run should return the run save_run stored, equal"

    def test_runs_lists_a_syncs_runs_newest_first(self, store: SyncStore) -> None:
        store.add_sync(a_sync())
        store.add_sync(a_sync("other"))
        store.add_run(a_run("first", started_at=T0))
        store.add_run(a_run("third", started_at=T0 + 2 * HOUR))
        store.add_run(a_run("elsewhere", "other", started_at=T0 + HOUR))
        store.add_run(a_run("second", started_at=T0 + HOUR))

        assert [r.id for r in store.runs("s1")] == ["third", "second", "first"], (
            "runs(sync_id) should list that sync's runs only, newest first"
        )

    @pytest.mark.parametrize(
        "call",
        [
            lambda store: store.get_run("nope"),
            lambda store: store.save_run(a_run("nope")),
            lambda store: store.skipped_records("nope"),
            lambda store: store.commit_batch(BatchCommit(run=a_run("nope"))),
            lambda store: store.finish_run(a_run("nope"), a_sync(), clear_checkpoint=True),
        ],
        ids=["get_run", "save_run", "skipped_records", "commit_batch", "finish_run"],
    )
    def test_an_unknown_run_id_raises_not_found(
        self, store: SyncStore, call: Callable[[SyncStore], object]
    ) -> None:
        store.add_sync(a_sync())

        with pytest.raises(NotFoundError) as raised:
            call(store)

        assert (raised.value.kind, raised.value.key) == ("run", "nope"), (
            "an unknown run id should raise NotFoundError(kind='run', key=<the id>)"
        )

    def test_adding_a_run_with_a_taken_id_raises_store_error(self, store: SyncStore) -> None:
        _with_run(store)

        with pytest.raises(StoreError):
            store.add_run(a_run())

    # -- batches ---------------------------------------------------------------------------

    def test_commit_batch_saves_the_runs_counts(self, store: SyncStore) -> None:
        run = attrs.evolve(_with_run(store), counts=RunCounts(added=2, unchanged=1))

        store.commit_batch(BatchCommit(run=run))

        assert store.get_run("r1").counts == RunCounts(added=2, unchanged=1), (
            "commit_batch should save the run's counts"
        )

    def test_fingerprints_returns_only_the_requested_written_keys(self, store: SyncStore) -> None:
        run = _with_run(store)
        store.commit_batch(BatchCommit(run=run, written=[(f"k{n}", _fp(n)) for n in range(5)]))

        found = store.fingerprints("s1", ["k1", "k3", "never-written"])

        assert found == {"k1": _fp(1), "k3": _fp(3)}, (
            "fingerprints should answer only the requested keys that were written"
        )

    def test_a_later_write_replaces_a_fingerprint(self, store: SyncStore) -> None:
        run = _with_run(store)
        store.commit_batch(BatchCommit(run=run, written=[("k1", _fp(1))]))
        store.commit_batch(BatchCommit(run=run, written=[("k1", _fp(9))]))

        assert store.fingerprints("s1", ["k1"]) == {"k1": _fp(9)}, (
            "a later write of a key should replace its fingerprint"
        )

    def test_a_key_written_twice_in_one_batch_keeps_the_second_write_and_the_claim(
        self, store: SyncStore
    ) -> None:
        run = _with_run(store)
        first, second = StoredFingerprint("f1", "a@example.com"), _fp(2)
        written = [("k1", first), ("k1", second)]
        store.commit_batch(BatchCommit(run=run, written=written, claims=[("k1", "a@example.com")]))

        assert store.fingerprints("s1", ["k1"]) == {"k1": second}, (
            "a key written twice in one batch should keep the second write"
        )
        assert store.claimed_emails("s1", "r1", ["a@example.com"]) == {"a@example.com": "k1"}, (
            "a key written twice in one batch should keep the batch's claim of its email"
        )

    def test_a_refusal_is_remembered_with_its_fingerprint(self, store: SyncStore) -> None:
        run = _with_run(store)
        refused = StoredFingerprint("f1", "info@example.com", ReasonCode.GROUP_ADDRESS)
        store.commit_batch(BatchCommit(run=run, written=[("k1", refused)]))

        assert store.fingerprints("s1", ["k1"]) == {"k1": refused}, (
            "a refusal should be stored with its fingerprint (its reason code included)"
        )

    def test_an_email_written_in_an_earlier_pass_still_belongs_to_its_record(
        self, store: SyncStore
    ) -> None:
        run = _with_run(store)
        written = [("k1", StoredFingerprint("f1", "a@example.com"))]
        claims = [("k1", "a@example.com")]
        store.commit_batch(BatchCommit(run=run, written=written, claims=claims))

        found = store.claimed_emails("s1", "a later pass", ["a@example.com"])

        assert found == {"a@example.com": "k1"}, (
            "an email claimed in an earlier pass should still belong to the record that wrote it"
        )

    def test_an_email_refused_in_an_earlier_pass_belongs_to_nobody(self, store: SyncStore) -> None:
        run = _with_run(store)
        refused = StoredFingerprint("f1", "info@example.com", ReasonCode.GROUP_ADDRESS)
        store.commit_batch(
            BatchCommit(run=run, written=[("k1", refused)], claims=[("k1", "info@example.com")])
        )

        assert store.claimed_emails("s1", "a later pass", ["info@example.com"]) == {}, (
            "an email whose record was refused should belong to nobody in a later pass"
        )

    def test_a_claim_moves_with_the_records_new_email(self, store: SyncStore) -> None:
        run = _with_run(store)
        written = [("k1", StoredFingerprint("f1", "a@example.com"))]
        store.commit_batch(BatchCommit(run=run, written=written, claims=[("k1", "a@example.com")]))
        store.commit_batch(BatchCommit(run=run, claims=[("k1", "b@example.com")]))

        found = store.claimed_emails("s1", "r1", ["a@example.com", "b@example.com"])

        assert found == {"b@example.com": "k1"}, (
            "a claim should move to the record's new email, freeing the old one"
        )

    def test_forgetting_records_drops_fingerprints_and_claims_of_that_sync_only(
        self, store: SyncStore
    ) -> None:
        run = _with_run(store)
        store.add_sync(a_sync("other"))
        written = [("k1", StoredFingerprint("f1", "a@example.com"))]
        store.commit_batch(BatchCommit(run=run, written=written, claims=[("k1", "a@example.com")]))

        store.forget_records("s1")

        assert store.fingerprints("s1", ["k1"]) == {}, (
            "forget_records should drop the sync's fingerprints"
        )
        assert store.claimed_emails("s1", "r1", ["a@example.com"]) == {}, (
            "forget_records should drop the sync's email claims"
        )

    # consent, as the target shows it --------------------------------------------------------

    def test_a_consent_standing_is_kept_for_the_records_that_hold_the_address(
        self, store: SyncStore
    ) -> None:
        run = _with_run(store)
        written = [("k1", _fp(1)), ("k2", _fp(2))]
        claims = [("k1", "k1@example.com"), ("k2", "k2@example.com")]
        store.commit_batch(BatchCommit(run=run, written=written, claims=claims))

        changed = store.set_consent("s1", {"K1@Example.com": ReasonCode.DO_NOT_MAIL})

        assert changed == 1
        assert store.fingerprints("s1", ["k1", "k2"]) == {
            "k1": attrs.evolve(_fp(1), rejected=ReasonCode.DO_NOT_MAIL),
            "k2": _fp(2),
        }
        assert store.claimed_emails("s1", "a later pass", ["k1@example.com"]) == {}

    def test_a_consent_standing_reaches_a_record_that_was_claimed_but_never_written(
        self, store: SyncStore
    ) -> None:
        run = _with_run(store)
        store.commit_batch(BatchCommit(run=run, claims=[("k1", "k1@example.com")]))

        store.set_consent("s1", {"k1@example.com": ReasonCode.BOUNCED})

        assert store.fingerprints("s1", ["k1"]) == {
            "k1": StoredFingerprint("", "k1@example.com", ReasonCode.BOUNCED)
        }

    def test_active_again_forgets_a_consent_refusal_and_its_fingerprint(
        self, store: SyncStore
    ) -> None:
        run = _with_run(store)
        refused = attrs.evolve(_fp(1), rejected=ReasonCode.UNSUBSCRIBED)
        invalid = attrs.evolve(_fp(2), rejected=ReasonCode.INVALID_EMAIL)
        claims = [("k1", "k1@example.com"), ("k2", "k2@example.com")]
        store.commit_batch(
            BatchCommit(run=run, written=[("k1", refused), ("k2", invalid)], claims=claims)
        )

        changed = store.set_consent("s1", {"k1@example.com": None, "k2@example.com": None})

        assert changed == 1
        assert store.fingerprints("s1", ["k1", "k2"]) == {"k2": invalid}

    def test_a_standing_that_is_not_about_consent_is_refused(self, store: SyncStore) -> None:
        _with_run(store)

        with pytest.raises(ValueError, match="invalid_email"):
            store.set_consent("s1", {"a@example.com": ReasonCode.INVALID_EMAIL})

    def test_consent_for_an_unknown_sync_is_refused(self, store: SyncStore) -> None:
        with pytest.raises(NotFoundError):
            store.set_consent("nope", {"a@example.com": ReasonCode.SPAM})

    def test_forgetting_records_keeps_their_consent_refusals(self, store: SyncStore) -> None:
        run = _with_run(store)
        refused = attrs.evolve(_fp(1), rejected=ReasonCode.DO_NOT_MAIL)
        invalid = attrs.evolve(_fp(2), rejected=ReasonCode.INVALID_EMAIL)
        claims = [("k1", "k1@example.com"), ("k2", "k2@example.com")]
        written = [("k1", refused), ("k2", invalid), ("k3", _fp(3))]
        store.commit_batch(BatchCommit(run=run, written=written, claims=claims))

        store.forget_records("s1")

        assert store.fingerprints("s1", ["k1", "k2", "k3"]) == {"k1": refused}
        assert store.set_consent("s1", {"k1@example.com": None}) == 1

    def test_forgetting_the_records_of_an_unknown_sync_is_refused(self, store: SyncStore) -> None:
        with pytest.raises(NotFoundError):
            store.forget_records("nope")

    def test_fingerprints_belong_to_their_sync(self, store: SyncStore) -> None:
        run = _with_run(store)
        store.add_sync(a_sync("other"))
        store.commit_batch(BatchCommit(run=run, written=[("k1", _fp(1))]))

        assert store.fingerprints("other", ["k1"]) == {}, (
            "fingerprints should belong to their sync: another sync sees none"
        )

    def test_fingerprints_answers_for_more_keys_than_one_query_takes(
        self, store: SyncStore
    ) -> None:
        run = _with_run(store)
        written = [(f"k{n}", _fp(n)) for n in range(1200)]
        store.commit_batch(BatchCommit(run=run, written=written))

        assert store.fingerprints("s1", [f"k{n}" for n in range(1200)]) == dict(written), (
            "fingerprints should answer for more keys than one query takes (1200)"
        )

    def test_claims_are_found_by_email_within_their_pass(self, store: SyncStore) -> None:
        run = _with_run(store)
        claims = [("k1", "a@example.com"), ("k2", "b@example.com")]
        store.commit_batch(BatchCommit(run=run, claims=claims, checkpoint=a_checkpoint()))

        found = store.claimed_emails("s1", "r1", ["b@example.com", "c@example.com"])

        assert found == {"b@example.com": "k2"}, (
            "claimed_emails should find the claims of the pass, by email"
        )

    def test_claims_of_an_earlier_pass_are_not_found(self, store: SyncStore) -> None:
        run = _with_run(store)
        batch = BatchCommit(run=run, claims=[("k1", "a@example.com")], checkpoint=a_checkpoint())
        store.commit_batch(batch)

        assert store.claimed_emails("s1", "a-later-pass", ["a@example.com"]) == {}, (
            "claims of an earlier pass should not be found in a later one"
        )

    def test_claims_without_a_checkpoint_belong_to_the_runs_own_pass(
        self, store: SyncStore
    ) -> None:
        run = _with_run(store)
        store.commit_batch(BatchCommit(run=run, claims=[("k1", "a@example.com")]))

        assert store.claimed_emails("s1", "r1", ["a@example.com"]) == {"a@example.com": "k1"}, (
            "claims made without a checkpoint should belong to the run's own pass (the run id)"
        )

    def test_a_claim_alone_stores_no_fingerprint(self, store: SyncStore) -> None:
        run = _with_run(store)
        store.commit_batch(BatchCommit(run=run, claims=[("k1", "a@example.com")]))

        assert store.fingerprints("s1", ["k1"]) == {}, "a claim alone should store no fingerprint"

    def test_skipped_records_stream_in_the_order_they_were_stored(self, store: SyncStore) -> None:
        run = _with_run(store)
        keys = [f"k{n:04d}" for n in range(1200)][::-1]
        for start in range(0, 1200, 400):
            chunk = [a_skipped_record("r1", key) for key in keys[start : start + 400]]
            store.commit_batch(BatchCommit(run=run, skipped=chunk))

        assert [record.key for record in store.skipped_records("r1")] == keys, (
            "skipped_records should stream the run's records in the order they were stored"
        )

    def test_a_skipped_record_reads_back_equal(self, store: SyncStore) -> None:
        run = _with_run(store)
        record = a_skipped_record(
            "r1", "k1", email=None, reason=ReasonCode.TARGET_ERROR, reason_text="boom", failed=True
        )
        store.commit_batch(BatchCommit(run=run, skipped=[record]))

        assert list(store.skipped_records("r1")) == [record], (
            "a skipped record should read back equal"
        )

    def test_commit_batch_stores_the_checkpoint(self, store: SyncStore) -> None:
        run = _with_run(store)
        checkpoint = a_checkpoint(since=T0 - HOUR, position=None, offset=0)

        store.commit_batch(BatchCommit(run=run, checkpoint=checkpoint))

        assert store.checkpoint("s1") == checkpoint, "commit_batch should store the checkpoint"

    def test_a_new_sync_has_no_checkpoint(self, store: SyncStore) -> None:
        store.add_sync(a_sync())

        assert store.checkpoint("s1") is None, "a new sync should have no checkpoint"

    def test_a_batch_that_fails_writes_nothing(self, store: SyncStore) -> None:
        run = _with_run(store)
        batch = BatchCommit(
            run=attrs.evolve(run, counts=RunCounts(added=1)),
            written=[("k1", _fp(1))],
            claims=[("k1", "k1@example.com")],
            skipped=[a_skipped_record("no-such-run", "k2")],
            checkpoint=a_checkpoint(),
        )

        with pytest.raises(NotFoundError):
            store.commit_batch(batch)

        assert store.get_run("r1").counts == RunCounts(), (
            "a batch that fails should write nothing: not the run's counts"
        )
        assert store.fingerprints("s1", ["k1"]) == {}, (
            "a batch that fails should write nothing: not its fingerprints"
        )
        assert store.claimed_emails("s1", "r1", ["k1@example.com"]) == {}, (
            "a batch that fails should write nothing: not its claims"
        )
        assert store.checkpoint("s1") is None, (
            "a batch that fails should write nothing: not its checkpoint"
        )

    def test_finish_run_saves_the_run_and_the_sync(self, store: SyncStore) -> None:
        run = attrs.evolve(_with_run(store), status=RunStatus.COMPLETED, finished_at=T0 + HOUR)
        sync = a_sync(state=SyncState.ACTIVE, watermark=T0)

        store.finish_run(run, sync, clear_checkpoint=False)

        assert (store.get_run("r1"), store.get_sync("s1")) == (run, sync), (
            "finish_run should save the run and the sync, both"
        )

    def test_finish_run_clears_the_checkpoint_when_asked(self, store: SyncStore) -> None:
        run = _with_run(store)
        store.commit_batch(BatchCommit(run=run, checkpoint=a_checkpoint()))

        store.finish_run(run, a_sync(), clear_checkpoint=True)

        assert store.checkpoint("s1") is None, (
            "finish_run(clear_checkpoint=True) should clear the checkpoint"
        )

    def test_finish_run_keeps_the_checkpoint_otherwise(self, store: SyncStore) -> None:
        run = _with_run(store)
        store.commit_batch(BatchCommit(run=run, checkpoint=a_checkpoint()))

        store.finish_run(run, a_sync(), clear_checkpoint=False)

        assert store.checkpoint("s1") == a_checkpoint(), (
            "finish_run(clear_checkpoint=False) should keep the checkpoint"
        )

    # -- leases ----------------------------------------------------------------------------

    def test_a_held_lease_refuses_another_owner_until_it_expires(self, store: SyncStore) -> None:
        store.acquire_lease("s1", "worker-a", now=T0, ttl=HOUR)

        with pytest.raises(SyncAlreadyRunningError) as raised:
            store.acquire_lease("s1", "worker-b", now=T0 + HOUR / 2, ttl=HOUR)

        assert (raised.value.sync_id, raised.value.expires_at) == ("s1", T0 + HOUR), (
            "a held lease should refuse another owner with SyncAlreadyRunningError(sync id, expiry)"
        )

    def test_an_expired_lease_can_be_taken_over(self, store: SyncStore) -> None:
        store.acquire_lease("s1", "worker-a", now=T0, ttl=HOUR)
        store.acquire_lease("s1", "worker-b", now=T0 + HOUR, ttl=HOUR)

        with pytest.raises(SyncAlreadyRunningError):
            store.acquire_lease("s1", "worker-a", now=T0 + HOUR, ttl=HOUR)

    def test_the_owner_can_acquire_its_lease_again(self, store: SyncStore) -> None:
        store.acquire_lease("s1", "worker-a", now=T0, ttl=HOUR)
        store.acquire_lease("s1", "worker-a", now=T0 + HOUR / 2, ttl=HOUR)

        with pytest.raises(SyncAlreadyRunningError) as raised:
            store.acquire_lease("s1", "worker-b", now=T0 + HOUR, ttl=HOUR)

        assert raised.value.expires_at == T0 + 1.5 * HOUR, (
            "the owner acquiring its lease again should extend it to now + ttl"
        )

    def test_leases_of_different_syncs_are_independent(self, store: SyncStore) -> None:
        store.acquire_lease("s1", "worker-a", now=T0, ttl=HOUR)

        store.acquire_lease("s2", "worker-b", now=T0, ttl=HOUR)

    def test_renew_extends_the_lease(self, store: SyncStore) -> None:
        store.acquire_lease("s1", "worker-a", now=T0, ttl=HOUR)
        store.renew_lease("s1", "worker-a", now=T0 + HOUR / 2, ttl=HOUR)

        with pytest.raises(SyncAlreadyRunningError):
            store.acquire_lease("s1", "worker-b", now=T0 + 1.25 * HOUR, ttl=HOUR)

    def test_renewing_a_lease_nobody_holds_is_refused(self, store: SyncStore) -> None:
        store.add_sync(a_sync())
        store.acquire_lease("s1", "worker-a", now=T0, ttl=HOUR)
        store.release_lease("s1", "worker-a")

        with pytest.raises(SyncAlreadyRunningError):
            store.renew_lease("s1", "worker-a", now=T0, ttl=HOUR)

    def test_a_batch_of_a_worker_that_lost_the_lease_writes_nothing(self, store: SyncStore) -> None:
        run = _with_run(store)
        store.acquire_lease("s1", "thief", now=T0, ttl=HOUR)
        batch = BatchCommit(
            run=run, written=[("k1", _fp(1))], checkpoint=a_checkpoint(), lease_owner="stalled"
        )

        with pytest.raises(SyncAlreadyRunningError):
            store.commit_batch(batch)

        assert (store.fingerprints("s1", ["k1"]), store.checkpoint("s1")) == ({}, None), (
            "a batch of a worker that lost its lease should write nothing"
        )

    def test_renew_raises_when_another_owner_holds_the_lease(self, store: SyncStore) -> None:
        store.acquire_lease("s1", "worker-a", now=T0, ttl=HOUR)
        store.acquire_lease("s1", "worker-b", now=T0 + 2 * HOUR, ttl=HOUR)

        with pytest.raises(SyncAlreadyRunningError):
            store.renew_lease("s1", "worker-a", now=T0 + 2 * HOUR, ttl=HOUR)

    def test_release_frees_the_lease(self, store: SyncStore) -> None:
        store.acquire_lease("s1", "worker-a", now=T0, ttl=HOUR)
        store.release_lease("s1", "worker-a")

        store.acquire_lease("s1", "worker-b", now=T0, ttl=HOUR)

    def test_release_by_another_owner_keeps_the_lease(self, store: SyncStore) -> None:
        store.acquire_lease("s1", "worker-a", now=T0, ttl=HOUR)
        store.release_lease("s1", "worker-b")

        with pytest.raises(SyncAlreadyRunningError):
            store.acquire_lease("s1", "worker-b", now=T0, ttl=HOUR)

    # -- integrations ----------------------------------------------------------------------

    def test_no_integration_is_disabled_at_first(self, store: SyncStore) -> None:
        assert store.disabled_integrations() == {}, (
            "no integration should be disabled in a new store"
        )

    def test_a_disabled_integration_is_remembered_with_its_time(self, store: SyncStore) -> None:
        store.disable_integration("zoho", at=T0)

        assert store.disabled_integrations() == {"zoho": T0}, (
            "disable_integration should be remembered with its time"
        )

    def test_disabling_twice_keeps_the_first_time(self, store: SyncStore) -> None:
        store.disable_integration("zoho", at=T0)
        store.disable_integration("zoho", at=T0 + HOUR)

        assert store.disabled_integrations() == {"zoho": T0}, (
            "disabling an integration twice should keep the first time"
        )

    # -- notifications ---------------------------------------------------------------------

    def test_a_notification_reads_back_equal(self, store: SyncStore) -> None:
        notification = a_notification(
            "n1", kind=NotificationKind.INTEGRATION_DISABLED, sync_id=None, run_id=None
        )

        store.add_notification(notification)

        assert store.notifications() == [notification], "a notification should read back equal"

    def test_notifications_are_listed_newest_first(self, store: SyncStore) -> None:
        store.add_notification(a_notification("old", created_at=T0))
        store.add_notification(a_notification("new", created_at=T0 + HOUR))
        store.add_notification(a_notification("new-too", created_at=T0 + HOUR))

        assert [n.id for n in store.notifications()] == ["new-too", "new", "old"], (
            "notifications should be listed newest first (then last added first)"
        )

    def test_unread_only_leaves_read_notifications_out(self, store: SyncStore) -> None:
        store.add_notification(a_notification("n1", read=True))
        store.add_notification(a_notification("n2"))

        assert [n.id for n in store.notifications(unread_only=True)] == ["n2"], (
            "notifications(unread_only=True) should leave read ones out"
        )

    def test_mark_read_counts_only_the_unread_ones_it_changed(self, store: SyncStore) -> None:
        for notification_id in ("n1", "n2", "n3"):
            store.add_notification(a_notification(notification_id, read=notification_id == "n2"))

        changed = store.mark_read(["n1", "n2", "unknown"])

        assert (changed, [n.id for n in store.notifications(unread_only=True)]) == (1, ["n3"]), (
            "mark_read should mark the unread ones named and count only those it changed"
        )

    def test_mark_read_of_all_marks_every_unread_one(self, store: SyncStore) -> None:
        for notification_id in ("n1", "n2", "n3"):
            store.add_notification(a_notification(notification_id, read=notification_id == "n2"))

        changed = store.mark_read()

        assert (changed, store.notifications(unread_only=True)) == (2, []), (
            "mark_read() should mark every unread notification and count them"
        )

    def test_adding_a_notification_with_a_taken_id_raises_store_error(
        self, store: SyncStore
    ) -> None:
        store.add_notification(a_notification("n1"))

        with pytest.raises(StoreError):
            store.add_notification(a_notification("n1"))

    # -- time ------------------------------------------------------------------------------

    def test_datetimes_come_back_aware_as_the_same_instants(self, store: SyncStore) -> None:
        india = timezone(timedelta(hours=5, minutes=30))
        created = datetime(2026, 3, 1, 15, 0, 0, 123456, tzinfo=india)

        store.add_sync(a_sync(created_at=created))

        got = store.get_sync("s1").created_at
        assert (got, got.tzinfo is not None) == (created, True), (
            "datetimes should come back time-zone aware, as the same instants"
        )
