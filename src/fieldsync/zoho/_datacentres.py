"""Zoho's data centres and their hosts, in one table.

An account lives in one data centre; its OAuth client, tokens and APIs all belong there.
Hosts marked "unconfirmed" come from third parties, not from Zoho's own pages.
"""

from __future__ import annotations

import attrs

from fieldsync.exceptions import ConfigurationError

__all__ = ["DATA_CENTRES", "DataCentre", "campaigns_root", "data_centre"]


@attrs.frozen
class DataCentre:
    """The hosts of one Zoho data centre.

    Attributes:
        key: the canonical name (``"com"``, ``"eu"``, ``"in"``, ...).
        accounts: the Zoho Accounts (OAuth) base URL.
        api: the ``zohoapis`` base URL (Zoho Invoice lives under it at ``/invoice/v3``).
        campaigns: the Zoho Campaigns base URL.
    """

    key: str
    accounts: str
    api: str
    campaigns: str

    @property
    def accounts_host(self) -> str:
        """The Zoho Accounts host name, e.g. ``accounts.zoho.in``."""
        return self.accounts.removeprefix("https://")


def _dc(key: str, accounts: str, api: str, campaigns: str) -> DataCentre:
    return DataCentre(key, f"https://{accounts}", f"https://{api}", f"https://{campaigns}")


# fmt: off
DATA_CENTRES: dict[str, DataCentre] = {dc.key: dc for dc in (
    _dc("com",    "accounts.zoho.com",    "www.zohoapis.com",    "campaigns.zoho.com"),
    _dc("eu",     "accounts.zoho.eu",     "www.zohoapis.eu",     "campaigns.zoho.eu"),
    _dc("in",     "accounts.zoho.in",     "www.zohoapis.in",     "campaigns.zoho.in"),
    _dc("com.au", "accounts.zoho.com.au", "www.zohoapis.com.au", "campaigns.zoho.com.au"),
    _dc("jp",     "accounts.zoho.jp",     "www.zohoapis.jp",     "campaigns.zoho.jp"),
    # Canada: Campaigns host unconfirmed (Zoho Canada runs on zohocloud.ca).
    _dc("ca",     "accounts.zohocloud.ca", "www.zohoapis.ca",    "campaigns.zohocloud.ca"),
    _dc("com.cn", "accounts.zoho.com.cn", "www.zohoapis.com.cn", "campaigns.zoho.com.cn"),
    # Saudi Arabia: accounts and Campaigns hosts unconfirmed.
    _dc("sa",     "accounts.zoho.sa",     "www.zohoapis.sa",     "campaigns.zoho.sa"),
)}
# fmt: on

_ALIASES = {"us": "com", "au": "com.au", "cn": "com.cn"}


def data_centre(name: str) -> DataCentre:
    """The data centre called ``name`` (``"com"`` or ``"us"``, ``"eu"``, ``"in"``,
    ``"com.au"`` or ``"au"``, ``"jp"``, ``"ca"``, ``"com.cn"`` or ``"cn"``, ``"sa"``).

    Case and a leading dot are ignored.

    Raises:
        ConfigurationError: an unknown name.
    """
    key = name.strip().lower().lstrip(".")
    found = DATA_CENTRES.get(_ALIASES.get(key, key))
    if found is None:
        known = ", ".join(sorted([*DATA_CENTRES, *_ALIASES]))
        raise ConfigurationError(f"unknown Zoho data centre {name!r}; use one of: {known}")
    return found


def campaigns_root(api_domain: str | None, fallback: DataCentre) -> str:
    """The Campaigns API root for a token answer's ``api_domain``.

    Zoho's own API domains (``https://www.zohoapis.eu``) map to their data centre's
    Campaigns host. Any other domain is a server standing in for Zoho (the emulators, a
    proxy) that the Accounts URL led to: it serves Campaigns itself, under ``/api/v1.1``.
    Without an ``api_domain``, the ``fallback`` data centre's host is used.
    """
    if not api_domain:
        return f"{fallback.campaigns}/api/v1.1"
    domain = api_domain.rstrip("/")
    centre = next((dc for dc in DATA_CENTRES.values() if dc.api == domain), None)
    if centre is None and ".zohoapis." in domain:
        centre = fallback  # a Zoho domain this table does not know yet: not a stand-in
    return f"{centre.campaigns if centre else domain}/api/v1.1"
