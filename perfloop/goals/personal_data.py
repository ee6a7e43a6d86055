"""The person's goals, every version of them and every step of their agreement, for their copy of their
data."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from perfloop.core.personal_data import DataSubject, section_register
from perfloop.core.workbooks import Sheet
from perfloop.goals.models import Goal, GoalEvent, GoalVersion


def _when(moment: object) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else None  # type: ignore[attr-defined]


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
                    _when(goal.published_at),
                    _when(goal.confirmed_at),
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
                    _when(version.created_at),
                ]
                for version in versions.order_by("goal__month", "goal__kpi", "number")
            ],
        ),
        Sheet(
            _("Goal agreement"),
            [_("When"), _("Month"), _("KPI"), _("Version"), _("Step"), _("Comment")],
            [
                [
                    _when(event.occurred_at),
                    str(event.goal.month),
                    event.goal.kpi.name_for(language),
                    event.version.number,
                    event.get_action_display(),
                    event.comment or None,
                ]
                for event in events.order_by("occurred_at", "pk")
            ],
        ),
    ]


def register() -> None:
    section_register("goals", goals_sections, order=40)
