"""The person's employee record, wage history and protected statuses, for their copy of their data."""

from __future__ import annotations

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from perfloop.core.personal_data import DataSubject, section_register
from perfloop.core.workbooks import Cell, Sheet
from perfloop.org.models import Employee, ProtectedStatus, WageRecord


def _text(value: object) -> Cell:
    return None if value in (None, "") else str(value)


def org_sections(subject: DataSubject) -> list[Sheet]:
    if subject.employee_id is None:
        return []
    people = Employee.objects.select_related("org_unit", "position", "manager")
    employee = people.filter(pk=subject.employee_id).first()
    if employee is None:
        return []
    record: list[tuple[str, Cell]] = [
        (_("Employee number"), employee.employee_number),
        (pgettext("a person's", "Name"), employee.name),
        (_("E-mail"), _text(employee.email)),
        (_("Unit"), employee.org_unit.name_for(get_language())),
        (_("Position"), employee.position.name_for(get_language())),
        (_("Manager"), employee.manager.name if employee.manager else None),
        (_("Hire date"), _text(employee.hire_date)),
        (_("Birth date"), _text(employee.birth_date)),
        (_("Gender"), employee.get_gender_display()),
        (_("Status"), employee.get_status_display()),
        (_("Termination date"), _text(employee.termination_date)),
        (_("Work city"), _text(employee.work_city)),
        (_("Contract type"), employee.get_contract_type_display()),
        (_("Contract start"), _text(employee.contract_start)),
        (_("Contract end"), _text(employee.contract_end)),
        (_("Probation end"), _text(employee.probation_end)),
        (_("Union member"), employee.is_union_member),
    ]
    wages = WageRecord.objects.filter(employee=employee).order_by("month")
    statuses = ProtectedStatus.objects.filter(employee=employee).order_by("starts_on")
    return [
        Sheet(_("Employee record"), [_("Field"), _("Value")], [list(row) for row in record], widths=(22, 40)),
        Sheet(
            _("Wages"),
            [_("Month"), _("Wage payable"), _("Of which overtime")],
            [[str(wage.month), wage.amount, wage.overtime] for wage in wages],
        ),
        Sheet(
            _("Protected status"),
            [_("Category"), _("From"), _("Until"), _("Note")],
            [
                [
                    status.get_category_display(),
                    str(status.starts_on),
                    _text(status.ends_on),
                    _text(status.note),
                ]
                for status in statuses
            ],
        ),
    ]


def register() -> None:
    section_register("org", org_sections, order=20)
