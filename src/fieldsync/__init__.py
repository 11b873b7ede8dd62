"""fieldsync: keep a marketing app's contact lists in step with an invoicing app's contacts.

The public API lives here; everything else is an implementation detail unless its module
says otherwise (``fieldsync.events``, ``fieldsync.ports``, ``fieldsync.zoho``,
``fieldsync.testing``, ``fieldsync.notifiers``, ``fieldsync.http``, ``fieldsync.quota``,
``fieldsync.redaction``, ``fieldsync.otel``).

    import fieldsync as fs

    with fs.SQLiteStore("fieldsync.db") as store, fs.SyncService(store=store) as service:
        ...
"""

from typing import TYPE_CHECKING, Any

from fieldsync.__about__ import __version__
from fieldsync.clock import SystemClock
from fieldsync.domain.criteria import (
    Combinator,
    Condition,
    Criteria,
    CriteriaProblem,
    Operator,
    Verdict,
)
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.mapping import (
    ConversionFailure,
    FieldMap,
    FieldMapping,
    Mapped,
    MappingPlan,
    MappingProblem,
)
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import (
    BatchCommit,
    Capacity,
    Checkpoint,
    OutcomeKind,
    RateWindow,
    SourcePage,
    SourceRecord,
    StoredFingerprint,
    TargetContact,
    TargetLimits,
    UpsertOutcome,
)
from fieldsync.domain.schedule import Schedule, ScheduleKind
from fieldsync.domain.state import SyncAction, SyncState
from fieldsync.domain.sync import (
    Notification,
    NotificationKind,
    RunCounts,
    RunStatus,
    RunTrigger,
    SkippedRecord,
    Sync,
    SyncConfig,
    SyncOptions,
    SyncRun,
)
from fieldsync.exceptions import (
    AuthenticationError,
    ConfigurationError,
    CriteriaError,
    CriteriaSyntaxError,
    DisclaimerNotAcknowledgedError,
    EndpointLockedError,
    FatalSyncError,
    FieldSyncError,
    InvalidConfigurationError,
    InvalidTransitionError,
    ListNotFoundError,
    MappingError,
    NotFoundError,
    QuotaExhaustedError,
    RateLimitedError,
    RecordRejectedError,
    RetriableError,
    ScheduleError,
    ServiceUnavailableError,
    StateError,
    StoreError,
    SyncAlreadyRunningError,
    SyncError,
    TransportError,
    _renamed,
)
from fieldsync.quota import LocalQuota
from fieldsync.service import Integration, IntegrationAdapters, SyncService
from fieldsync.service.views import (
    DisableImpact,
    IntegrationStatus,
    MappingRow,
    Preview,
    SyncDetail,
)
from fieldsync.stores import InMemoryStore, SQLiteStore

if TYPE_CHECKING:
    from fieldsync.exceptions import (  # noqa: F401  (deprecated names, for type checkers)
        DisclaimerNotAcknowledged,
        InvalidConfiguration,
        InvalidTransition,
        SyncAlreadyRunning,
    )
    from fieldsync.stores.postgres import PostgresStore  # noqa: F401  (imported on first use)


__all__ = [
    "AuthenticationError",
    "BatchCommit",
    "Capacity",
    "Checkpoint",
    "Combinator",
    "Condition",
    "ConfigurationError",
    "ConversionFailure",
    "Criteria",
    "CriteriaError",
    "CriteriaProblem",
    "CriteriaSyntaxError",
    "DisableImpact",
    "DisclaimerNotAcknowledgedError",
    "EndpointLockedError",
    "FatalSyncError",
    "Field",
    "FieldMap",
    "FieldMapping",
    "FieldSyncError",
    "FieldType",
    "InMemoryStore",
    "Integration",
    "IntegrationAdapters",
    "IntegrationStatus",
    "InvalidConfigurationError",
    "InvalidTransitionError",
    "ListNotFoundError",
    "LocalQuota",
    "Mapped",
    "MappingError",
    "MappingPlan",
    "MappingProblem",
    "MappingRow",
    "NotFoundError",
    "Notification",
    "NotificationKind",
    "Operator",
    "OutcomeKind",
    "Preview",
    "QuotaExhaustedError",
    "RateLimitedError",
    "RateWindow",
    "ReasonCode",
    "RecordRejectedError",
    "RetriableError",
    "RunCounts",
    "RunStatus",
    "RunTrigger",
    "SQLiteStore",
    "Schedule",
    "ScheduleError",
    "ScheduleKind",
    "Schema",
    "ServiceUnavailableError",
    "SkippedRecord",
    "SourcePage",
    "SourceRecord",
    "StateError",
    "StoreError",
    "StoredFingerprint",
    "Sync",
    "SyncAction",
    "SyncAlreadyRunningError",
    "SyncConfig",
    "SyncDetail",
    "SyncError",
    "SyncOptions",
    "SyncRun",
    "SyncService",
    "SyncState",
    "SystemClock",
    "TargetContact",
    "TargetLimits",
    "TransportError",
    "UpsertOutcome",
    "Verdict",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # PostgresStore needs the postgres extra (psycopg): imported on first use only, and
    # left out of __all__ so that `from fieldsync import *` works without it.
    if name == "PostgresStore":
        from fieldsync.stores.postgres import PostgresStore

        return PostgresStore
    # The four errors renamed in 0.2 (InvalidTransition and the others): the new class,
    # after a DeprecationWarning. See fieldsync.exceptions.
    return _renamed(name, __name__)
