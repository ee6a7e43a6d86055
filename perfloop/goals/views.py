"""HTML pages of goals: the manager's team grid, the person's "my goals", a goal's history, the record of
a person's month, templates, plans and the executive summary.

Every view is parse → access check → service or selector → render; out-of-scope objects answer 404
exactly like missing ones. Writes are POST-redirect-GET; a refused write re-shows the page with the
reason (and, for the fairness guard, the warnings and a justification field).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from perfloop.accounts.models import Role, User
from perfloop.accounts.selectors import org_unit_scope_for
from perfloop.audit.services import audit_view, audit_views_bulk
from perfloop.core.errors import DomainError, NotFound
from perfloop.core.errors import PermissionDenied as DomainPermissionDenied
from perfloop.core.months import Month, MonthError
from perfloop.goals import selectors, services
from perfloop.goals.agreement import GoalAction, next_state
from perfloop.goals.errors import JustificationMissingError
from perfloop.goals.forms import AssignForm, PlanForm, TemplateForm
from perfloop.goals.goal_files import format_value
from perfloop.goals.models import Basis, Channel, Goal, GoalEvent, GoalStatus, GoalVersion
from perfloop.goals.policies import (
    can_manage_goals,
    can_manage_goals_of,
    can_respond_to_goal,
    can_view_goal_summary,
)
from perfloop.goals.selectors import PeopleFilter
from perfloop.metrics.models import Aggregation, Kpi
from perfloop.metrics.selectors import MIN_GROUP_SIZE
from perfloop.org.models import Position

STATUS_BADGES = {
    GoalStatus.DRAFT: "draft",
    GoalStatus.PUBLISHED: "warning",
    GoalStatus.CONFIRMED: "ok",
    GoalStatus.DISPUTED: "alert",
}


# ---------------------------------------------------------------- helpers


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _language() -> str:
    return translation.get_language() or "zh-hans"


def _local_name(obj: Any) -> str:
    english = getattr(obj, "name_en", "")
    return english if _language().startswith("en") and english else obj.name


def person_name(user: User | None) -> str:
    """A user as people know them: the employee's name, else the account's."""
    if user is None:
        return _("the system")
    employee = getattr(user, "employee", None)
    if employee is not None:
        return employee.name
    return user.get_full_name() or user.username


def _month_title(month: Month) -> str:
    return date_format(month.first_day, "YEAR_MONTH_FORMAT")


def _month_param(request: HttpRequest, default: Month, name: str = "month") -> Month:
    text = (request.GET.get(name) or request.POST.get(name) or "").strip()
    if not text:
        return default
    try:
        return Month.parse(text)
    except MonthError:
        messages.warning(request, _("“%(value)s” is not a month (YYYY-MM).") % {"value": text[:20]})
        return default


@dataclass(frozen=True)
class MonthNavigation:
    month: Month
    title: str
    previous: Month
    next: Month


def _navigation(month: Month) -> MonthNavigation:
    return MonthNavigation(month=month, title=_month_title(month), previous=month - 1, next=month + 1)


def _render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The whole page, or only its ``content`` partial when htmx swaps the month in place."""
    is_partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    response = render(request, f"{template}#content" if is_partial else template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _domain_errors_as_http(view: Any) -> Any:
    """NotFound → 404, PermissionDenied → 403, whatever the view was doing."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainPermissionDenied as exc:
            raise HttpForbidden(exc.message) from exc

    return wrapper


def _error_message(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


def _warnings(exc: JustificationMissingError) -> list[str]:
    key = "message_en" if _language().startswith("en") else "message_zh"
    return [str(w[key]) for w in exc.details.get("warnings", [])]


def _value_text(value: Decimal | None, kpi: Kpi) -> str | None:
    return None if value is None else format_value(value, kpi.unit)


def _input_value(value: Decimal | None) -> str:
    """A Decimal for an <input>: no trailing zeros, no exponent."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------- index


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Each role to its own goals page."""
    user = _viewer(request)
    if can_manage_goals(user):
        unit = selectors.home_unit_for(viewer=user)
        if unit is not None:
            return redirect("goals:team", unit_id=unit.pk)
    if user.role == Role.EXECUTIVE:
        return redirect("goals:summary")
    if selectors.own_employee_for(viewer=user) is not None:
        return redirect("goals:mine")
    raise Http404(_("There are no goals for you here."))


# ---------------------------------------------------------------- my goals


@dataclass
class GoalCard:
    goal: Goal
    kpi_name: str
    value: str
    status_label: str
    badge: str
    set_by: str
    set_at: dt.datetime | None
    basis: str
    basis_detail: str
    can_respond: bool
    last_dispute: GoalEvent | None = None
    confirmation: GoalEvent | None = None
    previous_value: str | None = None


def _cards(goals: list[Goal], viewer: User) -> list[GoalCard]:
    language = _language()
    events: dict[int, list[GoalEvent]] = {}
    for event in (
        GoalEvent.objects.filter(goal__in=goals).select_related("actor").order_by("occurred_at", "pk")
    ):
        events.setdefault(event.goal_id, []).append(event)
    previous: dict[int, list[GoalVersion]] = {}
    for old in GoalVersion.objects.filter(goal__in=goals).order_by("number"):
        previous.setdefault(old.goal_id, []).append(old)
    cards = []
    for goal in goals:
        version = goal.current_version
        goal_events = events.get(goal.pk, [])
        disputes = [e for e in goal_events if e.action == GoalEvent.Action.DISPUTE]
        confirms = [e for e in goal_events if e.action == GoalEvent.Action.CONFIRM]
        versions = previous.get(goal.pk, [])
        cards.append(
            GoalCard(
                goal=goal,
                kpi_name=goal.kpi.name_for(language),
                value=format_value(goal.value, goal.kpi.unit),
                status_label=str(GoalStatus(goal.status).label),
                badge=STATUS_BADGES[GoalStatus(goal.status)],
                set_by=person_name(version.created_by if version else None),
                set_at=version.created_at if version else None,
                basis=str(Basis(version.basis).label) if version else "",
                basis_detail=version.basis_detail if version else "",
                can_respond=goal.status == GoalStatus.PUBLISHED and can_respond_to_goal(viewer, goal),
                last_dispute=disputes[-1] if disputes else None,
                confirmation=confirms[-1] if confirms and goal.status == GoalStatus.CONFIRMED else None,
                previous_value=format_value(versions[-2].value, goal.kpi.unit) if len(versions) > 1 else None,
            )
        )
    return cards


@login_required
@_domain_errors_as_http
def my_goals(request: HttpRequest) -> HttpResponse:
    """The person's goals for a month, to confirm or dispute — made for a phone."""
    user = _viewer(request)
    employee = selectors.own_employee_for(viewer=user)
    if employee is None:
        raise Http404(_("You have no employee record, so no goals."))
    months = selectors.my_goal_months_for(viewer=user)
    pending = sorted(
        {g.month for g in selectors.my_goals_for(viewer=user).filter(status__in=["published", "disputed"])}
    )
    default = pending[0] if pending else (months[0] if months else Month.of(timezone.localdate()))
    month = _month_param(request, default)
    goals = list(selectors.my_goals_for(viewer=user, first=month, last=month))
    cards = _cards(goals, user)
    return _render_page(
        request,
        "goals/my_goals.html",
        {
            "nav_active": "goals",
            "nav": _navigation(month),
            "employee": employee,
            "cards": cards,
            "to_confirm": [c for c in cards if c.can_respond],
            "pending_months": [(m, _month_title(m)) for m in pending if m != month],
            "record_url": reverse("goals:record", kwargs={"employee_id": employee.pk, "month": str(month)}),
        },
    )


def _back_to_mine(goal: Goal) -> HttpResponse:
    return redirect(reverse("goals:mine") + f"?month={goal.month}")


def _posted_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@require_POST
@login_required
@_domain_errors_as_http
def goal_confirm(request: HttpRequest, goal_id: int) -> HttpResponse:
    user = _viewer(request)
    goal = selectors.goal_get_for(viewer=user, goal_id=goal_id)
    try:
        services.goal_confirm(
            actor=user, goal=goal, version=_posted_version(request), comment=request.POST.get("comment", "")
        )
        messages.success(request, _("Confirmed: %(kpi)s.") % {"kpi": goal.kpi.name_for(_language())})
    except (NotFound, DomainPermissionDenied):
        raise
    except DomainError as exc:
        _error_message(request, exc)
    return _back_to_mine(goal)


@require_POST
@login_required
@_domain_errors_as_http
def goal_dispute(request: HttpRequest, goal_id: int) -> HttpResponse:
    user = _viewer(request)
    goal = selectors.goal_get_for(viewer=user, goal_id=goal_id)
    try:
        services.goal_dispute(
            actor=user, goal=goal, version=_posted_version(request), comment=request.POST.get("comment", "")
        )
        messages.success(request, _("Your dispute was sent to your manager."))
    except (NotFound, DomainPermissionDenied):
        raise
    except DomainError as exc:
        _error_message(request, exc)
    return _back_to_mine(goal)


@require_POST
@login_required
@_domain_errors_as_http
def confirm_all(request: HttpRequest) -> HttpResponse:
    """Confirm every goal listed on the page, each at the version shown."""
    user = _viewer(request)
    versions: dict[int, int] = {}
    for name in request.POST:
        if name.startswith("goal_"):
            try:
                versions[int(name[5:])] = int(request.POST.get(name, ""))
            except ValueError:
                continue
    month = _month_param(request, Month.of(timezone.localdate()))
    if versions:
        try:
            services.goals_confirm_bulk(actor=user, versions=versions)
            messages.success(request, _("All listed goals are confirmed."))
        except (NotFound, DomainPermissionDenied):
            raise
        except DomainError as exc:
            _error_message(request, exc)
    return redirect(reverse("goals:mine") + f"?month={month}")


# ---------------------------------------------------------------- team grid


@dataclass
class GridLine:
    employee_id: int
    name: str
    number: str
    position: str
    goal: Goal | None
    value: str | None
    status: str
    status_label: str
    badge: str
    version: int | None
    set_by: str | None
    suggestion: str | None
    suggestion_input: str
    suggestion_reason: str | None
    input_value: str
    is_selected: bool = False


@dataclass
class GridState:
    """What the manager typed, to show again when a save is refused."""

    values: dict[int, str] = field(default_factory=dict)
    selected: set[int] = field(default_factory=set)
    reason: str = ""
    justification: str = ""
    warnings: list[str] = field(default_factory=list)


def _team_context(request: HttpRequest, unit_id: int, state: GridState | None = None) -> dict[str, Any]:
    user = _viewer(request)
    team = selectors.team_get_for(viewer=user, unit_id=unit_id)
    month = _month_param(request, Month.of(timezone.localdate()))
    kpis = selectors.kpi_list()
    code = request.GET.get("kpi") or request.POST.get("kpi") or (kpis[0].code if kpis else "")
    kpi = next((k for k in kpis if k.code == code), None)
    if kpi is None:
        raise Http404(_("No such KPI."))
    grid = selectors.team_grid_for(viewer=user, team=team, month=month, kpi=kpi)
    language = _language()
    state = state or GridState()
    lines = []
    for row in grid.rows:
        goal, suggestion = row.goal, row.suggestion
        status = goal.status if goal else "none"
        version = goal.current_version if goal else None
        lines.append(
            GridLine(
                employee_id=row.employee.pk,
                name=row.employee.name,
                number=row.employee.employee_number,
                position=_local_name(row.employee.position),
                goal=goal,
                value=_value_text(goal.value, kpi) if goal else None,
                status=status,
                status_label=str(GoalStatus(status).label) if goal else _("no goal"),
                badge=STATUS_BADGES[GoalStatus(status)] if goal else "none",
                version=goal.version_count if goal else None,
                set_by=person_name(version.created_by) if version else None,
                suggestion=_value_text(suggestion.value, kpi) if suggestion else None,
                suggestion_input=_input_value(suggestion.value) if suggestion else "",
                suggestion_reason=suggestion.reason(language) if suggestion else None,
                input_value=state.values.get(row.employee.pk, _input_value(goal.value) if goal else ""),
                is_selected=row.employee.pk in state.selected,
            )
        )
    if lines:
        audit_views_bulk(
            actor=user,
            action="goal_grid.view",
            subject_employee_ids=[line.employee_id for line in lines],
            details={"unit": team.pk, "month": str(month), "kpi": kpi.code},
        )
    counts = grid.status_counts
    return {
        "nav_active": "goals",
        "nav": _navigation(month),
        "team": team,
        "team_name": _local_name(team),
        "kpi": kpi,
        "kpi_name": kpi.name_for(language),
        "kpi_tabs": [(k, k.name_for(language)) for k in kpis],
        "lines": lines,
        "counts": {
            "none": counts.get("none", 0),
            "draft": counts.get(GoalStatus.DRAFT, 0),
            "published": counts.get(GoalStatus.PUBLISHED, 0),
            "disputed": counts.get(GoalStatus.DISPUTED, 0),
            "confirmed": counts.get(GoalStatus.CONFIRMED, 0),
        },
        "disputes": [
            (goal, goal.kpi.name_for(translation.get_language()))
            for goal in selectors.disputes_for(viewer=user)
            .filter(employee__org_unit__path__startswith=team.path)
            .select_related("employee", "kpi")[:20]
        ],
        "subteams": [(u, _local_name(u)) for u in org_unit_scope_for(viewer=user).filter(parent=team)],
        "state": state,
        "can_manage": can_manage_goals(user),
    }


@login_required
@_domain_errors_as_http
def team_grid(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The manager's grid: people × one KPI for a month — goals, suggestions, status, bulk actions."""
    if not can_manage_goals(_viewer(request)):
        raise DomainPermissionDenied(_("Only managers and HR set goals."))
    return _render_page(request, "goals/team_grid.html", _team_context(request, unit_id))


def _grid_url(unit_id: int, month: Month, kpi: str) -> str:
    return reverse("goals:team", kwargs={"unit_id": unit_id}) + f"?month={month}&kpi={kpi}"


@require_POST
@login_required
@_domain_errors_as_http
def team_action(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Bulk actions of the grid: save typed values, take suggestions, publish selected or all drafts."""
    user = _viewer(request)
    if not can_manage_goals(user):
        raise DomainPermissionDenied(_("Only managers and HR set goals."))
    team = selectors.team_get_for(viewer=user, unit_id=unit_id)
    month = _month_param(request, Month.of(timezone.localdate()))
    kpi = selectors.kpi_get(code=request.POST.get("kpi", ""))
    action = request.POST.get("action", "")
    selected = {int(v) for v in request.POST.getlist("select") if v.isdigit()}
    values = {
        int(name[6:]): request.POST.get(name, "").strip()
        for name in request.POST
        if name.startswith("value_") and name[6:].isdigit()
    }
    state = GridState(
        values=values,
        selected=selected,
        reason=request.POST.get("reason", ""),
        justification=request.POST.get("justification", ""),
    )
    try:
        if action == "save":
            _save_grid_values(user, team, month, kpi, values, state)
        elif action == "accept":
            if not selected:
                raise services.GoalError(
                    _("Select the people whose suggestions you take."), code="nothing_selected"
                )
            result = services.suggestions_accept(
                actor=user,
                team=team,
                month=month,
                kpi=kpi,
                employee_ids=selected,
                justification=state.justification,
            )
            messages.success(
                request,
                _("Suggestions taken: %(created)s new, %(revised)s changed, %(unchanged)s unchanged.")
                % {"created": result.created, "revised": result.revised, "unchanged": result.unchanged},
            )
        elif action in ("publish", "publish_all"):
            goals = selectors.goal_list_for(
                viewer=user, team=team, month=month, kpi=kpi, status=GoalStatus.DRAFT
            )
            if action == "publish":
                goals = goals.filter(employee_id__in=selected)
            published = services.goals_publish(actor=user, goals=list(goals))
            messages.success(
                request,
                ngettext("%(count)s goal published.", "%(count)s goals published.", len(published))
                % {"count": len(published)},
            )
        else:
            raise services.GoalError(_("Unknown action."), code="unknown_action")
    except JustificationMissingError as exc:
        state.warnings = _warnings(exc)
        messages.warning(request, _("The fairness guard asks for a written justification."))
        return _render_page(
            request, "goals/team_grid.html", _team_context(request, unit_id, state), status=400
        )
    except (NotFound, DomainPermissionDenied):
        raise
    except DomainError as exc:
        _error_message(request, exc)
        return _render_page(
            request, "goals/team_grid.html", _team_context(request, unit_id, state), status=400
        )
    if action == "save":
        messages.success(
            request, _("Goals saved as drafts (changes to published goals need confirmation again).")
        )
    return redirect(_grid_url(unit_id, month, kpi.code))


def _save_grid_values(
    user: User, team: Any, month: Month, kpi: Kpi, values: dict[int, str], state: GridState
) -> None:
    """Typed targets as drafts or new versions; a value equal to the suggestion keeps it as its basis."""
    people = list(
        selectors.manageable_people_for(viewer=user).filter(
            pk__in=list(values), org_unit__path__startswith=team.path
        )
    )
    current = {g.employee_id: g.value for g in Goal.objects.filter(employee__in=people, month=month, kpi=kpi)}
    suggestions = selectors.suggestions_for(employees=people, kpi=kpi, month=month)
    entries = []
    for person in people:
        text = values.get(person.pk, "")
        if not text:
            continue
        value = services.target_value(text)
        if current.get(person.pk) == value:
            continue
        suggestion = suggestions.get(person.pk)
        if suggestion is not None and suggestion.value == value:
            entries.append(
                services.GoalEntry(
                    employee_id=person.pk,
                    month=month,
                    kpi_id=kpi.pk,
                    value=value,
                    basis=Basis.SUGGESTION,
                    basis_detail=suggestion.reason(_language()),
                    suggestion=suggestion.as_dict(),
                )
            )
        else:
            entries.append(services.GoalEntry(employee_id=person.pk, month=month, kpi_id=kpi.pk, value=value))
    services.goals_set_bulk(
        actor=user,
        entries=entries,
        basis=Basis.MANUAL,
        reason=state.reason,
        justification=state.justification,
    )


# ---------------------------------------------------------------- one goal


@dataclass
class HistoryItem:
    at: dt.datetime
    kind: str  # "version" or the event's action
    title: str
    who: str
    value: str | None
    text: str
    flags: list[str]
    channel: str = ""


def _history(goal: Goal, versions: list[GoalVersion], events: list[GoalEvent]) -> list[HistoryItem]:
    key = "message_en" if _language().startswith("en") else "message_zh"
    items = [
        HistoryItem(
            at=v.created_at,
            kind="version",
            title=_("Version %(number)s set") % {"number": v.number},
            who=person_name(v.created_by),
            value=format_value(v.value, goal.kpi.unit),
            text=" · ".join(
                part
                for part in (
                    str(Basis(v.basis).label)
                    + (f": {v.basis_detail}" if v.basis_detail and v.basis != Basis.ANSWER else ""),
                    _("Reason: %(reason)s") % {"reason": v.reason} if v.reason else "",
                    _("Justification: %(text)s") % {"text": v.justification} if v.justification else "",
                )
                if part
            ),
            flags=[str(f.get(key, "")) for f in v.fairness_flags],
        )
        for v in versions
    ] + [
        HistoryItem(
            at=e.occurred_at,
            kind=e.action,
            title=str(GoalEvent.Action(e.action).label)
            + " · "
            + _("version %(number)s") % {"number": e.version.number},
            who=person_name(e.actor),
            value=None,
            text=e.comment,
            flags=[],
            channel=str(Channel(e.channel).label),
        )
        for e in events
    ]
    return sorted(items, key=lambda item: (item.at, item.kind != "version"))


def _goal_context(request: HttpRequest, goal: Goal, **extra: Any) -> dict[str, Any]:
    user = _viewer(request)
    versions, events = selectors.goal_history(goal)
    manages = can_manage_goals_of(user, goal.employee)
    return {
        "nav_active": "goals",
        "goal": goal,
        "employee": goal.employee,
        "kpi_name": goal.kpi.name_for(_language()),
        "value": format_value(goal.value, goal.kpi.unit),
        "value_input": _input_value(goal.value),
        "status_label": str(GoalStatus(goal.status).label),
        "badge": STATUS_BADGES[GoalStatus(goal.status)],
        "month_title": _month_title(goal.month),
        "history": _history(goal, versions, events),
        "can_publish": manages and next_state(goal.status, GoalAction.PUBLISH) is not None,
        "can_revise": manages and next_state(goal.status, GoalAction.REVISE) is not None,
        "can_answer": manages and next_state(goal.status, GoalAction.ANSWER) is not None,
        "can_respond": goal.status == GoalStatus.PUBLISHED and can_respond_to_goal(user, goal),
        "needs_reason": goal.status != GoalStatus.DRAFT,
        "record_url": reverse(
            "goals:record", kwargs={"employee_id": goal.employee_id, "month": str(goal.month)}
        ),
        "team_url": _grid_url(goal.employee.org_unit_id, goal.month, goal.kpi.code) if manages else None,
        "warnings": [],
        "posted": {},
        **extra,
    }


@login_required
@_domain_errors_as_http
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    """One goal: its value, status and full history; the manager's and the person's actions."""
    user = _viewer(request)
    goal = selectors.goal_get_for(viewer=user, goal_id=goal_id)
    audit_view(
        actor=user,
        action="goal.view",
        target=goal,
        subject_employee_id=goal.employee_id,
        details={"month": str(goal.month)},
    )
    return _render_page(request, "goals/goal_detail.html", _goal_context(request, goal))


def _goal_write(request: HttpRequest, goal_id: int, write: Any) -> HttpResponse:
    user = _viewer(request)
    goal = selectors.goal_get_for(viewer=user, goal_id=goal_id)
    try:
        write(user, goal)
    except JustificationMissingError as exc:
        messages.warning(request, _("The fairness guard asks for a written justification."))
        context = _goal_context(request, goal, warnings=_warnings(exc), posted=request.POST)
        return _render_page(request, "goals/goal_detail.html", context, status=400)
    except (NotFound, DomainPermissionDenied):
        raise
    except DomainError as exc:
        _error_message(request, exc)
        return _render_page(
            request, "goals/goal_detail.html", _goal_context(request, goal, posted=request.POST), status=400
        )
    return redirect("goals:goal", goal_id=goal.pk)


@require_POST
@login_required
@_domain_errors_as_http
def goal_revise(request: HttpRequest, goal_id: int) -> HttpResponse:
    def write(user: User, goal: Goal) -> None:
        services.goal_revise(
            actor=user,
            goal=goal,
            value=services.target_value(request.POST.get("value", "")),
            reason=request.POST.get("reason", ""),
            justification=request.POST.get("justification", ""),
            expected_version=_posted_version(request),
        )
        messages.success(request, _("A new version was saved."))

    return _goal_write(request, goal_id, write)


@require_POST
@login_required
@_domain_errors_as_http
def goal_answer(request: HttpRequest, goal_id: int) -> HttpResponse:
    def write(user: User, goal: Goal) -> None:
        text = request.POST.get("value", "").strip()
        services.goal_answer(
            actor=user,
            goal=goal,
            comment=request.POST.get("comment", ""),
            value=services.target_value(text) if text else None,
            justification=request.POST.get("justification", ""),
        )
        messages.success(request, _("Your answer was sent; the person is asked to confirm the new version."))

    return _goal_write(request, goal_id, write)


@require_POST
@login_required
@_domain_errors_as_http
def goal_publish(request: HttpRequest, goal_id: int) -> HttpResponse:
    def write(user: User, goal: Goal) -> None:
        services.goals_publish(actor=user, goals=[goal])
        messages.success(request, _("Published; the person is asked to confirm."))

    return _goal_write(request, goal_id, write)


# ---------------------------------------------------------------- the record of a person's month


@login_required
@_domain_errors_as_http
def record(request: HttpRequest, employee_id: int, month: str) -> HttpResponse:
    """For one person and month: each target, who set it, on what basis, when and how it was agreed."""
    user = _viewer(request)
    try:
        period = Month.parse(month)
    except MonthError as exc:
        raise Http404(str(exc)) from exc
    chosen = _month_param(request, period)
    if chosen != period:
        # The month picker asks with ?month=…; the record's address keeps the month in its path.
        url = reverse("goals:record", kwargs={"employee_id": employee_id, "month": str(chosen)})
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    goal_record = selectors.goal_record_for(viewer=user, employee_id=employee_id, month=period)
    audit_view(
        actor=user,
        action="goal_record.view",
        target=goal_record.employee,
        subject_employee_id=goal_record.employee.pk,
        details={"month": str(period)},
    )
    language = _language()
    lines = []
    for line in goal_record.lines:
        goal = line.goal
        current = line.current_version
        confirmation = line.confirmation
        lines.append(
            {
                "kpi_name": line.kpi.name_for(language),
                "goal": goal,
                "value": _value_text(goal.value if goal else None, line.kpi),
                "effective": _value_text(line.effective_target, line.kpi),
                "effective_differs": goal is not None
                and goal.status != GoalStatus.DRAFT
                and line.effective_target != goal.value,
                "effective_set_by": person_name(line.effective_set_by) if line.effective_set_by else None,
                "status_label": str(GoalStatus(goal.status).label) if goal else _("no goal record"),
                "badge": STATUS_BADGES[GoalStatus(goal.status)] if goal else "none",
                "set_by": person_name(current.created_by) if current else None,
                "set_at": current.created_at if current else None,
                "basis": str(Basis(current.basis).label) if current else None,
                "basis_detail": current.basis_detail if current else "",
                "justification": current.justification if current else "",
                "confirmation": confirmation,
                "confirmed_by": person_name(confirmation.actor) if confirmation else None,
                "confirmed_channel": str(Channel(confirmation.channel).label) if confirmation else None,
                "history": _history(goal, line.versions, line.events) if goal else [],
            }
        )
    return _render_page(
        request,
        "goals/record.html",
        {
            "nav_active": "goals",
            "employee": goal_record.employee,
            "team_name": _local_name(goal_record.employee.org_unit),
            "position_name": _local_name(goal_record.employee.position),
            "nav": _navigation(period),
            "month_title": _month_title(period),
            "lines": lines,
            "is_fully_agreed": goal_record.is_fully_agreed,
            "generated_at": timezone.now(),
            "viewer_name": person_name(user),
        },
    )


# ---------------------------------------------------------------- templates


def _kpis_for_forms() -> list[Kpi]:
    return selectors.kpi_list()


@login_required
@_domain_errors_as_http
def template_list(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    templates = list(selectors.template_list_for(viewer=user))
    kpis = _kpis_for_forms()
    form = TemplateForm(request.POST or None, kpis=kpis)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_create(
                actor=user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                lines=form.lines(),
            )
            messages.success(request, _("Template created."))
            return redirect("goals:template", template_id=template.pk)
        except (NotFound, DomainPermissionDenied):
            raise
        except DomainError as exc:
            _error_message(request, exc)
    language = _language()
    return render(
        request,
        "goals/templates.html",
        {
            "nav_active": "goals",
            "templates": [
                {
                    "template": t,
                    "lines": [
                        (line.kpi.name_for(language), format_value(line.value, line.kpi.unit))
                        for line in t.lines.all()
                    ],
                }
                for t in templates
            ],
            "form": form,
            "kpi_fields": [(kpi.name_for(language), bound) for kpi, bound in form.kpi_fields()],
        },
        status=400 if request.method == "POST" else 200,
    )


def _assign_form(request: HttpRequest, user: User, data: Any = None) -> AssignForm:
    units = org_unit_scope_for(viewer=user).order_by("path")
    grades = sorted(set(Position.objects.exclude(grade="").values_list("grade", flat=True)))
    month = Month.of(timezone.localdate()) + 1
    return AssignForm(
        data,
        units=units,
        grades=grades,
        initial={"first": str(month), "last": str(month + 2), "include_subunits": True},
    )


def _people_filter(form: AssignForm) -> PeopleFilter:
    return PeopleFilter(
        org_unit=form.cleaned_data.get("org_unit"),
        include_subunits=bool(form.cleaned_data.get("include_subunits")),
        position=form.cleaned_data.get("position"),
        grade=form.cleaned_data.get("grade") or "",
    )


def _template_context(request: HttpRequest, template: Any, **extra: Any) -> dict[str, Any]:
    user = _viewer(request)
    kpis = _kpis_for_forms()
    values = {line.kpi.code: _input_value(line.value) for line in template.lines.all()}
    edit = extra.pop("edit_form", None) or TemplateForm(
        kpis=kpis,
        initial={
            "name": template.name,
            "description": template.description,
            "is_active": template.is_active,
            **{f"kpi_{code}": value for code, value in values.items()},
        },
    )
    language = _language()
    return {
        "nav_active": "goals",
        "template": template,
        "lines": [
            (line.kpi.name_for(language), format_value(line.value, line.kpi.unit))
            for line in template.lines.all()
        ],
        "edit_form": edit,
        "kpi_fields": [(kpi.name_for(language), bound) for kpi, bound in edit.kpi_fields()],
        "assign_form": extra.pop("assign_form", None) or _assign_form(request, user),
        "assignments": list(template.assignments.select_related("org_unit", "position", "assigned_by")[:10]),
        "warnings": [],
        **extra,
    }


@login_required
@_domain_errors_as_http
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    user = _viewer(request)
    template = selectors.template_get_for(viewer=user, template_id=template_id)
    if request.method == "POST":
        form = TemplateForm(request.POST, kpis=_kpis_for_forms())
        if form.is_valid():
            try:
                services.template_update(
                    actor=user,
                    template=template,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    lines=form.lines(),
                    is_active=form.cleaned_data["is_active"],
                )
                messages.success(request, _("Template saved."))
                return redirect("goals:template", template_id=template.pk)
            except (NotFound, DomainPermissionDenied):
                raise
            except DomainError as exc:
                _error_message(request, exc)
        return render(
            request,
            "goals/template_detail.html",
            _template_context(request, template, edit_form=form),
            status=400,
        )
    return render(request, "goals/template_detail.html", _template_context(request, template))


@login_required
@_domain_errors_as_http
def template_preview(request: HttpRequest, template_id: int) -> HttpResponse:
    """How many people the filter reaches (htmx, as the manager changes it)."""
    user = _viewer(request)
    template = selectors.template_get_for(viewer=user, template_id=template_id)
    form = _assign_form(request, user, request.GET)
    form.is_valid()
    count = (
        services.template_people_count(actor=user, people=_people_filter(form))
        if not form.errors.get("org_unit")
        else 0
    )
    return render(request, "goals/template_detail.html#preview", {"template": template, "count": count})


@require_POST
@login_required
@_domain_errors_as_http
def template_assign(request: HttpRequest, template_id: int) -> HttpResponse:
    user = _viewer(request)
    template = selectors.template_get_for(viewer=user, template_id=template_id)
    form = _assign_form(request, user, request.POST)
    if not form.is_valid():
        return render(
            request,
            "goals/template_detail.html",
            _template_context(request, template, assign_form=form),
            status=400,
        )
    try:
        assignment = services.template_assign(
            actor=user,
            template=template,
            first=form.cleaned_data["first"],
            last=form.cleaned_data["last"],
            people=_people_filter(form),
            justification=form.cleaned_data.get("justification") or "",
        )
    except JustificationMissingError as exc:
        messages.warning(request, _("The fairness guard asks for a written justification."))
        context = _template_context(request, template, assign_form=form, warnings=_warnings(exc))
        return render(request, "goals/template_detail.html", context, status=400)
    except (NotFound, DomainPermissionDenied):
        raise
    except DomainError as exc:
        _error_message(request, exc)
        return render(
            request,
            "goals/template_detail.html",
            _template_context(request, template, assign_form=form),
            status=400,
        )
    messages.success(
        request,
        _(
            "Given to %(people)s people: %(created)s new goals, %(versions)s new versions, "
            "%(skipped)s already published or agreed goals left alone."
        )
        % {
            "people": assignment.people,
            "created": assignment.goals_created,
            "versions": assignment.versions_created,
            "skipped": assignment.skipped_agreed,
        },
    )
    return redirect("goals:template", template_id=template.pk)


# ---------------------------------------------------------------- plans


def _additive_kpis() -> list[Kpi]:
    return [k for k in selectors.kpi_list() if k.aggregation == Aggregation.SUM]


@login_required
@_domain_errors_as_http
def plan_list(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    plans = list(selectors.plan_list_for(viewer=user))
    kpis = _additive_kpis()
    form = PlanForm(
        request.POST or None,
        units=org_unit_scope_for(viewer=user).order_by("path"),
        kpis=kpis,
        initial={"year": timezone.localdate().year + 1, "max_overallocation": 10},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=user,
                year=form.cleaned_data["year"],
                kpi=selectors.kpi_get(code=form.cleaned_data["kpi"]),
                root_unit=form.cleaned_data["root_unit"],
                target=form.cleaned_data["target"],
                seasonality=form.seasonality_weights() or None,
                max_overallocation=form.cleaned_data["max_overallocation"] / 100,
                name=form.cleaned_data["name"],
            )
            messages.success(request, _("Plan created. Split it to teams and people next."))
            return redirect("goals:plan", plan_id=plan.pk)
        except (NotFound, DomainPermissionDenied):
            raise
        except DomainError as exc:
            _error_message(request, exc)
    language = _language()
    form.fields["kpi"].choices = [(k.code, k.name_for(language)) for k in kpis]  # type: ignore[attr-defined]
    return render(
        request,
        "goals/plans.html",
        {
            "nav_active": "goals",
            "plans": [
                {
                    "plan": p,
                    "kpi_name": p.kpi.name_for(language),
                    "unit_name": _local_name(p.root_unit),
                    "status_label": p.get_status_display(),
                }
                for p in plans
            ],
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


def _plan_context(request: HttpRequest, plan: Any, **extra: Any) -> dict[str, Any]:
    report = selectors.plan_report(plan, language=_language())
    kpi = plan.kpi
    return {
        "nav_active": "goals",
        "plan": plan,
        "kpi_name": kpi.name_for(_language()),
        "unit_name": _local_name(plan.root_unit),
        "is_draft": plan.status == plan.Status.DRAFT,
        "allowance": f"{(plan.max_overallocation * 100).normalize():f}%",
        "rows": [
            {
                "node": n.node,
                "depth": min(n.depth, 6),
                "label": n.label,
                "is_person": n.is_person,
                "amount": format_value(n.node.amount, kpi.unit),
                "amount_input": _input_value(n.node.amount),
                "children_total": format_value(n.check.children_total, kpi.unit)
                if n.check.children
                else None,
                "gap": format_value(n.check.gap, kpi.unit) if n.check.gap else None,
                "surplus": format_value(n.check.surplus, kpi.unit) if n.check.surplus else None,
                "status": str(n.check.status),
                "unsplit_unit": n.check.status == "unsplit" and not n.is_person,
            }
            for n in report.nodes
        ],
        "problems": len(report.problems),
        "is_valid": report.is_valid,
        "warnings": [],
        **extra,
    }


@login_required
@_domain_errors_as_http
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan as a tree: every parent against the sum of its children, gaps shown, never hidden."""
    plan = selectors.plan_get_for(viewer=_viewer(request), plan_id=plan_id)
    return render(request, "goals/plan_detail.html", _plan_context(request, plan))


@require_POST
@login_required
@_domain_errors_as_http
def plan_action(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _viewer(request)
    plan = selectors.plan_get_for(viewer=user, plan_id=plan_id)
    action = request.POST.get("action", "")
    try:
        if action == "split":
            split_node = plan.nodes.filter(pk=request.POST.get("node") or 0).first() or plan.nodes.get(
                parent__isnull=True
            )
            count = services.plan_split(actor=user, plan=plan, node=split_node, recursive=True)
            messages.success(
                request, _("Split into %(count)s parts, exact to the last unit.") % {"count": count}
            )
        elif action == "set":
            node = plan.nodes.filter(pk=request.POST.get("node") or 0).first()
            if node is None:
                raise NotFound(_("No such node in this plan."))
            services.plan_node_set(actor=user, plan=plan, node=node, amount=request.POST.get("amount", ""))
            messages.success(request, _("Saved."))
        elif action == "apply":
            result = services.plan_apply(
                actor=user, plan=plan, justification=request.POST.get("justification", "")
            )
            messages.success(
                request,
                _("Monthly draft goals written: %(created)s new, %(revised)s changed.")
                % {"created": result.created, "revised": result.revised},
            )
        else:
            raise services.GoalError(_("Unknown action."), code="unknown_action")
    except JustificationMissingError as exc:
        messages.warning(request, _("The fairness guard asks for a written justification."))
        return render(
            request,
            "goals/plan_detail.html",
            _plan_context(request, plan, warnings=_warnings(exc)),
            status=400,
        )
    except (NotFound, DomainPermissionDenied):
        raise
    except DomainError as exc:
        _error_message(request, exc)
        plan.refresh_from_db()
        return render(request, "goals/plan_detail.html", _plan_context(request, plan), status=400)
    return redirect("goals:plan", plan_id=plan.pk)


# ---------------------------------------------------------------- summary


@login_required
@_domain_errors_as_http
def summary(request: HttpRequest) -> HttpResponse:
    """Per unit: how many goals are agreed, awaiting, disputed — counts only, no names."""
    user = _viewer(request)
    if not can_view_goal_summary(user):
        raise DomainPermissionDenied(_("Only managers, HR and executives see goal summaries."))
    month = _month_param(request, Month.of(timezone.localdate()))
    rows = selectors.goal_summary_for(viewer=user, month=month)
    return _render_page(
        request,
        "goals/summary.html",
        {
            "nav_active": "goals",
            "nav": _navigation(month),
            "min_group_size": MIN_GROUP_SIZE,
            "rows": [
                {
                    "name": _local_name(r.unit),
                    "depth": r.depth,
                    "people": r.people,
                    "confirmed": r.counts.get(GoalStatus.CONFIRMED, 0),
                    "published": r.counts.get(GoalStatus.PUBLISHED, 0),
                    "disputed": r.counts.get(GoalStatus.DISPUTED, 0),
                    "draft": r.counts.get(GoalStatus.DRAFT, 0),
                    "is_hidden": r.is_hidden,
                    "agreed": f"{(r.agreed_share * 100).quantize(Decimal('0.1'))}%"
                    if r.agreed_share is not None
                    else None,
                }
                for r in rows
            ],
        },
    )
