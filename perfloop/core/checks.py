"""Deployment checks run by `perfloop check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

DEMO_KEY_PREFIX = "perfloop-insecure-demo-key"


@register(Tags.security, deploy=True)
def check_secret_key_is_not_the_demo_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The public key of early versions (it is in the source history) would let anyone forge sessions."""
    if settings.SECRET_KEY.startswith(DEMO_KEY_PREFIX):
        return [
            Warning(
                "PERFLOOP_SECRET_KEY is not set: the public demo key is in use.",
                hint="Set PERFLOOP_SECRET_KEY to a long random value and PERFLOOP_ALLOW_LOCAL_KEY=false.",
                id="perfloop.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_secret_key_is_set(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """A key made on this machine works for one server; a second one would refuse its sessions and forms."""
    if getattr(settings, "PERFLOOP_SECRET_KEY_IS_LOCAL", False):
        return [
            Warning(
                "PERFLOOP_SECRET_KEY is not set: the key made on this machine (var/secret_key) is in use.",
                hint=(
                    "Set PERFLOOP_SECRET_KEY to a long random value, the same on every web server and "
                    "worker, and PERFLOOP_ALLOW_LOCAL_KEY=false."
                ),
                id="perfloop.W002",
            )
        ]
    return []
