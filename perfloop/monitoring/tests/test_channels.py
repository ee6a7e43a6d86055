"""Webhooks and e-mail, end to end: a real HTTP server on 127.0.0.1 receives what the close sends."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from perfloop.core.months import Month
from perfloop.metrics.tests.factories import record_revenue, revenue_only_weights
from perfloop.monitoring.channels import webhooks
from perfloop.monitoring.models import Delivery, DeliveryStatus
from perfloop.monitoring.services import (
    MAX_ATTEMPTS,
    deliveries_send,
    month_close,
    retry_delay,
    webhook_endpoint_create,
)

JAN = Month(2025, 1)


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict


@dataclass
class ChatServer:
    """A stand-in chat platform: records every request and answers from a script (default: 200 ok)."""

    base_url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[tuple[int, str]] = field(default_factory=list)
    delay: float = 0.0

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


@pytest.fixture
def chat_server():
    state = ChatServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            parts = urllib.parse.urlsplit(self.path)
            state.received.append(
                Received(
                    path=parts.path,
                    query=dict(urllib.parse.parse_qsl(parts.query)),
                    headers=dict(self.headers.items()),
                    body=json.loads(raw),
                )
            )
            if state.delay:
                time.sleep(state.delay)
            status, text = state.answers.pop(0) if state.answers else (200, '{"errcode": 0, "errmsg": "ok"}')
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                self.wfile.write(payload)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def below_three_months(everyone, hr_director):
    for name, user in everyone.items():
        user.email = f"{name}@example.com"
        user.save()
    employee = everyone["rep"].employee
    employee.hire_date = dt.date(2020, 1, 1)
    employee.save()
    revenue_only_weights(employee)
    record_revenue(employee, JAN, JAN + 2, [0.5, 0.5, 0.5])
    return {**everyone, "hr_director": hr_director}  # who configures the webhooks


def close_three_months(capture):
    with capture(execute=True):
        for month in (JAN, JAN + 1, JAN + 2):
            month_close(actor=None, month=month)


def test_each_platform_receives_its_own_format_and_signature(
    below_three_months, chat_server, org, django_capture_on_commit_callbacks
):
    hrbp = below_three_months["hr_director"]
    for kind, secret in (("wecom", ""), ("dingtalk", "SECdemo"), ("feishu", "feishu-secret"), ("slack", "")):
        webhook_endpoint_create(
            actor=hrbp,
            name=kind,
            kind=kind,
            url=chat_server.url(f"/{kind}?key=k-{kind}"),
            secret=secret,
            scope_unit=org.sales,
        )
    started = time.time()
    close_three_months(django_capture_on_commit_callbacks)
    by_path = {r.path: r for r in chat_server.received}
    assert sorted(by_path) == ["/dingtalk", "/feishu", "/slack", "/wecom"]

    wecom = by_path["/wecom"]
    assert wecom.query == {"key": "k-wecom"}
    assert wecom.body["msgtype"] == "markdown"
    assert "李明" in wecom.body["markdown"]["content"]

    ding = by_path["/dingtalk"]
    assert ding.body["msgtype"] == "markdown"
    assert set(ding.body["markdown"]) == {"title", "text"}
    assert "李明" in ding.body["markdown"]["text"]
    timestamp = int(ding.query["timestamp"])
    assert started * 1000 - 1000 <= timestamp <= time.time() * 1000
    expected = base64.b64encode(
        hmac.new(b"SECdemo", f"{timestamp}\nSECdemo".encode(), hashlib.sha256).digest()
    ).decode()
    assert ding.query["sign"] == expected  # parse_qsl has URL-decoded it

    feishu = by_path["/feishu"]
    assert feishu.body["msg_type"] == "text"
    assert "李明" in feishu.body["content"]["text"]
    ts = int(feishu.body["timestamp"])
    expected = base64.b64encode(
        hmac.new(f"{ts}\nfeishu-secret".encode(), b"", hashlib.sha256).digest()
    ).decode()
    assert feishu.body["sign"] == expected

    slack = by_path["/slack"]
    assert slack.body["blocks"][0]["text"]["type"] == "mrkdwn"
    assert "李明" in slack.body["blocks"][0]["text"]["text"]
    assert all(r.headers["Content-Type"].startswith("application/json") for r in chat_server.received)

    log = Delivery.objects.filter(channel="webhook")
    assert {d.status for d in log} == {"sent"}
    assert {d.target for d in log} == {
        chat_server.url(f"/{k}") for k in ("wecom", "dingtalk", "feishu", "slack")
    }
    for delivery in log:  # the log keeps the hash of what was sent (before signing)
        assert delivery.payload_sha256 == hashlib.sha256(delivery.payload.encode()).hexdigest()


def test_a_webhook_outside_the_alerts_scope_hears_nothing(
    below_three_months, chat_server, org, django_capture_on_commit_callbacks
):
    webhook_endpoint_create(
        actor=below_three_months["hr_director"],
        name="south",
        kind="wecom",
        url=chat_server.url("/south"),
        scope_unit=org.team_south,
    )
    close_three_months(django_capture_on_commit_callbacks)
    assert chat_server.received == []


def test_server_errors_are_retried_with_exponential_backoff_until_sent(
    below_three_months, chat_server, org, django_capture_on_commit_callbacks
):
    webhook_endpoint_create(
        actor=below_three_months["hr_director"],
        name="ding",
        kind="dingtalk",
        url=chat_server.url("/ding"),
        secret="s3cret",
    )
    chat_server.answers = [(500, "boom"), (503, "busy")]
    close_three_months(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    first_retry = delivery.next_attempt_at
    assert first_retry is not None
    now = first_retry - dt.timedelta(seconds=1)
    assert deliveries_send(now=now).sent == 0  # not due yet: nothing goes out
    assert len(chat_server.received) == 1
    deliveries_send(now=first_retry)
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    assert delivery.next_attempt_at == first_retry + retry_delay(2)
    assert retry_delay(2) == 2 * retry_delay(1)
    assert deliveries_send(now=delivery.next_attempt_at).sent == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    # the same message every time (signatures are made at send time)
    bodies = {json.dumps(r.body["markdown"], sort_keys=True) for r in chat_server.received}
    assert len(chat_server.received) == 3
    assert len(bodies) == 1


def test_retries_are_bounded(below_three_months, chat_server, django_capture_on_commit_callbacks):
    webhook_endpoint_create(
        actor=below_three_months["hr_director"], name="s", kind="slack", url=chat_server.url("/s")
    )
    chat_server.answers = [(502, "down")] * 10
    close_three_months(django_capture_on_commit_callbacks)
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS + 2):
        now += dt.timedelta(hours=2)
        deliveries_send(now=now)
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert len(chat_server.received) == MAX_ATTEMPTS


def test_a_timeout_is_retried(
    below_three_months, chat_server, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.2)
    webhook_endpoint_create(
        actor=below_three_months["hr_director"], name="w", kind="wecom", url=chat_server.url("/w")
    )
    chat_server.delay = 0.6
    close_three_months(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "no answer" in delivery.last_error
    chat_server.delay = 0
    deliveries_send(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == "sent"


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((404, "not found"), "HTTP 404"),
        ((200, '{"errcode": 310000, "errmsg": "sign not match"}'), "310000"),
    ],
)
def test_a_refusal_fails_at_once(
    below_three_months, chat_server, django_capture_on_commit_callbacks, answer, error
):
    webhook_endpoint_create(
        actor=below_three_months["hr_director"],
        name="d",
        kind="dingtalk",
        url=chat_server.url("/d"),
        secret="x",
    )
    chat_server.answers = [answer]
    close_three_months(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert error in delivery.last_error


def test_a_rate_limit_answer_is_retried(below_three_months, chat_server, django_capture_on_commit_callbacks):
    webhook_endpoint_create(
        actor=below_three_months["hr_director"], name="f", kind="feishu", url=chat_server.url("/f")
    )
    chat_server.answers = [(200, '{"code": 9499, "msg": "too many request"}')]
    close_three_months(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts) == ("pending", 1)


def test_emails_are_logged_and_sent_once(below_three_months, django_capture_on_commit_callbacks):
    close_three_months(django_capture_on_commit_callbacks)
    emails = Delivery.objects.filter(channel="email").order_by("target")
    assert [(d.target, d.status, d.attempts) for d in emails] == [
        ("hrbp@example.com", "sent", 1),
        ("manager@example.com", "sent", 1),
    ]
    assert len(mail.outbox) == 2
    assert deliveries_send().sent == 0  # nothing left to send
    assert len(mail.outbox) == 2


def test_an_unreachable_mail_server_is_retried(
    below_three_months, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        9,
        1,
    )  # discard port: refused
    close_three_months(django_capture_on_commit_callbacks)
    assert {(d.status, d.attempts) for d in Delivery.objects.filter(channel="email")} == {("pending", 1)}


def test_only_http_urls_are_posted():
    with pytest.raises(webhooks.DeliveryError) as caught:
        webhooks.webhook_post(
            kind="slack", request=webhooks.WebhookRequest(url="file:///etc/passwd", body=b"{}")
        )
    assert not caught.value.is_retryable


def test_emails_link_to_the_site_address_people_open(
    below_three_months, django_capture_on_commit_callbacks, settings
):
    settings.PERFLOOP_SITE_URL = "https://perf.example.cn"
    close_three_months(django_capture_on_commit_callbacks)
    body = mail.outbox[0].body
    assert "https://perf.example.cn/dashboards/" in body
