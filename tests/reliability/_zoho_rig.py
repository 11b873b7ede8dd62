"""A sync wired end to end through the Zoho adapters and emulators, in simulated time.

The fault suite and the secrets suite share it. Besides the emulators' own faults, a
:class:`LossyTransport` in front of each API adds the fault that matters most for
duplicates: the call reached the service and changed it, but its answer was lost.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import unquote_plus

import attrs
import httpx

from fieldsync import SyncSpec
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.sync import RunStatus, SyncRun
from fieldsync.exceptions import RetriableError
from fieldsync.http.retry import RetryPolicy
from fieldsync.ports import SyncStore
from fieldsync.quota import LocalQuota
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import AccountsEmulator, CampaignsEmulator, Faults, InvoiceEmulator
from fieldsync.testing.emulators.generate import generate_organization
from fieldsync.testing.fakes import RecordingNotifier
from fieldsync.zoho.auth import ZohoOAuth
from fieldsync.zoho.campaigns import ZohoCampaignsTarget
from fieldsync.zoho.invoice import ZohoInvoiceSource

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CAMPAIGNS = "https://campaigns.zoho.com/api/v1.1"
INVOICE = "https://www.zohoapis.com/invoice/v3"
MAPPING = FieldMapping.of(
    ("email", "Contact Email"), ("first_name", "First Name"), ("last_name", "Last Name")
)
CLIENT_ID = "1000.RELIABILITYCLIENTID0000000000"
CLIENT_SECRET = "c1ient5ecret-d0-not-leak-8f3a9b2c7d6e5f40"
REFRESH_TOKEN = "1000.refresh-d0-not-leak.9e8d7c6b5a4f3e2d1c0b"
MAX_RUNS = 40  # runs to finish one pass; at a 20% fault rate a handful is plenty


class LossyTransport(httpx.BaseTransport):
    """Passes calls on; with probability ``rate`` the call is served but its answer is lost
    (``httpx.ReadTimeout`` after the emulator changed its data). Records every bearer
    token it sees in :attr:`tokens`, for the secrets scanner. While
    :attr:`unavailable_for` is set, every call whose body holds that text answers 503."""

    def __init__(self, inner: httpx.BaseTransport, *, rate: float, seed: int) -> None:
        self._inner = inner
        self._rate = rate
        self._rng = random.Random(seed)
        self.lost = 0
        self.tokens: set[str] = set()
        self.unavailable_for: str | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme == "Zoho-oauthtoken":
            self.tokens.add(token.strip())
        refused = self.unavailable_for
        if refused is not None and refused in unquote_plus(request.read().decode()):
            return httpx.Response(503, text="Service Unavailable")
        response = self._inner.handle_request(request)
        if self._rate and self._rng.random() < self._rate:
            response.read()
            self.lost += 1
            raise httpx.ReadTimeout("the answer was lost on the way back", request=request)
        return response


class TokenRecorder(httpx.BaseTransport):
    """Zoho Accounts, recording the access tokens it mints."""

    def __init__(self, inner: AccountsEmulator) -> None:
        self._inner = inner
        self.tokens: set[str] = set()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        content = response.read()
        try:
            body = json.loads(content)
        except ValueError:
            return response
        if isinstance(body, dict) and isinstance(body.get("access_token"), str):
            self.tokens.add(body["access_token"])
        return response


@attrs.define
class ZohoRig:
    """One organization, one mailing list and one sync between them, on a fake clock."""

    clock: FakeClock
    accounts: AccountsEmulator
    recorder: TokenRecorder
    invoice: InvoiceEmulator
    campaigns: CampaignsEmulator
    lossy: tuple[LossyTransport, LossyTransport]
    auth: ZohoOAuth
    source: ZohoInvoiceSource
    target: ZohoCampaignsTarget
    service: SyncService
    store: InMemoryStore
    notifier: RecordingNotifier
    list_key: str
    sync_id: str
    initiate_retries: int = 0

    @property
    def secrets(self) -> set[str]:
        """Every secret of this rig: the client secret, the refresh and access tokens."""
        minted = self.recorder.tokens | self.lossy[0].tokens | self.lossy[1].tokens
        return {CLIENT_SECRET, REFRESH_TOKEN, *minted}

    def subscribers(self) -> dict[str, dict[str, str]]:
        """The list's contacts, as the emulator holds them."""
        return self.campaigns.subscribers(self.list_key)

    def customers(self) -> list[dict[str, object]]:
        """The organization's customers (what the source reads)."""
        return [c for c in self.invoice.contacts() if c["contact_type"] == "customer"]

    def initiate(self) -> SyncRun:
        """Initiate the sync, again a minute later when the checks before the first run
        (schemas, capacity) ran out of retries, as a user would. Counts the retries in
        :attr:`initiate_retries`."""
        while True:
            try:
                return self.service.initiate(self.sync_id)
            except RetriableError:
                assert self.store.runs(self.sync_id) == [], "a failed initiate ran"
                self.initiate_retries += 1
                assert self.initiate_retries < MAX_RUNS
                self.clock.advance(60)

    def finish_pass(self, first: SyncRun) -> list[SyncRun]:
        """``first`` and the runs the schedule makes until the pass completes."""
        runs = [first]
        while runs[-1].status is RunStatus.DEFERRED and len(runs) < MAX_RUNS:
            due = self.store.get_sync(self.sync_id).next_run_at
            assert due is not None, "a deferred run must say when it continues"
            self.clock.advance(max(0.0, (due - self.clock.now()).total_seconds()))
            runs.extend(self.service.run_due())
        return runs


def build(
    *,
    seed: int,
    contacts: int,
    fault_rate: float,
    lost_rate: float | None = None,
    fault_seed: int | None = None,
    attempts: int = 5,
    per_page: int = 10,
    store: SyncStore | None = None,
) -> ZohoRig:
    """A rig over the organization generated from ``seed`` whose emulators inject faults
    at ``fault_rate`` (seeded by ``fault_seed``, ``seed`` by default) and whose transports
    lose answers at ``lost_rate`` (a quarter of ``fault_rate`` by default). Each call is
    tried ``attempts`` times at most."""
    lost = fault_rate / 4 if lost_rate is None else lost_rate
    chance = seed if fault_seed is None else fault_seed
    clock = FakeClock(START)
    accounts = AccountsEmulator(clock=clock)
    accounts.register_client(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
    recorder = TokenRecorder(accounts)
    organization = generate_organization(contacts, seed=seed)
    faults = Faults(rate=fault_rate, seed=chance)
    invoice = InvoiceEmulator(
        accounts=accounts, clock=clock, organization=organization, faults=faults
    )
    campaigns = CampaignsEmulator(
        accounts=accounts, clock=clock, faults=Faults(rate=fault_rate, seed=chance + 1), seed=seed
    )
    list_key = campaigns.create_list("Customers")
    lossy = (
        LossyTransport(invoice, rate=lost, seed=chance + 2),
        LossyTransport(campaigns, rate=lost, seed=chance + 3),
    )
    # Every rig is a world of its own whose time starts at START again, with the same
    # credentials: rigs sharing one store must not meet in its quota ledger (a later rig
    # would find the earlier ones' mints and locks "in the future"), so a shared store
    # keeps each rig's limits in the rig, explicitly. A store of its own is shared as usual.
    kept_in_rig: dict[str, LocalQuota] = (
        {} if store is None else {"ledger": LocalQuota(), "token_cache": LocalQuota()}
    )
    auth = ZohoOAuth(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
        client=httpx.Client(transport=recorder),
        clock=clock,
        **kept_in_rig,
    )
    retry = RetryPolicy(attempts=attempts)
    source = ZohoInvoiceSource(
        auth,
        organization_id=invoice.organization_id,
        client=httpx.Client(transport=lossy[0]),
        base_url=INVOICE,
        clock=clock,
        retry=retry,
        per_page=per_page,
    )
    target = ZohoCampaignsTarget(
        auth,
        client=httpx.Client(transport=lossy[1]),
        base_url=CAMPAIGNS,
        clock=clock,
        retry=retry,
        concurrency=1,
    )
    store = store if store is not None else InMemoryStore()
    notifier = RecordingNotifier()
    service = SyncService(store=store, notifier=notifier, clock=clock, worker_id="rig")
    service.register_integration("zoho", source=source, target=target)
    sync = service.create_sync(
        "zoho", SyncSpec(name="Customers", list_key=list_key, mapping=MAPPING)
    )
    return ZohoRig(
        clock=clock,
        accounts=accounts,
        recorder=recorder,
        invoice=invoice,
        campaigns=campaigns,
        lossy=lossy,
        auth=auth,
        source=source,
        target=target,
        service=service,
        store=store,
        notifier=notifier,
        list_key=list_key,
        sync_id=sync.id,
    )


def all_exceptions(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception chained to it (cause and context)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend((current.__cause__, current.__context__))
