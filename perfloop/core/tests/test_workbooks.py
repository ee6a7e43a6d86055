"""Workbooks open in Excel and WPS without running anything a cell says."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import fastexcel
import pytest

from perfloop.core.workbooks import MAX_CELL_CHARACTERS, Sheet, fitted_text, safe_text, workbook_bytes


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_look_like_formulas_are_written_as_quoted_text(start):
    hostile = f'{start}HYPERLINK("https://evil.example","x")'
    assert safe_text(hostile) == f"'{hostile}"
    assert safe_text("李明") == "李明"
    content = workbook_bytes([Sheet(title="t", header=[hostile], rows=[[hostile, Decimal("-5"), None]])])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere
    rows = fastexcel.read_excel(content).load_sheet(0, header_row=None).to_polars().rows()
    assert rows[0][0] == rows[1][0] == f"'{hostile}"
    assert rows[1][1] == -5  # numbers stay numbers, negative ones included


def test_a_text_too_long_for_a_cell_is_cut_visibly_not_silently():
    text = "x" * 200_000
    fitted = fitted_text(text)
    assert len(fitted) == MAX_CELL_CHARACTERS
    assert "200,000" in fitted
    assert fitted_text("short") == "short"
    content = workbook_bytes([Sheet(title="t", header=["h"], rows=[[text]])])
    (cell,) = fastexcel.read_excel(content).load_sheet(0).to_polars().row(0)
    assert cell == fitted
