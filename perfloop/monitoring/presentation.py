"""What the dashboard tables show: rows, KPI tiles and counts, formatted from the selectors' Decimals so
templates only print strings. No queries and no request here: the views read, these functions shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from perfloop.metrics.presentation import (
    active_language,
    as_decimal,
    attainment_band,
    kpi_value,
    local_name,
    month_title,
    percent,
)
from perfloop.metrics.selectors import MIN_GROUP_SIZE, PersonPage, TeamDashboard, UnitFigures
from perfloop.monitoring.dashboards import (
    ALERT_STREAK,
    WARNING_STREAK,
    PeopleBreakdown,
    PeopleFigures,
    RankedPerson,
    StreakRun,
)
from perfloop.monitoring.models import Alert, AlertRule, AlertState, RuleKind
from perfloop.org.models import OrgUnit

_MAX_PROGRESS = Decimal("1.5")
_MAX_INDENT = 4


def streak_level(streak: int) -> str:
    """CSS level of a run of months below target: "alert" from six months, "warning" from three."""
    if streak >= ALERT_STREAK:
        return "alert"
    return "warning" if streak >= WARNING_STREAK else ""


def unit_summary(figures: UnitFigures | None) -> dict[str, Any]:
    """A unit's headline figures for a page header: completion (with its band) and average composite."""
    return {
        "figures": figures,
        "completion": percent(figures.completion) if figures else None,
        "completion_band": attainment_band(figures.completion if figures else None),
        "average_composite": percent(figures.average_composite) if figures else None,
    }


# ---------------------------------------------------------------- counts of people


@dataclass
class PeopleCounts:
    """Counts of people in a unit, or ``is_hidden`` when the group is too small for aggregate-only viewers."""

    is_hidden: bool
    scored: int = 0
    bands: dict[str, int] | None = None
    streak_warning: int = 0
    streak_alert: int = 0
    alerts: int = 0


def people_counts(figures: PeopleFigures | None, alerts: int, *, shows_individuals: bool) -> PeopleCounts:
    """The unit's counts, hidden from aggregate-only viewers when fewer than MIN_GROUP_SIZE people count."""
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


# ---------------------------------------------------------------- organisation


@dataclass(frozen=True)
class OrgSelection:
    """What the organisation page shows: a root unit (None: every subtree the viewer covers) and its rows."""

    units: list[OrgUnit]
    root: OrgUnit | None
    roots: list[OrgUnit]
    children: list[OrgUnit]
    ancestors: list[OrgUnit]


def org_selection(units: Sequence[OrgUnit], *, root_id: int | None) -> OrgSelection | None:
    """The subtree under ``root_id`` among the viewer's ``units`` (None when it is not one of them);
    without a root, the viewer's single top unit, or all their top units side by side."""
    units = list(units)
    by_id = {unit.pk: unit for unit in units}
    scope_roots = [unit for unit in units if unit.parent_id not in by_id]
    root: OrgUnit | None
    if root_id is not None:
        root = by_id.get(root_id)
        if root is None:
            return None
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


def unit_choices(selection: OrgSelection) -> list[tuple[int, str]]:
    """The unit filter lists the units that have units below them (and the one shown): a team is one of
    the table's rows, so a company of 500 teams gets a short list, not 500 options."""
    parents = {unit.parent_id for unit in selection.units}
    top = min((unit.path.count("/") for unit in selection.units), default=0)
    return [
        (unit.pk, "　" * min(unit.path.count("/") - top, _MAX_INDENT) + local_name(unit))
        for unit in selection.units
        if unit.pk in parents or unit == selection.root
    ]


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


def unit_rows(
    units: Sequence[OrgUnit],
    *,
    selection: OrgSelection,
    figures: Mapping[int, UnitFigures],
    breakdown: PeopleBreakdown,
    alerts: Mapping[int, int],
    shows_individuals: bool,
    siblings: Sequence[OrgUnit] | None = None,
) -> list[UnitRow]:
    """One row per unit of the organisation table; a unit with units below it links further down.

    ``siblings`` are all the units of the table, on every page (``breakdown`` counts each of them): which
    ones to hide is decided over all of them, since the total minus the rows of every page would otherwise
    give a hidden unit away."""
    parents = {unit.parent_id for unit in selection.units}
    hidden = _hidden_units(siblings or units, breakdown, shows_individuals=shows_individuals)
    rows = []
    for unit in units:
        people = (
            PeopleCounts(is_hidden=True)
            if unit.pk in hidden
            else people_counts(
                breakdown.by_unit.get(unit.pk), alerts.get(unit.pk, 0), shows_individuals=shows_individuals
            )
        )
        # A unit too small to count shows no figures either: its completion is its few people's own.
        unit_figures = None if people.is_hidden else figures.get(unit.pk)
        rows.append(
            UnitRow(
                unit=unit,
                name=local_name(unit),
                has_children=unit.pk in parents and unit != selection.root,
                figures=unit_figures,
                completion=percent(unit_figures.completion) if unit_figures else None,
                completion_band=attainment_band(unit_figures.completion if unit_figures else None),
                average_composite=percent(unit_figures.average_composite) if unit_figures else None,
                people=people,
            )
        )
    return rows


def _hidden_units(
    units: Sequence[OrgUnit], breakdown: PeopleBreakdown, *, shows_individuals: bool
) -> set[int]:
    """Units whose rows an aggregate-only viewer may not see: those under MIN_GROUP_SIZE people — and, when
    that is only one of several, the smallest of the others as well: the total above them minus every
    shown row would otherwise give the hidden one away (complementary suppression)."""
    if shows_individuals:
        return set()
    sizes = {unit.pk: (breakdown.by_unit.get(unit.pk) or PeopleFigures()).cards for unit in units}
    hidden = {pk for pk, size in sizes.items() if size < MIN_GROUP_SIZE}
    # A hidden unit without anyone scored gives nothing away; one with one to four people does when alone.
    sensitive = [pk for pk in hidden if sizes[pk] > 0]
    shown = sorted((size, pk) for pk, size in sizes.items() if pk not in hidden)
    if len(sensitive) == 1 and shown:
        hidden.add(shown[0][1])
    return hidden


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


def tiles(dashboard: TeamDashboard) -> list[Tile]:
    """One tile per KPI: the team's average against target; the progress bar stops at 150%."""
    language = active_language()
    return [_tile(tile, language) for tile in dashboard.tiles]


def _tile(tile: Mapping[str, Any], language: str) -> Tile:
    kpi = tile["kpi"]
    return Tile(
        name=kpi.name_for(language),
        unit=kpi.unit,
        actual=kpi_value(kpi, tile["actual"]),
        target=kpi_value(kpi, tile["target"]),
        attainment=percent(tile["attainment"]),
        band=attainment_band(tile["attainment"]),
        progress=str(min(as_decimal(tile["attainment"]) or Decimal(0), _MAX_PROGRESS)),
    )


@dataclass
class PersonRow:
    rank: int | None
    employee_id: int
    name: str
    employee_number: str
    composite: str | None
    band: str
    is_met: bool | None
    streak: int
    streak_level: str


def person_row(person: RankedPerson) -> PersonRow:
    """A row of the team's ranking."""
    return PersonRow(
        rank=person.rank,
        employee_id=person.employee.pk,
        name=person.employee.name,
        employee_number=person.employee.employee_number,
        composite=percent(person.composite),
        band=attainment_band(person.composite),
        is_met=person.is_met,
        streak=person.streak,
        streak_level=streak_level(person.streak),
    )


def attention_rows(cards: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of the needs-attention list (scorecards annotated with ``active_alerts``)."""
    return [
        {
            "employee_id": card.employee_id,
            "name": card.employee.name,
            "employee_number": card.employee.employee_number,
            "team_name": local_name(card.org_unit),
            "streak": card.streak_below,
            "streak_level": streak_level(card.streak_below),
            "composite": percent(card.composite),
            "band": attainment_band(card.composite),
            "active_alerts": card.active_alerts,
        }
        for card in cards
    ]


@dataclass
class AlertRow:
    alert: Alert
    rule_name: str
    employee_name: str
    employee_id: int
    month_title: str
    value: str | None
    can_acknowledge: bool
    can_resolve: bool


def alert_rows(alerts: Sequence[Alert], *, viewer_id: int, acts_on_alerts: bool) -> list[AlertRow]:
    """Rows of alerts already in the viewer's scope, so whether the viewer may act needs no query per row:
    someone who acts on alerts (a manager or HRBP), on an open alert, never their own. The POST runs the
    full policy."""
    language = active_language()
    return [
        AlertRow(
            alert=alert,
            rule_name=alert.rule.name_for(language),
            employee_name=alert.employee.name,
            employee_id=alert.employee_id,
            month_title=month_title(alert.month),
            value=percent(alert.value),
            can_acknowledge=(
                alert.state == AlertState.OPEN and acts_on_alerts and alert.employee.user_id != viewer_id
            ),
            can_resolve=(
                alert.state != AlertState.RESOLVED and acts_on_alerts and alert.employee.user_id != viewer_id
            ),
        )
        for alert in alerts
    ]


# ---------------------------------------------------------------- person


@dataclass
class KpiLine:
    name: str
    actual: str | None
    target: str | None
    attainment: str | None
    band: str
    team_average: str | None


def kpi_lines(page: PersonPage) -> list[KpiLine]:
    """The person's month, one line per KPI, each value in its KPI's unit."""
    language = active_language()
    return [
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


def run_row(run: StreakRun) -> dict[str, Any]:
    """A row of the person's streak history."""
    return {
        "first": month_title(run.first),
        "last": month_title(run.last),
        "months": run.months,
        "level": run.level,
        "is_running": run.is_running,
    }


# ---------------------------------------------------------------- alert rules


def rule_condition(rule: AlertRule, language: str) -> str:
    """What a rule watches, in one sentence of the viewer's language (shares shown as percentages)."""
    what = rule.kpi.name_for(language) if rule.kpi is not None else _("Composite score")
    values = {
        "what": what,
        "months": rule.months,
        "share": percent(rule.threshold),
        "factor": percent(rule.factor),
    }
    count = rule.months
    if rule.kind == RuleKind.BELOW_TEAM_AVERAGE:
        sentence = ngettext(
            "%(what)s below %(factor)s of the team average, %(months)s month",
            "%(what)s below %(factor)s of the team average, %(months)s months in a row",
            count,
        )
    elif rule.threshold is None:
        sentence = ngettext(
            "%(what)s: target not met under the scoring policy, %(months)s month",
            "%(what)s: target not met under the scoring policy, %(months)s months in a row",
            count,
        )
    else:
        sentence = ngettext(
            "%(what)s below %(share)s of target, %(months)s month",
            "%(what)s below %(share)s of target, %(months)s months in a row",
            count,
        )
    return sentence % values
