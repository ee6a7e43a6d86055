"""Writes of the metrics app: recording facts and targets, and persisting scorecards.

Scorecards are derived data: `scorecards_recompute` runs the pure engine over
facts and targets and writes the result idempotently — a re-run with the same
inputs changes no row, and a changed input raises the row's `revision` so the
restatement is visible.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from perfloop.audit.services import audit_change
from perfloop.core.bulk import (
    bulk_insert,
    bulk_read,
    bulk_read_numbers,
    chunked,
    index_as_stored_month,
    stored_month_as_index,
    timestamp_text,
)
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


def _assignments_frame(months: Sequence[Month], scored: pl.Series) -> pl.DataFrame:
    """Who was employed, where, in each month (from hire and termination dates), among ``scored``.

    Only people with a target in the range are scored: without an agreed goal
    there is nothing to be below.
    """
    people = bulk_read(
        f"SELECT id, org_unit_id, position_id, CAST(hire_date AS TEXT), CAST(termination_date AS TEXT) "  # noqa: S608
        f"FROM {Employee._meta.db_table}",
        [],
        {
            "employee_id": pl.Int64,
            "team_id": pl.Int64,
            "position_id": pl.Int64,
            "hire_date": pl.String,
            "termination_date": pl.String,
        },
    ).filter(pl.col("employee_id").is_in(scored.implode()))
    calendar = pl.DataFrame(
        {
            "month": [m.index for m in months],
            "first_day": [m.first_day for m in months],
            "last_day": [m.last_day for m in months],
        },
        schema={"month": pl.Int32, "first_day": pl.Date, "last_day": pl.Date},
    )
    hired = pl.col("hire_date").str.to_date("%Y-%m-%d")
    left = pl.col("termination_date").str.to_date("%Y-%m-%d")
    return (
        people.join(calendar, how="cross")
        .filter((hired <= pl.col("last_day")) & (left.is_null() | (left >= pl.col("first_day"))))
        .select("employee_id", "month", "team_id", "position_id")
    )


def _values_frame(
    model: type[MonthlyFact] | type[MonthlyTarget], months: Sequence[Month], column: str
) -> pl.DataFrame:
    """Facts or targets of the range as a frame (employee, month index, KPI code, value as a float)."""
    number = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    frame = bulk_read_numbers(
        ["employee_id", "month", "kpi_id", f"CAST(value AS {number})"],
        f"{model._meta.db_table} WHERE month >= %s AND month <= %s",
        [months[0].as_int(), months[-1].as_int()],
        {"employee_id": pl.Int64, "month": pl.Int64, "kpi_id": pl.Int64, column: pl.Float64},
        per="month",
    )
    codes = dict(Kpi.objects.values_list("pk", "code"))
    return frame.select(
        "employee_id",
        month=stored_month_as_index("month"),
        kpi=pl.col("kpi_id").replace_strict(codes, return_dtype=pl.Utf8),
        **{column: pl.col(column)},
    )


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
    targets = _values_frame(MonthlyTarget, months, "target")
    assignments = _assignments_frame(months, targets["employee_id"].unique())
    # A month without a target is not scored (missing, not zero: nothing was agreed to be below) — month
    # by month, so that a range reaching past the data scores no empty months that a later range, starting
    # past the data, would then remove again.
    targeted = targets.select("employee_id", pl.col("month").cast(assignments.schema["month"])).unique()
    assignments = assignments.join(targeted, on=["employee_id", "month"], how="semi")
    # Someone not employed in the range, or without a target in it, is not scored.
    scored = assignments.select("employee_id").unique()
    targets = targets.join(scored, on="employee_id", how="semi")
    facts = _values_frame(MonthlyFact, months, "value").join(scored, on="employee_id", how="semi")
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


def _fixed4(column: str) -> pl.Expr:
    """A float as decimal text with four places, as ``Decimal(repr(x)).quantize(Decimal("0.0001"))`` gives
    it (half to even on the shortest decimal form), computed in Polars rather than once per value."""
    return pl.col(column).cast(pl.String).cast(pl.Decimal(38, 4)).cast(pl.String)


def _attainments_json(lines: pl.DataFrame) -> pl.DataFrame:
    """Each card's ``{kpi: [actual, target, attainment]}`` as JSON text, keys in the order PostgreSQL's
    ``jsonb`` keeps them (shorter first, then bytewise) so the stored text reads back identical on both
    databases and a re-run can compare text instead of parsing a hundred thousand documents."""

    def quoted(column: str) -> pl.Expr:
        return (
            pl.when(pl.col(column).is_null())
            .then(pl.lit("null"))
            .otherwise(pl.concat_str(pl.lit('"'), _fixed4(column), pl.lit('"')))
        )

    return (
        lines.with_columns(
            entry=pl.concat_str(
                pl.lit('"'),
                pl.col("kpi"),
                pl.lit('": ['),
                quoted("actual"),
                pl.lit(", "),
                quoted("target"),
                pl.lit(", "),
                quoted("attainment"),
                pl.lit("]"),
            ),
            key_length=pl.col("kpi").str.len_bytes(),
        )
        .sort("employee_id", "month", "key_length", "kpi")
        .group_by("employee_id", "month", maintain_order=True)
        .agg(pl.col("entry").str.join(", "))
        .select(
            "employee_id",
            "month",
            attainments=pl.concat_str(pl.lit("{"), pl.col("entry"), pl.lit("}")),
        )
    )


_CARD = Scorecard._meta.db_table
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
_CARD_SCHEMA = {
    "id": pl.Int64,
    "employee_id": pl.Int64,
    "month": pl.Int64,
    "org_unit_id": pl.Int64,
    "position_id": pl.Int64,
    "composite": pl.Float64,
    "is_met": pl.Boolean,
    "kpis_measured": pl.Int64,
    "rank_in_team": pl.Int64,
    "team_size": pl.Int64,
    "streak_below": pl.Int64,
    "streak_met": pl.Int64,
    "attainments": pl.String,
    "revision": pl.Int64,
}


def _cards_as_stored(cards: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """The engine's cards in the stored columns' form: month as YYYYMM, numbers as decimal text."""
    return cards.join(_attainments_json(lines), on=["employee_id", "month"], how="left").select(
        pl.col("employee_id").cast(pl.Int64),
        month=index_as_stored_month("month"),
        org_unit_id=pl.col("team_id").cast(pl.Int64),
        position_id=pl.col("position_id").cast(pl.Int64),
        composite=_fixed4("composite"),
        is_met=pl.col("is_met").cast(pl.Boolean),
        kpis_measured=pl.col("kpis_measured").cast(pl.Int64),
        rank_in_team=pl.col("rank_in_team").cast(pl.Int64),
        team_size=pl.col("team_size").cast(pl.Int64),
        streak_below=pl.col("streak_below").cast(pl.Int64),
        streak_met=pl.col("streak_met").cast(pl.Int64),
        attainments=pl.col("attainments").fill_null("{}"),
    )


def _stored_cards(first: Month, last: Month) -> pl.DataFrame:
    """The range's stored scorecards, read by the driver (JSON as text, numbers normalised like new ones)."""
    number = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    text = "::text" if connection.vendor == "postgresql" else ""
    return bulk_read(
        f"SELECT id, employee_id, month, org_unit_id, position_id, CAST(composite AS {number}), "  # noqa: S608
        "CAST(is_met AS INTEGER), kpis_measured, rank_in_team, team_size, streak_below, streak_met, "
        f"attainments{text}, revision FROM {_CARD} WHERE month >= %s AND month <= %s",
        [first.as_int(), last.as_int()],
        {**_CARD_SCHEMA, "is_met": pl.Int64},
    ).with_columns(composite=_fixed4("composite"), is_met=pl.col("is_met").cast(pl.Boolean))


def _persist_cards(
    cards: pl.DataFrame, lines: pl.DataFrame, first: Month, last: Month
) -> tuple[int, int, int]:
    """Write the range's cards: new ones inserted, changed ones rewritten with ``revision`` + 1 (same id),
    equal ones left alone, cards nobody has any more deleted — set-based, in the caller's transaction."""
    stamp = timestamp_text(timezone.now())
    new = _cards_as_stored(cards, lines).with_columns(computed=pl.lit(True))
    old = _stored_cards(first, last)
    both = new.join(old, on=["employee_id", "month"], how="full", suffix="_old", coalesce=True)
    is_new = pl.col("id").is_null()  # computed now, nothing stored
    is_gone = pl.col("computed").is_null()  # stored, not computed any more
    differs = pl.any_horizontal(
        [~pl.col(name).eq_missing(pl.col(f"{name}_old")) for name in _CARD_FIELDS if name != "attainments"]
    )
    created = both.filter(is_new)
    stale = both.filter(is_gone)
    kept = both.filter(~is_new & ~is_gone)
    changed = kept.filter(differs)
    # Attainment text that differs may still be the same document (stored in another key order by an
    # earlier version): only those few are parsed and compared as JSON.
    text_only = kept.filter(~differs & ~pl.col("attainments").eq_missing(pl.col("attainments_old")))
    really = [
        card_id
        for card_id, new_text, old_text in text_only.select(
            "id", "attainments", "attainments_old"
        ).iter_rows()
        if json.loads(new_text) != json.loads(old_text)
    ]
    changed = pl.concat([changed, text_only.filter(pl.col("id").is_in(really))])
    unchanged = both.height - created.height - stale.height - changed.height
    gone_ids = [*stale["id"].to_list(), *changed["id"].to_list()]
    with connection.cursor() as cursor:
        for chunk in chunked(gone_ids):
            cursor.execute(
                f"DELETE FROM {_CARD} WHERE id IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                chunk,
            )
    columns = ["employee_id", "month", *_CARD_FIELDS, "computed_at", "revision"]
    stamped = pl.lit(stamp).alias("computed_at")
    bulk_insert(_CARD, columns, created.select(*columns[:-2], stamped, revision=pl.lit(1, dtype=pl.Int64)))
    bulk_insert(
        _CARD,
        ["id", *columns],
        changed.select("id", *columns[:-2], stamped, revision=pl.col("revision") + 1),
    )
    return created.height, changed.height + stale.height, unchanged


def _persist_teams(teams: pl.DataFrame, first: Month, last: Month) -> int:
    stamp = timestamp_text(timezone.now())
    TeamMonth.objects.filter(month__gte=first, month__lte=last).delete()
    rows = teams.select(
        org_unit_id=pl.col("team_id").cast(pl.Int64),
        month=index_as_stored_month("month"),
        members=pl.col("members").cast(pl.Int64),
        members_scored=pl.col("members_scored").cast(pl.Int64),
        members_met=pl.col("members_met").cast(pl.Int64),
        actual=_fixed4("actual").fill_null("0.0000"),
        target=_fixed4("target").fill_null("0.0000"),
        completion=_fixed4("completion"),
        average_composite=_fixed4("average_composite"),
        computed_at=pl.lit(stamp),
    )
    return bulk_insert(TeamMonth._meta.db_table, rows.columns, rows)


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
