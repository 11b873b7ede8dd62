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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from fieldsync import codec
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.spec import SpecProblem, SyncSpec
from fieldsync.exceptions import ConfigurationError, InvalidConfigurationError, ScheduleError
from fieldsync.ports import Source, Target

if TYPE_CHECKING:
    from fieldsync.stores import QuotaStore

__all__ = ["Config", "IntegrationConfig", "load_config"]

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
    "webhook_secret",
}
_PYTHON_KEYS = {"type", "source", "target", "webhook_secret"}
# The keys of a [[syncs]] entry that are not options (every other key is one).
_SYNC_KEYS = {"name", "integration", "list_key", "mapping", "criteria", "schedule"}


@attrs.frozen
class IntegrationConfig:
    """One ``[integrations.NAME]`` table: its type and its settings (secrets resolved)."""

    name: str
    type: str
    settings: Mapping[str, Any] = attrs.field(repr=False)

    def build(
        self, resources: list[object] | None = None, *, quota: QuotaStore | None = None
    ) -> tuple[Source, Target]:
        """Make the integration's source and target; what else they share and must be
        closed with them (the Zoho OAuth client) is added to ``resources``. Zoho adapters
        book their calls and keep their access token in ``quota`` (the store, shared by
        every process)."""
        if self.type == "python":
            return _factory(self.name, self.settings["source"])(), _factory(
                self.name, self.settings["target"]
            )()
        from fieldsync.cli._zoho import build_zoho  # imported late: httpx clients are made here

        return build_zoho(self.name, self.settings, resources, quota=quota)


@attrs.frozen
class Config:
    """The whole file.

    ``store_url`` is set when the store is PostgreSQL (``store = "postgresql://..."``, or
    ``url`` in ``[store]``); it may hold a password, so it stays out of the repr.
    """

    path: Path
    store_path: Path
    integrations: Mapping[str, IntegrationConfig]
    syncs: tuple[tuple[str, SyncSpec], ...]  # (integration, spec) of each [[syncs]] entry
    tz: str | None = None  # [cli] tz: the zone times are shown in (None: local)
    # [cli] source_scan_hours: SyncService(source_scan_every=...) (None: only verify)
    source_scan_hours: int | None = None
    store_url: str | None = attrs.field(default=None, repr=False)
    store_schema: str = "fieldsync"

    def sync(self, name: str) -> tuple[str, SyncSpec]:
        """The integration and spec of the ``[[syncs]]`` entry called ``name``."""
        for integration, spec in self.syncs:
            if spec.name == name:
                return integration, spec
        known = ", ".join(repr(spec.name) for _, spec in self.syncs) or "none"
        raise ConfigurationError(f"no sync named {name!r} in {self.path} (known: {known})")


def load_config(path: Path, *, environ: Mapping[str, str] | None = None) -> Config:
    """Read and check a configuration file.

    Raises:
        ConfigurationError: the file is missing, is not TOML, or holds a wrong value
            (the message is one line, naming the key).
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
    except RecursionError:
        raise ConfigurationError(f"{path} cannot be read: values nested too deeply") from None
    return parse_config(data, path, env)


def parse_config(data: Mapping[str, Any], path: Path, env: Mapping[str, str]) -> Config:
    """Check the parsed TOML of the file at ``path``; see :func:`load_config`."""
    store_path, store_url, store_schema = _store(data.get("store", {}), path, env)
    integrations = {
        name: _integration(name, _table(raw, f"[integrations.{name}]"), env)
        for name, raw in _table(data.get("integrations", {}), "[integrations]").items()
    }
    raw_syncs = data.get("syncs", [])
    if not isinstance(raw_syncs, list) or not all(isinstance(r, dict) for r in raw_syncs):
        raise ConfigurationError("[[syncs]] must be an array of tables")
    syncs = tuple(
        _sync(i, _table(raw, f"[[syncs]] #{i + 1}"), integrations)
        for i, raw in enumerate(raw_syncs)
    )
    names = [spec.name for _, spec in syncs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigurationError(f"sync names must be unique; repeated: {', '.join(duplicates)}")
    unknown = set(data) - {"store", "integrations", "syncs", "cli"}
    if unknown:
        raise ConfigurationError(
            f"unknown top-level key(s) in {path}: {', '.join(sorted(unknown))}"
        )
    cli = _table(data.get("cli", {}), "[cli]")
    _no_unknown(cli, {"tz", "source_scan_hours"}, "[cli]")
    tz = None if "tz" not in cli else _text(cli["tz"], "[cli] tz")
    scan = cli.get("source_scan_hours")
    if scan is not None and (_int(scan, "[cli] source_scan_hours") < 1 or scan > 24 * 3660):
        raise ConfigurationError("[cli] source_scan_hours must be 1 to 87,840 hours")
    return Config(
        path=path,
        store_path=store_path,
        integrations=integrations,
        syncs=syncs,
        tz=tz,
        source_scan_hours=scan,
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
    for key, value in raw.items():
        _check_setting(key, value, f"{where} {key}")
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
) -> tuple[str, SyncSpec]:
    """A ``[[syncs]]`` entry: its integration, and its spec read through the codec (the
    keys that are not the spec's own are its options)."""
    name = _text(raw.get("name"), f"[[syncs]] #{index + 1} name")
    where = f"sync {name!r}"
    integration = _text(raw.get("integration"), f"{where} integration")
    if integration not in integrations:
        raise ConfigurationError(
            f"{where} uses integration {integration!r}, which is not configured"
        )
    mapping = raw.get("mapping")
    if not isinstance(mapping, list) or not mapping:
        raise ConfigurationError(f"{where} mapping must be a non-empty list of pairs")
    data = {
        "name": name,
        "list_key": _text(raw.get("list_key"), f"{where} list_key"),
        "mapping": [_pair(item, f"{where} mapping entry {n}") for n, item in enumerate(mapping, 1)],
        "criteria": raw.get("criteria", ""),
        "schedule": codec.schedule_to_json(parse_schedule(raw.get("schedule", "once"), where)),
        "options": {key: value for key, value in raw.items() if key not in _SYNC_KEYS},
    }
    try:
        return integration, codec.spec_from_json(data)
    except InvalidConfigurationError as exc:
        fields = [p.field if isinstance(p, SpecProblem) else None for p in exc.problems]
        raise ConfigurationError(
            "; ".join(
                f"{where} {field or 'spec'}: {' '.join(p.message.split())}"
                for field, p in zip(fields, exc.problems, strict=True)
            )
        ) from None


def _pair(item: object, where: str) -> dict[str, Any]:
    shape = ' is ["source", "target"] or { source = "...", target = "...", create = true }'
    if isinstance(item, list) and len(item) in (2, 3):
        source, target = item[0], item[1]
        create = item[2] if len(item) == 3 else False
    elif isinstance(item, dict) and "source" in item:
        _no_unknown(item, {"source", "target", "create"}, where)
        source, target = item["source"], item.get("target", item["source"])
        create = item.get("create", False)
    else:
        raise ConfigurationError(f"{where}{shape}")
    return {
        "source": _text(source, f"{where} source"),
        "target": _text(target, f"{where} target"),
        "create": _bool(create, f"{where} create"),
    }


_SCHEDULE_KINDS = ("daily", "weekly", "monthly", "every_hours", "every_days")


def parse_schedule(raw: object, where: str = "schedule") -> Schedule:
    """A schedule from its file form: ``"once"``, ``{ daily = "02:00", tz = "..." }``,
    ``{ every_hours = 6 }``, ``{ every_days = 1 }``, ``{ weekly = "monday", at = "09:00" }``,
    ``{ monthly = 1, at = "02:00" }``.

    Raises:
        ConfigurationError: anything else, in one line naming the key.
    """
    if raw == "once":
        return Schedule.once()
    if not isinstance(raw, dict):
        raise ConfigurationError(
            f'{where} schedule must be "once" or a table such as {{ daily = "02:00" }}'
        )
    _no_unknown(raw, {*_SCHEDULE_KINDS, "at", "tz"}, f"{where} schedule")
    kinds = [k for k in _SCHEDULE_KINDS if k in raw]
    if len(kinds) != 1:
        raise ConfigurationError(
            f"{where} schedule needs exactly one of daily, weekly, monthly, every_hours, every_days"
        )
    kind = kinds[0]
    key = f"{where} schedule.{kind}"
    tz = _text(raw.get("tz", "UTC"), f"{where} schedule.tz")
    at = _text(raw.get("at", "00:00"), f"{where} schedule.at")
    try:
        if kind == "daily":
            return Schedule.daily(_text(raw["daily"], key), tz=tz)
        if kind == "weekly":
            weekday = raw["weekly"]
            if not isinstance(weekday, str):
                weekday = _int(weekday, key)
            return Schedule.weekly(weekday, at, tz=tz)
        if kind == "monthly":
            return Schedule.monthly(_int(raw["monthly"], key), at, tz=tz)
        if kind == "every_hours":
            return Schedule.every(hours=_int(raw["every_hours"], key))
        return Schedule.every(days=_int(raw["every_days"], key))
    except ScheduleError as exc:
        raise ConfigurationError(f"{key}: {_one_line(exc)}") from None


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


_BOOL_SETTINGS = {"only_active", "auto_upgrade"}
_URL_SETTINGS = {"accounts_url", "invoice_url", "campaigns_url"}


def _check_setting(key: str, value: object, where: str) -> None:
    """The type of one ``[integrations.NAME]`` setting (before variables are read)."""
    if key in _BOOL_SETTINGS:
        _bool(value, where)
    elif key == "plan_limit":
        if _int(value, where) < 0:
            raise ConfigurationError(f"{where} must be a whole number >= 0, not {value!r}")
    elif key == "quota_share":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            raise ConfigurationError(
                f"{where} must be a number above 0 and at most 1, not {_kind(value)}"
            )
    elif key == "organization_id" and isinstance(value, int) and not isinstance(value, bool):
        return  # an ID written as a TOML number is as good as one written as text
    elif key in _URL_SETTINGS:
        text = _text(value, where)
        if not text.startswith(("http://", "https://", "${")):
            raise ConfigurationError(f"{where} must be an http:// or https:// URL")
    else:
        _text(value, where)


def _int(value: object, where: str) -> int:
    # bool is an int to Python; TOML's true is not a count.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigurationError(f"{where} must be a whole number, not {_kind(value)}")
    return value


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(f"{where} must be true or false, not {_kind(value)}")
    return value


def _kind(value: object) -> str:
    """A wrong value described briefly (a value may be huge, or a secret)."""
    if isinstance(value, bool | int | float) and len(repr(value)) <= 20:
        return repr(value)
    if value == "" or (isinstance(value, str) and not value.strip()):
        return "an empty string"
    names: dict[type, str] = {dict: "a table", list: "an array", str: "a string"}
    return names.get(type(value), f"a {type(value).__name__}")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigurationError(f"{where} must be a table")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{where} must be a non-empty string, not {_kind(value)}")
    return value


def _no_unknown(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(raw) - allowed
    if unknown:
        raise ConfigurationError(f"{where} has unknown key(s): {', '.join(sorted(unknown))}")
