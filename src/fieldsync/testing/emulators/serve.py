"""Serve the Zoho emulators over real HTTP on the loopback interface.

For trying fieldsync (its CLI, your own code) against something that behaves like Zoho
without a Zoho account::

    python -m fieldsync.testing.emulators serve --port 8900 --contacts 2000 --seed 1

One port serves all three APIs, routed by path: Zoho Accounts (``/oauth/v2/...``), Zoho
Invoice (``/invoice/v3/...``) and Zoho Campaigns (``/api/v1.1/...``). The command prints the
base URLs and a client id, secret and refresh token that work. Time is real; the server
listens on 127.0.0.1 only, handles a bounded number of requests at once, refuses large
bodies, and stops cleanly on Ctrl-C.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, TextIO

import attrs
import httpx

from fieldsync.clock import SystemClock
from fieldsync.testing.emulators._common import AccountsEmulator
from fieldsync.testing.emulators.campaigns import CampaignsEmulator
from fieldsync.testing.emulators.generate import Organization, generate_organization
from fieldsync.testing.emulators.invoice import InvoiceEmulator

if TYPE_CHECKING:
    from fieldsync.ports import Clock

__all__ = ["Credentials", "EmulatorServer", "main"]

MAX_BODY = 1 << 20  # bytes; a subscriber batch is a few kilobytes
MAX_CONCURRENT = 16  # connections handled at once; more wait for a free slot
_SLOT_WAIT = 5.0  # seconds a new connection waits for a slot before it is turned away
_POLL = 0.1  # seconds between checks for shutdown while serving
_IDLE = 30.0  # seconds an idle keep-alive connection keeps its slot
_DROPPED = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "content-encoding"})


@attrs.frozen
class Credentials:
    """An OAuth client registered with the served Zoho Accounts."""

    client_id: str
    client_secret: str
    refresh_token: str


class _BoundedServer(ThreadingHTTPServer):
    """A threading server that runs at most ``max_concurrent`` handlers at once, in the
    foreground (``serve_forever``) or on a thread of its own (``start``, ``stop``)."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        routes: Mapping[str, httpx.BaseTransport],
        *,
        max_concurrent: int = MAX_CONCURRENT,
    ) -> None:
        self.routes = routes
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._thread: threading.Thread | None = None
        super().__init__(address, _Handler)
        host, port = self.socket.getsockname()[:2]
        self.origin = f"http://{host}:{port}"

    def start(self, *, name: str, poll_interval: float) -> None:
        """Serve on a daemon thread named ``name``; returns at once."""
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": poll_interval},
            name=name,
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving (the thread, when there is one) and release the port. Idempotent."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def process_request(self, request: Any, client_address: Any) -> None:
        # A timeout rather than blocking: a full server turns the connection away instead
        # of stalling the accept loop (and with it, shutdown).
        if not self._slots.acquire(timeout=_SLOT_WAIT):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            # The handler thread did not start, so it will not give the slot back. (Not
            # BaseException: a Ctrl-C can land after the thread started, and a second
            # release would turn the interrupt into an error the server swallows.)
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class _Handler(BaseHTTPRequestHandler):
    """Translates one HTTP request into a call of the emulator its path belongs to."""

    server: _BoundedServer
    protocol_version = "HTTP/1.1"
    timeout = _IDLE

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def do_PUT(self) -> None:
        self._relay()

    def do_DELETE(self) -> None:
        self._relay()

    def log_message(self, format: str, *args: Any) -> None:
        return  # keep the terminal for the banner; the emulators count calls themselves

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413, "request body too large")
            return
        body = self.rfile.read(length) if length else b""
        transport = next(
            (t for prefix, t in self.server.routes.items() if self.path.startswith(prefix)), None
        )
        if transport is None:
            self.send_error(404, "no emulator serves this path")
            return
        request = httpx.Request(
            self.command,
            f"{self.server.origin}{self.path}",
            headers=[(k, v) for k, v in self.headers.items() if k.lower() != "host"],
            content=body,
        )
        try:
            response = transport.handle_request(request)
        except _DROPPED:
            self.close_connection = True  # an injected timeout or drop: hang up, say nothing
            return
        content = response.read()
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in _HOP_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


class EmulatorServer:
    """The Accounts, Invoice and Campaigns emulators behind one loopback HTTP port.

    Args:
        port: the port (0 picks a free one; see :attr:`port`).
        contacts: how many contacts the generated Invoice organization holds.
        seed: seeds the organization.
        host: a loopback address to listen on.
        daily_cap: the Invoice daily call cap per organization (``None``: no cap).
        clock: the emulators' time (the system clock by default; tests pass a
            :class:`~fieldsync.testing.clock.ScaledClock` to play Zoho's windows faster).

    Raises:
        ValueError: ``host`` is not a loopback address.
        OSError: the port is taken.
    """

    def __init__(
        self,
        *,
        port: int = 8900,
        contacts: int = 2000,
        seed: int = 1,
        host: str = "127.0.0.1",
        daily_cap: int | None = None,
        clock: Clock | None = None,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the emulators serve the loopback interface only, not {host}")
        clock = clock if clock is not None else SystemClock()
        self._server = _BoundedServer((host, port), {})
        self.base_url: str = self._server.origin
        self._port = int(self.base_url.rsplit(":", 1)[1])
        self.credentials: Credentials = Credentials(
            client_id=f"1000.EMULATOR{seed}",
            client_secret=f"emulator-secret-{seed}",
            refresh_token=f"1000.emulator.refresh{seed}",
        )
        # The token answer names this server as the API domain, so Zoho adapters that were
        # given only the accounts URL find the Invoice API here by themselves.
        self.accounts: AccountsEmulator = AccountsEmulator(clock=clock, api_domain=self.base_url)
        self.accounts.register_client(*attrs.astuple(self.credentials))
        self.organization: Organization = generate_organization(contacts, seed=seed)
        self.invoice: InvoiceEmulator = InvoiceEmulator(
            accounts=self.accounts, clock=clock, organization=self.organization, daily_cap=daily_cap
        )
        self.campaigns: CampaignsEmulator = CampaignsEmulator(
            accounts=self.accounts, clock=clock, seed=seed
        )
        self.list_key: str = self.campaigns.create_list("Invoice customers")
        self._server.routes = {
            "/oauth/": self.accounts,
            "/invoice/": self.invoice,
            "/api/": self.campaigns,
        }

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._port

    @property
    def urls(self) -> dict[str, str]:
        """The base URL of each served API."""
        return {
            "accounts_url": self.base_url,
            "invoice_url": f"{self.base_url}/invoice/v3",
            "campaigns_url": f"{self.base_url}/api/v1.1",
        }

    def start(self) -> EmulatorServer:
        """Serve in a background thread; returns at once."""
        self._server.start(name="zoho-emulators", poll_interval=_POLL)
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`stop` is called."""
        self._server.serve_forever(poll_interval=_POLL)

    def stop(self) -> None:
        """Stop serving and release the port. Idempotent."""
        self._server.stop()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def banner(self) -> str:
        """What the command prints: URLs, credentials and the organization."""
        lines = [f"Zoho emulators on {self.base_url} (Ctrl-C stops them)"]
        lines += [f"  {name:<15} {url}" for name, url in self.urls.items()]
        lines += [f"  {name:<15} {value}" for name, value in attrs.asdict(self.credentials).items()]
        lines.append(f"  {'organization_id':<15} {self.organization.organization_id}")
        lines.append(f"  {'contacts':<15} {len(self.organization.contacts)}")
        lines.append(f"  {'list_key':<15} {self.list_key}")
        return "\n".join(lines)


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """``python -m fieldsync.testing.emulators serve ...``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m fieldsync.testing.emulators")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the Zoho emulators on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8900, help="port to listen on (0: any free one)")
    serve.add_argument("--contacts", type=int, default=2000, help="contacts in the organization")
    serve.add_argument("--seed", type=int, default=1, help="seed of the generated organization")
    serve.add_argument("--daily-cap", type=int, default=0, help="Invoice calls per day (0: none)")
    args = parser.parse_args(argv)
    out = out or sys.stdout
    server = EmulatorServer(
        port=args.port, contacts=args.contacts, seed=args.seed, daily_cap=args.daily_cap or None
    )
    print(server.banner(), file=out, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopping", file=out)
    finally:
        server.stop()
    return 0
