"""The use cases: :class:`SyncService` and its parts.

``SyncService`` (in ``_service``) is the one object applications hold; its parts are private
modules named for what they do: ``_initiate`` (validate, create fields, start),
``_run`` (one run, batch by batch, under a lease), ``_batch`` (a batch's arithmetic),
``_run_end`` (how a run ends), ``_preview`` (what a run would do, the capacity check),
``_disable`` (disabling an integration), ``_export`` (the skipped-records CSV),
``_outbox`` (notifications) and ``_integrations`` (registered and resolved integrations).
``views`` holds the read models the use cases return.
The service talks to the outside only through :mod:`fieldsync.ports`.
"""

from fieldsync.service._integrations import Integration, IntegrationAdapters
from fieldsync.service._preview import DISCLAIMER
from fieldsync.service._service import SyncService
from fieldsync.service.views import DisableImpact, MappingRow, Preview, SyncDetail

__all__ = [
    "DISCLAIMER",
    "DisableImpact",
    "Integration",
    "IntegrationAdapters",
    "MappingRow",
    "Preview",
    "SyncDetail",
    "SyncService",
]
