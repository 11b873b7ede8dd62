"""Evaluating criteria on records: what each operator matches, and the verdict it gives."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from fieldsync.domain.criteria import Condition, Criteria, Operator, Verdict
from fieldsync.domain.criteria_operators import predicate_for


def matches(text: str, value: object) -> bool:
    """Whether the criteria ``text`` match a record whose field ``x`` holds ``value``."""
    return Criteria.parse(text).evaluate({"x": value}).matched


def test_matching_criteria_give_a_matched_verdict() -> None:
    assert Verdict(True) == Criteria.parse('x == "a"').evaluate({"x": "a"})


def test_criteria_that_match_everything_match_an_empty_record() -> None:
    assert Criteria.all().evaluate({}).matched


# -- text comparisons ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ('x == "India"', "India", True),
        ('x == "India"', "  iNDIA ", True),
        ('x == "straße"', "STRASSE", True),
        ('x == "India"', "Indian", False),
        ('x == ""', None, True),
        ('x == ""', "   ", True),
        ('x == "India"', None, False),
        ('x == "India"', ["India"], False),
        ('x == "7"', 7, True),
        ('x == "7.0"', 7, True),
        ('x == "abc"', 7, False),
        ("x == 7", "7.00", True),
        ("x == 7", " 7 ", True),
        ("x == 7", "seven", False),
        ("x == 7", Decimal("7.0"), True),
        ("x == 0.1", 0.1, True),
        ("x == 7", 7.5, False),
        ("x == 7", True, False),
        ("x == 7", float("nan"), False),
        ('x == "007"', "7", False),
        ("x == true", True, True),
        ("x == true", " TRUE ", True),
        ("x == true", 1, False),
        ('x == "false"', False, True),
        ('x == "2024-01-31"', date(2024, 1, 31), True),
        ('x != "India"', "india", False),
        ('x != "India"', "US", True),
        ('x != "India"', None, True),
        ('x != "India"', {"a": 1}, True),
        ('x contains "ltd"', "Acme LTD.", True),
        ('x contains "ltd"', "Acme Inc", False),
        ('x contains "ltd"', None, False),
        ('x contains "ltd"', object(), False),
        ("x contains 12", 3124, True),
        ('x contains "ue"', True, True),
        ('x not contains "ltd"', "Acme Inc", True),
        ('x not contains "ltd"', "Acme Ltd", False),
        ('x starts with "mr"', " Mr. Smith", True),
        ('x starts with "mr"', "Smith", False),
        ('x ends with "@example.com"', "a@EXAMPLE.com ", True),
        ('x ends with "@example.com"', "a@example.org", False),
        ('x in ("IN", "US")', "us", True),
        ('x in ("IN", "US")', "UK", False),
        ("x in (1, 2)", "2", True),
        ("x in (1, 2)", 2.0, True),
        ("x in ()", "a", False),
        ('x not in ("IN", "US")', "UK", True),
        ('x not in ("IN", "US")', "in", False),
        ('x not in ("IN", "US")', None, True),
    ],
)
def test_text_comparisons(text: str, value: object, expected: bool) -> None:
    assert expected == matches(text, value)


# -- emptiness -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, True),
        ("", True),
        (" \t\n", True),
        ([], True),
        ({}, True),
        ((), True),
        ("x", False),
        (0, False),
        (False, False),
        (["x"], False),
        (object(), False),
    ],
)
def test_is_empty(value: object, expected: bool) -> None:
    assert expected == matches("x is empty", value)


def test_a_missing_field_is_empty() -> None:
    assert Criteria.parse("x is empty").evaluate({}).matched


def test_is_not_empty_is_the_opposite_of_is_empty() -> None:
    assert matches("x is not empty", "a")


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("x > 0", 1, True),
        ("x > 0", 0, False),
        ("x > 0", "0.01", True),
        ("x > 0", "-1,234.50", False),
        ("x > 1000", "1,234.50", True),
        ("x > 0", Decimal("0.001"), True),
        ("x > 0", 1e-9, True),
        ("x > 0", float("inf"), False),
        ("x > 0", Decimal("NaN"), False),
        ("x > 0", "abc", False),
        ("x > 0", "", False),
        ("x > 0", None, False),
        ("x > 0", True, False),
        ("x > 0", [1], False),
        ("x >= 10", 10, True),
        ("x >= 10", 9.99, False),
        ("x < -1.5", -2, True),
        ("x < -1.5", -1.5, False),
        ("x <= -1.5", "-1.5", True),
        ("x <= -1.5", "-1.4", False),
        ('x > "10"', 11, True),
        ('x > "ten"', 11, False),
    ],
)
def test_ordering_compares_numbers(text: str, value: object, expected: bool) -> None:
    assert expected == matches(text, value)


def test_ordering_compares_integers_too_long_to_write() -> None:
    assert matches("x > 0", 10**5000)


def test_text_comparisons_read_integers_too_long_to_write() -> None:
    assert matches('x starts with "1000"', 10**5000)


# -- dates ---------------------------------------------------------------------------------------

IST = timezone(timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ('x before "2024-01-31"', "2024-01-30", True),
        ('x before "2024-01-31"', "2024-01-31", False),
        ('x before "2024-01-31"', date(2024, 1, 30), True),
        ('x before "2024-01-31"', datetime(2024, 1, 30, 23, 59), True),
        ('x before "2024-01-31"', "2024-01-31T00:00:00", False),
        ('x before "2024-01-31"', "2024-01-30T23:00:00-05:00", True),
        ('x before "2024-01-31"', "2024-02-30", False),
        ('x before "2024-01-31"', "soon", False),
        ('x before "2024-01-31"', 20240130, False),
        ('x before "2024-01-31"', None, False),
        ('x after "2024-01-31"', "2024-02-01", True),
        ('x after "2024-01-31"', " 2024-01-31 ", False),
        ('x after "2024-01-31T10:00:00Z"', "2024-01-31T10:00:01Z", True),
        ('x after "2024-01-31T10:00:00Z"', "2024-01-31T10:00:00", False),
        ('x after "2024-01-31T10:00:00Z"', datetime(2024, 1, 31, 15, 31, tzinfo=IST), True),
        ('x after "2024-01-31T10:00:00Z"', datetime(2024, 1, 31, 15, 29, tzinfo=IST), False),
        ('x after "2024-01-31T10:00:00Z"', "2024-01-31T15:29:00+0530", False),
        ('x after "2024-01-31T10:00:00Z"', date(2024, 2, 1), True),
        ('x after "2024-01-31T10:00:00Z"', date(2024, 1, 31), False),
        ('x after "2024-01-31 10:00"', datetime(2024, 1, 31, 10, 0, 1, tzinfo=UTC), True),
        ('x after "not a date"', "2024-01-31", False),
        ("x after 5", "2024-01-31", False),
    ],
)
def test_before_and_after_compare_dates(text: str, value: object, expected: bool) -> None:
    assert expected == matches(text, value)


# -- groups and verdicts -------------------------------------------------------------------------

ACTIVE_IN_INDIA = Criteria.parse('country == "India" and (status == "active" or due > 0)')


def test_all_names_the_first_condition_that_fails() -> None:
    verdict = ACTIVE_IN_INDIA.evaluate({"country": "US", "status": "closed"})

    assert Condition("country", Operator.EQ, "India") == verdict.failed


def test_any_names_the_first_failure_of_the_group_when_nothing_matches() -> None:
    verdict = ACTIVE_IN_INDIA.evaluate({"country": "India", "status": "closed", "due": 0})

    assert Condition("status", Operator.EQ, "active") == verdict.failed


def test_any_matches_when_a_later_item_matches() -> None:
    assert ACTIVE_IN_INDIA.evaluate({"country": "India", "status": "closed", "due": 5}).matched


def test_a_failed_verdict_keeps_the_record_value() -> None:
    assert "US" == ACTIVE_IN_INDIA.evaluate({"country": "US"}).value


def test_a_compiled_criteria_gives_the_same_verdicts_each_time() -> None:
    check = ACTIVE_IN_INDIA.compile()
    records = [{"country": "US"}, {"country": "India", "due": "3"}, {}]

    assert [ACTIVE_IN_INDIA.evaluate(r) for r in records] == [check(r) for r in records]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("US", 'country == "India" was not met (country is "US")'),
        ("  US ", 'country == "India" was not met (country is "US")'),
        (None, 'country == "India" was not met (country is empty)'),
        (42, 'country == "India" was not met (country is 42)'),
        (True, 'country == "India" was not met (country is true)'),
        (date(2024, 1, 31), 'country == "India" was not met (country is 2024-01-31)'),
        (["US"], 'country == "India" was not met (country is a list)'),
        ("x" * 100, f'country == "India" was not met (country is "{"x" * 59}…")'),
    ],
)
def test_the_reason_names_the_condition_and_the_value(value: object, reason: str) -> None:
    assert reason == ACTIVE_IN_INDIA.evaluate({"country": value}).reason


def test_the_reason_writes_field_names_as_criteria_do() -> None:
    verdict = Criteria.parse("`Billing City` is not empty").evaluate({})

    assert "`Billing City` is not empty was not met (`Billing City` is empty)" == verdict.reason


def test_the_reason_of_a_match_says_so() -> None:
    assert "the record meets the criteria" == Criteria.all().evaluate({}).reason


def test_a_text_predicate_for_a_value_without_text_matches_nothing() -> None:
    predicate = predicate_for(Operator.CONTAINS, object())

    assert False is predicate("anything")
