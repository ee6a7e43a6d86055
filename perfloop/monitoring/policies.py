"""Who may act on alerts, rules, closes, deliveries and webhooks (used by the API, pages and services)."""

from __future__ import annotations

import rules

from perfloop.accounts.models import Role, User
from perfloop.accounts.policies import is_hr_of_whole_organisation
from perfloop.accounts.selectors import employee_scope_for
from perfloop.monitoring.models import Alert

# Roles that act on other people's alerts (a rep can read their own, never close it).
_ALERT_ROLES = {Role.MANAGER, Role.HRBP}


def _is_active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def can_act_on_alert(user: User, alert: Alert | None) -> bool:
    """Acknowledge or resolve: the person's manager (their subtree) or an HRBP covering them — never the
    person themself, even when they are a manager."""
    if alert is None or not _is_active(user) or user.role not in _ALERT_ROLES:
        return False
    if alert.employee.user_id == user.pk:
        return False
    return employee_scope_for(viewer=user).filter(pk=alert.employee_id).exists()


@rules.predicate
def can_edit_alert_rules(user: User) -> bool:
    """Alert rules are company policy: HR of the whole organisation edits them."""
    return is_hr_of_whole_organisation(user)


@rules.predicate
def can_close_month(user: User) -> bool:
    """Running the monthly close by hand (it scores and alerts everyone) is for HR of the whole organisation;
    the schedule runs it as the system."""
    return is_hr_of_whole_organisation(user)


@rules.predicate
def can_view_deliveries(user: User) -> bool:
    return _is_active(user) and user.role == Role.HRBP


@rules.predicate
def can_manage_webhooks(user: User) -> bool:
    """A webhook sends people's alerts (names, numbers, KPIs) out of perfloop: only HR of the whole
    organisation decides where they go — not HR of one part, not a system admin (who sees no performance
    data and may not route it elsewhere)."""
    return is_hr_of_whole_organisation(user)


rules.add_perm("monitoring.act_on_alert", can_act_on_alert)
rules.add_perm("monitoring.change_alertrule", can_edit_alert_rules)
rules.add_perm("monitoring.close_month", can_close_month)
rules.add_perm("monitoring.view_delivery", can_view_deliveries)
rules.add_perm("monitoring.manage_webhooks", can_manage_webhooks)
