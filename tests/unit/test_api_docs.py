"""docs/reference/ documents every public name, under a public import path.

The public API is the ``__all__`` of the public modules (test_public_api.PUBLIC_MODULES),
as docs/reference/index.md states; this file checks that the reference documents all of it.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest
from test_public_api import PUBLIC_MODULES

import fieldsync

REFERENCE = Path(__file__).parents[2] / "docs" / "reference"
DOMAIN_MODULES = [m for m in PUBLIC_MODULES if m.startswith("fieldsync.domain.")]

# `::: path` and, indented under it, `members: false` or `members: [a, b]`
_DIRECTIVE = re.compile(r"^::: (\S+)\n(?:(?:    .*\n)*?\s+members: (false|\[[^\]]*\]))?", re.M)


def _resolve(path: str) -> object:
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            thing: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            thing = getattr(thing, attribute)
        return thing
    raise AssertionError(f"{path} does not resolve")


def _directives() -> list[tuple[str, list[str] | None]]:
    """Each ``::: path`` of the reference, with its members when the page lists them."""
    found: list[tuple[str, list[str] | None]] = []
    for page in sorted(REFERENCE.glob("*.md")):
        for path, members in _DIRECTIVE.findall(page.read_text(encoding="utf-8") + "\n"):
            if not members:
                found.append((path, None))
            elif members == "false":
                found.append((path, []))
            else:
                found.append((path, [m.strip() for m in members[1:-1].split(",") if m.strip()]))
    return found


def _documented() -> dict[str, object]:
    """Every documented path, a module's members included, and the object it names."""
    documented: dict[str, object] = {}
    for path, members in _directives():
        thing = _resolve(path)
        documented[path] = thing
        if isinstance(thing, ModuleType):
            names = getattr(thing, "__all__", ()) if members is None else members
            documented.update({f"{path}.{name}": getattr(thing, name) for name in names})
    return documented


def _is_documented(module: str, name: str, value: object, documented: dict[str, object]) -> bool:
    if f"{module}.{name}" in documented:
        return True
    if isinstance(value, type | ModuleType) or callable(value):
        return any(thing is value for thing in documented.values())
    # a constant (a string, a number) is only documented under its own name
    return any(
        path.rsplit(".", 1)[-1] == name and thing is value for path, thing in documented.items()
    )


def test_every_public_name_is_in_the_reference() -> None:
    documented = _documented()
    missing = [
        f"{module_name}.{name}"
        for module_name in PUBLIC_MODULES
        for name in importlib.import_module(module_name).__all__
        if name != "__version__"
        and not _is_documented(
            module_name, name, getattr(importlib.import_module(module_name), name), documented
        )
    ]

    assert missing == [], f"public names no page of docs/reference/ documents: {missing}"


def test_every_domain_module_has_its_section() -> None:
    paths = {path for path, _ in _directives()}

    assert [m for m in DOMAIN_MODULES if m not in paths] == []


def test_the_reference_uses_public_import_paths_only() -> None:
    private = [path for path, _ in _directives() if any(p.startswith("_") for p in path.split("."))]

    assert private == []


@pytest.mark.parametrize("page", sorted(p.name for p in REFERENCE.glob("*.md")))
def test_every_reference_page_is_in_the_navigation(page: str) -> None:
    nav = (REFERENCE.parents[1] / "mkdocs.yml").read_text(encoding="utf-8")

    assert f"reference/{page}" in nav


def test_the_finder_sees_a_name_no_page_documents() -> None:
    documented = _documented()

    assert not _is_documented("fieldsync.http", "Missing", type("Missing", (), {}), documented)
    assert _is_documented("fieldsync", "SQLiteStore", fieldsync.SQLiteStore, documented)


def test_every_public_constant_has_a_docstring_the_reference_shows() -> None:
    # classes and functions: test_public_api; a constant's docstring is the string after
    # it, which only a static reader (griffe, what mkdocstrings uses) sees
    griffe = pytest.importorskip("griffe")
    package = griffe.load("fieldsync", search_paths=[str(REFERENCE.parents[1] / "src")])
    bare = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if name.startswith("__") or isinstance(value, type | ModuleType) or callable(value):
                continue
            path = f"{module_name}.{name}".removeprefix("fieldsync.")
            if package[path].docstring is None:
                bare.append(f"{module_name}.{name}")

    assert bare == [], f"public constants without a docstring after them: {bare}"
