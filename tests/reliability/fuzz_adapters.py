"""Adapters the TOML fuzz test configures as a `type = "python"` integration."""

from __future__ import annotations

from fieldsync.testing import FakeSource, FakeTarget


def make_source() -> FakeSource:
    source = FakeSource()
    source.put("c1", {"email": "ada@example.org", "first_name": "Ada", "status": "active"})
    return source


def make_target() -> FakeTarget:
    target = FakeTarget()
    target.create_list("news")
    return target
