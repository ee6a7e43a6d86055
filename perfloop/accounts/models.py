"""Users, their role, and scoped API tokens.

A user has one role; what the role may see is computed from the org tree in
`selectors.py` (no per-row permission tables to drift out of date).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from perfloop.core.models import TimeStampedModel


class Role(models.TextChoices):
    REP = "rep", _("sales rep")
    MANAGER = "manager", _("sales manager")
    MENTOR = "mentor", _("mentor")
    HRBP = "hrbp", _("HR business partner")
    LEGAL = "legal", _("legal / compliance")
    RECRUITER = "recruiter", _("recruiter")
    EXECUTIVE = "executive", _("executive")
    SYSADMIN = "sysadmin", _("system admin")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.REP)
    scope_unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("HRBP and executive: the subtree they cover; empty means the whole organisation"),
    )
    preferred_language = models.CharField(_("language"), max_length=10, default="zh-hans")
    session_epoch = models.PositiveIntegerField(
        default=0,
        help_text=_("raised to end every session of the user (a second factor turned on, off or removed)"),
    )

    class Meta:
        verbose_name = _("user")

    def role_title(self) -> str:
        """The role as people call it: HR without a scope is HR of the whole organisation, not a business
        partner of one part of it."""
        if self.role == Role.HRBP and self.scope_unit_id is None:
            return str(_("HR, whole organisation"))
        return str(self.get_role_display())

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """What a session proves about the account on every request (Django checks it): the password, as in
        Django, and from the first change of the account's sign-in rules on, their epoch too — so turning a
        second factor on ends a session opened with the password alone somewhere else."""
        value = self.password if not self.session_epoch else f"{self.password}#{self.session_epoch}"
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            value,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class ApiToken(TimeStampedModel):
    """A bearer token for integrations; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list, help_text=_('e.g. ["read"] or ["read", "write"]'))
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Notification(TimeStampedModel):
    """One message in a user's in-app inbox; e-mail and webhooks are extra channels, not replacements."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=60, help_text="<app>.<event>, e.g. goal.published")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"


class Announcement(TimeStampedModel):
    """A message from HR to everyone in a part of the organisation (or the whole of it): a policy change,
    the date of the next goal-setting round. Everyone in the audience gets it in their inbox; the
    announcements page keeps it until it expires or HR withdraws it."""

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    body_en = models.TextField(_("English message"), blank=True)
    audience_unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("everyone in this unit and below; empty: the whole organisation"),
    )
    author = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    expires_on = models.DateField(_("shown until"), null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def title_for(self, language: str | None) -> str:
        return self.title_en if (language or "").startswith("en") and self.title_en else self.title

    def body_for(self, language: str | None) -> str:
        return self.body_en if (language or "").startswith("en") and self.body_en else self.body
