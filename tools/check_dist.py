"""Check what ``make dist`` built: the sdist holds the source, the manual and the examples;
the wheel holds the package with its type marker and entry points; both carry the version
of ``src/fieldsync/__about__.py``.

    python tools/check_dist.py dist
"""

from __future__ import annotations

import argparse
import re
import sys
import tarfile
import zipfile
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
# folders of the checkout the sdist must hold whole (a reader builds the docs and runs the
# examples and tests from it), and single files it must hold
WHOLE = ("src", "docs", "examples", "tests")
FILES = ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "mkdocs.yml", "Makefile")
# in the wheel: the package, typed, with its command and pytest plugin
WHEEL_FILES = ("fieldsync/__init__.py", "fieldsync/py.typed", "fieldsync/testing/pytest_plugin.py")
ENTRY_POINTS = ("fieldsync = fieldsync.cli:main", "fieldsync = fieldsync.testing.pytest_plugin")
_JUNK = re.compile(r"(^|/)(__pycache__|\.pytest_cache|\.mypy_cache)(/|$)|\.pyc$|\.db$")


def version(checkout: Path = CHECKOUT) -> str:
    """The version the build reads (``__version__`` of ``src/fieldsync/__about__.py``)."""
    text = (checkout / "src" / "fieldsync" / "__about__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if found is None:
        raise SystemExit("src/fieldsync/__about__.py sets no __version__")
    return found.group(1)


def _checkout_files(checkout: Path) -> set[str]:
    files = {name for name in FILES if (checkout / name).is_file()}
    for folder in WHOLE:
        for path in (checkout / folder).rglob("*"):
            relative = path.relative_to(checkout).as_posix()
            if path.is_file() and not _JUNK.search(relative):
                files.add(relative)
    return files


def problems(dist: Path, checkout: Path = CHECKOUT) -> list[str]:
    """What is wrong with the sdist and wheel in ``dist`` (nothing: an empty list)."""
    expected = version(checkout)
    sdists, wheels = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
    if (len(sdists), len(wheels)) != (1, 1):
        return [f"{dist} should hold one sdist and one wheel, not {sdists + wheels}"]
    found: list[str] = []
    sdist, wheel = sdists[0], wheels[0]
    if sdist.name != f"fieldsync-{expected}.tar.gz":
        found.append(f"the sdist is {sdist.name}, not of version {expected}")
    if not wheel.name.startswith(f"fieldsync-{expected}-py3-none-any"):
        found.append(f"the wheel is {wheel.name}, not a pure wheel of version {expected}")

    with tarfile.open(sdist) as archive:
        prefix = f"fieldsync-{expected}/"
        held = {m.name.removeprefix(prefix) for m in archive.getmembers() if m.isfile()}
    missing = sorted(_checkout_files(checkout) - held)
    if missing:
        found.append(f"the sdist lacks {len(missing)} file(s) of the checkout: {missing[:10]}")
    junk = sorted(name for name in held if _JUNK.search(name))
    if junk:
        found.append(f"the sdist holds build or cache files: {junk[:10]}")

    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(
            (archive.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt")),
            "",
        )
    absent = [name for name in WHEEL_FILES if name not in names]
    if absent:
        found.append(f"the wheel lacks {absent}")
    strays = sorted(n for n in names if not n.startswith(("fieldsync/", "fieldsync-")))
    if strays:
        found.append(f"the wheel holds files outside the package: {strays[:10]}")
    lacking = [line for line in ENTRY_POINTS if line not in entry_points]
    if lacking:
        found.append(f"the wheel's entry points lack {lacking}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="the folder make dist built into (dist)")
    args = parser.parse_args()
    found = problems(args.dist)
    if found:
        print("the distributions are incomplete:", *found, sep="\n  ")
        sys.exit(1)
    print(f"{args.dist}: the sdist and the wheel of fieldsync {version()} hold what they should")


if __name__ == "__main__":
    main()
