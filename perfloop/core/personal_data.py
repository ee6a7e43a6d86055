"""What perfloop holds about one person, gathered from every app for a copy they may ask for (PIPL Art. 45).

Each app knows its own tables, so each registers a section (a function returning worksheets) when it
loads; the export asks every registered section in order. An app added later brings its own section
and no other module changes — so nothing about a person can be forgotten in their copy because the
export did not know the app existed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from perfloop.core.workbooks import Cell, Sheet

# Rows of one sheet: enough for years of a person's history; a longer one ends with a line that says so.
ROW_LIMIT = 20_000


@dataclass(frozen=True)
class DataSubject:
    """Whose data: their account and, when they have one, their employee record."""

    user_id: int | None
    employee_id: int | None


Section = Callable[[DataSubject], list[Sheet]]


def local_time(moment: dt.datetime | None) -> str | None:
    """A stored instant as the company's clock shows it (times are kept in UTC): what the person saw."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else None


def limited_rows(rows: Iterable[Sequence[Cell]], limit: int = ROW_LIMIT) -> list[list[Cell]]:
    """At most ``limit`` rows (give them newest first); a longer history ends with a row saying it was cut."""
    kept: list[list[Cell]] = []
    for row in rows:
        if len(kept) == limit:
            kept.append(
                [
                    _("Only the newest %(count)s rows are in this copy; ask HR for the rest.")
                    % {"count": limit}
                ]
            )
            break
        kept.append(list(row))
    return kept


_SECTIONS: dict[str, tuple[int, Section]] = {}


def section_register(name: str, section: Section, *, order: int) -> None:
    """Add (or replace, on a reload) the section ``name``; lower ``order`` comes first in the workbook."""
    _SECTIONS[name] = (order, section)


def section_names() -> list[str]:
    return [name for name, _ in sorted(_SECTIONS.items(), key=lambda item: (item[1][0], item[0]))]


def personal_data_sheets(subject: DataSubject) -> list[Sheet]:
    """Every registered section's sheets for ``subject``, in order."""
    sheets: list[Sheet] = []
    for name in section_names():
        sheets.extend(_SECTIONS[name][1](subject))
    return sheets
