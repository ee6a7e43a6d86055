"""Goals as files: reading CSV/XLSX uploads and writing spreadsheet-safe exports (no database here).

Reading takes column names in Chinese or English (工号 / employee_number …), CSV in UTF-8 (with or
without BOM) or GBK/GB18030, and month cells as ``2025-03``, ``2025年3月``, ``202503`` or an Excel date.
Writing guards against formula injection: a text cell that starts with = + - @ (or a tab or carriage
return) is prefixed with a quote, so a spreadsheet shows it instead of running it.

No Django here, so no translation either: error messages are English templates marked with
``gettext_noop`` (so ``makemessages`` collects them) whose ``%(name)s`` values travel in the error's
details; the service that reads the file translates them for the person who sent it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

import polars as pl

from perfloop.core.months import Month, MonthError
from perfloop.core.workbooks import Cell, Sheet, safe_text, workbook_bytes
from perfloop.goals.errors import GoalImportError
from perfloop.goals.suggestions import format_amount

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "employee": (
        "employee_number",
        "employee",
        "employee no",
        "employee no.",
        "工号",
        "员工编号",
        "员工工号",
    ),
    "month": ("month", "月份", "月度", "期间"),
    "kpi": ("kpi", "kpi_code", "指标", "指标代码", "考核指标"),
    "target": ("target", "value", "目标", "目标值", "月度目标"),
    "note": ("note", "comment", "备注", "说明"),
}
REQUIRED_COLUMNS = ("employee", "month", "kpi", "target")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DAY_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.]\d{1,2}")


def gettext_noop(message: str) -> str:
    """Marks a message for translation without translating it here (the keyword makemessages knows)."""
    return message


@dataclass(frozen=True)
class GoalRow:
    """One data row of a goals file, as text; ``number`` is the spreadsheet row (the header is row 1)."""

    number: int
    employee_number: str
    month: str
    kpi: str
    value: str
    note: str = ""


def _decode_csv(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise GoalImportError(gettext_noop("The file is neither UTF-8 nor GBK text."), code="unreadable_file")


def _frame(content: bytes, filename: str) -> pl.DataFrame:
    suffix = PurePath(filename).suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return pl.read_excel(io.BytesIO(content), engine="calamine", infer_schema_length=0)
        if suffix in (".csv", ".txt", ""):
            return pl.read_csv(_decode_csv(content).encode(), infer_schema=False)
    except GoalImportError:
        raise
    except Exception as exc:  # polars and fastexcel raise many kinds for a damaged file
        raise GoalImportError(
            gettext_noop("The file cannot be read: %(reason)s"), code="unreadable_file", reason=str(exc)[:200]
        ) from exc
    raise GoalImportError(gettext_noop("Send a .csv or .xlsx file."), code="unsupported_file", suffix=suffix)


def _column_label(name: str) -> str:
    """A column as people know it from the template file: its first Chinese and first English name."""
    aliases = COLUMN_ALIASES[name]
    chinese = next(alias for alias in aliases if not alias.isascii())
    return f"{chinese} ({aliases[0]})"


def read_goal_rows(content: bytes, filename: str) -> list[GoalRow]:
    """The rows of a goals file, with its columns recognised by any of their Chinese or English names."""
    frame = _frame(content, filename)
    columns: dict[str, str] = {}
    for column in frame.columns:
        key = column.strip().lstrip("\ufeff").lower()
        for name, aliases in COLUMN_ALIASES.items():
            if key in aliases and name not in columns:
                columns[name] = column
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise GoalImportError(
            gettext_noop("The file lacks the columns %(columns)s."),
            code="missing_columns",
            columns=", ".join(_column_label(name) for name in missing),
            missing=missing,
            expected={name: COLUMN_ALIASES[name] for name in missing},
        )

    def text(row: dict[str, object], name: str) -> str:
        value = row.get(columns[name]) if name in columns else None
        return "" if value is None else str(value).strip()

    rows = []
    for index, row in enumerate(frame.iter_rows(named=True), start=2):
        employee, month, kpi, value = (text(row, name) for name in ("employee", "month", "kpi", "target"))
        if not any((employee, month, kpi, value)):
            continue  # blank lines at the end of a sheet
        rows.append(
            GoalRow(
                number=index,
                employee_number=employee,
                month=month,
                kpi=kpi,
                value=value,
                note=text(row, "note"),
            )
        )
    if not rows:
        raise GoalImportError(gettext_noop("The file has no goal rows."), code="empty_file")
    return rows


def parse_month(text: str) -> Month:
    """``2025-03``, ``2025/3``, ``2025年3月``, ``202503``, ``2025-03-01`` or an Excel date number."""
    value = text.strip()
    if value.isdigit() and len(value) == 6:
        return Month.from_int(int(value))
    if value.isdigit() and 20_000 <= int(value) <= 80_000:
        return Month.of(_EXCEL_EPOCH + dt.timedelta(days=int(value)))
    day = _DAY_RE.match(value)
    if day:
        return Month(int(day.group(1)), int(day.group(2)))
    try:
        return Month.parse(value)
    except MonthError:
        raise
    except ValueError as exc:  # Month() itself refuses month 13 with a MonthError; anything else is ours
        raise MonthError(str(exc)) from exc


def format_value(value: Decimal, unit: str) -> str:
    return format_amount(value, unit)


def write_table(header: Sequence[str], rows: Sequence[Sequence[Cell]], *, file_format: str) -> bytes:
    """An XLSX workbook or a UTF-8 CSV (with BOM, so Excel reads the Chinese) of ``rows``."""
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_text(h) for h in header])
        for row in rows:
            writer.writerow(
                ["" if c is None else safe_text(c) if isinstance(c, str) else str(c) for c in row]
            )
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if file_format != "xlsx":
        raise ValueError(f"unknown format {file_format!r}")
    return workbook_bytes([Sheet(title="goals", header=header, rows=rows)])
