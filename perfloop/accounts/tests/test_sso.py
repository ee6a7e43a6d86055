"""Single sign-on: a person found by e-mail among HR's accounts, a second factor still asked, all audited."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from perfloop.accounts.tests import identity_provider
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


def through_provider(client: Client, provider, claims: dict, *, next_url: str = "") -> object:
    """The browser's round trip: to the provider (which signs ``claims`` in) and back with its code."""
    start = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    sent = urlsplit(start.url)
    assert sent.geturl().startswith(f"{provider.base_url}/authorize")
    params = {key: values[0] for key, values in parse_qs(sent.query).items()}
    assert params["client_id"] == identity_provider.CLIENT_ID
    assert params["code_challenge_method"] == "S256"
    code = provider.grant(claims, nonce=params["nonce"])
    return client.get(CALLBACK, {"code": code, "state": params["state"]})


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_sign_in_page_offers_the_company_account_only_when_it_is_set_up(client, provider):
    page = client.get("/accounts/sign-in/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in with your Example SSO" in page
    with override_settings(PERFLOOP_OIDC_ENABLED=False):
        assert "/accounts/sso/start/" not in client.get("/accounts/sign-in/").content.decode()
        assert client.get(START).status_code == 404
        assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404


def test_a_person_with_an_account_signs_in_by_their_company_address(rep, provider):
    rep.email = "liming@example.com"
    rep.save(update_fields=["email"])
    client = Client()
    answer = through_provider(
        client, provider, {"sub": "42", "email": "LiMing@Example.com"}, next_url="/goals/"
    )
    assert answer.status_code == 302
    assert answer.url == "/goals/"
    assert is_signed_in(client)
    assert int(client.session["_auth_user_id"]) == rep.pk
    event = AuditEvent.objects.get(action="user.sign_in")
    assert event.actor == rep
    assert event.details == {"ip": "127.0.0.1", "method": "sso"}


def test_nobody_is_created_for_an_address_without_an_account_and_the_refusal_is_audited(rep, provider):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    answer = through_provider(client, provider, {"sub": "7", "email": "stranger@example.com"})
    assert answer.url == "/accounts/sign-in/"
    assert not is_signed_in(client)
    page = client.get("/accounts/sign-in/").content.decode()
    assert "Single sign-on did not sign you in" in page
    from perfloop.accounts.models import User

    assert not User.objects.filter(email="stranger@example.com").exists()
    assert AuditEvent.objects.get(action="user.sign_in_failed").details == {
        "method": "sso",
        "ip": "127.0.0.1",
    }


def test_an_address_the_provider_has_not_verified_signs_nobody_in(rep, provider):
    rep.email = "liming@example.com"
    rep.save(update_fields=["email"])
    client = Client()
    through_provider(client, provider, {"sub": "42", "email": "liming@example.com", "email_verified": False})
    assert not is_signed_in(client)


def test_a_replayed_or_forged_answer_signs_nobody_in(rep, provider):
    rep.email = "liming@example.com"
    rep.save(update_fields=["email"])
    client = Client()
    start = client.get(START)
    params = {key: values[0] for key, values in parse_qs(urlsplit(start.url).query).items()}
    wrong_nonce = provider.grant({"sub": "42", "email": "liming@example.com"}, nonce="not-the-sessions")
    client.get(CALLBACK, {"code": wrong_nonce, "state": params["state"]})
    assert not is_signed_in(client)
    stranger = Client()  # a code and state from someone else's browser
    assert stranger.get(CALLBACK, {"code": "stolen", "state": params["state"]}).status_code == 302
    assert not is_signed_in(stranger)


def test_a_second_factor_set_up_in_perfloop_is_still_asked_for(rep, provider):
    rep.email = "liming@example.com"
    rep.save(update_fields=["email"])
    device = TOTPDevice.objects.create(user=rep, name="authenticator", confirmed=True)
    client = Client()
    answer = through_provider(
        client, provider, {"sub": "42", "email": "liming@example.com"}, next_url="/goals/"
    )
    assert answer.url == "/accounts/sign-in/code/"
    assert not is_signed_in(client)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        done = client.post("/accounts/sign-in/code/", {"code": f"{totp(device.bin_key):06d}"})
    assert done.url == "/goals/"
    assert is_signed_in(client)
    event = AuditEvent.objects.filter(action="user.sign_in").latest("pk")
    assert event.details == {"ip": "127.0.0.1", "method": "sso", "second_factor": "authenticator"}


def test_a_password_sign_in_never_calls_the_provider(rep, provider):
    from perfloop.accounts.tests.factories import PASSWORD

    provider.base_url = "http://127.0.0.1:9"  # unreachable: a call would fail the sign-in
    client = Client()
    assert client.post("/accounts/sign-in/", {"username": "rep", "password": PASSWORD}).status_code == 302
    assert is_signed_in(client)
