"""The README's "Use it" example runs clean under ``python -W error`` against the Zoho
emulators: no warning, nothing on stderr, and everything it opens closed by the end (checked
directly too, since Python before 3.13 does not warn about an unclosed SQLite database)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"

# Stands in for Zoho: the README's adapters are made against EmulatedZoho, whatever
# credentials, organization and list key the README spells.
DRIVER = """
import httpx

import fieldsync as fs
import fieldsync.zoho as zoho
from fieldsync.testing.emulators import EmulatedZoho
from fieldsync.testing.emulators import world as _world

world = EmulatedZoho.build(contacts=40, seed=5)
clients = []
opened = []


def tracked(real):
    class Tracked(real):
        closed = False

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            opened.append(self)

        def close(self):
            super().close()
            self.closed = True

    return Tracked


real_auth, real_source, real_target = (
    tracked(zoho.ZohoOAuth), tracked(zoho.ZohoInvoiceSource), tracked(zoho.ZohoCampaignsTarget)
)
fs.SQLiteStore = tracked(fs.SQLiteStore)


def client(transport):
    clients.append(httpx.Client(transport=transport))
    return clients[-1]


def auth(**_readme_credentials):
    return real_auth(
        client_id=_world._CLIENT_ID,
        client_secret=_world._CLIENT_SECRET,
        refresh_token=_world._REFRESH_TOKEN,
        client=client(world.accounts),
        clock=world.clock,
    )


def source(auth, *, organization_id):
    organization_id = world.organization.organization_id
    return real_source(
        auth, organization_id=organization_id, client=client(world.invoice), clock=world.clock
    )


def target(auth):
    return real_target(auth, client=client(world.campaigns), clock=world.clock, concurrency=1)


zoho.ZohoOAuth, zoho.ZohoInvoiceSource, zoho.ZohoCampaignsTarget = auth, source, target
LIST_KEY = world.list_key
"""

CLEANUP = """
left_open = [type(thing).__mro__[1].__name__ for thing in opened if not thing.closed]
assert len(opened) == 4 and not left_open, f"left open: {left_open}"
for each in clients:
    each.close()
world.close()
"""


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Use it") :]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "the README's 'Use it' section has no python block"
    return match.group(1)


def test_the_readme_example_runs_clean_under_warnings_as_errors(tmp_path: Path) -> None:
    example = readme_example().replace('"3z9d..."', "LIST_KEY")
    script = tmp_path / "readme_example.py"
    script.write_text(DRIVER + example + CLEANUP, encoding="utf-8")

    done = subprocess.run(
        [sys.executable, "-W", "error", "-X", "dev", str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )

    assert (0, "") == (done.returncode, done.stderr), done.stderr
    assert "completed" in done.stdout
    assert (tmp_path / "skipped.csv").exists()
