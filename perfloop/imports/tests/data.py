"""Small test files built in code (nothing binary is committed): XLSX workbooks, zip bombs, CSV texts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from typing import Any

import xlsxwriter

# A company's own CRM layout (English column names no preset knows): what a profile of one's own maps.
OWN_DEALS_SPEC: dict[str, Any] = {
    "kind": "deals",
    "columns": {
        "owner": ["Rep"],
        "account": "Client",
        "stage": {"names": ["Status"], "values": {"Signed": "won", "Dropped": "lost"}},
        "close_date": "Signed on",
        "amount": "Value",
    },
}

DEALS_CN_HEADER = ["商机编号", "负责人", "客户名称", "商机阶段", "成交日期", "成交金额（万元）"]


def csv_text(rows: Sequence[Sequence[Any]], *, delimiter: str = ",") -> str:
    """CSV as spreadsheet programs write it (values with the delimiter or quotes are quoted)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(
        ["" if cell is None else cell for cell in row] for row in rows
    )
    return buffer.getvalue()


def xlsx_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    start_row: int = 0,
    start_col: int = 0,
    sheet: str = "Sheet1",
    extra_sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (),
) -> bytes:
    """A workbook with an optional merged title row above the table; dates are real Excel dates."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    # A fixed creation time: the same rows make the same bytes (and the same SHA-256).
    workbook.set_properties({"created": dt.datetime(2025, 4, 1, 9, 0, 0, tzinfo=dt.UTC)})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, data, with_title in [(sheet, rows, title), *[(n, d, None) for n, d in extra_sheets]]:
        worksheet = workbook.add_worksheet(name)
        row_index = start_row
        if with_title:
            width = max(len(row) for row in data)
            worksheet.merge_range(row_index, start_col, row_index, start_col + width - 1, with_title)
            row_index += 2  # a blank line under the title, as real exports have
        for row in data:
            for col, value in enumerate(row):
                if isinstance(value, dt.date):
                    worksheet.write_datetime(
                        row_index, start_col + col, dt.datetime.combine(value, dt.time()), date_format
                    )
                elif isinstance(value, str):
                    worksheet.write_string(row_index, start_col + col, value)
                elif value is not None:
                    worksheet.write(row_index, start_col + col, value)
            row_index += 1
    workbook.close()
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A container that looks like XLSX but expands a tiny entry into megabytes of zeros (ratio ~1000x)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    return buffer.getvalue()
