"""The open world, end to end: Do-Not-Mail, bounces, double opt-in, unknown refusals, a
deleted list and deleted fields, through the real adapters and the emulators, on SQLite and
PostgreSQL. Each list is compared with an expectation computed here from the organization's
rows, apart from fieldsync's planner."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

import fieldsync as fs
from fieldsync.domain.emails import email_key, is_valid_email, normalize_email
from fieldsync.testing import EmulatedZoho, FakeClock
from fieldsync.testing.emulators._campaigns_state import is_group_address

START = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
SUBSCRIBE = "POST json/listsubscribe"
FIELDS = "GET contact/allfields"
MAPPING = fs.FieldMapping.of(
    ("email", "Contact Email"), ("first_name", "First Name"), ("last_name", "Last Name")
)


def expected_emails(rows: list[Mapping[str, Any]], *, without: set[str] = frozenset()) -> set[str]:
    """The email keys the list should hold: every customer with a valid, non-role address,
    less ``without`` (email keys); computed without fieldsync's planner."""
    wanted = set()
    for row in rows:
        if row.get("contact_type") != "customer":
            continue
        email = normalize_email(row.get("email"))
        if email is None or not is_valid_email(email) or is_group_address(email):
            continue
        wanted.add(email_key(email))
    return wanted - without


def unique_customers(rows: list[Mapping[str, Any]], count: int) -> list[Mapping[str, Any]]:
    """``count`` customers whose address is valid and held by no other row."""
    seen: dict[str, int] = {}
    for row in rows:
        email = normalize_email(row.get("email"))
        if email is not None:
            seen[email_key(email)] = seen.get(email_key(email), 0) + 1
    picked = []
    for row in rows:
        email = normalize_email(row.get("email"))
        if row.get("contact_type") != "customer" or email is None:
            continue
        if is_valid_email(email) and not is_group_address(email) and seen[email_key(email)] == 1:
            picked.append(row)
    return picked[7 : 7 + count]


def key_of(row: Mapping[str, Any]) -> str:
    return email_key(normalize_email(row["email"]) or "")


def adds_up(run: fs.SyncRun) -> bool:
    parts = run.added + run.updated + run.unchanged + run.skipped + run.failed
    return run.total == parts


def skipped_rows(service: fs.SyncService, run: fs.SyncRun) -> list[dict[str, str]]:
    out = io.StringIO()
    service.export_skipped(run.id, out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@attrs.define
class OpenWorld:
    zoho: EmulatedZoho
    service: fs.SyncService
    sync: fs.Sync
    rows: list[Mapping[str, Any]]
    store: fs.ports.SyncStore

    @property
    def calls(self) -> int:
        return self.zoho.campaigns.calls[SUBSCRIBE]

    def listed(self, status: str = "active") -> set[str]:
        members = self.zoho.campaigns.subscribers(self.zoho.list_key, status=status)
        return {email_key(e) for e in members}

    def touch(self, rows: list[Mapping[str, Any]], **fields: str) -> None:
        """Change these contacts in Invoice, a few hours later, so the next run reads them."""
        self.zoho.clock.sleep(3 * 3600)
        for row in rows:
            self.zoho.invoice.update_contact(row["contact_id"], **fields)

    def run(self) -> fs.SyncRun:
        return self.service.run(self.sync.id)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[fs.ports.SyncStore]:
    if request.param == "postgres":
        yield request.getfixturevalue("postgres_store")
        return
    sqlite = fs.SQLiteStore(tmp_path / "open-world.db")
    yield sqlite
    sqlite.close()


def build(
    store: fs.ports.SyncStore,
    *,
    mapping: fs.FieldMapping = MAPPING,
    fields: tuple[str, ...] = (),
    **options: Any,
) -> OpenWorld:
    zoho = EmulatedZoho.build(contacts=150, seed=23, clock=FakeClock(START), **options)
    for name in fields:
        zoho.campaigns.add_field(name)
    service = fs.SyncService(store=store, clock=zoho.clock)
    service.register_integration("zoho", source=zoho.source, target=zoho.target)
    sync = service.create_sync(
        "zoho", fs.SyncSpec(name="Customers", list_key=zoho.list_key, mapping=mapping)
    )
    return OpenWorld(zoho, service, sync, list(zoho.organization.contacts), store)


@pytest.fixture
def world(store: fs.ports.SyncStore) -> Iterator[OpenWorld]:
    built = build(store)
    yield built
    built.zoho.close()


def test_three_do_not_mail_contacts_cost_themselves_not_the_run(world: OpenWorld) -> None:
    dnm = unique_customers(world.rows, 3)
    for row in dnm:
        world.zoho.campaigns.do_not_mail(row["email"])
    expected = expected_emails(world.rows, without={key_of(r) for r in dnm})

    first = world.service.initiate(world.sync.id)

    assert fs.RunStatus.COMPLETED is first.status
    assert expected == world.listed()
    assert 3 == first.counts.skipped_by_reason[fs.ReasonCode.DO_NOT_MAIL]
    assert adds_up(first)
    assert len(expected) + 3 == world.calls  # one call each, the refused ones too: no retry
    refused = [r for r in skipped_rows(world.service, first) if r["reason_code"] == "do_not_mail"]
    assert {key_of(r) for r in dnm} == {email_key(r["email"]) for r in refused}
    assert all("2006" in r["reason_text"] and "Do-Not-Mail" in r["reason_text"] for r in refused)

    # Later runs: the three change in Invoice, and still cost no call.
    before = world.calls
    world.touch(dnm, last_name="Changed")
    again = world.run()

    assert fs.RunStatus.COMPLETED is again.status
    assert 0 == world.calls - before
    assert 3 == again.counts.skipped_by_reason[fs.ReasonCode.DO_NOT_MAIL]
    assert adds_up(again)
    assert expected == world.listed()


@pytest.mark.parametrize("answer", ["ignored", "error"])
def test_a_hard_bounced_contact_is_never_written_again(
    store: fs.ports.SyncStore, answer: str
) -> None:
    world = build(store)
    world.zoho.campaigns.bounce_answer = answer  # type: ignore[assignment]
    world.service.initiate(world.sync.id)
    bounced = unique_customers(world.rows, 2)
    old_names = {
        key_of(r): world.zoho.campaigns.subscribers(world.zoho.list_key)[
            normalize_email(r["email"]) or ""
        ].get("Last Name")
        for r in bounced
    }
    for row in bounced:
        world.zoho.campaigns.hard_bounce(row["email"])

    world.touch(bounced, last_name="Bounced")
    run = world.run()

    assert fs.RunStatus.COMPLETED is run.status
    assert adds_up(run)
    assert expected_emails(world.rows, without={key_of(r) for r in bounced}) == world.listed()
    assert {key_of(r) for r in bounced} == world.listed("bounce")
    held = world.zoho.campaigns.subscribers(world.zoho.list_key, status="bounce")
    assert old_names == {email_key(e): v.get("Last Name") for e, v in held.items()}
    if answer == "error":
        assert 2 == run.counts.skipped_by_reason[fs.ReasonCode.BOUNCED]
        before = world.calls
        world.touch(bounced, last_name="Again")
        later = world.run()
        assert 0 == world.calls - before
        assert 2 == later.counts.skipped_by_reason[fs.ReasonCode.BOUNCED]
    else:
        # Zoho says "updated" and changes nothing: only reading the list back tells.
        assert 2 == run.updated
    world.zoho.close()


def test_a_double_opt_in_list_holds_everyone_until_they_confirm(store: fs.ports.SyncStore) -> None:
    world = build(store, confirmation_required=True)
    expected = expected_emails(world.rows)

    first = world.service.initiate(world.sync.id)

    assert fs.RunStatus.COMPLETED is first.status
    assert adds_up(first)
    assert set() == world.listed()
    assert expected == world.zoho.campaigns.pending(world.zoho.list_key)
    assert len(expected) == first.counts.skipped_by_reason[fs.ReasonCode.CONFIRMATION_PENDING]
    confirmed = unique_customers(world.rows, 4)
    for row in confirmed:
        world.zoho.campaigns.confirm(world.zoho.list_key, row["email"])
    assert {key_of(r) for r in confirmed} == world.listed()

    # Not mailed a second confirmation: unchanged contacts cost no call.
    before = world.calls
    world.zoho.clock.sleep(3 * 3600)
    again = world.run()
    assert (0, fs.RunStatus.COMPLETED) == (world.calls - before, again.status)
    world.zoho.close()


def test_an_unknown_refusal_fails_that_contact_with_code_and_message(world: OpenWorld) -> None:
    odd = unique_customers(world.rows, 2)
    for row in odd:
        world.zoho.campaigns.refuse(row["email"], "7321", "Zoho says no to this one.")

    run = world.service.initiate(world.sync.id)

    assert fs.RunStatus.COMPLETED is run.status
    assert adds_up(run)
    assert 2 == run.failed
    assert expected_emails(world.rows, without={key_of(r) for r in odd}) == world.listed()
    failed = [r for r in skipped_rows(world.service, run) if r["disposition"] == "failed"]
    assert {key_of(r) for r in odd} == {email_key(r["email"]) for r in failed}
    assert {"Zoho Campaigns code 7321: Zoho says no to this one."} == {
        r["reason_text"] for r in failed
    }
    assert len(expected_emails(world.rows)) == world.calls  # one call each: no retry


def test_a_deleted_list_asks_for_attention_after_one_call(world: OpenWorld) -> None:
    world.service.initiate(world.sync.id)
    world.zoho.campaigns.delete_list(world.zoho.list_key)
    before = world.calls
    world.touch(unique_customers(world.rows, 5), last_name="Moved")

    run = world.run()

    assert fs.RunStatus.FAILED is run.status
    assert 1 == world.calls - before
    sync = world.service.get_sync(world.sync.id)
    assert fs.SyncState.NEEDS_ATTENTION is sync.state
    assert world.zoho.list_key in (sync.attention or "")
    (note,) = [n for n in world.service.notifications() if n.run_id == run.id]
    assert world.zoho.list_key in note.summary
    assert adds_up(run)

    world.zoho.clock.sleep(2 * 86_400)
    world.service.run_due()
    assert 1 == world.calls - before  # a sync that needs attention makes no more calls


def test_a_deleted_mapped_field_asks_for_attention_naming_it(store: fs.ports.SyncStore) -> None:
    mapping = fs.FieldMapping.of(
        ("email", "Contact Email"), ("first_name", "First Name"), ("last_name", "Region")
    )
    world = build(store, mapping=mapping, fields=("Region",))
    world.service.initiate(world.sync.id)
    world.zoho.campaigns.delete_field("Region")
    before, reads = world.calls, world.zoho.campaigns.calls[FIELDS]
    world.touch(unique_customers(world.rows, 3), last_name="Moved")

    run = world.run()

    assert fs.RunStatus.FAILED is run.status
    assert (0, 1) == (world.calls - before, world.zoho.campaigns.calls[FIELDS] - reads)
    sync = world.service.get_sync(world.sync.id)
    assert fs.SyncState.NEEDS_ATTENTION is sync.state
    assert "Region" in (sync.attention or "")
    (note,) = [n for n in world.service.notifications() if n.run_id == run.id]
    assert "Region" in note.summary
    world.zoho.close()


def test_a_deleted_new_field_is_created_again_and_said_so(store: fs.ports.SyncStore) -> None:
    mapping = fs.FieldMapping.of(
        ("email", "Contact Email"),
        ("first_name", "First Name"),
        fs.FieldMap("last_name", "Surname", create=True),
    )
    world = build(store, mapping=mapping)
    (refused,) = unique_customers(world.rows, 1)
    world.zoho.campaigns.do_not_mail(refused["email"])
    world.service.initiate(world.sync.id)
    world.zoho.campaigns.delete_field("Surname")
    world.zoho.clock.sleep(3 * 3600)
    before = world.calls

    run = world.run()

    assert fs.RunStatus.COMPLETED is run.status
    assert ("Surname",) == run.fields_created
    # Every contact is sent again, but not the Do-Not-Mail one: consent outlives the
    # fingerprints forgotten with the field.
    assert len(expected_emails(world.rows)) - 1 == world.calls - before
    assert 1 == run.counts.skipped_by_reason[fs.ReasonCode.DO_NOT_MAIL]
    assert adds_up(run)
    (note,) = [n for n in world.service.notifications() if n.run_id == run.id]
    assert "'Surname'" in note.summary
    # Every contact was sent again, so the new field holds each one's value.
    expected = expected_emails(world.rows, without={key_of(refused)})
    assert expected == world.listed()
    for row in unique_customers(world.rows, 6)[1:]:
        values = world.zoho.campaigns.subscribers(world.zoho.list_key)[
            normalize_email(row["email"]) or ""
        ]
        assert (row.get("last_name") or "").strip() == values.get("Surname", "")
    world.zoho.close()


def test_a_contact_zoho_shows_active_again_is_sent_again(world: OpenWorld) -> None:
    back, still = unique_customers(world.rows, 2)
    for row in (back, still):
        world.zoho.campaigns.do_not_mail(row["email"])
    world.service.initiate(world.sync.id)
    world.zoho.campaigns.resubscribe(back["email"])

    # What verify will do on reading the list back: Zoho shows the address active again.
    assert 1 == world.store.set_consent(world.sync.id, {back["email"]: None})
    before = world.calls
    world.touch([back, still], last_name="Returned")
    run = world.run()

    assert 1 == world.calls - before
    assert (1, 1) == (run.added, run.counts.skipped_by_reason[fs.ReasonCode.DO_NOT_MAIL])
    assert expected_emails(world.rows, without={key_of(still)}) == world.listed()
    assert adds_up(run)


def test_the_counts_of_every_open_world_run_add_up(world: OpenWorld) -> None:
    first = world.service.initiate(world.sync.id)
    world.zoho.campaigns.do_not_mail(unique_customers(world.rows, 1)[0]["email"])
    world.touch(unique_customers(world.rows, 3), last_name="Later")

    later = world.run()

    assert all(adds_up(run) for run in (first, later))
    assert 1 == later.counts.skipped_by_reason[fs.ReasonCode.DO_NOT_MAIL]


def test_the_source_deleting_or_readdressing_a_customer_keeps_the_list_as_it_was(
    world: OpenWorld,
) -> None:
    world.service.initiate(world.sync.id)
    gone, moved = unique_customers(world.rows, 2)
    world.zoho.clock.sleep(3 * 3600)
    world.zoho.invoice.delete_contact(gone["contact_id"])
    world.zoho.invoice.update_contact(moved["contact_id"], email="moved.away@example.org")

    run = world.run()

    # Until on_source_delete / on_email_change: a deletion leaves no trace to read, and a
    # new address is added beside the old one.
    assert (fs.RunStatus.COMPLETED, 1, 1) == (run.status, run.total, run.added)
    assert expected_emails(world.rows) | {"moved.away@example.org"} == world.listed()
