"""The debounce calculator on plain times: which integration starts a run, and when."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldsync.web._debounce import Debounce

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WINDOW = timedelta(seconds=5)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_first_hook_starts_at_once() -> None:
    debounce = Debounce(WINDOW)

    assert debounce.hook("crm", T0) == T0
    assert debounce.start_due(T0) == ["crm"]
    assert debounce.running() == ["crm"]


def test_hooks_within_the_window_lead_to_one_trailing_start_at_its_end() -> None:
    debounce = Debounce(WINDOW)
    debounce.hook("crm", T0)
    debounce.start_due(T0)
    debounce.finished("crm")

    for tenth in range(1, 30):
        debounce.hook("crm", at(tenth / 10))

    assert debounce.start_due(at(4.9)) == []
    assert debounce.next_start() == at(5)
    assert debounce.start_due(at(5)) == ["crm"]
    assert debounce.pending() == []


def test_a_hook_during_a_run_waits_for_its_end_even_after_the_window() -> None:
    debounce = Debounce(WINDOW)
    debounce.hook("crm", T0)
    debounce.start_due(T0)

    debounce.hook("crm", at(1))

    assert debounce.start_due(at(60)) == []  # still running
    debounce.finished("crm")
    assert debounce.start_due(at(60)) == ["crm"]


def test_a_run_to_try_again_starts_once_more_after_the_window() -> None:
    debounce = Debounce(WINDOW)
    debounce.hook("crm", T0)
    debounce.start_due(T0)

    debounce.finished("crm", again=True)

    assert debounce.pending() == ["crm"]
    assert debounce.start_due(at(5)) == ["crm"]


def test_integrations_are_debounced_apart() -> None:
    debounce = Debounce(WINDOW)
    debounce.hook("a", T0)
    debounce.start_due(T0)
    debounce.finished("a")

    debounce.hook("a", at(1))
    debounce.hook("b", at(1))

    assert debounce.start_due(at(1)) == ["b"]


def test_a_quiet_integration_is_forgotten_once_its_window_passed() -> None:
    debounce = Debounce(WINDOW)
    debounce.hook("crm", T0)
    debounce.start_due(T0)
    debounce.finished("crm")

    debounce.start_due(at(5))

    assert debounce.next_start() is None
    assert debounce.hook("crm", at(6)) == at(6)


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        Debounce(timedelta(seconds=-1))


@given(st.lists(st.integers(min_value=0, max_value=600), min_size=1, max_size=60))
def test_every_hook_is_followed_by_a_start_and_starts_are_a_window_apart(
    tenths: list[int],
) -> None:
    # Hooks at tenths of a second; runs take one second; time goes on a tenth at a time.
    debounce = Debounce(WINDOW)
    hooks = sorted(tenths)
    starts: list[int] = []
    running_until: int | None = None
    tick = 0
    while hooks or debounce.pending() or running_until is not None:
        while hooks and hooks[0] <= tick:
            debounce.hook("crm", at(hooks.pop(0) / 10))
        if running_until is not None and tick >= running_until:
            debounce.finished("crm")
            running_until = None
        if debounce.start_due(at(tick / 10)):
            starts.append(tick)
            running_until = tick + 10
        tick += 1

    assert all(later - earlier >= 50 for earlier, later in itertools.pairwise(starts))
    assert starts[-1] >= max(tenths)  # the last hook is followed by a start at or after it
    assert len(starts) <= 2 + (max(tenths) - min(tenths)) // 50
