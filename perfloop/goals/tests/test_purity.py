"""The pure modules of goals import no Django, directly or through other perfloop modules."""

import ast
import importlib.util
from pathlib import Path

import pytest

PURE = [
    "perfloop.goals.cascade",
    "perfloop.goals.suggestions",
    "perfloop.goals.fairness",
    "perfloop.goals.agreement",
    "perfloop.goals.goal_files",
]


def _imports(module: str) -> set[str]:
    spec = importlib.util.find_spec(module)
    assert spec is not None
    assert spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_never_import_django(module):
    seen, pending = set(), [module]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        for name in _imports(current):
            assert not name.startswith("django"), f"{current} imports {name}"
            if name.startswith("perfloop."):
                pending.append(name)
