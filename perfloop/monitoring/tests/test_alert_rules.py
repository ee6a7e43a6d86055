"""The pure rule engine: flags, streaks, episodes and reconciliation on plain frames (no database)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfloop.core.months import Month
from perfloop.metrics.scoring import compute_streaks
from perfloop.monitoring.alert_rules import (
    ALERT_COLUMNS,
    CARD_COLUMNS,
    LINE_COLUMNS,
    RuleError,
    RuleSpec,
    evaluate_rules,
    reconcile_alerts,
)

JAN = Month(2025, 1).index
MET = 0.7
WARNING = RuleSpec(rule_id=1, kind="consecutive_below", months=3)
LONG_TERM = RuleSpec(rule_id=2, kind="consecutive_below", months=6)


def cards_of(people: dict[int, list[float | None]], *, first: int = JAN, team: int = 10) -> pl.DataFrame:
    """Scorecards from composites per month (None = missing data; a missing key month = no scorecard)."""
    rows = [
        (employee, first + offset, team, composite, None if composite is None else composite >= MET)
        for employee, composites in people.items()
        for offset, composite in enumerate(composites)
        if composite != -1  # -1 marks a month without a scorecard at all (not employed, on leave)
    ]
    frame = pl.DataFrame(
        rows,
        schema={k: CARD_COLUMNS[k] for k in ("employee_id", "month", "team_id", "composite", "is_met")},
        orient="row",
    )
    return compute_streaks(frame).drop("streak_met").cast(CARD_COLUMNS)  # type: ignore[arg-type]


def alert_months(episodes: pl.DataFrame, rule_id: int) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for row in episodes.filter(pl.col("rule_id") == rule_id).sort("month").iter_rows(named=True):
        out.setdefault(row["employee_id"], []).append(row["month"] - JAN)
    return out


def no_alerts() -> pl.DataFrame:
    return pl.DataFrame(schema=ALERT_COLUMNS)


def alerts_frame(rows: list[tuple[int, int, int, int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ALERT_COLUMNS, orient="row")


LOW, OK = 0.5, 0.9


def test_third_month_below_target_raises_a_warning_in_that_month():
    cards = cards_of({1: [OK, LOW, LOW, LOW, LOW], 2: [LOW, LOW, OK, LOW, LOW]})
    episodes, _ = evaluate_rules(cards=cards, rules=[WARNING], first=JAN, last=JAN + 4)
    assert alert_months(episodes, 1) == {1: [3]}


def test_a_missing_month_breaks_the_streak():
    cards = cards_of({1: [LOW, LOW, None, LOW, LOW], 2: [LOW, LOW, -1, LOW, LOW]})
    episodes, _ = evaluate_rules(cards=cards, rules=[WARNING], first=JAN, last=JAN + 4)
    assert episodes.height == 0


def test_leave_in_the_middle_of_a_run_starts_a_new_one_after_return():
    # on leave in months 3-4 (no scorecard), below before and after: two runs of 3 → two episodes
    cards = cards_of({1: [LOW, LOW, LOW, -1, -1, LOW, LOW, LOW]})
    episodes, _ = evaluate_rules(cards=cards, rules=[WARNING], first=JAN, last=JAN + 7)
    assert alert_months(episodes, 1) == {1: [2, 7]}


def test_someone_who_joins_mid_period_is_counted_from_their_first_month():
    cards = cards_of({1: [-1, -1, -1, LOW, LOW, LOW]})
    episodes, _ = evaluate_rules(cards=cards, rules=[WARNING, LONG_TERM], first=JAN, last=JAN + 5)
    assert alert_months(episodes, 1) == {1: [5]}
    assert alert_months(episodes, 2) == {}


def test_someone_who_leaves_before_the_sixth_month_gets_no_long_term_alert():
    cards = cards_of({1: [LOW, LOW, LOW, LOW, LOW, -1, -1]})
    episodes, _ = evaluate_rules(cards=cards, rules=[WARNING, LONG_TERM], first=JAN, last=JAN + 6)
    assert alert_months(episodes, 1) == {1: [2]}
    assert alert_months(episodes, 2) == {}


def test_stored_streaks_carry_an_episode_that_started_before_the_months_evaluated():
    cards = cards_of({1: [LOW] * 8})
    only_last = cards.filter(pl.col("month") == JAN + 7)
    episodes, _ = evaluate_rules(cards=only_last, rules=[WARNING, LONG_TERM], first=JAN + 7, last=JAN + 7)
    assert alert_months(episodes, 1) == {1: [2]}
    assert alert_months(episodes, 2) == {1: [5]}
    assert episodes["start"].to_list() == [JAN, JAN]


def test_a_threshold_rule_computes_its_own_streaks_from_the_composites():
    rule = RuleSpec(rule_id=3, kind="consecutive_below", months=2, threshold=0.6)
    cards = cards_of({1: [0.65, 0.55, 0.5, 0.65], 2: [0.3, 0.3, None, 0.3]})
    episodes, _ = evaluate_rules(cards=cards, rules=[rule], first=JAN, last=JAN + 3)
    assert alert_months(episodes, 3) == {1: [2], 2: [1]}


def _lines(rows: list[tuple[int, int, str, float | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=LINE_COLUMNS, orient="row")


def test_a_kpi_rule_judges_that_kpis_attainment_and_a_missing_line_breaks_it():
    rule = RuleSpec(rule_id=4, kind="consecutive_below", months=2, kpi="new_customers", threshold=0.5)
    cards = cards_of({1: [OK, OK, OK, OK]})
    lines = _lines(
        [
            (1, JAN, "new_customers", 1, 0.33),
            (1, JAN + 1, "new_customers", 1, 0.33),
            (1, JAN + 2, "revenue", 80000, 1.0),  # no new-customers line this month
            (1, JAN + 3, "new_customers", 0, 0.0),
        ]
    )
    episodes, _ = evaluate_rules(cards=cards, rules=[rule], first=JAN, last=JAN + 3, lines=lines)
    assert alert_months(episodes, 4) == {1: [1]}


def test_completion_below_flags_a_single_month():
    rule = RuleSpec(rule_id=5, kind="completion_below", months=1, threshold=0.5)
    cards = cards_of({1: [0.9, 0.4, 0.9, 0.45]})
    episodes, _ = evaluate_rules(cards=cards, rules=[rule], first=JAN, last=JAN + 3)
    assert alert_months(episodes, 5) == {1: [1, 3]}
    assert episodes.sort("month")["is_recovered"].to_list() == [True, False]


def test_below_team_average_compares_with_the_team_mean_and_inverts_for_lower_is_better():
    fewer = RuleSpec(rule_id=6, kind="below_team_average", kpi="new_customers", factor=0.5)
    churn = RuleSpec(rule_id=7, kind="below_team_average", kpi="churn_rate", factor=0.5, kpi_is_lower=True)
    cards = cards_of({1: [OK], 2: [OK], 3: [OK], 4: [OK]})
    lines = _lines(
        [
            (1, JAN, "new_customers", 1, None),
            (2, JAN, "new_customers", 4, None),
            (3, JAN, "new_customers", 4, None),
            (4, JAN, "new_customers", 3, None),  # mean 3: below 1.5 only for person 1
            (1, JAN, "churn_rate", 0.40, None),
            (2, JAN, "churn_rate", 0.10, None),
            (3, JAN, "churn_rate", 0.10, None),
            (4, JAN, "churn_rate", None, None),  # mean 0.2 over those with a value: above 0.4 only for 1? no
        ]
    )
    episodes, _ = evaluate_rules(cards=cards, rules=[fewer, churn], first=JAN, last=JAN, lines=lines)
    assert alert_months(episodes, 6) == {1: [0]}
    assert alert_months(episodes, 7) == {}  # 0.40 is not above 0.20 / 0.5 = 0.40
    lines = lines.with_columns(
        actual=pl.when((pl.col("employee_id") == 1) & (pl.col("kpi") == "churn_rate"))
        .then(0.45)
        .otherwise(pl.col("actual"))
    )
    episodes, _ = evaluate_rules(cards=cards, rules=[churn], first=JAN, last=JAN, lines=lines)
    assert alert_months(episodes, 7) == {1: [0]}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "nonsense"}, "unknown_kind"),
        ({"kind": "consecutive_below", "months": 0}, "invalid_months"),
        ({"kind": "below_team_average", "kpi": "revenue"}, "invalid_rule"),
        ({"kind": "consecutive_below", "kpi": "revenue"}, "invalid_rule"),
        ({"kind": "consecutive_below", "threshold": -1}, "invalid_rule"),
    ],
)
def test_a_rule_that_cannot_be_evaluated_is_refused_with_a_stable_code(fields, code):
    with pytest.raises(RuleError) as caught:
        RuleSpec(rule_id=1, **fields)
    assert caught.value.code == code


# --- reconciliation -------------------------------------------------------------------------------------


def plan_for(cards, alerts, *, first, last, rules=(WARNING,), departed=()):
    episodes, flags = evaluate_rules(cards=cards, rules=rules, first=first, last=last)
    return reconcile_alerts(
        episodes=episodes,
        flags=flags,
        alerts=alerts,
        rules=rules,
        first=first,
        last=last,
        departed=departed,
    )


def test_a_second_evaluation_of_the_same_data_plans_nothing():
    cards = cards_of({1: [LOW, LOW, LOW, LOW]})
    plan = plan_for(cards, no_alerts(), first=JAN, last=JAN + 3)
    assert [(c["employee_id"], c["month"] - JAN) for c in plan.create] == [(1, 2)]
    stored = alerts_frame([(100, 1, 1, JAN + 2, "open", "")])
    assert plan_for(cards, stored, first=JAN, last=JAN + 3).is_empty


def test_a_restatement_that_removes_the_condition_withdraws_the_alert():
    restated = cards_of({1: [LOW, OK, LOW, LOW]})
    stored = alerts_frame([(100, 1, 1, JAN + 2, "acknowledged", "")])
    plan = plan_for(restated, stored, first=JAN + 1, last=JAN + 3)
    assert plan.resolve == [(100, "withdrawn")]
    assert plan.create == []


def test_a_restatement_that_shifts_the_month_moves_the_alert_instead_of_raising_another():
    # it was LOW from month 1; a late import shows month 0 was below too: the run reaches 3 a month earlier
    restated = cards_of({1: [LOW, LOW, LOW, LOW]})
    stored = alerts_frame([(100, 1, 1, JAN + 3, "acknowledged", "")])
    plan = plan_for(restated, stored, first=JAN, last=JAN + 3)
    assert plan.create == []
    assert plan.resolve == []
    assert [(m["alert_id"], m["month"] - JAN, m["restated_from"] - JAN) for m in plan.move] == [(100, 2, 3)]


def test_the_condition_coming_back_reopens_a_withdrawn_alert():
    cards = cards_of({1: [LOW, LOW, LOW]})
    stored = alerts_frame([(100, 1, 1, JAN + 2, "resolved", "withdrawn")])
    plan = plan_for(cards, stored, first=JAN, last=JAN + 2)
    assert plan.reopen == [100]
    assert plan.resolve == []
    assert plan.create == []


def test_a_manually_resolved_alert_is_never_raised_again_for_the_same_run():
    cards = cards_of({1: [LOW, LOW, LOW, LOW, LOW]})
    stored = alerts_frame([(100, 1, 1, JAN + 2, "resolved", "handled")])
    assert plan_for(cards, stored, first=JAN + 4, last=JAN + 4).is_empty


def test_a_met_month_after_the_run_resolves_the_alert_as_recovered():
    cards = cards_of({1: [LOW, LOW, LOW, OK]})
    stored = alerts_frame([(100, 1, 1, JAN + 2, "open", "")])
    assert plan_for(cards, stored, first=JAN + 3, last=JAN + 3).resolve == [(100, "recovered")]


def test_a_missing_month_after_the_run_is_no_recovery():
    cards = cards_of({1: [LOW, LOW, LOW, None]})
    stored = alerts_frame([(100, 1, 1, JAN + 2, "open", "")])
    assert plan_for(cards, stored, first=JAN + 3, last=JAN + 3).is_empty


def test_a_rule_that_keeps_alerts_open_on_recovery_leaves_them_to_people():
    sticky = RuleSpec(rule_id=1, kind="consecutive_below", months=3, resolves_on_recovery=False)
    cards = cards_of({1: [LOW, LOW, LOW, OK]})
    stored = alerts_frame([(100, 1, 1, JAN + 2, "open", "")])
    assert plan_for(cards, stored, first=JAN + 3, last=JAN + 3, rules=(sticky,)).is_empty


def test_people_who_left_have_their_active_alerts_resolved_as_left():
    cards = cards_of({1: [LOW, LOW, LOW, -1]})
    stored = alerts_frame([(100, 1, 1, JAN + 2, "open", ""), (101, 1, 1, JAN - 5, "resolved", "handled")])
    plan = plan_for(cards, stored, first=JAN + 3, last=JAN + 3, departed=[1])
    assert plan.resolve == [(100, "left")]


def test_a_late_close_raises_an_episode_that_already_recovered_as_resolved():
    cards = cards_of({1: [LOW, LOW, LOW, OK]})
    plan = plan_for(cards, no_alerts(), first=JAN, last=JAN + 3)
    assert [(c["month"] - JAN, c["resolution"]) for c in plan.create] == [(2, "recovered")]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from([LOW, OK, None, -1]), min_size=1, max_size=14), min_size=1, max_size=5),
    st.integers(min_value=1, max_value=6),
)
def test_closing_month_by_month_raises_exactly_the_episodes_of_one_evaluation(histories, months):
    """Property: month-by-month closes (reconciling each time) end with one alert per episode."""
    rule = RuleSpec(rule_id=1, kind="consecutive_below", months=months, resolves_on_recovery=False)
    cards = cards_of(dict(enumerate(histories)))
    last = JAN + max(len(h) for h in histories) - 1
    stored: list[tuple[int, int, int, int, str, str]] = []
    for month in range(JAN, last + 1):
        upto = cards.filter(pl.col("month") <= month)
        plan = plan_for(upto, alerts_frame(stored), first=month, last=month, rules=(rule,))
        assert plan.move == []
        assert plan.resolve == []
        assert plan.reopen == []
        stored += [(len(stored) + 1, 1, c["employee_id"], c["month"], "open", "") for c in plan.create]
    whole, _ = evaluate_rules(cards=cards, rules=[rule], first=JAN, last=last)
    assert sorted((a[2], a[3]) for a in stored) == sorted(whole.select("employee_id", "month").iter_rows())
    assert plan_for(cards, alerts_frame(stored), first=JAN, last=last, rules=(rule,)).is_empty
    # a streak never exceeds the months seen
    assert all(0 <= row[3] - JAN < len(histories[row[2]]) for row in stored)


def test_the_rule_engine_imports_no_django():
    import ast
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("perfloop.monitoring.alert_rules")
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not [name for name in names if name.startswith(("django", "perfloop"))]
