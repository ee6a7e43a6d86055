"""Monitoring API: alerts (scoped, acknowledge, resolve), counts, needs attention, rules, closes, deliveries,
webhooks. Reads are scoped by the selectors; HR-only resources answer 403 to everyone else."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import PageNumberPagination, paginate

from perfloop.accounts.models import User
from perfloop.accounts.selectors import employee_get_for
from perfloop.audit.pagination import AuditedPages
from perfloop.audit.services import audit_view
from perfloop.core.errors import NotFound, PermissionDenied
from perfloop.core.params import month_param
from perfloop.metrics.selectors import latest_month_for, team_get_for
from perfloop.monitoring.models import Alert, AlertRule, WebhookEndpoint
from perfloop.monitoring.policies import (
    can_close_month,
    can_edit_alert_rules,
    can_manage_webhooks,
    can_view_deliveries,
)
from perfloop.monitoring.schemas import (
    AlertActionIn,
    AlertCountsOut,
    AlertOut,
    CloseIn,
    CloseOut,
    CloseRecordOut,
    DeliveryOut,
    NeedsAttentionOut,
    RuleIn,
    RuleOut,
    WebhookIn,
    WebhookOut,
)
from perfloop.monitoring.selectors import (
    alert_counts_shown_for,
    alert_get_for,
    alert_list_for,
    alert_rule_get,
    alert_rule_list,
    delivery_list_for,
    month_close_list_for,
    needs_attention_list_for,
    webhook_endpoint_list_for,
)
from perfloop.monitoring.services import (
    MonitoringError,
    alert_acknowledge,
    alert_resolve,
    alert_rule_create,
    alert_rule_update,
    month_close,
    redact_url,
    webhook_endpoint_create,
    webhook_endpoint_update,
)
from perfloop.org.models import OrgUnit

router = Router(tags=["monitoring"])


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.pk,
        rule=alert.rule.code,
        rule_name=alert.rule.name,
        severity=alert.severity,
        employee_id=alert.employee_id,
        employee_name=alert.employee.name,
        employee_number=alert.employee.employee_number,
        org_unit_id=alert.org_unit_id,
        month=str(alert.month),
        episode_start=str(alert.episode_start),
        value=alert.value,
        state=alert.state,
        raised_at=alert.raised_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by.username if alert.acknowledged_by else None,
        resolved_at=alert.resolved_at,
        resolved_by=alert.resolved_by.username if alert.resolved_by else None,
        resolution=alert.resolution,
        resolution_note=alert.resolution_note,
        escalated_at=alert.escalated_at,
        restated_from=str(alert.restated_from) if alert.restated_from else None,
    )


@router.get("/alerts", response=list[AlertOut])
@paginate(AuditedPages, page_size=100, action="alert_list.view")
def alert_list(
    request: HttpRequest,
    state: str | None = None,
    month: str | None = None,
    unit: int | None = None,
    employee: int | None = None,
    severity: str | None = None,
) -> list[AlertOut]:
    viewer = _viewer(request)
    alerts = alert_list_for(
        viewer=viewer,
        state=state,
        month=month_param(month, "month"),
        unit=team_get_for(viewer=viewer, unit_id=unit) if unit is not None else None,
        employee=employee_get_for(viewer=viewer, employee_id=employee) if employee is not None else None,
        severity=severity,
    )
    return [_alert_out(a) for a in alerts]


@router.get("/alerts/counts", response=AlertCountsOut)
def alert_counts(request: HttpRequest, month: str | None = None, unit: int | None = None) -> Any:
    viewer = _viewer(request)
    counts = alert_counts_shown_for(
        viewer=viewer,
        month=month_param(month, "month"),
        unit=team_get_for(viewer=viewer, unit_id=unit) if unit is not None else None,
    )
    return AlertCountsOut(**{**counts.__dict__})


@router.get("/alerts/{alert_id}", response=AlertOut)
def alert_detail(request: HttpRequest, alert_id: int) -> AlertOut:
    viewer = _viewer(request)
    alert = alert_get_for(viewer=viewer, alert_id=alert_id)
    audit_view(
        actor=viewer,
        action="alert.view",
        target=alert,
        subject_employee_id=alert.employee_id,
        details={"channel": "api"},
    )
    return _alert_out(alert)


@router.post("/alerts/{alert_id}/acknowledge", response=AlertOut)
def alert_acknowledge_view(request: HttpRequest, alert_id: int, payload: AlertActionIn) -> AlertOut:
    viewer = _viewer(request)
    alert = alert_acknowledge(
        actor=viewer, alert=alert_get_for(viewer=viewer, alert_id=alert_id), note=payload.note
    )
    return _alert_out(alert_get_for(viewer=viewer, alert_id=alert.pk))


@router.post("/alerts/{alert_id}/resolve", response=AlertOut)
def alert_resolve_view(request: HttpRequest, alert_id: int, payload: AlertActionIn) -> AlertOut:
    viewer = _viewer(request)
    alert = alert_resolve(
        actor=viewer, alert=alert_get_for(viewer=viewer, alert_id=alert_id), note=payload.note
    )
    return _alert_out(alert_get_for(viewer=viewer, alert_id=alert.pk))


@router.get("/needs-attention", response=list[NeedsAttentionOut])
@paginate(AuditedPages, page_size=100, action="needs_attention.view")
def needs_attention(request: HttpRequest, month: str | None = None, unit: int | None = None) -> list[Any]:
    viewer = _viewer(request)
    target = month_param(month, "month") or latest_month_for(viewer=viewer)
    if target is None:
        return []
    cards = needs_attention_list_for(
        viewer=viewer,
        month=target,
        unit=team_get_for(viewer=viewer, unit_id=unit) if unit is not None else None,
    )
    return [
        NeedsAttentionOut(
            employee_id=card.employee_id,
            employee_name=card.employee.name,
            employee_number=card.employee.employee_number,
            org_unit_id=card.org_unit_id,
            month=str(card.month),
            streak_below=card.streak_below,
            composite=card.composite,
            active_alerts=card.active_alerts,  # type: ignore[attr-defined]
        )
        for card in cards
    ]


def _rule_out(rule: AlertRule) -> RuleOut:
    return RuleOut(
        id=rule.pk,
        code=rule.code,
        name=rule.name,
        name_en=rule.name_en,
        kind=rule.kind,
        severity=rule.severity,
        kpi=rule.kpi.code if rule.kpi is not None else None,
        months=rule.months,
        threshold=rule.threshold,
        factor=rule.factor,
        escalate_after_days=rule.escalate_after_days,
        resolves_on_recovery=rule.resolves_on_recovery,
        is_active=rule.is_active,
    )


@router.get("/rules", response=list[RuleOut])
def rule_list(request: HttpRequest) -> list[RuleOut]:
    return [_rule_out(rule) for rule in alert_rule_list()]


@router.post("/rules", response={201: RuleOut})
def rule_create(request: HttpRequest, payload: RuleIn) -> Status:
    viewer = _viewer(request)
    if not can_edit_alert_rules(viewer):
        raise PermissionDenied(_("Only HR of the whole organisation may change alert rules."))
    fields = payload.dict(exclude_unset=True)
    code = fields.pop("code", None)
    if not code:
        raise MonitoringError(_("A rule needs a code."), code="missing_code")
    return Status(201, _rule_out(alert_rule_create(actor=viewer, code=code, **fields)))


@router.patch("/rules/{rule_id}", response=RuleOut)
def rule_update(request: HttpRequest, rule_id: int, payload: RuleIn) -> RuleOut:
    viewer = _viewer(request)
    if not can_edit_alert_rules(viewer):
        raise PermissionDenied(_("Only HR of the whole organisation may change alert rules."))
    fields = payload.dict(exclude_unset=True)
    fields.pop("code", None)  # the code is the rule's identity
    return _rule_out(alert_rule_update(actor=viewer, rule=alert_rule_get(rule_id=rule_id), **fields))


@router.post("/closes", response=CloseOut)
def close_run(request: HttpRequest, payload: CloseIn) -> Any:
    viewer = _viewer(request)
    if not can_close_month(viewer):
        raise PermissionDenied(_("Only HR of the whole organisation may run the monthly close."))
    month = month_param(payload.month, "month")
    if month is None:
        raise MonitoringError(
            _("%(parameter)s is required (YYYY-MM).") % {"parameter": "month"},
            code="missing_month",
            parameter="month",
        )
    return CloseOut(**month_close(actor=viewer, month=month).as_dict())


@router.get("/closes", response=list[CloseRecordOut])
@paginate(PageNumberPagination, page_size=50)
def close_list(request: HttpRequest, month: str | None = None) -> list[CloseRecordOut]:
    viewer = _viewer(request)
    if not can_close_month(viewer):
        raise PermissionDenied(_("Only HR of the whole organisation may see the close runs."))
    return [
        CloseRecordOut(
            id=c.pk,
            month=str(c.month),
            started_at=c.started_at,
            finished_at=c.finished_at,
            restated_months=c.restated_months,
            scorecards_created=c.scorecards_created,
            scorecards_changed=c.scorecards_changed,
            alerts_raised=c.alerts_raised,
            alerts_moved=c.alerts_moved,
            alerts_reopened=c.alerts_reopened,
            alerts_resolved=c.alerts_resolved,
            notifications_sent=c.notifications_sent,
            deliveries_queued=c.deliveries_queued,
        )
        for c in month_close_list_for(viewer=viewer, month=month_param(month, "month"))
    ]


@router.get("/deliveries", response=list[DeliveryOut])
@paginate(PageNumberPagination, page_size=100)
def delivery_list(request: HttpRequest, status: str | None = None) -> list[DeliveryOut]:
    viewer = _viewer(request)
    if not can_view_deliveries(viewer):
        raise PermissionDenied(_("Only HR may see the delivery log."))
    return [
        DeliveryOut(
            id=d.pk,
            channel=d.channel,
            target=d.target,
            kind=d.kind,
            subject=d.subject,
            payload_sha256=d.payload_sha256,
            status=d.status,
            attempts=d.attempts,
            last_error=d.last_error,
            last_status_code=d.last_status_code,
            next_attempt_at=d.next_attempt_at,
            sent_at=d.sent_at,
            created_at=d.created_at,
        )
        for d in delivery_list_for(viewer=viewer, status=status)
    ]


def _webhook_out(endpoint: WebhookEndpoint) -> WebhookOut:
    return WebhookOut(
        id=endpoint.pk,
        name=endpoint.name,
        kind=endpoint.kind,
        url=redact_url(endpoint.url),
        has_secret=bool(endpoint.secret),
        scope_unit_id=endpoint.scope_unit_id,
        is_active=endpoint.is_active,
    )


def _webhook_fields(viewer: User, payload: WebhookIn) -> dict[str, Any]:
    fields = payload.dict(exclude_unset=True)
    if "scope_unit_id" in fields:
        unit_id = fields.pop("scope_unit_id")
        unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id is not None else None
        if unit_id is not None and unit is None:
            raise NotFound(_("No such unit."))
        fields["scope_unit"] = unit
    return fields


@router.get("/webhooks", response=list[WebhookOut])
def webhook_list(request: HttpRequest) -> list[WebhookOut]:
    viewer = _viewer(request)
    if not can_manage_webhooks(viewer):
        raise PermissionDenied(_("Only HR of the whole organisation may see webhooks."))
    return [_webhook_out(e) for e in webhook_endpoint_list_for(viewer=viewer)]


@router.post("/webhooks", response={201: WebhookOut})
def webhook_create(request: HttpRequest, payload: WebhookIn) -> Status:
    viewer = _viewer(request)
    if not can_manage_webhooks(viewer):
        raise PermissionDenied(_("Only HR of the whole organisation may configure webhooks."))
    fields = _webhook_fields(viewer, payload)
    missing = [name for name in ("name", "kind", "url") if not fields.get(name)]
    if missing:
        raise MonitoringError(
            _("Missing fields: %(fields)s.") % {"fields": ", ".join(missing)},
            code="missing_field",
            fields=missing,
        )
    return Status(201, _webhook_out(webhook_endpoint_create(actor=viewer, **fields)))


@router.patch("/webhooks/{endpoint_id}", response=WebhookOut)
def webhook_update(request: HttpRequest, endpoint_id: int, payload: WebhookIn) -> WebhookOut:
    viewer = _viewer(request)
    if not can_manage_webhooks(viewer):
        raise PermissionDenied(_("Only HR of the whole organisation may configure webhooks."))
    endpoint = webhook_endpoint_list_for(viewer=viewer).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(_("No such webhook."))
    return _webhook_out(
        webhook_endpoint_update(actor=viewer, endpoint=endpoint, **_webhook_fields(viewer, payload))
    )
