"""Parsers: text cells in, typed values and an error code per cell out — vectorised with Polars.

Pure. Every parser takes a String Series (null = empty cell) and returns :class:`Parsed`: the values and,
aligned with them, ``null`` or the code of what went wrong (``unparseable_date``, ``ambiguous_number`` …).
The common shape of a column is parsed in one vectorised pass; only the rows that miss the fast path go
through the slower patterns, so a million well-formed rows cost a few hundred milliseconds.

What real exports contain, and how it is read:

* dates: ``2025-03-15``, ``2025/3/15``, ``2025.3.15``, ``2025年3月15日``, ``20250315``, ``15/03/2025`` and
  ``03/15/2025`` (day/month order from the profile, or from the column itself when one value proves it),
  two-digit years (``15/03/25``: 00-69 → 2000s, 70-99 → 1900s), Excel serial numbers (``45731``), date-times
  (``2025-03-15 14:30:00``), English month names (``15-Mar-2025``, ``Mar 15, 2025``);
* numbers: thousands separators (``1,234,567.89``), spaces, full-width digits (``１２３``), currency symbols
  and codes (``¥``, ``RMB``, ``元``), units (``1.5万``, ``2亿``, a column in 万元), percentages (``15%`` →
  0.15), accounting negatives (``(1,200)``), a decimal comma when the profile says so.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

SCALE = 4
DECIMAL = pl.Decimal(38, SCALE)
_WIDE = 10  # read with 10 places, then round half away from zero to 4 (money: half up, never to even)
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (the 1900 leap-year bug is absorbed for serials > 60)
EXCEL_SERIAL_RANGE = (25569, 73050)  # 1970-01-01 .. 2099-12-31: plausible business dates only
PIVOT = 70  # two-digit years: 00-69 → 2000s, 70-99 → 1900s (POSIX strptime's rule)
MAX_TEXT = 200

_EMPTY_MARKERS = ["-", "--", "—", "——", "/", "n/a", "N/A", "NA", "null", "NULL", "None", "none", "nil"]
_MONTH_NAMES = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_FORMULA_FIRST = ("=", "+", "@", "＝", "＋", "＠", "\t", "\r")
# One anchored pattern finds the few cells that start like a formula (or a dash) in a single pass.
_FORMULA_START = "^[" + "".join(re.escape(first) for first in (*_FORMULA_FIRST, "-")) + "]"
_SIGNED_NUMBER = r"^-+$|^-[0-9.,\s]+%?$"


@dataclass(frozen=True)
class Parsed:
    """Values and, per row, the error code (null when the cell is fine or empty)."""

    values: pl.Series
    errors: pl.Series


def _nulls(length: int) -> pl.Series:
    return pl.repeat(None, length, dtype=pl.String, eager=True).alias("error")


def normalise(series: pl.Series) -> pl.Series:
    """NFKC (full-width digits and letters become ASCII, ￥ becomes ¥), trimmed, empty → null.

    NFKC is skipped for an all-ASCII column: it cannot change anything there, and a million ASCII ids are
    the common case. (A column is ASCII when it has as many characters as bytes: two counts, much cheaper
    than a pattern over every cell.)
    """
    is_ascii = series.str.len_bytes().sum() == series.str.len_chars().sum()
    text = series if is_ascii else series.str.normalize("NFKC")
    return text.str.strip_chars().replace("", None)


def _blank_markers(text: pl.Series) -> pl.Series:
    """``-``, ``/``, ``N/A`` … in a number or date column mean 'no value', not an error."""
    return pl.select(pl.when(text.is_in(_EMPTY_MARKERS)).then(None).otherwise(text)).to_series()


# --- text -----------------------------------------------------------------------------------------


def parse_text(series: pl.Series, *, max_length: int = MAX_TEXT, trimmed: bool = False) -> Parsed:
    """Trimmed text; a spreadsheet formula (``=HYPERLINK(…)``) or an over-long value is an error.

    Each check first narrows to the few rows it can concern (a first character, a byte length), so plain
    text costs three cheap passes however long the file.
    """
    # Rust's trim covers Unicode white space, the ideographic space (U+3000) and NBSP included.
    text = series if trimmed else series.str.strip_chars().replace("", None)
    formula = text.str.contains(_FORMULA_START)
    if formula.any():
        first = text.str.slice(0, 1)
        formula = first.is_in(list(_FORMULA_FIRST))
        dashed = first == "-"
        if dashed.any():
            formula = formula | (dashed & ~text.str.contains(_SIGNED_NUMBER))
    long = text.str.len_bytes() > max_length
    if long.any():
        long = long & (text.str.len_chars() > max_length)
    if not (formula.any() or long.any()):
        return Parsed(text, _nulls(series.len()))
    errors = pl.select(
        pl.when(formula)
        .then(pl.lit("formula_in_cell"))
        .when(long)
        .then(pl.lit("value_too_long"))
        .otherwise(pl.lit(None, dtype=pl.String))
    ).to_series()
    return Parsed(text, errors)


def parse_key(series: pl.Series) -> Parsed:
    """Identifiers (employee numbers, deal ids): width-normalised, trimmed; Excel's ``1001.0`` → ``1001``."""
    text = normalise(series)
    if text.str.ends_with(".0").any():
        text = text.str.replace(r"^([0-9]+)\.0+$", "${1}")
    return parse_text(text, max_length=120, trimmed=True)


def parse_email(series: pl.Series) -> Parsed:
    text = normalise(series).str.to_lowercase()
    bad = text.is_not_null() & ~text.str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    return Parsed(text, _code_where(bad, "invalid_email"))


def _code_where(mask: pl.Series, code: str) -> pl.Series:
    return pl.select(pl.when(mask).then(pl.lit(code)).otherwise(pl.lit(None, dtype=pl.String))).to_series()


# --- choices --------------------------------------------------------------------------------------


def choice_key(series: pl.Series) -> pl.Series:
    """The comparable form of a choice value: NFKC, no spaces, lower case (``Closed Won`` → ``closedwon``).

    Computed once per distinct value: a stage column has a handful of values in a million rows.
    """
    distinct = series.drop_nulls().unique()
    keys = {value: _choice_key(value) for value in distinct.to_list()}
    return series.replace_strict(keys, default=None, return_dtype=pl.String)


def _choice_key(value: str) -> str | None:
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).casefold()
    return key or None


def parse_choice(series: pl.Series, values: Mapping[str, str]) -> Parsed:
    """Map file values to canonical ones (``赢单`` → ``won``); a value the map does not know is an error.

    Decided once per distinct value, then applied to the column in one pass.
    """
    canonical: dict[str, str | None] = {}
    unknown: dict[str, str] = {}
    for value in series.drop_nulls().unique().to_list():
        key = _choice_key(value)
        canonical[value] = values.get(key) if key is not None else None
        if key is not None and canonical[value] is None:
            unknown[value] = "unknown_value"
    mapped = series.replace_strict(canonical, default=None, return_dtype=pl.String)
    if not unknown:
        return Parsed(mapped, _nulls(series.len()))
    return Parsed(mapped, series.replace_strict(unknown, default=None, return_dtype=pl.String))


def parse_boolean(series: pl.Series, values: Mapping[str, str]) -> Parsed:
    parsed = parse_choice(series, values)
    return Parsed(parsed.values == "true", parsed.errors)


# --- numbers --------------------------------------------------------------------------------------

_CURRENCY_PREFIX = r"^(?:RMB|CNY|USD|人民币|¥|\$|€|£)"
_UNIT_SUFFIX = r"(万元|万|亿元|亿|元|RMB|CNY|%|‰)$"
_PLAIN = r"^[+-]?[0-9]+(?:\.[0-9]+)?$"
_GROUPED = r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$"
_SCIENTIFIC = r"^[+-]?[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+$"
_LOOSE = r"^[+-]?[0-9.,]*[0-9][0-9.,]*$"
_UNIT_FACTORS: dict[str, Decimal] = {
    "万元": Decimal(10000),
    "万": Decimal(10000),
    "亿元": Decimal(100000000),
    "亿": Decimal(100000000),
    "元": Decimal(1),
    "RMB": Decimal(1),
    "CNY": Decimal(1),
    "%": Decimal("0.01"),
    "‰": Decimal("0.001"),
}
COLUMN_UNITS: dict[str, Decimal] = {"yuan": Decimal(1), "wan": Decimal(10000), "yi": Decimal(100000000)}


def unit_factor(unit: str | None) -> Decimal:
    """The factor of a unit written in a header (``万元``) or a profile (``wan``); 1 when unknown."""
    if unit is None:
        return Decimal(1)
    return COLUMN_UNITS.get(unit, _UNIT_FACTORS.get(unit.strip(), Decimal(1)))


def parse_number(
    series: pl.Series,
    *,
    factor: Decimal = Decimal(1),
    decimal_comma: bool = False,
    whole: bool = False,
    _nested: bool = False,
) -> Parsed:
    """Exact decimals (4 places) from every way people write numbers; see the module docstring.

    ``factor`` is the column's unit (10000 for a column in 万元); a unit written in the cell wins.
    ``whole``: only whole numbers are valid (counts).
    """
    if factor == 1 and not whole and not _nested:
        # Fast path: plain numbers (the common shape of a machine export) straight to decimals; only the
        # other cells go through the slow patterns below.
        plain = series.str.contains(_PLAIN)
        pending = series.is_not_null() & ~plain
        if not pending.any():
            return Parsed(_to_decimal(series), _nulls(series.len()))
        if pending.sum() * 4 < series.len():
            # Cells Polars cannot read come back empty; the pending ones are overwritten just below anyway.
            values = _to_decimal(series)
            index = pl.int_range(series.len(), eager=True).filter(pending)
            rest = parse_number(
                series.filter(pending), factor=factor, decimal_comma=decimal_comma, whole=whole, _nested=True
            )
            return Parsed(
                values.scatter(index, rest.values), _nulls(series.len()).scatter(index, rest.errors)
            )
    text = _blank_markers(normalise(series).str.replace_all(r"[\s'\u2009\u202f]", ""))
    negative_brackets = text.str.contains(r"^\(.*\)$")
    text = text.str.replace(r"^\((.*)\)$", "${1}")
    text = text.str.replace(_CURRENCY_PREFIX, "")
    unit = text.str.extract(_UNIT_SUFFIX, 1)
    core = text.str.replace(_UNIT_SUFFIX, "").str.replace(_CURRENCY_PREFIX, "")
    if decimal_comma:
        plain = core.str.contains(r"^[+-]?[0-9]+(?:,[0-9]+)?$") | core.str.contains(
            r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?$"
        )
        digits = core.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    else:
        plain = core.str.contains(_PLAIN) | core.str.contains(_GROUPED)
        digits = core.str.replace_all(",", "", literal=True)
    scientific = core.str.contains(_SCIENTIFIC)
    looks_numeric = core.str.contains(_LOOSE)
    parsed = pl.select(
        pl.when(plain | scientific).then(digits).otherwise(pl.lit(None, dtype=pl.String))
    ).to_series()
    values = parsed.str.to_decimal(scale=_WIDE)
    column_factor = pl.lit(factor, dtype=pl.Decimal(38, 8))
    cell_factor = unit.replace_strict(
        {key: str(value) for key, value in _UNIT_FACTORS.items()}, default=None, return_dtype=pl.String
    ).str.to_decimal(scale=8)
    frame = pl.DataFrame({"v": values, "unit": unit, "cell": cell_factor, "neg": negative_brackets})
    result = frame.select(
        value=(
            pl.col("v")
            * pl.when(pl.col("cell").is_not_null()).then(pl.col("cell")).otherwise(column_factor)
            * pl.when(pl.col("neg")).then(pl.lit(-1)).otherwise(pl.lit(1))
        )
        .round(SCALE, mode="half_away_from_zero")
        .cast(DECIMAL)
    ).to_series()
    error = pl.select(
        pl.when(text.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(values.is_null() & looks_numeric)
        .then(pl.lit("ambiguous_number"))
        .when(values.is_null())
        .then(pl.lit("unparseable_number"))
        .when(pl.lit(whole) & (values != values.cast(pl.Int64, strict=False).cast(DECIMAL)))
        .then(pl.lit("unparseable_number"))
        .otherwise(pl.lit(None, dtype=pl.String))
    ).to_series()
    return Parsed(result, error)


def _to_decimal(text: pl.Series) -> pl.Series:
    return text.str.to_decimal(scale=_WIDE).round(SCALE, mode="half_away_from_zero").cast(DECIMAL)


# --- dates ----------------------------------------------------------------------------------------

_ISO = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"
_YMD = r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$"
_XYZ = r"^([0-9]{1,2})-([0-9]{1,2})-([0-9]{2}|[0-9]{4})$"
_COMPACT = r"^([0-9]{4})([0-9]{2})([0-9]{2})$"
_SERIAL = r"^([0-9]{5})(?:\.[0-9]+)?$"
_D_MON_Y = r"^([0-9]{1,2})-([a-z]{3,9})-([0-9]{2}|[0-9]{4})$"
_MON_D_Y = r"^([a-z]{3,9})-([0-9]{1,2})-([0-9]{4})$"
_TIME_TAIL = (
    r"(?:[ t]+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:z|[+-][0-9]{2}:?[0-9]{2})?)?"
    r"(?:\s*(?:am|pm|上午|下午))?$"
)


def _date_text(series: pl.Series) -> pl.Series:
    """One spelling for every date: ``2025年3月15日 14:00`` → ``2025-3-15``, ``15/03/25`` → ``15-03-25``."""
    text = _blank_markers(normalise(series).str.to_lowercase())
    return (
        text.str.replace(_TIME_TAIL, "")
        .str.replace_all(r"[年月/.]", "-")
        .str.replace_all(r"[日号]$", "")
        .str.replace_all(r"[\s,]+", "-")
        .str.strip_chars("-")
    )


def _year(two_or_four: pl.Expr) -> pl.Expr:
    year = two_or_four.cast(pl.Int32, strict=False)
    return (
        pl.when(two_or_four.str.len_chars() == 2)
        .then(pl.when(year < PIVOT).then(year + 2000).otherwise(year + 1900))
        .otherwise(year)
    )


def _assemble(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    return pl.format("{}-{}-{}", year, month, day).str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def parse_date(series: pl.Series, *, order: str = "auto") -> Parsed:
    """Dates; ``order`` is ``auto``, ``YMD``, ``DMY`` or ``MDY`` for the ``d/m/y`` vs ``m/d/y`` question.

    With ``auto`` a column decides for itself: one value with a first part above 12 (``25/03/2025``) makes
    the whole column day-first, one with a second part above 12 month-first. Values that stay undecided
    (``03/04/2025`` in a column with no evidence, or a column with evidence both ways) are
    ``ambiguous_date`` — never guessed.
    """
    # Fast path: ISO dates straight from the cell (a four-digit year guards against "25-03-15"). A cell with
    # spaces around it misses it and is read below, trimmed, like every other spelling.
    fast = series.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    if (fast.dt.year() < 1000).any():
        fast = pl.select(pl.when(fast.dt.year() >= 1000).then(fast).otherwise(None)).to_series()
    pending = series.is_not_null() & fast.is_null()
    if not pending.any():
        return Parsed(fast.alias("value"), _nulls(series.len()))
    index = pl.int_range(series.len(), eager=True).filter(pending)
    rest = series.filter(pending)
    text = _date_text(rest)
    iso = text.str.contains(_ISO)
    values = pl.select(
        pl.when(iso).then(text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)).otherwise(None)
    ).to_series()
    errors = _code_where(iso & values.is_null(), "unparseable_date")
    slow_rows = text.is_not_null() & ~iso
    if slow_rows.any():
        frame = pl.DataFrame(
            {"t": text, "raw": normalise(rest).str.to_lowercase(), "i": pl.int_range(text.len(), eager=True)}
        ).filter(slow_rows)
        slow = _parse_slow_dates(frame, order)
        values = values.scatter(slow["i"], slow["value"])
        errors = errors.scatter(slow["i"], slow["error"])
    return Parsed(fast.scatter(index, values).alias("value"), _nulls(series.len()).scatter(index, errors))


def _parse_slow_dates(frame: pl.DataFrame, order: str) -> pl.DataFrame:
    t = pl.col("t")
    xyz = t.str.extract_groups(_XYZ)
    first = xyz.struct.field("1").cast(pl.Int32, strict=False)
    second = xyz.struct.field("2").cast(pl.Int32, strict=False)
    frame = frame.with_columns(first=first, second=second, is_xyz=t.str.contains(_XYZ))
    evidence_dmy = bool(frame.filter(pl.col("is_xyz") & (pl.col("first") > 12))["t"].len())
    evidence_mdy = bool(frame.filter(pl.col("is_xyz") & (pl.col("second") > 12))["t"].len())
    if order == "auto":
        day_first: pl.Expr
        if evidence_dmy and not evidence_mdy:
            day_first, decided = pl.lit(True), pl.lit(True)
        elif evidence_mdy and not evidence_dmy:
            day_first, decided = pl.lit(False), pl.lit(True)
        else:
            # no evidence (or both): only values that read the same either way, or prove themselves
            day_first = pl.col("first") > 12
            decided = (pl.col("first") > 12) | (pl.col("second") > 12) | (pl.col("first") == pl.col("second"))
    else:
        day_first, decided = pl.lit(order == "DMY"), pl.lit(True)
    ymd = t.str.extract_groups(_YMD)
    compact = t.str.extract_groups(_COMPACT)
    serial = pl.col("raw").str.extract(_SERIAL, 1).cast(pl.Int32, strict=False)
    d_mon_y = t.str.extract_groups(_D_MON_Y)
    mon_d_y = t.str.extract_groups(_MON_D_Y)
    month_names = {name: str(number) for name, number in _MONTH_NAMES.items()}
    year_of_xyz = _year(xyz.struct.field("3"))
    if order == "YMD":
        xyz_date = _assemble(_year(xyz.struct.field("1")), pl.col("second"), xyz.struct.field("3"))
    else:
        xyz_date = (
            pl.when(day_first)
            .then(_assemble(year_of_xyz, pl.col("second"), pl.col("first")))
            .otherwise(_assemble(year_of_xyz, pl.col("first"), pl.col("second")))
        )
    serial_ok = serial.is_between(*EXCEL_SERIAL_RANGE)
    value = (
        pl.when(t.str.contains(_YMD))
        .then(_assemble(ymd.struct.field("1"), ymd.struct.field("2"), ymd.struct.field("3")))
        .when(pl.col("is_xyz") & decided)
        .then(xyz_date)
        .when(t.str.contains(_COMPACT))
        .then(_assemble(compact.struct.field("1"), compact.struct.field("2"), compact.struct.field("3")))
        .when(serial_ok)
        .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial))
        .when(t.str.contains(_D_MON_Y))
        .then(
            _assemble(
                _year(d_mon_y.struct.field("3")),
                d_mon_y.struct.field("2").replace_strict(month_names, default=None),
                d_mon_y.struct.field("1"),
            )
        )
        .when(t.str.contains(_MON_D_Y))
        .then(
            _assemble(
                mon_d_y.struct.field("3"),
                mon_d_y.struct.field("1").replace_strict(month_names, default=None),
                mon_d_y.struct.field("2"),
            )
        )
        .otherwise(pl.lit(None, dtype=pl.Date))
    )
    error = (
        pl.when(pl.col("value").is_not_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("is_xyz") & ~decided & (order == "auto"))
        .then(pl.lit("ambiguous_date"))
        .otherwise(pl.lit("unparseable_date"))
    )
    return (
        frame.with_columns(value=value.cast(pl.Date)).with_columns(error=error).select("i", "value", "error")
    )


# --- months ---------------------------------------------------------------------------------------

_YM = r"^([0-9]{4})-([0-9]{1,2})$"
_YM_COMPACT = r"^([0-9]{4})([0-9]{2})$"
_MON_Y = r"^([a-z]{3,9})-([0-9]{2}|[0-9]{4})$"


def parse_month(series: pl.Series, *, order: str = "auto") -> Parsed:
    """Months as ``YYYYMM`` integers: ``2025-03``, ``2025/3``, ``2025年3月``, ``202503``, ``Mar-2025``, or any
    date (its month)."""
    text = _date_text(series)
    month_names = {name: str(number) for name, number in _MONTH_NAMES.items()}
    t = pl.col("t")
    ym, compact, mon_y = (
        t.str.extract_groups(_YM),
        t.str.extract_groups(_YM_COMPACT),
        t.str.extract_groups(_MON_Y),
    )
    parts = pl.DataFrame({"t": text}).select(
        year=pl.coalesce(
            ym.struct.field("1"), compact.struct.field("1"), _year(mon_y.struct.field("2")).cast(pl.String)
        ).cast(pl.Int32, strict=False),
        month=pl.coalesce(
            ym.struct.field("2"),
            compact.struct.field("2"),
            mon_y.struct.field("1").replace_strict(month_names, default=None),
        ).cast(pl.Int32, strict=False),
    )
    valid = parts["month"].is_between(1, 12) & parts["year"].is_between(1900, 9999)
    month_value = pl.select(
        pl.when(valid).then(parts["year"] * 100 + parts["month"]).otherwise(None).cast(pl.Int32)
    ).to_series()
    need_date = text.is_not_null() & month_value.is_null()
    errors = _nulls(text.len())
    if need_date.any():
        dates = parse_date(series.filter(need_date), order=order)
        from_dates = (dates.values.dt.year() * 100 + dates.values.dt.month()).cast(pl.Int32)
        index = pl.int_range(text.len(), eager=True).filter(need_date)
        month_value = month_value.scatter(index, from_dates)
        errors = errors.scatter(index, dates.errors.replace("unparseable_date", "unparseable_month"))
    return Parsed(month_value.alias("value"), errors)


def month_of(dates: pl.Expr) -> pl.Expr:
    """``YYYYMM`` of a date expression."""
    return (dates.dt.year() * 100 + dates.dt.month()).cast(pl.Int32)
