"""Requests of people whose role must use a second factor and who have not set one up yet."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from perfloop.accounts.selectors import has_second_factor, is_second_factor_required

# What such a person may still open: the set-up page itself, the sign-in steps, signing out, the language
# switch, assets. Named one by one: the audit log and the inbox live under /accounts/ too and stay shut.
_OPEN_PATHS = (
    "/accounts/second-factor/",
    "/accounts/sign-in/",
    "/accounts/sign-out/",
    "/accounts/sso/",
    "/i18n/",
    "/static/",
    "/favicon.ico",
)


class SecondFactorRequiredMiddleware:
    """Every page sends them to set it up (every API call answers 403) until they have: a role that the
    company decided needs it (PERFLOOP_SECOND_FACTOR_ROLES) never works on a password alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and is_second_factor_required(user)  # type: ignore[arg-type]
            and not request.path.startswith(_OPEN_PATHS)
            and not has_second_factor(user)  # type: ignore[arg-type]
        ):
            if request.path.startswith("/api/"):
                message = _("Your role must use a second factor: set it up on the second-factor page first.")
                error = {"code": "second_factor_required", "message": message, "details": {}}
                return JsonResponse({"error": error}, status=403)
            return redirect(reverse("accounts:second_factor"))
        return self.get_response(request)
