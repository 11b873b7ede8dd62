"""A Zoho Campaigns emulator on a real clock, with its limits and latency scaled down.

Real time divided by ``factor``: "500 calls a minute, lock 30 minutes, 200 ms a call"
becomes, at ``factor=20``, 500 calls per 3 s, lock 90 s, 10 ms a call. Every ratio that
matters (calls per window, latency per window, threads in flight) stays what it is at full
scale, so the threads, the pacing and the emulator's windows behave as they would, only
faster. The naive clients of the baselines live here too.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import attrs
import httpx

from fieldsync.clock import SystemClock
from fieldsync.domain.records import RateWindow
from fieldsync.testing.emulators.accounts import AccountsEmulator
from fieldsync.testing.emulators.campaigns import DEFAULT_LIMITS, LOCKOUT_STATUS, CampaignsEmulator
from fieldsync.zoho.auth import ZohoOAuth

__all__ = ["ENDPOINT", "Rig", "naive_client"]

ENDPOINT = "POST json/listsubscribe"
LATENCY = 0.2  # seconds per call, unscaled
_CLIENT = ("bench-client", "bench-secret", "bench-refresh")


def scaled(windows: Sequence[RateWindow], factor: float) -> tuple[RateWindow, ...]:
    """``windows`` with their periods and lockouts divided by ``factor``."""
    return tuple(RateWindow(w.limit, w.period / factor, w.lockout / factor) for w in windows)


class _Arrivals(httpx.BaseTransport):
    """Passes requests to the emulator, noting when each listsubscribe call arrived."""

    def __init__(self, inner: CampaignsEmulator) -> None:
        self.inner = inner
        self.times: list[float] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        arrived = time.perf_counter()
        response = self.inner.handle_request(request)
        if request.url.path.endswith("json/listsubscribe"):
            with self._lock:
                self.times.append(arrived)
                self.statuses.append(response.status_code)
        return response


@attrs.define
class Rig:
    """Accounts and Campaigns emulators on the system clock, scaled by ``factor``."""

    factor: float
    clock: SystemClock = attrs.field(factory=SystemClock)
    accounts: AccountsEmulator = attrs.field(init=False)
    campaigns: CampaignsEmulator = attrs.field(init=False)
    arrivals: _Arrivals = attrs.field(init=False)
    list_key: str = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.accounts = AccountsEmulator(clock=self.clock)
        self.accounts.register_client(*_CLIENT)
        limits: Mapping[str, Sequence[RateWindow]] = {
            name: scaled(windows, self.factor) for name, windows in DEFAULT_LIMITS.items()
        }
        self.campaigns = CampaignsEmulator(
            accounts=self.accounts, clock=self.clock, latency=LATENCY / self.factor, limits=limits
        )
        self.arrivals = _Arrivals(self.campaigns)
        self.list_key = self.campaigns.create_list("benchmark")

    @property
    def windows(self) -> tuple[RateWindow, ...]:
        """The scaled windows of listsubscribe."""
        return scaled(DEFAULT_LIMITS[ENDPOINT], self.factor)

    def auth(self) -> ZohoOAuth:
        """OAuth credentials the emulators accept."""
        client_id, secret, refresh = _CLIENT
        return ZohoOAuth(
            client_id=client_id,
            client_secret=secret,
            refresh_token=refresh,
            client=httpx.Client(transport=self.accounts),
            clock=self.clock,
        )

    def http(self) -> httpx.Client:
        """An httpx client whose calls reach the Campaigns emulator (arrivals noted)."""
        return httpx.Client(transport=self.arrivals, base_url="https://campaigns.zoho.com")

    @property
    def lockouts(self) -> int:
        """How many times the emulator locked an endpoint."""
        return self.campaigns.windows.lockouts

    @property
    def refused(self) -> int:
        """Calls the emulator refused (over a window or during a lock)."""
        return self.campaigns.windows.refused


def naive_client(rig: Rig, emails: Sequence[str], *, threads: int) -> Callable[[], tuple[int, int]]:
    """A client with no pacing: one listsubscribe per contact from ``threads`` threads.

    Returns a function that sends them all and answers (accepted, refused).
    """
    token = rig.auth().access_token()
    client = rig.http()
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}

    def send(email: str) -> bool:
        response = client.post(
            "/api/v1.1/json/listsubscribe",
            params={
                "listkey": rig.list_key,
                "resfmt": "JSON",
                "contactinfo": json.dumps({"Contact Email": email}),
            },
            headers=headers,
        )
        return response.status_code != LOCKOUT_STATUS

    def go() -> tuple[int, int]:
        if threads == 1:
            done = [send(email) for email in emails]
        else:
            with ThreadPoolExecutor(threads) as pool:
                done = list(pool.map(send, emails))
        accepted = sum(done)
        return accepted, len(done) - accepted

    return go
