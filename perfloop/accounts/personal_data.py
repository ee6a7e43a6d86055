"""The person's account, sign-ins, inbox and the record of who used their data, for their copy of it.

The access record names the role of whoever looked at or changed the person's records, not the colleague
by name: the person learns what was done with their data and by which function (their manager, HR),
without the export becoming a list of colleagues' names; HR can name them from the audit log when a
request needs it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from perfloop.accounts.models import ApiToken, Notification, Role, User
from perfloop.accounts.selectors import has_second_factor
from perfloop.audit.models import AuditEvent
from perfloop.core.personal_data import DataSubject, section_register
from perfloop.core.workbooks import Cell, Sheet

# Enough for years of activity; a longer history is cut at the newest rows (the sheet says so).
EVENT_LIMIT = 20_000


def _when(moment: object) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment is not None else None  # type: ignore[attr-defined]


def _role(code: str | None) -> str:
    if code is None:
        return _("the system")
    return str(Role(code).label) if code in Role.values else code


def _account(user: User) -> list[Sheet]:
    tokens = ApiToken.objects.filter(user=user).order_by("created_at")
    rows: list[list[Cell]] = [
        [_("Username"), user.username],
        [_("Role"), user.get_role_display()],
        [_("E-mail"), user.email or None],
        [_("Language"), user.preferred_language or None],
        [_("Active"), user.is_active],
        [_("Account created"), _when(user.date_joined)],
        [_("Last sign-in"), _when(user.last_login)],
        [_("Second factor"), has_second_factor(user)],
    ]
    rows += [
        [_("API token"), f"{token.prefix}… {token.name} ({_when(token.created_at)})"] for token in tokens
    ]
    signs = AuditEvent.objects.filter(actor=user, kind=AuditEvent.Kind.SECURITY).order_by("-occurred_at")
    notes = Notification.objects.filter(recipient=user).order_by("-created_at")
    return [
        Sheet(_("Account"), [_("Field"), _("Value")], rows, widths=(22, 48)),
        Sheet(
            _("Sign-ins and security"),
            [_("When"), _("Event"), _("Address")],
            [
                [_when(event.occurred_at), event.action, event.details.get("ip") or None]
                for event in signs[:EVENT_LIMIT]
            ],
        ),
        Sheet(
            _("Inbox"),
            [_("Received"), _("Kind"), _("Title"), _("Message"), _("Read")],
            [
                [_when(note.created_at), note.kind, note.title, note.body or None, _when(note.read_at)]
                for note in notes[:EVENT_LIMIT]
            ],
        ),
    ]


def _use_of_records(employee_id: int) -> Sheet:
    events = (
        AuditEvent.objects.filter(subject_employee_id=employee_id)
        .exclude(kind=AuditEvent.Kind.SECURITY)
        .select_related("actor")
        .order_by("-occurred_at")[:EVENT_LIMIT]
    )
    return Sheet(
        _("Use of my records"),
        [_("When"), _("Looked at or changed"), _("What"), _("By (role)")],
        [
            [
                _when(event.occurred_at),
                _("looked at") if event.kind == AuditEvent.Kind.VIEW else _("changed"),
                event.action,
                _role(event.actor.role if event.actor else None),
            ]
            for event in events
        ],
    )


def accounts_sections(subject: DataSubject) -> list[Sheet]:
    user = User.objects.filter(pk=subject.user_id).first() if subject.user_id is not None else None
    sheets = _account(user) if user is not None else []
    if subject.employee_id is not None:
        sheets.append(_use_of_records(subject.employee_id))
    return sheets


def section_titles() -> list[str]:
    """What the copy holds, in words, for the page that offers it (the sheets' titles, in order)."""
    return [
        _("Account, sign-ins and inbox"),
        _("Employee record, wages and protected statuses"),
        _("KPI values, targets and scorecards"),
        _("Goals, their versions and their agreement"),
        _("Alerts"),
        _("Who looked at or changed your records (by role)"),
    ]


def register() -> None:
    section_register("accounts", accounts_sections, order=10)
