"""API shapes of monitoring: `<Entity>In` / `<Entity>Out`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class AlertOut(Schema):
    id: int
    rule: str
    rule_name: str
    severity: str
    employee_id: int
    employee_name: str
    employee_number: str
    org_unit_id: int
    month: str
    episode_start: str
    value: Decimal | None
    state: str
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolution: str
    resolution_note: str
    escalated_at: dt.datetime | None
    restated_from: str | None


class AlertActionIn(Schema):
    note: str = ""


class AlertCountsOut(Schema):
    total: int
    open: int
    acknowledged: int
    resolved: int
    escalated: int
    warning: int
    long_term: int
    people: int
    by_unit: dict[int, int]
    is_hidden: bool  # too few people to count for a viewer who sees no individuals: every count is 0


class NeedsAttentionOut(Schema):
    employee_id: int
    employee_name: str
    employee_number: str
    org_unit_id: int
    month: str
    streak_below: int
    composite: Decimal | None
    active_alerts: int


class RuleOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    severity: str
    kpi: str | None
    months: int
    threshold: Decimal | None
    factor: Decimal | None
    escalate_after_days: int
    resolves_on_recovery: bool
    is_active: bool


class RuleIn(Schema):
    """Fields to change (PATCH) or set (POST, with ``code``); absent fields stay as they are."""

    code: str | None = None
    name: str | None = None
    name_en: str | None = None
    kind: str | None = None
    severity: str | None = None
    kpi: str | None = None
    months: int | None = None
    threshold: Decimal | None = None
    factor: Decimal | None = None
    escalate_after_days: int | None = None
    resolves_on_recovery: bool | None = None
    is_active: bool | None = None


class CloseIn(Schema):
    month: str


class CloseOut(Schema):
    close_id: int
    month: str
    recomputed_first: str
    recomputed_last: str
    restated_months: list[str]
    scorecards_created: int
    scorecards_changed: int
    scorecards_unchanged: int
    alerts_raised: int
    alerts_moved: int
    alerts_reopened: int
    alerts_resolved: int
    notifications_sent: int
    deliveries_queued: int
    has_changes: bool


class CloseRecordOut(Schema):
    id: int
    month: str
    started_at: dt.datetime
    finished_at: dt.datetime
    restated_months: list[str]
    scorecards_created: int
    scorecards_changed: int
    alerts_raised: int
    alerts_moved: int
    alerts_reopened: int
    alerts_resolved: int
    notifications_sent: int
    deliveries_queued: int


class DeliveryOut(Schema):
    id: int
    channel: str
    target: str
    kind: str
    subject: str
    payload_sha256: str
    status: str
    attempts: int
    last_error: str
    last_status_code: int | None
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    created_at: dt.datetime


class WebhookOut(Schema):
    id: int
    name: str
    kind: str
    url: str
    has_secret: bool
    scope_unit_id: int | None
    is_active: bool


class WebhookIn(Schema):
    name: str | None = None
    kind: str | None = None
    url: str | None = None
    secret: str | None = None
    scope_unit_id: int | None = None
    is_active: bool | None = None
