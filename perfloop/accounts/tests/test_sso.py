"""Single sign-on: a person found by e-mail among HR's accounts, a second factor still asked, all audited."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from perfloop.accounts.models import User
from perfloop.accounts.tests import identity_provider
from perfloop.accounts.tests.factories import PASSWORD
from perfloop.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

START = "/accounts/sso/start/"
CALLBACK = "/accounts/sso/callback/"


@pytest.fixture
def provider():
    idp, server = identity_provider.start()
    with override_settings(**idp.settings()):
        yield idp
    server.shutdown()
    server.server_close()


LIMING = {"sub": "42", "email": "liming@example.com", "email_verified": True}


@pytest.fixture
def liming(rep):
    rep.email = "liming@example.com"
    rep.save(update_fields=["email"])
    return rep


def through_provider(
    client: Client, provider, claims: dict, *, next_url: str = "", audience: str = identity_provider.CLIENT_ID
) -> object:
    """The browser's round trip: to the provider (which signs ``claims`` in) and back with its code."""
    start = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    sent = urlsplit(start.url)
    assert sent.geturl().startswith(f"{provider.base_url}/authorize")
    params = {key: values[0] for key, values in parse_qs(sent.query).items()}
    assert params["client_id"] == identity_provider.CLIENT_ID
    assert params["code_challenge_method"] == "S256"
    code = provider.grant(claims, nonce=params["nonce"], audience=audience)
    return client.get(CALLBACK, {"code": code, "state": params["state"]})


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_sign_in_page_offers_the_company_account_only_when_it_is_set_up(client, provider):
    page = client.get("/accounts/sign-in/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in with your Example SSO" in page
    with override_settings(PERFLOOP_OIDC_LABEL="飞书账号", PERFLOOP_OIDC_LABEL_EN="Feishu account"):
        english = client.get("/accounts/sign-in/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Sign in with your Feishu account" in english
        chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/accounts/sign-in/").content.decode()
        assert "飞书账号" in chinese
        assert "Feishu account" not in chinese
    with override_settings(PERFLOOP_OIDC_LABEL=""):
        english = client.get("/accounts/sign-in/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Sign in with your company account" in english
    with override_settings(PERFLOOP_OIDC_ENABLED=False):
        assert "/accounts/sso/start/" not in client.get("/accounts/sign-in/").content.decode()
        assert client.get(START).status_code == 404
        assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404


def test_a_person_with_an_account_signs_in_by_their_company_address(liming, provider):
    rep = liming
    client = Client()
    answer = through_provider(client, provider, {**LIMING, "email": "LiMing@Example.com"}, next_url="/goals/")
    assert answer.status_code == 302
    assert answer.url == "/goals/"
    assert is_signed_in(client)
    assert int(client.session["_auth_user_id"]) == rep.pk
    event = AuditEvent.objects.get(action="user.sign_in")
    assert event.actor == rep
    assert event.details == {"ip": "127.0.0.1", "method": "sso"}


def test_nobody_is_created_for_an_address_without_an_account_and_the_refusal_is_audited(rep, provider):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    answer = through_provider(
        client, provider, {"sub": "7", "email": "stranger@example.com", "email_verified": True}
    )
    assert answer.url == "/accounts/sign-in/"
    assert not is_signed_in(client)
    page = client.get("/accounts/sign-in/").content.decode()
    assert "Single sign-on did not sign you in" in page
    assert not User.objects.filter(email="stranger@example.com").exists()
    assert AuditEvent.objects.get(action="user.sign_in_failed").details == {
        "method": "sso",
        "ip": "127.0.0.1",
    }


@pytest.mark.parametrize("verified", [False, "false", "true", 0, 1, None, "absent"])
def test_only_an_address_the_provider_says_it_verified_signs_in(liming, provider, verified):
    claims = {"sub": "42", "email": "liming@example.com"}
    if verified != "absent":
        claims["email_verified"] = verified
    client = Client()
    through_provider(client, provider, claims)
    assert not is_signed_in(client)


def test_a_look_alike_address_matches_nobody(liming, provider):
    client = Client()
    through_provider(client, provider, {**LIMING, "email": "lımıng@example.com"})  # dotless i
    assert not is_signed_in(client)


def test_a_token_issued_to_another_client_signs_nobody_in(liming, provider):
    client = Client()
    answer = through_provider(client, provider, LIMING, audience="another-app")
    assert answer.status_code == 302
    assert not is_signed_in(client)
    assert AuditEvent.objects.filter(action="user.sign_in_failed", details__method="sso").count() == 1


def test_a_deactivated_person_loses_their_single_sign_on_session(liming, provider):
    client = Client()
    through_provider(client, provider, LIMING)
    assert client.get("/api/v1/org/employees").status_code == 200
    with override_settings(PERFLOOP_OIDC_ENABLED=False):  # turning sign-on off ends no session
        assert client.get("/api/v1/org/employees").status_code == 200
    liming.is_active = False
    liming.save(update_fields=["is_active"])
    assert client.get("/api/v1/org/employees").status_code == 401
    assert client.get("/").url.startswith("/accounts/sign-in/")


def test_an_error_link_signs_nobody_out(rep, provider):
    client = Client()
    client.force_login(rep)
    answer = client.get(CALLBACK, {"error": "access_denied", "state": "not-this-sessions"})
    assert answer.url == "/accounts/sign-in/"
    assert is_signed_in(client)


def test_strangers_failing_at_one_address_do_not_lock_out_the_office(liming, provider):
    for number in range(6):
        through_provider(
            Client(),
            provider,
            {"sub": str(number), "email": f"x{number}@example.com", "email_verified": True},
        )
    client = Client()
    assert through_provider(client, provider, LIMING).status_code == 302
    assert is_signed_in(client)


def test_a_replayed_or_forged_answer_signs_nobody_in_and_is_recorded(liming, provider):
    client = Client()
    start = client.get(START)
    params = {key: values[0] for key, values in parse_qs(urlsplit(start.url).query).items()}
    wrong_nonce = provider.grant(LIMING, nonce="not-the-sessions")
    forged = client.get(CALLBACK, {"code": wrong_nonce, "state": params["state"]})
    assert (forged.status_code, forged.url) == (302, "/accounts/sign-in/")
    replayed = client.get(CALLBACK, {"code": "any", "state": params["state"]})  # the state was used
    assert (replayed.status_code, replayed.url) == (302, "/accounts/sign-in/")
    stranger = Client()  # a code and state from someone else's browser
    assert stranger.get(CALLBACK, {"code": "stolen", "state": params["state"]}).url == "/accounts/sign-in/"
    assert not is_signed_in(client)
    assert not is_signed_in(stranger)
    assert AuditEvent.objects.filter(action="user.sign_in_failed", details__method="sso").count() == 3


def test_a_provider_that_cannot_be_reached_sends_back_to_the_sign_in_page(liming, provider):
    client = Client()
    start = client.get(START)
    params = {key: values[0] for key, values in parse_qs(urlsplit(start.url).query).items()}
    with override_settings(OIDC_OP_TOKEN_ENDPOINT="http://127.0.0.1:9/token"):
        answer = client.get(CALLBACK, {"code": "x", "state": params["state"]})
    assert (answer.status_code, answer.url) == (302, "/accounts/sign-in/")


def test_a_second_factor_set_up_in_perfloop_is_still_asked_for(liming, provider):
    device = TOTPDevice.objects.create(user=liming, name="authenticator", confirmed=True)
    client = Client()
    answer = through_provider(client, provider, LIMING, next_url="/goals/")
    assert answer.url == "/accounts/sign-in/code/"
    assert not is_signed_in(client)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        done = client.post("/accounts/sign-in/code/", {"code": f"{totp(device.bin_key):06d}"})
    assert done.url == "/goals/"
    assert is_signed_in(client)
    event = AuditEvent.objects.filter(action="user.sign_in").latest("pk")
    assert event.details == {"ip": "127.0.0.1", "method": "sso", "second_factor": "authenticator"}


def test_a_password_sign_in_never_calls_the_provider(rep, provider):
    client = Client()
    # Even with a code and a state in the address, a password sign-in is not a provider's answer.
    signed_in = client.post("/accounts/sign-in/?code=x&state=y", {"username": "rep", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert is_signed_in(client)
    assert provider.calls == 0


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"PERFLOOP_OIDC_TOKEN_ENDPOINT": "https://idp.example/token"},
            "PERFLOOP_OIDC_CLIENT_ID must be set too",
        ),
        ({"PERFLOOP_OIDC_CLIENT_ID": "perfloop"}, "PERFLOOP_OIDC_CLIENT_SECRET must be set"),
        (
            {
                "PERFLOOP_OIDC_CLIENT_ID": "perfloop",
                "PERFLOOP_OIDC_CLIENT_SECRET": "s",
                "PERFLOOP_OIDC_AUTHORIZATION_ENDPOINT": "https://idp.example/authorize",
                "PERFLOOP_OIDC_TOKEN_ENDPOINT": "https://idp.example/token",
                "PERFLOOP_OIDC_USERINFO_ENDPOINT": "https://idp.example/userinfo",
                "PERFLOOP_OIDC_SIGN_ALGORITHM": "rs256",
            },
            "PERFLOOP_OIDC_SIGN_ALGORITHM must be one of",
        ),
    ],
)
def test_a_half_configured_sign_on_stops_the_start_naming_what_is_missing(variables, message):
    root = Path(__file__).resolve().parents[3]
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PERFLOOP_OIDC_")}
    completed = subprocess.run(
        [sys.executable, "-c", "import perfloop.settings"],
        cwd=root,
        env={**environment, **variables},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode != 0
    assert message in completed.stderr
