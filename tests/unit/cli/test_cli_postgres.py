"""The command line on PostgreSQL: `store = "postgresql://..."` selects it, and the commands
(initiate, run --due, worker) work on it as on SQLite."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cli_adapters
import pytest
from psycopg.conninfo import make_conninfo

from fieldsync.cli import main
from fieldsync.cli._config import load_config
from fieldsync.exceptions import ConfigurationError
from fieldsync.stores.postgres import PostgresStore

SYNC = """
[integrations.crm]
type = "python"
source = "cli_adapters:make_source"
target = "cli_adapters:make_target"

[[syncs]]
name = "Customers"
integration = "crm"
list_key = "news"
schedule = { every_hours = 6 }
mapping = [["email", "Contact Email"], ["first_name", "First Name"]]
"""


def write(tmp_path: Path, store: str) -> Path:
    path = tmp_path / "fieldsync.toml"
    path.write_text(store + SYNC, encoding="utf-8")
    return path


def test_a_postgresql_url_as_the_store_selects_postgresql(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'store = "postgresql://fs:pw-123@db.internal/fs"\n'))

    assert config.store_url == "postgresql://fs:pw-123@db.internal/fs"
    assert "pw-123" not in repr(config)


def test_the_store_url_can_come_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[store]\nurl = "${FS_DB}"\nschema = "fleet"\n')

    config = load_config(path, environ={"FS_DB": "postgresql://fs@db/fs"})

    assert (config.store_url, config.store_schema) == ("postgresql://fs@db/fs", "fleet")


def test_a_store_with_both_a_path_and_a_url_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[store]\npath = "x.db"\nurl = "postgresql://db/fs"\n')

    with pytest.raises(ConfigurationError, match="not both"):
        load_config(path)


def test_a_url_that_is_not_postgresql_is_refused_without_quoting_it(tmp_path: Path) -> None:
    path = write(tmp_path, '[store]\nurl = "hunter2"\n')

    with pytest.raises(ConfigurationError) as raised:
        load_config(path)

    assert "hunter2" not in str(raised.value)


def test_initiate_run_due_and_the_worker_work_on_postgresql(
    tmp_path: Path, postgres_url: str, postgres_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_adapters.reset()
    url = make_conninfo(postgres_url, password="pw-never-shown")
    store = f'[store]\nurl = "${{FS_DB}}"\nschema = "{postgres_schema}"\n'
    path = write(tmp_path, store)
    environ = {"FS_DB": url}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environ.items():
            patch.setenv(name, value)
        assert main(["--config", str(path), "initiate", "Customers"]) == 0
        make_due(postgres_url, postgres_schema)
        assert main(["--config", str(path), "run", "--due"]) == 0
        make_due(postgres_url, postgres_schema)
        assert main(["--config", str(path), "worker", "--once"]) == 0
        shown = capsys.readouterr()
        assert main(["--config", str(path), "--json", "history", "Customers"]) == 0

    runs = json.loads(capsys.readouterr().out)
    assert [run["status"] for run in runs] == ["completed"] * 3
    assert "pw-never-shown" not in shown.out + shown.err


def make_due(url: str, schema: str) -> None:
    with PostgresStore(url, schema=schema) as store:
        (sync,) = store.list_syncs()
        sync.next_run_at = datetime.now(UTC) - timedelta(minutes=1)
        store.save_sync(sync)
