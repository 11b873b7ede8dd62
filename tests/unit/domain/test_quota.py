"""The quota values and the slot planner every ledger shares (domain/quota)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from fieldsync.domain.quota import (
    CachedToken,
    QuotaLock,
    QuotaRequest,
    decide,
    plan_slots,
    prune_horizon,
    quota_digest,
    shared_windows,
)
from fieldsync.domain.records import RateWindow

MINUTE = RateWindow(3, 60.0, 1800.0)


class Booked:
    """Booked times in a list, counting how many it was asked to read."""

    def __init__(self, times: Sequence[float] = ()) -> None:
        self.times = sorted(times)
        self.read = 0

    def count_since(self, since: float) -> int:
        return sum(1 for t in self.times if t > since)

    def times_since(self, since: float, offset: int, limit: int) -> Sequence[float]:
        found = [t for t in self.times if t > since][offset : offset + limit]
        self.read += len(found)
        return found

    def latest(self) -> float | None:
        return self.times[-1] if self.times else None


def request(count: int, now: float = 100.0, **changes: object) -> QuotaRequest:
    fields: dict[str, object] = {
        "scope": "s",
        "windows": (MINUTE,),
        "count": count,
        "now": now,
        "margin": 0.0,
    }
    fields.update(changes)
    return QuotaRequest(**fields)  # type: ignore[arg-type]


def test_nothing_booked_puts_every_slot_at_now() -> None:
    assert plan_slots(request(3), Booked()) == ([100.0] * 3, None)


def test_a_full_window_pushes_slots_a_period_after_the_calls_they_replace() -> None:
    slots, binding = plan_slots(request(2), Booked([50.0, 70.0, 90.0]))

    assert (slots, binding) == ([110.0, 130.0], MINUTE)


def test_slots_are_never_earlier_than_a_booked_one() -> None:
    assert plan_slots(request(1), Booked([130.0]))[0] == [130.0]


def test_times_older_than_the_window_are_not_read() -> None:
    booked = Booked([1.0, 2.0, 3.0, 95.0])

    assert plan_slots(request(2), booked)[0] == [100.0, 100.0]
    assert booked.read == 0


def test_only_as_many_booked_times_as_slots_are_read_per_window() -> None:
    booked = Booked([float(t) for t in range(41, 101)])  # 60 calls in the last minute
    day = (RateWindow(100, 86_400.0),)

    plan_slots(request(2, windows=day), booked)

    assert booked.read == 0  # 60 + 2 fit in 100: nothing to look back at


def test_the_margin_stretches_each_window() -> None:
    slots, _ = plan_slots(request(1, margin=0.5), Booked([50.0, 60.0, 70.0]))

    assert slots == [140.0]


def test_a_request_for_no_slot_plans_none() -> None:
    assert plan_slots(request(0), Booked([99.0])) == ([], None)


def test_decide_refuses_during_a_lock_and_books_after_it() -> None:
    lock = QuotaLock("s", 200.0, "locked")

    refused = decide(request(1), Booked(), lock)
    booked = decide(request(1, now=200.0), Booked(), lock)

    assert (refused.refused, refused.resume_at, refused.lock) == (True, 200.0, lock)
    assert (booked.refused, booked.slots) == (False, (200.0,))


def test_decide_refuses_a_batch_whose_last_slot_is_beyond_max_delay() -> None:
    answer = decide(request(4, max_delay=30.0), Booked(), None)

    assert (answer.slots, answer.resume_at, answer.binding) == ((), 160.0, MINUTE)


def test_decide_books_a_batch_within_max_delay() -> None:
    answer = decide(request(4, max_delay=60.0), Booked(), None)

    assert answer.slots == (100.0, 100.0, 100.0, 160.0)
    assert not answer.refused


def test_the_prune_horizon_is_the_longest_stretched_window_before_now() -> None:
    windows = (MINUTE, RateWindow(10, 600.0))

    assert prune_horizon(request(1, windows=windows, margin=0.1)) == pytest.approx(100.0 - 660.0)


def test_a_quota_share_cuts_every_limit_and_keeps_at_least_one_call() -> None:
    cut = shared_windows((RateWindow(500, 60.0, 1800.0), RateWindow(1, 10.0)), 0.8)

    assert cut == (RateWindow(400, 60.0, 1800.0), RateWindow(1, 10.0))


@pytest.mark.parametrize("share", [0.0, -1.0, 1.01, math.nan])
def test_a_quota_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="quota_share"):
        shared_windows((MINUTE,), share)


def test_a_digest_is_stable_and_hides_its_parts() -> None:
    digest = quota_digest("https://accounts.zoho.eu", "1000.CLIENT", "1000.refresh.secret")

    assert digest == quota_digest("https://accounts.zoho.eu", "1000.CLIENT", "1000.refresh.secret")
    assert digest != quota_digest("https://accounts.zoho.eu", "1000.CLIENT", "1000.other")
    assert "secret" not in digest
    assert "refresh" not in digest


def test_a_cached_token_shows_no_secret_in_its_repr() -> None:
    token = CachedToken("1000.the-access-token", 10.0, "https://www.zohoapis.eu")

    assert "the-access-token" not in repr(token)
