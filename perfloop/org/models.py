"""The organisation: units, positions, people, wages, contracts and protected statuses.

`OrgUnit.path` is a materialised path ("/1/4/9/") so that "this manager's
subtree" is one indexed prefix query at any depth, not a recursive walk.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from perfloop.core.fields import MonthField
from perfloop.core.models import TimeStampedModel


class OrgUnit(TimeStampedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    head = models.ForeignKey(
        "org.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_units",
        verbose_name=_("head"),
    )
    city = models.CharField(_("city"), max_length=60, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation unit")

    def __str__(self) -> str:
        return self.name

    def name_for(self, language: str | None) -> str:
        """The name in the reader's language (the Chinese one when there is no English one)."""
        return self.name_en if (language or "").startswith("en") and self.name_en else self.name


class Position(TimeStampedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    is_sales = models.BooleanField(_("sales position"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("position")

    def __str__(self) -> str:
        return self.name

    def name_for(self, language: str | None) -> str:
        """The name in the reader's language (the Chinese one when there is no English one)."""
        return self.name_en if (language or "").startswith("en") and self.name_en else self.name


class Employee(TimeStampedModel):
    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        UNDISCLOSED = "undisclosed", _("undisclosed")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("employee status", "active")
        ON_LEAVE = "on_leave", _("on leave")
        NOTICE = "notice", _("serving notice")
        LEFT = "left", _("left")

    class ContractType(models.TextChoices):
        FIXED = "fixed", _("fixed term")
        OPEN_ENDED = "open_ended", _("open-ended")
        TASK = "task", _("for a specific task")

    employee_number = models.CharField(_("employee number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )
    hire_date = models.DateField(_("hire date"))
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, default=Gender.UNDISCLOSED)
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="employees")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="employees")
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    termination_date = models.DateField(_("termination date"), null=True, blank=True)
    work_city = models.CharField(_("work city"), max_length=60, blank=True)
    contract_type = models.CharField(
        _("contract type"), max_length=12, choices=ContractType.choices, default=ContractType.FIXED
    )
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    probation_end = models.DateField(_("probation end"), null=True, blank=True)
    is_union_member = models.BooleanField(_("union member"), default=False)

    class Meta:
        ordering = ["employee_number"]
        verbose_name = _("employee")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contract_end__isnull=True)
                | models.Q(contract_start__isnull=True)
                | models.Q(contract_end__gte=models.F("contract_start")),
                name="employee_contract_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(termination_date__isnull=True)
                | models.Q(termination_date__gte=models.F("hire_date")),
                name="employee_termination_after_hire",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_number})"


class WageRecord(TimeStampedModel):
    """Wage payable (应得工资) for one month: the base of severance (LCL-Regs Art. 27)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="wages")
    month = MonthField(_("month"))
    amount = models.DecimalField(_("wage payable"), max_digits=12, decimal_places=2)
    overtime = models.DecimalField(_("of which overtime"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["employee", "month"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "month"], name="wage_one_per_month"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="wage_not_negative"),
            models.CheckConstraint(condition=models.Q(overtime__gte=0), name="wage_overtime_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month} {self.amount}"


class ProtectedStatus(TimeStampedModel):
    """An LCL Art. 42 protection: a flag, dates and who confirmed it — never a diagnosis (CN-D-03)."""

    class Category(models.TextChoices):
        OCCUPATIONAL_DISEASE_CHECK = (
            "occupational_disease_check",
            _("occupational-disease exam or observation"),
        )
        WORK_INJURY = "work_injury", _("occupational disease or work injury with loss of capacity")
        MEDICAL_TREATMENT_PERIOD = "medical_treatment_period", _("within the medical treatment period")
        PREGNANCY_MATERNITY_NURSING = "pregnancy_maternity_nursing", _("pregnancy, maternity or nursing")
        LONG_SERVICE_NEAR_RETIREMENT = (
            "long_service_near_retirement",
            _("15+ years' service and under 5 years to retirement"),
        )
        OTHER_STATUTORY = "other_statutory", _("other statutory protection")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="protected_statuses")
    category = models.CharField(_("category"), max_length=40, choices=Category.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("no medical details"))

    class Meta:
        ordering = ["employee", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="protected_status_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.category} {self.starts_on}..{self.ends_on or ''}"
