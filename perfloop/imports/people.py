"""HR master data through the import door: the roster (people, departments, positions, managers, accounts)
and wages.

A roster row lands completely — every mapped column has a place (``ROSTER_FIELDS`` says which) — and the
import is an upsert by employee number: re-importing the same roster changes nothing, a corrected one
changes exactly the corrected fields (each change audited with before and after). New people get a user
account without any password and a one-time invitation link; nobody ever receives a default password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from perfloop.accounts.models import Role, User
from perfloop.audit.models import AuditEvent
from perfloop.audit.services import recorded_actor, recorded_role
from perfloop.core.links import absolute_url
from perfloop.core.months import Month
from perfloop.imports.models import ImportBatch, Invitation
from perfloop.imports.problems import ImportRejected
from perfloop.imports.profiles import ProfileSpec, value_key
from perfloop.imports.readers import ROW, RawTable
from perfloop.imports.validation import CheckContext, check_table, errors_from
from perfloop.metrics.services import kpi_default_weights_apply
from perfloop.org.models import Employee, OrgUnit, Position, WageRecord
from perfloop.org.services import org_unit_create

INVITATION_DAYS = 14
# Roster field -> Employee column (the fields not listed land elsewhere: department → OrgUnit, position and
# grade → Position, manager → Employee.manager, email → Employee and User, role → User, wage → WageRecord).
ROSTER_FIELDS = {
    "employee_number": "employee_number",
    "name": "name",
    "email": "email",
    "hire_date": "hire_date",
    "birth_date": "birth_date",
    "gender": "gender",
    "work_city": "work_city",
    "contract_type": "contract_type",
    "contract_start": "contract_start",
    "contract_end": "contract_end",
    "probation_end": "probation_end",
    "union_member": "is_union_member",
    "status": "status",
    "termination_date": "termination_date",
}
_DEFAULTS: dict[str, Any] = {
    "email": "",
    "gender": Employee.Gender.UNDISCLOSED,
    "work_city": "",
    "contract_type": Employee.ContractType.FIXED,
    "status": Employee.Status.ACTIVE,
    "is_union_member": False,
}
_PATH_SEPARATORS = r"\s*[/／>＞\\|]\s*"
_SALES_WORDS = ("销售", "客户经理", "业务", "商务", "大客户", "sales", "account")


@dataclass(frozen=True)
class InvitationLink:
    """A first-sign-in link, handed to the caller once (e-mailed or distributed by HR); never stored."""

    employee_number: str
    name: str
    email: str
    path: str


@dataclass
class RosterPlan:
    table: RawTable
    spec: ProfileSpec
    errors: pl.DataFrame
    people: pl.DataFrame  # valid rows, typed, with "manager_number"
    rows_total: int
    warnings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RosterResult:
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    units_created: int = 0
    positions_created: int = 0
    accounts_created: int = 0
    managers_linked: int = 0
    wages_written: int = 0
    invitations: list[InvitationLink] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "people_created": self.people_created,
            "people_updated": self.people_updated,
            "people_unchanged": self.people_unchanged,
            "units_created": self.units_created,
            "positions_created": self.positions_created,
            "accounts_created": self.accounts_created,
            "managers_linked": self.managers_linked,
            "wages_written": self.wages_written,
        }


# --- planning -------------------------------------------------------------------------------------


def roster_prepare(*, table: RawTable, mapping: Any, spec: ProfileSpec, context: CheckContext) -> RosterPlan:
    """Validate the roster and resolve every manager (by number, a number in brackets, or a unique name)."""
    checked = check_table(table, spec, mapping, context)
    people = checked.values
    errors = [checked.errors]
    if "manager" in people.columns:
        resolved, manager_errors = _resolve_managers(people, table, mapping)
        people = people.with_columns(manager_number=resolved)
        errors.append(manager_errors)
    else:
        people = people.with_columns(manager_number=pl.lit(None, dtype=pl.String))
    all_errors = pl.concat(errors)
    valid = people.filter(~pl.col(ROW).is_in(all_errors[ROW].unique().implode()))
    _refuse_cycles(valid)
    return RosterPlan(table=table, spec=spec, errors=all_errors, people=valid, rows_total=checked.rows_total)


def _resolve_managers(people: pl.DataFrame, table: RawTable, mapping: Any) -> tuple[pl.Series, pl.DataFrame]:
    directory = list(Employee.objects.values_list("employee_number", "name"))
    numbers: set[str] = set()
    by_name: dict[str, set[str]] = defaultdict(set)
    for number, name in directory:
        numbers.add(str(number).upper())
        by_name[_name(name)].add(str(number).upper())
    for number, name in people.select("employee_number", "name").iter_rows():
        if number:
            numbers.add(number.upper())
            if name:
                by_name[_name(name)].add(number.upper())
    resolved: list[str | None] = []
    bad_rows: list[int] = []
    bad_codes: list[str] = []
    bad_values: list[str] = []
    bad_details: list[str] = []
    for row, value in people.select(ROW, "manager").iter_rows():
        if value is None or not value.strip():
            resolved.append(None)
            continue
        text = value.strip()
        bracket = re.search(r"[\(（\[【]\s*([A-Za-z0-9_\-]+)\s*[\)）\]】]\s*$", text)
        candidates: set[str]
        if text.upper() in numbers:
            candidates = {text.upper()}
        elif bracket and bracket.group(1).upper() in numbers:
            candidates = {bracket.group(1).upper()}
        else:
            candidates = by_name.get(_name(text), set())
        if len(candidates) == 1:
            resolved.append(next(iter(candidates)))
            continue
        resolved.append(None)
        bad_rows.append(row)
        bad_values.append(value)
        bad_codes.append("ambiguous_manager" if candidates else "unknown_manager")
        bad_details.append(_json({"value": value, "candidates": ", ".join(sorted(candidates)[:10])}))
    column = table.header[mapping.columns["manager"]]
    errors = errors_from(
        bad_rows, code="", field_name="manager", column=column, values=bad_values, details=bad_details
    ).with_columns(code=pl.Series(bad_codes, dtype=pl.String))
    return pl.Series("manager_number", resolved, dtype=pl.String), errors


def _name(name: str) -> str:
    return re.sub(r"\s+", "", str(name)).casefold()


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False)


def _refuse_cycles(people: pl.DataFrame) -> None:
    """A manager chain that returns to its start would make a subtree its own ancestor."""
    manager_of: dict[str, str] = dict(
        Employee.objects.filter(manager__isnull=False).values_list(
            "employee_number", "manager__employee_number"
        )
    )
    manager_of = {number.upper(): manager.upper() for number, manager in manager_of.items()}
    for number, manager in people.select("employee_number", "manager_number").iter_rows():
        if number:
            if manager:
                manager_of[number.upper()] = manager
            else:
                manager_of.pop(number.upper(), None)
    names = dict(people.select(pl.col("employee_number").str.to_uppercase(), "name").iter_rows())
    for start in list(manager_of):
        seen: list[str] = []
        current: str | None = start
        while current is not None and current not in seen:
            seen.append(current)
            current = manager_of.get(current)
        if current is not None and current == start:
            loop = " → ".join(f"{names.get(n, n)}" for n in [*seen, start])
            raise ImportRejected("manager_cycle", people=loop)


# --- applying -------------------------------------------------------------------------------------


def roster_apply(
    *, batch: ImportBatch, plan: RosterPlan, actor: User | None, now: dt.datetime
) -> RosterResult:
    """Upsert units, positions, people, managers, invited accounts and wages (in the caller's transaction)."""
    result = RosterResult()
    people = plan.people
    columns = set(people.columns)
    units = _units_ensure(people["department"].to_list(), actor, result)
    positions = _positions_ensure(
        people.select("position", *(["grade"] if "grade" in columns else [])).unique().rows(), result
    )
    audit: list[AuditEvent] = []
    existing = {
        employee.employee_number.upper(): employee
        for employee in Employee.objects.filter(
            employee_number__in=[n for n in people["employee_number"].to_list() if n]
        )
    }
    mapped = [name for name in ROSTER_FIELDS if name in columns]
    to_create: list[Employee] = []
    to_update: list[Employee] = []
    changed_fields: set[str] = set()
    for row in people.iter_rows(named=True):
        number = row["employee_number"]
        values = {ROSTER_FIELDS[name]: row[name] for name in mapped}
        for key, default in _DEFAULTS.items():
            if key in values and values[key] is None:
                values[key] = default
        values["org_unit"] = units[_department_path(row["department"])]
        values["position"] = positions[_position_key(row["position"], row.get("grade"))]
        employee = existing.get(number.upper())
        if employee is None:
            employee = Employee(**{**_DEFAULTS, **values})
            to_create.append(employee)
            continue
        before: dict[str, Any] = {}
        for key, value in values.items():
            current = getattr(employee, key)
            if current != value:
                before[key] = current
                setattr(employee, key, value)
        if before:
            to_update.append(employee)
            changed_fields |= set(before)
            audit.append(
                _audit(
                    actor,
                    "employee.update",
                    employee,
                    {
                        "batch": batch.pk,
                        "before": {k: _plain(v) for k, v in before.items()},
                        "after": {k: _plain(getattr(employee, k)) for k in before},
                    },
                )
            )
        else:
            result.people_unchanged += 1
    Employee.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        Employee.objects.bulk_update(to_update, sorted(changed_fields), batch_size=1000)
    result.people_created = len(to_create)
    result.people_updated = len(to_update)
    by_number = {e.employee_number.upper(): e for e in [*existing.values(), *to_create]}
    audit.extend(_audit(actor, "employee.create", e, {"batch": batch.pk}) for e in to_create)
    result.managers_linked = _managers_link(people, by_number, plan.warnings)
    _unit_heads(people, by_number, units)
    result.accounts_created, result.invitations = _accounts_create(
        people, by_number, batch=batch, actor=actor, now=now, audit=audit
    )
    if "wage" in columns:
        result.wages_written = _wages_write(people, by_number, default_month=batch.coverage_first)
    AuditEvent.objects.bulk_create(audit, batch_size=2000)
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _audit(actor: User | None, action: str, target: Any, details: dict[str, Any]) -> AuditEvent:
    return AuditEvent(
        kind=AuditEvent.Kind.CHANGE,
        actor=recorded_actor(actor),
        actor_role=recorded_role(actor),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        subject_employee_id=target.pk if isinstance(target, Employee) else None,
        details=details,
    )


def _department_path(department: str) -> tuple[str, ...]:
    return tuple(part for part in re.split(_PATH_SEPARATORS, department.strip()) if part)


def _units_ensure(
    departments: list[str], actor: User | None, result: RosterResult
) -> dict[tuple[str, ...], OrgUnit]:
    """Find or create every unit on every department path; a lone top unit adopts unknown top levels."""
    all_units = list(OrgUnit.objects.all())
    children: dict[int | None, dict[str, OrgUnit]] = defaultdict(dict)
    for unit in all_units:
        children[unit.parent_id][value_key(unit.name)] = unit
    roots = children.get(None, {})
    lone_root = next(iter(roots.values())) if len(roots) == 1 else None
    resolved: dict[tuple[str, ...], OrgUnit] = {}
    for department in sorted(set(departments)):
        path = _department_path(department)
        if not path:
            continue
        parent: OrgUnit | None = None
        first = value_key(path[0])
        if first not in roots and lone_root is not None:
            parent = lone_root
        for depth, name in enumerate(path):
            siblings = children[parent.pk if parent else None]
            found = siblings.get(value_key(name))
            if found is not None:
                unit = found
            else:
                code = "D" + hashlib.sha256("/".join(path[: depth + 1]).encode()).hexdigest()[:10].upper()
                unit = org_unit_create(actor=actor, code=code, name=name, parent=parent)
                siblings[value_key(name)] = unit
                result.units_created += 1
            parent = unit
        if parent is not None:
            resolved[path] = parent
    return resolved


def _position_key(name: str, grade: str | None) -> tuple[str, str]:
    return value_key(name), (grade or "").strip()


def _positions_ensure(rows: list[tuple[Any, ...]], result: RosterResult) -> dict[tuple[str, str], Position]:
    existing: dict[tuple[str, str], Position] = {}
    for position in Position.objects.all():
        existing.setdefault((value_key(position.name), position.grade), position)
        existing.setdefault((value_key(position.code), position.grade), position)
    found: dict[tuple[str, str], Position] = {}
    for row in rows:
        name, grade = row[0], (row[1] if len(row) > 1 else None)
        key = _position_key(name, grade)
        match = existing.get(key) or (existing.get((key[0], "")) if not key[1] else None)
        if match is not None:
            position = match
        else:
            code = "P" + hashlib.sha256(f"{name}|{key[1]}".encode()).hexdigest()[:10].upper()
            is_sales = any(word in name.lower() for word in _SALES_WORDS)
            position = Position.objects.create(code=code, name=name, grade=key[1], is_sales=is_sales)
            if is_sales:
                kpi_default_weights_apply(position=position)
            existing[key] = position
            result.positions_created += 1
        found[key] = position
    return found


def _managers_link(
    people: pl.DataFrame, by_number: dict[str, Employee], warnings: list[dict[str, Any]]
) -> int:
    """Link each person to their manager; a manager whose own row is quarantined is linked on resubmission."""
    changed = []
    pending: list[str] = []
    for number, manager_number in people.select("employee_number", "manager_number").iter_rows():
        if manager_number is None and "manager" not in people.columns:
            continue
        employee = by_number[number.upper()]
        manager = by_number.get(manager_number) if manager_number else None
        if manager is None and manager_number:
            manager = Employee.objects.filter(employee_number__iexact=manager_number).first()
            if manager is None:
                pending.append(number)
        manager_id = manager.pk if manager else None
        if employee.manager_id != manager_id:
            employee.manager_id = manager_id
            changed.append(employee)
    Employee.objects.bulk_update(changed, ["manager"], batch_size=1000)
    if pending:
        warnings.append(
            {"code": "manager_pending", "details": {"count": len(pending), "people": ", ".join(pending[:20])}}
        )
    return len(changed)


def _unit_heads(
    people: pl.DataFrame, by_number: dict[str, Employee], units: dict[tuple[str, ...], OrgUnit]
) -> None:
    """A unit without a head gets the manager most of its members report to (managers see their units)."""
    votes: dict[int, Counter[str]] = defaultdict(Counter)
    for department, manager_number in people.select("department", "manager_number").iter_rows():
        unit = units.get(_department_path(department))
        if unit is not None and manager_number:
            votes[unit.pk][manager_number] += 1
    changed = []
    for unit in units.values():
        if unit.head_id is None and votes.get(unit.pk):
            number, _ = votes[unit.pk].most_common(1)[0]
            head = by_number.get(number)
            if head is not None:
                unit.head = head
                changed.append(unit)
    OrgUnit.objects.bulk_update(changed, ["head"])


def _accounts_create(
    people: pl.DataFrame,
    by_number: dict[str, Employee],
    *,
    batch: ImportBatch,
    actor: User | None,
    now: dt.datetime,
    audit: list[AuditEvent],
) -> tuple[int, list[InvitationLink]]:
    """An account for every person without one: no password at all, a one-time invitation instead."""
    has_reports = set(people["manager_number"].drop_nulls().to_list())
    taken = set(User.objects.values_list("username", flat=True))
    users: list[User] = []
    owners: list[Employee] = []
    unusable = make_password(None)  # one unusable marker for all: no password can ever match it
    for row in people.select(
        "employee_number", "name", *(["role"] if "role" in people.columns else [])
    ).iter_rows(named=True):
        employee = by_number[row["employee_number"].upper()]
        if employee.user_id is not None:
            continue
        username = _username(row["employee_number"], taken)
        role = row.get("role") or (
            Role.MANAGER if row["employee_number"].upper() in has_reports else Role.REP
        )
        users.append(
            User(
                username=username,
                role=role,
                email=employee.email,
                first_name=employee.name[:150],
                password=unusable,
            )
        )
        owners.append(employee)
    User.objects.bulk_create(users, batch_size=1000)
    for user, employee in zip(users, owners, strict=True):
        employee.user = user
    Employee.objects.bulk_update(owners, ["user"], batch_size=1000)
    links: list[InvitationLink] = []
    invitations: list[Invitation] = []
    expires = now + dt.timedelta(days=INVITATION_DAYS)
    for user, employee in zip(users, owners, strict=True):
        raw = secrets.token_urlsafe(32)
        invitations.append(
            Invitation(
                user=user,
                token_digest=invitation_digest(raw),
                batch=batch,
                created_by=recorded_actor(actor),
                expires_at=expires,
            )
        )
        links.append(
            InvitationLink(employee.employee_number, employee.name, employee.email, invitation_path(raw))
        )
        audit.append(
            _audit(actor, "user.create", user, {"role": user.role, "batch": batch.pk, "invited": True})
        )
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    _mail_invitations(links)
    return len(users), links


def _username(number: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w.@+-]", "", number.lower()) or "user"
    candidate, suffix = base, 1
    while candidate in taken:
        suffix += 1
        candidate = f"{base}-{suffix}"
    taken.add(candidate)
    return candidate


def invitation_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invitation_path(raw: str) -> str:
    return f"/imports/invitations/{raw}/"


def _mail_invitations(links: list[InvitationLink]) -> None:
    """One SMTP connection for all invitations, sent only once the roster is committed."""
    messages = [
        (
            "perfloop: 请设置您的密码 / set your password",
            f"{link.name}，您好：\n\n请打开以下链接设置密码（{INVITATION_DAYS} 天内有效，仅可使用一次）：\n"
            f"{absolute_url(link.path)}\n\nOpen the link above to set your password "
            f"(valid for {INVITATION_DAYS} days, once).",
            None,
            [link.email],
        )
        for link in links
        if link.email
    ]
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


def _wages_write(people: pl.DataFrame, by_number: dict[str, Employee], *, default_month: Month | None) -> int:
    rows = people.filter(pl.col("wage").is_not_null())
    months = rows["wage_month"].to_list() if "wage_month" in rows.columns else [None] * rows.height
    records: dict[tuple[int, int], Any] = {}
    for (number, amount), month in zip(
        rows.select("employee_number", "wage").iter_rows(), months, strict=True
    ):
        month_value = Month.from_int(month) if month else default_month
        if month_value is None:
            continue
        records[(by_number[number.upper()].pk, month_value.as_int())] = amount
    return wage_records_upsert(records)


def wage_records_upsert(
    records: dict[tuple[int, int], Any], overtime: dict[tuple[int, int], Any] | None = None
) -> int:
    """Create or correct one wage record per (employee id, YYYYMM)."""
    if not records:
        return 0
    employee_ids = {employee_id for employee_id, _ in records}
    months = {month for _, month in records}
    existing = {
        (w.employee_id, w.month.as_int()): w
        for w in WageRecord.objects.filter(employee_id__in=employee_ids, month__in=list(months))
    }
    create, update = [], []
    for (employee_id, month), amount in records.items():
        extra = (overtime or {}).get((employee_id, month))
        record = existing.get((employee_id, month))
        if record is None:
            create.append(
                WageRecord(
                    employee_id=employee_id, month=Month.from_int(month), amount=amount, overtime=extra or 0
                )
            )
        elif record.amount != amount or (extra is not None and record.overtime != extra):
            record.amount = amount
            if extra is not None:
                record.overtime = extra
            update.append(record)
    WageRecord.objects.bulk_create(create, batch_size=1000)
    WageRecord.objects.bulk_update(update, ["amount", "overtime"], batch_size=1000)
    return len(create) + len(update)


def invitation_token_valid(raw: str) -> Invitation | None:
    """The unused, unexpired invitation behind a link, or None (the same answer for every failure)."""
    invitation = Invitation.objects.select_related("user").filter(token_digest=invitation_digest(raw)).first()
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= timezone.now():
        return None
    if not invitation.user.is_active:
        return None
    # A link is for choosing a first password: once the person has one (set another way since), an old link
    # left in a mailbox must not set another.
    if invitation.user.has_usable_password():
        return None
    return invitation
