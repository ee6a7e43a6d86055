"""Raw events → monthly facts: the business rule of each KPI, with its lineage."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import polars as pl

from perfloop.imports.aggregation import FIRST_WINS_SCHEMA, aggregate, zero_fill
from perfloop.imports.parsers import DECIMAL

D = dt.date


def events(rows, schema):
    return pl.DataFrame(rows, schema=schema, orient="row")


def facts_of(aggregated):
    return {
        (row["employee_id"], row["month"], row["kpi"]): (row["value"], json.loads(row["lineage"]))
        for row in aggregated.facts.iter_rows(named=True)
    }


DEAL_SCHEMA = {
    "__row": pl.Int64,
    "employee_id": pl.Int64,
    "account": pl.String,
    "stage": pl.String,
    "close_date": pl.Date,
    "amount": DECIMAL,
    "__month": pl.Int32,
}


def deals(rows):
    return events([(*row, row[4].year * 100 + row[4].month if row[4] else None) for row in rows], DEAL_SCHEMA)


def test_revenue_conversion_and_new_customers_by_close_month():
    frame = deals(
        [
            (2, 1, "甲公司", "won", D(2025, 3, 5), Decimal(1000)),
            (3, 1, "乙公司", "lost", D(2025, 3, 6), None),
            (4, 1, "甲公司", "won", D(2025, 3, 20), Decimal(500)),  # the same account again: not new twice
            (5, 1, "丙公司", "won", D(2025, 4, 1), Decimal(200)),
            (6, 2, "丁公司", "lost", D(2025, 3, 9), None),
            (7, 2, "戊公司", "open", None, None),
        ]
    )
    facts = facts_of(aggregate(frame, kind="deals", months=[202503, 202504]))
    assert facts[(1, 202503, "revenue")] == (Decimal(1500), {"rows": [2, 4], "deals_won": 2})
    assert facts[(1, 202503, "conversion_rate")] == (
        Decimal("0.6667"),
        {"rows": [2, 3, 4], "won": 2, "lost": 1},
    )
    assert facts[(1, 202503, "new_customers")] == (Decimal(1), {"rows": [2]})
    assert facts[(1, 202504, "new_customers")] == (Decimal(1), {"rows": [5]})
    assert facts[(2, 202503, "conversion_rate")][0] == Decimal(0)
    assert (2, 202503, "revenue") not in facts  # nothing won: the zero comes from coverage, not from here
    assert not any(key[0] == 2 and key[2] == "new_customers" for key in facts)


def test_an_account_won_in_an_earlier_file_is_not_new():
    frame = deals(
        [
            (2, 1, "甲 公司", "won", D(2025, 3, 5), Decimal(1)),
            (3, 1, "乙公司", "won", D(2025, 3, 6), Decimal(1)),
        ]
    )
    prior = pl.DataFrame([("甲公司", D(2024, 11, 2), 9, 40)], schema=FIRST_WINS_SCHEMA, orient="row")
    facts = facts_of(aggregate(frame, kind="deals", months=[202503], prior_first_wins=prior))
    assert facts[(1, 202503, "new_customers")] == (Decimal(1), {"rows": [3]})


def test_a_later_file_with_earlier_history_makes_the_account_new_here():
    frame = deals([(2, 1, "甲公司", "won", D(2024, 10, 5), Decimal(1))])
    prior = pl.DataFrame([("甲公司", D(2025, 3, 2), 9, 40)], schema=FIRST_WINS_SCHEMA, orient="row")
    facts = facts_of(aggregate(frame, kind="deals", months=[202410], prior_first_wins=prior))
    assert facts[(1, 202410, "new_customers")][0] == Decimal(1)


def test_collection_rate_is_collected_over_due():
    schema = {
        "__row": pl.Int64,
        "employee_id": pl.Int64,
        "amount_due": DECIMAL,
        "amount_collected": DECIMAL,
        "__month": pl.Int32,
    }
    frame = events(
        [
            (2, 1, Decimal(1000), Decimal(900), 202503),
            (3, 1, Decimal(500), Decimal(0), 202503),
            (4, 2, Decimal(0), Decimal(0), 202503),
        ],
        schema,
    )
    facts = facts_of(aggregate(frame, kind="collections", months=[202503]))
    assert facts[(1, 202503, "collection_rate")] == (
        Decimal("0.6"),
        {"rows": [2, 3], "due": "1500.0000", "collected": "900.0000"},
    )
    assert (2, 202503, "collection_rate") not in facts  # nothing due: undefined, not 0%


def test_follow_ups_count_only_the_types_asked_for():
    schema = {"__row": pl.Int64, "employee_id": pl.Int64, "activity_type": pl.String, "__month": pl.Int32}
    frame = events([(2, 1, "电话", 202503), (3, 1, "拜访", 202503), (4, 1, "内部会议", 202503)], schema)
    assert facts_of(aggregate(frame, kind="activities", months=[202503]))[(1, 202503, "follow_ups")][0] == 3
    counted = aggregate(frame, kind="activities", months=[202503], count_types=["电话", "拜访"])
    assert facts_of(counted)[(1, 202503, "follow_ups")] == (Decimal(2), {"rows": [2, 3]})


def test_feedback_is_the_mean_score():
    schema = {"__row": pl.Int64, "employee_id": pl.Int64, "score": DECIMAL, "__month": pl.Int32}
    frame = events(
        [(2, 1, Decimal(5), 202503), (3, 1, Decimal(4), 202503), (4, 1, Decimal(4), 202503)], schema
    )
    assert facts_of(aggregate(frame, kind="feedback", months=[202503]))[(1, 202503, "feedback_score")] == (
        Decimal("4.3333"),
        {"rows": [2, 3, 4], "answers": 3},
    )


def test_churn_is_accounts_lost_over_accounts_active_in_the_month():
    schema = {"__row": pl.Int64, "employee_id": pl.Int64, "since": pl.Date, "churned_on": pl.Date}
    frame = events(
        [
            (2, 1, D(2024, 1, 1), None),
            (3, 1, D(2024, 5, 1), D(2025, 3, 10)),
            (4, 1, D(2025, 3, 15), None),
            (5, 1, D(2023, 1, 1), D(2025, 1, 31)),
            (6, 2, D(2025, 4, 2), None),
        ],
        schema,
    )
    facts = facts_of(aggregate(frame, kind="accounts", months=[202503]))
    assert facts[(1, 202503, "churn_rate")] == (Decimal("0.3333"), {"rows": [3], "active": 3, "churned": 1})
    assert (2, 202503, "churn_rate") not in facts  # not a customer yet in March


def test_training_participation_and_exam_mean():
    schema = {
        "__row": pl.Int64,
        "employee_id": pl.Int64,
        "attendance": pl.String,
        "exam_score": DECIMAL,
        "__month": pl.Int32,
    }
    frame = events(
        [
            (2, 1, "attended", Decimal(80), 202503),
            (3, 1, "absent", None, 202503),
            (4, 1, "attended", Decimal(90), 202503),
        ],
        schema,
    )
    value, lineage = facts_of(aggregate(frame, kind="training", months=[202503]))[
        (1, 202503, "training_participation")
    ]
    assert value == Decimal("0.6667")
    assert (lineage["enrolled"], lineage["attended"], Decimal(lineage["exam_mean"])) == (3, 2, Decimal(85))


def test_monthly_kpi_rows_pass_through_with_their_row():
    schema = {
        "__row": pl.Int64,
        "employee_id": pl.Int64,
        "kpi": pl.String,
        "value": DECIMAL,
        "__month": pl.Int32,
    }
    frame = events([(7, 1, "revenue", Decimal(80000), 202503)], schema)
    assert facts_of(aggregate(frame, kind="monthly_kpis", months=[202503])) == {
        (1, 202503, "revenue"): (Decimal(80000), {"rows": [7]})
    }


def test_zero_fill_gives_counting_kpis_a_real_zero_and_ratios_nothing():
    facts = aggregate(
        deals([(2, 1, "甲公司", "won", D(2025, 3, 5), Decimal(10))]), kind="deals", months=[202503]
    ).facts
    population = pl.DataFrame({"employee_id": [1, 2], "month": [202503, 202503]})
    filled = facts_of(
        type(
            "A", (), {"facts": zero_fill(facts, population, ["revenue", "new_customers", "conversion_rate"])}
        )
    )
    assert filled[(2, 202503, "revenue")][0] == Decimal(0)
    assert filled[(2, 202503, "new_customers")][0] == Decimal(0)
    assert (2, 202503, "conversion_rate") not in filled
    assert filled[(1, 202503, "revenue")][0] == Decimal(10)
