"""The walls between packages hold (docs/architecture.md, "Walls"): checked on the imports."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("neurallog", "neurallog_api", "neurallog_local")


def _python_files(package_dir: Path) -> list[Path]:
    return sorted(package_dir.rglob("*.py"))


def _imports(path: Path) -> Iterator[tuple[str, bool]]:
    """Yield (imported top-level package, at module level?) for every absolute import."""
    tree = ast.parse(path.read_text(), filename=str(path))
    module_level = set()
    for node in tree.body:
        if _is_type_checking_block(node):
            continue  # never executed at run time
        module_level.add(id(node))
        if isinstance(node, ast.If | ast.Try):
            # Imports under a module-level if/try still run at import time.
            module_level.update(id(child) for child in ast.walk(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], id(node) in module_level
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], id(node) in module_level


def _is_type_checking_block(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _violations(package: str, forbidden: set[str], *, module_level_only: bool) -> list[str]:
    base = ROOT / ("generated" if package == "neurallog_api" else "") / package
    found = []
    for path in _python_files(base):
        for name, at_module_level in _imports(path):
            if name in forbidden and (at_module_level or not module_level_only):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize(
    ("package", "forbidden", "module_level_only"),
    [
        # The generated client knows nothing of the overlay or the server.
        ("neurallog_api", {"neurallog", "neurallog_local"}, False),
        # NeuralLog Local is an independent implementation of openapi.yaml.
        ("neurallog_local", {"neurallog", "neurallog_api"}, False),
        # The SDK may start the local server lazily (`neurallog local`), never at import.
        ("neurallog", {"neurallog_local"}, True),
    ],
)
def test_package_walls(package: str, forbidden: set[str], module_level_only: bool) -> None:
    assert _violations(package, forbidden, module_level_only=module_level_only) == []


def test_the_scanner_sees_imports() -> None:
    # Guards the test above against passing vacuously (e.g. a wrong path finds no files).
    found = {name for path in _python_files(ROOT / "neurallog") for name, _ in _imports(path)}
    assert "neurallog_api" in found
    assert "httpx" in found


def test_optional_frameworks_are_not_imported_by_the_core() -> None:
    frameworks = {
        "flask",
        "django",
        "fastapi",
        "starlette",
        "structlog",
        "loguru",
        "requests",
        "uvicorn",
        "opentelemetry",
    }
    core = [p for p in _python_files(ROOT / "neurallog") if "integrations" not in p.parts]
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in core
        for name, at_module_level in _imports(path)
        if name in frameworks and at_module_level
    ]
    assert offenders == []
