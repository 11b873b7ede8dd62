"""The layers of the tree: the domain depends on nothing else of fieldsync, the errors'
module only on the domain, no module reaches into another package's private modules, and
no two modules import each other (not even through a late import)."""

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


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of the nodes under ``if TYPE_CHECKING:`` (imports for annotations only)."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(inner) for child in node.body for inner in ast.walk(child))
    return hidden


def imported_modules(path: Path, *, for_types: bool) -> set[str]:
    """The fieldsync modules ``path`` imports, anywhere in it (late imports in functions
    included); ``from package import module`` counts as importing the module. With
    ``for_types=False``, imports under ``if TYPE_CHECKING:`` are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = set() if for_types else _type_checking_only(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [f"{node.module}.{a.name}" for a in node.names]
            names.update([m for m in modules if m in MODULES] or [node.module])
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name in MODULES}


def _package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_a_module_imports_private_modules_of_its_own_package_only(module: str) -> None:
    reaching = sorted(
        imported
        for imported in imported_modules(MODULES[module], for_types=True)
        if imported.rpartition(".")[2].startswith("_")
        and not (module + ".").startswith(_package_of(imported) + ".")
    )

    assert reaching == []


def test_the_modules_import_each_other_without_a_cycle() -> None:
    # A module importing its own package (`from fieldsync.http import _tenacity` inside
    # fieldsync.http) is not a cycle: the package is already being imported.
    graph = {
        module: {
            imported
            for imported in imported_modules(path, for_types=False)
            if not module.startswith(imported + ".")
        }
        for module, path in MODULES.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for imported in sorted(graph[module]):
            if state.get(imported) == 1:
                cycles.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                visit(imported)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)

    assert cycles == []
