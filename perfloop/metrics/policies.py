"""Who may run metrics actions."""

from __future__ import annotations

import rules

from perfloop.accounts.models import Role, User


@rules.predicate
def can_recompute_scorecards(user: User) -> bool:
    """Recomputing is an HR action (the monthly close runs it as the system)."""
    return bool(user.is_authenticated and user.is_active and user.role == Role.HRBP)


rules.add_perm("metrics.recompute_scorecards", can_recompute_scorecards)
