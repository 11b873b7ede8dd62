"""FieldType <-> Campaigns field types, and values as the text contactinfo carries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldsync.domain.fields import FieldType
from fieldsync.zoho._field_types import campaigns_type, field_type, to_campaigns_value


@given(st.sampled_from(FieldType))
def test_every_field_type_round_trips_through_its_campaigns_type(kind: FieldType) -> None:
    assert kind is field_type(campaigns_type(kind))


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("LongInteger", FieldType.INTEGER),
        ("integer", FieldType.INTEGER),
        ("Percent", FieldType.DECIMAL),
        ("RadioOption", FieldType.PICKLIST),
        ("Multiselect", FieldType.TEXT),
        ("TEXTAREA", FieldType.TEXTAREA),
        ("1", FieldType.TEXT),
        (None, FieldType.TEXT),
    ],
)
def test_campaigns_type_names_are_read_in_any_case_and_unknown_ones_are_text(
    raw: object, kind: FieldType
) -> None:
    assert kind is field_type(raw)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (Decimal("1234.50"), "1234.50"),
        (Decimal("1E+3"), "1000"),
        (42, "42"),
        (date(2024, 3, 1), "03/01/2024"),
        (
            datetime(2024, 3, 1, 10, 15, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "03/01/2024 04:45:00",
        ),
        (datetime(2024, 3, 1, 10, 15), "03/01/2024 10:15:00"),
        (datetime(2024, 12, 31, 23, 0, tzinfo=UTC), "12/31/2024 23:00:00"),
        ("Ann", "Ann"),
    ],
)
def test_values_are_sent_as_the_text_campaigns_accepts(value: object, text: str) -> None:
    assert text == to_campaigns_value(value)
