"""``fs.PostgresStore`` is loaded on first use: fieldsync works without psycopg installed."""

from __future__ import annotations

import subprocess
import sys

import fieldsync
import fieldsync.stores
from fieldsync.stores.postgres import PostgresStore

# psycopg made unimportable, as in an install without the postgres extra
_WITHOUT_PSYCOPG = "import sys; sys.modules['psycopg'] = None; sys.modules['psycopg_pool'] = None; "


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_PSYCOPG + code], capture_output=True, text=True, check=False
    )


def test_both_public_paths_name_the_class_and_list_it() -> None:
    assert fieldsync.PostgresStore is fieldsync.stores.PostgresStore is PostgresStore
    assert "PostgresStore" in fieldsync.__all__
    assert "PostgresStore" in fieldsync.stores.__all__


def test_fieldsync_imports_without_psycopg() -> None:
    done = _run("import fieldsync as fs; fs.SQLiteStore(':memory:').close(); print('ok')")

    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr


def test_without_psycopg_the_store_names_the_extra_to_install() -> None:
    done = _run("import fieldsync as fs; fs.PostgresStore")

    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "ImportError: PostgresStore needs psycopg: pip install 'fieldsync[postgres]'"
    )
