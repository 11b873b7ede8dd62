"""The documentation's complete examples run clean under ``python -W error``: each page's
python blocks, run in order as one program, in a fresh interpreter and an empty folder.

Pages whose blocks are fragments (they continue a reader's own code, need Zoho credentials,
or show an error on purpose) are left out, each for the reason given in ``FRAGMENTS``; the
README's example gets its own test against the emulators (test_readme.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"

FRAGMENTS = {
    "console.md": "mounting recipes that continue a reader's own app (Starlette, FastAPI, Django)",
    "http.md": "fragments of an adapter's code (a target, a call)",
    "immediate.md": "mounts the receiver in a reader's app on their service (the receiver's "
    "tests run the same wiring)",
    "lifecycle.md": "shows an invalid transition raising, on purpose",
    "mapping.md": "fragments using a reader's source and target",
    "recipes.md": "recipes for other engines (Celery, Dramatiq, Airflow, Dagster, Temporal)",
    "scaling.md": "needs a PostgreSQL server and workers (tests/fleet runs the same wiring)",
    "stores.md": "opens a PostgreSQL server by its host name; the SQLite and contract parts "
    "are what the store tests run",
    "testing.md": "fragments of a reader's test module",
    "zoho.md": "needs Zoho credentials (test_readme.py runs the same wiring on emulators)",
    "zoho-campaigns.md": "needs Zoho credentials",
    "zoho-invoice.md": "needs Zoho credentials",
}


def blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)


PAGES = sorted(p for p in DOCS.glob("*.md") if blocks(p) and p.name not in FRAGMENTS)


def test_every_page_with_python_runs_or_says_why_not() -> None:
    with_python = {p.name for p in DOCS.glob("*.md") if blocks(p)}

    assert with_python == {p.name for p in PAGES} | set(FRAGMENTS)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_the_pages_examples_run_clean_under_warnings_as_errors(page: Path, tmp_path: Path) -> None:
    script = tmp_path / f"{page.stem}.py"
    script.write_text("\n".join(blocks(page)), encoding="utf-8")

    done = subprocess.run(
        [sys.executable, "-W", "error", "-X", "dev", str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )

    assert (0, "") == (done.returncode, done.stderr), done.stderr
