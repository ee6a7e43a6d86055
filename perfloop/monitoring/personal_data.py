"""The alerts raised about the person and the messages sent to them, for their copy of their data."""

from __future__ import annotations

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from perfloop.core.personal_data import ROW_LIMIT, DataSubject, limited_rows, local_time, section_register
from perfloop.core.workbooks import Sheet
from perfloop.monitoring.models import Alert, Delivery


def monitoring_sections(subject: DataSubject) -> list[Sheet]:
    language = get_language()
    alerts = (
        Alert.objects.filter(employee_id=subject.employee_id).select_related("rule").order_by("month", "pk")
        if subject.employee_id is not None
        else Alert.objects.none()
    )
    # Messages to the person's own account: e-mails about alerts they act on (as a manager or HR).
    deliveries = (
        Delivery.objects.filter(recipient_id=subject.user_id).order_by("-created_at", "-pk")
        if subject.user_id is not None
        else Delivery.objects.none()
    )
    return [
        Sheet(
            _("Alerts"),
            [
                _("Month"),
                _("Rule"),
                _("Severity"),
                _("State"),
                _("Raised"),
                _("Resolved"),
                _("Resolution"),
                _("Note"),
            ],
            [
                [
                    str(alert.month),
                    alert.rule.name_for(language),
                    alert.get_severity_display(),
                    alert.get_state_display(),
                    local_time(alert.raised_at),
                    local_time(alert.resolved_at),
                    alert.get_resolution_display() or None,
                    alert.resolution_note or None,
                ]
                for alert in alerts
            ],
        ),
        Sheet(
            _("Messages sent to me"),
            [_("Queued"), _("Channel"), pgettext("recipient", "To"), _("Subject"), _("Status"), _("Sent")],
            limited_rows(
                [
                    local_time(delivery.created_at),
                    delivery.get_channel_display(),
                    delivery.target,
                    delivery.subject or None,
                    delivery.get_status_display(),
                    local_time(delivery.sent_at),
                ]
                for delivery in deliveries[: ROW_LIMIT + 1]
            ),
        ),
    ]


def register() -> None:
    section_register("monitoring", monitoring_sections, order=50)
