"""Sign-in: wrong passwords are audited, and five in a row from one address pause that name there."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from perfloop.accounts.tests.factories import PASSWORD
from perfloop.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"
OFFICE = "10.1.2.3"
HOME = "10.9.9.9"


def sign_in(client: Client, username: str, password: str, *, ip: str = OFFICE):
    return client.post(SIGN_IN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_wrong_password_is_audited_with_the_name_tried_and_the_address(rep):
    client = Client()
    response = sign_in(client, "rep", "not-my-password")
    assert response.status_code == 200
    assert 'class="message message--error"' in response.content.decode()
    event = AuditEvent.objects.get(action="user.sign_in_failed")
    assert event.actor is None
    assert event.details == {"username": "rep", "ip": OFFICE}
    assert "not-my-password" not in str(event.details)


def test_a_sign_in_is_audited_with_its_address(rep):
    client = Client()
    response = sign_in(client, "rep", PASSWORD)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.sign_in")
    assert event.actor == rep
    assert event.details == {"ip": OFFICE}


def test_the_fifth_wrong_password_pauses_the_name_even_for_the_right_one(rep):
    client = Client()
    for _ in range(4):
        assert sign_in(client, "rep", "guess").status_code == 200
    paused = sign_in(client, "rep", "guess")
    assert paused.status_code == 429
    assert "15" in paused.content.decode()
    right = sign_in(client, "rep", PASSWORD)
    assert right.status_code == 429
    assert not is_signed_in(client)
    # The try that reached the limit and the one refused after it are recorded as locked out.
    assert AuditEvent.objects.filter(action="user.sign_in_failed").count() == 4
    assert AuditEvent.objects.filter(action="user.sign_in_locked_out").count() == 2
    assert not AuditEvent.objects.filter(action="user.sign_in").exists()


def test_the_pause_speaks_the_visitors_language(rep):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _ in range(5):
        response = sign_in(client, "rep", "guess")
    page = response.content.decode()
    assert response.status_code == 429
    assert "15 分钟" in page
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = sign_in(english, "rep", "guess").content.decode()
    assert "Try again in 15 minutes" in page


def test_the_pause_holds_one_name_at_one_address_only(rep, manager):
    guesser = Client()
    for _ in range(5):
        sign_in(guesser, "rep", "guess")
    colleague = Client()  # the same office address, another name
    assert sign_in(colleague, "manager", PASSWORD).status_code == 302
    at_home = Client()  # the same name, another address
    assert sign_in(at_home, "rep", PASSWORD, ip=HOME).status_code == 302


def test_the_pause_ends_by_itself_after_fifteen_quiet_minutes(rep):
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            sign_in(client, "rep", "guess")
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert sign_in(client, "rep", PASSWORD).status_code == 429  # and the wait starts again
    with time_machine.travel(start + dt.timedelta(minutes=14 + 16), tick=False):
        assert sign_in(client, "rep", PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_a_right_password_forgets_the_earlier_wrong_ones(rep):
    client = Client()
    for _ in range(4):
        sign_in(client, "rep", "guess")
    assert sign_in(client, "rep", PASSWORD).status_code == 302
    client.post(reverse("accounts:sign_out"))
    for _ in range(4):
        assert sign_in(client, "rep", "guess").status_code == 200
    assert sign_in(client, "rep", PASSWORD).status_code == 302


def test_an_empty_form_is_not_a_guess(rep):
    client = Client()
    for _ in range(6):
        assert client.post(SIGN_IN, {"username": "", "password": ""}, REMOTE_ADDR=OFFICE).status_code == 200
    assert not AuditEvent.objects.filter(action__startswith="user.sign_in").exists()
    assert sign_in(client, "rep", PASSWORD).status_code == 302


def test_guessing_an_unknown_name_is_paused_too(rep):
    client = Client()
    for _ in range(5):
        response = sign_in(client, "nobody", "guess")
    assert response.status_code == 429
    assert (
        AuditEvent.objects.filter(action__startswith="user.sign_in", details__username="nobody").count() == 5
    )
