from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import event, given
from hypothesis import strategies as st

from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.mapping import FieldMap, FieldMapping, Mapped

_PYTHON_TYPE: dict[FieldType, type] = {
    FieldType.INTEGER: int,
    FieldType.DECIMAL: Decimal,
    FieldType.DATE: date,
    FieldType.DATETIME: datetime,
    FieldType.BOOLEAN: bool,
}

_NAMES = ["a", "b", "c", "d", "e"]


def _schemas(prefix: str) -> st.SearchStrategy[Schema]:
    return st.lists(
        st.tuples(st.sampled_from(_NAMES), st.sampled_from(FieldType)),
        max_size=len(_NAMES),
        unique_by=lambda pair: pair[0],
    ).map(
        lambda fields: Schema(
            [Field(prefix + "email", FieldType.EMAIL)]
            + [Field(prefix + name, kind) for name, kind in fields]
        )
    )


_pairs = st.builds(
    FieldMap,
    st.sampled_from(_NAMES).map(lambda n: "s_" + n),
    st.sampled_from(_NAMES).map(lambda n: "t_" + n),
    st.booleans(),
)

_offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
_values = st.one_of(
    st.none(),
    st.text(),
    st.from_regex(r"\s*[+-]?[0-9,]{0,8}(\.[0-9]{0,4})?\s*", fullmatch=True),
    st.from_regex(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?([+-]\d{4}|Z)?)?", fullmatch=True),
    st.sampled_from(["true", "No", "1", "0", "yes"]),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=_offsets),
    st.binary(max_size=4),
    st.lists(st.integers(), max_size=2),
)


@given(_schemas("s_"), _schemas("t_"), st.lists(_pairs, max_size=4), st.data())
def test_a_mapping_of_known_fields_plans_with_problems_or_applies_without_raising(
    source: Schema, target: Schema, pairs: list[FieldMap], data: st.DataObject
) -> None:
    plan = FieldMapping.of(("s_email", "t_email"), *pairs).plan(source, target)
    event("ok" if plan.ok else "problems")
    if plan.ok:
        values = data.draw(st.dictionaries(st.sampled_from(source.names), _values))
        mapped = plan.apply(values, update_empty_values=data.draw(st.booleans()))
        assert isinstance(mapped, Mapped)
    else:
        assert all(problem.code and problem.message for problem in plan.problems)


_ALL = Schema([Field(f"f_{kind.value}", kind) for kind in FieldType], email_field="f_email")
_IDENTITY_PLAN = FieldMapping(
    [FieldMap(f"f_{kind.value}") for kind in FieldType if kind is not FieldType.EMAIL]
    + [FieldMap("f_email")]
).plan(_ALL, _ALL)


@given(st.dictionaries(st.sampled_from(_ALL.names), _values), st.booleans())
def test_apply_never_raises_and_gives_each_field_its_target_type(
    values: dict[str, object], update_empty_values: bool
) -> None:
    mapped = _IDENTITY_PLAN.apply(values, update_empty_values=update_empty_values)

    for name, value in mapped.values.items():
        kind = _ALL.get(name).type  # type: ignore[union-attr]
        assert value is None or isinstance(value, _PYTHON_TYPE.get(kind, str)), (name, value)


@given(st.dictionaries(st.sampled_from(_ALL.names), _values))
def test_without_update_empty_values_only_the_email_may_be_none(values: dict[str, object]) -> None:
    mapped = _IDENTITY_PLAN.apply(values)

    assert {"f_email"} >= {name for name, value in mapped.values.items() if value is None}


@given(st.dictionaries(st.sampled_from(_ALL.names), _values))
def test_a_value_is_either_converted_or_reported_never_both(values: dict[str, object]) -> None:
    mapped = _IDENTITY_PLAN.apply(values)

    assert mapped.error is None or mapped.error.field not in mapped.values


@given(st.text())
def test_converted_text_has_no_control_characters_or_surrounding_space(text: str) -> None:
    mapped = _IDENTITY_PLAN.apply({"f_email": "a@example.com", "f_text": text})
    converted = mapped.values.get("f_text", "")

    assert isinstance(converted, str)
    assert converted == converted.strip()
    assert all(
        ch in "\t\n" or (ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F) for ch in converted
    )
