"""The Zoho adapters against the emulators: the real HTTP path, no Zoho account needed.

Run it with `python examples/zoho_with_emulators.py`. For real credentials, change only the
lines marked "REAL:" (and drop the emulators and the fake clock).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import httpx

import fieldsync as fs
from fieldsync.testing import FakeClock
from fieldsync.testing.emulators import (
    AccountsEmulator,
    CampaignsEmulator,
    InvoiceEmulator,
    generate_organization,
)
from fieldsync.zoho import ZohoCampaignsTarget, ZohoInvoiceSource, ZohoOAuth


def main() -> None:
    # Simulated time: Zoho's 500 calls a minute are obeyed without waiting for real.
    clock = FakeClock(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    accounts = AccountsEmulator(clock=clock)
    accounts.register_client("1000.EXAMPLE", "example-secret", "1000.example-refresh")
    organization = generate_organization(250, seed=3)
    invoice = InvoiceEmulator(accounts=accounts, clock=clock, organization=organization)
    campaigns = CampaignsEmulator(accounts=accounts, clock=clock)
    list_key = campaigns.create_list("Newsletter")

    auth = ZohoOAuth(
        client_id="1000.EXAMPLE",  # REAL: os.environ["ZOHO_CLIENT_ID"]
        client_secret="example-secret",  # REAL: os.environ["ZOHO_CLIENT_SECRET"]
        refresh_token="1000.example-refresh",  # REAL: os.environ["ZOHO_REFRESH_TOKEN"]
        data_centre="in",
        client=httpx.Client(transport=accounts),  # REAL: leave out
        clock=clock,  # REAL: leave out
    )
    source = ZohoInvoiceSource(
        auth,
        organization_id=organization.organization_id,  # REAL: your organization id
        client=httpx.Client(transport=invoice),  # REAL: leave out
        clock=clock,  # REAL: leave out
    )
    target = ZohoCampaignsTarget(
        auth,
        client=httpx.Client(transport=campaigns),  # REAL: leave out
        clock=clock,  # REAL: leave out
        concurrency=1,  # REAL: leave out (4 calls in flight hide the latency)
    )

    with (
        tempfile.TemporaryDirectory() as folder,
        auth,  # REAL: the same; `with` closes what each object opened
        fs.SQLiteStore(Path(folder) / "state.db") as store,
        fs.SyncService(store=store, clock=clock) as service,  # closes source and target
    ):
        service.register_integration("zoho", source=source, target=target)
        sync = service.create_sync(
            "zoho",
            fs.SyncSpec(
                name="Active customers",
                list_key=list_key,
                mapping=fs.FieldMapping.of(
                    ("email", "Contact Email"),
                    ("first_name", "First Name"),
                    ("last_name", "Last Name"),
                    fs.FieldMap("Customer Tier", create=True),
                ),
                criteria=fs.Criteria.parse('status == "active"'),
            ),
        )
        run = service.initiate(sync.id)
        mapping = service.sync_detail(sync.id).sync.config.mapping
        print(f"run {run.status.value}: {run.total} customers, {run.added} added")
        print(
            f"skipped by reason: { {r.value: n for r, n in run.counts.skipped_by_reason.items()} }"
        )
        print(f"'Customer Tier' was created in Campaigns as {mapping.pairs[-1].target!r}")
        print(f"contacts in the list: {len(campaigns.subscribers(list_key))}")
        print(f"lists: {[(lst.name, lst.contacts) for lst in target.lists()]}")


if __name__ == "__main__":
    main()
