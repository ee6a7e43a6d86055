"""Read API of people and units: the organisation as the viewer may see it (scopes live here)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from perfloop.accounts.schemas import EmployeeOut, OrgUnitOut
from perfloop.accounts.selectors import employee_get_for, employee_scope_for, org_unit_scope_for
from perfloop.org.models import Employee

router = Router(tags=["org"])


def _employee_out(employee: Employee) -> EmployeeOut:
    return EmployeeOut(
        id=employee.pk,
        employee_number=employee.employee_number,
        name=employee.name,
        org_unit_id=employee.org_unit_id,
        org_unit_name=employee.org_unit.name,
        position_id=employee.position_id,
        position_name=employee.position.name,
        manager_id=employee.manager_id,
        hire_date=employee.hire_date,
        status=employee.status,
        work_city=employee.work_city,
    )


@router.get("/employees", response=list[EmployeeOut])
@paginate(PageNumberPagination, page_size=100)
def employee_list(request: HttpRequest, team: int | None = None) -> list[EmployeeOut]:
    employees = employee_scope_for(viewer=request.user).select_related("org_unit", "position")  # type: ignore[arg-type]
    if team is not None:
        unit = org_unit_scope_for(viewer=request.user).filter(pk=team).first()  # type: ignore[arg-type]
        employees = employees.filter(org_unit__path__startswith=unit.path) if unit else employees.none()
    return [_employee_out(e) for e in employees.order_by("employee_number")]


@router.get("/employees/{employee_id}", response=EmployeeOut)
def employee_detail(request: HttpRequest, employee_id: int) -> EmployeeOut:
    return _employee_out(employee_get_for(viewer=request.user, employee_id=employee_id))  # type: ignore[arg-type]


@router.get("/units", response=list[OrgUnitOut])
def org_unit_list(request: HttpRequest) -> list[OrgUnitOut]:
    return [
        OrgUnitOut(id=u.pk, code=u.code, name=u.name, name_en=u.name_en, parent_id=u.parent_id, path=u.path)
        for u in org_unit_scope_for(viewer=request.user)  # type: ignore[arg-type]
    ]
