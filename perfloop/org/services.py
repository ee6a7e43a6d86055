"""Writes to the organisation structure."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from perfloop.audit.services import audit_change
from perfloop.org.models import OrgUnit


@transaction.atomic
def org_unit_create(
    *, actor: Any, code: str, name: str, parent: OrgUnit | None = None, name_en: str = "", city: str = ""
) -> OrgUnit:
    """Create a unit and give it its materialised path (parent's path + own id)."""
    unit = OrgUnit.objects.create(code=code, name=name, name_en=name_en, parent=parent, city=city)
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    audit_change(actor=actor, action="org_unit.create", target=unit, details={"code": code, "name": name})
    return unit
