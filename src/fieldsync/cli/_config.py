"""The TOML configuration file of the `fieldsync` command, read into typed values.

Credentials are written as ``"${VAR}"`` to read them from the environment (or as plain text).
A resolved secret is never printed: errors name the key and the variable, not the value.
"""

from __future__ import annotations

import importlib
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from fieldsync.domain.criteria import Criteria
from fieldsync.domain.mapping import FieldMap, FieldMapping
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.sync import SyncOptions
from fieldsync.exceptions import ConfigurationError
from fieldsync.ports import Source, Target

if TYPE_CHECKING:
    from fieldsync.stores import QuotaStore

__all__ = ["Config", "IntegrationConfig", "SyncDefinition", "load_config"]

_ENV = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_ZOHO_KEYS = {
    "type",
    "data_centre",
    "organization_id",
    "client_id",
    "client_secret",
    "refresh_token",
    "only_active",
    "plan_limit",
    "auto_upgrade",
    "accounts_url",
    "invoice_url",
    "campaigns_url",
    "quota_share",
}
_PYTHON_KEYS = {"type", "source", "target"}
_SYNC_KEYS = {
    "name",
    "integration",
    "list_key",
    "mapping",
    "criteria",
    "schedule",
    "update_empty_values",
    "retrieve_since",
}


@attrs.frozen
class IntegrationConfig:
    """One ``[integrations.NAME]`` table: its type and its settings (secrets resolved)."""

    name: str
    type: str
    settings: Mapping[str, Any] = attrs.field(repr=False)

    def build(self, *, quota: QuotaStore | None = None) -> tuple[Source, Target]:
        """Make the integration's source and target; Zoho adapters book their calls and
        keep their access token in ``quota`` (the store, shared by every process)."""
        if self.type == "python":
            return _factory(self.name, self.settings["source"])(), _factory(
                self.name, self.settings["target"]
            )()
        from fieldsync.cli._zoho import build_zoho  # imported late: httpx clients are made here

        return build_zoho(self.name, self.settings, quota=quota)


@attrs.frozen
class SyncDefinition:
    """One ``[[syncs]]`` entry."""

    name: str
    integration: str
    list_key: str
    mapping: FieldMapping
    criteria: Criteria
    schedule: Schedule
    options: SyncOptions


@attrs.frozen
class Config:
    """The whole file.

    ``store_url`` is set when the store is PostgreSQL (``store = "postgresql://..."``, or
    ``url`` in ``[store]``); it may hold a password, so it stays out of the repr.
    """

    path: Path
    store_path: Path
    integrations: Mapping[str, IntegrationConfig]
    syncs: tuple[SyncDefinition, ...]
    store_url: str | None = attrs.field(default=None, repr=False)
    store_schema: str = "fieldsync"

    def sync(self, name: str) -> SyncDefinition:
        """The ``[[syncs]]`` entry called ``name``."""
        for definition in self.syncs:
            if definition.name == name:
                return definition
        known = ", ".join(repr(s.name) for s in self.syncs) or "none"
        raise ConfigurationError(f"no sync named {name!r} in {self.path} (known: {known})")


def load_config(path: Path, *, environ: Mapping[str, str] | None = None) -> Config:
    """Read and check a configuration file.

    Raises:
        ConfigurationError: the file is missing, is not TOML, or holds a wrong value.
    """
    env = os.environ if environ is None else environ
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            f"no configuration file at {path} (write one with `fieldsync init`)"
        ) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{path} cannot be read: {exc}") from None
    store_path, store_url, store_schema = _store(data.get("store", {}), path, env)
    integrations = {
        name: _integration(name, _table(raw, f"[integrations.{name}]"), env)
        for name, raw in _table(data.get("integrations", {}), "[integrations]").items()
    }
    raw_syncs = data.get("syncs", [])
    if not isinstance(raw_syncs, list):
        raise ConfigurationError("[[syncs]] must be an array of tables")
    syncs = tuple(
        _sync(i, _table(raw, f"[[syncs]] #{i + 1}"), integrations)
        for i, raw in enumerate(raw_syncs)
    )
    names = [s.name for s in syncs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigurationError(f"sync names must be unique; repeated: {', '.join(duplicates)}")
    unknown = set(data) - {"store", "integrations", "syncs"}
    if unknown:
        raise ConfigurationError(
            f"unknown top-level key(s) in {path}: {', '.join(sorted(unknown))}"
        )
    return Config(
        path=path,
        store_path=store_path,
        integrations=integrations,
        syncs=syncs,
        store_url=store_url,
        store_schema=store_schema,
    )


_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def _store(raw: object, path: Path, env: Mapping[str, str]) -> tuple[Path, str | None, str]:
    """The SQLite file, the PostgreSQL URL (or None) and schema of ``store``: a string (a
    file path or a ``postgresql://`` URL) or a ``[store]`` table (``path``, or ``url`` and
    ``schema``). ``"${VAR}"`` reads the URL from the environment (it holds a password)."""
    if isinstance(raw, str):
        raw = {"url": raw} if raw.startswith(_POSTGRES_SCHEMES) else {"path": raw}
    store = _table(raw, "[store]")
    _no_unknown(store, {"path", "url", "schema"}, "[store]")
    if "url" in store:
        if "path" in store:
            raise ConfigurationError(
                "[store] takes a path (SQLite) or a url (PostgreSQL), not both"
            )
        url = _text(_resolve(store["url"], "[store] url", env), "[store] url")
        if not url.startswith(_POSTGRES_SCHEMES) and "=" not in url:
            # not quoted: the value may be a password in the wrong place
            raise ConfigurationError(
                "[store] url must be a postgresql:// URL or a libpq 'key=value' string"
            )
        schema = _text(store.get("schema", "fieldsync"), "[store] schema")
        return path.parent / "fieldsync.db", url, schema
    store_path = Path(_text(store.get("path", "fieldsync.db"), "[store] path"))
    if not store_path.is_absolute():
        store_path = path.parent / store_path
    return store_path, None, "fieldsync"


def _integration(name: str, raw: Mapping[str, Any], env: Mapping[str, str]) -> IntegrationConfig:
    where = f"[integrations.{name}]"
    kind = raw.get("type")
    allowed = {"zoho": _ZOHO_KEYS, "python": _PYTHON_KEYS}.get(str(kind))
    if allowed is None:
        raise ConfigurationError(f'{where} type must be "zoho" or "python", not {kind!r}')
    _no_unknown(raw, allowed, where)
    settings = {key: _resolve(value, f"{where} {key}", env) for key, value in raw.items()}
    required = (
        ("source", "target")
        if kind == "python"
        else (
            "organization_id",
            "client_id",
            "client_secret",
            "refresh_token",
        )
    )
    missing = [key for key in required if not settings.get(key)]
    if missing:
        raise ConfigurationError(f"{where} needs {', '.join(missing)}")
    return IntegrationConfig(name=name, type=str(kind), settings=settings)


def _sync(
    index: int, raw: Mapping[str, Any], integrations: Mapping[str, IntegrationConfig]
) -> SyncDefinition:
    name = _text(raw.get("name"), f"[[syncs]] #{index + 1} name")
    where = f"sync {name!r}"
    _no_unknown(raw, _SYNC_KEYS, where)
    integration = _text(raw.get("integration"), f"{where} integration")
    if integration not in integrations:
        raise ConfigurationError(
            f"{where} uses integration {integration!r}, which is not configured"
        )
    since = raw.get("retrieve_since")
    if since is not None and not (isinstance(since, datetime) and since.tzinfo is not None):
        raise ConfigurationError(
            f"{where} retrieve_since must be a TOML date-time with an offset (2024-01-01T00:00:00Z)"
        )
    return SyncDefinition(
        name=name,
        integration=integration,
        list_key=_text(raw.get("list_key"), f"{where} list_key"),
        mapping=_mapping(raw.get("mapping"), where),
        criteria=Criteria.parse(str(raw.get("criteria", ""))),
        schedule=parse_schedule(raw.get("schedule", "once"), where),
        options=SyncOptions(
            update_empty_values=bool(raw.get("update_empty_values", False)),
            retrieve_since=since,
        ),
    )


def _mapping(raw: object, where: str) -> FieldMapping:
    if not isinstance(raw, list) or not raw:
        raise ConfigurationError(f"{where} mapping must be a non-empty list of pairs")
    pairs: list[FieldMap] = []
    for item in raw:
        if (
            isinstance(item, list)
            and len(item) in (2, 3)
            and all(isinstance(v, str) for v in item[:2])
        ):
            pairs.append(
                FieldMap(item[0], item[1], create=bool(item[2]) if len(item) == 3 else False)
            )
        elif isinstance(item, dict) and isinstance(item.get("source"), str):
            _no_unknown(item, {"source", "target", "create"}, f"{where} mapping entry")
            target = item.get("target", item["source"])
            pairs.append(
                FieldMap(item["source"], str(target), create=bool(item.get("create", False)))
            )
        else:
            raise ConfigurationError(
                f"{where} mapping entries are"
                ' ["source", "target"] or { source = "...", target = "..." }'
            )
    return FieldMapping.of(*pairs)


def parse_schedule(raw: object, where: str = "schedule") -> Schedule:
    """A schedule from its file form: ``"once"``, ``{ daily = "02:00", tz = "..." }``,
    ``{ every_hours = 6 }``, ``{ every_days = 1 }``, ``{ weekly = "monday", at = "09:00" }``,
    ``{ monthly = 1, at = "02:00" }``."""
    if raw == "once":
        return Schedule.once()
    if not isinstance(raw, dict):
        raise ConfigurationError(
            f'{where} schedule must be "once" or a table such as {{ daily = "02:00" }}'
        )
    try:
        return _schedule(raw, where)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"{where} schedule is not valid: {exc}") from None


def _schedule(raw: dict[str, Any], where: str) -> Schedule:
    tz = str(raw.get("tz", "UTC"))
    kinds = [k for k in ("daily", "weekly", "monthly", "every_hours", "every_days") if k in raw]
    if len(kinds) != 1:
        raise ConfigurationError(
            f"{where} schedule needs exactly one of daily, weekly, monthly, every_hours, every_days"
        )
    kind = kinds[0]
    if kind == "daily":
        return Schedule.daily(str(raw["daily"]), tz=tz)
    if kind == "weekly":
        return Schedule.weekly(raw["weekly"], str(raw.get("at", "00:00")), tz=tz)
    if kind == "monthly":
        return Schedule.monthly(int(raw["monthly"]), str(raw.get("at", "00:00")), tz=tz)
    if kind == "every_hours":
        return Schedule.every(hours=int(raw["every_hours"]))
    return Schedule.every(days=int(raw["every_days"]))


def _factory(integration: str, spec: str) -> Callable[[], Any]:
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigurationError(
            f'[integrations.{integration}] factories are "module:callable", not {spec!r}'
        )
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(
            f"[integrations.{integration}] cannot load {spec!r}: {exc}"
        ) from None
    if not callable(factory):
        raise ConfigurationError(f"[integrations.{integration}] {spec!r} is not callable")
    return factory  # type: ignore[no-any-return]


def _resolve(value: object, where: str, env: Mapping[str, str]) -> object:
    if isinstance(value, str) and (match := _ENV.match(value)):
        variable = match.group(1)
        if variable not in env or not env[variable]:
            raise ConfigurationError(
                f"{where} reads ${{{variable}}}, which is not set in the environment"
            )
        return env[variable]
    return value


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigurationError(f"{where} must be a table")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{where} must be a non-empty string")
    return value


def _no_unknown(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(raw) - allowed
    if unknown:
        raise ConfigurationError(f"{where} has unknown key(s): {', '.join(sorted(unknown))}")
