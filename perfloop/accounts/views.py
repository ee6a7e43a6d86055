"""Sign-in and sign-out pages (Django's own auth views, with our audit trail)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from perfloop.accounts.clients import client_ip
from perfloop.accounts.services import sign_in_failed, sign_in_recorded


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        sign_in_recorded(user=form.get_user(), ip=client_ip(self.request))
        return response

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        username = self.request.POST.get("username", "").strip()
        if username:  # a form sent without a name guessed nothing
            sign_in_failed(
                username=username,
                ip=client_ip(self.request),
                is_locked_out=bool(getattr(self.request, "axes_locked_out", False)),
            )
        return super().form_invalid(form)


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What django-axes answers instead of the sign-in page while a username and address are locked out."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "failures": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:sign_in")
