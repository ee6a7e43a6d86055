"""The monthly close, alert states, escalation and rules against the database (the personas' organisation)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from perfloop.accounts.models import Notification
from perfloop.audit.models import AuditEvent
from perfloop.core.errors import PermissionDenied
from perfloop.core.months import Month
from perfloop.metrics.models import Kpi, MonthlyFact, MonthlyTarget
from perfloop.metrics.services import monthly_facts_record
from perfloop.metrics.tests.factories import REVENUE_TARGET, record_revenue, revenue_only_weights
from perfloop.monitoring.models import Alert, AlertRule, AlertState, Delivery, MonthClose, Resolution
from perfloop.monitoring.services import (
    AlertStateError,
    MonitoringError,
    alert_acknowledge,
    alert_resolve,
    alert_rule_create,
    alert_rule_update,
    alerts_escalate_overdue,
    month_close,
)
from perfloop.monitoring.tasks import month_close_task

JAN = Month(2025, 1)
LOW, OK = 0.5, 1.1
T0 = dt.datetime(2025, 7, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def people(everyone):
    """rep (Team East) and other_team_rep (Team South): revenue-only, hired long ago; e-mails set."""
    for name, user in everyone.items():
        user.email = f"{name}@example.com"
        user.save()
    for persona in ("rep", "other_team_rep"):
        employee = everyone[persona].employee
        employee.hire_date = dt.date(2020, 1, 1)
        employee.save()
        revenue_only_weights(employee)
    return everyone


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Close months with after-commit work (deliveries) executed, like a real transaction."""

    def close(*months: Month, actor=None):
        summary = None
        with django_capture_on_commit_callbacks(execute=True):
            for month in months:
                summary = month_close(actor=actor, month=month)
        return summary

    return close


def months(first: Month, count: int) -> list[Month]:
    return [first + i for i in range(count)]


def alerts_of(user) -> list[tuple[str, str, str]]:
    return [
        (a.rule.code, str(a.month), a.state)
        for a in Alert.objects.filter(employee=user.employee)
        .select_related("rule")
        .order_by("month", "rule__months")
    ]


def inbox(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_third_month_below_target_raises_a_warning_for_the_manager_and_the_hrbp(people, run):
    rep = people["rep"]
    record_revenue(rep.employee, JAN, JAN + 2, [LOW, LOW, LOW])
    run(*months(JAN, 2))
    assert alerts_of(rep) == []
    summary = run(JAN + 2)
    assert summary.alerts_raised == 1
    assert alerts_of(rep) == [("below_target_3", "2025-03", "open")]
    told = {name for name, user in people.items() if inbox(user)}
    assert told == {"manager", "hrbp"}
    note = inbox(people["manager"])[0]
    assert note.kind == "alert.raised"
    assert "李明" in note.body
    assert "2025-01" in note.body  # since when
    assert sorted(m.to[0] for m in mail.outbox) == ["hrbp@example.com", "manager@example.com"]
    assert Delivery.objects.filter(status="sent").count() == 2


def test_sixth_month_raises_the_long_term_alert_too(people, run):
    rep = people["rep"]
    record_revenue(rep.employee, JAN, JAN + 5, [LOW] * 6)
    run(*months(JAN, 6))
    assert alerts_of(rep) == [("below_target_3", "2025-03", "open"), ("below_target_6", "2025-06", "open")]
    assert Alert.objects.get(rule__code="below_target_6").severity == "long_term"


def test_a_second_close_without_new_data_changes_nothing_and_sends_nothing(people, run):
    record_revenue(people["rep"].employee, JAN, JAN + 2, [LOW, LOW, LOW])
    run(*months(JAN, 3))
    notes, mails, audits = Notification.objects.count(), len(mail.outbox), AuditEvent.objects.count()
    alerts = list(Alert.objects.values())
    again = run(JAN + 2)
    assert not again.has_changes
    assert (again.notifications_sent, again.deliveries_queued, again.restated_months) == (0, 0, [])
    assert list(Alert.objects.values()) == alerts
    assert (Notification.objects.count(), len(mail.outbox)) == (notes, mails)
    # only the run itself is recorded: the close and the (unchanged) recompute
    assert MonthClose.objects.count() == 4
    assert not MonthClose.objects.order_by("-pk").first().has_changes
    assert AuditEvent.objects.count() == audits + 2


def test_a_late_import_that_removes_the_condition_withdraws_the_alert_with_a_reason(people, run):
    rep = people["rep"]
    record_revenue(rep.employee, JAN, JAN + 2, [LOW, LOW, LOW])
    run(*months(JAN, 3))
    alert = Alert.objects.get()
    alert_acknowledge(actor=people["manager"], alert=alert)
    people["manager"].preferred_language = "en"
    people["manager"].save()
    monthly_facts_record(
        actor=None, rows=[(rep.employee.pk, JAN + 1, "revenue", REVENUE_TARGET)], source="crm"
    )
    summary = run(JAN + 3)
    # February was restated; March's streak changed with it
    assert [str(m) for m in summary.restated_months] == ["2025-02", "2025-03"]
    assert summary.recomputed_first <= JAN + 1
    alert.refresh_from_db()
    assert (alert.state, alert.resolution) == (AlertState.RESOLVED, Resolution.WITHDRAWN)
    assert alert.resolved_by is None
    assert Alert.objects.count() == 1  # resolved, never deleted
    assert "Withdrawn after restated data" in inbox(people["manager"])[-1].body  # the manager reads English


def test_a_late_import_that_moves_the_start_moves_the_alert_instead_of_raising_another(people, run):
    rep = people["rep"]
    record_revenue(rep.employee, JAN, JAN + 3, [None, LOW, LOW, LOW])
    run(*months(JAN, 4))
    assert alerts_of(rep) == [("below_target_3", "2025-04", "open")]
    monthly_facts_record(
        actor=None, rows=[(rep.employee.pk, JAN, "revenue", REVENUE_TARGET * Decimal("0.4"))], source="crm"
    )
    summary = run(JAN + 3)
    assert summary.alerts_moved == 1
    assert summary.alerts_raised == 0
    alert = Alert.objects.get()
    assert (str(alert.month), str(alert.restated_from), str(alert.episode_start)) == (
        "2025-03",
        "2025-04",
        "2025-01",
    )


def test_restated_data_that_brings_the_condition_back_reopens_the_withdrawn_alert(people, run):
    rep = people["rep"]
    record_revenue(rep.employee, JAN, JAN + 2, [LOW, LOW, LOW])
    run(*months(JAN, 3))
    monthly_facts_record(
        actor=None, rows=[(rep.employee.pk, JAN + 1, "revenue", REVENUE_TARGET)], source="crm"
    )
    run(JAN + 2)
    monthly_facts_record(actor=None, rows=[(rep.employee.pk, JAN + 1, "revenue", Decimal(100))], source="crm")
    summary = run(JAN + 2)
    assert summary.alerts_reopened == 1
    assert alerts_of(rep) == [("below_target_3", "2025-03", "open")]
    assert list(AuditEvent.objects.filter(action__startswith="alert.").values_list("action", flat=True)) == [
        "alert.reopen",
        "alert.resolve",
    ]


def test_a_met_month_resolves_the_alert_as_recovered(people, run):
    rep = people["rep"]
    record_revenue(rep.employee, JAN, JAN + 3, [LOW, LOW, LOW, OK])
    run(*months(JAN, 4))
    alert = Alert.objects.get()
    assert (alert.state, alert.resolution) == (AlertState.RESOLVED, Resolution.RECOVERED)


def test_a_month_on_leave_without_data_breaks_the_run(people, run):
    rep = people["rep"]
    # on leave in March: a target was set, no revenue came in — missing, not below
    record_revenue(rep.employee, JAN, JAN + 4, [LOW, LOW, None, LOW, LOW])
    run(*months(JAN, 5))
    assert alerts_of(rep) == []
    assert MonthlyTarget.objects.filter(employee=rep.employee, month=JAN + 2).exists()


def test_someone_who_joins_mid_period_is_judged_from_their_first_month(people, run):
    rep = people["rep"]
    rep.employee.hire_date = dt.date(2025, 3, 10)
    rep.employee.save()
    record_revenue(rep.employee, JAN, JAN + 4, [LOW, LOW, LOW, LOW, LOW])  # stray facts before joining
    run(*months(JAN, 5))
    assert alerts_of(rep) == [("below_target_3", "2025-05", "open")]


def test_the_alerts_of_someone_who_left_are_resolved_as_left(people, run):
    rep = people["rep"]
    record_revenue(rep.employee, JAN, JAN + 3, [LOW, LOW, LOW, LOW])
    run(*months(JAN, 3))
    rep.employee.termination_date = dt.date(2025, 3, 31)
    rep.employee.save()
    run(JAN + 3)
    alert = Alert.objects.get()
    assert (alert.state, alert.resolution) == (AlertState.RESOLVED, Resolution.LEFT)


def test_skipped_months_are_evaluated_by_the_next_close(people, run):
    rep = people["rep"]
    with time_machine.travel(T0, tick=False):
        record_revenue(rep.employee, JAN, JAN + 4, [OK, LOW, LOW, LOW, OK])
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        run(JAN)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        summary = run(JAN + 4)  # February to April were never closed: the episode in April is not lost
    assert summary.recomputed_first == JAN + 1
    assert [(a.rule.code, str(a.month), a.resolution) for a in Alert.objects.select_related("rule")] == [
        ("below_target_3", "2025-04", "recovered")
    ]


def test_a_kpi_rule_judges_new_customers_against_the_team_average(people, run, hr_director):
    rule = alert_rule_create(
        actor=hr_director,
        code="few_new_customers",
        name="新客户不足团队平均50%",
        kind="below_team_average",
        severity="warning",
        kpi="new_customers",
        factor=Decimal("0.5"),
    )
    new_customers = Kpi.objects.get(code="new_customers")
    rep, mentor = people["rep"].employee, people["mentor"].employee
    for employee, value in ((rep, 1), (mentor, 5)):
        revenue_only_weights(employee)
        record_revenue(employee, JAN, JAN, [OK])
        MonthlyFact.objects.create(employee=employee, month=JAN, kpi=new_customers, value=value, source="crm")
        MonthlyTarget.objects.create(employee=employee, month=JAN, kpi=new_customers, value=3)
    from perfloop.metrics.models import KpiWeight

    KpiWeight.objects.create(position=rep.position, kpi=new_customers, weight=Decimal("0.2"))
    run(JAN)
    assert [(a.rule_id, a.employee_id) for a in Alert.objects.all()] == [(rule.pk, rep.pk)]
    assert Alert.objects.get().value == Decimal("0.3333")  # 1 ÷ the team's 3


def test_escalation_waits_the_rules_days_then_tells_the_hrbp_once(people, run):
    record_revenue(people["rep"].employee, JAN, JAN + 2, [LOW, LOW, LOW])
    with time_machine.travel(T0, tick=False):
        run(*months(JAN, 3))
    alert = Alert.objects.get()
    with time_machine.travel(T0 + dt.timedelta(days=6, hours=23), tick=False):
        assert alerts_escalate_overdue().escalated == 0
    before = len(inbox(people["hrbp"]))
    with time_machine.travel(T0 + dt.timedelta(days=7, seconds=1), tick=False):
        summary = alerts_escalate_overdue()
    assert summary.escalated == 1
    alert.refresh_from_db()
    assert alert.escalated_at == T0 + dt.timedelta(days=7, seconds=1)
    escalations = [n for n in inbox(people["hrbp"])[before:] if n.kind == "alert.escalated"]
    assert len(escalations) == 1
    assert not [n for n in inbox(people["manager"]) if n.kind == "alert.escalated"]
    with time_machine.travel(T0 + dt.timedelta(days=30), tick=False):
        assert alerts_escalate_overdue().escalated == 0


def test_an_acknowledged_alert_never_escalates(people, run):
    record_revenue(people["rep"].employee, JAN, JAN + 2, [LOW, LOW, LOW])
    with time_machine.travel(T0, tick=False):
        run(*months(JAN, 3))
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        alert_acknowledge(actor=people["manager"], alert=Alert.objects.get(), note="talked on Monday")
    with time_machine.travel(T0 + dt.timedelta(days=30), tick=False):
        assert alerts_escalate_overdue().escalated == 0


def test_the_escalation_delay_is_the_rules(people, run, hr_director):
    alert_rule_update(
        actor=hr_director, rule=AlertRule.objects.get(code="below_target_3"), escalate_after_days=2
    )
    record_revenue(people["rep"].employee, JAN, JAN + 2, [LOW, LOW, LOW])
    with time_machine.travel(T0, tick=False):
        run(*months(JAN, 3))
    with time_machine.travel(T0 + dt.timedelta(days=2, seconds=1), tick=False):
        assert alerts_escalate_overdue().escalated == 1


def test_alert_states_move_forward_only_and_every_move_is_audited(people, run):
    record_revenue(people["rep"].employee, JAN, JAN + 2, [LOW, LOW, LOW])
    run(*months(JAN, 3))
    alert = Alert.objects.get()
    alert = alert_acknowledge(actor=people["manager"], alert=alert, note="seen")
    assert (alert.state, alert.acknowledged_by) == (AlertState.ACKNOWLEDGED, people["manager"])
    alert = alert_resolve(actor=people["hrbp"], alert=alert, note="improvement plan opened")
    assert (alert.state, alert.resolution, alert.resolved_by) == ("resolved", "handled", people["hrbp"])
    with pytest.raises(AlertStateError) as caught:
        alert_acknowledge(actor=people["manager"], alert=alert)
    assert caught.value.code == "invalid_transition"
    events = AuditEvent.objects.filter(action__in=["alert.acknowledge", "alert.resolve"]).order_by("pk")
    assert [(e.action, e.actor_id, e.subject_employee_id) for e in events] == [
        ("alert.acknowledge", people["manager"].pk, people["rep"].employee.pk),
        ("alert.resolve", people["hrbp"].pk, people["rep"].employee.pk),
    ]


@pytest.mark.parametrize(
    "persona", ["rep", "other_team_rep", "other_manager", "mentor", "executive", "sysadmin"]
)
def test_only_the_manager_and_hr_in_scope_may_act_on_an_alert(people, run, persona):
    record_revenue(people["rep"].employee, JAN, JAN + 2, [LOW, LOW, LOW])
    run(*months(JAN, 3))
    alert = Alert.objects.get()
    with pytest.raises(PermissionDenied):
        alert_acknowledge(actor=people[persona], alert=alert)
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_hr_edits_rules_and_bad_values_are_refused_with_a_code(people, hr_director):
    rule = AlertRule.objects.get(code="below_target_3")
    for outsider in (people["manager"], people["hrbp"]):  # HR of 销售部 does not set company policy either
        with pytest.raises(PermissionDenied):
            alert_rule_update(actor=outsider, rule=rule, months=4)
    updated = alert_rule_update(actor=hr_director, rule=rule, months=4, threshold=Decimal("0.8"))
    assert (updated.months, updated.threshold) == (4, Decimal("0.8"))
    event = AuditEvent.objects.get(action="alert_rule.update")
    assert event.details["before"]["months"] == 3
    assert event.details["after"]["threshold"] == "0.8"
    for changes, code in (
        ({"months": 0}, "invalid_months"),
        ({"kind": "nonsense"}, "unknown_kind"),
        ({"kpi": "nonsense"}, "unknown_kpi"),
        ({"kind": "below_team_average"}, "invalid_rule"),
        ({"colour": "red"}, "unknown_field"),
    ):
        with pytest.raises(MonitoringError) as caught:
            alert_rule_update(actor=hr_director, rule=rule, **changes)
        assert caught.value.code == code
    rule.refresh_from_db()
    assert rule.months == 4


def test_the_close_is_an_hr_action_when_a_person_runs_it(people):
    for outsider in (people["manager"], people["hrbp"]):  # it scores everyone: not for HR of one part
        with pytest.raises(PermissionDenied):
            month_close(actor=outsider, month=JAN)
    assert MonthClose.objects.count() == 0


def test_close_month_command_prints_one_json_object(people):
    record_revenue(people["rep"].employee, JAN, JAN + 2, [LOW, LOW, LOW])
    out = StringIO()
    for month in ("2025-01", "2025-02", "2025-03"):
        call_command("close_month", month, "--json", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (summary["month"], summary["alerts_raised"], summary["has_changes"]) == ("2025-03", 1, True)
    out = StringIO()
    call_command("close_month", "2025-03", stdout=out)
    assert "nothing changed" in out.getvalue()


def test_close_month_command_refuses_a_bad_month(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("close_month", "2025-13")


def test_the_close_task_runs_the_same_service(people):
    record_revenue(people["rep"].employee, JAN, JAN + 2, [LOW, LOW, LOW])
    for month in ("2025-01", "2025-02", "2025-03"):
        result = month_close_task.enqueue(month=month)
    assert result.return_value is not None
    assert result.return_value["alerts_raised"] == 1
