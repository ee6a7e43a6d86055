"""Sources, mapping profiles, import batches, quarantined rows, coverage claims and invitations.

A batch is the record of one file: who brought it, its SHA-256, the period and KPIs it declares, what
happened to every row. Facts it produces live in ``metrics.MonthlyFact`` with ``batch_id`` and lineage.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from perfloop.core.fields import MonthField
from perfloop.core.models import TimeStampedModel


class Source(TimeStampedModel):
    """A system data comes from (a CRM, the finance system, the LMS, the HR system)."""

    class Kind(models.TextChoices):
        CRM = "crm", _("CRM")
        FINANCE = "finance", _("finance")
        LMS = "lms", _("training system")
        HRIS = "hris", _("HR system")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    is_active = models.BooleanField(pgettext_lazy("enabled", "active"), default=True)
    # Push ingest: only the token's SHA-256 is stored; the HMAC signing key is derived from the server's
    # secret key and this salt, so no usable secret sits in the database.
    token_prefix = models.CharField(max_length=12, blank=True)
    token_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    signing_salt = models.CharField(max_length=64, blank=True)
    token_created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("data source")

    def __str__(self) -> str:
        return self.code


class MappingProfile(TimeStampedModel):
    """How one kind of export maps onto perfloop's fields (see ``profiles.py`` and docs/imports.md)."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    label = models.CharField(_("label"), max_length=200, blank=True)
    kind = models.CharField(_("kind of file"), max_length=20)
    source_kind = models.CharField(
        _("source kind"), max_length=10, blank=True, help_text=_("empty: any source")
    )
    spec = models.JSONField(_("specification"), default=dict)
    is_preset = models.BooleanField(_("shipped preset"), default=False)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mapping profile")

    def __str__(self) -> str:
        return self.name


class ImportBatch(TimeStampedModel):
    """One file brought in once: applied completely, rejected with a reason, or failed — never half."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        PROCESSING = "processing", _("processing")
        APPLIED = "applied", _("applied")
        SUPERSEDED = "superseded", _("superseded by a restatement")
        REJECTED = "rejected", _("rejected")
        FAILED = "failed", _("failed")
        DISCARDED = "discarded", _("discarded before import")

    class Channel(models.TextChoices):
        CLI = "cli", _("command line")
        WEB = "web", _("web upload")
        API = "api", _("ingest API")
        SERVICE = "service", _("service")

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="batches")
    profile = models.ForeignKey(MappingProfile, null=True, on_delete=models.SET_NULL, related_name="batches")
    profile_name = models.CharField(max_length=60)
    profile_spec = models.JSONField(default=dict, help_text="the profile as it was when the file was read")
    kind = models.CharField(max_length=20)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    file_size = models.BigIntegerField(default=0)
    file_format = models.CharField(max_length=10, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    sheet = models.CharField(max_length=120, blank=True)
    header_row = models.PositiveIntegerField(null=True, blank=True)
    header = models.JSONField(default=list, blank=True)
    coverage_first = MonthField(_("coverage from"), null=True, blank=True)
    coverage_last = MonthField(_("coverage to"), null=True, blank=True)
    is_coverage_declared = models.BooleanField(default=False)
    coverage_kpis = models.JSONField(default=list, blank=True)
    coverage_unit = models.ForeignKey(
        "org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_zero_filled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SERVICE)
    client_key = models.CharField(_("idempotency key"), max_length=120, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    phase = models.CharField(max_length=20, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_quarantined = models.PositiveIntegerField(default=0)
    rows_blank = models.PositiveIntegerField(default=0)
    facts_created = models.PositiveIntegerField(default=0)
    facts_changed = models.PositiveIntegerField(default=0)
    facts_unchanged = models.PositiveIntegerField(default=0)
    facts_removed = models.PositiveIntegerField(default=0)
    facts_zero_filled = models.PositiveIntegerField(default=0)
    restated_batches = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    error_details = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import batch")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "client_key"],
                condition=models.Q(client_key__isnull=False),
                name="import_batch_client_key_unique",
            )
        ]
        indexes = [models.Index(fields=["source", "file_sha256"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def is_applied(self) -> bool:
        return self.status == self.Status.APPLIED


class ImportFile(models.Model):
    """The uploaded bytes between the web preview and the confirmation, and the whole-file check made of
    them; removed once the file is applied or discarded."""

    batch = models.OneToOneField(ImportBatch, on_delete=models.CASCADE, related_name="upload")
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The whole file run through the import's checks at upload (file_check.FileCheck as data): the preview
    # says how the rest of the file fares without reading a large file again on every view.
    file_check = models.JSONField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"upload of batch #{self.batch_id}"


class BatchEvents(models.Model):
    """The batch's valid rows as the file had them (Parquet): lineage to the cell, corrections, conflicts.

    ``first_wins`` (deals only): each account's first won deal in this batch — the memory that makes "new
    customer" mean first ever across files. One blob per batch, because it is only ever read whole.
    """

    batch = models.OneToOneField(ImportBatch, on_delete=models.CASCADE, related_name="events")
    data = models.BinaryField()
    rows = models.PositiveIntegerField(default=0)
    first_wins = models.BinaryField(null=True)

    def __str__(self) -> str:
        return f"{self.rows} rows of batch #{self.batch_id}"


class CoverageClaim(models.Model):
    """Which batch provides one KPI for one month (and org subtree): at most one active claim each.

    A restatement moves the claim to the new batch; the old one stays as history.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="claims")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    month = MonthField(_("month"))
    kpi = models.CharField(max_length=40)
    unit_path = models.CharField(max_length=255, blank=True, help_text="empty: the whole organisation")
    is_active = models.BooleanField(default=True)
    superseded_by = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "kpi", "unit_path"],
                condition=models.Q(is_active=True),
                name="coverage_claim_one_active",
            )
        ]
        indexes = [models.Index(fields=["kpi", "month", "is_active"])]

    def __str__(self) -> str:
        return f"{self.kpi} {self.month} ← #{self.batch_id}"


class FactChange(models.Model):
    """A fact value replaced by a restatement or a correction: the visible history of late data."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="fact_changes")
    employee = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="+")
    month = MonthField()
    kpi = models.CharField(max_length=40)
    old_value = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    new_value = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    old_batch_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "employee", "month", "kpi"]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month} {self.kpi}: {self.old_value} → {self.new_value}"


class QuarantinedRow(TimeStampedModel):
    """A row that could not be imported, with why; fixed by a person, then resubmitted."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        FIXED = "fixed", _("fixed")
        RESUBMITTED = "resubmitted", _("resubmitted")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="quarantined_rows")
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=200, blank=True)
    field = models.CharField(max_length=40, blank=True)
    raw_value = models.TextField(_("value"), blank=True)
    code = models.CharField(_("error code"), max_length=40)
    message = models.TextField(_("message"))
    details = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="every problem of the row")
    raw = models.JSONField(default=dict, blank=True, help_text="the row's cells by column name")
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    fixed_values = models.JSONField(null=True, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fixed_at = models.DateTimeField(null=True, blank=True)
    resubmitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        indexes = [models.Index(fields=["batch", "state"])]
        verbose_name = _("quarantined row")

    def __str__(self) -> str:
        return f"#{self.batch_id} row {self.row_number}: {self.code}"


class Invitation(models.Model):
    """A one-time first-sign-in link for an account created by a roster import (only its hash is kept)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation for {self.user_id}"
