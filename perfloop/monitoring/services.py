"""Writes of monitoring: the monthly close, alert state changes, rules, escalation, webhooks and deliveries.

The close (`month_close`) is the one place alerts are raised and resolved by the system. It is
idempotent: a second close without new data recomputes nothing that changes, raises nothing, resolves
nothing and sends nothing — its `MonthClose` record says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import ExpressionWrapper, F, IntegerField, Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from perfloop.accounts.models import Role, User
from perfloop.audit.services import ChangeRecord, audit_change, audit_changes_bulk
from perfloop.core.bulk import bulk_read, chunked, stored_month_as_index
from perfloop.core.errors import DomainError, PermissionDenied
from perfloop.core.links import absolute_url
from perfloop.core.months import Month
from perfloop.imports.models import FactChange
from perfloop.metrics.models import Kpi, MonthlyFact, MonthlyTarget, Scorecard
from perfloop.metrics.services import RecomputeSummary, scorecards_recompute
from perfloop.monitoring import alert_rules
from perfloop.monitoring.channels import DeliveryError, Digest
from perfloop.monitoring.channels.email import email_send
from perfloop.monitoring.channels.inbox import inbox_send
from perfloop.monitoring.channels.webhooks import message_payload, webhook_post, webhook_request
from perfloop.monitoring.models import (
    Alert,
    AlertRule,
    AlertState,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    MonthClose,
    Resolution,
    RuleKind,
    Severity,
    WebhookEndpoint,
    WebhookKind,
)
from perfloop.monitoring.policies import (
    can_act_on_alert,
    can_close_month,
    can_edit_alert_rules,
    can_manage_webhooks,
)
from perfloop.org.models import Employee, OrgUnit

LOOKBACK_MONTHS = 24
"""Rules that compute their own streaks (a threshold, a KPI) read this many months before the close."""
RESTATEMENT_MARGIN = dt.timedelta(minutes=5)
"""Data written up to this long before a close started counts as new at the next close too: an import
that stamped its rows just before the close began but committed during it is never missed."""
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 60
RETRY_CAP_SECONDS = 3600
CLAIM_SECONDS = 300
"""A delivery being sent is claimed for this long, so that a second worker does not send it too."""
DIGEST_LINES = 50


class MonitoringError(DomainError):
    code = "monitoring_error"


class AlertStateError(MonitoringError):
    code = "invalid_transition"
    http_status = 409


@dataclass(frozen=True)
class CloseSummary:
    """What one close did; ``has_changes`` is False for a re-run without new data."""

    close_id: int
    month: Month
    recomputed_first: Month
    recomputed_last: Month
    restated_months: list[Month]
    scorecards_created: int
    scorecards_changed: int
    scorecards_unchanged: int
    alerts_raised: int
    alerts_moved: int
    alerts_reopened: int
    alerts_resolved: int
    notifications_sent: int
    deliveries_queued: int
    seconds: float

    @property
    def has_changes(self) -> bool:
        return bool(
            self.restated_months
            or self.scorecards_created
            or self.scorecards_changed
            or self.alerts_raised
            or self.alerts_moved
            or self.alerts_reopened
            or self.alerts_resolved
        )

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for key in ("month", "recomputed_first", "recomputed_last"):
            data[key] = str(data[key])
        data["restated_months"] = [str(m) for m in self.restated_months]
        data["has_changes"] = self.has_changes
        data["seconds"] = round(self.seconds, 3)
        return data


# --------------------------------------------------------------------------------------- monthly close


def month_close(*, actor: User | None, month: Month, notify: bool = True) -> CloseSummary:
    """Close a month: recompute its scorecards and any restated earlier month, evaluate the alert rules,
    raise and resolve alerts, notify managers and HRBPs, and record the run.

    ``notify=False`` closes without messaging anyone (inbox, e-mail, webhooks): for a history rebuilt after
    the fact, such as the demo company's past months, where a message about a month long gone would only
    mislead; the close records that it was silent."""
    if actor is not None and not can_close_month(actor):
        raise PermissionDenied(_("Only HR of the whole organisation may run the monthly close."))
    current = Month.of(timezone.localdate())
    if month >= current:
        # Scoring a month before its data is in raises alerts on half a month (and notifies people of them).
        raise MonitoringError(
            _("%(month)s has not ended yet: a month is closed once it is over (now at most %(latest)s).")
            % {"month": month, "latest": current - 1},
            code="month_not_over",
            month=str(month),
            latest=str(current - 1),
        )
    clock = time.perf_counter()
    with transaction.atomic():
        _lock_closes()
        started = timezone.now()
        previous = MonthClose.objects.order_by("-started_at", "-pk").first()
        candidates = _months_with_new_data(since=previous.data_as_of, before=month) if previous else []
        first = min([month, *candidates, *_unclosed_months(month)])
        timings = {"detect": time.perf_counter() - clock}
        recompute = scorecards_recompute(actor=actor, first=first, last=month)
        timings["recompute"] = time.perf_counter() - clock - sum(timings.values())
        restated = _restated_months(
            first=first, before=month, since=previous.started_at if previous else None
        )
        close = MonthClose.objects.create(
            month=month,
            actor=actor,
            started_at=started,
            finished_at=started,
            data_as_of=started - RESTATEMENT_MARGIN,
            recomputed_first=first,
            recomputed_last=month,
            restated_months=[str(m) for m in restated],
            scorecards_created=recompute.created,
            scorecards_changed=recompute.changed,
            scorecards_unchanged=recompute.unchanged,
        )
        applied = _alerts_evaluate(close=close, first=first, last=month, now=started)
        timings["alerts"] = time.perf_counter() - clock - sum(timings.values())
        notified, deliveries = _close_notify(close=close, applied=applied) if notify else (0, [])
        queued = _deliveries_queue(deliveries)
        timings["notify"] = time.perf_counter() - clock - sum(timings.values())
        close.alerts_raised = len(applied.raised)
        close.alerts_moved = applied.moved
        close.alerts_reopened = applied.reopened
        close.alerts_resolved = applied.resolved
        close.notifications_sent = notified
        close.deliveries_queued = len(queued)
        close.finished_at = timezone.now()
        close.details = {
            "recompute": recompute.as_dict(),
            "resolutions": applied.resolutions,
            "seconds": {name: round(value, 3) for name, value in timings.items()},
            **({} if notify else {"silent": True}),
        }
        close.save()
        audit_change(
            actor=actor,
            action="month.close",
            target=close,
            details={
                "month": str(month),
                "recomputed": [str(first), str(month)],
                "restated_months": close.restated_months,
                "alerts_raised": [a.pk for a in applied.raised],
                "alerts_resolved": close.alerts_resolved,
            },
        )
    return _summary(close, recompute, time.perf_counter() - clock)


def _summary(close: MonthClose, recompute: RecomputeSummary, seconds: float) -> CloseSummary:
    return CloseSummary(
        close_id=close.pk,
        month=close.month,
        recomputed_first=close.recomputed_first,
        recomputed_last=close.recomputed_last,
        restated_months=[Month.parse(m) for m in close.restated_months],
        scorecards_created=recompute.created,
        scorecards_changed=recompute.changed,
        scorecards_unchanged=recompute.unchanged,
        alerts_raised=close.alerts_raised,
        alerts_moved=close.alerts_moved,
        alerts_reopened=close.alerts_reopened,
        alerts_resolved=close.alerts_resolved,
        notifications_sent=close.notifications_sent,
        deliveries_queued=close.deliveries_queued,
        seconds=seconds,
    )


def _lock_closes() -> None:
    """Two closes never interleave: the rule rows are locked for the transaction (SQLite's IMMEDIATE
    transactions already serialise writers)."""
    if connection.vendor == "postgresql":
        list(AlertRule.objects.select_for_update().values_list("pk", flat=True))


def _months_with_new_data(*, since: dt.datetime, before: Month) -> list[Month]:
    """Months before ``before`` whose facts or targets were written (or facts removed) after ``since``."""
    months: set[Month] = set()
    for model in (MonthlyFact, MonthlyTarget):
        # "month + 0": a plain DISTINCT month lets SQLite walk the (month, kpi) index through every row;
        # an expression leaves it the (updated_at, month) index, read from ``since`` on alone.
        months.update(
            Month.from_int(value)
            for value in model.objects.filter(updated_at__gt=since)
            .annotate(month_number=ExpressionWrapper(F("month") + 0, output_field=IntegerField()))
            .order_by()
            .values_list("month_number", flat=True)
            .distinct()
            if value < before.as_int()
        )
    months.update(
        FactChange.objects.filter(created_at__gt=since, month__lt=before)
        .order_by()
        .values_list("month", flat=True)
        .distinct()
    )
    return sorted(months)


def _unclosed_months(month: Month) -> list[Month]:
    """The month after the last closed one, when months were skipped: their alerts are not lost."""
    value = MonthClose.objects.filter(month__lt=month).aggregate(last=Max("month"))["last"]
    if value is None:
        return []
    last_closed = value if isinstance(value, Month) else Month.from_int(value)
    return [last_closed + 1] if last_closed + 1 < month else []


def _restated_months(*, first: Month, before: Month, since: dt.datetime | None) -> list[Month]:
    """Earlier months whose scorecards changed since the previous close (by an import or by this close)."""
    if since is None or first >= before:
        return []
    return sorted(
        Scorecard.objects.filter(month__gte=first, month__lt=before, computed_at__gt=since)
        .order_by()
        .values_list("month", flat=True)
        .distinct()
    )


# ----------------------------------------------------------------------------------------- evaluation


@dataclass
class _Applied:
    raised: list[Alert] = field(default_factory=list)
    withdrawn: list[Alert] = field(default_factory=list)
    moved: int = 0
    reopened: int = 0
    resolved: int = 0
    resolutions: dict[str, int] = field(default_factory=dict)


def rule_spec(rule: AlertRule) -> alert_rules.RuleSpec:
    """The stored rule as the pure engine's plain values (raises RuleError when it cannot be evaluated)."""
    return alert_rules.RuleSpec(
        rule_id=rule.pk,
        kind=rule.kind,
        months=1 if rule.kind == RuleKind.COMPLETION_BELOW else rule.months,
        kpi=rule.kpi.code if rule.kpi is not None else None,
        threshold=None if rule.threshold is None else float(rule.threshold),
        factor=None if rule.factor is None else float(rule.factor),
        kpi_is_lower=rule.kpi is not None and rule.kpi.direction == "lower",
        resolves_on_recovery=rule.resolves_on_recovery,
    )


def _alerts_evaluate(*, close: MonthClose, first: Month, last: Month, now: dt.datetime) -> _Applied:
    rules = list(AlertRule.objects.filter(is_active=True).select_related("kpi"))
    applied = _Applied()
    if not rules:
        return applied
    specs = [rule_spec(rule) for rule in rules]
    history = (
        0 if all(s.uses_stored_streaks for s in specs) else LOOKBACK_MONTHS + max(s.months for s in specs)
    )
    loaded_first = first - history
    cards = _cards_frame(loaded_first, last)
    kpis = sorted({s.kpi for s in specs if s.kpi})
    lines = _lines_frame(loaded_first, last, kpis) if kpis else None
    episodes, flags = alert_rules.evaluate_rules(
        cards=cards, rules=specs, first=first.index, last=last.index, lines=lines
    )
    earliest = min([first.index, *episodes["start"].to_list()]) if episodes.height else first.index
    alerts = _alerts_frame([r.pk for r in rules], Month.from_index(earliest))
    departed = list(
        Alert.objects.exclude(state=AlertState.RESOLVED)
        .filter(rule__in=rules, employee__termination_date__lt=last.first_day)
        .values_list("employee_id", flat=True)
        .distinct()
    )
    plan = alert_rules.reconcile_alerts(
        episodes=episodes,
        flags=flags,
        alerts=alerts,
        rules=specs,
        first=first.index,
        last=last.index,
        departed=departed,
    )
    if plan.is_empty:
        return applied
    by_id = {rule.pk: rule for rule in rules}
    _plan_apply(plan, by_id, close, now, applied)
    return applied


def _cards_frame(first: Month, last: Month) -> pl.DataFrame:
    number = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    frame = bulk_read(
        f"SELECT employee_id, month, org_unit_id, CAST(composite AS {number}), CAST(is_met AS INTEGER), "  # noqa: S608
        f"streak_below FROM {Scorecard._meta.db_table} WHERE month >= %s AND month <= %s",
        [first.as_int(), last.as_int()],
        {
            "employee_id": pl.Int64,
            "month": pl.Int64,
            "team_id": pl.Int64,
            "composite": pl.Float64,
            "is_met": pl.Int64,
            "streak_below": pl.Int64,
        },
    )
    # Months are stored as YYYYMM; the engine counts months.
    return frame.with_columns(month=stored_month_as_index("month")).cast(alert_rules.CARD_COLUMNS)  # type: ignore[arg-type]


def _lines_frame(first: Month, last: Month, kpis: Sequence[str]) -> pl.DataFrame:
    """Actual and attainment of the given KPIs from the scorecards' stored lines."""
    data: list[tuple[int, int, str, float | None, float | None]] = []
    rows = Scorecard.objects.filter(month__gte=first, month__lte=last).values_list(
        "employee_id", "month", "attainments"
    )
    for employee_id, month, attainments in rows:
        for kpi in kpis:
            line = (attainments or {}).get(kpi)
            if line:
                actual, _target, attainment = line
                data.append(
                    (
                        employee_id,
                        month.index,
                        kpi,
                        None if actual is None else float(actual),
                        None if attainment is None else float(attainment),
                    )
                )
    return pl.DataFrame(data, schema=alert_rules.LINE_COLUMNS, orient="row")


def _alerts_frame(rule_ids: list[int], earliest: Month) -> pl.DataFrame:
    rows = Alert.objects.filter(rule_id__in=rule_ids).filter(
        ~Q(state=AlertState.RESOLVED) | Q(month__gte=earliest)
    )
    data = [
        (pk, rule_id, employee_id, month.index, state, resolution)
        for pk, rule_id, employee_id, month, state, resolution in rows.values_list(
            "pk", "rule_id", "employee_id", "month", "state", "resolution"
        )
    ]
    return pl.DataFrame(data, schema=alert_rules.ALERT_COLUMNS, orient="row")


def _in_chunks(queryset: Any, ids: Sequence[int]) -> list[Any]:
    """Rows by primary key, a few hundred ids a query (SQLite allows 999 parameters)."""
    return [row for chunk in chunked(ids) for row in queryset.filter(pk__in=chunk)]


def _decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    return Decimal(repr(value)).quantize(Decimal("0.0001"))


def _plan_apply(
    plan: alert_rules.AlertPlan,
    rules: dict[int, AlertRule],
    close: MonthClose,
    now: dt.datetime,
    applied: _Applied,
) -> None:
    created = [
        Alert(
            rule_id=row["rule_id"],
            employee_id=row["employee_id"],
            org_unit_id=row["team_id"],
            month=Month.from_index(row["month"]),
            episode_start=Month.from_index(row["start"]),
            severity=rules[row["rule_id"]].severity,
            value=_decimal(row["value"]),
            state=AlertState.RESOLVED if row["resolution"] else AlertState.OPEN,
            resolution=row["resolution"],
            resolved_at=now if row["resolution"] else None,
            raised_at=now,
            raised_by_close=close,
        )
        for row in plan.create
    ]
    Alert.objects.bulk_create(created, batch_size=2000)
    applied.raised = [a for a in created if a.state == AlertState.OPEN]
    for row in plan.create:
        if row["resolution"]:
            applied.resolutions[row["resolution"]] = applied.resolutions.get(row["resolution"], 0) + 1
    touched = {m["alert_id"] for m in plan.move} | set(plan.reopen) | {a for a, _ in plan.resolve}
    stored = {a.pk: a for a in _in_chunks(Alert.objects.all(), sorted(touched))}
    for move in plan.move:
        alert = stored[move["alert_id"]]
        before = alert.month
        alert.month = Month.from_index(move["month"])
        alert.episode_start = Month.from_index(move["start"])
        alert.restated_from = before
        alert.org_unit_id = move["team_id"]
        alert.value = _decimal(move["value"])
        alert.save(
            update_fields=["month", "episode_start", "restated_from", "org_unit", "value", "updated_at"]
        )
        audit_change(
            actor=None,
            action="alert.restate",
            target=alert,
            subject_employee_id=alert.employee_id,
            details={"from": str(before), "to": str(alert.month), "close": close.pk},
        )
        applied.moved += 1
    if plan.reopen:
        alerts_transition(
            alerts=[stored[i] for i in plan.reopen], to_state=AlertState.OPEN, actor=None, now=now
        )
        applied.reopened += len(plan.reopen)
    by_resolution: dict[str, list[Alert]] = {}
    for alert_id, resolution in plan.resolve:
        by_resolution.setdefault(resolution, []).append(stored[alert_id])
    for resolution, alerts in by_resolution.items():
        alerts_transition(
            alerts=alerts, to_state=AlertState.RESOLVED, actor=None, resolution=resolution, now=now
        )
        applied.resolved += len(alerts)
        applied.resolutions[resolution] = applied.resolutions.get(resolution, 0) + len(alerts)
        if resolution == Resolution.WITHDRAWN:
            applied.withdrawn += alerts


# ------------------------------------------------------------------------------------- alert states

_MOVES: dict[str, set[str]] = {
    AlertState.OPEN: {AlertState.ACKNOWLEDGED, AlertState.RESOLVED},
    AlertState.ACKNOWLEDGED: {AlertState.RESOLVED},
    AlertState.RESOLVED: {AlertState.OPEN},
}
_VERBS: dict[str, str] = {
    AlertState.ACKNOWLEDGED: "acknowledge",
    AlertState.RESOLVED: "resolve",
    AlertState.OPEN: "reopen",
}


def alert_transition(
    *,
    alert: Alert,
    to_state: str,
    actor: User | None,
    resolution: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Alert:
    """One alert's state change (see `alerts_transition`)."""
    return alerts_transition(
        alerts=[alert], to_state=to_state, actor=actor, resolution=resolution, note=note, now=now
    )[0]


def alerts_transition(
    *,
    alerts: Sequence[Alert],
    to_state: str,
    actor: User | None,
    resolution: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> list[Alert]:
    """The one way alerts change state: open → acknowledged → resolved (or open → resolved); only the close
    reopens an alert it had resolved itself, when restated data brings the condition back. Every alert is
    checked before any is changed; each change writes an audit event."""
    for alert in alerts:
        if to_state not in _MOVES[alert.state]:
            raise AlertStateError(
                _("This alert is %(state)s and cannot become %(target)s.")
                % {"state": alert.state, "target": to_state},
                state=alert.state,
                target=to_state,
            )
        if to_state == AlertState.OPEN and (actor is not None or alert.resolution == Resolution.HANDLED):
            raise AlertStateError(
                _("A resolved alert is reopened only by the monthly close."), state=alert.state
            )
    now = now or timezone.now()
    # Every alert of one call gets the same new values: one UPDATE a chunk, not a CASE per row.
    values: dict[str, Any] = {"state": to_state, "updated_at": now}
    if to_state == AlertState.ACKNOWLEDGED:
        values |= {"acknowledged_at": now, "acknowledged_by": actor}
    elif to_state == AlertState.RESOLVED:
        values |= {
            "resolved_at": now,
            "resolved_by": actor,
            "resolution": resolution or Resolution.HANDLED,
            "resolution_note": note,
        }
    else:
        values |= {"resolved_at": None, "resolved_by": None, "resolution": ""}
    records = []
    for alert in alerts:
        before = alert.state
        for name, value in values.items():
            setattr(alert, name, value)
        records.append(
            ChangeRecord(
                action=f"alert.{_VERBS[to_state]}",
                target_type=Alert._meta.label_lower,
                target_id=str(alert.pk),
                subject_employee_id=alert.employee_id,
                details={"from": before, "to": to_state, "resolution": alert.resolution, "note": note},
            )
        )
    for chunk in chunked([alert.pk for alert in alerts]):
        Alert.objects.filter(pk__in=chunk).update(**values)
    # The rows audit_change would write, in one statement: a close may resolve thousands at once.
    audit_changes_bulk(actor=actor, records=records)
    return list(alerts)


def _act(*, actor: User, alert: Alert, to_state: str, note: str) -> Alert:
    if not can_act_on_alert(actor, alert):
        raise PermissionDenied(_("You may not change this alert."))
    with transaction.atomic():
        locked = Alert.objects.select_for_update().select_related("employee").get(pk=alert.pk)
        return alert_transition(alert=locked, to_state=to_state, actor=actor, note=note)


def alert_acknowledge(*, actor: User, alert: Alert, note: str = "") -> Alert:
    """The manager or HRBP has seen the alert and is on it (stops the escalation clock)."""
    return _act(actor=actor, alert=alert, to_state=AlertState.ACKNOWLEDGED, note=note)


def alert_resolve(*, actor: User, alert: Alert, note: str = "") -> Alert:
    """Close an alert by hand, with a note of what was done (a plan, a talk, a data error)."""
    return _act(actor=actor, alert=alert, to_state=AlertState.RESOLVED, note=note)


# ------------------------------------------------------------------------------------------ escalation


@dataclass(frozen=True)
class EscalationSummary:
    escalated: int
    notifications_sent: int
    deliveries_queued: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def alerts_escalate_overdue(*, now: dt.datetime | None = None) -> EscalationSummary:
    """Alerts still open (not acknowledged) ``escalate_after_days`` after they were raised go to the HRBPs
    covering the person; each alert escalates once."""
    now = now or timezone.now()
    with transaction.atomic():
        overdue: list[Alert] = []
        for rule in AlertRule.objects.all():
            overdue += list(
                Alert.objects.select_for_update()
                .filter(
                    rule=rule,
                    state=AlertState.OPEN,
                    escalated_at__isnull=True,
                    raised_at__lte=now - dt.timedelta(days=rule.escalate_after_days),
                )
                .select_related("rule", "employee", "org_unit")
            )
        if not overdue:
            return EscalationSummary(0, 0, 0)
        Alert.objects.filter(pk__in=[a.pk for a in overdue]).update(escalated_at=now)
        for alert in overdue:
            alert.escalated_at = now
            audit_change(
                actor=None,
                action="alert.escalate",
                target=alert,
                subject_employee_id=alert.employee_id,
                details={"raised_at": alert.raised_at.isoformat(), "days": alert.rule.escalate_after_days},
            )
        key = "escalation:" + hashlib.sha256(",".join(str(a.pk) for a in overdue).encode()).hexdigest()[:24]
        recipients = _recipients(overdue, managers=False)
        notified, deliveries = _send_digests(
            recipients, key=key, kind="alert.escalated", builder=_escalation_digest
        )
        queued = _deliveries_queue(deliveries)
    return EscalationSummary(len(overdue), notified, len(queued))


# ------------------------------------------------------------------------------------------ rules


_RULE_FIELDS = (
    "name",
    "name_en",
    "kind",
    "severity",
    "kpi",
    "months",
    "threshold",
    "factor",
    "escalate_after_days",
    "resolves_on_recovery",
    "is_active",
)


def _rule_snapshot(rule: AlertRule) -> dict[str, Any]:
    return {
        name: (rule.kpi.code if rule.kpi is not None else None)
        if name == "kpi"
        else (str(getattr(rule, name)) if isinstance(getattr(rule, name), Decimal) else getattr(rule, name))
        for name in _RULE_FIELDS
    }


def _rule_validate(rule: AlertRule) -> None:
    if rule.kind not in RuleKind.values:
        raise MonitoringError(_("Unknown rule kind."), code="unknown_kind", kind=rule.kind)
    if rule.severity not in Severity.values:
        raise MonitoringError(_("Unknown severity."), code="unknown_severity", severity=rule.severity)
    if not rule.name.strip():
        raise MonitoringError(_("A rule needs a name."), code="missing_name")
    try:
        rule_spec(rule)
    except alert_rules.RuleError as exc:
        raise MonitoringError(_(exc.template) % exc.params, code=exc.code, **exc.params) from exc


def _rule_assign(rule: AlertRule, changes: dict[str, Any]) -> None:
    unknown = sorted(set(changes) - set(_RULE_FIELDS))
    if unknown:
        raise MonitoringError(_("Unknown rule fields."), code="unknown_field", fields=unknown)
    for name, value in changes.items():
        if name == "kpi":
            kpi = None
            if value:
                kpi = Kpi.objects.filter(code=value).first()
                if kpi is None:
                    raise MonitoringError(_("Unknown KPI code."), code="unknown_kpi", kpi=value)
            rule.kpi = kpi
        elif name in ("threshold", "factor"):
            setattr(rule, name, None if value is None else Decimal(str(value)))
        else:
            setattr(rule, name, value)


@transaction.atomic
def alert_rule_update(*, actor: User, rule: AlertRule, **changes: Any) -> AlertRule:
    """HR changes a rule; it applies from the next close on (alerts already raised stay as they are)."""
    if not can_edit_alert_rules(actor):
        raise PermissionDenied(_("Only HR of the whole organisation may change alert rules."))
    rule = AlertRule.objects.select_for_update(of=("self",)).select_related("kpi").get(pk=rule.pk)
    before = _rule_snapshot(rule)
    _rule_assign(rule, changes)
    _rule_validate(rule)
    rule.updated_by = actor
    rule.save()
    audit_change(
        actor=actor,
        action="alert_rule.update",
        target=rule,
        details={"before": before, "after": _rule_snapshot(rule)},
    )
    return rule


@transaction.atomic
def alert_rule_create(*, actor: User, code: str, **fields: Any) -> AlertRule:
    """HR adds a rule (e.g. new customers below 50% of the team average)."""
    if not can_edit_alert_rules(actor):
        raise PermissionDenied(_("Only HR of the whole organisation may change alert rules."))
    if AlertRule.objects.filter(code=code).exists():
        raise MonitoringError(_("A rule with this code exists."), code="duplicate_code", rule=code)
    rule = AlertRule(code=code, name="", kind="", severity=Severity.WARNING)
    _rule_assign(rule, fields)
    _rule_validate(rule)
    rule.updated_by = actor
    rule.save()
    audit_change(actor=actor, action="alert_rule.create", target=rule, details=_rule_snapshot(rule))
    return rule


# ------------------------------------------------------------------------------------------ webhooks


def _endpoint_validate(endpoint: WebhookEndpoint) -> None:
    if endpoint.kind not in WebhookKind.values:
        raise MonitoringError(_("Unknown webhook kind."), code="unknown_webhook_kind", kind=endpoint.kind)
    if not endpoint.url.startswith(("https://", "http://")):
        raise MonitoringError(_("A webhook URL must start with https://."), code="invalid_url")


def _endpoint_snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "name": endpoint.name,
        "kind": endpoint.kind,
        "url": redact_url(endpoint.url),
        "has_secret": bool(endpoint.secret),
        "scope_unit": endpoint.scope_unit_id,
        "is_active": endpoint.is_active,
    }


@transaction.atomic
def webhook_endpoint_create(
    *,
    actor: User,
    name: str,
    kind: str,
    url: str,
    secret: str = "",
    scope_unit: OrgUnit | None = None,
    is_active: bool = True,
) -> WebhookEndpoint:
    """Connect a group chat; the audit log keeps the host, never the key or secret."""
    if not can_manage_webhooks(actor):
        raise PermissionDenied(_("Only HR of the whole organisation may configure webhooks."))
    endpoint = WebhookEndpoint(
        name=name, kind=kind, url=url, secret=secret, scope_unit=scope_unit, is_active=is_active
    )
    _endpoint_validate(endpoint)
    endpoint.save()
    audit_change(actor=actor, action="webhook.create", target=endpoint, details=_endpoint_snapshot(endpoint))
    return endpoint


@transaction.atomic
def webhook_endpoint_update(*, actor: User, endpoint: WebhookEndpoint, **changes: Any) -> WebhookEndpoint:
    if not can_manage_webhooks(actor):
        raise PermissionDenied(_("Only HR of the whole organisation may configure webhooks."))
    allowed = {"name", "kind", "url", "secret", "scope_unit", "is_active"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise MonitoringError(_("Unknown webhook fields."), code="unknown_field", fields=unknown)
    before = _endpoint_snapshot(endpoint)
    for name, value in changes.items():
        setattr(endpoint, name, value)
    _endpoint_validate(endpoint)
    endpoint.save()
    audit_change(
        actor=actor,
        action="webhook.update",
        target=endpoint,
        details={"before": before, "after": _endpoint_snapshot(endpoint)},
    )
    return endpoint


def redact_url(url: str) -> str:
    """Scheme, host and path only: WeCom and DingTalk put their key in the query."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


# -------------------------------------------------------------------------------------- notifications


@dataclass
class _Recipient:
    user: User
    alerts: list[Alert] = field(default_factory=list)
    withdrawn: list[Alert] = field(default_factory=list)
    is_manager: bool = False


def _recipients(
    alerts: Iterable[Alert], *, managers: bool, withdrawn: Iterable[Alert] = ()
) -> dict[int, _Recipient]:
    """Who hears about each alert: the head of the person's unit (the nearest head above them who is not
    themself) when ``managers``, and every active HRBP whose scope covers the person."""
    items = [(a, False) for a in alerts] + [(a, True) for a in withdrawn]
    if not items:
        return {}
    employees = {
        e.pk: e
        for e in Employee.objects.filter(pk__in={a.employee_id for a, _ in items}).select_related("org_unit")
    }
    unit_ids = {
        int(part) for e in employees.values() for part in e.org_unit.path.strip("/").split("/") if part
    }
    heads = {
        unit_id: (head_id, user_id)
        for unit_id, head_id, user_id in OrgUnit.objects.filter(pk__in=unit_ids).values_list(
            "pk", "head_id", "head__user_id"
        )
    }
    users = {
        u.pk: u
        for u in User.objects.filter(
            Q(pk__in=[uid for _, uid in heads.values() if uid]) | Q(role=Role.HRBP), is_active=True
        ).select_related("scope_unit")
    }
    hrbps = [u for u in users.values() if u.role == Role.HRBP]
    out: dict[int, _Recipient] = {}
    for alert, is_withdrawn in items:
        employee = employees[alert.employee_id]
        targets: list[tuple[User, bool]] = []
        if managers:
            path_ids = [int(p) for p in employee.org_unit.path.strip("/").split("/") if p]
            for unit_id in reversed(path_ids):
                head_id, user_id = heads.get(unit_id, (None, None))
                if head_id and head_id != employee.pk and user_id in users:
                    targets.append((users[user_id], True))
                    break
        targets += [
            (u, False)
            for u in hrbps
            if u.scope_unit is None or employee.org_unit.path.startswith(u.scope_unit.path)
        ]
        for user, is_manager in targets:
            if user.pk == employee.user_id:
                continue
            recipient = out.setdefault(user.pk, _Recipient(user=user))
            recipient.is_manager = recipient.is_manager or is_manager
            (recipient.withdrawn if is_withdrawn else recipient.alerts).append(alert)
    return out


def _link(name: str, **kwargs: Any) -> str:
    try:
        return absolute_url(reverse(name, kwargs=kwargs or None))
    except NoReverseMatch:
        return ""


def _alert_line(alert: Alert, language: str) -> str:
    return _("%(name)s (%(number)s), %(unit)s: %(rule)s since %(start)s, alert month %(month)s") % {
        "name": alert.employee.name,
        "number": alert.employee.employee_number,
        "unit": alert.org_unit.name
        if language.startswith("zh")
        else (alert.org_unit.name_en or alert.org_unit.name),
        "rule": alert.rule.name_for(language),
        "start": alert.episode_start,
        "month": alert.month,
    }


def _clip_lines(lines: list[str]) -> list[str]:
    if len(lines) <= DIGEST_LINES:
        return lines
    more = len(lines) - DIGEST_LINES
    return [
        *lines[:DIGEST_LINES],
        ngettext("… and %(count)d more", "… and %(count)d more", more) % {"count": more},
    ]


def _close_digest(recipient: _Recipient, month: Month, language: str) -> Digest:
    lines = [_alert_line(a, language) for a in recipient.alerts]
    lines += [
        _("Withdrawn after restated data: %(line)s") % {"line": _alert_line(a, language)}
        for a in recipient.withdrawn
    ]
    count = len(recipient.alerts)
    if count:
        title = ngettext(
            "%(count)d new performance alert (%(month)s)",
            "%(count)d new performance alerts (%(month)s)",
            count,
        ) % {"count": count, "month": month}
    else:
        title = _("Performance alerts withdrawn (%(month)s)") % {"month": month}
    units = {a.org_unit_id for a in recipient.alerts + recipient.withdrawn}
    link = (
        _link("monitoring:team_dashboard", unit_id=next(iter(units)))
        if recipient.is_manager and len(units) == 1
        else _link("monitoring:org_overview")
    )
    return Digest(title=title, lines=_clip_lines(lines), link=link)


def _escalation_digest(recipient: _Recipient, month: Month | None, language: str) -> Digest:
    count = len(recipient.alerts)
    title = ngettext(
        "%(count)d alert not acknowledged in time", "%(count)d alerts not acknowledged in time", count
    ) % {"count": count}
    lines = [_alert_line(a, language) for a in recipient.alerts]
    return Digest(title=title, lines=_clip_lines(lines), link=_link("monitoring:org_overview"))


def _common_unit(alerts: Sequence[Alert]) -> int | None:
    """The deepest unit above every alert's team: the delivery log's scope for HR."""
    paths = [a.org_unit.path.strip("/").split("/") for a in alerts if a.org_unit.path]
    if not paths:
        return None
    common: list[str] = []
    for parts in zip(*paths, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return int(common[-1]) if common and common[-1] else None


def _send_digests(
    recipients: dict[int, _Recipient], *, key: str, kind: str, builder: Any, month: Month | None = None
) -> tuple[int, list[Delivery]]:
    deliveries: list[Delivery] = []
    for recipient in recipients.values():
        language = recipient.user.preferred_language or settings.LANGUAGE_CODE
        with translation.override(language):
            digest = builder(recipient, month, language)
            inbox_send(recipient=recipient.user, kind=kind, digest=digest)
        if recipient.user.email:
            body = digest.as_text()
            deliveries.append(
                Delivery(
                    channel=DeliveryChannel.EMAIL,
                    recipient=recipient.user,
                    target=recipient.user.email,
                    org_unit_id=_common_unit(recipient.alerts + recipient.withdrawn),
                    dedupe_key=key,
                    kind=kind,
                    subject=digest.title[:200],
                    payload=body,
                    payload_sha256=hashlib.sha256(body.encode()).hexdigest(),
                )
            )
    return len(recipients), deliveries


def _close_notify(*, close: MonthClose, applied: _Applied) -> tuple[int, list[Delivery]]:
    if not applied.raised and not applied.withdrawn:
        return 0, []
    raised = list(
        Alert.objects.filter(pk__in=[a.pk for a in applied.raised]).select_related(
            "rule", "employee", "org_unit"
        )
    )
    withdrawn = list(
        Alert.objects.filter(pk__in=[a.pk for a in applied.withdrawn]).select_related(
            "rule", "employee", "org_unit"
        )
    )
    recipients = _recipients(raised, managers=True, withdrawn=withdrawn)
    notified, deliveries = _send_digests(
        recipients, key=f"close:{close.pk}", kind="alert.raised", builder=_close_digest, month=close.month
    )
    deliveries += _webhook_deliveries(raised, withdrawn, key=f"close:{close.pk}", month=close.month)
    return notified, deliveries


def _webhook_deliveries(
    raised: Sequence[Alert], withdrawn: Sequence[Alert], *, key: str, month: Month
) -> list[Delivery]:
    deliveries = []
    for endpoint in WebhookEndpoint.objects.filter(is_active=True).select_related("scope_unit"):
        prefix = endpoint.scope_unit.path if endpoint.scope_unit else ""
        mine = [a for a in raised if a.org_unit.path.startswith(prefix)]
        gone = [a for a in withdrawn if a.org_unit.path.startswith(prefix)]
        if not mine and not gone:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            digest = _close_digest(
                _Recipient(user=User(), alerts=mine, withdrawn=gone), month, settings.LANGUAGE_CODE
            )
        digest = Digest(title=f"perfloop · {digest.title}", lines=digest.lines)
        payload = json.dumps(message_payload(endpoint.kind, digest), ensure_ascii=False, sort_keys=True)
        deliveries.append(
            Delivery(
                channel=DeliveryChannel.WEBHOOK,
                endpoint=endpoint,
                target=redact_url(endpoint.url)[:300],
                org_unit=endpoint.scope_unit,
                dedupe_key=f"{key}:endpoint:{endpoint.pk}",
                kind="alert.raised",
                subject=digest.title[:200],
                payload=payload,
                payload_sha256=hashlib.sha256(payload.encode()).hexdigest(),
            )
        )
    return deliveries


def _deliveries_queue(deliveries: Sequence[Delivery]) -> list[int]:
    """Log the deliveries and send them after commit: a rolled-back close sends nothing. An event already
    logged for a target (same dedupe key) is not queued twice."""
    if not deliveries:
        return []
    Delivery.objects.bulk_create(list(deliveries), batch_size=1000, ignore_conflicts=True)
    ids = list(
        Delivery.objects.filter(
            dedupe_key__in={d.dedupe_key for d in deliveries}, status=DeliveryStatus.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )

    def enqueue() -> None:
        from perfloop.monitoring.tasks import deliveries_send_task

        deliveries_send_task.enqueue(delivery_ids=ids)

    if ids:
        transaction.on_commit(enqueue)
    return ids


# -------------------------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class DeliveryRun:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: 1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failed attempt, at most an hour."""
    return dt.timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS))


def deliveries_send(
    *, delivery_ids: Sequence[int] | None = None, now: dt.datetime | None = None
) -> DeliveryRun:
    """Attempt every pending delivery that is due (of ``delivery_ids`` when given); each is claimed first so
    that two workers never send the same message."""
    now = now or timezone.now()
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    if delivery_ids is not None:
        due = due.filter(pk__in=list(delivery_ids))
    sent = retrying = failed = 0
    for delivery in due.select_related("endpoint").order_by("pk"):
        claimed = Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts
        ).update(attempts=F("attempts") + 1, next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS))
        if not claimed:
            continue
        delivery.attempts += 1
        outcome = _delivery_attempt(delivery, now)
        if outcome == DeliveryStatus.SENT:
            sent += 1
        elif outcome == DeliveryStatus.FAILED:
            failed += 1
        else:
            retrying += 1
    return DeliveryRun(sent, retrying, failed)


def _delivery_attempt(delivery: Delivery, now: dt.datetime) -> str:
    try:
        if delivery.channel == DeliveryChannel.EMAIL:
            email_send(to=delivery.target, subject=delivery.subject, body=delivery.payload)
            status_code = None
        else:
            endpoint = delivery.endpoint
            if endpoint is None or not endpoint.is_active:
                raise DeliveryError("the webhook endpoint was removed or switched off", is_retryable=False)
            request = webhook_request(
                kind=endpoint.kind,
                url=endpoint.url,
                secret=endpoint.secret,
                payload=json.loads(delivery.payload),
                now=time.time(),
            )
            status_code = webhook_post(kind=endpoint.kind, request=request)
    except DeliveryError as exc:
        delivery.last_error = str(exc)[:2000]
        delivery.last_status_code = exc.status_code
        if exc.is_retryable and delivery.attempts < MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "last_error", "last_status_code", "next_attempt_at"])
        return delivery.status
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = timezone.now()
    delivery.last_status_code = status_code
    delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "sent_at", "last_status_code", "next_attempt_at"])
    return DeliveryStatus.SENT
