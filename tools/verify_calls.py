"""How many calls ``SyncService.verify`` makes, on the emulators: a sync of N contacts is
initiated, then verified; the Campaigns and Invoice calls of the verify are printed.

    PYTHONPATH=src python tools/verify_calls.py 10000
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import fieldsync as fs
from fieldsync.testing import EmulatedZoho, FakeClock

MAPPING = fs.FieldMapping.of(
    ("email", "Contact Email"), ("first_name", "First Name"), ("last_name", "Last Name")
)


def main() -> None:
    """Print one line: members read, the calls by endpoint, the simulated time."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("contacts", type=int, help="contacts in the emulated organization")
    contacts = parser.parse_args().contacts
    clock = FakeClock(datetime(2026, 5, 4, 6, tzinfo=UTC))
    zoho = EmulatedZoho.build(contacts=contacts, seed=5, clock=clock)
    with tempfile.TemporaryDirectory() as folder, fs.SQLiteStore(Path(folder) / "v.db") as store:
        service = fs.SyncService(store=store, clock=clock)
        service.register_integration("zoho", source=zoho.source, target=zoho.target)
        spec = fs.SyncSpec(name="Customers", list_key=zoho.list_key, mapping=MAPPING)
        sync = service.create_sync("zoho", spec)
        service.initiate(sync.id, acknowledge_disclaimer=True)
        campaigns, invoice, started = dict(zoho.campaigns.calls), zoho.invoice.requests, clock.now()
        report = service.verify(sync.id)
        calls = {k: v - campaigns.get(k, 0) for k, v in zoho.campaigns.calls.items()}
        made = {k: v for k, v in calls.items() if v}
        print(
            f"{contacts:,} contacts, {report.members:,} members read, drift: {report.drift};"
            f" Campaigns calls {made},"
            f" Invoice calls {zoho.invoice.requests - invoice},"
            f" simulated time {clock.now() - started}"
        )
    zoho.close()


if __name__ == "__main__":
    main()
