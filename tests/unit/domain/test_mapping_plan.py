import pytest

from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.mapping import FieldMap, FieldMapping, MappingPlan
from fieldsync.exceptions import MappingError

SOURCE = Schema.of(
    Field("email", FieldType.EMAIL),
    Field("other_email", FieldType.EMAIL),
    Field("first_name"),
    Field("notes", FieldType.TEXTAREA),
    Field("age", FieldType.INTEGER),
    Field("balance", FieldType.DECIMAL),
    Field("birthday", FieldType.DATE),
    Field("created_time", FieldType.DATETIME),
    Field("is_active", FieldType.BOOLEAN),
    Field("Country", FieldType.PICKLIST),
)
TARGET = Schema.of(
    Field("Contact Email", FieldType.EMAIL),
    Field("First Name"),
    Field("Age", FieldType.INTEGER),
    Field("Amount", FieldType.DECIMAL),
    Field("Birthday", FieldType.DATE),
    Field("Signed Up", FieldType.DATETIME),
    Field("Active", FieldType.BOOLEAN),
)


def codes(plan: MappingPlan) -> list[str]:
    return [problem.code for problem in plan.problems]


def plan_of(*pairs: FieldMap | tuple[str, str]) -> MappingPlan:
    return FieldMapping.of(("email", "Contact Email"), *pairs).plan(SOURCE, TARGET)


# -- building mappings ---------------------------------------------------------------------------


def test_field_map_target_defaults_to_the_source_name() -> None:
    assert FieldMap("Country").target == "Country"


def test_field_map_does_not_create_fields_by_default() -> None:
    assert FieldMap("a", "b").create is False


def test_field_map_refuses_an_empty_source_name() -> None:
    with pytest.raises(ValueError, match="source"):
        FieldMap("")


def test_field_map_reads_as_an_arrow_marking_new_fields() -> None:
    assert str(FieldMap("Country", "Land", create=True)) == "Country -> Land (new field)"


def test_field_mapping_of_accepts_pairs_and_tuples() -> None:
    mapping = FieldMapping.of(FieldMap("a", "b"), ("c", "d"), ("e", "f", True))

    expected = (FieldMap("a", "b"), FieldMap("c", "d"), FieldMap("e", "f", create=True))
    assert expected == mapping.pairs


def test_with_pairs_adds_pairs_at_the_end() -> None:
    mapping = FieldMapping.of(("a", "b")).with_pairs(("c", "d"), FieldMap("e"))

    assert [FieldMap("a", "b"), FieldMap("c", "d"), FieldMap("e")] == list(mapping)


def test_with_pairs_leaves_the_original_mapping_alone() -> None:
    mapping = FieldMapping.of(("a", "b"))
    mapping.with_pairs(("c", "d"))

    assert len(mapping) == 1


# -- a good plan -----------------------------------------------------------------------------


def test_a_mapping_of_compatible_known_fields_has_no_problems() -> None:
    plan = plan_of(("first_name", "First Name"), ("age", "Age"), ("is_active", "Active"))

    assert (plan.ok, plan.problems) == (True, ())


def test_raise_for_problems_does_nothing_for_a_good_plan() -> None:
    plan_of().raise_for_problems()


def test_plan_names_the_email_source_and_target() -> None:
    plan = plan_of(("first_name", "First Name"))

    assert (plan.email_source, plan.email_target) == ("email", "Contact Email")


def test_plan_keeps_the_mapping_and_source_schema() -> None:
    mapping = FieldMapping.of(("email", "Contact Email"))
    plan = mapping.plan(SOURCE, TARGET)

    assert (mapping, SOURCE) == (plan.mapping, plan.source)


# -- fields to create ------------------------------------------------------------------------


def test_a_new_field_pair_creates_the_target_field_with_the_source_type() -> None:
    plan = plan_of(FieldMap("Country", create=True))

    assert (Field("Country", FieldType.PICKLIST, custom=True),) == plan.fields_to_create


def test_a_new_field_takes_the_target_name_of_the_pair() -> None:
    plan = plan_of(FieldMap("balance", "Outstanding", create=True))

    assert (Field("Outstanding", FieldType.DECIMAL, custom=True),) == plan.fields_to_create


def test_an_email_source_creates_an_email_field() -> None:
    plan = plan_of(FieldMap("other_email", "Work Email", create=True))

    assert plan.fields_to_create[0].type == FieldType.EMAIL


def test_the_plan_target_schema_includes_the_fields_to_create() -> None:
    plan = plan_of(FieldMap("Country", create=True))

    assert (*TARGET.names, "Country") == plan.target.names


def test_a_new_field_pair_whose_target_exists_creates_nothing() -> None:
    plan = plan_of(FieldMap("first_name", "First Name", create=True))

    assert (plan.ok, plan.fields_to_create) == (True, ())


def test_a_new_field_pair_with_an_unknown_source_creates_nothing() -> None:
    plan = plan_of(FieldMap("nope", "Nope", create=True))

    assert (codes(plan), plan.fields_to_create) == (["unknown_source_field"], ())


# -- problems ------------------------------------------------------------------------------------


def test_an_empty_mapping_is_a_problem() -> None:
    plan = FieldMapping.of().plan(SOURCE, TARGET)

    assert codes(plan) == ["empty_mapping", "email_not_mapped"]


def test_a_mapping_without_the_email_is_a_problem() -> None:
    plan = FieldMapping.of(("first_name", "First Name")).plan(SOURCE, TARGET)

    assert codes(plan) == ["email_not_mapped"]


def test_the_email_problem_names_the_targets_email_field() -> None:
    plan = FieldMapping.of(("first_name", "First Name")).plan(SOURCE, TARGET)

    assert '"Contact Email"' in plan.problems[0].message


def test_a_target_without_an_email_field_cannot_have_its_email_mapped() -> None:
    target = Schema.of(Field("Name"))
    plan = FieldMapping.of(("first_name", "Name")).plan(SOURCE, target)

    assert codes(plan) == ["email_not_mapped"]


def test_a_plan_without_the_email_has_no_email_source_or_target() -> None:
    plan = FieldMapping.of(("first_name", "First Name")).plan(SOURCE, TARGET)

    assert (plan.email_source, plan.email_target) == (None, None)


def test_mapping_the_email_twice_is_a_problem() -> None:
    plan = plan_of(("other_email", "Contact Email"))

    assert codes(plan) == ["email_mapped_twice"]


def test_the_email_mapped_twice_problem_points_at_the_second_pair() -> None:
    plan = plan_of(("other_email", "Contact Email"))

    assert FieldMap("other_email", "Contact Email") == plan.problems[0].pair


def test_two_pairs_writing_one_target_field_is_a_problem() -> None:
    plan = plan_of(("first_name", "First Name"), ("notes", "First Name"))

    assert codes(plan) == ["duplicate_target"]


def test_three_pairs_writing_one_target_field_is_one_problem() -> None:
    plan = plan_of(("first_name", "First Name"), ("notes", "First Name"), ("Country", "First Name"))

    assert codes(plan) == ["duplicate_target"]


def test_one_source_field_may_feed_two_target_fields() -> None:
    plan = plan_of(("first_name", "First Name"), FieldMap("first_name", "Nickname", create=True))

    assert plan.ok is True


def test_an_unknown_source_field_is_a_problem() -> None:
    plan = plan_of(("nope", "First Name"))

    assert codes(plan) == ["unknown_source_field"]


def test_an_unknown_target_field_without_create_is_a_problem() -> None:
    plan = plan_of(("first_name", "Nickname"))

    assert codes(plan) == ["unknown_target_field"]


def test_a_pair_with_both_fields_unknown_has_both_problems() -> None:
    plan = plan_of(("nope", "Nada"))

    assert codes(plan) == ["unknown_source_field", "unknown_target_field"]


def test_text_into_an_integer_field_is_incompatible() -> None:
    plan = plan_of(("first_name", "Age"))

    assert codes(plan) == ["incompatible_types"]


def test_the_incompatible_types_problem_names_both_fields_and_types() -> None:
    plan = plan_of(("first_name", "Age"))

    expected = (
        'The source field "first_name" (text) cannot be written to the target field "Age" '
        "(integer)."
    )
    assert expected == plan.problems[0].message


def test_every_problem_is_reported_at_once() -> None:
    plan = FieldMapping.of(
        ("nope", "First Name"), ("first_name", "Age"), ("notes", "Nada"), ("age", "Age")
    ).plan(SOURCE, TARGET)

    expected = [
        "unknown_source_field",
        "incompatible_types",
        "unknown_target_field",
        "email_not_mapped",
        "duplicate_target",
    ]
    assert expected == codes(plan)


def test_raise_for_problems_raises_a_mapping_error_with_every_problem() -> None:
    plan = FieldMapping.of(("nope", "Nada")).plan(SOURCE, TARGET)

    with pytest.raises(MappingError) as caught:
        plan.raise_for_problems()

    assert plan.problems == caught.value.problems


def test_compiling_a_plan_with_problems_raises_a_mapping_error() -> None:
    plan = FieldMapping.of(("first_name", "First Name")).plan(SOURCE, TARGET)

    with pytest.raises(MappingError, match="email_not_mapped"):
        plan.compile()


# -- type compatibility ----------------------------------------------------------------------

_TEXT_LIKE = ["first_name", "notes", "Country", "other_email"]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        *[(text, "First Name") for text in _TEXT_LIKE],
        *[(other, "First Name") for other in ["age", "balance", "birthday", "created_time"]],
        ("is_active", "First Name"),
        ("age", "Age"),
        ("age", "Amount"),
        ("balance", "Amount"),
        ("birthday", "Birthday"),
        ("birthday", "Signed Up"),
        ("created_time", "Signed Up"),
        ("created_time", "Birthday"),
        ("is_active", "Active"),
    ],
)
def test_compatible_types_plan_without_problems(source: str, target: str) -> None:
    assert codes(plan_of((source, target))) == []


@pytest.mark.parametrize(
    ("source", "target"),
    [
        *[(text, typed) for text in _TEXT_LIKE for typed in ["Age", "Amount", "Birthday"]],
        ("first_name", "Signed Up"),
        ("first_name", "Active"),
        ("balance", "Age"),
        ("age", "Birthday"),
        ("age", "Active"),
        ("is_active", "Age"),
        ("birthday", "Amount"),
        ("created_time", "Age"),
    ],
)
def test_incompatible_types_are_a_problem(source: str, target: str) -> None:
    assert codes(plan_of((source, target))) == ["incompatible_types"]


# -- the email-only route ------------------------------------------------------------------------


def test_a_mapping_of_the_email_alone_is_email_only() -> None:
    assert plan_of().email_only


def test_a_mapping_with_any_other_field_is_not_email_only() -> None:
    assert not plan_of(("first_name", "First Name")).email_only


def test_a_mapping_without_the_email_is_not_email_only() -> None:
    plan = FieldMapping.of(("first_name", "First Name")).plan(SOURCE, TARGET)

    assert not plan.email_only
