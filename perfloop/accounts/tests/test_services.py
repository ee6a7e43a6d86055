import datetime as dt
import os
import subprocess
import sys

import pytest
from django.utils import timezone

from perfloop.accounts.services import TokenError, api_token_authenticate, api_token_create, user_create
from perfloop.audit.models import AuditEvent
from perfloop.core.errors import DomainError


def test_a_token_authenticates_its_user_and_only_its_digest_is_stored(hrbp):
    token, raw = api_token_create(actor=hrbp, user=hrbp, name="crm sync", scopes=["read"])
    assert api_token_authenticate(raw=raw) == hrbp
    assert raw not in token.digest
    assert token.digest != raw


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown"])
def test_revoked_expired_or_unknown_tokens_fail_alike(hrbp, state):
    token, raw = api_token_create(actor=hrbp, user=hrbp, name="x", scopes=["read"])
    if state == "revoked":
        token.revoked_at = timezone.now()
        token.save()
    elif state == "expired":
        token.expires_at = timezone.now() - dt.timedelta(seconds=1)
        token.save()
    else:
        raw = raw + "x"
    with pytest.raises(TokenError) as excinfo:
        api_token_authenticate(raw=raw)
    assert excinfo.value.code == "invalid_token"


def test_user_without_password_cannot_sign_in_until_set(db):
    user = user_create(actor=None, username="newcomer", role="rep", password=None)
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="user.create", target_id=str(user.pk)).exists()


def test_unknown_role_is_refused(db):
    with pytest.raises(DomainError) as excinfo:
        user_create(actor=None, username="x", role="overlord", password=None)
    assert excinfo.value.code == "unknown_role"


def test_production_settings_hash_passwords_with_argon2():
    """Tests swap in a fast hasher; the settings module itself must default to argon2."""
    env = {k: v for k, v in os.environ.items() if k != "PERFLOOP_FAST_PASSWORD_HASHER"}
    code = "from perfloop import settings; print(settings.PASSWORD_HASHERS[0])"
    output = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_notification_lands_in_the_inbox_and_mails_after_commit(
    rep, mailoutbox, django_capture_on_commit_callbacks
):
    from perfloop.accounts.selectors import notification_list_for
    from perfloop.accounts.services import notification_send

    rep.email = "rep@example.com"
    rep.save()
    with django_capture_on_commit_callbacks(execute=True):
        note = notification_send(
            recipient=rep, kind="goal.published", title="新目标", body="请确认", email=True
        )
    assert list(notification_list_for(viewer=rep, unread_only=True)) == [note]
    assert mailoutbox[0].to == ["rep@example.com"]


def test_nobody_marks_or_reads_another_persons_notification(rep, manager):
    from perfloop.accounts.selectors import notification_list_for
    from perfloop.accounts.services import notification_mark_read, notification_send

    note = notification_send(recipient=rep, kind="x", title="t")
    assert notification_mark_read(recipient=manager, notification_id=note.pk) == 0
    assert list(notification_list_for(viewer=manager)) == []
    assert notification_mark_read(recipient=rep, notification_id=note.pk) == 1
