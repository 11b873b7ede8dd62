"""The circuit breaker: failures in a row open it; a success starts the count again."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldsync.http.breaker import CircuitBreaker


def test_the_breaker_opens_at_the_threshold_of_failures_in_a_row() -> None:
    breaker = CircuitBreaker(3)

    assert [False, False, True] == [breaker.failed() for _ in range(3)]


def test_a_success_starts_the_count_of_failures_again() -> None:
    breaker = CircuitBreaker(2)
    breaker.failed()
    breaker.succeeded()

    assert not breaker.failed()


def test_once_open_the_breaker_counts_afresh_for_the_next_run() -> None:
    breaker = CircuitBreaker(2)
    breaker.failed()
    breaker.failed()

    assert 0 == breaker.failures


@given(st.lists(st.booleans(), max_size=40), st.integers(1, 5))
def test_the_breaker_opens_exactly_when_the_last_failures_in_a_row_reach_the_threshold(
    outcomes: list[bool], threshold: int
) -> None:
    breaker = CircuitBreaker(threshold)
    run = 0
    for ok in outcomes:
        if ok:
            breaker.succeeded()
            run = 0
            continue
        run += 1
        opened = breaker.failed()
        assert opened == (run == threshold)
        if opened:
            run = 0


def test_a_threshold_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CircuitBreaker(0)
