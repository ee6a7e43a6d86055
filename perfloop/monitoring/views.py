"""HTML pages of the performance loop: home, organisation overview, team dashboard, person page.

Every view is parse → access check → selector → render. Out-of-scope objects
answer 404 exactly like missing ones (`NotFound`), so a page never confirms that
a person or team exists to someone who may not see it. Numbers are formatted
here, from Decimals, so templates only print strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from perfloop.accounts.models import Role, User
from perfloop.accounts.selectors import org_unit_scope_for, own_employee_id
from perfloop.audit.services import audit_view, audit_views_bulk
from perfloop.core.errors import NotFound
from perfloop.core.months import Month, MonthError
from perfloop.metrics.models import Kpi, TeamMonth
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
    employee_get_for,
    latest_month_for,
    person_page_for,
    roll_up_team_months,
    scorecard_list_for,
    team_dashboard_for,
    team_get_for,
    team_month_list_for,
    unit_figures_for,
)
from perfloop.org.models import OrgUnit

WARNING_STREAK = 3
ALERT_STREAK = 6
TREND_MONTHS = 12


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


def _month_navigation(month: Month, latest: Month | None) -> MonthNavigation:
    """Previous/next links; no "next" beyond the newest month with data."""
    upper = latest or Month.of(timezone.localdate())
    return MonthNavigation(
        month=month,
        title=month_title(month),
        previous=month - 1,
        next=month + 1 if month < upper else None,
    )


def _render_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Full page, or only its `content` partial when htmx swaps the month in place."""
    is_partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    response = render(request, f"{template}#content" if is_partial else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


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


# ---------------------------------------------------------------- organisation overview


@dataclass
class OverviewRow:
    unit: OrgUnit
    name: str
    depth: int
    figures: UnitFigures | None
    completion: str | None
    completion_band: str
    average_composite: str | None


def _overview_rows(units: list[OrgUnit], team_months: list[TeamMonth]) -> list[OverviewRow]:
    """One row per unit of the viewer's scope, indented under its parent."""
    top_depth = min((unit.path.count("/") for unit in units), default=0)
    rows = []
    for unit in units:
        figures = roll_up_team_months([tm for tm in team_months if tm.org_unit.path.startswith(unit.path)])
        rows.append(
            OverviewRow(
                unit=unit,
                name=local_name(unit),
                depth=min(unit.path.count("/") - top_depth, 4),
                figures=figures,
                completion=percent(figures.completion) if figures else None,
                completion_band=attainment_band(figures.completion if figures else None),
                average_composite=percent(figures.average_composite) if figures else None,
            )
        )
    return rows


@login_required
def org_overview(request: HttpRequest) -> HttpResponse:
    """Units in the viewer's scope with the month's team completion (aggregates only, no names)."""
    user: User = request.user  # type: ignore[assignment]
    units = list(org_unit_scope_for(viewer=user).order_by("path"))
    if not units:
        raise Http404(_("No organisation units in your scope."))
    latest = latest_month_for(viewer=user)
    month = _requested_month(request, latest)
    team_months = team_month_list_for(viewer=user, month=month)
    rows = _overview_rows(units, team_months)
    by_unit = {tm.org_unit_id: tm for tm in team_months}
    chart = {
        "labels": {"series": _("Team completion"), "target": _("Target"), "noData": _("no data")},
        "units": [
            {"name": row.name, "value": percent_number(team_month.completion)}
            for row in rows
            if (team_month := by_unit.get(row.unit.pk)) is not None
        ],
    }
    return _render_page(
        request,
        "monitoring/org_overview.html",
        {
            "nav_active": "org",
            "nav": _month_navigation(month, latest),
            "rows": rows,
            "chart": chart,
            "has_data": bool(team_months),
        },
    )


# ---------------------------------------------------------------- team dashboard


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
    employee_id: int
    name: str
    employee_number: str
    composite: str | None
    band: str
    streak: int
    streak_level: str


def _streak_level(streak: int) -> str:
    if streak >= ALERT_STREAK:
        return "alert"
    return "warning" if streak >= WARNING_STREAK else ""


def _sort_key_latest_first(row: Any) -> tuple[int, Decimal, str]:
    latest = row.cells[-1]
    return (latest is None, -(latest or Decimal(0)), row.employee.employee_number)


@login_required
def team_dashboard(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A team's month: KPI tiles, completion trend and — for those who may see people — the heat map."""
    user: User = request.user  # type: ignore[assignment]
    try:
        team = team_get_for(viewer=user, unit_id=unit_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    latest = latest_month_for(viewer=user)
    month = _requested_month(request, latest)
    dashboard = team_dashboard_for(viewer=user, team=team, month=month, span=TREND_MONTHS)
    language = active_language()

    tiles = [
        Tile(
            name=tile["kpi"].name_for(language),  # type: ignore[attr-defined]
            unit=tile["kpi"].unit,  # type: ignore[attr-defined]
            actual=kpi_value(tile["kpi"], tile["actual"]),  # type: ignore[arg-type]
            target=kpi_value(tile["kpi"], tile["target"]),  # type: ignore[arg-type]
            attainment=percent(tile["attainment"]),
            band=attainment_band(tile["attainment"]),
            progress=str(min(as_decimal(tile["attainment"]) or Decimal(0), Decimal("1.5"))),
        )
        for tile in dashboard.tiles
    ]
    axis = [axis_label(m, index == 0) for index, m in enumerate(dashboard.months)]
    figures_by_month = unit_figures_for(viewer=user, unit=team, first=dashboard.months[0], last=month)
    trend = [
        figures.completion if (figures := figures_by_month.get(m)) is not None else None
        for m in dashboard.months
    ]
    trend_chart = {
        "axis": axis,
        "months": [str(m) for m in dashboard.months],
        "values": [percent_number(value) for value in trend],
        "labels": {"series": _("Team completion"), "target": _("Target"), "noData": _("no data")},
    }

    people: list[PersonRow] = []
    heat_chart: dict[str, Any] | None = None
    if dashboard.shows_individuals:
        rows = sorted(dashboard.heat_map, key=_sort_key_latest_first)
        query = f"?month={month}"
        people = [
            PersonRow(
                employee_id=row.employee.pk,
                name=row.employee.name,
                employee_number=row.employee.employee_number,
                composite=percent(row.cells[-1]),
                band=attainment_band(row.cells[-1]),
                streak=row.streak,
                streak_level=_streak_level(row.streak),
            )
            for row in rows
        ]
        heat_chart = {
            "axis": axis,
            "months": [str(m) for m in dashboard.months],
            "people": [
                {
                    "name": row.employee.name,
                    "url": reverse("monitoring:person", kwargs={"employee_id": row.employee.pk}) + query,
                }
                for row in rows
            ],
            "cells": [
                [x, y, percent_number(value)]
                for y, row in enumerate(rows)
                for x, value in enumerate(row.cells)
                if value is not None
            ],
            "missing": [
                [x, y, 0] for y, row in enumerate(rows) for x, value in enumerate(row.cells) if value is None
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
        if people:
            audit_views_bulk(
                actor=user,
                action="team_dashboard.view",
                subject_employee_ids=[row.employee_id for row in people],
                details={"unit": team.pk, "month": str(month)},
            )

    figures = figures_by_month.get(month)
    context = {
        "nav_active": "team",
        "nav": _month_navigation(month, latest),
        "team": team,
        "team_name": local_name(team),
        "figures": figures,
        "completion": percent(figures.completion) if figures else None,
        "completion_band": attainment_band(figures.completion if figures else None),
        "average_composite": percent(figures.average_composite) if figures else None,
        "tiles": tiles,
        "trend_chart": trend_chart,
        "shows_individuals": dashboard.shows_individuals,
        "people": people,
        "heat_chart": heat_chart,
        "streak_warnings": sum(1 for person in people if person.streak >= WARNING_STREAK),
        "first_month": month_title(dashboard.months[0]),
    }
    return _render_page(request, "monitoring/team_dashboard.html", context)


# ---------------------------------------------------------------- person page


@dataclass
class KpiLine:
    name: str
    actual: str | None
    target: str | None
    attainment: str | None
    band: str
    team_average: str | None


def _share_of_target(kpi: Kpi, value: Decimal | None, target: Decimal | None) -> Decimal | None:
    """The team average measured against this person's target, in the KPI's direction."""
    if value is None or not target:
        return None
    if kpi.direction == "lower":
        return target / value if value else None
    return value / target


@login_required
def person_page(request: HttpRequest, employee_id: int) -> HttpResponse:
    """One person's month: each KPI against target and team average; every view is logged (PIPL)."""
    user: User = request.user  # type: ignore[assignment]
    try:
        employee = employee_get_for(viewer=user, employee_id=employee_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    newest_card = scorecard_list_for(viewer=user, employee=employee).last()
    latest = newest_card.month if newest_card else latest_month_for(viewer=user)
    month = _requested_month(request, latest)
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
    team_is_visible = org_unit_scope_for(viewer=user).filter(pk=employee.org_unit_id).exists()
    axis = [axis_label(m, index == 0) for index, m in enumerate(page.months)]
    context = {
        "nav_active": "person" if employee.user_id == user.pk else "team",
        "nav": _month_navigation(month, latest),
        "employee": employee,
        "team_name": local_name(employee.org_unit),
        "position_name": local_name(employee.position),
        "team_url": (
            reverse("monitoring:team_dashboard", kwargs={"unit_id": employee.org_unit_id}) + f"?month={month}"
            if team_is_visible
            else None
        ),
        "card": card,
        "composite": percent(card.composite) if card else None,
        "composite_band": attainment_band(card.composite if card else None),
        "streak_level": _streak_level(card.streak_below) if card else "",
        "lines": lines,
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
                percent_number(_share_of_target(line.kpi, line.team_average, line.target))
                for line in page.lines
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
