"""The REST API: one NinjaAPI, a router per app, one error shape for every failure.

Every failure answers ``{"error": {"code": …, "message": …, "details": {…}}}``
so that integrators handle one format, whatever went wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from perfloop.accounts.services import TokenError, api_token_authenticate
from perfloop.core.errors import DomainError


class BearerToken(HttpBearer):
    """``Authorization: Bearer pfl_…`` — scoped API tokens for integrations."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            user = api_token_authenticate(raw=token, method=request.method or "GET")
        except TokenError:
            return None
        request.user = user
        return user


def signed_in_or_token(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API's schema and docs are for its users: a signed-in session or a valid token (a code
    generator's), not anonymous visitors mapping every endpoint."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            try:
                api_token_authenticate(raw=header.removeprefix("Bearer ").strip(), method="GET")
            except TokenError:
                return HttpResponse(status=401)
            except DomainError as exc:  # a token its user may not use yet (a second factor is missing)
                return HttpResponse(status=exc.http_status)
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return wrapped


api = NinjaAPI(
    title="perfloop API",
    version="1",
    description="Performance loop for sales teams. All reads are scoped to the authenticated user.",
    auth=[django_auth, BearerToken()],
    docs_url="/docs",
    docs_decorator=signed_in_or_token,
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, code: str, message: str, details: Any = None) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "details": details or {}}}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.http_status, exc.code, str(exc.message), exc.details)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, "invalid_input", _("The request is not valid."), {"errors": exc.errors})


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "not_authenticated", _("Sign in or send a valid API token."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


def _mount() -> None:
    from perfloop.accounts.api import audit_router, inbox_router
    from perfloop.accounts.api import router as org_router
    from perfloop.goals.api import router as goals_router
    from perfloop.imports.api import router as imports_router
    from perfloop.metrics.api import router as metrics_router
    from perfloop.monitoring.api import router as monitoring_router
    from perfloop.separation.api import router as law_router

    api.add_router("/org/", org_router)
    api.add_router("/audit/", audit_router)
    api.add_router("/inbox/", inbox_router)
    api.add_router("/metrics/", metrics_router)
    api.add_router("/goals/", goals_router)
    api.add_router("/imports/", imports_router)
    api.add_router("/monitoring/", monitoring_router)
    api.add_router("/law/", law_router)


_mount()
