"""Parsers: every way people write numbers and dates, read exactly — or named as unreadable or ambiguous."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfloop.imports.parsers import (
    parse_boolean,
    parse_choice,
    parse_date,
    parse_email,
    parse_key,
    parse_month,
    parse_number,
    parse_text,
)


def one(parser, value, **options):
    parsed = parser(pl.Series([value], dtype=pl.String), **options)
    return parsed.values[0], parsed.errors[0]


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", "1234.5"),
        ("1,234,567.89", "1234567.89"),
        ("１２３４", "1234"),
        ("１，２３４．５", "1234.5"),
        ("¥1,200", "1200"),
        ("￥1,200.00", "1200"),
        ("RMB 300", "300"),
        ("300元", "300"),
        ("1.5万", "15000"),
        ("1.5万元", "15000"),
        ("2亿", "200000000"),
        ("12%", "0.12"),
        ("12.5％", "0.125"),
        ("(1,200)", "-1200"),
        ("-42", "-42"),
        ("+42", "42"),
        ("12 345", "12345"),
        ("1.2E+05", "120000"),
        ("0.30000000000000004", "0.3"),
        ("0.00005", "0.0001"),
    ],
)
def test_numbers_people_write(text, expected):
    assert one(parse_number, text) == (Decimal(expected), None)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("12,5", "ambiguous_number"),
        ("1.234.567", "ambiguous_number"),
        ("1,23,456", "ambiguous_number"),
        ("abc", "unparseable_number"),
        ("#DIV/0!", "unparseable_number"),
        ("12元5角", "unparseable_number"),
    ],
)
def test_numbers_that_cannot_be_read_safely(text, code):
    assert one(parse_number, text) == (None, code)


@pytest.mark.parametrize("text", [None, "", "-", "—", "/", "N/A", "null"])
def test_empty_markers_are_empty_not_errors(text):
    assert one(parse_number, text) == (None, None)


def test_a_column_in_wan_multiplies_unless_the_cell_says_otherwise():
    parsed = parse_number(pl.Series(["12.5", "3元", "1亿"]), factor=Decimal(10000))
    assert parsed.values.to_list() == [Decimal(125000), Decimal(3), Decimal(100000000)]


def test_decimal_comma():
    parsed = parse_number(pl.Series(["1.234,5", "12,5", "1,2.3"]), decimal_comma=True)
    assert parsed.values.to_list()[:2] == [Decimal("1234.5"), Decimal("12.5")]
    assert parsed.errors.to_list() == [None, None, "ambiguous_number"]


def test_whole_numbers_only():
    parsed = parse_number(pl.Series(["3", "3.0", "3.5"]), whole=True)
    assert parsed.errors.to_list() == [None, None, "unparseable_number"]


@given(st.decimals(min_value=Decimal("-999999999"), max_value=Decimal("999999999"), places=2))
def test_any_amount_written_with_separators_reads_back_exactly(amount):
    for text in (f"{amount:,.2f}", f"¥{amount:,.2f}", f"{amount:.2f}"):
        assert one(parse_number, text) == (amount.quantize(Decimal("0.0001")), None)


@given(st.decimals(min_value=Decimal(0), max_value=Decimal(99999), places=4))
def test_amounts_in_wan_are_exact(amount):
    value, error = one(parse_number, f"{amount}万")
    assert error is None
    assert value == (amount * 10000).quantize(Decimal("0.0001"))


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-15", dt.date(2025, 3, 15)),
        ("2025-3-5", dt.date(2025, 3, 5)),
        ("2025/3/5", dt.date(2025, 3, 5)),
        ("2025.03.05", dt.date(2025, 3, 5)),
        ("2025年3月15日", dt.date(2025, 3, 15)),
        ("２０２５年３月１５日", dt.date(2025, 3, 15)),
        ("20250315", dt.date(2025, 3, 15)),
        ("2025-03-15 14:30:00", dt.date(2025, 3, 15)),
        ("2025-03-15T14:30", dt.date(2025, 3, 15)),
        ("2025/3/15 下午", dt.date(2025, 3, 15)),
        ("45731", dt.date(2025, 3, 15)),
        ("45731.5", dt.date(2025, 3, 15)),
        ("15/03/2025", dt.date(2025, 3, 15)),
        ("03/15/2025", dt.date(2025, 3, 15)),
        ("15/03/25", dt.date(2025, 3, 15)),
        ("15.03.99", dt.date(1999, 3, 15)),
        ("05/05/2025", dt.date(2025, 5, 5)),
        ("15-Mar-2025", dt.date(2025, 3, 15)),
        ("Mar 15, 2025", dt.date(2025, 3, 15)),
        ("March 15 2025", dt.date(2025, 3, 15)),
    ],
)
def test_dates_people_write(text, expected):
    assert one(parse_date, text) == (expected, None)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("03/04/2025", "ambiguous_date"),
        ("2025-02-30", "unparseable_date"),
        ("昨天", "unparseable_date"),
        ("99999", "unparseable_date"),
        ("2025-13-01", "unparseable_date"),
    ],
)
def test_dates_that_cannot_be_read_safely(text, code):
    assert one(parse_date, text) == (None, code)


def test_one_day_first_value_decides_the_whole_column():
    parsed = parse_date(pl.Series(["03/04/2025", "25/04/2025", None]))
    assert parsed.values.to_list() == [dt.date(2025, 4, 3), dt.date(2025, 4, 25), None]
    assert parsed.errors.to_list() == [None, None, None]


def test_one_month_first_value_decides_the_whole_column():
    parsed = parse_date(pl.Series(["03/04/2025", "04/25/2025"]))
    assert parsed.values.to_list() == [dt.date(2025, 3, 4), dt.date(2025, 4, 25)]


def test_a_column_with_evidence_both_ways_leaves_the_undecided_values_ambiguous():
    parsed = parse_date(pl.Series(["03/04/2025", "25/04/2025", "04/25/2025"]))
    assert parsed.errors.to_list() == ["ambiguous_date", None, None]


@pytest.mark.parametrize(
    ("order", "expected"),
    [("DMY", dt.date(2025, 4, 3)), ("MDY", dt.date(2025, 3, 4)), ("YMD", dt.date(2003, 4, 25))],
)
def test_a_declared_order_decides(order, expected):
    text = "03/04/25" if order == "YMD" else "03/04/2025"
    assert one(parse_date, text, order=order) == (expected, None)


@given(st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_spelling_of_a_date_reads_back(day):
    serial = (day - dt.date(1899, 12, 30)).days
    for text in (
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
        str(serial),
    ):
        assert one(parse_date, text) == (day, None), text
    assert one(parse_date, day.strftime("%d/%m/%Y"), order="DMY") == (day, None)


# --- months ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2025-03", "2025/3", "2025.3", "2025年3月", "2025年03月", "202503", "Mar-2025", "2025-03-31", "45731"],
)
def test_months(text):
    assert one(parse_month, text) == (202503, None)


@pytest.mark.parametrize("text", ["2025-13", "三月", "25"])
def test_months_that_are_not(text):
    assert one(parse_month, text) == (None, "unparseable_month")


# --- text, keys, choices --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3+cmd|x", "＝1+1"]
)
def test_formulas_in_text_cells_are_errors(text):
    assert one(parse_text, text)[1] == "formula_in_cell"


def test_plain_text_is_trimmed_and_kept():
    assert one(parse_text, "\u3000 甲公司 \u00a0") == ("甲公司", None)
    assert one(parse_text, "-5") == ("-5", None)
    assert one(parse_text, "x" * 201) == ("x" * 201, "value_too_long")


def test_keys_lose_excel_decimals_and_width():
    assert one(parse_key, "1001.0") == ("1001", None)
    assert one(parse_key, "Ｅ００１２") == ("E0012", None)


def test_choices_ignore_width_case_and_spaces():
    values = {"赢单": "won", "closedwon": "won", "输单": "lost"}
    parsed = parse_choice(pl.Series(["赢单", " Closed  Won", "输 单", "谈判中", None]), values)
    assert parsed.values.to_list() == ["won", "won", "lost", None, None]
    assert parsed.errors.to_list() == [None, None, None, "unknown_value", None]


def test_booleans():
    parsed = parse_boolean(pl.Series(["是", "否", "Y", "maybe"]), {"是": "true", "否": "false", "y": "true"})
    assert parsed.values.to_list()[:3] == [True, False, True]
    assert parsed.errors.to_list() == [None, None, None, "unknown_value"]


def test_emails():
    parsed = parse_email(pl.Series(["Li.Ming@Example.COM ", "not-an-address"]))
    assert parsed.values.to_list()[0] == "li.ming@example.com"
    assert parsed.errors.to_list() == [None, "invalid_email"]
