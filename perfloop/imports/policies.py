"""Who may bring data in, see a batch, change a mapping profile, or manage sources and their push tokens."""

from __future__ import annotations

from typing import Any

import rules

from perfloop.accounts.models import Role


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


@rules.predicate
def can_import_data(user: Any) -> bool:
    """Imports are HR's job (product.md: HR business partner / HR admin); the system (CLI) runs as None."""
    return _active(user) and (user.role == Role.HRBP or user.is_superuser)


@rules.predicate
def can_import_roster(user: Any) -> bool:
    """Master data changes the whole tree: an HRBP who covers the whole organisation."""
    return can_import_data(user) and (user.is_superuser or user.scope_unit_id is None)


@rules.predicate
def can_view_batch(user: Any, batch: Any) -> bool:
    """HR of the whole organisation sees every batch; HR of one part sees the batches of that part as it is
    now — not the batches they made for a part they no longer cover (a file holds people's names and
    figures: moving to another department takes that access away)."""
    if not can_import_data(user) or batch is None:
        return False
    if user.is_superuser or user.scope_unit_id is None:
        return True
    unit = batch.coverage_unit
    return unit is not None and user.scope_unit is not None and unit.path.startswith(user.scope_unit.path)


@rules.predicate
def can_change_profile_of_kind(user: Any, kind: Any) -> bool:
    """Whoever imports a kind of file may write its mapping; a roster's mapping decides people's roles and
    managers across the whole tree, so only HR who may import the roster changes it."""
    return can_import_roster(user) if kind == "roster" else can_import_data(user)


@rules.predicate
def can_manage_sources(user: Any) -> bool:
    """Integrations are set up by HR or the system administrator (who still sees no performance data)."""
    return _active(user) and (user.role in {Role.HRBP, Role.SYSADMIN} or user.is_superuser)


rules.add_perm("imports.import_data", can_import_data)
rules.add_perm("imports.view_batch", can_view_batch)
rules.add_perm("imports.change_profile_of_kind", can_change_profile_of_kind)
rules.add_perm("imports.manage_sources", can_manage_sources)
