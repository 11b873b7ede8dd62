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
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from fieldsync import SyncSpec
from fieldsync.cli._detail import detail_text, history_table, mapping_table
from fieldsync.cli._output import Output, shorten
from fieldsync.cli._progress import ProgressHook, counts_text, open_progress
from fieldsync.domain.criteria import Criteria
from fieldsync.domain.mapping import FieldMap, FieldMapping
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.sync import SyncRun
from fieldsync.exceptions import DisclaimerNotAcknowledgedError
from fieldsync.service import SyncService
from fieldsync.stores.sqlite import SQLiteStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import EmulatedZoho, InvoiceEmulator

__all__ = ["START", "demo_world", "run_demo"]

_LISTSUBSCRIBE = "POST json/listsubscribe"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _heading(out: Output, text: str) -> None:
    print("\n" + out.style(f"== {text} " + "=" * max(0, 70 - len(text)), "bold cyan"))


def demo_world(
    *, contacts: int, seed: int, clock: FakeClock, quota: SQLiteStore | None = None
) -> EmulatedZoho:
    """The demo's emulated Zoho account: the same contacts and list for the same seed.
    With ``quota`` (the demo's store), the adapters book their calls and keep their token
    there, as the CLI's do."""
    return EmulatedZoho.build(
        contacts=contacts,
        seed=seed,
        clock=clock,
        plan_limit=int(contacts * 0.8),
        auto_upgrade=True,
        invoice_latency=0.3,
        campaigns_latency=0.2,
        list_name="Invoice customers",
        quota=quota,
    )


def run_demo(*, contacts: int, seed: int, folder: Path, zone: tzinfo | None = None) -> int:
    """Run the demo; returns the exit code. Times are shown in ``zone`` (``None``: local)."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "demo.db"
    for stale in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        stale.unlink(missing_ok=True)  # repeatable: every demo starts from nothing

    out = Output.for_terminal(zone=zone)
    clock = FakeClock(START)
    store = SQLiteStore(database)
    zoho = demo_world(contacts=contacts, seed=seed, clock=clock, quota=store)
    invoice, campaigns = zoho.invoice, zoho.campaigns
    organization, list_key = zoho.organization, zoho.list_key
    source, target = zoho.source, zoho.target
    progress = ProgressHook({"zoho-invoice": "Zoho"})
    service = SyncService(store=store, clock=clock, on_event=progress)
    service.register_integration("zoho-invoice", source=source, target=target)

    _heading(out, "1. An emulated Zoho Invoice organization")
    rows = organization.contacts
    customers = [r for r in rows if r.get("contact_type") == "customer"]
    print(f"organization {organization.organization_id} ({organization.name})")
    print(
        f"{len(rows):,} contacts: {len(customers):,} customers, "
        f"{sum(r.get('status') == 'inactive' for r in customers):,} inactive, "
        f"{sum(not r.get('email') for r in customers):,} without an email"
    )
    print(f"custom fields: {', '.join(organization.custom_field_labels)}")

    _heading(out, "2. A sync: mapping (with a new field) and criteria")
    mapping = FieldMapping.of(
        ("email", "Contact Email"),
        ("first_name", "First Name"),
        ("last_name", "Last Name"),
        ("company_name", "Company Name"),
        FieldMap("Region", "Region", create=True),  # the "New Field" checkbox
    )
    criteria = Criteria.parse('status == "active" and Region != "EMEA"')
    sync = service.create_sync(
        "zoho-invoice",
        SyncSpec(
            name="Invoice customers",
            list_key=list_key,
            mapping=mapping,
            criteria=criteria,
            schedule=Schedule.daily("02:00", tz="Asia/Kolkata"),
        ),
    )
    print(mapping_table(mapping, out))
    print(f"criteria: {criteria.to_text()}")

    _heading(out, "3. Preview (nothing is written)")
    preview = service.preview(sync.id)
    print(f"fields to create: {', '.join(f.name for f in preview.fields_to_create) or 'none'}")
    print(f"would add {preview.would_add:,}; would skip {preview.skipped:,}")

    _heading(out, "4. Initiate: the plan-limit disclaimer, then the first run")
    try:
        service.initiate(sync.id)
    except DisclaimerNotAcknowledgedError as refused:
        print("refused until acknowledged:")
        print(out.wrap(refused.disclaimer, indent=2))
        print(f"  (plan limit {refused.limit:,}, contacts used {refused.used:,})")
    print("the user clicks 'Go Ahead' ...")
    first = _with_progress(
        out,
        progress,
        "first run",
        lambda: service.initiate(sync.id, acknowledge_disclaimer=True),
        total=len(customers),  # the source reads customers only
    )
    calls_first = campaigns.calls[_LISTSUBSCRIBE]
    print(f"listsubscribe calls: {calls_first:,}; account lockouts: {campaigns.windows.lockouts}")
    print(f"simulated time taken: {clock.now() - START}")

    _heading(out, "5. The sync's detail: configuration, mapping, history")
    print(detail_text(service.sync_detail(sync.id), out))
    print("skipped by reason:")
    for reason, count in first.counts.skipped_by_reason.items():
        print(f"  {reason.value:<22} {count:>6,}")

    _heading(out, "6. The notification (the bell)")
    for note in service.notifications(unread_only=True):
        print(out.wrap(f"[{note.kind.value}] {note.title}: {note.summary}"))
    service.mark_read()

    _heading(out, "7. Export the skipped records")
    export = folder / "skipped.csv"
    written = service.export_skipped(first.id, export)
    print(f"{written:,} rows in {export}")
    with export.open(encoding="utf-8") as handle:
        for row in itertools.islice(csv.reader(handle), 4):
            print(shorten("  " + ", ".join(row[:5]), out.width))

    _heading(out, "8. Some contacts change; the next run sends only them")
    clock.advance(timedelta(days=1))
    changed = _change_some(invoice, count=50)
    second = _with_progress(out, progress, "second run", lambda: service.run(sync.id))
    sent = campaigns.calls[_LISTSUBSCRIBE] - calls_first
    reasons = ", ".join(f"{n} {r.value}" for r, n in second.counts.skipped_by_reason.items())
    print(f"{changed} contacts changed in Invoice; listsubscribe calls this run: {sent}")
    print(
        out.wrap(f"(one per changed contact that meets the criteria; skipped: {reasons or 'none'})")
    )
    print(f"the {len(customers) - changed:,} customers that did not change cost no call")

    _heading(out, "9. Pause and resume")
    print(f"pause  -> {service.pause(sync.id).state.value}")
    print(f"resume -> {service.resume(sync.id).state.value}")
    third = service.run(sync.id)
    print(f"a run after resuming: {third.total:,} records, {third.unchanged:,} unchanged")

    _heading(out, "History")
    print(history_table(service.history(sync.id), out))
    print(f"\nstate kept in {database}")
    store.close()
    zoho.close()
    _heading(out, "The console")
    print("Open the Sync Services console on this demo's data (needs fieldsync[web]):")
    print(f"  fieldsync console --demo --dir {folder} --contacts {contacts} --seed {seed}")
    print("  (or `make console`), then browse http://127.0.0.1:8765/; Ctrl-C stops it.")
    return 0


def _with_progress(
    out: Output,
    hook: ProgressHook,
    label: str,
    work: Callable[[], SyncRun],
    *,
    total: int | None = None,
) -> SyncRun:
    hook.current = progress = open_progress(label, total=total, every=500, zone=out.zone)
    try:
        run = work()
    finally:
        progress.close()
        hook.current = None
    text = f"{label}: {run.status.value}: {run.total:,} = {counts_text(run).replace(', ', ' + ')}"
    print(out.wrap_status(text, run.status.value, indent=2))
    return run


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
