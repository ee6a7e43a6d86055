"""Goals: annual plans and their cascade, templates, and each person's agreed monthly targets.

A `Goal` is one KPI target of one person for one month. Its value only ever changes by adding a
`GoalVersion` (who, when, why, on what basis); every move of its agreement (publish, confirm, dispute,
answer, revise) is a `GoalEvent`. Together they are the evidence a separation dossier cites: the
target was objective, known in advance and accepted. Nothing here is ever deleted (`PROTECT`).

The effective target the scoring engine reads stays `metrics.MonthlyTarget`; the goals services write
it when a goal is published, answered or revised after publication.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from perfloop.core.fields import MonthField
from perfloop.core.models import TimeStampedModel

VALUE_DIGITS = 16
VALUE_PLACES = 4


class GoalStatus(models.TextChoices):
    # The same values as agreement.GoalState (the pure state machine).
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    DISPUTED = "disputed", _("disputed")


class Basis(models.TextChoices):
    MANUAL = "manual", _("set by the manager")
    TEMPLATE = "template", _("goal template")
    PLAN = "plan", _("annual plan")
    SUGGESTION = "suggestion", _("suggestion from history")
    IMPORT = "import", _("imported file")
    ANSWER = "answer", _("answer to a dispute")


class Channel(models.TextChoices):
    WEB = "web", _("web")
    API = "api", _("API")
    CLI = "cli", _("command line")
    SYSTEM = "system", _("system")


class GoalTemplate(TimeStampedModel):
    """One goal set (a monthly target per KPI) that can be given to many people at once."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(pgettext_lazy("enabled", "active"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("goal template")

    def __str__(self) -> str:
        return self.name


class GoalTemplateLine(models.Model):
    template = models.ForeignKey(GoalTemplate, on_delete=models.CASCADE, related_name="lines")
    kpi = models.ForeignKey("metrics.Kpi", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("monthly target"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)

    class Meta:
        ordering = ["kpi__display_order", "kpi__code"]
        constraints = [
            models.UniqueConstraint(fields=["template", "kpi"], name="goal_template_line_unique"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="goal_template_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id}:{self.kpi_id}={self.value}"


class TemplateAssignment(models.Model):
    """One use of a template: which people (by filter, never by a list), which months, by whom."""

    template = models.ForeignKey(GoalTemplate, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    first_month = MonthField(_("first month"))
    last_month = MonthField(_("last month"))
    org_unit = models.ForeignKey(
        "org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.ForeignKey(
        "org.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    people = models.PositiveIntegerField(default=0)
    goals_created = models.PositiveIntegerField(default=0)
    versions_created = models.PositiveIntegerField(default=0)
    skipped_agreed = models.PositiveIntegerField(
        default=0, help_text="goals already published or agreed, left alone (change those one by one)"
    )
    justification = models.TextField(_("justification"), blank=True)
    fairness_flags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.template_id} {self.first_month}..{self.last_month} ({self.people})"


class TargetPlan(TimeStampedModel):
    """A year's plan for one KPI: the top target of a unit, split down to people and months."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPLIED = "applied", _("applied to goals")

    year = models.PositiveSmallIntegerField(_("year"))
    kpi = models.ForeignKey("metrics.Kpi", on_delete=models.PROTECT, related_name="+")
    root_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120, blank=True)
    seasonality = models.JSONField(
        default=list, help_text="twelve weights (decimal strings), January first; empty = every month alike"
    )
    max_overallocation = models.DecimalField(
        _("over-allocation allowance"),
        max_digits=5,
        decimal_places=4,
        default="0.1000",
        help_text=_("How far the parts may add up above the whole (0.10 = 10%)."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "kpi__display_order", "pk"]
        verbose_name = _("target plan")
        constraints = [
            models.UniqueConstraint(fields=["year", "kpi", "root_unit"], name="target_plan_unique"),
            models.CheckConstraint(
                condition=models.Q(max_overallocation__gte=0), name="target_plan_allowance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.year} {self.kpi_id}"


class PlanNode(models.Model):
    """An annual target inside a plan: of an org unit, or of one person (a leaf)."""

    plan = models.ForeignKey(TargetPlan, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    org_unit = models.ForeignKey(
        "org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employee = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("annual target"), max_digits=18, decimal_places=VALUE_PLACES)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(org_unit__isnull=True) & models.Q(employee__isnull=False))
                | (models.Q(org_unit__isnull=False) & models.Q(employee__isnull=True)),
                name="plan_node_unit_or_person",
            ),
            models.UniqueConstraint(fields=["plan", "org_unit"], name="plan_node_unit_once"),
            models.UniqueConstraint(fields=["plan", "employee"], name="plan_node_person_once"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="plan_node_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.org_unit_id or ''}{self.employee_id or ''}={self.amount}"


class Goal(models.Model):
    """The target of one KPI for one person and month, and where its agreement stands."""

    employee = models.ForeignKey("org.Employee", on_delete=models.PROTECT, related_name="goals")
    month = MonthField(_("month"))
    kpi = models.ForeignKey("metrics.Kpi", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.DRAFT
    )
    value = models.DecimalField(
        _("target"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, help_text="the current version's"
    )
    version_count = models.PositiveIntegerField(default=0)
    current_version = models.ForeignKey(
        "GoalVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_version = models.ForeignKey(
        "GoalVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["employee_id", "month", "kpi__display_order"]
        verbose_name = _("goal")
        constraints = [
            models.UniqueConstraint(fields=["employee", "month", "kpi"], name="goal_unique"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="goal_not_negative"),
        ]
        indexes = [models.Index(fields=["month", "kpi"]), models.Index(fields=["status", "month"])]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month} {self.kpi_id}={self.value} ({self.status})"

    @property
    def is_locked(self) -> bool:
        """A confirmed goal changes only through a new version that needs a new confirmation."""
        return self.status == GoalStatus.CONFIRMED


class GoalVersion(models.Model):
    """One value a goal has had: who set it, when, on what basis and why — kept for good."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    value = models.DecimalField(_("target"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    basis_detail = models.TextField(_("basis in words"), blank=True)
    reason = models.TextField(_("reason for the change"), blank=True)
    justification = models.TextField(_("fairness justification"), blank=True)
    fairness_flags = models.JSONField(default=list, blank=True)
    suggestion = models.JSONField(
        default=dict, blank=True, help_text="the suggestion it was set from, if any"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    template = models.ForeignKey(
        GoalTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignment = models.ForeignKey(
        TemplateAssignment, null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    plan = models.ForeignKey(TargetPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["goal_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "number"], name="goal_version_unique"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="goal_version_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} v{self.number}={self.value}"


class GoalEvent(models.Model):
    """One move of a goal's agreement: who did it, when, through which channel, with what comment."""

    class Action(models.TextChoices):
        # The same values as agreement.GoalAction.
        PUBLISH = "publish", _("published")
        CONFIRM = "confirm", _("confirmed")
        DISPUTE = "dispute", _("disputed")
        ANSWER = "answer", _("answered")
        REVISE = "revise", _("revised")

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="events")
    version = models.ForeignKey(GoalVersion, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    from_status = models.CharField(max_length=10, choices=GoalStatus.choices)
    to_status = models.CharField(max_length=10, choices=GoalStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["goal_id", "occurred_at", "pk"]
        indexes = [models.Index(fields=["goal", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.action} v{self.version_id}"
