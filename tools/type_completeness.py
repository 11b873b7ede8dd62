"""Fail when ``pyright --verifytypes fieldsync`` scores the public API under a floor.

Run by ``make types``. pyright must see fieldsync as an installed package, not as the
source folder it auto-adds when run from the checkout, so it runs from an empty folder with
this interpreter's environment.

    python tools/type_completeness.py [--floor 0.995]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def score(package: str = "fieldsync") -> tuple[float, list[str]]:
    """The completeness score (0..1) and pyright's messages about the public API."""
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent)) or "pyright"
    # pyright finds the environment through VIRTUAL_ENV and the python first on PATH.
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "VIRTUAL_ENV": sys.prefix,
        "PATH": bin_dir + os.pathsep + os.environ["PATH"],
    }
    with tempfile.TemporaryDirectory() as empty:
        done = subprocess.run(
            [
                pyright,
                "--pythonpath",
                sys.executable,
                "--verifytypes",
                package,
                "--ignoreexternal",
                "--outputjson",
            ],
            capture_output=True,
            text=True,
            cwd=empty,
            env=env,
            check=False,
        )
    report = json.loads(done.stdout)
    completeness = report["typeCompleteness"]
    if not completeness["modules"]:
        raise SystemExit(f"pyright did not find the {package} package:\n{done.stdout}")
    messages = [
        f"{d.get('file', '')}: {d['message']}"
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    # what lowers the score: exported symbols whose type pyright cannot be sure of
    messages += [
        f"{symbol['name']}: {diagnostic['message']}"
        for symbol in completeness["symbols"]
        if symbol["isExported"] and not symbol["isTypeKnown"]
        for diagnostic in symbol["diagnostics"]
        if diagnostic["severity"] == "error"
    ]
    return float(completeness["completenessScore"]), messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floor", type=float, default=0.995)
    args = parser.parse_args()
    value, messages = score()
    print(f"pyright --verifytypes fieldsync: {value:.1%} (floor {args.floor:.1%})")
    if value < args.floor:
        print("\n".join(messages))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
