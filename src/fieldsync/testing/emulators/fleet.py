"""Many emulated Zoho organizations behind one loopback HTTP server, for fleet tests and
benchmarks: each organization has its own Accounts, Invoice and Campaigns emulators (and so
its own rate windows, lockouts and token limits), served under ``/<name>/``::

    with OrganizationsServer(organizations=20, contacts=50) as server:
        org = server.orgs[3]
        urls = server.urls(org.name)   # accounts_url, invoice_url, campaigns_url
        ...                            # point the Zoho adapters of any process at them

Everything about an organization a worker needs (its name, OAuth client, organization id,
list keys) is in :class:`OrganizationSpec`, a plain value that crosses process boundaries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs
import httpx

if TYPE_CHECKING:
    from fieldsync.service import Integration

from fieldsync.clock import SystemClock
from fieldsync.domain.records import RateWindow, TargetLimits
from fieldsync.ports import Clock, QuotaStore
from fieldsync.testing.emulators.accounts import AccountsEmulator
from fieldsync.testing.emulators.campaigns import CampaignsEmulator
from fieldsync.testing.emulators.generate import Organization, generate_organization
from fieldsync.testing.emulators.invoice import InvoiceEmulator
from fieldsync.testing.emulators.serve import _BoundedServer

__all__ = ["EmulatedOrganization", "OrganizationSpec", "OrganizationsServer"]

_CONNECTIONS = 256  # handled at once: many workers, each with a few clients


@attrs.frozen
class OrganizationSpec:
    """What a client needs to reach one served organization (no emulator inside)."""

    name: str
    client_id: str
    client_secret: str = attrs.field(repr=False)
    refresh_token: str = attrs.field(repr=False)
    organization_id: str
    lists: Mapping[str, str]  # list name -> list key

    def integration(
        self,
        base_url: str,
        *,
        client: httpx.Client,
        store: QuotaStore | None = None,
        clock: Clock | None = None,
        limits: TargetLimits | None = None,
        concurrency: int = 4,
    ) -> Integration:
        """The real Zoho adapters of this organization, served under ``base_url`` (an
        :class:`OrganizationsServer`'s), for a resolver: one ``ZohoOAuth`` shared by the
        source and the target, booking in ``store`` when given. ``client`` is the caller's
        (one for every organization of a worker saves building one per organization)."""
        from fieldsync.service import Integration
        from fieldsync.zoho import ZohoCampaignsTarget, ZohoInvoiceSource, ZohoOAuth

        root = f"{base_url}/{self.name}"
        auth = ZohoOAuth(
            client_id=self.client_id,
            client_secret=self.client_secret,
            refresh_token=self.refresh_token,
            accounts_url=root,
            client=client,
            clock=clock,
            ledger=store,
            token_cache=store,
        )
        return Integration(
            source=ZohoInvoiceSource(
                auth,
                organization_id=self.organization_id,
                base_url=f"{root}/invoice/v3",
                client=client,
                clock=clock,
            ),
            target=ZohoCampaignsTarget(
                auth,
                base_url=f"{root}/api/v1.1",
                client=client,
                clock=clock,
                limits=limits,
                concurrency=concurrency,
            ),
        )


@attrs.define
class EmulatedOrganization:
    """One served organization: its emulators and its spec."""

    spec: OrganizationSpec
    organization: Organization
    accounts: AccountsEmulator
    invoice: InvoiceEmulator
    campaigns: CampaignsEmulator

    @property
    def name(self) -> str:
        """The organization's path prefix (``org07``)."""
        return self.spec.name


class _Prefixed(httpx.BaseTransport):
    """Serves ``/<name>/...`` with one organization's emulators."""

    def __init__(self, prefix: str, org: EmulatedOrganization) -> None:
        self._prefix = prefix
        self._routes: dict[str, httpx.BaseTransport] = {
            "/oauth/": org.accounts,
            "/invoice/": org.invoice,
            "/api/": org.campaigns,
        }

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode("ascii")[len(self._prefix) :]
        inner = httpx.Request(
            request.method,
            str(request.url).replace(self._prefix, "", 1),
            headers=request.headers,
            content=request.read(),
        )
        for start, transport in self._routes.items():
            if path.startswith(start):
                return transport.handle_request(inner)
        return httpx.Response(404)


class OrganizationsServer:
    """``organizations`` generated organizations behind one HTTP port on 127.0.0.1.

    Args:
        organizations: how many.
        contacts: contacts in each organization's Invoice.
        clock: the time of every emulator (rate windows, lockouts, latency); the system
            clock by default. A scaled clock shared with the workers runs hours in seconds.
        seed: the first organization's seed (organization ``i`` uses ``seed + i``).
        lists: the mailing lists created in each Campaigns account, by name.
        campaigns_latency: seconds each Campaigns call takes, on ``clock``.
        listsubscribe: the windows of ``POST json/listsubscribe`` (Zoho's by default).
    """

    def __init__(
        self,
        *,
        organizations: int,
        contacts: int,
        clock: Clock | None = None,
        seed: int = 500,
        lists: Sequence[str] = ("Newsletter",),
        campaigns_latency: float = 0.0,
        listsubscribe: Sequence[RateWindow] | None = None,
    ) -> None:
        clock = clock or SystemClock()
        limits = None if listsubscribe is None else {"POST json/listsubscribe": listsubscribe}
        self.orgs: list[EmulatedOrganization] = []
        routes: dict[str, httpx.BaseTransport] = {}
        for i in range(organizations):
            name = f"org{i:02d}"
            accounts = AccountsEmulator(clock=clock)
            client = (f"1000.FLEET{i:02d}", f"fleet-secret-{i}", f"1000.fleet-refresh-{i}")
            accounts.register_client(*client)
            made = generate_organization(contacts, seed=seed + i)
            invoice = InvoiceEmulator(accounts=accounts, clock=clock, organization=made)
            campaigns = CampaignsEmulator(
                accounts=accounts,
                clock=clock,
                latency=campaigns_latency,
                limits=limits,
                seed=seed + i,
            )
            keys = {list_name: campaigns.create_list(list_name) for list_name in lists}
            spec = OrganizationSpec(name, *client, made.organization_id, keys)
            org = EmulatedOrganization(spec, made, accounts, invoice, campaigns)
            self.orgs.append(org)
            routes[f"/{name}/"] = _Prefixed(f"/{name}", org)
        self._server = _BoundedServer(("127.0.0.1", 0), routes, max_concurrent=_CONNECTIONS)
        self.base_url: str = self._server.origin

    def urls(self, name: str) -> dict[str, str]:
        """The base URLs of organization ``name``'s APIs, as the Zoho adapters take them."""
        root = f"{self.base_url}/{name}"
        return {
            "accounts_url": root,
            "invoice_url": f"{root}/invoice/v3",
            "campaigns_url": f"{root}/api/v1.1",
        }

    @property
    def specs(self) -> list[OrganizationSpec]:
        """Every organization's spec, in order."""
        return [org.spec for org in self.orgs]

    def start(self) -> OrganizationsServer:
        """Serve in a background thread; returns at once."""
        self._server.start(name="zoho-organizations", poll_interval=0.05)
        return self

    def stop(self) -> None:
        """Stop serving and release the port. Idempotent."""
        self._server.stop()

    def __enter__(self) -> OrganizationsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
