"""Alert rules, the alerts they raise, monthly close runs, webhook endpoints and the delivery log.

Rules are data HR edits; alerts are raised and resolved by the monthly close
(`services.month_close`) from the scorecards, and moved through their states
by people (`services.alert_transition`). A (rule, person, month) key makes a
re-run or a restatement unable to raise the same alert twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from perfloop.core.fields import MonthField
from perfloop.core.models import TimeStampedModel


class RuleKind(models.TextChoices):
    CONSECUTIVE_BELOW = "consecutive_below", _("consecutive months below target")
    COMPLETION_BELOW = "completion_below", _("completion below a level in a month")
    BELOW_TEAM_AVERAGE = "below_team_average", _("KPI below a share of the team average")


class Severity(models.TextChoices):
    WARNING = "warning", _("warning")
    LONG_TERM = "long_term", _("long-term underperformance")


class AlertRule(TimeStampedModel):
    """A condition on monthly scorecards that raises an alert when it holds for ``months`` months in a row.

    ``kpi`` empty means the composite score; ``threshold`` empty (composite only) means "not met" under
    the company's scoring policy, which is how the default rules follow the policy definition.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=RuleKind.choices)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    kpi = models.ForeignKey(
        "metrics.Kpi",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("KPI"),
        help_text=_("empty: the composite score"),
    )
    months = models.PositiveSmallIntegerField(
        _("consecutive months"), default=1, help_text=_("how many months in a row the condition must hold")
    )
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("share of target, e.g. 0.7 = 70%; empty: not met under the scoring policy"),
    )
    factor = models.DecimalField(
        _("share of team average"),
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("k in 'below k × the team average', e.g. 0.5"),
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after (days)"),
        default=7,
        help_text=_("an alert still unacknowledged after this many days is escalated to HR"),
    )
    resolves_on_recovery = models.BooleanField(
        _("resolve on recovery"),
        default=True,
        help_text=_("resolve the alert automatically when a later month no longer meets the condition"),
    )
    is_active = models.BooleanField(pgettext_lazy("enabled", "active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["months", "code"]
        verbose_name = _("alert rule")
        constraints = [
            models.CheckConstraint(condition=models.Q(months__gte=1), name="alert_rule_months_positive"),
            models.CheckConstraint(
                condition=models.Q(threshold__isnull=True) | models.Q(threshold__gt=0),
                name="alert_rule_threshold_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(factor__isnull=True) | models.Q(factor__gt=0),
                name="alert_rule_factor_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def name_for(self, language: str | None) -> str:
        """The rule's name in the reader's language (company data, not a gettext string)."""
        return self.name_en if (language or "").startswith("en") and self.name_en else self.name


class AlertState(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")


class Resolution(models.TextChoices):
    HANDLED = "handled", _("handled by a person")
    RECOVERED = "recovered", _("back on target")
    WITHDRAWN = "withdrawn", _("withdrawn after restated data")
    LEFT = "left", _("the person left")


class MonthClose(models.Model):
    """One run of the monthly close: what it recomputed and what it changed (a re-run records 'nothing')."""

    month = MonthField(_("month"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    data_as_of = models.DateTimeField(
        help_text="facts and targets changed after this instant count as restated at the next close"
    )
    recomputed_first = MonthField(_("recomputed from"))
    recomputed_last = MonthField(_("recomputed to"))
    restated_months = models.JSONField(_("restated months"), default=list, blank=True)
    scorecards_created = models.PositiveIntegerField(default=0)
    scorecards_changed = models.PositiveIntegerField(default=0)
    scorecards_unchanged = models.PositiveIntegerField(default=0)
    alerts_raised = models.PositiveIntegerField(default=0)
    alerts_moved = models.PositiveIntegerField(default=0)
    alerts_reopened = models.PositiveIntegerField(default=0)
    alerts_resolved = models.PositiveIntegerField(default=0)
    notifications_sent = models.PositiveIntegerField(default=0)
    deliveries_queued = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("monthly close")

    def __str__(self) -> str:
        return f"close {self.month} at {self.started_at:%Y-%m-%d %H:%M}"

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


class Alert(TimeStampedModel):
    """A person met a rule's condition; ``month`` is the month the data first shows it (not the run date)."""

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    employee = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="alerts")
    org_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", help_text="the person's team that month"
    )
    month = MonthField(_("month"))
    episode_start = MonthField(_("first month of the run"))
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    value = models.DecimalField(
        _("measured value"), max_digits=10, decimal_places=4, null=True, help_text="the measure that month"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=AlertState.choices, default=AlertState.OPEN, db_index=True
    )
    raised_at = models.DateTimeField(_("raised at"))
    raised_by_close = models.ForeignKey(
        MonthClose, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts_raised_set"
    )
    restated_from = MonthField(
        _("month before restatement"), null=True, blank=True, help_text="set when restated data moved it"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(_("resolution"), max_length=12, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(_("note"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "employee_id", "rule_id"]
        verbose_name = _("alert")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "employee", "month"], name="alert_one_per_rule_person_month"
            )
        ]
        indexes = [
            models.Index(fields=["month", "state"]),
            models.Index(fields=["state", "escalated_at"]),
            models.Index(fields=["employee", "rule"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}:{self.employee_id}@{self.month} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state == AlertState.OPEN

    @property
    def is_resolved(self) -> bool:
        return self.state == AlertState.RESOLVED


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("WeCom (企业微信) group bot")
    DINGTALK = "dingtalk", _("DingTalk (钉钉) group bot")
    FEISHU = "feishu", _("Feishu / Lark (飞书) group bot")
    SLACK = "slack", _("Slack incoming webhook")


class WebhookEndpoint(TimeStampedModel):
    """A group chat that hears about alerts of people in ``scope_unit``'s subtree (empty: everyone).

    The secret is stored as given: the platforms need the clear value to sign each request.
    """

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=WebhookKind.choices)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    scope_unit = models.ForeignKey(
        "org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(pgettext_lazy("enabled", "active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook endpoint")

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    WEBHOOK = "webhook", _("webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    """One message to one e-mail address or webhook, with every attempt counted (the delivery log).

    ``dedupe_key`` names the event (e.g. ``close:42``, ``escalation:7``): the same event never goes
    to the same target twice, whatever re-runs or retries happen.
    """

    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(_("target"), max_length=300, help_text="e-mail address or webhook host")
    org_unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="whose people the message is about (empty: the whole organisation)",
    )
    dedupe_key = models.CharField(max_length=120)
    kind = models.CharField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    payload = models.TextField(help_text="the message body (e-mail text or the platform's JSON)")
    payload_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "target", "dedupe_key"], name="delivery_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} → {self.target}: {self.status} ({self.attempts})"
