"""The console renders no secret fieldsync holds (issue 19): an error that quotes one, or
a value that holds one, shows ``REDACTED`` in the pages, the JSON API and the CSV."""

from __future__ import annotations

import uuid

from starlette.applications import Starlette
from starlette.testclient import TestClient
from web_helpers import initiated, make_sync, post, settle

from fieldsync import SyncService
from fieldsync._secrets import register_secret
from fieldsync.exceptions import FatalSyncError
from fieldsync.testing import FakeSource


def held() -> str:
    """A secret this process holds from now on (an access token, say)."""
    secret = f"1000.{uuid.uuid4().hex}"
    register_secret(secret, transient=True)
    return secret


def test_an_error_quoting_a_secret_shows_redacted(
    app: Starlette, client: TestClient, service: SyncService, source: FakeSource
) -> None:
    secret = held()
    sync, _ = initiated(service)
    source.fail_next_read(FatalSyncError(f"the API refused the token {secret}"))

    post(client, f"/syncs/{sync.id}/run")
    settle(app)

    pages = [
        client.get(f"/syncs/{sync.id}/configuration").text,
        client.get(f"/syncs/{sync.id}/history").text,
        client.get("/notifications").text,
        client.get(f"/api/syncs/{sync.id}").text,
        client.get("/api/syncs").text,
    ]
    assert [page for page in pages if secret in page] == []
    assert any("the API refused the token REDACTED" in page for page in pages)


def test_a_value_holding_a_secret_shows_redacted_in_the_page_and_the_csv(
    client: TestClient, service: SyncService, source: FakeSource
) -> None:
    secret = held()
    source.put("leaky", {"email": "not-an-email", "first_name": secret, "status": "active"})
    sync, run = initiated(service)

    page = client.get(f"/syncs/{sync.id}/runs/{run.id}/skipped").text
    download = client.get(f"/syncs/{sync.id}/runs/{run.id}/skipped.csv").text

    assert secret not in page
    assert secret not in download
    assert "REDACTED" in page
    assert "REDACTED" in download


def test_any_text_rendered_is_scrubbed(client: TestClient, service: SyncService) -> None:
    secret = held()
    make_sync(service, f"Pasted {secret} by mistake")

    page = client.get("/integrations/crm").text

    assert secret not in page
    assert "Pasted REDACTED by mistake" in page
