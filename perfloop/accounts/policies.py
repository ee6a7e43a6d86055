"""Object-level permissions as `rules` predicates, shared by views, API and services."""

from __future__ import annotations

import rules

from perfloop.accounts.models import Role, User
from perfloop.accounts.selectors import employee_scope_for, org_unit_scope_for
from perfloop.org.models import Employee, OrgUnit


@rules.predicate
def can_view_employee(user: User, employee: Employee | None) -> bool:
    """The employee is the viewer or lies in the subtree the viewer covers."""
    if employee is None:
        return False
    return employee_scope_for(viewer=user).filter(pk=employee.pk).exists()


@rules.predicate
def can_view_unit(user: User, unit: OrgUnit | None) -> bool:
    """The unit's aggregates are inside the viewer's scope."""
    if unit is None:
        return False
    return org_unit_scope_for(viewer=user).filter(pk=unit.pk).exists()


@rules.predicate
def is_hr(user: User) -> bool:
    return user.is_authenticated and user.role == Role.HRBP


@rules.predicate
def is_hr_of_whole_organisation(user: User) -> bool:
    """HR whose scope is the whole organisation. Company-wide actions — the monthly close, alert rules,
    recomputing everyone's scorecards, where people's alerts may be sent — are theirs alone: HR of one part
    acting on them would act on (and see the results for) people outside that part."""
    return bool(is_hr(user) and user.is_active and user.scope_unit_id is None)


@rules.predicate
def can_read_audit_log(user: User) -> bool:
    """Who looked at or changed what is itself personal data: HR of the whole organisation reads the whole
    log (an arbitration asks for it); the system administrator reads its security events (sign-ins,
    lockouts, second factors, tokens) and nothing about people's records."""
    if not (user.is_authenticated and user.is_active):
        return False
    return is_hr_of_whole_organisation(user) or user.role == Role.SYSADMIN


rules.add_perm("org.view_employee", can_view_employee)
rules.add_perm("audit.read_log", can_read_audit_log)
rules.add_perm("org.view_orgunit", can_view_unit)
