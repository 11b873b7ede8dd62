"""Deprecated: the read models the service returns now live in :mod:`fieldsync.service.views`.

Import ``Preview``, ``SyncDetail``, ``MappingRow`` and ``DisableImpact`` from ``fieldsync``.
This module goes in fieldsync 1.0 (see ``docs/deprecations.md``).
"""

import warnings

from fieldsync.service.views import DisableImpact, MappingRow, Preview, SyncDetail

__all__ = ["DisableImpact", "MappingRow", "Preview", "SyncDetail"]

warnings.warn(
    "fieldsync.views is deprecated and goes in fieldsync 1.0; import its names from fieldsync",
    DeprecationWarning,
    stacklevel=2,
)
