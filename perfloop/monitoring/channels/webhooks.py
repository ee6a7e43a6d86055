"""Chat webhooks in each platform's own message format, signed where the platform signs.

* WeCom (企业微信) group bot: ``{"msgtype": "markdown", "markdown": {"content": …}}``; the key in the URL
  is the credential, there is no signature.
* DingTalk (钉钉) custom bot: ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``; with a
  secret, ``timestamp`` (ms) and ``sign`` = Base64(HMAC-SHA256(key=secret, "timestamp\\nsecret")) are
  added to the URL's query.
* Feishu / Lark (飞书) custom bot: ``{"msg_type": "text", "content": {"text": …}}``; with a secret,
  ``timestamp`` (s) and ``sign`` = Base64(HMAC-SHA256(key="timestamp\\nsecret", empty message)) go in
  the body.
* Slack incoming webhook: ``{"text": …, "blocks": [section in mrkdwn]}``; the URL is the credential.

WeCom, DingTalk and Feishu answer HTTP 200 with an error code in the body when they refuse a message
(bad signature, too many messages): that is a failure too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from perfloop.monitoring.channels import DeliveryError, Digest

TIMEOUT_SECONDS = 10.0
"""A chat platform that has not answered in this time is treated as down (the attempt is retried)."""

WECOM, DINGTALK, FEISHU, SLACK = "wecom", "dingtalk", "feishu", "slack"
# Platform error codes that mean "too many messages, try later" (everything else non-zero is final).
_RATE_LIMITED = {WECOM: {45009}, DINGTALK: {130101, 660026}, FEISHU: {9499, 11232, 11233}}
_MAX_TEXT = 3800  # WeCom markdown allows 4096 bytes; keep room for the title in every format


@dataclass(frozen=True)
class WebhookRequest:
    """What goes on the wire: the final URL (with any signature) and the JSON body."""

    url: str
    body: bytes


def _clip(text: str) -> str:
    encoded = text.encode()
    if len(encoded) <= _MAX_TEXT:
        return text
    return encoded[: _MAX_TEXT - 3].decode(errors="ignore") + "…"


def message_payload(kind: str, digest: Digest) -> dict[str, Any]:
    """The digest in the platform's message format (unsigned)."""
    lines = "\n".join(f"- {line}" for line in digest.lines)
    link = f"\n\n{digest.link}" if digest.link else ""
    if kind == WECOM:
        return {"msgtype": "markdown", "markdown": {"content": _clip(f"**{digest.title}**\n{lines}{link}")}}
    if kind == DINGTALK:
        return {
            "msgtype": "markdown",
            "markdown": {"title": digest.title, "text": _clip(f"### {digest.title}\n\n{lines}{link}")},
        }
    if kind == FEISHU:
        return {"msg_type": "text", "content": {"text": _clip(f"{digest.title}\n{lines}{link}")}}
    if kind == SLACK:
        text = _clip(f"*{digest.title}*\n{lines}{link}")
        return {
            "text": digest.title,
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
        }
    raise ValueError(f"unknown webhook kind: {kind!r}")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: Base64(HMAC-SHA256(key=secret, message="{timestamp}\\n{secret}")), not yet URL-quoted."""
    message = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu: Base64(HMAC-SHA256(key="{timestamp}\\n{secret}", message=b""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def webhook_request(
    *, kind: str, url: str, secret: str, payload: dict[str, Any], now: float
) -> WebhookRequest:
    """Sign the stored payload at send time (the platforms reject old timestamps, so never ahead of time)."""
    body = dict(payload)
    if kind == DINGTALK and secret:
        timestamp_ms = int(now * 1000)
        query = urllib.parse.urlencode(
            {"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)}
        )
        url = f"{url}{'&' if '?' in url else '?'}{query}"
    elif kind == FEISHU and secret:
        timestamp_s = int(now)
        body = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **body}
    return WebhookRequest(url=url, body=json.dumps(body, ensure_ascii=False).encode())


def webhook_post(*, kind: str, request: WebhookRequest, timeout: float | None = None) -> int:
    """POST the request; returns the HTTP status or raises DeliveryError (retryable on 5xx, 429, timeouts)."""
    if not request.url.startswith(("https://", "http://")):
        raise DeliveryError("only http(s) webhook URLs are allowed", is_retryable=False)
    http_request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        request.url,
        data=request.body,
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "perfloop-webhook/1"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(http_request, timeout=timeout or TIMEOUT_SECONDS) as response:  # noqa: S310
            status = int(response.status)
            text = response.read(65536).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        retryable = exc.code >= 500 or exc.code == 429
        raise DeliveryError(f"HTTP {exc.code}", is_retryable=retryable, status_code=exc.code) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"no answer: {reason}", is_retryable=True) from exc
    _check_platform_answer(kind, status, text)
    return status


def _check_platform_answer(kind: str, status: int, text: str) -> None:
    """WeCom/DingTalk (``errcode``) and Feishu (``code`` or ``StatusCode``) report refusals in the body."""
    if kind == SLACK:
        return
    try:
        answer = json.loads(text) if text.strip() else {}
    except ValueError:
        return
    if not isinstance(answer, dict):
        return
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code in (0, None):
        return
    message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
    retryable = code in _RATE_LIMITED.get(kind, set())
    raise DeliveryError(
        f"{kind} refused the message: {code} {message}".strip(), is_retryable=retryable, status_code=status
    )
