"""The import pipeline behind ``services.import_file``: read → map → validate → match → plan → apply.

``prepare`` does everything that only *reads* the database (the file is parsed, rows validated, people
matched, coverage and conflicts checked, facts computed): it can take seconds on a big file and holds no
lock. ``apply_facts`` then writes the plan in one transaction (the caller's ``atomic`` block): quarantined
rows, coverage claims, facts, account history, the batch's events and its status. A crash anywhere before
the commit leaves the database exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection
from django.utils import timezone

from perfloop.accounts.models import User
from perfloop.accounts.selectors import employee_scope_for
from perfloop.core.bulk import bulk_insert
from perfloop.core.months import Month, month_range
from perfloop.imports import aggregation
from perfloop.imports.facts import FactWrite, Replaced, facts_write
from perfloop.imports.file_check import percent_text
from perfloop.imports.matching import DIRECTORY_SCHEMA, match_employees
from perfloop.imports.models import BatchEvents, CoverageClaim, ImportBatch, QuarantinedRow
from perfloop.imports.parsers import month_of
from perfloop.imports.problems import ImportRejected, describe
from perfloop.imports.profiles import ColumnMapping, ProfileSpec, map_columns, parse_profile
from perfloop.imports.readers import ROW, RawTable, ReadOptions, read_table
from perfloop.imports.validation import (
    CheckContext,
    cell_names,
    check_table,
    errors_from,
    kpi_name_map,
    raw_rows,
)
from perfloop.metrics.models import Kpi, MonthlyFact
from perfloop.org.models import Employee, OrgUnit

Progress = Callable[[str, float], None]
_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="perfloop-import")
EMPLOYEE_FIELD = {"owner", "employee"}
# Facts of a file with more valid rows than this count their rows instead of listing them (lineage.py finds
# them again): listed, a million rows are ten megabytes of JSON and a third of PostgreSQL's write.
LINEAGE_LISTED_ROWS = 100_000
# Errors that say nothing about the facts of the person-month (the row is a repeat of a counted row, or
# belongs to another period).
_NEUTRAL_CODES = {"duplicate_row", "outside_coverage"}
_QUARANTINE_CAP_REJECTED = 10_000


@dataclass
class Plan:
    """What applying a file will do, computed before any write."""

    table: RawTable
    spec: ProfileSpec
    errors: pl.DataFrame
    events: pl.DataFrame  # every row read: typed fields + employee_id + __month (wages: the valid ones)
    rows_total: int
    rows_valid: int = 0
    months: list[int] = field(default_factory=list)
    kpis: list[str] = field(default_factory=list)
    unit_path: str = ""
    facts: pl.DataFrame = field(default_factory=aggregation.empty_facts)
    first_wins: pl.DataFrame | None = None
    takeovers: dict[int, set[tuple[int, str]]] = field(default_factory=dict)  # batch -> {(month, kpi)}
    warnings: list[dict[str, Any]] = field(default_factory=list)
    zero_filled: int = 0
    withheld: int = 0
    rejection: ImportRejected | None = None
    is_valid: pl.Series | None = None  # per row of ``events``: no error
    encoded: Future[tuple[bytes, int]] | None = None
    counting_rows: pl.DataFrame | None = None

    @property
    def rows_quarantined(self) -> int:
        return int(self.errors[ROW].n_unique()) if self.errors.height else 0

    def start_encoding(self) -> None:
        """Start encoding the kept rows on the background thread (once).

        Called when the facts have been handed to the database: the encoding is CPU work that releases the
        GIL, so it runs on the core the client leaves idle while PostgreSQL (or SQLite, with the GIL
        released) writes — started earlier, it would compete with aggregation and with rendering the facts
        for the same cores.
        """
        self._encoding()

    def kept_rows_encoded(self) -> tuple[bytes, int]:
        """The kept rows as Parquet and how many are valid (waits for the background encoding)."""
        return self._encoding().result()

    def _encoding(self) -> Future[tuple[bytes, int]]:
        if self.encoded is None:
            valid = self.is_valid if self.is_valid is not None else self.valid_mask()
            self.encoded = _BACKGROUND.submit(
                events_encode, self.table, self.events, self.spec.kind.record_key, valid
            )
        return self.encoded

    def valid_mask(self) -> pl.Series:
        return ~self.events[ROW].is_in(self.errors[ROW].unique().implode())


# --- reading --------------------------------------------------------------------------------------


def read_and_map(data: bytes, *, file_name: str, spec: ProfileSpec) -> tuple[RawTable, ColumnMapping]:
    options = ReadOptions(
        encoding=spec.encoding, delimiter=spec.delimiter, sheet=spec.sheet, header_row=spec.header_row
    )
    table = read_table(data, file_name=file_name, options=options, known=spec.known_header_keys())
    if not table.header and table.bad_rows:
        raise ImportRejected(
            "invalid_json", reason=describe(table.bad_rows[0].code, table.bad_rows[0].details)
        )
    mapping = map_columns(table.header, spec)
    if table.frame.height == 0 and not table.bad_rows:
        raise ImportRejected("no_data_rows")
    return table, mapping


def read_and_map_soon(
    data: bytes, *, file_name: str, spec: ProfileSpec
) -> Future[tuple[RawTable, ColumnMapping]]:
    """``read_and_map`` started on the background thread (its result, or the rejection, comes later)."""
    return _BACKGROUND.submit(read_and_map, data, file_name=file_name, spec=spec)


def check_context(first: Month | None, last: Month | None) -> CheckContext:
    catalogue = list(Kpi.objects.values_list("code", "name_zh", "name_en"))
    return CheckContext(
        today=timezone.localdate(),
        kpi_names=kpi_name_map(catalogue),
        kpi_units=dict(Kpi.objects.values_list("code", "unit")),
        first=first.as_int() if first else None,
        last=last.as_int() if last else None,
    )


def directory_for(actor: User | None) -> pl.DataFrame:
    """The people whose rows this importer may bring in (HRBPs: their scope; the system: everyone)."""
    people = Employee.objects.all() if _is_system(actor) else employee_scope_for(viewer=actor)  # type: ignore[arg-type]
    rows = list(people.values_list("pk", "employee_number", "email", "name"))
    return pl.DataFrame(rows, schema=DIRECTORY_SCHEMA, orient="row")


def _is_system(actor: User | None) -> bool:
    return actor is None or bool(getattr(actor, "is_superuser", False))


# --- planning -------------------------------------------------------------------------------------


def prepare(
    *,
    batch: ImportBatch,
    table: RawTable,
    mapping: ColumnMapping,
    spec: ProfileSpec,
    actor: User | None,
    first: Month | None,
    last: Month | None,
    unit: OrgUnit | None,
    progress: Progress,
) -> Plan:
    """Everything up to the writes; raises ``ImportRejected`` for a file that cannot be applied."""
    progress("validating", 0.25)
    checked = check_table(table, spec, mapping, check_context(first, last))
    kind = spec.kind.name
    events = checked.values
    errors = [checked.errors]
    progress("matching", 0.45)
    employee_field = next((name for name in EMPLOYEE_FIELD if name in events.columns), None)
    if employee_field is None:
        raise ImportRejected("invalid_profile", reason=f"{kind} files need an employee column")
    matched = match_employees(events[employee_field], directory_for(actor), mode=spec.match)
    raw_people = events[employee_field]
    # The person's id replaces the text that named them (one column less to carry through the import).
    events = events.with_columns(employee_id=matched["employee_id"]).drop(employee_field)
    problem = matched["code"].is_not_null()
    if problem.any():
        errors.append(
            errors_from(
                events[ROW].filter(problem),
                code="",
                field_name=employee_field,
                column=table.header[mapping.columns[employee_field]],
                values=raw_people.filter(problem),
                details=matched["details"].filter(problem),
            ).with_columns(code=matched["code"].filter(problem))
        )
    # The text that named people is not needed past this point: let its million cells go before the rest.
    rows_total = checked.rows_total
    del checked, matched, raw_people, problem
    events = events.with_columns(__month=aggregation.event_month(events, kind))
    plan = Plan(table=table, spec=spec, errors=pl.concat(errors), events=events, rows_total=rows_total)
    plan.months = _coverage_months(plan, first, last)
    _check_coverage(plan, first, last)
    _check_error_share(plan)
    if plan.rejection is not None:
        return plan
    plan.unit_path = unit.path if unit is not None else ""
    if kind == "wages":  # master data: no KPI facts, no coverage claims
        plan.events = plan.events.filter(~pl.col(ROW).is_in(plan.errors[ROW].unique().implode()))
        return plan
    plan.kpis = _kpis(plan)
    try:
        plan.takeovers = _takeovers(batch, plan)
    except ImportRejected as exc:  # a period held by another source: refused, with the row problems so far
        plan.rejection = exc
        return plan
    progress("checking", 0.55)
    _check_other_batches(batch, plan)
    _check_error_share(plan)
    if plan.rejection is not None:
        return plan
    progress("aggregating", 0.65)
    # A mask, not a filtered copy: a million rows of every typed column are not copied to drop a few bad ones
    # (aggregation reads the valid rows through a lazy filter, the kept rows are flagged).
    is_valid = plan.valid_mask()
    plan.is_valid = is_valid
    plan.rows_valid = int(is_valid.sum())
    prior = _prior_first_wins(batch, plan) if kind == "deals" else None
    aggregated = aggregation.aggregate(
        plan.events.lazy().filter(is_valid),
        kind=kind,
        months=plan.months,
        prior_first_wins=prior,
        count_types=spec.count_types,
        list_rows=plan.rows_valid <= LINEAGE_LISTED_ROWS,
    )
    facts = aggregated.facts.filter(pl.col("month").is_in(plan.months))
    if plan.unit_path:
        facts = facts.filter(pl.col("employee_id").is_in(_unit_members(plan.unit_path).implode()))
    facts, plan.withheld = _withhold(plan, facts)
    if batch.is_zero_filled:
        facts = _zero_fill(plan, facts, actor)
    plan.facts = facts
    plan.first_wins = aggregated.first_wins
    return plan


def _coverage_months(plan: Plan, first: Month | None, last: Month | None) -> list[int]:
    if first is not None and last is not None:
        return [month.as_int() for month in month_range(first, last)]
    if plan.spec.kind.name == "accounts":
        raise ImportRejected(
            "invalid_period", reason="a customer-accounts file needs a declared period (--period)"
        )
    months = plan.events.select(ROW, "__month")  # two integer columns, not every text column, are filtered
    known = months.filter(~pl.col(ROW).is_in(plan.errors[ROW].implode()))["__month"].drop_nulls()
    if known.len() == 0:
        known = plan.events["__month"].drop_nulls()
    if known.len() == 0:
        return []
    low, high = Month.from_int(int(known.min())), Month.from_int(int(known.max()))  # type: ignore[arg-type]
    return [month.as_int() for month in month_range(low, high)]


def _check_coverage(plan: Plan, first: Month | None, last: Month | None) -> None:
    """Rows whose month lies outside the declared period are quarantined, not silently moved."""
    if first is None or last is None:
        return
    outside = plan.events.filter(
        pl.col("__month").is_not_null() & ~pl.col("__month").is_between(first.as_int(), last.as_int())
    )
    if outside.height == 0:
        return
    details = [
        json.dumps({"month": str(Month.from_int(month)), "first": str(first), "last": str(last)})
        for month in outside["__month"].to_list()
    ]
    plan.errors = pl.concat(
        [
            plan.errors,
            errors_from(
                outside[ROW],
                code="outside_coverage",
                values=[str(Month.from_int(month)) for month in outside["__month"].to_list()],
                details=details,
            ),
        ]
    )


def _check_error_share(plan: Plan) -> None:
    plan.rejection = error_share_rejection(
        bad=plan.rows_quarantined, rows=plan.rows_total, limit=plan.spec.max_error_share
    )


def error_share_rejection(*, bad: int, rows: int, limit: float) -> ImportRejected | None:
    """Too many bad rows means the profile does not fit the file: applying the rest would mislead."""
    if bad >= max(rows, 1):
        return ImportRejected("no_valid_rows", rows=rows)
    if bad / max(rows, 1) > limit:
        return ImportRejected("too_many_errors", bad=bad, rows=rows, limit=percent_text(limit))
    return None


def _kpis(plan: Plan) -> list[str]:
    if plan.spec.kind.kpis:
        return list(plan.spec.kind.kpis)
    valid = plan.events.filter(~pl.col(ROW).is_in(plan.errors[ROW].implode()))
    return sorted(valid["kpi"].drop_nulls().unique().to_list())


def _paths_overlap(first: str, second: str) -> bool:
    return not first or not second or first.startswith(second) or second.startswith(first)


def _takeovers(batch: ImportBatch, plan: Plan) -> dict[int, set[tuple[int, str]]]:
    """Claims this file takes over (a restatement by the same source); another source's claim refuses it."""
    claims = (
        CoverageClaim.objects.filter(is_active=True, month__in=plan.months, kpi__in=plan.kpis)
        .exclude(batch_id=batch.pk)  # an unsaved batch (a check) has none
        .select_related("source")
    )
    takeovers: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for claim in claims:
        if not _paths_overlap(claim.unit_path, plan.unit_path):
            continue
        same_source = claim.source_id == batch.source_id
        covers = claim.unit_path.startswith(plan.unit_path)
        if same_source and not covers:
            # A part of the organisation cannot restate a file that covered more than that part: the rest
            # of it would lose its values.
            # (That batch is not named: it may be outside what the importer may see.)
            raise ImportRejected("coverage_held_wider", kpi=claim.kpi, month=str(claim.month))
        if not same_source:
            raise ImportRejected(
                "coverage_conflict",
                kpi=claim.kpi,
                month=str(claim.month),
                batch=f"#{claim.batch_id}",
                source=claim.source.code,
            )
        takeovers[claim.batch_id].add((claim.month.as_int(), claim.kpi))
    return dict(takeovers)


def _events_frame(batch_id: int, columns: Sequence[str] | None = None) -> pl.DataFrame | None:
    """The batch's valid rows (the blob also keeps the quarantined ones' cells, flagged ``__valid`` false)."""
    blob = BatchEvents.objects.filter(batch_id=batch_id).values_list("data", flat=True).first()
    if not blob:
        return None
    source = io.BytesIO(bytes(blob))
    names = pl.read_parquet_schema(source)
    source.seek(0)
    wanted = None if columns is None else [*columns, *(["__valid"] if "__valid" in names else [])]
    frame = pl.read_parquet(source, columns=wanted)
    if "__valid" in frame.columns:
        frame = frame.filter(pl.col("__valid")).drop("__valid")
    return frame


def kept_rows(
    batch_id: int,
    *,
    rows: Sequence[int] | None = None,
    employee_id: int | None = None,
    month: int | None = None,
) -> pl.DataFrame | None:
    """Some of the batch's valid rows as kept (cells, person, month): by row number, or one person-month's.

    The filter runs while the Parquet is read, so the other rows of a million-row batch are never built.
    """
    blob = BatchEvents.objects.filter(batch_id=batch_id).values_list("data", flat=True).first()
    if not blob:
        return None
    query = pl.scan_parquet(io.BytesIO(bytes(blob)))
    names = query.collect_schema().names()
    if "__valid" in names:
        query = query.filter(pl.col("__valid")).drop("__valid")
    if rows is not None:
        query = query.filter(pl.col(ROW).is_in(list(rows)))
    if employee_id is not None and "__employee_id" in names:
        query = query.filter(pl.col("__employee_id") == employee_id)
    if month is not None and "__month" in names:
        query = query.filter(pl.col("__month") == month)
    return query.collect()


def _active_months(batch_id: int, exclude: set[tuple[int, str]]) -> set[int]:
    claims = CoverageClaim.objects.filter(batch_id=batch_id, is_active=True).values_list("month", "kpi")
    return {month.as_int() for month, kpi in claims if (month.as_int(), kpi) not in exclude}


def _check_other_batches(batch: ImportBatch, plan: Plan) -> None:
    """A record (deal id, invoice …) that another applied batch already counted in another month conflicts."""
    key = plan.spec.kind.record_key
    if not key or key not in plan.events.columns or plan.events[key].null_count() == plan.events.height:
        return
    others = ImportBatch.objects.filter(
        source_id=batch.source_id, kind=batch.kind, status=ImportBatch.Status.APPLIED
    ).exclude(pk=batch.pk)
    seen: list[pl.DataFrame] = []
    for other in others.only("pk"):
        months = _active_months(other.pk, plan.takeovers.get(other.pk, set()))
        if not months:
            continue
        frame = _events_frame(other.pk, ["__key", "__month"])
        if frame is None:
            continue
        seen.append(
            frame.filter(pl.col("__month").is_in(list(months)) & pl.col("__key").is_not_null()).select(
                pl.col("__key").alias("_key"),
                pl.col("__month").alias("_month"),
                pl.lit(other.pk).alias("_batch"),
            )
        )
    if not seen:
        return
    earlier = pl.concat(seen).unique("_key", keep="first")
    clashes = (
        plan.events.select(ROW, key)
        .filter(~pl.col(ROW).is_in(plan.errors[ROW].implode()))
        .join(earlier, left_on=key, right_on="_key", how="inner")
    )
    if clashes.height == 0:
        return
    plan.errors = pl.concat(
        [
            plan.errors,
            errors_from(
                clashes[ROW],
                code="conflicts_with_batch",
                field_name=key,
                values=clashes[key].cast(pl.String),
                details=[
                    json.dumps(
                        {"key": k, "batch": f"#{b}", "month": str(Month.from_int(m))}, ensure_ascii=False
                    )
                    for k, b, m in clashes.select(key, "_batch", "_month").iter_rows()
                ],
            ),
        ]
    )


def _wins_of(batch_id: int) -> pl.DataFrame | None:
    blob = BatchEvents.objects.filter(batch_id=batch_id).values_list("first_wins", flat=True).first()
    return pl.read_parquet(io.BytesIO(bytes(blob))) if blob else None


def _source_wins(source_id: int, *, exclude: int, taken: dict[int, set[tuple[int, str]]]) -> pl.DataFrame:
    """First wins per account in the other applied batches of a source, minus the months being restated."""
    frames = []
    for other in (
        ImportBatch.objects.filter(source_id=source_id, kind="deals", status=ImportBatch.Status.APPLIED)
        .exclude(pk=exclude)
        .values_list("pk", flat=True)
    ):
        wins = _wins_of(other)
        if wins is None or wins.height == 0:
            continue
        months = {month for month, _ in taken.get(other, set())}
        frames.append(
            wins.filter(~month_of(pl.col("first_won_on")).is_in(list(months))).with_columns(
                batch_id=pl.lit(other, dtype=pl.Int64)
            )
        )
    schema = {**aggregation.FIRST_WINS_SCHEMA, "batch_id": pl.Int64}
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def _prior_first_wins(batch: ImportBatch, plan: Plan) -> pl.DataFrame:
    """Each account's earliest win in the other batches of this source (minus what this file restates)."""
    return _source_wins(batch.source_id, exclude=batch.pk, taken=plan.takeovers).drop("batch_id")


def _unit_members(path: str) -> pl.Series:
    return pl.Series(
        list(Employee.objects.filter(org_unit__path__startswith=path).values_list("pk", flat=True)),
        dtype=pl.Int64,
    )


def _counting_rows(plan: Plan) -> pl.DataFrame:
    """Rows with errors that would have counted towards a KPI (an open deal never does); found once."""
    if plan.counting_rows is not None:
        return plan.counting_rows
    rows = plan.errors.filter(~pl.col("code").is_in(list(_NEUTRAL_CODES)))[ROW].unique()
    affected = plan.events.filter(pl.col(ROW).is_in(rows.implode()))
    if plan.spec.kind.name == "deals" and "stage" in affected.columns:
        affected = affected.filter(pl.col("stage").is_null() | pl.col("stage").is_in(["won", "lost"]))
    plan.counting_rows = affected
    return affected


def _withhold(plan: Plan, facts: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """A person-month with a quarantined row gets no value yet: a partial sum would pass for the truth."""
    affected = _counting_rows(plan).filter(pl.col("employee_id").is_not_null())
    if affected.height == 0:
        return facts, 0
    months = pl.DataFrame({"month": plan.months}, schema={"month": pl.Int32})
    known = affected.filter(pl.col("__month").is_not_null()).select(
        "employee_id", pl.col("__month").cast(pl.Int32).alias("month")
    )
    unknown = affected.filter(pl.col("__month").is_null()).select("employee_id").join(months, how="cross")
    withheld = pl.concat([known, unknown]).unique()
    withheld = withheld.filter(pl.col("month").is_in(plan.months))
    if withheld.height:
        plan.warnings.append({"code": "withheld", "details": {"count": withheld.height}})
    return facts.join(withheld, on=["employee_id", "month"], how="anti"), withheld.height


def _zero_fill(plan: Plan, facts: pl.DataFrame, actor: User | None) -> pl.DataFrame:
    unmatched = _counting_rows(plan).filter(pl.col("employee_id").is_null())
    suspended: set[int] = set()
    if unmatched.height:
        unmatched_months = unmatched["__month"]
        suspended = (
            set(plan.months)
            if unmatched_months.null_count()
            else {int(m) for m in unmatched_months.to_list()}
        )
        plan.warnings.append(
            {
                "code": "zero_fill_suspended",
                "details": {
                    "months": ", ".join(str(Month.from_int(m)) for m in sorted(suspended)),
                    "rows": unmatched.height,
                },
            }
        )
    months = [month for month in plan.months if month not in suspended]
    population = _population(months, plan.unit_path, actor)
    before = facts.height
    withheld_pairs = _counting_rows(plan).filter(pl.col("employee_id").is_not_null())
    if withheld_pairs.height:
        population = population.join(
            withheld_pairs.select("employee_id", pl.col("__month").cast(pl.Int32).alias("month")),
            on=["employee_id", "month"],
            how="anti",
        )
        unknown_month = withheld_pairs.filter(pl.col("__month").is_null())["employee_id"]
        population = population.filter(~pl.col("employee_id").is_in(unknown_month.implode()))
    filled = aggregation.zero_fill(facts, population, plan.kpis)
    plan.zero_filled = filled.height - before
    return filled


def _population(months: Sequence[int], unit_path: str, actor: User | None) -> pl.DataFrame:
    """Who counts inside the coverage: people in sales positions employed in the month (and the unit)."""
    schema = {"employee_id": pl.Int64, "month": pl.Int32}
    if not months:
        return pl.DataFrame(schema=schema)
    people = Employee.objects.all() if _is_system(actor) else employee_scope_for(viewer=actor)  # type: ignore[arg-type]
    people = people.filter(position__is_sales=True)
    if unit_path:
        people = people.filter(org_unit__path__startswith=unit_path)
    rows = list(people.values_list("pk", "hire_date", "termination_date"))
    frame = pl.DataFrame(
        rows, schema={"employee_id": pl.Int64, "hire": pl.Date, "left": pl.Date}, orient="row"
    )
    calendar = (
        pl.DataFrame({"month": list(months)}, schema={"month": pl.Int32})
        .with_columns(first_day=pl.date(pl.col("month") // 100, pl.col("month") % 100, 1))
        .with_columns(last_day=pl.col("first_day").dt.month_end())
    )
    return (
        frame.join(calendar, how="cross")
        .filter(
            (pl.col("hire") <= pl.col("last_day"))
            & (pl.col("left").is_null() | (pl.col("left") >= pl.col("first_day")))
        )
        .select(list(schema))
    )


# --- applying -------------------------------------------------------------------------------------


def lock_imports() -> None:
    """Serialise appliers: SQLite's IMMEDIATE transactions already do; PostgreSQL takes an advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(20250301)")


def quarantine_write(
    batch: ImportBatch, table: RawTable, errors: pl.DataFrame, *, cap: int | None = None
) -> int:
    """One quarantined row per bad row: the first problem in the columns, every problem in ``errors``."""
    if errors.height == 0:
        return 0
    ordered = errors.sort(ROW, maintain_order=True)
    by_row: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row, field_name, column, value, code, details in ordered.iter_rows():
        by_row[int(row)].append(
            {
                "field": field_name,
                "column": column,
                "value": value,
                "code": code,
                "details": json.loads(details or "{}"),
            }
        )
    rows = sorted(by_row)
    if cap is not None:
        rows = rows[:cap]
    raws = raw_rows(table, pl.Series(rows, dtype=pl.Int64))
    bad_lines = {problem.row: problem.raw for problem in table.bad_rows}
    now = timezone.now()
    records = []
    for row in rows:
        problems = by_row[row]
        primary = problems[0]
        raw = raws.get(row) or ({"_line": bad_lines[row]} if row in bad_lines else {})
        records.append(
            (
                batch.pk,
                row,
                (primary["column"] or "")[:200],
                (primary["field"] or "")[:40],
                "" if primary["value"] is None else str(primary["value"]),
                primary["code"],
                describe(primary["code"], primary["details"]),
                json.dumps(primary["details"], ensure_ascii=False, default=str),
                json.dumps(
                    [
                        {**problem, "message": describe(problem["code"], problem["details"])}
                        for problem in problems
                    ],
                    ensure_ascii=False,
                    default=str,
                ),
                json.dumps(raw, ensure_ascii=False, default=str),
                QuarantinedRow.State.OPEN,
                now,
                now,
            )
        )
    columns = [
        "batch_id",
        "row_number",
        "column",
        "field",
        "raw_value",
        "code",
        "message",
        "details",
        "errors",
        "raw",
        "state",
        "created_at",
        "updated_at",
    ]
    return bulk_insert(QuarantinedRow._meta.db_table, [f'"{name}"' for name in columns], records)


def events_encode(
    table: RawTable, events: pl.DataFrame, key: str | None, is_valid: pl.Series | None = None
) -> tuple[bytes, int]:
    """The batch's valid rows as they were in the file (plus person, month and record id), as Parquet:
    lineage to the cell, resubmission after a fix, and conflict checks of later files all read them back.

    ``events`` are the valid rows, or with ``is_valid`` every row of the table in its order. Pure CPU work
    that releases the GIL: the caller runs it beside the database writes.
    """
    if is_valid is not None and events.height == table.frame.height:
        return _encode_aligned(table, events, key, is_valid), int(is_valid.sum())
    extra = [
        events["employee_id"].alias("__employee_id") if "employee_id" in events.columns else None,
        events["__month"].alias("__month") if "__month" in events.columns else None,
        events[key].cast(pl.String).alias("__key") if key and key in events.columns else None,
    ]
    typed = pl.DataFrame([series for series in extra if series is not None]).with_columns(events[ROW])
    # Aligned to the file's rows by a join of small integer columns only: the text columns are shared, not
    # copied (a million rows of text is the largest thing an import holds in memory).
    aligned = table.frame.select(ROW).join(typed, on=ROW, how="left", maintain_order="left").drop(ROW)
    valid = table.frame[ROW].is_in(events[ROW].implode()).alias("__valid")
    rows = table.frame.hstack([*aligned.get_columns(), valid])
    return parquet(rows), events.height


def _encode_aligned(table: RawTable, events: pl.DataFrame, key: str | None, is_valid: pl.Series) -> bytes:
    """Every row's cells with the typed extras of the valid ones, side by side without a join."""
    valid = is_valid.alias("__valid")
    sources = {"__employee_id": "employee_id", "__month": "__month", "__key": key}
    extras = [
        pl.select(pl.when(valid).then(events[name])).to_series().alias(alias)
        for alias, name in sources.items()
        if name and name in events.columns
    ]
    typed = [extra.cast(pl.String) if extra.name == "__key" else extra for extra in extras]
    return parquet(table.frame.hstack([*typed, valid]))


def events_write(batch: ImportBatch, table: RawTable, events: pl.DataFrame, key: str | None) -> None:
    data, rows = events_encode(table, events, key)
    events_save(batch, data, rows)


def events_save(batch: ImportBatch, data: bytes, rows: int, *, first_wins: bytes | None = None) -> None:
    """The batch's kept rows (and first wins), written once per batch."""
    if connection.vendor != "postgresql":
        BatchEvents.objects.update_or_create(
            batch=batch, defaults={"data": data, "rows": rows, "first_wins": first_wins}
        )
        return
    # Django's driver cursor spells parameters out as text, a blob as hex twice its size for the server to
    # parse back; a cursor of psycopg's own sends it as binary (%b) on the same connection and transaction.
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"INSERT INTO {BatchEvents._meta.db_table} (batch_id, data, rows, first_wins) "  # noqa: S608 - constant table name
            "VALUES (%s, %b, %s, %b) ON CONFLICT (batch_id) DO UPDATE "
            "SET data = EXCLUDED.data, rows = EXCLUDED.rows, first_wins = EXCLUDED.first_wins",
            (batch.pk, data, rows, first_wins),
        )


def claims_write(batch: ImportBatch, plan: Plan) -> None:
    """Move the taken-over claims to this batch and claim the rest of its coverage."""
    for other_id, pairs in plan.takeovers.items():
        for month, kpi in pairs:
            CoverageClaim.objects.filter(batch_id=other_id, month=month, kpi=kpi, is_active=True).update(
                is_active=False, superseded_by=batch
            )
    CoverageClaim.objects.bulk_create(
        [
            CoverageClaim(
                batch=batch, source_id=batch.source_id, month=month, kpi=kpi, unit_path=plan.unit_path
            )
            for month in plan.months
            for kpi in plan.kpis
        ],
        batch_size=2000,
    )
    for other_id in plan.takeovers:
        if not CoverageClaim.objects.filter(batch_id=other_id, is_active=True).exists():
            ImportBatch.objects.filter(pk=other_id).update(status=ImportBatch.Status.SUPERSEDED)


def apply_facts(batch: ImportBatch, plan: Plan, now: dt.datetime) -> tuple[FactWrite, list[int]]:
    """Write claims, facts and the account history; returns the fact counts and every month touched."""
    claims_write(batch, plan)
    replaced = None
    if plan.takeovers:
        replaced = Replaced(
            batch_ids=sorted(plan.takeovers),
            months=sorted({month for pairs in plan.takeovers.values() for month, _ in pairs}),
            kpis=sorted({kpi for pairs in plan.takeovers.values() for _, kpi in pairs}),
        )
    written = facts_write(
        batch_id=batch.pk,
        source=batch.source.kind,
        facts=plan.facts,
        replaced=replaced,
        now=now,
        while_writing=plan.start_encoding,
    )
    touched = set(plan.months)
    if plan.spec.kind.name == "deals" and plan.first_wins is not None:
        touched |= _account_history_write(batch, plan, now, written)
    return written, sorted(touched)


def _account_history_write(batch: ImportBatch, plan: Plan, now: dt.datetime, written: FactWrite) -> set[int]:
    """Keep this batch's first wins, rebuild restated batches' ones, recount other months' new customers."""
    if plan.first_wins is None:
        return set()
    for other_id in plan.takeovers:
        kept = _active_months(other_id, set())
        events = typed_events(ImportBatch.objects.get(pk=other_id)) if kept else None
        wins = None
        if events is not None:
            won = events.filter(pl.col("stage") == "won", pl.col("__month").is_in(list(kept)))
            wins = aggregation.aggregate(won, kind="deals", months=[]).first_wins
        BatchEvents.objects.filter(batch_id=other_id).update(
            first_wins=parquet(wins) if wins is not None else None
        )
    own = plan.first_wins.filter(pl.col("employee_id").is_not_null())  # kept with the rows (events_save)
    others = _source_wins(batch.source_id, exclude=batch.pk, taken={})
    if others.height == 0:
        return set()
    return _new_customers_recount(
        batch, now, written, pl.concat([others, own.with_columns(batch_id=pl.lit(batch.pk, dtype=pl.Int64))])
    )


def own_first_wins(plan: Plan) -> pl.DataFrame | None:
    """This batch's first won deal per account (of matched people): kept with the batch's rows."""
    if plan.spec.kind.name != "deals" or plan.first_wins is None:
        return None
    return plan.first_wins.filter(pl.col("employee_id").is_not_null())


def parquet(frame: pl.DataFrame) -> bytes:
    """Parquet with zstd at its fastest level: a third of LZ4's size here, and quicker to write, since the
    smaller pages cost less to copy into the database and to commit."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", compression_level=1, statistics=False)
    return buffer.getvalue()


def row_errors(batch: ImportBatch, values: dict[str, str | None]) -> pl.DataFrame:
    """The problems the cells of one corrected row would still have, read with the batch's profile
    (``ERRORS_SCHEMA``). People are not looked up here: one missing from the directory may be added by the
    next roster import, and the resubmission looks everyone up again; checks that need the other rows
    (repeats, the period's coverage) wait for it too."""
    header = list(batch.header)
    frame = pl.DataFrame(
        {ROW: [0], **{f"c{index}": [values.get(key)] for index, key in enumerate(cell_names(header))}},
        schema={ROW: pl.Int64, **{f"c{index}": pl.String for index in range(len(header))}},
    )
    table = RawTable(
        frame=frame, header=header, header_row=batch.header_row or 0, file_format=batch.file_format
    )
    spec = parse_profile(batch.profile_spec)
    return check_table(table, spec, map_columns(header, spec), check_context(None, None)).errors


def stored_table(batch: ImportBatch) -> RawTable | None:
    """The batch's valid rows as a table again (the header is the batch's)."""
    frame = _events_frame(batch.pk)
    if frame is None:
        return None
    columns = [ROW, *[f"c{index}" for index in range(len(batch.header))]]
    return RawTable(
        frame=frame.select(columns),
        header=list(batch.header),
        header_row=batch.header_row or 0,
        file_format=batch.file_format,
    )


def typed_events(batch: ImportBatch) -> pl.DataFrame | None:
    """The batch's valid rows parsed again with the profile it was read with, with person and month."""
    frame = _events_frame(batch.pk)
    table = stored_table(batch)
    if frame is None or table is None:
        return None
    spec = parse_profile(batch.profile_spec)
    checked = check_table(table, spec, map_columns(table.header, spec), check_context(None, None))
    return checked.values.join(
        frame.select(ROW, pl.col("__employee_id").alias("employee_id"), "__month"), on=ROW, how="inner"
    )


def _new_customers_recount(
    batch: ImportBatch, now: dt.datetime, written: FactWrite, all_wins: pl.DataFrame
) -> set[int]:
    """An account counts as new once, in the month of its first win across all files: when this batch moved
    a first win, the new-customer facts of the other batches' months follow (a visible restatement)."""
    wins = all_wins.select(
        "account", pl.col("first_won_on").alias("won_on"), "batch_id", "employee_id", pl.col(ROW).alias("row")
    )
    firsts = wins.sort("won_on", "batch_id", "row").group_by("account", maintain_order=True).first()
    firsts = firsts.with_columns(month=month_of(pl.col("won_on")))
    claims = CoverageClaim.objects.filter(
        source_id=batch.source_id, kpi="new_customers", is_active=True
    ).exclude(batch=batch)
    owners: dict[int, int] = {claim.month.as_int(): claim.batch_id for claim in claims}
    if not owners:
        return set()
    counted = (
        firsts.filter(pl.col("month").is_in(list(owners)))
        .group_by("employee_id", "month")
        .agg(value=pl.len(), rows=pl.col("row").sort().cast(pl.String).str.join(","))
    )
    current = pl.DataFrame(
        list(
            MonthlyFact.objects.filter(kpi__code="new_customers", month__in=list(owners)).values_list(
                "employee_id", "month", "value"
            )
        ),
        schema={"employee_id": pl.Int64, "month": pl.Object, "value": pl.Object},
        orient="row",
    )
    existing = pl.DataFrame(
        {
            "employee_id": current["employee_id"],
            "month": [m.as_int() for m in current["month"].to_list()],
            "old": [int(v) for v in current["value"].to_list()],
        },
        schema={"employee_id": pl.Int64, "month": pl.Int32, "old": pl.Int64},
    )
    merged = existing.join(counted, on=["employee_id", "month"], how="full", coalesce=True).with_columns(
        value=pl.col("value").fill_null(0).cast(pl.Int64)
    )
    changed = merged.filter(pl.col("old").is_null() | (pl.col("old") != pl.col("value")))
    if changed.height == 0:
        return set()
    touched: set[int] = set()
    for month, group in changed.group_by("month"):
        month_int = int(month[0])  # type: ignore[arg-type]
        owner = owners[month_int]
        facts = group.select(
            pl.col("employee_id"),
            pl.col("month").cast(pl.Int32),
            pl.lit("new_customers").alias("kpi"),
            pl.col("value").cast(aggregation.DECIMAL),
            pl.concat_str(
                pl.lit('{"rows":['), pl.col("rows").fill_null(""), pl.lit(f'],"recounted_by":{batch.pk}}}')
            ).alias("lineage"),
        )
        result = facts_write(
            batch_id=owner,
            source=batch.source.kind,
            facts=facts,
            replaced=None,
            now=now,
            cause_batch_id=batch.pk,
        )
        written.changed += result.changed
        touched.add(month_int)
    return touched
