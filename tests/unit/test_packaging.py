"""What the installed distribution says about itself (the metadata pip and PyPI show)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
import zipfile
from importlib.metadata import metadata
from pathlib import Path

import pytest

META = metadata("fieldsync")


def test_the_mit_license_text_ships_with_the_distribution() -> None:
    license_file = Path(__file__).parents[2] / "LICENSE"

    assert ("MIT", ["LICENSE"]) == (META["License-Expression"], META.get_all("License-File"))
    assert license_file.read_text(encoding="utf-8").startswith("MIT License")


def test_the_project_links_are_declared() -> None:
    names = {entry.split(",")[0] for entry in META.get_all("Project-URL") or []}

    assert {"Homepage", "Documentation", "Changelog", "Issues"} == names


def test_the_classifiers_name_the_status_and_each_supported_python() -> None:
    classifiers = set(META.get_all("Classifier") or [])

    assert {
        "Development Status :: 3 - Alpha",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
    } <= classifiers


def test_the_extras_are_declared() -> None:
    assert {"testing", "otel"} <= set(META.get_all("Provides-Extra") or [])


# -- make dist: what the sdist and the wheel hold (tools/check_dist.py) -------------------

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import check_dist  # noqa: E402


def _fake_dist(tmp_path: Path, *, leave_out: str = "") -> Path:
    """A dist/ as make dist builds it from this checkout, less the files under leave_out."""
    version = check_dist.version()
    dist = tmp_path / "dist"
    dist.mkdir()
    with tarfile.open(dist / f"fieldsync-{version}.tar.gz", "w:gz") as sdist:
        for name in sorted(check_dist._checkout_files(ROOT)):
            if not (leave_out and name.startswith(leave_out)):
                sdist.add(ROOT / name, arcname=f"fieldsync-{version}/{name}")
    with zipfile.ZipFile(dist / f"fieldsync-{version}-py3-none-any.whl", "w") as wheel:
        for name in check_dist.WHEEL_FILES:
            wheel.write(ROOT / "src" / name, name)
        wheel.writestr(
            f"fieldsync-{version}.dist-info/entry_points.txt",
            "[console_scripts]\nfieldsync = fieldsync.cli:main\n\n"
            "[pytest11]\nfieldsync = fieldsync.testing.pytest_plugin\n",
        )
    return dist


def test_a_complete_dist_passes_the_check(tmp_path: Path) -> None:
    assert check_dist.problems(_fake_dist(tmp_path)) == []


@pytest.mark.parametrize("folder", ["examples/", "docs/", "tests/"])
def test_an_sdist_without_a_folder_of_the_checkout_fails_the_check(
    tmp_path: Path, folder: str
) -> None:
    (problem,) = check_dist.problems(_fake_dist(tmp_path, leave_out=folder))

    assert problem.startswith("the sdist lacks")
    assert f"'{folder}" in problem


def test_the_sdist_config_names_the_folders_the_check_wants() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]

    assert {f"/{folder}" for folder in check_dist.WHOLE} <= set(include)
    assert {f"/{name}" for name in check_dist.FILES} <= set(include)


def test_make_dist_builds_and_checks_both_distributions() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ndist: ", 1)[1].split("\n\n", 1)[0]

    assert "-m build" in recipe
    assert "tools/check_dist.py dist" in recipe
    assert "twine check --strict dist/*" in recipe


def test_the_built_sdist_and_wheel_hold_what_they_should(tmp_path: Path) -> None:
    # the real build, where the environment has PyPA's build and hatchling (the dev extra
    # brings build; --no-isolation uses this environment's hatchling instead of PyPI's)
    pytest.importorskip("build", reason="PyPA's build is not installed here")
    pytest.importorskip("hatchling", reason="hatchling is not installed here")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert check_dist.problems(tmp_path) == []
