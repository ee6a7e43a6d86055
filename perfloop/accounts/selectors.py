"""What each user may see, computed from their role and the org tree.

Every selector in every app that returns people's data starts from
`employee_scope_for(viewer=…)`; nothing else decides visibility.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from perfloop.accounts.models import Announcement, Notification, Role, User
from perfloop.accounts.roles import audit_kinds_readable_by, is_hr_of_whole_organisation
from perfloop.accounts.second_factor import grouped_secret, qr_svg
from perfloop.audit.models import AuditEvent
from perfloop.core.errors import NotFound
from perfloop.org.models import Employee, OrgUnit

# Roles that see individual performance data of others in their subtree.
_INDIVIDUAL_SCOPE_ROLES = {Role.MANAGER, Role.HRBP}
# Roles that see aggregates (team/unit level) of their subtree.
_AGGREGATE_SCOPE_ROLES = {Role.MANAGER, Role.HRBP, Role.EXECUTIVE}


def own_employee_id(user: User) -> int | None:
    """The employee record linked to this user, if any."""
    if not user.is_authenticated:
        return None
    return Employee.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()


def scope_unit_paths_for(*, viewer: User) -> list[str] | None:
    """Materialised paths of the subtrees the viewer covers; None means the whole organisation.

    An empty list means no subtree at all.
    """
    if not viewer.is_authenticated or viewer.role not in _AGGREGATE_SCOPE_ROLES:
        return []
    if viewer.role == Role.MANAGER:
        return list(OrgUnit.objects.filter(head__user_id=viewer.pk).values_list("path", flat=True))
    if viewer.scope_unit_id is None:
        return None
    return list(OrgUnit.objects.filter(pk=viewer.scope_unit_id).values_list("path", flat=True))


def _paths_filter(paths: list[str], prefix: str) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{prefix}path__startswith": path})
    return condition


def employee_scope_for(*, viewer: User) -> QuerySet[Employee]:
    """People whose individual performance data the viewer may see: themself, plus their subtree
    for managers and HRBPs. Executives see aggregates only; sysadmins and recruiters see no one's."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Employee.objects.none()
    own = Q(user_id=viewer.pk)
    if viewer.role == Role.SYSADMIN:
        return Employee.objects.none()
    if viewer.role not in _INDIVIDUAL_SCOPE_ROLES:
        return Employee.objects.filter(own)
    paths = scope_unit_paths_for(viewer=viewer)
    if paths is None:
        return Employee.objects.all()
    # Unit ids, not a join on paths: an OR across a join makes PostgreSQL scan every employee.
    unit_ids = list(OrgUnit.objects.filter(_paths_filter(paths, "")).values_list("pk", flat=True))
    return Employee.objects.filter(own | Q(org_unit_id__in=unit_ids))


def employee_get_for(*, viewer: User, employee_id: int) -> Employee:
    """One person, or NotFound — the same answer whether they do not exist or are out of scope."""
    employee = (
        employee_scope_for(viewer=viewer)
        .select_related("org_unit", "position")
        .filter(pk=employee_id)
        .first()
    )
    if employee is None:
        raise NotFound(_("No such person in your scope."))
    return employee


def org_unit_scope_for(*, viewer: User) -> QuerySet[OrgUnit]:
    """Units whose aggregates (team completion, averages) the viewer may see."""
    paths = scope_unit_paths_for(viewer=viewer)
    if paths is None:
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(_paths_filter(paths, ""))


def can_see_individuals(*, viewer: User) -> bool:
    """Whether the viewer may see anybody else's individual data at all."""
    return viewer.is_authenticated and viewer.role in _INDIVIDUAL_SCOPE_ROLES


def notification_list_for(*, viewer: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The viewer's own inbox; nobody reads another person's notifications."""
    notifications = Notification.objects.filter(recipient_id=viewer.pk)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def announcement_list_for(*, viewer: User) -> QuerySet[Announcement]:
    """The announcements meant for the viewer that are still shown: for everyone, or for a unit the viewer
    belongs to (or one above it); newest first."""
    if not viewer.is_authenticated:
        return Announcement.objects.none()
    unit_path = (
        Employee.objects.filter(user_id=viewer.pk).values_list("org_unit__path", flat=True).first() or ""
    )
    # "/1/4/9/" lies in "/1/", "/1/4/" and "/1/4/9/": an announcement to any of them is for the viewer.
    above = [unit_path[: end + 1] for end, char in enumerate(unit_path) if char == "/" and end > 0]
    return (
        Announcement.objects.filter(withdrawn_at__isnull=True)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate()))
        .filter(Q(audience_unit__isnull=True) | Q(audience_unit__path__in=above))
        .select_related("audience_unit")
    )


def announcements_posted_by(*, viewer: User) -> QuerySet[Announcement]:
    """What the viewer announced (withdrawn and expired ones too), for the HR who posts them."""
    return Announcement.objects.filter(author_id=viewer.pk).select_related("audience_unit")


def announcement_withdrawable_by(*, viewer: User, announcement_id: object) -> Announcement | None:
    """One announcement the viewer may withdraw (their own; any, for HR of the whole organisation)."""
    try:
        pk = int(str(announcement_id))
    except ValueError:
        return None
    announcements = Announcement.objects.filter(pk=pk)
    if not is_hr_of_whole_organisation(viewer):
        announcements = announcements.filter(author_id=viewer.pk)
    return announcements.first()


def announcement_units_for(*, viewer: User) -> QuerySet[OrgUnit]:
    """The parts of the organisation the viewer may address (their scope and the units below it)."""
    return org_unit_scope_for(viewer=viewer).order_by("path")


def unread_notification_count(*, viewer: User) -> int:
    return notification_list_for(viewer=viewer, unread_only=True).count()


@dataclass(frozen=True)
class SignInLockout:
    username: str
    ip: str
    failures: int
    last_failure_at: datetime
    is_locked: bool


def sign_in_lockouts() -> list[SignInLockout]:
    """Usernames and addresses with wrong passwords inside the lockout window, locked ones first: for the
    server's shell (``perfloop lockout list``), which acts as the system."""
    attempts = AccessAttempt.objects.filter(
        attempt_time__gt=timezone.now() - settings.AXES_COOLOFF_TIME
    ).order_by("-failures_since_start", "-attempt_time")
    return [
        SignInLockout(
            username=attempt.username or "",
            ip=attempt.ip_address or "",
            failures=attempt.failures_since_start,
            last_failure_at=attempt.attempt_time,
            is_locked=attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT,
        )
        for attempt in attempts
    ]


@dataclass(frozen=True)
class SecondFactorStatus:
    is_on: bool
    since: datetime | None
    recovery_codes_left: int
    is_required: bool


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_second_factor_required(user: User) -> bool:
    """Roles the company lists in PERFLOOP_SECOND_FACTOR_ROLES must set up a second factor to go on."""
    return user.role in settings.PERFLOOP_SECOND_FACTOR_ROLES


def second_factor_status_for(*, viewer: User) -> SecondFactorStatus:
    """The viewer's own second factor: on or off, since when, how many recovery codes are left."""
    device = TOTPDevice.objects.filter(user=viewer, confirmed=True).order_by("-pk").first()
    since = device.created_at if device is not None else None
    left = StaticToken.objects.filter(device__user=viewer).count() if device is not None else 0
    return SecondFactorStatus(
        is_on=device is not None,
        since=since,
        recovery_codes_left=left,
        is_required=is_second_factor_required(viewer),
    )


def second_factor_users() -> list[tuple[str, datetime, int]]:
    """Who has a second factor on (username, since, recovery codes left): for the server's shell."""
    left = dict(
        StaticToken.objects.values_list("device__user__username").annotate(count=Count("pk")).order_by()
    )
    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user").order_by("user__username")
    return [
        (device.user.username, device.created_at, left.get(device.user.username, 0)) for device in devices
    ]


@dataclass(frozen=True)
class SecondFactorSetup:
    """A new key waiting for its first code: what the set-up page shows to scan or type."""

    qr_svg: str
    secret: str


def second_factor_setup_for(*, viewer: User) -> SecondFactorSetup | None:
    device = TOTPDevice.objects.filter(user=viewer, confirmed=False).order_by("-pk").first()
    if device is None:
        return None
    return SecondFactorSetup(qr_svg=qr_svg(device.config_url), secret=grouped_secret(device.key))


@dataclass(frozen=True)
class AuditQuery:
    """What the audit log reader filters by; empty means any."""

    kind: str = ""
    action: str = ""  # a prefix: "user." finds every account event
    actor: str = ""  # a username
    employee: str = ""  # the employee number of the person the event concerns
    since: date | None = None  # local dates, both included
    until: date | None = None


def audit_event_list_for(*, viewer: User, query: AuditQuery) -> QuerySet[AuditEvent]:
    """Audit events the viewer may read (accounts.roles.audit_kinds_readable_by), newest first."""
    return _audit_events(query).filter(kind__in=audit_kinds_readable_by(viewer))


def audit_event_list_all(*, query: AuditQuery) -> QuerySet[AuditEvent]:
    """Every audit event, newest first: for the server's shell (``perfloop audit list``), the system's."""
    return _audit_events(query)


def audit_kind_choices_for(*, viewer: User) -> list[tuple[str, str]]:
    """The kinds of event the viewer may filter by, with their names."""
    readable = audit_kinds_readable_by(viewer)
    return [(value, str(label)) for value, label in AuditEvent.Kind.choices if value in readable]


def _audit_events(query: AuditQuery) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor")
    if query.kind:
        events = events.filter(kind=query.kind)
    if query.action:
        events = events.filter(action__startswith=query.action)
    if query.actor:
        events = events.filter(actor__username=query.actor)
    if query.employee:
        subject = audit_subject_id(query)
        events = events.filter(subject_employee_id=subject) if subject is not None else events.none()
    zone = timezone.get_current_timezone()
    if query.since:
        events = events.filter(occurred_at__gte=datetime.combine(query.since, time.min, tzinfo=zone))
    if query.until:
        events = events.filter(
            occurred_at__lt=datetime.combine(query.until + timedelta(days=1), time.min, tzinfo=zone)
        )
    return events.order_by("-occurred_at", "-id")


def audit_subjects(events: list[AuditEvent]) -> dict[int, tuple[str, str]]:
    """Employee number and name of the people these events concern, in one query (the log keeps ids)."""
    ids = {event.subject_employee_id for event in events if event.subject_employee_id is not None}
    rows = Employee.objects.filter(pk__in=ids).values_list("pk", "employee_number", "name")
    return {pk: (number, name) for pk, number, name in rows}


def audit_subject_id(query: AuditQuery) -> int | None:
    """The person a filtered reading of the log is about (its employee-number filter), if any."""
    if not query.employee:
        return None
    # Typed by a person: e0102 finds E0102 (numbers differ by more than case in every roster we import).
    number = query.employee.strip()
    return Employee.objects.filter(employee_number__iexact=number).values_list("pk", flat=True).first()
