"""The pytest plugin: installed with fieldsync, its fixtures reach any test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import fieldsync as fs
from fieldsync.testing import EmulatedZoho, FakeClock, FakeSource, FakeTarget, RecordingNotifier
from fieldsync.testing.pytest_plugin import FAKE_INTEGRATION, FAKE_LIST, START


def test_the_clock_starts_at_the_documented_time(fieldsync_clock: FakeClock) -> None:
    assert START == fieldsync_clock.now()


def test_the_service_fixture_syncs_the_fake_source_into_the_fake_target(
    fieldsync_service: fs.SyncService,
    fieldsync_source: FakeSource,
    fieldsync_target: FakeTarget,
    fieldsync_notifier: RecordingNotifier,
) -> None:
    fieldsync_source.put("c1", {"email": "ann@example.com", "first_name": "Ann"})
    sync = fieldsync_service.create_sync(
        FAKE_INTEGRATION,
        fs.SyncSpec(
            name="People",
            list_key=FAKE_LIST,
            mapping=fs.FieldMapping.of(("email", "Contact Email")),
        ),
    )

    run = fieldsync_service.initiate(sync.id)

    assert (1, ["ann@example.com"], 1) == (
        run.added,
        list(fieldsync_target.lists[FAKE_LIST]),
        len(fieldsync_notifier.sent),
    )


def test_the_sqlite_store_fixture_is_a_file_store(fieldsync_sqlite_store: fs.SQLiteStore) -> None:
    assert [] == fieldsync_sqlite_store.list_syncs()


def test_the_memory_store_fixture_is_empty(fieldsync_memory_store: fs.InMemoryStore) -> None:
    assert [] == fieldsync_memory_store.list_syncs()


def test_the_emulated_zoho_fixture_runs_on_the_fake_clock(
    fieldsync_emulated_zoho: EmulatedZoho, fieldsync_clock: FakeClock
) -> None:
    assert (fieldsync_clock, 100) == (
        fieldsync_emulated_zoho.clock,
        len(fieldsync_emulated_zoho.organization.contacts),
    )


@pytest.mark.fieldsync_emulated_zoho(contacts=7, seed=3)
def test_the_marker_passes_arguments_to_the_emulated_zoho(
    fieldsync_emulated_zoho: EmulatedZoho,
) -> None:
    assert 7 == len(fieldsync_emulated_zoho.organization.contacts)


def test_another_projects_tests_get_the_fixtures_without_importing_anything(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_theirs.py").write_text(
        "def test_it(fieldsync_service, fieldsync_target, fieldsync_emulated_zoho):\n"
        "    assert fieldsync_service.list_syncs() == []\n",
        encoding="utf-8",
    )

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def _pytest_in(folder: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_fixture_of_the_project_feeds_the_plugins_fixtures_that_use_it(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "import pytest\n"
        "from datetime import datetime, UTC\n"
        "from fieldsync.testing import FakeClock\n\n"
        "@pytest.fixture\n"
        "def fieldsync_clock():\n"
        "    return FakeClock(datetime(2030, 1, 1, tzinfo=UTC))\n",
        encoding="utf-8",
    )
    (tmp_path / "test_theirs.py").write_text(
        "import fieldsync as fs\n\n"
        "def test_it(fieldsync_service, fieldsync_source):\n"
        "    fieldsync_source.put('c1', {'email': 'ann@example.com'})\n"
        "    spec = fs.SyncSpec(name='People', list_key='list',\n"
        "        mapping=fs.FieldMapping.of(('email', 'Contact Email')))\n"
        "    sync = fieldsync_service.create_sync('fake', spec)\n"
        "    record, = fieldsync_source.records\n"
        "    assert (sync.created_at.year, record.modified_at.year) == (2030, 2030)\n",
        encoding="utf-8",
    )

    done = _pytest_in(tmp_path, "-W", "error")

    assert done.returncode == 0, done.stdout + done.stderr


OLD_NAMES = {
    "fake_clock": "fieldsync_clock",
    "fake_source": "fieldsync_source",
    "fake_target": "fieldsync_target",
    "recording_notifier": "fieldsync_notifier",
    "memory_store": "fieldsync_memory_store",
    "sqlite_store": "fieldsync_sqlite_store",
    "sync_service": "fieldsync_service",
    "emulated_zoho": "fieldsync_emulated_zoho",
}


def test_each_old_fixture_name_is_the_new_fixture_after_a_deprecation_warning(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_theirs.py").write_text(
        "import pytest\n\n"
        + "".join(
            f"@pytest.mark.filterwarnings('default')\n"
            f"def test_{old}({old}, {new}):\n"
            f"    assert {old} is {new}\n\n"
            for old, new in OLD_NAMES.items()
        ),
        encoding="utf-8",
    )

    done = _pytest_in(tmp_path, "-W", "error")

    assert done.returncode == 0, done.stdout + done.stderr
    assert [
        f"the {old} fixture is deprecated and goes in fieldsync 1.0; use {new}"
        for old, new in OLD_NAMES.items()
    ] == [
        line.split("DeprecationWarning: ")[1]
        for line in done.stdout.splitlines()
        if "DeprecationWarning: " in line
    ]


def test_an_old_fixture_name_fails_a_suite_that_turns_warnings_into_errors(tmp_path: Path) -> None:
    (tmp_path / "test_theirs.py").write_text(
        "def test_it(sync_service):\n    pass\n", encoding="utf-8"
    )

    done = _pytest_in(tmp_path, "-W", "error::DeprecationWarning")

    assert done.returncode == 1
    assert "use fieldsync_service" in done.stdout


def test_the_old_marker_still_passes_its_arguments_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "test_theirs.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.filterwarnings('default')\n"
        "@pytest.mark.emulated_zoho(contacts=4)\n"
        "def test_it(fieldsync_emulated_zoho):\n"
        "    assert len(fieldsync_emulated_zoho.organization.contacts) == 4\n",
        encoding="utf-8",
    )

    done = _pytest_in(tmp_path, "-W", "error", "--strict-markers")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "the emulated_zoho marker is deprecated" in done.stdout
