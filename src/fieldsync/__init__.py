"""fieldsync: keep a marketing app's contact lists in step with an invoicing app's contacts.

The public API lives here; everything else is an implementation detail unless its module
says otherwise (``fieldsync.ports``, ``fieldsync.zoho``, ``fieldsync.testing``,
``fieldsync.notifiers``, ``fieldsync.http``).

    import fieldsync as fs

    service = fs.SyncService(store=fs.SQLiteStore("fieldsync.db"))
"""

from fieldsync.clock import SystemClock
from fieldsync.domain.criteria import Condition, Criteria, Operator, Verdict
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.mapping import FieldMap, FieldMapping, MappingPlan, MappingProblem
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import (
    Capacity,
    OutcomeKind,
    RateWindow,
    SourcePage,
    SourceRecord,
    TargetContact,
    TargetLimits,
    UpsertOutcome,
)
from fieldsync.domain.schedule import Schedule
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
    DisclaimerNotAcknowledged,
    FatalSyncError,
    FieldSyncError,
    InvalidConfiguration,
    InvalidTransition,
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
    SyncAlreadyRunning,
    SyncError,
    TransportError,
)
from fieldsync.service import SyncService
from fieldsync.stores import InMemoryStore, SQLiteStore
from fieldsync.views import DisableImpact, IntegrationStatus, MappingRow, Preview, SyncDetail

__version__ = "0.1.0.dev0"

__all__ = [
    "AuthenticationError",
    "Capacity",
    "Condition",
    "ConfigurationError",
    "Criteria",
    "CriteriaError",
    "CriteriaSyntaxError",
    "DisableImpact",
    "DisclaimerNotAcknowledged",
    "FatalSyncError",
    "Field",
    "FieldMap",
    "FieldMapping",
    "FieldSyncError",
    "FieldType",
    "InMemoryStore",
    "IntegrationStatus",
    "InvalidConfiguration",
    "InvalidTransition",
    "ListNotFoundError",
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
    "Schema",
    "ServiceUnavailableError",
    "SkippedRecord",
    "SourcePage",
    "SourceRecord",
    "StateError",
    "StoreError",
    "Sync",
    "SyncAction",
    "SyncAlreadyRunning",
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
