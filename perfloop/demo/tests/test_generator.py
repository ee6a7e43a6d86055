"""The demo company as plain data: determinism, and the case study's figures scored by the pure engine."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import polars as pl
import pytest

from perfloop.core.months import Month
from perfloop.demo.credentials import DEMO_SIGN_INS
from perfloop.demo.generator import (
    DEFAULT_SEED,
    KPI_CODES,
    KPI_SOURCES,
    KPI_TARGETS,
    MENTORS,
    REP_PERSONA,
    REP_POSITION,
    TIMELINE,
    UNDERPERFORMERS,
    DemoCompany,
    Story,
    generate_company,
)
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
        targets=values(company.targets, "target"),
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
