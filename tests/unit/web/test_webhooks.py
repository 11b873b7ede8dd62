"""The webhook receiver: who may knock, what a knock starts, and that a body never counts.

The service runs on fakes and a fake clock; the debounce window is measured on that clock,
so the tests move time instead of waiting for it."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Iterator, Sequence
from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from web_helpers import LIST, initiated

from fieldsync import RunTrigger, SyncService
from fieldsync.domain.records import TargetContact
from fieldsync.testing import FakeClock, FakeSource, FakeTarget
from fieldsync.web import webhooks

SECRET = "s3cret-hook-token"
WINDOW = timedelta(seconds=5)
GOOD = {"X-Fieldsync-Token": SECRET}


@pytest.fixture
def hooks(service: SyncService, clock: FakeClock) -> Iterator[Starlette]:
    app = webhooks(service, secrets={"crm": SECRET}, debounce=WINDOW, clock=clock)
    yield app
    app.state.hooks.close()
    assert app.state.hooks.wait(10)


@pytest.fixture
def knock(hooks: Starlette) -> TestClient:
    return TestClient(hooks)


def hook_runs(service: SyncService, sync_id: str) -> int:
    """Runs of the sync that were not its initiate."""
    return sum(run.trigger is not RunTrigger.INITIATE for run in service.history(sync_id))


def emails(target: FakeTarget) -> set[str]:
    return set(target.lists[LIST])


def settle(hooks: Starlette) -> None:
    assert hooks.state.hooks.wait(10)


def test_a_hook_without_the_token_is_refused_and_runs_nothing(
    service: SyncService, hooks: Starlette, knock: TestClient
) -> None:
    sync, _ = initiated(service)

    answer = knock.post("/hooks/crm")

    settle(hooks)
    assert (answer.status_code, answer.json()["error"]) == (401, "unauthorized")
    assert hook_runs(service, sync.id) == 0


def test_a_hook_with_a_wrong_token_is_refused_and_runs_nothing(
    service: SyncService, hooks: Starlette, knock: TestClient
) -> None:
    sync, _ = initiated(service)

    answers = [
        knock.post("/hooks/crm", headers={"X-Fieldsync-Token": token}).status_code
        for token in ("nope", SECRET[:-1], SECRET + "x", "")
    ]

    settle(hooks)
    assert answers == [401, 401, 401, 401]
    assert hook_runs(service, sync.id) == 0


def test_a_hook_with_the_token_runs_each_active_sync_of_its_integration(
    service: SyncService, source: FakeSource, target: FakeTarget, hooks: Starlette
) -> None:
    first, _ = initiated(service, "One")
    second, _ = initiated(service, "Two")
    service.pause(second.id)
    source.put("new", {"email": "new@example.com", "first_name": "New", "status": "active"})

    answer = TestClient(hooks).post("/hooks/crm", headers=GOOD)

    settle(hooks)
    assert answer.status_code == 202
    assert answer.json()["syncs"] == [first.id]
    assert (hook_runs(service, first.id), hook_runs(service, second.id)) == (1, 0)
    assert "new@example.com" in emails(target)


def test_the_token_is_compared_in_constant_time(
    service: SyncService, hooks: Starlette, knock: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    initiated(service)
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)

    knock.post("/hooks/crm", headers={"X-Fieldsync-Token": "guess"})
    knock.post("/hooks/crm", headers=GOOD)

    settle(hooks)
    assert compared == [(b"guess", SECRET.encode()), (SECRET.encode(), SECRET.encode())]


def test_a_hook_for_an_integration_without_a_secret_is_not_found(
    service: SyncService, clock: FakeClock
) -> None:
    sync, _ = initiated(service)
    secrets = {"crm": SECRET, "other": ""}
    app = webhooks(service, secrets=lambda name: secrets.get(name), clock=clock)
    knock = TestClient(app)

    answers = [
        knock.post(f"/hooks/{name}", headers=GOOD).status_code
        for name in ("unknown", "other", "CRM")
    ]

    assert app.state.hooks.wait(10)
    assert answers == [404, 404, 404]
    assert hook_runs(service, sync.id) == 0


def test_only_post_is_answered(hooks: Starlette, knock: TestClient) -> None:
    assert knock.get("/hooks/crm", headers=GOOD).status_code == 405


def test_a_hook_for_a_disabled_integration_runs_nothing(
    service: SyncService, hooks: Starlette, knock: TestClient
) -> None:
    sync, _ = initiated(service)
    service.disable_integration("crm", confirm=True)

    answer = knock.post("/hooks/crm", headers=GOOD)

    settle(hooks)
    assert (answer.status_code, answer.json()["syncs"]) == (202, [])
    assert hook_runs(service, sync.id) == 0
    assert hooks.state.hooks.pending() == []


def test_a_burst_of_thirty_hooks_starts_one_run_then_one_trailing_run(
    service: SyncService, clock: FakeClock, hooks: Starlette, knock: TestClient
) -> None:
    sync, _ = initiated(service)

    answers = []
    for _ in range(30):  # thirty edits within three seconds
        answers.append(knock.post("/hooks/crm", headers=GOOD).status_code)
        clock.advance(0.1)
    settle(hooks)
    after_burst = hook_runs(service, sync.id)
    clock.advance(WINDOW)
    settle(hooks)
    clock.advance(WINDOW * 10)
    settle(hooks)

    assert set(answers) == {202}
    assert (after_burst, hook_runs(service, sync.id)) == (1, 2)
    assert hooks.state.hooks.pending() == []


def test_the_answer_says_when_the_run_may_start(
    service: SyncService, clock: FakeClock, hooks: Starlette, knock: TestClient
) -> None:
    initiated(service)
    first = clock.now()

    starts = [knock.post("/hooks/crm", headers=GOOD).json()["starts_at"]]
    clock.advance(1)
    starts.append(knock.post("/hooks/crm", headers=GOOD).json()["starts_at"])

    assert starts == [first.isoformat(), (first + WINDOW).isoformat()]


def test_a_hook_landing_during_a_run_leads_to_a_run_after_it(
    service: SyncService,
    clock: FakeClock,
    source: FakeSource,
    target: FakeTarget,
    hooks: Starlette,
    knock: TestClient,
) -> None:
    sync, _ = initiated(service)
    in_run, release = threading.Event(), threading.Event()

    def hold(list_key: str, contacts: Sequence[TargetContact]) -> None:
        if not in_run.is_set():
            in_run.set()
            assert release.wait(10)

    target.on_upsert = hold
    source.put("early", {"email": "early@example.com", "status": "active"})
    assert knock.post("/hooks/crm", headers=GOOD).status_code == 202
    assert in_run.wait(10)  # the run has read the source and is sending
    source.put("late", {"email": "late@example.com", "status": "active"})
    clock.advance(WINDOW * 2)  # the window is long over: only the run in progress holds it
    assert knock.post("/hooks/crm", headers=GOOD).status_code == 202
    release.set()
    settle(hooks)

    assert hook_runs(service, sync.id) == 2
    assert {"early@example.com", "late@example.com"} <= emails(target)


def test_a_run_already_in_progress_elsewhere_is_followed_by_one_more(
    service: SyncService, clock: FakeClock, source: FakeSource, target: FakeTarget
) -> None:
    sync, _ = initiated(service)
    elsewhere = threading.Event()
    in_run, release = threading.Event(), threading.Event()

    def hold(list_key: str, contacts: Sequence[TargetContact]) -> None:
        if not in_run.is_set():
            in_run.set()
            assert release.wait(10)

    target.on_upsert = hold
    source.put("early", {"email": "early@example.com", "status": "active"})
    other = threading.Thread(target=lambda: (service.run(sync.id), elsewhere.set()))
    other.start()
    assert in_run.wait(10)  # another caller's run (the worker's loop, the console) is sending
    app = webhooks(service, secrets={"crm": SECRET}, debounce=WINDOW, clock=clock)
    source.put("late", {"email": "late@example.com", "status": "active"})

    assert TestClient(app).post("/hooks/crm", headers=GOOD).status_code == 202
    assert app.state.hooks.wait(10)  # its run found the sync running: it is not lost
    assert app.state.hooks.pending() == ["crm"]
    release.set()
    other.join(10)
    clock.advance(WINDOW)
    assert app.state.hooks.wait(10)
    app.state.hooks.close()

    assert elsewhere.is_set()
    assert "late@example.com" in emails(target)


def test_a_forged_body_puts_nothing_in_the_list(
    service: SyncService, target: FakeTarget, hooks: Starlette, knock: TestClient
) -> None:
    initiated(service)
    before = dict(target.lists[LIST])
    forged = {
        "contact": {"email": "forged@evil.example", "first_name": "Mallory"},
        "contact_id": "c1",
        "email": "p1@evil.example",
    }

    answers = [
        knock.post("/hooks/crm", headers=GOOD, json=forged).status_code,
        knock.post("/hooks/crm", headers=GOOD, content=b"\x00\xff not json {").status_code,
    ]

    settle(hooks)
    assert answers == [202, 202]
    assert before == dict(target.lists[LIST])


def test_a_huge_body_is_refused_unread_and_runs_nothing(
    service: SyncService, hooks: Starlette, knock: TestClient
) -> None:
    sync, _ = initiated(service)

    declared = knock.post("/hooks/crm", headers=GOOD, content=b"x" * (64 * 1024 + 1))
    streamed = knock.post("/hooks/crm", headers=GOOD, content=iter([b"y" * 40_000, b"y" * 40_000]))

    settle(hooks)
    assert (declared.status_code, streamed.status_code) == (413, 413)
    assert hook_runs(service, sync.id) == 0


def test_a_hook_with_defer_hands_each_active_sync_over_instead_of_running_it(
    service: SyncService, clock: FakeClock
) -> None:
    sync, _ = initiated(service)
    deferred: list[str] = []
    app = webhooks(
        service,
        secrets={"crm": SECRET},
        clock=clock,
        defer=lambda s: deferred.append(s.id),
    )

    for _ in range(3):
        TestClient(app).post("/hooks/crm", headers=GOOD)
    assert app.state.hooks.wait(10)
    clock.advance(WINDOW)
    assert app.state.hooks.wait(10)
    app.state.hooks.close()

    assert deferred == [sync.id, sync.id]
    assert hook_runs(service, sync.id) == 0


def test_a_negative_window_is_refused(service: SyncService) -> None:
    with pytest.raises(ValueError, match="negative"):
        webhooks(service, secrets={}, debounce=timedelta(seconds=-1))
