"""ZohoInvoiceSource passes the Source contract that every fieldsync source must pass."""

from __future__ import annotations

import httpx
import pytest

from fieldsync.testing.clock import FakeClock
from fieldsync.testing.contract import SourceContract
from fieldsync.testing.emulators._common import AccountsEmulator
from fieldsync.testing.emulators.generate import generate_organization
from fieldsync.testing.emulators.invoice import InvoiceEmulator
from fieldsync.zoho.auth import ZohoOAuth
from fieldsync.zoho.invoice import ZohoInvoiceSource


class TestZohoInvoiceSourceContract(SourceContract):
    @pytest.fixture
    def source(self) -> ZohoInvoiceSource:
        clock = FakeClock()
        accounts = AccountsEmulator(clock=clock)
        accounts.register_client("client", "secret", "refresh")
        invoice = InvoiceEmulator(
            accounts=accounts, clock=clock, organization=generate_organization(250, seed=8)
        )
        auth = ZohoOAuth(
            client_id="client",
            client_secret="secret",
            refresh_token="refresh",
            client=httpx.Client(transport=accounts),
            clock=clock,
        )
        return ZohoInvoiceSource(
            auth,
            organization_id=invoice.organization_id,
            client=httpx.Client(transport=invoice),
            clock=clock,
            per_page=100,
        )
