"""fieldsync: keep a marketing app's contact lists in step with an invoicing app's contacts.

What most programs need lives here. The public API is the modules docs/reference/ documents
(``fieldsync.zoho``, ``fieldsync.testing``, ``fieldsync.quota``, ``fieldsync.redaction``,
``fieldsync.domain.state``, ...) and the names in their ``__all__``; the rest is internal.

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
from fieldsync.domain.drift import FieldDrift, VerifyReport
from fieldsync.domain.duration import RunEstimate, estimate_run
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.mapping import (
    ConversionFailure,
    FieldMap,
    FieldMapping,
    Mapped,
    MappingPlan,
    MappingProblem,
)
from fieldsync.domain.members import ListMember, MemberStatus
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
from fieldsync.domain.spec import SpecProblem, SyncSpec
from fieldsync.domain.state import SyncAction, SyncState
from fieldsync.domain.sync import (
    Notification,
    NotificationKind,
    OnSourceChange,
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
from fieldsync.service import (
    Integration,
    IntegrationAdapters,
    ListsMailingLists,
    MailingListLike,
    SyncService,
)
from fieldsync.service.views import (
    DisableImpact,
    IntegrationDetails,
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

    # imported on first use (it needs the postgres extra); in __all__ below
    from fieldsync.stores.postgres import PostgresStore


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
    "FieldDrift",
    "FieldMap",
    "FieldMapping",
    "FieldSyncError",
    "FieldType",
    "InMemoryStore",
    "Integration",
    "IntegrationAdapters",
    "IntegrationDetails",
    "IntegrationStatus",
    "InvalidConfigurationError",
    "InvalidTransitionError",
    "ListMember",
    "ListNotFoundError",
    "ListsMailingLists",
    "LocalQuota",
    "MailingListLike",
    "Mapped",
    "MappingError",
    "MappingPlan",
    "MappingProblem",
    "MappingRow",
    "MemberStatus",
    "NotFoundError",
    "Notification",
    "NotificationKind",
    "OnSourceChange",
    "Operator",
    "OutcomeKind",
    "PostgresStore",
    "Preview",
    "QuotaExhaustedError",
    "RateLimitedError",
    "RateWindow",
    "ReasonCode",
    "RecordRejectedError",
    "RetriableError",
    "RunCounts",
    "RunEstimate",
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
    "SpecProblem",
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
    "SyncSpec",
    "SyncState",
    "SystemClock",
    "TargetContact",
    "TargetLimits",
    "TransportError",
    "UpsertOutcome",
    "Verdict",
    "VerifyReport",
    "__version__",
    "estimate_run",
]


def __getattr__(name: str) -> Any:
    # PostgresStore needs the postgres extra (psycopg): imported on first use only, with an
    # ImportError naming the extra when it is missing (`from fieldsync import *` included).
    if name == "PostgresStore":
        import fieldsync.stores

        return fieldsync.stores.PostgresStore
    # The four errors renamed before 0.1.0 (InvalidTransition and the others): the new class,
    # after a DeprecationWarning. See fieldsync.exceptions.
    return _renamed(name, __name__)
