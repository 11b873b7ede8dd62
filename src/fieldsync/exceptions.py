"""The errors fieldsync raises, grouped by what the caller should do about them.

Every error is a :class:`FieldSyncError`. Foreign exceptions (httpx, tenacity, sqlite3)
never leak out of fieldsync: adapters translate them and chain the original with
``raise ... from exc``. No error message ever contains a secret (token, client secret).

::

    FieldSyncError
    ├── ConfigurationError                 fix the configuration, then try again
    │   ├── MappingError                   .problems: every problem of a field mapping
    │   ├── CriteriaSyntaxError            .text, .position: criteria text that does not parse
    │   ├── CriteriaError                  .problems: criteria that do not fit the source schema
    │   ├── InvalidConfigurationError      .problems: everything initiate found wrong at once
    │   ├── ScheduleError                  a schedule that cannot be built
    │   └── DisclaimerNotAcknowledgedError .disclaimer: the plan-limit auto-upgrade disclaimer
    ├── NotFoundError                      .kind, .key: an unknown sync, run or integration
    ├── StateError                         the action does not fit the current state
    │   ├── InvalidTransitionError         .state, .action: a lifecycle move not allowed
    │   └── SyncAlreadyRunningError        .sync_id, .expires_at: another run holds the lease
    ├── StoreError                         the state database failed or is of an unknown version
    └── SyncError                          talking to a source or target failed
        ├── FatalSyncError                 stops the run; the sync needs attention
        │   ├── AuthenticationError        credentials invalid or revoked
        │   └── ListNotFoundError          the target list was deleted or never existed
        ├── RetriableError                 temporary; retried inside the adapter first
        │   ├── RateLimitedError           .retry_after: the service asked us to slow down
        │   ├── ServiceUnavailableError    5xx answers, "retry later" codes
        │   └── TransportError             timeouts, dropped connections, malformed answers
        ├── QuotaExhaustedError            .resume_at: a daily (or longer) cap is used up;
        │   │                              the run is deferred, not failed
        │   └── EndpointLockedError        the service locked the endpoint (recorded in the
        │                                  quota ledger for every process until resume_at)
        └── RecordRejectedError            .reason: one record was refused; the run goes on

API errors carry ``.status_code`` and ``.api_code`` where the service gave them, and a
``.endpoint`` (method and path, never the query string, which may hold a token).

The errors of the pure domain (the configuration and state errors, and the root) are defined
in ``fieldsync.domain.errors`` so that the domain depends on nothing else; import every error
from here.

Renamed before 0.1.0 (the old names still work, warn with a ``DeprecationWarning`` and go in 1.0;
see ``docs/deprecations.md``): ``InvalidConfiguration``, ``DisclaimerNotAcknowledged``,
``InvalidTransition`` and ``SyncAlreadyRunning`` gained their ``Error`` suffix.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from typing_extensions import deprecated

from fieldsync.domain.errors import (
    ConfigurationError,
    CriteriaError,
    CriteriaSyntaxError,
    FieldSyncError,
    InvalidTransitionError,
    MappingError,
    Problem,
    ScheduleError,
    StateError,
)
from fieldsync.domain.reasons import ReasonCode

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "CriteriaError",
    "CriteriaSyntaxError",
    "DisclaimerNotAcknowledgedError",
    "EndpointLockedError",
    "FatalSyncError",
    "FieldSyncError",
    "InvalidConfigurationError",
    "InvalidTransitionError",
    "ListNotFoundError",
    "MappingError",
    "NotFoundError",
    "Problem",
    "QuotaExhaustedError",
    "RateLimitedError",
    "RecordRejectedError",
    "RetriableError",
    "ScheduleError",
    "ServiceUnavailableError",
    "StateError",
    "StoreError",
    "SyncAlreadyRunningError",
    "SyncError",
    "TransportError",
]


class InvalidConfigurationError(ConfigurationError):
    """A sync's configuration does not fit the live schemas: mapping and criteria problems,
    all of them, found before anything was written. ``problems`` lists them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "; ".join(f"{p.code}: {p.message}" for p in self.problems)
        super().__init__(f"the sync configuration has {len(self.problems)} problem(s): {lines}")


class DisclaimerNotAcknowledgedError(ConfigurationError):
    """The sync may take the target account past its plan limit with auto-upgrade on.

    Call again with ``acknowledge_disclaimer=True`` once the user has accepted
    ``disclaimer``.
    """

    def __init__(self, disclaimer: str, *, used: int, limit: int, incoming: int | None) -> None:
        self.disclaimer = disclaimer
        self.used = used
        self.limit = limit
        self.incoming = incoming
        super().__init__(disclaimer)


class NotFoundError(FieldSyncError):
    """An unknown sync, run or integration. ``kind`` and ``key`` say which."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"no {kind} {key!r}")


class SyncAlreadyRunningError(StateError):
    """Another worker holds the run lease of this sync until ``expires_at``."""

    def __init__(self, sync_id: str, *, expires_at: datetime) -> None:
        self.sync_id = sync_id
        self.expires_at = expires_at
        super().__init__(
            f"sync {sync_id!r} is already running (its lease expires at {expires_at.isoformat()})"
        )


# -- store ---------------------------------------------------------------------------------


class StoreError(FieldSyncError):
    """The state store failed (I/O, corruption, a schema newer than this fieldsync)."""


# -- sync (talking to sources and targets) ---------------------------------------------------


class SyncError(FieldSyncError):
    """Talking to a source or a target failed.

    ``status_code`` (HTTP) and ``api_code`` (the service's own code) are set when known;
    ``endpoint`` names the call as ``"POST json/listsubscribe"``, never with its query.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        api_code: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.api_code = api_code
        self.endpoint = endpoint
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        context = [
            part
            for part in (
                self.endpoint,
                f"HTTP {self.status_code}" if self.status_code is not None else None,
                f"code {self.api_code}" if self.api_code is not None else None,
            )
            if part
        ]
        return f"{self.message} ({', '.join(context)})" if context else self.message


class FatalSyncError(SyncError):
    """Stops the run: the sync needs a person's attention (credentials, deleted list)."""


class AuthenticationError(FatalSyncError):
    """The credentials are invalid or were revoked."""


class ListNotFoundError(FatalSyncError):
    """The target list was deleted, or its key is wrong."""


class RetriableError(SyncError):
    """A temporary failure. Adapters retry these; they surface only when retries run out."""


class RateLimitedError(RetriableError):
    """The service asked us to slow down. ``retry_after`` is in seconds when it said."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status_code: int | None = None,
        api_code: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, status_code=status_code, api_code=api_code, endpoint=endpoint)


class ServiceUnavailableError(RetriableError):
    """A 5xx answer or a "retry later" code."""


class TransportError(RetriableError):
    """A timeout, a dropped connection, or an answer that is not what the API sends."""


class QuotaExhaustedError(SyncError):
    """A daily (or longer) cap is used up. The run is deferred until ``resume_at``."""

    def __init__(
        self,
        message: str,
        *,
        resume_at: datetime | None = None,
        status_code: int | None = None,
        api_code: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.resume_at = resume_at
        super().__init__(message, status_code=status_code, api_code=api_code, endpoint=endpoint)


class EndpointLockedError(QuotaExhaustedError):
    """The service locked an endpoint (it was called over its rate, or a cap is used up).

    Never retried: calling a locked endpoint again may prolong the lock. The adapter records
    the lock in its quota ledger, so that no process sharing the ledger calls the endpoint
    before ``resume_at``. ``lock_seconds`` is how long the service said the lock lasts, when
    it said so but gave no end (the adapter turns it into ``resume_at``).
    """

    def __init__(
        self,
        message: str,
        *,
        resume_at: datetime | None = None,
        lock_seconds: float | None = None,
        status_code: int | None = None,
        api_code: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.lock_seconds = lock_seconds
        super().__init__(
            message,
            resume_at=resume_at,
            status_code=status_code,
            api_code=api_code,
            endpoint=endpoint,
        )


class RecordRejectedError(SyncError):
    """The target refused one record. The run records it with ``reason`` and goes on."""

    def __init__(
        self,
        message: str,
        *,
        reason: ReasonCode,
        status_code: int | None = None,
        api_code: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.reason = reason
        super().__init__(message, status_code=status_code, api_code=api_code, endpoint=endpoint)


# -- deprecated names ----------------------------------------------------------------------

_RENAMED: dict[str, type[FieldSyncError]] = {
    "DisclaimerNotAcknowledged": DisclaimerNotAcknowledgedError,
    "InvalidConfiguration": InvalidConfigurationError,
    "InvalidTransition": InvalidTransitionError,
    "SyncAlreadyRunning": SyncAlreadyRunningError,
}

if TYPE_CHECKING:
    # What type checkers see: the old names, marked deprecated. At run time the module
    # __getattr__ below hands out the new classes themselves, so ``except OldName`` still
    # catches what fieldsync raises.
    @deprecated("renamed DisclaimerNotAcknowledgedError")
    class DisclaimerNotAcknowledged(DisclaimerNotAcknowledgedError): ...

    @deprecated("renamed InvalidConfigurationError")
    class InvalidConfiguration(InvalidConfigurationError): ...

    @deprecated("renamed InvalidTransitionError")
    class InvalidTransition(InvalidTransitionError): ...

    @deprecated("renamed SyncAlreadyRunningError")
    class SyncAlreadyRunning(SyncAlreadyRunningError): ...


def _renamed(name: str, module: str) -> type[FieldSyncError]:
    """The class an old error name stands for, after a ``DeprecationWarning``.

    Raises:
        AttributeError: ``name`` is no old name (the module has no such attribute).
    """
    try:
        new = _RENAMED[name]
    except KeyError:
        raise AttributeError(f"module {module!r} has no attribute {name!r}") from None
    warnings.warn(
        f"{module}.{name} is deprecated and goes in fieldsync 1.0; use {new.__name__}",
        DeprecationWarning,
        stacklevel=3,
    )
    return new


def __getattr__(name: str) -> Any:
    return _renamed(name, __name__)
