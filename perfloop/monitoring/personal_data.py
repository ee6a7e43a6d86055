"""The alerts raised about the person, for their copy of their data."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from perfloop.core.personal_data import DataSubject, section_register
from perfloop.core.workbooks import Sheet
from perfloop.monitoring.models import Alert


def _when(moment: object) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else None  # type: ignore[attr-defined]


def monitoring_sections(subject: DataSubject) -> list[Sheet]:
    if subject.employee_id is None:
        return []
    language = get_language()
    alerts = (
        Alert.objects.filter(employee_id=subject.employee_id).select_related("rule").order_by("month", "pk")
    )
    return [
        Sheet(
            _("Alerts"),
            [
                _("Month"),
                _("Rule"),
                _("Severity"),
                _("State"),
                _("Raised"),
                _("Resolved"),
                _("Resolution"),
                _("Note"),
            ],
            [
                [
                    str(alert.month),
                    alert.rule.name_for(language),
                    alert.get_severity_display(),
                    alert.get_state_display(),
                    _when(alert.raised_at),
                    _when(alert.resolved_at),
                    alert.get_resolution_display() or None,
                    alert.resolution_note or None,
                ]
                for alert in alerts
            ],
        )
    ]


def register() -> None:
    section_register("monitoring", monitoring_sections, order=50)
