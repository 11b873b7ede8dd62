"""The bookkeeping every reliability suite checks after a pass: each source record counted
exactly once, either written (a stored fingerprint) or in a skipped/failed export with a
reason, and the exports agreeing with the counts."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Collection, Sequence

import attrs

from fieldsync.domain.emails import email_key
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.sync import SyncRun
from fieldsync.ports import SyncStore
from fieldsync.service import SyncService

_REASONS = frozenset(reason.value for reason in ReasonCode)
# Held by a double opt-in list: remembered as written and exported as skipped.
_BOTH = ReasonCode.CONFIRMATION_PENDING.value


@attrs.frozen
class Accounting:
    """Where each record of a pass ended up."""

    written: dict[str, str]  # key -> email as last written
    skipped: dict[str, str]  # key -> reason code
    rows: list[dict[str, str]]  # every export row of the pass


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_exported(cell: str) -> str:
    """How the export writes a cell: a leading quote before anything a spreadsheet would
    take for a formula (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def exported(service: SyncService, run: SyncRun) -> list[dict[str, str]]:
    """The rows of a run's skipped/failed export, read back."""
    out = io.StringIO(newline="")
    written = service.export_skipped(run.id, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert written == len(rows)
    return rows


def account_for(
    service: SyncService, store: SyncStore, runs: Sequence[SyncRun], keys: Collection[str]
) -> Accounting:
    """Check that the runs of one pass counted every key in ``keys`` exactly once, and say
    where each ended up.

    Raises:
        AssertionError: a record was lost, counted twice, exported without a reason, or
            the exports disagree with the counts.
    """
    assert runs, "a pass has at least one run"
    sync_id = runs[0].sync_id
    rows: list[dict[str, str]] = []
    for run in runs:
        run_rows = exported(service, run)
        assert len(run_rows) == run.skipped + run.failed, f"run {run.id}: export != counts"
        rows.extend(run_rows)
    for row in rows:
        assert row["reason_code"] in _REASONS, row
        assert row["reason_text"].strip(), row
        assert row["disposition"] in ("skipped", "failed"), row
    in_export = Counter(row["key"] for row in rows)  # distinct keys stay distinct cells
    duplicated = [key for key, n in in_export.items() if n > 1]
    assert not duplicated, f"exported more than once: {duplicated[:5]}"
    fingerprints = store.fingerprints(sync_id, list(keys))
    # A fingerprint marked ``rejected`` remembers a refusal (not a write): no call is spent
    # on the same refusal again until the record changes.
    written = {key: fp.email for key, fp in fingerprints.items() if fp.rejected is None}
    refused = {key: fp.rejected.value for key, fp in fingerprints.items() if fp.rejected}
    by_cell = {as_exported(key): key for key in keys}
    reason = {by_cell.get(row["key"], row["key"]): row["reason_code"] for row in rows}
    for key in keys:
        both = key in written and key in reason
        assert key in written or key in reason, f"record {key} was lost"
        assert not both or reason[key] == _BOTH, f"record {key} written and skipped"
    for key, code in refused.items():
        assert reason.get(key) == code, f"record {key} refused ({code}) but exported otherwise"
    stray = set(reason) - set(keys)
    assert not stray, f"exported records that were not read: {sorted(stray)[:5]}"
    assert sum(run.total for run in runs) == len(keys), "the pass counted a record twice"
    sent = sum(run.added + run.updated for run in runs)
    held = sum(1 for code in reason.values() if code == _BOTH)
    assert sent + held == len(written), "written records and counts disagree"
    return Accounting(written=written, skipped=reason, rows=rows)


def unique_emails(addresses: Collection[str]) -> bool:
    """Whether no two addresses are the same contact (case-insensitively)."""
    return len({email_key(a) for a in addresses}) == len(addresses)
