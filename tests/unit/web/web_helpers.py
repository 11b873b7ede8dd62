"""Helpers of the console tests (imported by the tests and the conftest)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.testclient import TestClient

from fieldsync import FieldMapping, Sync, SyncRun, SyncService, SyncSpec

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIST = "news"
EVIL = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
MAPPING = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))


def token(client: TestClient) -> str:
    """The CSRF token of the client's cookie (a page visit sets it)."""
    client.get("/notifications")
    return str(client.cookies["fieldsync_csrf"])


def make_sync(service: SyncService, name: str = "People") -> Sync:
    return service.create_sync("crm", SyncSpec(name=name, list_key=LIST, mapping=MAPPING))


def initiated(service: SyncService, name: str = "People") -> tuple[Sync, SyncRun]:
    """A sync initiated (disclaimer acknowledged) with its first run done."""
    sync = make_sync(service, name)
    return sync, service.initiate(sync.id, acknowledge_disclaimer=True)


def post(client: TestClient, path: str, **data: str) -> Any:
    """POST a form with the CSRF token, without following the redirect."""
    return client.post(path, data={"csrf_token": token(client), **data}, follow_redirects=False)


def settle(app: Starlette) -> None:
    """Wait for the console's background runs and previews."""
    assert app.state.runs.wait(10)
    assert app.state.previews.wait(10)


def previewed(client: TestClient, path: str) -> Any:
    """GET a preview once it is computed: the first GET starts it in the background."""
    client.get(path)
    settle(client.app)  # type: ignore[arg-type]
    return client.get(path)
