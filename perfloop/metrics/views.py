"""HTML pages of the performance loop: home, organisation overview, team dashboard, person page.

Every view is parse → access check → selector → render. Out-of-scope objects
answer 404 exactly like missing ones (`NotFound`), so a page never confirms that
a person or team exists to someone who may not see it. Numbers are formatted
here, from Decimals, so templates only print strings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from perfloop.accounts.models import Role, User
from perfloop.accounts.selectors import org_unit_scope_for, own_employee_id
from perfloop.audit.services import audit_view, audit_views_bulk
from perfloop.core.errors import NotFound
from perfloop.core.months import Month, MonthError
from perfloop.metrics.models import Kpi, TeamMonth, Unit
from perfloop.metrics.selectors import (
    employee_get_for,
    latest_month_for,
    person_page_for,
    scorecard_list_for,
    team_dashboard_for,
    team_get_for,
)
from perfloop.org.models import OrgUnit

# Attainment bands of the product: below 70% is a problem, 100% is target.
LOW_ATTAINMENT = Decimal("0.7")
FULL_ATTAINMENT = Decimal(1)
WARNING_STREAK = 3
ALERT_STREAK = 6
TREND_MONTHS = 12

_ONE = Decimal(1)
_TENTH = Decimal("0.1")
_HUNDREDTH = Decimal("0.01")
_HUNDRED = Decimal(100)


# ---------------------------------------------------------------- formatting


def _as_decimal(value: Any) -> Decimal | None:
    """Aggregates come back as Decimal on PostgreSQL and sometimes as float on SQLite."""
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _strip_zero_decimals(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(ratio: Any) -> str | None:
    """0.875 → "87.5%", always one decimal so columns line up; None stays None ("—", never 0%)."""
    value = _as_decimal(ratio)
    if value is None:
        return None
    return f"{(value * _HUNDRED).quantize(_TENTH, ROUND_HALF_UP):,}%"


def _percent_number(ratio: Any) -> str | None:
    """A ratio as a percentage string for chart data ("87.5"), exact, never a float."""
    value = _as_decimal(ratio)
    if value is None:
        return None
    return str((value * _HUNDRED).quantize(_TENTH, ROUND_HALF_UP))


def kpi_value(kpi: Kpi, raw: Any) -> str | None:
    """A KPI value in its unit: ¥80,000 · 87.5% · 3 (or 2.7 for a team average) · 4.25."""
    value = _as_decimal(raw)
    if value is None:
        return None
    if kpi.unit == Unit.CNY:
        return f"¥{value.quantize(_ONE, ROUND_HALF_UP):,}"
    if kpi.unit == Unit.RATIO:
        return _strip_zero_decimals(f"{(value * _HUNDRED).quantize(_TENTH, ROUND_HALF_UP):,}") + "%"
    if kpi.unit == Unit.COUNT:
        return _strip_zero_decimals(f"{value.quantize(_TENTH, ROUND_HALF_UP):,}")
    return _strip_zero_decimals(f"{value.quantize(_HUNDREDTH, ROUND_HALF_UP):,}")


def attainment_band(ratio: Any) -> str:
    """CSS modifier of an attainment: low (< 70%), mid, high (≥ 100%) or none (missing)."""
    value = _as_decimal(ratio)
    if value is None:
        return "none"
    if value < LOW_ATTAINMENT:
        return "low"
    return "high" if value >= FULL_ATTAINMENT else "mid"


def _language() -> str:
    return translation.get_language() or "zh-hans"


def _local_name(obj: Any) -> str:
    """Org units and positions carry a Chinese name and an optional English one."""
    english = getattr(obj, "name_en", "")
    return english if _language().startswith("en") and english else obj.name


def _month_title(month: Month) -> str:
    return date_format(month.first_day, "YEAR_MONTH_FORMAT")


def _axis_label(month: Month, first: bool) -> str:
    """Chart axis: the month number, with the year under the first month and every January."""
    return f"{month.month:02d}\n{month.year}" if first or month.month == 1 else f"{month.month:02d}"


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
                "month": _month_title(fallback),
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
        title=_month_title(month),
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
            return redirect("metrics:team_dashboard", unit_id=unit.pk)
    elif user.role in (Role.HRBP, Role.EXECUTIVE):
        return redirect("metrics:org_overview")
    elif user.role in (Role.REP, Role.MENTOR):
        employee_id = own_employee_id(user)
        if employee_id is not None:
            return redirect("metrics:person", employee_id=employee_id)
    return render(
        request,
        "metrics/welcome.html",
        {"nav_active": "home", "role_label": user.get_role_display(), "has_employee": own_employee_id(user)},
    )


# ---------------------------------------------------------------- organisation overview


@dataclass(frozen=True)
class UnitFigures:
    """A unit's month, summed over every team of its subtree (a team alone gives its own figures)."""

    members: int
    members_scored: int
    members_met: int
    completion: Decimal | None
    average_composite: Decimal | None


def _roll_up(team_months: list[TeamMonth]) -> UnitFigures | None:
    """Σ actual ÷ Σ target, as the engine computes one team; the average composite weighted by people scored.

    The engine writes one TeamMonth per team that has members; a parent unit's figures are the sum of its
    teams, never an average of their percentages.
    """
    if not team_months:
        return None
    target = sum((tm.target for tm in team_months), Decimal(0))
    actual = sum((tm.actual for tm in team_months), Decimal(0))
    scored = [tm for tm in team_months if tm.average_composite is not None and tm.members_scored]
    weight = sum(tm.members_scored for tm in scored)
    weighted = sum(((tm.average_composite or Decimal(0)) * tm.members_scored for tm in scored), Decimal(0))
    return UnitFigures(
        members=sum(tm.members for tm in team_months),
        members_scored=sum(tm.members_scored for tm in team_months),
        members_met=sum(tm.members_met for tm in team_months),
        completion=actual / target if target else None,
        average_composite=weighted / weight if weight else None,
    )


def _unit_figures_by_month(unit: OrgUnit, first: Month, last: Month) -> dict[Month, UnitFigures]:
    """One query for the subtree's team aggregates of a range of months, rolled up per month.

    The selector reads only the unit's own TeamMonth rows; a department's dashboard needs its teams'.
    """
    by_month: dict[Month, list[TeamMonth]] = defaultdict(list)
    for team_month in TeamMonth.objects.filter(
        org_unit__path__startswith=unit.path, month__gte=first, month__lte=last
    ):
        by_month[team_month.month].append(team_month)
    return {month: figures for month, rows in by_month.items() if (figures := _roll_up(rows)) is not None}


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
        figures = _roll_up([tm for tm in team_months if tm.org_unit.path.startswith(unit.path)])
        rows.append(
            OverviewRow(
                unit=unit,
                name=_local_name(unit),
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
    team_months = list(TeamMonth.objects.filter(org_unit__in=units, month=month).select_related("org_unit"))
    rows = _overview_rows(units, team_months)
    by_unit = {tm.org_unit_id: tm for tm in team_months}
    chart = {
        "labels": {"series": _("Team completion"), "target": _("Target"), "noData": _("no data")},
        "units": [
            {"name": row.name, "value": _percent_number(team_month.completion)}
            for row in rows
            if (team_month := by_unit.get(row.unit.pk)) is not None
        ],
    }
    return _render_page(
        request,
        "metrics/org_overview.html",
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
    language = _language()

    tiles = [
        Tile(
            name=tile["kpi"].name_for(language),  # type: ignore[attr-defined]
            unit=tile["kpi"].unit,  # type: ignore[attr-defined]
            actual=kpi_value(tile["kpi"], tile["actual"]),  # type: ignore[arg-type]
            target=kpi_value(tile["kpi"], tile["target"]),  # type: ignore[arg-type]
            attainment=percent(tile["attainment"]),
            band=attainment_band(tile["attainment"]),
            progress=str(min(_as_decimal(tile["attainment"]) or Decimal(0), Decimal("1.5"))),
        )
        for tile in dashboard.tiles
    ]
    axis = [_axis_label(m, index == 0) for index, m in enumerate(dashboard.months)]
    figures_by_month = _unit_figures_by_month(team, dashboard.months[0], month)
    trend = [
        figures.completion if (figures := figures_by_month.get(m)) is not None else None
        for m in dashboard.months
    ]
    trend_chart = {
        "axis": axis,
        "months": [str(m) for m in dashboard.months],
        "values": [_percent_number(value) for value in trend],
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
                    "url": reverse("metrics:person", kwargs={"employee_id": row.employee.pk}) + query,
                }
                for row in rows
            ],
            "cells": [
                [x, y, _percent_number(value)]
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
        "team_name": _local_name(team),
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
        "first_month": _month_title(dashboard.months[0]),
    }
    return _render_page(request, "metrics/team_dashboard.html", context)


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
    language = _language()
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
    axis = [_axis_label(m, index == 0) for index, m in enumerate(page.months)]
    context = {
        "nav_active": "person" if employee.user_id == user.pk else "team",
        "nav": _month_navigation(month, latest),
        "employee": employee,
        "team_name": _local_name(employee.org_unit),
        "position_name": _local_name(employee.position),
        "team_url": (
            reverse("metrics:team_dashboard", kwargs={"unit_id": employee.org_unit_id}) + f"?month={month}"
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
            "values": [_percent_number(value) for value in page.composite_trend],
            "labels": {"series": _("Composite attainment"), "target": _("Target"), "noData": _("no data")},
        },
        "kpi_chart": {
            "kpis": [line.kpi.name_for(language) for line in page.lines],
            "person": [_percent_number(line.attainment) for line in page.lines],
            "team": [
                _percent_number(_share_of_target(line.kpi, line.team_average, line.target))
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
    return _render_page(request, "metrics/person.html", context)
