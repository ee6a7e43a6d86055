"""KPI catalogue, monthly facts with lineage, monthly targets and computed scorecards.

Facts and targets are inputs; `Scorecard` and `TeamMonth` are outputs of the
pure engine in `scoring.py`, persisted by `services.scorecards_recompute`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from perfloop.core.fields import MonthField
from perfloop.core.models import TimeStampedModel


class Direction(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")


class Aggregation(models.TextChoices):
    SUM = "sum", _("sum of the month")
    MEAN = "mean", _("mean of the month")
    RATIO = "ratio", _("ratio of the month's sums")
    LAST = "last", _("last value of the month")


class Unit(models.TextChoices):
    CNY = "cny", _("CNY")
    COUNT = "count", _("count")
    RATIO = "ratio", _("ratio")
    SCORE = "score", _("score")


class Kpi(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    aggregation = models.CharField(_("monthly aggregation"), max_length=8, choices=Aggregation.choices)
    default_target = models.DecimalField(_("default monthly target"), max_digits=14, decimal_places=4)
    description = models.TextField(_("description"), blank=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("KPI")

    def __str__(self) -> str:
        return self.code

    def name_for(self, language: str | None) -> str:
        """The KPI's name in the viewer's language (catalogue data, not a gettext string)."""
        return self.name_en if (language or "").startswith("en") else self.name_zh

    def attainment_of(self, actual: Decimal | None, target: Decimal | None) -> Decimal | None:
        """Actual against target in this KPI's direction, for display; None when not measurable.

        Lower is better: target ÷ actual (an actual of 0 has no finite ratio here; the
        scoring engine scores it at the cap). Higher is better: actual ÷ target.
        """
        if actual is None or not target:
            return None
        if self.direction == Direction.LOWER:
            return Decimal(target) / Decimal(actual) if actual else None
        return Decimal(actual) / Decimal(target)


class KpiWeight(models.Model):
    """How much a KPI counts in the composite score of one position."""

    position = models.ForeignKey("org.Position", on_delete=models.CASCADE, related_name="kpi_weights")
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="weights")
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["position", "kpi"], name="kpi_weight_unique"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="kpi_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position_id}:{self.kpi_id}={self.weight}"


class ScoringPolicy(TimeStampedModel):
    """The company's scoring rules (one active row); changing them is audited like any other write."""

    met_threshold = models.DecimalField(
        _("met threshold"),
        max_digits=5,
        decimal_places=4,
        default=1,
        help_text=_("A month counts as met when the composite reaches this share of target."),
    )
    attainment_cap = models.DecimalField(
        _("attainment cap"), max_digits=5, decimal_places=4, default=Decimal("1.5")
    )
    primary_kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("scoring policy")

    def __str__(self) -> str:
        return f"met≥{self.met_threshold} cap={self.attainment_cap}"


class MonthlyFact(TimeStampedModel):
    """One KPI value of one person in one month, with where it came from.

    Absent row = unknown (never zero); a real zero is stored as 0.
    """

    class Source(models.TextChoices):
        CRM = "crm", _("CRM")
        FINANCE = "finance", _("finance")
        LMS = "lms", _("training system")
        HRIS = "hris", _("HR system")
        MANUAL = "manual", _("manual entry")

    # No index of its own: the unique (employee, month, kpi) index starts with it.
    employee = models.ForeignKey(
        "org.Employee", on_delete=models.CASCADE, related_name="facts", db_index=False
    )
    month = MonthField(_("month"))
    # No index of its own either: a handful of KPIs make it useless for reads ("month, kpi" serves those), and
    # every imported fact would pay for it.
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="facts", db_index=False)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # No index: the only question asked by batch (which facts a restatement replaces) also names the months
    # and KPIs, and the (month, kpi) index answers it; an index here would be paid by every imported fact.
    batch_id = models.BigIntegerField(_("import batch"), null=True, blank=True)
    lineage = models.JSONField(default=dict, blank=True, help_text="source rows that produced this value")
    version = models.PositiveIntegerField(default=1, help_text="raised on every restatement")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "month", "kpi"], name="fact_unique")]
        # updated_at: the monthly close asks which months changed since the last close.
        indexes = [models.Index(fields=["month", "kpi"]), models.Index(fields=["updated_at", "month"])]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month} {self.kpi_id}={self.value}"


class MonthlyTarget(TimeStampedModel):
    """The target of one KPI for one person and month (the goals app records how it was agreed)."""

    # No index of its own: the unique (employee, month, kpi) index starts with it.
    employee = models.ForeignKey(
        "org.Employee", on_delete=models.CASCADE, related_name="targets", db_index=False
    )
    month = MonthField(_("month"))
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="targets")
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=4)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "month", "kpi"], name="target_unique"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="target_not_negative"),
        ]
        indexes = [models.Index(fields=["month", "kpi"]), models.Index(fields=["updated_at", "month"])]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month} {self.kpi_id}→{self.value}"


class Scorecard(models.Model):
    """The computed result for one person and month; recomputed, never edited by hand."""

    # employee and org_unit: no index of their own, the unique (employee, month) and the (org_unit, month)
    # indexes start with them — a close writes 100,000 cards, each index is paid on every one.
    employee = models.ForeignKey(
        "org.Employee", on_delete=models.CASCADE, related_name="scorecards", db_index=False
    )
    month = MonthField(_("month"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False)
    position = models.ForeignKey("org.Position", on_delete=models.PROTECT, related_name="+")
    composite = models.DecimalField(_("composite"), max_digits=8, decimal_places=4, null=True)
    is_met = models.BooleanField(_("met"), null=True)
    kpis_measured = models.PositiveSmallIntegerField(default=0)
    rank_in_team = models.PositiveIntegerField(null=True)
    team_size = models.PositiveIntegerField(default=0)
    streak_below = models.PositiveSmallIntegerField(_("consecutive months below target"), default=0)
    streak_met = models.PositiveSmallIntegerField(default=0)
    attainments = models.JSONField(
        default=dict, help_text="kpi code → [actual, target, attainment] as strings"
    )
    computed_at = models.DateTimeField()
    revision = models.PositiveIntegerField(default=1, help_text="raised when a recompute changed the result")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "month"], name="scorecard_unique")]
        indexes = [models.Index(fields=["org_unit", "month"]), models.Index(fields=["month", "streak_below"])]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month} {self.composite}"


class TeamMonth(models.Model):
    """Team aggregates for one unit and month: completion = team actual ÷ team target (primary KPI)."""

    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="team_months")
    month = MonthField(_("month"))
    members = models.PositiveIntegerField(default=0)
    members_scored = models.PositiveIntegerField(default=0)
    members_met = models.PositiveIntegerField(default=0)
    actual = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    target = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    completion = models.DecimalField(max_digits=8, decimal_places=4, null=True)
    average_composite = models.DecimalField(max_digits=8, decimal_places=4, null=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_unit", "month"], name="team_month_unique")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.month} {self.completion}"
