"""Agreements that already happened (the demo company, migrations), and notifications by e-mail."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from perfloop.core.months import Month
from perfloop.goals import services
from perfloop.goals.errors import GoalConflictError, GoalError
from perfloop.goals.models import Goal, GoalEvent, GoalStatus
from perfloop.goals.selectors import goal_record_for
from perfloop.goals.services import AgreedGoal, RecordedDispute, goals_record_agreed_bulk
from perfloop.goals.tests.factories import MARCH, published_goal
from perfloop.metrics.models import MonthlyTarget

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 2, 25, 9, 0, tzinfo=dt.UTC)


def _record(employee, manager, month=MARCH, dispute=None, value="80000") -> AgreedGoal:
    return AgreedGoal(
        employee_id=employee.pk,
        month=month,
        kpi_code="revenue",
        value=Decimal(value),
        set_by_id=manager.pk,
        published_at=T0,
        confirmed_at=T0 + dt.timedelta(days=3),
        basis_detail="团队标准 80,000",
        dispute=dispute,
    )


def test_agreed_goals_are_recorded_with_their_whole_history_and_become_the_targets(
    manager, rep, other_team_rep
):
    dispute = RecordedDispute(
        disputed_at=T0 + dt.timedelta(days=1),
        comment="区域客户流失",
        answered_at=T0 + dt.timedelta(days=2),
        answer="同意下调",
        answered_by_id=manager.pk,
        adjusted_value=Decimal(72000),
    )
    summary = goals_record_agreed_bulk(
        actor=None,
        records=[_record(rep.employee, manager), _record(other_team_rep.employee, manager, dispute=dispute)],
    )
    assert (summary.goals, summary.versions, summary.events, summary.disputes) == (2, 3, 6, 1)
    plain = Goal.objects.get(employee=rep.employee)
    assert (plain.status, plain.value, plain.version_count) == (GoalStatus.CONFIRMED, Decimal(80000), 1)
    assert plain.confirmed_version == plain.current_version
    adjusted = Goal.objects.get(employee=other_team_rep.employee)
    assert (adjusted.value, adjusted.version_count) == (Decimal(72000), 2)
    assert [e.action for e in GoalEvent.objects.filter(goal=adjusted).order_by("occurred_at")] == [
        "publish",
        "dispute",
        "answer",
        "confirm",
    ]
    events = {e.action: e for e in GoalEvent.objects.filter(goal=adjusted)}
    assert events["dispute"].actor == other_team_rep
    assert events["confirm"].actor == other_team_rep
    assert events["confirm"].occurred_at == T0 + dt.timedelta(days=3)
    assert events["answer"].version.value == Decimal(72000)
    assert MonthlyTarget.objects.get(employee=other_team_rep.employee).value == Decimal(72000)
    record = goal_record_for(viewer=manager, employee_id=rep.employee.pk, month=MARCH)
    assert record.is_fully_agreed


def test_recording_refuses_existing_goals_bad_timelines_and_unknown_kpis_and_writes_nothing(manager, rep):
    published_goal(actor=manager, employee=rep.employee)
    with pytest.raises(GoalConflictError) as exists:
        goals_record_agreed_bulk(actor=None, records=[_record(rep.employee, manager)])
    assert exists.value.code == "goal_exists"
    late = _record(rep.employee, manager, month=Month(2025, 4))
    backwards = AgreedGoal(**{**late.__dict__, "confirmed_at": T0 - dt.timedelta(days=1)})
    with pytest.raises(GoalError) as timeline:
        goals_record_agreed_bulk(actor=None, records=[backwards])
    assert timeline.value.code == "invalid_timeline"
    unknown = AgreedGoal(**{**late.__dict__, "kpi_code": "karma"})
    with pytest.raises(GoalError) as kpi:
        goals_record_agreed_bulk(actor=None, records=[unknown])
    assert kpi.value.code == "unknown_kpi"
    assert Goal.objects.count() == 1


def test_publish_dispute_and_answer_send_e_mails_after_commit(
    manager, rep, django_capture_on_commit_callbacks
):
    rep.email, manager.email = "rep@example.com", "manager@example.com"
    rep.save()
    manager.save()
    with time_machine.travel(dt.datetime(2025, 2, 20, 10, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            goal = published_goal(actor=manager, employee=rep.employee)
        with django_capture_on_commit_callbacks(execute=True):
            services.goal_dispute(actor=rep, goal=goal, version=1, comment="太高了")
        with django_capture_on_commit_callbacks(execute=True):
            services.goal_answer(actor=manager, goal=goal, comment="保持不变")
    assert [m.to for m in mail.outbox] == [["rep@example.com"], ["manager@example.com"], ["rep@example.com"]]
    assert "太高了" in mail.outbox[1].body
    assert "保持不变" in mail.outbox[2].body
