"""Checking criteria against a source schema: unknown fields, unfit operators and values."""

import pytest

from fieldsync.domain.criteria import Condition, Criteria, Operator
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.exceptions import CriteriaError

SOURCE = Schema.of(
    Field("email", FieldType.EMAIL),
    Field("name"),
    Field("Billing City", FieldType.PICKLIST),
    Field("count", FieldType.INTEGER),
    Field("amount", FieldType.DECIMAL),
    Field("birthday", FieldType.DATE),
    Field("created", FieldType.DATETIME),
    Field("active", FieldType.BOOLEAN),
)


def codes(text: str) -> list[str]:
    return [problem.code for problem in Criteria.parse(text).validate(SOURCE)]


@pytest.mark.parametrize(
    "text",
    [
        'name == "x" and `Billing City` in ("Pune", "Delhi")',
        'email ends with "@example.com"',
        "name contains 5",
        "count > 3 and amount <= 10.5 and count in (1, 2)",
        'amount > "1,200.50"',
        'birthday before "2024-01-31" and created after "2024-01-31T10:00:00Z"',
        'created == "2024-01-31"',
        'active == true and active != "false"',
        "active is empty and count is not empty",
        "",
    ],
)
def test_criteria_that_fit_the_schema_have_no_problems(text: str) -> None:
    assert [] == codes(text)


def test_a_field_the_source_lacks_is_an_unknown_field() -> None:
    assert ["unknown_field"] == codes('country == "India"')


def test_an_unknown_field_problem_names_the_field_and_the_condition() -> None:
    (problem,) = Criteria.parse('country == "India"').validate(SOURCE)

    assert 'country == "India": the source has no field "country"' == problem.message


def test_a_problem_points_at_its_condition() -> None:
    (problem,) = Criteria.parse('country == "India"').validate(SOURCE)

    assert Condition("country", Operator.EQ, "India") == problem.condition


@pytest.mark.parametrize(
    "text",
    [
        "name > 5",
        'email before "2024-01-31"',
        'count contains "1"',
        'amount starts with "1"',
        'count after "2024-01-31"',
        "birthday > 5",
        'created contains "2024"',
        "active > 0",
        'active contains "t"',
    ],
)
def test_an_operator_that_does_not_apply_to_the_field_type_is_a_mismatch(text: str) -> None:
    assert ["operator_type_mismatch"] == codes(text)


def test_an_operator_mismatch_names_the_operator_and_the_field_type() -> None:
    (problem,) = Criteria.parse("name > 5").validate(SOURCE)

    assert "name > 5: '>' does not apply to a text field" == problem.message


@pytest.mark.parametrize(
    "text",
    [
        'count == "abc"',
        "count > true",
        'amount in (1, "two")',
        'birthday before "soon"',
        "birthday before 20240131",
        'created after "2024-02-30"',
        'created == "yesterday"',
        'active == "maybe"',
        "active == 1",
    ],
)
def test_a_value_that_cannot_match_the_field_type_is_a_mismatch(text: str) -> None:
    assert ["value_type_mismatch"] == codes(text)


def test_a_value_mismatch_names_the_value_and_the_field_type() -> None:
    (problem,) = Criteria.parse('count == "abc"').validate(SOURCE)

    assert 'count == "abc": "abc" is not a number, for an integer field' == problem.message


def test_every_problem_is_listed_in_written_order() -> None:
    text = 'x == 1 or (name > 5 and count == "abc")'

    assert ["unknown_field", "operator_type_mismatch", "value_type_mismatch"] == codes(text)


def test_check_passes_criteria_without_problems() -> None:
    Criteria.parse('name == "x"').check(SOURCE)


def test_check_raises_with_every_problem() -> None:
    criteria = Criteria.parse("x == 1 and name > 5")

    with pytest.raises(CriteriaError) as caught:
        criteria.check(SOURCE)

    assert criteria.validate(SOURCE) == caught.value.problems
