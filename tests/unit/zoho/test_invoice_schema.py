"""Zoho Invoice rows as values: times with offsets, typed values, custom fields, positions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldsync.domain.fields import FieldType
from fieldsync.zoho._invoice_schema import (
    CustomFields,
    Position,
    field_name,
    parse_zoho_time,
    row_values,
)

IST = timezone(timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    "text",
    ["2013-10-07T18:24:51+0530", "2013-10-07T18:24:51+05:30", "2013-10-07T12:54:51Z"],
)
def test_zoho_times_are_read_with_their_offset(text: str) -> None:
    assert parse_zoho_time(text) == datetime(2013, 10, 7, 18, 24, 51, tzinfo=IST)


def test_a_time_without_an_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="offset"):
        parse_zoho_time("2013-10-07T18:24:51")


REALISTIC = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


@given(REALISTIC.map(lambda d: d.replace(microsecond=0)))
def test_a_time_written_the_zoho_way_reads_back_the_same(instant: datetime) -> None:
    assert parse_zoho_time(instant.astimezone(IST).strftime("%Y-%m-%dT%H:%M:%S%z")) == instant


@given(
    st.integers(min_value=1, max_value=10**6),
    st.none() | st.datetimes(timezones=st.just(UTC)),
)
def test_a_position_decodes_to_what_was_encoded(page: int, since: datetime | None) -> None:
    position = Position(page, since)

    assert Position.decode(position.encode()) == position


@pytest.mark.parametrize("text", ["", "page=0", "3", "page=two", "offset=3"])
def test_text_that_is_not_a_position_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="position"):
        Position.decode(text)


def test_standard_values_are_typed() -> None:
    row = {
        "contact_id": "46",
        "outstanding_receivable_amount": 1250.5,
        "payment_terms": 30,
        "created_time": "2020-01-02T03:04:05+0530",
    }

    values = row_values(row, CustomFields())

    assert (
        values["outstanding_receivable_amount"],
        values["payment_terms"],
        values["created_time"],
    ) == (Decimal("1250.5"), 30, datetime(2020, 1, 2, 3, 4, 5, tzinfo=IST))


def test_empty_text_is_none() -> None:
    assert row_values({"contact_id": "1", "website": ""}, CustomFields())["website"] is None


def test_custom_values_take_the_type_of_their_zoho_data_type() -> None:
    row = {
        "custom_fields": [
            {"index": 1, "label": "Signup Date", "data_type": "date", "value": "2021-05-03"},
            {"index": 2, "label": "Seats", "data_type": "number", "value": "12"},
            {"index": 3, "label": "VIP", "data_type": "check_box", "value": True},
        ]
    }
    custom = CustomFields()
    custom.note(row)

    values = row_values(row, custom)

    assert (values["Signup Date"], values["Seats"], values["VIP"]) == (date(2021, 5, 3), 12, True)


def test_a_custom_value_its_type_cannot_take_stays_text() -> None:
    row = {"custom_fields": [{"label": "Signup Date", "data_type": "date", "value": "soon"}]}
    custom = CustomFields()
    custom.note(row)

    assert row_values(row, custom)["Signup Date"] == "soon"


def test_custom_fields_are_listed_in_zoho_index_order() -> None:
    custom = CustomFields()
    custom.note({"custom_fields": [{"index": 2, "label": "B"}, {"index": 1, "label": "A"}]})

    assert [f.name for f in custom.fields()] == ["A", "B"]


def test_declared_custom_fields_come_first_and_learn_their_type() -> None:
    custom = CustomFields(["Tier"])
    custom.note({"custom_fields": [{"index": 1, "label": "Region"}]})
    custom.note({"custom_fields": [{"index": 4, "label": "Tier", "data_type": "dropdown"}]})

    assert [(f.name, f.type) for f in custom.fields()] == [
        ("Tier", FieldType.PICKLIST),
        ("Region", FieldType.TEXT),
    ]


def test_a_custom_label_equal_to_a_standard_field_is_renamed() -> None:
    assert field_name("email") == "email (custom)"
