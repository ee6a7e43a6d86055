"""The corrections of the person's KPI values by later files (old and new value, which file, when), for
their copy of their data: a restated figure is theirs as much as the figure that replaced it."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from perfloop.core.personal_data import ROW_LIMIT, DataSubject, limited_rows, local_time, section_register
from perfloop.core.workbooks import Sheet
from perfloop.imports.models import FactChange
from perfloop.metrics.models import Kpi


def imports_sections(subject: DataSubject) -> list[Sheet]:
    if subject.employee_id is None:
        return []
    language = get_language()
    names = {kpi.code: kpi.name_for(language) for kpi in Kpi.objects.all()}
    changes = FactChange.objects.filter(employee_id=subject.employee_id).order_by("-created_at", "-pk")
    return [
        Sheet(
            _("KPI corrections"),
            [_("Month"), _("KPI"), _("Old value"), _("New value"), _("Import batch"), _("Changed at")],
            limited_rows(
                [
                    str(change.month),
                    names.get(change.kpi, change.kpi),
                    change.old_value,
                    change.new_value,
                    change.batch_id,
                    local_time(change.created_at),
                ]
                for change in changes[: ROW_LIMIT + 1]
            ),
        )
    ]


def register() -> None:
    section_register("imports", imports_sections, order=35)
