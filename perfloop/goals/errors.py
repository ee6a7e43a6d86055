"""Errors of the goals app: each with a stable code the UI, the API and the CLI show alike."""

from __future__ import annotations

from perfloop.core.errors import DomainError


class GoalError(DomainError):
    """Bad input for a goal, a template or a plan (400)."""

    code = "invalid_goal"


class GoalConflictError(DomainError):
    """The goal is not in a state that allows this (409): a refused move, an outdated version."""

    code = "goal_conflict"
    http_status = 409


class JustificationMissingError(GoalError):
    """The fairness guard found a reason to worry and no written justification was given."""

    code = "justification_required"


class PlanSplitError(GoalError):
    """A plan whose parts do not add up to its whole (a gap, or too much on top)."""

    code = "plan_invalid"


class GoalImportError(GoalError):
    """A goals file with bad rows: nothing of it was written."""

    code = "import_invalid"
