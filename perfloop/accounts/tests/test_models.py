"""The session hash Django checks on every request: Django's own until the account's sign-in rules change."""

from __future__ import annotations

import pytest
from django.contrib.auth.base_user import AbstractBaseUser

from perfloop import settings as project_settings
from perfloop.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_at_epoch_zero_the_session_hash_is_djangos_own(rep):
    assert rep.get_session_auth_hash() == AbstractBaseUser._get_session_auth_hash(rep)


def test_a_new_epoch_or_a_new_password_changes_the_hash_and_a_fallback_key_still_counts(rep, settings):
    before = rep.get_session_auth_hash()
    rep.session_epoch = 1
    raised = rep.get_session_auth_hash()
    assert raised != before
    rep.set_password("another-long-password-2026")
    assert rep.get_session_auth_hash() != raised
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = [old_key]
    settings.SECRET_KEY = "a-new-secret-key-for-the-rotation-" + "z" * 20
    assert rep._get_session_auth_hash(secret=old_key) in list(rep.get_session_auth_fallback_hash())


def test_the_roles_settings_check_against_are_the_models_roles():
    """settings.py cannot import the model, so it lists the role codes itself: they must not drift apart."""
    assert set(Role.values) == project_settings._KNOWN_ROLES


def test_hr_without_a_scope_is_called_hr_of_the_whole_organisation(hrbp, hr_director):
    from django.utils import translation

    with translation.override("en"):
        assert hr_director.role_title() == "HR, whole organisation"
        assert hrbp.role_title() == "HR business partner"
