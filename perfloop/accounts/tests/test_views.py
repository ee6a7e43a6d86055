"""Sign-in: wrong passwords are audited, five in a row from one address pause that name there, and a second
factor, once set up, is asked for after the password."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def test_changing_address_inside_one_ipv6_network_does_not_reset_the_count(rep):
    for host in range(5):
        response = sign_in(Client(), "rep", "guess", ip=f"2001:db8:7:7::{host + 1}")
    assert response.status_code == 429
    assert sign_in(Client(), "rep", PASSWORD, ip="2001:db8:7:7::99").status_code == 429


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


# --- the second factor ---


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key):06d}"


def turn_on(client: Client, user) -> list[str]:
    """Set up a second factor through the page, as the person would; returns the recovery codes shown."""
    client.force_login(user)
    client.post(SECOND_FACTOR, {"action": "begin"})
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post(SECOND_FACTOR, {"action": "confirm", "code": f"{totp(pending.bin_key):06d}"})
    assert page.status_code == 200
    codes = re.findall(r"<code>([a-z2-7]{8})</code>", page.content.decode())
    client.post(reverse("accounts:sign_out"))
    user.refresh_from_db()  # turning it on ended the other sessions: the caller's copy learns the new epoch
    return codes


SECOND_FACTOR = "/accounts/second-factor/"
VERIFY = "/accounts/sign-in/code/"


def test_setting_up_shows_a_qr_code_and_a_typed_key_then_ten_recovery_codes_once(rep):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(rep)
    assert "Set up" in client.get(SECOND_FACTOR).content.decode()
    page = client.post(SECOND_FACTOR, {"action": "begin"}, follow=True).content.decode()
    assert "<svg" in page
    assert 'class="secret"' in page
    pending = TOTPDevice.objects.get(user=rep, confirmed=False)
    wrong = client.post(SECOND_FACTOR, {"action": "confirm", "code": "000000"}).content.decode()
    assert "That code is not right" in wrong
    assert not TOTPDevice.objects.filter(user=rep, confirmed=True).exists()
    done = client.post(SECOND_FACTOR, {"action": "confirm", "code": f"{totp(pending.bin_key):06d}"})
    codes = re.findall(r"<code>([a-z2-7]{8})</code>", done.content.decode())
    assert len(codes) == 10
    again = client.get(SECOND_FACTOR).content.decode()
    assert "10 recovery codes left" in again
    assert codes[0] not in again
    assert AuditEvent.objects.filter(actor=rep, action="user.second_factor_enable").count() == 1


def test_with_a_second_factor_the_password_alone_signs_nobody_in(rep):
    turn_on(Client(), rep)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = sign_in(client, "rep", PASSWORD)
    assert response.status_code == 302
    assert response.url == VERIFY
    assert not is_signed_in(client)
    assert client.get("/").status_code == 302  # still sent to sign in
    assert not is_signed_in(client)
    wrong = client.post(VERIFY, {"code": "123456"})
    assert "That code is not right" in wrong.content.decode()
    assert not is_signed_in(client)
    assert AuditEvent.objects.filter(actor=rep, action="user.second_factor_failed").count() == 1


def test_the_apps_code_completes_the_sign_in_and_is_audited(rep):
    turn_on(Client(), rep)
    client = Client()
    sign_in(client, "rep", PASSWORD)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        response = client.post(VERIFY, {"code": current_code(rep)})
    assert response.status_code == 302
    assert is_signed_in(client)
    event = AuditEvent.objects.filter(action="user.sign_in").latest("pk")
    assert event.details == {"ip": "127.0.0.1", "second_factor": "authenticator"}


def test_the_code_just_used_to_set_it_up_is_refused_with_a_reason(rep):
    # Frozen inside one 30-second step: the code that confirmed the set-up is still the app's current one.
    with time_machine.travel(timezone.now().replace(second=1, microsecond=0), tick=False):
        turn_on(Client(), rep)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        sign_in(client, "rep", PASSWORD)
        page = client.post(VERIFY, {"code": current_code(rep)}).content.decode()
    assert "This code was used a moment ago" in page
    assert not is_signed_in(client)


def test_a_recovery_code_works_once(rep):
    codes = turn_on(Client(), rep)
    first = Client()
    sign_in(first, "rep", PASSWORD)
    assert first.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert (
        AuditEvent.objects.filter(action="user.sign_in").latest("pk").details["second_factor"]
        == "recovery_code"
    )
    second = Client()
    sign_in(second, "rep", PASSWORD)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5), tick=False):
        reused = second.post(VERIFY, {"code": codes[0]})
    assert reused.status_code == 200
    assert not is_signed_in(second)


def test_wrong_codes_slow_the_next_tries_down(rep):
    turn_on(Client(), rep)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, "rep", PASSWORD)
    start = timezone.now() + dt.timedelta(seconds=31)
    with time_machine.travel(start, tick=False):
        client.post(VERIFY, {"code": "111111"})
        client.post(VERIFY, {"code": "222222"})  # refused unread: one second had to pass
        waiting = client.post(VERIFY, {"code": current_code(rep)}).content.decode()
    assert "Too many wrong codes: wait" in waiting
    assert not is_signed_in(client)
    with time_machine.travel(start + dt.timedelta(seconds=3), tick=False):
        assert client.post(VERIFY, {"code": current_code(rep)}).status_code == 302


def test_a_password_step_left_waiting_expires_after_five_minutes(rep):
    turn_on(Client(), rep)
    client = Client()
    start = timezone.now() + dt.timedelta(seconds=31)
    with time_machine.travel(start, tick=False):
        sign_in(client, "rep", PASSWORD)
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        response = client.post(VERIFY, {"code": current_code(rep)})
    assert response.status_code == 302
    assert response.url == SIGN_IN
    assert not is_signed_in(client)


def test_the_code_page_without_a_password_step_sends_to_sign_in(rep):
    assert Client().post(VERIFY, {"code": "123456"}).url == SIGN_IN


def test_turning_it_off_needs_a_code(rep):
    turn_on(Client(), rep)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(rep)
    refused = client.post(SECOND_FACTOR, {"action": "disable", "code": "999999"})
    assert "That code is not right" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=rep, confirmed=True).exists()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        client.post(SECOND_FACTOR, {"action": "disable", "code": current_code(rep)})
    assert not TOTPDevice.objects.filter(user=rep).exists()
    assert AuditEvent.objects.filter(actor=rep, action="user.second_factor_disable").exists()
    assert sign_in(Client(), "rep", PASSWORD).url != VERIFY


def test_new_recovery_codes_replace_the_old_ones(rep):
    old = turn_on(Client(), rep)
    client = Client()
    client.force_login(rep)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        page = client.post(SECOND_FACTOR, {"action": "renew", "code": current_code(rep)}).content.decode()
    new = re.findall(r"<code>([a-z2-7]{8})</code>", page)
    assert len(new) == 10
    assert not set(new) & set(old)
    stale = Client()
    sign_in(stale, "rep", PASSWORD)
    assert stale.post(VERIFY, {"code": old[1]}).status_code == 200
    assert not is_signed_in(stale)


def test_a_role_that_must_use_it_is_sent_to_set_it_up_first(hrbp, settings):
    settings.PERFLOOP_SECOND_FACTOR_ROLES = ["hrbp"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hrbp)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == SECOND_FACTOR
    assert "Your role must use a second factor" in client.get(SECOND_FACTOR).content.decode()
    api = client.get("/api/v1/org/employees")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_required"
    client.post(reverse("accounts:sign_out"))
    turn_on(Client(), hrbp)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, "hrbp", PASSWORD)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        client.post(VERIFY, {"code": current_code(hrbp)})
        assert client.get("/").status_code in {200, 302}
        assert client.get("/api/v1/org/employees").status_code == 200
        kept = client.post(SECOND_FACTOR, {"action": "disable", "code": current_code(hrbp)})
    assert "must keep a second factor" in kept.content.decode()
    assert TOTPDevice.objects.filter(user=hrbp, confirmed=True).exists()


def test_the_audit_log_and_the_inbox_stay_shut_until_a_required_second_factor_is_set_up(
    hr_director, settings
):
    settings.PERFLOOP_SECOND_FACTOR_ROLES = ["hrbp"]
    client = Client()
    client.force_login(hr_director)
    for path in ("/accounts/audit/", "/accounts/audit/export.xlsx", "/accounts/inbox/"):
        response = client.get(path)
        assert (response.status_code, response.url) == (302, SECOND_FACTOR), path
    assert not AuditEvent.objects.filter(action="audit_log.read").exists()
    assert client.get(SECOND_FACTOR).status_code == 200
    assert client.post(reverse("accounts:sign_out")).status_code == 302


def test_a_role_that_need_not_use_it_is_never_sent_there(rep, settings):
    settings.PERFLOOP_SECOND_FACTOR_ROLES = ["hrbp"]
    client = Client()
    client.force_login(rep)
    assert client.get("/").url != SECOND_FACTOR


def test_turning_it_on_ends_a_session_opened_elsewhere_with_the_password_alone(rep):
    elsewhere = Client()
    assert sign_in(elsewhere, "rep", PASSWORD).status_code == 302
    assert elsewhere.get("/api/v1/org/employees").status_code == 200
    here = Client()
    here.force_login(rep)
    here.post(SECOND_FACTOR, {"action": "begin"})
    pending = TOTPDevice.objects.get(user=rep, confirmed=False)
    here.post(SECOND_FACTOR, {"action": "confirm", "code": f"{totp(pending.bin_key):06d}"})
    assert elsewhere.get("/api/v1/org/employees").status_code == 401
    assert not is_signed_in(elsewhere)
    assert here.get(SECOND_FACTOR).status_code == 200  # the session that turned it on goes on
    assert is_signed_in(here)


def test_a_reset_by_the_administrator_ends_every_session(rep):
    from perfloop.accounts.services import second_factor_reset

    turn_on(Client(), rep)
    client = Client()
    sign_in(client, "rep", PASSWORD)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):
        client.post(VERIFY, {"code": current_code(rep)})
    assert is_signed_in(client)
    second_factor_reset(actor=None, user=rep)
    assert client.get("/").status_code == 302
    assert not is_signed_in(client)


# --- inbox ---

INBOX = "/accounts/inbox/"


def inbox_message(user, title: str, *, link: str = "", read: bool = False):
    from perfloop.accounts.services import notification_mark_read, notification_send

    notification = notification_send(
        recipient=user, kind="alert.raised", title=title, body="E0109 · 3", link=link
    )
    if read:
        notification_mark_read(recipient=user, notification_id=notification.pk)
    return notification


def test_the_inbox_lists_ones_own_messages_newest_first_and_the_bell_counts_the_unread(manager, rep):
    inbox_message(manager, "旧的预警", read=True)
    inbox_message(manager, "新的预警")
    inbox_message(rep, "someone else's")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(manager)
    page = client.get(INBOX).content.decode()
    assert page.index("新的预警") < page.index("旧的预警")
    assert "someone else&#x27;s" not in page
    assert "someone else's" not in page
    assert "1 unread" in page
    assert '<span class="inboxlink__count">1</span>' in page
    unread_only = client.get(INBOX, {"show": "unread"}).content.decode()
    assert "新的预警" in unread_only
    assert "旧的预警" not in unread_only


def test_opening_a_message_marks_it_read_and_follows_its_link_on_this_site_only(manager, settings):
    settings.PERFLOOP_SITE_URL = "https://perf.example.cn"
    own = inbox_message(manager, "team", link="https://perf.example.cn/dashboards/teams/7/")
    away = inbox_message(manager, "phish", link="https://evil.example.com/")
    client = Client()
    client.force_login(manager)
    opened = client.post(reverse("accounts:inbox_open", args=[own.pk]))
    assert (opened.status_code, opened.url) == (302, "/dashboards/teams/7/")
    own.refresh_from_db()
    assert own.read_at is not None
    assert client.post(reverse("accounts:inbox_open", args=[away.pk])).url == INBOX
    assert client.get(reverse("accounts:inbox_open", args=[own.pk])).status_code == 405


def test_nobody_opens_or_marks_another_persons_message(manager, rep):
    theirs = inbox_message(rep, "yours only")
    client = Client()
    client.force_login(manager)
    assert client.post(reverse("accounts:inbox_open", args=[theirs.pk])).status_code == 404
    client.post(reverse("accounts:inbox_read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_empties_the_count_and_says_how_many(manager):
    for n in range(3):
        inbox_message(manager, f"alert {n}")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(manager)
    page = client.post(reverse("accounts:inbox_read_all"), follow=True).content.decode()
    assert "3 notifications marked read." in page
    assert "inboxlink__count" not in page
    assert "0 unread" in page


def test_an_empty_inbox_says_what_will_arrive_there_in_chinese(rep):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(rep)
    page = client.get(INBOX).content.decode()
    assert "收件箱" in page
    assert "inboxlink__count" not in page
