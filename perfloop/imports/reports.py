"""Exports of an import: the error report (XLSX) and rows as CSV — never able to run a formula.

Pure. Every cell is written as a string cell (xlsxwriter never turns it into a formula) and formula-like
text also gets a leading apostrophe, so the value stays harmless even after the file is saved as CSV and
opened again (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

from perfloop.imports.safety import neutralise_cell

REPORT_COLUMNS = ("行号 Row", "列 Column", "值 Value", "错误代码 Code", "说明 Message", "如何修正 How to fix")


def _text(value: Any) -> str:
    return "" if value is None else str(neutralise_cell(str(value)))


def error_report_xlsx(rows: Iterable[Mapping[str, Any]], *, header: Sequence[str], title: str) -> bytes:
    """One line per quarantined row: where, what, why, how to fix, then the row's own cells."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet("errors")
    bold = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    sheet.write_string(0, 0, _text(title), workbook.add_format({"bold": True, "font_size": 13}))
    columns = [*REPORT_COLUMNS, *header]
    for index, name in enumerate(columns):
        sheet.write_string(2, index, _text(name), bold)
    line = 3
    for row in rows:
        fixed = [
            row.get("row_number"),
            row.get("column"),
            row.get("raw_value"),
            row.get("code"),
            row.get("message"),
            row.get("fix"),
        ]
        raw = row.get("raw") or {}
        cells = [
            *fixed,
            *[
                raw.get(name) if name in raw else raw.get("_line") if index == 0 else None
                for index, name in enumerate(header)
            ],
        ]
        for index, value in enumerate(cells):
            sheet.write_string(line, index, _text(value))
        line += 1
    sheet.freeze_panes(3, 1)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 3, 18)
    sheet.set_column(4, 5, 48)
    sheet.set_column(6, 6 + len(header), 16)
    sheet.autofilter(2, 0, max(line - 1, 2), len(columns) - 1)
    workbook.close()
    return buffer.getvalue()


def rows_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV with a UTF-8 BOM (so Excel in China opens it as UTF-8), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_text(name) for name in header])
    writer.writerows([_text(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def value_text(value: Decimal | None, *, unit: str = "") -> str:
    """A fact's value as people read it: a ratio in percent (to 0.01 %), other values without trailing
    zeros and with thousands separators; a missing value is a dash, a zero is a zero (never "-0")."""
    if value is None:
        return "—"
    if unit == "ratio":
        percent = (value * 100).quantize(Decimal("0.01")).normalize() + 0
        return f"{percent:f}%"
    return f"{value.normalize() + 0:,f}"
