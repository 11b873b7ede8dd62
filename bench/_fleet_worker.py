"""The processes of the fleet benchmark (spawned: each imports what it needs itself).

- :func:`worker`: what `fieldsync worker` does (``run_due`` until nothing is due), on one
  PostgreSQL store, with integrations resolved from the served organizations.
- :func:`bare_loop`: the baseline: the same ``json/listsubscribe`` calls, one contact
  each, posted with httpx by as many threads as fieldsync keeps in flight, nothing else.

Both wait for the start signal, then report ``(contacts, cpu seconds, wall seconds)``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Any

import httpx

CONCURRENCY = 4  # Campaigns calls in flight, fieldsync's default and the baseline's threads


def _client() -> httpx.Client:
    return httpx.Client(timeout=60.0, limits=httpx.Limits(max_connections=CONCURRENCY * 4))


def worker(
    url: str, schema: str, base_url: str, specs: Sequence[Any], go: Event, out: Connection
) -> None:
    """Run the due syncs until none is due; send (contacts sent, CPU s, wall s)."""
    import fieldsync as fs

    store = fs.PostgresStore(url, schema=schema, max_size=2)
    by_name = {spec.name: spec for spec in specs}
    # One client for every organization, as a fleet's resolver should: a new httpx.Client
    # builds a TLS context (about 30 ms of CPU), more than a small sync's calls cost.
    client = _client()

    def resolve(name: str) -> fs.Integration | None:
        spec = by_name.get(name)
        if spec is None:
            return None
        return spec.integration(base_url, client=client, store=store, concurrency=CONCURRENCY)

    service = fs.SyncService(store=store, resolver=resolve)
    go.wait()
    cpu, wall = time.process_time(), time.perf_counter()
    sent = 0
    while True:
        runs = service.run_due()
        if not runs:
            break
        sent += sum(run.added + run.updated for run in runs)
    out.send((sent, time.process_time() - cpu, time.perf_counter() - wall))
    store.close()
    client.close()


def bare_loop(
    base_url: str, calls: Sequence[tuple[str, str, bytes]], go: Event, out: Connection
) -> None:
    """Post ``calls`` (organization, access token, the form body fieldsync sent) to
    ``json/listsubscribe``; send (calls answered, CPU s, wall s)."""
    client = _client()
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def post(call: tuple[str, str, bytes]) -> bool:
        name, token, body = call
        response = client.post(
            f"{base_url}/{name}/api/v1.1/json/listsubscribe",
            content=body,
            headers={**form, "Authorization": f"Zoho-oauthtoken {token}"},
        )
        return response.status_code == 200 and json.loads(response.text).get("status") == "success"

    go.wait()
    cpu, wall = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        answered = sum(pool.map(post, calls))
    out.send((answered, time.process_time() - cpu, time.perf_counter() - wall))
    client.close()
