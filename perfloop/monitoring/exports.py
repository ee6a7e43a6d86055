"""The dashboards' tables as XLSX sheets (no queries here: the views read, these functions lay out the
sheets; ``perfloop.core.workbooks`` writes them, every text cell formula-safe)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _

from perfloop.core.months import Month
from perfloop.core.workbooks import Cell, Sheet
from perfloop.metrics.models import Scorecard
from perfloop.metrics.presentation import active_language, as_decimal
from perfloop.metrics.selectors import PersonPage, TeamDashboard, UnitFigures
from perfloop.monitoring.dashboards import BANDS, RankedPerson
from perfloop.monitoring.presentation import PeopleCounts, UnitRow

# ---------------------------------------------------------------- the dashboards' sheets


def org_sheet(
    *,
    month: Month,
    rows: Sequence[UnitRow],
    total_name: str,
    total_code: str,
    figures: UnitFigures | None,
    people: PeopleCounts,
) -> Sheet:
    """The organisation table of ``month``, one line per unit and the total last; counts hidden on the page
    stay empty here."""
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
    table = [_unit_line(row.name, row.unit.code, row.figures, row.people) for row in rows]
    table.append(_unit_line(_("Total: %(unit)s") % {"unit": total_name}, total_code, figures, people))
    return Sheet(
        title=str(month),
        header=header,
        rows=table,
        percent_columns=frozenset({4, 5}),
        widths=(24, 12, 10, 10, 12, 14, 10, 10, 10, 12, 14, 14, 12),
    )


def _unit_line(name: str, code: str, figures: UnitFigures | None, counts: PeopleCounts) -> list[Cell]:
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


def team_sheets(
    *,
    dashboard: TeamDashboard,
    months: Sequence[Month],
    trend: Mapping[Month, UnitFigures],
    people: Sequence[RankedPerson] | None,
) -> list[Sheet]:
    """The team's KPIs and trend; the ranking with twelve months of composites when ``people`` is given
    (only to those who may see people)."""
    language = active_language()
    sheets = [
        Sheet(
            title=_("KPIs"),
            header=[_("KPI"), _("Average"), _("Target"), _("Attainment")],
            rows=[
                [
                    tile["kpi"].name_for(language),  # type: ignore[attr-defined]
                    as_decimal(tile["actual"]),
                    as_decimal(tile["target"]),
                    as_decimal(tile["attainment"]),
                ]
                for tile in dashboard.tiles
            ],
            percent_columns=frozenset({3}),
            widths=(22, 14, 14, 12),
        ),
        Sheet(
            title=_("Trend"),
            header=[_("Month"), _("Members"), _("Met target"), _("Completion"), _("Average composite")],
            rows=[
                [
                    str(m),
                    f.members if (f := trend.get(m)) else None,
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
    if people is not None:
        sheets.append(
            Sheet(
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
    return sheets


def person_sheets(*, page: PersonPage, cards: Mapping[Month, Scorecard]) -> list[Sheet]:
    """The person's twelve months: every KPI against target and team average, and the composite."""
    language = active_language()
    kpi_rows: list[list[Cell]] = []
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
    return [
        Sheet(
            title=_("KPIs"),
            header=[_("Month"), _("KPI"), _("Actual"), _("Target"), _("Attainment"), _("Team average")],
            rows=kpi_rows,
            percent_columns=frozenset({4}),
            widths=(10, 22, 14, 14, 12, 14),
        ),
        Sheet(
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
