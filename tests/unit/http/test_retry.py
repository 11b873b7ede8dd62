"""RetryPolicy: what is retried, how long it waits, and what surfaces when it gives up."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from fieldsync.domain.reasons import ReasonCode
from fieldsync.exceptions import (
    AuthenticationError,
    RateLimitedError,
    RecordRejectedError,
    RetriableError,
    ServiceUnavailableError,
    TransportError,
)
from fieldsync.http import RetryPolicy
from fieldsync.testing.clock import FakeClock

NO_JITTER = RetryPolicy(attempts=5, initial=0.5, maximum=30.0, jitter=0.0)


def failing(*errors: Exception, result: str = "done") -> tuple[Callable[[], str], list[int]]:
    """A call that raises ``errors`` one per call, then returns ``result``; and its call log."""
    calls: list[int] = []

    def call() -> str:
        calls.append(len(calls) + 1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return result

    return call, calls


@pytest.mark.parametrize(
    "error",
    [
        RateLimitedError("slow down"),
        ServiceUnavailableError("down", status_code=503),
        TransportError("timed out"),
    ],
)
def test_each_retriable_error_is_retried_until_the_call_succeeds(error: RetriableError) -> None:
    call, calls = failing(error, error)

    result = NO_JITTER.call(call, clock=FakeClock())

    assert (result, len(calls)) == ("done", 3)


@pytest.mark.parametrize(
    "error",
    [
        AuthenticationError("revoked"),
        RecordRejectedError("bad email", reason=ReasonCode.INVALID_EMAIL),
        ValueError("a bug"),
    ],
)
def test_an_error_that_is_not_retriable_surfaces_at_once_without_waiting(
    error: Exception,
) -> None:
    clock = FakeClock()
    call, calls = failing(error)

    with pytest.raises(type(error)) as raised:
        NO_JITTER.call(call, clock=clock)

    assert (error, [1], []) == (raised.value, calls, clock.sleeps)


def test_backoff_doubles_from_initial_and_stops_at_maximum() -> None:
    policy = RetryPolicy(attempts=8, initial=1.0, maximum=10.0, jitter=0.0)
    clock = FakeClock()
    call, _ = failing(*[TransportError("t")] * 7)

    policy.call(call, clock=clock)

    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_jitter_moves_each_wait_by_at_most_its_fraction() -> None:
    policy = RetryPolicy(attempts=6, initial=1.0, maximum=100.0, jitter=0.25)
    clock = FakeClock()
    call, _ = failing(*[TransportError("t")] * 5)

    policy.call(call, clock=clock, rng=random.Random(7))

    bases = [1.0, 2.0, 4.0, 8.0, 16.0]
    assert all(b * 0.75 <= s <= b * 1.25 for b, s in zip(bases, clock.sleeps, strict=True)), (
        clock.sleeps
    )


def test_a_seeded_random_source_gives_the_same_waits_every_time() -> None:
    def waits() -> list[float]:
        clock = FakeClock()
        call, _ = failing(*[TransportError("t")] * 4)
        RetryPolicy().call(call, clock=clock, rng=random.Random(42))
        return clock.sleeps

    assert waits() == waits()


def test_retry_after_is_honoured_exactly_instead_of_the_backoff() -> None:
    clock = FakeClock()
    call, _ = failing(RateLimitedError("slow", retry_after=12.5))

    RetryPolicy().call(call, clock=clock)

    assert clock.sleeps == [12.5]


def test_a_rate_limit_without_retry_after_waits_the_backoff() -> None:
    clock = FakeClock()
    call, _ = failing(RateLimitedError("slow"))

    NO_JITTER.call(call, clock=clock)

    assert clock.sleeps == [0.5]


def test_retry_after_up_to_the_cap_is_still_honoured() -> None:
    clock = FakeClock()
    call, _ = failing(RateLimitedError("slow", retry_after=300.0))

    RetryPolicy(max_retry_after=300.0).call(call, clock=clock)

    assert clock.sleeps == [300.0]


def test_retry_after_above_the_cap_stops_retrying_and_reraises() -> None:
    clock = FakeClock()
    error = RateLimitedError("locked for 30 minutes", retry_after=1800.0)
    call, calls = failing(error)

    with pytest.raises(RateLimitedError) as raised:
        RetryPolicy(max_retry_after=300.0).call(call, clock=clock)

    assert (error, 1, []) == (raised.value, len(calls), clock.sleeps)


def test_when_attempts_run_out_the_last_fieldsync_error_is_reraised() -> None:
    last = ServiceUnavailableError("still down", status_code=503)
    call, calls = failing(TransportError("first"), TransportError("second"), last)

    with pytest.raises(ServiceUnavailableError) as raised:
        RetryPolicy(attempts=3, jitter=0.0).call(call, clock=FakeClock())

    assert (last, 3) == (raised.value, len(calls))


def test_waits_go_through_the_clock_one_per_retry() -> None:
    clock = FakeClock()
    call, _ = failing(*[TransportError("t")] * 5)

    with pytest.raises(TransportError):
        NO_JITTER.call(call, clock=clock)

    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]


def test_the_none_policy_makes_one_attempt_and_never_waits() -> None:
    clock = FakeClock()
    call, calls = failing(TransportError("t"))

    with pytest.raises(TransportError):
        RetryPolicy.none().call(call, clock=clock)

    assert (calls, clock.sleeps) == ([1], [])


def test_a_successful_call_returns_its_result_without_waiting() -> None:
    clock = FakeClock()

    result = RetryPolicy().call(lambda: 42, clock=clock)

    assert (result, clock.sleeps) == (42, [])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"attempts": 0},
        {"initial": -1.0},
        {"maximum": -1.0},
        {"jitter": 1.5},
        {"jitter": -0.1},
        {"max_retry_after": -1.0},
        {"initial": float("nan")},
    ],
)
def test_a_policy_with_impossible_numbers_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_a_policy_is_a_frozen_value() -> None:
    policy = RetryPolicy()

    with pytest.raises(AttributeError):
        policy.attempts = 9  # type: ignore[misc]


def test_retries_are_logged_with_the_error_but_without_any_query(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="fieldsync.http")
    call, _ = failing(TransportError("timed out", endpoint="GET contacts"))

    NO_JITTER.call(call, clock=FakeClock())

    assert [r.getMessage() for r in caplog.records] == [
        "attempt 1 of 5 failed (timed out (GET contacts)); retrying in 0.50 s"
    ]


def test_a_late_retry_waits_the_maximum_without_overflowing() -> None:
    policy = RetryPolicy(initial=0.5, maximum=30.0, jitter=0.0)

    assert 30.0 == policy.backoff(10_000)


def test_the_back_off_alone_is_the_wait_the_loop_uses() -> None:
    policy = RetryPolicy(attempts=4, initial=1.0, maximum=100.0, jitter=0.3)
    clock = FakeClock()
    call, _ = failing(*[TransportError("t")] * 3)

    policy.call(call, clock=clock, rng=random.Random(5))

    expected = random.Random(5)
    assert clock.sleeps == [policy.backoff(n, rng=expected) for n in range(3)]


def test_a_first_failure_counts_as_the_first_of_the_attempts() -> None:
    clock = FakeClock()
    second = TransportError("second")
    call, calls = failing(RateLimitedError("slow", retry_after=7.0), second)

    with pytest.raises(TransportError) as raised:
        RetryPolicy(attempts=2, jitter=0.0).call(call, clock=clock)

    assert (second, [1, 2], [7.0]) == (raised.value, calls, clock.sleeps)
