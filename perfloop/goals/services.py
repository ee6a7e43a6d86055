"""Every write of the goals app: setting and revising goals, their agreement, templates, plans, files.

Each service checks access first, validates everything before it writes anything, runs in one
transaction and records an audit event in it. A goal's state changes only in `goal_transition`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from perfloop.accounts.models import User
from perfloop.accounts.services import notification_send
from perfloop.audit.services import audit_change, audit_views_bulk, recorded_actor
from perfloop.core.bulk import chunked
from perfloop.core.errors import NotFound, PermissionDenied
from perfloop.core.money import MoneyError, to_decimal
from perfloop.core.months import Month, MonthError, month_range
from perfloop.goals import cascade, goal_files
from perfloop.goals.agreement import VERSIONING_ACTIONS, GoalAction, GoalState, next_state
from perfloop.goals.bulk_assignment import TemplateCell, assign_cells
from perfloop.goals.errors import (
    GoalConflictError,
    GoalError,
    GoalImportError,
    JustificationMissingError,
    PlanSplitError,
)
from perfloop.goals.fairness import FairnessWarning, check_against_peers, check_mid_period_raise
from perfloop.goals.models import (
    VALUE_PLACES,
    Basis,
    Channel,
    Goal,
    GoalEvent,
    GoalStatus,
    GoalTemplate,
    GoalTemplateLine,
    GoalVersion,
    PlanNode,
    TargetPlan,
    TemplateAssignment,
)
from perfloop.goals.policies import (
    can_manage_goals_of,
    can_manage_plan,
    can_manage_templates,
    can_plan_for_unit,
    can_respond_to_goal,
    can_view_goals_of,
)
from perfloop.goals.selectors import (
    PeopleFilter,
    goals_export_for,
    headcount_by_unit,
    manageable_people_for,
    peer_targets,
    people_matching_for,
    plan_candidates,
    plan_report,
    suggestions_for,
)
from perfloop.metrics.models import Aggregation, Kpi, MonthlyTarget
from perfloop.org.models import Employee, OrgUnit

T = TypeVar("T")

EXPORT_HEADER_ZH = (
    "工号",
    "姓名",
    "部门",
    "月份",
    "指标",
    "指标名称",
    "目标",
    "状态",
    "版本",
    "依据",
    "设定人",
    "设定时间",
    "确认时间",
)
EXPORT_HEADER_EN = (
    "employee_number",
    "name",
    "team",
    "month",
    "kpi",
    "kpi_name",
    "target",
    "status",
    "version",
    "basis",
    "set_by",
    "set_at",
    "confirmed_at",
)
MAX_TARGET = Decimal(10) ** (16 - VALUE_PLACES)  # the column holds 12 digits before the point
MAX_ASSIGNMENT_MONTHS = 24
_CHUNK = 500  # ids per IN (…) list: far below every database's parameter limit
_PLACES = Decimal(1).scaleb(-VALUE_PLACES)


# ---------------------------------------------------------------- small helpers


def _user(actor: Any) -> User | None:
    user: User | None = recorded_actor(actor)
    return user


def _in_chunks(ids: Iterable[int], query: Callable[[Sequence[int]], Iterable[T]]) -> list[T]:
    ordered = sorted(set(ids))
    return [row for chunk in chunked(ordered, _CHUNK) for row in query(chunk)]


def target_value(raw: object) -> Decimal:
    """A target from user input: an exact, non-negative decimal with at most four decimal places."""
    try:
        value = to_decimal(raw)
    except MoneyError as exc:
        raise GoalError(
            _("Not a valid target: “%(value)s”.") % {"value": str(raw)[:40]},
            code="invalid_target",
            value=str(raw),
        ) from exc
    if value < 0:
        raise GoalError(_("A target cannot be negative."), code="negative_target", value=str(value))
    if value != value.quantize(_PLACES):
        raise GoalError(
            _("A target has at most four decimal places."), code="invalid_target", value=str(value)
        )
    if value >= MAX_TARGET:
        raise GoalError(_("The target is too large."), code="invalid_target", value=str(value))
    return value.quantize(_PLACES)


def is_employed_in(employee: Employee, month: Month) -> bool:
    return employee.hire_date <= month.last_day and (
        employee.termination_date is None or employee.termination_date >= month.first_day
    )


def _require_manageable(actor: Any, employee: Employee) -> None:
    """Out of sight → 404 (never confirm the person exists); in sight but not theirs to set → 403."""
    if can_manage_goals_of(actor, employee):
        return
    if can_view_goals_of(actor, employee):
        raise PermissionDenied(_("You may see these goals but not set them."))
    raise NotFound(_("No such person in your scope."))


def _require_move(goal: Goal, action: GoalAction) -> GoalState:
    after = next_state(goal.status, action)
    if after is None:
        raise GoalConflictError(
            _("A goal that is %(status)s cannot be %(action)s.")
            % {"status": goal.get_status_display(), "action": GoalEvent.Action(action).label},
            code="goal_transition_not_allowed",
            goal=goal.pk,
            status=goal.status,
            action=str(action),
        )
    return after


def _require_current_version(goal: Goal, version: int) -> None:
    if version != goal.version_count:
        raise GoalConflictError(
            _("This goal has changed since you saw it: read the new version before you answer."),
            code="goal_version_outdated",
            goal=goal.pk,
            given=version,
            current=goal.version_count,
        )


def _locked(goal: Goal) -> Goal:
    """The goal re-read inside the transaction (row-locked on PostgreSQL), so two answers cannot race."""
    return (
        Goal.objects.select_for_update(of=("self",))
        .select_related("employee", "kpi", "current_version")
        .get(pk=goal.pk)
    )


# ---------------------------------------------------------------- the one transition function


def goal_transition(
    *,
    goals: Sequence[Goal],
    action: GoalAction,
    actor: Any,
    comment: str = "",
    channel: str = Channel.WEB,
    new_versions: Mapping[int, GoalVersion] | None = None,
) -> list[GoalEvent]:
    """Move goals along the agreement state machine: check every move first, then apply and log them.

    Moves that version the goal (revise, answer) take the new version from ``new_versions``. A goal
    that becomes published writes the effective target the scoring engine reads.
    """
    moves: list[tuple[Goal, str, GoalState]] = []
    for goal in goals:
        moves.append((goal, goal.status, _require_move(goal, action)))
        if action in VERSIONING_ACTIONS and (new_versions is None or goal.pk not in new_versions):
            raise ValueError(f"{action} needs the new version of goal {goal.pk}")
    now = timezone.now()
    events: list[GoalEvent] = []
    for goal, before, after in moves:
        if action in VERSIONING_ACTIONS:
            assert new_versions is not None  # noqa: S101 - checked above
            version = new_versions[goal.pk]
            goal.current_version = version
            goal.value = version.value
            goal.version_count = version.number
        goal.status = after
        goal.updated_at = now
        if after == GoalState.PUBLISHED:
            goal.published_at = now
        if after == GoalState.CONFIRMED:
            goal.confirmed_version = goal.current_version
            goal.confirmed_at = now
        else:
            goal.confirmed_version = None
            goal.confirmed_at = None
        assert goal.current_version is not None  # noqa: S101 - every goal has its first version
        events.append(
            GoalEvent(
                goal=goal,
                version=goal.current_version,
                action=str(action),
                from_status=before,
                to_status=after,
                actor=_user(actor),
                comment=comment,
                channel=channel,
                occurred_at=now,
            )
        )
    Goal.objects.bulk_update(
        [goal for goal, _, _ in moves],
        [
            "status",
            "value",
            "version_count",
            "current_version",
            "confirmed_version",
            "published_at",
            "confirmed_at",
            "updated_at",
        ],
        batch_size=_CHUNK,
    )
    GoalEvent.objects.bulk_create(events, batch_size=_CHUNK)
    _effective_targets_write([goal for goal, _, after in moves if after == GoalState.PUBLISHED])
    by_employee: dict[int, list[tuple[Goal, str, GoalState]]] = defaultdict(list)
    for move in moves:
        by_employee[move[0].employee_id].append(move)
    for employee_id, employee_moves in by_employee.items():
        audit_change(
            actor=actor,
            action=f"goal.{action}",
            target=employee_moves[0][0],
            subject_employee_id=employee_id,
            details={
                "channel": channel,
                "comment": comment,
                "goals": [
                    {
                        "goal": goal.pk,
                        "kpi": goal.kpi_id,
                        "month": str(goal.month),
                        "from": before,
                        "to": str(after),
                        "version": goal.version_count,
                        "value": str(goal.value),
                    }
                    for goal, before, after in employee_moves
                ],
            },
        )
    return events


def _effective_targets_write(goals: Sequence[Goal]) -> None:
    """Published values become the targets scorecards are computed against (metrics.MonthlyTarget)."""
    if not goals:
        return
    rows = [
        MonthlyTarget(
            employee_id=goal.employee_id,
            month=goal.month,
            kpi_id=goal.kpi_id,
            value=goal.value,
            set_by_id=goal.current_version.created_by_id if goal.current_version else None,
        )
        for goal in goals
    ]
    MonthlyTarget.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["employee", "month", "kpi"],
        update_fields=["value", "set_by", "updated_at"],
        batch_size=_CHUNK,
    )


# ---------------------------------------------------------------- notifications


def _goal_lines(goals: Sequence[Goal]) -> str:
    language = translation.get_language()
    return "\n".join(
        f"{goal.month} · {goal.kpi.name_for(language)}: {goal_files.format_value(goal.value, goal.kpi.unit)}"
        for goal in sorted(goals, key=lambda g: (g.month, g.kpi.display_order, g.kpi.code))
    )


def _notify(recipient: User | None, kind: str, build: Callable[[], tuple[str, str, str]]) -> None:
    """One in-app message (and e-mail) in the recipient's own language."""
    if recipient is None or not recipient.is_active:
        return
    with translation.override(recipient.preferred_language or "zh-hans"):
        title, body, link = build()
        notification_send(recipient=recipient, kind=kind, title=title, body=body, link=link, email=True)


# What a person is told when goals wait for their confirmation: first published, or changed after they saw
# them. Marked for translation here, translated in the recipient's language when the message is built.
_TO_CONFIRM = {
    "goal.published": (
        gettext_noop("New goals to confirm"),
        gettext_noop("Your manager published these goals. Please confirm or dispute them:"),
    ),
    "goal.revised": (
        gettext_noop("Changed goals to confirm"),
        gettext_noop("Your manager changed these goals. Please confirm or dispute them again:"),
    ),
}


def _notify_to_confirm(goals: Sequence[Goal], kind: str) -> None:
    """One message per person (``kind``: goal.published or goal.revised) listing their goals to confirm."""
    title, intro = _TO_CONFIRM[kind]
    by_employee: dict[int, list[Goal]] = defaultdict(list)
    for goal in goals:
        by_employee[goal.employee_id].append(goal)
    users = {e.pk: e.user for e in Employee.objects.filter(pk__in=by_employee).select_related("user")}
    for employee_id, employee_goals in by_employee.items():
        first = min(g.month for g in employee_goals)

        def build(goals: list[Goal] = employee_goals, first: Month = first) -> tuple[str, str, str]:
            return (_(title), _(intro) + "\n" + _goal_lines(goals), reverse("goals:mine") + f"?month={first}")

        _notify(users.get(employee_id), kind, build)


def _dispute_recipients(goal: Goal) -> list[User]:
    """The person's manager, the head of their unit and whoever set the disputed version."""
    employee = goal.employee
    candidates: list[User | None] = []
    if employee.manager_id:
        candidates.append(Employee.objects.select_related("user").get(pk=employee.manager_id).user)
    head = OrgUnit.objects.filter(pk=employee.org_unit_id).select_related("head__user").first()
    if head is not None and head.head is not None:
        candidates.append(head.head.user)
    if goal.current_version is not None and goal.current_version.created_by_id:
        candidates.append(User.objects.filter(pk=goal.current_version.created_by_id).first())
    seen: dict[int, User] = {}
    for user in candidates:
        if user is not None and user.pk != employee.user_id:
            seen.setdefault(user.pk, user)
    return list(seen.values())


# ---------------------------------------------------------------- fairness


@dataclass(frozen=True)
class _Proposal:
    employee: Employee
    kpi: Kpi
    month: Month
    value: Decimal
    previous: Decimal | None  # the value the person was shown before (published or agreed)


def _fairness_warnings(proposals: Sequence[_Proposal]) -> list[FairnessWarning]:
    """Peer comparison (same position, same KPI and month) and mid-period raises (CN-C-01/02)."""
    if not proposals:
        return []
    today = Month.of(timezone.localdate())
    pool = peer_targets(
        position_ids={p.employee.position_id for p in proposals},
        kpi_ids={p.kpi.pk for p in proposals},
        first=min(p.month for p in proposals),
        last=max(p.month for p in proposals),
    )
    # The people being set count with their new values: one outlier in a team is what we look for.
    for proposal in proposals:
        pool[(proposal.employee.position_id, proposal.kpi.pk, proposal.month)][proposal.employee.pk] = (
            proposal.value
        )
    warnings: list[FairnessWarning] = []
    for proposal in proposals:
        peers = pool[(proposal.employee.position_id, proposal.kpi.pk, proposal.month)]
        common = {
            "employee_id": proposal.employee.pk,
            "kpi": proposal.kpi.code,
            "kpi_name_en": proposal.kpi.name_en,
            "kpi_name_zh": proposal.kpi.name_zh,
            "month": proposal.month,
            "value": proposal.value,
            "unit": proposal.kpi.unit,
            "direction": proposal.kpi.direction,
        }
        above = check_against_peers(
            peer_values=[
                value for employee_id, value in peers.items() if employee_id != proposal.employee.pk
            ],
            quantum=cascade.quantum_for_unit(proposal.kpi.unit),
            **common,  # type: ignore[arg-type]
        )
        raised = check_mid_period_raise(previous=proposal.previous, today=today, **common)  # type: ignore[arg-type]
        warnings += [w for w in (above, raised) if w is not None]
    return warnings


def _require_justification(warnings: Sequence[FairnessWarning], justification: str) -> None:
    if warnings and not justification.strip():
        raise JustificationMissingError(
            _("This target needs a written justification: %(reason)s")
            % {"reason": warnings[0].message(translation.get_language())},
            warnings=[w.as_dict() for w in warnings],
        )


def _flags_by_key(
    warnings: Sequence[FairnessWarning],
) -> dict[tuple[int | None, str, Month], list[dict[str, object]]]:
    """Warnings keyed by (person, KPI code, month), kept with the version they concern."""
    flags: dict[tuple[int | None, str, Month], list[dict[str, object]]] = defaultdict(list)
    for warning in warnings:
        flags[(warning.employee_id, warning.kpi, warning.month)].append(warning.as_dict())
    return flags


# ---------------------------------------------------------------- setting goals


@dataclass(frozen=True)
class GoalEntry:
    """One target to set: for a person, a month and a KPI."""

    employee_id: int
    month: Month
    kpi_id: int
    value: Decimal
    basis_detail: str = ""
    suggestion: dict[str, object] | None = None
    basis: str | None = None  # overrides the batch's basis for this entry


@dataclass
class SetResult:
    goals: list[Goal] = field(default_factory=list)
    created: int = 0
    revised: int = 0
    unchanged: int = 0
    warnings: list[FairnessWarning] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "created": self.created,
            "revised": self.revised,
            "unchanged": self.unchanged,
            "warnings": [w.as_dict() for w in self.warnings],
        }


@transaction.atomic
def goals_set_bulk(
    *,
    actor: Any,
    entries: Sequence[GoalEntry],
    basis: str,
    basis_detail: str = "",
    reason: str = "",
    justification: str = "",
    channel: str = Channel.WEB,
    plan: TargetPlan | None = None,
    expected_versions: Mapping[int, int] | None = None,
) -> SetResult:
    """Set many targets at once: new goals start as drafts; a changed goal gets a new version.

    All or nothing: every entry is checked (people in the actor's scope, employed in the month, KPI
    known, value not negative, no dispute pending, a reason for changing what was already shown, a
    justification for what the fairness guard flags) before a single row is written.
    """
    result = SetResult()
    if not entries:
        return result
    for chosen in {basis, *(e.basis for e in entries if e.basis)}:
        if chosen not in Basis.values:
            raise GoalError(_("Unknown basis “%(basis)s”.") % {"basis": chosen}, code="invalid_basis")
    seen: set[tuple[int, Month, int]] = set()
    duplicates = []
    for entry in entries:
        key = (entry.employee_id, entry.month, entry.kpi_id)
        if key in seen:
            duplicates.append({"employee": entry.employee_id, "month": str(entry.month), "kpi": entry.kpi_id})
        seen.add(key)
        if entry.value < 0:
            raise GoalError(
                _("A target cannot be negative."),
                code="negative_target",
                employee=entry.employee_id,
                month=str(entry.month),
                value=str(entry.value),
            )
    if duplicates:
        raise GoalError(_("The same goal is given twice."), code="duplicate_goal", goals=duplicates[:50])

    manageable = manageable_people_for(viewer=actor).select_related("position")
    people = {
        p.pk: p
        for p in _in_chunks([e.employee_id for e in entries], lambda ids: manageable.filter(pk__in=ids))
    }
    unknown = sorted({e.employee_id for e in entries} - people.keys())
    if unknown:
        raise GoalError(
            _("Unknown people, or people whose goals you do not set."),
            code="unknown_employee",
            employees=unknown[:50],
            count=len(unknown),
        )
    kpis = {k.pk: k for k in Kpi.objects.filter(pk__in={e.kpi_id for e in entries})}
    unknown_kpis = sorted({e.kpi_id for e in entries} - kpis.keys())
    if unknown_kpis:
        raise GoalError(_("Unknown KPI."), code="unknown_kpi", kpis=unknown_kpis)
    outside = [e for e in entries if not is_employed_in(people[e.employee_id], e.month)]
    if outside:
        raise GoalError(
            _("The person is not employed in that month."),
            code="month_outside_employment",
            goals=[{"employee": e.employee_id, "month": str(e.month)} for e in outside[:50]],
            count=len(outside),
        )

    first, last = min(e.month for e in entries), max(e.month for e in entries)
    existing = {
        (g.employee_id, g.month, g.kpi_id): g
        for g in _in_chunks(
            people,
            lambda ids: (
                Goal.objects.select_for_update(of=("self",))
                .select_related("current_version")
                .filter(employee_id__in=ids, month__gte=first, month__lte=last, kpi_id__in=kpis)
            ),
        )
    }
    new_entries: list[GoalEntry] = []
    changes: list[tuple[Goal, GoalEntry]] = []
    disputed, outdated = [], []
    for entry in entries:
        goal = existing.get((entry.employee_id, entry.month, entry.kpi_id))
        if goal is None:
            new_entries.append(entry)
            continue
        if (
            expected_versions is not None
            and expected_versions.get(goal.pk, goal.version_count) != goal.version_count
        ):
            outdated.append(goal)
        if goal.value == entry.value:
            result.unchanged += 1
            result.goals.append(goal)
            continue
        if goal.status == GoalStatus.DISPUTED:
            disputed.append(goal.pk)
        changes.append((goal, entry))
    if outdated:
        goal = outdated[0]
        raise GoalConflictError(
            _("This goal has changed since you saw it: read the new version first."),
            code="goal_version_outdated",
            goal=goal.pk,
            given=(expected_versions or {}).get(goal.pk),
            current=goal.version_count,
        )
    if disputed:
        raise GoalConflictError(
            _("The person disputes this goal: answer the dispute instead of changing it."),
            code="goal_disputed",
            goals=disputed[:50],
        )
    shown = [goal.pk for goal, _ in changes if goal.status != GoalStatus.DRAFT]
    if shown and not reason.strip():
        raise GoalError(
            _("A goal the person has already seen changes only with a reason."),
            code="reason_required",
            goals=shown[:50],
        )

    warnings = _fairness_warnings(
        [
            _Proposal(
                employee=people[e.employee_id],
                kpi=kpis[e.kpi_id],
                month=e.month,
                value=e.value,
                previous=None,
            )
            for e in new_entries
        ]
        + [
            _Proposal(
                employee=people[e.employee_id],
                kpi=kpis[e.kpi_id],
                month=e.month,
                value=e.value,
                previous=goal.value if goal.status != GoalStatus.DRAFT else None,
            )
            for goal, e in changes
        ]
    )
    _require_justification(warnings, justification)
    result.warnings = warnings
    flags = _flags_by_key(warnings)

    now = timezone.now()
    user = _user(actor)
    new_goals = Goal.objects.bulk_create(
        [
            Goal(
                employee_id=e.employee_id,
                month=e.month,
                kpi_id=e.kpi_id,
                status=GoalStatus.DRAFT,
                value=e.value,
                version_count=0,
                created_at=now,
                updated_at=now,
            )
            for e in new_entries
        ],
        batch_size=_CHUNK,
    )

    def version(goal: Goal, entry: GoalEntry, number: int) -> GoalVersion:
        return GoalVersion(
            goal=goal,
            number=number,
            value=entry.value,
            basis=entry.basis or basis,
            basis_detail=entry.basis_detail or basis_detail,
            reason=reason if number > 1 else "",
            justification=justification,
            fairness_flags=flags.get((entry.employee_id, kpis[entry.kpi_id].code, entry.month), []),
            suggestion=entry.suggestion or {},
            created_by=user,
            created_at=now,
            plan=plan,
        )

    first_versions = [version(goal, entry, 1) for goal, entry in zip(new_goals, new_entries, strict=True)]
    next_versions = [version(goal, entry, goal.version_count + 1) for goal, entry in changes]
    GoalVersion.objects.bulk_create(first_versions + next_versions, batch_size=_CHUNK)
    for goal, first_version in zip(new_goals, first_versions, strict=True):
        goal.current_version = first_version
        goal.version_count = 1
    Goal.objects.bulk_update(new_goals, ["current_version", "version_count"], batch_size=_CHUNK)
    if changes:
        goal_transition(
            goals=[goal for goal, _ in changes],
            action=GoalAction.REVISE,
            actor=actor,
            comment=reason,
            channel=channel,
            new_versions={goal.pk: v for (goal, _), v in zip(changes, next_versions, strict=True)},
        )
        # A goal the person had seen and now must confirm again is news to them, as a published one is.
        waiting = Goal.objects.filter(
            pk__in=[goal.pk for goal, _ in changes], status=GoalStatus.PUBLISHED
        ).select_related("kpi")
        _notify_to_confirm(list(waiting), "goal.revised")
    created_by_employee: dict[int, list[Goal]] = defaultdict(list)
    for goal in new_goals:
        created_by_employee[goal.employee_id].append(goal)
    for employee_id, goals in created_by_employee.items():
        audit_change(
            actor=actor,
            action="goal.create",
            target=goals[0],
            subject_employee_id=employee_id,
            details={
                "basis": basis,
                "channel": channel,
                "goals": [
                    {"goal": g.pk, "kpi": g.kpi_id, "month": str(g.month), "value": str(g.value)}
                    for g in goals
                ],
            },
        )
    result.created = len(new_goals)
    result.revised = len(changes)
    result.goals += new_goals + [goal for goal, _ in changes]
    return result


def goal_set(
    *,
    actor: Any,
    employee: Employee,
    month: Month,
    kpi: Kpi,
    value: Decimal,
    basis: str = Basis.MANUAL,
    basis_detail: str = "",
    reason: str = "",
    justification: str = "",
    suggestion: dict[str, object] | None = None,
    expected_version: int | None = None,
    channel: str = Channel.WEB,
) -> Goal:
    """Set one person's target for a month: a new draft, or a new version of the goal they have."""
    _require_manageable(actor, employee)
    existing = (
        Goal.objects.filter(employee=employee, month=month, kpi=kpi).values_list("pk", flat=True).first()
    )
    result = goals_set_bulk(
        actor=actor,
        entries=[
            GoalEntry(
                employee_id=employee.pk,
                month=month,
                kpi_id=kpi.pk,
                value=target_value(value),
                suggestion=suggestion,
            )
        ],
        basis=basis,
        basis_detail=basis_detail,
        reason=reason,
        justification=justification,
        channel=channel,
        expected_versions={existing: expected_version} if existing and expected_version is not None else None,
    )
    return result.goals[0]


def goal_revise(
    *,
    actor: Any,
    goal: Goal,
    value: Decimal,
    reason: str,
    justification: str = "",
    expected_version: int | None = None,
    basis: str = Basis.MANUAL,
    basis_detail: str = "",
    channel: str = Channel.WEB,
) -> Goal:
    """A new version of a goal; once the person has seen it, it needs their confirmation again."""
    _require_manageable(actor, goal.employee)
    value = target_value(value)
    if value == goal.value:
        raise GoalError(_("The goal already has this value."), code="goal_unchanged", goal=goal.pk)
    return goal_set(
        actor=actor,
        employee=goal.employee,
        month=goal.month,
        kpi=goal.kpi,
        value=value,
        basis=basis,
        basis_detail=basis_detail,
        reason=reason,
        justification=justification,
        expected_version=expected_version,
        channel=channel,
    )


@transaction.atomic
def goals_publish(*, actor: Any, goals: Sequence[Goal], channel: str = Channel.WEB) -> list[Goal]:
    """Show draft goals to their people, who are told in-app and by e-mail and asked to confirm."""
    if not goals:
        return []
    employees = {g.employee_id for g in goals}
    allowed = set(
        _in_chunks(
            employees,
            lambda ids: manageable_people_for(viewer=actor).filter(pk__in=ids).values_list("pk", flat=True),
        )
    )
    refused = [g for g in goals if g.employee_id not in allowed]
    if refused:
        _require_manageable(actor, refused[0].employee)
    locked = _in_chunks(
        [g.pk for g in goals],
        lambda ids: (
            Goal.objects.select_for_update(of=("self",))
            .select_related("kpi", "current_version")
            .filter(pk__in=ids)
        ),
    )
    goal_transition(goals=locked, action=GoalAction.PUBLISH, actor=actor, channel=channel)
    _notify_to_confirm(locked, "goal.published")
    return locked


def goals_publish_matching(
    *, actor: Any, team: OrgUnit, month: Month, kpi: Kpi | None = None, channel: str = Channel.WEB
) -> list[Goal]:
    """Publish every draft of a team (and its sub-teams) for a month: selected by filter, not by ids."""
    drafts = Goal.objects.filter(
        employee__in=manageable_people_for(viewer=actor).filter(org_unit__path__startswith=team.path),
        month=month,
        status=GoalStatus.DRAFT,
    )
    if kpi is not None:
        drafts = drafts.filter(kpi=kpi)
    return goals_publish(actor=actor, goals=list(drafts.select_related("employee")), channel=channel)


def _require_own(actor: Any, goal: Goal) -> None:
    if can_respond_to_goal(actor, goal):
        return
    if can_view_goals_of(actor, goal.employee):
        raise PermissionDenied(_("Only the person a goal belongs to confirms or disputes it."))
    raise NotFound(_("No such goal in your scope."))


@transaction.atomic
def goal_confirm(
    *, actor: Any, goal: Goal, version: int, comment: str = "", channel: str = Channel.WEB
) -> Goal:
    """The person accepts the version they read; a version that has changed since is refused."""
    _require_own(actor, goal)
    goal = _locked(goal)
    _require_current_version(goal, version)
    goal_transition(
        goals=[goal], action=GoalAction.CONFIRM, actor=actor, comment=comment.strip(), channel=channel
    )
    return goal


@transaction.atomic
def goals_confirm_bulk(
    *, actor: Any, versions: Mapping[int, int], comment: str = "", channel: str = Channel.WEB
) -> list[Goal]:
    """Confirm several of one's own goals at once, each at the version the person read."""
    if not getattr(actor, "is_authenticated", False):
        raise NotFound(_("No such goal in your scope."))
    goals = list(
        Goal.objects.select_for_update(of=("self",))
        .select_related("employee", "kpi", "current_version")
        .filter(pk__in=list(versions), employee__user_id=actor.pk)
    )
    if len(goals) != len(versions):
        raise NotFound(_("No such goal in your scope."))
    for goal in goals:
        _require_current_version(goal, versions[goal.pk])
    goal_transition(
        goals=goals, action=GoalAction.CONFIRM, actor=actor, comment=comment.strip(), channel=channel
    )
    return goals


@transaction.atomic
def goal_dispute(*, actor: Any, goal: Goal, version: int, comment: str, channel: str = Channel.WEB) -> Goal:
    """The person objects to the version they read, saying why; their manager is told."""
    _require_own(actor, goal)
    if not comment.strip():
        raise GoalError(_("Say why you dispute this goal."), code="comment_required")
    goal = _locked(goal)
    _require_current_version(goal, version)
    goal_transition(
        goals=[goal], action=GoalAction.DISPUTE, actor=actor, comment=comment.strip(), channel=channel
    )
    employee = goal.employee
    for recipient in _dispute_recipients(goal):

        def build(goal: Goal = goal) -> tuple[str, str, str]:
            return (
                _("%(name)s disputes a goal") % {"name": employee.name},
                _goal_lines([goal]) + "\n" + _("Comment: %(comment)s") % {"comment": comment.strip()},
                reverse("goals:goal", kwargs={"goal_id": goal.pk}),
            )

        _notify(recipient, "goal.disputed", build)
    return goal


@transaction.atomic
def goal_answer(
    *,
    actor: Any,
    goal: Goal,
    comment: str,
    value: Decimal | None = None,
    justification: str = "",
    channel: str = Channel.WEB,
) -> Goal:
    """The manager answers a dispute with a new version — the same value explained, or an adjusted one.

    The person must confirm the new version; the fairness guard looks at an answer that raises the
    target like at any other change.
    """
    _require_manageable(actor, goal.employee)
    if not comment.strip():
        raise GoalError(_("Answer the person's comment."), code="comment_required")
    goal = _locked(goal)
    _require_move(goal, GoalAction.ANSWER)
    new_value = goal.value if value is None else target_value(value)
    employee = Employee.objects.select_related("position", "user").get(pk=goal.employee_id)
    warnings = _fairness_warnings(
        [_Proposal(employee=employee, kpi=goal.kpi, month=goal.month, value=new_value, previous=goal.value)]
    )
    _require_justification(warnings, justification)
    version = GoalVersion.objects.create(
        goal=goal,
        number=goal.version_count + 1,
        value=new_value,
        basis=Basis.ANSWER,
        basis_detail=comment.strip(),
        reason=comment.strip(),
        justification=justification,
        fairness_flags=[w.as_dict() for w in warnings],
        created_by=_user(actor),
        created_at=timezone.now(),
    )
    goal_transition(
        goals=[goal],
        action=GoalAction.ANSWER,
        actor=actor,
        comment=comment.strip(),
        channel=channel,
        new_versions={goal.pk: version},
    )

    def build() -> tuple[str, str, str]:
        return (
            _("Your manager answered your dispute"),
            _goal_lines([goal]) + "\n" + _("Answer: %(comment)s") % {"comment": comment.strip()},
            reverse("goals:mine") + f"?month={goal.month}",
        )

    _notify(employee.user, "goal.answered", build)
    return goal


# ---------------------------------------------------------------- templates


def _template_lines(lines: Mapping[str, object]) -> dict[Kpi, Decimal]:
    if not lines:
        raise GoalError(_("A template needs at least one KPI."), code="template_empty")
    kpis = {k.code: k for k in Kpi.objects.filter(code__in=list(lines))}
    unknown = sorted(set(lines) - kpis.keys())
    if unknown:
        raise GoalError(_("Unknown KPI."), code="unknown_kpi", kpis=unknown)
    return {kpis[code]: target_value(value) for code, value in lines.items()}


@transaction.atomic
def template_create(
    *, actor: Any, name: str, lines: Mapping[str, object], description: str = ""
) -> GoalTemplate:
    """A goal set (KPI → monthly target) to give to many people at once."""
    if not can_manage_templates(actor):
        raise PermissionDenied(_("Only people who set goals make goal templates."))
    if not name.strip():
        raise GoalError(_("A template needs a name."), code="name_required")
    values = _template_lines(lines)
    template = GoalTemplate.objects.create(
        name=name.strip(), description=description, created_by=_user(actor)
    )
    GoalTemplateLine.objects.bulk_create(
        [GoalTemplateLine(template=template, kpi=kpi, value=value) for kpi, value in values.items()]
    )
    audit_change(
        actor=actor,
        action="goal_template.create",
        target=template,
        details={"name": template.name, "lines": {k.code: str(v) for k, v in values.items()}},
    )
    return template


@transaction.atomic
def template_update(
    *,
    actor: Any,
    template: GoalTemplate,
    name: str,
    lines: Mapping[str, object],
    description: str = "",
    is_active: bool = True,
) -> GoalTemplate:
    """Change a template; goals already given from it keep their versions."""
    if not can_manage_templates(actor):
        raise PermissionDenied(_("Only people who set goals change goal templates."))
    if not name.strip():
        raise GoalError(_("A template needs a name."), code="name_required")
    values = _template_lines(lines)
    before = {line.kpi.code: str(line.value) for line in template.lines.select_related("kpi")}
    template.name, template.description, template.is_active = name.strip(), description, is_active
    template.save()
    template.lines.all().delete()
    GoalTemplateLine.objects.bulk_create(
        [GoalTemplateLine(template=template, kpi=kpi, value=value) for kpi, value in values.items()]
    )
    audit_change(
        actor=actor,
        action="goal_template.update",
        target=template,
        details={"before": before, "after": {k.code: str(v) for k, v in values.items()}, "active": is_active},
    )
    return template


def _template_peer_warnings(
    *, cells: Sequence[TemplateCell], kpis: Mapping[int, Kpi], people: QuerySet[Employee]
) -> list[FairnessWarning]:
    """The template's value against same-position peers outside the selection (a fixed number of queries)."""
    selected_per_position = dict(
        people.order_by().values("position_id").annotate(n=Count("pk")).values_list("position_id", "n")
    )
    selected_ids = set(people.values_list("pk", flat=True))
    pool = peer_targets(
        position_ids=selected_per_position,
        kpi_ids=kpis,
        first=min(c.month for c in cells),
        last=max(c.month for c in cells),
    )
    warnings = []
    for position_id, selected in selected_per_position.items():
        for cell in cells:
            others = [
                v for e, v in pool[(position_id, cell.kpi_id, cell.month)].items() if e not in selected_ids
            ]
            kpi = kpis[cell.kpi_id]
            warning = check_against_peers(
                quantum=cascade.quantum_for_unit(kpi.unit),
                kpi=kpi.code,
                kpi_name_en=kpi.name_en,
                kpi_name_zh=kpi.name_zh,
                month=cell.month,
                value=cell.value,
                # Everyone selected gets the template value: one of them is compared with all the others.
                peer_values=others + [cell.value] * (selected - 1),
                unit=kpi.unit,
                direction=kpi.direction,
            )
            if warning is not None:
                warnings.append(warning)
    return warnings


def template_people_count(*, actor: Any, people: PeopleFilter) -> int:
    """How many people a template assignment with this filter would reach (for the preview)."""
    return people_matching_for(viewer=actor, people=people).count()


@transaction.atomic
def template_assign(
    *,
    actor: Any,
    template: GoalTemplate,
    first: Month,
    last: Month,
    people: PeopleFilter,
    justification: str = "",
    channel: str = Channel.WEB,
) -> TemplateAssignment:
    """Give a template to everyone matching a filter for a range of months, as draft goals.

    A fixed number of queries whether the filter matches ten people or ten thousand (set-based SQL in
    `bulk_assignment`). Goals already published or agreed are skipped and counted.
    """
    if not can_manage_templates(actor):
        raise PermissionDenied(_("Only people who set goals give goal templates."))
    if not template.is_active:
        raise GoalError(_("This template is archived."), code="template_inactive")
    if last < first:
        raise GoalError(_("The last month comes before the first."), code="invalid_month_range")
    if last.months_since(first) >= MAX_ASSIGNMENT_MONTHS:
        raise GoalError(
            _("Give a template for at most %(months)s months at a time.") % {"months": MAX_ASSIGNMENT_MONTHS},
            code="invalid_month_range",
        )
    lines = list(template.lines.select_related("kpi"))
    if not lines:
        raise GoalError(_("The template has no KPI."), code="template_empty")
    matching = people_matching_for(viewer=actor, people=people)
    count = matching.count()
    if count == 0:
        raise GoalError(_("No one in your scope matches this filter."), code="no_people_matched")
    months = list(month_range(first, last))
    cells = [
        TemplateCell(kpi_id=line.kpi_id, month=month, value=line.value) for line in lines for month in months
    ]
    kpis = {line.kpi_id: line.kpi for line in lines}
    warnings = _template_peer_warnings(cells=cells, kpis=kpis, people=matching)
    _require_justification(warnings, justification)
    assignment = TemplateAssignment.objects.create(
        template=template,
        assigned_by=_user(actor),
        first_month=first,
        last_month=last,
        org_unit=people.org_unit,
        position=people.position,
        grade=people.grade,
        people=count,
        justification=justification,
        fairness_flags=[w.as_dict() for w in warnings],
    )
    now = timezone.now()
    counts = assign_cells(
        assignment=assignment,
        cells=cells,
        people=matching,
        actor_id=getattr(actor, "pk", None),
        basis_detail=f"{template.name} (#{template.pk})",
        justification=justification,
        now=now,
    )
    assignment.goals_created = counts.goals_created
    assignment.versions_created = counts.versions_created
    assignment.skipped_agreed = (
        Goal.objects.filter(
            employee__in=matching,
            kpi_id__in=kpis,
            month__gte=first,
            month__lte=last,
        )
        .exclude(status=GoalStatus.DRAFT)
        .count()
    )
    assignment.save(update_fields=["goals_created", "versions_created", "skipped_agreed"])
    audit_change(
        actor=actor,
        action="goal_template.assign",
        target=assignment,
        details={
            "template": template.pk,
            "months": [str(first), str(last)],
            "filter": people.as_dict(),
            "people": count,
            "goals_created": counts.goals_created,
            "versions_created": counts.versions_created,
            "skipped_agreed": assignment.skipped_agreed,
            "channel": channel,
        },
    )
    return assignment


# ---------------------------------------------------------------- plans


def _seasonality(weights: Sequence[object] | None) -> list[Decimal]:
    if not weights:
        return cascade.flat_seasonality()
    try:
        values = [to_decimal(w) for w in weights]
    except MoneyError as exc:
        raise GoalError(_("Seasonality weights must be numbers."), code="invalid_seasonality") from exc
    if len(values) != cascade.MONTHS_IN_YEAR or any(v < 0 for v in values) or sum(values) <= 0:
        raise GoalError(
            _("Seasonality needs twelve weights, none negative, not all zero."), code="invalid_seasonality"
        )
    return values


def _plan_amount(plan_or_kpi: TargetPlan | Kpi, raw: object) -> Decimal:
    kpi = plan_or_kpi.kpi if isinstance(plan_or_kpi, TargetPlan) else plan_or_kpi
    amount = target_value(raw)
    quantum = cascade.quantum_for_unit(kpi.unit)
    if amount % quantum:
        raise GoalError(
            _("Amounts of this KPI are whole multiples of %(quantum)s.") % {"quantum": quantum},
            code="invalid_target",
            value=str(amount),
        )
    return amount


def _require_draft_plan(actor: Any, plan: TargetPlan) -> None:
    if not can_manage_plan(actor, plan):
        raise NotFound(_("No such plan in your scope."))
    if plan.status != TargetPlan.Status.DRAFT:
        raise GoalConflictError(_("The plan was applied to goals and is frozen."), code="plan_applied")


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    year: int,
    kpi: Kpi,
    root_unit: OrgUnit,
    target: object,
    seasonality: Sequence[object] | None = None,
    max_overallocation: Decimal = Decimal("0.10"),
    name: str = "",
) -> TargetPlan:
    """A year's plan for one KPI, starting from the top unit's annual target."""
    if not can_plan_for_unit(actor, root_unit):
        raise NotFound(_("No such unit in your scope."))
    if kpi.aggregation != Aggregation.SUM:
        raise GoalError(
            _(
                "Only KPIs that add up over people and months (sums) can be cascaded; "
                "give rates and scores with a template."
            ),
            code="plan_kpi_not_additive",
            kpi=kpi.code,
        )
    if not 2000 <= year <= 2100:
        raise GoalError(_("Not a plan year."), code="invalid_year", year=year)
    if max_overallocation < 0 or max_overallocation > 1:
        raise GoalError(_("The allowance is between 0 and 1 (100%)."), code="invalid_allowance")
    if TargetPlan.objects.filter(year=year, kpi=kpi, root_unit=root_unit).exists():
        raise GoalConflictError(_("This unit already has a plan for this KPI and year."), code="plan_exists")
    amount = _plan_amount(kpi, target)
    weights = _seasonality(seasonality)
    plan = TargetPlan.objects.create(
        year=year,
        kpi=kpi,
        root_unit=root_unit,
        name=name.strip() or f"{year} {kpi.name_zh}",
        seasonality=[str(w) for w in weights],
        max_overallocation=max_overallocation,
        created_by=_user(actor),
    )
    PlanNode.objects.create(plan=plan, org_unit=root_unit, amount=amount, updated_by=_user(actor))
    audit_change(
        actor=actor,
        action="plan.create",
        target=plan,
        details={"year": year, "kpi": kpi.code, "unit": root_unit.pk, "target": str(amount)},
    )
    return plan


def _split_node(plan: TargetPlan, node: PlanNode, actor: Any, *, recursive: bool) -> int:
    """Replace a unit node's children: its sub-units and its people, weighted by person-months employed.

    Someone employed for half the year carries half a share, so their monthly target matches their
    peers' (a full share over six months would be a doubled quota).
    """
    assert node.org_unit is not None  # noqa: S101 - only unit nodes are split
    node.children.all().delete()
    units, people = plan_candidates(unit=node.org_unit, year=plan.year)
    heads = headcount_by_unit(units=units, year=plan.year)
    units = [u for u in units if heads[u.pk] > 0]
    months = [Month(plan.year, m) for m in range(1, 13)]
    weights = [heads[u.pk] for u in units] + [
        Decimal(sum(1 for m in months if is_employed_in(person, m))) for person in people
    ]
    if not any(weights):
        return 0
    shares = cascade.allocate(node.amount, weights, quantum=cascade.quantum_for_unit(plan.kpi.unit))
    user = _user(actor)
    children = [
        PlanNode(plan=plan, parent=node, org_unit=unit, amount=share, updated_by=user)
        for unit, share in zip(units, shares, strict=False)
    ] + [
        PlanNode(plan=plan, parent=node, employee=person, amount=share, updated_by=user)
        for person, share in zip(people, shares[len(units) :], strict=True)
    ]
    PlanNode.objects.bulk_create(children)
    written = len(children)
    if recursive:
        for child in PlanNode.objects.filter(parent=node, org_unit__isnull=False).select_related("org_unit"):
            written += _split_node(plan, child, actor, recursive=True)
    return written


@transaction.atomic
def plan_split(*, actor: Any, plan: TargetPlan, node: PlanNode, recursive: bool = True) -> int:
    """Split a unit's target to its sub-units by headcount and its people equally; exact to the fen."""
    _require_draft_plan(actor, plan)
    if node.plan_id != plan.pk or node.org_unit_id is None:
        raise NotFound(_("No such unit in this plan."))
    written = _split_node(plan, node, actor, recursive=recursive)
    audit_change(
        actor=actor,
        action="plan.split",
        target=plan,
        details={"node": node.pk, "recursive": recursive, "nodes_written": written},
    )
    return written


@transaction.atomic
def plan_node_set(*, actor: Any, plan: TargetPlan, node: PlanNode, amount: object) -> PlanNode:
    """Change one unit's or person's annual target; the plan shows any gap it opens."""
    _require_draft_plan(actor, plan)
    if node.plan_id != plan.pk:
        raise NotFound(_("No such node in this plan."))
    value = _plan_amount(plan, amount)
    before = node.amount
    node.amount, node.updated_by = value, _user(actor)
    node.save(update_fields=["amount", "updated_by", "updated_at"])
    audit_change(
        actor=actor,
        action="plan.node_set",
        target=plan,
        subject_employee_id=node.employee_id,
        details={"node": node.pk, "before": str(before), "after": str(value)},
    )
    return node


@transaction.atomic
def plan_apply(
    *, actor: Any, plan: TargetPlan, justification: str = "", channel: str = Channel.WEB
) -> SetResult:
    """Turn each person's annual target into twelve monthly draft goals, once every split adds up.

    Refused, with the offending units, while any children fall short of their parent
    (``plan_children_short``), exceed the allowance (``plan_children_exceed``) or a unit's target is
    not yet split to people (``plan_unit_not_split``).
    """
    _require_draft_plan(actor, plan)
    report = plan_report(plan)
    for status, code, message in (
        (cascade.SplitStatus.SHORT, "plan_children_short", _("The parts add up to less than the whole.")),
        (
            cascade.SplitStatus.OVER,
            "plan_children_exceed",
            _("The parts exceed the whole by more than the allowance."),
        ),
    ):
        bad = [n for n in report.nodes if n.check.status == status]
        if bad:
            raise PlanSplitError(
                message,
                code=code,
                nodes=[
                    {
                        "node": n.node.pk,
                        "name": n.label,
                        "target": str(n.check.parent),
                        "children_total": str(n.check.children_total),
                        "gap": str(n.check.gap),
                        "surplus": str(n.check.surplus),
                    }
                    for n in bad
                ],
            )
    unsplit = [n for n in report.problems if n.check.status == cascade.SplitStatus.UNSPLIT]
    if unsplit:
        raise PlanSplitError(
            _("Some units' targets are not split to people yet."),
            code="plan_unit_not_split",
            nodes=[{"node": n.node.pk, "name": n.label, "target": str(n.check.parent)} for n in unsplit],
        )
    quantum = cascade.quantum_for_unit(plan.kpi.unit)
    seasonality = _seasonality(plan.seasonality)
    months = [Month(plan.year, m) for m in range(1, 13)]
    entries: list[GoalEntry] = []
    leaves = [n for n in report.nodes if n.is_person]
    people = {e.pk: e for e in Employee.objects.filter(pk__in=[n.node.employee_id for n in leaves])}
    for leaf in leaves:
        employee = people[leaf.node.employee_id]  # type: ignore[index]
        employed = [is_employed_in(employee, m) for m in months]
        # A person employed for part of the year gets the year's target over their months only.
        weights = [w if on else Decimal(0) for w, on in zip(seasonality, employed, strict=True)]
        if not any(weights):
            continue
        shares = cascade.allocate(leaf.node.amount, weights, quantum=quantum)
        entries += [
            GoalEntry(employee_id=employee.pk, month=m, kpi_id=plan.kpi_id, value=share)
            for m, share, on in zip(months, shares, employed, strict=True)
            if on
        ]
    result = goals_set_bulk(
        actor=actor,
        entries=entries,
        basis=Basis.PLAN,
        basis_detail=f"{plan.name} (#{plan.pk})",
        reason=_("Annual plan %(name)s") % {"name": plan.name},
        justification=justification,
        channel=channel,
        plan=plan,
    )
    plan.status, plan.applied_at, plan.applied_by = TargetPlan.Status.APPLIED, timezone.now(), _user(actor)
    plan.save(update_fields=["status", "applied_at", "applied_by", "updated_at"])
    audit_change(
        actor=actor, action="plan.apply", target=plan, details=result.as_dict() | {"channel": channel}
    )
    return result


# ---------------------------------------------------------------- suggestions


def suggestions_accept(
    *,
    actor: Any,
    team: OrgUnit,
    month: Month,
    kpi: Kpi,
    employee_ids: Iterable[int] | None = None,
    justification: str = "",
    channel: str = Channel.WEB,
) -> SetResult:
    """Take the suggestions as draft goals for people without a goal yet or with a draft one."""
    people = manageable_people_for(viewer=actor).filter(org_unit__path__startswith=team.path)
    if employee_ids is not None:
        people = people.filter(pk__in=list(employee_ids))
    people = people.filter(hire_date__lte=month.last_day).filter(
        Q(termination_date__isnull=True) | Q(termination_date__gte=month.first_day)
    )
    shown = set(
        Goal.objects.filter(employee__in=people, month=month, kpi=kpi)
        .exclude(status=GoalStatus.DRAFT)
        .values_list("employee_id", flat=True)
    )
    candidates = [p for p in people.select_related("org_unit") if p.pk not in shown]
    suggestions = suggestions_for(employees=candidates, kpi=kpi, month=month)
    entries = [
        GoalEntry(
            employee_id=p.pk,
            month=month,
            kpi_id=kpi.pk,
            value=suggestions[p.pk].value,
            basis_detail=suggestions[p.pk].reason(translation.get_language()),
            suggestion=suggestions[p.pk].as_dict(),
        )
        for p in candidates
    ]
    return goals_set_bulk(
        actor=actor,
        entries=entries,
        basis=Basis.SUGGESTION,
        justification=justification,
        channel=channel,
    )


# ---------------------------------------------------------------- files


@dataclass
class ImportResult:
    rows: int
    created: int
    revised: int
    unchanged: int
    published: int
    sha256: str

    def as_dict(self) -> dict[str, object]:
        return self.__dict__.copy()


def _kpi_lookup() -> dict[str, Kpi]:
    lookup: dict[str, Kpi] = {}
    for kpi in Kpi.objects.all():
        for key in (kpi.code, kpi.name_zh, kpi.name_en):
            lookup[key.strip().lower()] = kpi
    return lookup


@transaction.atomic
def goals_import(
    *,
    actor: Any,
    content: bytes,
    filename: str,
    publish: bool = False,
    reason: str = "",
    justification: str = "",
    channel: str = Channel.CLI,
) -> ImportResult:
    """Goals from a CSV or XLSX file (employee number, month, KPI, target): every row valid, or nothing.

    Bad rows are reported all at once with row, column, value and why (``import_invalid``).
    """
    try:
        rows = goal_files.read_goal_rows(content, filename)
    except GoalImportError as exc:
        # The file reader knows no Django: its message is an English template, translated here.
        raise GoalImportError(_(exc.message) % exc.details, code=exc.code, **exc.details) from exc
    kpis = _kpi_lookup()
    numbers = sorted({row.employee_number for row in rows if row.employee_number})
    manageable = manageable_people_for(viewer=actor)
    people = {
        e.employee_number: e
        for e in _in_chunks_text(numbers, lambda chunk: manageable.filter(employee_number__in=chunk))
    }
    errors: list[dict[str, object]] = []
    entries: list[GoalEntry] = []
    seen: dict[tuple[int, Month, int], int] = {}

    def error(row: goal_files.GoalRow, column: str, value: str, code: str, message: str) -> None:
        errors.append({"row": row.number, "column": column, "value": value, "code": code, "message": message})

    for row in rows:
        employee = people.get(row.employee_number)
        if employee is None:
            error(
                row,
                "employee",
                row.employee_number,
                "unknown_employee",
                _("unknown employee number, or not in your scope"),
            )
        try:
            month = goal_files.parse_month(row.month)
        except MonthError:
            error(row, "month", row.month, "invalid_month", _("not a month (YYYY-MM)"))
            month = None
        kpi = kpis.get(row.kpi.strip().lower())
        if kpi is None:
            error(row, "kpi", row.kpi, "unknown_kpi", _("unknown KPI"))
        try:
            value = target_value(row.value)
        except GoalError as exc:
            error(row, "target", row.value, exc.code, str(exc.message))
            value = None
        if employee is None or month is None or kpi is None or value is None:
            continue
        if not is_employed_in(employee, month):
            error(
                row,
                "month",
                row.month,
                "month_outside_employment",
                _("the person is not employed in that month"),
            )
            continue
        key = (employee.pk, month, kpi.pk)
        if key in seen:
            error(
                row,
                "kpi",
                row.kpi,
                "duplicate_goal",
                _("the same goal is already on row %(row)s") % {"row": seen[key]},
            )
            continue
        seen[key] = row.number
        entries.append(
            GoalEntry(
                employee_id=employee.pk,
                month=month,
                kpi_id=kpi.pk,
                value=value,
                basis_detail=f"{filename}, row {row.number}" + (f": {row.note}" if row.note else ""),
            )
        )
    if errors:
        raise GoalImportError(
            _("%(count)s rows of the file are not valid; nothing was imported.")
            % {"count": len({e["row"] for e in errors})},
            errors=errors,
        )
    digest = hashlib.sha256(content).hexdigest()
    result = goals_set_bulk(
        actor=actor,
        entries=entries,
        basis=Basis.IMPORT,
        basis_detail=filename,
        reason=reason,
        justification=justification,
        channel=channel,
    )
    published: list[Goal] = []
    if publish:
        drafts = [g for g in result.goals if g.status == GoalStatus.DRAFT]
        published = goals_publish(actor=actor, goals=drafts, channel=channel)
    audit_change(
        actor=actor,
        action="goal.import",
        details={
            "file": filename,
            "sha256": digest,
            "rows": len(rows),
            **result.as_dict(),
            "published": len(published),
        },
    )
    return ImportResult(
        rows=len(rows),
        created=result.created,
        revised=result.revised,
        unchanged=result.unchanged,
        published=len(published),
        sha256=digest,
    )


def _in_chunks_text(values: Sequence[str], query: Callable[[Sequence[str]], Iterable[T]]) -> list[T]:
    return [row for chunk in chunked(values, _CHUNK) for row in query(chunk)]


def goals_export(
    *, actor: Any, first: Month, last: Month, team: OrgUnit | None = None, file_format: str = "xlsx"
) -> bytes:
    """The goals the actor may see as an XLSX or CSV file, safe to open in a spreadsheet."""
    if file_format not in ("xlsx", "csv"):
        raise GoalError(_("Export as xlsx or csv."), code="invalid_format")
    goals = list(goals_export_for(viewer=actor, first=first, last=last, team=team))
    english = (translation.get_language() or "").startswith("en")
    header = EXPORT_HEADER_EN if english else EXPORT_HEADER_ZH

    def when(moment: dt.datetime | None) -> str | None:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else None

    rows: list[list[goal_files.Cell]] = []
    for goal in goals:
        version = goal.current_version
        setter = version.created_by if version else None
        rows.append(
            [
                goal.employee.employee_number,
                goal.employee.name,
                goal.employee.org_unit.name_en
                if english and goal.employee.org_unit.name_en
                else goal.employee.org_unit.name,
                str(goal.month),
                goal.kpi.code,
                goal.kpi.name_en if english else goal.kpi.name_zh,
                goal.value,
                str(GoalStatus(goal.status).label),
                goal.version_count,
                str(Basis(version.basis).label) if version else None,
                (setter.get_full_name() or setter.username) if setter else None,
                when(version.created_at) if version else None,
                when(goal.confirmed_at),
            ]
        )
    content = goal_files.write_table(header, rows, file_format=file_format)
    audit_views_bulk(
        actor=actor,
        action="goal.export",
        subject_employee_ids=sorted({g.employee_id for g in goals}),
        details={
            "first": str(first),
            "last": str(last),
            "team": team.pk if team else None,
            "rows": len(goals),
        },
    )
    return content


# ---------------------------------------------------------------- recorded agreements (demo, migrations)


@dataclass(frozen=True)
class RecordedDispute:
    """A dispute that happened: the person's comment and the manager's answer (same or adjusted value)."""

    disputed_at: dt.datetime
    comment: str
    answered_at: dt.datetime
    answer: str
    answered_by_id: int | None = None
    adjusted_value: Decimal | None = None


@dataclass(frozen=True)
class AgreedGoal:
    """A goal agreed in the past: published by a manager, perhaps disputed and answered, then confirmed."""

    employee_id: int
    month: Month
    kpi_code: str
    value: Decimal
    set_by_id: int | None
    published_at: dt.datetime
    confirmed_at: dt.datetime
    basis: str = Basis.MANUAL
    basis_detail: str = ""
    confirm_comment: str = ""
    dispute: RecordedDispute | None = None


@dataclass(frozen=True)
class RecordedGoals:
    goals: int
    versions: int
    events: int
    disputes: int


@transaction.atomic
def goals_record_agreed_bulk(*, actor: Any, records: Sequence[AgreedGoal]) -> RecordedGoals:
    """Write agreements that already happened (the demo company, a migration from another system).

    For trusted callers only — it checks no scope, because no one signed in is acting. Each record
    becomes a confirmed goal with its full history (publish → [dispute → answer] → confirm) at the
    given times, and its final value becomes the effective target. Refused if any of the goals
    exists already; all or nothing.
    """
    if not records:
        return RecordedGoals(0, 0, 0, 0)
    kpis = {k.code: k for k in Kpi.objects.all()}
    unknown_kpis = sorted({r.kpi_code for r in records} - kpis.keys())
    if unknown_kpis:
        raise GoalError(_("Unknown KPI."), code="unknown_kpi", kpis=unknown_kpis)
    employees = {
        e.pk: e
        for e in _in_chunks({r.employee_id for r in records}, lambda ids: Employee.objects.filter(pk__in=ids))
    }
    missing = sorted({r.employee_id for r in records} - employees.keys())
    if missing:
        raise GoalError(_("Unknown people."), code="unknown_employee", employees=missing[:50])
    keys = set()
    for record in records:
        key = (record.employee_id, record.month, record.kpi_code)
        if key in keys:
            raise GoalError(_("The same goal is recorded twice."), code="duplicate_goal", goal=str(key))
        keys.add(key)
        target_value(record.value)
        if record.dispute and record.dispute.adjusted_value is not None:
            target_value(record.dispute.adjusted_value)
        times = [record.published_at]
        if record.dispute:
            times += [record.dispute.disputed_at, record.dispute.answered_at]
        times.append(record.confirmed_at)
        if times != sorted(times):
            raise GoalError(
                _("Published, disputed, answered and confirmed must follow each other in time."),
                code="invalid_timeline",
                employee=record.employee_id,
                month=str(record.month),
            )
    existing = set(
        _in_chunks(
            employees,
            lambda ids: Goal.objects.filter(employee_id__in=ids).values_list(
                "employee_id", "month", "kpi__code"
            ),
        )
    )
    clash = existing & keys
    if clash:
        raise GoalConflictError(
            _("Some of these goals exist already."),
            code="goal_exists",
            goals=[{"employee": e, "month": str(m), "kpi": k} for e, m, k in sorted(clash, key=str)[:20]],
        )

    goals = Goal.objects.bulk_create(
        [
            Goal(
                employee_id=r.employee_id,
                month=r.month,
                kpi_id=kpis[r.kpi_code].pk,
                status=GoalStatus.CONFIRMED,
                value=_final_value(r),
                version_count=2 if r.dispute else 1,
                published_at=r.dispute.answered_at if r.dispute else r.published_at,
                confirmed_at=r.confirmed_at,
                created_at=r.published_at,
                updated_at=r.confirmed_at,
            )
            for r in records
        ],
        batch_size=_CHUNK,
    )
    versions: list[GoalVersion] = []
    finals: list[GoalVersion] = []
    for goal, r in zip(goals, records, strict=True):
        first = GoalVersion(
            goal=goal,
            number=1,
            value=r.value,
            basis=r.basis,
            basis_detail=r.basis_detail,
            created_by_id=r.set_by_id,
            created_at=r.published_at,
        )
        versions.append(first)
        final = first
        if r.dispute:
            final = GoalVersion(
                goal=goal,
                number=2,
                value=_final_value(r),
                basis=Basis.ANSWER,
                basis_detail=r.dispute.answer,
                reason=r.dispute.answer,
                created_by_id=r.dispute.answered_by_id or r.set_by_id,
                created_at=r.dispute.answered_at,
            )
            versions.append(final)
        finals.append(final)
    GoalVersion.objects.bulk_create(versions, batch_size=_CHUNK)
    for goal, final in zip(goals, finals, strict=True):
        goal.current_version = final
        goal.confirmed_version = final
    # One UPDATE per chunk pointing every goal at its newest version (bulk_update would send a CASE
    # expression per row).
    newest = Subquery(GoalVersion.objects.filter(goal=OuterRef("pk")).order_by("-number").values("pk")[:1])
    for chunk in chunked([g.pk for g in goals], _CHUNK):
        Goal.objects.filter(pk__in=chunk).update(current_version=newest, confirmed_version=newest)

    events: list[GoalEvent] = []
    first_versions = iter([v for v in versions if v.number == 1])
    for goal, r, final in zip(goals, records, finals, strict=True):
        first = next(first_versions)
        owner = employees[r.employee_id].user_id
        events.append(
            GoalEvent(
                goal=goal,
                version=first,
                action=GoalAction.PUBLISH,
                from_status=GoalStatus.DRAFT,
                to_status=GoalStatus.PUBLISHED,
                actor_id=r.set_by_id,
                channel=Channel.WEB,
                occurred_at=r.published_at,
            )
        )
        if r.dispute:
            events += [
                GoalEvent(
                    goal=goal,
                    version=first,
                    action=GoalAction.DISPUTE,
                    from_status=GoalStatus.PUBLISHED,
                    to_status=GoalStatus.DISPUTED,
                    actor_id=owner,
                    comment=r.dispute.comment,
                    channel=Channel.WEB,
                    occurred_at=r.dispute.disputed_at,
                ),
                GoalEvent(
                    goal=goal,
                    version=final,
                    action=GoalAction.ANSWER,
                    from_status=GoalStatus.DISPUTED,
                    to_status=GoalStatus.PUBLISHED,
                    actor_id=r.dispute.answered_by_id or r.set_by_id,
                    comment=r.dispute.answer,
                    channel=Channel.WEB,
                    occurred_at=r.dispute.answered_at,
                ),
            ]
        events.append(
            GoalEvent(
                goal=goal,
                version=final,
                action=GoalAction.CONFIRM,
                from_status=GoalStatus.PUBLISHED,
                to_status=GoalStatus.CONFIRMED,
                actor_id=owner,
                comment=r.confirm_comment,
                channel=Channel.WEB,
                occurred_at=r.confirmed_at,
            )
        )
    GoalEvent.objects.bulk_create(events, batch_size=_CHUNK)
    for goal, final in zip(goals, finals, strict=True):
        goal.current_version = final
    _effective_targets_write(goals)
    disputes = sum(1 for r in records if r.dispute)
    audit_change(
        actor=actor,
        action="goal.record_agreed_bulk",
        details={"goals": len(goals), "versions": len(versions), "events": len(events), "disputes": disputes},
    )
    return RecordedGoals(goals=len(goals), versions=len(versions), events=len(events), disputes=disputes)


def _final_value(record: AgreedGoal) -> Decimal:
    if record.dispute and record.dispute.adjusted_value is not None:
        return record.dispute.adjusted_value
    return record.value
