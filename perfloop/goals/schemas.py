"""Request and response shapes of the goals API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema


class GoalIn(Schema):
    employee_id: int
    month: str = Field(description="YYYY-MM")
    kpi: str = Field(description="KPI code, e.g. revenue")
    value: Decimal
    basis: str = "manual"
    basis_detail: str = ""
    reason: str = Field("", description="required to change a goal the person has already seen")
    justification: str = Field("", description="required when the fairness guard warns")
    expected_version: int | None = Field(None, description="refuse if the goal has moved on since")


class ReviseIn(Schema):
    value: Decimal
    reason: str = ""
    justification: str = ""
    expected_version: int | None = None


class RespondIn(Schema):
    version: int = Field(description="the version the person read; an outdated one is refused")
    comment: str = ""


class AnswerIn(Schema):
    comment: str
    value: Decimal | None = Field(None, description="an adjusted target; empty keeps the current one")
    justification: str = ""


class PublishIn(Schema):
    goal_ids: list[int] | None = None
    team: int | None = Field(None, description="publish every draft of this unit and its sub-units…")
    month: str | None = Field(None, description="…for this month (YYYY-MM)")
    kpi: str | None = None


class ConfirmManyIn(Schema):
    versions: dict[int, int] = Field(description="goal id → the version read")
    comment: str = ""


class VersionOut(Schema):
    number: int
    value: Decimal
    basis: str
    basis_detail: str
    reason: str
    justification: str
    fairness_flags: list[dict[str, object]]
    suggestion: dict[str, object]
    set_by: str | None
    set_by_id: int | None
    set_at: datetime


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    version: int
    actor: str | None
    actor_id: int | None
    comment: str
    channel: str
    at: datetime


class GoalOut(Schema):
    id: int
    employee_id: int
    employee_name: str
    employee_number: str
    month: str
    kpi: str
    value: Decimal
    status: str
    version: int
    set_by: str | None
    basis: str | None
    published_at: datetime | None
    confirmed_at: datetime | None
    allowed_actions: list[str]


class GoalDetailOut(GoalOut):
    versions: list[VersionOut]
    events: list[EventOut]


class ConfirmationOut(Schema):
    by: str | None
    by_id: int | None
    at: datetime
    channel: str
    version: int
    comment: str


class RecordLineOut(Schema):
    kpi: str
    kpi_name_zh: str
    kpi_name_en: str
    goal_id: int | None
    target: Decimal | None
    status: str | None
    effective_target: Decimal | None
    set_by: str | None
    set_at: datetime | None
    basis: str | None
    basis_detail: str
    justification: str
    fairness_flags: list[dict[str, object]]
    confirmation: ConfirmationOut | None
    versions: list[VersionOut]
    events: list[EventOut]


class RecordOut(Schema):
    employee_id: int
    employee_name: str
    employee_number: str
    month: str
    is_fully_agreed: bool
    lines: list[RecordLineOut]


class SuggestionOut(Schema):
    employee_id: int
    employee_name: str
    month: str
    kpi: str
    value: Decimal
    rule: str
    months_used: int
    average: Decimal | None
    growth_bp: int
    season_bp: int
    run_rate: Decimal | None
    standard: Decimal
    reason_zh: str
    reason_en: str


class AcceptSuggestionsIn(Schema):
    team: int
    month: str
    kpi: str
    employee_ids: list[int] | None = None
    justification: str = ""


class SetResultOut(Schema):
    created: int
    revised: int
    unchanged: int
    warnings: list[dict[str, object]]


class TemplateIn(Schema):
    name: str
    description: str = ""
    lines: dict[str, Decimal] = Field(description="KPI code → monthly target")
    is_active: bool = True


class TemplateOut(Schema):
    id: int
    name: str
    description: str
    is_active: bool
    lines: dict[str, Decimal]


class PeopleFilterIn(Schema):
    org_unit: int | None = None
    include_subunits: bool = True
    position: str | None = Field(None, description="position code")
    grade: str = ""


class AssignIn(Schema):
    first: str
    last: str
    people: PeopleFilterIn
    justification: str = ""


class PreviewOut(Schema):
    people: int


class AssignmentOut(Schema):
    id: int
    template_id: int
    first: str
    last: str
    people: int
    goals_created: int
    versions_created: int
    skipped_agreed: int
    fairness_flags: list[dict[str, object]]


class PlanIn(Schema):
    year: int
    kpi: str
    root_unit: int
    target: Decimal
    seasonality: list[Decimal] | None = Field(None, description="twelve weights, January first")
    max_overallocation: Decimal = Field(Decimal("0.10"), description="0.10 = the parts may add up to 110%")
    name: str = ""


class PlanNodeOut(Schema):
    id: int
    parent_id: int | None
    org_unit_id: int | None
    employee_id: int | None
    label: str
    depth: int
    amount: Decimal
    children_total: Decimal
    gap: Decimal
    surplus: Decimal
    check: str


class PlanOut(Schema):
    id: int
    year: int
    kpi: str
    root_unit_id: int
    name: str
    status: str
    seasonality: list[str]
    max_overallocation: Decimal
    is_valid: bool
    nodes: list[PlanNodeOut]


class SplitIn(Schema):
    node_id: int | None = Field(None, description="the unit node to split; the top unit when empty")
    recursive: bool = True


class NodeAmountIn(Schema):
    amount: Decimal


class ApplyIn(Schema):
    justification: str = ""


class SummaryOut(Schema):
    unit_id: int
    unit_name: str
    people: int
    draft: int
    published: int
    disputed: int
    confirmed: int
    is_hidden: bool  # fewer than five people with goals, to a viewer who sees no individuals: counts are 0
