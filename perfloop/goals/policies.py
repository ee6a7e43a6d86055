"""Who may do what with goals — the same predicates for the web pages, the API, the CLI and the services.

Managers manage the goals of the people in their subtree and HRBPs those in their scope, never their
own (a person's goal is set by someone else and accepted by them). Everyone answers for their own
goals only: confirming or disputing is the person's act. Executives see aggregates; system admins
nothing.
"""

from __future__ import annotations

from typing import Any

import rules

from perfloop.accounts.models import Role, User
from perfloop.accounts.selectors import employee_scope_for, org_unit_scope_for
from perfloop.goals.models import Goal, TargetPlan
from perfloop.org.models import Employee, OrgUnit

MANAGING_ROLES = frozenset({Role.MANAGER, Role.HRBP})
SUMMARY_ROLES = frozenset({Role.MANAGER, Role.HRBP, Role.EXECUTIVE})


def _is_active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def can_manage_goals(user: User) -> bool:
    """Sets, publishes and answers goals at all (managers and HRBPs)."""
    return _is_active(user) and user.role in MANAGING_ROLES


@rules.predicate
def can_manage_goals_of(user: User, employee: Employee | None) -> bool:
    """Sets and changes this person's goals: a manager of their subtree or their HRBP, never themself."""
    if employee is None or not can_manage_goals(user) or employee.user_id == user.pk:
        return False
    return employee_scope_for(viewer=user).filter(pk=employee.pk).exists()


@rules.predicate
def can_view_goals_of(user: User, employee: Employee | None) -> bool:
    """Sees this person's goals and their history: themself, their managers, their HRBP."""
    if employee is None or not _is_active(user):
        return False
    return employee_scope_for(viewer=user).filter(pk=employee.pk).exists()


@rules.predicate
def can_respond_to_goal(user: User, goal: Goal | None) -> bool:
    """Confirms or disputes this goal: only the person it belongs to."""
    return goal is not None and _is_active(user) and goal.employee.user_id == user.pk


@rules.predicate
def can_view_goal_summary(user: User) -> bool:
    """Sees goal-agreement counts per unit (no names): managers, HRBPs, executives."""
    return _is_active(user) and user.role in SUMMARY_ROLES


@rules.predicate
def can_manage_templates(user: User) -> bool:
    """Templates are shared configuration of the people who set goals."""
    return can_manage_goals(user)


@rules.predicate
def can_plan_for_unit(user: User, unit: OrgUnit | None) -> bool:
    """Makes a plan whose top is this unit: it lies in the subtree the manager heads or the HRBP covers."""
    if unit is None or not can_manage_goals(user):
        return False
    return org_unit_scope_for(viewer=user).filter(pk=unit.pk).exists()


@rules.predicate
def can_manage_plan(user: User, plan: TargetPlan | None) -> bool:
    return plan is not None and can_plan_for_unit(user, plan.root_unit)


rules.add_perm("goals.manage_goals", can_manage_goals)
rules.add_perm("goals.manage_goals_of", can_manage_goals_of)
rules.add_perm("goals.view_goals_of", can_view_goals_of)
rules.add_perm("goals.respond_to_goal", can_respond_to_goal)
rules.add_perm("goals.view_goal_summary", can_view_goal_summary)
rules.add_perm("goals.manage_plan", can_manage_plan)
