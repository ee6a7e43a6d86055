"""Guards against hostile or damaged files, and exports that cannot run formulas."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from perfloop.imports.problems import ImportRejected
from perfloop.imports.safety import MAX_FILE_BYTES, check_size, check_xlsx, is_formula_like, neutralise_cell
from perfloop.imports.tests.data import xlsx_bytes, zip_bomb

PURE_MODULES = [
    "aggregation",
    "file_check",
    "labels",
    "matching",
    "parsers",
    "presets",
    "problems",
    "profiles",
    "readers",
    "safety",
    "validation",
]


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil","x")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1:A2)",
        "\t=1+1",
        "＝1+1",
    ],
)
def test_formula_like_values_are_neutralised(value):
    assert is_formula_like(value)
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-12.5", "+86", "1,234", "15%", "甲公司", "", "a=b"])
def test_plain_values_are_left_alone(value):
    assert neutralise_cell(value) == value  # a signed number is a number, not a formula
    assert neutralise_cell(12) == 12


def test_size_limits():
    with pytest.raises(ImportRejected) as caught:
        check_size(MAX_FILE_BYTES + 1)
    assert caught.value.code == "file_too_large"
    with pytest.raises(ImportRejected) as caught:
        check_size(0)
    assert caught.value.code == "empty_file"


def test_a_real_workbook_passes_and_a_bomb_does_not():
    check_xlsx(xlsx_bytes([["a"], ["1"]]))
    with pytest.raises(ImportRejected) as caught:
        check_xlsx(zip_bomb())
    assert caught.value.code == "zip_bomb"


def test_a_zip_that_is_not_a_workbook_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ImportRejected) as caught:
        check_xlsx(buffer.getvalue())
    assert caught.value.code == "corrupt_xlsx"


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_import_no_django(module):
    """They run in benchmarks and workers without a database or settings."""
    source = (Path(__file__).resolve().parents[1] / f"{module}.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not [name for name in imported if name.split(".")[0] == "django"]
    local = [name for name in imported if name.startswith("perfloop.")]
    allowed = {
        *(f"perfloop.imports.{name}" for name in PURE_MODULES),
        "perfloop.imports",
        "perfloop.core.errors",
    }
    assert set(local) <= allowed, local
