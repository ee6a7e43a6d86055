"""The person's account, sign-ins, inbox and the record of who used their data, for their copy of it.

The access record names the role the colleague had when they looked at or changed the person's records,
not the colleague by name: the person learns what was done with their data and by which function (their
manager, HR), without the export becoming a list of colleagues' names; HR can name them from the audit
log when a request needs it.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from perfloop.accounts.models import ApiToken, Notification, Role, User
from perfloop.accounts.selectors import has_second_factor
from perfloop.audit.labels import action_label
from perfloop.audit.models import AuditEvent
from perfloop.core.personal_data import ROW_LIMIT, DataSubject, limited_rows, local_time, section_register
from perfloop.core.workbooks import Cell, Sheet


def _role(code: str) -> str:
    if not code:
        return _("the system")
    return str(Role(code).label) if code in Role.values else code


def _language(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def _security_events(user: User) -> list[list[Cell]]:
    """Sign-ins and everything done to the account: by the person, by an administrator, or tried on their
    name by someone else (wrong passwords, pauses)."""
    about = (
        Q(actor=user)
        | Q(target_type=User._meta.label_lower, target_id=str(user.pk))
        | Q(details__user=user.username)
        | Q(details__username=user.username)
    )
    events = AuditEvent.objects.filter(about, kind=AuditEvent.Kind.SECURITY).order_by("-occurred_at", "-pk")
    return limited_rows(
        [local_time(event.occurred_at), action_label(event.action), event.details.get("ip") or None]
        for event in events[: ROW_LIMIT + 1]
    )


def _account(user: User) -> list[Sheet]:
    rows: list[list[Cell]] = [
        [_("Username"), user.username],
        [_("Role"), user.role_title()],
        [_("E-mail"), user.email or None],
        [_("Language"), _language(user.preferred_language)],
        [_("Active"), user.is_active],
        [_("Account created"), local_time(user.date_joined)],
        [_("Last sign-in"), local_time(user.last_login)],
        [_("Second factor"), has_second_factor(user)],
    ]
    tokens = ApiToken.objects.filter(user=user).order_by("created_at")
    rows += [
        [_("API token"), f"{token.prefix}… {token.name} ({local_time(token.created_at)})"] for token in tokens
    ]
    notes = Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
    return [
        Sheet(_("Account"), [_("Field"), _("Value")], rows, widths=(22, 48)),
        Sheet(_("Sign-ins and security"), [_("When"), _("Event"), _("Address")], _security_events(user)),
        Sheet(
            _("Inbox"),
            [_("Received"), _("Title"), _("Message"), _("Read")],
            limited_rows(
                [local_time(note.created_at), note.title, note.body or None, local_time(note.read_at)]
                for note in notes[: ROW_LIMIT + 1]
            ),
        ),
    ]


def _use_of_records(employee_id: int) -> Sheet:
    events = (
        AuditEvent.objects.filter(subject_employee_id=employee_id)
        .exclude(kind=AuditEvent.Kind.SECURITY)
        .select_related("actor")
        .order_by("-occurred_at", "-pk")
    )
    return Sheet(
        _("Use of my records"),
        [_("When"), _("Looked at or changed"), _("What"), _("By (role at the time)")],
        limited_rows(
            [
                local_time(event.occurred_at),
                _("looked at") if event.kind == AuditEvent.Kind.VIEW else _("changed"),
                action_label(event.action),
                # Events older than the role column name the colleague's role today.
                _role(event.actor_role or (event.actor.role if event.actor else "")),
            ]
            for event in events[: ROW_LIMIT + 1]
        ),
    )


def accounts_sections(subject: DataSubject) -> list[Sheet]:
    user = User.objects.filter(pk=subject.user_id).first() if subject.user_id is not None else None
    sheets = _account(user) if user is not None else []
    if subject.employee_id is not None:
        sheets.append(_use_of_records(subject.employee_id))
    return sheets


def section_titles() -> list[str]:
    """What the copy holds, in words, for the page that offers it."""
    return [
        _("Account, sign-ins and inbox"),
        _("Employee record, wages and protected statuses"),
        _("KPI values, their corrections, targets and scorecards"),
        _("Goals, their versions, their agreement and your share of annual target plans"),
        _("Alerts, and the messages sent to you about them"),
        _("Who looked at or changed your records (by role)"),
    ]


def register() -> None:
    section_register("accounts", accounts_sections, order=10)
