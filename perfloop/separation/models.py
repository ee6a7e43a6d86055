"""Reference data for the law engine: published figures and reform tables, versioned.

Figures change every year and are sometimes corrected; the engine must be able to
show which figure it used and where it came from. A correction is a new version,
never an update in place, so an old calculation can still be explained.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from perfloop.core.fields import MonthField
from perfloop.core.models import TimeStampedModel


class Verification(models.TextChoices):
    VERIFIED = "verified", _("verified against the official source")
    UNVERIFIED = "unverified", _("unverified")


class ReferenceRow(TimeStampedModel):
    """What every reference row carries: its source, how firm it is, its version and who imported it."""

    source_note = models.TextField(_("source"))
    verification = models.CharField(
        _("verification"), max_length=12, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def is_verified(self) -> bool:
        return self.verification == Verification.VERIFIED


class CityAverageWage(ReferenceRow):
    """A city's published average monthly wage of employees for a statistical year: A in LCL Art. 47 ¶2."""

    city = models.CharField(_("city"), max_length=40)
    year = models.PositiveSmallIntegerField(_("statistical year"))
    average_monthly_wage = models.DecimalField(_("average monthly wage"), max_digits=12, decimal_places=2)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    class Meta:
        verbose_name = _("city average wage")
        ordering = ["city", "year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "year", "version"], name="separation_avgwage_unique_version"
            ),
            models.CheckConstraint(
                condition=models.Q(average_monthly_wage__gt=0), name="separation_avgwage_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.year}: {self.average_monthly_wage} (v{self.version})"


class CityMinimumWage(ReferenceRow):
    """A city's monthly minimum wage (first tier) from a date: the floor of W (LCL-Regs Art. 27)."""

    city = models.CharField(_("city"), max_length=40)
    effective_from = models.DateField(_("effective from"))
    monthly_minimum = models.DecimalField(_("monthly minimum wage"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("city minimum wage")
        ordering = ["city", "effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "effective_from", "version"], name="separation_minwage_unique_version"
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_minimum__gt=0), name="separation_minwage_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} from {self.effective_from}: {self.monthly_minimum} (v{self.version})"


class CityWageRule(ReferenceRow):
    """Per-city choices the national law leaves open: overtime in W (CN-M-03), the pre-2008 hook (CN-M-05)."""

    city = models.CharField(_("city"), max_length=40)
    overtime_in_wage_base = models.BooleanField(_("overtime counts in the wage base"), null=True, blank=True)
    pre_2008_rule = models.CharField(_("pre-2008 service rule"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("city wage rule")
        ordering = ["city", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["city", "version"], name="separation_cityrule_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.city} rules (v{self.version})"


class RetirementAgeRule(ReferenceRow):
    """Parameters of the 2025 retirement-age reform for one original-age category (CN-P42-02)."""

    class Category(models.TextChoices):
        MALE_60 = "male_60", _("men (original age 60)")
        FEMALE_55 = "female_55", _("women (original age 55)")
        FEMALE_50 = "female_50", _("women (original age 50)")

    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    original_age_years = models.PositiveSmallIntegerField(_("original age"))
    first_affected_birth_month = MonthField(_("first affected birth month"))
    months_per_step = models.PositiveSmallIntegerField(_("birth months per one-month delay"))
    maximum_delay_months = models.PositiveSmallIntegerField(_("maximum delay in months"))

    class Meta:
        verbose_name = _("retirement age rule")
        ordering = ["category", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "version"], name="separation_retirement_unique_version"
            ),
            models.CheckConstraint(
                condition=models.Q(months_per_step__gt=0), name="separation_retirement_step_pos"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} (v{self.version})"
