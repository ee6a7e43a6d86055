"""Alert rules evaluated on monthly scorecards, and the reconciliation of what they find with stored alerts.

A pure engine: Polars frames and dataclasses in and out, no database. Months are ``Month.index`` integers.

Business rules
--------------
* **Flag.** Each rule flags a person-month: *True* (the condition holds), *False* (measured, does not
  hold) or *null* (missing: no scorecard value, no KPI line, no team average). Missing is never "below":
  as in scoring, we cannot claim a person was below target without data.
* **Kinds.**
  - ``consecutive_below``: the measure (the composite, or one KPI's attainment) is below ``threshold``
    (a share of target). Without a threshold on the composite the flag is "not met" under the scoring
    policy, so the rule follows the policy's met threshold and its stored streaks (连续N个月未完成目标).
  - ``completion_below``: the same test, meant for one month (``months`` = 1).
  - ``below_team_average``: a KPI's actual is below ``factor`` × the mean actual of the person's team that
    month (members with a value, the person included). For a lower-is-better KPI (churn) "worse" means
    above the team mean ÷ ``factor``.
* **Streaks.** A run is consecutive months flagged True; a missing month, a month without a scorecard
  (before joining, after leaving, on leave) or a measured month that does not hold breaks it.
* **Episode.** A run that reaches ``months`` is one episode; its alert month is the month the run first
  reaches ``months`` (= run start + months - 1). One episode, one alert, whatever its length.
* **Recovery.** An episode ends with a *recovery* when the month after its last flagged month is measured
  and not flagged; a missing month after it is no recovery (no data, no news).
* **Reconciliation** with stored alerts (``reconcile_alerts``), over the months evaluated:
  an alert whose month is an episode's month is kept; one whose month still lies inside an episode that
  now reaches ``months`` in another month (restated data) is moved to that month; an episode with no
  alert gets one; an active alert in the evaluated months that no episode supports is withdrawn; one
  whose episode ended by recovery is resolved as recovered (when the rule says so); the alerts of people
  who left are resolved as left; an alert the engine resolved (withdrawn, recovered) whose condition is
  back is reopened. Nothing is ever deleted, and a second evaluation of the same data plans nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

__all__ = [
    "ALERT_COLUMNS",
    "CARD_COLUMNS",
    "LINE_COLUMNS",
    "AlertPlan",
    "RuleSpec",
    "evaluate_rules",
    "reconcile_alerts",
    "rule_flags",
    "rule_streaks",
]

CONSECUTIVE_BELOW = "consecutive_below"
COMPLETION_BELOW = "completion_below"
BELOW_TEAM_AVERAGE = "below_team_average"
KINDS = (CONSECUTIVE_BELOW, COMPLETION_BELOW, BELOW_TEAM_AVERAGE)

CARD_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "employee_id": pl.Int64,
    "month": pl.Int32,
    "team_id": pl.Int64,
    "composite": pl.Float64,
    "is_met": pl.Boolean,
    "streak_below": pl.Int32,
}
LINE_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "employee_id": pl.Int64,
    "month": pl.Int32,
    "kpi": pl.Utf8,
    "actual": pl.Float64,
    "attainment": pl.Float64,
}
ALERT_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "alert_id": pl.Int64,
    "rule_id": pl.Int64,
    "employee_id": pl.Int64,
    "month": pl.Int32,
    "state": pl.Utf8,
    "resolution": pl.Utf8,
}
EPISODE_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "rule_id": pl.Int64,
    "employee_id": pl.Int64,
    "month": pl.Int32,
    "start": pl.Int32,
    "last": pl.Int32,
    "team_id": pl.Int64,
    "value": pl.Float64,
    "is_recovered": pl.Boolean,
    "is_truncated": pl.Boolean,
}

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
WITHDRAWN, RECOVERED, LEFT = "withdrawn", "recovered", "left"
_SYSTEM_RESOLUTIONS = (WITHDRAWN, RECOVERED, LEFT)


def gettext_noop(message: str) -> str:
    """Marks a message for translation without translating it here (the keyword makemessages knows)."""
    return message


class RuleError(ValueError):
    """A rule that cannot be evaluated; ``code`` is stable for callers.

    No Django here, so no translation either: ``template`` is an English message marked for
    ``makemessages`` whose ``%(name)s`` values are in ``params``; the service translates it for the reader.
    """

    def __init__(self, code: str, template: str, **params: object) -> None:
        super().__init__(template % params)
        self.code = code
        self.template = template
        self.params = params


@dataclass(frozen=True)
class RuleSpec:
    """One alert rule as plain values (see the module docstring for the kinds)."""

    rule_id: int
    kind: str
    months: int = 1
    kpi: str | None = None
    threshold: float | None = None
    factor: float | None = None
    kpi_is_lower: bool = False
    resolves_on_recovery: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise RuleError("unknown_kind", gettext_noop("Unknown rule kind: %(kind)s."), kind=self.kind)
        if self.months < 1:
            raise RuleError(
                "invalid_months",
                gettext_noop("A rule counts at least 1 month, not %(months)s."),
                months=self.months,
            )
        if self.kind == BELOW_TEAM_AVERAGE and (self.kpi is None or not self.factor or self.factor <= 0):
            raise RuleError(
                "invalid_rule", gettext_noop("A team-average rule needs a KPI and a factor above zero.")
            )
        if self.kpi is not None and self.kind != BELOW_TEAM_AVERAGE and self.threshold is None:
            raise RuleError(
                "invalid_rule", gettext_noop("A KPI rule needs a threshold (a share of the target).")
            )
        if self.threshold is not None and self.threshold <= 0:
            raise RuleError("invalid_rule", gettext_noop("The threshold must be above zero."))

    @property
    def uses_stored_streaks(self) -> bool:
        """'Not met' on the composite: the scorecards' own streaks, which carry across every close."""
        return self.kpi is None and self.threshold is None and self.kind != BELOW_TEAM_AVERAGE

    @property
    def needs_lines(self) -> bool:
        return self.kpi is not None


def _empty(schema: dict[str, pl.DataType | type[pl.DataType]]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def rule_flags(cards: pl.DataFrame, rule: RuleSpec, lines: pl.DataFrame | None = None) -> pl.DataFrame:
    """employee_id, month, team_id, flag (bool, null = missing), value (the measure), streak_below."""
    base = cards.select("employee_id", "month", "team_id", "composite", "is_met", "streak_below")
    if rule.kpi is None:
        value = pl.col("composite")
        flag = pl.col("is_met").not_() if rule.threshold is None else value < rule.threshold
        return base.select(
            "employee_id", "month", "team_id", "streak_below", flag=flag, value=value.cast(pl.Float64)
        )
    if lines is None:
        raise RuleError(
            "missing_lines",
            gettext_noop("Rule %(rule)s needs the KPI lines of %(kpi)s."),
            rule=rule.rule_id,
            kpi=rule.kpi,
        )
    kpi_lines = lines.filter(pl.col("kpi") == rule.kpi).select("employee_id", "month", "actual", "attainment")
    joined = base.join(kpi_lines, on=["employee_id", "month"], how="left")
    if rule.kind != BELOW_TEAM_AVERAGE:
        threshold = float(rule.threshold or 0)  # RuleSpec guarantees a threshold on KPI rules
        return joined.select(
            "employee_id",
            "month",
            "team_id",
            "streak_below",
            flag=pl.col("attainment") < threshold,
            value=pl.col("attainment"),
        )
    factor = float(rule.factor or 1)
    average = pl.col("actual").mean().over("team_id", "month")
    flag = pl.col("actual") > average / factor if rule.kpi_is_lower else pl.col("actual") < average * factor
    ratio = pl.when(average != 0).then(pl.col("actual") / average)
    return joined.select("employee_id", "month", "team_id", "streak_below", flag=flag, value=ratio)


def rule_streaks(flags: pl.DataFrame, rule: RuleSpec) -> pl.DataFrame:
    """Add ``streak``: consecutive flagged months ending at each row (0 when not flagged).

    Rows must be sorted by employee and month. The stored ``streak_below`` is used for the policy's
    "not met" so that streaks continue across closes beyond the months loaded.
    """
    if rule.uses_stored_streaks:
        return flags.with_columns(
            streak=pl.when(pl.col("flag")).then(pl.col("streak_below")).otherwise(0).cast(pl.Int32)
        )
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    flagged = pl.col("flag").fill_null(False)
    continues = (
        (pl.col("employee_id") == pl.col("employee_id").shift(1))
        & (pl.col("month") == pl.col("month").shift(1) + 1)
        & flagged.shift(1)
    ).fill_null(False)
    starts = flagged & continues.not_()
    run_start = pl.when(starts).then(row).forward_fill()
    return flags.with_columns(streak=pl.when(flagged).then(row - run_start + 1).otherwise(0).cast(pl.Int32))


def evaluate_rules(
    *,
    cards: pl.DataFrame,
    rules: Sequence[RuleSpec],
    first: int,
    last: int,
    lines: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Episodes and flags of every rule over the months ``first``..``last``.

    ``cards`` (``CARD_COLUMNS``) may start earlier than ``first``: those months only feed the streaks of
    rules that compute their own; the stored-streak rules need no history. Returns ``(episodes, flags)``:
    episodes (``EPISODE_COLUMNS``) that have a flagged month in the range, and the range's flags
    (rule_id, employee_id, month, flag) that reconciliation needs to see recoveries.
    """
    cards = cards.sort("employee_id", "month")
    loaded_first = int(cards["month"].min()) if cards.height else first  # type: ignore[arg-type]
    episodes: list[pl.DataFrame] = []
    window_flags: list[pl.DataFrame] = []
    for rule in rules:
        streaks = rule_streaks(rule_flags(cards, rule, lines), rule).with_columns(
            rule_id=pl.lit(rule.rule_id, dtype=pl.Int64)
        )
        in_range = streaks.filter(pl.col("month").is_between(first, last))
        window_flags.append(in_range.select("rule_id", "employee_id", "month", "flag"))
        episodes.append(_episodes(streaks, in_range, rule, first=first, last=last, loaded_first=loaded_first))
    flags = (
        pl.concat(window_flags)
        if window_flags
        else _empty({"rule_id": pl.Int64, "employee_id": pl.Int64, "month": pl.Int32, "flag": pl.Boolean})
    )
    return (pl.concat(episodes) if episodes else _empty(EPISODE_COLUMNS)), flags


def _episodes(
    streaks: pl.DataFrame, in_range: pl.DataFrame, rule: RuleSpec, *, first: int, last: int, loaded_first: int
) -> pl.DataFrame:
    n = rule.months
    qualifying = in_range.filter(pl.col("streak") >= n).with_columns(
        episode=(pl.col("month") - (pl.col("streak") - n)).cast(pl.Int32),
        start=(pl.col("month") - pl.col("streak") + 1).cast(pl.Int32),
    )
    if qualifying.height == 0:
        return _empty(EPISODE_COLUMNS)
    grouped = qualifying.group_by("employee_id", "episode").agg(
        start=pl.col("start").first(),
        last=pl.col("month").max(),
        first_seen=pl.col("month").min(),
        team_first_seen=pl.col("team_id").sort_by("month").first(),
    )
    # The team and the measure in the alert's own month (it may lie before the range: take what is loaded).
    at_month = streaks.select("employee_id", episode="month", team_at="team_id", value="value").with_columns(
        pl.col("episode").cast(pl.Int32)
    )
    after = in_range.select("employee_id", after="month", recovered=pl.col("flag").not_()).with_columns(
        pl.col("after").cast(pl.Int32)
    )
    return (
        grouped.join(at_month, on=["employee_id", "episode"], how="left")
        .with_columns(next_month=(pl.col("last") + 1).cast(pl.Int32))
        .join(after, left_on=["employee_id", "next_month"], right_on=["employee_id", "after"], how="left")
        .select(
            rule_id=pl.lit(rule.rule_id, dtype=pl.Int64),
            employee_id="employee_id",
            month="episode",
            start="start",
            last="last",
            team_id=pl.coalesce("team_at", "team_first_seen"),
            value="value",
            is_recovered=(pl.col("recovered").fill_null(False) & (pl.col("next_month") <= last)),
            is_truncated=(pl.col("start") <= loaded_first) & (pl.lit(not rule.uses_stored_streaks)),
        )
        .cast(EPISODE_COLUMNS)  # type: ignore[arg-type]
    )


@dataclass
class AlertPlan:
    """What the close must write; every list is empty when nothing changed."""

    create: list[dict[str, Any]] = field(default_factory=list)
    """rule_id, employee_id, month, start, team_id, value, resolution ("" or "recovered")."""
    move: list[dict[str, Any]] = field(default_factory=list)
    """alert_id, month (new), start, team_id, value, restated_from (old month)."""
    reopen: list[int] = field(default_factory=list)
    resolve: list[tuple[int, str]] = field(default_factory=list)
    """(alert_id, resolution)."""

    @property
    def is_empty(self) -> bool:
        return not (self.create or self.move or self.reopen or self.resolve)


def reconcile_alerts(
    *,
    episodes: pl.DataFrame,
    flags: pl.DataFrame,
    alerts: pl.DataFrame,
    rules: Sequence[RuleSpec],
    first: int,
    last: int,
    departed: Iterable[int] = (),
) -> AlertPlan:
    """Plan the alert writes that make stored alerts agree with the episodes of months ``first``..``last``.

    ``alerts`` (``ALERT_COLUMNS``) are the stored alerts of the rules evaluated that may be concerned:
    every active one, and every one from the first episode start on. ``departed`` are people no longer
    employed at ``last``: their active alerts are resolved as left.
    """
    plan = AlertPlan()
    recovers = {rule.rule_id: rule.resolves_on_recovery for rule in rules}
    by_key: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for alert in alerts.iter_rows(named=True):
        by_key.setdefault((alert["rule_id"], alert["employee_id"]), []).append(alert)
    matched: set[int] = set()
    finished: dict[int, int] = {}  # alert id → last flagged month of its episode, when it recovered
    ongoing: set[int] = set()
    # Exact matches first, so that a moved alert never takes an episode that has its own alert.
    pending: list[dict[str, Any]] = []
    for episode in episodes.sort("rule_id", "employee_id", "month").iter_rows(named=True):
        key = (episode["rule_id"], episode["employee_id"])
        exact = next((a for a in by_key.get(key, []) if a["month"] == episode["month"]), None)
        if exact is None:
            pending.append(episode)
            continue
        _adopt(plan, exact, episode, matched, finished, ongoing)
    for episode in pending:
        key = (episode["rule_id"], episode["employee_id"])
        candidates = [
            a
            for a in by_key.get(key, [])
            if a["alert_id"] not in matched
            and (
                episode["start"] <= a["month"] <= episode["last"]
                or (episode["is_truncated"] and a["month"] < episode["start"] and a["state"] != RESOLVED)
            )
        ]
        if candidates:
            alert = min(candidates, key=lambda a: int(a["month"]))
            plan.move.append(
                {
                    "alert_id": alert["alert_id"],
                    "month": episode["month"],
                    "start": episode["start"],
                    "team_id": episode["team_id"],
                    "value": episode["value"],
                    "restated_from": alert["month"],
                }
            )
            _adopt(plan, alert, episode, matched, finished, ongoing)
            continue
        plan.create.append(
            {
                "rule_id": episode["rule_id"],
                "employee_id": episode["employee_id"],
                "month": episode["month"],
                "start": episode["start"],
                "team_id": episode["team_id"],
                "value": episode["value"],
                "resolution": RECOVERED if episode["is_recovered"] and recovers[episode["rule_id"]] else "",
            }
        )
    gone = set(departed)
    for row in plan.create:
        if not row["resolution"] and row["employee_id"] in gone:
            row["resolution"] = LEFT
    reopened = set(plan.reopen)
    recovered_later = _recovered_later(alerts, flags)
    for alert in alerts.iter_rows(named=True):
        alert_id = alert["alert_id"]
        is_active = alert["state"] != RESOLVED or alert_id in reopened
        if not is_active:
            continue
        if alert["employee_id"] in gone:
            plan.resolve.append((alert_id, LEFT))
        elif alert_id not in matched and first <= alert["month"] <= last:
            plan.resolve.append((alert_id, WITHDRAWN))
        elif not recovers.get(alert["rule_id"], False) or alert_id in ongoing:
            continue
        elif alert_id in finished or (alert_id not in matched and alert_id in recovered_later):
            plan.resolve.append((alert_id, RECOVERED))
    return plan


def _adopt(
    plan: AlertPlan,
    alert: dict[str, Any],
    episode: dict[str, Any],
    matched: set[int],
    finished: dict[int, int],
    ongoing: set[int],
) -> None:
    """Tie an alert to an episode; reopen it if the engine had resolved it and the condition is back."""
    alert_id = int(alert["alert_id"])
    matched.add(alert_id)
    if episode["is_recovered"]:
        finished[alert_id] = int(episode["last"])
    else:
        ongoing.add(alert_id)
    is_engine_resolved = alert["state"] == RESOLVED and alert["resolution"] in (WITHDRAWN, RECOVERED)
    if is_engine_resolved and not (alert["resolution"] == RECOVERED and episode["is_recovered"]):
        plan.reopen.append(alert_id)


def _recovered_later(alerts: pl.DataFrame, flags: pl.DataFrame) -> set[int]:
    """Alerts with a measured month after their own month that does not meet their rule's condition."""
    if alerts.height == 0 or flags.height == 0:
        return set()
    met = flags.filter(pl.col("flag").not_()).select("rule_id", "employee_id", later="month")
    later = (
        alerts.select("alert_id", "rule_id", "employee_id", "month")
        .join(met, on=["rule_id", "employee_id"], how="inner")
        .filter(pl.col("later") > pl.col("month"))
    )
    return set(later["alert_id"].to_list())
