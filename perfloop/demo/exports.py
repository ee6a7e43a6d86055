"""The demo company's records as the files its systems export, in the layouts of the shipped import presets.

Pure (stdlib, Polars and XlsxWriter; no Django): a :class:`~perfloop.demo.generator.DemoCompany` in, file
bytes out, the same bytes for the same seed. The build imports each file with
``perfloop.imports.services.import_file`` — the door real users' exports come through — so every demo fact
carries the batch and the file rows it came from.

* ``crm_opportunities_2024_<team>.csv`` — preset ``crm-opportunities-en``, source crm: the old CRM's
  opportunities of 2024, one file per team (UTF-8, owners by e-mail);
* ``商机导出_<team>_2025-01_2026-01.csv`` — ``crm-deals-cn``, crm: the new CRM's deals, one file per team;
  three in GBK with 成交金额 in 元 (thousands separators), two in UTF-8 with 成交金额（万元） and 负责人 as
  姓名(工号); the pipeline still open at the end is in them too;
* ``跟进记录_2024.csv``, ``跟进记录_2025-01_2026-01.csv`` — ``crm-activities-cn``, crm: the follow-up log;
* ``客户满意度评价_2024-01_2026-01.csv`` — ``crm-feedback-cn``, crm: survey answers on a 1–5 scale;
* ``客户流失率月报_2024-01_2026-01.csv`` — ``monthly-kpis``, crm: the CRM's monthly churn report;
* ``应收回款明细_2024.xlsx``, ``应收回款明细_2025-01_2026-01.xlsx`` — ``finance-collections-cn``, finance:
  receivables due and collected, a merged title row above the header;
* ``lms_attendance_2024-01_2026-01.jsonl`` — ``lms-attendance``, lms: enrolments as JSON lines.

Deals are exported per team and imported with the team as the batch's unit: inside a deals file's period a
rep without a first win gets a real 0 new customers, and the unit keeps that zero to the team's reps (the
managers in 销售部 hold sales positions but sell nothing). The other files name every rep in every month, so
they are imported without zero-filling.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl
import xlsxwriter

from perfloop.core.months import Month
from perfloop.demo.generator import REP_POSITION, TEAMS, DemoCompany, EmployeeSpec
from perfloop.demo.records import CRM_CHANGEOVER

# When the exports were taken (written into the XLSX properties, so the files are byte-for-byte
# reproducible): the first working days after the data ends.
_EXPORTED_AT = dt.datetime(2026, 2, 2, 9, 30)  # noqa: DTZ001 -- a document property, shown as written
_OPEN_STAGES_CN = {"qualification": "需求确认", "proposal": "方案报价", "negotiation": "商务谈判"}
_STAGES_CN = {"won": "赢单", "lost": "输单", **_OPEN_STAGES_CN}
_STAGES_EN = {
    "won": "Won",
    "lost": "Lost",
    "qualification": "Qualification",
    "proposal": "Proposal",
    "negotiation": "Negotiation",
}
# Teams whose CRM view shows amounts in 万元 and the owner as 姓名(工号).
_WAN_TEAMS = frozenset({"SALES-SZ", "SALES-NJ"})
_CHURN_KPI = "客户流失率"
_WAN = Decimal(10000)


@dataclass(frozen=True)
class DemoFile:
    """One export and how it is imported."""

    name: str
    source: str
    profile: str
    first: Month
    last: Month
    unit: str | None
    """Code of the org unit the file covers (its people get zeros inside the period); None: everyone."""
    zero_fill: bool
    data: bytes
    description: str


def demo_files(company: DemoCompany) -> list[DemoFile]:
    """Every export of the demo company, in the order they are imported (oldest first)."""
    timeline = company.timeline
    first, last = timeline.history_first, timeline.after_last
    old_last = CRM_CHANGEOVER - 1
    people = {spec.number: spec for spec in company.employees}
    reps = [spec for spec in company.employees if spec.position == REP_POSITION]
    records = company.records
    files: list[DemoFile] = []
    for team in TEAMS:
        members = [spec.number for spec in reps if spec.unit == team.code]
        deals = records.deals.filter(pl.col("owner").is_in(members))
        files.append(
            DemoFile(
                name=f"crm_opportunities_2024_{team.code}.csv",
                source="crm",
                profile="crm-opportunities-en",
                first=first,
                last=old_last,
                unit=team.code,
                zero_fill=True,
                data=_deals_en(_closed_between(deals, first, old_last), people),
                description=f"old CRM, opportunities of {team.name_en}, 2024",
            )
        )
    for team in TEAMS:
        members = [spec.number for spec in reps if spec.unit == team.code]
        deals = records.deals.filter(pl.col("owner").is_in(members))
        deals = deals.filter(
            pl.col("closed_on").is_null() | (pl.col("closed_on") >= CRM_CHANGEOVER.first_day)
        )
        in_wan = team.code in _WAN_TEAMS
        files.append(
            DemoFile(
                name=f"商机导出_{team.name}_{CRM_CHANGEOVER}_{last}.csv",
                source="crm",
                profile="crm-deals-cn",
                first=CRM_CHANGEOVER,
                last=last,
                unit=team.code,
                zero_fill=True,
                data=_deals_cn(deals, people, in_wan=in_wan),
                description=f"new CRM, deals of {team.name_en}"
                + (", amounts in 万元" if in_wan else ", GBK"),
            )
        )
    for period_first, period_last, label in ((first, old_last, "2024"), (CRM_CHANGEOVER, last, None)):
        activities = records.activities.filter(
            pl.col("at").dt.date().is_between(period_first.first_day, period_last.last_day)
        )
        files.append(
            DemoFile(
                name=f"跟进记录_{label or f'{period_first}_{period_last}'}.csv",
                source="crm",
                profile="crm-activities-cn",
                first=period_first,
                last=period_last,
                unit=None,
                zero_fill=False,
                data=_activities(activities, people),
                description="CRM follow-up log",
            )
        )
    files.append(
        DemoFile(
            name=f"客户满意度评价_{first}_{last}.csv",
            source="crm",
            profile="crm-feedback-cn",
            first=first,
            last=last,
            unit=None,
            zero_fill=False,
            data=_feedback(records.feedback, people),
            description="customer satisfaction survey answers (1–5)",
        )
    )
    files.append(
        DemoFile(
            name=f"客户流失率月报_{first}_{last}.csv",
            source="crm",
            profile="monthly-kpis",
            first=first,
            last=last,
            unit=None,
            zero_fill=False,
            data=_churn(records.churn),
            description="CRM monthly churn report (one value per rep and month)",
        )
    )
    for period_first, period_last, label in ((first, old_last, "2024"), (CRM_CHANGEOVER, last, None)):
        receivables = records.receivables.filter(
            pl.col("month").is_between(period_first.index, period_last.index)
        )
        files.append(
            DemoFile(
                name=f"应收回款明细_{label or f'{period_first}_{period_last}'}.xlsx",
                source="finance",
                profile="finance-collections-cn",
                first=period_first,
                last=period_last,
                unit=None,
                zero_fill=False,
                data=_receivables(receivables, people, period_first, period_last),
                description="finance: receivables due and collected",
            )
        )
    files.append(
        DemoFile(
            name=f"lms_attendance_{first}_{last}.jsonl",
            source="lms",
            profile="lms-attendance",
            first=first,
            last=last,
            unit=None,
            zero_fill=False,
            data=_enrolments(records.enrolments),
            description="LMS enrolments and attendance, JSON lines",
        )
    )
    return files


# --- writers ----------------------------------------------------------------------------------------------


def _closed_between(deals: pl.DataFrame, first: Month, last: Month) -> pl.DataFrame:
    return deals.filter(pl.col("closed_on").is_between(first.first_day, last.last_day))


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]], *, encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _grouped(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _slash_date(day: dt.date | None) -> str:
    return "" if day is None else f"{day.year}/{day.month}/{day.day}"


def _iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def _deals_en(deals: pl.DataFrame, people: Mapping[str, EmployeeSpec]) -> bytes:
    """The old CRM's opportunities export: English headers, owners by e-mail, plain numbers."""
    rows = (
        (
            record,
            people[owner].email,
            product,
            account,
            _STAGES_EN[stage],
            _iso(engaged),
            _iso(closed),
            f"{amount:.0f}",
        )
        for record, owner, account, stage, engaged, closed, amount, product in deals.iter_rows()
    )
    header = (
        "opportunity_id",
        "sales_agent",
        "product",
        "account",
        "deal_stage",
        "engage_date",
        "close_date",
        "close_value",
    )
    return _csv(header, rows, encoding="utf-8")


def _deals_cn(deals: pl.DataFrame, people: Mapping[str, EmployeeSpec], *, in_wan: bool) -> bytes:
    """The new CRM's 商机 export: GBK with 元 and thousands separators, or UTF-8 (BOM) with 万元."""
    owner_column = "负责人" if in_wan else "销售人员"
    amount_column = "成交金额（万元）" if in_wan else "成交金额"

    def owner_of(number: str) -> str:
        name = people[number].name
        return f"{name}({number})" if in_wan else name

    def amount_of(amount: Decimal) -> str:
        return f"{amount / _WAN:.2f}" if in_wan else _grouped(amount)

    rows = (
        (
            record,
            owner_of(owner),
            account,
            product,
            _STAGES_CN[stage],
            _slash_date(engaged),
            _slash_date(closed),
            amount_of(amount),
        )
        for record, owner, account, stage, engaged, closed, amount, product in deals.iter_rows()
    )
    header = ("商机编号", owner_column, "客户名称", "产品", "商机阶段", "创建日期", "成交日期", amount_column)
    return _csv(header, rows, encoding="utf-8-sig" if in_wan else "gbk")


def _activities(activities: pl.DataFrame, people: Mapping[str, EmployeeSpec]) -> bytes:
    rows = (
        (record, people[owner].name, f"{at:%Y-%m-%d %H:%M}", kind, account)
        for record, owner, at, kind, account in activities.iter_rows()
    )
    return _csv(("记录编号", "跟进人", "跟进时间", "跟进方式", "客户名称"), rows, encoding="utf-8")


def _feedback(feedback: pl.DataFrame, people: Mapping[str, EmployeeSpec]) -> bytes:
    rows = (
        (record, people[owner].name, account, _iso(answered), score)
        for record, owner, account, answered, score in feedback.iter_rows()
    )
    return _csv(("问卷编号", "销售人员", "客户名称", "评价日期", "评分"), rows, encoding="utf-8-sig")


def _churn(churn: pl.DataFrame) -> bytes:
    """One row per rep and month; the rate as a percentage with two decimals (exactly the stored ratio)."""
    rows = (
        (employee, str(Month.from_index(month)), _CHURN_KPI, f"{value * 100:.2f}%")
        for employee, month, value in churn.sort("month", "employee").iter_rows()
    )
    return _csv(("工号", "月份", "指标", "数值"), rows, encoding="utf-8")


def _receivables(
    receivables: pl.DataFrame, people: Mapping[str, EmployeeSpec], first: Month, last: Month
) -> bytes:
    """The finance system's XLSX: a merged title row and an export note above the header, money and date
    cells formatted as the accountants see them."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"title": "应收账款回款明细表", "author": "财务部", "created": _EXPORTED_AT})
    sheet = workbook.add_worksheet("回款明细")
    money = workbook.add_format({"num_format": "#,##0.00"})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    header = ("应收单号", "客户名称", "销售人员", "所属期间", "到期日", "应收金额", "实收金额", "回款日期")
    sheet.merge_range(0, 0, 0, len(header) - 1, f"应收账款回款明细表（{first} 至 {last}）", title)
    sheet.write_string(1, 0, f"导出时间：{_EXPORTED_AT:%Y-%m-%d %H:%M}　导出人：财务部")
    sheet.write_row(3, 0, header)

    def write_date(row: int, column: int, day: dt.date | None) -> None:
        if day is None:
            sheet.write_blank(row, column, None)
        else:
            sheet.write_datetime(row, column, dt.datetime.combine(day, dt.time()), date)

    for offset, (record, owner, account, month, due_on, due, collected, collected_on) in enumerate(
        receivables.iter_rows()
    ):
        row = 4 + offset
        sheet.write_string(row, 0, record)
        sheet.write_string(row, 1, account)
        sheet.write_string(row, 2, people[owner].name)
        sheet.write_string(row, 3, str(Month.from_index(month)))
        write_date(row, 4, due_on)
        sheet.write_number(row, 5, float(due), money)
        sheet.write_number(row, 6, float(collected), money)
        write_date(row, 7, collected_on)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 34)
    sheet.set_column(2, 7, 12)
    workbook.close()
    return buffer.getvalue()


def _enrolments(enrolments: pl.DataFrame) -> bytes:
    """The LMS API's export: one JSON object per line, English keys."""
    lines = (
        json.dumps(
            {
                "Enrollment ID": record,
                "Employee ID": employee,
                "Course": course,
                "Session Date": held_on.isoformat(),
                "Attendance": "attended" if attended else "absent",
                "Exam Score": score,
            },
            ensure_ascii=False,
        )
        for record, employee, course, held_on, attended, score in enrolments.iter_rows()
    )
    return ("\n".join(lines) + "\n").encode("utf-8")
