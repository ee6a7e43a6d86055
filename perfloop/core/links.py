"""Links that leave the application: e-mails, chat webhooks and invitations are read outside the browser
session, so a path alone ("/dashboards/team/3/") cannot be opened there."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` on the configured ``PERFLOOP_SITE_URL``; the path itself when no site address is set."""
    if not path or path.startswith(("http://", "https://")):
        return path
    site: str = getattr(settings, "PERFLOOP_SITE_URL", "")
    return f"{site}{path}" if site else path
