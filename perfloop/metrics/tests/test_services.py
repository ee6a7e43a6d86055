"""Persisting scorecards: idempotent, restatements visible, streaks continuous across ranges."""

import datetime as dt
from decimal import Decimal

import pytest

from perfloop.audit.models import AuditEvent
from perfloop.core.months import Month
from perfloop.metrics.models import Kpi, KpiWeight, MonthlyFact, MonthlyTarget, Scorecard, TeamMonth
from perfloop.metrics.services import (
    MetricsInputError,
    monthly_facts_record,
    scorecards_recompute,
    scoring_policy_update,
)
from perfloop.metrics.tests.factories import record_revenue, revenue_only_weights

JAN, JUN = Month(2025, 1), Month(2025, 6)


@pytest.fixture
def east_history(rep, manager):
    revenue_only_weights(rep.employee)
    rep.employee.hire_date = manager.employee.hire_date = dt.date(2024, 1, 1)
    rep.employee.save()
    manager.employee.save()
    record_revenue(rep.employee, JAN, JUN, [0.6, 0.65, 0.5, 0.69, 0.6, 0.55])
    record_revenue(manager.employee, JAN, JUN, [1.1, 1.0, 1.2, 0.9, 1.05, 1.3])
    return rep.employee


def test_six_months_below_target_make_a_six_month_streak(east_history):
    scorecards_recompute(actor=None, first=JAN, last=JUN)
    card = Scorecard.objects.get(employee=east_history, month=JUN)
    assert card.streak_below == 6
    assert card.is_met is False
    assert card.composite == Decimal("0.5500")
    assert card.rank_in_team == 2
    assert card.team_size == 2


def test_rerunning_changes_nothing(east_history):
    first = scorecards_recompute(actor=None, first=JAN, last=JUN)
    again = scorecards_recompute(actor=None, first=JAN, last=JUN)
    assert first.created == 12
    assert (again.created, again.changed, again.unchanged) == (0, 0, 12)
    assert set(Scorecard.objects.values_list("revision", flat=True)) == {1}


def test_a_late_correction_is_a_visible_restatement(east_history):
    scorecards_recompute(actor=None, first=JAN, last=JUN)
    fact = MonthlyFact.objects.get(employee=east_history, month=Month(2025, 3), kpi__code="revenue")
    fact.value = Decimal(90000)
    fact.save()
    summary = scorecards_recompute(actor=None, first=JAN, last=JUN)
    assert summary.changed >= 4  # March itself and the streaks of April–June
    june = Scorecard.objects.get(employee=east_history, month=JUN)
    assert june.streak_below == 3
    assert june.revision == 2


def test_a_restated_card_keeps_its_id_and_stores_the_new_attainments(east_history):
    scorecards_recompute(actor=None, first=JAN, last=JUN)
    march = Scorecard.objects.get(employee=east_history, month=Month(2025, 3))
    MonthlyFact.objects.filter(employee=east_history, month=Month(2025, 3), kpi__code="revenue").update(
        value=Decimal("90000.5")
    )
    scorecards_recompute(actor=None, first=JAN, last=JUN)
    again = Scorecard.objects.get(employee=east_history, month=Month(2025, 3))
    assert again.pk == march.pk
    assert again.revision == 2
    assert again.attainments["revenue"][0] == "90000.5000"


def test_attainments_stored_in_another_key_order_are_not_a_change(east_history):
    """Cards written by an earlier version (keys in insertion order) must not all look restated."""
    follow_ups = Kpi.objects.get(code="follow_ups")
    KpiWeight.objects.create(position=east_history.position, kpi=follow_ups, weight=Decimal(1))
    MonthlyTarget.objects.create(employee=east_history, month=JUN, kpi=follow_ups, value=Decimal(40))
    MonthlyFact.objects.create(
        employee=east_history, month=JUN, kpi=follow_ups, value=Decimal(38), source="crm"
    )
    scorecards_recompute(actor=None, first=JAN, last=JUN)
    card = Scorecard.objects.get(employee=east_history, month=JUN)
    assert list(card.attainments) == ["revenue", "follow_ups"]  # shorter key first, as jsonb keeps them
    Scorecard.objects.filter(pk=card.pk).update(attainments=dict(reversed(list(card.attainments.items()))))
    summary = scorecards_recompute(actor=None, first=JAN, last=JUN)
    assert (summary.changed, summary.unchanged) == (0, 12)


def test_a_card_nobody_has_any_more_is_removed(east_history):
    scorecards_recompute(actor=None, first=JAN, last=JUN)
    east_history.termination_date = dt.date(2025, 4, 30)
    east_history.save()
    summary = scorecards_recompute(actor=None, first=JAN, last=JUN)
    assert summary.changed == 4  # May and June removed; the manager alone in the team those months
    assert not Scorecard.objects.filter(employee=east_history, month__gt=Month(2025, 4)).exists()


def test_team_months_are_rewritten_not_duplicated(east_history):
    scorecards_recompute(actor=None, first=JAN, last=JUN)
    count = TeamMonth.objects.count()
    scorecards_recompute(actor=None, first=JAN, last=JUN)
    assert TeamMonth.objects.count() == count
    assert TeamMonth.objects.filter(month=JUN).get().completion is not None


def test_streaks_continue_across_separate_monthly_runs(east_history):
    for index in range(6):
        month = JAN + index
        scorecards_recompute(actor=None, first=month, last=month)
    assert Scorecard.objects.get(employee=east_history, month=JUN).streak_below == 6


def test_team_completion_is_team_actual_over_team_target(east_history, org):
    scorecards_recompute(actor=None, first=JAN, last=JUN)
    team = TeamMonth.objects.get(org_unit=org.team_east, month=JAN)
    assert team.target == Decimal(160000)
    assert team.actual == Decimal(48000 + 88000)
    assert team.completion == Decimal("0.8500")


def test_missing_month_is_not_a_month_below_target(east_history):
    MonthlyFact.objects.filter(employee=east_history, month=Month(2025, 4)).delete()
    scorecards_recompute(actor=None, first=JAN, last=JUN)
    april = Scorecard.objects.get(employee=east_history, month=Month(2025, 4))
    assert april.composite is None
    assert april.is_met is None
    assert Scorecard.objects.get(employee=east_history, month=JUN).streak_below == 2


def test_a_policy_threshold_decides_what_counts_as_met(east_history, hrbp):
    scoring_policy_update(actor=hrbp, met_threshold=Decimal("0.50"), attainment_cap=Decimal("1.5"))
    scorecards_recompute(actor=None, first=JAN, last=JUN)
    assert Scorecard.objects.get(employee=east_history, month=JUN).is_met is True
    assert AuditEvent.objects.filter(action="scoring_policy.update", actor=hrbp).exists()


@pytest.mark.parametrize(
    ("threshold", "cap", "code"), [("0", "1.5", "invalid_threshold"), ("1", "0.9", "invalid_cap")]
)
def test_an_impossible_policy_is_refused(db, hrbp, threshold, code, cap):
    with pytest.raises(MetricsInputError) as excinfo:
        scoring_policy_update(actor=hrbp, met_threshold=Decimal(threshold), attainment_cap=Decimal(cap))
    assert excinfo.value.code == code


def test_a_reversed_range_is_refused(db):
    with pytest.raises(MetricsInputError) as excinfo:
        scorecards_recompute(actor=None, first=JUN, last=JAN)
    assert excinfo.value.code == "invalid_range"


def test_people_who_left_get_no_scorecard_after_leaving(east_history):
    east_history.termination_date = dt.date(2025, 3, 20)
    east_history.save()
    scorecards_recompute(actor=None, first=JAN, last=JUN)
    assert sorted(
        str(m) for m in Scorecard.objects.filter(employee=east_history).values_list("month", flat=True)
    ) == ["2025-01", "2025-02", "2025-03"]


def test_recording_an_unknown_kpi_fails_and_writes_nothing(rep):
    with pytest.raises(MetricsInputError) as excinfo:
        monthly_facts_record(
            actor=None,
            rows=[
                (rep.employee.pk, JAN, "revenue", Decimal(1)),
                (rep.employee.pk, JAN, "happiness", Decimal(1)),
            ],
            source="manual",
        )
    assert excinfo.value.code == "unknown_kpi"
    assert not MonthlyFact.objects.exists()


def test_months_without_a_target_get_no_scorecard_whatever_the_range(east_history):
    """A range reaching past the data scores nothing there, so a later range starting past the data has
    nothing to remove: recomputing is the same whatever range it is asked for."""
    first = scorecards_recompute(actor=None, first=JAN, last=JUN + 4)
    assert first.created == 12  # two people, six months each
    assert not Scorecard.objects.filter(month__gt=JUN).exists()
    again = scorecards_recompute(actor=None, first=JUN + 1, last=JUN + 4)
    assert (again.created, again.changed) == (0, 0)
    assert Scorecard.objects.count() == 12
