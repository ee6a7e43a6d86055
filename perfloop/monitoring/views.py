"""The dashboards: home, organisation, team and person pages, their XLSX exports, acknowledging an alert.

Every view is parse → access check → selector → render. Out-of-scope objects answer 404 exactly like
missing ones (`NotFound`), so a page never confirms that a person or team exists to someone who may not
see it. Every list is paginated and every page runs a fixed number of queries (at most 30), whatever the
size of the team or the organisation. Rows and tiles are shaped in `presentation`, chart data in
`charts`, workbooks in `exports`, links in `navigation`: templates only print strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from perfloop.accounts.models import Role, User
from perfloop.accounts.selectors import (
    can_see_individuals,
    employee_get_for,
    org_unit_scope_for,
    own_employee_id,
)
from perfloop.audit.services import audit_view, audit_views_bulk
from perfloop.core.errors import DomainError, NotFound
from perfloop.core.months import Month, MonthError
from perfloop.core.workbooks import XLSX_CONTENT_TYPE, Sheet, workbook_bytes
from perfloop.metrics.presentation import attainment_band, local_name, month_title, percent
from perfloop.metrics.selectors import (
    UnitFigures,
    met_threshold_current,
    person_page_for,
    scorecard_list_for,
    team_dashboard_for,
)
from perfloop.monitoring import charts, exports
from perfloop.monitoring.dashboards import (
    DashboardScope,
    alerts_raised_for,
    dashboard_scope_for,
    latest_unit_month_for,
    people_breakdown_for,
    ranked_people_all_for,
    ranked_people_page_for,
    streak_runs_for,
    unit_months_for,
)
from perfloop.monitoring.models import Alert
from perfloop.monitoring.navigation import (
    TREND_MONTHS,
    MonthNavigation,
    Pager,
    month_navigation,
    month_window,
    page_of,
    pager,
)
from perfloop.monitoring.policies import can_act_on_alert
from perfloop.monitoring.presentation import (
    MIN_GROUP_SIZE,
    AlertRow,
    OrgSelection,
    PeopleCounts,
    UnitRow,
    alert_rows,
    attention_rows,
    kpi_lines,
    org_selection,
    people_counts,
    person_row,
    run_row,
    streak_level,
    tiles,
    unit_choices,
    unit_rows,
    unit_summary,
)
from perfloop.monitoring.selectors import (
    alert_get_for,
    alert_list_for,
    month_close_latest,
    needs_attention_list_for,
)
from perfloop.monitoring.services import alert_acknowledge, alert_resolve
from perfloop.org.models import Employee, OrgUnit

UNITS_PER_PAGE = 20
PEOPLE_PER_PAGE = 25
LIST_PER_PAGE = 10
STREAK_RUNS_PER_PAGE = 6


# ---------------------------------------------------------------- request parsing and responses


def _requested_month(request: HttpRequest, default: Month | None) -> Month:
    """`?month=2025-06`; a malformed value falls back to the default with a visible warning."""
    fallback = default or Month.of(timezone.localdate())
    text = request.GET.get("month", "").strip()
    if not text:
        return fallback
    try:
        return Month.parse(text)
    except MonthError:
        messages.warning(
            request,
            _("“%(value)s” is not a month (YYYY-MM); showing %(month)s.")
            % {
                "value": text[:20],
                "month": month_title(fallback),
            },
        )
        return fallback


def _month_navigation(request: HttpRequest, month: Month, latest: Month | None) -> MonthNavigation:
    return month_navigation(path=request.path, query=request.GET, month=month, latest=latest)


def _pager(request: HttpRequest, page: Page, parameter: str) -> Pager:
    return pager(path=request.path, query=request.GET, page=page, parameter=parameter)


def _render_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Full page, or only its `content` partial when htmx swaps the month or a page in place."""
    is_partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    response = render(request, f"{template}#content" if is_partial else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _xlsx_response(sheets: Sequence[Sheet], filename: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response


def _in_scope_or_404(load: Any, **kwargs: Any) -> Any:
    try:
        return load(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _alert_rows(user: User, alerts: Sequence[Alert]) -> list[AlertRow]:
    return alert_rows(alerts, viewer_id=user.pk, acts_on_alerts=can_see_individuals(viewer=user))


# ---------------------------------------------------------------- home


def _home_unit_for(user: User) -> OrgUnit | None:
    """The top of the subtree a manager heads (the shallowest unit of their scope)."""
    units = sorted(org_unit_scope_for(viewer=user), key=lambda unit: (unit.path.count("/"), unit.path))
    return units[0] if units else None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own starting page."""
    user: User = request.user  # type: ignore[assignment]
    if user.role == Role.MANAGER:
        unit = _home_unit_for(user)
        if unit is not None:
            return redirect("monitoring:team_dashboard", unit_id=unit.pk)
    elif user.role in (Role.HRBP, Role.EXECUTIVE):
        return redirect("monitoring:org_overview")
    elif user.role in (Role.REP, Role.MENTOR):
        employee_id = own_employee_id(user)
        if employee_id is not None:
            return redirect("monitoring:person", employee_id=employee_id)
    return render(
        request,
        "monitoring/welcome.html",
        {"nav_active": "home", "role_label": user.role_title(), "has_employee": own_employee_id(user)},
    )


# ---------------------------------------------------------------- organisation


def _org_selection(request: HttpRequest, scope: DashboardScope) -> OrgSelection:
    """`?unit=ID` picks the root among the units in scope; anything else in that parameter is a 404."""
    units = list(scope.units.values())
    if not units:
        raise Http404(_("No organisation units in your scope."))
    text = request.GET.get("unit", "").strip()
    selection = None
    if not text:
        selection = org_selection(units, root_id=None)
    elif text.isdigit():
        selection = org_selection(units, root_id=int(text))
    if selection is None:
        raise Http404(_("No such unit in your scope."))
    return selection


def _unit_rows(
    scope: DashboardScope,
    selection: OrgSelection,
    units: Sequence[OrgUnit],
    month: Month,
    months: Sequence[Month],
) -> tuple[list[UnitRow], UnitFigures | None, PeopleCounts, dict[Month, UnitFigures]]:
    """Rows for ``units`` and the total of the selection's roots: five queries for any number of units."""
    shows_individuals = scope.sees_individuals
    unit_months = unit_months_for(
        scope=scope, roots=selection.roots, units=units, month=month, first=months[0]
    )
    # Counted for every unit of the table, not only this page's: hiding small units is decided over all.
    breakdown = people_breakdown_for(
        scope=scope, roots=selection.roots, units=selection.children, month=month
    )
    alerts_total, alerts = alerts_raised_for(scope=scope, roots=selection.roots, units=units, month=month)
    rows = unit_rows(
        units,
        selection=selection,
        figures=unit_months.by_unit,
        breakdown=breakdown,
        alerts=alerts,
        shows_individuals=shows_individuals,
        siblings=selection.children,
    )
    total = people_counts(breakdown.total, alerts_total, shows_individuals=shows_individuals)
    return rows, unit_months.trend.get(month), total, unit_months.trend


def _root_name(selection: OrgSelection) -> str:
    return local_name(selection.root) if selection.root else _("All units in your scope")


@login_required
@require_GET
def org_overview(request: HttpRequest) -> HttpResponse:
    """The organisation (or one unit of it): completion by unit, the distribution, the trend, people in
    streaks — aggregates only, no names, for executives as for everyone else."""
    user: User = request.user  # type: ignore[assignment]
    scope = dashboard_scope_for(viewer=user)
    selection = _org_selection(request, scope)
    latest = latest_unit_month_for(scope=scope, units=selection.roots)
    month = _requested_month(request, latest)
    months = month_window(month)
    page = Paginator(selection.children, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    rows, figures, people, trend = _unit_rows(scope, selection, list(page.object_list), month, months)
    context = {
        "nav_active": "org",
        "nav": _month_navigation(request, month, latest),
        "root": selection.root,
        "root_name": _root_name(selection),
        "ancestors": [(unit, local_name(unit)) for unit in selection.ancestors],
        "unit_choices": unit_choices(selection),
        "rows": rows,
        "pager": _pager(request, page, "page"),
        **unit_summary(figures),
        "met_threshold": percent(met_threshold_current()),
        "people": people,
        "min_group_size": MIN_GROUP_SIZE,
        "close": month_close_latest(month=month),
        "has_data": bool(trend),
        "export_url": reverse("monitoring:org_export")
        + (f"?unit={selection.root.pk}&month={month}" if selection.root else f"?month={month}"),
        "team_query": f"?month={month}",
        "bars_chart": charts.unit_bars_chart(rows),
        "distribution_chart": charts.distribution_chart(people),
        "trend_chart": charts.trend_chart(months, trend, _("Completion")),
    }
    return _render_page(request, "monitoring/org_overview.html", context)


@login_required
@require_GET
def org_export(request: HttpRequest) -> HttpResponse:
    """Every row of the organisation table (all pages) as XLSX; the same scope and the same hiding rules."""
    user: User = request.user  # type: ignore[assignment]
    scope = dashboard_scope_for(viewer=user)
    selection = _org_selection(request, scope)
    month = _requested_month(request, latest_unit_month_for(scope=scope, units=selection.roots))
    rows, figures, people, _trend = _unit_rows(
        scope, selection, selection.children, month, month_window(month)
    )
    sheet = exports.org_sheet(
        month=month,
        rows=rows,
        total_name=_root_name(selection),
        total_code=selection.root.code if selection.root else "",
        figures=figures,
        people=people,
    )
    return _xlsx_response([sheet], f"organisation-{month}.xlsx")


# ---------------------------------------------------------------- team


@login_required
@require_GET
def team_dashboard(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A team's month: summary, KPI tiles, trend and distribution; for managers and HR also who needs
    attention, the alerts to acknowledge, the heat map and the ranking — each list a page at a time."""
    user: User = request.user  # type: ignore[assignment]
    scope = dashboard_scope_for(viewer=user)
    team = _in_scope_or_404(scope.unit, unit_id=unit_id)
    latest = latest_unit_month_for(scope=scope, units=[team])
    month = _requested_month(request, latest)
    months = month_window(month)
    dashboard = team_dashboard_for(
        viewer=user, team=team, month=month, span=TREND_MONTHS, with_heat_map=False
    )
    unit_months = unit_months_for(scope=scope, roots=[team], units=[], month=month, first=months[0])
    breakdown = people_breakdown_for(scope=scope, roots=[team], units=[], month=month)
    shows_individuals = dashboard.shows_individuals
    counts = people_counts(breakdown.total, 0, shows_individuals=shows_individuals)
    # A team too small to count for an aggregate-only viewer shows no figures at all: its completion, its
    # averages and their trend are its one or two people's own results.
    is_small = counts.is_hidden

    context: dict[str, Any] = {
        "nav_active": "team",
        "nav": _month_navigation(request, month, latest),
        "team": team,
        "team_name": local_name(team),
        # Up to the unit above when the viewer sees it; a manager sees only their own team's subtree.
        "org_url": reverse("monitoring:org_overview")
        + f"?unit={team.parent_id if team.parent_id in scope.units else team.pk}&month={month}",
        **unit_summary(None if is_small else unit_months.trend.get(month)),
        "met_threshold": percent(met_threshold_current()),
        "tiles": [] if is_small else tiles(dashboard),
        "trend_chart": None
        if is_small
        else charts.trend_chart(months, unit_months.trend, _("Team completion")),
        "is_small": is_small,
        "shows_individuals": shows_individuals,
        "first_month": month_title(months[0]),
        "export_url": ""
        if is_small
        else reverse("monitoring:team_export", kwargs={"unit_id": team.pk}) + f"?month={month}",
        "min_group_size": MIN_GROUP_SIZE,
    }
    if shows_individuals:
        people_page, ranked = ranked_people_page_for(
            scope=scope, unit=team, months=months, page=request.GET.get("people"), per_page=PEOPLE_PER_PAGE
        )
        alerts_page = page_of(
            alert_list_for(viewer=user, state="active", unit=team), request.GET.get("alerts"), LIST_PER_PAGE
        )
        attention_page = page_of(
            needs_attention_list_for(viewer=user, month=month, unit=team),
            request.GET.get("attention"),
            LIST_PER_PAGE,
        )
        alerts = _alert_rows(user, list(alerts_page.object_list))
        attention = attention_rows(list(attention_page.object_list))
        people = [person_row(person) for person in ranked]
        shown = {row.employee_id for row in people} | {row.employee_id for row in alerts}
        shown |= {row["employee_id"] for row in attention}
        if shown:
            audit_views_bulk(
                actor=user,
                action="team_dashboard.view",
                subject_employee_ids=sorted(shown),
                details={"unit": team.pk, "month": str(month)},
            )
        context |= {
            "people": people,
            "people_pager": _pager(request, people_page, "people"),
            "heat_chart": charts.heat_chart(months, ranked, month) if ranked else None,
            "alerts": alerts,
            "alerts_pager": _pager(request, alerts_page, "alerts"),
            "attention": attention,
            "attention_pager": _pager(request, attention_page, "attention"),
        }
    context |= {
        "counts": counts,
        "distribution_chart": charts.distribution_chart(counts),
    }
    return _render_page(request, "monitoring/team_dashboard.html", context)


@login_required
@require_GET
def team_export(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The team's tables as XLSX: KPIs and the trend for everyone who sees the team; the ranking (every
    person, not one page) only for those who may see people — each person exported is logged."""
    user: User = request.user  # type: ignore[assignment]
    scope = dashboard_scope_for(viewer=user)
    team = _in_scope_or_404(scope.unit, unit_id=unit_id)
    month = _requested_month(request, latest_unit_month_for(scope=scope, units=[team]))
    months = month_window(month)
    dashboard = team_dashboard_for(
        viewer=user, team=team, month=month, span=TREND_MONTHS, with_heat_map=False
    )
    breakdown = people_breakdown_for(scope=scope, roots=[team], units=[], month=month)
    if people_counts(breakdown.total, 0, shows_individuals=dashboard.shows_individuals).is_hidden:
        # The export of a team too small to count would be its few people's own results.
        return HttpResponseForbidden(_("This team is too small to export its figures."))
    unit_months = unit_months_for(scope=scope, roots=[team], units=[], month=month, first=months[0])
    people = (
        ranked_people_all_for(scope=scope, unit=team, months=months) if dashboard.shows_individuals else None
    )
    if people:
        audit_views_bulk(
            actor=user,
            action="team_dashboard.export",
            subject_employee_ids=[person.employee.pk for person in people],
            details={"unit": team.pk, "month": str(month)},
        )
    sheets = exports.team_sheets(dashboard=dashboard, months=months, trend=unit_months.trend, people=people)
    return _xlsx_response(sheets, f"team-{team.pk}-{month}.xlsx")


# ---------------------------------------------------------------- acknowledging and resolving an alert


@login_required
@require_POST
def alert_acknowledge_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Acknowledge an open alert (the manager has seen it and will act); htmx swaps the alert's row."""
    user: User = request.user  # type: ignore[assignment]
    alert = _in_scope_or_404(alert_get_for, viewer=user, alert_id=alert_id)
    if not can_act_on_alert(user, alert):
        return HttpResponseForbidden(_("You may not acknowledge this alert."))
    try:
        alert = alert_acknowledge(actor=user, alert=alert)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _alert_answered(request, user, alert)


def _alert_answered(request: HttpRequest, user: User, alert: Alert, row_error: str = "") -> HttpResponse:
    """After acting on an alert: htmx gets the alert's row as it is now (with ``row_error`` if any), a plain
    form goes back to the page it came from (on this site only), else to the alert's team."""
    if request.headers.get("HX-Request") == "true":
        current = alert_get_for(viewer=user, alert_id=alert.pk)
        context = {"row": _alert_rows(user, [current])[0], "row_error": row_error}
        return render(request, "monitoring/includes/alert_row.html", context)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("monitoring:team_dashboard", kwargs={"unit_id": alert.org_unit_id})
    return redirect(back)


RESOLUTION_NOTE_LIMIT = 500


@login_required
@require_POST
def alert_resolve_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Resolve an alert by hand; the page asks what was done (a plan, a talk, a data error), because an
    alert closed without a word is no evidence of anything. htmx swaps the alert's row."""
    user: User = request.user  # type: ignore[assignment]
    alert = _in_scope_or_404(alert_get_for, viewer=user, alert_id=alert_id)
    if not can_act_on_alert(user, alert):
        return HttpResponseForbidden(_("You may not resolve this alert."))
    note = request.POST.get("note", "").strip()
    error = ""
    if not note:
        error = _("Say what was done before resolving the alert.")
    elif len(note) > RESOLUTION_NOTE_LIMIT:
        error = _("Keep the note under %(limit)s characters.") % {"limit": RESOLUTION_NOTE_LIMIT}
    else:
        try:
            alert = alert_resolve(actor=user, alert=alert, note=note)
        except DomainError as exc:
            error = str(exc.message)
    if error and request.headers.get("HX-Request") != "true":  # htmx shows it in the row instead
        messages.error(request, error)
    return _alert_answered(request, user, alert, row_error=error)


# ---------------------------------------------------------------- person


def _person_month(request: HttpRequest, user: User, employee: Employee) -> tuple[Month, Month | None]:
    newest_card = scorecard_list_for(viewer=user, employee=employee).last()
    latest = newest_card.month if newest_card else None
    return _requested_month(request, latest), latest


@login_required
@require_GET
def person_page(request: HttpRequest, employee_id: int) -> HttpResponse:
    """One person's month: each KPI against target and team average with its trend, the streak history
    and the person's alerts; every view is logged (PIPL)."""
    user: User = request.user  # type: ignore[assignment]
    employee = _in_scope_or_404(employee_get_for, viewer=user, employee_id=employee_id)
    month, latest = _person_month(request, user, employee)
    page = person_page_for(viewer=user, employee=employee, month=month, span=TREND_MONTHS)
    audit_view(
        actor=user,
        action="person_page.view",
        target=employee,
        subject_employee_id=employee.pk,
        details={"month": str(month)},
    )
    card = page.scorecard
    scope = dashboard_scope_for(viewer=user)
    team_is_visible = employee.org_unit_id in scope.units
    runs_page = Paginator(
        streak_runs_for(scope=scope, employee=employee, until=month), STREAK_RUNS_PER_PAGE
    ).get_page(request.GET.get("runs"))
    alerts_page = page_of(
        alert_list_for(viewer=user, employee=employee), request.GET.get("alerts"), LIST_PER_PAGE
    )
    context = {
        "nav_active": "person" if employee.user_id == user.pk else "team",
        "nav": _month_navigation(request, month, latest),
        "employee": employee,
        "team_name": local_name(employee.org_unit),
        "position_name": local_name(employee.position),
        "team_url": (
            reverse("monitoring:team_dashboard", kwargs={"unit_id": employee.org_unit_id}) + f"?month={month}"
            if team_is_visible
            else None
        ),
        "export_url": reverse("monitoring:person_export", kwargs={"employee_id": employee.pk})
        + f"?month={month}",
        "card": card,
        "composite": percent(card.composite) if card else None,
        "composite_band": attainment_band(card.composite if card else None),
        "streak_level": streak_level(card.streak_below) if card else "",
        "lines": kpi_lines(page),
        "kpi_trends": charts.kpi_trend_charts(page.months, page.lines, employee.name),
        "runs": [run_row(run) for run in runs_page.object_list],
        "runs_pager": _pager(request, runs_page, "runs"),
        "alerts": _alert_rows(user, list(alerts_page.object_list)),
        "alerts_pager": _pager(request, alerts_page, "alerts"),
        "trend_chart": charts.composite_trend_chart(page.months, page.composite_trend),
        "kpi_chart": charts.kpi_attainment_chart(page.lines, employee.name),
    }
    return _render_page(request, "monitoring/person.html", context)


@login_required
@require_GET
def person_export(request: HttpRequest, employee_id: int) -> HttpResponse:
    """The person's twelve months as XLSX: every KPI against target and team average, and the composite."""
    user: User = request.user  # type: ignore[assignment]
    employee = _in_scope_or_404(employee_get_for, viewer=user, employee_id=employee_id)
    month, _latest = _person_month(request, user, employee)
    page = person_page_for(viewer=user, employee=employee, month=month, span=TREND_MONTHS)
    cards = {
        card.month: card
        for card in scorecard_list_for(viewer=user, employee=employee).filter(
            month__gte=page.months[0], month__lte=month
        )
    }
    audit_view(
        actor=user,
        action="person_page.export",
        target=employee,
        subject_employee_id=employee.pk,
        details={"month": str(month)},
    )
    sheets = exports.person_sheets(page=page, cards=cards)
    return _xlsx_response(sheets, f"person-{employee.employee_number}-{month}.xlsx")
