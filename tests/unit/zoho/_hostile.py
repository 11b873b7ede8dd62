"""Stand-ins for Zoho that answer whatever a test scripts, for the hostile-answer tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import attrs
import httpx

from fieldsync.http.retry import RetryPolicy
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import AccountsEmulator
from fieldsync.zoho.auth import ZohoOAuth
from fieldsync.zoho.campaigns import DEFAULT_LIMITS, ZohoCampaignsTarget
from fieldsync.zoho.invoice import ZohoInvoiceSource

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INVOICE = "https://www.zohoapis.com/invoice/v3"
CAMPAIGNS = "https://campaigns.zoho.com/api/v1.1"

Handler = Callable[[httpx.Request], httpx.Response]


def nested(depth: int, shape: str) -> bytes:
    """JSON (or what starts like it) ``depth`` levels deep: arrays, objects, or both."""
    if shape == "arrays":
        return b"[" * depth + b"]" * depth
    if shape == "objects":
        return b'{"a":' * depth + b"1" + b"}" * depth
    if shape == "unclosed":
        return b"[" * depth
    return b'{"response":' + b'[{"a":' * depth + b"1" + b"}]" * depth + b"}"


def auth(clock: FakeClock, accounts: httpx.BaseTransport | None = None) -> ZohoOAuth:
    """An OAuth token source on the accounts emulator (or on ``accounts``)."""
    emulator = AccountsEmulator(clock=clock)
    emulator.register_client("id", "secret", "refresh")
    return ZohoOAuth(
        client_id="id",
        client_secret="secret",
        refresh_token="refresh",
        client=httpx.Client(transport=accounts or emulator),
        clock=clock,
    )


def invoice(
    handler: Handler, *, clock: FakeClock | None = None, attempts: int = 1
) -> ZohoInvoiceSource:
    """A ZohoInvoiceSource whose every call goes to ``handler``."""
    clock = clock or FakeClock(START)
    return ZohoInvoiceSource(
        auth(clock),
        organization_id="1",
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        base_url=INVOICE,
        clock=clock,
        retry=RetryPolicy(attempts=attempts, jitter=0.0),
    )


def campaigns(
    handler: Handler, *, clock: FakeClock | None = None, attempts: int = 1, max_batch: int = 50
) -> ZohoCampaignsTarget:
    """A ZohoCampaignsTarget whose every call goes to ``handler``."""
    clock = clock or FakeClock(START)
    return ZohoCampaignsTarget(
        auth(clock),
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        base_url=CAMPAIGNS,
        clock=clock,
        retry=RetryPolicy(attempts=attempts, jitter=0.0),
        concurrency=1,
        limits=attrs.evolve(DEFAULT_LIMITS, max_batch=max_batch),
    )


def customer(
    key: str, *, modified: object = "2026-03-01T10:00:00+0000", **values: object
) -> dict[str, object]:
    """A contact row as Zoho Invoice answers it."""
    row: dict[str, object] = {
        "contact_id": key,
        "contact_name": f"Customer {key}",
        "email": f"{key}@example.com",
        "first_name": f"F{key}",
        "contact_type": "customer",
        "status": "active",
        "last_modified_time": modified,
        **values,
    }
    if modified is ...:
        del row["last_modified_time"]
    return row


def pages_handler(pages: Sequence[Sequence[object]], *, calls: list[int] | None = None) -> Handler:
    """Answers page N of ``GET contacts`` with ``pages[N-1]`` (``has_more_page`` while more)."""

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        if calls is not None:
            calls.append(page)
        rows = list(pages[page - 1]) if page <= len(pages) else []
        body = {
            "code": 0,
            "message": "success",
            "contacts": rows,
            "page_context": {"page": page, "per_page": 200, "has_more_page": page < len(pages)},
        }
        return httpx.Response(200, content=json.dumps(body).encode())

    return handler
