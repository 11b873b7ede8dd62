"""EmulatedZoho wires a store in as the adapters' quota ledger and token cache."""

from __future__ import annotations

from fieldsync.stores import InMemoryStore
from fieldsync.testing.emulators import EmulatedZoho


def test_the_adapters_keep_their_token_in_the_store_given() -> None:
    store = InMemoryStore()
    zoho = EmulatedZoho.build(contacts=5, quota=store)
    try:
        token = zoho.auth.access_token()
        now = zoho.clock.now().timestamp()

        cached = store.cached_token(zoho.auth.quota_key, now=now)
    finally:
        zoho.close()

    assert cached is not None
    assert cached.access_token == token
