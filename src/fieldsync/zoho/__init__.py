"""The Zoho adapters: Zoho Invoice customers as a source, Zoho Campaigns lists as a target.

Both speak real HTTP through an injectable ``httpx.Client``, authenticate through one shared
:class:`ZohoOAuth`, retry what is retriable and pace themselves under Zoho's documented rate
limits so that the account is never locked out.
"""

from fieldsync.zoho._campaigns_parse import MailingList
from fieldsync.zoho._datacentres import DataCentre
from fieldsync.zoho.auth import ZohoOAuth
from fieldsync.zoho.campaigns import ZohoCampaignsTarget
from fieldsync.zoho.invoice import ZohoInvoiceSource

__all__ = ["DataCentre", "MailingList", "ZohoCampaignsTarget", "ZohoInvoiceSource", "ZohoOAuth"]
