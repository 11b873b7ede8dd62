"""httpx transports that answer like the real Zoho services, for tests without a network.

Pass one to ``httpx.Client(transport=...)`` and give that client to the adapter under test.
Each emulator keeps its data in memory, enforces the real rate limits and lockouts on an
injected clock, and injects faults on demand (:class:`Faults`).
"""

from fieldsync.testing.emulators._common import (
    AccountsEmulator,
    EndpointWindows,
    FaultInjector,
    FaultKind,
    Faults,
)
from fieldsync.testing.emulators.campaigns import CampaignsEmulator
from fieldsync.testing.emulators.generate import (
    ContactMix,
    CustomFieldSpec,
    Organization,
    generate_organization,
    iter_contacts,
)
from fieldsync.testing.emulators.invoice import InvoiceEmulator
from fieldsync.testing.emulators.serve import EmulatorServer
from fieldsync.testing.emulators.world import EmulatedZoho

__all__ = [
    "AccountsEmulator",
    "CampaignsEmulator",
    "ContactMix",
    "CustomFieldSpec",
    "EmulatedZoho",
    "EmulatorServer",
    "EndpointWindows",
    "FaultInjector",
    "FaultKind",
    "Faults",
    "InvoiceEmulator",
    "Organization",
    "generate_organization",
    "iter_contacts",
]
