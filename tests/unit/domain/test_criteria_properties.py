"""Properties of the criteria language and evaluator that hold for any criteria and any record."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fieldsync.domain.criteria import Combinator, Condition, Criteria, Operator
from fieldsync.domain.criteria_operators import LIST_VALUE, NO_VALUE
from fieldsync.exceptions import CriteriaSyntaxError

FIELDS = ["a", "b", "Billing City"]

field_names = (
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_.]{0,8}", fullmatch=True)
    | st.text(min_size=1, max_size=8)
    | st.sampled_from(["and", "OR", "Billing City", "a`b", "x\\y", "true"])
)
numeric_text = st.from_regex(r"-?[0-9]{1,4}(\.[0-9]{1,3})?|[0-9]{1,3},[0-9]{3}", fullmatch=True)
date_text = st.dates().map(str) | st.datetimes().map(lambda d: d.isoformat())
scalars = (
    st.text(max_size=12)
    | numeric_text
    | date_text
    | st.integers()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.booleans()
)
# What a user may hand a Condition: the canonical scalars, and floats and dates converted.
given_values = scalars | st.floats(allow_nan=False, allow_infinity=False) | st.dates()


@st.composite
def conditions(draw: st.DrawFn, fields: st.SearchStrategy[str] = field_names) -> Condition:
    op = draw(st.sampled_from(Operator))
    if op in NO_VALUE:
        return Condition(draw(fields), op)
    if op in LIST_VALUE:
        return Condition(draw(fields), op, draw(st.lists(given_values, max_size=3)))
    return Condition(draw(fields), op, draw(given_values))


def groups(children: st.SearchStrategy[Condition | Criteria]) -> st.SearchStrategy[Criteria]:
    return st.builds(
        Criteria, st.sampled_from(Combinator), st.lists(children, min_size=1, max_size=4)
    )


nodes = st.recursive(conditions() | st.just(Criteria.all()), groups, max_leaves=12)
criteria = nodes.map(Criteria.all_of)

TOKENS = [
    *("a", "b", "`f g`", "==", "!=", ">", ">=", "<", "(", ")", ",", '"x"', "'y'", "1", "-2.5"),
    *("and", "or", "not", "in", "is", "empty", "contains", "starts", "with", "ends", "before"),
    *("after", "TRUE", "false", "\\", '"', "`", "=", ".", "-", "#", "é", '"\\u00e9"', "1.2.3"),
]
token_texts = st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join) | st.lists(
    st.sampled_from(TOKENS), max_size=12
).map("".join)

record_values = st.recursive(
    st.none()
    | st.text(max_size=12)
    | numeric_text
    | date_text
    | st.integers()
    | st.floats()
    | st.decimals()
    | st.booleans()
    | st.dates()
    | st.datetimes(timezones=st.none() | st.timezones())
    | st.binary(max_size=4)
    | st.builds(object),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=5,
)
records = st.dictionaries(st.sampled_from(FIELDS), record_values)
field_conditions = conditions(st.sampled_from(FIELDS))

NEGATIONS = {
    Operator.EQ: Operator.NE,
    Operator.CONTAINS: Operator.NOT_CONTAINS,
    Operator.IN: Operator.NOT_IN,
    Operator.IS_EMPTY: Operator.IS_NOT_EMPTY,
}


def matched(condition: Condition, record: dict[str, object]) -> bool:
    return Criteria.all_of(condition).evaluate(record).matched


# -- the language --------------------------------------------------------------------------------


@given(criteria)
def test_parsing_the_written_text_gives_back_the_criteria(built: Criteria) -> None:
    assert built == Criteria.parse(built.to_text())


@given(criteria)
def test_writing_is_stable_once_parsed(built: Criteria) -> None:
    text = built.to_text()

    assert text == Criteria.parse(text).to_text()


def parse_or_error(text: str) -> Criteria | CriteriaSyntaxError:
    try:
        return Criteria.parse(text)
    except CriteriaSyntaxError as error:
        return error


@given(st.text() | token_texts)
def test_any_text_parses_or_raises_a_syntax_error_within_the_text(text: str) -> None:
    result = parse_or_error(text)

    if isinstance(result, CriteriaSyntaxError):
        assert 0 <= result.position <= len(text)
    else:
        assert result == Criteria.parse(result.to_text())


# -- the evaluator -------------------------------------------------------------------------------


@given(criteria, records)
def test_evaluation_never_raises_on_any_record(built: Criteria, record: dict[str, object]) -> None:
    verdict = built.evaluate(record)

    assert verdict.matched == (verdict.failed is None)


@given(criteria.filter(lambda c: c.items), records)
def test_a_failed_verdict_has_a_reason_naming_its_condition(
    built: Criteria, record: dict[str, object]
) -> None:
    verdict = built.evaluate(record)

    assert verdict.matched or verdict.reason.startswith(f"{verdict.failed} was not met (")


@given(st.lists(field_conditions, min_size=1, max_size=5), records)
def test_all_matches_when_each_condition_matches(
    items: list[Condition], record: dict[str, object]
) -> None:
    each = [matched(item, record) for item in items]

    assert all(each) == Criteria.all_of(*items).evaluate(record).matched


@given(st.lists(field_conditions, min_size=1, max_size=5), records)
def test_all_names_the_first_condition_that_fails(
    items: list[Condition], record: dict[str, object]
) -> None:
    failing = [item for item in items if not matched(item, record)]

    expected = failing[0] if failing else None

    assert expected == Criteria.all_of(*items).evaluate(record).failed


@given(st.lists(field_conditions, min_size=1, max_size=5), records)
def test_any_matches_when_some_condition_matches(
    items: list[Condition], record: dict[str, object]
) -> None:
    each = [matched(item, record) for item in items]

    assert any(each) == Criteria.any_of(*items).evaluate(record).matched


@given(st.lists(field_conditions, min_size=1, max_size=5), records)
def test_any_names_its_first_condition_when_nothing_matches(
    items: list[Condition], record: dict[str, object]
) -> None:
    verdict = Criteria.any_of(*items).evaluate(record)

    assert verdict.matched or items[0] == verdict.failed


@given(field_conditions.filter(lambda c: c.op in NEGATIONS), records)
def test_a_negated_operator_matches_exactly_when_its_opposite_does_not(
    condition: Condition, record: dict[str, object]
) -> None:
    negated = Condition(condition.field, NEGATIONS[condition.op], condition.value)

    assert (not matched(condition, record)) == matched(negated, record)


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_a_number_equals_numeric_text_with_other_trailing_zeros(number: Decimal) -> None:
    written = format(number, "f")
    stored = f"{written}0" if "." in written else f"{written}.00"

    assert Criteria.parse(f"a == {written}").evaluate({"a": stored}).matched
