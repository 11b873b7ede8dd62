"""The commented configuration file that `fieldsync init` writes."""

TEMPLATE = """\
# fieldsync configuration. Reference: docs/cli.md.
# Values written as "${VARIABLE}" are read from the environment; keep secrets there.

[store]
# The SQLite file that holds syncs, history, fingerprints and notifications
# (relative to this file).
path = "fieldsync.db"

[integrations.zoho]
# Zoho Invoice customers -> Zoho Campaigns mailing lists.
type = "zoho"
# Your Zoho data centre: com (US), eu, in, com.au, jp, ca or com.cn.
data_centre = "com"
# Zoho Invoice > Settings > Organization profile: the organization ID.
organization_id = "${ZOHO_ORGANIZATION_ID}"
# A "Self Client" from https://api-console.zoho.com with the scopes
# ZohoInvoice.contacts.READ,ZohoCampaigns.contact.ALL (see docs/zoho.md).
client_id = "${ZOHO_CLIENT_ID}"
client_secret = "${ZOHO_CLIENT_SECRET}"
refresh_token = "${ZOHO_REFRESH_TOKEN}"
# Only active customers?
only_active = false
# Your Campaigns plan's contact limit and whether auto-upgrade is on (Campaigns does not
# report them through its API). With auto-upgrade on, initiate shows a disclaimer first.
# plan_limit = 2000
auto_upgrade = false
# Try it without a Zoho account: run `python -m fieldsync.testing.emulators serve`, set
# the variables above to the credentials it prints, and uncomment accounts_url. Its token
# answer names the server as the API domain, so Invoice and Campaigns are found there too;
# invoice_url and campaigns_url (commented below) point each API elsewhere.
# accounts_url = "http://127.0.0.1:8900"
# invoice_url = "http://127.0.0.1:8900/invoice/v3"
# campaigns_url = "http://127.0.0.1:8900/api/v1.1"

[[syncs]]
name = "Invoice customers"
integration = "zoho"
# The Campaigns mailing list key (Campaigns > Contacts > Manage lists > list > list key).
list_key = "REPLACE-WITH-LIST-KEY"
# Which contacts to sync (docs/criteria.md); empty means all.
criteria = 'status == "active"'
# "once", { every_hours = 6 }, { every_days = 1 }, { daily = "02:00", tz = "Asia/Kolkata" },
# { weekly = "monday", at = "09:00", tz = "Europe/London" }, { monthly = 1, at = "02:00" }
schedule = { daily = "02:00", tz = "UTC" }
# A value emptied in Invoice empties the Campaigns field too?
update_empty_values = false
# Only contacts added or modified after this instant (leave out for all):
# retrieve_since = 2024-01-01T00:00:00Z
# Invoice field -> Campaigns field. create = true makes the Campaigns field when missing.
mapping = [
  ["email", "Contact Email"],
  ["first_name", "First Name"],
  ["last_name", "Last Name"],
  ["company_name", "Company Name"],
  { source = "phone", target = "Phone" },
]
"""
