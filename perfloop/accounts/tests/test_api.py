"""The inbox API: one's own notifications only, read one or all."""

from __future__ import annotations

import pytest
from django.test import Client

from perfloop.accounts.services import notification_send

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_inbox_api_lists_marks_and_never_shows_another_persons_messages(manager, rep):
    first = notification_send(recipient=manager, kind="alert.raised", title="E0109 below target")
    notification_send(recipient=manager, kind="goal.disputed", title="E0102 disputes revenue")
    theirs = notification_send(recipient=rep, kind="goal.published", title="Your goals")
    client = signed_in(manager)

    listed = client.get("/api/v1/inbox/notifications").json()
    assert [item["title"] for item in listed["items"]] == ["E0102 disputes revenue", "E0109 below target"]
    assert listed["count"] == 2

    marked = client.post(f"/api/v1/inbox/notifications/{first.pk}/read").json()
    assert marked["read_at"] is not None
    assert client.get("/api/v1/inbox/notifications", {"unread": "true"}).json()["count"] == 1

    refused = client.post(f"/api/v1/inbox/notifications/{theirs.pk}/read")
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "not_found")
    assert client.post("/api/v1/inbox/read-all").json() == {"marked": 1}
    assert client.post("/api/v1/inbox/read-all").json() == {"marked": 0}
    assert signed_in(rep).get("/api/v1/inbox/notifications", {"unread": "true"}).json()["count"] == 1


def test_the_inbox_api_answers_signed_in_users_only():
    assert Client().get("/api/v1/inbox/notifications").status_code == 401
