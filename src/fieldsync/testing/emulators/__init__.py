"""httpx transports that answer like the real Zoho services, for tests without a network.

Pass one to ``httpx.Client(transport=...)`` and give that client to the adapter under test.
Each emulator keeps its data in memory, enforces the real rate limits and lockouts on an
injected clock, and injects faults on demand (:class:`Faults`).
"""

# The Zoho Campaigns and Zoho Invoice engineers own campaigns.py and invoice.py; any further
# exports of theirs (data generators, answer constants) are added here by the lead.
from fieldsync.testing.emulators._common import AccountsEmulator, FaultKind, Faults
from fieldsync.testing.emulators.campaigns import CampaignsEmulator
from fieldsync.testing.emulators.invoice import InvoiceEmulator

__all__ = ["AccountsEmulator", "CampaignsEmulator", "FaultKind", "Faults", "InvoiceEmulator"]
