"""The JSON API: the same use cases as the pages, for developers' own front ends."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from web_helpers import LIST, initiated, make_sync, settle

from fieldsync import Preview, RateWindow, SyncService, SyncState, TargetLimits, estimate_run
from fieldsync.web._json import preview_json

BODY = {
    "integration": "crm",
    "name": "People",
    "list_key": LIST,
    "mapping": [
        {"source": "email", "target": "Contact Email"},
        {"source": "first_name", "target": "First Name"},
        {"source": "country", "target": "Country", "create": True},
    ],
    "criteria": 'status == "active"',
    "schedule": {"kind": "daily", "at": "02:00", "tz": "Asia/Kolkata"},
}


@pytest.fixture
def api(client: TestClient) -> TestClient:
    session = client.get("/api/session").json()
    client.headers[session["header"]] = session["csrf_token"]
    return client


def _post(api: TestClient, path: str, body: dict[str, Any] | None = None) -> Any:
    return api.post(path, json=body) if body is not None else api.post(path)


def test_integrations_and_their_schemas(api: TestClient, service: SyncService) -> None:
    initiated(service)

    [crm] = api.get("/api/integrations").json()
    schemas = api.get("/api/integrations/crm/schemas").json()
    detail = api.get("/api/integrations/crm").json()

    assert (crm["name"], crm["registered"], crm["active_syncs"]) == ("crm", True, 1)
    assert schemas["target"]["email_field"] == "Contact Email"
    assert {"name": "email", "type": "email", "required": False, "custom": False} in schemas[
        "source"
    ]["fields"]
    assert detail["credentials"]
    assert [s["name"] for s in detail["syncs"]] == ["People"]


def test_create_preview_initiate_and_follow_the_progress(
    app: Starlette, api: TestClient, service: SyncService
) -> None:
    made = _post(api, "/api/syncs", BODY)
    assert made.status_code == 201
    sync_id = made.json()["id"]

    pending = api.get(f"/api/syncs/{sync_id}/preview")
    settle(app)
    preview = api.get(f"/api/syncs/{sync_id}/preview").json()
    refused = _post(api, f"/api/syncs/{sync_id}/initiate", {})
    started = _post(api, f"/api/syncs/{sync_id}/initiate", {"acknowledge_disclaimer": True})
    settle(app)
    progress = api.get(f"/api/syncs/{sync_id}/progress").json()

    assert pending.status_code in {200, 202}  # 202 {"ready": false} while it reads
    assert preview["ready"] is True
    assert (preview["route"], preview["estimate"]) == ("upsert", None)  # a fake: no windows
    assert (preview["would_add"], preview["fields_to_create"]) == (8, ["Country"])
    assert preview["disclaimer"]
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "disclaimer_required")
    assert started.status_code == 202
    assert started.json()["job"]["action"] == "initiate"
    assert progress["running"] is False
    assert progress["run"]["status"] == "completed"
    assert progress["run"]["skipped_by_reason"] == {"invalid_email": 1}
    assert progress["job"]["run_id"] == progress["run"]["id"]
    history = api.get(f"/api/syncs/{sync_id}/history").json()
    assert [r["added"] for r in history] == [8]
    assert api.get(f"/api/syncs/{sync_id}").json()["config"]["version"] == 1


def test_a_bad_sync_gets_its_problems_by_field_and_row(
    api: TestClient, service: SyncService
) -> None:
    body = {**BODY, "mapping": [{"source": "email"}, {"source": "nope", "target": "Nope"}]}

    response = _post(api, "/api/syncs", {**body, "criteria": "status =="})

    assert response.status_code == 422
    problems = response.json()["error"]
    assert problems["code"] == "invalid"
    assert "criteria" in problems["fields"]
    assert "mapping.1" in problems["fields"]
    assert [r["row"] for r in problems["rows"]] == [1]
    assert service.list_syncs() == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({**BODY, "mapping": "email"}, "mapping", "must be a list."),
        ({**BODY, "schedule": "daily"}, "schedule", "must be an object."),
        ({**BODY, "integration": 3}, "integration", "must be text."),
    ],
)
def test_a_malformed_body_is_a_422_naming_the_field(
    api: TestClient, body: dict[str, Any], field: str, message: str
) -> None:
    response = _post(api, "/api/syncs", body)

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {field: message}


def test_a_body_that_is_not_a_json_object_is_refused(api: TestClient) -> None:
    json_type = {"content-type": "application/json"}
    listed = api.post("/api/syncs", content=b"[1]", headers=json_type)
    assert (listed.status_code, listed.json()["error"]["fields"]) == (
        422,
        {"": "The body must be a JSON object."},
    )
    assert api.post("/api/syncs", content=b"{nope", headers=json_type).status_code == 400
    assert api.post("/api/syncs", content=b"NaN", headers=json_type).status_code == 400


def test_edit_pause_resume_and_run(app: Starlette, api: TestClient, service: SyncService) -> None:
    sync, _ = initiated(service)

    edited = _post(api, f"/api/syncs/{sync.id}/edit", {**BODY, "name": "Renamed"})
    paused = _post(api, f"/api/syncs/{sync.id}/pause")
    again = _post(api, f"/api/syncs/{sync.id}/pause")
    resumed = _post(api, f"/api/syncs/{sync.id}/resume")
    ran = _post(api, f"/api/syncs/{sync.id}/run")
    settle(app)

    assert edited.json()["name"] == "Renamed"
    assert edited.json()["pending"]["version"] == 2
    assert paused.json()["state"] == "paused"
    assert (again.status_code, again.json()["error"]["code"]) == (409, "refused")
    assert resumed.json()["state"] == "active"
    assert ran.status_code == 202
    assert len(service.history(sync.id)) == 2


def test_list_syncs_by_state(api: TestClient, service: SyncService) -> None:
    initiated(service, "On")
    make_sync(service, "Draft")

    active = api.get("/api/syncs?state=active").json()

    assert [s["name"] for s in active] == ["On"]
    assert len(api.get("/api/syncs?integration=crm").json()) == 2
    assert api.get("/api/syncs?state=sleeping").status_code == 400


def test_notifications_and_marking_them_read(api: TestClient, service: SyncService) -> None:
    initiated(service)
    [note] = api.get("/api/notifications?unread=true").json()

    marked = _post(api, "/api/notifications/read", {"ids": [note["id"]]})

    assert marked.json() == {"marked": 1}
    assert api.get("/api/notifications?unread=1").json() == []
    refused = _post(api, "/api/notifications/read", {"ids": "all"})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {"ids": "must be a list or null."}


def test_disable_shows_the_impact_then_carries_it_out(
    api: TestClient, service: SyncService
) -> None:
    initiated(service)

    impact = _post(api, "/api/integrations/crm/disable", {}).json()
    done = _post(api, "/api/integrations/crm/disable", {"confirm": True}).json()

    assert (impact["confirmed"], [s["name"] for s in impact["syncs"]]) == (False, ["People"])
    assert done["confirmed"] is True
    assert service.list_syncs()[0].state is SyncState.DISABLED
    assert api.get("/api/integrations").json()[0]["disabled_at"]
    refused = api.get("/api/integrations/crm/schemas")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "refused")


def test_unknown_things_are_json_404s(api: TestClient) -> None:
    for path in ("/api/syncs/nope", "/api/integrations/nope", "/api/nothing"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


def test_the_preview_says_how_long_the_writes_take_at_the_targets_limits() -> None:
    limits = TargetLimits(max_batch=10, windows=(RateWindow(12_500, 3600.0),))
    estimate = estimate_run(50_000, limits)
    preview = Preview("s1", 1, (), (), would_add=50_000, estimate=estimate)

    body = preview_json(preview, disclaimer=None)

    assert body["estimate"] == {
        "contacts": 50_000,
        "calls": 50_000,
        "seconds": estimate.seconds,
        "text": str(estimate),
    }
    assert "12,500 an hour" in body["estimate"]["text"]


def test_the_progress_of_a_run_says_its_expected_duration_while_it_goes_on(
    api: TestClient, service: SyncService, target: Any, source: Any
) -> None:
    sync, _ = initiated(service)
    for i in range(8, 14):  # new records: the next run writes them
        source.put(f"n{i}", {"email": f"n{i}@example.com", "first_name": "N", "status": "active"})
    target.windows = (RateWindow(500, 60.0),)
    entered, release = threading.Event(), threading.Event()
    upsert = target.upsert

    def held(list_key: str, contacts: Any) -> Any:
        entered.set()
        assert release.wait(10)
        return upsert(list_key, contacts)

    target.upsert = held
    started = api.post(f"/api/syncs/{sync.id}/run")
    assert entered.wait(10)
    during = api.get(f"/api/syncs/{sync.id}/progress").json()
    release.set()
    settle(api.app)  # type: ignore[arg-type]
    after = api.get(f"/api/syncs/{sync.id}/progress").json()

    assert started.status_code == 202
    assert during["running"] is True
    assert during["estimate"]["text"].startswith("under a minute for")
    assert (after["running"], after["estimate"]) == (False, None)
