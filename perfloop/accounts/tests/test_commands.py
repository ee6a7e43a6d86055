"""`perfloop api-token` (issue shown once, read-only, expiring; list never the value; revoke at once),
`perfloop lockout` (list and lift sign-in lockouts) and `perfloop second-factor` (list, reset)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from perfloop.accounts.models import ApiToken
from perfloop.accounts.tests.factories import PASSWORD
from perfloop.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def api(raw: str, method: str = "get"):
    path = "/api/v1/org/employees" if method == "get" else "/api/v1/metrics/scorecards/recompute"
    return getattr(Client(), method)(
        path, HTTP_AUTHORIZATION=f"Bearer {raw}", content_type="application/json"
    )


def test_an_issued_token_reads_expires_and_is_shown_once(hrbp):
    out, err = command("issue", "hrbp", "--name", "BI export")
    raw = out.strip()
    assert raw.startswith("pfl_")
    token = ApiToken.objects.get()
    assert token.scopes == ["read"]
    assert token.expires_at is not None
    assert (token.expires_at - token.created_at).days in {89, 90}
    assert raw not in err
    assert api(raw).status_code == 200
    written = api(raw, "post")
    assert (written.status_code, written.json()["error"]["code"]) == (
        403,
        "token_scope",
    )  # read only by default
    listed, _ = command("list")
    assert token.prefix in listed
    assert raw not in listed
    assert "BI export" in listed


def test_a_revoked_token_stops_at_once_and_the_revocation_is_audited(hrbp):
    raw = command("issue", "hrbp", "--name", "leaked", "--write")[0].strip()
    token = ApiToken.objects.get()
    out, _ = command("revoke", token.prefix)
    assert "revoked" in out
    assert api(raw).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1
    command("revoke", token.prefix)  # twice: still revoked, audited once
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1
    assert "revoked" in command("list", "hrbp")[0]


def test_bad_requests_are_refused(hrbp):
    with pytest.raises(CommandError, match="No user"):
        command("issue", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="No token"):
        command("revoke", "pfl_unknown")
    with pytest.raises(CommandError, match="--days"):
        command("issue", "hrbp", "--name", "x", "--days", "0")
    hrbp.is_active = False
    hrbp.save()
    with pytest.raises(CommandError, match="deactivated"):
        command("issue", "hrbp", "--name", "x")
    assert not ApiToken.objects.exists()


def set_up_second_factor(user) -> None:
    user.refresh_from_db()  # a reset ended the person's sessions (a new epoch)
    client = Client()
    client.force_login(user)
    client.post("/accounts/second-factor/", {"action": "begin"})
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post("/accounts/second-factor/", {"action": "confirm", "code": f"{totp(pending.bin_key):06d}"})


def test_a_role_that_must_use_a_second_factor_gets_no_token_without_one(hrbp, settings):
    settings.PERFLOOP_SECOND_FACTOR_ROLES = ["hrbp"]
    with pytest.raises(CommandError, match="must use a second factor and none is set up"):
        command("issue", "hrbp", "--name", "BI export")
    assert not ApiToken.objects.exists()
    set_up_second_factor(hrbp)
    raw = command("issue", "hrbp", "--name", "BI export")[0].strip()
    assert api(raw).status_code == 200
    second_factor("reset", "hrbp")  # a lost phone: the integrations pause until a new one is set up
    refused = api(raw)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "second_factor_required")
    set_up_second_factor(hrbp)
    assert api(raw).status_code == 200


def test_a_token_issued_before_the_role_had_to_use_it_stops_until_it_is_set_up(hrbp, settings):
    raw = command("issue", "hrbp", "--name", "BI export")[0].strip()
    settings.PERFLOOP_SECOND_FACTOR_ROLES = ["hrbp"]
    assert api(raw).status_code == 403
    docs = Client().get("/api/v1/docs", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert docs.status_code == 403


# --- perfloop lockout ---


def lockout(*args: str) -> str:
    out = io.StringIO()
    call_command("lockout", *args, stdout=out)
    return out.getvalue()


def wrong_passwords(username: str, times: int, ip: str = "10.1.2.3") -> Client:
    client = Client()
    for _ in range(times):
        client.post("/accounts/sign-in/", {"username": username, "password": "guess"}, REMOTE_ADDR=ip)
    return client


def test_lockout_list_shows_locked_names_first_with_their_address(rep, manager):
    assert "no wrong passwords" in lockout("list")
    wrong_passwords("manager", 2)
    wrong_passwords("rep", 5, ip="10.7.7.7")
    lines = lockout("list").splitlines()
    assert lines[0].split()[:3] == ["LOCKED", "rep", "10.7.7.7"]
    assert "5 wrong" in lines[0]
    assert lines[1].split()[:3] == ["tries", "manager", "10.1.2.3"]


def test_lockout_clear_lets_the_person_sign_in_at_once_and_is_audited(rep):
    client = wrong_passwords("rep", 5)
    refused = client.post(
        "/accounts/sign-in/", {"username": "rep", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert refused.status_code == 429
    assert "lifted: rep" in lockout("clear", "rep")
    signed_in = client.post(
        "/accounts/sign-in/", {"username": "rep", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert signed_in.status_code == 302
    event = AuditEvent.objects.get(action="user.lockout_clear")
    assert event.details == {"username": "rep", "cleared": 1}


def test_lockout_clear_of_a_name_without_wrong_passwords_says_so(rep):
    with pytest.raises(CommandError, match="nothing to lift"):
        lockout("clear", "rep")


# --- perfloop second-factor ---


def second_factor(*args: str) -> str:
    out = io.StringIO()
    call_command("second_factor", *args, stdout=out)
    return out.getvalue()


def test_second_factor_list_and_reset_for_a_lost_phone(rep, manager):
    assert "nobody has a second factor" in second_factor("list")
    client = Client()
    client.force_login(rep)
    client.post("/accounts/second-factor/", {"action": "begin"})
    pending = TOTPDevice.objects.get(user=rep)
    client.post("/accounts/second-factor/", {"action": "confirm", "code": f"{totp(pending.bin_key):06d}"})
    listed = second_factor("list")
    assert listed.split()[0] == "rep"
    assert "10 recovery codes left" in listed
    assert "removed: rep" in second_factor("reset", "rep")
    assert not TOTPDevice.objects.filter(user=rep).exists()
    signed_in = Client().post("/accounts/sign-in/", {"username": "rep", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in.url != "/accounts/sign-in/code/"
    assert AuditEvent.objects.get(action="user.second_factor_reset").details == {"user": "rep", "removed": 2}
    with pytest.raises(CommandError, match="no second factor"):
        second_factor("reset", "manager")
    with pytest.raises(CommandError, match="No user"):
        second_factor("reset", "ghost")
