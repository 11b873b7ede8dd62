"""The public surface: what `import fieldsync` promises, and nothing leaking from it."""

import importlib
import inspect
import pkgutil
import typing
from collections.abc import Iterator

import attrs
import pytest

import fieldsync
import fieldsync.domain

PUBLIC_MODULES = [
    "fieldsync",
    "fieldsync.events",
    "fieldsync.ports",
    "fieldsync.zoho",
    "fieldsync.zoho.messages",
    "fieldsync.testing",
    "fieldsync.testing.emulators",
    "fieldsync.http",
    "fieldsync.notifiers",
    "fieldsync.exceptions",
    "fieldsync.quota",
    "fieldsync.redaction",
    "fieldsync.web",
    "fieldsync.otel",
    "fieldsync.testing.pytest_plugin",
    "fieldsync.codec",
    "fieldsync.testing.emulators.fleet",
    "fieldsync.testing.contract",
    "fieldsync.testing.store_contract",
    "fieldsync.testing.quota_contract",
    "fieldsync.stores",
    "fieldsync.service",
    "fieldsync.procrastinate",
    # public since 0.1: docs/reference/index.md says why
    *sorted(
        info.name
        for info in pkgutil.iter_modules(fieldsync.domain.__path__, "fieldsync.domain.")
        if not info.name.rsplit(".", 1)[1].startswith("_")
    ),
]

DESIGN_NAMES = {
    "SyncService",
    "Field",
    "FieldType",
    "FieldMap",
    "FieldMapping",
    "Criteria",
    "Condition",
    "Schedule",
    "Sync",
    "SyncState",
    "SyncRun",
    "RunStatus",
    "SkippedRecord",
    "Notification",
    "InMemoryStore",
    "SQLiteStore",
}


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_module_has_a_sorted_all_of_names_it_defines(module_name: str) -> None:
    module = importlib.import_module(module_name)

    names = list(module.__all__)

    assert names == sorted(names)
    assert len(names) == len(set(names))
    missing = [name for name in names if not hasattr(module, name)]
    assert missing == []


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_name_has_a_docstring(module_name: str) -> None:
    module = importlib.import_module(module_name)

    undocumented = [
        name
        for name in module.__all__
        if not name.startswith("__")
        and (inspect.isclass(getattr(module, name)) or inspect.isfunction(getattr(module, name)))
        and not (getattr(module, name).__doc__ or "").strip()
    ]

    assert undocumented == []


def test_the_names_the_design_promises_are_exported() -> None:
    assert DESIGN_NAMES - set(fieldsync.__all__) == set()


def test_every_error_is_exported_from_the_package_root() -> None:
    import fieldsync.exceptions as errors

    assert set(errors.__all__) - {"Problem"} <= set(fieldsync.__all__)


def test_the_ports_module_exports_every_port_and_capability() -> None:
    import fieldsync.ports as ports

    expected = {
        "BulkEmailTarget",
        "ClaimsDue",
        "Clock",
        "ListReader",
        "MintLock",
        "Notifier",
        "QuotaLedger",
        "QuotaStore",
        "SharesQuota",
        "Source",
        "SupportsClose",
        "SyncStore",
        "Target",
        "TargetRules",
        "TokenCache",
    }
    assert expected == set(ports.__all__)


def test_the_zoho_module_exports_the_adapters() -> None:
    import fieldsync.zoho as zoho

    assert {"ZohoCampaignsTarget", "ZohoInvoiceSource", "ZohoOAuth"} <= set(zoho.__all__)


def test_the_testing_module_exports_the_fakes_and_emulators() -> None:
    import fieldsync.testing as testing

    expected = {
        "CampaignsEmulator",
        "FakeClock",
        "FakeSource",
        "FakeTarget",
        "InvoiceEmulator",
        "RecordingNotifier",
    }
    assert expected <= set(testing.__all__)


def test_importing_fieldsync_does_not_import_pytest() -> None:
    import subprocess
    import sys

    code = (
        "import sys, fieldsync, fieldsync.testing, fieldsync.zoho; print('pytest' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "False"


def _public_objects() -> dict[int, str]:
    found: dict[int, str] = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            found.setdefault(id(getattr(module, name)), f"{module_name}.{name}")
    return found


def _classes_in(hint: object) -> Iterator[type]:
    if isinstance(hint, type) and not typing.get_args(hint):
        yield hint
    for arg in typing.get_args(hint):
        yield from _classes_in(arg)
    origin = typing.get_origin(hint)
    if isinstance(origin, type):
        yield origin


def _every_fieldsync_name() -> dict[str, object]:
    """Names for annotations that modules import only for type checkers (import cycles)."""
    names: dict[str, object] = {}
    for info in pkgutil.walk_packages(fieldsync.__path__, "fieldsync."):
        if ".cli" in info.name or info.name.endswith(("__main__", "fieldsync.views")):
            continue
        module = importlib.import_module(info.name)
        names.update({k: v for k, v in vars(module).items() if isinstance(v, type)})
    return names


_NAMES = _every_fieldsync_name()


def _hints(thing: object) -> dict[str, object]:
    try:
        return typing.get_type_hints(thing, localns=_NAMES)
    except TypeError:  # not annotatable (a builtin slot wrapper)
        return {}
    except NameError as exc:
        raise AssertionError(f"{thing!r} has an annotation that does not resolve: {exc}") from exc


def _signature_classes(owner: object) -> Iterator[tuple[str, type]]:
    """Every class named in the public signatures and attributes of ``owner``."""
    members = [("", owner)] if callable(owner) and not isinstance(owner, type) else []
    if isinstance(owner, type):
        members += [
            (name, member)
            for name, member in inspect.getmembers(owner)
            if (not name.startswith("_") or name == "__init__")
            and callable(member)
            # attrs makes __init__ from the fields, whose hints are read below
            and not (name == "__init__" and attrs.has(owner))
        ]
        hints = _hints(owner)
        yield from (
            (f".{n}", c) for n, h in hints.items() if not n.startswith("_") for c in _classes_in(h)
        )
    for name, member in members:
        for hint in _hints(member).values():
            yield from ((f".{name}", c) for c in _classes_in(hint))


def test_every_fieldsync_type_in_a_public_signature_is_public_itself() -> None:
    public = _public_objects()
    leaks = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            for where, cls in _signature_classes(getattr(module, name)):
                if cls.__module__.startswith("fieldsync") and id(cls) not in public:
                    leaks.add(f"{module_name}.{name}{where}: {cls.__module__}.{cls.__qualname__}")

    assert sorted(leaks) == []


def test_local_quota_is_one_class_under_its_three_import_paths() -> None:
    import fieldsync.quota
    import fieldsync.stores

    assert fieldsync.LocalQuota is fieldsync.stores.LocalQuota is fieldsync.quota.LocalQuota


def test_the_types_custom_store_authors_need_are_exported() -> None:
    assert {"BatchCommit", "Checkpoint", "StoredFingerprint"} <= set(fieldsync.__all__)
