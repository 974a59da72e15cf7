"""The layout shows the architecture: the engine imports no feature package, feature packages
import each other in one direction only, and function-level imports stay where Flask needs
them (the app factory)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "recognition"
FEATURES = (
    "accounts",
    "partners",
    "nominees",
    "programmes",
    "nominations",
    "letters",
    "lifetimes",
    "review",
    "deliberation",
    "audit",
    "secretariat",
    "stages",
    "public",
    "reading",
    "reports",
)
PACKAGES = (*FEATURES, "notifications", "workflow")


def _runtime_imports(tree: ast.AST):
    """Import statements that run (those under ``if TYPE_CHECKING:`` do not)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level >= 1 and node.module:
            yield node


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        source = path.relative_to(PACKAGE).parts[0]
        if source not in PACKAGES:
            continue
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            target = node.module.split(".")[0] if node.level == 2 else source
            if target in PACKAGES and target != source:
                edges[source].add(target)
    return edges


def test_the_engine_imports_no_feature_package():
    assert _edges()["workflow"] == set()


def test_packages_import_each_other_without_cycles():
    edges = _edges()

    def reachable(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in edges[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    assert [p for p in PACKAGES if p in reachable(p)] == []


def test_function_level_imports_of_the_project_only_in_the_app_factory():
    found = []
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.level >= 1:
                    found.append(f"{path.relative_to(PACKAGE)}:{function.name}")
    assert sorted(set(found)) == ["__init__.py:create_app"]
