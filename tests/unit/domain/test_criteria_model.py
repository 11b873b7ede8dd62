"""Building criteria: conditions, groups, the canonical form, and the text they write."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from fieldsync.domain.criteria import Combinator, Condition, Criteria, Operator

A = Condition("a", Operator.EQ, 1)
B = Condition("b", Operator.EQ, 2)
C = Condition("c", Operator.EQ, 3)
D = Condition("d", Operator.EQ, 4)


# -- conditions ----------------------------------------------------------------------------------


def test_a_condition_accepts_the_operator_as_text() -> None:
    assert Condition("a", "==", 1) == A


def test_a_condition_refuses_an_empty_field_name() -> None:
    with pytest.raises(ValueError, match="field"):
        Condition("", Operator.EQ, 1)


def test_a_condition_refuses_an_unknown_operator_text() -> None:
    with pytest.raises(ValueError, match="="):
        Condition("a", "=", 1)


def test_a_condition_turns_a_float_into_a_decimal() -> None:
    assert Decimal("0.1") == Condition("a", Operator.GT, 0.1).value


def test_a_condition_refuses_a_number_that_is_not_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        Condition("a", Operator.GT, float("nan"))


def test_a_condition_refuses_a_decimal_that_is_not_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        Condition("a", Operator.GT, Decimal("Infinity"))


def test_a_condition_keeps_a_finite_decimal() -> None:
    assert Decimal("1.50") == Condition("a", Operator.GT, Decimal("1.50")).value


def test_a_condition_writes_a_date_value_as_iso_text() -> None:
    assert "2024-01-31" == Condition("d", Operator.BEFORE, date(2024, 1, 31)).value


def test_a_condition_writes_a_datetime_value_as_iso_text() -> None:
    condition = Condition("d", Operator.AFTER, datetime(2024, 1, 31, 10, tzinfo=UTC))

    assert "2024-01-31T10:00:00+00:00" == condition.value


def test_a_condition_refuses_a_value_of_another_type() -> None:
    with pytest.raises(TypeError, match="text, a number"):
        Condition("a", Operator.EQ, object())


def test_a_condition_needs_a_value_for_a_comparison() -> None:
    with pytest.raises(ValueError, match="needs a value"):
        Condition("a", Operator.EQ)


def test_is_empty_takes_no_value() -> None:
    with pytest.raises(ValueError, match="takes no value"):
        Condition("a", Operator.IS_EMPTY, "x")


def test_in_turns_a_list_of_values_into_a_tuple() -> None:
    assert ("x", 1) == Condition("a", Operator.IN, ["x", 1]).value


def test_in_refuses_a_single_value() -> None:
    with pytest.raises(TypeError, match="list of values"):
        Condition("a", Operator.IN, "abc")


def test_a_boolean_value_differs_from_the_number_one() -> None:
    assert Condition("a", Operator.EQ, True) != Condition("a", Operator.EQ, 1)


def test_an_integer_value_equals_the_same_decimal_value() -> None:
    assert Condition("a", Operator.EQ, 100) == Condition("a", Operator.EQ, Decimal("1E+2"))


# -- condition text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        (Condition("country", Operator.EQ, "India"), 'country == "India"'),
        (Condition("n", Operator.NE, -5), "n != -5"),
        (Condition("n", Operator.GE, Decimal("1E+2")), "n >= 100"),
        (Condition("n", Operator.LT, Decimal("-0.50")), "n < -0.50"),
        (Condition("ok", Operator.EQ, False), "ok == false"),
        (Condition("name", Operator.NOT_CONTAINS, "x"), 'name not contains "x"'),
        (Condition("name", Operator.STARTS_WITH, "x"), 'name starts with "x"'),
        (Condition("c", Operator.IN, ("IN", "US")), 'c in ("IN", "US")'),
        (Condition("c", Operator.NOT_IN, ()), "c not in ()"),
        (Condition("c", Operator.IS_NOT_EMPTY), "c is not empty"),
        (Condition("Billing City", Operator.EQ, "Pune"), '`Billing City` == "Pune"'),
        (Condition("and", Operator.IS_EMPTY), "`and` is empty"),
        (Condition("a.b_1", Operator.IS_EMPTY), "a.b_1 is empty"),
        (Condition("a", Operator.EQ, 'say "hi"\\'), 'a == "say \\"hi\\"\\\\"'),
        (Condition("a", Operator.EQ, "line\nnext\ttab\r"), 'a == "line\\nnext\\ttab\\r"'),
        (Condition("a", Operator.EQ, "\x00\U000e0001"), 'a == "\\u0000\\U000e0001"'),
        (Condition("a", Operator.EQ, "año ✓"), 'a == "año ✓"'),
        (Condition("we`ird", Operator.IS_EMPTY), "`we\\`ird` is empty"),
    ],
)
def test_a_condition_reads_as_criteria_text(condition: Condition, text: str) -> None:
    assert text == str(condition)


# -- the canonical form --------------------------------------------------------------------------


def test_all_matches_everything_with_no_items() -> None:
    assert () == Criteria.all().items


def test_all_writes_empty_text() -> None:
    assert "" == Criteria.all().to_text()


def test_a_group_of_one_condition_is_an_all_group() -> None:
    assert Criteria.all_of(A) == Criteria.any_of(A)


def test_a_nested_group_of_the_same_kind_is_spliced_in() -> None:
    assert Criteria.all_of(A, B, C) == Criteria.all_of(A, Criteria.all_of(B, C))


def test_a_nested_group_of_one_item_is_that_item() -> None:
    assert Criteria.all_of(A, B) == Criteria.all_of(A, Criteria.any_of(B))


def test_a_group_of_one_group_is_that_group() -> None:
    assert Criteria.any_of(A, B) == Criteria.all_of(Criteria.any_of(A, B))


def test_a_nested_group_of_the_other_kind_stays_a_group() -> None:
    nested = Criteria.all_of(A, Criteria.any_of(B, C))

    assert (A, Criteria.any_of(B, C)) == nested.items


def test_match_everything_is_dropped_from_an_all_group() -> None:
    assert Criteria.all_of(A) == Criteria.all_of(A, Criteria.all())


def test_match_everything_makes_an_any_group_match_everything() -> None:
    assert Criteria.all() == Criteria.any_of(A, Criteria.all())


def test_an_any_group_needs_an_item() -> None:
    with pytest.raises(ValueError, match="at least one item"):
        Criteria.any_of()


def test_the_constructor_brings_groups_to_the_canonical_form() -> None:
    assert Criteria.all_of(A) == Criteria(Combinator.ANY, [A])


def test_a_group_refuses_an_item_that_is_not_a_condition_or_criteria() -> None:
    with pytest.raises(TypeError, match="Condition or a Criteria"):
        Criteria.all_of("a == 1")  # type: ignore[arg-type]


def nest(levels: int) -> Criteria:
    node = Criteria.any_of(A, B)
    for level in range(levels):
        group = Criteria.all_of if level % 2 == 0 else Criteria.any_of
        node = group(C, node)
    return node


def test_groups_may_nest_a_hundred_levels() -> None:
    assert 100 == nest(100).to_text().count("(")


def test_groups_may_not_nest_deeper_than_a_hundred_levels() -> None:
    with pytest.raises(ValueError, match="deeper than 100"):
        nest(101)


# -- criteria text -------------------------------------------------------------------------------


def test_criteria_join_conditions_with_and() -> None:
    assert "a == 1 and b == 2" == Criteria.all_of(A, B).to_text()


def test_criteria_join_conditions_with_or() -> None:
    assert "a == 1 or b == 2" == Criteria.any_of(A, B).to_text()


def test_criteria_write_nested_groups_in_parentheses() -> None:
    criteria = Criteria.any_of(Criteria.all_of(A, B), Criteria.all_of(C, D))

    assert "(a == 1 and b == 2) or (c == 3 and d == 4)" == criteria.to_text()


def test_criteria_read_as_their_text() -> None:
    criteria = Criteria.all_of(A, Criteria.any_of(B, C))

    assert criteria.to_text() == str(criteria)


def test_fields_names_every_field_tested_at_any_depth() -> None:
    criteria = Criteria.all_of(A, Criteria.any_of(B, Condition("a", Operator.IS_EMPTY)))

    assert frozenset({"a", "b"}) == criteria.fields()


def test_conditions_come_in_written_order() -> None:
    criteria = Criteria.all_of(A, Criteria.any_of(B, Criteria.all_of(C, D)))

    assert [A, B, C, D] == list(criteria.conditions())
