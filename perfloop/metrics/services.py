"""Writes of the metrics app: recording facts and targets, and persisting scorecards.

Scorecards are derived data: `scorecards_recompute` runs the pure engine over
facts and targets and writes the result idempotently — a re-run with the same
inputs changes no row, and a changed input raises the row's `revision` so the
restatement is visible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from perfloop.audit.services import audit_change
from perfloop.core.errors import DomainError
from perfloop.core.months import Month
from perfloop.metrics.catalogue import DEFAULT_KPIS
from perfloop.metrics.models import (
    Kpi,
    KpiWeight,
    MonthlyFact,
    MonthlyTarget,
    Scorecard,
    ScoringPolicy,
    TeamMonth,
)
from perfloop.metrics.scoring import ScoringPolicy as EnginePolicy
from perfloop.metrics.scoring import compute_scorecards
from perfloop.org.models import Employee, Position

_FOUR = Decimal("0.0001")


class MetricsInputError(DomainError):
    code = "invalid_metrics_input"


@dataclass(frozen=True)
class RecomputeSummary:
    first: Month
    last: Month
    created: int
    changed: int
    unchanged: int
    teams: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "first": str(self.first),
            "last": str(self.last),
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "teams": self.teams,
        }


def kpi_default_weights_apply(*, position: Position) -> int:
    """Give a position the catalogue's default weights for every KPI it has none for."""
    kpis = {kpi.code: kpi for kpi in Kpi.objects.all()}
    existing = set(KpiWeight.objects.filter(position=position).values_list("kpi__code", flat=True))
    rows = [
        KpiWeight(position=position, kpi=kpis[d.code], weight=d.default_weight)
        for d in DEFAULT_KPIS
        if d.code in kpis and d.code not in existing
    ]
    KpiWeight.objects.bulk_create(rows)
    return len(rows)


def scoring_policy_get() -> ScoringPolicy:
    """The active scoring policy; created with the product defaults on first use."""
    policy = ScoringPolicy.objects.order_by("-pk").first()
    if policy is None:
        policy = ScoringPolicy.objects.create(primary_kpi=Kpi.objects.get(code="revenue"))
        policy.refresh_from_db()  # defaults come back as the database types (Decimal)
    return policy


@transaction.atomic
def scoring_policy_update(*, actor: Any, met_threshold: Decimal, attainment_cap: Decimal) -> ScoringPolicy:
    """Change when a month counts as met; past scorecards change only when recomputed."""
    if not Decimal(0) < met_threshold <= Decimal(2):
        raise MetricsInputError(
            _("The met threshold must be between 0 and 2 (200%)."), code="invalid_threshold"
        )
    if attainment_cap < 1:
        raise MetricsInputError(_("The attainment cap must be at least 1 (100%)."), code="invalid_cap")
    policy = scoring_policy_get()
    before = {"met_threshold": str(policy.met_threshold), "attainment_cap": str(policy.attainment_cap)}
    policy.met_threshold = met_threshold
    policy.attainment_cap = attainment_cap
    policy.save()
    audit_change(
        actor=actor,
        action="scoring_policy.update",
        target=policy,
        details={
            "before": before,
            "after": {"met_threshold": str(met_threshold), "attainment_cap": str(attainment_cap)},
        },
    )
    return policy


def _employed_in(employee: Mapping[str, Any], month: Month) -> bool:
    hire: dt.date = employee["hire_date"]
    leave: dt.date | None = employee["termination_date"]
    return hire <= month.last_day and (leave is None or leave >= month.first_day)


def _assignments_frame(months: Sequence[Month], unit_ids: Iterable[int] | None) -> pl.DataFrame:
    """Who was employed, where, in each month (from hire and termination dates).

    Only people with a target in the range are scored: without an agreed goal
    there is nothing to be below.
    """
    with_targets = MonthlyTarget.objects.filter(month__gte=months[0], month__lte=months[-1]).values(
        "employee_id"
    )
    employees = Employee.objects.filter(pk__in=with_targets)
    if unit_ids is not None:
        employees = employees.filter(org_unit_id__in=list(unit_ids))
    rows = list(employees.values("pk", "org_unit_id", "position_id", "hire_date", "termination_date"))
    data: dict[str, list[int]] = {"employee_id": [], "month": [], "team_id": [], "position_id": []}
    for employee in rows:
        for month in months:
            if _employed_in(employee, month):
                data["employee_id"].append(employee["pk"])
                data["month"].append(month.index)
                data["team_id"].append(employee["org_unit_id"])
                data["position_id"].append(employee["position_id"])
    return pl.DataFrame(
        data,
        schema={"employee_id": pl.Int64, "month": pl.Int32, "team_id": pl.Int64, "position_id": pl.Int64},
    )


def _values_frame(
    model: type[MonthlyFact] | type[MonthlyTarget],
    months: Sequence[Month],
    column: str,
    employee_ids: list[int],
) -> pl.DataFrame:
    """Facts or targets of the range as a frame, read by the driver without per-row ORM conversion.

    The employee filter is a semi-join in Polars: an IN list of 100,000 ids costs more than it saves.
    """
    number = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT employee_id, month, kpi_id, CAST(value AS {number}) FROM {table} "  # noqa: S608 - constants
            "WHERE month >= %s AND month <= %s",
            [months[0].as_int(), months[-1].as_int()],
        )
        rows = cursor.fetchall()
    codes = dict(Kpi.objects.values_list("pk", "code"))
    frame = pl.DataFrame(
        rows,
        schema={"employee_id": pl.Int64, "month": pl.Int64, "kpi_id": pl.Int64, column: pl.Float64},
        orient="row",
    )
    return frame.filter(pl.col("employee_id").is_in(employee_ids)).select(
        "employee_id",
        month=((pl.col("month") // 100) * 12 + pl.col("month") % 100 - 1).cast(pl.Int32),
        kpi=pl.col("kpi_id").replace_strict(codes, return_dtype=pl.Utf8),
        **{column: pl.col(column)},
    )


def _decimal(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(repr(value)).quantize(_FOUR)


@transaction.atomic
def scorecards_recompute(*, actor: Any, first: Month, last: Month) -> RecomputeSummary:
    """Recompute scorecards and team aggregates for months ``first``..``last`` from facts and targets.

    Streaks continue across the range start: a chain that runs from ``first``
    adds the stored streak of the month before.
    """
    if last < first:
        raise MetricsInputError(
            _("The range ends before it starts: %(first)s..%(last)s.") % {"first": first, "last": last},
            code="invalid_range",
        )
    months = [Month.from_index(i) for i in range(first.index, last.index + 1)]
    assignments = _assignments_frame(months, None)
    employee_ids = assignments["employee_id"].unique().to_list()
    facts = _values_frame(MonthlyFact, months, "value", employee_ids)
    targets = _values_frame(MonthlyTarget, months, "target", employee_ids)
    weights = pl.DataFrame(
        [(w.position_id, w.kpi.code, float(w.weight)) for w in KpiWeight.objects.select_related("kpi")],
        schema={"position_id": pl.Int64, "kpi": pl.Utf8, "weight": pl.Float64},
        orient="row",
    )
    kpis = pl.DataFrame(
        list(Kpi.objects.values_list("code", "direction")),
        schema={"kpi": pl.Utf8, "direction": pl.Utf8},
        orient="row",
    )
    policy = scoring_policy_get()
    result = compute_scorecards(
        facts=facts,
        targets=targets,
        assignments=assignments,
        weights=weights,
        kpis=kpis,
        policy=EnginePolicy(
            met_threshold=float(policy.met_threshold),
            attainment_cap=float(policy.attainment_cap),
            primary_kpi=policy.primary_kpi.code,
        ),
    )
    cards = _carry_in_streaks(result.cards, first)
    created, changed, unchanged = _persist_cards(cards, result.lines, first, last)
    teams = _persist_teams(result.teams, first, last)
    audit_change(
        actor=actor,
        action="scorecard.recompute",
        details={"first": str(first), "last": str(last), "created": created, "changed": changed},
    )
    return RecomputeSummary(first, last, created, changed, unchanged, teams)


def _carry_in_streaks(cards: pl.DataFrame, first: Month) -> pl.DataFrame:
    previous = Scorecard.objects.filter(month=first - 1).values_list(
        "employee_id", "streak_below", "streak_met"
    )
    prior = pl.DataFrame(
        list(previous),
        schema={"employee_id": pl.Int64, "prior_below": pl.Int32, "prior_met": pl.Int32},
        orient="row",
    )
    offset = pl.col("month") - first.index + 1
    return (
        cards.join(prior, on="employee_id", how="left")
        .with_columns(
            pl.when(pl.col("streak_below") == offset)
            .then(pl.col("streak_below") + pl.col("prior_below").fill_null(0))
            .otherwise(pl.col("streak_below"))
            .alias("streak_below"),
            pl.when(pl.col("streak_met") == offset)
            .then(pl.col("streak_met") + pl.col("prior_met").fill_null(0))
            .otherwise(pl.col("streak_met"))
            .alias("streak_met"),
        )
        .drop("prior_below", "prior_met")
    )


def _attainment_json(lines: pl.DataFrame) -> dict[tuple[int, int], dict[str, list[str | None]]]:
    out: dict[tuple[int, int], dict[str, list[str | None]]] = {}
    for employee_id, month, kpi, actual, target, attainment in lines.select(
        "employee_id", "month", "kpi", "actual", "target", "attainment"
    ).iter_rows():
        out.setdefault((employee_id, month), {})[kpi] = [
            None if v is None else str(_decimal(v)) for v in (actual, target, attainment)
        ]
    return out


_CARD_FIELDS = (
    "org_unit_id",
    "position_id",
    "composite",
    "is_met",
    "kpis_measured",
    "rank_in_team",
    "team_size",
    "streak_below",
    "streak_met",
    "attainments",
)


def _persist_cards(
    cards: pl.DataFrame, lines: pl.DataFrame, first: Month, last: Month
) -> tuple[int, int, int]:
    now = timezone.now()
    attainments = _attainment_json(lines)
    existing = {
        (card.employee_id, card.month.index): card
        for card in Scorecard.objects.filter(month__gte=first, month__lte=last)
    }
    to_create: list[Scorecard] = []
    to_update: list[Scorecard] = []
    unchanged = 0
    seen: set[tuple[int, int]] = set()
    for row in cards.iter_rows(named=True):
        key = (row["employee_id"], row["month"])
        seen.add(key)
        values = {
            "org_unit_id": row["team_id"],
            "position_id": row["position_id"],
            "composite": _decimal(row["composite"]),
            "is_met": row["is_met"],
            "kpis_measured": row["kpis_measured"],
            "rank_in_team": row["rank_in_team"],
            "team_size": row["team_size"],
            "streak_below": row["streak_below"],
            "streak_met": row["streak_met"],
            "attainments": attainments.get(key, {}),
        }
        card = existing.get(key)
        if card is None:
            to_create.append(
                Scorecard(employee_id=key[0], month=Month.from_index(key[1]), computed_at=now, **values)
            )
        elif any(getattr(card, name) != values[name] for name in _CARD_FIELDS):
            for name, value in values.items():
                setattr(card, name, value)
            card.revision += 1
            card.computed_at = now
            to_update.append(card)
        else:
            unchanged += 1
    Scorecard.objects.bulk_create(to_create, batch_size=2000)
    Scorecard.objects.bulk_update(to_update, [*_CARD_FIELDS, "revision", "computed_at"], batch_size=2000)
    stale = [card.pk for key, card in existing.items() if key not in seen]
    Scorecard.objects.filter(pk__in=stale).delete()
    return len(to_create), len(to_update) + len(stale), unchanged


def _persist_teams(teams: pl.DataFrame, first: Month, last: Month) -> int:
    now = timezone.now()
    TeamMonth.objects.filter(month__gte=first, month__lte=last).delete()
    rows = [
        TeamMonth(
            org_unit_id=row["team_id"],
            month=Month.from_index(row["month"]),
            members=row["members"],
            members_scored=row["members_scored"],
            members_met=row["members_met"],
            actual=_decimal(row["actual"]) or Decimal(0),
            target=_decimal(row["target"]) or Decimal(0),
            completion=_decimal(row["completion"]),
            average_composite=_decimal(row["average_composite"]),
            computed_at=now,
        )
        for row in teams.iter_rows(named=True)
    ]
    TeamMonth.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@transaction.atomic
def monthly_facts_record(
    *, actor: Any, rows: Iterable[tuple[int, Month, str, Decimal]], source: str, batch_id: int | None = None
) -> int:
    """Upsert KPI values (employee id, month, KPI code, value); a changed value raises its version."""
    kpis = dict(Kpi.objects.values_list("code", "pk"))
    count = 0
    for employee_id, month, code, value in rows:
        if code not in kpis:
            raise MetricsInputError(
                _("Unknown KPI code: %(code)s") % {"code": code}, code="unknown_kpi", kpi=code
            )
        fact, created = MonthlyFact.objects.get_or_create(
            employee_id=employee_id,
            month=month,
            kpi_id=kpis[code],
            defaults={"value": value, "source": source, "batch_id": batch_id},
        )
        if not created and fact.value != value:
            fact.value = value
            fact.version += 1
            fact.batch_id = batch_id
            fact.save(update_fields=["value", "version", "batch_id", "updated_at"])
        count += 1
    audit_change(actor=actor, action="monthly_fact.record", details={"rows": count, "source": source})
    return count
