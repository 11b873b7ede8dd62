"""The screens: Sync Services, Active Syncs, preview and Initiate with the disclaimer, the
sync's tabs, Pause/Resume, the skipped records, the bell, and Settings -> Apps -> Deny."""

from __future__ import annotations

import csv
import html
import io

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from web_helpers import EVIL, initiated, make_sync, post, previewed, settle

from fieldsync import RunStatus, SyncService, SyncSpec, SyncState
from fieldsync.testing import FakeSource, FakeTarget


def test_sync_services_lists_the_integrations_with_their_active_syncs(
    client: TestClient, service: SyncService
) -> None:
    initiated(service, "One")
    make_sync(service, "Two")

    page = client.get("/")

    assert page.status_code == 200
    assert "Crm" in page.text
    assert '<strong class="count">1</strong> active' in page.text
    assert "Create Sync" in page.text


def test_active_syncs_shows_name_list_state_last_and_next_run(
    client: TestClient, service: SyncService
) -> None:
    sync, run = initiated(service)

    page = client.get("/integrations/crm")

    assert f'href="/syncs/{sync.id}/configuration"><bdi>People</bdi></a>' in page.text
    assert '<code title="news"><bdi>news</bdi></code>' in page.text
    assert "state-active" in page.text
    assert "2026-03-02 09:00:00 UTC" in page.text  # the last run, to the second
    assert run.status.value in page.text


def test_unknown_things_are_404_pages(client: TestClient) -> None:
    for path in ("/integrations/nope", "/syncs/nope/configuration", "/settings/apps/nope", "/x"):
        page = client.get(path)
        assert page.status_code == 404, path
        assert "Not found" in page.text


def test_the_preview_counts_and_the_disclaimer_dialog_when_the_plan_would_overflow(
    client: TestClient, service: SyncService
) -> None:
    sync = make_sync(service)

    page = previewed(client, f"/syncs/{sync.id}/preview")

    assert page.status_code == 200
    assert "Would add</dt><dd>8</dd>" in page.text
    assert 'data-opens="disclaimer-dialog"' in page.text
    assert '<dialog id="disclaimer-dialog"' in page.text
    assert "auto-upgrade" in page.text.lower()
    assert service.history(sync.id) == []


def test_no_dialog_when_the_plan_has_room(
    client: TestClient, service: SyncService, target: FakeTarget
) -> None:
    target.plan_limit = None
    sync = make_sync(service)

    page = previewed(client, f"/syncs/{sync.id}/preview")

    assert "<dialog" not in page.text
    assert ">Initiate</button>" in page.text


def test_initiate_without_acknowledging_shows_the_disclaimer_page_and_runs_nothing(
    client: TestClient, service: SyncService
) -> None:
    sync = make_sync(service)

    page = post(client, f"/syncs/{sync.id}/initiate")

    assert page.status_code == 200
    assert "Go Ahead" in page.text
    assert 'name="acknowledge_disclaimer" value="yes"' in page.text
    assert service.history(sync.id) == []
    assert service.sync_detail(sync.id).sync.state is SyncState.DRAFT


def test_go_ahead_initiates_in_the_background_and_the_tabs_show_the_run(
    app: Starlette, client: TestClient, service: SyncService
) -> None:
    sync = make_sync(service)

    response = post(client, f"/syncs/{sync.id}/initiate", acknowledge_disclaimer="yes")
    settle(app)

    assert response.status_code == 303
    assert response.headers["location"] == f"/syncs/{sync.id}/configuration?done=initiated"
    [run] = service.history(sync.id)
    assert run.status is RunStatus.COMPLETED
    config = client.get(f"/syncs/{sync.id}/configuration?done=initiated")
    assert "Sync initiated" in config.text
    assert ">Pause Sync</button>" in config.text
    assert "Configuration version</dt><dd>1" in config.text
    mapping = client.get(f"/syncs/{sync.id}/mapping")
    assert (
        '"Source field"><bdi>first_name</bdi></td><td data-label="Target field"><bdi>First Name'
        in mapping.text
    )
    history = client.get(f"/syncs/{sync.id}/history")
    assert "invalid email: 1" in history.text
    assert f"/runs/{run.id}/skipped.csv" in history.text


def test_initiating_an_invalid_configuration_goes_back_to_the_form(
    client: TestClient, service: SyncService
) -> None:
    sync = service.create_sync(
        "crm",
        SyncSpec(
            name="Broken",
            list_key="news",
            mapping=make_sync(service).config.mapping.with_pairs(("nowhere", "Nowhere")),
        ),
    )

    response = post(client, f"/syncs/{sync.id}/initiate", acknowledge_disclaimer="yes")

    assert response.status_code == 303
    assert response.headers["location"] == f"/syncs/{sync.id}/edit?check=1"
    preview = previewed(client, f"/syncs/{sync.id}/preview")
    assert "does not fit the apps" in preview.text


def test_pause_resume_and_run_now(app: Starlette, client: TestClient, service: SyncService) -> None:
    sync, _ = initiated(service)

    paused = post(client, f"/syncs/{sync.id}/pause")
    assert paused.headers["location"].endswith("?done=paused")
    assert service.sync_detail(sync.id).sync.state is SyncState.PAUSED
    assert ">Resume Sync</button>" in client.get(f"/syncs/{sync.id}/configuration").text
    post(client, f"/syncs/{sync.id}/resume")
    assert service.sync_detail(sync.id).sync.state is SyncState.ACTIVE
    started = post(client, f"/syncs/{sync.id}/run")
    settle(app)
    assert started.headers["location"].endswith("?done=started")
    assert len(service.history(sync.id)) == 2


def test_an_action_the_state_does_not_allow_is_a_409_page(
    client: TestClient, service: SyncService
) -> None:
    sync = make_sync(service)

    page = post(client, f"/syncs/{sync.id}/resume")

    assert page.status_code == 409
    assert "Not possible now" in page.text


def test_a_failed_background_run_is_reported_on_the_sync_page(
    app: Starlette, client: TestClient, service: SyncService, source: FakeSource
) -> None:
    sync, _ = initiated(service)
    source.fail_next_read(RuntimeError("boom"))

    post(client, f"/syncs/{sync.id}/run")
    settle(app)

    page = client.get(f"/syncs/{sync.id}/configuration")
    assert "The last run from this console failed" in page.text
    assert "boom" not in page.text  # an unexpected error's text stays in the log


def test_the_progress_section_shows_while_a_run_is_in_progress(
    client: TestClient, service: SyncService, source: FakeSource
) -> None:
    sync = make_sync(service)
    seen: list[str] = []
    source.on_page = lambda page: seen.append(client.get(f"/syncs/{sync.id}/configuration").text)

    service.initiate(sync.id, acknowledge_disclaimer=True)

    [run] = service.history(sync.id)
    assert 'aria-live="polite">' in seen[1]  # the progress section is shown
    assert "http-equiv" not in seen[1]  # no meta refresh: a link, and console.js polls
    assert f'href="/syncs/{sync.id}/configuration?ran={run.id}" data-refresh>Refresh' in seen[1]
    assert 'data-field="added">4</span>' in seen[1]  # the first page of 4 is committed
    after = client.get(f"/syncs/{sync.id}/configuration").text
    assert 'aria-live="polite" hidden>' in after
    assert "Sync completed" not in after
    ended = client.get(f"/syncs/{sync.id}/configuration?ran={run.id}").text
    assert '<h2 id="finished-title">Sync completed</h2>' in ended
    assert f"{run.total:,} records, added {run.added:,}" in ended
    assert f'href="/syncs/{sync.id}/history">See it in the Sync History' in ended


def test_the_skipped_page_and_the_csv_export(client: TestClient, service: SyncService) -> None:
    sync, run = initiated(service)

    page = client.get(f"/syncs/{sync.id}/runs/{run.id}/skipped")
    download = client.get(f"/syncs/{sync.id}/runs/{run.id}/skipped.csv")

    assert page.status_code == 200
    assert "invalid_email" in page.text
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [(r["key"], r["reason_code"], r["First Name"]) for r in rows] == [
        ("evil", "invalid_email", EVIL)
    ]
    assert client.get(f"/syncs/{sync.id}/runs/nope/skipped").status_code == 404


def test_the_bell_counts_unread_and_a_click_opens_the_configuration_and_marks_it_read(
    client: TestClient, service: SyncService
) -> None:
    sync, _ = initiated(service)
    [note] = service.notifications()

    page = client.get("/")
    assert 'aria-label="Notifications, 1 unread"' in page.text
    assert "data-unread>1</span>" in page.text
    inbox = client.get("/notifications")
    assert note.title in html.unescape(inbox.text)
    opened = post(client, f"/notifications/{note.id}/open")

    assert opened.headers["location"] == f"/syncs/{sync.id}/configuration"
    assert service.notifications(unread_only=True) == []
    assert 'aria-label="Notifications, 0 unread"' in client.get("/").text
    assert post(client, "/notifications/nope/open").status_code == 404


def test_mark_all_read(client: TestClient, service: SyncService) -> None:
    initiated(service, "One")
    initiated(service, "Two")

    response = post(client, "/notifications/read")

    assert response.headers["location"] == "/notifications?done=read"
    assert service.notifications(unread_only=True) == []


def test_the_app_page_describes_the_credentials_without_secrets(
    client: TestClient, service: SyncService
) -> None:
    initiated(service)

    page = client.get("/settings/apps/crm")

    _, target = service.adapters("crm")
    for credential in target.describe_credentials():
        assert credential in page.text
    assert "<code>FakeSource</code>" in page.text
    assert 'data-opens="deny-dialog"' in page.text
    assert '<dialog id="deny-dialog"' in page.text
    assert client.get("/settings", follow_redirects=False).headers["location"] == "/settings/apps"


@pytest.mark.parametrize("path", ["/settings/apps/crm", "/settings/apps/crm/deny"])
def test_deny_lists_what_disabling_stops_and_revokes(
    client: TestClient, service: SyncService, path: str
) -> None:
    initiated(service, "One")
    make_sync(service, "Two")

    page = client.get(path)

    assert "These syncs stop" in page.text
    assert "<bdi>One</bdi> <span" in page.text
    assert "<bdi>Two</bdi> <span" in page.text
    assert "These credentials are revoked" in page.text
    assert "Go Ahead" in page.text


def test_go_ahead_disables_and_the_history_stays_readable(
    client: TestClient, service: SyncService
) -> None:
    sync, run = initiated(service)

    unconfirmed = post(client, "/settings/apps/crm/disable")
    assert unconfirmed.headers["location"] == "/settings/apps/crm/deny"
    assert service.integrations()[0].disabled_at is None
    done = post(client, "/settings/apps/crm/disable", confirm="yes")

    assert done.headers["location"] == "/settings/apps/crm?done=disabled"
    assert service.integrations()[0].disabled
    app_page = client.get("/settings/apps/crm?done=disabled")
    assert "Disabled on" in app_page.text
    assert "Deny" not in app_page.text
    history = client.get(f"/syncs/{sync.id}/history")
    assert history.status_code == 200
    assert f"/runs/{run.id}/skipped.csv" in history.text
    assert "state-disabled" in history.text
    assert "Create Sync" not in client.get("/integrations/crm").text
