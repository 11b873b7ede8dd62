"""Your own adapters: a CSV file as the Source and a JSON-lines "mailing list" as the Target.

Neither needs a base class: fieldsync's ports are Protocols, so any object with the right
methods fits. Run it with `python examples/custom_adapters.py`.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import fieldsync as fs
from fieldsync.testing import FakeClock


class CsvSource:
    """Rows of a CSV file with columns id, email, name, city, updated (ISO 8601)."""

    def __init__(self, path: Path, *, page_size: int = 2) -> None:
        self._path = path
        self._page_size = page_size

    def schema(self) -> fs.Schema:
        return fs.Schema.of(
            fs.Field("id"),
            fs.Field("email", fs.FieldType.EMAIL),
            fs.Field("name"),
            fs.Field("city"),
            fs.Field("updated", fs.FieldType.DATETIME),
        )

    def read(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> Iterator[fs.SourcePage]:
        with self._path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        records = [
            fs.SourceRecord(row["id"], datetime.fromisoformat(row["updated"]), dict(row))
            for row in rows
        ]
        records = [r for r in records if since is None or r.modified_at >= since]
        start = int(resume) if resume else 0
        for offset in range(start, len(records), self._page_size):
            yield fs.SourcePage(records[offset : offset + self._page_size], position=str(offset))

    def count(self) -> int | None:
        with self._path.open(newline="", encoding="utf-8") as handle:
            return sum(1 for _ in csv.DictReader(handle))

    def describe_credentials(self) -> Sequence[str]:
        return ()  # a local file has no credentials

    def revoke(self) -> None:
        return None


class JsonLinesTarget:
    """A mailing list kept as one JSON object per line, upserted by email."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._fields = [fs.Field("Email", fs.FieldType.EMAIL, required=True), fs.Field("Name")]

    def schema(self) -> fs.Schema:
        return fs.Schema(self._fields)

    def create_field(self, field: fs.Field) -> fs.Field:
        self._fields.append(field)
        return field

    def upsert(self, list_key: str, contacts: Sequence[fs.TargetContact]) -> list[fs.UpsertOutcome]:
        path = self._folder / f"{list_key}.jsonl"
        current = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                current[row["Email"].lower()] = row
        outcomes = []
        for contact in contacts:
            known = contact.email.lower() in current
            current[contact.email.lower()] = {k: str(v) for k, v in contact.values.items()}
            kind = fs.OutcomeKind.UPDATED if known else fs.OutcomeKind.ADDED
            outcomes.append(fs.UpsertOutcome(contact.key, kind))
        path.write_text(
            "".join(json.dumps(row) + "\n" for row in current.values()), encoding="utf-8"
        )
        return outcomes

    def limits(self) -> fs.TargetLimits:
        return fs.TargetLimits(max_batch=100)

    def capacity(self, list_key: str) -> fs.Capacity | None:
        return None  # no plan limit

    def describe_credentials(self) -> Sequence[str]:
        return ()

    def revoke(self) -> None:
        return None


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        csv_path = root / "customers.csv"
        csv_path.write_text(
            "id,email,name,city,updated\n"
            "1,ada@example.org,Ada,London,2026-01-01T10:00:00+00:00\n"
            "2,grace@example.org,Grace,New York,2026-01-02T10:00:00+00:00\n"
            "3,linus@example,Linus,Helsinki,2026-01-03T10:00:00+00:00\n",
            encoding="utf-8",
        )
        service = fs.SyncService(
            store=fs.SQLiteStore(root / "state.db"),
            clock=FakeClock(datetime(2026, 2, 1, tzinfo=UTC)),
        )
        service.register_integration(
            "csv", source=CsvSource(csv_path), target=JsonLinesTarget(root)
        )
        sync = service.create_sync(
            "csv",
            fs.SyncSpec(
                name="CSV customers",
                list_key="customers",
                mapping=fs.FieldMapping.of(
                    ("email", "Email"), ("name", "Name"), fs.FieldMap("city", "City", create=True)
                ),
            ),
        )
        run = service.initiate(sync.id)
        reasons = {reason.value: n for reason, n in run.counts.skipped_by_reason.items()}
        print(f"added={run.added} skipped={run.skipped} (by reason: {reasons})")
        print((root / "customers.jsonl").read_text(encoding="utf-8"), end="")


if __name__ == "__main__":
    main()
