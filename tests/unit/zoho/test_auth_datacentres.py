"""ZohoOAuth's data centres: the right Zoho Accounts host for each, and aliases."""

from __future__ import annotations

import httpx
import pytest

from fieldsync.exceptions import ConfigurationError
from fieldsync.testing.clock import FakeClock
from fieldsync.zoho._datacentres import DATA_CENTRES, data_centre
from fieldsync.zoho.auth import ZohoOAuth

ACCOUNTS_HOSTS = {
    "com": "accounts.zoho.com",
    "us": "accounts.zoho.com",
    "eu": "accounts.zoho.eu",
    "in": "accounts.zoho.in",
    "com.au": "accounts.zoho.com.au",
    "au": "accounts.zoho.com.au",
    "jp": "accounts.zoho.jp",
    "ca": "accounts.zohocloud.ca",
    "com.cn": "accounts.zoho.com.cn",
    "cn": "accounts.zoho.com.cn",
}


def host_asked(data_centre: str, accounts_url: str | None = None) -> str:
    """The host a token request goes to for this data centre."""
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(200, json={"access_token": "1000.a.b", "expires_in": 3600})

    ZohoOAuth(
        client_id="1000.CLIENT",
        client_secret="secret",
        refresh_token="1000.r.t",
        data_centre=data_centre,
        accounts_url=accounts_url,
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        clock=FakeClock(),
    ).access_token()
    return hosts[0]


@pytest.mark.parametrize(("name", "host"), sorted(ACCOUNTS_HOSTS.items()))
def test_each_data_centre_mints_at_its_own_accounts_host(name: str, host: str) -> None:
    assert host_asked(name) == host


def test_data_centre_names_ignore_case_and_a_leading_dot() -> None:
    assert data_centre(".EU") == DATA_CENTRES["eu"]


def test_accounts_url_overrides_the_data_centres_host() -> None:
    assert host_asked("in", accounts_url="https://accounts.proxy.test/") == "accounts.proxy.test"


def test_an_unknown_data_centre_is_a_configuration_error_naming_the_known_ones() -> None:
    with pytest.raises(ConfigurationError) as raised:
        data_centre("mars")

    assert "com.au" in str(raised.value)


def test_every_data_centre_has_https_hosts_for_accounts_apis_and_campaigns() -> None:
    urls = [url for dc in DATA_CENTRES.values() for url in (dc.accounts, dc.api, dc.campaigns)]

    assert all(url.startswith("https://") and "/" not in url[8:] for url in urls)


def test_the_invoice_api_host_follows_the_data_centre() -> None:
    assert data_centre("au").api == "https://www.zohoapis.com.au"
