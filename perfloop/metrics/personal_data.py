"""The person's monthly KPI values, targets and scorecards, for their copy of their data."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from perfloop.core.personal_data import DataSubject, local_time, section_register
from perfloop.core.workbooks import Sheet
from perfloop.metrics.models import MonthlyFact, MonthlyTarget, Scorecard


def metrics_sections(subject: DataSubject) -> list[Sheet]:
    if subject.employee_id is None:
        return []
    language = get_language()
    facts = (
        MonthlyFact.objects.filter(employee_id=subject.employee_id)
        .select_related("kpi")
        .order_by("month", "kpi__display_order")
    )
    targets = (
        MonthlyTarget.objects.filter(employee_id=subject.employee_id)
        .select_related("kpi")
        .order_by("month", "kpi__display_order")
    )
    cards = Scorecard.objects.filter(employee_id=subject.employee_id).order_by("month")
    return [
        Sheet(
            _("KPI values"),
            [_("Month"), _("KPI"), _("Value"), _("Source"), _("Import batch"), _("Version"), _("Changed at")],
            [
                [
                    str(fact.month),
                    fact.kpi.name_for(language),
                    fact.value,
                    fact.get_source_display(),
                    fact.batch_id,
                    fact.version,
                    local_time(fact.updated_at),
                ]
                for fact in facts
            ],
        ),
        Sheet(
            _("Targets"),
            [_("Month"), _("KPI"), _("Target")],
            [[str(target.month), target.kpi.name_for(language), target.value] for target in targets],
        ),
        Sheet(
            _("Scorecards"),
            [
                _("Month"),
                _("Composite"),
                _("Met"),
                _("Rank in team"),
                _("Team size"),
                _("Months below target in a row"),
                _("Revision"),
            ],
            [
                [
                    str(card.month),
                    card.composite,
                    card.is_met,
                    card.rank_in_team,
                    card.team_size,
                    card.streak_below,
                    card.revision,
                ]
                for card in cards
            ],
            percent_columns=frozenset({1}),
        ),
    ]


def register() -> None:
    section_register("metrics", metrics_sections, order=30)
