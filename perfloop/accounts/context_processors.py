"""What every page's frame shows of the signed-in person's own state."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from perfloop.accounts.selectors import unread_notification_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """The unread count beside the inbox link: counted (one indexed query) only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_notification_count(viewer=user))}
