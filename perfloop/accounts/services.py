"""Accounts: users and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from datetime import datetime
from typing import Any

from axes.utils import reset as axes_reset
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from perfloop.accounts.models import Announcement, ApiToken, Notification, Role, User
from perfloop.accounts.policies import can_announce
from perfloop.accounts.roles import is_hr_of_whole_organisation
from perfloop.accounts.second_factor import RECOVERY_CODES, normalised_code, seconds_to_wait
from perfloop.accounts.selectors import (
    AuditQuery,
    announcement_units_for,
    audit_subject_id,
    has_second_factor,
    is_second_factor_required,
)
from perfloop.audit.services import audit_change, audit_security, audit_view
from perfloop.core.errors import DomainError, PermissionDenied
from perfloop.core.personal_data import DataSubject, personal_data_sheets, section_names
from perfloop.core.workbooks import workbook_bytes
from perfloop.org.models import Employee, OrgUnit


class TokenError(DomainError):
    code = "invalid_token"
    http_status = 401


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class SecondFactorMissingError(DomainError):
    code = "second_factor_required"
    http_status = 403


def _check_second_factor_for_token(user: User) -> None:
    """A role the company makes use a second factor gets no token, and its tokens do not work, until that
    person has one: a token must not be the way around the rule (an admin's reset of a lost phone pauses
    the person's integrations until they set a new one up)."""
    if is_second_factor_required(user) and not has_second_factor(user):
        raise SecondFactorMissingError(
            _("Your role must use a second factor: set it up on the second-factor page first."),
            user=user.username,
        )


@transaction.atomic
def api_token_create(
    *, actor: Any, user: User, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token; the raw value is returned once and never stored."""
    _check_second_factor_for_token(user)
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
    _check_second_factor_for_token(token.user)
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


def sign_in_recorded(
    *, user: User, ip: str | None = None, second_factor: str = "", method: str = "password"
) -> None:
    details = {"ip": ip or ""}
    if method != "password":
        details["method"] = method
    if second_factor:
        details["second_factor"] = second_factor
    audit_security(actor=user, action="user.sign_in", details=details)


def sso_sign_in_failed(*, ip: str | None) -> None:
    """The company's provider did not sign anyone in here (no matching account, a cancelled or forged
    answer): recorded like a refused password, without a name, which the provider's answer does not give."""
    audit_security(actor=None, action="user.sign_in_failed", details={"method": "sso", "ip": ip or ""})


def _audit_filters(query: AuditQuery) -> dict[str, str]:
    return {name: str(value) for name, value in vars(query).items() if value}


def audit_log_read(*, actor: User, query: AuditQuery, via: str = "page") -> None:
    """Reading the log is recorded in it, as a view of the person the reading was about (if it was): a
    trail of who looked up whose trail, readable by those who read people's records, not by the system
    administrator."""
    audit_view(
        actor=actor,
        action="audit_log.read",
        subject_employee_id=audit_subject_id(query),
        details={**_audit_filters(query), "via": via},
    )


def audit_log_export(*, actor: User, query: AuditQuery, events: int, is_cut: bool) -> None:
    """Taking the log away is recorded with how many events left, and whether the file was cut short."""
    details = {**_audit_filters(query), "events": str(events)}
    if is_cut:
        details["cut"] = "true"
    audit_view(
        actor=actor, action="audit_log.export", subject_employee_id=audit_subject_id(query), details=details
    )


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


class AnnouncementError(DomainError):
    code = "invalid_announcement"
    http_status = 400


ANNOUNCEMENT_TITLE_MAX = 200
ANNOUNCEMENT_BODY_MAX = 5_000


def _announcement_check(
    actor: User, *, title: str, body: str, audience_unit: OrgUnit | None, expires_on: dt.date | None
) -> None:
    if not can_announce(actor):
        raise PermissionDenied(_("Only HR posts announcements."))
    if not title.strip() or not body.strip():
        raise AnnouncementError(_("An announcement needs a title and a message."), code="missing_text")
    if len(title) > ANNOUNCEMENT_TITLE_MAX or len(body) > ANNOUNCEMENT_BODY_MAX:
        raise AnnouncementError(
            _("Keep the title under %(title)s characters and the message under %(body)s.")
            % {"title": ANNOUNCEMENT_TITLE_MAX, "body": ANNOUNCEMENT_BODY_MAX},
            code="text_too_long",
        )
    if expires_on is not None and expires_on < timezone.localdate():
        raise AnnouncementError(_("The last day to show it has passed already."), code="expired")
    if actor.scope_unit_id is not None and (
        audience_unit is None or not announcement_units_for(viewer=actor).filter(pk=audience_unit.pk).exists()
    ):
        raise PermissionDenied(_("You may address only your part of the organisation."))


@transaction.atomic
def announcement_publish(
    *,
    actor: User,
    title: str,
    body: str,
    title_en: str = "",
    body_en: str = "",
    audience_unit: OrgUnit | None = None,
    expires_on: dt.date | None = None,
) -> Announcement:
    """Post an announcement and put it in the inbox of everyone it is for, each in their own language
    (the English text when they read English and there is one)."""
    _announcement_check(actor, title=title, body=body, audience_unit=audience_unit, expires_on=expires_on)
    announcement = Announcement.objects.create(
        title=title.strip(),
        title_en=title_en.strip(),
        body=body.strip(),
        body_en=body_en.strip(),
        audience_unit=audience_unit,
        author=actor,
        expires_on=expires_on,
    )
    readers = User.objects.filter(is_active=True)
    if audience_unit is not None:
        readers = readers.filter(employee__org_unit__path__startswith=audience_unit.path)
    link = f"/accounts/announcements/#announcement-{announcement.pk}"
    notes = [
        Notification(
            recipient_id=reader_id,
            kind="announcement",
            title=announcement.title_for(language)[:200],
            body=announcement.body_for(language),
            link=link,
        )
        for reader_id, language in readers.values_list("pk", "preferred_language").iterator()
    ]
    Notification.objects.bulk_create(notes, batch_size=1000)
    announcement.recipients = len(notes)
    announcement.save(update_fields=["recipients"])
    audit_change(
        actor=actor,
        action="announcement.publish",
        target=announcement,
        details={"audience": audience_unit.code if audience_unit else "", "recipients": len(notes)},
    )
    return announcement


@transaction.atomic
def announcement_withdraw(*, actor: User, announcement: Announcement) -> Announcement:
    """Take an announcement off the page (a mistake, a change of plan); the inbox copies stay, as letters
    already delivered do. Its author or HR of the whole organisation withdraws it."""
    if not (announcement.author_id == actor.pk or is_hr_of_whole_organisation(actor)):
        raise PermissionDenied(
            _("Only its author or HR of the whole organisation withdraws an announcement.")
        )
    updated = Announcement.objects.filter(pk=announcement.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=actor
    )
    if updated:
        audit_change(actor=actor, action="announcement.withdraw", target=announcement)
    announcement.refresh_from_db()
    return announcement


def notification_mark_all_read(*, recipient: User) -> int:
    """Mark every unread notification of the recipient read (how many were)."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    return unread.update(read_at=timezone.now())


def personal_data_export(
    *, actor: User | None, user: User, channel: str = "web", language: str | None = None
) -> bytes:
    """The copy of everything perfloop holds about ``user`` (PIPL Art. 45) as one workbook, in ``language``
    (the page's, when they download it themselves) or else their own. People export their own; HR of the
    whole organisation, or the system (the CLI, for a request by someone who has left), export it for them.
    Recorded as a view of the person."""
    if actor is not None and actor.pk != user.pk and not is_hr_of_whole_organisation(actor):
        raise PermissionDenied(_("Only the person or HR of the whole organisation exports a person's data."))
    employee_id = Employee.objects.filter(user=user).values_list("pk", flat=True).first()
    subject = DataSubject(user_id=user.pk, employee_id=employee_id)
    with translation.override(language or user.preferred_language or "zh-hans"):
        data = workbook_bytes(personal_data_sheets(subject))
    audit_view(
        actor=actor,
        action="personal_data.export",
        target=user,
        subject_employee_id=employee_id,
        details={"channel": channel, "sections": section_names(), "for": "self" if actor == user else "hr"},
    )
    return data


# --- second factor (TOTP, with recovery codes) ---------------------------------------------------------


class SecondFactorError(DomainError):
    code = "second_factor_invalid"
    http_status = 400


class SecondFactorThrottledError(DomainError):
    code = "second_factor_throttled"
    http_status = 429


def _devices(user: User) -> list[Device]:
    return [*TOTPDevice.objects.filter(user=user, confirmed=True), *StaticDevice.objects.filter(user=user)]


def second_factor_check(*, user: User, code: str, ip: str | None = None) -> Device:
    """The device that accepts ``code``: the authenticator app's current code, or an unused recovery code
    (used up by this). Wrong codes slow the next try down (1 s, 2 s, 4 s … per device) and are audited."""
    typed = normalised_code(code)
    devices = _devices(user)
    now = timezone.now()
    waits = []
    for device in devices:
        allowed, why = device.verify_is_allowed()
        if not allowed:
            waits.append(seconds_to_wait((why or {}).get("locked_until"), now))
            continue
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            if typed and locked.verify_token(typed):
                return locked
    if waits and len(waits) == len(devices):
        seconds = min(waits)
        raise SecondFactorThrottledError(
            _("Too many wrong codes: wait %(seconds)s seconds, then try again.") % {"seconds": seconds},
            seconds=seconds,
        )
    audit_security(actor=user, action="user.second_factor_failed", details={"ip": ip or ""})
    if any(isinstance(device, TOTPDevice) and _was_used_already(device, typed) for device in devices):
        raise SecondFactorError(
            _("This code was used a moment ago: wait for your app to show the next one (every 30 seconds).")
        )
    raise SecondFactorError(
        _("That code is not right. Type the 6 digits your app shows now, or a recovery code.")
    )


def _was_used_already(device: TOTPDevice, typed: str) -> bool:
    """The app's code of a step already used (a sign-in right after the set-up, say): refused as a replay,
    but worth telling apart from a wrong code."""
    if not typed.isdigit():
        return False
    for offset in range(-device.tolerance, device.tolerance + 1):
        step = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
        step.time = time.time()
        if step.t() <= device.last_t and step.token() == int(typed):
            return True
    return False


def second_factor_sign_in(*, user: User, code: str, ip: str | None, method: str = "password") -> Device:
    """The second step of a sign-in: the code checked, the sign-in audited with the kind of code used (a
    recovery code used means the phone may be lost: worth a look)."""
    device = second_factor_check(user=user, code=code, ip=ip)
    kind = "recovery_code" if isinstance(device, StaticDevice) else "authenticator"
    sign_in_recorded(user=user, ip=ip, second_factor=kind, method=method)
    return device


def user_sessions_end(*, user: User) -> None:
    """Every session of the user stops proving the account (the caller keeps its own with
    ``update_session_auth_hash``)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


@transaction.atomic
def second_factor_begin(*, user: User) -> TOTPDevice:
    """A new authenticator key for the user to scan; it guards nothing until a code from it confirms it."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def _recovery_codes_make(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def second_factor_enable(*, user: User, code: str) -> list[str]:
    """Turn the second factor on once the new key's current code proves the app has it; returns the
    recovery codes, shown this once."""
    pending = (
        TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    )
    if pending is None:
        raise SecondFactorError(_("Start the set-up again: no new key is waiting for a code."))
    if not pending.verify_token(normalised_code(code)):
        raise SecondFactorError(_("That code is not right. Type the 6 digits your app shows now."))
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    pending.confirmed = True
    pending.save(update_fields=["confirmed"])
    codes = _recovery_codes_make(user)
    user_sessions_end(user=user)  # a session opened elsewhere with the password alone ends now
    audit_security(actor=user, action="user.second_factor_enable", details={"recovery_codes": len(codes)})
    return codes


def second_factor_recovery_codes_renew(*, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), for someone who proves it is them with a code."""
    second_factor_check(user=user, code=code)
    with transaction.atomic():
        codes = _recovery_codes_make(user)
        audit_security(actor=user, action="user.second_factor_recovery_renew", details={"count": len(codes)})
    return codes


def second_factor_disable(*, user: User, code: str) -> None:
    """Turn the second factor off; a code proves it is the person, not someone at an unlocked screen."""
    second_factor_check(user=user, code=code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        user_sessions_end(user=user)
        audit_security(actor=user, action="user.second_factor_disable")


@transaction.atomic
def second_factor_reset(*, actor: Any, user: User) -> int:
    """Remove a person's second factor (a lost phone, no recovery code left), so that they can sign in with
    their password and set it up again; returns how many devices were removed."""
    totp_devices = TOTPDevice.objects.filter(user=user)
    recovery_devices = StaticDevice.objects.filter(user=user)
    removed = totp_devices.count() + recovery_devices.count()  # devices, not their codes
    totp_devices.delete()
    recovery_devices.delete()
    user_sessions_end(user=user)  # a lost phone may be a stolen one: its owner signs in afresh
    audit_security(
        actor=actor, action="user.second_factor_reset", details={"user": user.username, "removed": removed}
    )
    return removed
