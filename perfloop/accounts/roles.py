"""What a role may do, decided from the user row alone (no query): shared by the policies and the
selectors, which the policies build on."""

from __future__ import annotations

from typing import Any

from perfloop.accounts.models import Role
from perfloop.audit.models import AuditEvent


def is_hr(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.HRBP)


def is_hr_of_whole_organisation(user: Any) -> bool:
    """HR whose scope is the whole organisation. Company-wide actions — the monthly close, alert rules,
    recomputing everyone's scorecards, where people's alerts may be sent — are theirs alone: HR of one part
    acting on them would act on (and see the results for) people outside that part."""
    return bool(is_hr(user) and user.is_active and user.scope_unit_id is None)


def audit_kinds_readable_by(user: Any) -> tuple[str, ...]:
    """Who looked at or changed what is itself personal data: HR of the whole organisation reads every kind
    of event (an arbitration asks for it); the system administrator reads security events (sign-ins,
    lockouts, second factors, tokens) and nothing about people's records; nobody else reads any."""
    if not (user.is_authenticated and user.is_active):
        return ()
    if is_hr_of_whole_organisation(user) or user.is_superuser:
        return tuple(AuditEvent.Kind.values)
    if user.role == Role.SYSADMIN:
        return (AuditEvent.Kind.SECURITY,)
    return ()
