"""Object-level permissions as `rules` predicates, shared by views, API and services."""

from __future__ import annotations

import rules

from perfloop.accounts import roles
from perfloop.accounts.models import User
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


is_hr = rules.predicate(roles.is_hr)
is_hr_of_whole_organisation = rules.predicate(roles.is_hr_of_whole_organisation)


@rules.predicate
def can_read_audit_log(user: User) -> bool:
    """Any kind of audit event is the user's to read (accounts.roles.audit_kinds_readable_by)."""
    return bool(roles.audit_kinds_readable_by(user))


@rules.predicate
def can_announce(user: User) -> bool:
    """HR tells the people of their part of the organisation (HR of the whole of it, everyone)."""
    return bool(roles.is_hr(user) and user.is_active)


rules.add_perm("accounts.add_announcement", can_announce)
rules.add_perm("org.view_employee", can_view_employee)
rules.add_perm("audit.read_log", can_read_audit_log)
rules.add_perm("org.view_orgunit", can_view_unit)
