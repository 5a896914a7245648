"""Mechanical house rules (docs/architecture.md), checked on the source."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "paht"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_workflow_is_pure():
    for path in (SRC / "workflow").glob("*.py"):
        for name in _imports(path):
            assert not name.startswith(("fastapi", "sqlalchemy", "starlette", "paht.models", "paht.db")), (path, name)


def test_models_do_not_import_services_or_web():
    for path in (SRC / "models").glob("*.py"):
        for name in _imports(path):
            assert name.startswith(("paht.models", "sqlalchemy", "__future__", "datetime", "uuid", "typing")), (
                path,
                name,
            )


def test_only_the_workflow_service_assigns_a_report_state():
    pattern = re.compile(r"\breport\.state\s*=[^=]")
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8")) and path != SRC / "reports" / "service.py"
    ]
    assert offenders == []


def test_services_never_commit():
    for path in SRC.rglob("service.py"):
        text = path.read_text(encoding="utf-8")
        assert ".commit()" not in text, f"{path} commits; only entry points may"
