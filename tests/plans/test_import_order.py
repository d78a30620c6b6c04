"""The plan modules depend on each other one way: tasks -> pdf -> queries -> plan.

Issue 15 found the circle pdf -> services.plans -> tasks -> pdf, held together by
imports inside functions. The graph test reads every import, function-level ones
included; the fresh-import test imports each module first in a new interpreter.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

MODULES = (
    "assessments.plan",
    "assessments.plan_facts",
    "assessments.plan_text",
    "assessments.queries.plans",
    "assessments.services.plan_files",
    "assessments.services.plans",
    "assessments.tasks",
    "assessments.pdf",
    "assessments.views.plans",
)


def _path(module: str) -> Path:
    return Path(settings.BASE_DIR, *module.split(".")).with_suffix(".py")


def _imports(module: str) -> set[str]:
    """Every assessments module that `module` imports, at the top or inside a function."""
    found: set[str] = set()
    tree = ast.parse(_path(module).read_text())
    # Imports under `if TYPE_CHECKING:` never run: they are for the type checker only.
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(name for name in names if name in MODULES and name != module)
    return found


def test_the_plan_modules_import_each_other_one_way():
    graph = {module: _imports(module) for module in MODULES}

    def reaches(start: str, goal: str, seen: frozenset = frozenset()) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in graph[start]
        )

    circles = [m for m in MODULES if reaches(m, m)]
    assert circles == [], graph
    # The direction the layout promises.
    assert "assessments.pdf" not in graph["assessments.services.plans"]
    assert "assessments.services.plans" not in graph["assessments.pdf"]
    assert "assessments.services.plans" not in graph["assessments.tasks"]


@pytest.mark.parametrize("module", MODULES)
def test_each_plan_module_imports_fresh_on_its_own(module):
    code = f"import django; django.setup(); import {module}"
    result = subprocess.run(  # noqa: S603 - our own interpreter and a module name from above
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "clientreview.settings"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
