"""The console's verify: the button on the configuration page (POST, CSRF), the report
page, and ``POST /api/syncs/{id}/verify``."""

from __future__ import annotations

import time

from starlette.testclient import TestClient
from web_helpers import LIST, initiated, post, token

from fieldsync import OnSourceChange, SyncService
from fieldsync.domain.emails import email_key
from fieldsync.testing import FakeTarget


def _report_page(client: TestClient, path: str) -> str:
    """The verify page once its background verify has ended."""
    deadline = time.monotonic() + 10
    while True:
        page = client.get(path).text
        if "Reading the list back" not in page or time.monotonic() > deadline:
            return page
        time.sleep(0.02)


def test_the_button_verifies_in_the_background_and_repair_mends_the_list(
    client: TestClient, service: SyncService, target: FakeTarget
) -> None:
    sync, _ = initiated(service)
    assert "Verify list" in client.get(f"/syncs/{sync.id}/configuration").text
    del target.lists[LIST][email_key("p1@example.com")]

    started = post(client, f"/syncs/{sync.id}/verify")

    assert started.status_code == 303
    page = _report_page(client, f"/syncs/{sync.id}/verify")
    assert "The list differs" in page
    assert "Missing (removed by hand)</dt><dd>1<" in page

    post(client, f"/syncs/{sync.id}/verify", repair="1")
    repaired = _report_page(client, f"/syncs/{sync.id}/verify")
    assert "1 re-added" in repaired
    assert target.contact(LIST, "p1@example.com") is not None
    assert "1 re-added" in client.get(f"/syncs/{sync.id}/history").text


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, service: SyncService) -> None:
    sync, _ = initiated(service)
    token(client)
    refused = client.post(f"/syncs/{sync.id}/verify", follow_redirects=False)
    assert refused.status_code == 403
    assert "Verify" in client.get(f"/syncs/{sync.id}/verify").text  # nothing started


def test_the_api_answers_the_report(
    client: TestClient, service: SyncService, target: FakeTarget
) -> None:
    sync, _ = initiated(service)
    session = client.get("/api/session").json()
    client.headers[session["header"]] = session["csrf_token"]
    target.lists[LIST][email_key("p2@example.com")]["First Name"] = "Edited"

    found = client.post(f"/api/syncs/{sync.id}/verify").json()
    repaired = client.post(f"/api/syncs/{sync.id}/verify", json={"repair": True}).json()
    bad = client.post(f"/api/syncs/{sync.id}/verify", json={"repair": "yes"})
    after = client.post(f"/api/syncs/{sync.id}/verify").json()

    assert found["drift"] is True
    assert found["differing"] == [
        {"key": "c2", "email": "p2@example.com", "fields": {"First Name": ["Edited", "P2"]}}
    ]
    assert repaired["repair"]["updated"] == 1
    assert bad.status_code == 422  # the declared body: repair is a boolean, never coerced
    assert bad.json()["error"]["fields"] == {"repair": bad.json()["error"]["fields"]["repair"]}
    assert after["drift"] is False


def test_the_form_sets_the_source_change_policies_and_refuses_a_value_not_offered(
    client: TestClient, service: SyncService
) -> None:
    sync, _ = initiated(service)
    page = client.get(f"/syncs/{sync.id}/edit").text
    assert '<select id="on_source_delete" name="on_source_delete">' in page
    assert '<option value="keep" selected>keep it subscribed</option>' in page
    form = {
        "name": "People",
        "list_key": LIST,
        "row_count": "2",
        "rows-0-source": "email",
        "rows-1-source": "first_name",
        "rows-1-target": "First Name",
        "schedule": "once",
        "action": "next",
    }

    saved = post(client, f"/syncs/{sync.id}/edit", **form, on_email_change="unsubscribe")
    refused = post(client, f"/syncs/{sync.id}/edit", **form, on_source_delete="drop")

    assert saved.status_code == 303
    pending = service.sync_detail(sync.id).pending
    assert pending is not None
    assert OnSourceChange.UNSUBSCRIBE is pending.options.on_email_change
    assert OnSourceChange.KEEP is pending.options.on_source_delete
    assert refused.status_code == 400
    assert "on_source_delete must be one of" in refused.text
    shown = client.get(f"/syncs/{sync.id}/configuration").text
    assert "A contact deleted in the source" in shown
