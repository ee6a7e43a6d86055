"""Tables as XLSX workbooks that are safe to open in a spreadsheet: pure layout, no queries.

A text cell that starts with = + - @, a tab or a carriage return would be taken for a formula (or a
DDE payload) by Excel and WPS; such cells are written with a leading apostrophe so they read as text.
Names come from imports and HR systems, so every text cell goes through ``safe_text``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | Decimal | int | None


# Excel keeps at most this many characters in a cell; a longer text is cut here, visibly, not by Excel.
MAX_CELL_CHARACTERS = 32_767


def fitted_text(text: str) -> str:
    """Text that fits in one cell: a longer one is cut, and ends with "… (N)", N its whole length (no words:
    this module stays free of Django, and a number reads the same in every language)."""
    if len(text) <= MAX_CELL_CHARACTERS:
        return text
    marker = f"… ({len(text):,})"
    return text[: MAX_CELL_CHARACTERS - len(marker)] + marker


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as typed, never evaluates: formula-like starts get a leading quote."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@dataclass
class Sheet:
    """One worksheet: a title (≤ 31 characters, Excel's limit), a header row and the rows.

    ``percent_columns`` hold ratios (0.875) shown as 87.5%; other Decimals show as numbers.
    """

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    percent_columns: frozenset[int] = field(default_factory=frozenset)
    widths: Sequence[int] = ()


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as an XLSX file: bold frozen header, numbers as numbers, missing values left empty."""
    output = io.BytesIO()
    # Never turn strings into formulas or numbers behind our back: safe_text decides what a cell is.
    workbook = xlsxwriter.Workbook(
        output, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    bold = workbook.add_format({"bold": True, "bg_color": "#EEF1F5", "bottom": 1})
    number = workbook.add_format({"num_format": "#,##0.####"})
    ratio = workbook.add_format({"num_format": "0.0%"})
    for sheet in sheets:
        worksheet = workbook.add_worksheet(sheet.title[:31])
        for column, title in enumerate(sheet.header):
            worksheet.write_string(0, column, safe_text(title), bold)
        for column, width in enumerate(sheet.widths):
            worksheet.set_column(column, column, width)
        for row_index, row in enumerate(sheet.rows, start=1):
            for column, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, bool):
                    worksheet.write_string(row_index, column, "✓" if cell else "✗")
                elif isinstance(cell, Decimal | int):
                    # Excel keeps numbers as doubles; the figures here have far fewer than 15 digits.
                    worksheet.write_number(
                        row_index, column, float(cell), ratio if column in sheet.percent_columns else number
                    )
                else:
                    worksheet.write_string(row_index, column, fitted_text(safe_text(str(cell))))
        worksheet.freeze_panes(1, 0)
    workbook.close()
    return output.getvalue()
