from perfloop.audit.models import AuditEvent
from perfloop.audit.services import audit_change, audit_view, audit_views_bulk


def test_a_change_records_actor_action_and_target(hrbp, org):
    event = audit_change(actor=hrbp, action="org_unit.rename", target=org.team_east, details={"to": "East"})
    assert (event.actor, event.kind, event.target_type, event.target_id) == (
        hrbp,
        "change",
        "org.orgunit",
        str(org.team_east.pk),
    )


def test_views_of_personal_data_are_logged_per_person(manager, rep):
    audit_view(actor=manager, action="person.view", subject_employee_id=rep.employee.pk)
    written = audit_views_bulk(
        actor=manager, action="team.view", subject_employee_ids=[10_001, 10_002, 10_003], details={}
    )
    assert written == 3
    assert AuditEvent.objects.filter(kind="view", actor=manager).count() == 4
    assert AuditEvent.objects.filter(subject_employee_id=rep.employee.pk).count() == 1


def test_system_actions_have_no_actor(db):
    assert audit_change(actor=None, action="month.close").actor is None


def test_many_changes_in_one_step_read_back_like_single_ones(hrbp, rep):
    from django.utils import timezone

    from perfloop.audit.services import ChangeRecord, audit_changes_bulk

    before = timezone.now()
    records = [
        ChangeRecord(
            action="alert.resolve",
            target_type="monitoring.alert",
            target_id=str(n),
            subject_employee_id=rep.employee.pk,
            details={"from": "open", "to": "resolved", "note": "已与销售沟通"},
        )
        for n in range(3)
    ]
    assert audit_changes_bulk(actor=hrbp, records=records) == 3
    events = list(AuditEvent.objects.filter(action="alert.resolve").order_by("target_id"))
    assert [e.target_id for e in events] == ["0", "1", "2"]
    assert all(e.actor == hrbp and e.kind == "change" for e in events)
    assert events[0].details == {"from": "open", "to": "resolved", "note": "已与销售沟通"}
    assert events[0].occurred_at >= before.replace(microsecond=0)
    assert audit_changes_bulk(actor=None, records=[]) == 0
