from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


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


class AuditEventOut(Schema):
    id: int
    occurred_at: dt.datetime
    actor: str | None = Field(None, alias="actor_username")  # None: the system, or nobody signed in
    kind: str
    action: str
    target_type: str
    target_id: str
    subject_employee_id: int | None
    subject_employee_number: str | None
    details: dict[str, Any]


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class MarkedOut(Schema):
    marked: int
