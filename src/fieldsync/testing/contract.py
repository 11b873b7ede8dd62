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
        assert isinstance(source, Source)

    def test_schema_is_a_schema_with_fields(self, source: Source) -> None:
        schema = source.schema()

        assert isinstance(schema, Schema)
        assert len(schema) > 0

    def test_a_full_read_yields_pages_of_records_with_unique_keys(self, source: Source) -> None:
        keys = [r.key for page in _pages(source) for r in page.records]

        assert keys, "the source fixture should hold records"
        assert len(keys) == len(set(keys))

    def test_records_carry_aware_modified_times_and_only_schema_fields(
        self, source: Source
    ) -> None:
        names = set(source.schema().names)

        for page in _pages(source):
            for record in page.records:
                assert record.modified_at.tzinfo is not None, record.key
                assert set(record.values) <= names, record.key

    def test_reading_again_from_a_page_position_starts_at_that_page(self, source: Source) -> None:
        pages = _pages(source)
        if len(pages) < 2:
            pytest.skip("the source fixture holds a single page; resuming cannot be checked")
        second = pages[1]

        resumed = next(iter(source.read(resume=second.position)))

        assert [r.key for r in resumed.records] == [r.key for r in second.records]

    def test_an_incremental_read_keeps_every_record_modified_since(self, source: Source) -> None:
        records = [r for page in _pages(source) for r in page.records]
        newest = max(r.modified_at for r in records)
        since = newest - timedelta(seconds=1)

        expected = {r.key for r in records if r.modified_at >= since}
        got = {r.key for page in _pages(source, since=since) for r in page.records}

        assert expected <= got

    def test_count_is_unknown_or_the_number_of_records(self, source: Source) -> None:
        count = source.count()
        total = sum(len(page.records) for page in _pages(source))

        assert count is None or count == total

    def test_credentials_are_described_as_text(self, source: Source) -> None:
        assert all(isinstance(item, str) for item in source.describe_credentials())


class TargetContract:
    """What fieldsync relies on from every Target. Provide ``target`` and ``list_key``."""

    _emails = itertools.count()

    def _contact(self, target: Target, **values: object) -> TargetContact:
        email = f"contract.{next(self._emails)}@example.com"
        email_field = target.schema().email_field
        assert email_field is not None
        return TargetContact(key=email, email=email, values={email_field: email, **values})

    def test_it_is_a_target(self, target: Target) -> None:
        assert isinstance(target, Target)

    def test_schema_names_its_email_field(self, target: Target) -> None:
        schema = target.schema()

        assert schema.email_field is not None
        email = schema.get(schema.email_field)
        assert email is not None
        assert email.type is FieldType.EMAIL

    def test_limits_allow_at_least_one_contact_per_batch(self, target: Target) -> None:
        limits = target.limits()

        assert isinstance(limits, TargetLimits)
        assert limits.max_batch >= 1

    def test_a_created_field_appears_in_the_schema(self, target: Target) -> None:
        created = target.create_field(Field("ContractNote", FieldType.TEXT))

        assert created.name == "ContractNote"
        assert "ContractNote" in target.schema()

    def test_upsert_answers_one_outcome_per_contact_in_order(
        self, target: Target, list_key: str
    ) -> None:
        contacts = [self._contact(target) for _ in range(min(3, target.limits().max_batch))]

        outcomes = target.upsert(list_key, contacts)

        assert [o.key for o in outcomes] == [c.key for c in contacts]

    def test_a_new_contact_is_added_and_a_second_write_updates_it(
        self, target: Target, list_key: str
    ) -> None:
        contact = self._contact(target)

        (first,) = target.upsert(list_key, [contact])
        (second,) = target.upsert(list_key, [contact])

        assert first.kind in {OutcomeKind.ADDED, OutcomeKind.WRITTEN}
        assert second.kind in {OutcomeKind.UPDATED, OutcomeKind.WRITTEN}

    def test_an_invalid_email_is_skipped_with_a_reason_not_raised(
        self, target: Target, list_key: str
    ) -> None:
        email_field = target.schema().email_field
        assert email_field is not None
        bad = TargetContact(key="bad", email="not an email", values={email_field: "not an email"})

        (outcome,) = target.upsert(list_key, [bad])

        assert outcome.kind in {OutcomeKind.SKIPPED, OutcomeKind.FAILED}
        assert outcome.reason is not None

    def test_a_full_batch_is_accepted(self, target: Target, list_key: str) -> None:
        size = min(target.limits().max_batch, 50)
        contacts = [self._contact(target) for _ in range(size)]

        outcomes = target.upsert(list_key, contacts)

        assert sum(o.kind in _WRITTEN for o in outcomes) == size

    def test_capacity_is_unknown_or_a_capacity(self, target: Target, list_key: str) -> None:
        capacity = target.capacity(list_key)

        assert capacity is None or isinstance(capacity, Capacity)

    def test_credentials_are_described_as_text(self, target: Target) -> None:
        assert all(isinstance(item, str) for item in target.describe_credentials())
