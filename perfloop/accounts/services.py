"""Accounts: users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from axes.utils import reset as axes_reset
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from perfloop.accounts.models import ApiToken, Notification, Role, User
from perfloop.audit.services import audit_change, audit_security
from perfloop.core.errors import DomainError


class TokenError(DomainError):
    code = "invalid_token"
    http_status = 401


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: Any, user: User, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token; the raw value is returned once and never stored."""
    raw = "pfl_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:12], digest=token_digest(raw), scopes=scopes, expires_at=expires_at
    )
    audit_change(
        actor=actor, action="api_token.create", target=token, details={"user": user.pk, "scopes": scopes}
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Stop a token at once (its next request answers 401); revoking twice keeps the first time."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit_change(
            actor=actor,
            action="api_token.revoke",
            target=token,
            details={"user": token.user_id, "name": token.name},
        )
    token.refresh_from_db()
    return token


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenScopeError(DomainError):
    code = "token_scope"
    http_status = 403


def api_token_authenticate(*, raw: str, method: str = "GET") -> User:
    """The active user behind a bearer token; revoked, expired or unknown tokens fail alike.

    A token without the ``write`` scope may only read: a reporting integration
    that leaks its token must not be able to change goals or close a month.
    """
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(raw)).first()
    now = timezone.now()
    if (
        token is None
        or token.revoked_at is not None
        or (token.expires_at is not None and token.expires_at <= now)
        or not token.user.is_active
    ):
        raise TokenError(_("The API token is unknown, expired or revoked."))
    if method.upper() not in SAFE_METHODS and "write" not in token.scopes:
        raise TokenScopeError(_("This API token may only read; ask for a token with the write scope."))
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_create(*, actor: Any, username: str, role: str, password: str | None, **fields: Any) -> User:
    """Create a user; without a password the account cannot sign in until one is set."""
    if role not in Role.values:
        raise DomainError(_("Unknown role: %(role)s") % {"role": role}, code="unknown_role")
    user = User(username=username, role=role, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_change(actor=actor, action="user.create", target=user, details={"role": role})
    return user


def sign_in_recorded(*, user: User, ip: str | None = None) -> None:
    audit_security(actor=user, action="user.sign_in", details={"ip": ip or ""})


def sign_in_failed(*, username: str, ip: str | None, is_locked_out: bool) -> None:
    """A refused sign-in is a security event: someone guessing a colleague's password shows in the audit
    log, with the name tried and the address, whether or not the name exists (the actor is unknown)."""
    audit_security(
        actor=None,
        action="user.sign_in_locked_out" if is_locked_out else "user.sign_in_failed",
        details={"username": username[:150], "ip": ip or ""},
    )


@transaction.atomic
def sign_in_lockout_clear(*, actor: Any, username: str) -> int:
    """Lift a username's sign-in lockout (from every address) before its wait is over, for someone who has
    proved who they are another way; returns how many address records were cleared."""
    cleared = int(axes_reset(username=username))
    audit_security(
        actor=actor, action="user.lockout_clear", details={"username": username, "cleared": cleared}
    )
    return cleared


def notification_send(
    *, recipient: User, kind: str, title: str, body: str = "", link: str = "", email: bool = False
) -> Notification:
    """Put a message in the recipient's inbox; with ``email`` also mail it once the transaction commits.

    Texts are rendered by the caller in the recipient's language
    (``translation.override(recipient.preferred_language)``).
    """
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, title=title, body=body, link=link
    )
    if email and recipient.email:
        transaction.on_commit(
            lambda: send_mail(
                title, f"{body}\n\n{link}".strip(), None, [recipient.email], fail_silently=False
            )
        )
    return notification


def notification_mark_read(*, recipient: User, notification_id: int) -> int:
    """Mark one of the recipient's own notifications read; others' are untouched."""
    return Notification.objects.filter(pk=notification_id, recipient=recipient, read_at__isnull=True).update(
        read_at=timezone.now()
    )
