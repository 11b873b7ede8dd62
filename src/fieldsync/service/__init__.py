"""The use cases: :class:`SyncService` and its parts.

``SyncService`` (in ``_service``) is the one object applications hold; its parts are private
modules named for what they do: ``_initiate`` (validate, create fields, start),
``_run`` (one run, batch by batch, under a lease), ``_batch`` (a batch's arithmetic),
``_run_end`` (how a run ends), ``_preview`` (what a run would do, the capacity check),
``_disable`` (disabling an integration), ``_export`` (the skipped-records CSV),
``_outbox`` (notifications), ``_spec`` (a spec's checks), ``_read_models`` (what screens
read of the adapters, kept briefly) and ``_integrations`` (registered and resolved integrations).
``views`` holds the read models the use cases return.
The service talks to the outside only through :mod:`fieldsync.ports`.
"""

from fieldsync.service._integrations import Integration, IntegrationAdapters
from fieldsync.service._preview import DISCLAIMER
from fieldsync.service._read_models import ListsMailingLists, MailingListLike
from fieldsync.service._service import READ_MODEL_TTL, SyncService
from fieldsync.service.views import (
    DisableImpact,
    IntegrationDetails,
    MappingRow,
    Preview,
    SyncDetail,
)

__all__ = [
    "DISCLAIMER",
    "DisableImpact",
    "Integration",
    "IntegrationAdapters",
    "IntegrationDetails",
    "ListsMailingLists",
    "MailingListLike",
    "MappingRow",
    "Preview",
    "READ_MODEL_TTL",
    "SyncDetail",
    "SyncService",
]
