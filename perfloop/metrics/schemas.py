from __future__ import annotations

from decimal import Decimal

from ninja import Schema


class KpiOut(Schema):
    code: str
    name_zh: str
    name_en: str
    unit: str
    direction: str
    aggregation: str
    default_target: Decimal


class FactOut(Schema):
    employee_id: int
    month: str
    kpi: str
    value: Decimal
    source: str
    batch_id: int | None
    version: int


class ScorecardOut(Schema):
    employee_id: int
    employee_name: str
    month: str
    org_unit_id: int
    composite: Decimal | None
    is_met: bool | None
    kpis_measured: int
    rank_in_team: int | None
    team_size: int
    streak_below: int
    attainments: dict[str, list[str | None]]
    revision: int


class RecomputeIn(Schema):
    first: str
    last: str


class RecomputeOut(Schema):
    first: str
    last: str
    created: int
    changed: int
    unchanged: int
    teams: int
