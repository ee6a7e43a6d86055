"""Calendar arithmetic for service lengths, notice periods and deadlines.

Service is measured by anniversary dates: from the first day of work to the day
after the last day, whole months first, then the days left over. A day that does
not exist in the target month (31 January + 1 month) is clamped to that month's
last day, the usual reading of Civil Code Art. 202 for periods in months.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from perfloop.separation.law.errors import LawInputError

# Dates an employment case can have: the engine adds years and months to them (deadlines, protection
# periods), which must stay inside the calendar; a date outside these is a typing error, not a case.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)


def validate_dates(**dates: dt.date | None) -> None:
    """Each given date lies between EARLIEST_DATE and LATEST_DATE (``None`` is a date not given)."""
    for name, day in dates.items():
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise LawInputError(
                "date_out_of_range", field=name, value=day, first=EARLIEST_DATE, last=LATEST_DATE
            )


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


@dataclass(frozen=True, slots=True)
class ServiceLength:
    """Whole months of service plus the days left over after the last whole month."""

    months: int
    days: int

    @property
    def full_years(self) -> int:
        return self.months // 12

    @property
    def remainder_months(self) -> int:
        return self.months % 12

    def __str__(self) -> str:
        return f"{self.full_years}y {self.remainder_months}m {self.days}d"


def measure_service(first_day: dt.date, last_day: dt.date) -> ServiceLength:
    """Service from ``first_day`` to ``last_day``, both days worked (inclusive)."""
    if last_day < first_day:
        raise LawInputError("dates_reversed", start=first_day, end=last_day)
    end_exclusive = last_day + dt.timedelta(days=1)
    months = (end_exclusive.year - first_day.year) * 12 + (end_exclusive.month - first_day.month)
    while months > 0 and add_months(first_day, months) > end_exclusive:
        months -= 1
    days = (end_exclusive - add_months(first_day, months)).days
    return ServiceLength(months=months, days=days)


def parse_date(value: object, *, field: str) -> dt.date:
    """A date from ``YYYY-MM-DD`` text or a date; impossible dates get their own error code."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None or value == "":
        raise LawInputError("missing_field", field=field)
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise LawInputError("invalid_date", field=field, value=text) from exc
