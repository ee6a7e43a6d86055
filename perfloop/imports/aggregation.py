"""Raw events → monthly KPI facts, with the rows behind every value (lineage).

Pure (Polars, exact decimals). One function per kind of file; each returns :data:`FACTS_SCHEMA` rows:
``employee_id``, ``month`` (``YYYYMM``), ``kpi``, ``value`` and ``lineage`` (a JSON object: the source rows
and the parts of a ratio, e.g. ``{"rows": [4, 9], "won": 1, "lost": 1}``).

Listed or counted lineage: with ``list_rows`` (the default) every fact lists its row numbers. Without it
the facts whose rows are simply "the person-month's rows that the KPI's rule counts" (revenue, conversion,
collection rate, follow-ups, feedback, training) say only how many there are (``{"row_count": 16, …}``):
the list is recovered from the batch's kept rows by running this same aggregation on the person-month
(``lineage.fact_rows``). New customers, churn and monthly KPI values always list their rows — few per fact,
and not recoverable from one person-month alone.

The business rules (product.md §1 and the KPI catalogue):

* revenue — sum of the amounts of deals **won**, by the month of their close date;
* conversion rate — deals won ÷ deals closed (won + lost) in the month;
* new customers — accounts whose **first ever** won deal closed in the month (earlier wins in other files
  count: an account won last year is not new this year);
* collection rate — collected ÷ due for the receivables of the month;
* follow-ups — activities logged in the month (optionally only some types);
* feedback score — mean score of the month;
* churn rate — accounts lost in the month ÷ accounts active in it;
* training participation — sessions attended ÷ sessions enrolled in the month.

Coverage: inside the declared months an employee of the population without rows gets a real 0 for the
*counting* KPIs (revenue, new customers, follow-ups). A ratio or mean without a denominator is undefined,
so it gets no value — missing is not zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from perfloop.imports.parsers import DECIMAL, month_of
from perfloop.imports.profiles import value_key
from perfloop.imports.readers import ROW

FACTS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "employee_id": pl.Int64,
    "month": pl.Int32,
    "kpi": pl.String,
    "value": DECIMAL,
    "lineage": pl.String,
}
ZERO_FILLED_KPIS = frozenset({"revenue", "new_customers", "follow_ups"})
FIRST_WINS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "account": pl.String,
    "first_won_on": pl.Date,
    "employee_id": pl.Int64,
    ROW: pl.Int64,
}


@dataclass
class Aggregated:
    facts: pl.DataFrame  # FACTS_SCHEMA
    first_wins: pl.DataFrame  # deals only: each account's first won deal in this file (FIRST_WINS_SCHEMA)


def empty_facts() -> pl.DataFrame:
    return pl.DataFrame(schema=FACTS_SCHEMA)


def event_month(events: pl.DataFrame, kind: str) -> pl.Expr:
    """The month a row counts in, per kind (``None`` for rows that count in no month, e.g. open deals)."""
    if kind == "deals":
        return pl.when(pl.col("stage").is_in(["won", "lost"])).then(month_of(pl.col("close_date")))
    if kind == "collections":
        if "period" in events.columns and "due_date" in events.columns:
            return pl.coalesce(pl.col("period"), month_of(pl.col("due_date")))
        return pl.col("period") if "period" in events.columns else month_of(pl.col("due_date"))
    if kind in {"activities", "feedback", "training"}:
        return month_of(pl.col("date"))
    if kind in {"monthly_kpis", "wages"}:
        return pl.col("month")
    return pl.lit(None, dtype=pl.Int32)


def account_key(expr: pl.Expr) -> pl.Expr:
    """Accounts compare without spaces, width or case (``ＡＢＣ 公司`` = ``abc公司``)."""
    return expr.str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_lowercase()


def _rows_json(rows: pl.Expr) -> pl.Expr:
    """``[2,5,9]`` from a group's row numbers (events arrive in file order, so the list is already sorted)."""
    return pl.concat_str(pl.lit("["), rows.cast(pl.String).str.join(","), pl.lit("]"))


def _json_list(rows: pl.Expr) -> pl.Expr:
    """``[2,5,9]`` from a list column of row numbers."""
    return pl.concat_str(pl.lit("["), rows.cast(pl.List(pl.String)).list.join(","), pl.lit("]"))


def _quoted(expr: pl.Expr) -> pl.Expr:
    """Amounts go into lineage as strings: JSON numbers would come back as floats."""
    return pl.concat_str(pl.lit('"'), expr.cast(pl.String), pl.lit('"'))


def _lineage(rows: pl.Expr, *, listed: bool = True, **parts: pl.Expr) -> pl.Expr:
    """``{"rows": [...], "won": 3, …}`` built in Polars (a million row numbers never pass through Python);
    ``{"row_count": 16, …}`` when the rows are counted, not listed (``rows`` is then the count)."""
    pieces: list[pl.Expr] = [pl.lit('{"rows":' if listed else '{"row_count":'), rows.cast(pl.String)]
    for name, expr in parts.items():
        pieces.append(pl.lit(f',"{name}":'))
        pieces.append(expr.cast(pl.String))
    pieces.append(pl.lit("}"))
    return pl.concat_str(pieces)


def _behind(rows: pl.Expr, *, listed: bool) -> pl.Expr:
    """In an aggregation: the group's row numbers as a JSON list, or only how many there are."""
    return _rows_json(rows) if listed else rows.len()


def aggregate(
    events: pl.DataFrame | pl.LazyFrame,
    *,
    kind: str,
    months: Sequence[int],
    prior_first_wins: pl.DataFrame | None = None,
    count_types: Sequence[str] = (),
    list_rows: bool = True,
) -> Aggregated:
    """Monthly facts of one kind from its valid, employee-matched events (``employee_id``, ``__month``);
    ``list_rows=False`` counts the rows behind each fact instead of listing them (see the module's doc)."""
    empty_wins = pl.DataFrame(schema=FIRST_WINS_SCHEMA)
    if kind == "deals" and isinstance(events, pl.LazyFrame):
        # A plan over the caller's rows (a lazy filter of a million, say): read once, in file order.
        prior = prior_first_wins if prior_first_wins is not None else empty_wins
        return _deals(events, prior, listed=list_rows)
    if isinstance(events, pl.LazyFrame):
        events = events.collect()
    if ROW in events.columns and not events[ROW].is_sorted():
        events = events.sort(ROW)
    if kind == "deals":
        prior = prior_first_wins if prior_first_wins is not None else empty_wins
        return _deals(events, prior, listed=list_rows)
    if kind == "collections":
        return Aggregated(_collections(events, listed=list_rows), empty_wins)
    if kind == "activities":
        return Aggregated(_activities(events, count_types, listed=list_rows), empty_wins)
    if kind == "feedback":
        return Aggregated(_feedback(events, listed=list_rows), empty_wins)
    if kind == "accounts":
        return Aggregated(_churn(events, months), empty_wins)
    if kind == "training":
        return Aggregated(_training(events, listed=list_rows), empty_wins)
    if kind == "monthly_kpis":
        return Aggregated(_monthly_kpis(events), empty_wins)
    raise ValueError(f"{kind} files do not make KPI facts")


def _facts(frame: pl.DataFrame, kpi: str) -> pl.DataFrame:
    return frame.select(
        pl.col("employee_id").cast(pl.Int64),
        pl.col("__month").cast(pl.Int32).alias("month"),
        pl.lit(kpi).alias("kpi"),
        pl.col("value").cast(DECIMAL),
        pl.col("lineage"),
    )


def _deals(
    events: pl.DataFrame | pl.LazyFrame, prior_first_wins: pl.DataFrame, *, listed: bool
) -> Aggregated:
    won = pl.col("stage") == "won"
    closed = (
        events.lazy()
        .select(ROW, "employee_id", "__month", "stage", "amount", "account", "close_date")
        .filter(pl.col("stage").is_in(["won", "lost"]) & pl.col("__month").is_not_null())
    )
    sums = closed.group_by("employee_id", "__month").agg(
        revenue=pl.col("amount").filter(won).sum().fill_null(0).cast(DECIMAL),
        won=won.sum(),
        lost=(~won).sum(),
        won_rows=pl.col(ROW).filter(won) if listed else won.sum(),
        closed_rows=pl.col(ROW) if listed else pl.len(),
    )
    by_person = (
        sums.with_columns(
            won_rows=_json_list(pl.col("won_rows")), closed_rows=_json_list(pl.col("closed_rows"))
        )
        if listed
        else sums
    )
    wins = closed.filter(won).select(ROW, "employee_id", "__month", "account", "close_date")
    # Per account, its earliest win; among wins on the same day the first in the file (a group keeps file
    # order, and arg_min takes the first of equal minima).
    earliest = pl.col("close_date").arg_min()
    first_per_name = wins.group_by("account").agg(
        first_won_on=pl.col("close_date").min(),
        employee_id=pl.col("employee_id").get(earliest),
        row=pl.col(ROW).get(earliest),
        month=pl.col("__month").get(earliest),
    )
    # Both halves read the file's closed deals once, side by side on the cores (one query plan).
    by_person_frame, names = pl.collect_all([by_person, first_per_name])
    # Names that differ only in spacing, width or case are one account: its first win is the earliest of
    # theirs (the earlier row on the same day).
    first_wins = (
        names.with_columns(key=account_key(pl.col("account")))
        .sort("first_won_on", "row")
        .unique("key", keep="first")
        .select(
            pl.col("key").alias("account"), "first_won_on", "employee_id", pl.col("row").alias(ROW), "month"
        )
    )
    revenue = by_person_frame.filter(pl.col("won") > 0).with_columns(
        value=pl.col("revenue"),
        lineage=_lineage(pl.col("won_rows"), listed=listed, deals_won=pl.col("won")),
    )
    conversion = by_person_frame.with_columns(
        value=pl.col("won").cast(DECIMAL) / (pl.col("won") + pl.col("lost")).cast(DECIMAL),
        lineage=_lineage(pl.col("closed_rows"), listed=listed, won=pl.col("won"), lost=pl.col("lost")),
    )
    earlier = prior_first_wins.group_by("account").agg(prior=pl.col("first_won_on").min())
    new = first_wins.join(earlier, on="account", how="left").filter(
        pl.col("prior").is_null() | (pl.col("first_won_on") < pl.col("prior"))
    )
    new_customers = new.group_by("employee_id", pl.col("month").alias("__month")).agg(
        value=pl.len().cast(DECIMAL), lineage=_lineage(_rows_json(pl.col(ROW).sort()))
    )
    facts = pl.concat(
        [
            _facts(revenue, "revenue"),
            _facts(conversion, "conversion_rate"),
            _facts(new_customers, "new_customers"),
        ]
    )
    return Aggregated(facts, first_wins.select(list(FIRST_WINS_SCHEMA)))


def _collections(events: pl.DataFrame, *, listed: bool) -> pl.DataFrame:
    grouped = (
        events.filter(pl.col("__month").is_not_null())
        .group_by("employee_id", "__month")
        .agg(
            due=pl.col("amount_due").sum().cast(DECIMAL),
            collected=pl.col("amount_collected").sum().cast(DECIMAL),
            rows=_behind(pl.col(ROW), listed=listed),
        )
    )
    measurable = grouped.filter(pl.col("due") > 0).with_columns(
        value=pl.col("collected") / pl.col("due"),
        lineage=_lineage(
            pl.col("rows"), listed=listed, due=_quoted(pl.col("due")), collected=_quoted(pl.col("collected"))
        ),
    )
    return _facts(measurable, "collection_rate")


def _activities(events: pl.DataFrame, count_types: Sequence[str], *, listed: bool) -> pl.DataFrame:
    counted = events
    if count_types and "activity_type" in events.columns:
        keys = [value_key(kind) for kind in count_types]
        counted = events.filter(account_key(pl.col("activity_type")).is_in(keys))
    grouped = counted.group_by("employee_id", "__month").agg(
        value=pl.len().cast(DECIMAL), lineage=_lineage(_behind(pl.col(ROW), listed=listed), listed=listed)
    )
    return _facts(grouped, "follow_ups")


def _feedback(events: pl.DataFrame, *, listed: bool) -> pl.DataFrame:
    grouped = events.group_by("employee_id", "__month").agg(
        total=pl.col("score").sum().cast(DECIMAL),
        answers=pl.len(),
        rows=_behind(pl.col(ROW), listed=listed),
    )
    return _facts(
        grouped.with_columns(
            value=pl.col("total") / pl.col("answers").cast(DECIMAL),
            lineage=_lineage(pl.col("rows"), listed=listed, answers=pl.col("answers")),
        ),
        "feedback_score",
    )


def _churn(events: pl.DataFrame, months: Sequence[int]) -> pl.DataFrame:
    if not months or events.height == 0:
        return empty_facts()
    calendar = (
        pl.DataFrame({"__month": list(months)}, schema={"__month": pl.Int32})
        .with_columns(first_day=pl.date(pl.col("__month") // 100, pl.col("__month") % 100, 1))
        .with_columns(last_day=pl.col("first_day").dt.month_end())
    )
    accounts = events.select("employee_id", "since", "churned_on", ROW).join(calendar, how="cross")
    active = accounts.filter(
        (pl.col("since") <= pl.col("last_day"))
        & (pl.col("churned_on").is_null() | (pl.col("churned_on") >= pl.col("first_day")))
    )
    churned = pl.col("churned_on").is_between(pl.col("first_day"), pl.col("last_day"))
    grouped = active.group_by("employee_id", "__month").agg(
        active=pl.len(), churned=churned.sum(), rows=_rows_json(pl.col(ROW).filter(churned))
    )
    return _facts(
        grouped.with_columns(
            value=pl.col("churned").cast(DECIMAL) / pl.col("active").cast(DECIMAL),
            lineage=_lineage(pl.col("rows"), active=pl.col("active"), churned=pl.col("churned")),
        ),
        "churn_rate",
    )


def _training(events: pl.DataFrame, *, listed: bool) -> pl.DataFrame:
    attended = pl.col("attendance") == "attended"
    aggregations = [
        pl.len().alias("enrolled"),
        attended.sum().alias("attended"),
        _behind(pl.col(ROW), listed=listed).alias("rows"),
    ]
    if "exam_score" in events.columns:
        aggregations.append(pl.col("exam_score").mean().cast(pl.String).alias("exam_mean"))
    grouped = events.group_by("employee_id", "__month").agg(aggregations)
    lineage_parts = {"enrolled": pl.col("enrolled"), "attended": pl.col("attended")}
    if "exam_mean" in grouped.columns:
        lineage_parts["exam_mean"] = pl.concat_str(
            pl.lit('"'), pl.col("exam_mean").fill_null(""), pl.lit('"')
        )
    return _facts(
        grouped.with_columns(
            value=pl.col("attended").cast(DECIMAL) / pl.col("enrolled").cast(DECIMAL),
            lineage=_lineage(pl.col("rows"), listed=listed, **lineage_parts),
        ),
        "training_participation",
    )


def _monthly_kpis(events: pl.DataFrame) -> pl.DataFrame:
    return events.select(
        pl.col("employee_id").cast(pl.Int64),
        pl.col("__month").cast(pl.Int32).alias("month"),
        pl.col("kpi"),
        pl.col("value").cast(DECIMAL),
        pl.concat_str(pl.lit('{"rows":['), pl.col(ROW).cast(pl.String), pl.lit("]}")).alias("lineage"),
    )


def zero_fill(facts: pl.DataFrame, population: pl.DataFrame, kpis: Sequence[str]) -> pl.DataFrame:
    """A real 0 for the counting KPIs of each person-month of the population (``employee_id``, ``month``)."""
    fill = [kpi for kpi in kpis if kpi in ZERO_FILLED_KPIS]
    if not fill or population.height == 0:
        return facts
    grid = population.select(pl.col("employee_id").cast(pl.Int64), pl.col("month").cast(pl.Int32)).join(
        pl.DataFrame({"kpi": fill}), how="cross"
    )
    missing = grid.join(
        facts.select("employee_id", "month", "kpi"), on=["employee_id", "month", "kpi"], how="anti"
    )
    zeros = missing.with_columns(
        value=pl.lit(0).cast(DECIMAL),
        lineage=pl.lit('{"rows":[],"zero":"no rows inside the declared coverage"}'),
    )
    return pl.concat([facts, zeros.select(list(FACTS_SCHEMA))])
