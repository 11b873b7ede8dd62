"""The public surface: what `import fieldsync` promises, and nothing leaking from it."""

import importlib

import pytest

import fieldsync

PUBLIC_MODULES = [
    "fieldsync",
    "fieldsync.ports",
    "fieldsync.zoho",
    "fieldsync.testing",
    "fieldsync.http",
    "fieldsync.notifiers",
    "fieldsync.exceptions",
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
        and callable(getattr(module, name))
        and not (getattr(module, name).__doc__ or "").strip()
    ]

    assert undocumented == []


def test_the_names_the_design_promises_are_exported() -> None:
    assert DESIGN_NAMES - set(fieldsync.__all__) == set()


def test_every_error_is_exported_from_the_package_root() -> None:
    import fieldsync.exceptions as errors

    assert set(errors.__all__) - {"Problem"} <= set(fieldsync.__all__)


def test_the_ports_module_exports_the_seven_ports() -> None:
    import fieldsync.ports as ports

    expected = {"Clock", "Notifier", "QuotaLedger", "Source", "SyncStore", "Target", "TokenCache"}
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
