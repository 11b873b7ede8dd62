"""Previews read every source record, so they are computed in the background: the page
says so and refreshes itself, and a computed preview is kept for a while."""

from __future__ import annotations

import threading

from starlette.applications import Starlette
from starlette.testclient import TestClient
from web_helpers import initiated, make_sync, post, previewed, settle

from fieldsync import RateWindow, SyncService
from fieldsync.testing import FakeSource, FakeTarget


def test_the_preview_page_waits_for_the_reading_without_a_meta_refresh(
    app: Starlette, client: TestClient, service: SyncService, source: FakeSource
) -> None:
    sync = make_sync(service)
    release = threading.Event()
    source.on_page = lambda page: release.wait(5)

    pending = client.get(f"/syncs/{sync.id}/preview")
    api = client.get(f"/api/syncs/{sync.id}/preview")
    release.set()
    settle(app)
    done = client.get(f"/syncs/{sync.id}/preview")

    assert "Preparing the preview" in pending.text
    assert "http-equiv" not in pending.text  # console.js asks the API; a link without it
    assert f'data-preview-url="/api/syncs/{sync.id}/preview"' in pending.text
    assert f'href="/syncs/{sync.id}/preview">Check again</a>' in pending.text
    assert ">Initiate</button>" not in pending.text
    assert (api.status_code, api.json()["ready"]) == (202, False)
    assert "Would add</dt><dd>8</dd>" in done.text
    assert "refresh" not in done.text.split("</head>")[0]


def test_a_kept_preview_is_shown_until_refreshed_or_a_run_ends(
    app: Starlette, client: TestClient, service: SyncService, source: FakeSource
) -> None:
    sync = make_sync(service)
    previewed(client, f"/syncs/{sync.id}/preview")
    source.put("new", {"email": "new@example.com", "status": "active"})

    kept = client.get(f"/syncs/{sync.id}/preview")
    fresh = previewed(client, f"/syncs/{sync.id}/preview?fresh=1")
    post(client, f"/syncs/{sync.id}/initiate", acknowledge_disclaimer="yes")
    settle(app)
    after_run = previewed(client, f"/syncs/{sync.id}/preview")

    assert "Would add</dt><dd>8</dd>" in kept.text
    assert "Would add</dt><dd>9</dd>" in fresh.text
    assert "Unchanged</dt><dd>9</dd>" in after_run.text


def test_a_failed_preview_says_why_and_offers_to_try_again(
    client: TestClient, service: SyncService, source: FakeSource
) -> None:
    sync, _ = initiated(service)
    source.fail_next_read(RuntimeError("boom"))

    page = previewed(client, f"/syncs/{sync.id}/preview")
    api = client.get(f"/api/syncs/{sync.id}/preview")

    assert "The preview failed: <bdi>an unexpected error stopped it" in page.text
    assert "boom" not in page.text
    assert f'href="/syncs/{sync.id}/preview?fresh=1">Try again' in page.text
    assert (api.status_code, api.json()["error"]["code"]) == (502, "preview_failed")


def test_the_preview_page_says_how_long_the_run_takes_at_the_target_s_limits(
    client: TestClient, service: SyncService, target: FakeTarget
) -> None:
    target.windows = (RateWindow(2, 60.0),)
    sync = make_sync(service)

    page = previewed(client, f"/syncs/{sync.id}/preview")

    assert "this takes about 3 min for 8 contacts at 2 a minute." in page.text
