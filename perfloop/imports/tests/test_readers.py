"""Readers: every encoding, delimiter, header position and damaged row comes out as cells — or as a
named problem with its raw text. Nothing is dropped silently."""

from __future__ import annotations

import codecs
import datetime as dt
import json

import pytest

from perfloop.imports import readers
from perfloop.imports.problems import ImportRejected
from perfloop.imports.readers import (
    ReadOptions,
    decode_text,
    read_csv,
    read_json,
    read_table,
    read_xlsx,
    sniff_delimiter,
)
from perfloop.imports.tests.data import csv_text, xlsx_bytes, zip_bomb

KNOWN = {"负责人", "客户名称", "成交金额"}
ROWS = [["负责人", "客户名称", "成交金额"], ["李明", "甲公司", "1,200"], ["陈静", "乙公司", "300"]]


def cells(table):
    return [list(row) for row in table.frame.iter_rows()]


def rejected(code, function, *args, **kwargs):
    with pytest.raises(ImportRejected) as caught:
        function(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (csv_text(ROWS).encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + csv_text(ROWS).encode("utf-8"), "utf-8"),
        (csv_text(ROWS).encode("gbk"), "gb18030"),
        (csv_text(ROWS).encode("gb18030"), "gb18030"),
        (csv_text(ROWS).encode("utf-16"), "utf-16"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16-bom"],
)
def test_it_detects_the_encoding(encoded, encoding):
    table = read_csv(encoded, known=KNOWN)
    assert table.encoding == encoding
    assert table.header == ["负责人", "客户名称", "成交金额"]
    assert cells(table) == [[2, "李明", "甲公司", "1,200"], [3, "陈静", "乙公司", "300"]]


def test_it_reads_gb18030_characters_outside_gbk():
    rows = [["负责人", "客户名称"], ["李明", "䶮䶮科技"]]
    table = read_csv(csv_text(rows).encode("gb18030"), known=KNOWN)
    assert cells(table) == [[2, "李明", "䶮䶮科技"]]


def test_a_declared_encoding_wins():
    text, encoding, problems = decode_text("负责人\n李明\n".encode("gbk"), "gbk")
    assert (text, encoding, problems) == ("负责人\n李明\n", "gb18030", [])


def test_wrong_encoding_is_refused_with_the_offset():
    latin1 = "name,city\nJosé,Málaga\ncafé,x\n".encode("latin-1")
    error = rejected("wrong_encoding", read_csv, latin1)
    assert error.details["offset"] > 0


def test_utf16_without_bom_is_a_wrong_encoding_not_binary():
    rejected("wrong_encoding", read_csv, "负责人,金额\n李明,1\n".encode("utf-16-le"))


def test_a_declared_encoding_that_does_not_fit_is_refused():
    rejected(
        "wrong_encoding", read_csv, "负责人\n李明\n".encode("gbk"), options=ReadOptions(encoding="utf-8")
    )


def test_a_line_in_another_encoding_is_kept_as_a_problem_row():
    good = csv_text(ROWS).encode("utf-8")
    data = good + "王五,丙公司,5\n".encode("gbk")
    table = read_csv(data, known=KNOWN)
    assert [row[1] for row in cells(table)] == ["李明", "陈静"]
    (problem,) = table.bad_rows
    assert (problem.row, problem.code) == (4, "undecodable_row")
    assert "\\x" in problem.raw  # the bytes are shown, not lost


# --- delimiters, quotes, headers ------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_it_sniffs_the_delimiter(delimiter):
    table = read_csv(csv_text(ROWS, delimiter=delimiter).encode(), known=KNOWN)
    assert table.delimiter == delimiter
    assert cells(table)[0] == [2, "李明", "甲公司", "1,200"]


def test_sniffing_ignores_delimiters_inside_quotes():
    assert sniff_delimiter(["a;b;c", '"1,2";"3,4";5', '"6,7";8;9']) == ";"


def test_quoted_values_keep_delimiters_quotes_and_line_breaks():
    text = (
        '负责人,客户名称,成交金额\n李明,"甲公司, 上海","1,200"\n陈静,"乙""丙""公司",3\n'
        '张三,"多行\n客户",4\n赵六,丁,5\n'
    )
    table = read_csv(text.encode(), known=KNOWN)
    assert cells(table) == [
        [2, "李明", "甲公司, 上海", "1,200"],
        [3, "陈静", '乙"丙"公司', "3"],
        [4, "张三", "多行\n客户", "4"],
        [6, "赵六", "丁", "5"],
    ]


def test_windows_line_endings_and_no_final_newline():
    table = read_csv(b"a,b\r\n1,2\r\n3,4", known={"a"})
    assert cells(table) == [[2, "1", "2"], [3, "3", "4"]]


def test_title_rows_and_blank_lines_above_the_header_are_skipped():
    text = "2025年3月 商机报表,,\n导出时间：2025-04-01,,\n\n" + csv_text(ROWS) + "\n\n"
    table = read_csv(text.encode(), known=KNOWN)
    assert table.header_row == 4
    assert cells(table) == [[5, "李明", "甲公司", "1,200"], [6, "陈静", "乙公司", "300"]]
    assert table.blank_rows == 3


def test_the_header_is_found_without_knowing_the_columns():
    table = read_csv("报表\n\nname,city\nLi,Shanghai\n".encode())
    assert table.header == ["name", "city"]


def test_an_explicit_header_row_is_used():
    table = read_csv(b"x,y\na,b\n1,2\n", options=ReadOptions(header_row=2))
    assert table.header == ["a", "b"]
    assert cells(table) == [[3, "1", "2"]]


def test_a_repeated_header_inside_the_data_is_skipped_and_reported():
    text = csv_text([*ROWS, ROWS[0], ["张三", "丙公司", "5"]])
    table = read_csv(text.encode(), known=KNOWN)
    assert [row[0] for row in cells(table)] == [2, 3, 5]
    assert table.repeated_header_rows == [4]


def test_a_missing_header_is_refused():
    rejected("missing_header", read_csv, b"1001,2025-03-01,1200\n1002,2025-03-02,300\n")


def test_empty_named_trailing_columns_disappear():
    table = read_csv(b"a,b,\n1,2,\n3,4,\n", known={"a"})
    assert table.header == ["a", "b"]


# --- damaged rows ---------------------------------------------------------------------------------


def test_ragged_rows_are_problems_with_their_raw_text():
    text = "负责人,客户名称,成交金额\n李明,甲公司,1\n陈静,乙公司\n张三,丙公司,3,多余\n赵六,丁公司,4\n"
    table = read_csv(text.encode(), known=KNOWN)
    assert [row[0] for row in cells(table)] == [2, 5]
    assert [(p.row, p.code, p.raw) for p in table.bad_rows] == [
        (3, "missing_fields", "陈静,乙公司"),
        (4, "extra_fields", "张三,丙公司,3,多余"),
    ]


def test_a_file_cut_off_mid_row_keeps_every_complete_row():
    text = "负责人,客户名称,成交金额\n李明,甲公司,1\n陈静,乙公"
    table = read_csv(text.encode(), known=KNOWN)
    assert cells(table) == [[2, "李明", "甲公司", "1"]]
    assert [(p.row, p.code) for p in table.bad_rows] == [(3, "truncated_row")]


def test_a_file_cut_off_inside_a_quoted_value():
    text = '负责人,客户名称,成交金额\n李明,甲公司,1\n陈静,"乙公司\n'
    table = read_csv(text.encode(), known=KNOWN)
    assert cells(table) == [[2, "李明", "甲公司", "1"]]
    assert [(p.row, p.code) for p in table.bad_rows] == [(3, "truncated_row")]


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "x.csv", "empty_file"),
        (b"  \n\n\r\n", "x.csv", "empty_file"),
        (b"\x00\x01\x02binary\x00\x00\x07" * 20, "x.csv", "binary_file"),
        (b"%PDF-1.7 ...", "x.csv", "unsupported_file_type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "unsupported_file_type"),
        (b"name,city\nLi,Shanghai\n", "report.xlsx", "wrong_file_type"),
    ],
    ids=["empty", "blank", "binary", "pdf", "xls", "text-named-xlsx"],
)
def test_files_that_are_not_tables_are_refused(data, name, code):
    rejected(code, read_table, data, file_name=name)


def test_a_header_without_rows_reads_as_an_empty_table():
    table = read_csv(b"a,b\n", known={"a"})
    assert table.frame.height == 0


# --- XLSX -----------------------------------------------------------------------------------------


def test_xlsx_below_a_merged_title_keeps_excel_row_numbers():
    data = xlsx_bytes(
        [
            ["负责人", "客户名称", "成交金额", "成交日期"],
            ["李明", "甲公司", 12000.5, dt.date(2025, 3, 15)],
            ["陈静", "乙公司", "1,200", 45731],
        ],
        title="2025年3月 商机报表",
        start_row=1,
        start_col=1,
    )
    table = read_xlsx(data, known=KNOWN)
    assert table.header == ["负责人", "客户名称", "成交金额", "成交日期"]
    assert table.header_row == 4  # title on row 2, blank row 3, header row 4
    assert cells(table) == [
        [5, "李明", "甲公司", "12000.5", "2025-03-15 00:00:00"],
        [6, "陈静", "乙公司", "1,200", "45731"],
    ]


def test_xlsx_picks_the_sheet_with_the_columns():
    data = xlsx_bytes(ROWS, sheet="数据", extra_sheets=[("说明", [["本表由系统导出"]])])
    assert read_xlsx(data, known=KNOWN).sheet == "数据"
    data = xlsx_bytes([["说明"], ["x"]], sheet="说明", extra_sheets=[("数据", ROWS)])
    assert read_xlsx(data, known=KNOWN).sheet == "数据"


def test_xlsx_named_sheet():
    data = xlsx_bytes(ROWS, sheet="A", extra_sheets=[("B", [["负责人", "客户名称"], ["张三", "丙公司"]])])
    assert cells(read_xlsx(data, options=ReadOptions(sheet="B"), known=KNOWN)) == [[2, "张三", "丙公司"]]
    rejected("sheet_not_found", read_xlsx, data, options=ReadOptions(sheet="C"))


def test_xlsx_formula_text_stays_text():
    data = xlsx_bytes([["负责人", "客户名称"], ["李明", '=HYPERLINK("http://x")']])
    assert cells(read_xlsx(data, known=KNOWN)) == [[2, "李明", '=HYPERLINK("http://x")']]


def test_a_zip_bomb_is_not_opened():
    rejected("zip_bomb", read_table, zip_bomb(), file_name="bomb.xlsx")


def test_a_broken_workbook_is_refused():
    data = xlsx_bytes(ROWS)
    rejected("corrupt_xlsx", read_table, data[: len(data) // 2], file_name="half.xlsx")


# --- JSON -----------------------------------------------------------------------------------------


def test_json_array_of_objects_keeps_numbers_exact():
    data = json.dumps(
        [{"owner": "李明", "amount": 1200.10, "won": True}, {"owner": "陈静", "amount": 3, "extra": None}],
        ensure_ascii=False,
    ).encode()
    table = read_json(data, known={"owner"})
    assert table.header == ["owner", "amount", "won", "extra"]
    assert cells(table) == [[1, "李明", "1200.1", "true", None], [2, "陈静", "3", None, None]]
    exact = read_json(b'[{"amount": 0.10}, {"amount": 12345678901234567.89}]')
    assert [row[1] for row in cells(exact)] == ["0.10", "12345678901234567.89"]


def test_json_wrapped_in_an_object():
    table = read_json(b'{"data": [{"a": "1"}, {"a": "2"}], "count": 2}')
    assert cells(table) == [[1, "1"], [2, "2"]]


def test_json_array_of_arrays_has_a_header_row():
    table = read_json(b'[["a", "b"], ["1", 2]]', known={"a"})
    assert (table.header, cells(table)) == (["a", "b"], [[2, "1", "2"]])


def test_json_lines_with_a_bad_line_and_a_cut_off_end():
    data = b'{"a": "1"}\n{"a": 2\n\n{"a": "3"}\n{"a": "4'
    table = read_json(data, lines=True)
    assert cells(table) == [[1, "1"], [4, "3"]]
    assert [(p.row, p.code) for p in table.bad_rows] == [(2, "invalid_json_row"), (5, "truncated_row")]


def test_a_json_array_cut_off_keeps_the_complete_elements():
    table = read_json(b'[{"a": "1"}, {"a": "2"}, {"a": "3')
    assert cells(table) == [[1, "1"], [2, "2"]]
    assert [(p.row, p.code) for p in table.bad_rows] == [(3, "truncated_row")]


def test_invalid_json_is_refused():
    rejected("invalid_json", read_json, b"[{'a': 1}, oops]")


def test_a_repeated_key_in_a_json_object_is_a_row_problem():
    table = read_json(b'{"a": "1", "a": "2"}\n{"a": "3"}\n', lines=True)
    assert cells(table) == [[2, "3"]]
    assert [(p.row, p.code) for p in table.bad_rows] == [(1, "invalid_json_row")]


def test_read_table_routes_by_content():
    assert read_table(b'[{"a": 1}]', file_name="push").file_format == "json"
    assert read_table(b'{"a": 1}\n{"a": 2}\n', file_name="x.jsonl").file_format == "jsonl"
    assert read_table(xlsx_bytes(ROWS), file_name="upload", known=KNOWN).file_format == "xlsx"
    assert read_table(b"a,b\n1,2\n", file_name="x.txt").file_format == "csv"


# --- the one-pass road for plain exports ------------------------------------------------------------


def _careful(monkeypatch, data, **kwargs):
    """The same file read line by line (the road every file with quotes or damage takes)."""
    with monkeypatch.context() as patched:
        patched.setattr(readers, "_read_plain_csv", lambda *args: None)
        return read_csv(data, **kwargs)


PLAIN_CASES = {
    "simple": b"a,b,c\n1,2,3\n4,5,6\n",
    "no-final-newline": b"a,b,c\n1,2,3\n4,5,6",
    "bom-crlf": codecs.BOM_UTF8 + b"a,b,c\r\n1,2,3\r\n4,5,6\r\n",
    "title-and-blank-above": "2025年3月 报表\n\n,,\n负责人,客户名称,成交金额\n李明,甲公司,300\n".encode(),
    "semicolons": b"a;b;c\n1;2;3\n4;;6\n",
    "trailing-delimiter": b"a,b,\n1,2,\n3,4,\n",
    "empty-cells": b"a,b,c\n,2,\n4,,6\n",
    "blank-line-in-body": b"a,b,c\n1,2,3\n\n4,5,6\n",
    "delimiters-only-line": b"a,b,c\n1,2,3\n,,\n4,5,6\n",
    "spaces-only-line": b"a,b,c\n1,2,3\n  , ,\n4,5,6\n",
    "trailing-blank-line": b"a,b,c\n1,2,3\n\n",
    "missing-field": b"a,b,c\n1,2\n4,5,6\n",
    "missing-and-extra": b"a,b,c\n1,2\n4,5,6,7\n",
    "extra-field": b"a,b,c\n1,2,3,4\n4,5,6\n",
    "repeated-header": b"a,b,c\n1,2,3\na,b,c\n4,5,6\n",
    "cut-off-last-line": b"a,b,c\n1,2,3\n4,5",
    "quoted": b'a,b,c\n1,"2,5",3\n',
    "latin1-byte": b"a,b,c\n1,caf\xe9,3\n",
    "header-only": b"a,b,c\n",
    "chinese": '负责人,客户名称,成交金额\n李明,甲公司,"1,200"\n陈静,乙公司,300\n'.encode(),
}


@pytest.mark.parametrize("data", PLAIN_CASES.values(), ids=PLAIN_CASES.keys())
def test_a_plain_export_reads_the_same_in_one_pass_as_line_by_line(monkeypatch, data):
    def outcome(read):
        try:
            table = read()
        except ImportRejected as exc:
            return exc.code
        return (
            cells(table),
            table.header,
            table.header_row,
            table.encoding,
            table.delimiter,
            table.blank_rows,
            [(problem.row, problem.code, problem.raw) for problem in table.bad_rows],
            table.repeated_header_rows,
        )

    known = {"a", "负责人", "客户名称"}
    assert outcome(lambda: read_csv(data, known=known)) == outcome(
        lambda: _careful(monkeypatch, data, known=known)
    )


def test_a_plain_export_takes_the_one_pass_road_and_damaged_ones_do_not():
    assert (
        readers._read_plain_csv(PLAIN_CASES["title-and-blank-above"], ReadOptions(), {"负责人"}) is not None
    )
    for damaged in ("blank-line-in-body", "missing-field", "extra-field", "repeated-header", "quoted"):
        assert readers._read_plain_csv(PLAIN_CASES[damaged], ReadOptions(), {"a"}) is None, damaged
