"""Single sign-on through the company's OpenID Connect provider (mozilla-django-oidc), on perfloop's terms:
people are found by their e-mail address among the accounts HR created (none is created here), a second
factor set up in perfloop is still asked for, and every sign-in, or refusal, is audited."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
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


class SsoBackend(OIDCAuthenticationBackend):
    """Answers only the provider's callback; a password sign-in never reaches the provider."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.is_enabled = is_sso_enabled()
        if self.is_enabled:  # the library reads its endpoints here and refuses to start without them
            super().__init__(*args, **kwargs)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if not self.is_enabled or request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        """An address the provider says it has not verified could be anyone's."""
        return bool(claims.get("email")) and claims.get("email_verified", True) is not False

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        email = str(claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

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
        return super().get(request)

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
