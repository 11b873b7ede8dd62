"""Run fieldsync's benchmarks: ``python -m bench --quick`` (a few minutes) or ``--full``.

Writes ``docs/performance.md`` (between its markers) and ``bench/results/latest.json``.
Exits with status 1 when a benchmark crashed (a goal that is missed is reported, not an
error).
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from bench import (
    bulk_route,
    calls_per_run,
    fleet,
    fleet_cpu,
    immediate,
    memory,
    planner_throughput,
    rate_limit,
    scaling,
    shared_quota,
    store_cost,
)
from bench._harness import Result
from bench._report import machine, markdown, write_json, write_markdown

BENCHMARKS: dict[str, ModuleType] = {
    "planner": planner_throughput,
    "calls": calls_per_run,
    "ratelimit": rate_limit,
    "bulk": bulk_route,
    "memory": memory,
    "store": store_cost,
    "scaling": scaling,
    "fleet": fleet,
    "fleet-cpu": fleet_cpu,
    "processes": shared_quota,
    "immediate": immediate,
}
_ROOT = Path(__file__).resolve().parent.parent


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="smaller sizes, 3 rounds (default)")
    mode.add_argument("--full", action="store_true", help="the sizes of issue 6, 5+ rounds")
    parser.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help=f"comma-separated benchmarks to run (default: all of {', '.join(BENCHMARKS)})",
    )
    parser.add_argument("--docs", type=Path, default=_ROOT / "docs" / "performance.md")
    parser.add_argument("--json", type=Path, default=_ROOT / "bench" / "results" / "latest.json")
    return parser.parse_args(argv)


def _run_one(name: str, module: ModuleType, settings: Mapping[str, Any]) -> Result | None:
    started = time.perf_counter()
    print(f"[{name}] {dict(settings)} ...", flush=True)
    runner: Callable[..., Result] = module.run
    try:
        result = runner(**settings)
    except Exception:
        traceback.print_exc()
        print(f"[{name}] crashed", flush=True)
        return None
    verdict = "met" if result.met else "NOT met"
    elapsed = time.perf_counter() - started
    print(f"[{name}] {result.headline} -> goal {verdict} ({elapsed:.0f} s)", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks and write both outputs. The exit status."""
    args = _arguments(argv)
    mode = "full" if args.full else "quick"
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    when = datetime.now(UTC)
    started = time.perf_counter()
    results: list[Result] = []
    crashed: list[str] = []
    for name in chosen:
        module = BENCHMARKS[name]
        result = _run_one(name, module, module.FULL if args.full else module.QUICK)
        if result is None:
            crashed.append(name)
        else:
            results.append(result)
    seconds = time.perf_counter() - started
    info = machine()
    write_markdown(args.docs, markdown(results, info, mode=mode, when=when))
    write_json(args.json, results, info, mode=mode, when=when, seconds=seconds)
    print(f"wrote {args.docs} and {args.json} ({seconds:.0f} s)")
    if crashed:
        print(f"crashed: {', '.join(crashed)}", file=sys.stderr)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
