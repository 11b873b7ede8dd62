"""The domain's rules for values no target can take as they are: control characters in an
address, nested values, unbounded text, internationalised addresses, unreadable records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldsync.domain.conversion import MAX_TEXT, converter_for
from fieldsync.domain.criteria import Criteria
from fieldsync.domain.emails import email_problem, is_valid_email, normalize_email
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.planner import Planner, Prepared
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import SourceRecord

WHEN = datetime(2026, 3, 1, tzinfo=UTC)
SOURCE = Schema.of(
    Field("email", FieldType.EMAIL), Field("name", FieldType.TEXT), Field("note", FieldType.TEXT)
)


def planner(*, email_type: FieldType = FieldType.EMAIL, name_length: int | None = 20) -> Planner:
    target = Schema.of(
        Field("Contact Email", email_type),
        Field("Name", FieldType.TEXT, max_length=name_length),
        Field("Note", FieldType.TEXTAREA),
        email_field="Contact Email",
    )
    mapping = FieldMapping.of(("email", "Contact Email"), ("name", "Name"), ("note", "Note"))
    return Planner(mapping.plan(SOURCE, target), Criteria.all())


def prepare(email: object, *, name: object = "Ann", note: object = "", **kw: object) -> Prepared:
    values = {"email": email, "name": name, "note": note}
    return planner(**kw).prepare(SourceRecord("k", WHEN, values))  # type: ignore[arg-type]


# -- control characters in an address ------------------------------------------------------

controls = st.sampled_from([chr(c) for c in (*range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F, 0x9F)])


@given(controls, st.integers(0, 15), st.sampled_from([FieldType.EMAIL, FieldType.TEXT]))
def test_an_address_with_a_control_character_inside_is_refused_never_rewritten(
    control: str, at: int, email_type: FieldType
) -> None:
    address = "ann.smith@example.com"
    cut = at % len(address)

    prepared = prepare(address[:cut] + control + address[cut:], email_type=email_type)

    assert ReasonCode.INVALID_EMAIL is prepared.skip
    assert control not in prepared.skip_text  # shown escaped in the reason


def test_an_address_with_a_nul_is_not_written_as_the_address_without_it() -> None:
    prepared = prepare("ann\x00@example.com")

    assert (ReasonCode.INVALID_EMAIL, None) == (prepared.skip, prepared.fingerprint)
    assert "\\x00" in prepared.skip_text


# -- nested values ---------------------------------------------------------------------------

nested_value = st.one_of(
    st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=3),
    st.lists(st.integers(), max_size=3),
)


@given(nested_value, st.sampled_from(sorted(FieldType, key=lambda t: t.value)))
def test_a_nested_value_is_refused_by_every_field_type_never_sent_as_a_repr(
    value: object, kind: FieldType
) -> None:
    with pytest.raises(ValueError):  # Unconvertible is a ValueError
        converter_for(kind)(value)


def test_a_record_with_a_nested_value_in_a_mapped_field_is_skipped_as_a_conversion_error() -> None:
    prepared = prepare("ann@example.com", name={"first": "Ann"})

    assert ReasonCode.CONVERSION_ERROR is prepared.skip


# -- unbounded text --------------------------------------------------------------------------


@given(st.text(min_size=0, max_size=60), st.integers(1, 40))
def test_text_is_cut_to_the_target_fields_length(text: str, length: int) -> None:
    converted = converter_for(FieldType.TEXT, max_length=length)(text)

    assert converted is None or len(str(converted)) <= length


def test_text_for_a_field_without_a_length_is_cut_to_the_domain_cap() -> None:
    converted = converter_for(FieldType.TEXTAREA)("x" * (5 * 1024 * 1024))

    assert MAX_TEXT == len(str(converted))


def test_a_five_megabyte_first_name_is_written_cut_to_the_field() -> None:
    prepared = prepare("ann@example.com", name="A" * 5_000_000)

    assert (None, "A" * 20) == (prepared.skip, prepared.values["Name"])


def test_an_address_is_never_cut_and_a_long_one_is_invalid() -> None:
    address = "a" * 60 + "@" + "b" * 250 + ".com"

    prepared = prepare(address)

    assert ReasonCode.INVALID_EMAIL is prepared.skip
    assert address == prepared.email


# -- internationalised addresses ---------------------------------------------------------------


def test_an_internationalised_domain_is_written_in_its_ascii_form() -> None:
    assert "zoe@xn--exmple-cua.com" == normalize_email("zoe@exämple.com")
    assert is_valid_email("zoe@xn--exmple-cua.com")


def test_a_non_ascii_local_part_is_refused_as_invalid_with_the_reason() -> None:
    prepared = prepare("Zoë@exämple.com")

    assert ReasonCode.INVALID_EMAIL is prepared.skip
    assert "non-ASCII letters before the @" in prepared.skip_text


@given(st.text(st.characters(codec="utf-8"), max_size=30))
def test_normalising_any_text_never_raises_and_says_why_an_invalid_one_is_invalid(
    raw: str,
) -> None:
    address = normalize_email(raw)

    if address is not None and not is_valid_email(address):
        assert email_problem(address).startswith("The email address")


# -- records the source could not read whole -------------------------------------------------


def test_a_record_with_a_defect_is_skipped_as_invalid_whatever_its_values() -> None:
    record = SourceRecord("k", WHEN, {"email": "ann@example.com"}, defect="no time")

    prepared = planner().prepare(record)

    assert ReasonCode.INVALID_RECORD is prepared.skip
    assert "no time" in prepared.skip_text


def test_the_reason_shows_letters_as_they_are_and_controls_escaped() -> None:
    assert '"Zoë\\x00@x.com"' in email_problem("Zoë\x00@x.com")
