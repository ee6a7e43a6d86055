"""The agreement through the services: every allowed and refused move, versions, locks, notifications."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from perfloop.accounts.models import Notification
from perfloop.audit.models import AuditEvent
from perfloop.core.errors import NotFound, PermissionDenied
from perfloop.core.months import Month
from perfloop.goals import services
from perfloop.goals.errors import GoalConflictError, GoalError, JustificationMissingError
from perfloop.goals.models import Basis, Goal, GoalEvent, GoalStatus, GoalVersion
from perfloop.goals.tests.factories import (
    MARCH,
    confirmed_goal,
    current,
    draft_goal,
    kpi,
    published_goal,
    team_members,
)
from perfloop.metrics.models import MonthlyTarget

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _before_march():
    # Goals for March are set in February: no mid-period raise unless a test moves the clock.
    with time_machine.travel(dt.datetime(2025, 2, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


def _effective(goal: Goal) -> Decimal | None:
    target = MonthlyTarget.objects.filter(
        employee=goal.employee_id, month=goal.month, kpi=goal.kpi_id
    ).first()
    return target.value if target else None


def test_a_new_goal_is_a_draft_with_its_first_version_and_no_effective_target_yet(manager, rep):
    goal = draft_goal(actor=manager, employee=rep.employee)
    assert goal.status == GoalStatus.DRAFT
    assert goal.version_count == 1
    version = current(goal)
    assert (version.number, version.value, version.basis, version.created_by) == (
        1,
        Decimal(80000),
        Basis.MANUAL,
        manager,
    )
    assert _effective(goal) is None
    assert AuditEvent.objects.filter(action="goal.create", subject_employee_id=rep.employee.pk).count() == 1


def test_publishing_writes_the_effective_target_and_tells_the_person_in_app_and_by_email(manager, rep):
    goal = published_goal(actor=manager, employee=rep.employee, value="75000")
    assert goal.status == GoalStatus.PUBLISHED
    assert goal.published_at is not None
    target = MonthlyTarget.objects.get(employee=rep.employee, month=MARCH, kpi=kpi())
    assert (target.value, target.set_by) == (Decimal(75000), manager)
    note = Notification.objects.get(recipient=rep, kind="goal.published")
    assert "/goals/mine/" in note.link
    assert "75,000" in note.body
    event = GoalEvent.objects.get(goal=goal)
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "publish",
        "draft",
        "published",
        manager,
    )


def test_the_person_confirms_the_version_they_read_and_the_goal_locks(manager, rep):
    goal = published_goal(actor=manager, employee=rep.employee)
    services.goal_confirm(actor=rep, goal=goal, version=1, comment="好的")
    goal.refresh_from_db()
    assert goal.status == GoalStatus.CONFIRMED
    assert goal.is_locked
    assert goal.confirmed_version_id == goal.current_version_id
    event = goal.events.get(action="confirm")
    assert (event.actor, event.comment, event.channel, event.version.number) == (rep, "好的", "web", 1)


def test_confirming_an_outdated_version_is_refused_with_its_own_code_and_changes_nothing(manager, rep):
    goal = published_goal(actor=manager, employee=rep.employee)
    services.goal_revise(actor=manager, goal=goal, value=Decimal(78000), reason="territory change")
    with pytest.raises(GoalConflictError) as refused:
        services.goal_confirm(actor=rep, goal=goal, version=1)
    assert refused.value.code == "goal_version_outdated"
    assert refused.value.details == {"goal": goal.pk, "given": 1, "current": 2}
    goal.refresh_from_db()
    assert goal.status == GoalStatus.PUBLISHED
    assert not goal.events.filter(action="confirm").exists()


def test_a_confirmed_goal_changes_only_by_a_new_version_that_needs_a_new_confirmation(manager, rep):
    goal = confirmed_goal(manager=manager, rep=rep)
    with pytest.raises(GoalError) as no_reason:
        services.goal_revise(actor=manager, goal=goal, value=Decimal(70000), reason="")
    assert no_reason.value.code == "reason_required"
    services.goal_revise(actor=manager, goal=goal, value=Decimal(70000), reason="new product line delayed")
    goal.refresh_from_db()
    assert goal.status == GoalStatus.PUBLISHED
    assert goal.version_count == 2
    assert goal.confirmed_version is None
    assert _effective(goal) == Decimal(70000)
    versions = list(goal.versions.order_by("number").values_list("number", "value", "reason"))
    assert versions == [(1, Decimal(80000), ""), (2, Decimal(70000), "new product line delayed")]
    services.goal_confirm(actor=rep, goal=goal, version=2)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.CONFIRMED
    assert [e.action for e in goal.events.order_by("occurred_at", "pk")] == [
        "publish",
        "confirm",
        "revise",
        "confirm",
    ]


def test_dispute_answer_with_an_adjusted_value_then_confirm(manager, rep):
    goal = published_goal(actor=manager, employee=rep.employee, value="90000")
    with pytest.raises(GoalError) as silent:
        services.goal_dispute(actor=rep, goal=goal, version=1, comment="  ")
    assert silent.value.code == "comment_required"
    services.goal_dispute(actor=rep, goal=goal, version=1, comment="我的区域有两个大客户流失")
    goal.refresh_from_db()
    assert goal.status == GoalStatus.DISPUTED
    assert Notification.objects.filter(recipient=manager, kind="goal.disputed").count() == 1
    assert _effective(goal) == Decimal(90000)  # the disputed value stays the target until answered

    services.goal_answer(actor=manager, goal=goal, comment="同意调整到 82,000", value=Decimal(82000))
    goal.refresh_from_db()
    assert (goal.status, goal.version_count, goal.value) == (GoalStatus.PUBLISHED, 2, Decimal(82000))
    assert current(goal).basis == Basis.ANSWER
    assert _effective(goal) == Decimal(82000)
    assert Notification.objects.filter(recipient=rep, kind="goal.answered").count() == 1

    services.goal_confirm(actor=rep, goal=goal, version=2)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.CONFIRMED
    assert [e.action for e in goal.events.order_by("occurred_at", "pk")] == [
        "publish",
        "dispute",
        "answer",
        "confirm",
    ]


def test_an_answer_may_keep_the_value_and_still_makes_a_new_version_to_confirm(manager, rep):
    goal = published_goal(actor=manager, employee=rep.employee)
    services.goal_dispute(actor=rep, goal=goal, version=1, comment="太高")
    services.goal_answer(actor=manager, goal=goal, comment="和团队标准一致")
    goal.refresh_from_db()
    assert (goal.version_count, goal.value, goal.status) == (2, Decimal(80000), GoalStatus.PUBLISHED)


REFUSED = [
    ("draft", "confirm"),
    ("draft", "dispute"),
    ("draft", "answer"),
    ("published", "publish"),
    ("published", "answer"),
    ("disputed", "publish"),
    ("disputed", "confirm"),
    ("disputed", "dispute"),
    ("disputed", "revise"),
    ("confirmed", "publish"),
    ("confirmed", "confirm"),
    ("confirmed", "dispute"),
    ("confirmed", "answer"),
]


def _goal_in(state, manager, rep):
    if state == "draft":
        return draft_goal(actor=manager, employee=rep.employee)
    if state == "confirmed":
        return confirmed_goal(manager=manager, rep=rep)
    goal = published_goal(actor=manager, employee=rep.employee)
    if state == "disputed":
        services.goal_dispute(actor=rep, goal=goal, version=1, comment="no")
        goal.refresh_from_db()
    return goal


def _attempt(action, goal, manager, rep):
    if action == "publish":
        services.goals_publish(actor=manager, goals=[goal])
    elif action == "confirm":
        services.goal_confirm(actor=rep, goal=goal, version=goal.version_count)
    elif action == "dispute":
        services.goal_dispute(actor=rep, goal=goal, version=goal.version_count, comment="no")
    elif action == "answer":
        services.goal_answer(actor=manager, goal=goal, comment="answer", value=Decimal(79000))
    elif action == "revise":
        services.goal_revise(actor=manager, goal=goal, value=Decimal(79000), reason="why")


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_every_refused_move_fails_with_a_code_and_writes_nothing(manager, rep, state, action):
    goal = _goal_in(state, manager, rep)
    before = (Goal.objects.get(pk=goal.pk).status, GoalVersion.objects.count(), GoalEvent.objects.count())
    audits = AuditEvent.objects.count()
    with pytest.raises(GoalConflictError) as refused:
        _attempt(action, goal, manager, rep)
    assert refused.value.code in {"goal_transition_not_allowed", "goal_disputed"}
    after = (Goal.objects.get(pk=goal.pk).status, GoalVersion.objects.count(), GoalEvent.objects.count())
    assert after == before
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        ("draft", "publish", "published"),
        ("draft", "revise", "draft"),
        ("published", "confirm", "confirmed"),
        ("published", "dispute", "disputed"),
        ("published", "revise", "published"),
        ("disputed", "answer", "published"),
        ("confirmed", "revise", "published"),
    ],
)
def test_every_allowed_move_lands_where_the_table_says_and_is_audited(manager, rep, state, action, expected):
    goal = _goal_in(state, manager, rep)
    _attempt(action, goal, manager, rep)
    goal.refresh_from_db()
    assert goal.status == expected
    assert AuditEvent.objects.filter(action=f"goal.{action}", subject_employee_id=rep.employee.pk).exists()


def test_only_the_person_confirms_or_disputes_their_goal(manager, rep, other_team_rep, hrbp):
    goal = published_goal(actor=manager, employee=rep.employee)
    with pytest.raises(PermissionDenied):
        services.goal_confirm(actor=manager, goal=goal, version=1)
    with pytest.raises(PermissionDenied):
        services.goal_dispute(actor=hrbp, goal=goal, version=1, comment="x")
    with pytest.raises(NotFound):
        services.goal_confirm(actor=other_team_rep, goal=goal, version=1)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.PUBLISHED


def test_managers_set_goals_in_their_subtree_only_and_never_their_own(manager, rep, other_team_rep, hrbp):
    with pytest.raises(NotFound):
        draft_goal(actor=manager, employee=other_team_rep.employee)
    with pytest.raises(PermissionDenied):
        draft_goal(actor=manager, employee=manager.employee)
    with pytest.raises(PermissionDenied):
        draft_goal(actor=rep, employee=rep.employee)
    assert draft_goal(actor=hrbp, employee=other_team_rep.employee).status == GoalStatus.DRAFT
    assert Goal.objects.count() == 1


def test_negative_targets_unknown_months_and_people_fail_with_their_codes(manager, rep, other_team_rep):
    with pytest.raises(GoalError) as negative:
        draft_goal(actor=manager, employee=rep.employee, value="-1")
    assert negative.value.code == "negative_target"
    with pytest.raises(GoalError) as before_hire:
        draft_goal(actor=manager, employee=rep.employee, month=Month(2001, 1))
    assert before_hire.value.code == "month_outside_employment"
    with pytest.raises(GoalError) as unknown:
        services.goals_set_bulk(
            actor=manager,
            entries=[
                services.GoalEntry(
                    employee_id=rep.employee.pk, month=MARCH, kpi_id=kpi().pk, value=Decimal(1)
                ),
                services.GoalEntry(
                    employee_id=other_team_rep.employee.pk, month=MARCH, kpi_id=kpi().pk, value=Decimal(1)
                ),
            ],
            basis=Basis.MANUAL,
        )
    assert unknown.value.code == "unknown_employee"
    assert Goal.objects.count() == 0
    assert GoalVersion.objects.count() == 0


def test_a_target_far_above_same_position_peers_needs_a_justification_that_is_kept(manager, org, rep):
    peers = team_members(org.team_east, 5, position=rep.employee.position)
    for peer in peers:
        draft_goal(actor=manager, employee=peer, value="80000")
    with pytest.raises(JustificationMissingError) as flagged:
        draft_goal(actor=manager, employee=rep.employee, value="100000")
    assert flagged.value.code == "justification_required"
    assert flagged.value.details["warnings"][0]["code"] == "above_peers"
    assert not Goal.objects.filter(employee=rep.employee).exists()

    goal = services.goal_set(
        actor=manager,
        employee=rep.employee,
        month=MARCH,
        kpi=kpi(),
        value=Decimal(100000),
        justification="负责新开的苏州区域，客户储备是团队平均的两倍",
    )
    version = current(goal)
    assert version.justification.startswith("负责新开的苏州区域")
    assert version.fairness_flags[0]["code"] == "above_peers"
    assert version.fairness_flags[0]["reference"] == "80000.0000"


def test_raising_a_published_target_after_the_month_began_needs_a_justification(manager, rep):
    goal = published_goal(actor=manager, employee=rep.employee)
    with time_machine.travel(dt.datetime(2025, 3, 15, 10, tzinfo=dt.UTC), tick=False):
        with pytest.raises(JustificationMissingError) as flagged:
            services.goal_revise(actor=manager, goal=goal, value=Decimal(90000), reason="more")
        assert flagged.value.details["warnings"][0]["code"] == "raised_mid_period"
        services.goal_revise(
            actor=manager, goal=goal, value=Decimal(90000), reason="more", justification="客户追加订单已签"
        )
    goal.refresh_from_db()
    assert current(goal).fairness_flags[0]["code"] == "raised_mid_period"
    # Lowering it mid-period is not a raise.
    with time_machine.travel(dt.datetime(2025, 3, 20, 10, tzinfo=dt.UTC), tick=False):
        services.goal_revise(actor=manager, goal=goal, value=Decimal(85000), reason="less")


def test_a_disputed_goal_is_answered_not_revised(manager, rep):
    goal = published_goal(actor=manager, employee=rep.employee)
    services.goal_dispute(actor=rep, goal=goal, version=1, comment="no")
    with pytest.raises(GoalConflictError) as refused:
        services.goal_revise(actor=manager, goal=goal, value=Decimal(1), reason="x")
    assert refused.value.code == "goal_disputed"


def test_revising_to_the_same_value_is_refused(manager, rep):
    goal = draft_goal(actor=manager, employee=rep.employee)
    with pytest.raises(GoalError) as same:
        services.goal_revise(actor=manager, goal=goal, value=Decimal(80000), reason="x")
    assert same.value.code == "goal_unchanged"


def test_confirming_several_goals_at_once_checks_each_version(manager, rep):
    revenue = published_goal(actor=manager, employee=rep.employee)
    customers = published_goal(actor=manager, employee=rep.employee, code="new_customers", value="3")
    with pytest.raises(GoalConflictError):
        services.goals_confirm_bulk(actor=rep, versions={revenue.pk: 1, customers.pk: 2})
    assert Goal.objects.filter(status=GoalStatus.CONFIRMED).count() == 0
    services.goals_confirm_bulk(actor=rep, versions={revenue.pk: 1, customers.pk: 1})
    assert Goal.objects.filter(status=GoalStatus.CONFIRMED).count() == 2


def test_publishing_a_team_by_filter_publishes_only_its_drafts(manager, rep, org):
    others = team_members(org.team_east, 2)
    for person in [rep.employee, *others]:
        draft_goal(actor=manager, employee=person)
    published = services.goals_publish_matching(actor=manager, team=org.team_east, month=MARCH)
    assert len(published) == 3
    assert set(Goal.objects.values_list("status", flat=True)) == {GoalStatus.PUBLISHED}
