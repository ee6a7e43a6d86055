"""The demo company as plain data: determinism, and the case study's figures scored by the pure engine."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfloop.core.months import Month
from perfloop.demo import generator
from perfloop.demo.credentials import DEMO_SIGN_INS
from perfloop.demo.exports import demo_files
from perfloop.demo.generator import (
    DEFAULT_SEED,
    DISPUTE_MONTH,
    DISPUTE_SCRIPTS,
    KPI_CODES,
    KPI_SOURCES,
    KPI_TARGETS,
    MENTORS,
    REP_PERSONA,
    REP_POSITION,
    STORY_AVERAGE,
    TIMELINE,
    UNDERPERFORMERS,
    DemoCompany,
    Story,
    generate_company,
)
from perfloop.demo.records import deal_counts, part_counts, ratio_value, split_hundreds
from perfloop.imports.presets import PRESETS
from perfloop.imports.profiles import map_columns, parse_profile
from perfloop.imports.readers import ReadOptions, read_table
from perfloop.metrics.catalogue import DEFAULT_KPIS
from perfloop.metrics.scoring import ScoringPolicy, ScoringResult, compute_scorecards

THRESHOLD = 0.70


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate_company()


def _score(company: DemoCompany) -> tuple[ScoringResult, dict[int, str]]:
    """Score the generated company with the engine, as `scorecards_recompute` would (default weights)."""
    ids = {spec.number: i for i, spec in enumerate(company.employees, start=1)}
    numbers = {i: number for number, i in ids.items()}
    id_frame = pl.DataFrame({"employee": list(ids), "employee_id": list(ids.values())})

    def values(frame: pl.DataFrame, column: str) -> pl.DataFrame:
        return frame.join(id_frame, on="employee").select(
            "employee_id", "month", "kpi", pl.col("value").cast(pl.Float64).alias(column)
        )

    units = {unit.code: i for i, unit in enumerate(company.units, start=1)}
    assignments = pl.DataFrame(
        [
            (ids[spec.number], month.index, units[spec.unit], 1 if spec.position == REP_POSITION else 2)
            for spec in company.employees
            for month in company.timeline.months
            if spec.is_employed_in(month)
        ],
        schema={"employee_id": pl.Int64, "month": pl.Int32, "team_id": pl.Int64, "position_id": pl.Int64},
        orient="row",
    )
    weights = pl.DataFrame(
        [(1, kpi.code, float(kpi.default_weight)) for kpi in DEFAULT_KPIS],
        schema={"position_id": pl.Int64, "kpi": pl.String, "weight": pl.Float64},
        orient="row",
    )
    kpis = pl.DataFrame(
        [(kpi.code, kpi.direction) for kpi in DEFAULT_KPIS],
        schema={"kpi": pl.String, "direction": pl.String},
        orient="row",
    )
    result = compute_scorecards(
        facts=values(company.facts, "value"),
        targets=values(company.final_targets, "target"),
        assignments=assignments,
        weights=weights,
        kpis=kpis,
        policy=ScoringPolicy(met_threshold=THRESHOLD),
    )
    return result, numbers


@pytest.fixture(scope="module")
def scored(company: DemoCompany) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(cards with an ``employee`` number column, team rows)."""
    result, numbers = _score(company)
    cards = result.cards.with_columns(
        employee=pl.col("employee_id").replace_strict(numbers, return_dtype=pl.String)
    )
    return cards, result.teams


def _in(months: list[Month]) -> pl.Expr:
    return pl.col("month").is_in([m.index for m in months])


def _completion(teams: pl.DataFrame, months: list[Month]) -> float:
    window = teams.filter(_in(months))
    return float(window["actual"].sum()) / float(window["target"].sum())


def _kpi(company: DemoCompany, code: str, months: list[Month]) -> pl.DataFrame:
    return company.facts.filter(pl.col("kpi") == code, _in(months)).with_columns(
        pl.col("value").cast(pl.Float64)
    )


def _numbers(company: DemoCompany, *stories: Story) -> set[str]:
    return {spec.number for spec in company.employees if spec.story in stories}


# --- determinism -----------------------------------------------------------------------------------------


def test_same_seed_gives_identical_company(company):
    again = generate_company(seed=DEFAULT_SEED)

    assert again.employees == company.employees
    assert again.units == company.units
    assert again.users == company.users
    assert again.facts.equals(company.facts)
    assert again.targets.equals(company.targets)
    assert again.wages.equals(company.wages)
    assert again.records.deals.equals(company.records.deals)
    assert again.agreements == company.agreements
    assert [(f.name, f.data) for f in demo_files(again)] == [(f.name, f.data) for f in demo_files(company)]


def test_another_seed_changes_names_and_values_but_not_the_cast(company):
    other = generate_company(seed=7)

    assert [e.name for e in other.employees] != [e.name for e in company.employees]
    assert not other.facts.equals(company.facts)
    assert [(e.number, e.story) for e in other.employees] == [(e.number, e.story) for e in company.employees]


# --- the organisation ------------------------------------------------------------------------------------


def test_fifty_reps_in_five_teams_of_ten_work_through_the_before_window(company):
    reps = [e for e in company.reps() if all(e.is_employed_in(m) for m in TIMELINE.before_months)]
    per_team: defaultdict[str, int] = defaultdict(int)
    for rep in reps:
        per_team[rep.unit] += 1

    assert len(reps) == 50
    assert sorted(per_team.values()) == [10] * 5


def test_every_team_is_headed_by_its_reps_manager(company):
    heads = {unit.code: unit.head for unit in company.units if unit.code.startswith("SALES-")}

    for rep in company.reps():
        assert rep.manager == heads[rep.unit]
        assert company.employee(heads[rep.unit]).position == "sales_manager"


def test_staff_and_managers_are_not_reps(company):
    others = [e for e in company.employees if e.position != REP_POSITION]

    assert {e.story for e in others} == {Story.STAFF, Story.MANAGER}
    assert set(company.facts["employee"].unique()).isdisjoint(e.number for e in others)


def test_some_people_were_hired_before_2008(company):
    early = [e for e in company.employees if e.hire_date < dt.date(2008, 1, 1)]

    assert any(e.position == REP_POSITION for e in early)
    assert any(e.story is Story.NOT_IMPROVED for e in early)


def test_contracts_turn_open_ended_after_two_fixed_terms(company):
    for spec in company.employees:
        years = (spec.termination_date or TIMELINE.after_last.last_day).year - spec.hire_date.year
        if spec.contract_type == "fixed":
            assert spec.contract_end is not None
            assert (
                spec.contract_start
                <= (spec.termination_date or TIMELINE.after_last.last_day)
                <= spec.contract_end
            )
            assert years <= 7
        else:
            assert spec.contract_end is None
            assert years >= 6


# --- the story -----------------------------------------------------------------------------------------


def test_eight_underperformers_stay_under_70_percent_revenue_from_their_decline_on(company):
    revenue = company.facts.filter(pl.col("kpi") == "revenue")
    for number, (_story, decline) in UNDERPERFORMERS.items():
        judged = revenue.filter(
            pl.col("employee") == number,
            pl.col("month") >= decline.index,
            pl.col("month") <= TIMELINE.before_last.index,
        )
        completion = judged["value"].cast(pl.Float64) / float(KPI_TARGETS["revenue"])

        assert judged.height >= 6
        assert completion.max() < 0.70


def test_engine_finds_exactly_the_eight_long_term_underperformers(scored):
    cards, _teams = scored
    at_end = cards.filter(pl.col("month") == TIMELINE.before_last.index, pl.col("streak_below") >= 6)

    assert set(at_end["employee"]) == set(UNDERPERFORMERS)


def test_the_other_reps_never_miss_a_month_and_never_fall_below_72_percent(company, scored):
    cards, _teams = scored
    others = _numbers(company, Story.STEADY, Story.NEW_HIRE)
    their_cards = cards.filter(pl.col("employee").is_in(others))
    revenue = company.facts.filter(pl.col("kpi") == "revenue", pl.col("employee").is_in(others))

    assert their_cards["is_met"].all()
    assert their_cards["composite"].min() >= 0.72
    assert their_cards["streak_below"].max() == 0
    assert revenue["value"].cast(pl.Float64).min() >= 0.72 * float(KPI_TARGETS["revenue"])


def test_steady_reps_average_about_78_percent_before(company):
    steady = _numbers(company, Story.STEADY)
    revenue = _kpi(company, "revenue", TIMELINE.before_months).filter(pl.col("employee").is_in(steady))

    mean: float = revenue["value"].mean()  # type: ignore[assignment]  # a Float64 column's mean

    assert mean / float(KPI_TARGETS["revenue"]) == pytest.approx(0.78, abs=0.01)


def test_underperformers_show_few_new_customers_and_high_churn(company):
    before = TIMELINE.before_months
    units = {spec.number: spec.unit for spec in company.employees}
    new_customers = (
        _kpi(company, "new_customers", before)
        .with_columns(unit=pl.col("employee").replace_strict(units))
        .with_columns(team_average=pl.col("value").mean().over("unit"))
        .group_by("employee")
        .agg(mean=pl.col("value").mean(), team_average=pl.col("team_average").first())
    )
    churn = (
        _kpi(company, "churn_rate", before)
        .group_by("employee")
        .agg(low=pl.col("value").min(), high=pl.col("value").max())
    )
    underperformers = set(UNDERPERFORMERS)

    for row in new_customers.iter_rows(named=True):
        if row["employee"] in underperformers:
            assert row["mean"] < 0.5 * row["team_average"]
        else:
            assert row["mean"] >= 0.7 * row["team_average"]
    for row in churn.iter_rows(named=True):
        if row["employee"] in underperformers:
            assert row["low"] > 0.30
        else:
            assert row["high"] < 0.20


def test_team_completion_is_about_75_percent_before_and_90_percent_after(scored):
    _cards, teams = scored

    assert _completion(teams, TIMELINE.before_months) == pytest.approx(0.75, abs=0.01)
    assert _completion(teams, TIMELINE.after_months) == pytest.approx(0.90, abs=0.01)


def test_three_recover_to_about_90_percent_and_five_do_not(company, scored):
    cards, _teams = scored
    last = cards.filter(pl.col("month") == TIMELINE.improvement_last.index)
    revenue = company.facts.filter(
        pl.col("kpi") == "revenue", pl.col("month") == TIMELINE.improvement_last.index
    )
    met = set(last.filter(pl.col("is_met"))["employee"])
    recovered = revenue.filter(pl.col("employee").is_in(_numbers(company, Story.IMPROVED)))

    assert met & set(UNDERPERFORMERS) == _numbers(company, Story.IMPROVED)
    assert len(_numbers(company, Story.IMPROVED)) == 3
    assert len(_numbers(company, Story.NOT_IMPROVED)) == 5
    assert recovered["value"].cast(pl.Float64).mean() / 80000 == pytest.approx(0.90, abs=0.03)


def test_five_leave_and_five_new_reps_backfill_their_teams(company):
    leavers = {e.number: e for e in company.employees if e.termination_date is not None}
    hires = [e for e in company.employees if e.hire_date >= TIMELINE.improvement_first.first_day]

    assert set(leavers) == _numbers(company, Story.NOT_IMPROVED)
    assert {e.termination_date for e in leavers.values()} == {TIMELINE.leaving_date}
    assert len(hires) == 5
    for hire in hires:
        assert hire.story is Story.NEW_HIRE
        assert hire.hire_date == TIMELINE.backfill_start_date
        assert hire.replaces in leavers
        assert hire.unit == leavers[hire.replaces].unit
    assert {h.replaces for h in hires} == set(leavers)


@pytest.mark.parametrize("seed", [1, 2, 3, 2024])
def test_the_story_holds_for_any_seed(seed):
    other = generate_company(seed=seed)
    result, numbers = _score(other)
    cards = result.cards.with_columns(
        employee=pl.col("employee_id").replace_strict(numbers, return_dtype=pl.String)
    )
    at_end = cards.filter(pl.col("month") == TIMELINE.before_last.index, pl.col("streak_below") >= 6)

    assert set(at_end["employee"]) == set(UNDERPERFORMERS)
    assert _completion(result.teams, TIMELINE.before_months) == pytest.approx(0.75, abs=0.02)
    assert _completion(result.teams, TIMELINE.after_months) == pytest.approx(0.90, abs=0.02)


# --- completeness ----------------------------------------------------------------------------------------


def test_every_rep_month_has_every_kpi_fact_and_target(company):
    rep_months = sum(1 for rep in company.reps() for month in TIMELINE.months if rep.is_employed_in(month))

    assert company.facts.height == company.targets.height == rep_months * len(KPI_CODES)
    assert company.facts["value"].null_count() == 0
    assert company.facts.select("employee", "month", "kpi").is_duplicated().sum() == 0
    assert dict(company.facts.select("kpi", "source").unique().iter_rows()) == KPI_SOURCES


def test_targets_are_the_catalogue_defaults(company):
    targets = dict(company.targets.select("kpi", "value").unique().iter_rows())

    assert targets == KPI_TARGETS
    assert targets["revenue"] == Decimal(80000)


def test_every_employee_month_has_a_wage(company):
    employee_months = sum(
        1 for e in company.employees for month in TIMELINE.months if e.is_employed_in(month)
    )
    amounts = company.wages["amount"]

    assert company.wages.height == employee_months
    assert isinstance(amounts[0], Decimal)
    assert amounts.cast(pl.Float64).min() >= 6000


# --- sign-ins ----------------------------------------------------------------------------------------------


def test_every_role_has_a_persona_linked_to_an_employee(company):
    users = {u.username: u for u in company.users}

    for sign_in in DEMO_SIGN_INS:
        user = users[sign_in.username]
        assert user.role == sign_in.role
        assert user.employee is not None
        assert user.is_active
    assert users["rep"].employee == REP_PERSONA
    assert users["mentor"].employee == MENTORS[0]
    assert users["hrbp"].scope_unit == "SALES"
    assert users["executive"].scope_unit == "CO"
    assert company.employee(users["manager"].employee).number == next(
        u.head for u in company.units if u.code == company.employee(REP_PERSONA).unit
    )


def test_every_employee_has_one_account_and_leavers_are_deactivated(company):
    by_employee = {u.employee: u for u in company.users}

    assert len(company.users) == len(company.employees) == len(by_employee)
    assert len({u.username for u in company.users}) == len(company.users)
    for spec in company.employees:
        assert by_employee[spec.number].is_active is (spec.termination_date is None)


# --- the records behind the facts ---------------------------------------------------------------------

_STATES = [
    generator._GOOD,
    generator._FADING,
    generator._STRUGGLING,
    *generator._RECOVERING,
    *generator._RAMPING,
]


def _month_of(column: str) -> pl.Expr:
    return (
        pl.col(column).dt.year().cast(pl.Int32) * 12 + pl.col(column).dt.month().cast(pl.Int32) - 1
    ).alias("month")


def _facts_of(company: DemoCompany, kpi: str) -> dict[tuple[str, int], Decimal]:
    rows = company.facts.filter(pl.col("kpi") == kpi).select("employee", "month", "value").iter_rows()
    return {(employee, month): value for employee, month, value in rows}


def test_won_deals_add_up_to_the_revenue_and_closed_deals_give_the_conversion_rate(company):
    closed = company.records.deals.filter(pl.col("stage").is_in(["won", "lost"])).with_columns(
        _month_of("closed_on")
    )
    by_month = closed.group_by(pl.col("owner").alias("employee"), "month").agg(
        revenue=pl.col("amount").filter(pl.col("stage") == "won").sum(),
        won=(pl.col("stage") == "won").sum(),
        closed=pl.len(),
    )
    revenue, conversion = _facts_of(company, "revenue"), _facts_of(company, "conversion_rate")

    assert by_month.height == len(revenue)
    for employee, month, amount, won, closed_count in by_month.iter_rows():
        assert amount == revenue[(employee, month)]
        assert ratio_value(Fraction(won, closed_count)) == conversion[(employee, month)]


def test_revenue_is_in_whole_hundreds_so_a_wan_yuan_export_loses_nothing(company):
    amounts = company.records.deals["amount"].cast(pl.Float64)

    assert (amounts % 100 == 0).all()


def test_follow_ups_feedback_collections_and_training_come_from_their_records(company):
    records = company.records
    follow_ups = records.activities.group_by("owner", _month_of("at")).len()
    feedback = records.feedback.group_by("owner", _month_of("answered_on")).agg(
        total=pl.col("score").cast(pl.Int64).sum(), answers=pl.len()
    )
    collections = records.receivables.group_by("owner", "month").agg(
        due=pl.col("amount_due").sum(), collected=pl.col("amount_collected").sum()
    )
    training = records.enrolments.group_by("employee", _month_of("held_on")).agg(
        attended=pl.col("attended").sum(), enrolled=pl.len()
    )

    expected = _facts_of(company, "follow_ups")
    assert {(e, m): Decimal(n) for e, m, n in follow_ups.iter_rows()} == expected
    expected = _facts_of(company, "feedback_score")
    assert {(e, m): ratio_value(Fraction(t, n)) for e, m, t, n in feedback.iter_rows()} == expected
    expected = _facts_of(company, "collection_rate")
    assert {(e, m): collected / due for e, m, due, collected in collections.iter_rows()} == expected
    expected = _facts_of(company, "training_participation")
    assert {(e, m): ratio_value(Fraction(a, n)) for e, m, a, n in training.iter_rows()} == expected
    assert records.feedback["score"].is_between(1, 5).all()
    assert (records.receivables["amount_collected"] <= records.receivables["amount_due"]).all()


@given(
    state=st.sampled_from(_STATES),
    share=st.floats(min_value=0, max_value=1),
    won_at_least=st.integers(min_value=0, max_value=8),
    wholes=st.integers(min_value=2, max_value=9),
)
def test_counts_behind_a_ratio_stay_inside_the_states_bounds(state, share, won_at_least, wholes):
    def intended(bounds: tuple[float, float]) -> Decimal:
        return Decimal(repr(round(bounds[0] + share * (bounds[1] - bounds[0]), 4)))

    won, lost = deal_counts(won_at_least, intended(state.conversion), state.conversion)
    total, answers = part_counts(intended(state.feedback), state.feedback, wholes=wholes)
    attended, enrolled = part_counts(intended(state.training), state.training, wholes=wholes, most=12)

    assert won >= max(won_at_least, 1)
    assert state.conversion[0] <= won / (won + lost) <= state.conversion[1]
    assert state.feedback[0] <= total / answers <= state.feedback[1]
    assert state.training[0] <= attended / enrolled <= state.training[1]
    for part, whole in ((won, won + lost), (total, answers), (attended, enrolled)):
        assert (Fraction(part, whole) * 10_000).denominator != 2  # never half-way: no rounding rule decides


@given(hundreds=st.integers(min_value=10, max_value=2000), parts=st.integers(min_value=1, max_value=10))
def test_split_hundreds_adds_up_exactly(hundreds, parts):
    import random

    amounts = split_hundreds(Decimal(hundreds * 100), parts, random.Random(hundreds))

    assert sum(amounts) == hundreds * 100
    assert len(amounts) == parts
    assert all(amount > 0 and amount % 100 == 0 for amount in amounts)


# --- the exports ----------------------------------------------------------------------------------------


def test_every_export_fits_its_preset_without_unknown_or_missing_columns(company):
    for file in demo_files(company):
        spec = parse_profile(PRESETS[file.profile]["spec"])
        table = read_table(
            file.data, file_name=file.name, options=ReadOptions(), known=spec.known_header_keys()
        )
        mapping = map_columns(table.header, spec)
        required = {f.name for f in spec.fields if f.required}

        assert not mapping.unknown, file.name
        assert required <= set(mapping.columns), file.name
        assert table.bad_rows == [], file.name
        assert file.first <= file.last


def test_exports_use_the_encodings_and_layouts_real_systems_do(company):
    files = {f.name: f for f in demo_files(company)}
    gbk = files["商机导出_上海一组_2025-01_2026-01.csv"].data
    wan = files["商机导出_苏州组_2025-01_2026-01.csv"].data
    finance = files["应收回款明细_2024.xlsx"].data

    assert gbk.decode("gbk").startswith("商机编号,销售人员,")
    assert wan.startswith("\ufeff".encode())
    assert "成交金额（万元）" in wan.decode("utf-8-sig")
    assert finance[:2] == b"PK"
    table = read_table(finance, file_name="x.xlsx", options=ReadOptions(), known={"应收单号", "应收金额"})
    assert table.header_row > 1  # a title row above the header, as the finance system writes it
    assert files["lms_attendance_2024-01_2026-01.jsonl"].data.startswith(b'{"Enrollment ID"')


def test_the_demo_data_modules_import_no_django():
    code = (
        "import sys; import perfloop.demo.generator, perfloop.demo.records, perfloop.demo.exports; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603

    assert result.stdout.strip() == "[]"


# --- goals ----------------------------------------------------------------------------------------------


def test_every_rep_month_is_published_by_the_manager_before_the_rep_confirms(company):
    managers = {spec.number: spec.manager for spec in company.employees}
    rep_months = company.targets.select("employee", "month").unique().height

    assert len(company.agreements) == rep_months
    for agreement in company.agreements:
        assert agreement.set_by == managers[agreement.employee]
        assert agreement.published_at < agreement.confirmed_at
        assert agreement.published_at.date() <= agreement.month.first_day or (
            company.employee(agreement.employee).hire_date == agreement.published_at.date()
        )


def test_four_reps_dispute_one_goal_each_in_the_dispute_month(company):
    disputes = company.disputes

    assert len(disputes) == len({d.employee for d in disputes}) == 4
    assert {d.month for d in disputes} == {DISPUTE_MONTH}
    for dispute in disputes:
        assert company.employee(dispute.employee).story in {Story.STEADY, Story.NEW_HIRE}
        assert dispute.disputed_at < dispute.answered_at < dispute.confirmed_at
    assert [d.adjusted_value is None for d in disputes].count(True) == 1


def test_the_story_dispute_is_80000_against_a_six_month_average_of_70000_adjusted_to_75000(company):
    story = company.disputes[0]
    history = company.facts.filter(
        pl.col("employee") == story.employee,
        pl.col("kpi") == "revenue",
        pl.col("month").is_between((DISPUTE_MONTH - 6).index, (DISPUTE_MONTH - 1).index),
    )
    targets = company.final_targets.filter(
        pl.col("employee") == story.employee,
        pl.col("month") == DISPUTE_MONTH.index,
        pl.col("kpi") == "revenue",
    )
    published = company.targets.filter(
        pl.col("employee") == story.employee,
        pl.col("month") == DISPUTE_MONTH.index,
        pl.col("kpi") == "revenue",
    )

    assert (story.employee, story.kpi) == (REP_PERSONA, "revenue") == (DISPUTE_SCRIPTS[0].employee, "revenue")
    assert history.height == 6
    assert history["value"].sum() / 6 == STORY_AVERAGE == Decimal(70000)
    assert published["value"].item() == Decimal(80000)
    assert targets["value"].item() == story.adjusted_value == Decimal(75000)
