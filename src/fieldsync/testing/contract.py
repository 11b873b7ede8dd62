"""Contract suites for your own :class:`~fieldsync.ports.Source` and
:class:`~fieldsync.ports.Target` adapters.

Subclass the contract in your tests and provide the fixtures it asks for; every test of the
contract then runs against your adapter::

    import pytest
    from fieldsync.testing.contract import SourceContract, TargetContract

    class TestCsvSource(SourceContract):
        @pytest.fixture
        def source(self, tmp_path):
            return CsvSource(write_sample_csv(tmp_path, rows=250), page_size=100)

    class TestMyListTarget(TargetContract):
        @pytest.fixture
        def target(self):
            return MyListTarget(client=make_test_client())

        @pytest.fixture
        def list_key(self, target):
            return target_test_list(target)  # an empty list the tests may write to

The source fixture should hold at least two pages of records with valid emails, so that
resuming can be checked. This module imports pytest: import it from your tests only.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import timedelta

import pytest

from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.records import (
    Capacity,
    OutcomeKind,
    SourcePage,
    TargetContact,
    TargetLimits,
)
from fieldsync.ports import Source, Target

__all__ = ["SourceContract", "TargetContract"]

_WRITTEN = {OutcomeKind.ADDED, OutcomeKind.UPDATED, OutcomeKind.WRITTEN}


def _pages(source: Source, **kwargs: object) -> list[SourcePage]:
    return list(source.read(**kwargs))  # type: ignore[arg-type]


class SourceContract:
    """What fieldsync relies on from every Source. Provide a ``source`` fixture."""

    def test_it_is_a_source(self, source: Source) -> None:
        assert isinstance(source, Source), (
            f"the source fixture should implement fieldsync.ports.Source (schema, read, count, "
            f"describe_credentials), got {type(source).__name__}"
        )

    def test_schema_is_a_schema_with_fields(self, source: Source) -> None:
        schema = source.schema()

        assert isinstance(schema, Schema), (
            f"source.schema() should return a fieldsync.Schema, got {type(schema).__name__}"
        )
        assert len(schema) > 0, "source.schema() should list the source's fields, got none"

    def test_a_full_read_yields_pages_of_records_with_unique_keys(self, source: Source) -> None:
        keys = [r.key for page in _pages(source) for r in page.records]

        assert keys, "the source fixture should hold records: a full read yielded none"
        repeated = sorted(key for key, times in Counter(keys).items() if times > 1)
        assert not repeated, f"a full read should yield each record key once; repeated: {repeated}"

    def test_records_carry_aware_modified_times_and_only_schema_fields(
        self, source: Source
    ) -> None:
        names = set(source.schema().names)

        for page in _pages(source):
            for record in page.records:
                assert record.modified_at.tzinfo is not None, (
                    f"record {record.key!r}: modified_at should be time-zone aware, "
                    f"got {record.modified_at!r}"
                )
                unknown = sorted(set(record.values) - names)
                assert not unknown, (
                    f"record {record.key!r}: every value should be a field of source.schema(); "
                    f"not in the schema: {unknown}"
                )

    def test_reading_again_from_a_page_position_starts_at_that_page(self, source: Source) -> None:
        pages = _pages(source)
        if len(pages) < 2:
            pytest.skip("the source fixture holds a single page; resuming cannot be checked")
        second = pages[1]

        resumed = next(iter(source.read(resume=second.position)))

        assert [r.key for r in resumed.records] == [r.key for r in second.records], (
            f"read(resume={second.position!r}) should start at the page that position came "
            f"with (the second page of a full read)"
        )

    def test_an_incremental_read_keeps_every_record_modified_since(self, source: Source) -> None:
        records = [r for page in _pages(source) for r in page.records]
        newest = max(r.modified_at for r in records)
        since = newest - timedelta(seconds=1)

        expected = {r.key for r in records if r.modified_at >= since}
        got = {r.key for page in _pages(source, since=since) for r in page.records}

        assert expected <= got, (
            f"read(since={since.isoformat()}) should yield every record modified at or after "
            f"it; missing: {sorted(expected - got)}"
        )

    def test_count_is_unknown_or_the_number_of_records(self, source: Source) -> None:
        count = source.count()
        total = sum(len(page.records) for page in _pages(source))

        assert count is None or count == total, (
            f"source.count() should be None (unknown) or the {total} records a full read "
            f"yields, got {count}"
        )

    def test_credentials_are_described_as_text(self, source: Source) -> None:
        described = list(source.describe_credentials())
        assert all(isinstance(item, str) for item in described), (
            f"source.describe_credentials() should yield text only, got {described!r}"
        )


class TargetContract:
    """What fieldsync relies on from every Target. Provide ``target`` and ``list_key``."""

    _emails = itertools.count()

    def _contact(self, target: Target, **values: object) -> TargetContact:
        email = f"contract.{next(self._emails)}@example.com"
        email_field = target.schema().email_field
        assert email_field is not None, "target.schema() should name its email field"
        return TargetContact(key=email, email=email, values={email_field: email, **values})

    def test_it_is_a_target(self, target: Target) -> None:
        assert isinstance(target, Target), (
            f"the target fixture should implement fieldsync.ports.Target (schema, limits, "
            f"create_field, upsert, capacity, describe_credentials), got {type(target).__name__}"
        )

    def test_schema_names_its_email_field(self, target: Target) -> None:
        schema = target.schema()

        assert schema.email_field is not None, (
            "target.schema() should name its email field (Schema(..., email_field=name))"
        )
        email = schema.get(schema.email_field)
        assert email is not None, (
            f"target.schema() names {schema.email_field!r} as its email field but has no "
            f"field of that name"
        )
        assert email.type is FieldType.EMAIL, (
            f"the target's email field {email.name!r} should be of type EMAIL, not "
            f"{email.type.name}"
        )

    def test_limits_allow_at_least_one_contact_per_batch(self, target: Target) -> None:
        limits = target.limits()

        assert isinstance(limits, TargetLimits), (
            f"target.limits() should return a fieldsync.TargetLimits, got {type(limits).__name__}"
        )
        assert limits.max_batch >= 1, (
            f"target.limits().max_batch should allow at least one contact, got {limits.max_batch}"
        )

    def test_a_created_field_appears_in_the_schema(self, target: Target) -> None:
        created = target.create_field(Field("ContractNote", FieldType.TEXT))

        assert created.name == "ContractNote", (
            f"target.create_field(Field('ContractNote', ...)) should return the field it "
            f"created, got {created!r}"
        )
        assert "ContractNote" in target.schema(), (
            "a field target.create_field() created should be in target.schema() afterwards"
        )

    def test_upsert_answers_one_outcome_per_contact_in_order(
        self, target: Target, list_key: str
    ) -> None:
        contacts = [self._contact(target) for _ in range(min(3, target.limits().max_batch))]

        outcomes = target.upsert(list_key, contacts)

        assert [o.key for o in outcomes] == [c.key for c in contacts], (
            f"target.upsert() should answer one outcome per contact, in the contacts' order: "
            f"sent {[c.key for c in contacts]}, answered {[o.key for o in outcomes]}"
        )

    def test_a_new_contact_is_added_and_a_second_write_updates_it(
        self, target: Target, list_key: str
    ) -> None:
        contact = self._contact(target)

        (first,) = target.upsert(list_key, [contact])
        (second,) = target.upsert(list_key, [contact])

        assert first.kind in {OutcomeKind.ADDED, OutcomeKind.WRITTEN}, (
            f"a contact new to the list should come back ADDED (or WRITTEN when the target "
            f"cannot tell), got {first.kind.name} ({first.reason})"
        )
        assert second.kind in {OutcomeKind.UPDATED, OutcomeKind.WRITTEN}, (
            f"the same contact written again should come back UPDATED (or WRITTEN when the "
            f"target cannot tell), got {second.kind.name} ({second.reason})"
        )

    def test_an_invalid_email_is_skipped_with_a_reason_not_raised(
        self, target: Target, list_key: str
    ) -> None:
        email_field = target.schema().email_field
        assert email_field is not None, "target.schema() should name its email field"
        bad = TargetContact(key="bad", email="not an email", values={email_field: "not an email"})

        (outcome,) = target.upsert(list_key, [bad])

        assert outcome.kind in {OutcomeKind.SKIPPED, OutcomeKind.FAILED}, (
            f"a contact the target refuses (email 'not an email') should come back SKIPPED or "
            f"FAILED, not raise or pass, got {outcome.kind.name}"
        )
        assert outcome.reason is not None, (
            f"a {outcome.kind.name} outcome should carry a reason code, got none"
        )

    def test_a_full_batch_is_accepted(self, target: Target, list_key: str) -> None:
        size = min(target.limits().max_batch, 50)
        contacts = [self._contact(target) for _ in range(size)]

        outcomes = target.upsert(list_key, contacts)

        refused = [(o.key, o.kind.name, o.reason) for o in outcomes if o.kind not in _WRITTEN]
        assert len(outcomes) == size, (
            f"target.upsert() should answer one outcome per contact: {size} sent, "
            f"{len(outcomes)} outcomes"
        )
        assert not refused, (
            f"a batch of {size} valid new contacts (limits().max_batch, at most 50) should be "
            f"written whole; not written: {refused[:5]}"
        )

    def test_capacity_is_unknown_or_a_capacity(self, target: Target, list_key: str) -> None:
        capacity = target.capacity(list_key)

        assert capacity is None or isinstance(capacity, Capacity), (
            f"target.capacity(list_key) should be None (unknown) or a fieldsync.Capacity, "
            f"got {capacity!r}"
        )

    def test_credentials_are_described_as_text(self, target: Target) -> None:
        described = list(target.describe_credentials())
        assert all(isinstance(item, str) for item in described), (
            f"target.describe_credentials() should yield text only, got {described!r}"
        )
