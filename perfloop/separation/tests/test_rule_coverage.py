"""Every rule id of every pack is named by at least one test (in its name or its docstring)."""

from __future__ import annotations

import ast
from pathlib import Path

from perfloop.separation.law.registry import PACKS

TESTS = Path(__file__).parent


def _test_texts() -> list[str]:
    texts: list[str] = []
    for path in TESTS.glob("test_*.py"):
        if path.name == Path(__file__).name:
            continue
        texts.extend(
            f"{node.name.upper().replace('_', '-')} {ast.get_docstring(node) or ''}"
            for node in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        )
    return texts


def test_every_rule_id_has_a_test_that_names_it():
    texts = _test_texts()
    missing = [
        rule_id
        for pack in PACKS.values()
        for rule_id in pack.rules
        if not any(rule_id in text for text in texts)
    ]
    assert missing == []
