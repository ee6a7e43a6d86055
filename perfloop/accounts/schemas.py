from __future__ import annotations

import datetime as dt

from ninja import Schema


class EmployeeOut(Schema):
    id: int
    employee_number: str
    name: str
    org_unit_id: int
    org_unit_name: str
    position_id: int
    position_name: str
    manager_id: int | None
    hire_date: dt.date
    status: str
    work_city: str


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    parent_id: int | None
    path: str
