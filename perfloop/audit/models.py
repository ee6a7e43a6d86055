"""Append-only audit trail: every change, and every view of personal or performance data.

Rows are only ever inserted; there is no update or delete path in the code,
because in an arbitration the log itself is evidence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        CHANGE = "change", _("change")
        VIEW = "view", _("view")
        SECURITY = "security", _("security")

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    action = models.CharField(max_length=80, help_text="<entity>.<action>, e.g. scorecard.recompute")
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    # The actor's role when it happened: a person reading who used their data learns "their manager then",
    # even after that colleague changed role (empty: the system, or an event older than this column).
    actor_role = models.CharField(max_length=20, blank=True)
    subject_employee_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, help_text="whose personal data this concerns (PIPL export)"
    )
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"
