from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from fieldsync.domain.conversion import clean_text
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.mapping import ConversionFailure, FieldMapping, Mapped, MappingPlan

IST = timezone(timedelta(hours=5, minutes=30))

SOURCE = Schema.of(
    Field("email", FieldType.EMAIL),
    Field("name"),
    Field("age", FieldType.INTEGER),
    Field("balance", FieldType.DECIMAL),
    Field("birthday", FieldType.DATE),
    Field("created", FieldType.DATETIME),
    Field("active", FieldType.BOOLEAN),
)
TARGET = Schema.of(
    Field("Email", FieldType.EMAIL),
    Field("Name"),
    Field("Age", FieldType.INTEGER),
    Field("Balance", FieldType.DECIMAL),
    Field("Birthday", FieldType.DATE),
    Field("Created", FieldType.DATETIME),
    Field("Active", FieldType.BOOLEAN),
    Field("Age Text"),
)
PLAN: MappingPlan = FieldMapping.of(
    ("email", "Email"),
    ("name", "Name"),
    ("age", "Age"),
    ("balance", "Balance"),
    ("birthday", "Birthday"),
    ("created", "Created"),
    ("active", "Active"),
).plan(SOURCE, TARGET)
MAP = PLAN.compile()


def one(target: str, value: object) -> object:
    """The converted value of one field, or the failure."""
    source = {p.target: p.source for p in PLAN.mapping}[target]
    mapped = MAP({"email": "a@example.com", source: value})
    return mapped.error or mapped.values.get(target, "<left out>")


# -- text --------------------------------------------------------------------------------------


def test_text_is_stripped_of_surrounding_whitespace() -> None:
    assert one("Name", "  Ann Lee \n") == "Ann Lee"


def test_text_loses_nul_bytes_and_control_characters() -> None:
    assert one("Name", "Ann\x00\x07\x1bLee\x7f\x85") == "AnnLee"


def test_text_keeps_tabs_and_newlines_inside() -> None:
    assert one("Name", "line one\n\tline two") == "line one\n\tline two"


def test_text_loses_carriage_returns() -> None:
    assert one("Name", "one\r\ntwo") == "one\ntwo"


def test_text_loses_lone_surrogates() -> None:
    assert one("Name", "An\ud800n") == "Ann"


def test_text_keeps_non_ascii_letters() -> None:
    assert one("Name", "Zoë Ñúñez 李") == "Zoë Ñúñez 李"


def test_a_number_written_to_a_text_field_becomes_its_digits() -> None:
    plan = FieldMapping.of(("email", "Email"), ("age", "Age Text")).plan(SOURCE, TARGET)

    assert plan.apply({"email": "a@example.com", "age": 42}).values == {
        "Email": "a@example.com",
        "Age Text": "42",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (Decimal("1234.50"), "1234.50"),
        (0.1, "0.1"),
        (date(2024, 3, 1), "2024-03-01"),
        (datetime(2024, 3, 1, 10, 15, tzinfo=IST), "2024-03-01T10:15:00+05:30"),
    ],
)
def test_typed_values_become_text_in_a_standard_form(value: object, expected: str) -> None:
    assert expected == one("Name", value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), [1, 2], b"x"])
def test_values_without_a_text_form_fail_in_a_text_field(value: object) -> None:
    assert isinstance(one("Name", value), ConversionFailure)


# -- integers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (42, 42),
        ("42", 42),
        (" -7 ", -7),
        ("+3", 3),
        ("12.0", 12),
        ("1,234", 1234),
        (12.0, 12),
        (Decimal("12.00"), 12),
        (2**63 - 1, 2**63 - 1),
    ],
)
def test_integers_accept_whole_numbers_in_any_form(value: object, expected: int) -> None:
    assert expected == one("Age", value)


@pytest.mark.parametrize(
    "value",
    [
        "12abc",
        "12.5",
        12.5,
        Decimal("0.1"),
        "1e3",
        "1_000",
        "0x10",
        "١٢",
        True,
        2**63,
        "9" * 30,
        Decimal("1E+100000"),
        float("inf"),
        [12],
    ],
)
def test_integers_refuse_anything_else(value: object) -> None:
    assert isinstance(one("Age", value), ConversionFailure)


def test_a_conversion_failure_names_the_field_and_the_value() -> None:
    expected = ConversionFailure(
        "Age", "12abc", "The value '12abc' for field \"Age\" is not a number."
    )
    assert expected == one("Age", "12abc")


def test_a_conversion_failure_says_why_a_fraction_fails() -> None:
    failure = one("Age", "12.5")

    assert isinstance(failure, ConversionFailure)
    assert "has a fraction" in failure.message


def test_a_conversion_failure_shortens_a_long_value() -> None:
    failure = one("Age", "x" * 500)

    assert isinstance(failure, ConversionFailure)
    assert len(failure.message) < 120


# -- decimals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234.50", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("1,234,567", Decimal("1234567")),
        ("-0.5", Decimal("-0.5")),
        (".5", Decimal("0.5")),
        (7, Decimal(7)),
        (0.1, Decimal("0.1")),
        (Decimal("3.14"), Decimal("3.14")),
    ],
)
def test_decimals_accept_numbers_and_english_grouping(value: object, expected: Decimal) -> None:
    assert expected == one("Balance", value)


@pytest.mark.parametrize(
    "value",
    ["1.234,50", "1,23", "12,34.5", "$12", "12 345", "NaN", "Infinity", "1e5", "--1", ".", False],
)
def test_decimals_refuse_ambiguous_or_foreign_forms(value: object) -> None:
    assert isinstance(one("Balance", value), ConversionFailure)


@pytest.mark.parametrize("value", [float("nan"), Decimal("Infinity"), "ten", object()])
def test_decimals_refuse_values_that_are_not_finite_numbers(value: object) -> None:
    assert isinstance(one("Balance", value), ConversionFailure)


# -- dates and datetimes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        (date(2024, 3, 1), date(2024, 3, 1)),
        ("2013-10-07T18:24:51+0530", date(2013, 10, 7)),
        (datetime(2013, 10, 7, 23, 30, tzinfo=IST), date(2013, 10, 7)),
    ],
)
def test_dates_accept_iso_dates_and_datetimes(value: object, expected: date) -> None:
    assert expected == one("Birthday", value)


@pytest.mark.parametrize("value", ["2024-13-45", "2024-02-30", "01/03/2024", "March 1", 20240301])
def test_dates_refuse_impossible_or_non_iso_values(value: object) -> None:
    assert isinstance(one("Birthday", value), ConversionFailure)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2013-10-07T18:24:51+0530", datetime(2013, 10, 7, 18, 24, 51, tzinfo=IST)),
        ("2013-10-07T18:24:51+05:30", datetime(2013, 10, 7, 18, 24, 51, tzinfo=IST)),
        ("2013-10-07T12:54:51Z", datetime(2013, 10, 7, 12, 54, 51, tzinfo=UTC)),
        ("2013-10-07 12:54", datetime(2013, 10, 7, 12, 54, tzinfo=UTC)),
        ("2013-10-07T12:54:51.250", datetime(2013, 10, 7, 12, 54, 51, 250000, tzinfo=UTC)),
        ("2013-10-07", datetime(2013, 10, 7, tzinfo=UTC)),
        (date(2013, 10, 7), datetime(2013, 10, 7, tzinfo=UTC)),
        (datetime(2013, 10, 7, 12, 54), datetime(2013, 10, 7, 12, 54, tzinfo=UTC)),
    ],
)
def test_datetimes_accept_iso_forms_with_offsets(value: object, expected: datetime) -> None:
    assert expected == one("Created", value)


def test_a_datetime_keeps_the_offset_it_was_written_with() -> None:
    converted = one("Created", "2013-10-07T18:24:51+0530")

    assert isinstance(converted, datetime)
    assert timedelta(hours=5, minutes=30) == converted.utcoffset()


@pytest.mark.parametrize(
    "value", ["2013-10-07T25:00", "2013-10-07T18:24:51+0530x", 1381150491, 1.5]
)
def test_datetimes_refuse_other_values(value: object) -> None:
    assert isinstance(one("Created", value), ConversionFailure)


# -- booleans ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("FALSE", False),
        (" Yes ", True),
        ("no", False),
        ("1", True),
        ("0", False),
        (1, True),
        (0, False),
    ],
)
def test_booleans_accept_the_usual_spellings(value: object, expected: bool) -> None:
    assert expected == one("Active", value)


@pytest.mark.parametrize("value", ["maybe", "2", 2, 1.0, "t"])
def test_booleans_refuse_anything_else(value: object) -> None:
    assert isinstance(one("Active", value), ConversionFailure)


# -- empty values ------------------------------------------------------------------------------

_EMPTY = [None, "", " \t\n"]


@pytest.mark.parametrize("target", ["Name", "Age", "Balance", "Birthday", "Created", "Active"])
@pytest.mark.parametrize("empty", _EMPTY)
def test_an_empty_value_is_left_out_without_update_empty_values(target: str, empty: object) -> None:
    assert one(target, empty) == "<left out>"


@pytest.mark.parametrize("target", ["Name", "Age", "Balance", "Birthday", "Created", "Active"])
@pytest.mark.parametrize("empty", _EMPTY)
def test_an_empty_value_clears_the_field_with_update_empty_values(
    target: str, empty: object
) -> None:
    source = {p.target: p.source for p in PLAN.mapping}[target]
    mapped = PLAN.apply({"email": "a@example.com", source: empty}, update_empty_values=True)

    assert mapped.values[target] is None


def test_text_of_control_characters_only_counts_as_empty() -> None:
    assert one("Name", "\x00\x1b") == "<left out>"


def test_a_missing_source_field_counts_as_empty() -> None:
    assert MAP({"email": "a@example.com"}).values == {"Email": "a@example.com"}


def test_an_empty_email_is_never_left_out() -> None:
    assert MAP({"email": "  "}).values == {"Email": None}


# -- the whole record --------------------------------------------------------------------------


def test_apply_converts_a_zoho_like_record() -> None:
    record = {
        "email": " Ann@Example.com ",
        "name": "Ann",
        "age": "42",
        "balance": "1,234.50",
        "birthday": "1990-05-17",
        "created": "2013-10-07T18:24:51+0530",
        "active": "true",
    }
    expected = Mapped(
        {
            "Email": "Ann@Example.com",
            "Name": "Ann",
            "Age": 42,
            "Balance": Decimal("1234.50"),
            "Birthday": date(1990, 5, 17),
            "Created": datetime(2013, 10, 7, 18, 24, 51, tzinfo=IST),
            "Active": True,
        }
    )
    assert expected == PLAN.apply(record)


def test_a_failed_value_leaves_the_others_converted() -> None:
    mapped = MAP({"email": "a@example.com", "age": "x", "name": "Ann"})

    assert mapped.values == {"Email": "a@example.com", "Name": "Ann"}


def test_the_first_failed_value_is_the_one_reported() -> None:
    mapped = MAP({"email": "a@example.com", "age": "x", "active": "maybe"})

    assert mapped.error is not None
    assert mapped.error.field == "Age"


class _Hostile(int):
    """A number whose own methods raise."""

    def __str__(self) -> str:
        raise ValueError("no text for you")

    def __repr__(self) -> str:
        return "<hostile>"


def test_a_value_whose_methods_raise_is_a_conversion_failure() -> None:
    failure = one("Name", _Hostile())

    expected = 'The value <hostile> for field "Name" cannot be converted.'
    assert isinstance(failure, ConversionFailure)
    assert expected == failure.message


class _Name(str):
    """A string subclass, as some client libraries hand out."""


def test_a_string_subclass_is_cleaned_like_a_string() -> None:
    assert one("Name", _Name(" Ann\x00 ")) == "Ann"


def test_clean_text_removes_control_characters_and_surrounding_space() -> None:
    assert clean_text(" \x00Ann\r\n\tLee\x9f ") == "Ann\n\tLee"


def test_clean_text_of_printable_text_only_strips_it() -> None:
    assert clean_text("  Ann Lee ") == "Ann Lee"


class _Unprintable:
    """A value that cannot even say what it is."""

    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


def test_a_value_whose_repr_raises_is_a_conversion_failure_naming_its_type() -> None:
    failure = one("Name", _Unprintable())

    expected = 'The value <a _Unprintable> for field "Name" is a _Unprintable, not a text value.'
    assert isinstance(failure, ConversionFailure)
    assert expected == failure.message
