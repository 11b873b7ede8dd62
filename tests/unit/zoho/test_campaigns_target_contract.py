"""ZohoCampaignsTarget passes the Target contract that every fieldsync target must pass."""

from __future__ import annotations

import httpx
import pytest

from fieldsync.testing.clock import FakeClock
from fieldsync.testing.contract import TargetContract
from fieldsync.testing.emulators._common import AccountsEmulator
from fieldsync.testing.emulators.campaigns import CampaignsEmulator
from fieldsync.zoho.auth import ZohoOAuth
from fieldsync.zoho.campaigns import ZohoCampaignsTarget


class TestZohoCampaignsTargetContract(TargetContract):
    @pytest.fixture
    def clock(self) -> FakeClock:
        return FakeClock()

    @pytest.fixture
    def accounts(self, clock: FakeClock) -> AccountsEmulator:
        accounts = AccountsEmulator(clock=clock)
        accounts.register_client("client", "secret", "refresh")
        return accounts

    @pytest.fixture
    def emulator(self, clock: FakeClock, accounts: AccountsEmulator) -> CampaignsEmulator:
        return CampaignsEmulator(accounts=accounts, clock=clock)

    @pytest.fixture
    def target(
        self, clock: FakeClock, accounts: AccountsEmulator, emulator: CampaignsEmulator
    ) -> ZohoCampaignsTarget:
        auth = ZohoOAuth(
            client_id="client",
            client_secret="secret",
            refresh_token="refresh",
            client=httpx.Client(transport=accounts),
            clock=clock,
        )
        return ZohoCampaignsTarget(
            auth,
            client=httpx.Client(transport=emulator),
            base_url="https://campaigns.zoho.com/api/v1.1",
            clock=clock,
            concurrency=1,
        )

    @pytest.fixture
    def list_key(self, emulator: CampaignsEmulator) -> str:
        return emulator.create_list("Contract")
