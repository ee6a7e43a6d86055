"""Who is on the other end of a request: the client's address as our own proxies saw it."""

from __future__ import annotations

from ipaddress import IPv6Address, ip_address, ip_network

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the peer's, or with ``PERFLOOP_PROXY_COUNT`` proxies in front, the address the
    outermost of them saw (counted from the right of ``X-Forwarded-For``, which each of our proxies appends
    to). Entries further left were written by the client and can say anything, so they are never used; a
    header shorter than the proxy count (a request that went round a proxy) falls back to the peer."""
    peer = request.META.get("REMOTE_ADDR") or None
    count = int(getattr(settings, "PERFLOOP_PROXY_COUNT", 0))
    if count <= 0:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return peer
    candidate = forwarded[-count]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return peer


def lockout_address(request: HttpRequest) -> str | None:
    """The address the sign-in lockout counts by: an IPv4 address as it is, an IPv6 address as the first
    address of its /64 — one subscriber's network, whose 2^64 addresses would otherwise each get five fresh
    tries (an address, not "…/64": the lockout table stores addresses, as PostgreSQL's inet type checks)."""
    address = client_ip(request)
    if address is None:
        return None
    try:
        parsed = ip_address(address)
    except ValueError:  # a peer that is not an IP address (a UNIX socket behind a server): counted as it is
        return address
    if isinstance(parsed, IPv6Address) and parsed.ipv4_mapped is None:
        return str(ip_network(f"{parsed}/64", strict=False).network_address)
    return address
