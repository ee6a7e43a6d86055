"""The company-wide monitoring pages of HR of the whole organisation: the monthly close (run it, read
what every run did) and the alert rules (read, change, add).

Both act on everyone, so both are refused (403) to anyone else, HR of one part included; the services
check again. Views stay thin: a form, a service call, a message, a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from perfloop.accounts.models import User
from perfloop.core.errors import DomainError, NotFound
from perfloop.core.months import Month
from perfloop.metrics.presentation import active_language
from perfloop.monitoring.forms import CloseForm, RuleForm
from perfloop.monitoring.policies import can_close_month, can_edit_alert_rules
from perfloop.monitoring.presentation import rule_condition
from perfloop.monitoring.selectors import alert_rule_get, alert_rule_list, month_close_list_for
from perfloop.monitoring.services import CloseSummary, alert_rule_create, alert_rule_update, month_close

CLOSES_PER_PAGE = 25


def _hr_of_everyone(request: HttpRequest, allowed: Any) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not allowed(user):
        raise PermissionDenied
    return user


def _close_said(summary: CloseSummary) -> str:
    if not summary.has_changes:
        return _("%(month)s closed: no new data, nothing changed, nobody notified.") % {
            "month": summary.month
        }
    return _(
        "%(month)s closed. Scorecards: %(created)s new, %(changed)s changed (from %(first)s). "
        "Alerts: %(raised)s raised, %(resolved)s resolved. People notified: %(notified)s."
    ) % {
        "month": summary.month,
        "created": summary.scorecards_created,
        "changed": summary.scorecards_changed,
        "first": summary.recomputed_first,
        "raised": summary.alerts_raised,
        "resolved": summary.alerts_resolved,
        "notified": summary.notifications_sent,
    }


@login_required
def closes(request: HttpRequest) -> HttpResponse:
    """Every close run, newest first, and a form to close a month by hand (the schedule closes each month
    on its own; a month is closed again after late or corrected data)."""
    user = _hr_of_everyone(request, can_close_month)
    form = CloseForm(request.POST or None, initial={"month": str(Month.of(timezone.localdate()) - 1)})
    if request.method == "POST" and form.is_valid():
        try:
            summary = month_close(actor=user, month=form.cleaned_data["month"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _close_said(summary))
            return redirect("monitoring:closes")
    page = Paginator(month_close_list_for(viewer=user).select_related("actor"), CLOSES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "runs": list(page.object_list), "nav_active": "closes"}
    return render(request, "monitoring/closes.html", context, status=400 if form.errors else 200)


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """The alert rules in force; HR of the whole organisation changes them from here."""
    _hr_of_everyone(request, can_edit_alert_rules)
    language = active_language()
    shown = [
        {
            "rule": rule,
            "name": rule.name_for(language),
            "condition": rule_condition(rule, language),
        }
        for rule in alert_rule_list().order_by("months", "code")
    ]
    return render(request, "monitoring/rules.html", {"rules": shown, "nav_active": "closes"})


@login_required
def rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    """Change a rule, or add one (``rule_id`` None); it applies from the next close on."""
    user = _hr_of_everyone(request, can_edit_alert_rules)
    try:
        rule = alert_rule_get(rule_id=rule_id) if rule_id is not None else None
    except NotFound as exc:
        raise Http404 from exc
    form = RuleForm(request.POST or None, rule=rule, language=active_language())
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                saved = alert_rule_create(actor=user, code=form.cleaned_data["code"], **form.changes())
            else:
                saved = alert_rule_update(actor=user, rule=rule, **form.changes())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Rule “%(name)s” saved; it applies from the next close on.")
                % {"name": saved.name_for(active_language())},
            )
            return redirect("monitoring:rules")
    context = {"form": form, "rule": rule, "nav_active": "closes"}
    return render(request, "monitoring/rule_form.html", context, status=400 if form.errors else 200)
