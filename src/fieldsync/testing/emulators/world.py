"""The Zoho adapters wired to the emulators in one call, for tests, demos and benchmarks."""

from __future__ import annotations

import attrs
import httpx

from fieldsync._closing import Closeable
from fieldsync.ports import Clock
from fieldsync.stores import QuotaStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators._faults import Faults
from fieldsync.testing.emulators.accounts import AccountsEmulator
from fieldsync.testing.emulators.campaigns import CampaignsEmulator
from fieldsync.testing.emulators.generate import Organization, generate_organization
from fieldsync.testing.emulators.invoice import InvoiceEmulator
from fieldsync.zoho.auth import ZohoOAuth
from fieldsync.zoho.campaigns import ZohoCampaignsTarget
from fieldsync.zoho.invoice import ZohoInvoiceSource

__all__ = ["EmulatedZoho"]

_CLIENT_ID = "1000.EMULATEDCLIENT000000000000000"
_CLIENT_SECRET = "emulated-client-secret"  # noqa: S105 - the emulator's own, not a real one
_REFRESH_TOKEN = "1000.emulated-refresh-token"  # noqa: S105


@attrs.define
class EmulatedZoho(Closeable):
    """A Zoho account in memory: the Accounts, Invoice and Campaigns emulators, one mailing
    list, and the real adapters talking to them over httpx.

    Build one with :meth:`build`; then register ``source`` and ``target`` with a
    ``SyncService``, change contacts through ``invoice`` and look at the list through
    ``campaigns.subscribers(list_key)``. ``with EmulatedZoho.build() as zoho:`` closes its
    HTTP clients on the way out.
    """

    clock: Clock
    accounts: AccountsEmulator
    invoice: InvoiceEmulator
    campaigns: CampaignsEmulator
    organization: Organization
    list_key: str
    auth: ZohoOAuth
    source: ZohoInvoiceSource
    target: ZohoCampaignsTarget
    _clients: tuple[httpx.Client, ...] = attrs.field(default=(), repr=False)

    @classmethod
    def build(
        cls,
        *,
        contacts: int = 500,
        seed: int = 0,
        clock: Clock | None = None,
        plan_limit: int | None = None,
        auto_upgrade: bool = False,
        invoice_latency: float = 0.0,
        campaigns_latency: float = 0.0,
        faults: Faults | None = None,
        concurrency: int = 1,
        list_name: str = "Newsletter",
        quota: QuotaStore | None = None,
        confirmation_required: bool = False,
    ) -> EmulatedZoho:
        """Build the account.

        Args:
            contacts: how many contacts the generated Invoice organization has.
            seed: picks the organization (the same seed, the same contacts).
            clock: the time of everything; a :class:`FakeClock` by default, so that Zoho's
                rate limits are obeyed in simulated time.
            plan_limit: the Campaigns plan's contact limit (``None``: unlimited).
            auto_upgrade: whether Campaigns upgrades the plan past the limit.
            invoice_latency: seconds each Invoice call takes, on the clock.
            campaigns_latency: seconds each Campaigns call takes, on the clock.
            faults: faults to inject into both APIs (``None``: none).
            concurrency: Campaigns calls in flight; keep 1 on a fake clock, where calls in
                flight would add up their latency instead of overlapping.
            list_name: the name of the mailing list created in Campaigns.
            quota: where the adapters book their calls and keep the access token (a
                store, e.g. the ``SQLiteStore`` the service uses); by default memory of
                their own, as :class:`~fieldsync.zoho.ZohoOAuth` does.
            confirmation_required: the list has a sign-up form (double opt-in): new
                contacts join once :meth:`CampaignsEmulator.confirm` is called.
        """
        clock = clock or FakeClock()
        accounts = AccountsEmulator(clock=clock)
        accounts.register_client(_CLIENT_ID, _CLIENT_SECRET, _REFRESH_TOKEN)
        organization = generate_organization(contacts, seed=seed)
        invoice = InvoiceEmulator(
            accounts=accounts,
            clock=clock,
            organization=organization,
            latency=invoice_latency,
            faults=faults,
            daily_cap=None,
        )
        campaigns = CampaignsEmulator(
            accounts=accounts,
            clock=clock,
            plan_limit=plan_limit,
            auto_upgrade=auto_upgrade,
            latency=campaigns_latency,
            faults=faults,
        )
        list_key = campaigns.create_list(list_name, confirmation_required=confirmation_required)
        clients = tuple(httpx.Client(transport=t) for t in (accounts, invoice, campaigns))
        auth = ZohoOAuth(
            client_id=_CLIENT_ID,
            client_secret=_CLIENT_SECRET,
            refresh_token=_REFRESH_TOKEN,
            client=clients[0],
            clock=clock,
            ledger=quota,
            token_cache=quota,
        )
        source = ZohoInvoiceSource(
            auth,
            organization_id=organization.organization_id,
            client=clients[1],
            clock=clock,
        )
        target = ZohoCampaignsTarget(
            auth,
            client=clients[2],
            clock=clock,
            concurrency=concurrency,
            plan_limit=plan_limit,
            auto_upgrade=auto_upgrade,
        )
        return cls(
            clock=clock,
            accounts=accounts,
            invoice=invoice,
            campaigns=campaigns,
            organization=organization,
            list_key=list_key,
            auth=auth,
            source=source,
            target=target,
            clients=clients,
        )

    def close(self) -> None:
        """Close the HTTP clients of the adapters. Idempotent."""
        for client in self._clients:
            client.close()
