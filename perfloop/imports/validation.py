"""Validation: a raw table and a profile in, typed values plus one error row per problem out.

Pure (Polars). Nothing is dropped here: a row with any error is listed in ``errors`` (row number, field,
column, raw value, code, details) and the service quarantines it; every other row goes on, typed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from perfloop.imports import parsers
from perfloop.imports.parsers import DECIMAL, Parsed
from perfloop.imports.problems import RowProblem
from perfloop.imports.profiles import ColumnMapping, FieldSpec, ProfileSpec, value_key
from perfloop.imports.readers import ROW, RawTable

# Two columns at a time: enough to keep both cores of a small server busy, without each thread's
# temporaries for a million cells adding up to the peak memory.
_PARSE_THREADS = 2
ERRORS_SCHEMA: dict[str, Any] = {
    ROW: pl.Int64,
    "field": pl.String,
    "column": pl.String,
    "value": pl.String,
    "code": pl.String,
    "details": pl.String,
}
# Plausible dates by field: older or later values are typos (a wrong century, a swapped day and year).
_DATE_WINDOWS: dict[str, tuple[dt.date, int]] = {
    "birth_date": (dt.date(1930, 1, 1), 0),
    "hire_date": (dt.date(1950, 1, 1), 366),
    "contract_start": (dt.date(1950, 1, 1), 366),
    "contract_end": (dt.date(1950, 1, 1), 366 * 30),
    "probation_end": (dt.date(1950, 1, 1), 366 * 2),
    "termination_date": (dt.date(1950, 1, 1), 366),
}
_DEFAULT_DATE_WINDOW = (dt.date(1990, 1, 1), 366)
_MONEY_LIMIT = Decimal(10_000_000_000)  # 10 billion CNY in one row is a unit or separator mistake
_RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "score": (Decimal(1), Decimal(5)),
    "exam_score": (Decimal(0), Decimal(100)),
}
_KPI_UNIT_RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "ratio": (Decimal(0), Decimal(10)),
    "score": (Decimal(0), Decimal(100)),
    "count": (Decimal(0), Decimal(1_000_000)),
    "cny": (Decimal(0), _MONEY_LIMIT),
}


@dataclass(frozen=True)
class CheckContext:
    """What validation needs to know besides the file: today, the KPI catalogue, the declared period."""

    today: dt.date
    kpi_names: Mapping[str, str] = field(default_factory=dict)  # value_key(code or name) -> code
    kpi_units: Mapping[str, str] = field(default_factory=dict)  # code -> unit
    first: int | None = None  # YYYYMM
    last: int | None = None


@dataclass
class Checked:
    values: pl.DataFrame  # __row + one typed column per mapped field
    errors: pl.DataFrame  # ERRORS_SCHEMA, one row per problem
    rows_total: int

    def bad_rows(self) -> pl.Series:
        return self.errors[ROW].unique()

    def valid(self) -> pl.DataFrame:
        return self.values.filter(~pl.col(ROW).is_in(self.bad_rows().implode()))


def empty_errors() -> pl.DataFrame:
    return pl.DataFrame(schema=ERRORS_SCHEMA)


def errors_from(
    rows: pl.Series | Sequence[int],
    *,
    code: str,
    field_name: str = "",
    column: str = "",
    values: pl.Series | Sequence[str | None] | None = None,
    details: pl.Series | Sequence[str] | Mapping[str, Any] | None = None,
) -> pl.DataFrame:
    """An errors frame for ``rows`` (all with the same code)."""
    rows_series = pl.Series(ROW, rows, dtype=pl.Int64)
    count = rows_series.len()
    if isinstance(details, Mapping):
        detail_series = pl.Series("details", [json.dumps(details, ensure_ascii=False, default=str)] * count)
    elif details is None:
        detail_series = pl.Series("details", ["{}"] * count)
    else:
        detail_series = pl.Series("details", details, dtype=pl.String)
    value_series = (
        pl.Series("value", [None] * count, dtype=pl.String)
        if values is None
        else pl.Series("value", values, dtype=pl.String)
    )
    return pl.DataFrame(
        {
            ROW: rows_series,
            "field": [field_name] * count,
            "column": [column] * count,
            "value": value_series,
            "code": [code] * count,
            "details": detail_series,
        },
        schema=ERRORS_SCHEMA,
    )


def errors_from_problems(problems: Sequence[RowProblem]) -> pl.DataFrame:
    """Rows the reader could not split (ragged, cut off, undecodable) as error rows with their raw text."""
    if not problems:
        return empty_errors()
    return pl.DataFrame(
        {
            ROW: [problem.row for problem in problems],
            "field": [""] * len(problems),
            "column": [""] * len(problems),
            "value": [problem.raw for problem in problems],
            "code": [problem.code for problem in problems],
            "details": [json.dumps(problem.details, ensure_ascii=False, default=str) for problem in problems],
        },
        schema=ERRORS_SCHEMA,
    )


def check_table(table: RawTable, spec: ProfileSpec, mapping: ColumnMapping, context: CheckContext) -> Checked:
    """Parse every mapped column and check every rule that needs only the file itself."""
    frame = table.frame
    values: dict[str, pl.Series] = {ROW: frame[ROW]}
    error_frames: list[pl.DataFrame] = [errors_from_problems(table.bad_rows)]
    mapped = [field_spec for field_spec in spec.fields if field_spec.name in mapping.columns]

    def parse(field_spec: FieldSpec) -> Parsed:
        return _parse_field(frame[f"c{mapping.columns[field_spec.name]}"], field_spec, spec, mapping, context)

    # Columns are independent and Polars releases the GIL: parse them side by side.
    with ThreadPoolExecutor(max_workers=min(_PARSE_THREADS, max(1, len(mapped)))) as pool:
        results = list(pool.map(parse, mapped))
    unreadable: dict[str, pl.Series] = {}  # per field: the cells that have a value nobody can read
    for field_spec, parsed in zip(mapped, results, strict=True):
        index = mapping.columns[field_spec.name]
        raw = frame[f"c{index}"]
        column = table.header[index]
        values[field_spec.name] = parsed.values.alias(field_spec.name)
        unreadable[field_spec.name] = parsed.errors.is_not_null()
        error_frames.append(
            _collect(frame[ROW], raw, parsed.errors, field_spec.name, column, field_spec, context)
        )
        if field_spec.required:
            missing = raw.is_null() | parsed.values.is_null()
            missing = missing & parsed.errors.is_null()
            if missing.any():
                error_frames.append(
                    errors_from(
                        frame[ROW].filter(missing),
                        code="missing_value",
                        field_name=field_spec.name,
                        column=column,
                        values=raw.filter(missing),
                        details={"field": column},
                    )
                )
    typed = pl.DataFrame(values)
    columns = {name: table.header[index] for name, index in mapping.columns.items()}
    error_frames.extend(_range_errors(typed, spec, columns, context))
    error_frames.extend(_kind_rule_errors(typed, spec, columns, unreadable))
    error_frames.append(_duplicate_errors(frame, typed, spec, mapping, table.header))
    errors = pl.concat(error_frames, how="vertical")
    rows_total = frame.height + len({problem.row for problem in table.bad_rows})
    return Checked(values=typed, errors=errors, rows_total=rows_total)


def _parse_field(
    raw: pl.Series, field_spec: FieldSpec, spec: ProfileSpec, mapping: ColumnMapping, context: CheckContext
) -> Parsed:
    kind = field_spec.type
    if kind in {"money", "number", "integer"}:
        unit = field_spec.unit
        if unit == "auto":
            factor = parsers.unit_factor(mapping.units.get(field_spec.name))
        else:
            factor = parsers.unit_factor(unit)
        return parsers.parse_number(
            raw, factor=factor, decimal_comma=spec.decimal_comma, whole=kind == "integer"
        )
    if kind == "date":
        return parsers.parse_date(raw, order=field_spec.date_order)
    if kind == "month":
        return parsers.parse_month(raw, order=field_spec.date_order)
    if kind == "choice":
        return parsers.parse_choice(raw, field_spec.values)
    if kind == "boolean":
        return parsers.parse_boolean(raw, field_spec.values)
    if kind == "email":
        return parsers.parse_email(raw)
    if kind == "kpi":
        keys = parsers.choice_key(raw)
        codes = keys.replace_strict(dict(context.kpi_names), default=None, return_dtype=pl.String)
        return Parsed(codes, parsers._code_where(keys.is_not_null() & codes.is_null(), "unknown_kpi"))
    if kind in {"key", "employee"}:
        return parsers.parse_key(raw)
    return parsers.parse_text(raw)


def _collect(
    rows: pl.Series,
    raw: pl.Series,
    errors: pl.Series,
    field_name: str,
    column: str,
    field_spec: FieldSpec,
    context: CheckContext,
) -> pl.DataFrame:
    mask = errors.is_not_null()
    if not mask.any():
        return empty_errors()
    codes = errors.filter(mask)
    known = ", ".join(sorted(set(field_spec.values.values()) or field_spec.choices))
    details = pl.DataFrame({"code": codes, "value": raw.filter(mask)}).select(
        pl.struct(
            field=pl.lit(column),
            value=pl.col("value"),
            known=pl.lit(known),
            limit=pl.lit(str(parsers.MAX_TEXT)),
        ).struct.json_encode()
    )
    frame = pl.DataFrame(
        {
            ROW: rows.filter(mask),
            "field": field_name,
            "column": column,
            "value": raw.filter(mask),
            "code": codes,
            "details": details.to_series(),
        }
    )
    return frame.select(list(ERRORS_SCHEMA)).cast(ERRORS_SCHEMA)  # type: ignore[arg-type]


def _range_errors(
    typed: pl.DataFrame, spec: ProfileSpec, columns: Mapping[str, str], context: CheckContext
) -> list[pl.DataFrame]:
    frames: list[pl.DataFrame] = []
    for field_spec in spec.fields:
        name = field_spec.name
        if name not in typed.columns or (spec.kind.name == "monthly_kpis" and name == "value"):
            continue  # a KPI value's range depends on the KPI's unit: checked below
        values = typed[name]
        column = columns[name]
        if field_spec.type == "date":
            earliest, ahead = _DATE_WINDOWS.get(name, _DEFAULT_DATE_WINDOW)
            latest = context.today + dt.timedelta(days=ahead)
            bad = values.is_not_null() & ~values.is_between(earliest, latest)
            frames.append(
                _value_errors(
                    typed,
                    bad,
                    "date_out_of_range",
                    name,
                    column,
                    {"first": str(earliest), "last": str(latest)},
                )
            )
        elif field_spec.type in {"money", "number", "integer"}:
            minimum = Decimal(field_spec.minimum) if field_spec.minimum is not None else None
            maximum = Decimal(field_spec.maximum) if field_spec.maximum is not None else None
            if name in _RANGES and minimum is None and maximum is None:
                minimum, maximum = _RANGES[name]
            if minimum is not None or maximum is not None:
                low = minimum if minimum is not None else Decimal(-(10**12))
                high = maximum if maximum is not None else Decimal(10**12)
                bad = values.is_not_null() & ~values.is_between(_lit(low), _lit(high))
                frames.append(
                    _value_errors(
                        typed, bad, "out_of_range", name, column, {"minimum": str(low), "maximum": str(high)}
                    )
                )
                continue
            if not field_spec.allow_negative:
                frames.append(
                    _value_errors(typed, values < _lit(Decimal(0)), "negative_value", name, column, {})
                )
            limit = _MONEY_LIMIT
            frames.append(
                _value_errors(
                    typed, values.abs() > _lit(limit), "absurd_value", name, column, {"limit": str(limit)}
                )
            )
    if spec.kind.name == "monthly_kpis" and {"kpi", "value"} <= set(typed.columns):
        frames.append(_kpi_value_errors(typed, columns, context))
    return frames


def _lit(value: Decimal) -> pl.Series:
    return pl.Series([value], dtype=DECIMAL)


def _value_errors(
    typed: pl.DataFrame, mask: pl.Series, code: str, name: str, column: str, extra: Mapping[str, str]
) -> pl.DataFrame:
    mask = mask.fill_null(False)
    if not mask.any():
        return empty_errors()
    values = typed[name].filter(mask).cast(pl.String)
    details = [
        json.dumps({"field": column, "value": value, **extra}, ensure_ascii=False)
        for value in values.to_list()
    ]
    return errors_from(
        typed[ROW].filter(mask), code=code, field_name=name, column=column, values=values, details=details
    )


def _kpi_value_errors(typed: pl.DataFrame, columns: Mapping[str, str], context: CheckContext) -> pl.DataFrame:
    units = typed["kpi"].replace_strict(dict(context.kpi_units), default="count", return_dtype=pl.String)
    frames = []
    for unit, (low, high) in _KPI_UNIT_RANGES.items():
        in_unit = (units == unit) & typed["kpi"].is_not_null() & typed["value"].is_not_null()
        negative = in_unit & (typed["value"] < _lit(Decimal(0)))
        beyond = in_unit & ~negative & ~typed["value"].is_between(_lit(low), _lit(high))
        frames.append(_value_errors(typed, negative, "negative_value", "value", columns["value"], {}))
        frames.append(
            _value_errors(
                typed,
                beyond,
                "out_of_range",
                "value",
                columns["value"],
                {"minimum": str(low), "maximum": str(high)},
            )
        )
    return pl.concat(frames)


def _kind_rule_errors(
    typed: pl.DataFrame,
    spec: ProfileSpec,
    columns: Mapping[str, str],
    unreadable: Mapping[str, pl.Series],
) -> list[pl.DataFrame]:
    """Rules that tie fields together: a won deal needs an amount and a close date, and so on.

    A cell that holds a value nobody can read already has its error; it is not reported as missing too.
    """
    kind = spec.kind.name
    frames: list[pl.DataFrame] = []

    def require(mask: pl.Series, name: str, label: str) -> None:
        if name in unreadable:
            mask = mask & ~unreadable[name]
        frames.append(_missing(typed, mask.fill_null(False), name, columns.get(name, label)))

    def ordered(earlier: str, later: str) -> None:
        if {earlier, later} <= set(typed.columns):
            bad = (typed[later] < typed[earlier]).fill_null(False)
            if bad.any():
                rows = typed.filter(bad)
                frames.append(
                    errors_from(
                        rows[ROW],
                        code="invalid_date_order",
                        field_name=later,
                        column=columns[later],
                        values=rows[later].cast(pl.String),
                        details=[
                            json.dumps(
                                {
                                    "field": columns[later],
                                    "value": str(b),
                                    "other_field": columns[earlier],
                                    "other": str(a),
                                },
                                ensure_ascii=False,
                            )
                            for a, b in rows.select(earlier, later).iter_rows()
                        ],
                    )
                )

    if kind == "deals":
        closed = typed["stage"].is_in(["won", "lost"])
        require(closed & _absent(typed, "close_date"), "close_date", "close_date")
        require((typed["stage"] == "won") & _absent(typed, "amount"), "amount", "amount")
        ordered("engage_date", "close_date")
    elif kind == "collections":
        require(_absent(typed, "period") & _absent(typed, "due_date"), "period", "period / due_date")
    elif kind == "accounts":
        ordered("since", "churned_on")
    elif kind == "roster":
        ordered("hire_date", "termination_date")
        ordered("contract_start", "contract_end")
        if "wage" in typed.columns and "wage_month" in typed.columns:
            require(typed["wage"].is_not_null() & typed["wage_month"].is_null(), "wage_month", "wage_month")
    return frames


def _absent(typed: pl.DataFrame, name: str) -> pl.Series:
    if name not in typed.columns:
        return pl.Series([True] * typed.height, dtype=pl.Boolean)
    return typed[name].is_null()


def _missing(typed: pl.DataFrame, mask: pl.Series, name: str, column: str) -> pl.DataFrame:
    if not mask.any():
        return empty_errors()
    return errors_from(
        typed[ROW].filter(mask),
        code="missing_value",
        field_name=name,
        column=column,
        details={"field": column},
    )


def _duplicate_errors(
    frame: pl.DataFrame, typed: pl.DataFrame, spec: ProfileSpec, mapping: ColumnMapping, header: Sequence[str]
) -> pl.DataFrame:
    """Exact repeats of an earlier row, and one record id carrying different values in several rows."""
    mapped = [f"c{index}" for index in sorted(mapping.columns.values())]
    if not mapped or frame.height == 0:
        return empty_errors()
    # Candidates by the typed values (2025-03-05 and 2025/3/5 are the same date), confirmed on the raw
    # cells of the few candidates: cheap over a million rows, exact for the repeats.
    fields = [name for name in typed.columns if name != ROW]
    key = spec.kind.record_key
    # Counting distinct ids is a hash set; ``is_duplicated`` would build a per-row mask (ten times slower).
    # Distinct 64-bit hashes prove distinct ids (cheaper than hashing the text into a set); a collision only
    # sends the file down the exact road below.
    keys_are_distinct = bool(
        key
        and key in typed.columns
        and typed[key].null_count() == 0
        and typed[key].hash(seed=0).n_unique() == typed.height
    )
    if keys_are_distinct:
        # Every row has its own record id, so no row can repeat another: skip hashing whole rows.
        repeated = pl.repeat(False, typed.height, eager=True)
        hashed = None
    else:
        hashed = typed.select(pl.struct(fields).hash(seed=0)).to_series()
        repeated = hashed.is_duplicated()
    if hashed is not None and repeated.any():
        keyed = (
            frame.select(ROW, *mapped)
            .filter(repeated)
            .with_columns(pl.col(name).str.strip_chars() for name in mapped)
        )
        candidates = keyed.with_columns(_hash=hashed.filter(repeated))
        first_of = candidates.with_columns(first_row=pl.col(ROW).first().over("_hash"))
        repeats = first_of.filter(pl.col(ROW) != pl.col("first_row"))
        # A hash collision is astronomically unlikely, but a wrongly dropped row is not acceptable: confirm.
        originals = candidates.drop("_hash").rename({name: f"{name}_first" for name in mapped})
        confirmed = repeats.join(originals.rename({ROW: "first_row"}), on="first_row", how="left").filter(
            pl.all_horizontal(pl.col(name).eq_missing(pl.col(f"{name}_first")) for name in mapped)
        )
    else:
        confirmed = pl.DataFrame(schema={ROW: pl.Int64, "first_row": pl.Int64})
    frames = [
        errors_from(
            confirmed[ROW],
            code="duplicate_row",
            details=[json.dumps({"first_row": row}) for row in confirmed["first_row"].to_list()],
        )
    ]
    identity = [name for name in spec.kind.identity() if name in typed.columns]
    if keys_are_distinct and identity == [key]:
        return pl.concat(frames)  # every record id once: no two rows can disagree about a record
    if identity and len(identity) == len(spec.kind.identity()):
        distinct = typed.select(ROW, *identity).filter(~pl.col(ROW).is_in(confirmed[ROW].implode()))
        distinct = distinct.drop_nulls(identity)
        shared = distinct.select(pl.struct(identity).is_duplicated()).to_series()
        clashes = (
            distinct.filter(shared)
            .with_columns(
                _key=pl.concat_str([pl.col(name).cast(pl.String) for name in identity], separator=" / ")
            )
            .with_columns(count=pl.len().over("_key"), rows=pl.col(ROW).implode().over("_key"))
        )
        if clashes.height:
            column = " / ".join(header[mapping.columns[name]] for name in identity)
            frames.append(
                errors_from(
                    clashes[ROW],
                    code="conflicting_row",
                    field_name=identity[0],
                    column=column,
                    values=clashes["_key"],
                    details=[
                        json.dumps(
                            {"key": k, "rows": ", ".join(str(r) for r in rows[:20])}, ensure_ascii=False
                        )
                        for k, rows in clashes.select("_key", "rows").iter_rows()
                    ],
                )
            )
    return pl.concat(frames)


def raw_rows(table: RawTable, rows: pl.Series) -> dict[int, dict[str, str | None]]:
    """The original cells of some rows, by header name: what a quarantined row shows and keeps."""
    selected = table.frame.filter(pl.col(ROW).is_in(rows.implode()))
    names = cell_names(table.header)
    result: dict[int, dict[str, str | None]] = {}
    for row in selected.iter_rows():
        result[int(row[0])] = dict(zip(names, row[1:], strict=True))
    return result


def cell_names(header: Sequence[str]) -> list[str]:
    """The keys of a row's cells: the header's names, a repeated one numbered (``备注``, ``备注 (2)``) so
    that no cell hides another in a quarantined row, its correction, or a report."""
    seen: dict[str, int] = {}
    names = []
    for index, name in enumerate(header):
        label = name or f"(column {index + 1})"
        if label in seen:
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        else:
            seen[label] = 1
        names.append(label)
    return names


def kpi_name_map(catalogue: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """value_key of every code, Chinese and English name → code (catalogue rows: code, zh, en)."""
    names: dict[str, str] = {}
    for code, zh, en in catalogue:
        for label in (code, zh, en):
            if label:
                names[value_key(label)] = code
    return names
