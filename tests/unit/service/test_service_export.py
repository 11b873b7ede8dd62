"""The CSV export of skipped records: columns, dispositions, and neutralised formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.sync import SkippedRecord
from fieldsync.service._export import FIXED_COLUMNS, neutralise, write_skipped

MAPPING = FieldMapping.of(("email", "Contact Email"), ("name", "First Name"))


def skipped(
    key: str = "k1",
    values: dict[str, str] | None = None,
    *,
    reason: ReasonCode = ReasonCode.INVALID_EMAIL,
    failed: bool = False,
) -> SkippedRecord:
    values = {"Contact Email": "bad", "First Name": "Ann"} if values is None else values
    return SkippedRecord("run", key, "bad", reason, "not valid", values, failed)


def export(*records: SkippedRecord) -> list[list[str]]:
    out = io.StringIO(newline="")
    write_skipped(records, MAPPING, out)
    return list(csv.reader(io.StringIO(out.getvalue(), newline="")))


def test_the_header_is_the_fixed_columns_then_the_mapped_target_fields() -> None:
    assert [*FIXED_COLUMNS, "Contact Email", "First Name"] == export()[0]


def test_a_row_holds_key_email_disposition_reason_and_mapped_values() -> None:
    assert ["k1", "bad", "skipped", "invalid_email", "not valid", "bad", "Ann"] == (
        export(skipped())[1]
    )


def test_a_failed_record_has_the_failed_disposition() -> None:
    assert "failed" == export(skipped(failed=True))[1][2]


def test_a_record_whose_mapping_failed_shows_its_source_values_under_the_target_columns() -> None:
    source_values = {"email": "ann@example.com", "name": "Ann", "status": "active"}

    row = export(skipped(values=source_values, reason=ReasonCode.CONVERSION_ERROR))[1]

    assert ["ann@example.com", "Ann"] == row[5:]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_a_spreadsheet_would_run_as_formulas_are_prefixed_with_a_quote(start: str) -> None:
    formula = f'{start}HYPERLINK("http://evil")'

    row = export(skipped(values={"Contact Email": "x", "First Name": formula}))[1]

    assert "'" + formula == row[6]


def test_plain_cells_are_left_alone() -> None:
    assert "Ann = Anna" == neutralise("Ann = Anna")


def test_an_export_to_a_path_writes_utf8_and_counts_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "skipped.csv"

    rows = write_skipped([skipped("k1"), skipped("k2", {"First Name": "Zoë"})], MAPPING, path)

    assert (2, "Zoë") == (rows, path.read_text(encoding="utf-8").splitlines()[2].split(",")[-1])


def test_rows_are_written_while_the_records_are_read() -> None:
    out = io.StringIO(newline="")
    lines_before_each_record: list[int] = []

    def records() -> Iterator[SkippedRecord]:
        for key in ("k1", "k2"):
            lines_before_each_record.append(out.getvalue().count("\n"))
            yield skipped(key)

    write_skipped(records(), MAPPING, out)

    # the header before the first record is read, the first row before the second
    assert [1, 2] == lines_before_each_record
