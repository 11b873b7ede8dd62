"""The benchmarks still run: each one at a toy size, checked for the shape of its result.

Timings are never asserted on (they belong to ``make bench``); only that every benchmark
runs end to end and reports what the table needs.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # `bench` is a top-level package of the repository
    sys.path.insert(0, str(_ROOT))

from bench import (  # noqa: E402
    bulk_route,
    calls_per_run,
    fleet,
    fleet_cpu,
    immediate,
    memory,
    planner_throughput,
    rate_limit,
    scaling,
    store_cost,
)
from bench._harness import Result  # noqa: E402
from bench._report import END, START, machine, markdown, write_json, write_markdown  # noqa: E402

TOY: dict[str, Callable[[], Result]] = {
    "planner": lambda: planner_throughput.run(n=200, rounds=1),
    "scaling": lambda: scaling.run(sizes=(100, 200), rounds=1),
    "calls": lambda: calls_per_run.run(n=200, rounds=1),
    "store": lambda: store_cost.run(n=200, batches=(10, 50), rounds=1),
    "memory": lambda: memory.run(sizes=(200, 400), rounds=1),
    "bulk": lambda: bulk_route.run(n=60, rounds=1, factor=200.0),
    "ratelimit": lambda: rate_limit.run(
        n=40, rounds=1, factor=2000.0, concurrency=2, sequential_calls=10
    ),
    "immediate": lambda: immediate.run(seconds=1.0, scattered=3, bursts=0, rounds=1, window=0.3),
}


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    return {key: run() for key, run in TOY.items()}


@pytest.mark.parametrize("key", sorted(TOY))
def test_a_benchmark_reports_its_own_key(results: dict[str, Result], key: str) -> None:
    assert key == results[key].key


@pytest.mark.parametrize("key", sorted(TOY))
def test_a_benchmark_reports_finite_metrics(results: dict[str, Result], key: str) -> None:
    metrics = results[key].metrics

    assert metrics
    assert all(math.isfinite(metric.value) for metric in metrics)


@pytest.mark.parametrize("key", sorted(TOY))
def test_a_benchmark_says_whether_its_goal_is_met(results: dict[str, Result], key: str) -> None:
    assert isinstance(results[key].met, bool)


@pytest.mark.parametrize("key", sorted(TOY))
def test_a_benchmark_result_survives_json(results: dict[str, Result], key: str) -> None:
    as_dict = results[key].as_dict()

    assert as_dict == json.loads(json.dumps(as_dict))


def test_the_planner_benchmark_and_its_baseline_agree_on_what_to_send(
    results: dict[str, Result],
) -> None:
    result = results["planner"]

    expected = result.metric("records to send (hand)").value
    assert expected == result.metric("records to send (fieldsync)").value


def test_the_markdown_table_has_one_row_per_benchmark(results: dict[str, Result]) -> None:
    text = markdown(list(results.values()), machine(), mode="quick", when=datetime.now(UTC))

    rows = [line for line in text.splitlines() if line.startswith("| ") and " | " in line]
    titles = {r.title for r in results.values()}
    assert titles <= {row.split(" | ")[0].removeprefix("| ") for row in rows}


def test_writing_the_markdown_keeps_the_text_around_the_markers(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text(f"# Intro\n\n{START}\nold\n{END}\n\nOutro\n", encoding="utf-8")

    write_markdown(page, "new table")

    expected = f"# Intro\n\n{START}\n\nnew table\n{END}\n\nOutro\n"
    assert expected == page.read_text(encoding="utf-8")


def test_the_json_output_names_the_machine(results: dict[str, Result], tmp_path: Path) -> None:
    path = tmp_path / "latest.json"
    info = machine()

    write_json(path, list(results.values()), info, mode="quick", when=datetime.now(UTC), seconds=1)

    assert info == json.loads(path.read_text(encoding="utf-8"))["machine"]


def test_the_immediate_benchmark_sees_every_edit_reach_the_list(
    results: dict[str, Result],
) -> None:
    result = results["immediate"]

    assert result.metric("edits that reached the list").value == result.metric("edits").value
    assert result.metric("listsubscribe calls").value == result.metric("edits").value


def test_the_fleet_benchmark_runs_on_postgresql(postgres_url: str) -> None:
    result = fleet.run(organizations=2, contacts=4, rounds=1, processes=(1, 2), url=postgres_url)

    assert result.key == "fleet"
    assert all(math.isfinite(metric.value) for metric in result.metrics)
    speedup = result.metric("speed-up, 2 processes over 1").value
    assert result.met == (speedup >= fleet.GOAL_SCALING)  # the CPU goal is fleet-cpu's


def test_the_large_sync_cpu_benchmark_reports_only_the_cpu_goal(postgres_url: str) -> None:
    result = fleet_cpu.run(organizations=1, contacts=6, rounds=1, url=postgres_url)

    assert result.key == "fleet-cpu"
    assert result.met == (result.metric("CPU ratio").value <= fleet.GOAL_CPU)
    assert not any(metric.name.startswith("speed-up") for metric in result.metrics)
