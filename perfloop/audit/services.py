"""Writing audit events; called inside the caller's transaction so the event and the change land together."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from perfloop.audit.models import AuditEvent
from perfloop.core.bulk import bulk_insert, timestamp_text


def recorded_actor(actor: Any) -> Any:
    """The actor as a foreign key stores it: None for the system or for a user never saved (anonymous)."""
    return actor if getattr(actor, "pk", None) else None


def recorded_role(actor: Any) -> str:
    """The actor's role as the event keeps it ("" for the system)."""
    return str(getattr(recorded_actor(actor), "role", "") or "")


def audit_change(
    *,
    actor: Any,
    action: str,
    target: Any = None,
    subject_employee_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a change made by ``actor`` (None = the system, e.g. a scheduled close)."""
    return _record(AuditEvent.Kind.CHANGE, actor, action, target, subject_employee_id, details)


def audit_view(
    *,
    actor: Any,
    action: str,
    target: Any = None,
    subject_employee_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that ``actor`` looked at someone's personal or performance data (PIPL, CN-D-07)."""
    return _record(AuditEvent.Kind.VIEW, actor, action, target, subject_employee_id, details)


def audit_views_bulk(
    *, actor: Any, action: str, subject_employee_ids: Iterable[int], details: dict[str, Any]
) -> int:
    """One access row per person shown on a list page, written in one statement."""
    rows = [
        AuditEvent(
            kind=AuditEvent.Kind.VIEW,
            actor=recorded_actor(actor),
            actor_role=recorded_role(actor),
            action=action,
            subject_employee_id=employee_id,
            details=details,
        )
        for employee_id in subject_employee_ids
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@dataclass(frozen=True)
class ChangeRecord:
    """One change of many made in one step (a close resolving thousands of alerts)."""

    action: str
    target_type: str
    target_id: str
    subject_employee_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


def audit_changes_bulk(*, actor: Any, records: Sequence[ChangeRecord]) -> int:
    """The rows ``audit_change`` would write, one per record, written in one statement without the ORM:
    the same evidence, at a cost that does not grow with model instances."""
    if not records:
        return 0
    actor_id = getattr(recorded_actor(actor), "pk", None)
    role = recorded_role(actor)
    stamp = timestamp_text(timezone.now())
    rows = [
        (
            stamp,
            actor_id,
            role,
            AuditEvent.Kind.CHANGE.value,
            r.action,
            r.target_type,
            r.target_id,
            r.subject_employee_id,
            json.dumps(r.details, ensure_ascii=False, sort_keys=True),
        )
        for r in records
    ]
    columns = [
        "occurred_at",
        "actor_id",
        "actor_role",
        "kind",
        "action",
        "target_type",
        "target_id",
        "subject_employee_id",
        "details",
    ]
    return bulk_insert(AuditEvent._meta.db_table, columns, rows)


def audit_security(*, actor: Any, action: str, details: dict[str, Any] | None = None) -> AuditEvent:
    """Sign-ins, failed sign-ins, token use: security-relevant events."""
    return _record(AuditEvent.Kind.SECURITY, actor, action, None, None, details)


def _record(
    kind: str,
    actor: Any,
    action: str,
    target: Any,
    subject_employee_id: int | None,
    details: dict[str, Any] | None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        kind=kind,
        actor=recorded_actor(actor),
        actor_role=recorded_role(actor),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        subject_employee_id=subject_employee_id,
        details=details or {},
    )
