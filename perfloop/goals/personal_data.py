"""The person's goals, every version of them and every step of their agreement, for their copy of their
data."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from perfloop.core.personal_data import DataSubject, local_time, section_register
from perfloop.core.workbooks import Sheet
from perfloop.goals.models import Goal, GoalEvent, GoalVersion, PlanNode


def goals_sections(subject: DataSubject) -> list[Sheet]:
    if subject.employee_id is None:
        return []
    language = get_language()
    goals = (
        Goal.objects.filter(employee_id=subject.employee_id).select_related("kpi").order_by("month", "kpi")
    )
    versions = GoalVersion.objects.filter(goal__employee_id=subject.employee_id).select_related("goal__kpi")
    events = GoalEvent.objects.filter(goal__employee_id=subject.employee_id).select_related(
        "goal__kpi", "version"
    )
    plans = (
        PlanNode.objects.filter(employee_id=subject.employee_id)
        .select_related("plan__kpi")
        .order_by("plan__year", "plan__kpi")
    )
    return [
        Sheet(
            _("Goals"),
            [_("Month"), _("KPI"), _("Target"), _("Status"), _("Published"), _("Confirmed")],
            [
                [
                    str(goal.month),
                    goal.kpi.name_for(language),
                    goal.value,
                    goal.get_status_display(),
                    local_time(goal.published_at),
                    local_time(goal.confirmed_at),
                ]
                for goal in goals
            ],
        ),
        Sheet(
            _("Goal versions"),
            [
                _("Month"),
                _("KPI"),
                _("Version"),
                _("Target"),
                _("Basis"),
                _("Basis in words"),
                _("Reason"),
                _("Made"),
            ],
            [
                [
                    str(version.goal.month),
                    version.goal.kpi.name_for(language),
                    version.number,
                    version.value,
                    version.get_basis_display(),
                    version.basis_detail or None,
                    version.reason or None,
                    local_time(version.created_at),
                ]
                for version in versions.order_by("goal__month", "goal__kpi", "number")
            ],
        ),
        Sheet(
            _("Goal agreement"),
            [_("When"), _("Month"), _("KPI"), _("Version"), _("Step"), _("Comment")],
            [
                [
                    local_time(event.occurred_at),
                    str(event.goal.month),
                    event.goal.kpi.name_for(language),
                    event.version.number,
                    event.get_action_display(),
                    event.comment or None,
                ]
                for event in events.order_by("occurred_at", "pk")
            ],
        ),
        Sheet(
            _("Annual target plans"),
            [_("Year"), _("KPI"), _("Plan"), _("Your annual target"), _("Changed at")],
            [
                [
                    str(node.plan.year),
                    node.plan.kpi.name_for(language),
                    node.plan.name or None,
                    node.amount,
                    local_time(node.updated_at),
                ]
                for node in plans
            ],
        ),
    ]


def register() -> None:
    section_register("goals", goals_sections, order=40)
