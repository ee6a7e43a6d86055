"""Reads of alerts, rules, closes and deliveries — every one scoped to the viewer like scorecards are.

A rep sees their own alerts; a manager those of their subtree; an HRBP those of the units they cover;
executives get counts only (their unit scope), never a person's alert.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from perfloop.accounts.models import Role, User
from perfloop.accounts.policies import is_hr_of_whole_organisation
from perfloop.accounts.selectors import (
    can_see_individuals,
    employee_scope_for,
    org_unit_scope_for,
    scope_unit_paths_for,
)
from perfloop.core.errors import NotFound
from perfloop.core.months import Month
from perfloop.metrics.models import Scorecard
from perfloop.metrics.selectors import MIN_GROUP_SIZE
from perfloop.monitoring.models import (
    Alert,
    AlertRule,
    AlertState,
    Delivery,
    MonthClose,
    Severity,
    WebhookEndpoint,
)
from perfloop.org.models import Employee, OrgUnit

NEEDS_ATTENTION_MONTHS = 3
"""Three consecutive months not met puts a person on the "needs attention" list (the warning rule)."""


def _is_hr(viewer: User) -> bool:
    return bool(viewer.is_authenticated and viewer.is_active and viewer.role == Role.HRBP)


def alert_list_for(
    *,
    viewer: User,
    state: str | None = None,
    month: Month | None = None,
    unit: OrgUnit | None = None,
    employee: Employee | None = None,
    severity: str | None = None,
) -> QuerySet[Alert]:
    """Alerts of people the viewer may see individually, newest month first; filters are optional.

    ``state`` is one of ``AlertState`` or ``"active"`` (open or acknowledged); ``unit`` keeps the
    unit's whole subtree (by the team the person was in that month).
    """
    alerts = Alert.objects.filter(employee__in=employee_scope_for(viewer=viewer))
    if state == "active":
        alerts = alerts.exclude(state=AlertState.RESOLVED)
    elif state:
        alerts = alerts.filter(state=state)
    if month is not None:
        alerts = alerts.filter(month=month)
    if unit is not None:
        alerts = alerts.filter(org_unit__path__startswith=unit.path)
    if employee is not None:
        alerts = alerts.filter(employee=employee)
    if severity:
        alerts = alerts.filter(severity=severity)
    return alerts.select_related("rule", "employee", "org_unit", "acknowledged_by", "resolved_by").order_by(
        "-month", "org_unit__path", "employee__employee_number", "rule__months", "pk"
    )


def alert_get_for(*, viewer: User, alert_id: int) -> Alert:
    """One alert, or NotFound — the same answer whether it does not exist or is out of scope."""
    alert = alert_list_for(viewer=viewer).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(_("No such alert in your scope."))
    return alert


@dataclass(frozen=True)
class AlertCounts:
    """How many alerts, by state and severity; ``escalated`` counts unresolved escalated ones."""

    total: int = 0
    open: int = 0
    acknowledged: int = 0
    resolved: int = 0
    escalated: int = 0
    warning: int = 0
    long_term: int = 0
    people: int = 0
    by_unit: dict[int, int] = field(default_factory=dict)
    is_hidden: bool = False  # a group too small to count for a viewer who sees no individuals

    @property
    def active(self) -> int:
        return self.open + self.acknowledged


def _countable_alerts(viewer: User) -> QuerySet[Alert]:
    """Alerts the viewer may count: people they see, plus every alert of units whose aggregates they see."""
    return Alert.objects.filter(
        Q(employee__in=employee_scope_for(viewer=viewer)) | Q(org_unit__in=org_unit_scope_for(viewer=viewer))
    )


def alert_counts_for(
    *, viewer: User, month: Month | None = None, unit: OrgUnit | None = None, state: str | None = None
) -> AlertCounts:
    """Alert counts in the viewer's scope (executives included: counts are aggregates), in one query.

    ``by_unit`` maps each team (the alert's unit that month) to its number of alerts.
    """
    alerts = _countable_alerts(viewer)
    if month is not None:
        alerts = alerts.filter(month=month)
    if unit is not None:
        alerts = alerts.filter(org_unit__path__startswith=unit.path)
    if state == "active":
        alerts = alerts.exclude(state=AlertState.RESOLVED)
    elif state:
        alerts = alerts.filter(state=state)
    rows = list(alerts.values_list("org_unit_id", "state", "severity", "escalated_at", "employee_id"))
    states = Counter(row[1] for row in rows)
    severities = Counter(row[2] for row in rows)
    return AlertCounts(
        total=len(rows),
        open=states[AlertState.OPEN],
        acknowledged=states[AlertState.ACKNOWLEDGED],
        resolved=states[AlertState.RESOLVED],
        escalated=sum(1 for row in rows if row[3] is not None and row[1] != AlertState.RESOLVED),
        warning=severities[Severity.WARNING],
        long_term=severities[Severity.LONG_TERM],
        people=len({row[4] for row in rows}),
        by_unit=dict(Counter(row[0] for row in rows)),
    )


def alert_counts_shown_for(
    *, viewer: User, month: Month | None = None, unit: OrgUnit | None = None
) -> AlertCounts:
    """The counts as the API answers them. To a viewer who sees no individuals (an executive), a group of
    fewer than MIN_GROUP_SIZE people shows nothing (``is_hidden``): "1 alert, 1 person" in a team of one
    names that person. ``by_unit`` is then left out whenever one of its teams is that small, since the
    total minus the other teams would give it away."""
    counts = alert_counts_for(viewer=viewer, month=month, unit=unit)
    if can_see_individuals(viewer=viewer) or scope_unit_paths_for(viewer=viewer) == []:
        return counts  # the people they count are people they see (a rep: themself)
    units = org_unit_scope_for(viewer=viewer)
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
    members = Employee.objects.filter(org_unit__in=units).exclude(status=Employee.Status.LEFT)
    if members.count() < MIN_GROUP_SIZE:
        return AlertCounts(is_hidden=True)
    sizes = dict(
        members.filter(org_unit_id__in=list(counts.by_unit))
        .values("org_unit_id")
        .annotate(people=Count("pk"))
        .values_list("org_unit_id", "people")
    )
    if any(sizes.get(unit_id, 0) < MIN_GROUP_SIZE for unit_id in counts.by_unit):
        return dataclasses.replace(counts, by_unit={})
    return counts


def alert_counts_by_unit_for(
    *, viewer: User, month: Month, units: list[OrgUnit], state: str | None = "active"
) -> dict[int, AlertCounts]:
    """Counts rolled up over each given unit's subtree (a department sums its teams), in one query."""
    counts = alert_counts_for(viewer=viewer, month=month, state=state)
    if not counts.total:
        return {unit.pk: AlertCounts() for unit in units}
    alerts = _countable_alerts(viewer).filter(month=month)
    if state == "active":
        alerts = alerts.exclude(state=AlertState.RESOLVED)
    elif state:
        alerts = alerts.filter(state=state)
    rows = list(
        alerts.values_list(
            "org_unit__path", "org_unit_id", "state", "severity", "escalated_at", "employee_id"
        )
    )
    result: dict[int, AlertCounts] = {}
    for unit in units:
        mine = [row for row in rows if row[0].startswith(unit.path)]
        states = Counter(row[2] for row in mine)
        severities = Counter(row[3] for row in mine)
        result[unit.pk] = AlertCounts(
            total=len(mine),
            open=states[AlertState.OPEN],
            acknowledged=states[AlertState.ACKNOWLEDGED],
            resolved=states[AlertState.RESOLVED],
            escalated=sum(1 for row in mine if row[4] is not None and row[2] != AlertState.RESOLVED),
            warning=severities[Severity.WARNING],
            long_term=severities[Severity.LONG_TERM],
            people=len({row[5] for row in mine}),
            by_unit=dict(Counter(row[1] for row in mine)),
        )
    return result


def needs_attention_list_for(
    *, viewer: User, month: Month, unit: OrgUnit | None = None, min_months: int = NEEDS_ATTENTION_MONTHS
) -> QuerySet[Scorecard]:
    """People with ``min_months``+ consecutive months not met at ``month``: longest streak first.

    Returns the month's scorecards (``streak_below`` is the run length), each annotated with
    ``active_alerts`` (open or acknowledged alerts of the person); the improvement-plan flow starts here.
    """
    active = (
        Alert.objects.filter(employee_id=OuterRef("employee_id"))
        .exclude(state=AlertState.RESOLVED)
        .order_by()
        .values("employee_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cards = Scorecard.objects.filter(
        employee__in=employee_scope_for(viewer=viewer), month=month, streak_below__gte=min_months
    )
    if unit is not None:
        cards = cards.filter(org_unit__path__startswith=unit.path)
    return (
        cards.select_related("employee", "org_unit")
        .annotate(active_alerts=Coalesce(Subquery(active, output_field=IntegerField()), 0))
        .order_by("-streak_below", "org_unit__path", "employee__employee_number")
    )


def needs_attention_count_for(
    *, viewer: User, month: Month, unit: OrgUnit | None = None, min_months: int = NEEDS_ATTENTION_MONTHS
) -> int:
    """How many people need attention, for anyone who sees the unit's aggregates (executives too)."""
    cards = Scorecard.objects.filter(month=month, streak_below__gte=min_months).filter(
        Q(employee__in=employee_scope_for(viewer=viewer)) | Q(org_unit__in=org_unit_scope_for(viewer=viewer))
    )
    if unit is not None:
        cards = cards.filter(org_unit__path__startswith=unit.path)
    return cards.count()


def alert_rule_list(*, active_only: bool = False) -> QuerySet[AlertRule]:
    """The company's alert rules: configuration every signed-in user may read."""
    rules = AlertRule.objects.select_related("kpi")
    return rules.filter(is_active=True) if active_only else rules


def alert_rule_get(*, rule_id: int) -> AlertRule:
    rule = AlertRule.objects.select_related("kpi").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No such alert rule."))
    return rule


def month_close_list_for(*, viewer: User, month: Month | None = None) -> QuerySet[MonthClose]:
    """Close runs (company-wide counts) for HR of the whole organisation; newest first."""
    if not is_hr_of_whole_organisation(viewer):
        return MonthClose.objects.none()
    closes = MonthClose.objects.all()
    if month is not None:
        closes = closes.filter(month=month)
    return closes


def month_close_latest(*, month: Month | None = None) -> MonthClose | None:
    """The newest close run (of ``month`` when given): "closed at …" on the dashboards."""
    closes = MonthClose.objects.all()
    if month is not None:
        closes = closes.filter(month=month)
    return closes.order_by("-started_at", "-pk").first()


def _unit_scope_filter(viewer: User, prefix: str) -> Q:
    """Rows tied to a unit inside the viewer's HR scope; a null unit means 'the whole organisation'."""
    paths = scope_unit_paths_for(viewer=viewer)
    if paths is None:
        return Q()
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{prefix}__path__startswith": path})
    return condition


def delivery_list_for(*, viewer: User, status: str | None = None) -> QuerySet[Delivery]:
    """The delivery log for HR: messages about people in their scope (whole-organisation HR sees all)."""
    if not _is_hr(viewer):
        return Delivery.objects.none()
    deliveries = Delivery.objects.filter(_unit_scope_filter(viewer, "org_unit"))
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.select_related("endpoint").order_by("-created_at", "-pk")


def webhook_endpoint_list_for(*, viewer: User) -> QuerySet[WebhookEndpoint]:
    """Webhook endpoints, for HR of the whole organisation (who alone decides where alerts go); secrets
    never leave the services."""
    if not is_hr_of_whole_organisation(viewer):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.select_related("scope_unit")
