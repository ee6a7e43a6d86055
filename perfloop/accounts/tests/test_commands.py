"""`perfloop api-token`: issue (shown once, read-only, expiring), list (never the value), revoke (at once)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from perfloop.accounts.models import ApiToken
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
