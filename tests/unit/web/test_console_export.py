"""The skipped records as CSV, and its Excel-friendly variant (UTF-8 with a BOM)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from starlette.testclient import TestClient
from web_helpers import initiated

from fieldsync import SyncService


def test_the_csv_has_no_bom_and_the_excel_variant_starts_with_one(
    client: TestClient, service: SyncService
) -> None:
    sync, run = initiated(service)
    path = f"/syncs/{sync.id}/runs/{run.id}/skipped.csv"

    plain = client.get(path)
    excel = client.get(path + "?excel=1")

    assert not plain.content.startswith(b"\xef\xbb\xbf")
    assert excel.content.startswith(b"\xef\xbb\xbfkey,email,")
    assert excel.content[3:] == plain.content  # the same rows after the mark
    assert excel.headers["content-type"] == "text/csv; charset=utf-8"
    assert f'filename="skipped-{run.id[:8]}-excel.csv"' in excel.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(excel.content.decode("utf-8-sig"))))
    assert [r["reason_code"] for r in rows] == ["invalid_email"]


def test_the_pages_link_both_variants(client: TestClient, service: SyncService) -> None:
    sync, run = initiated(service)

    history = client.get(f"/syncs/{sync.id}/history").text
    skipped = client.get(f"/syncs/{sync.id}/runs/{run.id}/skipped").text

    for page in (history, skipped):
        assert f"/runs/{run.id}/skipped.csv?excel=1" in page
        assert f'/runs/{run.id}/skipped.csv" download' in page
    assert "Export for Excel" in skipped


def test_the_service_writes_a_bom_to_a_path_and_a_stream(
    service: SyncService, tmp_path: Path
) -> None:
    _, run = initiated(service)
    target = tmp_path / "skipped.csv"
    stream = io.StringIO(newline="")

    rows = service.export_skipped(run.id, target, excel=True)
    service.export_skipped(run.id, stream, excel=True)

    assert rows == 1
    assert target.read_bytes().startswith(b"\xef\xbb\xbfkey,")
    assert stream.getvalue().startswith("\ufeffkey,")
