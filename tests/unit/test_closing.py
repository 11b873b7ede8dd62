"""Every object that holds an HTTP pool closes it in ``with`` and in ``close()``, but only
the pool it made: a client passed in is the caller's."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from fieldsync._closing import Closeable
from fieldsync.notifiers import WebhookNotifier
from fieldsync.zoho import ZohoCampaignsTarget, ZohoInvoiceSource, ZohoOAuth

Make = Callable[[httpx.Client | None], Closeable]


def auth(client: httpx.Client | None = None) -> ZohoOAuth:
    return ZohoOAuth(client_id="id", client_secret="secret", refresh_token="r", client=client)


MAKERS: dict[str, Make] = {
    "ZohoOAuth": auth,
    "ZohoInvoiceSource": lambda c: ZohoInvoiceSource(auth(), organization_id="1", client=c),
    "ZohoCampaignsTarget": lambda c: ZohoCampaignsTarget(auth(), client=c),
    "WebhookNotifier": lambda c: WebhookNotifier("https://example.com/h", secret="s", client=c),
}


def pool_of(thing: Closeable) -> httpx.Client:
    client = thing._client  # type: ignore[attr-defined]
    assert isinstance(client, httpx.Client)
    return client


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_leaving_with_closes_the_pool_the_object_made(name: str) -> None:
    with MAKERS[name](None) as thing:
        pool = pool_of(thing)

    assert pool.is_closed


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_a_client_passed_in_stays_open(name: str) -> None:
    with httpx.Client() as client:
        MAKERS[name](client).close()

        assert not client.is_closed


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_closing_twice_is_harmless(name: str) -> None:
    thing = MAKERS[name](None)
    thing.close()
    thing.close()

    assert pool_of(thing).is_closed
