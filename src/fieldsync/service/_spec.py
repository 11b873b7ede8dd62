"""A sync's spec at the service's door: the checks against the live schemas, and the
keyword forms of ``create_sync`` and ``edit`` that came before :class:`SyncSpec`."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import attrs

from fieldsync.domain.fields import Schema
from fieldsync.domain.spec import SpecProblem, SyncSpec, text_problems
from fieldsync.domain.sync import Sync

__all__ = ["list_problems", "live_problems", "spec_of_create", "spec_of_edit", "text_problems"]

_SPEC_FIELDS = ("list_key", "mapping", "criteria", "schedule", "options")


def live_problems(
    spec: SyncSpec, source: Schema, target: Schema, lists: Mapping[str, str] | None
) -> list[SpecProblem]:
    """What is wrong with ``spec`` against the live schemas and the target's lists (when
    it can list them): mapping problems beside their pair, criteria problems, an unknown
    list key."""
    problems: list[SpecProblem] = []
    pairs = spec.mapping.pairs
    for found in spec.mapping.plan(source, target).problems:
        row = next((i for i, pair in enumerate(pairs) if pair == found.pair), None)
        problems.append(SpecProblem(found.code, found.message, "mapping", row))
    problems += [
        SpecProblem(found.code, found.message, "criteria")
        for found in spec.criteria.validate(source)
    ]
    return problems + list_problems(spec.list_key, lists)


def list_problems(list_key: str, lists: Mapping[str, str] | None) -> list[SpecProblem]:
    """An unknown list key, when the target can list its lists (``lists`` is not ``None``):
    what :meth:`SyncService.check`, preview and initiate all refuse before writing."""
    if lists is None or not list_key or list_key in lists:
        return []
    message = f"The target has no list with the key {list_key[:80]!r}."
    return [SpecProblem("unknown_list", message, "list_key")]


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"{old} is deprecated since fieldsync 0.1 and goes in 0.2: pass {new}",
        DeprecationWarning,
        stacklevel=4,  # the caller of create_sync / edit
    )


def spec_of_create(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, SyncSpec]:
    """The integration and spec of a ``create_sync`` call, in either form.

    Raises:
        TypeError: the arguments fit neither form.
    """
    new = dict(zip(("integration", "spec"), args, strict=False)) if len(args) <= 2 else {}
    if "spec" in kwargs or isinstance(new.get("spec"), SyncSpec):
        new.update(kwargs)
        if set(new) != {"integration", "spec"} or len(args) > 2:
            raise TypeError("create_sync() takes an integration and a SyncSpec")
        return new["integration"], new["spec"]
    if len(args) != 1 or "integration" not in kwargs:
        raise TypeError("create_sync() takes an integration and a SyncSpec")
    _deprecated(
        "create_sync(name, integration=..., list_key=..., ...)",
        "create_sync(integration, fieldsync.SyncSpec(name=..., list_key=..., ...))",
    )
    integration = kwargs.pop("integration")
    given = {key: value for key, value in kwargs.items() if value is not None}
    return integration, SyncSpec(name=args[0], **given)


def spec_of_edit(sync: Sync, spec: SyncSpec | None, kwargs: dict[str, Any]) -> SyncSpec:
    """The whole new spec of an ``edit`` call: ``spec``, or the keyword form's changes over
    the latest configuration (a pending edit, if any).

    Raises:
        TypeError: both forms at once, or neither.
    """
    if spec is not None:
        if kwargs:
            raise TypeError("edit() takes a SyncSpec or keywords, not both")
        return spec
    if not kwargs:
        raise TypeError("edit() takes the sync's new SyncSpec")
    _deprecated(
        "edit(sync_id, name=..., mapping=..., ...)",
        "edit(sync_id, spec) with the whole new fieldsync.SyncSpec",
    )
    unknown = set(kwargs) - {"name", *_SPEC_FIELDS}
    if unknown:
        raise TypeError(f"edit() got unexpected keyword(s): {', '.join(sorted(unknown))}")
    latest = SyncSpec.of(sync.name, sync.pending or sync.config)
    given = {key: value for key, value in kwargs.items() if value is not None}
    return attrs.evolve(latest, **given)
