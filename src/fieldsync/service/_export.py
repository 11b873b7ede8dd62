"""The CSV export of a run's skipped and failed records, streamed from the store."""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import TextIO

from fieldsync._secrets import redact_text
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.sync import SkippedRecord

__all__ = ["BOM", "FIXED_COLUMNS", "neutralise", "write_skipped"]

BOM = "\ufeff"
"""The byte order mark an Excel-friendly export starts with (UTF-8 with BOM)."""

FIXED_COLUMNS = ("key", "email", "disposition", "reason_code", "reason_text")
"""The first columns of every export; one column per mapped target field follows."""

# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV
# injection"); a leading quote makes it plain text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """``cell`` made safe to open in a spreadsheet: prefixed with ``'`` when it starts
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def write_skipped(
    records: Iterable[SkippedRecord],
    mapping: FieldMapping,
    destination: str | os.PathLike[str] | TextIO,
    *,
    excel: bool = False,
) -> int:
    """Write ``records`` as CSV to ``destination``, one row at a time; return the rows.

    Args:
        records: a run's skipped and failed records (read lazily).
        mapping: the mapping of the run's configuration version; its target fields are
            the value columns, in mapping order.
        destination: a path (created or replaced, UTF-8) or an open text file (open it
            with ``newline=""``, as the :mod:`csv` module asks).
        excel: start with the byte order mark U+FEFF (UTF-8 with BOM, as Excel needs).

    Raises:
        OSError: the file cannot be written.
    """
    with _opened(destination) as out:
        if excel:
            out.write(BOM)
        writer = csv.writer(out)
        targets = [pair.target for pair in mapping]
        writer.writerow([*FIXED_COLUMNS, *targets])
        names = frozenset(targets)
        rows = 0
        for record in records:
            # scrubbed again: rows stored before a secret was known to this process
            row = _row(record, mapping, names)
            writer.writerow([neutralise(redact_text(cell)) for cell in row])
            rows += 1
        return rows


def _row(record: SkippedRecord, mapping: FieldMapping, targets: frozenset[str]) -> list[str]:
    values: Mapping[str, str] = record.values
    # A record whose mapping failed keeps its source values (by source field name); any
    # other keeps its mapped values (by target field name).
    by_target = values.keys() <= targets
    cells = [values.get(pair.target if by_target else pair.source, "") for pair in mapping.pairs]
    disposition = "failed" if record.failed else "skipped"
    return [
        record.key,
        record.email or "",
        disposition,
        record.reason.value,
        record.reason_text,
        *cells,
    ]


@contextlib.contextmanager
def _opened(destination: str | os.PathLike[str] | TextIO) -> Iterator[TextIO]:
    if isinstance(destination, str | os.PathLike):
        with open(destination, "w", encoding="utf-8", newline="") as out:
            yield out
    else:
        yield destination
