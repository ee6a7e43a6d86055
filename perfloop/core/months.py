"""The calendar month as a value type.

Performance is agreed, measured and judged per month; a month is never a date
(a date invites off-by-one-day bugs at month ends and time-zone edges).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import total_ordering

_MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


class MonthError(ValueError):
    """A value that is not a calendar month; `code` is stable for callers."""

    code = "invalid_month"


@total_ordering
@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month, e.g. ``Month(2025, 3)``; ordered, hashable, arithmetic in months."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise MonthError(f"month must be 1..12, got {self.month}")
        if not 1900 <= self.year <= 9999:
            raise MonthError(f"year out of range: {self.year}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``2025-03``, ``2025/3``, ``2025.03`` or ``2025年3月``."""
        match = _MONTH_RE.match(str(text))
        if not match:
            raise MonthError(f"not a month (expected YYYY-MM): {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """The month a date falls in."""
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> Month:
        """Inverse of :attr:`index` (months since year 0)."""
        year, month0 = divmod(index, 12)
        return cls(year, month0 + 1)

    @classmethod
    def from_int(cls, value: int) -> Month:
        """Inverse of :meth:`as_int` (``202503`` → March 2025)."""
        year, month = divmod(int(value), 100)
        return cls(year, month)

    @property
    def index(self) -> int:
        """Months since year 0: differences of indexes are month distances."""
        return self.year * 12 + self.month - 1

    def as_int(self) -> int:
        """``YYYYMM`` as an integer: how months are stored (sortable and readable in SQL)."""
        return self.year * 100 + self.month

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return (self + 1).first_day - dt.timedelta(days=1)

    def __add__(self, months: int) -> Month:
        if not isinstance(months, int):
            return NotImplemented
        return Month.from_index(self.index + months)

    def __sub__(self, months: int) -> Month:
        if not isinstance(months, int):
            return NotImplemented
        return Month.from_index(self.index - months)

    def months_since(self, other: Month) -> int:
        """Typed alternative to ``self - other``."""
        return self.index - other.index

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return self.index < other.index

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __repr__(self) -> str:
        return f"Month({self.year}, {self.month})"


def month_range(first: Month, last: Month) -> Iterator[Month]:
    """Every month from ``first`` to ``last``, both included."""
    if last < first:
        raise MonthError(f"range ends before it starts: {first}..{last}")
    for index in range(first.index, last.index + 1):
        yield Month.from_index(index)
