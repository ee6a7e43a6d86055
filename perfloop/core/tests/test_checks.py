"""`perfloop check --deploy` names a secret key that would not do in production."""

from __future__ import annotations

from perfloop.core.checks import check_secret_key_is_not_the_demo_key, check_secret_key_is_set


def test_the_old_public_demo_key_is_flagged(settings):
    settings.SECRET_KEY = "perfloop-insecure-demo-key-change-me-" + "x" * 20
    assert [message.id for message in check_secret_key_is_not_the_demo_key(None)] == ["perfloop.W001"]


def test_a_key_made_on_this_machine_is_flagged_for_production(settings):
    settings.PERFLOOP_SECRET_KEY_IS_LOCAL = True
    assert [message.id for message in check_secret_key_is_set(None)] == ["perfloop.W002"]


def test_a_key_from_the_environment_passes(settings):
    settings.PERFLOOP_SECRET_KEY_IS_LOCAL = False
    settings.SECRET_KEY = "a-long-random-value-from-the-environment-" + "y" * 20
    assert check_secret_key_is_set(None) == []
    assert check_secret_key_is_not_the_demo_key(None) == []
