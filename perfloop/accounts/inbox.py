"""Where a notification's link may take its reader from the inbox.

Links are written for e-mail and chat too, so they may carry the site's address (PERFLOOP_SITE_URL); the
inbox follows only a path of this site, so that a crafted or stale link can never send someone elsewhere.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def inbox_path(link: str, site_url: str = "") -> str:
    """The local path ``link`` points to ("" when it leads off this site or is not a link at all)."""
    link = link.strip()
    if site_url and link.startswith(site_url.rstrip("/") + "/"):
        link = link[len(site_url.rstrip("/")) :]
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not link.startswith("/") or link.startswith("//") or "\\" in link:
        return ""
    return link
