"""The pure core of fieldsync: no I/O, only the standard library and attrs.

Public: every name in a domain module's ``__all__`` is API (docs/reference/domain.md), most
of them re-exported from ``fieldsync``, which is where to import them from.
"""
