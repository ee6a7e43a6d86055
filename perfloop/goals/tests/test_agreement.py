"""The agreement state machine as a table: every allowed move, and every other one refused."""

import itertools

import pytest

from perfloop.goals.agreement import TRANSITIONS, GoalAction, GoalState, allowed_actions, next_state

ALLOWED = {
    ("draft", "publish"): "published",
    ("draft", "revise"): "draft",
    ("published", "confirm"): "confirmed",
    ("published", "dispute"): "disputed",
    ("published", "revise"): "published",
    ("disputed", "answer"): "published",
    ("confirmed", "revise"): "published",
}


@pytest.mark.parametrize(("state", "action"), list(itertools.product(GoalState, GoalAction)))
def test_every_move_is_allowed_or_refused_as_designed(state, action):
    assert next_state(state, action) == ALLOWED.get((state.value, action.value))


def test_the_table_holds_exactly_the_designed_moves():
    assert {(s.value, a.value): t.value for (s, a), t in TRANSITIONS.items()} == ALLOWED


def test_confirmed_goals_only_change_through_a_new_version():
    assert allowed_actions("confirmed") == [GoalAction.REVISE]


def test_unknown_states_and_actions_are_refused():
    assert next_state("archived", "publish") is None
    assert next_state("draft", "delete") is None
