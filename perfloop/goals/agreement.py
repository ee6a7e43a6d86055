"""The agreement of a goal as a state machine: which move is allowed from which state.

    draft ──publish──► published ──confirm──► confirmed (locked)
      ▲ revise            │  ▲ revise             │
      └───────            │  └──────              │ revise (a new version, needs a new confirmation)
                          ▼                       ▼
                       disputed ──answer──►  published

The services change a goal's state only through `services.goal_transition`, which asks this table.
"""

from __future__ import annotations

from enum import StrEnum


class GoalState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class GoalAction(StrEnum):
    PUBLISH = "publish"  # the manager shows the goal to the person
    CONFIRM = "confirm"  # the person accepts this version
    DISPUTE = "dispute"  # the person objects, with a comment
    ANSWER = "answer"  # the manager answers a dispute (a new version, same or adjusted value)
    REVISE = "revise"  # a new version; once published it needs a new confirmation


TRANSITIONS: dict[tuple[GoalState, GoalAction], GoalState] = {
    (GoalState.DRAFT, GoalAction.PUBLISH): GoalState.PUBLISHED,
    (GoalState.DRAFT, GoalAction.REVISE): GoalState.DRAFT,
    (GoalState.PUBLISHED, GoalAction.CONFIRM): GoalState.CONFIRMED,
    (GoalState.PUBLISHED, GoalAction.DISPUTE): GoalState.DISPUTED,
    (GoalState.PUBLISHED, GoalAction.REVISE): GoalState.PUBLISHED,
    (GoalState.DISPUTED, GoalAction.ANSWER): GoalState.PUBLISHED,
    (GoalState.CONFIRMED, GoalAction.REVISE): GoalState.PUBLISHED,
}

# Moves that create a new version of the goal's value.
VERSIONING_ACTIONS = frozenset({GoalAction.REVISE, GoalAction.ANSWER})
# Moves made by the person the goal belongs to; every other move is the manager's (or HR's).
OWN_ACTIONS = frozenset({GoalAction.CONFIRM, GoalAction.DISPUTE})


def next_state(state: str, action: str) -> GoalState | None:
    """The state after ``action``, or None when the move is not allowed from ``state``."""
    try:
        return TRANSITIONS.get((GoalState(state), GoalAction(action)))
    except ValueError:
        return None


def allowed_actions(state: str) -> list[GoalAction]:
    """Every move allowed from ``state``, in a stable order."""
    return [action for action in GoalAction if next_state(state, action) is not None]
