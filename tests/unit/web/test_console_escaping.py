"""Record data comes from other people: it renders as text on every screen."""

from __future__ import annotations

from starlette.testclient import TestClient
from web_helpers import ESCAPED, EVIL, LIST, MAPPING, initiated, previewed

from fieldsync import Criteria, SyncService, SyncSpec
from fieldsync.testing import FakeSource


def test_a_name_with_markup_renders_as_text_in_the_skipped_page_and_history(
    client: TestClient, service: SyncService
) -> None:
    sync, run = initiated(service)

    skipped = client.get(f"/syncs/{sync.id}/runs/{run.id}/skipped").text

    assert EVIL not in skipped
    assert ESCAPED in skipped


def test_markup_in_a_sync_name_criteria_and_notification_is_escaped_everywhere(
    client: TestClient, service: SyncService, source: FakeSource
) -> None:
    source.put("x", {"email": "x@example.com", "first_name": "X", "status": EVIL})
    sync = service.create_sync(
        "crm",
        SyncSpec(
            name=EVIL,
            list_key=LIST,
            mapping=MAPPING,
            criteria=Criteria.parse(f"status != {EVIL!r}".replace("'", '"')),
        ),
    )
    run = service.initiate(sync.id, acknowledge_disclaimer=True)

    previewed(client, f"/syncs/{sync.id}/preview")
    for path in (
        "/",
        "/integrations/crm",
        f"/syncs/{sync.id}/configuration",
        f"/syncs/{sync.id}/mapping",
        f"/syncs/{sync.id}/history",
        f"/syncs/{sync.id}/preview",
        f"/syncs/{sync.id}/edit",
        f"/syncs/{sync.id}/runs/{run.id}/skipped",
        "/notifications",
        "/settings/apps/crm",
        "/settings/apps/crm/deny",
    ):
        page = client.get(path).text
        assert EVIL not in page, path
    assert ESCAPED in client.get(f"/syncs/{sync.id}/history").text


def test_the_preview_of_a_mapping_problem_escapes_the_field_names(
    client: TestClient, service: SyncService
) -> None:
    sync = service.create_sync(
        "crm", SyncSpec(name="P", list_key=LIST, mapping=MAPPING.with_pairs((EVIL, EVIL)))
    )

    preview = previewed(client, f"/syncs/{sync.id}/preview").text
    form = client.get(f"/syncs/{sync.id}/edit?check=1").text

    assert EVIL not in preview
    assert EVIL not in form
    assert ESCAPED in preview
