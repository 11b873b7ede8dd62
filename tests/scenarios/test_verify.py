"""``SyncService.verify`` end to end: hand removals and edits, contacts added elsewhere,
unsubscribes and bounces, deletions and email changes in Invoice, through the real adapters
and the emulators, on SQLite and PostgreSQL. Each list is compared with an expectation
computed here from the organization's rows, apart from fieldsync's planner."""

from __future__ import annotations

import json
import random
import urllib.parse
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

import fieldsync as fs
from fieldsync.domain.emails import email_key, is_valid_email, normalize_email
from fieldsync.testing import EmulatedZoho, FakeClock
from fieldsync.testing.emulators._campaigns_state import is_group_address

START = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
SUBSCRIBE = "POST json/listsubscribe"
READ = "GET getlistsubscribers"
UNSUBSCRIBE = "POST json/listunsubscribe"
MAPPING = fs.FieldMapping.of(
    ("email", "Contact Email"), ("first_name", "First Name"), ("last_name", "Last Name")
)


def wanted(rows: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """email key -> the names the list should hold, for every customer with a valid,
    non-role address held by no earlier row; computed without fieldsync's planner."""
    out: dict[str, dict[str, str]] = {}
    for row in rows.values():
        email = normalize_email(row.get("email"))
        if row.get("contact_type") != "customer" or email is None:
            continue
        if not is_valid_email(email) or is_group_address(email):
            continue
        names = {"First Name": row.get("first_name") or "", "Last Name": row.get("last_name") or ""}
        out.setdefault(email_key(email), {k: v.strip() for k, v in names.items()})
    return out


@attrs.define
class World:
    zoho: EmulatedZoho
    service: fs.SyncService
    sync: fs.Sync

    @property
    def rows(self) -> dict[str, Mapping[str, Any]]:
        return {r["contact_id"]: r for r in self.zoho.invoice.contacts()}

    def calls(self, endpoint: str = SUBSCRIBE) -> int:
        return self.zoho.campaigns.calls[endpoint]

    def listed(self, status: str = "active") -> dict[str, dict[str, str]]:
        members = self.zoho.campaigns.subscribers(self.zoho.list_key, status=status)
        return {
            email_key(e): {k: v for k, v in values.items() if k in ("First Name", "Last Name")}
            for e, values in members.items()
        }

    def picked(self, count: int, skip: int = 0) -> list[Mapping[str, Any]]:
        """``count`` customers in the list whose address no other row holds."""
        held: dict[str, int] = {}
        for row in self.rows.values():
            email = normalize_email(row.get("email"))
            if email is not None:
                held[email_key(email)] = held.get(email_key(email), 0) + 1
        listed = self.listed()
        fit = [
            r
            for r in self.rows.values()
            if r.get("contact_type") == "customer"
            and email_key(normalize_email(r.get("email")) or "") in listed
            and held[email_key(normalize_email(r["email"]) or "")] == 1
        ]
        return fit[skip : skip + count]

    def later(self) -> None:
        self.zoho.clock.sleep(3 * 3600)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[fs.ports.SyncStore]:
    if request.param == "postgres":
        yield request.getfixturevalue("postgres_store")
        return
    sqlite = fs.SQLiteStore(tmp_path / "verify.db")
    yield sqlite
    sqlite.close()


def build(store: fs.ports.SyncStore, **options: Any) -> World:
    zoho = EmulatedZoho.build(contacts=120, seed=31, clock=FakeClock(START))
    service = fs.SyncService(store=store, clock=zoho.clock)
    service.register_integration("zoho", source=zoho.source, target=zoho.target)
    spec = fs.SyncSpec(
        name="Customers",
        list_key=zoho.list_key,
        mapping=MAPPING,
        options=fs.SyncOptions(**options),
    )
    sync = service.create_sync("zoho", spec)
    world = World(zoho, service, sync)
    service.initiate(sync.id)
    return world


@pytest.fixture
def world(store: fs.ports.SyncStore) -> Iterator[World]:
    built = build(store)
    yield built
    built.zoho.close()


def test_a_list_as_sent_verifies_clean_and_says_custom_fields_cannot_be_read(
    world: World,
) -> None:
    assert wanted(world.rows) == world.listed()
    report = world.service.verify(world.sync.id)
    assert not report.drift
    assert () == report.missing == report.differing == report.not_ours
    assert len(world.listed()) == report.members
    assert 3 == world.calls(READ)  # one page each: active, unsubscribed, bounced
    assert "Every mapped field was compared." == report.note


def test_a_contact_removed_by_hand_is_missing_and_a_repair_adds_it_again(world: World) -> None:
    gone = world.picked(3)
    for row in gone:
        world.zoho.campaigns.remove_contact(world.zoho.list_key, row["email"])
    report = world.service.verify(world.sync.id)
    assert report.drift
    assert {r["contact_id"] for r in gone} == set(report.missing)

    before = world.calls()
    repaired = world.service.verify(world.sync.id, repair=True)

    assert repaired.repair is not None
    assert 3 == repaired.repair.added == repaired.repair.readded
    assert 3 == world.calls() - before  # only what differs is sent
    assert wanted(world.rows) == world.listed()
    history = world.service.history(world.sync.id)[0]
    assert fs.RunTrigger.REPAIR is history.trigger
    assert 3 == history.counts.readded
    assert history.total == history.added + history.updated + history.unchanged + (
        history.skipped + history.failed
    )
    assert not world.service.verify(world.sync.id).drift


def test_a_first_name_edited_by_hand_differs_and_a_repair_updates_it(world: World) -> None:
    edited = world.picked(2)
    for row in edited:
        world.zoho.campaigns.edit_contact(row["email"], **{"First Name": "Edited"})
    report = world.service.verify(world.sync.id)
    assert {r["contact_id"] for r in edited} == {d.key for d in report.differing}
    assert all(
        d.fields["First Name"][0] == "Edited" and set(d.fields) == {"First Name"}
        for d in report.differing
    )

    before = world.calls()
    repaired = world.service.verify(world.sync.id, repair=True)

    assert repaired.repair is not None
    assert 2 == repaired.repair.updated
    assert 0 == repaired.repair.added
    assert 2 == world.calls() - before
    assert wanted(world.rows) == world.listed()
    assert not world.service.verify(world.sync.id).drift


def test_a_contact_added_elsewhere_is_reported_and_never_touched(world: World) -> None:
    world.zoho.campaigns.add_contact(
        world.zoho.list_key, "stranger@example.org", **{"First Name": "Str"}
    )
    expected = {**wanted(world.rows), "stranger@example.org": {"First Name": "Str"}}
    report = world.service.verify(world.sync.id, repair=True)

    assert ("stranger@example.org",) == report.not_ours
    assert not report.drift
    assert report.repair is not None
    assert 0 == report.repair.total
    assert expected == world.listed()


def test_unsubscribed_and_bounced_members_are_recorded_and_cost_no_call_later(
    world: World,
) -> None:
    left, bounced = world.picked(2), world.picked(2, skip=2)
    for row in left:
        world.zoho.campaigns.unsubscribe(world.zoho.list_key, row["email"])
    for row in bounced:
        world.zoho.campaigns.hard_bounce(row["email"])
    report = world.service.verify(world.sync.id)

    refused = {email_key(e): r for e, r in report.refused.items()}
    assert {key_of(r): fs.ReasonCode.UNSUBSCRIBED for r in left} | {
        key_of(r): fs.ReasonCode.BOUNCED for r in bounced
    } == refused
    assert not report.drift

    world.later()
    for row in (*left, *bounced):
        world.zoho.invoice.update_contact(row["contact_id"], last_name="Changed")
    before = world.calls()
    run = world.service.run(world.sync.id)
    assert 0 == world.calls() - before
    assert 2 == run.counts.skipped_by_reason[fs.ReasonCode.UNSUBSCRIBED]
    assert 2 == run.counts.skipped_by_reason[fs.ReasonCode.BOUNCED]

    # active again (signed up through a form): the refusal is cleared, the next run sends it
    world.zoho.campaigns.resubscribe(left[0]["email"])
    cleared = world.service.verify(world.sync.id)
    assert (key_of(left[0]),) == tuple(email_key(e) for e in cleared.cleared)


def key_of(row: Mapping[str, Any]) -> str:
    return email_key(normalize_email(row["email"]) or "")


@pytest.mark.parametrize("policy", ["keep", "unsubscribe"])
def test_a_contact_deleted_in_invoice_is_found_and_unsubscribed_when_asked(
    store: fs.ports.SyncStore, policy: str
) -> None:
    world = build(store, on_source_delete=policy)
    try:
        deleted = world.picked(2)
        for row in deleted:
            world.zoho.invoice.delete_contact(row["contact_id"])
        report = world.service.verify(world.sync.id)
        assert {key_of(r) for r in deleted} == {email_key(e) for e in report.deleted}
        assert report.drift is (policy == "unsubscribe")

        repaired = world.service.verify(world.sync.id, repair=True)

        assert repaired.repair is not None
        if policy == "unsubscribe":
            assert 2 == repaired.repair.deleted
            assert 2 == world.calls(UNSUBSCRIBE)
            assert {key_of(r) for r in deleted} == set(world.listed("unsub"))
            assert wanted(world.rows) == world.listed()
        else:
            assert 0 == repaired.repair.deleted
            assert 0 == world.calls(UNSUBSCRIBE)
            assert {key_of(r) for r in deleted} | set(wanted(world.rows)) == set(world.listed())
        assert not world.service.verify(world.sync.id).drift
    finally:
        world.zoho.close()


@pytest.mark.parametrize("policy", ["keep", "unsubscribe"])
def test_an_email_changed_in_invoice_unsubscribes_the_old_address_when_asked(
    store: fs.ports.SyncStore, policy: str
) -> None:
    world = build(store, on_email_change=policy)
    try:
        row = world.picked(1)[0]
        old = key_of(row)
        world.later()
        world.zoho.invoice.update_contact(row["contact_id"], email="moved.on@example.net")
        run = world.service.run(world.sync.id)

        assert fs.RunStatus.COMPLETED is run.status
        listed = world.listed()
        assert "moved.on@example.net" in listed
        if policy == "unsubscribe":
            assert old not in listed
            assert old in world.listed("unsub")
            assert wanted(world.rows) == listed
        else:
            assert {old} | set(wanted(world.rows)) == set(listed)
        assert not world.service.verify(world.sync.id).drift
    finally:
        world.zoho.close()


# -- the long-lived list (make soak) -----------------------------------------------------------


def spy_on_subscribes(world: World) -> list[str]:
    """Every address ``json/listsubscribe`` is called with, in order (email keys)."""
    campaigns = world.zoho.campaigns
    original = campaigns.handle_request
    sent: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("json/listsubscribe"):
            form = urllib.parse.parse_qs(request.content.decode())
            sent.append(email_key(json.loads(form["contactinfo"][0])["Contact Email"]))
        return original(request)

    campaigns.handle_request = handle  # type: ignore[method-assign]
    return sent


@pytest.mark.soak
def test_a_long_lived_list_stays_right_through_verify_and_repair(
    store: fs.ports.SyncStore,
) -> None:
    """Many runs over a list that other hands touch at random (unsubscribes, Do-Not-Mail,
    bounces, hand edits and removals, contacts added elsewhere, deletions and email changes
    in Invoice), with verify and repair in between: nothing is sent to an address after
    fieldsync knew it refused, and after each repair the list is the expectation."""
    world = build(store, on_source_delete="unsubscribe", on_email_change="unsubscribe")
    rng = random.Random(2026)
    sent = spy_on_subscribes(world)
    refused_at: dict[str, int] = {}  # email key -> len(sent) once fieldsync knew of it
    said_no: set[str] = set()  # unsubscribed, Do-Not-Mail or bounced, in Campaigns
    gone: set[str] = set()  # deleted in Invoice, or the old address of a changed email
    strangers: dict[str, dict[str, str]] = {}
    campaigns, key = world.zoho.campaigns, world.zoho.list_key
    try:
        for round_ in range(60):
            for _ in range(rng.randint(2, 6)):
                pool = world.picked(40)
                row = rng.choice(pool)
                email, ident = row["email"], key_of(row)
                event = rng.choice(
                    ["unsub", "dnm", "bounce", "edit", "remove", "delete", "move", "change", "add"]
                )
                if event == "unsub":
                    campaigns.unsubscribe(key, email)
                elif event == "dnm":
                    campaigns.do_not_mail(email)
                elif event == "bounce":
                    campaigns.hard_bounce(email)
                elif event == "edit":
                    campaigns.edit_contact(email, **{"First Name": f"Hand {round_}"})
                elif event == "remove":
                    campaigns.remove_contact(key, email)
                elif event == "delete":
                    world.zoho.invoice.delete_contact(row["contact_id"])
                    gone.add(ident)
                elif event == "move":
                    new = f"moved.{round_}.{rng.randrange(10**6)}@example.net"
                    world.zoho.invoice.update_contact(row["contact_id"], email=new)
                    gone.add(ident)
                elif event == "change":
                    world.zoho.invoice.update_contact(row["contact_id"], first_name=f"R{round_}")
                else:
                    stranger = f"stranger.{round_}.{rng.randrange(10**6)}@example.org"
                    campaigns.add_contact(key, stranger, **{"First Name": "Elsewhere"})
                    strangers[stranger] = {"First Name": "Elsewhere", "Last Name": ""}
                if event in ("unsub", "dnm", "bounce"):
                    said_no.add(ident)
            world.later()
            run = world.service.run(world.sync.id)
            assert fs.RunStatus.COMPLETED is run.status, run.error
            assert run.total == run.added + run.updated + run.unchanged + run.skipped + run.failed
            for skipped in run.counts.skipped_by_reason:
                assert skipped.value not in ("target_rejected",)
            if round_ % 3 != 2:
                continue
            report = world.service.verify(world.sync.id, repair=True)
            for email in report.refused:
                refused_at.setdefault(email_key(email), len(sent))
            expected = {
                k: v for k, v in wanted(world.rows).items() if k not in said_no and k not in gone
            }
            listed = world.listed()
            assert set(expected) | set(strangers) == set(listed)
            unique = world.picked(10**6)
            for row in unique:
                ident = key_of(row)
                if ident in expected:
                    assert expected[ident] == listed[ident], ident
            assert not world.service.verify(world.sync.id).drift
        # nothing sent to an address once verify had recorded its refusal
        for ident, known in refused_at.items():
            assert ident not in sent[known:], ident
    finally:
        world.zoho.close()


def test_a_scheduled_scan_of_the_source_finds_deletions_at_its_interval(
    store: fs.ports.SyncStore,
) -> None:
    zoho = EmulatedZoho.build(contacts=120, seed=31, clock=FakeClock(START))
    try:
        service = fs.SyncService(store=store, clock=zoho.clock, source_scan_every=timedelta(days=1))
        service.register_integration("zoho", source=zoho.source, target=zoho.target)
        spec = fs.SyncSpec(
            name="Customers",
            list_key=zoho.list_key,
            mapping=MAPPING,
            schedule=fs.Schedule.every(hours=6),
            options=fs.SyncOptions(on_source_delete=fs.OnSourceChange.UNSUBSCRIBE),
        )
        sync = service.create_sync("zoho", spec)
        service.initiate(sync.id)
        world = World(zoho, service, sync)
        deleted = world.picked(2)
        for row in deleted:
            zoho.invoice.delete_contact(row["contact_id"])

        triggers = []
        for _ in range(5):  # a day and a quarter of 6-hourly runs
            zoho.clock.sleep(6 * 3600)
            service.run_due()
            triggers.append([r.trigger.value for r in service.history(sync.id)][:2])

        assert ["source_scan", "schedule"] == triggers[0]  # the first due run scans
        assert all(t[0] == "schedule" for t in triggers[1:4])  # then not for a day
        assert ["source_scan", "schedule"] == triggers[4]
        scans = [r for r in service.history(sync.id) if r.trigger is fs.RunTrigger.SOURCE_SCAN]
        assert [0, 2] == [r.counts.deleted for r in scans]
        assert {key_of(r) for r in deleted} == set(world.listed("unsub"))
        assert wanted(world.rows) == world.listed()
    finally:
        zoho.close()
