"""Single sign-on through the company's OpenID Connect provider (mozilla-django-oidc), on perfloop's terms:
people are found by their e-mail address among the accounts HR created (none is created here), a second
factor set up in perfloop is still asked for, and every sign-in, or refusal, is audited."""

from __future__ import annotations

import time
from typing import Any

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from perfloop.accounts.clients import client_ip
from perfloop.accounts.second_factor import PENDING_KEY, pending_sign_in
from perfloop.accounts.selectors import has_second_factor
from perfloop.accounts.services import sign_in_recorded, sso_sign_in_failed

BACKEND = "perfloop.accounts.sso.SsoBackend"


def is_sso_enabled() -> bool:
    return bool(getattr(settings, "PERFLOOP_OIDC_ENABLED", False))


def sso_label(language: str) -> str:
    """The provider's name on the sign-in button: the English label on English pages when one is set,
    else the company's label, else "company account" in the page's language."""
    if language.startswith("en") and settings.PERFLOOP_OIDC_LABEL_EN:
        return str(settings.PERFLOOP_OIDC_LABEL_EN)
    return str(settings.PERFLOOP_OIDC_LABEL) or _("company account")


class SsoBackend(OIDCAuthenticationBackend):
    """Answers only the provider's callback; a password sign-in never reaches the provider."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.is_enabled = is_sso_enabled()
        if self.is_enabled:  # the library reads its endpoints here and refuses to start without them
            super().__init__(*args, **kwargs)

    # A session's user is read as Django's own backend reads it: a deactivated person's session ends, and
    # sessions keep working when single sign-on is turned off again.
    get_user = ModelBackend.get_user
    user_can_authenticate = ModelBackend.user_can_authenticate

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if not self.is_enabled or request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        """The library checks the signature and the nonce; the token must also be meant for perfloop."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("the id token was issued to another client")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The user-info must describe the person the id token names."""
        claims = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the user-info answer names another person than the id token")
        return dict(claims)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        """Only an address the provider says it verified (``email_verified: true``, the JSON value): one it
        has not checked could be anyone's."""
        return bool(claims.get("email")) and claims.get("email_verified") is True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        """The one active account with this address, compared exactly but for ASCII case: a database's
        case folding would also match look-alikes (``lımıng`` and ``liming`` on PostgreSQL)."""
        email = str(claims.get("email") or "").strip()
        if not email or not email.isascii():
            return []
        candidates = self.UserModel.objects.filter(email__iexact=email, is_active=True)
        return [user for user in candidates if user.email.strip().lower() == email.lower()]

    def create_user(self, claims: dict[str, Any]) -> None:
        """Accounts come from the HR roster, with a role and a scope; a provider's user alone has neither."""
        return

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        return user


class SsoStartView(OIDCAuthenticationRequestView):
    """Send the browser to the company's provider."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if is_sso_enabled():
            super().__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_sso_enabled():
            raise Http404
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: signed in, sent on to the code step, or back to the sign-in page with why."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_sso_enabled():
            raise Http404
        self.request = request
        if request.GET.get("error"):
            # The provider said no (or someone sent this link): never sign out whoever opens it.
            states = request.session.get("oidc_states") or {}
            states.pop(request.GET.get("state", ""), None)
            return self.login_failure()
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException):
            # A forged, replayed or mismatched answer, or a provider that cannot be reached: refused and
            # recorded, with the sign-in page rather than an error page.
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        sso_sign_in_failed(ip=client_ip(self.request))
        messages.error(
            self.request,
            _(
                "Single sign-on did not sign you in: no active perfloop account has your company e-mail "
                "address, or the sign-in was cancelled. Sign in with your password, or ask HR."
            ),
        )
        return redirect("accounts:sign_in")

    def login_success(self) -> HttpResponse:
        user = self.user
        if has_second_factor(user):  # set up in perfloop: asked for after the provider too
            self.request.session[PENDING_KEY] = pending_sign_in(
                user_id=user.pk, backend=BACKEND, next_url=self.success_url, method="sso", at=time.time()
            )
            return redirect("accounts:second_factor_verify")
        response = super().login_success()
        sign_in_recorded(user=user, ip=client_ip(self.request), method="sso")
        return response
