"""What every Zoho emulator shares: faults, rate windows, JSON answers, and Zoho Accounts.

The API emulators import from here; the pieces live in small private modules.
"""

from fieldsync.testing.emulators._faults import (
    FaultInjector,
    FaultKind,
    Faults,
    json_response,
    request_params,
)
from fieldsync.testing.emulators._windows import EndpointWindows
from fieldsync.testing.emulators.accounts import AccountsEmulator

__all__ = [
    "AccountsEmulator",
    "EndpointWindows",
    "FaultInjector",
    "FaultKind",
    "Faults",
    "json_response",
    "request_params",
]
