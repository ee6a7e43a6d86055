"""Validation and profiles: each error class is provoked, and the row it names keeps its raw value."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import polars as pl
import pytest
from django.utils import translation

from perfloop.imports.matching import match_employees
from perfloop.imports.presets import PRESETS
from perfloop.imports.problems import PROBLEMS, ImportRejected, describe, fix_for
from perfloop.imports.profiles import map_columns, parse_profile
from perfloop.imports.readers import read_csv
from perfloop.imports.tests.data import csv_text
from perfloop.imports.validation import CheckContext, check_table, kpi_name_map

TODAY = dt.date(2025, 4, 10)
DEALS = parse_profile(PRESETS["crm-deals-cn"]["spec"])
HEADER = ["商机编号", "负责人", "客户名称", "商机阶段", "成交日期", "成交金额"]


def check(rows, spec=DEALS, header=HEADER, context=None):
    table = read_csv(csv_text([header, *rows]).encode(), known=spec.known_header_keys())
    mapping = map_columns(table.header, spec)
    return check_table(table, spec, mapping, context or CheckContext(today=TODAY))


def problems(checked):
    return sorted((row, code) for row, code in checked.errors.select("__row", "code").iter_rows())


def test_a_clean_file_has_typed_values_and_no_errors():
    checked = check(
        [
            ["O1", "李明", "甲公司", "赢单", "2025/3/5", "1,200.50"],
            ["O2", "陈静", "乙公司", "输单", "2025-03-06", ""],
        ]
    )
    assert problems(checked) == []
    assert checked.values.select("stage", "close_date", "amount").rows() == [
        ("won", dt.date(2025, 3, 5), Decimal("1200.5")),
        ("lost", dt.date(2025, 3, 6), None),
    ]


@pytest.mark.parametrize(
    ("row", "code", "column"),
    [
        (["O1", "", "甲公司", "赢单", "2025-03-05", "1"], "missing_value", "负责人"),
        (["O1", "李明", "甲公司", "赢单", "", "1"], "missing_value", "成交日期"),
        (["O1", "李明", "甲公司", "赢单", "2025-03-05", ""], "missing_value", "成交金额"),
        (["O1", "李明", "甲公司", "赢单", "2025-03-05", "一千"], "unparseable_number", "成交金额"),
        (["O1", "李明", "甲公司", "赢单", "2025-03-05", "12,5"], "ambiguous_number", "成交金额"),
        (["O1", "李明", "甲公司", "赢单", "下周", "1"], "unparseable_date", "成交日期"),
        (["O1", "李明", "甲公司", "赢单", "03/04/2025", "1"], "ambiguous_date", "成交日期"),
        (["O1", "李明", "甲公司", "赢单", "1925-03-05", "1"], "date_out_of_range", "成交日期"),
        (["O1", "李明", "甲公司", "赢单", "2027-03-05", "1"], "date_out_of_range", "成交日期"),
        (["O1", "李明", "甲公司", "赢单", "2025-03-05", "-500"], "negative_value", "成交金额"),
        (["O1", "李明", "甲公司", "赢单", "2025-03-05", "12亿亿"], "unparseable_number", "成交金额"),
        (["O1", "李明", "甲公司", "赢单", "2025-03-05", "120亿"], "absurd_value", "成交金额"),
        (["O1", "李明", "甲公司", "赢了", "2025-03-05", "1"], "unknown_value", "商机阶段"),
        (["O1", "李明", '=HYPERLINK("x")', "赢单", "2025-03-05", "1"], "formula_in_cell", "客户名称"),
        (["O1", "李明", "甲" * 300, "赢单", "2025-03-05", "1"], "value_too_long", "客户名称"),
    ],
)
def test_each_row_error_names_the_row_column_and_value(row, code, column):
    checked = check([["O0", "陈静", "乙公司", "赢单", "2025-03-01", "5"], row])
    errors = checked.errors.filter(pl.col("code") == code)
    assert errors.height == 1, checked.errors
    assert errors["__row"][0] == 3
    assert errors["column"][0] == column
    assert checked.errors["__row"].unique().to_list() == [3]  # the good row is untouched
    details = json.loads(errors["details"][0])
    message = describe(code, details)
    assert "{" not in message, message


def test_duplicate_rows_keep_the_first_and_point_to_it():
    row = ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1"]
    checked = check(
        [
            row,
            ["O2", "陈静", "乙公司", "输单", "2025-03-05", ""],
            row,
            [" O1", "李明 ", "甲公司", "赢单", "2025-03-05", "1"],
        ]
    )
    assert problems(checked) == [(4, "duplicate_row"), (5, "duplicate_row")]
    assert json.loads(checked.errors["details"][0]) == {"first_row": 2}


def test_one_record_with_different_values_in_one_file_is_a_conflict():
    checked = check(
        [
            ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1"],
            ["O1", "李明", "甲公司", "赢单", "2025-03-05", "2"],
        ]
    )
    assert problems(checked) == [(2, "conflicting_row"), (3, "conflicting_row")]
    assert json.loads(checked.errors["details"][0])["rows"] == "2, 3"


def test_a_lost_deal_needs_no_amount_but_an_open_one_needs_nothing():
    checked = check(
        [["O1", "李明", "甲公司", "输单", "2025-03-05", ""], ["O2", "李明", "甲公司", "初步接洽", "", ""]]
    )
    assert problems(checked) == []


def test_a_won_deal_with_an_unreadable_amount_or_date_gets_one_problem_each_not_two():
    checked = check(
        [
            ["O1", "李明", "甲公司", "赢单", "2025-03-05", "很多"],
            ["O2", "李明", "乙公司", "赢单", "2025-13-45", "1"],
        ]
    )
    assert problems(checked) == [(2, "unparseable_number"), (3, "unparseable_date")]


def test_a_won_deal_without_an_amount_is_still_missing_one():
    checked = check([["O1", "李明", "甲公司", "赢单", "2025-03-05", ""]])
    assert problems(checked) == [(2, "missing_value")]


def test_dates_in_the_wrong_order():
    spec = parse_profile(PRESETS["crm-opportunities-en"]["spec"])
    header = [
        "opportunity_id",
        "sales_agent",
        "account",
        "deal_stage",
        "engage_date",
        "close_date",
        "close_value",
    ]
    checked = check([["1", "Li", "A", "Won", "2025-03-10", "2025-03-01", "5"]], spec=spec, header=header)
    assert problems(checked) == [(2, "invalid_date_order")]


def test_scores_outside_the_scale():
    spec = parse_profile(PRESETS["crm-feedback-cn"]["spec"])
    checked = check(
        [["李明", "2025-03-01", "4.5"], ["李明", "2025-03-02", "9"]],
        spec=spec,
        header=["销售人员", "评价日期", "评分"],
    )
    assert problems(checked) == [(3, "out_of_range")]


def test_monthly_kpi_values_are_checked_against_their_unit():
    spec = parse_profile(PRESETS["monthly-kpis"]["spec"])
    catalogue = [
        ("revenue", "月度销售额", "Monthly revenue"),
        ("conversion_rate", "客户转化率", "Conversion rate"),
    ]
    context = CheckContext(
        today=TODAY,
        kpi_names=kpi_name_map(catalogue),
        kpi_units={"revenue": "cny", "conversion_rate": "ratio"},
    )
    checked = check(
        [
            ["E1", "2025-03", "月度销售额", "80,000"],
            ["E1", "2025-03", "Conversion Rate", "25%"],
            ["E2", "2025-03", "revenue", "-1"],
            ["E2", "2025-03", "客户转化率", "250"],
            ["E3", "2025-03", "利润", "1"],
            ["E1", "2025-03", "revenue", "90000"],
        ],
        spec=spec,
        header=["工号", "月份", "指标", "数值"],
        context=context,
    )
    assert problems(checked) == [
        (2, "conflicting_row"),
        (4, "negative_value"),
        (5, "out_of_range"),
        (6, "unknown_kpi"),
        (7, "conflicting_row"),
    ]
    assert checked.values["kpi"].to_list()[:2] == ["revenue", "conversion_rate"]
    assert checked.values["value"][1] == Decimal("0.25")


def test_rows_the_reader_could_not_split_become_errors():
    spec = DEALS
    text = csv_text([HEADER, ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1"]]) + "O2,陈静,乙公司\n"
    table = read_csv(text.encode(), known=spec.known_header_keys())
    checked = check_table(table, spec, map_columns(table.header, spec), CheckContext(today=TODAY))
    assert problems(checked) == [(3, "missing_fields")]
    assert checked.errors["value"][0] == "O2,陈静,乙公司"
    assert checked.rows_total == 2


# --- column mapping -------------------------------------------------------------------------------


def test_headers_match_regardless_of_width_case_spaces_and_units():
    mapping = map_columns(
        ["负责人 ", "客户名称*", "商机阶段：", "成交日期", "成交金额（万元）", "备注"], DEALS
    )
    assert mapping.columns == {"owner": 0, "account": 1, "stage": 2, "close_date": 3, "amount": 4}
    assert mapping.units == {"amount": "万元"}
    assert mapping.unknown == (5,)


def test_a_wan_header_multiplies_the_amounts():
    checked = check(
        [["O1", "李明", "甲公司", "赢单", "2025-03-05", "1.2"]], header=[*HEADER[:5], "成交金额(万元)"]
    )
    assert checked.values["amount"][0] == Decimal(12000)


def test_a_missing_required_column_is_refused_with_suggestions():
    with pytest.raises(ImportRejected) as caught:
        map_columns(["负责人", "客户名称", "商机阶", "成交日期"], DEALS)
    assert caught.value.code == "missing_column"
    assert caught.value.details["suggestions"] == ["商机阶"]


def test_a_duplicated_header_is_refused():
    with pytest.raises(ImportRejected) as caught:
        map_columns(["负责人", "客户名称", "商机阶段", "成交金额", "成交金额"], DEALS)
    assert caught.value.code == "duplicate_header"


def test_unknown_columns_are_refused_only_by_a_strict_profile():
    strict = parse_profile({**PRESETS["crm-deals-cn"]["spec"], "strict_columns": True})
    with pytest.raises(ImportRejected) as caught:
        map_columns([*HEADER, "备注"], strict)
    assert caught.value.code == "unknown_column"


def test_the_first_name_present_wins():
    spec = parse_profile(PRESETS["lms-attendance"]["spec"])
    mapping = map_columns(["姓名", "工号", "课程名称", "培训日期", "出勤状态"], spec)
    assert mapping.columns["employee"] == 1


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ({"kind": "nope", "columns": {}}, "kind"),
        ({"kind": "deals"}, "columns"),
        ({"kind": "deals", "columns": {"owner": "x"}}, "required field account"),
        (
            {"kind": "deals", "columns": {"owner": "x", "account": "y", "stage": "z", "wrong": "w"}},
            "no field wrong",
        ),
        (
            {
                "kind": "deals",
                "columns": {
                    "owner": "x",
                    "account": "y",
                    "stage": {"names": ["z"], "values": {"a": "maybe"}},
                },
            },
            "not one of",
        ),
        (
            {"kind": "deals", "match": "psychic", "columns": {"owner": "x", "account": "y", "stage": "z"}},
            "match",
        ),
        (
            {
                "kind": "deals",
                "columns": {
                    "owner": "x",
                    "account": "y",
                    "stage": "z",
                    "amount": {"names": "a", "unit": "kg"},
                },
            },
            "unit",
        ),
    ],
)
def test_invalid_profiles_are_refused(spec, reason):
    with pytest.raises(ImportRejected) as caught:
        parse_profile(spec)
    assert caught.value.code == "invalid_profile"
    assert reason in caught.value.message


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_is_a_valid_profile(name):
    spec = parse_profile(PRESETS[name]["spec"])
    assert spec.kind.name == PRESETS[name]["spec"]["kind"]


def test_a_message_names_how_people_were_looked_up_in_words():
    details = {"value": "王五", "match": "auto"}
    assert describe("unknown_employee", details) == (
        "No employee matches 王五 (by employee number, e-mail or name)."
    )
    with translation.override("zh-hans"):
        assert "工号、邮箱或姓名" in describe("unknown_employee", details, translate=translation.gettext)


def test_a_profile_that_does_not_fit_its_source_is_described_in_words():
    details = {"profile": "crm-deals-cn", "kind": "deals", "source": "finance", "source_kind": "finance"}
    assert describe("profile_kind_mismatch", details) == (
        "Profile crm-deals-cn reads deals / opportunities files, "
        "which source finance (Finance) does not provide."
    )


def test_a_count_of_one_reads_correctly_in_english():
    details = {
        "count": 1,
        "rows": 1,
        "bad": 1,
        "limit": "20%",
        "people": "E1",
        "months": "2025-03",
        "key": "O1",
    }
    for code in PROBLEMS:
        message = describe(code, details)
        for wrong in ("1 rows", "1 people", "1 person-months"):
            assert wrong not in message, (code, message)


def test_every_problem_has_a_message_and_a_fix():
    for code, problem in PROBLEMS.items():
        assert problem.message, code
        assert fix_for(code), code
        assert problem.level in {"file", "row", "warning"}


# --- matching -------------------------------------------------------------------------------------

DIRECTORY = pl.DataFrame(
    {
        "employee_id": [1, 2, 3, 4],
        "number": ["E001", "E002", "E003", "0012"],
        "email": ["a@x.com", None, "c@x.com", ""],
        "name": ["张三", "李四", "李四", "Li Ming"],
    }
)


def test_employees_are_matched_by_number_email_bracket_and_name():
    values = pl.Series(["张三", "e002", "c@X.com", "张 三", "li ming", "某人(E003)", "0012", None])
    matched = match_employees(values, DIRECTORY)
    assert matched["employee_id"].to_list() == [1, 2, 3, 1, 4, 3, 4, None]
    assert matched["code"].to_list() == [None] * 8


def test_a_shared_name_is_ambiguous_and_lists_the_numbers():
    matched = match_employees(pl.Series(["李四", "王五"]), DIRECTORY)
    assert matched["code"].to_list() == ["ambiguous_employee", "unknown_employee"]
    assert json.loads(matched["details"][0])["candidates"] == "E002, E003"


def test_a_declared_match_mode_uses_only_that_key():
    matched = match_employees(pl.Series(["E002", "张三"]), DIRECTORY, mode="name")
    assert matched["code"].to_list() == ["unknown_employee", None]


def test_the_docs_explain_every_error_code_and_preset():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "imports.md").read_text(encoding="utf-8")
    assert [code for code in PROBLEMS if f"`{code}`" not in text] == []
    assert [name for name in PRESETS if f"`{name}`" not in text] == []
