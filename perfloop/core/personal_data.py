"""What perfloop holds about one person, gathered from every app for a copy they may ask for (PIPL Art. 45).

Each app knows its own tables, so each registers a section (a function returning worksheets) when it
loads; the export asks every registered section in order. An app added later brings its own section
and no other module changes — so nothing about a person can be forgotten in their copy because the
export did not know the app existed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from perfloop.core.workbooks import Sheet


@dataclass(frozen=True)
class DataSubject:
    """Whose data: their account and, when they have one, their employee record."""

    user_id: int | None
    employee_id: int | None


Section = Callable[[DataSubject], list[Sheet]]

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
