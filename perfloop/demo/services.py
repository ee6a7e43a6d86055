"""Writing the demo company into the database, through the other apps' models and services.

The company is generated as plain data first (`generator.py`), then written in one transaction: an
interrupted build leaves nothing behind, and a build never runs over existing people. The organisation,
accounts and wages are written directly; the performance data comes the way a real company's does — its
CRM, finance and LMS exports (`exports.py`) go through the imports (`import_file`), and its goals are
recorded as the agreements they were (`goals_record_agreed_bulk`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from perfloop.accounts.models import User
from perfloop.accounts.services import user_create
from perfloop.audit.services import audit_change
from perfloop.core.errors import DomainError
from perfloop.core.months import Month, month_range
from perfloop.demo.credentials import DEMO_PASSWORD, DEMO_SIGN_INS, DemoSignIn
from perfloop.demo.exports import DemoFile, demo_files
from perfloop.demo.generator import DEFAULT_SEED, DemoCompany, GoalDispute, generate_company
from perfloop.demo.selectors import demo_summary
from perfloop.goals.models import Basis
from perfloop.goals.services import AgreedGoal, RecordedDispute, RecordedGoals, goals_record_agreed_bulk
from perfloop.imports.models import ImportBatch
from perfloop.imports.services import import_file
from perfloop.metrics.models import MonthlyFact, MonthlyTarget, Scorecard
from perfloop.metrics.services import (
    kpi_default_weights_apply,
    scorecards_recompute,
    scoring_policy_get,
    scoring_policy_update,
)
from perfloop.monitoring.models import Alert
from perfloop.monitoring.services import month_close
from perfloop.org.models import Employee, OrgUnit, Position, WageRecord
from perfloop.org.services import org_unit_create

__all__ = ["DEMO_MET_THRESHOLD", "DemoBuildResult", "DemoError", "demo_company_build", "demo_summary"]

# The demo company's 绩效考核管理办法: a month is 未完成 (not met) below 70% composite attainment
# (docs/demo.md explains why the case study's figures need this threshold rather than 100%).
DEMO_MET_THRESHOLD = Decimal("0.70")
_BATCH = 2000


class DemoError(DomainError):
    code = "demo_not_built"


@dataclass(frozen=True)
class DemoBuildResult:
    """What a build wrote, for the command's report."""

    seed: int
    units: int
    employees: int
    users: int
    batches: int
    facts: int
    goals: int
    disputes: int
    targets: int
    wages: int
    scorecards: int
    team_months: int
    months_closed: int
    alerts: int
    seconds: float
    sign_ins: tuple[DemoSignIn, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "units": self.units,
            "employees": self.employees,
            "users": self.users,
            "batches": self.batches,
            "facts": self.facts,
            "goals": self.goals,
            "disputes": self.disputes,
            "targets": self.targets,
            "wages": self.wages,
            "scorecards": self.scorecards,
            "team_months": self.team_months,
            "months_closed": self.months_closed,
            "alerts": self.alerts,
            "seconds": round(self.seconds, 2),
        }


def demo_company_build(*, actor: Any = None, seed: int = DEFAULT_SEED) -> DemoBuildResult:
    """Build the case-study company into an empty database (one without employees), all or nothing."""
    started = time.perf_counter()
    company = generate_company(seed=seed)
    with transaction.atomic():
        # Inside the transaction: on SQLite it begins IMMEDIATE, so two concurrent builds cannot both
        # see an empty database.
        existing = Employee.objects.count()
        if existing:
            raise DemoError(
                f"The database already has {existing} employees; "
                "the demo company is only built into an empty one.",
                code="demo_data_exists",
                employees=existing,
            )
        _check_free(company)
        positions = _positions_write(company)
        units = _units_write(company, actor=actor)
        employees = _employees_write(company, positions=positions, units=units)
        users = _users_write(company, actor=actor, employees=employees, units=units)
        # Decimal(str(...)): a policy created on first use still holds the model default as a string.
        cap = Decimal(str(scoring_policy_get().attainment_cap))
        scoring_policy_update(actor=actor, met_threshold=DEMO_MET_THRESHOLD, attainment_cap=cap)
        batches = _files_import(demo_files(company), actor=actor, units=units)
        goals = _goals_record(company, actor=actor, employees=employees, users=users)
        wages = _wages_write(company, employees=employees)
        timeline = company.timeline
        recompute = scorecards_recompute(actor=actor, first=timeline.history_first, last=timeline.after_last)
        # Each month closed in order, as the schedule would have: the alerts are raised in the month the data
        # says and resolved when the person recovered or left; nobody is messaged about months long gone.
        closed = list(month_range(timeline.history_first, timeline.after_last))
        for month in closed:
            month_close(actor=None, month=month, notify=False)
        result = DemoBuildResult(
            seed=seed,
            units=len(units),
            employees=len(employees),
            users=len(company.users),
            batches=len(batches),
            facts=MonthlyFact.objects.count(),
            goals=goals.goals,
            disputes=goals.disputes,
            targets=MonthlyTarget.objects.count(),
            wages=wages,
            scorecards=Scorecard.objects.count(),
            team_months=recompute.teams,
            months_closed=len(closed),
            alerts=Alert.objects.count(),
            seconds=time.perf_counter() - started,
            sign_ins=DEMO_SIGN_INS,
        )
        audit_change(
            actor=actor,
            action="demo.build",
            details={
                **result.as_dict(),
                "timeline": timeline.as_dict(),
                "met_threshold": str(DEMO_MET_THRESHOLD),
            },
        )
    return result


def _check_free(company: DemoCompany) -> None:
    """Units and usernames of the demo must not exist yet: fail with the names rather than half-way."""
    taken_units = sorted(
        OrgUnit.objects.filter(code__in=[u.code for u in company.units]).values_list("code", flat=True)
    )
    taken_users = sorted(
        User.objects.filter(username__in=[u.username for u in company.users]).values_list(
            "username", flat=True
        )
    )
    if taken_units or taken_users:
        raise DemoError(
            "The demo company needs these unit codes and usernames, which already exist: "
            + ", ".join([*taken_units, *taken_users]),
            code="demo_names_taken",
            units=taken_units,
            usernames=taken_users,
        )


def _positions_write(company: DemoCompany) -> dict[str, Position]:
    positions: dict[str, Position] = {}
    for spec in company.positions:
        position, _created = Position.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "name_en": spec.name_en,
                "grade": spec.grade,
                "is_sales": spec.is_sales,
            },
        )
        if spec.is_scored:
            kpi_default_weights_apply(position=position)
        positions[spec.code] = position
    return positions


def _units_write(company: DemoCompany, *, actor: Any) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for spec in company.units:  # parents come before their children
        units[spec.code] = org_unit_create(
            actor=actor,
            code=spec.code,
            name=spec.name,
            name_en=spec.name_en,
            parent=units[spec.parent] if spec.parent else None,
            city=spec.city,
        )
    return units


def _employees_write(
    company: DemoCompany, *, positions: dict[str, Position], units: dict[str, OrgUnit]
) -> dict[str, Employee]:
    rows = [
        Employee(
            employee_number=spec.number,
            name=spec.name,
            email=spec.email,
            hire_date=spec.hire_date,
            birth_date=spec.birth_date,
            gender=spec.gender,
            position=positions[spec.position],
            org_unit=units[spec.unit],
            status=spec.status,
            termination_date=spec.termination_date,
            work_city=spec.work_city,
            contract_type=spec.contract_type,
            contract_start=spec.contract_start,
            contract_end=spec.contract_end,
            probation_end=spec.probation_end,
            is_union_member=spec.is_union_member,
        )
        for spec in company.employees
    ]
    Employee.objects.bulk_create(rows, batch_size=_BATCH)
    employees = {
        e.employee_number: e
        for e in Employee.objects.filter(employee_number__in=[r.employee_number for r in rows])
    }
    for spec in company.employees:
        employees[spec.number].manager = employees[spec.manager] if spec.manager else None
    Employee.objects.bulk_update(list(employees.values()), ["manager"], batch_size=_BATCH)
    for unit_spec in company.units:
        if unit_spec.head:
            unit = units[unit_spec.code]
            unit.head = employees[unit_spec.head]
            unit.save(update_fields=["head", "updated_at"])
    return employees


def _users_write(
    company: DemoCompany, *, actor: Any, employees: dict[str, Employee], units: dict[str, OrgUnit]
) -> dict[str, User]:
    """One account per employee, all with the public demo password.

    argon2 costs ~0.2 s a hash by design, so the password is hashed once and every demo account gets that
    hash: the shared salt only reveals that the accounts share a password, which docs/demo.md says anyway.
    """
    encoded = make_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    created: list[User] = []
    for spec in company.users:
        employee = employees[spec.employee] if spec.employee else None
        user = user_create(
            actor=actor,
            username=spec.username,
            role=spec.role,
            password=None,
            email=employee.email if employee else "",
            first_name=employee.name if employee else "",
            scope_unit=units[spec.scope_unit] if spec.scope_unit else None,
            is_active=spec.is_active,
        )
        user.password = encoded
        created.append(user)
        if employee is not None:
            employee.user = user
            users[employee.employee_number] = user
    User.objects.bulk_update(created, ["password"], batch_size=_BATCH)
    Employee.objects.bulk_update([e for e in employees.values() if e.user_id], ["user"], batch_size=_BATCH)
    return users


def _files_import(files: list[DemoFile], *, actor: Any, units: dict[str, OrgUnit]) -> list[ImportBatch]:
    """Each export through the imports, as HR would load it; any file that does not apply cleanly (a
    rejection, a quarantined row, a warning) stops the build, which then leaves nothing behind."""
    batches = []
    for file in files:
        outcome = import_file(
            actor=actor,
            source=file.source,
            profile=file.profile,
            path_or_bytes=file.data,
            file_name=file.name,
            first=file.first,
            last=file.last,
            unit=units[file.unit] if file.unit else None,
            zero_fill=file.zero_fill,
            # Scorecards are computed once, after the goals exist (the last step of the build).
            recompute=False,
        )
        batch = outcome.batch
        if not outcome.is_applied or outcome.is_duplicate or batch.rows_quarantined or batch.warnings:
            raise DemoError(
                f"The demo file {file.name} did not import cleanly: "
                f"{batch.error_message or f'{batch.rows_quarantined} rows quarantined, {batch.warnings}'}",
                code="demo_import_failed",
                file=file.name,
                batch=batch.pk,
            )
        batches.append(batch)
    return batches


_STANDARD = {
    "revenue": "团队标准 ¥{:,.0f}",
    "new_customers": "团队标准 {:.0f} 个",
    "conversion_rate": "团队标准 {:.0%}",
    "collection_rate": "团队标准 {:.0%}",
    "follow_ups": "团队标准 {:.0f} 次",
    "feedback_score": "团队标准 {:.1f} 分",
    "churn_rate": "团队标准 不高于 {:.0%}",
    "training_participation": "团队标准 {:.0%}",
}


def _goals_record(
    company: DemoCompany, *, actor: Any, employees: dict[str, Employee], users: dict[str, User]
) -> RecordedGoals:
    """Every rep-month's goals as agreed: published by the manager, confirmed by the rep; the scripted
    disputes answered (and some adjusted) before the rep confirmed. The final values become the targets."""
    agreements = {(a.employee, a.month.index): a for a in company.agreements}
    disputes = {(d.employee, d.month.index, d.kpi): d for d in company.disputes}
    records = []
    for number, month_index, kpi, value in company.targets.iter_rows():
        agreement = agreements[(number, month_index)]
        manager = users[agreement.set_by].pk
        dispute = disputes.get((number, month_index, kpi))
        records.append(
            AgreedGoal(
                employee_id=employees[number].pk,
                month=agreement.month,
                kpi_code=kpi,
                value=value,
                set_by_id=manager,
                published_at=agreement.published_at,
                confirmed_at=dispute.confirmed_at if dispute else agreement.confirmed_at,
                basis=Basis.MANUAL,
                basis_detail=_STANDARD[kpi].format(value),
                dispute=_recorded(dispute, manager) if dispute else None,
            )
        )
    return goals_record_agreed_bulk(actor=actor, records=records)


def _recorded(dispute: GoalDispute, manager: int) -> RecordedDispute:
    return RecordedDispute(
        disputed_at=dispute.disputed_at,
        comment=dispute.comment,
        answered_at=dispute.answered_at,
        answer=dispute.answer,
        answered_by_id=manager,
        adjusted_value=dispute.adjusted_value,
    )


def _wages_write(company: DemoCompany, *, employees: dict[str, Employee]) -> int:
    rows = [
        WageRecord(employee=employees[number], month=Month.from_index(month), amount=amount)
        for number, month, amount in company.wages.iter_rows()
    ]
    WageRecord.objects.bulk_create(rows, batch_size=_BATCH)
    return len(rows)
