"""Read API of people and units (the organisation as the viewer may see it: scopes live here), of the
audit log (for HR of the whole organisation, and security events for the system administrator) and of
one's own inbox."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from perfloop.accounts.models import Notification, User
from perfloop.accounts.policies import can_read_audit_log
from perfloop.accounts.schemas import AuditEventOut, EmployeeOut, MarkedOut, NotificationOut, OrgUnitOut
from perfloop.accounts.selectors import (
    AuditQuery,
    audit_event_list_for,
    employee_get_for,
    employee_scope_for,
    notification_list_for,
    org_unit_scope_for,
)
from perfloop.accounts.services import audit_log_read, notification_mark_all_read, notification_mark_read
from perfloop.audit.models import AuditEvent
from perfloop.audit.pagination import AuditedPages
from perfloop.audit.services import audit_view
from perfloop.core.errors import DomainError, NotFound, PermissionDenied
from perfloop.org.models import Employee

router = Router(tags=["org"])
audit_router = Router(tags=["audit"])
inbox_router = Router(tags=["inbox"])


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
@paginate(AuditedPages, page_size=100, action="employee_list.view", subject="id")
def employee_list(request: HttpRequest, team: int | None = None) -> list[EmployeeOut]:
    employees = employee_scope_for(viewer=request.user).select_related("org_unit", "position")  # type: ignore[arg-type]
    if team is not None:
        unit = org_unit_scope_for(viewer=request.user).filter(pk=team).first()  # type: ignore[arg-type]
        employees = employees.filter(org_unit__path__startswith=unit.path) if unit else employees.none()
    return [_employee_out(e) for e in employees.order_by("employee_number")]


@router.get("/employees/{employee_id}", response=EmployeeOut)
def employee_detail(request: HttpRequest, employee_id: int) -> EmployeeOut:
    employee = employee_get_for(viewer=request.user, employee_id=employee_id)  # type: ignore[arg-type]
    audit_view(
        actor=request.user,
        action="employee.view",
        target=employee,
        subject_employee_id=employee.pk,
        details={"channel": "api"},
    )
    return _employee_out(employee)


@router.get("/units", response=list[OrgUnitOut])
def org_unit_list(request: HttpRequest) -> list[OrgUnitOut]:
    return [
        OrgUnitOut(id=u.pk, code=u.code, name=u.name, name_en=u.name_en, parent_id=u.parent_id, path=u.path)
        for u in org_unit_scope_for(viewer=request.user)  # type: ignore[arg-type]
    ]


def _date(text: str, name: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise DomainError(
            _("%(name)s is not a date (YYYY-MM-DD): %(value)s") % {"name": name, "value": text[:20]},
            code="invalid_date",
            field=name,
        ) from exc


@audit_router.get("/events", response=list[AuditEventOut])
@paginate(PageNumberPagination, page_size=100)
def audit_event_list(
    request: HttpRequest,
    kind: str = "",
    action: str = "",
    actor: str = "",
    employee: str = "",
    since: str = "",
    until: str = "",
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, filtered as on its page: what a security system pulls."""
    viewer: User = request.user  # type: ignore[assignment]  # the API answers signed-in users and tokens only
    if not can_read_audit_log(viewer):
        raise PermissionDenied(
            _("Only HR of the whole organisation and the system administrator read the audit log.")
        )
    query = AuditQuery(
        kind=kind,
        action=action,
        actor=actor,
        employee=employee,
        since=_date(since, "since"),
        until=_date(until, "until"),
    )
    audit_log_read(actor=viewer, query=query, via="api")
    events = audit_event_list_for(viewer=viewer, query=query)
    return events.annotate(
        actor_username=F("actor__username"),
        subject_employee_number=Subquery(
            Employee.objects.filter(pk=OuterRef("subject_employee_id")).values("employee_number")[:1]
        ),
    )


@inbox_router.get("/notifications", response=list[NotificationOut])
@paginate(PageNumberPagination, page_size=100)
def notification_list(request: HttpRequest, unread: bool = False) -> QuerySet[Notification]:
    """The caller's own notifications, newest first (``unread=true``: only those not read yet)."""
    return notification_list_for(viewer=request.user, unread_only=unread)  # type: ignore[arg-type]


@inbox_router.post("/notifications/{notification_id}/read", response=NotificationOut)
def notification_read(request: HttpRequest, notification_id: int) -> Notification:
    """Mark one of the caller's notifications read (again: no change); another person's is not found."""
    viewer: User = request.user  # type: ignore[assignment]
    mine = notification_list_for(viewer=viewer)
    if not mine.filter(pk=notification_id).exists():
        raise NotFound(_("No such notification in your inbox."), notification=notification_id)
    notification_mark_read(recipient=viewer, notification_id=notification_id)
    return mine.get(pk=notification_id)


@inbox_router.post("/read-all", response=MarkedOut)
def notification_read_all(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=notification_mark_all_read(recipient=request.user))  # type: ignore[arg-type]
