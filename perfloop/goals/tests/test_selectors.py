"""Whom the goal grid offers a target."""

from __future__ import annotations

import pytest

from perfloop.goals.selectors import team_grid_for
from perfloop.goals.tests.factories import MARCH, kpi, published_goal, team_members
from perfloop.org.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db


def test_the_grid_offers_targets_to_sales_positions_and_keeps_anyone_who_has_a_goal(hr_director, org):
    reps = team_members(org.team_east, 2)
    clerk_position = PositionFactory(code="hr_admin", name="人事专员", is_sales=False)
    clerk, assistant = team_members(org.team_east, 2, position=clerk_position)
    published_goal(actor=hr_director, employee=assistant, value="1000", month=MARCH)

    grid = team_grid_for(viewer=hr_director, team=org.team_east, month=MARCH, kpi=kpi())

    shown = {row.employee for row in grid.rows}
    assert set(reps) <= shown
    assert clerk not in shown  # not a sales position: no revenue target offered
    assert assistant in shown  # but a goal they have stays in sight
