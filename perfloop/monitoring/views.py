"""The dashboards: home, organisation, team and person pages, their XLSX exports, acknowledging an alert.

Every view is parse → access check → selector → render. Out-of-scope objects answer 404 exactly like
missing ones (`NotFound`), so a page never confirms that a person or team exists to someone who may not
see it. Every list is paginated and every page runs a fixed number of queries (at most 30), whatever the
size of the team or the organisation. Numbers are formatted here, from Decimals, so templates only print
strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
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
from perfloop.metrics.models import Kpi
from perfloop.metrics.presentation import (
    active_language,
    as_decimal,
    attainment_band,
    axis_label,
    kpi_value,
    local_name,
    month_title,
    percent,
    percent_number,
)
from perfloop.metrics.selectors import (
    UnitFigures,
    person_page_for,
    scorecard_list_for,
    team_dashboard_for,
)
from perfloop.monitoring import exports
from perfloop.monitoring.dashboards import (
    ALERT_STREAK,
    BANDS,
    WARNING_STREAK,
    DashboardScope,
    PeopleFigures,
    RankedPerson,
    StreakRun,
    alerts_raised_for,
    dashboard_scope_for,
    latest_unit_month_for,
    people_breakdown_for,
    ranked_people_all_for,
    ranked_people_page_for,
    streak_runs_for,
    unit_months_for,
)
from perfloop.monitoring.models import Alert, AlertState
from perfloop.monitoring.policies import can_act_on_alert
from perfloop.monitoring.selectors import (
    alert_get_for,
    alert_list_for,
    month_close_latest,
    needs_attention_list_for,
)
from perfloop.monitoring.services import alert_acknowledge
from perfloop.org.models import Employee, OrgUnit

TREND_MONTHS = 12
UNITS_PER_PAGE = 20
PEOPLE_PER_PAGE = 25
LIST_PER_PAGE = 10
STREAK_RUNS_PER_PAGE = 6
MIN_GROUP_SIZE = 5
"""Below this many people, counts of people (bands, streaks, alerts) are hidden from aggregate-only
viewers: "1 of 2 below target for 6 months" would name the person to anyone who knows the team."""


# ---------------------------------------------------------------- request parsing


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


@dataclass(frozen=True)
class MonthNavigation:
    month: Month
    title: str
    previous: Month
    next: Month | None
    previous_url: str
    next_url: str | None


# A new month starts every list on its first page; the other parameters (the unit) stay.
PAGE_PARAMETERS = ("page", "people", "alerts", "attention", "runs")


def _month_url(request: HttpRequest, month: Month) -> str:
    query = request.GET.copy()
    for name in PAGE_PARAMETERS:
        query.pop(name, None)
    query["month"] = str(month)
    return f"{request.path}?{query.urlencode()}"


def _month_navigation(request: HttpRequest, month: Month, latest: Month | None) -> MonthNavigation:
    """Previous/next links; no "next" beyond the newest month with data."""
    upper = latest or Month.of(timezone.localdate())
    following = month + 1 if month < upper else None
    return MonthNavigation(
        month=month,
        title=month_title(month),
        previous=month - 1,
        next=following,
        previous_url=_month_url(request, month - 1),
        next_url=_month_url(request, following) if following else None,
    )


def _window(month: Month) -> list[Month]:
    """The twelve months the trends and the heat map show, ending with ``month``."""
    return [month - offset for offset in range(TREND_MONTHS - 1, -1, -1)]


def _render_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Full page, or only its `content` partial when htmx swaps the month or a page in place."""
    is_partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    response = render(request, f"{template}#content" if is_partial else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@dataclass(frozen=True)
class Pager:
    """Previous/next links of one paginated list; the other query parameters (month, other lists) stay."""

    page: Page
    previous_url: str | None
    next_url: str | None

    @property
    def is_needed(self) -> bool:
        return self.page.paginator.num_pages > 1


def _pager(request: HttpRequest, page: Page, param: str) -> Pager:
    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"{request.path}?{query.urlencode()}"

    return Pager(
        page=page,
        previous_url=url(page.previous_page_number()) if page.has_previous() else None,
        next_url=url(page.next_page_number()) if page.has_next() else None,
    )


def _page_of(rows: QuerySet[Any], number: str | None, per_page: int) -> Page:
    """A page of ``rows``; the first page of a short list costs one query, not a count and a page."""
    if number in (None, "", "1"):
        head = list(rows[: per_page + 1])
        if len(head) <= per_page:
            return Paginator(head, per_page).page(1)
        # A longer list: these are its first page already, only the count is left to ask.
        return Page(head[:per_page], 1, Paginator(rows, per_page))
    return Paginator(rows, per_page).get_page(number)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response


def _streak_level(streak: int) -> str:
    if streak >= ALERT_STREAK:
        return "alert"
    return "warning" if streak >= WARNING_STREAK else ""


def _in_scope_or_404(load: Any, **kwargs: Any) -> Any:
    try:
        return load(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


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
        {"nav_active": "home", "role_label": user.get_role_display(), "has_employee": own_employee_id(user)},
    )


# ---------------------------------------------------------------- shared figures


@dataclass
class PeopleCounts:
    """Counts of people in a unit, or ``is_hidden`` when the group is too small for aggregate-only viewers."""

    is_hidden: bool
    scored: int = 0
    bands: dict[str, int] | None = None
    streak_warning: int = 0
    streak_alert: int = 0
    alerts: int = 0


def _people_counts(figures: PeopleFigures | None, alerts: int, *, shows_individuals: bool) -> PeopleCounts:
    figures = figures or PeopleFigures()
    if not shows_individuals and figures.cards < MIN_GROUP_SIZE:
        return PeopleCounts(is_hidden=True)
    return PeopleCounts(
        is_hidden=False,
        scored=figures.scored,
        bands=dict(figures.bands),
        streak_warning=figures.streak_warning,
        streak_alert=figures.streak_alert,
        alerts=alerts,
    )


def _distribution_chart(counts: PeopleCounts) -> dict[str, Any]:
    labels = {
        "low": _("below 70%"),
        "below": _("70–85%"),
        "near": _("85–100%"),
        "met": _("100% and above"),
    }
    return {
        "bands": [
            {"band": band, "label": labels[band], "value": (counts.bands or {}).get(band, 0)}
            for band in BANDS
        ],
        "labels": {"series": _("People"), "noData": _("no data")},
    }


def _trend_chart(months: Sequence[Month], trend: dict[Month, UnitFigures], series: str) -> dict[str, Any]:
    return {
        "axis": [axis_label(m, index == 0) for index, m in enumerate(months)],
        "months": [str(m) for m in months],
        "values": [percent_number(f.completion) if (f := trend.get(m)) else None for m in months],
        "secondary": {
            "label": _("Average composite"),
            "values": [percent_number(f.average_composite) if (f := trend.get(m)) else None for m in months],
        },
        "labels": {"series": series, "target": _("Target"), "noData": _("no data")},
    }


# ---------------------------------------------------------------- organisation


@dataclass
class UnitRow:
    unit: OrgUnit
    name: str
    has_children: bool
    figures: UnitFigures | None
    completion: str | None
    completion_band: str
    average_composite: str | None
    people: PeopleCounts


@dataclass(frozen=True)
class OrgSelection:
    """What the organisation page shows: a root unit (None: every subtree the viewer covers) and its rows."""

    units: list[OrgUnit]
    root: OrgUnit | None
    roots: list[OrgUnit]
    children: list[OrgUnit]
    ancestors: list[OrgUnit]


def _org_selection(request: HttpRequest, scope: DashboardScope) -> OrgSelection:
    """`?unit=ID` picks the root among the units in scope; anything else in that parameter is a 404."""
    units = list(scope.units.values())
    if not units:
        raise Http404(_("No organisation units in your scope."))
    by_id = {unit.pk: unit for unit in units}
    scope_roots = [unit for unit in units if unit.parent_id not in by_id]
    text = request.GET.get("unit", "").strip()
    root: OrgUnit | None
    if text:
        root = by_id.get(int(text)) if text.isdigit() else None
        if root is None:
            raise Http404(_("No such unit in your scope."))
    else:
        root = scope_roots[0] if len(scope_roots) == 1 else None
    if root is None:
        return OrgSelection(units, None, scope_roots, scope_roots, [])
    children = [unit for unit in units if unit.parent_id == root.pk] or [root]
    ancestors: list[OrgUnit] = []
    parent = by_id.get(root.parent_id) if root.parent_id else None
    while parent is not None:
        ancestors.insert(0, parent)
        parent = by_id.get(parent.parent_id) if parent.parent_id else None
    return OrgSelection(units, root, [root], children, ancestors)


def _unit_choices(selection: OrgSelection) -> list[tuple[int, str]]:
    """The unit filter lists the units that have units below them (and the one shown): a team is one of
    the table's rows, so a company of 500 teams gets a short list, not 500 options."""
    parents = {unit.parent_id for unit in selection.units}
    top = min((unit.path.count("/") for unit in selection.units), default=0)
    return [
        (unit.pk, "　" * min(unit.path.count("/") - top, 4) + local_name(unit))
        for unit in selection.units
        if unit.pk in parents or unit == selection.root
    ]


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
    breakdown = people_breakdown_for(scope=scope, roots=selection.roots, units=units, month=month)
    alerts_total, alerts = alerts_raised_for(scope=scope, roots=selection.roots, units=units, month=month)
    parents = {unit.parent_id for unit in selection.units}
    rows = []
    for unit in units:
        figures = unit_months.by_unit.get(unit.pk)
        rows.append(
            UnitRow(
                unit=unit,
                name=local_name(unit),
                has_children=unit.pk in parents and unit != selection.root,
                figures=figures,
                completion=percent(figures.completion) if figures else None,
                completion_band=attainment_band(figures.completion if figures else None),
                average_composite=percent(figures.average_composite) if figures else None,
                people=_people_counts(
                    breakdown.by_unit.get(unit.pk),
                    alerts.get(unit.pk, 0),
                    shows_individuals=shows_individuals,
                ),
            )
        )
    total = _people_counts(breakdown.total, alerts_total, shows_individuals=shows_individuals)
    return rows, unit_months.trend.get(month), total, unit_months.trend


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
    months = _window(month)
    page = Paginator(selection.children, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    rows, figures, people, trend = _unit_rows(scope, selection, list(page.object_list), month, months)
    close = month_close_latest(month=month)
    query = f"?month={month}"
    context = {
        "nav_active": "org",
        "nav": _month_navigation(request, month, latest),
        "root": selection.root,
        "root_name": local_name(selection.root) if selection.root else _("All units in your scope"),
        "ancestors": [(unit, local_name(unit)) for unit in selection.ancestors],
        "unit_choices": _unit_choices(selection),
        "rows": rows,
        "pager": _pager(request, page, "page"),
        "figures": figures,
        "completion": percent(figures.completion) if figures else None,
        "completion_band": attainment_band(figures.completion if figures else None),
        "average_composite": percent(figures.average_composite) if figures else None,
        "people": people,
        "min_group_size": MIN_GROUP_SIZE,
        "close": close,
        "has_data": bool(trend),
        "export_url": reverse("monitoring:org_export")
        + (f"?unit={selection.root.pk}&month={month}" if selection.root else f"?month={month}"),
        "team_query": query,
        "bars_chart": {
            "labels": {"series": _("Completion"), "target": _("Target"), "noData": _("no data")},
            "units": [
                {"name": row.name, "value": percent_number(row.figures.completion)}
                for row in rows
                if row.figures
            ],
        },
        "distribution_chart": _distribution_chart(people),
        "trend_chart": _trend_chart(months, trend, _("Completion")),
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
    rows, figures, people, _trend = _unit_rows(scope, selection, selection.children, month, _window(month))
    header = [
        _("Unit"),
        _("Code"),
        _("Members"),
        _("Met target"),
        _("Completion"),
        _("Average composite"),
        _("below 70%"),
        _("70–85%"),
        _("85–100%"),
        _("100% and above"),
        _("Below target 3+ months"),
        _("Below target 6+ months"),
        _("Alerts raised"),
    ]

    def line(name: str, code: str, figures: UnitFigures | None, counts: PeopleCounts) -> list[exports.Cell]:
        bands = counts.bands or {}
        hidden = counts.is_hidden
        return [
            name,
            code,
            figures.members if figures else None,
            figures.members_met if figures else None,
            figures.completion if figures else None,
            figures.average_composite if figures else None,
            *(None if hidden else bands.get(band, 0) for band in BANDS),
            None if hidden else counts.streak_warning,
            None if hidden else counts.streak_alert,
            None if hidden else counts.alerts,
        ]

    table = [line(row.name, row.unit.code, row.figures, row.people) for row in rows]
    root_name = local_name(selection.root) if selection.root else _("All units in your scope")
    table.append(
        line(f"{_('Total')}: {root_name}", selection.root.code if selection.root else "", figures, people)
    )
    content = exports.workbook_bytes(
        [
            exports.Sheet(
                title=str(month),
                header=header,
                rows=table,
                percent_columns=frozenset({4, 5}),
                widths=(24, 12, 10, 10, 12, 14, 10, 10, 10, 12, 14, 14, 12),
            )
        ]
    )
    return _xlsx_response(content, f"organisation-{month}.xlsx")


# ---------------------------------------------------------------- team


@dataclass
class Tile:
    name: str
    unit: str
    actual: str | None
    target: str | None
    attainment: str | None
    band: str
    progress: str


@dataclass
class PersonRow:
    rank: int
    employee_id: int
    name: str
    employee_number: str
    composite: str | None
    band: str
    is_met: bool | None
    streak: int
    streak_level: str


def _person_row(person: RankedPerson) -> PersonRow:
    return PersonRow(
        rank=person.rank,
        employee_id=person.employee.pk,
        name=person.employee.name,
        employee_number=person.employee.employee_number,
        composite=percent(person.composite),
        band=attainment_band(person.composite),
        is_met=person.is_met,
        streak=person.streak,
        streak_level=_streak_level(person.streak),
    )


@dataclass
class AlertRow:
    alert: Alert
    rule_name: str
    employee_name: str
    employee_id: int
    month_title: str
    value: str | None
    can_acknowledge: bool


def _alert_rows(user: User, alerts: Sequence[Alert]) -> list[AlertRow]:
    """Rows of alerts listed by `alert_list_for` (already in the viewer's scope), so whether the viewer may
    act needs no query per row: a manager or HRBP, never on their own alert. The POST runs the full policy."""
    language = active_language()
    acts_on_alerts = can_see_individuals(viewer=user)
    return [
        AlertRow(
            alert=alert,
            rule_name=alert.rule.name_for(language),
            employee_name=alert.employee.name,
            employee_id=alert.employee_id,
            month_title=month_title(alert.month),
            value=percent(alert.value),
            can_acknowledge=(
                alert.state == AlertState.OPEN and acts_on_alerts and alert.employee.user_id != user.pk
            ),
        )
        for alert in alerts
    ]


def _tiles(dashboard: Any) -> list[Tile]:
    language = active_language()
    return [
        Tile(
            name=tile["kpi"].name_for(language),
            unit=tile["kpi"].unit,
            actual=kpi_value(tile["kpi"], tile["actual"]),
            target=kpi_value(tile["kpi"], tile["target"]),
            attainment=percent(tile["attainment"]),
            band=attainment_band(tile["attainment"]),
            progress=str(min(as_decimal(tile["attainment"]) or Decimal(0), Decimal("1.5"))),
        )
        for tile in dashboard.tiles
    ]


def _heat_chart(months: Sequence[Month], people: Sequence[RankedPerson], month: Month) -> dict[str, Any]:
    query = f"?month={month}"
    return {
        "axis": [axis_label(m, index == 0) for index, m in enumerate(months)],
        "months": [str(m) for m in months],
        "people": [
            {
                "name": person.employee.name,
                "url": reverse("monitoring:person", kwargs={"employee_id": person.employee.pk}) + query,
            }
            for person in people
        ],
        "cells": [
            [x, y, percent_number(value)]
            for y, person in enumerate(people)
            for x, value in enumerate(person.cells)
            if value is not None
        ],
        "missing": [
            [x, y, 0]
            for y, person in enumerate(people)
            for x, value in enumerate(person.cells)
            if value is None
        ],
        "labels": {
            "composite": _("Composite attainment"),
            "noData": _("no data"),
            "below70": _("below 70%"),
            "below85": _("70–85%"),
            "below100": _("85–100%"),
            "met": _("100% and above"),
        },
    }


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
    months = _window(month)
    dashboard = team_dashboard_for(
        viewer=user, team=team, month=month, span=TREND_MONTHS, with_heat_map=False
    )
    unit_months = unit_months_for(scope=scope, roots=[team], units=[], month=month, first=months[0])
    breakdown = people_breakdown_for(scope=scope, roots=[team], units=[], month=month)
    shows_individuals = dashboard.shows_individuals
    figures = unit_months.trend.get(month)

    context: dict[str, Any] = {
        "nav_active": "team",
        "nav": _month_navigation(request, month, latest),
        "team": team,
        "team_name": local_name(team),
        "org_url": reverse("monitoring:org_overview") + f"?unit={team.parent_id or team.pk}&month={month}",
        "figures": figures,
        "completion": percent(figures.completion) if figures else None,
        "completion_band": attainment_band(figures.completion if figures else None),
        "average_composite": percent(figures.average_composite) if figures else None,
        "tiles": _tiles(dashboard),
        "trend_chart": _trend_chart(months, unit_months.trend, _("Team completion")),
        "shows_individuals": shows_individuals,
        "first_month": month_title(months[0]),
        "export_url": reverse("monitoring:team_export", kwargs={"unit_id": team.pk}) + f"?month={month}",
        "min_group_size": MIN_GROUP_SIZE,
    }
    if shows_individuals:
        people_page, ranked = ranked_people_page_for(
            scope=scope, unit=team, months=months, page=request.GET.get("people"), per_page=PEOPLE_PER_PAGE
        )
        alerts_page = _page_of(
            alert_list_for(viewer=user, state="active", unit=team), request.GET.get("alerts"), LIST_PER_PAGE
        )
        attention_page = _page_of(
            needs_attention_list_for(viewer=user, month=month, unit=team),
            request.GET.get("attention"),
            LIST_PER_PAGE,
        )
        alert_rows = _alert_rows(user, list(alerts_page.object_list))
        attention = [
            {
                "employee_id": card.employee_id,
                "name": card.employee.name,
                "employee_number": card.employee.employee_number,
                "team_name": local_name(card.org_unit),
                "streak": card.streak_below,
                "streak_level": _streak_level(card.streak_below),
                "composite": percent(card.composite),
                "band": attainment_band(card.composite),
                "active_alerts": card.active_alerts,
            }
            for card in attention_page.object_list
        ]
        people = [_person_row(person) for person in ranked]
        shown = {row.employee_id for row in people} | {row.employee_id for row in alert_rows}
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
            "heat_chart": _heat_chart(months, ranked, month) if ranked else None,
            "alerts": alert_rows,
            "alerts_pager": _pager(request, alerts_page, "alerts"),
            "attention": attention,
            "attention_pager": _pager(request, attention_page, "attention"),
        }
    counts = _people_counts(breakdown.total, 0, shows_individuals=shows_individuals)
    context |= {
        "counts": counts,
        "distribution_chart": _distribution_chart(counts),
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
    months = _window(month)
    dashboard = team_dashboard_for(
        viewer=user, team=team, month=month, span=TREND_MONTHS, with_heat_map=False
    )
    unit_months = unit_months_for(scope=scope, roots=[team], units=[], month=month, first=months[0])
    sheets = [
        exports.Sheet(
            title=_("KPIs"),
            header=[_("KPI"), _("Average"), _("Target"), _("Attainment")],
            rows=[
                [
                    tile["kpi"].name_for(active_language()),  # type: ignore[attr-defined]
                    as_decimal(tile["actual"]),
                    as_decimal(tile["target"]),
                    as_decimal(tile["attainment"]),
                ]
                for tile in dashboard.tiles
            ],
            percent_columns=frozenset({3}),
            widths=(22, 14, 14, 12),
        ),
        exports.Sheet(
            title=_("Trend"),
            header=[_("Month"), _("Members"), _("Met target"), _("Completion"), _("Average composite")],
            rows=[
                [
                    str(m),
                    f.members if (f := unit_months.trend.get(m)) else None,
                    f.members_met if f else None,
                    f.completion if f else None,
                    f.average_composite if f else None,
                ]
                for m in months
            ],
            percent_columns=frozenset({3, 4}),
            widths=(10, 10, 12, 12, 16),
        ),
    ]
    if dashboard.shows_individuals:
        people = ranked_people_all_for(scope=scope, unit=team, months=months)
        sheets.append(
            exports.Sheet(
                title=_("People"),
                header=[
                    _("Rank"),
                    _("Employee number"),
                    _("Name"),
                    _("Composite"),
                    _("Target met"),
                    _("Months below target in a row"),
                    *(str(m) for m in months),
                ],
                rows=[
                    [
                        person.rank,
                        person.employee.employee_number,
                        person.employee.name,
                        person.composite,
                        person.is_met,
                        person.streak,
                        *person.cells,
                    ]
                    for person in people
                ],
                percent_columns=frozenset({3, *range(6, 6 + len(months))}),
                widths=(6, 14, 14, 12, 10, 12),
            )
        )
        if people:
            audit_views_bulk(
                actor=user,
                action="team_dashboard.export",
                subject_employee_ids=[person.employee.pk for person in people],
                details={"unit": team.pk, "month": str(month)},
            )
    return _xlsx_response(exports.workbook_bytes(sheets), f"team-{team.pk}-{month}.xlsx")


# ---------------------------------------------------------------- acknowledging an alert


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
    if request.headers.get("HX-Request") == "true":
        alert = alert_get_for(viewer=user, alert_id=alert_id)
        return render(
            request,
            "monitoring/includes/alert_row.html",
            {"row": _alert_rows(user, [alert])[0]},
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("monitoring:team_dashboard", kwargs={"unit_id": alert.org_unit_id})
    return redirect(back)


# ---------------------------------------------------------------- person


@dataclass
class KpiLine:
    name: str
    actual: str | None
    target: str | None
    attainment: str | None
    band: str
    team_average: str | None


def _chart_number(kpi: Kpi, value: Decimal | None) -> str | None:
    """A KPI value for a chart axis: rates in percent, everything else as the exact decimal string."""
    if value is None:
        return None
    number = value * 100 if kpi.unit == "ratio" else value
    return str(number.quantize(Decimal("0.01")))


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
    language = active_language()
    lines = [
        KpiLine(
            name=line.kpi.name_for(language),
            actual=kpi_value(line.kpi, line.actual),
            target=kpi_value(line.kpi, line.target),
            attainment=percent(line.attainment),
            band=attainment_band(line.attainment),
            team_average=kpi_value(line.kpi, line.team_average),
        )
        for line in page.lines
    ]
    card = page.scorecard
    scope = dashboard_scope_for(viewer=user)
    team_is_visible = employee.org_unit_id in scope.units
    axis = [axis_label(m, index == 0) for index, m in enumerate(page.months)]
    runs_page = Paginator(
        streak_runs_for(scope=scope, employee=employee, until=month), STREAK_RUNS_PER_PAGE
    ).get_page(request.GET.get("runs"))
    alerts_page = _page_of(
        alert_list_for(viewer=user, employee=employee), request.GET.get("alerts"), LIST_PER_PAGE
    )
    kpi_trends = [
        {
            "id": f"kpi-trend-{line.kpi.code}",
            "name": line.kpi.name_for(language),
            "data": {
                "axis": axis,
                "months": [str(m) for m in page.months],
                "unit": line.kpi.unit,
                "person": [_chart_number(line.kpi, v) for v in line.trend],
                "target": [_chart_number(line.kpi, v) for v in line.target_trend],
                "team": [_chart_number(line.kpi, v) for v in line.team_average_trend],
                "display": {
                    "person": [kpi_value(line.kpi, v) for v in line.trend],
                    "target": [kpi_value(line.kpi, v) for v in line.target_trend],
                    "team": [kpi_value(line.kpi, v) for v in line.team_average_trend],
                },
                "labels": {
                    "person": employee.name,
                    "target": _("Target"),
                    "team": _("Team average"),
                    "noData": _("no data"),
                },
            },
        }
        for line in page.lines
    ]
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
        "streak_level": _streak_level(card.streak_below) if card else "",
        "lines": lines,
        "kpi_trends": kpi_trends,
        "runs": [_run_row(run) for run in runs_page.object_list],
        "runs_pager": _pager(request, runs_page, "runs"),
        "alerts": _alert_rows(user, list(alerts_page.object_list)),
        "alerts_pager": _pager(request, alerts_page, "alerts"),
        "trend_chart": {
            "axis": axis,
            "months": [str(m) for m in page.months],
            "values": [percent_number(value) for value in page.composite_trend],
            "labels": {"series": _("Composite attainment"), "target": _("Target"), "noData": _("no data")},
        },
        "kpi_chart": {
            "kpis": [line.kpi.name_for(language) for line in page.lines],
            "person": [percent_number(line.attainment) for line in page.lines],
            "team": [
                percent_number(line.kpi.attainment_of(line.team_average, line.target)) for line in page.lines
            ],
            "labels": {
                "person": employee.name,
                "team": _("Team average"),
                "target": _("Target"),
                "noData": _("no data"),
            },
        },
    }
    return _render_page(request, "monitoring/person.html", context)


def _run_row(run: StreakRun) -> dict[str, Any]:
    return {
        "first": month_title(run.first),
        "last": month_title(run.last),
        "months": run.months,
        "level": run.level,
        "is_running": run.is_running,
    }


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
    language = active_language()
    kpi_rows: list[list[exports.Cell]] = []
    for index, m in enumerate(page.months):
        for line in page.lines:
            actual, target = line.trend[index], line.target_trend[index]
            kpi_rows.append(
                [
                    str(m),
                    line.kpi.name_for(language),
                    actual,
                    target,
                    line.kpi.attainment_of(actual, target),
                    line.team_average_trend[index],
                ]
            )
    sheets = [
        exports.Sheet(
            title=_("KPIs"),
            header=[_("Month"), _("KPI"), _("Actual"), _("Target"), _("Attainment"), _("Team average")],
            rows=kpi_rows,
            percent_columns=frozenset({4}),
            widths=(10, 22, 14, 14, 12, 14),
        ),
        exports.Sheet(
            title=_("Composite"),
            header=[
                _("Month"),
                _("Composite"),
                _("Target met"),
                _("Rank in team"),
                _("Team size"),
                _("Months below target in a row"),
            ],
            rows=[
                [
                    str(m),
                    card.composite if (card := cards.get(m)) else None,
                    card.is_met if card else None,
                    card.rank_in_team if card else None,
                    card.team_size if card else None,
                    card.streak_below if card else None,
                ]
                for m in page.months
            ],
            percent_columns=frozenset({1}),
            widths=(10, 12, 10, 12, 10, 14),
        ),
    ]
    return _xlsx_response(exports.workbook_bytes(sheets), f"person-{employee.employee_number}-{month}.xlsx")
