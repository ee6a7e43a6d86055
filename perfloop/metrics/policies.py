"""Who may run metrics actions."""

from __future__ import annotations

import rules

from perfloop.accounts.models import User
from perfloop.accounts.policies import is_hr_of_whole_organisation


@rules.predicate
def can_recompute_scorecards(user: User) -> bool:
    """Recomputing rewrites everyone's scorecards of the months: HR of the whole organisation (the monthly
    close runs it as the system)."""
    return bool(is_hr_of_whole_organisation(user))


rules.add_perm("metrics.recompute_scorecards", can_recompute_scorecards)
