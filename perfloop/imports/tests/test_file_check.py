"""The whole-file verdict from the import's own findings: problems by kind, ready or refused, kept as data."""

from __future__ import annotations

import json

import polars as pl

from perfloop.imports.file_check import FileCheck, file_check_from, problem_counts
from perfloop.imports.validation import empty_errors, errors_from


def _errors(
    code: str, rows: list[int], *, column: str = "成交金额", details: dict | None = None
) -> pl.DataFrame:
    return errors_from(
        pl.Series(rows, dtype=pl.Int64),
        code=code,
        field_name="amount",
        column=column,
        values=["很多"] * len(rows),
        details=details or {"field": column, "value": "很多"},
    )


def test_the_most_frequent_problem_comes_first_with_its_first_rows_in_file_order():
    errors = pl.concat(
        [
            _errors("unparseable_number", [40, 3]),
            _errors(
                "unknown_employee", [90, 12, 7, 61, 30, 8, 44], column="负责人", details={"value": "王五"}
            ),
        ]
    )
    counts = problem_counts(errors)
    assert [(count.code, count.rows) for count in counts] == [
        ("unknown_employee", 7),
        ("unparseable_number", 2),
    ]
    assert counts[0].first_rows == [7, 8, 12, 30, 44]  # five examples, not the whole list
    assert counts[0].column == "负责人"
    assert counts[0].details == {"value": "王五"}  # the first case, to describe it in words
    assert counts[1].first_rows == [3, 40]


def test_a_row_with_two_problems_counts_once_among_the_bad_rows_and_under_each_problem():
    errors = pl.concat(
        [_errors("unparseable_number", [5, 6]), _errors("unknown_employee", [5], column="负责人")]
    )
    check = file_check_from(rows_total=10, errors=errors, max_error_share=0.2)
    assert check.rows_with_problems == 2
    assert {count.code: count.rows for count in check.problems} == {
        "unparseable_number": 2,
        "unknown_employee": 1,
    }
    assert (check.is_ready, check.rows_applied, check.problem_share) == (True, 8, 0.2)


def test_a_refused_file_writes_nothing_whatever_its_rows_would_have_made():
    facts = pl.DataFrame({"employee_id": [1, 1, 2], "month": [202503] * 3, "kpi": ["revenue"] * 3})
    check = file_check_from(
        rows_total=6,
        errors=_errors("unparseable_number", [2, 3, 4, 5]),
        max_error_share=0.2,
        refusal=("too_many_errors", {"bad": 4, "rows": 6, "limit": "20%"}),
        months=[202503],
        kpis=["revenue"],
        facts=facts,
        restates=[7],
    )
    assert not check.is_ready
    assert check.refusal == {"code": "too_many_errors", "details": {"bad": 4, "rows": 6, "limit": "20%"}}
    assert (check.rows_applied, check.facts, check.people, check.restates) == (0, 0, 0, [])


def test_a_ready_file_says_what_it_writes_and_which_batches_it_restates():
    facts = pl.DataFrame({"employee_id": [1, 1, 2], "month": [202503] * 3, "kpi": ["revenue"] * 3})
    check = file_check_from(
        rows_total=3,
        errors=empty_errors(),
        max_error_share=0.2,
        facts=facts,
        restates=[9, 4],
        months=[202503],
    )
    assert (check.facts, check.people, check.restates, check.problems) == (3, 2, [4, 9], [])


def test_the_verdict_survives_a_json_column_and_dates_in_details_become_text():
    import datetime as dt

    check = file_check_from(
        rows_total=4,
        errors=_errors("unparseable_number", [2]),
        max_error_share=0.05,
        refusal=("coverage_conflict", {"month": dt.date(2025, 3, 1), "batch": "#3"}),
    )
    stored = json.loads(json.dumps(check.as_dict()))
    assert FileCheck.from_dict(stored) == check
    assert check.refusal is not None
    assert check.refusal["details"]["month"] == "2025-03-01"
