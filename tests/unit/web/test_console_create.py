"""Create and Edit: the mapping step, every problem beside its row, Next -> preview."""

from __future__ import annotations

import html
import re

from starlette.testclient import TestClient
from web_helpers import LIST, initiated, make_sync, post

from fieldsync import SyncService, SyncSpec

NEW = "/integrations/crm/syncs/new"


def _form(**more: str) -> dict[str, str]:
    return {
        "name": "People",
        "list_key": LIST,
        "row_count": "3",
        "rows-0-source": "email",
        "rows-1-source": "first_name",
        "rows-1-target": "First Name",
        "rows-2-source": "country",
        "rows-2-target": "Country",
        "rows-2-create": "on",
        "criteria": 'status == "active"',
        "schedule": "daily",
        "at": "02:00",
        "tz": "Asia/Kolkata",
        "action": "next",
        **more,
    }


def _row(page: str, index: int) -> str:
    rows = re.findall(r'<li class="map-row.*?</li>\s*(?=<li class="map-row|</ol>)', page, re.S)
    return html.unescape(rows[index])


def test_the_form_offers_the_live_fields_of_both_schemas(client: TestClient) -> None:
    page = client.get(NEW)

    assert page.status_code == 200
    assert '<option value="first_name"' in page.text
    assert '<option value="Last Name">' in page.text  # the target's datalist
    assert 'value="Contact Email" readonly' in page.text  # the email row's target
    assert "Map more fields" in page.text
    assert page.text.count(">New Field</label>") == 1  # one per row but the email row


def test_map_more_fields_adds_a_row_and_remove_takes_one_away(
    client: TestClient, service: SyncService
) -> None:
    more = post(client, NEW, **_form(action="more"))

    assert more.status_code == 200
    assert 'name="row_count" value="4"' in more.text
    fewer = post(client, NEW, **_form(action="remove-2"))
    assert 'name="row_count" value="2"' in fewer.text
    assert service.list_syncs() == []


def test_a_valid_form_creates_the_sync_and_goes_to_the_preview(
    client: TestClient, service: SyncService
) -> None:
    response = post(client, NEW, **_form())

    [sync] = service.list_syncs()
    assert response.status_code == 303
    assert response.headers["location"] == f"/syncs/{sync.id}/preview?done=created"
    assert [str(p) for p in sync.config.mapping] == [
        "email -> Contact Email",
        "first_name -> First Name",
        "country -> Country (new field)",
    ]
    assert sync.config.schedule.describe() == "daily at 02:00 (Asia/Kolkata)"
    assert sync.config.criteria.to_text() == 'status == "active"'


def test_every_problem_is_shown_beside_its_row_and_nothing_is_created(
    client: TestClient, service: SyncService
) -> None:
    response = post(
        client,
        NEW,
        **_form(
            **{
                "rows-0-source": "",
                "rows-1-target": "",
                "criteria": "nope ==",
                "schedule": "weekly",
                "at": "25:00",
                "name": "",
            }
        ),
    )

    assert response.status_code == 400
    html = response.text
    assert "holds the email (required)" in _row(html, 0)
    assert "Choose a target field, or tick New Field" in _row(html, 1)
    # New Field unticked: the unknown target field is a problem of its own row.
    form = _form(**{"rows-2-create": ""})
    form.pop("rows-2-create")
    third = post(client, NEW, **form)
    assert 'has no field "Country"; map it as a new field' in _row(third.text, 2)
    assert 'id="criteria-problems"' in html
    assert 'id="schedule-problems"' in html
    assert 'id="name-problems"' in html
    assert "problems to fix" in html
    assert service.list_syncs() == []


def test_editing_loads_the_sync_and_saves_a_new_pending_version(
    client: TestClient, service: SyncService
) -> None:
    sync, _ = initiated(service)

    page = client.get(f"/syncs/{sync.id}/edit")
    assert 'value="People"' in page.text
    response = post(
        client,
        f"/syncs/{sync.id}/edit",
        **_form(**{"rows-2-source": "company_name", "rows-2-target": "Company Name"}),
    )

    assert response.status_code == 303
    assert response.headers["location"].endswith("/preview?done=saved")
    detail = service.sync_detail(sync.id)
    assert detail.pending is not None
    assert detail.pending.version == 2
    assert [str(p) for p in detail.pending.mapping][
        -1
    ] == "company_name -> Company Name (new field)"


def test_edit_with_check_shows_the_problems_of_the_stored_configuration(
    client: TestClient, service: SyncService
) -> None:
    sync = service.create_sync(
        "crm",
        SyncSpec(
            name="Broken",
            list_key=LIST,
            mapping=make_sync(service).config.mapping.with_pairs(("nowhere", "Nowhere")),
        ),
    )

    page = client.get(f"/syncs/{sync.id}/edit?check=1")

    assert page.status_code == 400
    assert 'The source has no field "nowhere"' in _row(page.text, 2)


def test_every_schedule_kind_round_trips_through_the_edit_form(
    client: TestClient, service: SyncService
) -> None:
    sync = make_sync(service)
    cases = [
        ({"schedule": "every", "every": "3", "every_unit": "days"}, "every 3 days"),
        ({"schedule": "every", "every": "6", "every_unit": "hours"}, "every 6 hours"),
        ({"schedule": "weekly", "weekday": "2", "at": "09:30"}, "Wednesday"),
        ({"schedule": "monthly", "day": "31", "at": "01:00"}, "31"),
        ({"schedule": "once"}, "once"),
    ]
    for fields, words in cases:
        post(client, f"/syncs/{sync.id}/edit", **_form(**fields))
        pending = service.sync_detail(sync.id).pending
        assert pending is not None
        assert words in pending.schedule.describe()
        page = client.get(f"/syncs/{sync.id}/edit")
        assert f'value="{fields["schedule"]}" selected' in page.text


def test_saving_only_a_new_name_makes_no_version_to_initiate(
    client: TestClient, service: SyncService
) -> None:
    sync, _ = initiated(service)
    form = {
        "name": "Renamed",
        "list_key": LIST,
        "row_count": "2",
        "rows-0-source": "email",
        "rows-1-source": "first_name",
        "rows-1-target": "First Name",
        "schedule": "once",
        "action": "next",
    }

    response = post(client, f"/syncs/{sync.id}/edit", **form)

    assert response.headers["location"] == f"/syncs/{sync.id}/configuration?done=renamed"
    detail = service.sync_detail(sync.id)
    assert (detail.sync.name, detail.pending) == ("Renamed", None)
