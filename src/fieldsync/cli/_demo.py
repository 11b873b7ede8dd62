"""`fieldsync demo`: the whole product against emulated Zoho APIs, in simulated time.

Everything real is real here: the adapters speak HTTP through httpx to the emulators, state
lives in a SQLite file, and Zoho's rate limits are obeyed. Only time is simulated (one
FakeClock shared by the emulators, the adapters and the service), so pacing at 500 calls a
minute costs no real minutes.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fieldsync.cli._render import HISTORY_COLUMNS, Progress, ProgressHook, run_row, table
from fieldsync.domain.criteria import Criteria
from fieldsync.domain.mapping import FieldMap, FieldMapping
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.sync import SyncRun
from fieldsync.exceptions import DisclaimerNotAcknowledgedError
from fieldsync.service import SyncService
from fieldsync.stores.sqlite import SQLiteStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import EmulatedZoho, InvoiceEmulator

__all__ = ["run_demo"]

_LISTSUBSCRIBE = "POST json/listsubscribe"
_START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
_MAPPING_COLUMNS = ("Zoho Invoice", "Zoho Campaigns", "new field")


def _heading(text: str) -> None:
    print(f"\n== {text} " + "=" * max(0, 70 - len(text)))


def run_demo(*, contacts: int, seed: int, folder: Path) -> int:
    """Run the demo; returns the exit code."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "demo.db"
    for stale in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        stale.unlink(missing_ok=True)  # repeatable: every demo starts from nothing

    plan_limit = int(contacts * 0.8)
    clock = FakeClock(_START)
    store = SQLiteStore(database)
    zoho = EmulatedZoho.build(
        contacts=contacts,
        seed=seed,
        clock=clock,
        plan_limit=plan_limit,
        auto_upgrade=True,
        invoice_latency=0.3,
        campaigns_latency=0.2,
        list_name="Invoice customers",
        quota=store,  # as the CLI does: windows, locks and the token live in the store
    )
    invoice, campaigns = zoho.invoice, zoho.campaigns
    organization, list_key = zoho.organization, zoho.list_key
    source, target = zoho.source, zoho.target
    progress = ProgressHook()
    service = SyncService(store=store, clock=clock, on_progress=progress)
    service.register_integration("zoho-invoice", source=source, target=target)

    _heading("1. An emulated Zoho Invoice organization")
    rows = organization.contacts
    customers = [r for r in rows if r.get("contact_type") == "customer"]
    print(f"organization {organization.organization_id} ({organization.name})")
    print(
        f"{len(rows):,} contacts: {len(customers):,} customers, "
        f"{sum(r.get('status') == 'inactive' for r in customers):,} inactive, "
        f"{sum(not r.get('email') for r in customers):,} without an email"
    )
    print(f"custom fields: {', '.join(organization.custom_field_labels)}")

    _heading("2. A sync: mapping (with a new field) and criteria")
    mapping = FieldMapping.of(
        ("email", "Contact Email"),
        ("first_name", "First Name"),
        ("last_name", "Last Name"),
        ("company_name", "Company Name"),
        FieldMap("Region", "Region", create=True),  # the "New Field" checkbox
    )
    criteria = Criteria.parse('status == "active" and Region != "EMEA"')
    sync = service.create_sync(
        "Invoice customers",
        integration="zoho-invoice",
        list_key=list_key,
        mapping=mapping,
        criteria=criteria,
        schedule=Schedule.daily("02:00", tz="Asia/Kolkata"),
    )
    print(table(_MAPPING_COLUMNS, _mapping_rows(mapping)))
    print(f"criteria: {criteria.to_text()}")

    _heading("3. Preview (nothing is written)")
    preview = service.preview(sync.id)
    print(f"fields to create: {', '.join(f.name for f in preview.fields_to_create) or 'none'}")
    print(f"would add {preview.would_add:,}; would skip {preview.skipped:,}")

    _heading("4. Initiate: the plan-limit disclaimer, then the first run")
    try:
        service.initiate(sync.id)
    except DisclaimerNotAcknowledgedError as refused:
        print(f"refused until acknowledged:\n  {refused.disclaimer}")
        print(f"  (plan limit {refused.limit:,}, contacts used {refused.used:,})")
    print("the user clicks 'Go Ahead' ...")
    first = _with_progress(
        progress, "first run", lambda: service.initiate(sync.id, acknowledge_disclaimer=True)
    )
    calls_first = campaigns.calls[_LISTSUBSCRIBE]
    print(f"listsubscribe calls: {calls_first:,}; account lockouts: {campaigns.windows.lockouts}")
    print(f"simulated time taken: {clock.now() - _START}")

    _heading("5. The sync's detail: configuration, mapping, history")
    _print_detail(service, sync.id)
    print("skipped by reason:")
    for reason, count in first.counts.skipped_by_reason.items():
        print(f"  {reason.value:<22} {count:>6,}")

    _heading("6. The notification (the bell)")
    for note in service.notifications(unread_only=True):
        print(f"[{note.kind.value}] {note.title}: {note.summary}")
    service.mark_read()

    _heading("7. Export the skipped records")
    export = folder / "skipped.csv"
    written = service.export_skipped(first.id, export)
    print(f"{written:,} rows in {export}")
    with export.open(encoding="utf-8") as handle:
        for row in itertools.islice(csv.reader(handle), 4):
            print("  " + ", ".join(row[:5]))

    _heading("8. Some contacts change; the next run sends only them")
    clock.advance(timedelta(days=1))
    changed = _change_some(invoice, count=50)
    second = _with_progress(progress, "second run", lambda: service.run(sync.id))
    sent = campaigns.calls[_LISTSUBSCRIBE] - calls_first
    reasons = ", ".join(f"{n} {r.value}" for r, n in second.counts.skipped_by_reason.items())
    print(f"{changed} contacts changed in Invoice; listsubscribe calls this run: {sent}")
    print(f"(one per changed contact that meets the criteria; skipped: {reasons or 'none'})")
    print(f"the {len(customers) - changed:,} customers that did not change cost no call")

    _heading("9. Pause and resume")
    print(f"pause  -> {service.pause(sync.id).state.value}")
    print(f"resume -> {service.resume(sync.id).state.value}")
    third = service.run(sync.id)
    print(f"a run after resuming: {third.total:,} records, {third.unchanged:,} unchanged")

    _heading("History")
    print(table(HISTORY_COLUMNS, [run_row(r) for r in service.history(sync.id)]))
    print(f"\nstate kept in {database}")
    store.close()
    zoho.close()
    return 0


def _with_progress(hook: ProgressHook, label: str, work: Callable[[], SyncRun]) -> SyncRun:
    hook.current = progress = Progress(label, every=500)
    try:
        run = work()
    finally:
        progress.close()
        hook.current = None
    print(
        f"{label}: {run.status.value}: total {run.total:,} = added {run.added:,} + updated "
        f"{run.updated:,} + unchanged {run.unchanged:,} + skipped {run.skipped:,} + failed "
        f"{run.failed:,}"
    )
    return run


def _mapping_rows(mapping: FieldMapping) -> list[tuple[str, str, str]]:
    return [(p.source, p.target, "yes" if p.create else "") for p in mapping]


def _print_detail(service: SyncService, sync_id: str) -> None:
    detail = service.sync_detail(sync_id)
    sync = detail.sync
    print(f"{sync.name}: {sync.state.value}, configuration version {sync.config.version}")
    print(f"list {sync.config.list_key}; schedule {sync.config.schedule.describe()}")
    print(f"next run {sync.next_run_at}")
    print(table(_MAPPING_COLUMNS, _mapping_rows(sync.config.mapping)))
    print(table(HISTORY_COLUMNS, [run_row(r) for r in detail.history]))


def _change_some(invoice: InvoiceEmulator, *, count: int) -> int:
    changed = 0
    for row in invoice.contacts():
        if changed == count:
            break
        if row.get("contact_type") == "customer" and row.get("status") == "active":
            name = str(row.get("first_name") or "")
            invoice.update_contact(str(row["contact_id"]), first_name=f"{name} Jr.".strip())
            changed += 1
    return changed
