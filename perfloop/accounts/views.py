"""Sign-in (password, then a second factor for those who set one up), sign-out and the second-factor page."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as second_factor_login

from perfloop.accounts.audit_log import EXPORT_LIMIT, audit_lines, audit_sheet
from perfloop.accounts.clients import client_ip
from perfloop.accounts.forms import AnnouncementForm, AuditFilterForm, CodeForm
from perfloop.accounts.inbox import inbox_path
from perfloop.accounts.models import User
from perfloop.accounts.personal_data import section_titles
from perfloop.accounts.policies import can_announce, can_read_audit_log
from perfloop.accounts.second_factor import PENDING_KEY, PENDING_SECONDS, pending_sign_in
from perfloop.accounts.selectors import (
    AuditQuery,
    announcement_list_for,
    announcement_units_for,
    announcement_withdrawable_by,
    announcements_posted_by,
    audit_event_list_for,
    audit_kind_choices_for,
    audit_subjects,
    has_second_factor,
    notification_list_for,
    second_factor_setup_for,
    second_factor_status_for,
    unread_notification_count,
)
from perfloop.accounts.services import (
    announcement_publish,
    announcement_withdraw,
    audit_log_export,
    audit_log_read,
    notification_mark_all_read,
    notification_mark_read,
    personal_data_export,
    second_factor_begin,
    second_factor_disable,
    second_factor_enable,
    second_factor_recovery_codes_renew,
    second_factor_sign_in,
    sign_in_failed,
    sign_in_recorded,
)
from perfloop.accounts.sso import is_sso_enabled, sso_label
from perfloop.audit.models import AuditEvent
from perfloop.core.errors import DomainError
from perfloop.core.workbooks import XLSX_CONTENT_TYPE, workbook_bytes
from perfloop.org.models import OrgUnit


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_label"] = sso_label(translation.get_language() or "") if is_sso_enabled() else ""
        return context

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        user = form.get_user()
        if has_second_factor(user):
            # Not signed in yet: nothing but the code page opens until the code is right.
            self.request.session[PENDING_KEY] = pending_sign_in(
                user_id=user.pk,
                backend=user.backend,
                next_url=self.get_success_url(),
                method="password",
                at=time.time(),
            )
            return redirect("accounts:second_factor_verify")
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


def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a sign-in: a code from the app, or a recovery code."""
    pending: dict[str, Any] = request.session.get(PENDING_KEY) or {}
    user = None
    if pending and time.time() - float(pending["at"]) <= PENDING_SECONDS:
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        if pending:
            request.session.pop(PENDING_KEY, None)
            messages.info(request, _("Sign in again: the code was not given within 5 minutes."))
        return redirect("accounts:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_sign_in(
                user=user,
                code=form.cleaned_data["code"],
                ip=client_ip(request),
                method=str(pending.get("method") or "password"),
            )
        except DomainError as exc:
            form.add_error("code", str(exc.message))
        else:
            request.session.pop(PENDING_KEY, None)
            login(request, user, backend=pending["backend"])
            second_factor_login(request, device)
            return redirect(pending["next"])
    return render(request, "accounts/second_factor_verify.html", {"form": form})


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Set up, renew recovery codes for, or turn off one's own second factor."""
    user: User = request.user  # type: ignore[assignment]
    form = CodeForm(request.POST or None)
    codes: list[str] = []
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "begin":
        second_factor_begin(user=user)
        return redirect("accounts:second_factor")
    if action in {"confirm", "renew", "disable"} and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if action == "confirm":
                codes = second_factor_enable(user=user, code=code)
                update_session_auth_hash(request, user)  # this session stays; the others end
            elif action == "renew":
                codes = second_factor_recovery_codes_renew(user=user, code=code)
            elif second_factor_status_for(viewer=user).is_required:
                form.add_error("code", _("Your role must keep a second factor: ask your administrator."))
            else:
                second_factor_disable(user=user, code=code)
                update_session_auth_hash(request, user)
                messages.success(
                    request, _("The second factor is off: signing in asks for your password only.")
                )
                return redirect("accounts:second_factor")
        except DomainError as exc:
            form.add_error("code", str(exc.message))
    status = second_factor_status_for(viewer=user)
    context = {
        "status": status,
        "setup": None if status.is_on else second_factor_setup_for(viewer=user),
        "codes": codes,
        "form": form,
        "action": action,
    }
    return render(request, "accounts/second_factor.html", context)


@login_required
def announcements(request: HttpRequest) -> HttpResponse:
    """The announcements meant for the viewer; HR also posts new ones and withdraws their own here."""
    user: User = request.user  # type: ignore[assignment]
    language = translation.get_language() or ""
    may_post = can_announce(user)
    form = None
    if may_post:
        units = [(unit.pk, unit.name_for(language)) for unit in announcement_units_for(viewer=user)]
        form = AnnouncementForm(
            request.POST if request.POST.get("action") == "publish" else None,
            units=units,
            whole_organisation=user.scope_unit_id is None,
        )
    if request.method == "POST" and may_post:
        try:
            if request.POST.get("action") == "withdraw":
                target = announcement_withdrawable_by(
                    viewer=user, announcement_id=request.POST.get("announcement")
                )
                if target is None:
                    raise Http404
                announcement_withdraw(actor=user, announcement=target)
                messages.success(request, _("The announcement was withdrawn."))
                return redirect("accounts:announcements")
            if form is not None and form.is_valid():
                unit_id = form.audience_unit_id()
                published = announcement_publish(
                    actor=user,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    title_en=form.cleaned_data["title_en"],
                    body_en=form.cleaned_data["body_en"],
                    audience_unit=OrgUnit.objects.filter(pk=unit_id).first() if unit_id else None,
                    expires_on=form.cleaned_data["expires_on"],
                )
                messages.success(
                    request,
                    ngettext(
                        "Announced to %(count)d person.",
                        "Announced to %(count)d people.",
                        published.recipients,
                    )
                    % {"count": published.recipients},
                )
                return redirect("accounts:announcements")
        except DomainError as exc:
            if form is None:
                raise
            form.add_error(None, exc.message)
    shown = [
        {
            "announcement": item,
            "title": item.title_for(language),
            "body": item.body_for(language),
            "audience": item.audience_unit.name_for(language) if item.audience_unit else "",
        }
        for item in announcement_list_for(viewer=user)[:50]
    ]
    context = {
        "announcements": shown,
        "form": form,
        "posted": list(announcements_posted_by(viewer=user)[:50]) if may_post else [],
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "accounts/announcements.html", context, status=status)


INBOX_PAGE_SIZE = 20


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """One's own notifications, newest first: alerts from the monthly close, goals to confirm, answers to
    disputes. Nobody reads another person's inbox."""
    user: User = request.user  # type: ignore[assignment]
    show_unread = request.GET.get("show") == "unread"
    notifications = notification_list_for(viewer=user, unread_only=show_unread)
    page = Paginator(notifications, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    unread = unread_notification_count(viewer=user)
    context = {
        "page": page,
        "notifications": list(page.object_list),
        "show_unread": show_unread,
        "unread": unread,
        "inbox_unread": unread,  # the bell's count too: counted once for this page
    }
    return render(request, "accounts/inbox.html", context)


@login_required
@require_POST
def inbox_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go where it points (on this site only), or back to the inbox."""
    user: User = request.user  # type: ignore[assignment]
    notification = notification_list_for(viewer=user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    notification_mark_read(recipient=user, notification_id=notification.pk)
    return redirect(inbox_path(notification.link, settings.PERFLOOP_SITE_URL) or "accounts:inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    marked = notification_mark_all_read(recipient=user)
    if marked:
        messages.success(
            request,
            ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", marked)
            % {"count": marked},
        )
    return redirect("accounts:inbox")


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """What perfloop holds about the signed-in person, and the button that downloads their copy."""
    return render(request, "accounts/my_data.html", {"sections": section_titles()})


@login_required
def my_data_workbook(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    data = personal_data_export(actor=user, user=user, language=translation.get_language())
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="my-data-{user.username}.xlsx"'
    return response


AUDIT_PAGE_SIZE = 50


def _audit_reader(request: HttpRequest) -> tuple[User, AuditFilterForm, AuditQuery | None]:
    """The reader (refused unless they may read the log), their filters, and the query — None when a
    filter cannot be read: then nothing is shown, never the whole log in its place."""
    user: User = request.user  # type: ignore[assignment]
    if not user.is_authenticated or not can_read_audit_log(user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, kinds=audit_kind_choices_for(viewer=user))
    return user, form, form.query()


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who did or looked at what, newest first; reading the log is itself recorded."""
    user, form, query = _audit_reader(request)
    events = (
        audit_event_list_for(viewer=user, query=query) if query is not None else AuditEvent.objects.none()
    )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    lines = audit_lines(shown, audit_subjects(shown))
    if query is not None:
        audit_log_read(actor=user, query=query)
    params = request.GET.copy()
    params.pop("page", None)
    context = {"form": form, "page": page, "lines": lines, "query_string": params.urlencode()}
    return render(request, "accounts/audit_log.html", context, status=200 if query is not None else 400)


@login_required
def audit_log_workbook(request: HttpRequest) -> HttpResponse:
    """The filtered log as a workbook (the newest EXPORT_LIMIT events; the file says when there were more)."""
    user, form, query = _audit_reader(request)
    if query is None:
        context: dict[str, Any] = {"form": form, "page": None, "lines": [], "query_string": ""}
        return render(request, "accounts/audit_log.html", context, status=400)
    events = list(audit_event_list_for(viewer=user, query=query)[: EXPORT_LIMIT + 1])
    is_cut = len(events) > EXPORT_LIMIT
    events = events[:EXPORT_LIMIT]
    sheet = audit_sheet(audit_lines(events, audit_subjects(events)), is_cut=is_cut)
    audit_log_export(actor=user, query=query, events=len(events), is_cut=is_cut)
    response = HttpResponse(workbook_bytes([sheet]), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="audit-log.xlsx"'
    return response
