"""Test your integration without a network and without sleeping.

- :class:`FakeSource`, :class:`FakeTarget`, :class:`RecordingNotifier` and :class:`FakeClock`:
  small working in-memory implementations of the ports that record what happened.
- :class:`ScaledClock`: real time, faster, agreed by every process with the same origin
  (for tests with several processes and Zoho's real windows).
- :class:`InvoiceEmulator`, :class:`CampaignsEmulator` and :class:`AccountsEmulator`: httpx
  transports that answer like the real Zoho APIs (shapes, error codes, rate limits and
  lockouts, faults on demand), for ``httpx.Client(transport=...)``.
- :class:`EmulatedZoho`: all three emulators and the real Zoho adapters wired together in
  one call (a generated organization, a mailing list, simulated time).
- Contract suites for your own adapters and stores live in ``fieldsync.testing.contract``,
  ``fieldsync.testing.store_contract`` and ``fieldsync.testing.quota_contract``; they import
  pytest, so import them from your tests only.
"""

from fieldsync.testing.clock import FakeClock, ScaledClock
from fieldsync.testing.emulators import (
    AccountsEmulator,
    CampaignsEmulator,
    EmulatedZoho,
    FaultKind,
    Faults,
    InvoiceEmulator,
)
from fieldsync.testing.fakes import FakeSource, FakeTarget, RecordingNotifier

__all__ = [
    "AccountsEmulator",
    "CampaignsEmulator",
    "EmulatedZoho",
    "FakeClock",
    "FakeSource",
    "FakeTarget",
    "FaultKind",
    "Faults",
    "InvoiceEmulator",
    "RecordingNotifier",
    "ScaledClock",
]
