"""Commands starting together on an empty token cache make one mint (issue 19).

Before: 14 CLI commands started at once on one store each found no token and minted their
own: 10 mints (Zoho's whole 10-per-10-minutes budget), and 4 commands failed with "the next
one may be minted in 600 s". Now the first claims the mint (``MintLock``), the others wait
for the token it stores. Real processes (``_quota_child.py``, building the adapters the way
the CLI does) talk over loopback HTTP to the served emulators on a scaled clock; a gate
holds each one, imported and connected, until all are ready, then lets them go at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldsync.testing import ScaledClock
from fieldsync.testing.emulators.serve import EmulatorServer

CHILD = Path(__file__).with_name("_quota_child.py")


class Stampede:
    """The served emulators on a scaled clock, and commands started together on one store."""

    def __init__(self, server: EmulatorServer, clock: ScaledClock, store: dict[str, Any]):
        self.server = server
        self.clock = clock
        self.store = store

    def run(self, processes: int, gate: Path) -> list[dict[str, Any]]:
        credentials = self.server.credentials
        spec = {
            **self.store,
            "settings": {
                "type": "zoho",
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
                "refresh_token": credentials.refresh_token,
                "organization_id": self.server.organization.organization_id,
                **self.server.urls,
            },
            "factor": self.clock.factor,
            "origin": self.clock.origin,
            "gate": str(gate),
            "do": "token",
        }
        command = [sys.executable, str(CHILD), json.dumps(spec)]
        started = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(processes)
        ]
        deadline = time.monotonic() + 120.0
        while len(list(gate.glob("ready-*"))) < processes:
            assert time.monotonic() < deadline, "the commands never got ready"
            assert all(each.poll() is None for each in started), "a command died starting"
            time.sleep(0.01)
        (gate / "go").touch()
        answers = []
        for each in started:
            out, err = each.communicate(timeout=120)
            assert each.returncode == 0, err
            answers.append(json.loads(out.strip().splitlines()[-1]))
        return answers


@pytest.fixture(params=["sqlite", "postgres"])
def stampede(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stampede]:
    """Ten times real time (a claim of a minute lasts six seconds), on one SQLite file or
    one PostgreSQL schema."""
    if request.param == "sqlite":
        store: dict[str, Any] = {"store": str(tmp_path / "fieldsync.db")}
    else:
        url = request.getfixturevalue("postgres_url")
        store = {"postgres": {"url": url, "schema": request.getfixturevalue("postgres_schema")}}
    clock = ScaledClock(10.0, time.time())
    with EmulatorServer(port=0, contacts=10, seed=5, clock=clock) as server:
        yield Stampede(server, clock, store)


def check(stampede: Stampede, processes: int, gate: Path) -> None:
    gate.mkdir()
    answers = stampede.run(processes, gate)

    assert answers == [{"ok": True}] * processes
    assert stampede.server.accounts.minted == 1
    assert stampede.server.accounts.blocks == 0


def test_six_commands_starting_together_make_one_mint(stampede: Stampede, tmp_path: Path) -> None:
    check(stampede, 6, tmp_path / "gate")


@pytest.mark.soak
def test_fourteen_commands_starting_together_make_one_mint(
    stampede: Stampede, tmp_path: Path
) -> None:
    check(stampede, 14, tmp_path / "gate")
