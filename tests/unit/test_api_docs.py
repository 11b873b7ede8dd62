"""docs/api.md documents every public name, under a public import path."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

from test_public_api import PUBLIC_MODULES

API = Path(__file__).parents[2] / "docs" / "api.md"


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


def _documented() -> tuple[list[str], set[int]]:
    paths = re.findall(r"^::: (\S+)$", API.read_text(encoding="utf-8"), re.MULTILINE)
    objects: set[int] = set()
    for path in paths:
        thing = _resolve(path)
        objects.add(id(thing))
        if isinstance(thing, ModuleType):
            objects.update(id(getattr(thing, name)) for name in getattr(thing, "__all__", ()))
    return paths, objects


def test_every_public_name_is_in_the_api_reference() -> None:
    _, documented = _documented()
    missing = [
        f"{module_name}.{name}"
        for module_name in PUBLIC_MODULES
        for name in importlib.import_module(module_name).__all__
        if name != "__version__"
        and id(getattr(importlib.import_module(module_name), name)) not in documented
    ]

    assert missing == []


def test_the_reference_uses_public_import_paths_only() -> None:
    paths, _ = _documented()
    private = [p for p in paths if any(part.startswith("_") for part in p.split("."))]
    internal = [p for p in paths if ".domain." in p or ".service." in p or ".stores." in p]

    assert (private, internal) == ([], [])
