"""Read API of KPIs, facts and scorecards (scoped), and the HR-only recompute action."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from perfloop.accounts.models import User
from perfloop.accounts.selectors import employee_get_for
from perfloop.audit.pagination import AuditedPages
from perfloop.core.errors import PermissionDenied
from perfloop.core.params import month_param, required_month_param
from perfloop.metrics.policies import can_recompute_scorecards
from perfloop.metrics.schemas import FactOut, KpiOut, RecomputeIn, RecomputeOut, ScorecardOut
from perfloop.metrics.selectors import (
    kpi_list,
    monthly_fact_list_for,
    scorecard_list_for,
    team_get_for,
)
from perfloop.metrics.services import scorecards_recompute

router = Router(tags=["metrics"])


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/kpis", response=list[KpiOut])
def kpi_catalogue(request: HttpRequest) -> list[KpiOut]:
    return [KpiOut.from_orm(k) for k in kpi_list()]


@router.get("/facts", response=list[FactOut])
@paginate(AuditedPages, page_size=500, action="fact_list.view")
def fact_list(
    request: HttpRequest, employee: int | None = None, first: str | None = None, last: str | None = None
) -> list[FactOut]:
    viewer = _viewer(request)
    person = employee_get_for(viewer=viewer, employee_id=employee) if employee is not None else None
    facts = monthly_fact_list_for(
        viewer=viewer, employee=person, first=month_param(first, "first"), last=month_param(last, "last")
    )
    return [
        FactOut(
            employee_id=f.employee_id,
            month=str(f.month),
            kpi=f.kpi.code,
            value=f.value,
            source=f.source,
            batch_id=f.batch_id,
            version=f.version,
        )
        for f in facts
    ]


@router.get("/scorecards", response=list[ScorecardOut])
@paginate(AuditedPages, page_size=200, action="scorecard_list.view")
def scorecard_list(
    request: HttpRequest, month: str | None = None, team: int | None = None, employee: int | None = None
) -> list[ScorecardOut]:
    viewer = _viewer(request)
    cards = scorecard_list_for(
        viewer=viewer,
        month=month_param(month, "month"),
        team=team_get_for(viewer=viewer, unit_id=team) if team is not None else None,
        employee=employee_get_for(viewer=viewer, employee_id=employee) if employee is not None else None,
    )
    return [
        ScorecardOut(
            employee_id=c.employee_id,
            employee_name=c.employee.name,
            month=str(c.month),
            org_unit_id=c.org_unit_id,
            composite=c.composite,
            is_met=c.is_met,
            kpis_measured=c.kpis_measured,
            rank_in_team=c.rank_in_team,
            team_size=c.team_size,
            streak_below=c.streak_below,
            attainments=c.attainments,
            revision=c.revision,
        )
        for c in cards
    ]


@router.post("/scorecards/recompute", response=RecomputeOut)
def scorecard_recompute(request: HttpRequest, payload: RecomputeIn) -> RecomputeOut:
    viewer = _viewer(request)
    if not can_recompute_scorecards(viewer):
        raise PermissionDenied(_("Only HR of the whole organisation may recompute scorecards."))
    summary = scorecards_recompute(
        actor=viewer,
        first=required_month_param(payload.first, "first"),
        last=required_month_param(payload.last, "last"),
    )
    return RecomputeOut(**summary.as_dict())
