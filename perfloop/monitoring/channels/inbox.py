"""The in-app inbox: one notification per recipient and event, through the accounts service."""

from __future__ import annotations

from perfloop.accounts.models import Notification, User
from perfloop.accounts.services import notification_send
from perfloop.monitoring.channels import Digest


def inbox_send(*, recipient: User, kind: str, digest: Digest) -> Notification:
    """Put the digest in the recipient's inbox (e-mail goes through the logged e-mail channel instead)."""
    return notification_send(
        recipient=recipient,
        kind=kind,
        title=digest.title[:200],
        body="\n".join(digest.lines),
        link=digest.link,
    )
