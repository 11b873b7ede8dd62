"""Every example in examples/ runs to completion (they are documentation that must not rot)."""

import runpy
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))
# Examples that are pytest modules run in a pytest of their own, not inside this one.
PYTEST_MODULES = [p for p in EXAMPLES if "\ndef test_" in p.read_text(encoding="utf-8")]
SCRIPTS = [p for p in EXAMPLES if p not in PYTEST_MODULES]


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_example_runs(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(path), run_name="__main__")

    assert capsys.readouterr().out.strip() != ""


@pytest.mark.parametrize("path", PYTEST_MODULES, ids=lambda p: p.name)
def test_example_test_module_passes(path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, check=False
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout
