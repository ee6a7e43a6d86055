"""The pure scoring engine: worked examples of each rule, bad input, and properties against a reference.

The reference below is deliberately naive (dicts, loops, exact fractions) so that it reads like the
rules in the module docstring; hypothesis then checks the vectorised engine against it on small random
organisations with missing data, gaps in employment and team moves. No database, no Django.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from unittest import mock

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfloop.core.months import Month
from perfloop.metrics import scoring
from perfloop.metrics.scoring import (
    ScoringInputError,
    ScoringPolicy,
    ScoringResult,
    compute_scorecards,
    compute_streaks,
)

TOLERANCE = 1e-9
MARCH = Month(2025, 3).index

FACTS_SCHEMA = {"employee_id": pl.Int64, "month": pl.Int32, "kpi": pl.String, "value": pl.Float64}
TARGETS_SCHEMA = {"employee_id": pl.Int64, "month": pl.Int32, "kpi": pl.String, "target": pl.Float64}
ASSIGNMENTS_SCHEMA = {
    "employee_id": pl.Int64,
    "month": pl.Int32,
    "team_id": pl.Int64,
    "position_id": pl.Int64,
}
WEIGHTS_SCHEMA = {"position_id": pl.Int64, "kpi": pl.String, "weight": pl.Float64}
KPIS_SCHEMA = {"kpi": pl.String, "direction": pl.String}

Cell = tuple[int, int, str]  # (employee, month, kpi)


# --- building inputs --------------------------------------------------------------------------------


@dataclass
class Org:
    """A small organisation as plain Python data; ``frames()`` turns it into the engine's inputs."""

    kpis: dict[str, str] = field(default_factory=lambda: {"revenue": "higher"})
    weights: dict[int, dict[str, float]] = field(default_factory=lambda: {1: {"revenue": 1.0}})
    # (employee, month) → (team, position)
    assignments: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    facts: dict[Cell, float | None] = field(default_factory=dict)
    targets: dict[Cell, float | None] = field(default_factory=dict)

    def frames(self) -> dict[str, pl.DataFrame]:
        weights = [
            (position, kpi, weight) for position, row in self.weights.items() for kpi, weight in row.items()
        ]
        return {
            "facts": _frame([(*key, value) for key, value in self.facts.items()], FACTS_SCHEMA),
            "targets": _frame([(*key, value) for key, value in self.targets.items()], TARGETS_SCHEMA),
            "assignments": _frame(
                [(*key, *value) for key, value in self.assignments.items()], ASSIGNMENTS_SCHEMA
            ),
            "weights": _frame(weights, WEIGHTS_SCHEMA),
            "kpis": _frame(list(self.kpis.items()), KPIS_SCHEMA),
        }

    def score(self, policy: ScoringPolicy | None = None) -> ScoringResult:
        return compute_scorecards(**self.frames(), policy=policy or ScoringPolicy())


def _frame(
    rows: list[tuple[object, ...]], schema: dict[str, pl.DataType | type[pl.DataType]]
) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def one_person(
    months: dict[int, dict[str, tuple[float | None, float | None]]],
    *,
    kpis: dict[str, str] | None = None,
    weights: dict[str, float] | None = None,
) -> Org:
    """Employee 1 in team 10, position 1; ``months`` maps a month index to {kpi: (actual, target)}."""
    org = Org(kpis=kpis or {"revenue": "higher"}, weights={1: weights or {"revenue": 1.0}})
    for month, values in months.items():
        org.assignments[(1, month)] = (10, 1)
        for kpi, (actual, target) in values.items():
            if actual is not None:
                org.facts[(1, month, kpi)] = actual
            if target is not None:
                org.targets[(1, month, kpi)] = target
    return org


def card_of(result: ScoringResult, employee_id: int, month: int) -> dict[str, object]:
    rows = result.cards.filter((pl.col("employee_id") == employee_id) & (pl.col("month") == month))
    assert rows.height == 1
    return rows.row(0, named=True)


def column_of(result: ScoringResult, column: str) -> list[object]:
    return result.cards[column].to_list()


@contextmanager
def hash_lookups() -> Iterator[None]:
    """Force the engine's hash-join lookups instead of its dense arrays (both must give the same result)."""
    with mock.patch.multiple(scoring, _DENSE_SLOTS_PER_ROW=0, _DENSE_MIN_SLOTS=-1):
        yield


# --- the reference ----------------------------------------------------------------------------------


@dataclass
class RefCard:
    team_id: int
    position_id: int
    composite: Fraction | None
    is_met: bool | None
    kpis_measured: int
    streak_below: int = 0
    streak_met: int = 0


@dataclass
class RefTeam:
    members: list[tuple[int, int]]
    members_scored: int
    members_met: int
    actual: Fraction
    target: Fraction
    completion: Fraction | None
    average_composite: Fraction | None


@dataclass
class Reference:
    lines: dict[Cell, tuple[float | None, float | None, Fraction | None, float]]
    cards: dict[tuple[int, int], RefCard]
    teams: dict[tuple[int, int], RefTeam]


def reference_attainment(
    actual: float | None, target: float | None, direction: str, cap: float
) -> Fraction | None:
    if actual is None or target is None or target <= 0:
        return None
    if direction == "lower":
        return Fraction(cap) if actual <= 0 else Fraction(target) / Fraction(actual)
    return Fraction(actual) / Fraction(target)


def reference_scorecards(org: Org, policy: ScoringPolicy) -> Reference:
    cap = Fraction(policy.attainment_cap)
    threshold = Fraction(policy.met_threshold) - Fraction(1, 10**9)
    lines: dict[Cell, tuple[float | None, float | None, Fraction | None, float]] = {}
    cards: dict[tuple[int, int], RefCard] = {}
    for (employee, month), (team, position) in org.assignments.items():
        weighted_sum, weight_sum, measured = Fraction(0), Fraction(0), 0
        for kpi, weight in org.weights.get(position, {}).items():
            actual = org.facts.get((employee, month, kpi))
            target = org.targets.get((employee, month, kpi))
            attainment = reference_attainment(actual, target, org.kpis[kpi], policy.attainment_cap)
            lines[(employee, month, kpi)] = (actual, target, attainment, weight)
            if attainment is not None:
                weighted_sum += Fraction(weight) * min(attainment, cap)
                weight_sum += Fraction(weight)
                measured += 1
        composite = weighted_sum / weight_sum if measured else None
        is_met = None if composite is None else composite >= threshold
        cards[(employee, month)] = RefCard(team, position, composite, is_met, measured)

    months_of: dict[int, list[int]] = defaultdict(list)
    for employee, month in cards:
        months_of[employee].append(month)
    for employee, months in months_of.items():
        below = met = 0
        previous: int | None = None
        for month in sorted(months):
            card = cards[(employee, month)]
            if previous is None or month != previous + 1:
                below = met = 0
            if card.is_met is None:
                below = met = 0
            elif card.is_met:
                met, below = met + 1, 0
            else:
                below, met = below + 1, 0
            card.streak_below, card.streak_met = below, met
            previous = month

    members: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for (employee, month), card in cards.items():
        members[(card.team_id, month)].append((employee, month))
    teams: dict[tuple[int, int], RefTeam] = {}
    for (team, month), keys in members.items():
        composites = [cards[key].composite for key in keys if cards[key].composite is not None]
        actual_sum, target_sum = Fraction(0), Fraction(0)
        for employee, _ in keys:
            actual = org.facts.get((employee, month, policy.primary_kpi))
            target = org.targets.get((employee, month, policy.primary_kpi))
            if actual is not None and target is not None:
                actual_sum += Fraction(actual)
                target_sum += Fraction(target)
        teams[(team, month)] = RefTeam(
            members=keys,
            members_scored=len(composites),
            members_met=sum(1 for key in keys if cards[key].is_met is True),
            actual=actual_sum,
            target=target_sum,
            completion=actual_sum / target_sum if target_sum > 0 else None,
            average_composite=sum(composites, Fraction(0)) / len(composites) if composites else None,  # type: ignore[arg-type, type-var, operator]
        )
    return Reference(lines=lines, cards=cards, teams=teams)


def close(engine: object, exact: Fraction | float | None) -> bool:
    if engine is None or exact is None:
        return engine is None and exact is None
    assert isinstance(engine, float)
    expected = float(exact)
    return abs(engine - expected) <= TOLERANCE * max(1.0, abs(expected))


def assert_matches_reference(result: ScoringResult, org: Org, policy: ScoringPolicy) -> None:
    reference = reference_scorecards(org, policy)

    assert result.lines.height == len(reference.lines)
    for row in result.lines.iter_rows(named=True):
        actual, target, attainment, weight = reference.lines[(row["employee_id"], row["month"], row["kpi"])]
        assert (row["actual"], row["target"], row["weight"]) == (actual, target, weight), row
        assert close(row["attainment"], attainment), (row, attainment)

    assert result.cards.height == len(reference.cards)
    for row in result.cards.iter_rows(named=True):
        card = reference.cards[(row["employee_id"], row["month"])]
        assert close(row["composite"], card.composite), (row, card)
        assert (row["team_id"], row["position_id"]) == (card.team_id, card.position_id)
        assert (row["is_met"], row["kpis_measured"]) == (card.is_met, card.kpis_measured), (row, card)
        assert (row["streak_below"], row["streak_met"]) == (card.streak_below, card.streak_met), (row, card)
        team = reference.teams[(card.team_id, row["month"])]
        assert row["team_size"] == len(team.members)
        if card.composite is None:
            assert row["rank_in_team"] is None
        else:
            # Competition rank (1, 2, 2, 4); composites within float noise of each other may tie or not.
            others = [
                cards.composite
                for key in team.members
                if (cards := reference.cards[key]).composite is not None
            ]
            margin = Fraction(2 * TOLERANCE)
            best = 1 + sum(1 for other in others if other is not None and other > card.composite + margin)
            worst = 1 + sum(1 for other in others if other is not None and other > card.composite - margin)
            assert best <= row["rank_in_team"] <= worst, (row, best, worst)

    assert result.teams.height == len(reference.teams)
    for row in result.teams.iter_rows(named=True):
        team = reference.teams[(row["team_id"], row["month"])]
        assert row["members"] == len(team.members)
        assert (row["members_scored"], row["members_met"]) == (team.members_scored, team.members_met), row
        for column in ("actual", "target", "completion", "average_composite"):
            assert close(row[column], getattr(team, column)), (column, row, team)


# --- random organisations ---------------------------------------------------------------------------

ACTUALS = st.one_of(
    st.none(), st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 7.5, 10.0, 12.0, 80_000.0, -2.0])
)
TARGETS = st.one_of(st.none(), st.sampled_from([0.0, -1.0, 0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 80_000.0]))
WEIGHTS = st.sampled_from([0.5, 1.0, 2.0, 3.0, 0.1])
POLICIES = st.builds(
    ScoringPolicy,
    met_threshold=st.sampled_from([1.0, 0.8, 0.5]),
    attainment_cap=st.sampled_from([1.5, 1.2, 2.0]),
)
# The comparison with the reference carries the weight; the other properties need fewer examples.
AGAINST_REFERENCE = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROPERTIES = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def organisations(draw: st.DrawFn) -> Org:
    """1-4 teams, 1-8 employees, 1-10 months, 1-4 KPIs of both directions, random missingness and gaps."""
    teams = draw(st.integers(1, 4))
    employee_ids = draw(
        st.one_of(
            st.lists(st.integers(1, 20), min_size=1, max_size=8, unique=True),
            # far-apart ids, which the engine ranks instead of offsetting
            st.lists(st.integers(1, 10**12), min_size=1, max_size=8, unique=True),
        )
    )
    month_count = draw(st.integers(1, 10))
    first = draw(st.sampled_from([MARCH, Month(1999, 12).index]))
    extra_kpis = draw(st.lists(st.sampled_from(["churn", "calls", "complaints"]), unique=True, max_size=3))
    kpis = {"revenue": "higher"} | {kpi: draw(st.sampled_from(["higher", "lower"])) for kpi in extra_kpis}
    positions = draw(st.integers(1, 3))
    weights = {
        position: {kpi: draw(WEIGHTS) for kpi in draw(st.lists(st.sampled_from(list(kpis)), unique=True))}
        for position in range(1, positions + 1)
    }
    org = Org(kpis=kpis, weights=weights)
    for employee in employee_ids:
        for month in range(first, first + month_count):
            if draw(st.integers(0, 5)) > 0:  # else not employed that month: a gap in the assignments
                org.assignments[(employee, month)] = (
                    draw(st.integers(1, teams)),
                    draw(st.integers(1, positions)),
                )
            for kpi in kpis:
                actual, target = draw(ACTUALS), draw(TARGETS)
                if actual is not None:
                    org.facts[(employee, month, kpi)] = actual
                if target is not None:
                    org.targets[(employee, month, kpi)] = target
    return org


# --- properties -------------------------------------------------------------------------------------


@AGAINST_REFERENCE
@given(org=organisations(), policy=POLICIES, use_hash_lookups=st.booleans())
def test_engine_matches_the_naive_reference(org: Org, policy: ScoringPolicy, use_hash_lookups: bool) -> None:
    if use_hash_lookups:
        with hash_lookups():
            result = org.score(policy)
    else:
        result = org.score(policy)
    assert_matches_reference(result, org, policy)


@PROPERTIES
@given(org=organisations())
def test_streaks_never_exceed_the_months_seen(org: Org) -> None:
    cards = org.score().cards
    first_month = cards.group_by("employee_id").agg(first=pl.col("month").min())
    seen = cards.join(first_month, on="employee_id").with_columns(seen=pl.col("month") - pl.col("first") + 1)
    assert (seen["streak_below"] <= seen["seen"]).all()
    assert (seen["streak_met"] <= seen["seen"]).all()
    assert ((seen["streak_below"] == 0) | (seen["streak_met"] == 0)).all()


@PROPERTIES
@given(org=organisations())
def test_streak_below_resets_after_a_met_month(org: Org) -> None:
    cards = org.score().cards
    for row in cards.iter_rows(named=True):
        if row["is_met"] is True:
            assert row["streak_below"] == 0
            following = cards.filter(
                (pl.col("employee_id") == row["employee_id"]) & (pl.col("month") == row["month"] + 1)
            )
            if following.height:
                assert following["streak_below"][0] <= 1


@PROPERTIES
@given(org=organisations())
def test_missing_data_never_counts_as_not_met(org: Org) -> None:
    cards = org.score().cards
    missing = cards.filter(pl.col("composite").is_null())
    assert missing["is_met"].null_count() == missing.height
    assert (missing["streak_below"] == 0).all()
    assert (missing["streak_met"] == 0).all()
    # Not met is never more frequent than the data shows: a streak counts only months scored False.
    below = cards.filter(pl.col("streak_below") > 0)
    assert (below["is_met"] == False).all()  # noqa: E712 -- a polars comparison, not a Python one


@PROPERTIES
@given(org=organisations(), seed=st.integers(0, 2**16))
def test_row_order_of_the_inputs_does_not_matter(org: Org, seed: int) -> None:
    frames = org.frames()
    shuffled = {name: frame.sample(fraction=1.0, shuffle=True, seed=seed) for name, frame in frames.items()}
    expected, actual = compute_scorecards(**frames), compute_scorecards(**shuffled)
    assert actual.cards.equals(expected.cards)
    assert actual.teams.equals(expected.teams)
    assert actual.lines.equals(expected.lines)


@PROPERTIES
@given(org=organisations())
def test_compute_streaks_reproduces_the_streaks_of_the_cards(org: Org) -> None:
    cards = org.score().cards
    assert compute_streaks(cards.reverse()).equals(cards)


# --- examples: attainment ---------------------------------------------------------------------------


def test_attainment_is_actual_over_target() -> None:
    result = one_person({MARCH: {"revenue": (56_000.0, 80_000.0)}}).score()
    assert result.lines["attainment"].to_list() == pytest.approx([0.7])
    assert card_of(result, 1, MARCH)["composite"] == pytest.approx(0.7)
    assert card_of(result, 1, MARCH)["is_met"] is False


def test_lower_is_better_attainment_is_target_over_actual() -> None:
    org = one_person(
        {MARCH: {"churn": (0.40, 0.30)}}, kpis={"revenue": "higher", "churn": "lower"}, weights={"churn": 1}
    )
    assert org.score().lines["attainment"].to_list() == pytest.approx([0.75])


def test_lower_is_better_with_zero_actual_scores_the_cap() -> None:
    org = one_person(
        {MARCH: {"churn": (0.0, 0.30)}}, kpis={"revenue": "higher", "churn": "lower"}, weights={"churn": 1}
    )
    result = org.score(ScoringPolicy(attainment_cap=1.5))
    assert result.lines["attainment"].to_list() == [1.5]
    assert card_of(result, 1, MARCH)["is_met"] is True


@pytest.mark.parametrize("target", [0.0, -5.0])
def test_target_of_zero_or_below_is_not_measurable(target: float) -> None:
    result = one_person({MARCH: {"revenue": (100.0, target)}}).score()
    assert result.lines["attainment"].to_list() == [None]
    assert card_of(result, 1, MARCH)["composite"] is None


def test_attainment_is_capped_in_the_composite_but_kept_raw_on_the_lines() -> None:
    org = one_person(
        {MARCH: {"revenue": (300.0, 100.0), "calls": (50.0, 100.0)}},
        kpis={"revenue": "higher", "calls": "higher"},
        weights={"revenue": 1.0, "calls": 1.0},
    )
    result = org.score(ScoringPolicy(attainment_cap=1.5))
    assert result.lines.sort("kpi")["attainment"].to_list() == pytest.approx([0.5, 3.0])
    assert card_of(result, 1, MARCH)["composite"] == pytest.approx((1.5 + 0.5) / 2)


# --- examples: composite, met, rank, teams ----------------------------------------------------------


def test_composite_renormalises_weights_over_the_measured_kpis() -> None:
    org = one_person(
        {MARCH: {"revenue": (90.0, 100.0), "calls": (None, 100.0), "visits": (30.0, 20.0)}},
        kpis={"revenue": "higher", "calls": "higher", "visits": "higher"},
        weights={"revenue": 3.0, "calls": 5.0, "visits": 1.0},
    )
    card = card_of(org.score(), 1, MARCH)
    assert card["composite"] == pytest.approx((3 * 0.9 + 1 * 1.5) / 4)
    assert card["kpis_measured"] == 2


def test_month_without_any_measurable_kpi_is_missing_not_failed() -> None:
    card = card_of(one_person({MARCH: {"revenue": (None, 80_000.0)}}).score(), 1, MARCH)
    assert (card["composite"], card["is_met"], card["kpis_measured"]) == (None, None, 0)
    assert (card["rank_in_team"], card["streak_below"]) == (None, 0)


def test_composite_at_the_threshold_is_met_despite_float_noise() -> None:
    # 0.1 + 0.2 is not exactly 0.3 in floating point; the month is still met.
    org = one_person(
        {MARCH: {"revenue": (0.1 + 0.2, 0.3)}},
    )
    assert card_of(org.score(), 1, MARCH)["is_met"] is True


def test_kpi_without_a_weight_for_the_position_does_not_count() -> None:
    org = one_person(
        {MARCH: {"revenue": (100.0, 100.0), "calls": (1.0, 100.0)}},
        kpis={"revenue": "higher", "calls": "higher"},
        weights={"revenue": 1.0},
    )
    result = org.score()
    assert result.lines["kpi"].to_list() == ["revenue"]
    assert card_of(result, 1, MARCH)["composite"] == pytest.approx(1.0)


def test_facts_outside_the_assignments_are_ignored() -> None:
    org = one_person({MARCH: {"revenue": (50.0, 100.0)}})
    org.facts[(1, MARCH + 1, "revenue")] = 10.0
    org.facts[(2, MARCH, "revenue")] = 10.0
    result = org.score()
    assert result.cards.select("employee_id", "month").rows() == [(1, MARCH)]
    assert result.lines.height == 1


def test_rank_in_team_is_a_competition_rank_among_scored_members() -> None:
    org = Org()
    for employee, actual in [(1, 90.0), (2, 120.0), (3, 90.0), (4, 80.0), (5, None)]:
        org.assignments[(employee, MARCH)] = (10, 1)
        org.targets[(employee, MARCH, "revenue")] = 100.0
        if actual is not None:
            org.facts[(employee, MARCH, "revenue")] = actual
    org.assignments[(6, MARCH)] = (20, 1)  # another team ranks apart
    org.facts[(6, MARCH, "revenue")] = 10.0
    org.targets[(6, MARCH, "revenue")] = 100.0
    cards = org.score().cards
    assert column_of(org.score(), "rank_in_team") == [2, 1, 2, 4, None, 1]
    assert cards["team_size"].to_list() == [5, 5, 5, 5, 5, 1]


def test_team_completion_counts_members_with_both_actual_and_target() -> None:
    org = Org(kpis={"revenue": "higher", "calls": "higher"}, weights={1: {"calls": 1.0}})
    for employee in (1, 2, 3, 4):
        org.assignments[(employee, MARCH)] = (10, 1)
        org.facts[(employee, MARCH, "calls")] = 100.0
        org.targets[(employee, MARCH, "calls")] = 100.0
    org.facts[(1, MARCH, "revenue")] = 56_000.0
    org.targets[(1, MARCH, "revenue")] = 80_000.0
    org.facts[(2, MARCH, "revenue")] = 44_000.0
    org.targets[(2, MARCH, "revenue")] = 20_000.0
    org.facts[(3, MARCH, "revenue")] = 1_000_000.0  # no target: left out of both sums
    org.targets[(4, MARCH, "revenue")] = 50_000.0  # no actual: left out of both sums
    team = org.score().teams.row(0, named=True)
    assert (team["actual"], team["target"]) == (100_000.0, 100_000.0)
    assert team["completion"] == pytest.approx(1.0)
    assert (team["members"], team["members_scored"], team["members_met"]) == (4, 4, 4)
    assert team["average_composite"] == pytest.approx(1.0)


def test_team_without_primary_targets_has_no_completion() -> None:
    team = one_person({MARCH: {"revenue": (10.0, None)}}).score().teams.row(0, named=True)
    assert (team["actual"], team["target"], team["completion"]) == (0.0, 0.0, None)
    assert (team["members_scored"], team["average_composite"]) == (0, None)


# --- examples: streaks ------------------------------------------------------------------------------


def test_consecutive_months_below_target_build_a_streak() -> None:
    result = one_person({MARCH + i: {"revenue": (50.0, 100.0)} for i in range(4)}).score()
    assert column_of(result, "streak_below") == [1, 2, 3, 4]
    assert column_of(result, "streak_met") == [0, 0, 0, 0]


def test_missing_revenue_month_breaks_a_streak() -> None:
    months: dict[int, dict[str, tuple[float | None, float | None]]] = {
        MARCH: {"revenue": (50.0, 100.0)},
        MARCH + 1: {"revenue": (50.0, 100.0)},
        MARCH + 2: {"revenue": (None, 100.0)},  # the revenue figure never arrived
        MARCH + 3: {"revenue": (50.0, 100.0)},
    }
    result = one_person(months).score()
    assert column_of(result, "is_met") == [False, False, None, False]
    assert column_of(result, "streak_below") == [1, 2, 0, 1]


def test_month_away_from_the_team_breaks_a_streak() -> None:
    months = {MARCH + i: {"revenue": (50.0, 100.0)} for i in (0, 1, 3)}  # on leave in MARCH + 2
    assert column_of(one_person(months).score(), "streak_below") == [1, 2, 1]


def test_met_month_resets_the_streak_below() -> None:
    actuals = [50.0, 50.0, 120.0, 130.0, 50.0]
    result = one_person({MARCH + i: {"revenue": (actual, 100.0)} for i, actual in enumerate(actuals)}).score()
    assert column_of(result, "streak_below") == [1, 2, 0, 0, 1]
    assert column_of(result, "streak_met") == [0, 0, 1, 2, 0]


def test_compute_streaks_accepts_cards_in_any_order() -> None:
    cards = pl.DataFrame(
        {
            "employee_id": [2, 1, 1, 1, 2],
            "month": [MARCH, MARCH + 1, MARCH, MARCH + 2, MARCH + 1],
            "is_met": [False, False, False, None, False],
        },
        schema={"employee_id": pl.Int64, "month": pl.Int32, "is_met": pl.Boolean},
    )
    streaks = compute_streaks(cards)
    assert streaks.select("employee_id", "streak_below").rows() == [(1, 1), (1, 2), (1, 0), (2, 1), (2, 2)]


# --- examples: shapes and encodings -----------------------------------------------------------------


def test_outputs_have_the_agreed_columns_and_types() -> None:
    result = one_person({MARCH: {"revenue": (1.0, 1.0)}}).score()
    assert dict(result.lines.schema) == {
        "employee_id": pl.Int64,
        "month": pl.Int32,
        "kpi": pl.String,
        "actual": pl.Float64,
        "target": pl.Float64,
        "attainment": pl.Float64,
        "weight": pl.Float64,
    }
    assert dict(result.cards.schema) == {
        "employee_id": pl.Int64,
        "month": pl.Int32,
        "team_id": pl.Int64,
        "position_id": pl.Int64,
        "composite": pl.Float64,
        "is_met": pl.Boolean,
        "kpis_measured": pl.Int32,
        "rank_in_team": pl.Int32,
        "team_size": pl.Int32,
        "streak_below": pl.Int32,
        "streak_met": pl.Int32,
    }
    assert dict(result.teams.schema) == {
        "team_id": pl.Int64,
        "month": pl.Int32,
        "members": pl.Int32,
        "members_scored": pl.Int32,
        "members_met": pl.Int32,
        "actual": pl.Float64,
        "target": pl.Float64,
        "completion": pl.Float64,
        "average_composite": pl.Float64,
    }


def test_empty_inputs_give_empty_outputs() -> None:
    result = Org().score()
    assert (result.lines.height, result.cards.height, result.teams.height) == (0, 0, 0)


def test_categorical_kpi_columns_score_like_strings() -> None:
    org = one_person({MARCH: {"revenue": (56_000.0, 80_000.0)}})
    frames = org.frames()
    categorical = {
        name: frame.with_columns(
            pl.col(column).cast(pl.Categorical) for column in ("kpi", "direction") if column in frame.columns
        )
        for name, frame in frames.items()
    }
    assert compute_scorecards(**categorical).cards.equals(compute_scorecards(**frames).cards)


def test_facts_of_kpis_outside_the_catalogue_are_ignored() -> None:
    org = one_person({MARCH: {"revenue": (56_000.0, 80_000.0)}})
    frames = org.frames()
    stray = pl.DataFrame([(1, MARCH, "bonus", 1.0)] * 2, schema=FACTS_SCHEMA, orient="row")
    frames["facts"] = pl.concat([frames["facts"], stray])
    assert compute_scorecards(**frames).cards.equals(org.score().cards)


def test_hash_lookups_give_the_same_scorecards_as_dense_ones() -> None:
    org = one_person({MARCH + i: {"revenue": (50.0 + 30 * i, 100.0)} for i in range(3)})
    with hash_lookups():
        hashed = org.score()
    dense = org.score()
    assert hashed.cards.equals(dense.cards)
    assert hashed.lines.equals(dense.lines)
    assert hashed.teams.equals(dense.teams)


# --- bad input --------------------------------------------------------------------------------------


def _valid_frames() -> dict[str, pl.DataFrame]:
    org = one_person(
        {MARCH: {"revenue": (56_000.0, 80_000.0), "churn": (0.4, 0.3)}},
        kpis={"revenue": "higher", "churn": "lower"},
        weights={"revenue": 2.0, "churn": 1.0},
    )
    return org.frames()


def _duplicate_first_row(frame: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([frame, frame.head(1)])


BAD_INPUTS = {
    "missing column": ("facts", lambda f: f.drop("value"), "missing_column", "facts.value"),
    "wrong dtype of month": (
        "facts",
        lambda f: f.with_columns(pl.col("month").cast(pl.Int64)),
        "wrong_dtype",
        "facts.month",
    ),
    "wrong dtype of value": (
        "targets",
        lambda f: f.with_columns(pl.col("target").cast(pl.String)),
        "wrong_dtype",
        "targets.target",
    ),
    "numeric kpi": ("weights", lambda f: f.with_columns(kpi=pl.lit(1)), "wrong_dtype", "weights.kpi"),
    "duplicate fact": ("facts", _duplicate_first_row, "duplicate_key", "facts.employee_id, month, kpi"),
    "duplicate target": ("targets", _duplicate_first_row, "duplicate_key", "targets.employee_id, month, kpi"),
    "duplicate assignment": (
        "assignments",
        _duplicate_first_row,
        "duplicate_key",
        "assignments.employee_id, month",
    ),
    "duplicate weight": ("weights", _duplicate_first_row, "duplicate_key", "weights.position_id, kpi"),
    "duplicate kpi": ("kpis", _duplicate_first_row, "duplicate_key", "kpis.kpi"),
    "unknown direction": (
        "kpis",
        lambda f: f.with_columns(direction=pl.lit("sideways")),
        "unknown_direction",
        "kpis.direction",
    ),
    "weight of zero": (
        "weights",
        lambda f: f.with_columns(weight=pl.lit(0.0)),
        "weight_not_positive",
        "weights.weight",
    ),
    "weighted kpi not in catalogue": (
        "kpis",
        lambda f: f.filter(pl.col("kpi") != "churn"),
        "unknown_kpi",
        "weights.kpi",
    ),
    "primary kpi not in catalogue": (
        "kpis",
        lambda f: f.filter(pl.col("kpi") != "revenue"),
        "unknown_primary_kpi",
        "kpis.kpi",
    ),
    "null employee": (
        "facts",
        lambda f: f.with_columns(employee_id=pl.lit(None, pl.Int64)),
        "null_key",
        "facts.employee_id",
    ),
    "NaN value": ("facts", lambda f: f.with_columns(value=pl.lit(float("nan"))), "not_finite", "facts.value"),
    "not a frame": ("assignments", lambda f: f.lazy(), "not_a_frame", "assignments"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_frames_raise_scoring_input_error(case: str) -> None:
    frame_name, spoil, code, where = BAD_INPUTS[case]
    frames = _valid_frames()
    frames[frame_name] = spoil(frames[frame_name])
    with pytest.raises(ScoringInputError) as raised:
        compute_scorecards(**frames)
    assert raised.value.code == code
    assert str(raised.value).startswith(f"{where}:")
    assert isinstance(raised.value, ValueError)


def test_duplicate_key_message_names_the_repeated_month() -> None:
    frames = _valid_frames()
    frames["assignments"] = _duplicate_first_row(frames["assignments"])
    with pytest.raises(ScoringInputError, match="month=2025-03"):
        compute_scorecards(**frames)


def test_compute_streaks_rejects_cards_without_is_met() -> None:
    cards = pl.DataFrame(
        {"employee_id": [1], "month": [MARCH]}, schema={"employee_id": pl.Int64, "month": pl.Int32}
    )
    with pytest.raises(ScoringInputError, match=r"cards\.is_met"):
        compute_streaks(cards)


def test_policy_rejects_a_cap_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="attainment_cap"):
        ScoringPolicy(attainment_cap=0.0)
