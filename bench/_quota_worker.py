"""One process of the "several processes on one account" benchmark (``bench/shared_quota.py``).

``python -m bench._quota_worker '<json>'``: opens the shared SQLite store, builds a Zoho
Campaigns target on it (ledger and token cache: the store) on the benchmark's scaled clock,
writes ``n`` contacts to its list in batches of 50 as the service would, and prints
``{"sent": ..., "deferred": ...}``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from fieldsync.domain.records import TargetContact
from fieldsync.exceptions import QuotaExhaustedError
from fieldsync.stores import SQLiteStore
from fieldsync.testing import ScaledClock
from fieldsync.zoho import ZohoCampaignsTarget, ZohoOAuth

_BATCH = 50


def main(spec: dict[str, Any]) -> dict[str, int]:
    """Write the contacts; return how many were sent and how many deferred."""
    clock = ScaledClock(spec["factor"], spec["origin"])
    prefix = spec["prefix"]
    contacts = [
        TargetContact(f"{prefix}{i}", f"{prefix}{i}@example.com", {"First Name": f"P {i}"})
        for i in range(spec["n"])
    ]
    with SQLiteStore(spec["store"]) as store:
        auth = ZohoOAuth(
            client_id=spec["client_id"],
            client_secret=spec["client_secret"],
            refresh_token=spec["refresh_token"],
            accounts_url=spec["accounts_url"],
            clock=clock,
            ledger=store,
            token_cache=store,
        )
        target = ZohoCampaignsTarget(
            auth, base_url=spec["campaigns_url"], clock=clock, concurrency=4
        )
        sent = deferred = 0
        try:
            for first in range(0, len(contacts), _BATCH):
                batch = contacts[first : first + _BATCH]
                try:
                    target.upsert(spec["list_key"], batch)
                except QuotaExhaustedError:
                    deferred = len(contacts) - first
                    break
                sent += len(batch)
        finally:
            target.close()
            auth.close()
    return {"sent": sent, "deferred": deferred}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
