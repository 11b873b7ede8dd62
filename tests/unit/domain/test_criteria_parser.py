"""Reading criteria text: every operator, the grammar, and errors that say what and where."""

from decimal import Decimal

import pytest

from fieldsync.domain.criteria import Condition, Criteria, Operator
from fieldsync.exceptions import CriteriaSyntaxError


def only(text: str) -> Condition:
    """The single condition of a parsed text."""
    (condition,) = Criteria.parse(text).items
    assert isinstance(condition, Condition)
    return condition


def eq(field: str, value: object) -> Condition:
    return Condition(field, Operator.EQ, value)


# -- operators and values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('country == "India"', Condition("country", Operator.EQ, "India")),
        ('country != "India"', Condition("country", Operator.NE, "India")),
        ("amount > 0", Condition("amount", Operator.GT, 0)),
        ("amount >= 1.5", Condition("amount", Operator.GE, Decimal("1.5"))),
        ("amount < -3", Condition("amount", Operator.LT, -3)),
        ("amount <= -0.25", Condition("amount", Operator.LE, Decimal("-0.25"))),
        ('name contains "ltd"', Condition("name", Operator.CONTAINS, "ltd")),
        ('name not contains "ltd"', Condition("name", Operator.NOT_CONTAINS, "ltd")),
        ('name starts with "A"', Condition("name", Operator.STARTS_WITH, "A")),
        ('name ends with "Z"', Condition("name", Operator.ENDS_WITH, "Z")),
        ("phone is empty", Condition("phone", Operator.IS_EMPTY)),
        ("phone is not empty", Condition("phone", Operator.IS_NOT_EMPTY)),
        ('c in ("IN", "US")', Condition("c", Operator.IN, ("IN", "US"))),
        ("c not in (1, 2.5)", Condition("c", Operator.NOT_IN, (1, Decimal("2.5")))),
        ("c in ()", Condition("c", Operator.IN, ())),
        ('d before "2024-01-31"', Condition("d", Operator.BEFORE, "2024-01-31")),
        ('d after "2024-01-31T10:00:00Z"', Condition("d", Operator.AFTER, "2024-01-31T10:00:00Z")),
        ("ok == true", Condition("ok", Operator.EQ, True)),
        ("ok == FALSE", Condition("ok", Operator.EQ, False)),
    ],
)
def test_each_operator_parses_to_its_condition(text: str, expected: Condition) -> None:
    assert expected == only(text)


def test_keywords_are_read_in_any_case() -> None:
    expected = Criteria.all_of(
        Condition("a", Operator.IS_NOT_EMPTY), Condition("b", Operator.NOT_CONTAINS, "x")
    )

    assert expected == Criteria.parse('a IS Not EMPTY AND b NOT Contains "x"')


def test_words_of_an_operator_may_be_apart() -> None:
    assert Condition("a", Operator.STARTS_WITH, "x") == only('a  starts\n\twith "x"')


def test_single_quotes_read_like_double_quotes() -> None:
    assert eq("a", 'it\'s "x"') == only("a == 'it\\'s \"x\"'")


def test_escapes_in_text_are_read() -> None:
    assert eq("a", "\\\n\r\t`é😀") == only('a == "\\\\\\n\\r\\t\\`\\u00e9\\U0001F600"')


def test_a_backquoted_field_name_may_hold_spaces() -> None:
    assert eq("Billing City", "Pune") == only('`Billing City` == "Pune"')


def test_a_backquoted_field_name_may_be_a_keyword() -> None:
    assert Condition("or", Operator.IS_EMPTY) == only("`or` is empty")


def test_field_names_may_hold_dots_and_digits() -> None:
    assert Condition("address.line_2", Operator.IS_EMPTY) == only("address.line_2 is empty")


def test_field_names_keep_their_case() -> None:
    assert Condition("Country", Operator.IS_EMPTY) == only("Country is empty")


def test_a_number_without_a_fraction_is_an_integer() -> None:
    assert isinstance(only("a == 007").value, int)


def test_a_number_with_a_fraction_keeps_its_digits() -> None:
    assert "1.50" == str(only("a == 1.50").value)


def test_a_very_long_number_parses() -> None:
    assert 10**5000 - 1 == only("a == " + "9" * 5000).value


# -- grammar -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_blank_text_matches_everything(text: str) -> None:
    assert Criteria.all() == Criteria.parse(text)


def test_or_binds_looser_than_and() -> None:
    expected = Criteria.any_of(Criteria.all_of(eq("a", 1), eq("b", 2)), eq("c", 3))

    assert expected == Criteria.parse("a == 1 and b == 2 or c == 3")


def test_parentheses_group_first() -> None:
    expected = Criteria.all_of(eq("a", 1), Criteria.any_of(eq("b", 2), eq("c", 3)))

    assert expected == Criteria.parse("a == 1 and (b == 2 or c == 3)")


def test_redundant_parentheses_change_nothing() -> None:
    assert Criteria.parse("a == 1 and b == 2") == Criteria.parse("((a == 1) and ((b == 2)))")


def test_parentheses_may_nest_a_hundred_levels() -> None:
    text = "(" * 100 + "a == 1" + ")" * 100

    assert Criteria.parse("a == 1") == Criteria.parse(text)


def test_the_issue_example_parses() -> None:
    text = 'country == "India" and (status == "active" or outstanding_receivable_amount > 0)'
    expected = Criteria.all_of(
        eq("country", "India"),
        Criteria.any_of(
            eq("status", "active"), Condition("outstanding_receivable_amount", Operator.GT, 0)
        ),
    )

    assert expected == Criteria.parse(text)


def test_parsing_the_written_text_gives_the_same_criteria() -> None:
    criteria = Criteria.any_of(
        Criteria.all_of(eq("Billing City", 'a "b"'), Condition("x", Operator.IN, (1, True))),
        Condition("when", Operator.BEFORE, "2024-01-31"),
    )

    assert criteria == Criteria.parse(criteria.to_text())


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("country ==", "expected a value after '==', found the end of the text", 10),
        ("a == and", "expected a value after '==', found 'and'", 5),
        ("a == active", "expected a value after '==', found 'active' (quote text values", 5),
        ("a == (1)", "expected a value after '==', found '('", 5),
        ("a", "expected an operator after a, found the end of the text", 1),
        ('a "x"', "expected an operator after a, found '\"x\"'", 2),
        ("a = 1", "unexpected character '=' (compare with '==')", 2),
        ("a ! 1", "unexpected character '!'", 2),
        ("año == 1", "unexpected character 'ñ' (write field names", 1),
        ("a == 1 #", "unexpected character '#'", 7),
        ("== 1", "expected a field name or '(', found '=='", 0),
        ("a == 1 and", "expected a field name or '(', found the end of the text", 10),
        ("and == 1", "expected a field name or '(', found 'and' (write `and` in backquotes", 0),
        ("5 == a", "expected a field name or '(', found '5'", 0),
        ("a == 1 b == 2", "expected 'and', 'or' or the end of the criteria, found 'b'", 7),
        ("a == 1)", "expected 'and', 'or' or the end of the criteria, found ')'", 6),
        ("(a == 1", "expected ')' to close the '(' at position 0, found the end", 7),
        ("(a == 1 b", "expected ')' to close the '(' at position 0, found 'b'", 8),
        ("a starts 'x'", "expected 'with' after 'starts', found \"'x'\"", 9),
        ("a ends", "expected 'with' after 'ends', found the end of the text", 6),
        ("a is", "expected 'empty' or 'not empty' after 'is', found the end", 4),
        ("a is nothing", "expected 'empty' or 'not empty' after 'is', found 'nothing'", 5),
        ("a is not 1", "expected 'empty' after 'is not', found '1'", 9),
        ("a not 1", "expected 'contains' or 'in' after 'not', found '1'", 6),
        ("a in 1", "expected '(' and a list of values after 'in', found '1'", 5),
        ("a in (1 2)", "expected ',' or ')' in the list of values, found '2'", 8),
        ("a in (1,)", "expected a value after ',', found ')'", 8),
        ("a in (", "expected a value after 'in', found the end of the text", 6),
        ("a == 1.2.3", "malformed number", 5),
        ("a == 10abc", "malformed number", 5),
        ("a == 1.", "malformed number", 5),
        ('a == "x', 'unterminated text: no closing "', 5),
        ("a == 'x\\'", "unterminated text: no closing '", 5),
        ("`a == 1", "unterminated field name: no closing `", 0),
        ("`` == 1", "empty field name", 0),
        ('a == "\\q"', "unknown escape '\\q'", 6),
        ('a == "\\u12"', "expected 4 hex digits after '\\u'", 6),
        ('a == "\\U0011FFFF"', "'\\U0011FFFF' is not a character", 6),
        ('a == "\\Uzz"', "expected 8 hex digits after '\\U'", 6),
    ],
)
def test_bad_text_says_what_was_expected_and_where(text: str, message: str, position: int) -> None:
    with pytest.raises(CriteriaSyntaxError) as caught:
        Criteria.parse(text)

    assert (message, position) == (caught.value.reason[: len(message)], caught.value.position)


def test_a_syntax_error_keeps_the_text() -> None:
    with pytest.raises(CriteriaSyntaxError) as caught:
        Criteria.parse("a ==")

    assert "a ==" == caught.value.text


def test_a_syntax_error_message_names_the_position() -> None:
    with pytest.raises(CriteriaSyntaxError, match=r"expected a value after '=='.* at position 4"):
        Criteria.parse("a ==")


def test_parentheses_nested_deeper_than_a_hundred_levels_are_a_syntax_error() -> None:
    text = "(" * 101 + "a == 1" + ")" * 101

    with pytest.raises(CriteriaSyntaxError, match="deeper than 100") as caught:
        Criteria.parse(text)

    assert 100 == caught.value.position


def test_deep_parentheses_never_exhaust_the_stack() -> None:
    with pytest.raises(CriteriaSyntaxError, match="deeper than 100"):
        Criteria.parse("(" * 100_000)
