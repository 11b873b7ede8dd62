"""fieldsync in one page: a sync from a source to a mailing list, with the shipped fakes.

Run it with `python examples/quickstart.py`. Nothing touches a network; state lives in a
SQLite file in a temporary folder.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import fieldsync as fs
from fieldsync.testing import FakeClock, FakeSource, FakeTarget, RecordingNotifier

CUSTOMERS = [
    ("c1", "asha@example.in", "Asha", "India", "active"),
    ("c2", "Ben@Example.COM", "Ben", "India", "active"),
    ("c3", "not-an-email", "Chen", "India", "active"),
    ("c4", "dana@example.de", "Dana", "Germany", "active"),
    ("c5", "info@example.in", "Info desk", "India", "active"),
    ("c6", "asha@example.in", "Asha (again)", "India", "active"),
    ("c7", "eve@example.in", "Eve", "India", "inactive"),
]


def main() -> None:
    clock = FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    source = FakeSource(clock=clock)
    for key, email, first, country, status in CUSTOMERS:
        source.put(key, {"email": email, "first_name": first, "country": country, "status": status})
    target = FakeTarget()
    target.create_list("newsletter")
    notifier = RecordingNotifier()

    with tempfile.TemporaryDirectory() as folder:
        store = fs.SQLiteStore(Path(folder) / "fieldsync.db")
        service = fs.SyncService(store=store, notifier=notifier, clock=clock)
        service.register_integration("crm", source=source, target=target)

        sync = service.create_sync(
            "crm",
            fs.SyncSpec(
                name="Indian customers",
                list_key="newsletter",
                mapping=fs.FieldMapping.of(
                    ("email", "Contact Email"),
                    ("first_name", "First Name"),
                    fs.FieldMap("country", "Country", create=True),  # the "New Field" checkbox
                ),
                criteria=fs.Criteria.parse('country == "India" and status == "active"'),
                schedule=fs.Schedule.daily("02:00", tz="Asia/Kolkata"),
            ),
        )
        preview = service.preview(sync.id)
        print("fields to create:", [f.name for f in preview.fields_to_create])

        run = service.initiate(sync.id)
        print(
            f"first run: total={run.total} added={run.added} updated={run.updated} "
            f"unchanged={run.unchanged} skipped={run.skipped} failed={run.failed}"
        )
        for record in store.skipped_records(run.id):
            print(f"  skipped {record.key}: {record.reason.value} - {record.reason_text}")
        print("notification:", notifier.sent[-1].title, "-", notifier.sent[-1].summary)

        clock.advance(3600)
        source.put(
            "c2",
            {
                "email": "ben@example.com",
                "first_name": "Benjamin",
                "country": "India",
                "status": "active",
            },
        )
        again = service.run(sync.id)
        print(
            f"second run: updated={again.updated} unchanged={again.unchanged} (one call per change)"
        )
        print("list now:", sorted(target.lists["newsletter"]))
        store.close()


if __name__ == "__main__":
    main()
