"""Deployment checks run by `perfloop check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

DEMO_KEY_PREFIX = "perfloop-insecure-demo-key"


@register(Tags.security, deploy=True)
def check_secret_key_is_not_the_demo_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The embedded demo's public key would let anyone forge sessions in production."""
    if settings.SECRET_KEY.startswith(DEMO_KEY_PREFIX):
        return [
            Warning(
                "PERFLOOP_SECRET_KEY is not set: the public demo key is in use.",
                hint="Set PERFLOOP_SECRET_KEY to a long random value and PERFLOOP_ALLOW_INSECURE_KEY=false.",
                id="perfloop.W001",
            )
        ]
    return []
