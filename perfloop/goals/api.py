"""The goals API: the same services, selectors and policies as the pages, scoped to the caller.

Out-of-scope people and goals answer 404 like missing ones; a role that may not act answers 403;
business-rule refusals answer 400 or 409 with their stable code.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from perfloop.accounts.models import User
from perfloop.accounts.selectors import employee_get_for
from perfloop.audit.pagination import AuditedPages
from perfloop.audit.services import audit_view, audit_views_bulk
from perfloop.core.errors import NotFound, PermissionDenied
from perfloop.core.params import month_param, required_month_param
from perfloop.goals import selectors, services
from perfloop.goals.agreement import allowed_actions
from perfloop.goals.errors import GoalError
from perfloop.goals.models import Channel, Goal, GoalEvent, GoalStatus, GoalTemplate, GoalVersion, TargetPlan
from perfloop.goals.policies import can_manage_goals, can_manage_goals_of
from perfloop.goals.schemas import (
    AcceptSuggestionsIn,
    AnswerIn,
    ApplyIn,
    AssignIn,
    AssignmentOut,
    ConfirmationOut,
    ConfirmManyIn,
    EventOut,
    GoalDetailOut,
    GoalIn,
    GoalOut,
    NodeAmountIn,
    PeopleFilterIn,
    PlanIn,
    PlanNodeOut,
    PlanOut,
    PreviewOut,
    PublishIn,
    RecordLineOut,
    RecordOut,
    RespondIn,
    ReviseIn,
    SetResultOut,
    SplitIn,
    SuggestionOut,
    SummaryOut,
    TemplateIn,
    TemplateOut,
    VersionOut,
)
from perfloop.goals.selectors import PeopleFilter
from perfloop.org.models import Position

router = Router(tags=["goals"])


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _name(user: Any) -> str | None:
    if user is None:
        return None
    employee = getattr(user, "employee", None)
    return employee.name if employee is not None else (user.get_full_name() or user.username)


def _goal_out(goal: Goal) -> dict[str, Any]:
    version = goal.current_version
    return {
        "id": goal.pk,
        "employee_id": goal.employee_id,
        "employee_name": goal.employee.name,
        "employee_number": goal.employee.employee_number,
        "month": str(goal.month),
        "kpi": goal.kpi.code,
        "value": goal.value,
        "status": goal.status,
        "version": goal.version_count,
        "set_by": _name(version.created_by) if version else None,
        "basis": version.basis if version else None,
        "published_at": goal.published_at,
        "confirmed_at": goal.confirmed_at,
        "allowed_actions": [str(a) for a in allowed_actions(goal.status)],
    }


def _version_out(version: GoalVersion) -> VersionOut:
    return VersionOut(
        number=version.number,
        value=version.value,
        basis=version.basis,
        basis_detail=version.basis_detail,
        reason=version.reason,
        justification=version.justification,
        fairness_flags=version.fairness_flags,
        suggestion=version.suggestion,
        set_by=_name(version.created_by),
        set_by_id=version.created_by_id,
        set_at=version.created_at,
    )


def _event_out(event: GoalEvent) -> EventOut:
    return EventOut(
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        version=event.version.number,
        actor=_name(event.actor),
        actor_id=event.actor_id,
        comment=event.comment,
        channel=event.channel,
        at=event.occurred_at,
    )


def _detail(goal: Goal) -> GoalDetailOut:
    versions, events = selectors.goal_history(goal)
    return GoalDetailOut(
        **_goal_out(goal),
        versions=[_version_out(v) for v in versions],
        events=[_event_out(e) for e in events],
    )


# ---------------------------------------------------------------- goals


@router.get("/", response=list[GoalOut])
@paginate(AuditedPages, page_size=200, action="goal_list.view")
def goal_list(
    request: HttpRequest,
    employee: int | None = None,
    team: int | None = None,
    month: str | None = None,
    first: str | None = None,
    last: str | None = None,
    status: str | None = None,
    kpi: str | None = None,
) -> list[dict[str, Any]]:
    """Goals of the people the caller may see (themself; a manager's subtree; an HRBP's scope)."""
    viewer = _viewer(request)
    if status and status not in GoalStatus.values:
        raise GoalError(_("Unknown status “%(status)s”.") % {"status": status}, code="invalid_status")
    goals = selectors.goal_list_for(
        viewer=viewer,
        employee=employee_get_for(viewer=viewer, employee_id=employee) if employee is not None else None,
        team=selectors.team_get_for(viewer=viewer, unit_id=team) if team is not None else None,
        month=month_param(month, "month"),
        first=month_param(first, "first"),
        last=month_param(last, "last"),
        status=status,
        kpi=selectors.kpi_get(code=kpi) if kpi else None,
    )
    return [_goal_out(g) for g in goals]


@router.post("/", response={201: GoalDetailOut})
def goal_set(request: HttpRequest, payload: GoalIn) -> Status[GoalDetailOut]:
    """Set a person's target for a month: a new draft, or a new version of their goal."""
    viewer = _viewer(request)
    employee = employee_get_for(viewer=viewer, employee_id=payload.employee_id)
    goal = services.goal_set(
        actor=viewer,
        employee=employee,
        month=required_month_param(payload.month, "month"),
        kpi=selectors.kpi_get(code=payload.kpi),
        value=payload.value,
        basis=payload.basis,
        basis_detail=payload.basis_detail,
        reason=payload.reason,
        justification=payload.justification,
        expected_version=payload.expected_version,
        channel=Channel.API,
    )
    return Status(201, _detail(selectors.goal_get_for(viewer=viewer, goal_id=goal.pk)))


@router.get("/record", response=RecordOut)
def goal_record(request: HttpRequest, employee: int, month: str) -> RecordOut:
    """One person's month as evidence: each target, who set it, on what basis, when and how it was agreed."""
    viewer = _viewer(request)
    period = required_month_param(month, "month")
    record = selectors.goal_record_for(viewer=viewer, employee_id=employee, month=period)
    audit_view(
        actor=viewer,
        action="goal_record.view",
        target=record.employee,
        subject_employee_id=record.employee.pk,
        details={"month": str(period), "channel": "api"},
    )
    lines = []
    for line in record.lines:
        current, confirmation = line.current_version, line.confirmation
        lines.append(
            RecordLineOut(
                kpi=line.kpi.code,
                kpi_name_zh=line.kpi.name_zh,
                kpi_name_en=line.kpi.name_en,
                goal_id=line.goal.pk if line.goal else None,
                target=line.goal.value if line.goal else None,
                status=line.goal.status if line.goal else None,
                effective_target=line.effective_target,
                set_by=_name(current.created_by) if current else _name(line.effective_set_by),
                set_at=current.created_at if current else None,
                basis=current.basis if current else None,
                basis_detail=current.basis_detail if current else "",
                justification=current.justification if current else "",
                fairness_flags=current.fairness_flags if current else [],
                confirmation=ConfirmationOut(
                    by=_name(confirmation.actor),
                    by_id=confirmation.actor_id,
                    at=confirmation.occurred_at,
                    channel=confirmation.channel,
                    version=confirmation.version.number,
                    comment=confirmation.comment,
                )
                if confirmation
                else None,
                versions=[_version_out(v) for v in line.versions],
                events=[_event_out(e) for e in line.events],
            )
        )
    return RecordOut(
        employee_id=record.employee.pk,
        employee_name=record.employee.name,
        employee_number=record.employee.employee_number,
        month=str(period),
        is_fully_agreed=record.is_fully_agreed,
        lines=lines,
    )


@router.post("/publish", response=list[GoalOut])
def goals_publish(request: HttpRequest, payload: PublishIn) -> list[dict[str, Any]]:
    """Publish drafts: listed ones, or every draft of a team (and sub-teams) for a month."""
    viewer = _viewer(request)
    if not can_manage_goals(viewer):
        raise PermissionDenied(_("Only managers and HR publish goals."))
    if payload.goal_ids is not None:
        goals = list(selectors.goal_list_for(viewer=viewer).filter(pk__in=payload.goal_ids))
        if len(goals) != len(set(payload.goal_ids)):
            raise NotFound(_("No such goal in your scope."))
        published = services.goals_publish(actor=viewer, goals=goals, channel=Channel.API)
    elif payload.team is not None:
        published = services.goals_publish_matching(
            actor=viewer,
            team=selectors.team_get_for(viewer=viewer, unit_id=payload.team),
            month=required_month_param(payload.month, "month"),
            kpi=selectors.kpi_get(code=payload.kpi) if payload.kpi else None,
            channel=Channel.API,
        )
    else:
        raise GoalError(_("Give goal_ids, or a team and a month."), code="nothing_to_publish")
    return [
        _goal_out(g) for g in selectors.goal_list_for(viewer=viewer).filter(pk__in=[g.pk for g in published])
    ]


@router.post("/confirm", response=list[GoalOut])
def goals_confirm(request: HttpRequest, payload: ConfirmManyIn) -> list[dict[str, Any]]:
    """Confirm several of one's own goals, each at the version read."""
    viewer = _viewer(request)
    goals = services.goals_confirm_bulk(
        actor=viewer, versions=payload.versions, comment=payload.comment, channel=Channel.API
    )
    return [_goal_out(g) for g in selectors.goal_list_for(viewer=viewer).filter(pk__in=[g.pk for g in goals])]


@router.get("/{int:goal_id}", response=GoalDetailOut)
def goal_detail(request: HttpRequest, goal_id: int) -> GoalDetailOut:
    viewer = _viewer(request)
    goal = selectors.goal_get_for(viewer=viewer, goal_id=goal_id)
    audit_view(
        actor=viewer,
        action="goal.view",
        target=goal,
        subject_employee_id=goal.employee_id,
        details={"channel": "api"},
    )
    return _detail(goal)


def _reread(request: HttpRequest, goal: Goal) -> GoalDetailOut:
    return _detail(selectors.goal_get_for(viewer=_viewer(request), goal_id=goal.pk))


@router.post("/{int:goal_id}/revise", response=GoalDetailOut)
def goal_revise(request: HttpRequest, goal_id: int, payload: ReviseIn) -> GoalDetailOut:
    viewer = _viewer(request)
    goal = selectors.goal_get_for(viewer=viewer, goal_id=goal_id)
    services.goal_revise(
        actor=viewer,
        goal=goal,
        value=payload.value,
        reason=payload.reason,
        justification=payload.justification,
        expected_version=payload.expected_version,
        channel=Channel.API,
    )
    return _reread(request, goal)


@router.post("/{int:goal_id}/publish", response=GoalDetailOut)
def goal_publish(request: HttpRequest, goal_id: int) -> GoalDetailOut:
    viewer = _viewer(request)
    goal = selectors.goal_get_for(viewer=viewer, goal_id=goal_id)
    if not can_manage_goals_of(viewer, goal.employee):
        raise PermissionDenied(_("You may see this goal but not publish it."))
    services.goals_publish(actor=viewer, goals=[goal], channel=Channel.API)
    return _reread(request, goal)


@router.post("/{int:goal_id}/confirm", response=GoalDetailOut)
def goal_confirm(request: HttpRequest, goal_id: int, payload: RespondIn) -> GoalDetailOut:
    viewer = _viewer(request)
    goal = selectors.goal_get_for(viewer=viewer, goal_id=goal_id)
    services.goal_confirm(
        actor=viewer, goal=goal, version=payload.version, comment=payload.comment, channel=Channel.API
    )
    return _reread(request, goal)


@router.post("/{int:goal_id}/dispute", response=GoalDetailOut)
def goal_dispute(request: HttpRequest, goal_id: int, payload: RespondIn) -> GoalDetailOut:
    viewer = _viewer(request)
    goal = selectors.goal_get_for(viewer=viewer, goal_id=goal_id)
    services.goal_dispute(
        actor=viewer, goal=goal, version=payload.version, comment=payload.comment, channel=Channel.API
    )
    return _reread(request, goal)


@router.post("/{int:goal_id}/answer", response=GoalDetailOut)
def goal_answer(request: HttpRequest, goal_id: int, payload: AnswerIn) -> GoalDetailOut:
    viewer = _viewer(request)
    goal = selectors.goal_get_for(viewer=viewer, goal_id=goal_id)
    services.goal_answer(
        actor=viewer,
        goal=goal,
        comment=payload.comment,
        value=payload.value,
        justification=payload.justification,
        channel=Channel.API,
    )
    return _reread(request, goal)


# ---------------------------------------------------------------- suggestions


@router.get("/suggestions", response=list[SuggestionOut])
def suggestion_list(
    request: HttpRequest,
    month: str,
    kpi: str = "revenue",
    team: int | None = None,
    employee: int | None = None,
) -> list[SuggestionOut]:
    """Suggested targets with their reasons, for the people of a team the caller sets goals for, or one."""
    viewer = _viewer(request)
    if not can_manage_goals(viewer):
        raise PermissionDenied(_("Only managers and HR see suggestions."))
    period, indicator = required_month_param(month, "month"), selectors.kpi_get(code=kpi)
    people = selectors.manageable_people_for(viewer=viewer).select_related("org_unit")
    if employee is not None:
        person = employee_get_for(viewer=viewer, employee_id=employee)
        if not can_manage_goals_of(viewer, person):
            raise PermissionDenied(_("You do not set this person's goals."))
        chosen = [person]
    elif team is not None:
        unit = selectors.team_get_for(viewer=viewer, unit_id=team)
        chosen = list(people.filter(org_unit__path__startswith=unit.path))
    else:
        raise GoalError(_("Give a team or an employee."), code="missing_parameter")
    suggestions = selectors.suggestions_for(employees=chosen, kpi=indicator, month=period)
    rows = []
    for person in chosen:
        s = suggestions[person.pk]
        rows.append(
            SuggestionOut(
                employee_id=person.pk,
                employee_name=person.name,
                month=str(period),
                kpi=indicator.code,
                value=s.value,
                rule=str(s.rule),
                months_used=s.months_used,
                average=s.average,
                growth_bp=s.growth_bp,
                season_bp=s.season_bp,
                run_rate=s.run_rate,
                standard=s.standard,
                reason_zh=s.reason_zh,
                reason_en=s.reason_en,
            )
        )
    return rows


@router.post("/suggestions/accept", response=SetResultOut)
def suggestions_accept(request: HttpRequest, payload: AcceptSuggestionsIn) -> dict[str, object]:
    """Take the suggestions as draft goals (people without a goal yet, or with a draft)."""
    viewer = _viewer(request)
    if not can_manage_goals(viewer):
        raise PermissionDenied(_("Only managers and HR set goals."))
    result = services.suggestions_accept(
        actor=viewer,
        team=selectors.team_get_for(viewer=viewer, unit_id=payload.team),
        month=required_month_param(payload.month, "month"),
        kpi=selectors.kpi_get(code=payload.kpi),
        employee_ids=payload.employee_ids,
        justification=payload.justification,
        channel=Channel.API,
    )
    return result.as_dict()


# ---------------------------------------------------------------- templates


def _template_out(template: GoalTemplate) -> TemplateOut:
    return TemplateOut(
        id=template.pk,
        name=template.name,
        description=template.description,
        is_active=template.is_active,
        lines={line.kpi.code: line.value for line in template.lines.select_related("kpi")},
    )


@router.get("/templates", response=list[TemplateOut])
def template_list(request: HttpRequest) -> list[TemplateOut]:
    return [_template_out(t) for t in selectors.template_list_for(viewer=_viewer(request))]


@router.post("/templates", response={201: TemplateOut})
def template_create(request: HttpRequest, payload: TemplateIn) -> Status[TemplateOut]:
    template = services.template_create(
        actor=_viewer(request), name=payload.name, description=payload.description, lines=payload.lines
    )
    return Status(201, _template_out(template))


@router.get("/templates/{int:template_id}", response=TemplateOut)
def template_detail(request: HttpRequest, template_id: int) -> TemplateOut:
    return _template_out(selectors.template_get_for(viewer=_viewer(request), template_id=template_id))


@router.put("/templates/{int:template_id}", response=TemplateOut)
def template_update(request: HttpRequest, template_id: int, payload: TemplateIn) -> TemplateOut:
    viewer = _viewer(request)
    template = services.template_update(
        actor=viewer,
        template=selectors.template_get_for(viewer=viewer, template_id=template_id),
        name=payload.name,
        description=payload.description,
        lines=payload.lines,
        is_active=payload.is_active,
    )
    return _template_out(template)


def _people_filter(request: HttpRequest, people: PeopleFilterIn) -> PeopleFilter:
    viewer = _viewer(request)
    position = None
    if people.position:
        position = Position.objects.filter(code=people.position).first()
        if position is None:
            raise GoalError(
                _("Unknown position “%(position)s”.") % {"position": people.position},
                code="unknown_position",
            )
    return PeopleFilter(
        org_unit=selectors.team_get_for(viewer=viewer, unit_id=people.org_unit) if people.org_unit else None,
        include_subunits=people.include_subunits,
        position=position,
        grade=people.grade,
    )


@router.post("/templates/{int:template_id}/preview", response=PreviewOut)
def template_preview(request: HttpRequest, template_id: int, payload: PeopleFilterIn) -> PreviewOut:
    """How many people a filter reaches, before giving the template."""
    viewer = _viewer(request)
    selectors.template_get_for(viewer=viewer, template_id=template_id)
    return PreviewOut(
        people=services.template_people_count(actor=viewer, people=_people_filter(request, payload))
    )


@router.post("/templates/{int:template_id}/assign", response={201: AssignmentOut})
def template_assign(request: HttpRequest, template_id: int, payload: AssignIn) -> Status[AssignmentOut]:
    """Give the template to everyone matching the filter (team, position, grade) as draft goals."""
    viewer = _viewer(request)
    assignment = services.template_assign(
        actor=viewer,
        template=selectors.template_get_for(viewer=viewer, template_id=template_id),
        first=required_month_param(payload.first, "first"),
        last=required_month_param(payload.last, "last"),
        people=_people_filter(request, payload.people),
        justification=payload.justification,
        channel=Channel.API,
    )
    return Status(
        201,
        AssignmentOut(
            id=assignment.pk,
            template_id=assignment.template_id,
            first=str(assignment.first_month),
            last=str(assignment.last_month),
            people=assignment.people,
            goals_created=assignment.goals_created,
            versions_created=assignment.versions_created,
            skipped_agreed=assignment.skipped_agreed,
            fairness_flags=assignment.fairness_flags,
        ),
    )


# ---------------------------------------------------------------- plans


def _plan_out(plan: TargetPlan) -> PlanOut:
    report = selectors.plan_report(plan)
    return PlanOut(
        id=plan.pk,
        year=plan.year,
        kpi=plan.kpi.code,
        root_unit_id=plan.root_unit_id,
        name=plan.name,
        status=plan.status,
        seasonality=plan.seasonality,
        max_overallocation=plan.max_overallocation,
        is_valid=report.is_valid,
        nodes=[
            PlanNodeOut(
                id=n.node.pk,
                parent_id=n.node.parent_id,
                org_unit_id=n.node.org_unit_id,
                employee_id=n.node.employee_id,
                label=n.label,
                depth=n.depth,
                amount=n.node.amount,
                children_total=n.check.children_total,
                gap=n.check.gap,
                surplus=n.check.surplus,
                check=str(n.check.status),
            )
            for n in report.nodes
        ],
    )


def _plans_read(request: HttpRequest, plans: list[PlanOut]) -> list[PlanOut]:
    """A plan names each person's annual target: reading it is a view of each person in it."""
    people = sorted(
        {node.employee_id for plan in plans for node in plan.nodes if node.employee_id is not None}
    )
    if people:
        audit_views_bulk(
            actor=_viewer(request),
            action="plan.view",
            subject_employee_ids=people,
            details={"channel": "api", "plans": [plan.id for plan in plans]},
        )
    return plans


@router.get("/plans", response=list[PlanOut])
def plan_list(request: HttpRequest) -> list[PlanOut]:
    return _plans_read(request, [_plan_out(p) for p in selectors.plan_list_for(viewer=_viewer(request))])


@router.post("/plans", response={201: PlanOut})
def plan_create(request: HttpRequest, payload: PlanIn) -> Status[PlanOut]:
    viewer = _viewer(request)
    if not can_manage_goals(viewer):
        raise PermissionDenied(_("Only managers and HR make plans."))
    plan = services.plan_create(
        actor=viewer,
        year=payload.year,
        kpi=selectors.kpi_get(code=payload.kpi),
        root_unit=selectors.team_get_for(viewer=viewer, unit_id=payload.root_unit),
        target=payload.target,
        seasonality=payload.seasonality,
        max_overallocation=payload.max_overallocation,
        name=payload.name,
    )
    return Status(201, _plan_out(plan))


@router.get("/plans/{int:plan_id}", response=PlanOut)
def plan_detail(request: HttpRequest, plan_id: int) -> PlanOut:
    """The plan as a tree, each parent checked against its children (gap, surplus, status)."""
    return _plans_read(
        request, [_plan_out(selectors.plan_get_for(viewer=_viewer(request), plan_id=plan_id))]
    )[0]


@router.post("/plans/{int:plan_id}/split", response=PlanOut)
def plan_split(request: HttpRequest, plan_id: int, payload: SplitIn) -> PlanOut:
    viewer = _viewer(request)
    plan = selectors.plan_get_for(viewer=viewer, plan_id=plan_id)
    nodes = (
        plan.nodes.filter(pk=payload.node_id) if payload.node_id else plan.nodes.filter(parent__isnull=True)
    )
    node = nodes.first()
    if node is None:
        raise NotFound(_("No such node in this plan."))
    services.plan_split(actor=viewer, plan=plan, node=node, recursive=payload.recursive)
    return _plan_out(plan)


@router.put("/plans/{int:plan_id}/nodes/{int:node_id}", response=PlanOut)
def plan_node_set(request: HttpRequest, plan_id: int, node_id: int, payload: NodeAmountIn) -> PlanOut:
    viewer = _viewer(request)
    plan = selectors.plan_get_for(viewer=viewer, plan_id=plan_id)
    node = plan.nodes.filter(pk=node_id).first()
    if node is None:
        raise NotFound(_("No such node in this plan."))
    services.plan_node_set(actor=viewer, plan=plan, node=node, amount=payload.amount)
    return _plan_out(plan)


@router.post("/plans/{int:plan_id}/apply", response=SetResultOut)
def plan_apply(request: HttpRequest, plan_id: int, payload: ApplyIn) -> dict[str, object]:
    """Monthly draft goals from every person's annual target; refused while any split does not add up."""
    viewer = _viewer(request)
    plan = selectors.plan_get_for(viewer=viewer, plan_id=plan_id)
    return services.plan_apply(
        actor=viewer, plan=plan, justification=payload.justification, channel=Channel.API
    ).as_dict()


# ---------------------------------------------------------------- summary


@router.get("/summary", response=list[SummaryOut])
def summary(request: HttpRequest, month: str) -> list[SummaryOut]:
    """Goals by agreement status per unit of the caller's scope: counts only, no names."""
    rows = selectors.goal_summary_for(viewer=_viewer(request), month=required_month_param(month, "month"))
    return [
        SummaryOut(
            unit_id=r.unit.pk,
            unit_name=r.unit.name,
            people=r.people,
            draft=r.counts.get(GoalStatus.DRAFT, 0),
            published=r.counts.get(GoalStatus.PUBLISHED, 0),
            disputed=r.counts.get(GoalStatus.DISPUTED, 0),
            confirmed=r.counts.get(GoalStatus.CONFIRMED, 0),
            is_hidden=r.is_hidden,
        )
        for r in rows
    ]
