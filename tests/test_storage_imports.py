"""The storage package's import rules: no cycles inside it, no private names used across its
modules, and the model below it never imports it (issue 16)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

import township_atlas

STORAGE = "township_atlas.storage"
#: The model storage builds on: it must not import storage.
MODEL = (
    "township_atlas.model.schema",
    "township_atlas.model.bundle",
    "township_atlas.checks",
    "township_atlas.checks.layers",
    "township_atlas.checks.geography",
    "township_atlas.checks.party",
    "township_atlas.checks.references",
    "township_atlas.errors",
    "township_atlas.settings",
)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("township_atlas")


def _storage_modules(graph: grimp.ImportGraph) -> list[str]:
    return sorted(m for m in graph.modules if m == STORAGE or m.startswith(STORAGE + "."))


def test_no_module_of_storage_imports_another_in_a_cycle(graph):
    cycles = [
        (a, b)
        for a in _storage_modules(graph)
        for b in graph.find_modules_directly_imported_by(a)
        if b.startswith(STORAGE + ".") and graph.chain_exists(importer=b, imported=a)
    ]
    assert cycles == []


def test_storage_imports_only_the_model_beneath_it(graph):
    outside = {
        imported
        for module in _storage_modules(graph)
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("township_atlas.") and not imported.startswith(STORAGE)
    }
    assert outside <= set(MODEL)


@pytest.mark.parametrize("model", MODEL)
def test_the_model_never_imports_storage(graph, model):
    assert not graph.chain_exists(importer=model, imported=STORAGE, as_packages=True)


def test_no_private_name_of_a_storage_module_is_used_by_another_module():
    root = Path(township_atlas.__file__).parent
    used = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(STORAGE):
                used += [
                    f"{path.relative_to(root)}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
    assert used == []


def test_no_storage_module_reaches_into_another_objects_private_members():
    root = Path(township_atlas.__file__).parent / "storage"
    reached = [
        f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}"
        for path in sorted(root.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
    ]
    assert reached == []
