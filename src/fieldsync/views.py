"""The read models the service returns; they now live in :mod:`fieldsync.service.views`.

Kept so that ``from fieldsync.views import Preview`` goes on working; import them from
``fieldsync`` instead.
"""

from fieldsync.service.views import DisableImpact, MappingRow, Preview, SyncDetail

__all__ = ["DisableImpact", "MappingRow", "Preview", "SyncDetail"]
