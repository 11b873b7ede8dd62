"""The pytest plugin: installed with fieldsync, its fixtures reach any test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import fieldsync as fs
from fieldsync.testing import EmulatedZoho, FakeClock, FakeSource, FakeTarget, RecordingNotifier
from fieldsync.testing.pytest_plugin import FAKE_INTEGRATION, FAKE_LIST, START


def test_the_fake_clock_starts_at_the_documented_time(fake_clock: FakeClock) -> None:
    assert START == fake_clock.now()


def test_the_service_fixture_syncs_the_fake_source_into_the_fake_target(
    sync_service: fs.SyncService,
    fake_source: FakeSource,
    fake_target: FakeTarget,
    recording_notifier: RecordingNotifier,
) -> None:
    fake_source.put("c1", {"email": "ann@example.com", "first_name": "Ann"})
    sync = sync_service.create_sync(
        FAKE_INTEGRATION,
        fs.SyncSpec(
            name="People",
            list_key=FAKE_LIST,
            mapping=fs.FieldMapping.of(("email", "Contact Email")),
        ),
    )

    run = sync_service.initiate(sync.id)

    assert (1, ["ann@example.com"], 1) == (
        run.added,
        list(fake_target.lists[FAKE_LIST]),
        len(recording_notifier.sent),
    )


def test_the_sqlite_store_fixture_is_a_file_store(sqlite_store: fs.SQLiteStore) -> None:
    assert [] == sqlite_store.list_syncs()


def test_the_memory_store_fixture_is_empty(memory_store: fs.InMemoryStore) -> None:
    assert [] == memory_store.list_syncs()


def test_the_emulated_zoho_fixture_runs_on_the_fake_clock(
    emulated_zoho: EmulatedZoho, fake_clock: FakeClock
) -> None:
    assert (fake_clock, 100) == (emulated_zoho.clock, len(emulated_zoho.organization.contacts))


@pytest.mark.emulated_zoho(contacts=7, seed=3)
def test_the_marker_passes_arguments_to_the_emulated_zoho(emulated_zoho: EmulatedZoho) -> None:
    assert 7 == len(emulated_zoho.organization.contacts)


def test_another_projects_tests_get_the_fixtures_without_importing_anything(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_theirs.py").write_text(
        "def test_it(sync_service, fake_target, emulated_zoho):\n"
        "    assert sync_service.list_syncs() == []\n",
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
