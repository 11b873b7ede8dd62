"""Text from other people never reorders the page: an unterminated U+202E (RIGHT-TO-LEFT
OVERRIDE) in a sync name, a field or a record value ends with it."""

from __future__ import annotations

from starlette.testclient import TestClient
from web_helpers import LIST, initiated

from fieldsync import FieldMapping, SyncService, SyncSpec
from fieldsync.testing import FakeSource

RLO = "\u202e"
SPOOF = f"Invoices{RLO}"  # everything after it would read right to left
FSI, PDI = "\u2068", "\u2069"


def test_a_sync_name_is_isolated_on_every_page_that_shows_it(
    client: TestClient, service: SyncService
) -> None:
    sync, run = initiated(service, SPOOF)

    for path in (
        "/integrations/crm",
        f"/syncs/{sync.id}/configuration",
        f"/syncs/{sync.id}/history",
        f"/syncs/{sync.id}/runs/{run.id}/skipped",
        f"/syncs/{sync.id}/preview",
        "/settings/apps/crm",
    ):
        page = client.get(path).text
        assert f"<bdi>{SPOOF}</bdi>" in page, path
        assert SPOOF not in page.replace(f"<bdi>{SPOOF}</bdi>", "").replace(
            f"{FSI}{SPOOF}{PDI}", ""
        ), path  # nowhere bare: <title> has it between FSI and PDI


def test_the_notification_made_from_the_name_isolates_it(
    client: TestClient, service: SyncService
) -> None:
    initiated(service, SPOOF)

    [note] = service.notifications()
    page = client.get("/notifications").text

    # The name ends at PDI, so "completed" reads left to right whatever it left open.
    assert note.title == f'Sync "{FSI}{SPOOF}{PDI}" completed'
    assert f"<bdi>Sync &#34;{FSI}{SPOOF}{PDI}&#34; completed</bdi>" in page


def test_field_names_and_record_values_are_isolated(
    client: TestClient, service: SyncService, source: FakeSource
) -> None:
    source.put("rtl", {"email": "bad", "first_name": f"{RLO}eman", "status": "active"})
    mapping = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=mapping))
    run = service.initiate(sync.id, acknowledge_disclaimer=True)

    skipped = client.get(f"/syncs/{sync.id}/runs/{run.id}/skipped").text
    fields = client.get(f"/syncs/{sync.id}/mapping").text

    assert f'<td data-label="First Name"><bdi>{RLO}eman</bdi></td>' in skipped
    assert "<bdi>first_name</bdi>" in fields
    assert "<bdi>Contact Email</bdi>" in fields


def test_the_edit_form_lets_the_browser_pick_each_value_direction(
    client: TestClient, service: SyncService
) -> None:
    sync, _ = initiated(service, SPOOF)

    form = client.get(f"/syncs/{sync.id}/edit").text

    assert f'value="{SPOOF}" dir="auto"' in form
    assert '<textarea id="criteria" name="criteria" dir="auto"' in form
    assert f"<title>Edit {FSI}{SPOOF}{PDI}" in form
