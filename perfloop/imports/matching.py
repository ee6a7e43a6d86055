"""Finding the employee behind each row: by employee number, e-mail, or exact name — never by a guess.

Pure (Polars). The directory is a frame of the people the importer may see (``employee_id``, ``number``,
``email``, ``name``); a name shared by two people is ``ambiguous_employee`` with both employee numbers, so
the user can write the number instead.
"""

from __future__ import annotations

import json

import polars as pl

DIRECTORY_SCHEMA = {"employee_id": pl.Int64, "number": pl.String, "email": pl.String, "name": pl.String}
_NUMBER_IN_BRACKETS = r"[\(（\[【]\s*([A-Za-z0-9_\-]+)\s*[\)）\]】]\s*$"


def name_key(series: pl.Series | pl.Expr) -> pl.Series | pl.Expr:
    """Names compare without spaces, width or case: ``张 三`` = ``张三``, ``Li Ming`` = ``li ming``."""
    return series.str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_lowercase()


def number_key(series: pl.Series | pl.Expr) -> pl.Series | pl.Expr:
    return series.str.normalize("NFKC").str.strip_chars().str.to_uppercase()


def match_employees(values: pl.Series, directory: pl.DataFrame, *, mode: str = "auto") -> pl.DataFrame:
    """One row per value: ``employee_id`` (null when not found), ``code`` and ``details`` of the problem.

    ``mode``: ``number``, ``email``, ``name`` or ``auto`` (an @ means e-mail; otherwise the employee number,
    then a number in brackets as in ``张三(E0012)``, then the exact name).
    A file names the same few hundred people a million times: each distinct value is matched once.
    """
    distinct = values.unique()  # in any order: each value's match does not depend on the others
    matched = _match_distinct(distinct, directory, mode)
    found = matched.filter(pl.col("employee_id").is_not_null())
    employee_id = values.replace_strict(
        found["value"], found["employee_id"], default=None, return_dtype=pl.Int64
    )
    problems = matched.filter(pl.col("code").is_not_null())

    def problem_column(name: str) -> pl.Series:
        """``name`` of each row's problem: the few rows with one are looked up, the rest stay empty (a
        million misses in a map would cost as much as a million hits)."""
        column = pl.repeat(None, values.len(), dtype=pl.String, eager=True)
        if problems.height == 0:
            return column
        where = values.is_in(problems["value"].implode()).arg_true()
        return column.scatter(where, values.gather(where).replace_strict(problems["value"], problems[name]))

    return pl.DataFrame(
        {"employee_id": employee_id, "code": problem_column("code"), "details": problem_column("details")}
    )


def _match_distinct(values: pl.Series, directory: pl.DataFrame, mode: str) -> pl.DataFrame:
    frame = pl.DataFrame({"value": values}).with_row_index("_i")
    numbers = directory.select(_number=number_key(pl.col("number")), _by_number=pl.col("employee_id")).unique(
        "_number", keep="first"
    )
    emails = (
        directory.filter(pl.col("email").is_not_null() & (pl.col("email") != ""))
        .group_by(_email=pl.col("email").str.to_lowercase().str.strip_chars())
        .agg(_by_email=pl.col("employee_id").first(), _email_count=pl.len(), _email_numbers=pl.col("number"))
    )
    names = directory.group_by(_name=name_key(pl.col("name"))).agg(
        _by_name=pl.col("employee_id").first(), _name_count=pl.len(), _name_numbers=pl.col("number")
    )
    keyed = frame.with_columns(
        _number=number_key(pl.col("value")),
        _bracket=number_key(pl.col("value").str.extract(_NUMBER_IN_BRACKETS, 1)),
        _email=pl.col("value").str.to_lowercase().str.strip_chars(),
        _name=name_key(pl.col("value")),
    )
    keyed = (
        keyed.join(numbers, on="_number", how="left")
        .join(numbers.rename({"_number": "_bracket", "_by_number": "_by_bracket"}), on="_bracket", how="left")
        .join(emails, on="_email", how="left")
        .join(names, on="_name", how="left")
        .sort("_i")
    )
    is_email = pl.col("value").str.contains("@")
    if mode == "number":
        found, count, candidates = pl.col("_by_number"), pl.lit(1), pl.lit(None, dtype=pl.List(pl.String))
    elif mode == "email":
        found, count, candidates = pl.col("_by_email"), pl.col("_email_count"), pl.col("_email_numbers")
    elif mode == "name":
        found, count, candidates = pl.col("_by_name"), pl.col("_name_count"), pl.col("_name_numbers")
    else:
        found = (
            pl.when(is_email)
            .then(pl.col("_by_email"))
            .otherwise(pl.coalesce("_by_number", "_by_bracket", "_by_name"))
        )
        by_name_only = pl.col("_by_number").is_null() & pl.col("_by_bracket").is_null() & ~is_email
        count = (
            pl.when(is_email)
            .then(pl.col("_email_count"))
            .when(by_name_only)
            .then(pl.col("_name_count"))
            .otherwise(pl.lit(1))
        )
        candidates = pl.when(is_email).then(pl.col("_email_numbers")).otherwise(pl.col("_name_numbers"))
    result = keyed.select(
        "value",
        employee_id=pl.when(count.fill_null(0) == 1).then(found).otherwise(None).cast(pl.Int64),
        _count=count.fill_null(0),
        _candidates=candidates,
    )
    code = (
        pl.when(pl.col("value").is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("_count") > 1)
        .then(pl.lit("ambiguous_employee"))
        .when(pl.col("employee_id").is_null())
        .then(pl.lit("unknown_employee"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    result = result.with_columns(code=code)
    details = [
        json.dumps(
            {"value": value, "match": mode, "candidates": ", ".join(sorted(numbers or [])[:10])},
            ensure_ascii=False,
        )
        if problem
        else None
        for value, problem, numbers in result.select("value", "code", "_candidates").iter_rows()
    ]
    return result.select("value", "employee_id", "code").with_columns(
        pl.Series("details", details, dtype=pl.String)
    )
