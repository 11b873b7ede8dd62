"""The serve command: the emulators over real loopback HTTP, reachable by the real adapters."""

from __future__ import annotations

import _thread
import io
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from fieldsync.testing.emulators.serve import EmulatorServer, main
from fieldsync.zoho.auth import ZohoOAuth
from fieldsync.zoho.invoice import ZohoInvoiceSource


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(port=0, contacts=250, seed=2) as running:
        yield running


@pytest.fixture
def sources(server: EmulatorServer) -> Iterator[Callable[..., ZohoInvoiceSource]]:
    """Makes sources with their own real httpx clients, and closes them afterwards."""
    made: list[tuple[ZohoOAuth, ZohoInvoiceSource]] = []

    def make(**options: Any) -> ZohoInvoiceSource:
        auth = ZohoOAuth(
            client_id=server.credentials.client_id,
            client_secret=server.credentials.client_secret,
            refresh_token=server.credentials.refresh_token,
            accounts_url=server.urls["accounts_url"],
        )
        source = ZohoInvoiceSource(
            auth, organization_id=server.organization.organization_id, **options
        )
        made.append((auth, source))
        return source

    yield make
    for auth, source in made:
        source.close()
        auth.close()


def test_the_invoice_source_finds_the_api_through_the_token_and_reads_every_customer(
    server: EmulatorServer, sources: Callable[..., ZohoInvoiceSource]
) -> None:
    customers = {
        c["contact_id"] for c in server.organization.contacts if c["contact_type"] == "customer"
    }

    read = [r.key for page in sources(per_page=100).read() for r in page.records]

    assert sorted(read) == sorted(customers)


def test_an_explicit_invoice_url_works_too(
    server: EmulatorServer, sources: Callable[..., ZohoInvoiceSource]
) -> None:
    source = sources(base_url=server.urls["invoice_url"])

    assert "Customer Tier" in source.schema()


def test_a_path_no_emulator_serves_answers_404(server: EmulatorServer) -> None:
    assert httpx.get(f"{server.base_url}/nowhere").status_code == 404


def test_a_body_above_the_limit_is_refused(server: EmulatorServer) -> None:
    response = httpx.post(f"{server.base_url}/oauth/v2/token", content=b"x" * (2 << 20))

    assert response.status_code == 413


def test_only_loopback_addresses_are_served() -> None:
    with pytest.raises(ValueError, match="loopback"):
        EmulatorServer(host="0.0.0.0", port=0)


def test_stopping_releases_the_port() -> None:
    first = EmulatorServer(port=0, contacts=1).start()
    port = first.port
    first.stop()

    second = EmulatorServer(port=port, contacts=1)
    second.stop()

    assert second.port == port


def test_the_banner_names_the_urls_and_credentials() -> None:
    server = EmulatorServer(port=0, contacts=3, seed=5)
    server.stop()

    banner = server.banner()

    assert server.urls["invoice_url"] in banner
    assert server.credentials.refresh_token in banner
    assert server.list_key in banner


class _Output(io.StringIO):
    """Captures the command's output and signals its first line."""

    def __init__(self) -> None:
        super().__init__()
        self.written = threading.Event()

    def write(self, text: str) -> int:
        count = super().write(text)
        self.written.set()
        return count


def test_the_command_serves_until_ctrl_c_and_then_stops_cleanly() -> None:
    out = _Output()
    seen: dict[str, int] = {}

    def visit_then_press_ctrl_c() -> None:
        assert out.written.wait(timeout=10)
        match = re.search(r"accounts_url\s+(\S+)", out.getvalue())
        assert match is not None
        seen["status"] = httpx.get(f"{match[1]}/nowhere").status_code
        _thread.interrupt_main()  # what Ctrl-C does: KeyboardInterrupt in the main thread

    threading.Thread(target=visit_then_press_ctrl_c, daemon=True).start()
    status = main(["serve", "--port", "0", "--contacts", "5"], out=out)

    assert (status, seen["status"]) == (0, 404)
    assert out.getvalue().rstrip().endswith("stopping")
