"""Builds the Zoho Invoice -> Zoho Campaigns adapters from an ``[integrations.NAME]`` table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fieldsync.exceptions import ConfigurationError
from fieldsync.ports import Clock, Source, Target
from fieldsync.stores import QuotaStore
from fieldsync.zoho import ZohoCampaignsTarget, ZohoInvoiceSource, ZohoOAuth

__all__ = ["build_zoho"]


def build_zoho(
    name: str,
    settings: Mapping[str, Any],
    *,
    quota: QuotaStore | None = None,
    clock: Clock | None = None,
) -> tuple[Source, Target]:
    """One OAuth client shared by both adapters, so one access token serves both APIs.

    With ``quota`` (the CLI passes its store), the access token, the mints, the rate
    windows and the endpoint locks are shared with every other process on that store.
    ``clock`` is the system clock unless a test passes another.
    """
    share = settings.get("quota_share", 1.0)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise ConfigurationError(
            f"[integrations.{name}] quota_share must be a number above 0 and at most 1"
        )
    auth = ZohoOAuth(
        client_id=str(settings["client_id"]),
        client_secret=str(settings["client_secret"]),
        refresh_token=str(settings["refresh_token"]),
        data_centre=str(settings.get("data_centre", "com")),
        accounts_url=_optional(settings, "accounts_url"),
        ledger=quota,
        token_cache=quota,
        clock=clock,
    )
    source = ZohoInvoiceSource(
        auth,
        organization_id=str(settings["organization_id"]),
        base_url=_optional(settings, "invoice_url"),
        only_active=bool(settings.get("only_active", False)),
        clock=clock,
        quota_share=float(share),
    )
    plan_limit = settings.get("plan_limit")
    if plan_limit is not None and (not isinstance(plan_limit, int) or plan_limit < 0):
        raise ConfigurationError(f"[integrations.{name}] plan_limit must be a whole number")
    target = ZohoCampaignsTarget(
        auth,
        base_url=_optional(settings, "campaigns_url"),
        plan_limit=plan_limit,
        auto_upgrade=bool(settings.get("auto_upgrade", False)),
        clock=clock,
        quota_share=float(share),
    )
    return source, target


def _optional(settings: Mapping[str, Any], key: str) -> str | None:
    value = settings.get(key)
    return str(value) if value else None
