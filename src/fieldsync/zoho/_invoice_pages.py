"""One ``GET contacts`` answer read defensively: the rows as records, and the paging checks.

Pure functions over the JSON the API answers; :mod:`fieldsync.zoho.invoice` does the HTTP.
The rules (``docs/zoho-invoice.md`` says the same for users):

- **An answer that is not a page** (no ``contacts`` list, no ``page_context`` object, a
  ``page_context.page`` other than the page asked for) is a malformed answer: a
  :class:`~fieldsync.exceptions.TransportError`, retried, then the run is deferred with its
  checkpoint. It never ends the read early, which would let the watermark move past rows
  never seen.
- **A repeated page** (every row of page N was on page N-1) is inconsistent paging: page
  N's own rows were never answered. The page is asked for once more; a second repeat is a
  ``TransportError`` too, so the checkpoint stays at page N-1 and the watermark where it was.
  Rows changed during a read move to the front of the order, so *some* rows of page N-1 may
  show again on page N; only a page made of nothing else is taken for a repeat.
- **A poison row** (not an object; no ``contact_id``; a ``last_modified_time`` missing,
  empty, ``null``, a number or unreadable) becomes a record with a ``defect``: the run
  skips it with ``invalid_record`` and goes on. It does not decide where an incremental read
  stops, since its time is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import attrs

from fieldsync.domain.records import SourceRecord
from fieldsync.exceptions import TransportError
from fieldsync.zoho._invoice_schema import CustomFields, parse_zoho_time, row_values

__all__ = ["UNKNOWN_TIME", "PageRows", "page_rows", "records_of", "repeats"]

UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=UTC)
"""The stand-in ``modified_at`` of a record whose own time cannot be read."""


@attrs.frozen
class PageRows:
    """The rows of one answer, and whether Zoho says more pages follow."""

    rows: Sequence[object]
    more: bool

    @property
    def keys(self) -> frozenset[str]:
        """The ``contact_id`` of every object row that has one."""
        return frozenset(
            str(row["contact_id"])
            for row in self.rows
            if isinstance(row, Mapping) and _has_key(row)
        )


def page_rows(body: Mapping[str, object], *, page: int, endpoint: str) -> PageRows:
    """The rows of a ``GET contacts`` answer for ``page``.

    Raises:
        TransportError: the answer is not a page (see the module docstring).
    """
    rows = body.get("contacts")
    context = body.get("page_context")
    if not isinstance(rows, list) or not isinstance(context, Mapping):
        raise TransportError(
            "Zoho Invoice answered a contacts page without its contacts list or page_context",
            endpoint=endpoint,
        )
    said = context.get("page")
    if said is not None and str(said).strip() != str(page):
        raise TransportError(
            f"Zoho Invoice answered page {str(said)[:20]!r} when asked for page {page}",
            endpoint=endpoint,
        )
    return PageRows(rows, _flag(context.get("has_more_page")))


def repeats(current: PageRows, previous: PageRows | None) -> bool:
    """Whether ``current`` holds nothing but rows of ``previous`` (inconsistent paging)."""
    if previous is None or not current.rows:
        return False
    keys = current.keys
    return len(keys) == len(current.rows) and keys <= previous.keys


def records_of(
    rows: Sequence[object],
    *,
    page: int,
    custom: CustomFields,
    since: datetime | None,
    previous: frozenset[str],
    only_active: bool,
) -> tuple[list[SourceRecord], bool]:
    """The page's records, and whether the read reached ``since`` on this page.

    Rows of ``previous`` (the page before) are dropped: a change during the read moved them.
    """
    for row in rows:
        if isinstance(row, Mapping):
            custom.note(row)  # the whole page first, so every record lists every label
    records: list[SourceRecord] = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            where = f"row {index + 1} of page {page}"
            defect = f"{where} is a JSON {_json_kind(row)}, not an object"
            records.append(SourceRecord(f"({where})", UNKNOWN_TIME, {}, defect))
            continue
        if not _has_key(row):
            where = f"row {index + 1} of page {page}"
            values = row_values(row, custom)
            records.append(SourceRecord(f"({where})", UNKNOWN_TIME, values, "it has no contact_id"))
            continue
        key = str(row["contact_id"])
        modified = _modified(row)
        if isinstance(modified, datetime) and since is not None and modified < since:
            return records, True
        # Zoho is asked for these already; checking again costs nothing and keeps a
        # server that ignores a filter from leaking vendors or inactive contacts.
        if row.get("contact_type", "customer") != "customer" or key in previous:
            continue
        if only_active and row.get("status", "active") != "active":
            continue
        values = row_values(row, custom)
        if isinstance(modified, str):
            records.append(SourceRecord(key, UNKNOWN_TIME, values, modified))
        else:
            records.append(SourceRecord(key, modified, values))
    return records, False


def _has_key(row: Mapping[str, object]) -> bool:
    key = row.get("contact_id")
    return isinstance(key, str | int) and not isinstance(key, bool) and str(key).strip() != ""


def _modified(row: Mapping[str, object]) -> datetime | str:
    """The row's modification time, or why it has none that can be read."""
    if "last_modified_time" not in row:
        return "it has no last_modified_time"
    raw = row["last_modified_time"]
    if not isinstance(raw, str):
        return f"its last_modified_time is a JSON {_json_kind(raw)}, not a time"
    if not raw.strip():
        return "its last_modified_time is empty"
    try:
        return parse_zoho_time(raw)
    except ValueError:
        return f"its last_modified_time {raw[:40]!r} is not a time with an offset"


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return value is True or (isinstance(value, int) and value == 1)


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
