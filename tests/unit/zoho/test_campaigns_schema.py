"""Reading contact/allfields and getmailinglists answers, in every shape met."""

from __future__ import annotations

import pytest

from fieldsync.domain.fields import Field, FieldType
from fieldsync.exceptions import SyncError
from fieldsync.zoho._campaigns_parse import MailingList, alphanumeric, list_rows, schema_from

ROWS = [
    {"DISPLAY_NAME": "Contact Email", "FIELD_NAME": "contact_email", "IS_MANDATORY": "true"},
    {"DISPLAY_NAME": "First Name", "FIELD_NAME": "firstname", "IS_MANDATORY": False},
    {"DISPLAY_NAME": "Birthday", "FIELD_NAME": "birthday", "IS_MANDATORY": "false"},
]


def with_types(key: str) -> list[dict[str, object]]:
    types = ["Email", "Text", "Date"]
    return [{**row, key: kind} for row, kind in zip(ROWS, types, strict=True)]


EXPECTED = (
    Field("Contact Email", FieldType.EMAIL, required=True, custom=False),
    Field("First Name", FieldType.TEXT, required=False, custom=False),
    Field("Birthday", FieldType.DATE, required=False, custom=True),
)


@pytest.mark.parametrize(
    "body",
    [
        {"response": {"code": "0", "fieldnames": {"fieldname": with_types("type")}}},
        {"response": {"code": "0", "fieldname": with_types("UITYPE")}},
        {"fieldnames": {"fieldname": with_types("type")}},
    ],
    ids=["fieldnames", "fieldname", "unwrapped"],
)
def test_fields_are_read_from_each_answer_shape(body: dict[str, object]) -> None:
    schema = schema_from(body, endpoint="GET contact/allfields")

    assert (EXPECTED, "Contact Email") == (schema.fields, schema.email_field)


def test_a_custom_flag_in_the_answer_wins_over_the_standard_names() -> None:
    row = {"DISPLAY_NAME": "First Name", "FIELD_NAME": "firstname", "IS_CUSTOM": True}
    body = {"response": {"fieldname": [ROWS[0], row]}}

    assert schema_from(body, endpoint="x").fields[1].custom


def test_a_single_field_given_as_an_object_is_read() -> None:
    body = {"response": {"fieldnames": {"fieldname": ROWS[0]}}}

    assert ("Contact Email",) == schema_from(body, endpoint="x").names


def test_an_answer_without_an_email_field_is_an_error() -> None:
    with pytest.raises(SyncError):
        schema_from({"response": {"fieldname": ROWS[1:]}}, endpoint="x")


@pytest.mark.parametrize(
    ("name", "expected"), [("Country", "Country"), ("Customer Type", "CustomerType"), ("Ünï", "n")]
)
def test_field_names_are_made_alphanumeric(name: str, expected: str) -> None:
    assert expected == alphanumeric(name)


def test_mailing_lists_read_counts_sent_as_text_or_numbers() -> None:
    body = {
        "list_of_details": [
            {"listkey": "a", "listname": "A", "noofcontacts": "12"},
            {"listkey": "b", "listname": "B", "noofcontacts": 3},
            {"listkey": "c", "listname": "C"},
            {"listname": "no key"},
        ]
    }

    assert [MailingList("a", "A", 12), MailingList("b", "B", 3), MailingList("c", "C", None)] == (
        list(list_rows(body))
    )
