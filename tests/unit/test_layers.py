"""The layers of the tree: the domain depends on nothing else of fieldsync, the errors'
module only on the domain."""

import ast
from pathlib import Path

import pytest

import fieldsync

PACKAGE = Path(fieldsync.__file__).parent


def imported_fieldsync_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.split(".")[0] == "fieldsync"}


@pytest.mark.parametrize(
    "path", sorted((PACKAGE / "domain").glob("*.py")), ids=lambda path: path.name
)
def test_a_domain_module_imports_only_the_domain(path: Path) -> None:
    outside = {m for m in imported_fieldsync_modules(path) if not m.startswith("fieldsync.domain")}
    assert set() == outside


def test_the_exceptions_module_imports_only_the_domain() -> None:
    imported = imported_fieldsync_modules(PACKAGE / "exceptions.py")
    assert {m for m in imported if not m.startswith("fieldsync.domain")} == set()
