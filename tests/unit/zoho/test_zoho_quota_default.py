"""Zoho adapters built with no sharing argument book in their service's store (issue 18).

Two services on one SQLite file stand for two processes: they share nothing else. The
scenario over real sockets and real processes is in tests/reliability/test_shared_quota.py.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from fieldsync import LocalQuota, SQLiteStore, SyncService
from fieldsync.domain.records import RateWindow, TargetContact, TargetLimits
from fieldsync.ports import SharesQuota
from fieldsync.service import Integration
from fieldsync.service._integrations import Integrations
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import AccountsEmulator, CampaignsEmulator, InvoiceEmulator
from fieldsync.testing.emulators.generate import generate_organization
from fieldsync.zoho import ZohoCampaignsTarget, ZohoInvoiceSource, ZohoOAuth

ROOT = "https://campaigns.zoho.com/api/v1.1"
SUBSCRIBE = "POST json/listsubscribe"
SECRET = "the-client-secret-value"
REFRESH = "1000.the-refresh-token-value"
# six calls a minute: a second process sending four more than the first's four must wait
SMALL = TargetLimits(max_batch=50, windows=(RateWindow(6, 60.0, 1800.0),))


class Account:
    """One Zoho account's emulators on a fake clock."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.accounts = AccountsEmulator(clock=self.clock)
        self.accounts.register_client("client", SECRET, REFRESH)
        self.campaigns = CampaignsEmulator(accounts=self.accounts, clock=self.clock)
        self.invoice = InvoiceEmulator(
            accounts=self.accounts, clock=self.clock, organization=generate_organization(5)
        )

    def auth(self, **sharing: object) -> ZohoOAuth:
        """The simplest ZohoOAuth: no ledger nor token cache unless ``sharing`` says."""
        return ZohoOAuth(
            client_id="client",
            client_secret=SECRET,
            refresh_token=REFRESH,
            client=httpx.Client(transport=self.accounts),
            clock=self.clock,
            **sharing,  # type: ignore[arg-type]
        )

    def adapters(
        self, auth: ZohoOAuth, **target_options: object
    ) -> tuple[ZohoInvoiceSource, ZohoCampaignsTarget]:
        source = ZohoInvoiceSource(
            auth,
            organization_id=self.invoice.organization_id,
            client=httpx.Client(transport=self.invoice),
            base_url="https://www.zohoapis.com/invoice/v3",
            clock=self.clock,
        )
        target = ZohoCampaignsTarget(
            auth,
            client=httpx.Client(transport=self.campaigns),
            base_url=ROOT,
            clock=self.clock,
            concurrency=1,
            limits=SMALL,
            **target_options,  # type: ignore[arg-type]
        )
        return source, target

    def process(self, path: Path, auth: ZohoOAuth, **target_options: object) -> ZohoCampaignsTarget:
        """One "process": its own store object on the file, service and adapters."""
        source, target = self.adapters(auth, **target_options)
        service = SyncService(store=SQLiteStore(path), clock=self.clock)
        service.register_integration("zoho", source=source, target=target)
        return target


def contacts(prefix: str, n: int) -> list[TargetContact]:
    return [TargetContact(f"{prefix}{i}", f"{prefix}{i}@example.com", {}) for i in range(n)]


def two_processes_send_four_each(
    account: Account, first: ZohoCampaignsTarget, second: ZohoCampaignsTarget
) -> None:
    first.upsert(account.campaigns.create_list("A"), contacts("a", 4))
    second.upsert(account.campaigns.create_list("B"), contacts("b", 4))


def test_the_zoho_adapters_and_auth_declare_that_they_share_quota() -> None:
    account = Account()
    auth = account.auth()
    source, target = account.adapters(auth)

    assert all(isinstance(x, SharesQuota) for x in (auth, source, target))


def test_adapters_registered_with_a_service_share_its_stores_window(tmp_path: Path) -> None:
    account = Account()
    db = tmp_path / "state.db"
    first = account.process(db, account.auth())
    second = account.process(db, account.auth())

    two_processes_send_four_each(account, first, second)

    assert account.campaigns.windows.lockouts == 0
    assert account.clock.sleeps == [pytest.approx(61.8)]  # the last two waited a window


def test_adapters_registered_with_a_service_share_its_stores_token(tmp_path: Path) -> None:
    account = Account()
    db = tmp_path / "state.db"
    account.process(db, account.auth()).schema()
    account.process(db, account.auth()).schema()

    assert account.accounts.minted == 1


def test_an_explicit_local_quota_keeps_the_limits_inside_the_process(tmp_path: Path) -> None:
    account = Account()
    db = tmp_path / "state.db"
    first = account.process(db, account.auth(ledger=LocalQuota()))
    second = account.process(db, account.auth(ledger=LocalQuota()))

    two_processes_send_four_each(account, first, second)

    # neither knew of the other's calls: eight went within one minute of a six-a-minute
    # limit (against Zoho's real limits, that is the lockout: test_shared_quota.py)
    assert account.clock.sleeps == []
    assert account.campaigns.calls[SUBSCRIBE] == 8


def test_a_target_ledger_of_its_own_is_kept(tmp_path: Path) -> None:
    account = Account()
    own = LocalQuota()
    auth = account.auth()
    source, target = account.adapters(auth, ledger=own)
    store = SQLiteStore(tmp_path / "state.db")

    SyncService(store=store).register_integration("zoho", source=source, target=target)
    target.upsert(account.campaigns.create_list("A"), contacts("a", 1))

    assert auth.ledger is store  # the auth and the source follow the service...
    assert repr(own) == "LocalQuota(scopes=1, locks=0)"  # ...the target books in its own


def test_the_first_store_an_auth_is_given_is_kept(tmp_path: Path) -> None:
    account = Account()
    auth = account.auth()
    first, second = SQLiteStore(tmp_path / "one.db"), SQLiteStore(tmp_path / "two.db")

    SyncService(store=first).register_integration("zoho", **_pair(account, auth))
    SyncService(store=second).register_integration("zoho", **_pair(account, auth))

    assert auth.ledger is first


def test_a_token_minted_before_registering_is_put_in_the_store(tmp_path: Path) -> None:
    account = Account()
    auth = account.auth()
    source, target = account.adapters(auth)
    target.schema()  # picking a list before wiring the service, say
    store = SQLiteStore(tmp_path / "state.db")

    SyncService(store=store).register_integration("zoho", source=source, target=target)

    cached = store.cached_token(auth.quota_key, now=account.clock.now().timestamp())
    assert cached is not None
    assert cached.access_token == auth.access_token()
    assert account.accounts.minted == 1


def test_adapters_a_resolver_builds_share_the_stores_window(tmp_path: Path) -> None:
    account = Account()
    db = tmp_path / "state.db"

    def resolve(name: str) -> Integration:
        source, target = account.adapters(account.auth())
        return Integration(source, target)

    targets = []
    for _ in range(2):  # two processes, each resolving the integration on its store
        with Integrations(resolve, quota=SQLiteStore(db)).use("zoho") as adapters:
            assert isinstance(adapters.target, ZohoCampaignsTarget)
            targets.append(adapters.target)

    two_processes_send_four_each(account, *targets)

    assert account.campaigns.windows.lockouts == 0
    assert account.clock.sleeps == [pytest.approx(61.8)]


def _pair(account: Account, auth: ZohoOAuth) -> dict[str, object]:
    source, target = account.adapters(auth)
    return {"source": source, "target": target}
